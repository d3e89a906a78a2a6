// The kvm_run record (include/uapi/linux/kvm.h `struct kvm_run`): the one place KVM_RUN's result
// reaches the VMM. The hypervisor fills it when KVM_RUN returns; the VMM reads exit_reason, handles
// the exit in its switch (QEMU accel/kvm/kvm-all.c kvm_cpu_exec), writes results back (mmio.data
// for a read) and calls KVM_RUN again, which completes the interrupted instruction first
// (KVM's complete_userspace_io). docs/exits.md describes every exit and its phases.
import type { ExitPhaseEvent } from '../events';

/** KVM_EXIT_* codes (include/uapi/linux/kvm.h). */
export const enum KvmExit {
  UNKNOWN = 0,
  HYPERCALL = 3,
  DEBUG = 4,
  HLT = 5,
  MMIO = 6,
  IRQ_WINDOW_OPEN = 7,
  SHUTDOWN = 8,
  INTR = 10,
  INTERNAL_ERROR = 17,
  IOAPIC_EOI = 26,
}

export const KVM_EXIT_CODE_NAMES: Record<number, string> = {
  0: 'KVM_EXIT_UNKNOWN', 3: 'KVM_EXIT_HYPERCALL', 4: 'KVM_EXIT_DEBUG', 5: 'KVM_EXIT_HLT', 6: 'KVM_EXIT_MMIO',
  7: 'KVM_EXIT_IRQ_WINDOW_OPEN', 8: 'KVM_EXIT_SHUTDOWN', 10: 'KVM_EXIT_INTR', 17: 'KVM_EXIT_INTERNAL_ERROR',
  26: 'KVM_EXIT_IOAPIC_EOI',
};

export class KvmRun {
  /** Why KVM_RUN returned (a KvmExit code). */
  exitReason: KvmExit = KvmExit.UNKNOWN;
  /** KVM_EXIT_MMIO: the access the VMM must perform; `data` is written back for a read. */
  readonly mmio = { physAddr: 0, data: 0, len: 0, isWrite: false };
  /** KVM_EXIT_IOAPIC_EOI: the vector EOIed in the in-kernel LAPIC (split irqchip). */
  readonly eoi = { vector: 0 };
  /** KVM_EXIT_HYPERCALL (not produced: KVM answers hypercalls itself), kept for the record's shape. */
  readonly hypercall = { nr: 0, args: [0, 0, 0, 0], ret: 0 };
  /**
   * KVM_EXIT_INTERNAL_ERROR: why KVM gave up. KVM_INTERNAL_ERROR_EMULATION (1) with `gpa`: an
   * instruction fetch from a GPA that is not RAM (KVM cannot emulate a fetch from MMIO).
   */
  readonly internal = { suberror: 0, gpa: 0 };
  /** KVM_EXIT_DEBUG: a software breakpoint (planted by the debugger) or the guest's ebreak. */
  readonly debug = { kind: 'breakpoint' as 'breakpoint' | 'ebreak' };
  /** Set by KVM on every return: can an interrupt be injected now (interrupts on, none queued)? */
  readyForInterruptInjection = false;
  /** Set by KVM on every return: the guest's interrupt flag (here: external interrupts enabled). */
  ifFlag = false;
  /** Set by the VMM (userspace irqchip): exit as soon as the guest can take an interrupt. */
  requestInterruptWindow = false;
}

/** kvm_run.internal.suberror for an emulation failure (include/uapi/linux/kvm.h). */
export const KVM_INTERNAL_ERROR_EMULATION = 1;

/** A copy of the record as the VMM sees it now (what an exit-phase event carries). */
export function kvmRunSnapshot(r: KvmRun): NonNullable<ExitPhaseEvent['run']> {
  return {
    exitReason: KVM_EXIT_CODE_NAMES[r.exitReason] ?? String(r.exitReason), readyForInterruptInjection: r.readyForInterruptInjection, ifFlag: r.ifFlag,
    ...(r.exitReason === KvmExit.MMIO ? { mmio: { ...r.mmio } } : {}),
    ...(r.exitReason === KvmExit.IOAPIC_EOI ? { eoiVector: r.eoi.vector } : {}),
  };
}
