// What a step's stopped event says (docs/debugging.md "What a stop says"): reason `step` and no
// description, so VS Code's Call Stack header reads "Paused on step" and never keeps the sentence of
// the event stop before it; where the step ended is the event's `text` (the header's hover).
import * as assert from 'assert';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { EXAMPLES, frames, launch, startClient, stopAfter } from './helpers';

const NIC_IRQ = `${EXAMPLES}/nic-irq.s`;

describe('debug adapter: what a step stop says', function () {
  this.timeout(120_000);
  let dc: DebugClient;
  beforeEach(async () => { dc = await startClient(); });
  afterEach(async () => { await dc.stop(); });

  async function atIrqAssert(): Promise<void> {
    await launch(dc, { program: NIC_IRQ, events: [{ atCycle: 20000, nic: 'rx', data: 'hello' }] });
    await dc.setExceptionBreakpointsRequest({ filters: ['irq-assert'] });
    const s = await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
    assert.strictEqual(s.reason, 'breakpoint');
    assert.match(s.description!, /^Paused on IRQ line asserted: GSI 19/);
  }

  it('Step Out of the VM exit an event stopped in: reason step, no description, the guest line in the text', async () => {
    await atIrqAssert();
    const s = await stopAfter(dc, dc.stepOutRequest({ threadId: 1 }));
    assert.strictEqual(s.reason, 'step');
    assert.strictEqual(s.description, undefined);
    assert.match(s.text ?? '', /^Back in the guest at 0x[0-9a-f]{8} <_start\+0x[0-9a-f]+> \(nic-irq\.s:\d+\)$/);
    assert.strictEqual((await frames(dc))[0].name, '_start');
  });

  it('every step after an event stop (into a phase, over a line, back) carries no description', async () => {
    await atIrqAssert();
    for (const [what, req] of [
      ['stepIn', () => dc.stepInRequest({ threadId: 1 })],
      ['next', () => dc.nextRequest({ threadId: 1 })],
      ['stepBack', () => dc.stepBackRequest({ threadId: 1 })],
    ] as const) {
      const s = await stopAfter(dc, req());
      assert.strictEqual(s.reason, 'step', what);
      assert.strictEqual(s.description, undefined, `${what}: ${s.description}`);
      assert.ok(s.text && !/IRQ line asserted/.test(s.text), `${what}: ${s.text}`);
    }
  });

  it('a step that cannot go where asked keeps its sentence: no caller to step out to', async () => {
    await launch(dc, { program: NIC_IRQ });
    const s = await stopAfter(dc, dc.stepOutRequest({ threadId: 1 }));
    assert.strictEqual(s.reason, 'step');
    assert.match(s.description ?? '', /^No caller to step out to from 0x80000000 <_start>/);
  });

  it('a stop that is not a step keeps its sentence as the description', async () => {
    const entry = await launch(dc, { program: NIC_IRQ });
    assert.strictEqual(entry.reason, 'entry');
    assert.match(entry.description!, /^Stopped on entry at /);
  });
});
