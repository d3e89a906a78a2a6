// The shapes of interrupt provenance (docs/interrupt-provenance.md). They mirror the DAP types of
// src/protocol (hyperstep/interrupts, hyperstep/why) field for field, so the debugger hands them
// on as they are; the machine layer cannot import protocol/, hence the copy.

export type HopLayer = 'device' | 'vmm' | 'kernel' | 'guest';

export interface Hop {
  cycle: number;
  /** vCPU index, -1 for device-side hops. */
  vcpu: number;
  layer: HopLayer;
  /** The event name ('pci-intx', 'irq-line', 'ioapic-deliver', 'msi', 'lapic-accept', …) or 'exit'. */
  kind: string;
  text: string;
}

export type ChainOutcome = 'handled' | 'in-service' | 'pending' | 'blocked' | 'coalesced' | 'lost';
export type ChainSource = 'intx' | 'msi' | 'testdev' | 'ipi' | 'timer' | 'debugger' | 'device';

/** The guest instruction (or hart action) that set a bit: where the user can run back to. */
export interface GuestWrite {
  cycle: number;
  pc: number;
  vcpu: number;
}

/** One interrupt from its source to its end, as the recorder keeps it. */
export interface Chain {
  id: number;
  gsi?: number;
  vector?: number;
  source: string;
  sourceKind: ChainSource;
  outcome: ChainOutcome;
  latencyCycles?: number;
  hops: Hop[];
  /** The LAPIC (vCPU) that accepted it, -1 before. */
  apic: number;
  /** When the guest entered its handler. */
  takenAt?: number;
  /** The handler's first instruction. */
  handlerPc?: number;
  /** An edge that rose while its entry was masked (lost for good), and the write that had set the mask. */
  lostWhileMasked?: boolean;
  lostBy?: GuestWrite;
}

export const WHY_KEYWORDS = [
  'no-source', 'line-low', 'masked', 'edge-lost', 'remote-irr', 'no-destination', 'apic-disabled',
  'in-service', 'priority', 'tpr', 'interrupts-off',
] as const;
export type WhyKeyword = typeof WHY_KEYWORDS[number];

export interface WhyAnswer {
  blocker: WhyKeyword | null;
  /** First line starts with the keyword, or 'delivered' / 'pending'. */
  detail: string;
  register?: string;
  setAt?: GuestWrite;
  delivered?: { cycle: number; vcpu: number };
  /**
   * interrupts-off without a recorded write: the enable bit that is clear (a CSR and its mask), for
   * the debugger to find in its history the instruction that cleared it. Not part of the answer.
   */
  enable?: { vcpu: number; csr: 'mstatus' | 'mie'; mask: number };
}
