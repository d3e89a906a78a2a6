// Stepping into the hypervisor under AMD nested paging (mmu "npt"): the hypervisor frames are SVM's
// (docs/exits.md "Under NPT"): svm_handle_exit with the SVM exit name, the svm_exit_handlers[]
// handler (npf_interception, halt_interception), and svm_vcpu_run for the VM entry; the MMU, I/O bus
// and VMM frames are the same as under EPT. Black-box DAP sessions over exits.s.
import * as assert from 'assert';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { fixture, frames, launch, lineOf, pc, startClient, topFrame } from './helpers';
import { exitSteps } from './exit-steps';

const EXITS = fixture('exits.s');

describe('debug adapter: stepping into VM exits under NPT (SVM frame names)', function () {
  this.timeout(120_000);
  let dc: DebugClient;
  beforeEach(async () => { dc = await startClient(); });
  afterEach(async () => { await dc.stop(); });

  const { stepIn, runTo, scope, walk } = exitSteps(() => dc, EXITS);

  it('a UART store: svm_handle_exit: VMEXIT_NPF → npf_interception → not claimed → KVM_EXIT_MMIO → svm_vcpu_run', async () => {
    await launch(dc, { program: EXITS, mmu: 'npt', irqchip: 'kernel' });
    await runTo('second UART store');
    const storePc = await pc(dc);
    const names = await walk();
    assert.deepStrictEqual(names, [
      '[KVM] svm_handle_exit: VMEXIT_NPF', '[KVM] npf_interception', '[KVM] kvm_io_bus_write',
      '[VMM] kvm_cpu_exec: KVM_EXIT_MMIO', '[VMM] memory_region_dispatch_write', '[VMM] serial_write THR',
      '[VMM] KVM_RUN', '[KVM] svm_vcpu_run',
    ]);
    assert.strictEqual(await pc(dc), storePc + 4);
  });

  it('the Exit scope names the SVM exit and the stack keeps the separator above the guest', async () => {
    await launch(dc, { program: EXITS, mmu: 'npt' });
    await runTo('second UART store');
    await stepIn();
    await stepIn();
    const stack = await frames(dc);
    assert.deepStrictEqual(stack.slice(0, 3).map((f) => f.name), ['[KVM] npf_interception', '[KVM] svm_handle_exit: VMEXIT_NPF', 'VM exit: VMEXIT_NPF']);
    const exit = await scope(stack[0], 'Exit');
    assert.strictEqual(exit.reason, 'VMEXIT_NPF');
    assert.strictEqual(exit.GPA, '0x10000000');
    assert.ok(!stack.some((f) => f.name.includes('vmx_')), stack.map((f) => f.name).join(', '));
  });

  it('a first touch of RAM: VMEXIT_NPF fixed in KVM (kvm_tdp_page_fault), no VMM frame', async () => {
    await launch(dc, { program: EXITS, mmu: 'npt' });
    await runTo('first touch of a RAM page');
    const names = await walk();
    assert.deepStrictEqual(names, ['[KVM] svm_handle_exit: VMEXIT_NPF', '[KVM] npf_interception', '[KVM] kvm_tdp_page_fault', '[KVM] svm_vcpu_run']);
    assert.strictEqual((await topFrame(dc)).line, lineOf(EXITS, 'after the RAM store'));
  });

  it('wfi under the in-kernel irqchip: svm_handle_exit: VMEXIT_HLT → halt_interception → kvm_vcpu_halt', async () => {
    await launch(dc, { program: EXITS, mmu: 'npt', irqchip: 'kernel' });
    await runTo('HLT');
    const names = await walk();
    assert.deepStrictEqual(names.slice(0, 3), ['[KVM] svm_handle_exit: VMEXIT_HLT', '[KVM] halt_interception', '[KVM] kvm_vcpu_halt']);
    assert.ok(names.every((n) => n.startsWith('[KVM]') && !n.includes('vmx_')), names.join(', '));
  });
});
