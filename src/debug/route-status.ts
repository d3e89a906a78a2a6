// Where an interrupt is on its way, for `hyperstep/state` (docs/extension.md, "Interrupt Routing"):
// the hart's interrupt enables at the end of the chain, and a route's status that calls something
// blocked only when it blocks. A level-triggered entry's remote IRR is set the moment its vector is
// accepted (82093AA §3.2.4): while that vector is pending in a destination's IRR or in service in
// its ISR, remote IRR is the interrupt in flight — "delivered, awaiting EOI" — not what holds it.
import type { HartInterruptSnapshot, LapicSnapshot, RouteStatus } from '../protocol';
import { Priv, type Vcpu } from '../vm';

/** mstatus.SIE (bit 1) and mstatus.MIE (bit 3), the global interrupt enables (§3.1.6.1). */
const MSTATUS_SIE = 1 << 1;
const MSTATUS_MIE = 1 << 3;
/** mie/mip/mideleg bit of the machine external interrupt, the line the LAPIC drives (cause 11). */
const MEI = 1 << 11;
const MEI_CAUSE = 11;

export function hartInterrupts(v: Vcpu): HartInterruptSnapshot {
  const c = v.cpu;
  const mstatusMIE = (c.mstatus & MSTATUS_MIE) !== 0, mstatusSIE = (c.mstatus & MSTATUS_SIE) !== 0;
  const mieMEIE = (c.mie & MEI) !== 0, delegated = (c.mideleg & MEI) !== 0;
  const externalEnabled = c.externalInterruptEnabled();
  const closed: string[] = [];
  if (!externalEnabled) {
    if (!mieMEIE) closed.push('mie.MEIE = 0');
    if (delegated) {
      // Delegated to S-mode: never taken in M-mode, and in S-mode only with sstatus.SIE (§3.1.9).
      if (c.priv === Priv.M) closed.push('delegated to S-mode while the hart runs in M-mode');
      else if (c.priv === Priv.S && !mstatusSIE) closed.push('sstatus.SIE = 0');
    } else if (c.priv === Priv.M && !mstatusMIE) {
      closed.push('mstatus.MIE = 0');
    }
  }
  const tvec = (delegated ? c.stvec : c.mtvec) >>> 0;
  const vectored = (tvec & 3) === 1;
  const base = (tvec & ~3) >>> 0;
  return {
    mstatus: c.mstatus >>> 0, mie: c.mie >>> 0, mip: c.mip() >>> 0, mideleg: c.mideleg >>> 0, mtvec: c.mtvec >>> 0, stvec: c.stvec >>> 0,
    mstatusMIE, mstatusSIE, mieMEIE, mipMEIP: (c.mip() & MEI) !== 0, delegated, externalEnabled,
    ...(closed.length ? { closedBy: closed.join(', ') } : {}),
    // Vectored mode enters base + 4 × cause for an interrupt (§3.1.7).
    handler: vectored ? (base + 4 * MEI_CAUSE) >>> 0 : base, handlerMode: vectored ? 'vectored' : 'direct',
  };
}

/** Where `vector` is among the destination LAPICs: in service (ISR), pending (IRR), or nowhere. */
export function vectorPlace(vector: number | undefined, destinations: readonly number[], lapics: readonly LapicSnapshot[]): 'in-service' | 'pending' | undefined {
  if (vector === undefined) return undefined;
  const dest = lapics.filter((l) => destinations.includes(l.vcpu));
  if (dest.some((l) => l.isr.includes(vector))) return 'in-service';
  if (dest.some((l) => l.irr.includes(vector))) return 'pending';
  return undefined;
}

interface RouteVerdict {
  status: RouteStatus;
  blockedBy?: string;
  note?: string;
  waitsFor?: string;
}

/**
 * A route's status from what the IOAPIC says of its pin ('masked', 'remote-irr', or nothing) and
 * where its vector is. `configBlock` is a device-side block (INTx disabled) that holds whatever else.
 */
export function routeVerdict(o: {
  lineAsserted: boolean; ioapicBlock: string | undefined; configBlock: string | undefined; reservedVector: string | undefined;
  place: 'in-service' | 'pending' | undefined; hartClosed: string | undefined;
}): RouteVerdict {
  if (o.configBlock) return { status: 'blocked', blockedBy: o.configBlock };
  if (o.place) {
    const waits = o.place === 'pending' ? o.hartClosed : undefined;
    return {
      status: o.place, ...(o.ioapicBlock === 'remote-irr' ? { note: 'delivered, awaiting EOI' } : {}), ...(waits ? { waitsFor: waits } : {}),
    };
  }
  if (!o.lineAsserted) return { status: 'idle' };
  if (o.ioapicBlock === 'masked') return { status: 'blocked', blockedBy: 'IOREDTBL masked' };
  // Remote IRR set with the vector nowhere: an accepted interrupt whose EOI never came back.
  if (o.ioapicBlock === 'remote-irr') return { status: 'blocked', blockedBy: 'remote IRR, no EOI' };
  if (o.reservedVector) return { status: 'blocked', blockedBy: o.reservedVector };
  return { status: 'asserted' };
}
