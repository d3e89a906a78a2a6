// A minimal LSP client for black-box tests: bundles the server entry the way esbuild.mjs does
// (so the child-process assembler runs from a real bundle), spawns it with --stdio, and speaks
// JSON-RPC through vscode-jsonrpc.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as esbuild from 'esbuild';
import { MessageConnection, StreamMessageReader, StreamMessageWriter, createMessageConnection } from 'vscode-jsonrpc/node';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver';
import type { Timers } from '../../src/lsp/server/timers';

const ROOT = path.join(__dirname, '..', '..');

let bundled: Promise<string> | undefined;

/** `src/lsp/server/main.ts` bundled into a temporary `languageServer.js`, once per test run. */
export function bundleServer(): Promise<string> {
  bundled ??= (async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hyperstep-lsp-'));
    const outfile = path.join(dir, 'languageServer.js');
    await esbuild.build({
      entryPoints: [path.join(ROOT, 'src', 'lsp', 'server', 'main.ts')], outfile,
      bundle: true, platform: 'node', target: 'node20', format: 'cjs', external: ['vscode'], logLevel: 'warning',
    });
    return outfile;
  })();
  return bundled;
}

export class LspClient {
  readonly connection: MessageConnection;
  private readonly published = new Map<string, PublishDiagnosticsParams[]>();
  private readonly waiters: (() => void)[] = [];
  stderr = '';

  private constructor(readonly process: ChildProcess) {
    this.connection = createMessageConnection(new StreamMessageReader(process.stdout!), new StreamMessageWriter(process.stdin!));
    this.connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      const list = this.published.get(p.uri) ?? [];
      list.push(p);
      this.published.set(p.uri, list);
      for (const w of this.waiters.splice(0)) w();
    });
    this.connection.onNotification('window/logMessage', () => undefined);
    process.stderr!.on('data', (d: Buffer) => { this.stderr += d.toString(); });
    this.connection.listen();
  }

  static async start(script: string): Promise<LspClient> {
    const child = spawn(process.execPath, [script, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const client = new LspClient(child);
    await client.connection.sendRequest('initialize', {
      processId: process.pid, rootUri: null, workspaceFolders: null,
      capabilities: { textDocument: { completion: { completionItem: { snippetSupport: true } } } },
    });
    await client.connection.sendNotification('initialized', {});
    return client;
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest(method, params) as Promise<R>;
  }

  open(uri: string, text: string, version = 1): Promise<void> {
    return this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'hyperstep-asm', version, text } });
  }

  change(uri: string, text: string, version: number): Promise<void> {
    return this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  /** The first diagnostics published for `uri` at `version` (or any version) that satisfy `accept`. */
  async diagnostics(uri: string, version?: number, timeoutMs = 10_000): Promise<Diagnostic[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = (this.published.get(uri) ?? []).find((p) => version === undefined || p.version === version);
      if (hit) return hit.diagnostics;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no diagnostics for ${uri} version ${version}; stderr: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.request('shutdown', null), new Promise((r) => setTimeout(r, 2000))]);
      await this.connection.sendNotification('exit');
    } catch {
      // already gone
    }
    this.connection.dispose();
    const exited = new Promise((r) => this.process.once('exit', r));
    if (this.process.exitCode === null) await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
    if (this.process.exitCode === null) this.process.kill('SIGKILL');
  }
}

/** The LSP position (0-based) of the `nth` occurrence of `needle` in `text`, plus `delta` characters. */
export function positionOf(text: string, needle: string, delta = 0, nth = 0): { line: number; character: number } {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`${JSON.stringify(needle)} #${nth} not in the text`);
  }
  const offset = at + delta;
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** Timers that fire only when the test says: a pause or a time limit is over when the test decides. */
export class HandClock implements Timers {
  private next = 1;
  private readonly armed = new Map<number, () => void>();
  set(fn: () => void): unknown { this.armed.set(this.next, fn); return this.next++; }
  clear(handle: unknown): void { this.armed.delete(handle as number); }
  get count(): number { return this.armed.size; }
  /** Fires every timer armed now. */
  fire(): void { const fns = [...this.armed.values()]; this.armed.clear(); for (const f of fns) f(); }
}
