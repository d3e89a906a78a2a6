// Bad input never crashes the adapter (docs/contracts.md): thousands of seeded random request sequences —
// well-formed, wrong-typed, out of range, in any order — and raw garbage on the wire; after each
// sequence the adapter still answers, and no answer is an internal error.
import * as assert from 'assert';
import { spawn } from 'child_process';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { ADAPTER, ensureAdapter, fixture, launch, startClient } from './helpers';

const SEQUENCES = 2000;
const SEED = 0x5eed_cafe;

/** mulberry32: a small seeded PRNG, so a failure replays. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PROGRAM = fixture('forever.s');
const RUN = new Set(['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue']);

class Fuzzer {
  constructor(private readonly r: () => number) {}
  int(n: number): number { return Math.floor(this.r() * n); }
  pick<T>(xs: readonly T[]): T { return xs[this.int(xs.length)]; }
  chance(p: number): boolean { return this.r() < p; }

  junk(depth = 0): unknown {
    switch (this.int(depth > 2 ? 6 : 9)) {
      case 0: return null;
      case 1: return this.pick([0, -1, 1, 2 ** 31, -(2 ** 53), 1.5, NaN, 1e308]);
      case 2: return this.pick(['', 'x', '0x80000000', '{', 'a0', '\u0000', 'info', '1'.repeat(5000)]);
      case 3: return this.chance(0.5);
      case 4: return undefined;
      case 5: return this.int(3000);
      case 6: return Array.from({ length: this.int(4) }, () => this.junk(depth + 1));
      default: {
        const o: Record<string, unknown> = {};
        for (let i = this.int(4); i > 0; i--) o[this.pick(['threadId', 'frameId', 'name', 'value', 'line', 'source', 'breakpoints', 'expression', 'memoryReference', 'count', 'kind'])] = this.junk(depth + 1);
        return o;
      }
    }
  }

  expression(): string {
    const atoms = ['a0', 'sp', 'pc', 'mstatus', 'mcause', '0x80000000', '42', 'data', 'f', 'g', 'u32(sp)', 'u8(pc)', 'p32(0x80000000)', '*pc', '$steps', "'x'", 'nosuch', 'u32(0)', 'bits(a0, 7, 0)'];
    const ops = ['+', '-', '*', '/', '%', '<<', '>>', '&', '|', '^', '==', '!=', '<', '>=', '&&', '||'];
    let e = this.pick(atoms);
    for (let i = this.int(4); i > 0; i--) e = this.chance(0.2) ? `(${e})` : `${e} ${this.pick(ops)} ${this.pick(atoms)}`;
    if (this.chance(0.15)) e = this.pick(['info registers', 'info ioapic', 'info lapic 7', 'info exits', 'info irq', 'x/4x sp', 'xp/2i 0x80000000', 'x/99999x 0', 'irq 19 1', 'irq 19 0', 'nic rx "hi"', 'uart "\\x00"', 'help', 'info', 'x/', 'irq', '((((', '"unterminated']);
    if (this.chance(0.05)) e = String.fromCharCode(...Array.from({ length: this.int(20) }, () => this.int(128)));
    return e;
  }

  /** One request: a command and its arguments, well-formed or not. */
  request(): [string, unknown] {
    const bad = this.chance(0.25);
    const thread = bad ? this.junk() : this.pick([1, 1, 1, 2, 0]);
    const line = this.int(40);
    const table: [string, () => unknown][] = [
      ['threads', () => ({})],
      ['stackTrace', () => ({ threadId: thread, startFrame: this.int(3), levels: this.int(5) })],
      ['scopes', () => ({ frameId: bad ? this.junk() : this.int(1005) })],
      ['variables', () => ({ variablesReference: bad ? this.junk() : 1000 + this.int(20), start: this.int(3), count: this.int(40) })],
      ['evaluate', () => ({ expression: bad ? this.junk() : this.expression(), context: this.pick(['repl', 'watch', 'hover', 'clipboard', undefined]) })],
      ['setVariable', () => ({ variablesReference: 1000 + this.int(5), name: this.pick(['a0', 's1', 'mscratch', 'zero', 'nosuch', 'pc']), value: this.expression() })],
      ['setExpression', () => ({ expression: this.pick(['u32(data)', 't3', '*sp', 'p8(0x20000000)', 'bogus(']), value: this.expression() })],
      ['setBreakpoints', () => ({ source: bad ? this.junk() : { path: PROGRAM }, breakpoints: bad ? this.junk() : [{ line, condition: this.chance(0.3) ? this.expression() : undefined, hitCondition: this.chance(0.2) ? this.pick(['3', '>2', '%2', 'x']) : undefined, logMessage: this.chance(0.2) ? 'a0={a0} {nosuch}' : undefined }] })],
      ['setFunctionBreakpoints', () => ({ breakpoints: bad ? this.junk() : [{ name: this.pick(['f', 'g', 'loop', 'nosuch', '0x80000010']) }] })],
      ['setInstructionBreakpoints', () => ({ breakpoints: bad ? this.junk() : [{ instructionReference: this.pick(['0x80000010', '0x80000002', 'zz', '']), offset: this.int(3) * 4 }] })],
      ['setExceptionBreakpoints', () => ({ filters: bad ? this.junk() : [this.pick(['vmexit', 'mmio', 'mmio-vmm', 'nope', 'guest-trap'])], filterOptions: [{ filterId: 'mmio', condition: this.expression() }] })],
      ['dataBreakpointInfo', () => ({ name: bad ? this.junk() : this.pick(['data', 'sp', '0x10000007', '0x20000000', 'gpa 0x80000000']), bytes: this.pick([1, 4, 0, 9999, undefined]) })],
      ['setDataBreakpoints', () => ({ breakpoints: bad ? this.junk() : [{ dataId: this.pick(['gva:0x80001000:4', 'mmio:0x10000007:1', 'bogus', 'gpa:0x80000000:4']), accessType: this.pick(['read', 'write', 'readWrite', 'x']) }] })],
      ['readMemory', () => ({ memoryReference: bad ? this.junk() : this.pick(['0x80000000', '0x7ffffff0', '0xfffffff0', 'x']), offset: this.int(64) - 32, count: this.pick([0, 1, 16, 4096, 2 ** 30]) })],
      ['writeMemory', () => ({ memoryReference: bad ? this.junk() : this.pick(['0x80001000', '0x10000000', '0xffffffff']), data: this.pick(['AAAA', '', '!!!', 'AQIDBA==']), allowPartial: this.chance(0.5) })],
      ['disassemble', () => ({ memoryReference: bad ? this.junk() : this.pick(['0x80000000', '0x0', 'pc']), instructionOffset: this.int(20) - 10, instructionCount: this.pick([0, 1, 10, 50000]) })],
      ['completions', () => ({ text: bad ? this.junk() : this.expression(), column: this.int(12) })],
      ['exceptionInfo', () => ({ threadId: thread })],
      ['breakpointLocations', () => ({ source: { path: PROGRAM }, line, endLine: line + this.int(10) })],
      ['loadedSources', () => ({})],
      ['source', () => ({ sourceReference: this.int(3) })],
      ['hyperstep/state', () => (bad ? this.junk() : { parts: this.chance(0.5) ? undefined : [this.pick(['routing', 'ioapic', 'tlb', 'nope'])] })],
      ['hyperstep/inject', () => (bad ? this.junk() : this.pick([{ kind: 'irq', gsi: this.int(30), level: this.int(2) }, { kind: 'nic', data: 'x' }, { kind: 'uart', text: 'y' }, { kind: 'q' }]))],
      ['restart', () => ({})],
      ['goto', () => ({ threadId: 1, targetId: 1 })],
      ['nonsense/request', () => this.junk()],
      ['continue', () => ({ threadId: thread })],
      ['next', () => ({ threadId: thread, granularity: this.pick(['instruction', 'line', 'statement', undefined]) })],
      ['stepIn', () => ({ threadId: thread, granularity: this.pick(['instruction', 'line']) })],
      ['stepOut', () => ({ threadId: thread })],
      ['stepBack', () => ({ threadId: thread, granularity: this.pick(['instruction', 'line']) })],
      ['reverseContinue', () => ({ threadId: thread })],
    ];
    const [command, args] = this.pick(table);
    return [command, args()];
  }
}

describe('debug adapter: bad input', function () {
  this.timeout(300_000);

  it(`survives ${SEQUENCES} seeded random request sequences and still answers`, async () => {
    const f = new Fuzzer(prng(SEED));
    let dc: DebugClient | undefined;
    const internal: string[] = [];
    let restarts = 0;
    const fresh = async (): Promise<DebugClient> => {
      if (dc) await dc.stop();
      const c = await startClient();
      c.defaultTimeout = 10_000;
      await launch(c, { program: PROGRAM, vcpus: 2 });
      return c;
    };
    dc = await fresh();
    let ended = false;
    const watch = (c: DebugClient): void => { c.on('terminated', () => { ended = true; }); };
    watch(dc);
    for (let seq = 0; seq < SEQUENCES; seq++) {
      for (let n = 1 + f.int(5); n > 0; n--) {
        const [command, args] = f.request();
        const stopped = RUN.has(command) ? dc.waitForEvent('stopped', 10_000).then(() => true, () => false) : undefined;
        try {
          await dc.customRequest(command, args);
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          if (/internal error/.test(message)) internal.push(`sequence ${seq}: ${command} ${JSON.stringify(args)?.slice(0, 200)}: ${message}`);
          continue;
        }
        if (stopped) {
          if (command === 'continue' || command === 'reverseContinue') await dc.customRequest('pause', { threadId: 1 }).catch(() => undefined);
          if (!(await stopped) && !ended) assert.fail(`sequence ${seq}: ${command} started but never stopped`);
        }
      }
      if (ended) { restarts++; ended = false; dc = await fresh(); watch(dc); continue; }
      const t: DebugProtocol.ThreadsResponse = await dc.threadsRequest();
      assert.strictEqual(t.body.threads.length, 2, `sequence ${seq}: threads`);
    }
    await dc.stop();
    assert.deepStrictEqual(internal, []);
    assert.ok(restarts < SEQUENCES / 10, `${restarts} restarts`);
  });

  it('reports garbage on the wire and keeps serving', async () => {
    ensureAdapter();
    const child = spawn(process.execPath, [ADAPTER], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    const send = (text: string): void => { child.stdin.write(`Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`); };
    child.stdin.write('this is not a header\r\n\r\n');
    send('{ not json');
    send('[1, 2, 3]');
    send('"a string"');
    send('{"type":"request","seq":1}');
    send('{"type":"request","seq":2,"command":"initialize","arguments":null}');
    send('{"type":"request","seq":3,"command":"initialize","arguments":{"adapterID":"x","pathFormat":"path"}}');
    send('{"type":"event","seq":4,"event":"whatever"}');
    send('{"type":"request","seq":5,"command":"threads"}');
    const deadline = Date.now() + 10_000;
    while (!/"request_seq":5/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    child.kill();
    const messages = out.split(/Content-Length: \d+\r\n\r\n/).filter(Boolean).map((m) => JSON.parse(m) as { type: string; request_seq?: number; success?: boolean; event?: string });
    const answer = (seq: number): { success?: boolean } | undefined => messages.find((m) => m.type === 'response' && m.request_seq === seq);
    assert.strictEqual(answer(2)?.success, true);   // null arguments: as none
    assert.strictEqual(answer(3)?.success, true);
    assert.strictEqual(answer(5)?.success, true);
    assert.ok(messages.some((m) => m.type === 'event' && m.event === 'output'), 'the bad JSON is reported');
  });
});
