// C-level debugging of a GCC-built guest (docs/debugging.md "C debugging"), black-box over DAP: the
// same program (test/debug/fixtures/c/cvars.c) at -O0 and at -O2, DWARF 5 as GCC 12 writes it by
// default, with GCC's default ISA (compressed instructions); break in functions, locals, a struct
// through a pointer, arrays, globals, enums, bit-fields, C expressions, a conditional breakpoint in a
// loop, setVariable, line stepping across functions of mixed 16/32-bit instructions.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readElf, ElfImage } from '../../src/asm/elf-reader';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { EXAMPLES, FIXTURES, launch, launchRunning, lineOf, ROOT, startClient, stopAfter, topFrame, value } from './helpers';

const SOURCE = path.join(FIXTURES, 'c', 'cvars.c');
const elf = (opt: string): string => path.join(FIXTURES, 'c', `cvars-${opt}.elf`);

async function scopeVars(dc: DebugClient, scope: string, frameIndex = 0): Promise<Map<string, DebugProtocol.Variable>> {
  const st = await dc.stackTraceRequest({ threadId: 1 });
  const frameId = st.body.stackFrames[frameIndex].id;
  const sc = await dc.scopesRequest({ frameId });
  const s = sc.body.scopes.find((x) => x.name === scope);
  assert.ok(s, `no ${scope} scope in ${sc.body.scopes.map((x) => x.name).join(', ')}`);
  const vars = (await dc.variablesRequest({ variablesReference: s.variablesReference })).body.variables;
  return new Map(vars.map((v) => [v.name, v]));
}

async function children(dc: DebugClient, v: DebugProtocol.Variable): Promise<Map<string, DebugProtocol.Variable>> {
  assert.ok(v.variablesReference > 0, `${v.name} = ${v.value} is not expandable`);
  const vars = (await dc.variablesRequest({ variablesReference: v.variablesReference })).body.variables;
  return new Map(vars.map((x) => [x.name, x]));
}

async function evaluate(dc: DebugClient, expression: string, frameId?: number): Promise<string> {
  return (await dc.evaluateRequest({ expression, context: 'watch', ...(frameId !== undefined ? { frameId } : {}) })).body.result;
}

/** Launches with breakpoints on the lines holding `markers` (with optional conditions); resolves at the first stop. */
async function runTo(dc: DebugClient, opt: string, bps: { marker: string; condition?: string }[]): Promise<DebugProtocol.StoppedEvent['body']> {
  const stopped = dc.waitForEvent('stopped');
  const configured = dc.waitForEvent('initialized').then(async () => {
    const r = await dc.setBreakpointsRequest({ source: { path: SOURCE }, breakpoints: bps.map((b) => ({ line: lineOf(SOURCE, b.marker), condition: b.condition })) });
    assert.ok(r.body.breakpoints.every((b) => b.verified), JSON.stringify(r.body.breakpoints));
    return dc.configurationDoneRequest();
  });
  await Promise.all([dc.launch({ program: elf(opt), stopOnEntry: false }), configured]);
  return (await stopped).body as DebugProtocol.StoppedEvent['body'];
}

for (const opt of ['O0', 'O2']) {
  describe(`debug adapter: C at -${opt}`, function () {
    this.timeout(60_000);
    let dc: DebugClient;
    beforeEach(async () => { dc = await startClient(); });
    afterEach(async () => { await dc.stop(); });

    it('breaks in a function and shows its parameters, locals, a struct through a pointer, and the caller', async () => {
      await runTo(dc, opt, [{ marker: 'BREAK-WALK' }]);
      const top = await topFrame(dc);
      assert.strictEqual(top.name, 'walk');
      assert.strictEqual(top.line, lineOf(SOURCE, 'BREAK-WALK'));
      const locals = await scopeVars(dc, 'Locals');
      assert.deepStrictEqual([...locals.keys()].slice(0, 2), ['p', 'limit']);
      assert.strictEqual(locals.get('limit')!.value, '8');
      assert.strictEqual(locals.get('limit')!.type, 'int');
      assert.strictEqual(locals.get('total')!.value, '140');
      const p = locals.get('p')!;
      assert.strictEqual(p.type, 'struct node *');
      assert.match(p.value, /^0x800[0-9a-f]{5}$/);
      assert.strictEqual(p.memoryReference, p.value);
      const target = (await children(dc, p)).get('*p')!;
      const node = await children(dc, target);
      assert.strictEqual(node.get('len')!.value, '100');
      assert.strictEqual(node.get('delta')!.value, '0');
      assert.strictEqual(node.get('tag')!.value, '"ax"');
      assert.strictEqual(node.get('color')!.value, 'RED');
      assert.strictEqual(node.get('flags')!.value, '1');
      assert.strictEqual(node.get('kind')!.value, '10');
      assert.strictEqual(node.get('next')!.type, 'struct node *');
      const next = await children(dc, (await children(dc, node.get('next')!)).get('*p->next')!);
      assert.strictEqual(next.get('len')!.value, '101');
      assert.strictEqual(next.get('color')!.value, 'GREEN');
      assert.strictEqual(next.get('delta')!.value, '-1');
      // The caller's frame has its own locals, from the unwound registers.
      const st = await dc.stackTraceRequest({ threadId: 1 });
      assert.deepStrictEqual(st.body.stackFrames.slice(0, 2).map((f) => f.name), ['walk', 'main']);
      assert.strictEqual(st.body.stackFrames[1].line, lineOf(SOURCE, 'BREAK-CALL'));
      assert.ok((await scopeVars(dc, 'Locals', 1)).has('r'));
    });

    it('shows globals as C values: integers by signedness, strings, enums, arrays, unions, bit-fields, typedefs', async () => {
      await runTo(dc, opt, [{ marker: 'BREAK-WALK' }]);
      const g = await scopeVars(dc, 'Globals');
      assert.strictEqual(g.get('counter')!.value, '-5');
      assert.strictEqual(g.get('small')!.value, "-2 '\\376'"); // int8_t is a signed char, shown as GDB does
      assert.strictEqual(g.get('small')!.type, 'int8_t');
      assert.strictEqual(g.get('greeting')!.value, '"hello"');
      assert.strictEqual(g.get('favourite')!.value, 'BLUE');
      assert.strictEqual(g.get('ticks')!.type, 'word_t');
      assert.strictEqual(g.get('buf')!.value, '{0, 1, 4, 9, 16, 25, 36, 49}');
      const buf = await children(dc, g.get('buf')!);
      assert.strictEqual(buf.get('[7]')!.value, '49');
      assert.strictEqual(buf.get('[7]')!.evaluateName, 'buf[7]');
      const w = await children(dc, g.get('w')!);
      assert.strictEqual(w.get('u')!.value, '287454020');
      assert.strictEqual((await children(dc, w.get('b')!)).get('[0]')!.value, "68 'D'");
      const nodes = await children(dc, g.get('nodes')!);
      const n2 = await children(dc, nodes.get('[2]')!);
      assert.strictEqual(n2.get('flags')!.value, '3');
      assert.strictEqual(n2.get('kind')!.value, '12');
      assert.strictEqual(n2.get('next')!.value, '0x0');
      assert.strictEqual(n2.get('color')!.value, 'BLUE');
    });

    it('evaluates C expressions: ->, indexing, casts, &, arithmetic with C promotions', async () => {
      await runTo(dc, opt, [{ marker: 'BREAK-WALK' }]);
      assert.strictEqual(await evaluate(dc, 'p->next->len'), '101');
      assert.strictEqual(await evaluate(dc, 'buf[3]'), '9');
      assert.strictEqual(await evaluate(dc, 'nodes[1].tag'), '"bx"');
      assert.strictEqual(await evaluate(dc, 'p->next->next->color'), 'BLUE');
      assert.strictEqual(await evaluate(dc, '*(uint32_t *)&counter'), '4294967291');
      assert.strictEqual(await evaluate(dc, 'counter < 0'), 'true');
      assert.strictEqual(await evaluate(dc, '(unsigned)counter > 0'), 'true');
      assert.strictEqual(await evaluate(dc, 'counter / 2'), '-2');
      assert.strictEqual(await evaluate(dc, 'small + 1'), '-1');
      assert.strictEqual(await evaluate(dc, '(p + 1)->len'), '101');
      assert.strictEqual(await evaluate(dc, '&nodes[1] == p->next'), 'true');
      assert.match(await evaluate(dc, '*(uint32_t *)0x10000000'), /^\d+$/);
      assert.strictEqual(await value(dc, '(int)a0 == (int)a0'), 1);
      assert.strictEqual(await evaluate(dc, 'w.b[3]'), "17 '\\021'");
      const r = await dc.evaluateRequest({ expression: 'nodes[0]', context: 'watch' });
      assert.ok(r.body.variablesReference > 0);
      assert.match(r.body.result, /^\{next = 0x800[0-9a-f]+, len = 100, delta = 0, tag = "ax", color = RED, flags = 1, kind = 10\}$/);
      await assert.rejects(dc.evaluateRequest({ expression: 'p->nope', context: 'watch' }), /has no member 'nope'/);
      await assert.rejects(dc.evaluateRequest({ expression: 'p.len', context: 'watch' }), /use ->/);
    });

    it('watches a C variable with a data breakpoint: its storage and size, from the Variables view or an expression', async () => {
      await runTo(dc, opt, [{ marker: 'BREAK-LOOP', condition: 'i == 2' }]);
      const st = await dc.stackTraceRequest({ threadId: 1 });
      const sc = await dc.scopesRequest({ frameId: st.body.stackFrames[0].id });
      const globals = sc.body.scopes.find((s) => s.name === 'Globals')!.variablesReference;
      const info = await dc.dataBreakpointInfoRequest({ name: 'ticks', variablesReference: globals });
      assert.match(info.body.description, /^ticks \(4 bytes at 0x800[0-9a-f]+\)$/);
      const byName = await dc.dataBreakpointInfoRequest({ name: 'nodes[1].len', frameId: st.body.stackFrames[0].id });
      assert.match(byName.body.description, /^nodes\[1\]\.len \(2 bytes at 0x800[0-9a-f]+\)$/);
      if (opt === 'O2') {
        const locals = sc.body.scopes.find((s) => s.name === 'Locals')!.variablesReference;
        const reg = await dc.dataBreakpointInfoRequest({ name: 'limit', variablesReference: locals });
        assert.strictEqual(reg.body.dataId, null);
        assert.match(reg.body.description, /limit cannot be watched: it is (in a register|optimized out) here/);
      }
      await dc.setBreakpointsRequest({ source: { path: SOURCE }, breakpoints: [] });
      await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }] });
      const stop = await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
      assert.strictEqual(stop.reason, 'data breakpoint');
      assert.strictEqual((await topFrame(dc)).name, 'walk');
      assert.strictEqual(await evaluate(dc, 'ticks'), '241');
    });

    it('stops at a conditional breakpoint in a C loop (i == 7)', async () => {
      await runTo(dc, opt, [{ marker: 'BREAK-LOOP', condition: 'i == 7' }]);
      assert.strictEqual(await evaluate(dc, 'i'), '7');
      assert.strictEqual(await evaluate(dc, 'buf[6]'), '36');
      assert.strictEqual(await evaluate(dc, 'buf[7]'), '0');
    });

    it('sets a local with setVariable and the program sees it', async () => {
      const out: string[] = [];
      dc.on('output', (e: DebugProtocol.OutputEvent) => out.push(e.body.output));
      await runTo(dc, opt, [{ marker: 'BREAK-TRIPLE' }, { marker: 'BREAK-PRINT' }]);
      const locals = await scopeVars(dc, 'Locals');
      assert.strictEqual(locals.get('x')!.value, '241');
      const st = await dc.stackTraceRequest({ threadId: 1 });
      const sc = await dc.scopesRequest({ frameId: st.body.stackFrames[0].id });
      const ref = sc.body.scopes.find((s) => s.name === 'Locals')!.variablesReference;
      const set = await dc.setVariableRequest({ variablesReference: ref, name: 'x', value: '10' });
      assert.strictEqual(set.body.value, '10');
      await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
      assert.strictEqual(await evaluate(dc, 'counter'), String(-5 + 31));
      const exited = dc.waitForEvent('exited');
      await dc.continueRequest({ threadId: 1 });
      assert.strictEqual((await exited).body.exitCode, 1);
      assert.ok(out.join('').includes('cvars: r=31 counter=26'), out.join(''));
    });

    it('steps in, out and over at C line level', async () => {
      await runTo(dc, opt, [{ marker: 'BREAK-CALL' }]);
      assert.strictEqual((await topFrame(dc)).name, 'main');
      await stopAfter(dc, dc.stepInRequest({ threadId: 1 }));
      const inWalk = await topFrame(dc);
      assert.strictEqual(inWalk.name, 'walk');
      // GCC's default ISA: walk() mixes 2-byte (compressed) and 4-byte instructions.
      const dis = await dc.disassembleRequest({ memoryReference: inWalk.instructionPointerReference!, instructionCount: 24 });
      assert.ok(dis.body!.instructions.some((i) => i.instructionBytes?.split(' ').length === 2), 'compressed instructions in walk()');
      assert.ok(inWalk.line >= lineOf(SOURCE, 'int walk(') && inWalk.line <= lineOf(SOURCE, 'BREAK-WALK'), `line ${inWalk.line}`);
      await stopAfter(dc, dc.stepOutRequest({ threadId: 1 }));
      const back = await topFrame(dc);
      assert.strictEqual(back.name, 'main');
      assert.strictEqual(await evaluate(dc, 'ticks'), '241');
      let line = back.line;
      for (let k = 0; k < 4 && line < lineOf(SOURCE, 'counter += r'); k++) {
        await stopAfter(dc, dc.nextRequest({ threadId: 1 }));
        const f = await topFrame(dc);
        assert.strictEqual(f.name, 'main', 'next must not enter triple()');
        line = f.line;
      }
      assert.ok(line >= lineOf(SOURCE, 'r = triple(r)'), `line ${line}`);
    });
  });
}

describe('debug adapter: C, other programs', function () {
  this.timeout(60_000);
  let dc: DebugClient;
  beforeEach(async () => { dc = await startClient(); });
  afterEach(async () => { await dc.stop(); });

  it('degrades DWARF of an unknown version to "no variables" with a message, keeping source lines', async () => {
    const bytes = new Uint8Array(fs.readFileSync(elf('O0')));
    const info = (readElf(bytes, 'x') as ElfImage).sections.find((s) => s.name === '.debug_info')!;
    bytes[info.offset + 4] = 7; // the first unit's version
    const bad = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hs-dwarf-')), 'bad-version.elf');
    fs.writeFileSync(bad, bytes);
    const out: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => out.push(e.body.output));
    const stopped = dc.waitForEvent('stopped');
    await Promise.all([dc.launch({ program: bad, stopOnEntry: false }), dc.waitForEvent('initialized').then(async () => {
      await dc.setBreakpointsRequest({ source: { path: SOURCE }, breakpoints: [{ line: lineOf(SOURCE, 'BREAK-WALK') }] });
      return dc.configurationDoneRequest();
    })]);
    await stopped;
    assert.match(out.join(''), /DWARF version 7 is not supported \(2–5 are\); no C variables/);
    const top = await topFrame(dc);
    assert.strictEqual(top.line, lineOf(SOURCE, 'BREAK-WALK'));
    const scopes = (await dc.scopesRequest({ frameId: top.id })).body.scopes.map((s) => s.name);
    assert.ok(!scopes.includes('Locals') && scopes.includes('Registers'), scopes.join(', '));
    await assert.rejects(dc.evaluateRequest({ expression: 'limit', context: 'watch' }), /unknown name 'limit'/);
  });

  it('casts work in programs without DWARF too: *(uint8_t *) on a device register reads it without side effects', async () => {
    await launch(dc, { program: path.join(EXAMPLES, 'hello.s') });
    assert.strictEqual(await evaluate(dc, '*(uint8_t *)0x10000005'), '96'); // LSR: THRE | TEMT
    assert.strictEqual(await value(dc, '*(uint32_t *)pc == u32(pc)'), 1);
  });

  it('the C examples\' launch configurations (package.json snippets and examples/.vscode/launch.json) run them to a clean exit', async function () {
    this.timeout(120_000);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { contributes: { debuggers: { configurationSnippets: { body: Record<string, unknown> }[] }[] } };
    const snippets = pkg.contributes.debuggers[0].configurationSnippets.map((x) => x.body).filter((b) => /examples\/c\//.test(String(b.program)));
    const folder = JSON.parse(fs.readFileSync(path.join(EXAMPLES, '.vscode', 'launch.json'), 'utf8').replace(/^\s*\/\/.*$/gm, '')) as { configurations: Record<string, unknown>[] };
    const local = folder.configurations.filter((b) => /\/c\//.test(String(b.program)));
    assert.deepStrictEqual(snippets.map((b) => path.basename(String(b.program)).replace(/"$/, '')), ['nic-driver.elf', 'sv32-kernel.elf', 'smp.elf']);
    assert.deepStrictEqual(local.map((b) => path.basename(String(b.program))), ['nic-driver.elf', 'sv32-kernel.elf', 'smp.elf']);
    const configs = [
      ...snippets.map((b) => ({ ...b, program: String(b.program).replace(/^\^"\\\$\{workspaceFolder\}/, ROOT).replace(/"$/, '') })),
      ...local.map((b) => ({ ...b, program: String(b.program).replace('${workspaceFolder}', EXAMPLES) })),
    ];
    for (const config of configs) {
      const client = await startClient();
      try {
        const out: string[] = [];
        client.on('output', (e: DebugProtocol.OutputEvent) => out.push(e.body.output));
        const exited = client.waitForEvent('exited');
        await Promise.all([client.configurationSequence(), client.launch(config)]);
        assert.strictEqual((await exited).body.exitCode, 0, `${config.program}: ${out.join('')}`);
        assert.match(out.join(''), /(done: 2 received, 1 sent|exited with 7 after 4 system calls|total 85344 \(expected 85344\))/, String(config.program));
      } finally {
        await client.stop();
      }
    }
  });

  it('unwinds through the C runtime\'s trap entry by its CFI: the interrupted main() keeps its register variables', async () => {
    const driver = path.join(EXAMPLES, 'c', 'nic-driver.c');
    const stopped = dc.waitForEvent('stopped');
    await Promise.all([dc.launch({ program: path.join(EXAMPLES, 'c', 'nic-driver.elf'), stopOnEntry: false,
      events: [{ atCycle: 5000000, nic: 'rx', data: 'hello' }, { atCycle: 20000000, nic: 'rx', data: 'world' }] }),
    dc.waitForEvent('initialized').then(async () => {
      const r = await dc.setBreakpointsRequest({ source: { path: driver }, breakpoints: [{ line: lineOf(driver, 'write 1 to clear'), hitCondition: '2' }] });
      assert.ok(r.body.breakpoints[0].verified);
      return dc.configurationDoneRequest();
    })]);
    await stopped;
    const st = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    const names = st.map((f) => f.name);
    const trap = names.findIndex((n) => n.startsWith('interrupt 0x41'));
    assert.ok(trap > 0, names.join(' | '));
    // nic_interrupt() is inlined into trap() at -O2: its own frame on top, trap() below at the call.
    assert.deepStrictEqual(names.slice(0, 2), ['nic_interrupt', 'trap'], names.join(' | '));
    assert.strictEqual(st[0].instructionPointerReference, st[1].instructionPointerReference);
    assert.deepStrictEqual(names.slice(trap + 1), ['main', '_start'], names.join(' | '));
    assert.strictEqual(st[trap + 1].line, lineOf(driver, 'for (; nic.received < 2; wakeups++) wfi();'));
    const main = await scopeVars(dc, 'Locals', trap + 1);
    assert.strictEqual(main.get('wakeups')!.value, '1');
    assert.strictEqual(await evaluate(dc, 'wakeups + 1', st[trap + 1].id), '2');
  });

  it('runs the -O2 program to its end under the debugger', async () => {
    const exited = dc.waitForEvent('exited');
    await launchRunning(dc, { program: elf('O2') });
    assert.strictEqual((await exited).body.exitCode, 0);
  });
});
