// The C debugging information of an ELF (docs/debugging.md "C debugging"): functions and their
// scopes by pc, parameters, locals and globals with their C types and locations, call frame
// information. Built from `.debug_info`/`.debug_abbrev` (+ strings, location and range lists,
// `.debug_frame`/`.eh_frame`); anything malformed degrades to "no variables" with a warning.
import type { ElfImage } from '../../asm/elf-reader';
import { lineFileNames, Truncated } from '../dwarf-line';
import { CallFrameInfo } from './cfi';
import { addrx, AT, Die, readDebugInfo, ref, Sections, sec, str, TAG, Unit } from './info';
import { evalLocation, FrameAccess, Location, locationListAt, rangeList } from './location';
import { CType, TypeTable } from './types';

export interface CVariable {
  name: string;
  kind: 'param' | 'local' | 'global';
  type: CType;
  die: Die;
  /** For a global: its static address when the location is a plain DW_OP_addr. */
  address?: number;
}

export interface CFunction {
  name: string;
  die: Die;
  ranges: [number, number][];
}

/** A call GCC inlined (DW_TAG_inlined_subroutine), at the pc asked about. */
interface InlinedCall {
  die: Die;
  /** The inlined function's name (from its abstract origin). */
  name: string;
  /** Where the call is, in the code it was inlined into (DW_AT_call_file, DW_AT_call_line). */
  callFile: string | undefined;
  callLine: number;
}

export class DwarfInfo {
  readonly types: TypeTable;
  readonly functions: CFunction[] = [];
  readonly globals: CVariable[] = [];
  readonly warnings: string[] = [];
  private readonly abstractCache = new Map<Die, Die>();
  private readonly rangeCache = new Map<Die, [number, number][]>();
  private readonly fileCache = new Map<Unit, string[] | undefined>();

  private constructor(private readonly dies: Map<number, Die>, readonly units: Unit[], private readonly s: Sections & {
    loclists?: Uint8Array; loc?: Uint8Array; rnglists?: Uint8Array; ranges?: Uint8Array; line?: Uint8Array;
  }, readonly cfi: CallFrameInfo | undefined, private readonly resolveFile: (name: string) => string = (n) => n) {
    this.types = new TypeTable(dies);
    for (const u of units) if (u.root) this.indexUnit(u.root);
    this.types.index(units.flatMap((u) => (u.root ? [u.root] : [])));
    this.functions.sort((a, b) => a.ranges[0][0] - b.ranges[0][0]);
  }

  /** Reads the ELF's DWARF; `info` is undefined (with a warning) when there is none or it is unusable. */
  /** `resolveFile` names source files as the line table's rows are named (relative to the ELF). */
  static load(elf: ElfImage, file: string, resolveFile?: (name: string) => string): { info?: DwarfInfo; warning?: string } {
    const info = elf.sectionData('.debug_info'), abbrev = elf.sectionData('.debug_abbrev');
    const frame = elf.sectionData('.debug_frame');
    const eh = elf.sectionData('.eh_frame');
    const ehAddress = elf.sections.find((x) => x.name === '.eh_frame')?.address ?? 0;
    let cfi: CallFrameInfo | undefined;
    try {
      const fromEh = eh ? new CallFrameInfo(eh, true, ehAddress) : undefined;
      cfi = frame ? (fromEh ? new CallFrameInfo(frame).absorb(fromEh) : new CallFrameInfo(frame)) : fromEh;
    } catch {
      cfi = undefined;
    }
    if (!info || !abbrev) return { warning: undefined };
    const s = {
      info, abbrev, str: elf.sectionData('.debug_str'), lineStr: elf.sectionData('.debug_line_str'),
      strOffsets: elf.sectionData('.debug_str_offsets'), addr: elf.sectionData('.debug_addr'),
      loclists: elf.sectionData('.debug_loclists'), loc: elf.sectionData('.debug_loc'),
      rnglists: elf.sectionData('.debug_rnglists'), ranges: elf.sectionData('.debug_ranges'), line: elf.sectionData('.debug_line'),
    };
    const r = readDebugInfo(s);
    if ('error' in r) return { warning: `${file}: .debug_info: ${r.error}; no C variables (source lines still work)` };
    try {
      const d = new DwarfInfo(r.dies, r.units, s, cfi, resolveFile);
      return { info: d, warning: d.warnings.length ? `${file}: ${d.warnings.join('; ')}` : undefined };
    } catch (e) {
      return { warning: `${file}: DWARF: ${e instanceof Truncated ? `truncated or malformed (${e.what})` : String(e)}; no C variables` };
    }
  }

  // ---- indexing ----

  private indexUnit(root: Die): void {
    for (const d of root.children) {
      if (d.tag === TAG.subprogram) {
        const ranges = this.rangesOf(d);
        if (ranges.length) this.functions.push({ name: this.nameOf(d) ?? '?', die: d, ranges });
      } else if (d.tag === TAG.variable) {
        const decl = this.defining(d);
        const name = this.nameOf(d);
        if (!name || !d.attrs.has(AT.location)) continue;
        const loc = d.attrs.get(AT.location);
        let address: number | undefined;
        if (loc instanceof Uint8Array && loc.length === 5 && loc[0] === 0x03) address = (loc[1] | (loc[2] << 8) | (loc[3] << 16) | (loc[4] << 24)) >>> 0;
        this.globals.push({ name, kind: 'global', type: this.types.typeOf(decl), die: d, address });
      }
    }
  }

  /** The DIE that carries a name and type: through DW_AT_abstract_origin / DW_AT_specification. */
  private defining(d: Die): Die {
    const cached = this.abstractCache.get(d);
    if (cached) return cached;
    let x = d;
    for (let i = 0; i < 8; i++) {
      if (x.attrs.has(AT.type) || x.attrs.has(AT.name)) break;
      const o = ref(x, AT.abstract_origin) ?? ref(x, AT.specification);
      const next = o !== undefined ? this.dies.get(o) : undefined;
      if (!next) break;
      x = next;
    }
    if (!x.attrs.has(AT.type)) {
      const o = ref(x, AT.abstract_origin) ?? ref(x, AT.specification);
      const next = o !== undefined ? this.dies.get(o) : undefined;
      if (next?.attrs.has(AT.type)) x = next;
    }
    this.abstractCache.set(d, x);
    return x;
  }

  private nameOf(d: Die): string | undefined {
    let x: Die | undefined = d;
    for (let i = 0; i < 8 && x; i++) {
      const n = str(x, AT.name);
      if (n) return n;
      const o: number | undefined = ref(x, AT.abstract_origin) ?? ref(x, AT.specification);
      x = o !== undefined ? this.dies.get(o) : undefined;
    }
    return undefined;
  }

  /** [low, high) ranges of a DIE with low/high pc or DW_AT_ranges. */
  rangesOf(d: Die): [number, number][] {
    const low = this.address(d, AT.low_pc);
    const highRaw = d.attrs.get(AT.high_pc);
    if (low !== undefined && highRaw !== undefined) {
      const high = typeof highRaw === 'number' ? (highRaw <= low ? low + highRaw : highRaw) : this.address(d, AT.high_pc) ?? low;
      return [[low >>> 0, high >>> 0]];
    }
    const r = sec(d, AT.ranges);
    if (r === undefined) return [];
    const u = d.unit;
    const data = u.version >= 5 ? this.s.rnglists : this.s.ranges;
    if (!data) return [];
    const offset = r < 0 ? this.listIndex(data, u.rnglistsBase, -1 - r) : r;
    try {
      return rangeList(data, offset, u.version, u.base, (i) => addrx(this.s, u, i)).filter(([a, b]) => b > a);
    } catch {
      return [];
    }
  }

  private address(d: Die, name: number): number | undefined {
    const v = d.attrs.get(name);
    if (typeof v === 'number') return v;
    if (typeof v === 'object' && v !== null && 'addrx' in v) return addrx(this.s, d.unit, v.addrx);
    return undefined;
  }

  private listIndex(data: Uint8Array, base: number, index: number): number {
    const p = base + 4 * index;
    if (p + 4 > data.length) throw new Truncated('list index');
    return base + ((data[p] | (data[p + 1] << 8) | (data[p + 2] << 16) | (data[p + 3] << 24)) >>> 0);
  }

  // ---- queries ----

  functionAt(pc: number): CFunction | undefined {
    return this.functions.find((f) => f.ranges.some(([a, b]) => pc >= a && pc < b));
  }

  /** Cached rangesOf, for the blocks looked at on every stop and step. */
  private blockRanges(d: Die): [number, number][] {
    let r = this.rangeCache.get(d);
    if (!r) { r = this.rangesOf(d); this.rangeCache.set(d, r); }
    return r;
  }

  /** The DIEs from the function's down to the innermost lexical block or inlined call containing `pc`. */
  private blockPath(fn: CFunction, pc: number): Die[] {
    const path = [fn.die];
    for (let d = fn.die, depth = 0; depth < 64; depth++) {
      const inner = d.children.find((c) => (c.tag === TAG.lexical_block || c.tag === TAG.inlined_subroutine) &&
        this.blockRanges(c).some(([a, b]) => pc >= a && pc < b));
      if (!inner) break;
      path.push(inner);
      d = inner;
    }
    return path;
  }

  /**
   * The calls inlined at `pc`, outermost first: a pc in a function GCC inlined into another (at -O2)
   * is in that function and, at the call's line, in the one it was inlined into, as GDB shows it.
   */
  inlineChainAt(pc: number): InlinedCall[] {
    const fn = this.functionAt(pc);
    if (!fn) return [];
    return this.blockPath(fn, pc).filter((d) => d.tag === TAG.inlined_subroutine).map((d) => {
      const line = d.attrs.get(AT.call_line), file = d.attrs.get(AT.call_file);
      return {
        die: d, name: this.nameOf(d) ?? '?', callLine: typeof line === 'number' ? line : 0,
        callFile: typeof file === 'number' ? this.fileNames(d.unit)?.[file] : undefined,
      };
    });
  }

  /** A unit's file names by number (its line program's header), as source lines name them. */
  private fileNames(u: Unit): string[] | undefined {
    if (this.fileCache.has(u)) return this.fileCache.get(u);
    const at = u.root ? sec(u.root, AT.stmt_list) : undefined;
    const names = at !== undefined && this.s.line ? lineFileNames(this.s.line, at, this.s.lineStr, this.s.str)?.map(this.resolveFile) : undefined;
    this.fileCache.set(u, names);
    return names;
  }

  /**
   * Parameters and locals visible at `pc` (innermost scope first wins on a name), params first. With
   * inlined calls at `pc`, `level` picks the frame: 0 the function itself, k the k-th inlined call
   * (inlineChainAt), by default the innermost; each sees its own variables only, as in GDB.
   */
  scopeAt(pc: number, level?: number): { fn: CFunction; vars: CVariable[] } | undefined {
    const fn = this.functionAt(pc);
    if (!fn) return undefined;
    const vars: CVariable[] = [];
    const seen = new Set<string>();
    const path = this.blockPath(fn, pc);
    const levels: number[] = [];
    for (let i = 0, k = 0; i < path.length; i++) levels.push(path[i].tag === TAG.inlined_subroutine ? ++k : k);
    const want = Math.min(level ?? Infinity, levels[levels.length - 1]);
    const chain = path.filter((_, i) => levels[i] === want);
    for (let i = chain.length - 1; i >= 0; i--) {
      for (const c of chain[i].children) {
        if (c.tag !== TAG.formal_parameter && c.tag !== TAG.variable) continue;
        const name = this.nameOf(c);
        if (!name || seen.has(name)) continue;
        seen.add(name);
        vars.push({ name, kind: c.tag === TAG.formal_parameter ? 'param' : 'local', type: this.types.typeOf(this.defining(c)), die: c });
      }
    }
    vars.sort((a, b) => (a.kind === 'param' ? 0 : 1) - (b.kind === 'param' ? 0 : 1));
    return { fn, vars };
  }

  global(name: string): CVariable | undefined {
    return this.globals.find((g) => g.name === name);
  }

  /** Where `v` lives at `pc` in the frame `f`. */
  locate(v: CVariable, pc: number, f: FrameAccess): Location {
    const d = v.die;
    const cv = d.attrs.get(AT.const_value) ?? this.defining(d).attrs.get(AT.const_value);
    if (typeof cv === 'number') return { kind: 'value', value: cv >>> 0 };
    if (cv instanceof Uint8Array) return { kind: 'bytes', bytes: cv };
    const expr = this.expressionAt(d, AT.location, pc);
    if (!expr) return { kind: 'optimized', why: d.attrs.has(AT.location) ? 'optimized out at this pc' : 'optimized out' };
    return evalLocation(expr, f);
  }

  /** The frame base of the function containing `pc` (DW_AT_frame_base), evaluated in `f`. */
  frameBase(fn: CFunction, pc: number, f: FrameAccess): number | undefined {
    const expr = this.expressionAt(fn.die, AT.frame_base, pc);
    if (!expr) return undefined;
    const loc = evalLocation(expr, { ...f, frameBase: () => undefined });
    if (loc.kind === 'memory') return loc.address;
    if (loc.kind === 'register') return f.reg(loc.reg);
    if (loc.kind === 'value') return loc.value;
    return undefined;
  }

  /** An attribute's expression at `pc`: an exprloc, or the entry of its location list covering `pc`. */
  private expressionAt(d: Die, name: number, pc: number): Uint8Array | undefined {
    const v = d.attrs.get(name);
    if (v instanceof Uint8Array) return v;
    const u = d.unit;
    let offset: number | undefined;
    if (typeof v === 'object' && v !== null && 'sec' in v) offset = v.sec;
    else if (typeof v === 'number' && u.version < 4) offset = v;
    if (offset === undefined) return undefined;
    const data = u.version >= 5 ? this.s.loclists : this.s.loc;
    if (!data) return undefined;
    try {
      if (offset < 0) offset = this.listIndex(data, u.loclistsBase, -1 - offset);
      return locationListAt(data, offset, u.version, u.base, pc, (i) => addrx(this.s, u, i));
    } catch {
      return undefined;
    }
  }
}


