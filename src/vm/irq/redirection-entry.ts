// An IOAPIC redirection table entry (82093AA datasheet §3.2.4, IOREDTBL[23:0]): 64 raw bits kept
// as two uint32 halves, plus a parsed view with the datasheet's field names (docs/style.md habit 8,
// KVM's union kvm_ioapic_redirect_entry).
//
//   bits  7:0   INTVEC   vector
//   bits 10:8   DELMOD   delivery mode (000 fixed, 001 lowest priority, 010 SMI, 100 NMI, 101 INIT, 111 ExtINT)
//   bit  11     DESTMOD  0 physical, 1 logical
//   bit  12     DELIVS   delivery status (read-only; this model never has a message in flight: reads 0)
//   bit  13     INTPOL   polarity, 0 high active (ignored by KVM: the line level means "asserted")
//   bit  14     Remote IRR (read-only) set when a level interrupt is accepted, cleared by its EOI
//   bit  15     TRIGGER  0 edge, 1 level
//   bit  16     MASK
//   bits 63:56  DEST     destination (APIC ID, or logical destination set)

const RTE_VECTOR = 0xff;
const RTE_DELIVERY_SHIFT = 8;
export const RTE_DELIVERY_STATUS = 1 << 12;
export const RTE_REMOTE_IRR = 1 << 14;
export const RTE_TRIGGER_LEVEL = 1 << 15;
export const RTE_MASK = 1 << 16;
/** Bits the guest cannot write (82093AA §3.2.4; KVM ioapic_write_indirect "Preserve read-only fields"). */
export const RTE_READ_ONLY = RTE_DELIVERY_STATUS | RTE_REMOTE_IRR;
/** Low half at reset: masked, everything else 0 (KVM kvm_ioapic_reset, docs/machine.md). */
export const RTE_RESET_LOW = RTE_MASK;

export interface RedirectionEntry {
  vector: number;
  deliveryMode: number;
  destMode: number;
  deliveryStatus: number;
  polarity: number;
  remoteIrr: number;
  trigMode: number;
  mask: number;
  destination: number;
}

export function parseRedirectionEntry(low: number, high: number): RedirectionEntry {
  return {
    vector: low & RTE_VECTOR,
    deliveryMode: (low >>> RTE_DELIVERY_SHIFT) & 7,
    destMode: (low >>> 11) & 1,
    deliveryStatus: (low >>> 12) & 1,
    polarity: (low >>> 13) & 1,
    remoteIrr: (low >>> 14) & 1,
    trigMode: (low >>> 15) & 1,
    mask: (low >>> 16) & 1,
    destination: high >>> 24,
  };
}

/** The raw halves of an entry (fields not given are 0; read-only fields are encoded as given). */
export function encodeRedirectionEntry(e: Partial<RedirectionEntry>): { low: number; high: number } {
  const low = ((e.vector ?? 0) & 0xff)
    | (((e.deliveryMode ?? 0) & 7) << RTE_DELIVERY_SHIFT)
    | (((e.destMode ?? 0) & 1) << 11)
    | (((e.deliveryStatus ?? 0) & 1) << 12)
    | (((e.polarity ?? 0) & 1) << 13)
    | (((e.remoteIrr ?? 0) & 1) << 14)
    | (((e.trigMode ?? 0) & 1) << 15)
    | (((e.mask ?? 0) & 1) << 16);
  return { low: low >>> 0, high: (((e.destination ?? 0) & 0xff) << 24) >>> 0 };
}
