// AMD's nested page tables (APM vol. 2 §15.25 "Nested Paging"): the guest-physical → host-physical
// tables use the ordinary x86-64 long-mode format (APM vol. 2 §5.3, 4-level paging): bit 0 P
// (present), bit 1 R/W, bit 2 U/S, bit 5 A, bit 6 D, bits 51:12 the physical address, bit 63 NX.
// Unlike EPT there is no "read" bit: a present entry is always readable, and the nested walk
// treats every guest access as a user access (APM §15.25.5), so KVM sets U/S on every entry.
//
// MMIO pages get KVM's MMIO SPTE for NPT (arch/x86/kvm/svm/svm.c svm_adjust_mmio_mask,
// arch/x86/kvm/mmu/spte.c make_mmio_spte): present, with physical-address bits above MAXPHYADDR set.
// Those are reserved bits, so an access takes #NPF with RSVD = 1 in EXITINFO1 and KVM's
// handle_mmio_page_fault recognises the entry without a memslot lookup.
import { Stage2Format, Stage2Tables } from './stage2';

export const NPT_P = 1, NPT_RW = 2, NPT_US = 4, NPT_A = 1 << 5, NPT_D = 1 << 6;
/** NX is bit 63: bit 31 of the high half. */
const NPT_NX_HI = 0x80000000;
/** MAXPHYADDR of the modeled host: physical-address bits 51:48 are reserved (APM §5.3.1). */
const NPT_MAXPHYADDR = 48;
/** The reserved bits KVM's MMIO entries set: bits 51:MAXPHYADDR, in the high half. */
export const NPT_RSVD_HI = ((1 << (52 - 32)) - (1 << (NPT_MAXPHYADDR - 32))) >>> 0;

/** Permission bits a leaf grants, in a form the walker reports: P/RW/US, and NX at bit 3. */
export const NPT_FLAG_NX = 8;

export const NPT_FORMAT: Stage2Format = {
  present: (lo) => (lo & NPT_P) !== 0,
  mmio: (_lo, hi) => (hi & NPT_RSVD_HI) !== 0,
  flags: (lo, hi) => (lo & (7 | NPT_A | NPT_D)) | (hi & NPT_NX_HI ? NPT_FLAG_NX : 0),
  // KVM installs non-leaf entries P/RW/US with A set (shadow_accessed_mask): no A updates later.
  table: (hpa) => [hpa | NPT_P | NPT_RW | NPT_US | NPT_A, 0],
  leaf: (hpa, flags) => [hpa | NPT_A | NPT_D | (flags & 7), flags & NPT_FLAG_NX ? NPT_NX_HI : 0],
  mmioLeaf: (gpa) => [gpa | NPT_P | NPT_RW | NPT_US, NPT_RSVD_HI],
  // The nested walk sets A in every entry it uses and D in the leaf of a write (APM vol. 2 §15.25.5,
  // with the x86-64 semantics of §5.4.2); accesses to guest page tables count as writes.
  accessed: NPT_A,
  dirty: NPT_D,
};

export class Npt extends Stage2Tables {
  constructor(tableBase: number) {
    super(tableBase, NPT_FORMAT);
  }

  /** nCR3 (VMCB offset 0xB0): the nested PML4's HPA. */
  get ncr3(): number {
    return this.tableBase;
  }
}

/** "P RW US NX A D" letters of an NPT entry's bits (as the walker reports them). */
export function nptFlags(flags: number): string {
  return `${flags & NPT_P ? 'P' : '-'}${flags & NPT_RW ? 'W' : 'R'}${flags & NPT_US ? 'U' : 'S'}${flags & NPT_FLAG_NX ? ' NX' : ''}` +
    `${flags & NPT_A ? ' A' : ''}${flags & NPT_D ? ' D' : ''}`;
}

// ---- EXITINFO1 of #VMEXIT(NPF) (APM vol. 2 §15.25.6; the #PF error code, §8.4.2) ----------------

export const PF_P = 1, PF_RW = 2, PF_US = 4, PF_RSVD = 8, PF_ID = 16;
/** Bit 32: the fault happened translating the final guest-physical address. */
export const NPF_FINAL = 2 ** 32;
/** Bit 33: the fault happened translating a guest page-table entry's address. */
export const NPF_GUEST_PAGE = 2 ** 33;

/** The set bits of an EXITINFO1, by their APM names: "P, RW, US, RSVD, ID, final translation". */
export function npfExitInfoText(info1: number): string {
  const bits: string[] = [];
  const low = info1 % 2 ** 32;
  if (low & PF_P) bits.push('P'); else bits.push('not present');
  if (low & PF_RW) bits.push('RW');
  if (low & PF_US) bits.push('US');
  if (low & PF_RSVD) bits.push('RSVD');
  if (low & PF_ID) bits.push('ID');
  const high = Math.floor(info1 / 2 ** 32);
  if (high & 1) bits.push('final translation');
  if (high & 2) bits.push('guest page-table walk');
  return bits.join(', ');
}
