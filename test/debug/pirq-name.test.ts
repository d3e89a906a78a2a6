// A PIRQ is named one way everywhere — "PIRQ D (3)": the views (src/views/format.ts), the console's
// `info pci` and `info irq`, and the interrupt chains' hop text (`info interrupts`, the Interrupts
// view). The views may not import the machine, so their copy of the name is checked against the
// machine's here, and the console's texts on examples/nic-irq.s (slot 3 INTA → PIRQ D → GSI 19).
import * as assert from 'assert';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { pirqName as viewsName } from '../../src/views/format';
import { pirqName } from '../../src/vm';
import { EXAMPLES, launch, repl, startClient, stopAfter } from './helpers';

/** Any spelling of a PIRQ other than "PIRQ X (n)". */
const OTHER_SPELLING = /PIRQ(?! [A-D] \([0-3]\))/;

describe('PIRQ names', function () {
  this.timeout(60_000);

  it('the views name each PIRQ as the machine does', () => {
    assert.deepStrictEqual([0, 1, 2, 3].map(viewsName), ['PIRQ A (0)', 'PIRQ B (1)', 'PIRQ C (2)', 'PIRQ D (3)']);
    for (let p = 0; p < 4; p++) assert.strictEqual(viewsName(p), pirqName(p));
  });

  it('info pci, info irq and the chain text say "PIRQ D (3)" for the NIC in slot 3, and no other spelling', async () => {
    const dc: DebugClient = await startClient();
    try {
      await launch(dc, { program: `${EXAMPLES}/nic-irq.s`, devices: { nic: { slot: 3, msi: false } }, events: [{ atCycle: 20000, nic: 'rx', data: 'hello' }] });
      await dc.setExceptionBreakpointsRequest({ filters: ['irq-assert'] });
      await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
      // The line rose inside the exit of the driver's store: out of it, the store has completed.
      await stopAfter(dc, dc.stepOutRequest({ threadId: 1 }));
      const texts = { 'info pci': await repl(dc, 'info pci'), 'info irq': await repl(dc, 'info irq'), 'info interrupts': await repl(dc, 'info interrupts') };
      assert.match(texts['info pci'], /pin A -> PIRQ D \(3\) -> GSI 19/);
      assert.match(texts['info irq'], /nic 00:03\.0 INTA → PIRQ D \(3\)/);
      assert.match(texts['info interrupts'], /asserts INTA → PIRQ D \(3\) → GSI 19/);
      for (const [command, text] of Object.entries(texts)) assert.doesNotMatch(text, OTHER_SPELLING, command);
    } finally {
      await dc.stop();
    }
  });
});
