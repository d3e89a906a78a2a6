// Extended page tables in Intel's format (SDM vol. 3 §29.3 "The extended page-table mechanism"):
// a 4-level walk (PML4, PDPT, PD, PT) of 512 eight-byte entries per 4 KiB table; bits 2:0 = R/W/X,
// bits 5:3 = memory type (6 = write-back) on leaves, bits 51:12 = the physical address.
// The tables live in host frames of their own, above guest RAM in host-physical space.
//
// An MMIO page gets KVM's "MMIO SPTE" (arch/x86/kvm/mmu/spte.h, make_mmio_spte): an entry that the
// processor finds misconfigured — here write+execute without read, which SDM §29.3.3.1 lists as an
// EPT misconfiguration — so later accesses exit as EPT_MISCONFIG and skip the memslot lookup.

export const EPT_R = 1, EPT_W = 2, EPT_X = 4;
export const EPT_MEMTYPE_WB = 6 << 3;
/** The misconfigured pattern KVM-style MMIO entries carry (bits 2:0 = 110b), plus an ignored marker bit. */
const EPT_MMIO_BITS = EPT_W | EPT_X;
const EPT_MMIO_MARKER = 1 << 11; // bit 11 is ignored by the processor (SDM table 29-6)
const ENTRIES = 512;
const MEMO_SIZE = 4096;

export const enum EptResult {
  /** A present leaf: `hostPage` holds the HPA of the page; `leafFlags` its R/W/X bits. */
  Mapped,
  /** Some level is not present: EPT violation. */
  NotPresent,
  /** The leaf is misconfigured (an MMIO SPTE): EPT misconfiguration. */
  Misconfig,
}

export interface EptLeaf { gpa: number; hpa: number; flags: number; mmio: boolean }

export class Ept {
  /** Entries of every table: two uint32 halves per entry, table t at [t*1024, t*1024+1024). */
  private lo = new Uint32Array(ENTRIES * 16);
  private hi = new Uint32Array(ENTRIES * 16);
  private tables = 1; // table 0 is the PML4
  /** HPA of table t = tableBase + t * 4096. */
  readonly tableBase: number;
  /** Outputs of walk(). */
  hostPage = 0;
  leafFlags = 0;
  /** Memory references made by walks, for the cost model and statistics. */
  refs = 0;
  /**
   * The emulator's memo of leaves by GPA page (not architectural state): a hit gives the same
   * result as the 4-level walk, which is still counted in `refs` for the cost model. Any change to
   * the tables clears it.
   */
  private readonly memoTag = new Int32Array(MEMO_SIZE).fill(-1);
  private readonly memoLeaf = new Uint32Array(MEMO_SIZE);
  /** Present leaves (RAM) and MMIO SPTEs, for the summary. */
  mappedPages = 0;
  mmioPages = 0;

  constructor(tableBase: number) {
    this.tableBase = tableBase;
  }

  /** EPTP: the PML4's HPA with the write-back memory type and a 4-level walk (SDM §25.6.11). */
  get eptp(): number {
    return this.tableBase + 6 /* WB */ + (3 << 3) /* walk length 4 */;
  }

  /** Walks `gpa` (the processor's side). Sets hostPage/leafFlags for a mapped page. */
  walk(gpa: number): EptResult {
    const page = gpa >>> 12, m = page & (MEMO_SIZE - 1);
    if (this.memoTag[m] === page) {
      this.refs += 4;
      return this.leafResult(this.memoLeaf[m]);
    }
    let t = 0;
    for (let level = 3; level >= 0; level--) {
      const e = t * ENTRIES + index(gpa, level);
      this.refs++;
      const lo = this.lo[e];
      if ((lo & 7) === 0) return EptResult.NotPresent;
      if (level === 0) {
        this.memoTag[m] = page;
        this.memoLeaf[m] = lo;
        return this.leafResult(lo);
      }
      t = (((lo & ~0xfff) >>> 0) - this.tableBase) >>> 12;
    }
    return EptResult.NotPresent;
  }

  private leafResult(lo: number): EptResult {
    if ((lo & 7) === EPT_MMIO_BITS) return EptResult.Misconfig;
    this.leafFlags = lo & 7;
    this.hostPage = (lo & ~0xfff) >>> 0;
    return EptResult.Mapped;
  }

  /** Installs a leaf for the page of `gpa` (the hypervisor's side, on an EPT violation). */
  map(gpa: number, hpa: number, flags: number): void {
    const e = this.leafSlot(gpa);
    if ((this.lo[e] & 7) === 0) this.mappedPages++;
    this.lo[e] = ((hpa & ~0xfff) | EPT_MEMTYPE_WB | (flags & 7)) >>> 0;
    this.hi[e] = 0;
    this.memoTag.fill(-1);
  }

  /** Installs an MMIO SPTE for the page of `gpa`. */
  mapMmio(gpa: number): void {
    const e = this.leafSlot(gpa);
    if ((this.lo[e] & 7) === 0) this.mmioPages++;
    this.lo[e] = (((gpa >>> 0) & ~0xfff) | EPT_MMIO_MARKER | EPT_MMIO_BITS) >>> 0;
    this.hi[e] = 0;
    this.memoTag.fill(-1);
  }

  /** Drops every mapping (memslot change, reset): INVEPT follows at the caller. */
  clear(): void {
    this.lo.fill(0);
    this.hi.fill(0);
    this.tables = 1;
    this.mappedPages = 0;
    this.mmioPages = 0;
    this.memoTag.fill(-1);
  }

  /** Raw 64-bit entry of `gpa`'s leaf, or undefined if a level above is missing (for views). */
  leafEntry(gpa: number): bigint | undefined {
    let t = 0;
    for (let level = 3; level >= 0; level--) {
      const e = t * ENTRIES + index(gpa, level);
      if (level === 0) return (BigInt(this.hi[e]) << 32n) | BigInt(this.lo[e]);
      if ((this.lo[e] & 7) === 0) return undefined;
      t = (((this.lo[e] & ~0xfff) >>> 0) - this.tableBase) / 4096;
    }
    return undefined;
  }

  /** Every present leaf, in GPA order (for `info ept` and the Memory view). */
  leaves(): EptLeaf[] {
    const out: EptLeaf[] = [];
    const visit = (t: number, level: number, gpaBase: number): void => {
      for (let i = 0; i < ENTRIES; i++) {
        const lo = this.lo[t * ENTRIES + i];
        if ((lo & 7) === 0) continue;
        const gpa = gpaBase + i * 2 ** (12 + 9 * level);
        if (level === 0) {
          const mmio = (lo & 7) === EPT_MMIO_BITS;
          out.push({ gpa, hpa: mmio ? 0 : (lo & ~0xfff) >>> 0, flags: lo & 7, mmio });
        } else {
          visit((((lo & ~0xfff) >>> 0) - this.tableBase) / 4096, level - 1, gpa);
        }
      }
    };
    visit(0, 3, 0);
    return out;
  }

  get tableCount(): number { return this.tables; }

  /** The leaf's entry index, allocating the tables above it on the way. */
  private leafSlot(gpa: number): number {
    let t = 0;
    for (let level = 3; level > 0; level--) {
      const e = t * ENTRIES + index(gpa, level);
      if ((this.lo[e] & 7) === 0) {
        const fresh = this.allocTable();
        this.lo[e] = ((this.tableBase + fresh * 4096) | EPT_R | EPT_W | EPT_X) >>> 0;
      }
      t = (((this.lo[e] & ~0xfff) >>> 0) - this.tableBase) / 4096;
    }
    return t * ENTRIES + index(gpa, 0);
  }

  private allocTable(): number {
    const t = this.tables++;
    if (this.tables * ENTRIES > this.lo.length) {
      const lo = new Uint32Array(this.lo.length * 2), hi = new Uint32Array(this.hi.length * 2);
      lo.set(this.lo); hi.set(this.hi);
      this.lo = lo; this.hi = hi;
    }
    return t;
  }
}

/** The 9-bit index of `gpa` at `level` (3 = PML4 … 0 = PT). GPAs are 32-bit here, so PML4 index is 0. */
function index(gpa: number, level: number): number {
  return level === 3 ? 0 : (gpa >>> (12 + 9 * level)) & 511;
}
