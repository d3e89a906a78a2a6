// Black-box harness for the debug adapter (docs/style.md habit 10, after mock-debug's adapter tests):
// every test talks DAP to `dist/debugAdapter.js` through @vscode/debugadapter-testsupport.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';

export const ROOT = path.join(__dirname, '..', '..');
export const ADAPTER = path.join(ROOT, 'dist', 'debugAdapter.js');
export const FIXTURES = path.join(__dirname, 'fixtures');
export const EXAMPLES = path.join(ROOT, 'examples');
export const fixture = (name: string): string => path.join(FIXTURES, name);

function newestSource(dir: string): number {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestSource(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

/** Builds dist/debugAdapter.js when it is missing or older than the sources (CI builds first anyway). */
export function ensureAdapter(): void {
  const src = ['debug', 'vm', 'asm', 'protocol'].map((d) => newestSource(path.join(ROOT, 'src', d)));
  const stale = !fs.existsSync(ADAPTER) || fs.statSync(ADAPTER).mtimeMs < Math.max(...src, fs.statSync(path.join(ROOT, 'package.json')).mtimeMs);
  if (stale) execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit' });
}

export async function startClient(): Promise<DebugClient> {
  ensureAdapter();
  const dc = new DebugClient(process.execPath, ADAPTER, 'hyperstep');
  dc.defaultTimeout = 20_000;
  await dc.start();
  return dc;
}

export type Stopped = DebugProtocol.StoppedEvent['body'];

/** initialize → launch → (initialized) configurationDone; resolves with the first stop. */
export async function launch(dc: DebugClient, args: Record<string, unknown>, before?: () => Promise<unknown>): Promise<Stopped> {
  const stopped = dc.waitForEvent('stopped');
  const config = dc.waitForEvent('initialized').then(async () => { if (before) await before(); return dc.configurationDoneRequest(); });
  await Promise.all([dc.launch({ stopOnEntry: true, ...args }), config]);
  return (await stopped).body as Stopped;
}

/** Launches without stopping on entry (the first event may be a stop, an exit, or nothing). */
export async function launchRunning(dc: DebugClient, args: Record<string, unknown>): Promise<void> {
  await Promise.all([dc.configurationSequence(), dc.launch({ ...args, stopOnEntry: false })]);
}

/** A request DebugClient has no method for. */
export async function request<T = Record<string, unknown>>(dc: DebugClient, command: string, args: object): Promise<T> {
  return (await dc.customRequest(command, args)).body as T;
}

/** Sends a run request and waits for the stop it ends in. */
export async function stopAfter(dc: DebugClient, request: Promise<unknown>): Promise<Stopped> {
  const stopped = dc.waitForEvent('stopped');
  await request;
  return (await stopped).body as Stopped;
}

export async function topFrame(dc: DebugClient, threadId = 1): Promise<DebugProtocol.StackFrame> {
  const st = await dc.stackTraceRequest({ threadId });
  return st.body.stackFrames[0];
}

export async function frames(dc: DebugClient, threadId = 1): Promise<DebugProtocol.StackFrame[]> {
  return (await dc.stackTraceRequest({ threadId })).body.stackFrames;
}

/** The value of an expression as a number (registers, CSRs, memory). */
export async function value(dc: DebugClient, expression: string, frameId?: number): Promise<number> {
  const r = await dc.evaluateRequest({ expression, context: 'watch', ...(frameId !== undefined ? { frameId } : {}) });
  const m = /^(-?0x[0-9a-f]+|-?\d+|true|false)/.exec(r.body.result);
  assert.ok(m, `'${expression}' evaluated to '${r.body.result}'`);
  return m[1] === 'true' ? 1 : m[1] === 'false' ? 0 : Number(m[1]);
}

export async function repl(dc: DebugClient, expression: string): Promise<string> {
  return (await dc.evaluateRequest({ expression, context: 'repl' })).body.result;
}

export async function pc(dc: DebugClient): Promise<number> {
  return value(dc, 'pc');
}

/** The 1-based source line of `text` in a file (the first line containing it). */
export function lineOf(file: string, text: string): number {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(text));
  assert.ok(i >= 0, `${text} not in ${file}`);
  return i + 1;
}

/** Expects a request to fail; returns the error message. */
export async function rejects(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  assert.fail('the request succeeded but should have failed');
}

/** Registers and RAM as one comparable value (for reverse execution). */
export async function fingerprint(dc: DebugClient, ram: { address: number; length: number }[]): Promise<string> {
  const sc = await dc.scopesRequest({ frameId: (await topFrame(dc)).id });
  const regs = await dc.variablesRequest({ variablesReference: sc.body.scopes.find((s) => s.name === 'Registers')!.variablesReference });
  const csrs = await dc.variablesRequest({ variablesReference: sc.body.scopes.find((s) => s.name === 'CSRs')!.variablesReference });
  const mem: string[] = [];
  for (const r of ram) mem.push((await request<{ data: string }>(dc, 'readMemory', { memoryReference: '0x' + r.address.toString(16), count: r.length })).data);
  return JSON.stringify({
    regs: regs.body.variables.map((v) => `${v.name}=${v.value}`),
    csrs: csrs.body.variables.map((v) => `${v.name}=${v.value}`),
    mem,
  });
}
