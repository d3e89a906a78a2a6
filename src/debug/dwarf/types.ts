// C types from DWARF type DIEs (DWARF 5 §5): base types, pointers, arrays, structs, unions, enums,
// typedefs and qualifiers. Built lazily and cached by DIE offset, so self-referencing structs
// (`struct node { struct node *next; }`) resolve without recursion.
import { AT, Die, num, ref, str, TAG } from './info';

export interface Member {
  name: string;
  offset: number;
  type: CType;
  /** Bit-fields: the size in bits and the offset in bits from the start of the member's storage unit at `offset` (little-endian). */
  bitSize?: number;
  bitOffset?: number;
}

export type CType =
  | { kind: 'base'; name: string; size: number; signed: boolean; char: boolean; bool: boolean; float: boolean }
  | { kind: 'void' }
  | { kind: 'pointer'; size: number; readonly target: CType }
  | { kind: 'struct' | 'union'; name: string; size: number; members: Member[] }
  | { kind: 'array'; elem: CType; count: number | undefined }
  | { kind: 'enum'; name: string; size: number; signed: boolean; values: Map<number, string> }
  | { kind: 'typedef'; name: string; readonly target: CType }
  | { kind: 'qual'; qual: string; readonly target: CType }
  | { kind: 'func'; name: string };

const VOID: CType = { kind: 'void' };
export const INT: CType = { kind: 'base', name: 'int', size: 4, signed: true, char: false, bool: false, float: false };
export const UINT: CType = { kind: 'base', name: 'unsigned int', size: 4, signed: false, char: false, bool: false, float: false };

/** The type without typedefs and qualifiers. */
export function strip(t: CType): CType {
  for (let i = 0; i < 64 && (t.kind === 'typedef' || t.kind === 'qual'); i++) t = t.target;
  return t;
}

export function sizeOf(t: CType): number {
  const s = strip(t);
  switch (s.kind) {
    case 'base': case 'struct': case 'union': case 'enum': return s.size;
    case 'pointer': return 4;
    case 'array': return s.count === undefined ? 0 : s.count * sizeOf(s.elem);
    default: return 0;
  }
}

/** How C spells the type: `struct node *`, `uint32_t`, `int [8]`. */
export function typeName(t: CType): string {
  switch (t.kind) {
    case 'base': return t.name;
    case 'void': return 'void';
    case 'pointer': { const inner = typeName(t.target); return inner.endsWith('*') ? `${inner}*` : `${inner} *`; }
    case 'struct': case 'union': return `${t.kind} ${t.name || '<anonymous>'}`;
    case 'enum': return `enum ${t.name || '<anonymous>'}`;
    case 'array': return `${typeName(t.elem)} [${t.count ?? ''}]`;
    case 'typedef': return t.name;
    case 'qual': return `${t.qual} ${typeName(t.target)}`;
    case 'func': return t.name || 'function';
  }
}

// DW_ATE_* (DWARF 5 §7.8)
const ATE_boolean = 0x02, ATE_float = 0x04, ATE_signed = 0x05, ATE_signed_char = 0x06, ATE_unsigned_char = 0x08;

export class TypeTable {
  private readonly cache = new Map<number, CType>();
  /** Named types for casts: base names, typedef names, `struct X`, `union X`, `enum X`. */
  readonly byName = new Map<string, CType>();

  constructor(private readonly dies: Map<number, Die>) {}

  /** The type of a DIE with DW_AT_type (void when it has none). */
  typeOf(d: Die): CType {
    const r = ref(d, AT.type);
    return r === undefined ? VOID : this.at(r);
  }

  at(offset: number, depth = 0): CType {
    const cached = this.cache.get(offset);
    if (cached) return cached;
    const d = this.dies.get(offset);
    if (!d || depth > 200) return VOID;
    const name = str(d, AT.name) ?? '';
    const size = num(d, AT.byte_size) ?? 0;
    let t: CType;
    const lazyTarget = (): CType => { const r = ref(d, AT.type); return r === undefined ? VOID : this.at(r, depth + 1); };
    switch (d.tag) {
      case TAG.base_type: {
        const enc = num(d, AT.encoding) ?? 0;
        t = { kind: 'base', name, size, signed: enc === ATE_signed || enc === ATE_signed_char, char: enc === ATE_signed_char || enc === ATE_unsigned_char, bool: enc === ATE_boolean, float: enc === ATE_float };
        break;
      }
      case TAG.pointer_type:
        t = { kind: 'pointer', size: size || 4, get target() { return lazyTarget(); } };
        break;
      case TAG.typedef:
        t = { kind: 'typedef', name, get target() { return lazyTarget(); } };
        break;
      case TAG.const_type: case TAG.volatile_type: case TAG.restrict_type: case TAG.atomic_type: {
        const qual = d.tag === TAG.const_type ? 'const' : d.tag === TAG.volatile_type ? 'volatile' : d.tag === TAG.restrict_type ? 'restrict' : '_Atomic';
        t = { kind: 'qual', qual, get target() { return lazyTarget(); } };
        break;
      }
      case TAG.structure_type: case TAG.union_type: {
        const s: CType = { kind: d.tag === TAG.structure_type ? 'struct' : 'union', name, size, members: [] };
        this.cache.set(offset, s);
        for (const m of d.children) if (m.tag === TAG.member) s.members.push(this.member(m, depth));
        return s;
      }
      case TAG.enumeration_type: {
        const values = new Map<number, string>();
        const under = ref(d, AT.type);
        let signed = false;
        for (const e of d.children) {
          if (e.tag !== TAG.enumerator) continue;
          const v = num(e, AT.const_value) ?? 0;
          if (v < 0) signed = true;
          values.set(v | 0, str(e, AT.name) ?? '?');
        }
        if (under !== undefined) { const u = strip(this.at(under, depth + 1)); if (u.kind === 'base') signed = u.signed; }
        t = { kind: 'enum', name, size: size || 4, signed, values };
        break;
      }
      case TAG.array_type: {
        const elem = this.typeOf(d);
        const dims = d.children.filter((c) => c.tag === TAG.subrange_type).map((c) => {
          const count = num(c, AT.count);
          const upper = num(c, AT.upper_bound);
          return count !== undefined ? count : upper !== undefined ? upper + 1 : undefined;
        });
        // int a[2][3] is an array of 2 arrays of 3.
        let at: CType = elem;
        for (let i = dims.length - 1; i >= 0; i--) at = { kind: 'array', elem: at, count: dims[i] };
        t = dims.length ? at : { kind: 'array', elem, count: undefined };
        break;
      }
      case TAG.subroutine_type: case TAG.subprogram:
        t = { kind: 'func', name };
        break;
      default:
        t = VOID;
    }
    this.cache.set(offset, t);
    return t;
  }

  private member(m: Die, depth: number): Member {
    const type = this.typeOf(m);
    const loc = num(m, AT.data_member_location) ?? 0;
    const bitSize = num(m, AT.bit_size);
    if (bitSize === undefined) return { name: str(m, AT.name) ?? '', offset: loc, type };
    const dataBit = num(m, AT.data_bit_offset);
    if (dataBit !== undefined) {
      // DWARF 4/5: bits from the start of the struct; storage unit = the member type's size, aligned.
      const unit = Math.max(1, sizeOf(type));
      const offset = Math.floor(dataBit / 8 / unit) * unit;
      return { name: str(m, AT.name) ?? '', offset, type, bitSize, bitOffset: dataBit - offset * 8 };
    }
    // DWARF 2/3 DW_AT_bit_offset counts from the most significant bit of the storage unit.
    const unitBytes = num(m, AT.byte_size) ?? Math.max(1, sizeOf(type));
    const big = num(m, AT.bit_offset) ?? 0;
    void depth;
    return { name: str(m, AT.name) ?? '', offset: loc, type, bitSize, bitOffset: unitBytes * 8 - big - bitSize };
  }

  /** Registers every named type of the units (for casts and `sizeof`-free lookups by name). */
  index(roots: Die[]): void {
    const visit = (d: Die): void => {
      const name = str(d, AT.name);
      if (name && !this.byName.has(key(d.tag, name))) {
        if (d.tag === TAG.base_type || d.tag === TAG.typedef || d.tag === TAG.structure_type || d.tag === TAG.union_type || d.tag === TAG.enumeration_type) {
          if (!(d.tag === TAG.structure_type || d.tag === TAG.union_type) || !d.attrs.has(AT.declaration)) this.byName.set(key(d.tag, name), this.at(d.offset));
        }
      }
      for (const c of d.children) if (c.tag !== TAG.subprogram || c.children.length) visit(c);
    };
    for (const r of roots) visit(r);
  }
}

function key(tag: number, name: string): string {
  return tag === TAG.structure_type ? `struct ${name}` : tag === TAG.union_type ? `union ${name}` : tag === TAG.enumeration_type ? `enum ${name}` : name;
}
