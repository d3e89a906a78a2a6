// Extended page tables in Intel's format (SDM vol. 3 §29.3 "The extended page-table mechanism"):
// a 4-level walk (PML4, PDPT, PD, PT) of 512 eight-byte entries per 4 KiB table; bits 2:0 = R/W/X,
// bits 5:3 = memory type (6 = write-back) on leaves, bits 51:12 = the physical address. The tree
// itself is src/vm/mmu/stage2.ts, shared with AMD's nested page tables (src/vm/mmu/npt.ts).
//
// An MMIO page gets KVM's "MMIO SPTE" (arch/x86/kvm/mmu/spte.h, make_mmio_spte): an entry that the
// processor finds misconfigured — here write+execute without read, which SDM §29.3.3.1 lists as an
// EPT misconfiguration — so later accesses exit as EPT_MISCONFIG and skip the memslot lookup.
import { Stage2Format, Stage2Tables } from './stage2';

export const EPT_R = 1, EPT_W = 2, EPT_X = 4;
const EPT_MEMTYPE_WB = 6 << 3;
/** The misconfigured pattern KVM-style MMIO entries carry (bits 2:0 = 110b), plus an ignored marker bit. */
const EPT_MMIO_BITS = EPT_W | EPT_X;
const EPT_MMIO_MARKER = 1 << 11; // bit 11 is ignored by the processor (SDM table 29-6)

const EPT_FORMAT: Stage2Format = {
  present: (lo) => (lo & 7) !== 0,
  mmio: (lo) => (lo & 7) === EPT_MMIO_BITS,
  flags: (lo) => lo & 7,
  table: (hpa) => [hpa | EPT_R | EPT_W | EPT_X, 0],
  leaf: (hpa, flags) => [hpa | EPT_MEMTYPE_WB | (flags & 7), 0],
  mmioLeaf: (gpa) => [gpa | EPT_MMIO_MARKER | EPT_MMIO_BITS, 0],
};

export class Ept extends Stage2Tables {
  constructor(tableBase: number) {
    super(tableBase, EPT_FORMAT);
  }

  /** EPTP: the PML4's HPA with the write-back memory type and a 4-level walk (SDM §25.6.11). */
  get eptp(): number {
    return this.tableBase + 6 /* WB */ + (3 << 3) /* walk length 4 */;
  }
}

/** "R/W/X" letters of an EPT entry's permission bits. */
export function eptRwx(flags: number): string {
  return `${flags & EPT_R ? 'R' : '-'}${flags & EPT_W ? 'W' : '-'}${flags & EPT_X ? 'X' : '-'}`;
}
