// INTx routing from PCI pins to GSIs (docs/machine.md). A function in slot S asserting pin P (INTA = 0 …
// INTD = 3) drives PIRQ (S + P) mod 4 — the standard swizzle of the PCI-to-PCI Bridge spec §9.1,
// applied at the host bridge — and PIRQ n is GSI 16 + n, as Q35 wires PIRQA–D by default.
// The lines are level-triggered and shared: a PIRQ is asserted while any function on it asserts
// (a wired-OR; electrically active-low, but levels here always mean "asserted").
export const PCI_SLOTS = 32;
const PIRQ_COUNT = 4;
/** GSI of PIRQA. */
export const PIRQ_GSI_BASE = 16;

/** A PIRQ line named one way everywhere (views, console, chains, `info pci`): "PIRQ D (3)". */
export function pirqName(pirq: number): string {
  return `PIRQ ${'ABCD'[pirq & 3]} (${pirq & 3})`;
}

/** The PIRQ (0 = PIRQA … 3 = PIRQD) that pin `pin` (0 = INTA … 3 = INTD) of slot `slot` drives. */
export function swizzle(slot: number, pin: number): number {
  return (slot + pin) % PIRQ_COUNT;
}

/** The GSI that pin `pin` of slot `slot` ends on. */
export function intxGsi(slot: number, pin: number): number {
  return PIRQ_GSI_BASE + swizzle(slot, pin);
}

/** Drives a GSI; `device` names the function whose change moved the line, for the irqchip's events. */
type SetGsi = (gsi: number, level: boolean, device: string) => void;

/**
 * One bus's PIRQ lines. Each source (a function's pin, named by a unique key such as its BDF)
 * sets its level; the router ORs the sources of each PIRQ and calls `setGsi` only when the OR
 * changes, so the GSI's consumer sees a clean level-triggered line.
 */
export class IntxRouter {
  /** Per PIRQ: keys of the sources asserting it now. */
  private readonly asserting: Set<string>[] = Array.from({ length: PIRQ_COUNT }, () => new Set<string>());

  constructor(private readonly setGsi: SetGsi) {}

  /**
   * Source `key` (device `device`, in `slot`, pin `pin`) now drives `level`. Returns the GSI and
   * whether the shared line changed.
   */
  setLevel(key: string, device: string, slot: number, pin: number, level: boolean): { gsi: number; lineChanged: boolean } {
    const pirq = swizzle(slot, pin), gsi = PIRQ_GSI_BASE + pirq, set = this.asserting[pirq];
    const before = set.size > 0;
    if (level) set.add(key); else set.delete(key);
    const after = set.size > 0;
    if (before === after) return { gsi, lineChanged: false };
    this.setGsi(gsi, after, device);
    return { gsi, lineChanged: true };
  }

  /** Level of PIRQ `pirq` (0..3). */
  pirqLevel(pirq: number): boolean {
    return this.asserting[pirq].size > 0;
  }

  /** What PIRQ `pirq` would be if source `key` drove `level` (the others unchanged). */
  levelWith(key: string, pirq: number, level: boolean): boolean {
    if (level) return true;
    for (const k of this.asserting[pirq]) if (k !== key) return true;
    return false;
  }

  /** Keys of the sources asserting PIRQ `pirq`, for `info irq` and the routing view. */
  sources(pirq: number): string[] {
    return [...this.asserting[pirq]];
  }
}
