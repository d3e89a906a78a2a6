// The guest-physical mappings of the paging-structure caches (Intel SDM vol. 3 §29.4.1 "Information
// that may be cached": with EPT a logical processor may cache guest-physical mappings, GPA → HPA,
// derived from the EPT alone and tagged by the EPTP's EP4TA, beside the combined mappings GVA → HPA
// that the TLB holds). The processor uses them when it walks the guest's page tables: a PTE's GPA
// found here costs no stage-2 walk. INVEPT invalidates them (single-context: one EPTP; global: all);
// VM entries and exits do not, with or without VPIDs (§29.4.3.1), and INVVPID does not either.
// AMD parts cache nested translations too (APM vol. 2 §15.25); there the model tags them by nCR3 and
// ASID, so KVM's "new ASID instead of a flush" leaves them unreachable (docs/translation.md).
// Set-associative, round-robin replacement, geometry configurable.

import { CacheGeometry, geometryError } from './tlb';

export type GpaCacheConfig = CacheGeometry;

export const DEFAULT_GPA_CACHE: GpaCacheConfig = { entries: 16, ways: 4 };

export class GpaCache {
  readonly sets: number;
  readonly ways: number;
  /** GPA page number of each entry, or -1 when invalid. */
  readonly page: Int32Array;
  /** The tag the mapping belongs to: the EPTP, or nCR3 and ASID (NestedPaging.cacheTag). */
  readonly tag: Float64Array;
  readonly hostPage: Float64Array;
  private readonly nextVictim: Uint8Array;

  constructor(config: GpaCacheConfig) {
    const bad = geometryError('guest-physical cache', config);
    if (bad) throw new RangeError(bad);
    this.ways = config.ways;
    this.sets = config.entries / config.ways;
    this.page = new Int32Array(config.entries).fill(-1);
    this.tag = new Float64Array(config.entries);
    this.hostPage = new Float64Array(config.entries);
    this.nextVictim = new Uint8Array(this.sets);
  }

  get size(): number { return this.page.length; }

  /** Host page of GPA page `page` under `tag`, or -1. Changes nothing. */
  lookup(tag: number, page: number): number {
    const base = (page & (this.sets - 1)) * this.ways;
    for (let i = base; i < base + this.ways; i++) if (this.page[i] === page && this.tag[i] === tag) return this.hostPage[i];
    return -1;
  }

  /** Fills the set's first invalid way, else its next way in round-robin order. */
  insert(tag: number, page: number, hostPage: number): void {
    const set = page & (this.sets - 1), base = set * this.ways;
    let victim = -1;
    for (let i = base; i < base + this.ways && victim < 0; i++) if (this.page[i] < 0) victim = i;
    if (victim < 0) {
      victim = base + this.nextVictim[set];
      this.nextVictim[set] = (this.nextVictim[set] + 1) % this.ways;
    }
    this.page[victim] = page;
    this.tag[victim] = tag;
    this.hostPage[victim] = hostPage;
  }

  /** INVEPT single-context (`tag` given) or global (SDM vol. 3 §31.3 "INVEPT"). */
  invalidate(tag?: number): void {
    for (let i = 0; i < this.page.length; i++) if (tag === undefined || this.tag[i] === tag) this.page[i] = -1;
  }

  /** An independent copy (the translation explorer walks a copy, so the cache itself never changes). */
  clone(): GpaCache {
    const c = new GpaCache({ entries: this.size, ways: this.ways });
    c.page.set(this.page);
    c.tag.set(this.tag);
    c.hostPage.set(this.hostPage);
    c.nextVictim.set(this.nextVictim);
    return c;
  }

  /** Valid entries, for views and `info tlb`. */
  entries(): { index: number; tag: number; gpa: number; hpa: number }[] {
    const out = [];
    for (let i = 0; i < this.page.length; i++) if (this.page[i] >= 0) out.push({ index: i, tag: this.tag[i], gpa: this.page[i] * 4096, hpa: this.hostPage[i] });
    return out;
  }
}
