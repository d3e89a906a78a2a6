// The handler each exit reason dispatches to, as the debugger shows them: under VMX (EPT, shadow)
// KVM's arch/x86/kvm/vmx/vmx.c kvm_vmx_exit_handlers[] behind vmx_handle_exit, under SVM (NPT)
// arch/x86/kvm/svm/svm.c svm_exit_handlers[] behind svm_handle_exit. The dispatcher looks the reason
// up here and the handler's phase follows the dispatcher's (docs/exits.md). The handlers' work is done where the
// exit is taken: the EPT and shadow fault paths in paging.ts, the MMIO emulation and HLT, VMCALL and
// interrupt-window handling in vcpu.ts.
import { ExitReason } from './exits';

/** What the exit dispatcher knows of an exit (its record). */
export interface ExitFacts {
  reason: string;
  gpa?: number;
  gva?: number;
  access?: 'read' | 'write' | 'fetch';
  qualification?: number;
  handledIn: 'kernel' | 'vmm';
}

export interface ExitHandler {
  /** The KVM function that handles the reason. */
  name: string;
  /** What it does with this exit, in words. */
  detail(e: ExitFacts): string;
}

const hex = (v: number | undefined): string => '0x' + ((v ?? 0) >>> 0).toString(16);

export const VMX_EXIT_HANDLERS: Partial<Record<ExitReason, ExitHandler>> = {
  [ExitReason.EXCEPTION_NMI]: {
    name: 'handle_exception_nmi',
    detail: (e) => `#PF intercepted (shadow paging) at GVA ${hex(e.gva)}: kvm_mmu_page_fault walks the guest tables`,
  },
  [ExitReason.EXTERNAL_INTERRUPT]: {
    name: 'handle_external_interrupt',
    detail: () => 'the kick IPI: the pending interrupt is injected at the next VM entry',
  },
  [ExitReason.TRIPLE_FAULT]: {
    name: 'handle_triple_fault',
    detail: () => 'the guest cannot go on: KVM_EXIT_SHUTDOWN',
  },
  [ExitReason.INTERRUPT_WINDOW]: {
    name: 'handle_interrupt_window',
    detail: () => 'the guest can take an interrupt now: KVM_EXIT_IRQ_WINDOW_OPEN for the VMM to inject',
  },
  [ExitReason.HLT]: {
    name: 'handle_halt',
    detail: (e) => (e.handledIn === 'kernel' ? 'kvm_emulate_halt: the vCPU blocks in the kernel' : 'no in-kernel LAPIC: KVM_EXIT_HLT to the VMM'),
  },
  [ExitReason.INVLPG]: {
    name: 'handle_invlpg',
    detail: (e) => `sfence.vma: kvm_mmu_invlpg drops the shadow entries${e.gva !== undefined ? ` of GVA ${hex(e.gva)}` : ''}`,
  },
  [ExitReason.VMCALL]: {
    name: 'handle_vmcall',
    detail: () => 'kvm_emulate_hypercall: the call number in a7, the result in a0',
  },
  [ExitReason.CR_ACCESS]: {
    name: 'handle_cr',
    detail: () => 'satp written (the CR3 load): the shadow root is switched',
  },
  [ExitReason.EPT_VIOLATION]: {
    name: 'handle_ept_violation',
    detail: (e) => `kvm_mmu_page_fault on GPA ${hex(e.gpa)}: is it RAM? ` +
      (e.handledIn === 'kernel' && e.gpa !== undefined ? 'the memslots answer' : 'no memslot: the MMIO path'),
  },
  [ExitReason.EPT_MISCONFIG]: {
    name: 'handle_ept_misconfig',
    detail: (e) => `an MMIO SPTE (reserved bits) at GPA ${hex(e.gpa)}: straight to MMIO emulation, no memslot lookup`,
  },
};

/**
 * The same exits under SVM (NPT mode): KVM's svm_exit_handlers[], keyed by our exit reasons (the
 * SVM exit codes are in exits.ts). Only the exits nested paging takes are listed.
 */
export const SVM_EXIT_HANDLERS: Partial<Record<ExitReason, ExitHandler>> = {
  [ExitReason.EXTERNAL_INTERRUPT]: { name: 'intr_interception', detail: VMX_EXIT_HANDLERS[ExitReason.EXTERNAL_INTERRUPT]!.detail },
  [ExitReason.TRIPLE_FAULT]: { name: 'shutdown_interception', detail: VMX_EXIT_HANDLERS[ExitReason.TRIPLE_FAULT]!.detail },
  [ExitReason.INTERRUPT_WINDOW]: { name: 'interrupt_window_interception', detail: VMX_EXIT_HANDLERS[ExitReason.INTERRUPT_WINDOW]!.detail },
  [ExitReason.HLT]: { name: 'halt_interception', detail: VMX_EXIT_HANDLERS[ExitReason.HLT]!.detail },
  [ExitReason.VMCALL]: { name: 'vmmcall_interception', detail: VMX_EXIT_HANDLERS[ExitReason.VMCALL]!.detail },
  [ExitReason.NPF]: {
    name: 'npf_interception',
    detail: (e) => `kvm_mmu_page_fault on GPA ${hex(e.gpa)} (EXITINFO1 ${hex(e.qualification)}): ` +
      (e.handledIn === 'kernel' && e.gpa !== undefined ? 'is it RAM? the memslots answer' : 'no memslot: the MMIO path'),
  },
};

/** The names one processor vendor's KVM code gives the steps of every exit. */
export interface ExitArch {
  /** The exit dispatcher (`vmx_handle_exit`, `svm_handle_exit`). */
  readonly dispatcher: string;
  /** The VM entry that ends an exit (`vmx_vcpu_run`, `svm_vcpu_run`). */
  readonly vcpuRun: string;
  readonly handlers: Partial<Record<ExitReason, ExitHandler>>;
}

export const VMX: ExitArch = { dispatcher: 'vmx_handle_exit', vcpuRun: 'vmx_vcpu_run', handlers: VMX_EXIT_HANDLERS };
export const SVM: ExitArch = { dispatcher: 'svm_handle_exit', vcpuRun: 'svm_vcpu_run', handlers: SVM_EXIT_HANDLERS };

/** The exit in one sentence, for the dispatcher's phase. */
export function exitSentence(e: ExitFacts): string {
  const parts = [e.reason];
  if (e.access) parts.push(e.access);
  if (e.gpa !== undefined) parts.push(`GPA ${hex(e.gpa)}`);
  if (e.gva !== undefined) parts.push(`GVA ${hex(e.gva)}`);
  if (e.qualification !== undefined) parts.push(`qualification ${hex(e.qualification)}`);
  return parts.join(', ');
}
