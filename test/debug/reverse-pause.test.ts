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
    await launch(dc, { program: fixture('longer.s') });
    // Hundreds of millions of steps of history (longer.s runs ~2.4×10^8 instructions before its poweroff at
    // `done`): searching them back takes far longer than the two round trips before the pause, even
    // on a fast, idle machine.
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'done' }] });
    await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
    const end = await value(dc, '$steps');
    assert.ok(end > 200_000_000, `${end} steps of history`);
    // `done` stays armed but runs only once, at the end: the search must re-execute every window
    // of history looking for it (with nothing armed it would jump to the start at once), and
    // without a pause it would run to the start of history.
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
