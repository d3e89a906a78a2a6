// C semantics for the debugger's expressions (src/debug/expr.ts; docs/debugging.md "Expressions"):
// typed values from DWARF variables, member access, `->`, indexing, `*`, `&`, casts, and arithmetic
// and comparisons with C's integer promotions and usual arithmetic conversions (C11 §6.3.1.1,
// §6.3.1.8) on a 32-bit `int`. Untyped operands (registers, plain numbers) keep the language's
// unsigned 32-bit meaning unless a typed value meets them: then a literal is an `int` when it fits
// (else `unsigned int`, as C types a hex constant).
import { CAccess, CError, CObject, element, formatScalar, isScalar, isSigned, member, scalar, show } from './cvalue';
import { CType, INT, sizeOf, strip, typeName, UINT } from './types';

/** A typed C value: an lvalue (`obj`) or an rvalue scalar (`num`). */
export class CVal {
  constructor(readonly type: CType, readonly access: CAccess, readonly obj?: CObject, readonly num?: number) {}

  /** The scalar value (arrays decay to their address). */
  value(): number {
    if (this.num !== undefined) return this.num;
    const t = strip(this.type);
    if (t.kind === 'array' || t.kind === 'func') {
      if (this.obj?.loc.kind !== 'memory') throw new CError(`${typeName(this.type)} has no address`);
      return this.obj.loc.address;
    }
    if (!isScalar(t)) throw new CError(`${typeName(this.type)} is not a number`);
    return scalar(this.obj!, this.access);
  }

  text(): string {
    if (this.num !== undefined) return formatScalar(this.type, this.num, this.access);
    return show(this.obj!, this.access).value;
  }
}

/** What a C expression needs from its context. */
export interface CEnv {
  access: CAccess;
  /** A C variable visible in the frame (locals and parameters first, then globals). */
  variable(name: string): CObject | undefined;
  /** A named type: `int`, `uint32_t`, `struct node`, a typedef of the program. */
  type(name: string): CType | undefined;
}

const base = (name: string, size: number, signed: boolean, char = false): CType =>
  ({ kind: 'base', name, size, signed, char, bool: name === '_Bool', float: false });

/** C's own type names and the <stdint.h> ones, for casts in programs without DWARF (or that never used them). */
const BUILTIN: Record<string, CType> = {
  char: base('char', 1, false, true), 'signed char': base('signed char', 1, true, true), 'unsigned char': base('unsigned char', 1, false, true),
  short: base('short', 2, true), 'short int': base('short', 2, true), 'unsigned short': base('unsigned short', 2, false), 'short unsigned int': base('unsigned short', 2, false),
  int: INT, signed: INT, 'signed int': INT, unsigned: UINT, 'unsigned int': UINT,
  long: base('long', 4, true), 'long int': base('long', 4, true), 'unsigned long': base('unsigned long', 4, false), 'long unsigned int': base('unsigned long', 4, false),
  'long long': base('long long', 8, true), 'unsigned long long': base('unsigned long long', 8, false), _Bool: base('_Bool', 1, false),
  int8_t: base('int8_t', 1, true), uint8_t: base('uint8_t', 1, false), int16_t: base('int16_t', 2, true), uint16_t: base('uint16_t', 2, false),
  int32_t: base('int32_t', 4, true), uint32_t: base('uint32_t', 4, false), int64_t: base('int64_t', 8, true), uint64_t: base('uint64_t', 8, false),
  intptr_t: base('intptr_t', 4, true), uintptr_t: base('uintptr_t', 4, false), size_t: base('size_t', 4, false), ssize_t: base('ssize_t', 4, true),
  void: { kind: 'void' },
};

export const C_TYPE_WORDS = new Set(['struct', 'union', 'enum', 'unsigned', 'signed', 'int', 'char', 'short', 'long', 'void', 'const', 'volatile', '_Bool', 'float', 'double']);

/** Resolves a cast's type text (`unsigned int`, `struct node`, `uint32_t`) with `stars` pointer levels. */
export function resolveType(env: CEnv | undefined, words: string[], stars: number): CType {
  const name = words.filter((w) => w !== 'const' && w !== 'volatile').join(' ');
  let t = env?.type(name) ?? BUILTIN[name];
  if (!t) throw new CError(`unknown type '${name}'`);
  for (let i = 0; i < stars; i++) t = pointerTo(t);
  return t;
}

function pointerTo(t: CType): CType {
  return { kind: 'pointer', size: 4, target: t };
}

/** A number converted to a scalar type (truncated, sign-extended). */
function convert(t: CType, v: number): number {
  const s = strip(t);
  if (s.kind === 'base' && s.bool) return v ? 1 : 0;
  const size = sizeOf(s) || 4;
  if (size >= 8) return Math.trunc(v);
  const bits = size * 8;
  let x = bits >= 32 ? v >>> 0 : (Math.trunc(v) >>> 0) & (2 ** bits - 1);
  if (isSigned(s) && x >= 2 ** (bits - 1)) x -= 2 ** bits;
  return x;
}

function ctype(v: number | boolean | CVal): { t: CType; v: number } {
  if (v instanceof CVal) {
    const s = strip(v.type);
    if (s.kind === 'array') return { t: pointerTo(s.elem), v: v.value() };
    return { t: v.type, v: v.value() };
  }
  if (typeof v === 'boolean') return { t: INT, v: v ? 1 : 0 };
  return { t: v >= 0 && v <= 0x7fffffff ? INT : UINT, v: v >>> 0 === v ? v : v | 0 };
}

/** After the integer promotions: unsigned 32-bit arithmetic? (long long is computed in doubles, exact to 2^53.) */
function unsignedArith(a: CType, b: CType): boolean {
  const rank = (t: CType): { size: number; signed: boolean } => {
    const s = strip(t);
    if (s.kind === 'pointer') return { size: 4, signed: false };
    const size = sizeOf(s) || 4;
    const signed = isSigned(s);
    return size < 4 ? { size: 4, signed: true } : { size, signed };
  };
  const x = rank(a), y = rank(b);
  return (!x.signed && x.size >= y.size) || (!y.signed && y.size >= x.size);
}

/** A binary operator where one side is a C value; undefined when neither is. */
export function cBinary(op: string, a: number | boolean | CVal, b: number | boolean | CVal, access: CAccess | undefined): number | boolean | CVal | undefined {
  if (!(a instanceof CVal) && !(b instanceof CVal)) return undefined;
  const acc = (a instanceof CVal ? a.access : (b as CVal).access) ?? access;
  const x = ctype(a), y = ctype(b);
  const px = strip(x.t).kind === 'pointer', py = strip(y.t).kind === 'pointer';
  if ((op === '+' || op === '-') && px && !py) {
    const size = sizeOf((strip(x.t) as { target: CType }).target) || 1;
    return new CVal(x.t, acc, undefined, (x.v + (op === '+' ? 1 : -1) * (y.v | 0) * size) >>> 0);
  }
  if (op === '+' && py && !px) {
    const size = sizeOf((strip(y.t) as { target: CType }).target) || 1;
    return new CVal(y.t, acc, undefined, (y.v + (x.v | 0) * size) >>> 0);
  }
  if (op === '-' && px && py) {
    const size = sizeOf((strip(x.t) as { target: CType }).target) || 1;
    return new CVal(INT, acc, undefined, Math.trunc(((x.v - y.v) | 0) / size));
  }
  const uns = unsignedArith(x.t, y.t);
  const wide = (sizeOf(strip(x.t)) || 4) > 4 || (sizeOf(strip(y.t)) || 4) > 4;
  const l = wide ? x.v : uns ? x.v >>> 0 : x.v | 0;
  const r = wide ? y.v : uns ? y.v >>> 0 : y.v | 0;
  const rt = wide ? (uns ? BUILTIN['unsigned long long'] : BUILTIN['long long']) : uns ? UINT : INT;
  const out = (v: number): CVal => new CVal(rt, acc, undefined, wide ? v : uns ? v >>> 0 : v | 0);
  switch (op) {
    case '==': return l === r;
    case '!=': return l !== r;
    case '<': return l < r;
    case '<=': return l <= r;
    case '>': return l > r;
    case '>=': return l >= r;
    case '+': return out(l + r);
    case '-': return out(l - r);
    case '*': return out(wide ? l * r : Math.imul(l, r));
    case '/': if (r === 0) throw new CError('division by zero'); return out(Math.trunc(l / r));
    case '%': if (r === 0) throw new CError('division by zero'); return out(l % r);
    case '&': return out(l & r);
    case '|': return out(l | r);
    case '^': return out(l ^ r);
    case '<<': return out(l << (r & 31));
    case '>>': case '>>>': return out(uns ? l >>> (r & 31) : l >> (r & 31));
  }
  return undefined;
}

export function cUnary(op: string, a: CVal): number | boolean | CVal {
  switch (op) {
    case '*': return deref(a, 0);
    case '-': { const x = ctype(a); const uns = unsignedArith(x.t, INT); return new CVal(uns ? UINT : INT, a.access, undefined, uns ? (-x.v) >>> 0 : (-x.v) | 0); }
    case '+': { const x = ctype(a); return new CVal(unsignedArith(x.t, INT) ? UINT : INT, a.access, undefined, x.v); }
    case '~': { const x = ctype(a); const uns = unsignedArith(x.t, INT); return new CVal(uns ? UINT : INT, a.access, undefined, uns ? (~x.v) >>> 0 : ~x.v); }
    case '!': return a.value() === 0;
    case '&': {
      if (!a.obj || a.obj.loc.kind !== 'memory') throw new CError(`cannot take the address of ${a.obj ? 'a value not in memory' : 'a computed value'}`);
      if (a.obj.bitSize !== undefined) throw new CError('cannot take the address of a bit-field');
      return new CVal(pointerTo(a.type), a.access, undefined, a.obj.loc.address);
    }
  }
  throw new CError(`unknown operator '${op}'`);
}

/** `p[i]`, `*p`: the element `i` of an array or pointer value. */
export function deref(a: CVal, i: number): CVal {
  const t = strip(a.type);
  if (t.kind === 'array' && a.obj) { const o = element(a.obj, i, a.access); return new CVal(o.type, a.access, o); }
  if (t.kind === 'pointer') {
    const target = strip(t.target);
    if (target.kind === 'void') throw new CError('cannot dereference a void pointer (cast it first)');
    const size = sizeOf(t.target);
    const address = (a.value() + i * size) >>> 0;
    return new CVal(t.target, a.access, { type: t.target, loc: { kind: 'memory', address } });
  }
  throw new CError(`cannot dereference ${typeName(a.type)}`);
}

/** `s.m` (arrow: `p->m`). */
export function cMember(a: CVal, name: string, arrow: boolean): CVal {
  const base = arrow ? deref(a, 0) : a;
  const t = strip(base.type);
  if (t.kind !== 'struct' && t.kind !== 'union') throw new CError(`${arrow ? '->' : '.'}${name}: ${typeName(base.type)} is not a struct or union${!arrow && strip(a.type).kind === 'pointer' ? ' (use ->)' : ''}`);
  if (!base.obj) throw new CError('member of a computed value');
  const m = t.members.find((x) => x.name === name);
  if (!m) throw new CError(`${typeName(base.type)} has no member '${name}' (members: ${t.members.map((x) => x.name).join(', ')})`);
  const o = member(base.obj, m);
  return new CVal(o.type, a.access, o);
}

/** `(type) value`. */
export function cCast(t: CType, v: number | boolean | CVal, access: CAccess): CVal {
  const s = strip(t);
  if (!isScalar(s) && !(s.kind === 'base')) {
    if (v instanceof CVal && v.obj && sizeOf(v.type) === sizeOf(t)) return new CVal(t, v.access, { ...v.obj, type: t });
    throw new CError(`cannot cast to ${typeName(t)}`);
  }
  const x = v instanceof CVal ? v.value() : typeof v === 'boolean' ? (v ? 1 : 0) : v;
  return new CVal(t, v instanceof CVal ? v.access : access, undefined, convert(t, x));
}
