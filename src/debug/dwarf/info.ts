// A reader for DWARF `.debug_info` + `.debug_abbrev` (versions 2–5, 32-bit offsets; DWARF 5 §7.5), as
// GCC 12 writes them for RV32: every unit's DIE tree with its attributes decoded by form. Strings come
// from `.debug_str`/`.debug_line_str` (and `.debug_str_offsets` for DW_FORM_strx). Bounds-checked:
// a malformed section is an error string naming the unit, never an exception (docs/debugging.md
// "C debugging").
import { Reader, strAt, Truncated } from '../dwarf-line';

type AttrValue = number | string | boolean | Uint8Array | { ref: number } | { addrx: number } | { sec: number };

export interface Die {
  offset: number;
  tag: number;
  attrs: Map<number, AttrValue>;
  children: Die[];
  parent?: Die;
  unit: Unit;
}

export interface Unit {
  offset: number;
  version: number;
  addressSize: number;
  root?: Die;
  /** DW_AT_low_pc of the unit (the base address of its location and range lists). */
  base: number;
  strOffsetsBase: number;
  addrBase: number;
  loclistsBase: number;
  rnglistsBase: number;
}

export interface Sections {
  info: Uint8Array;
  abbrev: Uint8Array;
  str?: Uint8Array;
  lineStr?: Uint8Array;
  strOffsets?: Uint8Array;
  addr?: Uint8Array;
}

interface AbbrevAttr { name: number; form: number; implicit?: number }
interface Abbrev { tag: number; children: boolean; attrs: AbbrevAttr[] }

/** DWARF tags and attributes used by the debugger (DWARF 5 §7.5.3, §7.5.4). */
export const TAG = {
  array_type: 0x01, enumeration_type: 0x04, formal_parameter: 0x05, lexical_block: 0x0b, member: 0x0d,
  pointer_type: 0x0f, compile_unit: 0x11, structure_type: 0x13, subroutine_type: 0x15, typedef: 0x16,
  union_type: 0x17, inlined_subroutine: 0x1d, subrange_type: 0x21, base_type: 0x24, const_type: 0x26,
  enumerator: 0x28, subprogram: 0x2e, variable: 0x34, volatile_type: 0x35, restrict_type: 0x37,
  atomic_type: 0x47, skeleton_unit: 0x4a, partial_unit: 0x3c,
} as const;

export const AT = {
  sibling: 0x01, location: 0x02, name: 0x03, byte_size: 0x0b, stmt_list: 0x10, low_pc: 0x11, high_pc: 0x12,
  language: 0x13, comp_dir: 0x1b, const_value: 0x1c, inline: 0x20, upper_bound: 0x2f, abstract_origin: 0x31,
  bit_size: 0x0d, bit_offset: 0x0c, count: 0x37, data_member_location: 0x38, declaration: 0x3c, encoding: 0x3e,
  external: 0x3f, frame_base: 0x40, specification: 0x47, type: 0x49, ranges: 0x55, data_bit_offset: 0x6b,
  str_offsets_base: 0x72, addr_base: 0x73, rnglists_base: 0x74, loclists_base: 0x8c, entry_pc: 0x52,
  call_file: 0x58, call_line: 0x59,
} as const;

function readAbbrevs(abbrev: Uint8Array, offset: number): Map<number, Abbrev> {
  const r = new Reader(abbrev, offset);
  const out = new Map<number, Abbrev>();
  for (;;) {
    const code = r.uleb();
    if (code === 0) return out;
    const tag = r.uleb();
    const children = r.u8() !== 0;
    const attrs: AbbrevAttr[] = [];
    for (;;) {
      const name = r.uleb(), form = r.uleb();
      if (name === 0 && form === 0) break;
      attrs.push(form === 0x21 ? { name, form, implicit: r.sleb() } : { name, form });
    }
    out.set(code, { tag, children, attrs });
  }
}

/** Reads one attribute value of `form` (DWARF 5 §7.5.6). */
function readForm(r: Reader, form: number, unit: Unit, unitStart: number, s: Sections, implicit?: number): AttrValue {
  const offset = (): number => r.u32();
  switch (form) {
    case 0x01: return unit.addressSize === 8 ? r.u64() : r.u32(); // addr
    case 0x0b: return r.u8(); // data1
    case 0x05: return r.u16(); // data2
    case 0x06: return r.u32(); // data4
    case 0x07: return r.u64(); // data8
    case 0x1e: { const b = r.b.subarray(r.pos, r.pos + 16); r.skip(16); return b; } // data16
    case 0x0d: return r.sleb(); // sdata
    case 0x0f: return r.uleb(); // udata
    case 0x08: return r.cstr(); // string
    case 0x0e: return strAt(s.str, offset()); // strp
    case 0x1f: return strAt(s.lineStr, offset()); // line_strp
    case 0x1a: return strx(s, unit, r.uleb()); // strx
    case 0x25: return strx(s, unit, r.u8());
    case 0x26: return strx(s, unit, r.u16());
    case 0x27: { const lo = r.u16(); return strx(s, unit, lo | (r.u8() << 16)); }
    case 0x28: return strx(s, unit, r.u32());
    case 0x11: return { ref: unitStart + r.u8() }; // ref1
    case 0x12: return { ref: unitStart + r.u16() };
    case 0x13: return { ref: unitStart + r.u32() };
    case 0x14: return { ref: unitStart + r.u64() };
    case 0x15: return { ref: unitStart + r.uleb() }; // ref_udata
    case 0x10: return { ref: unit.version <= 2 ? (unit.addressSize === 8 ? r.u64() : r.u32()) : offset() }; // ref_addr
    case 0x20: r.skip(8); return 0; // ref_sig8 (type units: not followed)
    case 0x17: return { sec: offset() }; // sec_offset
    case 0x18: { const n = r.uleb(); const b = r.b.subarray(r.pos, r.pos + n); r.skip(n); return b; } // exprloc
    case 0x0a: { const n = r.u8(); const b = r.b.subarray(r.pos, r.pos + n); r.skip(n); return b; } // block1
    case 0x03: { const n = r.u16(); const b = r.b.subarray(r.pos, r.pos + n); r.skip(n); return b; }
    case 0x04: { const n = r.u32(); const b = r.b.subarray(r.pos, r.pos + n); r.skip(n); return b; }
    case 0x09: { const n = r.uleb(); const b = r.b.subarray(r.pos, r.pos + n); r.skip(n); return b; }
    case 0x0c: return r.u8() !== 0; // flag
    case 0x19: return true; // flag_present
    case 0x21: return implicit ?? 0; // implicit_const
    case 0x1b: return { addrx: r.uleb() }; // addrx
    case 0x29: return { addrx: r.u8() };
    case 0x2a: return { addrx: r.u16() };
    case 0x2b: { const lo = r.u16(); return { addrx: lo | (r.u8() << 16) }; }
    case 0x2c: return { addrx: r.u32() };
    case 0x22: return { sec: -1 - r.uleb() }; // loclistx: an index, resolved against loclists_base
    case 0x23: return { sec: -1 - r.uleb() }; // rnglistx
    case 0x16: return readForm(r, r.uleb(), unit, unitStart, s); // indirect
    default: throw new Truncated(`unsupported DW_FORM 0x${form.toString(16)}`);
  }
}

function strx(s: Sections, unit: Unit, index: number): string {
  if (!s.strOffsets) throw new Truncated('DW_FORM_strx without .debug_str_offsets');
  const r = new Reader(s.strOffsets, unit.strOffsetsBase + 4 * index);
  return strAt(s.str, r.u32());
}

/** The address a DW_FORM_addrx value stands for. */
export function addrx(s: Sections, unit: Unit, index: number): number {
  if (!s.addr) throw new Truncated('DW_FORM_addrx without .debug_addr');
  return new Reader(s.addr, unit.addrBase + unit.addressSize * index).u32();
}

/** Every unit of `.debug_info` with its DIE tree; or an error naming the unit. */
export function readDebugInfo(s: Sections): { units: Unit[]; dies: Map<number, Die> } | { error: string } {
  const units: Unit[] = [];
  const dies = new Map<number, Die>();
  let unitStart = 0;
  try {
    while (unitStart + 4 <= s.info.length) {
      const hdr = new Reader(s.info, unitStart);
      const unitLength = hdr.u32();
      if (unitLength >= 0xfffffff0) return { error: `unit at 0x${unitStart.toString(16)}: 64-bit DWARF is not supported` };
      const unitEnd = hdr.pos + unitLength;
      if (unitEnd > s.info.length) return { error: `unit at 0x${unitStart.toString(16)} runs past the section` };
      const version = hdr.u16();
      if (version < 2 || version > 5) return { error: `unit at 0x${unitStart.toString(16)}: DWARF version ${version} is not supported (2–5 are)` };
      let abbrevOffset: number, addressSize: number;
      if (version >= 5) {
        const unitType = hdr.u8();
        addressSize = hdr.u8();
        abbrevOffset = hdr.u32();
        if (unitType === 2 || unitType === 6) hdr.skip(12); // type units: signature + type offset
        else if (unitType === 4 || unitType === 5) hdr.skip(8); // skeleton / split: dwo id
      } else {
        abbrevOffset = hdr.u32();
        addressSize = hdr.u8();
      }
      if (addressSize !== 4) return { error: `unit at 0x${unitStart.toString(16)}: address size ${addressSize} (an RV32 ELF has 4)` };
      if (abbrevOffset >= s.abbrev.length) return { error: `unit at 0x${unitStart.toString(16)}: abbreviations at 0x${abbrevOffset.toString(16)} are past .debug_abbrev` };
      const abbrevs = readAbbrevs(s.abbrev, abbrevOffset);
      const unit: Unit = { offset: unitStart, version, addressSize, base: 0, strOffsetsBase: 8, addrBase: 8, loclistsBase: 12, rnglistsBase: 12 };
      const r = new Reader(s.info, hdr.pos, unitEnd);
      const stack: Die[] = [];
      while (r.pos < unitEnd) {
        const offset = r.pos;
        const code = r.uleb();
        if (code === 0) { stack.pop(); continue; }
        const a = abbrevs.get(code);
        if (!a) throw new Truncated(`abbreviation ${code} at 0x${offset.toString(16)} is not defined`);
        const die: Die = { offset, tag: a.tag, attrs: new Map(), children: [], unit, parent: stack[stack.length - 1] };
        for (const at of a.attrs) die.attrs.set(at.name, readForm(r, at.form, unit, unitStart, s, at.implicit));
        if (die.parent) die.parent.children.push(die);
        else if (!unit.root) {
          unit.root = die;
          const num = (n: number): number | undefined => { const v = die.attrs.get(n); return typeof v === 'number' ? v : undefined; };
          unit.strOffsetsBase = secOf(die.attrs.get(AT.str_offsets_base)) ?? 8;
          unit.addrBase = secOf(die.attrs.get(AT.addr_base)) ?? 8;
          unit.loclistsBase = secOf(die.attrs.get(AT.loclists_base)) ?? 12;
          unit.rnglistsBase = secOf(die.attrs.get(AT.rnglists_base)) ?? 12;
          unit.base = num(AT.low_pc) ?? 0;
        }
        dies.set(offset, die);
        if (a.children) stack.push(die);
      }
      units.push(unit);
      unitStart = unitEnd;
    }
  } catch (e) {
    if (e instanceof Truncated) return { error: `unit at 0x${unitStart.toString(16)}: truncated or malformed (${e.what})` };
    return { error: `unit at 0x${unitStart.toString(16)}: ${String(e)}` };
  }
  return { units, dies };
}

function secOf(v: AttrValue | undefined): number | undefined {
  return typeof v === 'object' && v !== null && 'sec' in v ? v.sec : typeof v === 'number' ? v : undefined;
}

// ---- small accessors ----

export function num(d: Die, name: number): number | undefined {
  const v = d.attrs.get(name);
  return typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : undefined;
}

export function str(d: Die, name: number): string | undefined {
  const v = d.attrs.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function ref(d: Die, name: number): number | undefined {
  const v = d.attrs.get(name);
  return typeof v === 'object' && v !== null && 'ref' in v ? v.ref : undefined;
}

export function sec(d: Die, name: number): number | undefined {
  return secOf(d.attrs.get(name));
}
