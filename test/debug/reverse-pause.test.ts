// A long reverseContinue stays responsive (docs/debugging.md, "Reverse execution"): the search
// re-executes history in slices and yields to the event loop, so a pause sent while it searches is
// answered and the session stops there, with reason pause, before the search reaches the start of
// history; threads is answered meanwhile.
import * as assert from 'assert';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { fixture, launch, startClient, stopAfter, value } from './helpers';

describe('debug adapter: pause during reverseContinue', function () {
  this.timeout(180_000);
  let dc: DebugClient;
  beforeEach(async () => { dc = await startClient(); });
  afterEach(async () => { await dc.stop(); });

  it('answers threads and pause while a long search runs, and stops with reason pause before history start', async () => {
    await launch(dc, { program: fixture('long.s') });
    // Millions of steps of history (long.s runs ~6×10^6 instructions before its poweroff at `done`).
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'done' }] });
    await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
    const end = await value(dc, '$steps');
    assert.ok(end > 3_000_000, `${end} steps of history`);
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    // Nothing to find backwards: without a pause the search would run to the start of history.
    const stopped = dc.waitForEvent('stopped');
    await dc.customRequest('reverseContinue', { threadId: 1 });
    const threads = await dc.threadsRequest();
    assert.strictEqual(threads.body.threads.length, 1);
    await dc.pauseRequest({ threadId: 1 });
    const stop = (await stopped).body as { reason: string; description?: string };
    assert.strictEqual(stop.reason, 'pause', JSON.stringify(stop));
    const at = await value(dc, '$steps');
    assert.ok(at > 0 && at < end, `stopped at step ${at} of [0, ${end})`);
  });
});
