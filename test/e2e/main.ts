// Runs the VS Code suites against code-server: (a) the extension's mocha suite in the extension
// host, (b) the browser end-to-end test of the installed .vsix. Bundled to out/test/e2e/main.js and
// started by scripts/vscode/test.mjs, which installs the tools and builds what this needs.
//   node out/test/e2e/main.js [--suite host|e2e|all] --vsix FILE
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stopAllServers } from './code-server';
import { runExtensionHostSuite } from './extension-host';
import { runInterruptTimelineEndToEnd } from './interrupt-timeline';
import { runNicIrqEndToEnd } from './nic-irq';
import { toolsFromEnv } from './tools';
import type { SuiteResult } from './workspace';

const WATCHDOG_MS = 9 * 60_000;

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const opt = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const suite = opt('--suite') ?? 'all';
  if (!['host', 'e2e', 'all'].includes(suite)) throw new Error(`--suite must be host, e2e or all, not ${suite}`);
  const repo = path.resolve(__dirname, '..', '..', '..');
  const results = path.join(repo, 'test-results');
  fs.mkdirSync(results, { recursive: true });
  const tools = toolsFromEnv();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'hyperstep-vscode-'));
  const log = (line: string): void => console.log(line);
  const outcomes: SuiteResult[] = [];
  const run = async (name: string, f: (root: string) => Promise<SuiteResult>): Promise<void> => {
    const t0 = Date.now();
    log(`▶ ${name}`);
    const root = path.join(scratch, name);
    fs.mkdirSync(root, { recursive: true });
    let r: SuiteResult;
    try {
      r = await f(root);
    } catch (e) {
      r = { name, ok: false, detail: e instanceof Error ? e.message : String(e) };
    }
    copyLogs(root, path.join(results, 'vscode', name));
    log(`${r.ok ? '✔' : '✘'} ${r.name}: ${r.detail} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    outcomes.push(r);
  };
  try {
    if (suite !== 'e2e') await run('extension-host', (root) => runExtensionHostSuite(tools, repo, root, log));
    if (suite !== 'host') {
      const vsix = opt('--vsix');
      if (!vsix) throw new Error('--vsix FILE is required for the end-to-end suite');
      await run('e2e', (root) => runNicIrqEndToEnd(tools, repo, path.resolve(vsix), root, results, log));
      await run('e2e-timeline', (root) => runInterruptTimelineEndToEnd(tools, repo, path.resolve(vsix), root, results, log));
    }
  } finally {
    await stopAllServers();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return outcomes.every((o) => o.ok) && outcomes.length > 0 ? 0 : 1;
}

/** Keeps the servers' logs and the browser console with the results. */
function copyLogs(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const f of fs.readdirSync(from)) if (f.endsWith('.log')) fs.copyFileSync(path.join(from, f), path.join(to, f));
}

const watchdog = setTimeout(() => {
  console.error(`✘ the VS Code tests did not finish within ${WATCHDOG_MS / 60_000} minutes`);
  void stopAllServers().finally(() => process.exit(2));
}, WATCHDOG_MS);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void stopAllServers().finally(() => process.exit(130)));
}
main().then((code) => {
  clearTimeout(watchdog);
  process.exitCode = code;
}, (e: unknown) => {
  clearTimeout(watchdog);
  console.error(`✘ ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  void stopAllServers().finally(() => { process.exitCode = 1; });
});
