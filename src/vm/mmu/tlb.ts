// The vCPU's TLB (docs/machine.md): caches final GVA → HPA translations with the GPA and permissions,
// tagged with the VPID of the VM context and the guest ASID (Intel SDM vol. 3 §28.1 "VPIDs",
// §28.4.1 "Information that may be cached"; RISC-V privileged spec §4.2.1 for sfence.vma).
// Set-associative, size and associativity configurable; a miss fills the set's invalid way if it
// has one, else replaces ways in round-robin order (a FIFO per set — what many real TLBs use, and
// cheap: a hit changes no state). Entries live in typed arrays; the CPU's own per-page fast tables
// are a subset of it, kept coherent by `onDrop`.
import { PTE_G } from './sv32';

/** ASID value used for translations made with paging off (M-mode, or satp.MODE = Bare). */
export const ASID_BARE = 0x200;

/** A set-associative cache's size: `entries` = `ways` × a power-of-two number of sets. */
export interface CacheGeometry {
  entries: number;
  ways: number;
}

export type TlbConfig = CacheGeometry;

/** Checks a cache geometry (the TLB's and this one's): what is wrong, or undefined. */
export function geometryError(what: string, c: CacheGeometry): string | undefined {
  if (!(Number.isInteger(c.entries) && Number.isInteger(c.ways) && c.entries > 0 && c.ways > 0 && c.entries % c.ways === 0)) {
    return `${what}: entries (${c.entries}) must be a positive multiple of ways (${c.ways})`;
  }
  const sets = c.entries / c.ways;
  if (sets & (sets - 1)) return `${what}: the number of sets (${sets}) must be a power of two`;
  if (c.ways > 255) return `${what}: at most 255 ways (got ${c.ways})`;
  return undefined;
}


export const DEFAULT_TLB: TlbConfig = { entries: 64, ways: 4 };

interface TlbStats {
  hits: number;
  misses: number;
  flushes: number;
  /** Completed walks after misses, and the memory references they made (both stages). */
  walks: number;
  walkRefs: number;
  /**
   * Guest PTE addresses the guest-physical mappings cache translated (no EPT/NPT walk), and those it
   * did not (a stage-2 walk): gpa-cache.ts.
   */
  gpaHits: number;
  gpaMisses: number;
  /**
   * INVEPT (all, and by type) and INVVPID the hypervisor executed for this vCPU (src/vm/hv/invalidate.ts;
   * docs/translation.md).
   */
  invept: number;
  inveptSingle: number;
  inveptGlobal: number;
  invvpid: number;
}

/**
 * An entry's flags are its leaf PTE's bits (sv32.ts: R/W/X/U, D), already restricted by stage 2; G
 * marks a global mapping, which matches every ASID but the bare one.
 */
export const TLB_G = PTE_G;

/** The counters of the caches behind the TLB, zero (shared by the TLB's stats and --stats). */
export type CacheStats = Pick<TlbStats, 'gpaHits' | 'gpaMisses' | 'invept' | 'inveptSingle' | 'inveptGlobal' | 'invvpid'>;

export function newCacheStats(): CacheStats {
  return { gpaHits: 0, gpaMisses: 0, invept: 0, inveptSingle: 0, inveptGlobal: 0, invvpid: 0 };
}

export class Tlb {
  readonly sets: number;
  readonly ways: number;
  readonly valid: Uint8Array;
  readonly vpid: Uint16Array;
  readonly asid: Uint16Array;
  readonly vpn: Int32Array;
  readonly hostPage: Int32Array;
  readonly gpaPage: Float64Array;
  readonly flags: Uint8Array;
  /** The entry the last insert() filled. */
  lastInserted = 0;
  /** Per set: the way the next replacement takes. */
  private readonly nextVictim: Uint8Array;
  readonly stats: TlbStats = { hits: 0, misses: 0, flushes: 0, walks: 0, walkRefs: 0, ...newCacheStats() };

  /** `onDrop(vpn)` runs for every entry evicted or invalidated, so the CPU's fast tables follow. */
  constructor(config: TlbConfig, private readonly onDrop: (vpn: number) => void) {
    const bad = geometryError('TLB', config);
    if (bad) throw new RangeError(bad);
    this.ways = config.ways;
    this.sets = config.entries / config.ways;
    const n = config.entries;
    this.valid = new Uint8Array(n);
    this.vpid = new Uint16Array(n);
    this.asid = new Uint16Array(n);
    this.vpn = new Int32Array(n);
    this.hostPage = new Int32Array(n);
    this.gpaPage = new Float64Array(n);
    this.flags = new Uint8Array(n);
    this.nextVictim = new Uint8Array(this.sets);
  }

  get size(): number { return this.valid.length; }

  /** Index of the entry translating `vpn` in context (vpid, asid), or -1. Global entries match any ASID. */
  lookup(vpid: number, asid: number, vpn: number): number {
    const base = (vpn & (this.sets - 1)) * this.ways;
    for (let i = base; i < base + this.ways; i++) {
      if (this.valid[i] && this.vpn[i] === vpn && this.vpid[i] === vpid &&
        (this.asid[i] === asid || (this.flags[i] & TLB_G && asid !== ASID_BARE && this.asid[i] !== ASID_BARE))) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Installs a translation: over the same page's entry (a permission upgrade after a walk), else in
   * an invalid way, else in the set's next way in round-robin order.
   */
  insert(vpid: number, asid: number, vpn: number, hostPage: number, gpaPage: number, flags: number): number {
    const set = vpn & (this.sets - 1);
    const victim = this.peekVictim(vpid, asid, vpn);
    if (this.valid[victim]) {
      // Neither the same page's entry nor a free way: the round-robin pointer chose it, and moves on.
      if (!(this.vpn[victim] === vpn && this.vpid[victim] === vpid && this.asid[victim] === asid)) {
        this.nextVictim[set] = (this.nextVictim[set] + 1) % this.ways;
      }
      this.onDrop(this.vpn[victim]);
    }
    this.valid[victim] = 1;
    this.vpid[victim] = vpid;
    this.asid[victim] = asid;
    this.vpn[victim] = vpn;
    this.hostPage[victim] = hostPage;
    this.gpaPage[victim] = gpaPage;
    this.flags[victim] = flags;
    this.lastInserted = victim;
    return victim;
  }

  /** The entry insert() would fill for `vpn` now, without filling it (for the translation explorer). */
  peekVictim(vpid: number, asid: number, vpn: number): number {
    const set = vpn & (this.sets - 1), base = set * this.ways;
    let free = -1;
    for (let i = base; i < base + this.ways; i++) {
      if (!this.valid[i]) { if (free < 0) free = i; continue; }
      if (this.vpn[i] === vpn && this.vpid[i] === vpid && this.asid[i] === asid) return i;
    }
    return free >= 0 ? free : base + this.nextVictim[set];
  }

  /** Drops every entry (a flush on VM entry/exit without VPID, INVEPT, INVVPID all-context). */
  flushAll(): void {
    this.stats.flushes++;
    this.drop(() => true);
  }

  /**
   * sfence.vma semantics within one VPID (§4.2.1): `vpn`/`asid` undefined mean "all". Global
   * entries survive an ASID-specific fence.
   */
  flush(vpid: number, vpn: number | undefined, asid: number | undefined): void {
    this.stats.flushes++;
    this.drop((i) => this.vpid[i] === vpid && (vpn === undefined || this.vpn[i] === vpn) &&
      (asid === undefined || (this.asid[i] === asid && !(this.flags[i] & TLB_G))));
  }

  /** Drops the entries of `vpn` in every context (the hypervisor changed what backs it). */
  invalidatePage(vpn: number): void {
    this.drop((i) => this.vpn[i] === vpn);
  }

  private drop(match: (i: number) => boolean): void {
    for (let i = 0; i < this.valid.length; i++) {
      if (this.valid[i] && match(i)) {
        this.valid[i] = 0;
        this.onDrop(this.vpn[i]);
      }
    }
  }

  /** Valid entries, for views and `info tlb`. */
  entries(): { index: number; vpid: number; asid: number; gva: number; gpa: number; hpa: number; flags: number }[] {
    const out = [];
    for (let i = 0; i < this.valid.length; i++) {
      if (!this.valid[i]) continue;
      out.push({ index: i, vpid: this.vpid[i], asid: this.asid[i], gva: (this.vpn[i] << 12) >>> 0, gpa: this.gpaPage[i], hpa: this.hostPage[i], flags: this.flags[i] });
    }
    return out;
  }
}
