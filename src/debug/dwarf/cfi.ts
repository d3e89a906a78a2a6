// Call frame information (DWARF 5 §6.4): `.debug_frame` (and `.eh_frame`, whose CIE pointers are
// relative and whose addresses follow the 'R' augmentation's pointer encoding). The unwinder asks for
// the row at a pc — how to compute the CFA and where each register of the caller was saved — instead
// of scanning the prologue (src/debug/stack.ts). Malformed entries are skipped, never thrown.
import { Reader, Truncated } from '../dwarf-line';

type Rule =
  | { kind: 'undefined' }
  | { kind: 'same' }
  | { kind: 'offset'; offset: number }
  | { kind: 'val_offset'; offset: number }
  | { kind: 'register'; reg: number };

export interface CfiRow {
  cfaReg: number;
  cfaOffset: number;
  /** A CFA given by an expression (DW_CFA_def_cfa_expression) is not followed: undefined then. */
  cfaKnown: boolean;
  rules: Map<number, Rule>;
  returnColumn: number;
}

interface Cie { codeAlign: number; dataAlign: number; returnColumn: number; initial: Uint8Array; encoding: number }
interface Fde { cie: Cie; start: number; end: number; instructions: Uint8Array }

export class CallFrameInfo {
  private readonly fdes: Fde[] = [];
  readonly errors: string[] = [];

  /** `sectionAddress` is where `.eh_frame` is loaded (for pc-relative pointers). */
  constructor(data: Uint8Array, readonly eh = false, sectionAddress = 0) {
    const cies = new Map<number, Cie>();
    let pos = 0;
    while (pos + 4 <= data.length) {
      const start = pos;
      try {
        const r = new Reader(data, pos);
        const length = r.u32();
        if (length === 0) { pos += 4; if (eh) break; continue; }
        if (length >= 0xfffffff0) { this.errors.push('64-bit call frame information is not supported'); break; }
        const end = r.pos + length;
        if (end > data.length) throw new Truncated('entry past the section');
        const idPos = r.pos;
        const id = r.u32();
        const isCie = eh ? id === 0 : id === 0xffffffff;
        if (isCie) {
          cies.set(start, readCie(new Reader(data, r.pos, end), eh));
        } else {
          const ciePos = eh ? idPos - id : id;
          const cie = cies.get(ciePos) ?? (ciePos < data.length ? cieAt(data, ciePos, eh, cies) : undefined);
          if (!cie) throw new Truncated(`CIE at 0x${ciePos.toString(16)}`);
          const fr = new Reader(data, r.pos, end);
          const loc = readPointer(fr, cie.encoding, sectionAddress);
          const range = readPointer(fr, cie.encoding & 0x0f, sectionAddress);
          if (eh && cieHasAugData(cie)) fr.skip(fr.uleb());
          this.fdes.push({ cie, start: loc >>> 0, end: (loc + range) >>> 0, instructions: data.subarray(fr.pos, end) });
        }
        pos = end;
      } catch (e) {
        this.errors.push(`entry at 0x${start.toString(16)}: ${e instanceof Truncated ? e.what : String(e)}`);
        break;
      }
    }
    this.fdes.sort((a, b) => a.start - b.start);
  }

  get size(): number { return this.fdes.length; }

  /** Adds the entries of another section (`.eh_frame` beside `.debug_frame`: GCC may write each for different objects). */
  absorb(other: CallFrameInfo): this {
    for (const f of other.fdes) if (!this.fdes.some((g) => f.start < g.end && g.start < f.end)) this.fdes.push(f);
    this.fdes.sort((a, b) => a.start - b.start);
    this.errors.push(...other.errors);
    return this;
  }

  /** The CFI row in effect at `pc`, or undefined when no FDE covers it. */
  rowAt(pc: number): CfiRow | undefined {
    const fde = this.fdes.find((f) => pc >= f.start && pc < f.end);
    if (!fde) return undefined;
    try {
      const init: CfiRow = { cfaReg: 2, cfaOffset: 0, cfaKnown: true, rules: new Map(), returnColumn: fde.cie.returnColumn };
      execute(fde.cie.initial, fde.cie, init, undefined, 0, Infinity);
      const initialRules = new Map(init.rules);
      const row = { ...init, rules: new Map(init.rules) };
      execute(fde.instructions, fde.cie, row, initialRules, fde.start, pc);
      return row;
    } catch {
      return undefined;
    }
  }
}

function cieAt(data: Uint8Array, pos: number, eh: boolean, cache: Map<number, Cie>): Cie | undefined {
  const r = new Reader(data, pos);
  const length = r.u32();
  const end = r.pos + length;
  if (end > data.length) return undefined;
  r.u32();
  const cie = readCie(new Reader(data, r.pos, end), eh);
  cache.set(pos, cie);
  return cie;
}

const augData = new WeakMap<Cie, boolean>();
function cieHasAugData(c: Cie): boolean { return augData.get(c) ?? false; }

function readCie(r: Reader, eh: boolean): Cie {
  const version = r.u8();
  const aug = r.cstr();
  if (version >= 4) { r.u8(); r.u8(); } // address_size, segment_selector_size
  const codeAlign = r.uleb();
  const dataAlign = r.sleb();
  const returnColumn = version === 1 ? r.u8() : r.uleb();
  let encoding = 0;
  let hasAug = false;
  if (aug.startsWith('z')) {
    hasAug = true;
    const len = r.uleb();
    const end = r.pos + len;
    for (const c of aug.slice(1)) {
      if (c === 'R') encoding = r.u8();
      else if (c === 'P') { const enc = r.u8(); readPointer(r, enc & 0x0f, 0); } else if (c === 'L') r.u8();
    }
    r.pos = end;
  } else if (aug !== '' && eh) {
    throw new Truncated(`augmentation '${aug}'`);
  }
  const cie: Cie = { codeAlign, dataAlign, returnColumn, initial: r.b.subarray(r.pos, r.limit), encoding };
  augData.set(cie, hasAug);
  return cie;
}

/** A pointer in a DW_EH_PE encoding (absptr, udata2/4, sdata2/4, optionally pc-relative). */
function readPointer(r: Reader, enc: number, sectionAddress: number): number {
  const at = sectionAddress + r.pos;
  let v: number;
  switch (enc & 0x0f) {
    case 0x00: case 0x03: v = r.u32(); break;
    case 0x0b: v = r.u32() | 0; break;
    case 0x02: v = r.u16(); break;
    case 0x0a: v = (r.u16() << 16) >> 16; break;
    case 0x01: v = r.uleb(); break;
    case 0x09: v = r.sleb(); break;
    default: throw new Truncated(`pointer encoding 0x${enc.toString(16)}`);
  }
  if ((enc & 0x70) === 0x10) v += at;
  return v >>> 0;
}

/** Runs CFA instructions from `loc` until the location passes `pc`. */
function execute(ins: Uint8Array, cie: Cie, row: CfiRow, initial: Map<number, Rule> | undefined, loc: number, pc: number): void {
  const r = new Reader(ins);
  const saved: { cfaReg: number; cfaOffset: number; cfaKnown: boolean; rules: Map<number, Rule> }[] = [];
  const restore = (reg: number): void => {
    const init = initial?.get(reg);
    if (init) row.rules.set(reg, init); else row.rules.delete(reg);
  };
  const advance = (delta: number): boolean => { loc += delta * cie.codeAlign; return loc > pc; };
  while (r.pos < ins.length) {
    const op = r.u8();
    const hi = op & 0xc0, low = op & 0x3f;
    if (hi === 0x40) { if (advance(low)) return; continue; }
    if (hi === 0x80) { row.rules.set(low, { kind: 'offset', offset: r.uleb() * cie.dataAlign }); continue; }
    if (hi === 0xc0) { restore(low); continue; }
    switch (op) {
      case 0x00: break;
      case 0x01: loc = r.u32(); if (loc > pc) return; break;
      case 0x02: if (advance(r.u8())) return; break;
      case 0x03: if (advance(r.u16())) return; break;
      case 0x04: if (advance(r.u32())) return; break;
      case 0x05: { const reg = r.uleb(); row.rules.set(reg, { kind: 'offset', offset: r.uleb() * cie.dataAlign }); break; }
      case 0x06: restore(r.uleb()); break;
      case 0x07: row.rules.set(r.uleb(), { kind: 'undefined' }); break;
      case 0x08: row.rules.set(r.uleb(), { kind: 'same' }); break;
      case 0x09: { const reg = r.uleb(); row.rules.set(reg, { kind: 'register', reg: r.uleb() }); break; }
      case 0x0a: saved.push({ cfaReg: row.cfaReg, cfaOffset: row.cfaOffset, cfaKnown: row.cfaKnown, rules: new Map(row.rules) }); break;
      case 0x0b: { const s = saved.pop(); if (s) { row.cfaReg = s.cfaReg; row.cfaOffset = s.cfaOffset; row.cfaKnown = s.cfaKnown; row.rules = s.rules; } break; }
      case 0x0c: row.cfaReg = r.uleb(); row.cfaOffset = r.uleb(); row.cfaKnown = true; break;
      case 0x0d: row.cfaReg = r.uleb(); break;
      case 0x0e: row.cfaOffset = r.uleb(); break;
      case 0x0f: r.skip(r.uleb()); row.cfaKnown = false; break;
      case 0x10: { const reg = r.uleb(); r.skip(r.uleb()); row.rules.set(reg, { kind: 'undefined' }); break; }
      case 0x11: { const reg = r.uleb(); row.rules.set(reg, { kind: 'offset', offset: r.sleb() * cie.dataAlign }); break; }
      case 0x12: row.cfaReg = r.uleb(); row.cfaOffset = r.sleb() * cie.dataAlign; row.cfaKnown = true; break;
      case 0x13: row.cfaOffset = r.sleb() * cie.dataAlign; break;
      case 0x14: { const reg = r.uleb(); row.rules.set(reg, { kind: 'val_offset', offset: r.uleb() * cie.dataAlign }); break; }
      case 0x15: { const reg = r.uleb(); row.rules.set(reg, { kind: 'val_offset', offset: r.sleb() * cie.dataAlign }); break; }
      case 0x16: { const reg = r.uleb(); r.skip(r.uleb()); row.rules.set(reg, { kind: 'undefined' }); break; }
      case 0x2e: r.uleb(); break; // GNU_args_size
      case 0x2f: { const reg = r.uleb(); row.rules.set(reg, { kind: 'offset', offset: -r.uleb() * cie.dataAlign }); break; }
      default: throw new Truncated(`DW_CFA 0x${op.toString(16)}`);
    }
  }
}

/** Registers of the caller: `regs` (x0–x31 of this frame, undefined when unknown) unwound by `row`. */
export function unwindRegisters(row: CfiRow, regs: (number | undefined)[], read: (address: number) => number | undefined):
  { regs: (number | undefined)[]; cfa: number; returnAddress: number | undefined } | undefined {
  if (!row.cfaKnown) return undefined;
  const base = regs[row.cfaReg];
  if (base === undefined) return undefined;
  const cfa = (base + row.cfaOffset) >>> 0;
  const out = regs.slice();
  for (const [reg, rule] of row.rules) {
    if (reg >= 32) continue;
    switch (rule.kind) {
      case 'undefined': out[reg] = undefined; break;
      case 'same': break;
      case 'offset': out[reg] = read((cfa + rule.offset) >>> 0); break;
      case 'val_offset': out[reg] = (cfa + rule.offset) >>> 0; break;
      case 'register': out[reg] = rule.reg < 32 ? regs[rule.reg] : undefined; break; // a CSR (4096 + n): not known here
    }
  }
  const returnAddress = row.returnColumn < 32 ? out[row.returnColumn] : undefined;
  // The caller's sp is the CFA, unless a rule says where it is (a trap handler's save area).
  if (!row.rules.has(2)) out[2] = cfa;
  return { regs: out, cfa, returnAddress };
}
