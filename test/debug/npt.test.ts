// The debugger under AMD nested paging (docs/npt.md): the launch option, the event breakpoints on
// VMEXIT_NPF, `info npt` and the SVM names in `info exits`, black-box over DAP.
import * as assert from 'assert';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { EXAMPLES, launch, rejects, repl, startClient, stopAfter, topFrame } from './helpers';

const HELLO = `${EXAMPLES}/hello.s`;

describe('debug adapter: mmu "npt"', function () {
  this.timeout(60_000);
  let dc: DebugClient;
  beforeEach(async () => { dc = await startClient(); });
  afterEach(async () => { await dc.stop(); });

  it('stops on the first UART access as a VMEXIT_NPF (ept-violation filter) and shows NPT state', async () => {
    await launch(dc, { program: HELLO, mmu: 'npt' }, () => dc.setExceptionBreakpointsRequest({
      filters: [], filterOptions: [{ filterId: 'ept-violation', condition: 'gpa >= 0x10000000 && gpa < 0x10001000' }],
    }));
    const s = await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
    assert.match(s.description ?? '', /^Paused on VM exit VMEXIT_NPF: read 0x60 from GPA 0x10000005 \(UART LSR/);
    // the stop is at the exit's dispatcher; out of the exit, the MMIO SPTE is installed
    assert.strictEqual((await topFrame(dc)).name, '[KVM] svm_handle_exit: VMEXIT_NPF');
    await stopAfter(dc, dc.stepOutRequest({ threadId: 1 }));
    assert.match(await repl(dc, 'info npt'), /^NPT \(nCR3 0x[0-9a-f]+\): \d+ leaves/);
    assert.match(await repl(dc, 'info npt'), /GPA 0x10000000 -> MMIO SPTE \(reserved bits 51:48 set/);
    assert.match(await repl(dc, 'info npt'), /GPA 0x80000000 -> HPA 0x00000000 PWU/);
    assert.match(await repl(dc, 'info ept'), /this VM uses NPT .*see info npt/);
    assert.match(await repl(dc, 'info exits'), /VMEXIT_NPF/);
    assert.doesNotMatch(await repl(dc, 'info exits'), /EPT_/);
  });

  it('refuses an unknown mmu naming the field', async () => {
    const msg = await rejects(launch(dc, { program: HELLO, mmu: 'rvi' }));
    assert.match(msg, /mmu/);
    assert.match(msg, /npt/, msg);
  });
});
