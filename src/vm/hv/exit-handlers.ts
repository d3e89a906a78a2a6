// The exit handlers, phase by phase. The dispatcher (vmx_handle_exit / svm_handle_exit) is emitted
// when an exit is recorded (Vcpu.recordExit); each handler then emits its own phase where its work
// starts (Vcpu.handlerPhase) and the phases of what it calls: the handlers below for HLT, VMCALL,
// the interrupt window, the kick and the triple fault; the MMIO emulation and the kernel I/O bus in
// vcpu.ts (Vcpu.mmio); the EPT/NPT and shadow page-fault paths, CR3 loads and INVLPG in paging.ts.
// The table below names each reason's handler, as the debugger shows it: under VMX (EPT, shadow)
// KVM's arch/x86/kvm/vmx/vmx.c kvm_vmx_exit_handlers[] behind vmx_handle_exit, under SVM (NPT)
// arch/x86/kvm/svm/svm.c svm_exit_handlers[] behind svm_handle_exit. The dispatcher looks the reason
// up here and the handler's phase follows the dispatcher's (docs/exits.md). The handlers' work is done where the
// exit is taken: the EPT and shadow fault paths in paging.ts, the MMIO emulation and HLT, VMCALL and
// interrupt-window handling in vcpu.ts.
import { ExitReason, KVM_ENOSYS } from './exits';
import { KvmExit } from './kvm-run';
import type { ExitInfo, Vcpu } from './vcpu';

/** What the exit dispatcher knows of an exit (its record). */
interface ExitFacts {
  reason: string;
  gpa?: number;
  gva?: number;
  access?: 'read' | 'write' | 'fetch';
  qualification?: number;
  handledIn: 'kernel' | 'vmm';
}

interface ExitHandler {
  /** The KVM function that handles the reason. */
  name: string;
  /** What it does with this exit, in words. */
  detail(e: ExitFacts): string;
}

const hex = (v: number | undefined): string => '0x' + ((v ?? 0) >>> 0).toString(16);

const VMX_EXIT_HANDLERS: Partial<Record<ExitReason, ExitHandler>> = {
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
const SVM_EXIT_HANDLERS: Partial<Record<ExitReason, ExitHandler>> = {
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

/** An exit without facts (HLT, VMCALL, …): shared, so taking one allocates nothing. */
export const NO_EXIT_INFO: ExitInfo = Object.freeze({});

/**
 * handle_halt (halt_interception): `wfi`. With an in-kernel LAPIC the vCPU blocks in the kernel
 * (kvm_vcpu_halt) until an interrupt can wake it; without one, KVM_RUN returns KVM_EXIT_HLT after
 * the instruction and the VMM waits for an interrupt.
 */
export function handleHalt(v: Vcpu): void {
  v.vm.bump('halt_exits');
  if (v.vm.irqchip) {
    v.exitInKernel(ExitReason.HLT, NO_EXIT_INFO, 0);
    v.handlerPhase(ExitReason.HLT);
    v.phase('kvm', 'kvm_vcpu_halt', 'blocks in the kernel until an interrupt can wake the vCPU');
  } else {
    v.exitToVmm(ExitReason.HLT, NO_EXIT_INFO, 'KVM_EXIT_HLT');
    v.handlerPhase(ExitReason.HLT);
    v.leaveToVmm(KvmExit.HLT);
  }
}

/** handle_vmcall (vmmcall_interception): kvm_emulate_hypercall; no call is known, so -KVM_ENOSYS in a0. */
export function handleVmcall(v: Vcpu): void {
  v.exitInKernel(ExitReason.VMCALL, NO_EXIT_INFO, 0);
  v.handlerPhase(ExitReason.VMCALL);
  v.vm.bump('hypercalls');
  v.cpu.x[A0] = -KVM_ENOSYS;
}

/** handle_interrupt_window (interrupt_window_interception): KVM_EXIT_IRQ_WINDOW_OPEN for the VMM to inject. */
export function handleInterruptWindow(v: Vcpu): void {
  v.exitToVmm(ExitReason.INTERRUPT_WINDOW, NO_EXIT_INFO, 'KVM_EXIT_IRQ_WINDOW_OPEN');
  v.handlerPhase(ExitReason.INTERRUPT_WINDOW);
  v.vm.bump('irq_window_exits');
  v.leaveToVmm(KvmExit.IRQ_WINDOW_OPEN);
}

/**
 * handle_external_interrupt (intr_interception): the kick. Without posted interrupts a vCPU in guest
 * mode is sent an IPI so the interrupt delivered to it is injected at its next VM entry.
 */
export function handleExternalInterrupt(v: Vcpu): void {
  v.exitInKernel(ExitReason.EXTERNAL_INTERRUPT, NO_EXIT_INFO, 0);
  v.handlerPhase(ExitReason.EXTERNAL_INTERRUPT);
  v.vm.bump('irq_exits');
}

/** handle_triple_fault (shutdown_interception): the guest cannot go on, KVM_EXIT_SHUTDOWN. */
export function handleTripleFault(v: Vcpu): void {
  v.exitToVmm(ExitReason.TRIPLE_FAULT, NO_EXIT_INFO, 'KVM_EXIT_SHUTDOWN');
  v.handlerPhase(ExitReason.TRIPLE_FAULT);
}

const A0 = 10;
