// The debugger's expression language (docs/debugging.md "Expressions"): breakpoint conditions,
// event-filter conditions, logpoint interpolation, watch expressions and the debug console all use
// it. C-like operators over 32-bit unsigned integers, strings and booleans; names are resolved by
// the caller's context (event fields, registers, CSRs, symbols); memory is read through functions
// that never have side effects (u8/u16/u32/i8/i16/i32 by guest-virtual address, p8/p16/p32 by
// guest-physical address, `*addr` for a 32-bit word). With C debugging information (`c` in the
// context) names may be C variables and the language gains C's member access, `->`, indexing, `&`,
// casts and typed arithmetic (src/debug/dwarf/cexpr.ts).
import { C_TYPE_WORDS, CEnv, cBinary, cCast, cMember, cUnary, CVal, deref, resolveType } from './dwarf/cexpr';
import { CError } from './dwarf/cvalue';

export type Value = number | string | boolean | CVal;
export { CVal };

export class ExprError extends Error {}

export interface EvalContext {
  /** The value of an identifier, or undefined when unknown. */
  lookup(name: string): Value | undefined;
  /** Reads `size` bytes at a guest address (virtual unless `physical`); throws ExprError when unmapped. */
  read(address: number, size: 1 | 2 | 4, physical: boolean): number;
  /** C variables and types of the frame, when the program has them (and casts otherwise). */
  c?: CEnv;
}

type Node =
  | { k: 'num'; v: number }
  | { k: 'str'; v: string }
  | { k: 'id'; name: string }
  | { k: 'un'; op: string; a: Node }
  | { k: 'bin'; op: string; a: Node; b: Node }
  | { k: 'cond'; c: Node; a: Node; b: Node }
  | { k: 'call'; name: string; args: Node[] }
  | { k: 'index'; a: Node; i: Node }
  | { k: 'member'; a: Node; name: string; arrow: boolean }
  | { k: 'cast'; words: string[]; stars: number; a: Node };

export interface Expression {
  readonly text: string;
  readonly root: Node;
}

interface Token { t: 'num' | 'str' | 'id' | 'op' | 'end'; v: string; pos: number }

const OPERATORS = ['->', '>>>', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '+', '-', '*', '/', '%', '&', '|', '^', '~', '!', '<', '>', '?', ':', '(', ')', ',', '[', ']'];

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) { i++; continue; }
    const rest = text.slice(i);
    const num = /^(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|\d[\d_]*)/.exec(rest);
    if (num) { out.push({ t: 'num', v: num[0], pos: i }); i += num[0].length; continue; }
    const id = /^[A-Za-z_.$][\w.$]*/.exec(rest);
    if (id) { out.push({ t: 'id', v: id[0], pos: i }); i += id[0].length; continue; }
    if (c === '"' || c === "'") {
      let j = i + 1, s = '';
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\' && j + 1 < text.length) { j++; s += text[j] === 'n' ? '\n' : text[j] === 't' ? '\t' : text[j]; } else s += text[j];
        j++;
      }
      if (j >= text.length) throw new ExprError(`unterminated string at column ${i + 1}`);
      out.push({ t: 'str', v: s, pos: i });
      i = j + 1;
      continue;
    }
    const op = OPERATORS.find((o) => rest.startsWith(o));
    if (!op) throw new ExprError(`unexpected '${c}' at column ${i + 1}`);
    out.push({ t: 'op', v: op, pos: i });
    i += op.length;
  }
  out.push({ t: 'end', v: '', pos: text.length });
  return out;
}

const BINARY_LEVELS: string[][] = [
  ['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '<=', '>', '>='], ['<<', '>>', '>>>'], ['+', '-'], ['*', '/', '%'],
];

/**
 * How deep an expression may nest: parentheses, calls, indexing, unary operators and the operators
 * of a chain (`1+1+…+1` is a tree as deep as it is long) all count. Parsing and evaluation recurse
 * once per level, so without a bound 2000 parentheses overflowed the stack (docs/debugging.md
 * "Expressions"); no hand-written condition comes near it.
 */
export const MAX_EXPR_DEPTH = 256;
/** Longest expression text (a deeper one is refused for its depth first, with a clearer message). */
const MAX_EXPR_TEXT = 64 * 1024;

class Parser {
  private i = 0;
  /** Levels of nesting open at this point of the parse (bounded by MAX_EXPR_DEPTH). */
  private depth = 0;
  constructor(private readonly toks: Token[]) {}

  /** Opens `levels` levels of nesting at token `t`; the caller closes them with `leave`. */
  private enter(t: Token, levels = 1): void {
    this.depth += levels;
    if (this.depth > MAX_EXPR_DEPTH) throw new ExprError(`expression too deep: more than ${MAX_EXPR_DEPTH} levels of nesting at column ${t.pos + 1}`);
  }

  private leave(levels = 1): void {
    this.depth -= levels;
  }

  private peek(): Token { return this.toks[this.i]; }
  private next(): Token { return this.toks[this.i++]; }
  private isOp(v: string): boolean { const t = this.peek(); return t.t === 'op' && t.v === v; }
  private expect(v: string): void {
    const t = this.next();
    if (t.t !== 'op' || t.v !== v) throw new ExprError(`expected '${v}' at column ${t.pos + 1}${t.t === 'end' ? ' (end of expression)' : ''}`);
  }

  parse(): Node {
    const n = this.ternary();
    const t = this.peek();
    if (t.t !== 'end') throw new ExprError(`unexpected '${t.v}' at column ${t.pos + 1}`);
    return n;
  }

  private ternary(): Node {
    this.enter(this.peek());
    const c = this.binary(0);
    if (!this.isOp('?')) {
      this.leave();
      return c;
    }
    this.next();
    const a = this.ternary();
    this.expect(':');
    const b = this.ternary();
    this.leave();
    return { k: 'cond', c, a, b };
  }

  /** A chain of one level's operators, left-associative: each operator is one level deeper. */
  private binary(level: number): Node {
    if (level >= BINARY_LEVELS.length) return this.unary();
    let a = this.binary(level + 1);
    let chain = 0;
    for (;;) {
      const t = this.peek();
      if (t.t !== 'op' || !BINARY_LEVELS[level].includes(t.v)) break;
      this.next();
      this.enter(t);
      chain++;
      a = { k: 'bin', op: t.v, a, b: this.binary(level + 1) };
    }
    this.leave(chain);
    return a;
  }

  private unary(): Node {
    const t = this.peek();
    if (t.t === 'op' && ['-', '+', '~', '!', '*', '&'].includes(t.v)) {
      this.next();
      this.enter(t);
      const a = this.unary();
      this.leave();
      return { k: 'un', op: t.v, a };
    }
    const cast = this.castType();
    if (cast) {
      // Each `*` of the type is a level too: a pointer type is printed and resolved recursively.
      this.enter(t, 1 + cast.stars);
      const a = this.unary();
      this.leave(1 + cast.stars);
      return { k: 'cast', ...cast, a };
    }
    return this.postfix(this.primary());
  }

  /** `(type words *...)` where the words name a C type (a keyword, a `_t` name, or any name before a `*`). */
  private castType(): { words: string[]; stars: number } | undefined {
    if (!this.isOp('(')) return undefined;
    let j = this.i + 1;
    const words: string[] = [];
    while (this.toks[j].t === 'id' && !this.toks[j].v.includes('.')) words.push(this.toks[j++].v);
    let stars = 0;
    while (this.toks[j].t === 'op' && this.toks[j].v === '*') { stars++; j++; }
    if (!words.length || this.toks[j].t !== 'op' || this.toks[j].v !== ')') return undefined;
    const typeLike = C_TYPE_WORDS.has(words[0]) || /_t$/.test(words[words.length - 1]) || stars > 0;
    if (!typeLike || (words.length > 1 && !C_TYPE_WORDS.has(words[0]) && !words.every((w) => C_TYPE_WORDS.has(w) || /_t$/.test(w)))) return undefined;
    const after = this.toks[j + 1];
    if (after.t === 'end' || (after.t === 'op' && [')', ']', ',', ':', '?'].includes(after.v))) return undefined;
    this.i = j + 1;
    return { words, stars };
  }

  /** Postfix C operators: `a[i]`, `a.m`, `a->m`; each index or member is one level deeper. */
  private postfix(n: Node): Node {
    let levels = 0;
    const deeper = (t: Token, k: number): void => {
      this.enter(t, k);
      levels += k;
    };
    for (;;) {
      const t = this.peek();
      if (t.t === 'op' && t.v === '[') {
        this.next();
        deeper(t, 1);
        const i = this.ternary();
        this.expect(']');
        n = { k: 'index', a: n, i };
      } else if (t.t === 'op' && t.v === '->') {
        this.next();
        const m = this.next();
        if (m.t !== 'id') throw new ExprError(`expected a member name after '->' at column ${m.pos + 1}`);
        const [first, ...rest] = m.v.split('.');
        deeper(m, 1 + rest.length);
        n = { k: 'member', a: n, name: first, arrow: true };
        for (const r of rest) n = { k: 'member', a: n, name: r, arrow: false };
      } else if (t.t === 'id' && t.v.startsWith('.')) {
        this.next();
        const parts = t.v.slice(1).split('.');
        deeper(t, parts.length);
        for (const r of parts) {
          if (!r) throw new ExprError(`expected a member name at column ${t.pos + 1}`);
          n = { k: 'member', a: n, name: r, arrow: false };
        }
      } else {
        this.leave(levels);
        return n;
      }
    }
  }

  private primary(): Node {
    const t = this.next();
    switch (t.t) {
      case 'num': {
        const v = parseNumber(t.v);
        if (v === undefined) throw new ExprError(`bad number '${t.v}'`);
        return { k: 'num', v };
      }
      case 'str': return { k: 'str', v: t.v };
      case 'id': {
        if (!this.isOp('(')) return { k: 'id', name: t.v };
        this.next();
        const args: Node[] = [];
        if (!this.isOp(')')) {
          for (;;) {
            args.push(this.ternary());
            if (this.isOp(',')) { this.next(); continue; }
            break;
          }
        }
        this.expect(')');
        return { k: 'call', name: t.v, args };
      }
      case 'op':
        if (t.v === '(') { const n = this.ternary(); this.expect(')'); return n; }
        throw new ExprError(`unexpected '${t.v}' at column ${t.pos + 1}`);
      default:
        throw new ExprError('unexpected end of expression');
    }
  }
}

export function parseNumber(text: string): number | undefined {
  const t = text.replace(/_/g, '');
  let v: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(t)) v = parseInt(t.slice(2), 16);
  else if (/^0[bB][01]+$/.test(t)) v = parseInt(t.slice(2), 2);
  else if (/^0[oO][0-7]+$/.test(t)) v = parseInt(t.slice(2), 8);
  else if (/^\d+$/.test(t)) v = parseInt(t, 10);
  else return undefined;
  return Number.isSafeInteger(v) ? v : undefined;
}

/** Parses `text`; throws ExprError with the column of the problem. */
export function parseExpression(text: string): Expression {
  if (typeof text !== 'string' || text.trim() === '') throw new ExprError('empty expression');
  if (text.length > MAX_EXPR_TEXT) throw new ExprError(`expression too long: more than ${MAX_EXPR_TEXT} characters`);
  return { text, root: new Parser(tokenize(text)).parse() };
}

// ---- evaluation --------------------------------------------------------------------------------------

const u32 = (v: number): number => v >>> 0;

export function toNumber(v: Value): number {
  if (typeof v === 'number') return v;
  if (v instanceof CVal) return cv(() => v.value());
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new ExprError(`'${v}' is a string, not a number`);
}

export function truthy(v: Value): boolean {
  return typeof v === 'string' ? v.length > 0 : toNumber(v) !== 0;
}

const READERS: Record<string, { size: 1 | 2 | 4; signed: boolean; physical: boolean }> = {
  u8: { size: 1, signed: false, physical: false }, u16: { size: 2, signed: false, physical: false }, u32: { size: 4, signed: false, physical: false },
  i8: { size: 1, signed: true, physical: false }, i16: { size: 2, signed: true, physical: false }, i32: { size: 4, signed: true, physical: false },
  p8: { size: 1, signed: false, physical: true }, p16: { size: 2, signed: false, physical: true }, p32: { size: 4, signed: false, physical: true },
};

/** Function names the language knows (for completion and docs). */
export const FUNCTION_NAMES = [...Object.keys(READERS), 's32', 'bit', 'bits'];

function equal(a: Value, b: Value): boolean {
  if (typeof a === 'string' || typeof b === 'string') return typeof a === typeof b && a === b;
  return toNumber(a) === toNumber(b);
}

/** Runs C-value code, turning its errors into expression errors. */
function cv<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof CError) throw new ExprError(e.message);
    throw e;
  }
}

export function evaluate(e: Expression, ctx: EvalContext): Value {
  return cv(() => evalNode(e.root, ctx));
}

/** A name: the context's, else (with C information) `a.b.c` as member access on `a`. */
function lookupName(name: string, ctx: EvalContext): Value {
  const v = ctx.lookup(name);
  if (v !== undefined) return v;
  const dot = name.indexOf('.');
  if (dot > 0 && ctx.c) {
    let base = ctx.lookup(name.slice(0, dot));
    if (base instanceof CVal) {
      for (const m of name.slice(dot + 1).split('.')) base = cMember(base as CVal, m, false);
      return base;
    }
  }
  throw new ExprError(`unknown name '${name}'`);
}

function asC(v: Value, what: string): CVal {
  if (v instanceof CVal) return v;
  throw new ExprError(`${what} needs a C value (a variable of the program, or a cast like (uint32_t *)0x80001000)`);
}

function notString(v: Value): number | boolean | CVal {
  if (typeof v === 'string') throw new ExprError(`'${v}' is a string, not a number`);
  return v;
}

function evalNode(n: Node, ctx: EvalContext): Value {
  switch (n.k) {
    case 'num': return n.v;
    case 'str': return n.v;
    case 'id': {
      if (n.name === 'true') return true;
      if (n.name === 'false') return false;
      return lookupName(n.name, ctx);
    }
    case 'index': {
      const a = evalNode(n.a, ctx);
      return deref(asC(a, 'indexing'), toNumber(evalNode(n.i, ctx)) | 0);
    }
    case 'member': return cMember(asC(evalNode(n.a, ctx), `'${n.arrow ? '->' : '.'}${n.name}'`), n.name, n.arrow);
    case 'cast': {
      const v = notString(evalNode(n.a, ctx));
      const access = ctx.c?.access ?? (v instanceof CVal ? v.access : undefined);
      if (!access) throw new ExprError('casts need a stopped vCPU');
      return cCast(resolveType(ctx.c, n.words, n.stars), v, access);
    }
    case 'cond': return truthy(evalNode(n.c, ctx)) ? evalNode(n.a, ctx) : evalNode(n.b, ctx);
    case 'un': {
      const a = evalNode(n.a, ctx);
      if (a instanceof CVal) return cUnary(n.op, a);
      if (n.op === '&') throw new ExprError('& needs a C variable in memory');
      switch (n.op) {
        case '!': return !truthy(a);
        case '-': return u32(-toNumber(a));
        case '+': return toNumber(a);
        case '~': return u32(~toNumber(a));
        default: return ctx.read(u32(toNumber(a)), 4, false) >>> 0; // '*'
      }
    }
    case 'bin': {
      if (n.op === '&&') return truthy(evalNode(n.a, ctx)) && truthy(evalNode(n.b, ctx));
      if (n.op === '||') return truthy(evalNode(n.a, ctx)) || truthy(evalNode(n.b, ctx));
      const a = evalNode(n.a, ctx), b = evalNode(n.b, ctx);
      if ((a instanceof CVal || b instanceof CVal) && typeof a !== 'string' && typeof b !== 'string') {
        const r = cBinary(n.op, a, b, ctx.c?.access);
        if (r !== undefined) return r;
      }
      if (n.op === '==') return equal(a, b);
      if (n.op === '!=') return !equal(a, b);
      if (n.op === '+' && (typeof a === 'string' || typeof b === 'string')) return String(a) + String(b);
      const x = toNumber(a), y = toNumber(b);
      switch (n.op) {
        case '+': return u32(x + y);
        case '-': return u32(x - y);
        case '*': return u32(Number(BigInt.asUintN(32, BigInt(Math.trunc(x)) * BigInt(Math.trunc(y)))));
        case '/': if (y === 0) throw new ExprError('division by zero'); return u32(Math.trunc(u32(x) / u32(y)));
        case '%': if (y === 0) throw new ExprError('division by zero'); return u32(u32(x) % u32(y));
        case '<<': return u32(x << (y & 31));
        case '>>': case '>>>': return u32(u32(x) >>> (y & 31));
        case '&': return u32(x & y);
        case '|': return u32(x | y);
        case '^': return u32(x ^ y);
        case '<': return x < y;
        case '<=': return x <= y;
        case '>': return x > y;
        case '>=': return x >= y;
      }
      throw new ExprError(`unknown operator '${n.op}'`);
    }
    case 'call': {
      const args = n.args.map((a) => evalNode(a, ctx));
      const reader = READERS[n.name];
      if (reader) {
        if (args.length !== 1) throw new ExprError(`${n.name}() takes one address`);
        const v = ctx.read(u32(toNumber(args[0])), reader.size, reader.physical);
        if (!reader.signed) return v >>> 0;
        return reader.size === 1 ? (v << 24) >> 24 : reader.size === 2 ? (v << 16) >> 16 : v | 0;
      }
      if (n.name === 's32' && args.length === 1) return toNumber(args[0]) | 0;
      if (n.name === 'bit' && args.length === 2) return (u32(toNumber(args[0])) >>> (toNumber(args[1]) & 31)) & 1;
      if (n.name === 'bits' && args.length === 3) {
        const hi = toNumber(args[1]) & 31, lo = toNumber(args[2]) & 31;
        const width = hi - lo + 1;
        return width >= 32 ? u32(toNumber(args[0])) : (u32(toNumber(args[0])) >>> lo) & ((2 ** width) - 1);
      }
      throw new ExprError(`unknown function '${n.name}' (known: ${FUNCTION_NAMES.join(', ')})`);
    }
  }
}

/** How a value prints: numbers in hex unless `format` is 'd' (decimal) or 'c' (a character). */
export function formatValue(v: Value, format?: string): string {
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof CVal) return format ? formatValue(cv(() => v.value()), format) : cv(() => v.text());
  if (typeof v === 'string') return v;
  switch (format) {
    case 'd': return String(v);
    case 'c': return String.fromCharCode(v & 0xff);
    case 'b': return '0b' + (v >>> 0).toString(2);
    default: return v < 0 ? String(v) : '0x' + v.toString(16);
  }
}

/**
 * A logpoint message: `{expr}` and `{expr,d}` (decimal), `{expr,x}` (hex), `{expr,c}` (character)
 * are replaced by their values; `{{` and `}}` are literal braces. An expression that fails prints
 * as `<error: …>` so the log still says where it was.
 */
export function interpolate(template: string, ctx: EvalContext, cache?: Map<string, Expression>): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === '{' && template[i + 1] === '{') { out += '{'; i++; continue; }
    if (c === '}' && template[i + 1] === '}') { out += '}'; i++; continue; }
    if (c !== '{') { out += c; continue; }
    const end = template.indexOf('}', i);
    if (end < 0) { out += template.slice(i); break; }
    const inner = template.slice(i + 1, end);
    const m = /^(.*?)(?:,\s*([dxcb]))?$/.exec(inner)!;
    try {
      let e = cache?.get(m[1]);
      if (!e) { e = parseExpression(m[1]); cache?.set(m[1], e); }
      out += formatValue(evaluate(e, ctx), m[2]);
    } catch (err) {
      out += `<error: ${err instanceof Error ? err.message : String(err)}>`;
    }
    i = end;
  }
  return out;
}
