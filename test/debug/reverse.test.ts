// Reverse execution is exact (docs/machine.md, docs/debugging.md): stepping back lands where stepping forward was —
// registers, CSRs (cycle and instret included) and RAM compared — whatever the MMU mode, across
// checkpoints, by instruction and by line; reverseContinue finds the previous stop of every kind.
import * as assert from 'assert';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { EXAMPLES, fingerprint, fixture, launch, lineOf, pc, startClient, stopAfter, topFrame, value } from './helpers';

const CALLS = fixture('calls.s');
const LONG = fixture('long.s');
const HELLO = `${EXAMPLES}/hello.s`;

describe('debug adapter: reverse execution', function () {
  this.timeout(120_000);
  let dc: DebugClient;
  beforeEach(async () => { dc = await startClient(); });
  afterEach(async () => { await dc.stop(); });

  const stepIn = (granularity: 'instruction' | 'line' = 'instruction'): Promise<unknown> => stopAfter(dc, dc.stepInRequest({ threadId: 1, granularity }));
  const stepBack = (granularity: 'instruction' | 'line' = 'instruction'): Promise<unknown> => stopAfter(dc, dc.stepBackRequest({ threadId: 1, granularity }));

  for (const mmu of ['ept', 'shadow'] as const) {
    for (const program of [HELLO, CALLS]) {
      it(`steps back exactly where stepping forward was (${program.replace(/^.*\//, '')}, ${mmu})`, async () => {
        await launch(dc, { program, mmu });
        const stack = (await value(dc, 'sp')) || 0x80000000;
        const ram = [{ address: 0x80000000, length: 0x200 }, { address: (stack - 0x100) >>> 0, length: 0x100 }];
        const forward: string[] = [await fingerprint(dc, ram)];
        for (let i = 0; i < 60; i++) { await stepIn(); forward.push(await fingerprint(dc, ram)); }
        for (let i = forward.length - 2; i >= 0; i--) {
          await stepBack();
          assert.strictEqual(await fingerprint(dc, ram), forward[i], `after stepping back to step ${i}`);
        }
        // and forward again over the same instructions: the same states
        for (let i = 1; i < 20; i++) {
          await stepIn();
          assert.strictEqual(await fingerprint(dc, ram), forward[i], `stepping forward again to step ${i}`);
        }
      });
    }
  }

  it('goes back across checkpoints (millions of instructions of history)', async () => {
    await launch(dc, { program: LONG }, () => dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'done' }] }));
    await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
    const steps = await value(dc, '$steps');
    assert.ok(steps > 3_000_000, `${steps} steps`);
    const ram = [{ address: await value(dc, 'buffer'), length: 0x1000 }];
    const here = await fingerprint(dc, ram);
    await stepBack();
    assert.strictEqual(await value(dc, '$steps'), steps - 1);
    const before = await fingerprint(dc, ram);
    await stepIn();
    assert.strictEqual(await fingerprint(dc, ram), here);
    await stepBack();
    assert.strictEqual(await fingerprint(dc, ram), before);
  });

  it('steps back by source line', async () => {
    await launch(dc, { program: CALLS });
    const lines: number[] = [(await topFrame(dc)).line];
    for (let i = 0; i < 6; i++) { await stepIn('line'); lines.push((await topFrame(dc)).line); }
    for (let i = lines.length - 2; i >= 0; i--) {
      await stepBack('line');
      assert.strictEqual((await topFrame(dc)).line, lines[i], `line step back ${i}`);
    }
  });

  it('keeps a change made from the debugger in the history after it, and undoes it before it', async () => {
    await launch(dc, { program: CALLS });
    const line = lineOf(CALLS, 'add     t1, t1, a0');
    await dc.setBreakpointsRequest({ source: { path: CALLS }, breakpoints: [{ line }] });
    await stopAfter(dc, dc.continueRequest({ threadId: 1 })); // first hit: i = 0
    const scopes = (await dc.scopesRequest({ frameId: (await topFrame(dc)).id })).body.scopes;
    await dc.setVariableRequest({ variablesReference: scopes[0].variablesReference, name: 's11', value: '0x77' });
    const changedAt = await value(dc, '$steps');
    await stopAfter(dc, dc.continueRequest({ threadId: 1 })); // i = 1
    await stopAfter(dc, dc.continueRequest({ threadId: 1 })); // i = 2
    await stepBack();
    assert.strictEqual(await value(dc, 's11'), 0x77, 'replayed with the change');
    let s = await stopAfter(dc, dc.reverseContinueRequest({ threadId: 1 })); // i = 1, after the change
    assert.strictEqual(s.reason, 'breakpoint');
    assert.strictEqual(await value(dc, 's0'), 1);
    assert.strictEqual(await value(dc, 's11'), 0x77);
    s = await stopAfter(dc, dc.reverseContinueRequest({ threadId: 1 })); // i = 0: where the change was made
    assert.strictEqual(await value(dc, '$steps'), changedAt);
    assert.strictEqual(await value(dc, 's11'), 0x77);
    await stepBack();
    assert.strictEqual(await value(dc, 's11'), 0, 'undone before it was made');
  });

  it('reverse-continues to the previous hit of a breakpoint, a data breakpoint and an event', async () => {
    await launch(dc, { program: CALLS });
    const line = lineOf(CALLS, 'add     t1, t1, a0');
    await dc.setBreakpointsRequest({ source: { path: CALLS }, breakpoints: [{ line }] });
    const hits: string[] = [];
    for (let i = 0; i < 4; i++) {
      await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
      hits.push(await fingerprint(dc, [{ address: await value(dc, 'counter'), length: 4 }]));
    }
    for (let i = 2; i >= 0; i--) {
      const s = await stopAfter(dc, dc.reverseContinueRequest({ threadId: 1 }));
      assert.strictEqual(s.reason, 'breakpoint');
      assert.strictEqual(await fingerprint(dc, [{ address: await value(dc, 'counter'), length: 4 }]), hits[i]);
    }
    // before the first hit there is none: back to the start of the history
    const start = await stopAfter(dc, dc.reverseContinueRequest({ threadId: 1 }));
    assert.match(start.description!, /start of the recorded history/);
    assert.strictEqual(await pc(dc), 0x80000000);
    await dc.setBreakpointsRequest({ source: { path: CALLS }, breakpoints: [] });

    // a data breakpoint: run to the ebreak, then back to the last write of counter
    const info = await dc.dataBreakpointInfoRequest({ name: 'counter', bytes: 4 });
    await stopAfter(dc, dc.continueRequest({ threadId: 1 })); // ebreak
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }] });
    let s = await stopAfter(dc, dc.reverseContinueRequest({ threadId: 1 }));
    assert.strictEqual(s.reason, 'data breakpoint');
    assert.match(s.description!, /write 0x1e to/);
    assert.strictEqual(await value(dc, 'u32(counter)'), 30);
    s = await stopAfter(dc, dc.reverseContinueRequest({ threadId: 1 }));
    assert.match(s.description!, /write 0xe to/);
    await dc.setDataBreakpointsRequest({ breakpoints: [] });

    // an event: the previous EPT violation
    await dc.setExceptionBreakpointsRequest({ filters: ['ept-violation'] });
    s = await stopAfter(dc, dc.reverseContinueRequest({ threadId: 1 }));
    assert.strictEqual(s.reason, 'breakpoint');
    assert.match(s.description!, /^Paused on VM exit EPT_VIOLATION/);
  });
});
