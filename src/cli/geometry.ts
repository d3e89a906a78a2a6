// `--tlb ENTRIES:WAYS` and `--gpa-cache ENTRIES:WAYS`: the geometry of the TLB and of the
// guest-physical mappings cache behind it (docs/translation.md), as the launch configuration's
// `tlb` and `gpaCache` give it.
import { CacheGeometry, geometryError } from '../vm';

export interface CacheFlags {
  tlb?: string;
  gpaCache?: string;
}

export interface CacheGeometries { tlb?: CacheGeometry; gpaCache?: CacheGeometry }

/** The two geometries the flags ask for (absent ones omitted), or what is wrong, naming the flag. */
export function parseCacheFlags(o: CacheFlags): CacheGeometries | { error: string } {
  const out: CacheGeometries = {};
  for (const [key, flag] of [['tlb', '--tlb'], ['gpaCache', '--gpa-cache']] as const) {
    const text = o[key];
    if (text === undefined) continue;
    const m = /^(\d+):(\d+)$/.exec(text);
    if (!m) return { error: `${flag}: expected ENTRIES:WAYS (e.g. 64:4), got '${text}'` };
    const g = { entries: Number(m[1]), ways: Number(m[2]) };
    const bad = geometryError(flag, g);
    if (bad) return { error: bad };
    out[key] = g;
  }
  return out;
}
