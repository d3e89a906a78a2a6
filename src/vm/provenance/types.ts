// What the recorder and the "why" walk hand to the debugger (docs/interrupt-provenance.md). The
// wire types of hyperstep/interrupts and hyperstep/why, and their names (layers, outcomes, source
// kinds, the keywords of "why"), are declared once, in src/protocol; the machine layer cannot import
// it, so it speaks in codes (L_*, O_*, SK_* in chain-store.ts, B_* below) and the debugger turns
// them into the protocol's names (src/debug/provenance.ts), with a table the compiler checks
// against the protocol's unions.

/** Where an instruction ran (or a hart entered a trap handler): what the user can run back to. */
export interface InstructionAt {
  cycle: number;
  pc: number;
  vcpu: number;
}

/** One hop as recorded: its layer is a code (L_*), its kind the event's name, its sentence composed when read. */
export interface RecordedHop {
  cycle: number;
  /** vCPU index, -1 for device-side hops. */
  vcpu: number;
  layer: number;
  kind: string;
  /** For a `nic` hop, the NIC event's action (`rx-queued`, `rx`): the two hops of a packet share their kind. */
  action?: string;
  text: string;
}

/** One interrupt from its source to its end, as the recorder keeps it (codes for outcome and source kind). */
export interface RecordedChain {
  id: number;
  gsi?: number;
  vector?: number;
  source: string;
  sourceKind: number;
  outcome: number;
  latencyCycles?: number;
  hops: RecordedHop[];
  /** The LAPIC (vCPU) that accepted it, -1 before. */
  apic: number;
  /** When the guest entered its handler. */
  takenAt?: number;
  /** The handler's first instruction. */
  handlerPc?: number;
  /** An edge that rose while its entry was masked (lost for good), and the write that had set the mask. */
  lostWhileMasked?: boolean;
  lostBy?: InstructionAt;
}

/** The blockers of "why", in path order: codes of the protocol's keywords (WHY_KEYWORDS). */
export const B_NO_SOURCE = 0, B_LINE_LOW = 1, B_MASKED = 2, B_EDGE_LOST = 3, B_REMOTE_IRR = 4, B_NO_DESTINATION = 5,
  B_APIC_DISABLED = 6, B_IN_SERVICE = 7, B_PRIORITY = 8, B_TPR = 9, B_INTERRUPTS_OFF = 10;

/** What the walk found: the first blocker (a B_* code) and its sentences, or none. */
export interface WhyFinding {
  blocker: number | null;
  /** The first line after the keyword (or the whole first line when nothing blocks: 'delivered …', 'pending: …'). */
  first: string;
  register?: string;
  setAt?: InstructionAt;
  /** Lines after the register and `set at` lines. */
  more?: string[];
  delivered?: { cycle: number; vcpu: number };
  /**
   * interrupts-off without a recorded write: the enable bit that is clear (a CSR and its mask), for
   * the debugger to find in its history the instruction that cleared it.
   */
  enable?: { vcpu: number; csr: 'mstatus' | 'mie'; mask: number };
}
