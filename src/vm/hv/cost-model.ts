// Simulated cycles for what a VM exit costs (docs/cost-model.md). Defaults and their sources are
// in docs/cost-model.md; every figure can be overridden from the launch configuration / CLI.

export interface CostModel {
  /** VM exit + VM entry round trip (VMX transition, state save/restore). */
  exitRoundTrip: number;
  /** Decoding and emulating the faulting instruction in the kernel (KVM's x86 emulator). */
  instructionEmulation: number;
  /** An in-kernel device access (kvm_io_bus dispatch + the device model). */
  inKernelDevice: number;
  /** Leaving KVM_RUN for the VMM and coming back (return to userspace, VMM dispatch, ioctl re-entry). */
  vmmExit: number;
  /** One ioctl from the VMM into the hypervisor (KVM_IRQ_LINE, KVM_SIGNAL_MSI, KVM_INTERRUPT). */
  ioctl: number;
  /** One memory reference made by a page walk (guest tables, EPT or shadow tables). */
  pageWalkRef: number;
  /** Resolving an EPT violation on RAM: memslot lookup, page allocation, EPT entry install. */
  eptFault: number;
  /** Resolving a shadow page fault: guest walk in software, shadow entry install. */
  shadowFault: number;
  /** Injecting an interrupt or exception on VM entry. */
  injection: number;
}

export const DEFAULT_COST_MODEL: Readonly<CostModel> = Object.freeze({
  exitRoundTrip: 1200,
  instructionEmulation: 600,
  inKernelDevice: 300,
  vmmExit: 6000,
  ioctl: 1500,
  pageWalkRef: 20,
  eptFault: 2500,
  shadowFault: 3500,
  injection: 150,
});

const COST_MODEL_KEYS = Object.keys(DEFAULT_COST_MODEL) as (keyof CostModel)[];

/** Defaults with `overrides` applied; returns an error naming the first bad field instead. */
export function makeCostModel(overrides: Record<string, unknown> = {}): CostModel | { error: string } {
  const model: CostModel = { ...DEFAULT_COST_MODEL };
  for (const [k, v] of Object.entries(overrides)) {
    if (!(COST_MODEL_KEYS as string[]).includes(k)) return { error: `costModel.${k}: unknown field (known: ${COST_MODEL_KEYS.join(', ')})` };
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) return { error: `costModel.${k}: expected a non-negative integer, got ${JSON.stringify(v)}` };
    model[k as keyof CostModel] = v;
  }
  return model;
}
