// The exit handlers emit their own phases where their work starts (src/vm/hv/exit-handlers.ts,
// docs/exits.md): after the dispatcher, the handler of the reason (VMX's or SVM's), then what it
// calls, then the VM entry. Each exit's phases are read from the machine's event stream.
import * as assert from 'assert';
import { boot, POWER_OFF } from './boot';
import type { VmEvent } from '../../../src/vm/events';

/** The phase names of each exit, in order: the phases from one `exit` event to the next. */
function phasesByExit(events: VmEvent[]): { reason: string; phases: string[] }[] {
  const out: { reason: string; phases: string[] }[] = [];
  for (const e of events) {
    if (e.kind === 'exit') out.push({ reason: e.reason, phases: [] });
    else if (e.kind === 'exit-phase' && e.layer === 'kvm' && out.length) out[out.length - 1].phases.push(e.name);
  }
  return out;
}

const GUEST = `
        .text
        .globl _start
_start:
        li      a7, 42
        .word   0x0000000b            # vmcall
        mv      s1, a0
        csrw    satp, zero            # a CR3 load: exits under shadow paging
        sfence.vma                    # INVLPG: exits under shadow paging
${POWER_OFF}`;

describe('exit handlers: each emits its phase where it works', () => {
  it('VMCALL under EPT: vmx_handle_exit, handle_vmcall (a0 = -KVM_ENOSYS), VM entry', () => {
    const g = boot(GUEST, { mmu: 'ept' });
    assert.strictEqual(g.run().kind, 'poweroff');
    const vmcall = phasesByExit(g.events).find((x) => x.reason === 'VMCALL')!;
    assert.deepStrictEqual(vmcall.phases, ['vmx_handle_exit: VMCALL', 'handle_vmcall', 'vmx_vcpu_run']);
    assert.strictEqual(g.machine.vcpus[0].cpu.x[9], -1000);
  });

  it('VMMCALL under NPT: svm_handle_exit, vmmcall_interception, svm_vcpu_run', () => {
    const g = boot(GUEST, { mmu: 'npt' });
    assert.strictEqual(g.run().kind, 'poweroff');
    const vmcall = phasesByExit(g.events).find((x) => x.reason === 'VMEXIT_VMMCALL')!;
    assert.deepStrictEqual(vmcall.phases, ['svm_handle_exit: VMEXIT_VMMCALL', 'vmmcall_interception', 'svm_vcpu_run']);
    const npf = phasesByExit(g.events).find((x) => x.reason === 'VMEXIT_NPF')!;
    assert.deepStrictEqual(npf.phases.slice(0, 3), ['svm_handle_exit: VMEXIT_NPF', 'npf_interception', 'kvm_tdp_page_fault']);
  });

  it('shadow paging: CR_ACCESS → handle_cr, INVLPG → handle_invlpg, #PF → handle_exception_nmi', () => {
    const g = boot(GUEST, { mmu: 'shadow' });
    assert.strictEqual(g.run().kind, 'poweroff');
    const all = phasesByExit(g.events);
    assert.deepStrictEqual(all.find((x) => x.reason === 'CR_ACCESS')!.phases, ['vmx_handle_exit: CR_ACCESS', 'handle_cr', 'vmx_vcpu_run']);
    assert.deepStrictEqual(all.find((x) => x.reason === 'INVLPG')!.phases, ['vmx_handle_exit: INVLPG', 'handle_invlpg', 'vmx_vcpu_run']);
    assert.deepStrictEqual(all.find((x) => x.reason === 'EXCEPTION_NMI')!.phases.slice(0, 2), ['vmx_handle_exit: EXCEPTION_NMI', 'handle_exception_nmi']);
  });

  it('every exit has its dispatcher first and its handler second, in every MMU mode', () => {
    for (const mmu of ['ept', 'npt', 'shadow'] as const) {
      const g = boot(GUEST, { mmu });
      g.run();
      for (const x of phasesByExit(g.events)) {
        assert.match(x.phases[0], /^(vmx|svm)_handle_exit: /, `${mmu} ${x.reason}: ${x.phases.join(', ')}`);
        assert.ok(x.phases.length >= 2 && !/_handle_exit|_vcpu_run/.test(x.phases[1]), `${mmu} ${x.reason}: ${x.phases.join(', ')}`);
      }
    }
  });
});
