// A debugger's continue, stepBack and runToCycle see the LAPIC timer fire where `hyperstep run`
// does (docs/machine.md "Time is virtual and deterministic"): the adapter's continue runs in
// adaptive slices and reverse execution re-executes from checkpoints, and neither may move an expiry.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { InterruptsResult } from '../../src/protocol';
import { loadProgram } from '../../src/cli/program';
import { Machine } from '../../src/vm/vmm/machine';
import { fingerprint, launch, request, ROOT, startClient, stopAfter, value } from './helpers';

const TIMER_SPIN = path.join(ROOT, 'bench', 'timer-spin.s');
const RAM = [{ address: 0x80000000, length: 128 }];

/** The expiries of one uninterrupted Machine.run, as `hyperstep run` does it. */
function cliFires(steps: number): number[] {
  const p = loadProgram(TIMER_SPIN);
  if ('error' in p) throw new Error(p.error);
  const m = new Machine({}, { consoleOutput: () => undefined });
  const fires: number[] = [];
  m.events.subscribe((e) => { if (e.kind === 'timer-fire') fires.push(e.cycle); });
  assert.strictEqual(m.load(p.image).error, undefined);
  m.run(steps);
  return fires;
}

describe('debug adapter: the LAPIC timer fires where `hyperstep run` fires it', function () {
  this.timeout(180_000);
  let dc: DebugClient;
  beforeEach(async () => { dc = await startClient(); });
  afterEach(async () => { await dc.stop(); });

  const timerFires = async (): Promise<number[]> => {
    const { chains } = await request<InterruptsResult>(dc, 'hyperstep/interrupts', {});
    return chains.flatMap((c) => c.hops.filter((h) => h.kind === 'timer-fire').map((h) => h.cycle)).sort((a, b) => a - b);
  };
  const toThirdInterrupt = async (): Promise<void> => {
    for (let i = 0; i < 3; i++) await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
  };

  it('continue to the 3rd timer interrupt, back across it (stepBack, runToCycle), and continue again', async () => {
    assert.ok(fs.existsSync(TIMER_SPIN));
    await launch(dc, { program: TIMER_SPIN });
    await dc.setExceptionBreakpointsRequest({ filters: ['interrupt-taken'] });
    await toThirdInterrupt();
    const cycles = await value(dc, '$cycles');
    const fires = await timerFires();
    const state = await fingerprint(dc, RAM);
    assert.strictEqual(fires.length, 3);
    assert.deepStrictEqual(fires, cliFires(40_000).slice(0, 3), 'the CLI and the debugger agree');
    assert.deepStrictEqual(fires, [22495, 32495, 42495], 'one period (10000 cycles) apart');

    // Back across the interrupt one instruction at a time, then to a cycle before the expiry.
    for (let i = 0; i < 3; i++) await stopAfter(dc, dc.stepBackRequest({ threadId: 1, granularity: 'instruction' }));
    assert.ok((await value(dc, '$cycles')) < cycles);
    const goto = dc.waitForEvent('stopped');
    await request(dc, 'hyperstep/runToCycle', { cycle: fires[2] - 777 });
    await goto;
    assert.ok((await value(dc, '$cycles')) < fires[2]);
    assert.deepStrictEqual(await timerFires(), fires.slice(0, 2), 'the 3rd expiry is undone');

    // Forward again: the same expiry, the same stop, the same registers and memory.
    await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
    assert.strictEqual(await value(dc, '$cycles'), cycles);
    assert.deepStrictEqual(await timerFires(), fires);
    assert.strictEqual(await fingerprint(dc, RAM), state);
  });
});
