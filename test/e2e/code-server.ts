// code-server (VS Code 1.139.1 for the browser) for one test: fresh user-data and extensions
// folders, a free port, its own process group (killed whole on stop, so no extension host or
// language server outlives the test), its log in a file. See /work/shared/VSCODE-TESTING.md.
import { type ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import type { Tools } from './tools';

/** User settings that keep the window quiet: no startup editor, tips, trust prompt, AI panel or updates. */
const SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'window.restoreWindows': 'none',
  'files.hotExit': 'off',
  'editor.minimap.enabled': false,
  'debug.openDebug': 'openOnSessionStart',
  'workbench.colorTheme': 'Default Dark Modern',
};

export interface ServerOptions {
  /** A fresh folder for this server's user data, extensions and log. */
  root: string;
  extensionsDir?: string;
  /** Extra code-server arguments (e.g. ['--vscode-option', 'enable-smoke-test-driver']). */
  args?: string[];
}

/** Servers not yet stopped, so that an interrupted run can still stop them all. */
const running = new Set<CodeServer>();

export async function stopAllServers(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop()));
}

export class CodeServer {
  private constructor(private readonly child: ChildProcess, readonly port: number, readonly log: string) {
    running.add(this);
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(tools: Tools, options: ServerOptions): Promise<CodeServer> {
    const userData = path.join(options.root, 'user');
    const extensions = options.extensionsDir ?? path.join(options.root, 'extensions');
    fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
    fs.mkdirSync(extensions, { recursive: true });
    fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify(SETTINGS, null, 2));
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const log = path.join(options.root, `code-server-${port}.log`);
      const out = fs.openSync(log, 'w');
      const child = spawn(tools.node24, [tools.codeServer,
        '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check',
        '--disable-workspace-trust', '--disable-getting-started-override', '--reconnection-grace-time', '5',
        '--user-data-dir', userData, '--extensions-dir', extensions, ...(options.args ?? [])], {
        // Its own process group: stop() kills the server and everything it started.
        detached: true,
        stdio: ['ignore', out, out],
        env: { ...process.env, PATH: `${path.dirname(tools.node24)}:${process.env.PATH ?? ''}` },
      });
      fs.closeSync(out);
      const server = new CodeServer(child, port, log);
      try {
        await server.waitHealthy(60_000);
        return server;
      } catch (e) {
        lastError = e;
        await server.stop();
      }
    }
    throw lastError instanceof Error ? lastError : new Error(String(lastError));
  }

  private async waitHealthy(ms: number): Promise<void> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`code-server exited (${this.child.exitCode ?? this.child.signalCode}); log ${this.log}:\n${tail(this.log)}`);
      }
      try {
        const r = await fetch(`${this.base}/healthz`, { signal: AbortSignal.timeout(2000) });
        if (r.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`code-server did not answer /healthz within ${ms} ms; log ${this.log}:\n${tail(this.log)}`);
  }

  /** Kills the whole process group: SIGTERM, then SIGKILL after 5 s. */
  async stop(): Promise<void> {
    running.delete(this);
    const pid = this.child.pid;
    if (pid === undefined) return;
    const group = (signal: NodeJS.Signals | 0): boolean => {
      try {
        process.kill(-pid, signal);
        return true;
      } catch {
        return false;
      }
    };
    if (!group('SIGTERM')) return;
    const end = Date.now() + 5000;
    while (Date.now() < end) {
      if (!group(0)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    group('SIGKILL');
  }
}

/** Installs a .vsix into an extensions folder with code-server's own CLI. */
export function installExtension(tools: Tools, vsix: string, extensionsDir: string, userDataDir: string): string {
  const r = spawnSync(tools.node24, [tools.codeServer, '--install-extension', vsix, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir], {
    encoding: 'utf8', timeout: 120_000,
  });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status !== 0 || !/was successfully installed/.test(out)) throw new Error(`installing ${vsix} failed (${r.status ?? r.signal}):\n${out}`);
  return out.trim();
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
