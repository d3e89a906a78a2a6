// C objects (a type at a location) read, formatted and written the way a C programmer expects:
// integers signed or unsigned by their type, `char` arrays as strings, enums by name, pointers in hex
// with what they point to, structs and arrays summarised with their members expandable
// (docs/debugging.md "C debugging").
import type { Location } from './location';
import { CType, Member, sizeOf, strip, typeName } from './types';

export interface CObject {
  type: CType;
  loc: Location;
  bitSize?: number;
  bitOffset?: number;
}

/** Guest access for one frame: memory as the vCPU translates it, and this frame's registers. */
export interface CAccess {
  /** `size` bytes at a guest-virtual address; throws an Error naming the address when unreadable. */
  readBytes(address: number, size: number): Uint8Array;
  /** Writes RAM; returns the number of bytes written. */
  writeBytes(address: number, bytes: Uint8Array): number;
  reg(n: number): number | undefined;
  /** Sets a register of this frame; false when the frame's registers cannot be written (a caller frame). */
  setReg(n: number, value: number): boolean;
  /** `<symbol+off>` for a code or data address, if any. */
  symbolize(address: number): string | undefined;
}

export class CError extends Error {}

const MAX_STRING = 200;
const SUMMARY_ITEMS = 10;

/** The object's bytes (`size` of them, default its type's size). */
function bytesOf(o: CObject, a: CAccess, size = sizeOf(o.type)): Uint8Array {
  return locationBytes(o.loc, a, size);
}

function locationBytes(loc: Location, a: CAccess, size: number): Uint8Array {
  switch (loc.kind) {
    case 'memory': return a.readBytes(loc.address, size);
    case 'register': {
      const v = a.reg(loc.reg);
      if (v === undefined) throw new CError(`<not saved: register x${loc.reg} of this frame is not known>`);
      return le(v, size);
    }
    case 'value': return le(loc.value, size);
    case 'bytes': { const out = new Uint8Array(size); out.set(loc.bytes.subarray(0, size)); return out; }
    case 'pieces': {
      const out = new Uint8Array(size);
      let at = 0;
      for (const p of loc.pieces) {
        if (at >= size) break;
        if (p.loc.kind === 'optimized') throw new CError('<optimized out>');
        out.set(locationBytes(p.loc, a, p.size).subarray(0, size - at), at);
        at += p.size;
      }
      return out;
    }
    case 'optimized': throw new CError(`<optimized out>`);
  }
}

function le(v: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < Math.min(size, 4); i++) out[i] = (v >>> (8 * i)) & 0xff;
  return out;
}

/** The value of a scalar object (integer, enum, pointer, bool; floats as their IEEE value). */
export function scalar(o: CObject, a: CAccess): number {
  const t = strip(o.type);
  const size = Math.max(1, Math.min(8, sizeOf(t) || 4));
  const b = bytesOf(o, a, size);
  let lo = 0;
  for (let i = 0; i < Math.min(size, 4); i++) lo |= b[i] << (8 * i);
  lo >>>= 0;
  if (t.kind === 'base' && t.float) {
    const dv = new DataView(b.buffer, b.byteOffset, size);
    return size === 8 ? dv.getFloat64(0, true) : dv.getFloat32(0, true);
  }
  if (o.bitSize !== undefined) {
    const off = o.bitOffset ?? 0;
    let v = off + o.bitSize <= 32 ? (lo >>> off) & (o.bitSize >= 32 ? 0xffffffff : (2 ** o.bitSize - 1)) : lo >>> off;
    if (isSigned(t) && o.bitSize < 32 && v >= 2 ** (o.bitSize - 1)) v -= 2 ** o.bitSize;
    return v;
  }
  if (size === 8) {
    let hi = 0;
    for (let i = 4; i < 8; i++) hi |= b[i] << (8 * (i - 4));
    return isSigned(t) ? (hi | 0) * 2 ** 32 + lo : (hi >>> 0) * 2 ** 32 + lo;
  }
  if (!isSigned(t)) return lo;
  return size === 1 ? (lo << 24) >> 24 : size === 2 ? (lo << 16) >> 16 : lo | 0;
}

export function isSigned(t: CType): boolean {
  const s = strip(t);
  return (s.kind === 'base' && s.signed) || (s.kind === 'enum' && s.signed);
}

export function isScalar(t: CType): boolean {
  const s = strip(t);
  return s.kind === 'base' || s.kind === 'enum' || s.kind === 'pointer';
}

export function member(o: CObject, m: Member): CObject {
  return { type: m.type, loc: offsetLocation(o.loc, m.offset), bitSize: m.bitSize, bitOffset: m.bitOffset };
}

function offsetLocation(loc: Location, offset: number): Location {
  if (offset === 0) return loc;
  switch (loc.kind) {
    case 'memory': return { kind: 'memory', address: (loc.address + offset) >>> 0 };
    case 'optimized': return loc;
    case 'bytes': return { kind: 'bytes', bytes: loc.bytes.subarray(offset) };
    case 'value': return { kind: 'bytes', bytes: le(loc.value, 4).subarray(Math.min(offset, 4)) };
    case 'register': return { kind: 'pieces', pieces: [{ loc: { kind: 'optimized', why: 'part of a register' }, size: 0 }] };
    case 'pieces': {
      // Drop whole pieces before the offset (pieces split at member boundaries in practice).
      let skip = offset;
      const rest: { loc: Location; size: number }[] = [];
      for (const p of loc.pieces) {
        if (skip >= p.size) { skip -= p.size; continue; }
        rest.push(skip ? { loc: offsetLocation(p.loc, skip), size: p.size - skip } : p);
        skip = 0;
      }
      return { kind: 'pieces', pieces: rest };
    }
  }
}

/** Element `i` of an array object, or of the memory a pointer object points to. */
export function element(o: CObject, i: number, a: CAccess): CObject {
  const t = strip(o.type);
  if (t.kind === 'array') return { type: t.elem, loc: offsetLocation(o.loc, i * sizeOf(t.elem)) };
  if (t.kind === 'pointer') {
    const elemSize = sizeOf(t.target);
    if (elemSize === 0 && i !== 0) throw new CError(`cannot index a pointer to ${typeName(t.target)}`);
    return { type: t.target, loc: { kind: 'memory', address: (scalar(o, a) + i * elemSize) >>> 0 } };
  }
  throw new CError(`${typeName(o.type)} is not an array or a pointer`);
}

// ---- formatting ----

interface Shown {
  value: string;
  /** Has children (struct members, array elements, a pointer's target). */
  expandable: boolean;
  memoryReference?: string;
  indexed?: number;
  named?: number;
}

const hex32 = (v: number): string => '0x' + (v >>> 0).toString(16).padStart(8, '0');

function charText(c: number): string {
  const map: Record<number, string> = { 0: '\\0', 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 39: "\\'", 92: '\\\\' };
  if (map[c] !== undefined) return map[c];
  return c >= 32 && c < 127 ? String.fromCharCode(c) : `\\${(c & 0xff).toString(8).padStart(3, '0')}`;
}

function stringText(bytes: Uint8Array, complete: boolean): string {
  let s = '"';
  for (const c of bytes) s += c === 34 ? '\\"' : c === 39 ? "'" : charText(c);
  return s + (complete ? '"' : '"...');
}

function isCharType(t: CType): boolean {
  const s = strip(t);
  return s.kind === 'base' && s.char && s.size === 1;
}

/** A scalar value as C shows it, given its type. */
export function formatScalar(t: CType, v: number, a?: CAccess): string {
  const s = strip(t);
  if (s.kind === 'base') {
    if (s.bool) return v ? 'true' : 'false';
    if (s.char && s.size === 1) return `${v} '${charText(v & 0xff)}'`;
    return String(v);
  }
  if (s.kind === 'enum') {
    const name = s.values.get(v | 0);
    if (name) return name;
    // A flags enum: the names of its bits.
    const parts: string[] = [];
    let rest = v >>> 0;
    for (const [k, n] of s.values) if (k > 0 && (k & (k - 1)) === 0 && (rest & k) === k) { parts.push(n); rest &= ~k; }
    return parts.length && rest === 0 ? `(${parts.join(' | ')})` : String(v);
  }
  if (s.kind === 'pointer') {
    const p = v >>> 0;
    const target = strip(s.target);
    if (p === 0) return '0x0';
    if (target.kind === 'func') { const sym = a?.symbolize(p); return `${hex32(p)}${sym ? ` <${sym}>` : ''}`; }
    if (a && isCharType(s.target)) {
      const str = readCString(p, a);
      return `${hex32(p)}${str !== undefined ? ` ${str}` : ''}`;
    }
    return hex32(p);
  }
  return String(v);
}

function readCString(address: number, a: CAccess): string | undefined {
  const out: number[] = [];
  for (let i = 0; i < MAX_STRING; i++) {
    let b: Uint8Array;
    try { b = a.readBytes((address + i) >>> 0, 1); } catch { return out.length ? stringText(Uint8Array.from(out), false) : undefined; }
    if (b[0] === 0) return stringText(Uint8Array.from(out), true);
    out.push(b[0]);
  }
  return stringText(Uint8Array.from(out), false);
}

/** How the Variables view shows an object (one line; children through `children`). */
export function show(o: CObject, a: CAccess, depth = 0): Shown {
  const t = strip(o.type);
  try {
    switch (t.kind) {
      case 'base': case 'enum': return { value: formatScalar(o.type, scalar(o, a), a), expandable: false };
      case 'pointer': {
        const v = scalar(o, a);
        const target = strip(t.target);
        const expandable = v !== 0 && target.kind !== 'void' && target.kind !== 'func';
        return { value: formatScalar(o.type, v, a), expandable, memoryReference: v ? hex32(v) : undefined, named: expandable ? 1 : undefined };
      }
      case 'array': {
        const n = t.count ?? 0;
        const ref = o.loc.kind === 'memory' ? hex32(o.loc.address) : undefined;
        if (isCharType(t.elem)) {
          const b = bytesOf(o, a, n);
          const end = b.indexOf(0);
          return { value: stringText(end >= 0 ? b.subarray(0, end) : b, true), expandable: n > 0, memoryReference: ref, indexed: n };
        }
        if (depth > 1) return { value: `{...}`, expandable: n > 0, memoryReference: ref, indexed: n };
        const items: string[] = [];
        for (let i = 0; i < Math.min(n, SUMMARY_ITEMS); i++) items.push(show(element(o, i, a), a, depth + 1).value);
        return { value: `{${items.join(', ')}${n > SUMMARY_ITEMS ? ', ...' : ''}}`, expandable: n > 0, memoryReference: ref, indexed: n };
      }
      case 'struct': case 'union': {
        const ref = o.loc.kind === 'memory' ? hex32(o.loc.address) : undefined;
        if (depth > 1) return { value: '{...}', expandable: true, memoryReference: ref, named: t.members.length };
        const parts = t.members.map((m) => `${m.name} = ${show(member(o, m), a, depth + 1).value}`);
        return { value: `{${parts.join(', ')}}`, expandable: t.members.length > 0, memoryReference: ref, named: t.members.length };
      }
      case 'void': return { value: '<void>', expandable: false };
      case 'func': return { value: `<function${o.loc.kind === 'memory' ? ` at ${hex32(o.loc.address)}` : ''}>`, expandable: false };
      default: return { value: '?', expandable: false };
    }
  } catch (e) {
    return { value: e instanceof CError ? e.message : `<error: ${e instanceof Error ? e.message : String(e)}>`, expandable: false };
  }
}

/** The children of an expandable object: [name, object, how to name it in an expression]. */
export function children(o: CObject, a: CAccess, expr: string, start = 0, count = 1000): { name: string; obj: CObject; evaluateName: string }[] {
  try {
    return childrenOf(o, a, expr, start, count);
  } catch (e) {
    if (e instanceof CError) return []; // an unreadable pointer has nothing to expand
    throw e;
  }
}

function childrenOf(o: CObject, a: CAccess, expr: string, start: number, count: number): { name: string; obj: CObject; evaluateName: string }[] {
  const t = strip(o.type);
  const simple = /^[\w.]+(\[\d+\]|->\w+|\.\w+)*$/.test(expr);
  const paren = simple ? expr : `(${expr})`;
  switch (t.kind) {
    case 'struct': case 'union': {
      // Members of `*p` are `p->m`, as one writes them.
      const deref = /^\*([\w.]+(\[\d+\]|->\w+|\.\w+)*)$/.exec(expr);
      return t.members.map((m) => ({ name: m.name || '<anonymous>', obj: member(o, m), evaluateName: deref ? `${deref[1]}->${m.name}` : `${paren}.${m.name}` }));
    }
    case 'array': {
      const n = t.count ?? 0;
      const out = [];
      for (let i = start; i < Math.min(n, start + count); i++) out.push({ name: `[${i}]`, obj: element(o, i, a), evaluateName: `${paren}[${i}]` });
      return out;
    }
    case 'pointer': {
      const target = strip(t.target);
      if (target.kind === 'void' || target.kind === 'func') return [];
      return [{ name: `*${expr}`, obj: { type: t.target, loc: { kind: 'memory', address: scalar(o, a) } }, evaluateName: `*${paren}` }];
    }
    default: return [];
  }
}

// ---- writing ----

/** Stores `value` (an integer, converted to the object's type) into the object. */
export function assign(o: CObject, value: number, a: CAccess): void {
  const t = strip(o.type);
  if (!isScalar(t)) throw new CError(`cannot assign a number to ${typeName(o.type)}`);
  const size = sizeOf(t);
  let bytes: Uint8Array;
  if (t.kind === 'base' && t.float) {
    bytes = new Uint8Array(size);
    const dv = new DataView(bytes.buffer);
    if (size === 8) dv.setFloat64(0, value, true); else dv.setFloat32(0, value, true);
  } else if (o.bitSize !== undefined) {
    const old = bytesOf(o, a, size);
    let word = 0;
    for (let i = 0; i < Math.min(size, 4); i++) word |= old[i] << (8 * i);
    const off = o.bitOffset ?? 0;
    const mask = (o.bitSize >= 32 ? 0xffffffff : 2 ** o.bitSize - 1) * 2 ** off;
    word = ((word & ~mask) | ((value * 2 ** off) & mask)) >>> 0;
    bytes = le(word, size);
  } else {
    bytes = le(Math.trunc(value) >>> 0, size);
    if (size === 8) { const hi = Math.floor(Math.trunc(value) / 2 ** 32) >>> 0; bytes.set(le(hi, 4), 4); }
  }
  const loc = o.loc;
  switch (loc.kind) {
    case 'memory':
      if (a.writeBytes(loc.address, bytes) < bytes.length) throw new CError(`${hex32(loc.address)} is not RAM`);
      return;
    case 'register': {
      let v = 0;
      for (let i = 0; i < Math.min(4, bytes.length); i++) v |= bytes[i] << (8 * i);
      if (bytes.length < 4 && isSigned(t)) v = bytes.length === 1 ? (v << 24) >> 24 : (v << 16) >> 16;
      if (!a.setReg(loc.reg, v >>> 0)) throw new CError(`register x${loc.reg} of a caller frame cannot be written`);
      return;
    }
    default:
      throw new CError(loc.kind === 'optimized' ? 'the variable is optimized out here' : 'the variable has no storage here (a computed value)');
  }
}
