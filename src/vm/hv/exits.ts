// Exit reasons: Intel SDM vol. 3, appendix C "VMX basic exit reasons" (names and numbers), and the
// exit reasons KVM reports to userspace in kvm_run (include/uapi/linux/kvm.h).

export const enum ExitReason {
  EXCEPTION_NMI = 0,
  EXTERNAL_INTERRUPT = 1,
  TRIPLE_FAULT = 2,
  INTERRUPT_WINDOW = 7,
  HLT = 12,
  INVLPG = 14,
  VMCALL = 18,
  CR_ACCESS = 28,
  EPT_VIOLATION = 48,
  EPT_MISCONFIG = 49,
  /** AMD's nested page fault, #VMEXIT(NPF): SVM exit code 0x400 (APM vol. 2 appendix C). */
  NPF = 0x400,
}

export const EXIT_REASON_NAMES: Record<number, string> = {
  0: 'EXCEPTION_NMI', 1: 'EXTERNAL_INTERRUPT', 2: 'TRIPLE_FAULT', 7: 'INTERRUPT_WINDOW', 12: 'HLT',
  14: 'INVLPG', 18: 'VMCALL', 28: 'CR_ACCESS', 48: 'EPT_VIOLATION', 49: 'EPT_MISCONFIG',
};

/**
 * The same exits as an SVM host names them (APM vol. 2 appendix C "SVM Intercept Exit Codes"; KVM's
 * arch/x86/include/uapi/asm/svm.h): used in NPT mode, where the VM runs under SVM. Only the exits
 * nested paging can take are listed (no CR3-write or INVLPG intercepts, no #PF intercept).
 */
export const SVM_EXIT_NAMES: Record<number, string> = {
  1: 'VMEXIT_INTR', 2: 'VMEXIT_SHUTDOWN', 7: 'VMEXIT_VINTR', 12: 'VMEXIT_HLT', 18: 'VMEXIT_VMMCALL', [ExitReason.NPF]: 'VMEXIT_NPF',
};

/** KVM_EXIT_* names, the reasons KVM_RUN returns to the VMM with. */
export const KVM_EXIT_NAMES = [
  'KVM_EXIT_MMIO', 'KVM_EXIT_HLT', 'KVM_EXIT_HYPERCALL', 'KVM_EXIT_IRQ_WINDOW_OPEN', 'KVM_EXIT_IOAPIC_EOI',
  'KVM_EXIT_SHUTDOWN', 'KVM_EXIT_INTERNAL_ERROR',
] as const;
export type KvmExitName = typeof KVM_EXIT_NAMES[number];

/** KVM returns -KVM_ENOSYS for an unknown hypercall number (include/uapi/linux/kvm_para.h). */
export const KVM_ENOSYS = 1000;
