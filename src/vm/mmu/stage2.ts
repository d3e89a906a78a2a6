// The second stage of translation (GPA → HPA) as both vendors build it: a 4-level radix tree of
// 512 eight-byte entries per 4 KiB table (PML4, PDPT, PD, PT), owned by the hypervisor. Intel's EPT
// (src/vm/mmu/ept.ts) and AMD's nested page tables (src/vm/mmu/npt.ts) share this store and walk;
// they differ only in how an entry is encoded (which bits say "present", the permission bits, the
// pattern KVM uses for MMIO pages) — see docs/npt.md. The tables live in host frames of their own,
// above guest RAM in host-physical space.

const ENTRIES = 512;
const MEMO_SIZE = 4096;

export const enum Stage2Result {
  /** A present leaf: `hostPage` holds the HPA of the page; `leafFlags` its permission bits. */
  Mapped,
  /** Some level is not present: EPT violation / nested page fault (P = 0). */
  NotPresent,
  /** The leaf is KVM's MMIO entry: EPT misconfiguration / nested page fault with RSVD = 1. */
  Mmio,
}

interface Stage2Leaf { gpa: number; hpa: number; flags: number; mmio: boolean }

/** One level of a stage-2 walk, as the translation explorer shows it (no side effects). */
interface Stage2Step {
  /** 3 = PML4 … 0 = PT. */
  level: number;
  /** Host-physical address of the table and of the entry read. */
  tableHpa: number;
  index: number;
  entryHpa: number;
  /** The raw 64-bit entry. */
  entry: bigint;
  present: boolean;
}

/** What a vendor format decides; the rest of the tree is common. */
export interface Stage2Format {
  /** Does the entry (lo/hi halves) point somewhere, i.e. is it not "not present"? */
  present(lo: number, hi: number): boolean;
  /** Is this leaf KVM's MMIO pattern (misconfigured / reserved bits)? */
  mmio(lo: number, hi: number): boolean;
  /** The permission bits a present leaf grants, in the format's own numbering. */
  flags(lo: number, hi: number): number;
  /** A non-leaf entry pointing at the table at `hpa`. */
  table(hpa: number): [lo: number, hi: number];
  /** A leaf mapping `hpa` with `flags`. */
  leaf(hpa: number, flags: number): [lo: number, hi: number];
  /** KVM's MMIO entry for the page of `gpa`. */
  mmioLeaf(gpa: number): [lo: number, hi: number];
  /**
   * The accessed and dirty bits (low half) the processor's walk sets, when the format has them and
   * they are enabled (NPT: always; EPT: only with EPTP bit 6, which the model leaves clear —
   * docs/npt.md "Accessed and dirty bits").
   */
  readonly accessed?: number;
  readonly dirty?: number;
}

export class Stage2Tables {
  /** Entries of every table: two uint32 halves per entry, table t at [t*512, t*512+512). */
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
   * the tables clears it. It holds the leaf's entry index.
   */
  private readonly memoTag = new Int32Array(MEMO_SIZE).fill(-1);
  private readonly memoEntry = new Int32Array(MEMO_SIZE);
  /** Present leaves (RAM) and MMIO entries, for the summary. */
  mappedPages = 0;
  mmioPages = 0;

  constructor(tableBase: number, readonly format: Stage2Format) {
    this.tableBase = tableBase;
  }

  /**
   * Walks `gpa` (the processor's side). Sets hostPage/leafFlags for a mapped page. `write`: the
   * access counts as a write for the nested walk (a store, or — under NPT — any access to a guest
   * page table), so the leaf's dirty bit is set where the format has one.
   */
  walk(gpa: number, write = false): Stage2Result {
    const page = gpa >>> 12, m = page & (MEMO_SIZE - 1);
    const accessed = this.format.accessed;
    if (this.memoTag[m] === page) {
      this.refs += 4;
      const e = this.memoEntry[m];
      if (accessed !== undefined) this.markLeaf(e, write); // the levels above kept A since the memo was filled
      return this.leafResult(e);
    }
    let t = 0;
    for (let level = 3; level >= 0; level--) {
      const e = t * ENTRIES + index(gpa, level);
      this.refs++;
      if (!this.format.present(this.lo[e], this.hi[e])) return Stage2Result.NotPresent;
      if (level === 0) {
        this.memoTag[m] = page;
        this.memoEntry[m] = e;
        if (accessed !== undefined) this.markLeaf(e, write);
        return this.leafResult(e);
      }
      if (accessed !== undefined) this.lo[e] = (this.lo[e] | accessed) >>> 0; // APM vol. 2 §5.4.1: each level's A
      t = this.tableOf(e);
    }
    return Stage2Result.NotPresent;
  }

  /** The walker's A (and, for a write, D) update of a leaf; none on KVM's MMIO entry (it faults). */
  private markLeaf(e: number, write: boolean): void {
    const lo = this.lo[e];
    if (this.format.mmio(lo, this.hi[e])) return;
    this.lo[e] = (lo | this.format.accessed! | (write ? this.format.dirty! : 0)) >>> 0;
  }

  /**
   * Clears `mask` (accessed and/or dirty bits) in every RAM leaf, as KVM's aging of guest memory does
   * for A (kvm_age_gfn → the TDP MMU's age_gfn_range) and its dirty logging by D bits for D; returns
   * how many leaves had any of them set. The caller flushes the TLBs, as clear_flush_young does.
   */
  clearLeafBits(mask: number): number {
    let n = 0;
    const visit = (t: number, level: number): void => {
      for (let i = 0; i < ENTRIES; i++) {
        const e = t * ENTRIES + i, lo = this.lo[e], hi = this.hi[e];
        if (!this.format.present(lo, hi)) continue;
        if (level > 0) { visit(this.tableOf(e), level - 1); continue; }
        if (this.format.mmio(lo, hi) || !(lo & mask)) continue;
        this.lo[e] = (lo & ~mask) >>> 0;
        n++;
      }
    };
    visit(0, 3);
    return n;
  }

  private leafResult(e: number): Stage2Result {
    const lo = this.lo[e], hi = this.hi[e];
    if (this.format.mmio(lo, hi)) return Stage2Result.Mmio;
    this.leafFlags = this.format.flags(lo, hi);
    this.hostPage = (lo & ~0xfff) >>> 0;
    return Stage2Result.Mapped;
  }

  /** Installs a leaf for the page of `gpa` (the hypervisor's side, on a violation / NPF). */
  map(gpa: number, hpa: number, flags: number): void {
    const e = this.leafSlot(gpa);
    if (!this.format.present(this.lo[e], this.hi[e])) this.mappedPages++;
    this.set(e, this.format.leaf(hpa & ~0xfff, flags));
  }

  /** Installs KVM's MMIO entry for the page of `gpa`. */
  mapMmio(gpa: number): void {
    const e = this.leafSlot(gpa);
    if (!this.format.present(this.lo[e], this.hi[e])) this.mmioPages++;
    this.set(e, this.format.mmioLeaf(((gpa >>> 0) & ~0xfff) >>> 0));
  }

  private set(e: number, [lo, hi]: [number, number]): void {
    this.lo[e] = lo >>> 0;
    this.hi[e] = hi >>> 0;
    this.memoTag.fill(-1);
  }

  /** Drops every mapping (memslot change, reset): the TLB invalidation follows at the caller. */
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
    const steps = this.describe(gpa);
    return steps.length === 4 ? steps[3].entry : undefined;
  }

  /**
   * The walk of `gpa` level by level, without side effects (no refs, no memo): stops after the
   * first entry that is not present.
   */
  describe(gpa: number): Stage2Step[] {
    const out: Stage2Step[] = [];
    let t = 0;
    for (let level = 3; level >= 0; level--) {
      const i = index(gpa, level), e = t * ENTRIES + i;
      const tableHpa = this.tableBase + t * 4096;
      const present = this.format.present(this.lo[e], this.hi[e]);
      out.push({ level, tableHpa, index: i, entryHpa: tableHpa + i * 8, entry: (BigInt(this.hi[e]) << 32n) | BigInt(this.lo[e]), present });
      if (!present || level === 0) break;
      t = this.tableOf(e);
    }
    return out;
  }

  /** Every present leaf, in GPA order (for `info ept` / `info npt` and the Memory view). */
  leaves(): Stage2Leaf[] {
    const out: Stage2Leaf[] = [];
    const visit = (t: number, level: number, gpaBase: number): void => {
      for (let i = 0; i < ENTRIES; i++) {
        const e = t * ENTRIES + i, lo = this.lo[e], hi = this.hi[e];
        if (!this.format.present(lo, hi)) continue;
        const gpa = gpaBase + i * 2 ** (12 + 9 * level);
        if (level === 0) {
          const mmio = this.format.mmio(lo, hi);
          out.push({ gpa, hpa: mmio ? 0 : (lo & ~0xfff) >>> 0, flags: mmio ? 0 : this.format.flags(lo, hi), mmio });
        } else {
          visit(this.tableOf(e), level - 1, gpa);
        }
      }
    };
    visit(0, 3, 0);
    return out;
  }

  get tableCount(): number { return this.tables; }

  private tableOf(e: number): number {
    return (((this.lo[e] & ~0xfff) >>> 0) - this.tableBase) / 4096;
  }

  /** The leaf's entry index, allocating the tables above it on the way. */
  private leafSlot(gpa: number): number {
    let t = 0;
    for (let level = 3; level > 0; level--) {
      const e = t * ENTRIES + index(gpa, level);
      if (!this.format.present(this.lo[e], this.hi[e])) {
        const fresh = this.allocTable();
        this.set(e, this.format.table(this.tableBase + fresh * 4096));
      }
      t = this.tableOf(e);
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
