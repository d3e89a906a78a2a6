// Calls GCC inlined at -O2, debugged as GDB shows them (docs/debugging.md "Inlined calls"), black-box
// over DAP on test/debug/fixtures/c/inline.c: `scale` is inlined into `sum`'s loop. A stop in its
// body shows a `scale` frame at its own line above `sum` at the call's line, each with its own
// locals (from DW_TAG_inlined_subroutine and its abstract origin); `next` steps over the inlined
// call, `stepIn` enters it, `stepOut` leaves it.
import * as assert from 'assert';
import * as path from 'path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { FIXTURES, frames, lineOf, startClient, stopAfter } from './helpers';

const SOURCE = path.join(FIXTURES, 'c', 'inline.c');
const ELF = path.join(FIXTURES, 'c', 'inline-O2.elf');
const line = (marker: string): number => lineOf(SOURCE, marker);

async function runTo(dc: DebugClient, marker: string): Promise<void> {
  const stopped = dc.waitForEvent('stopped');
  const configured = dc.waitForEvent('initialized').then(async () => {
    const r = await dc.setBreakpointsRequest({ source: { path: SOURCE }, breakpoints: [{ line: line(marker) }] });
    assert.ok(r.body.breakpoints.every((b) => b.verified), JSON.stringify(r.body.breakpoints));
    return dc.configurationDoneRequest();
  });
  await Promise.all([dc.launch({ program: ELF, stopOnEntry: false }), configured]);
  await stopped;
}

async function locals(dc: DebugClient, frameId: number): Promise<Map<string, string>> {
  const sc = await dc.scopesRequest({ frameId });
  const s = sc.body.scopes.find((x) => x.name === 'Locals');
  assert.ok(s, `no Locals in ${sc.body.scopes.map((x) => x.name).join(', ')}`);
  const vars = (await dc.variablesRequest({ variablesReference: s.variablesReference })).body.variables;
  return new Map(vars.map((v) => [v.name, v.value]));
}

const shape = (fs: DebugProtocol.StackFrame[]): string[] => fs.filter((f) => f.line > 0).map((f) => `${f.name}:${f.line}`);

describe('debug adapter: calls inlined at -O2', function () {
  this.timeout(60_000);
  let dc: DebugClient;
  beforeEach(async () => { dc = await startClient(); });
  afterEach(async () => { await dc.stop(); });

  it('a stop in an inlined body: the inlined function on top at its line, the caller at the call, the same pc', async () => {
    await runTo(dc, 'BREAK-SCALE');
    const fs = await frames(dc);
    assert.deepStrictEqual(shape(fs).slice(0, 3), [`scale:${line('BREAK-SCALE')}`, `sum:${line('BREAK-CALL')}`, `main:${line('int r = sum(')}`]);
    assert.strictEqual(fs[0].instructionPointerReference, fs[1].instructionPointerReference, 'one physical frame');
    assert.notStrictEqual(fs[1].instructionPointerReference, fs[2].instructionPointerReference);
    assert.strictEqual(fs[1].source?.path, SOURCE);
  });

  it('each frame has its own locals: the inlined function its parameters and variable, the caller its own', async () => {
    await runTo(dc, 'BREAK-SCALE');
    const fs = await frames(dc);
    const inner = await locals(dc, fs[0].id);
    assert.deepStrictEqual([...inner.keys()].sort(), ['factor', 'scaled', 'v']);
    assert.strictEqual(inner.get('v'), '3'); // data[0]
    assert.strictEqual(inner.get('factor'), '3');
    assert.strictEqual(inner.get('scaled'), '9');
    const outer = await locals(dc, fs[1].id);
    assert.ok(['a', 'n', 'total', 'i'].every((n) => outer.has(n)), [...outer.keys()].join(', '));
    assert.ok(!outer.has('scaled') && !outer.has('v'), 'the inlined function\'s locals are not the caller\'s');
    assert.strictEqual(outer.get('n'), '6');
    // Expressions follow the frame too.
    const inFrame = async (expression: string, frameId: number): Promise<string> =>
      (await dc.evaluateRequest({ expression, frameId, context: 'watch' })).body.result;
    assert.strictEqual(await inFrame('scaled * 2', fs[0].id), '18');
    assert.strictEqual(await inFrame('n - 1', fs[1].id), '5');
  });

  it('setVariable on a local of the inlined frame changes what the program computes', async () => {
    await runTo(dc, 'BREAK-SCALE');
    const out: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => out.push(e.body.output));
    const fs = await frames(dc);
    const sc = await dc.scopesRequest({ frameId: fs[0].id });
    const ref = sc.body.scopes.find((x) => x.name === 'Locals')!.variablesReference;
    const set = await dc.setVariableRequest({ variablesReference: ref, name: 'scaled', value: '100' });
    assert.strictEqual(set.body.value, '100');
    await dc.setBreakpointsRequest({ source: { path: SOURCE }, breakpoints: [] });
    const exited = dc.waitForEvent('exited');
    await dc.continueRequest({ threadId: 1 });
    await exited;
    // 3·(3+1+4+1+5+9) + 6 = 75 with scaled = 9 on the first pass; 100 instead adds 91.
    assert.match(out.join(''), /inline: r=166\n/);
  });

  it('next steps over the inlined call; stepIn enters it; stepOut leaves it', async () => {
    await runTo(dc, 'BREAK-LOOP');
    let fs = await frames(dc);
    assert.deepStrictEqual(shape(fs).slice(0, 1), [`sum:${line('BREAK-LOOP')}`]);
    await stopAfter(dc, dc.nextRequest({ threadId: 1 }));
    fs = await frames(dc);
    assert.strictEqual(fs[0].name, 'sum', `next stopped in ${shape(fs).join(' < ')}`);
    assert.ok(!fs.some((f) => f.name === 'scale'));

    await dc.setBreakpointsRequest({ source: { path: SOURCE }, breakpoints: [{ line: line('BREAK-LOOP') }] });
    await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
    assert.strictEqual((await frames(dc))[0].line, line('BREAK-LOOP'));
    await stopAfter(dc, dc.stepInRequest({ threadId: 1 }));
    fs = await frames(dc);
    assert.strictEqual(fs[0].name, 'scale', `stepIn stopped in ${shape(fs).join(' < ')}`);
    assert.ok(fs[0].line >= line('static inline int scale') && fs[0].line <= line('return scaled + 1'), `line ${fs[0].line}`);
    assert.deepStrictEqual(shape(fs).slice(1, 2), [`sum:${line('BREAK-CALL')}`]);

    await stopAfter(dc, dc.stepOutRequest({ threadId: 1 }));
    fs = await frames(dc);
    assert.strictEqual(fs[0].name, 'sum', `stepOut stopped in ${shape(fs).join(' < ')}`);
    assert.ok(!fs.some((f) => f.name === 'scale'));
    assert.strictEqual(fs[1].name, 'main');
  });
});
