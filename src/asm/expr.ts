/**
 * Expressions as gas parses and evaluates them: 64-bit two's-complement
 * integers, C operators with gas's precedence (`|&^` bind tighter than `+-`,
 * comparisons give -1 for true), symbols, `.` for the location counter, and
 * the RISC-V relocation operators `%hi(x) %lo(x) %pcrel_hi(x) %pcrel_lo(label)`
 * (allowed only as a whole operand).
 */
import { SourcePos, positionOf } from './diagnostics';
import { Token } from './lexer';
import { ParseError, TokenStream } from './token-stream';

export type RelocOp = 'hi' | 'lo' | 'pcrel_hi' | 'pcrel_lo';
const RELOC_OPS: readonly RelocOp[] = ['hi', 'lo', 'pcrel_hi', 'pcrel_lo'];

export type Expr =
  | { readonly kind: 'num'; readonly value: bigint; readonly pos: SourcePos }
  /** `display` is how a numeric local label reference was written (`1b`). */
  | { readonly kind: 'sym'; readonly name: string; readonly display?: string; readonly pos: SourcePos }
  | { readonly kind: 'dot'; readonly pos: SourcePos }
  | { readonly kind: 'unary'; readonly op: string; readonly arg: Expr; readonly pos: SourcePos }
  | { readonly kind: 'binary'; readonly op: string; readonly left: Expr; readonly right: Expr; readonly pos: SourcePos }
  | { readonly kind: 'reloc'; readonly op: RelocOp; readonly arg: Expr; readonly pos: SourcePos };

/** gas's operator ranks (expr.c op_rank): higher binds tighter. */
const BINARY_RANK: Readonly<Record<string, number>> = {
  '*': 9, '/': 9, '%': 9, '<<': 9, '>>': 9,
  '|': 8, '!': 8, '^': 8, '&': 8,
  '+': 7, '-': 7,
  '==': 4, '!=': 4, '<>': 4, '<': 4, '<=': 4, '>=': 4, '>': 4,
  '&&': 3,
  '||': 2,
};

/**
 * How deep an expression may nest: parentheses and unary operators count as levels of the parser,
 * operators as levels of the tree (`1+1+…+1` is as deep as it is long), and every walk over the
 * tree (evaluation, references) recurses that deep. gas has no such limit but does not recurse on
 * operator chains; 256 is far beyond any real operand and far within the stack.
 */
export const MAX_EXPR_DEPTH = 256;

/** An expression and the height of its tree. */
interface Parsed { readonly e: Expr; readonly height: number }

function tooDeep(at: SourcePos): never {
  throw new ParseError(at, `expression too deep (more than ${MAX_EXPR_DEPTH} levels of parentheses, operators or terms)`);
}

export function parseExpression(ts: TokenStream): Expr {
  return parseBinary(ts, 1, 0).e;
}

function parseBinary(ts: TokenStream, minRank: number, level: number): Parsed {
  let left = parseUnary(ts, level);
  for (;;) {
    const t = ts.peek();
    const rank = t && t.kind === 'punct' ? BINARY_RANK[t.text] : undefined;
    if (rank === undefined || rank < minRank) return left;
    ts.next();
    const right = parseBinary(ts, rank + 1, level + 1);
    const height = Math.max(left.height, right.height) + 1;
    if (height > MAX_EXPR_DEPTH) tooDeep(t!);
    left = { e: { kind: 'binary', op: t!.text, left: left.e, right: right.e, pos: positionOf(t!) }, height };
  }
}

function parseUnary(ts: TokenStream, level: number): Parsed {
  const t = ts.peek();
  if (level > MAX_EXPR_DEPTH) tooDeep(t ?? ts.pos);
  if (t && t.kind === 'punct' && ['-', '+', '~', '!'].includes(t.text)) {
    ts.next();
    const arg = parseUnary(ts, level + 1);
    return { e: { kind: 'unary', op: t.text, arg: arg.e, pos: positionOf(t) }, height: arg.height + 1 };
  }
  return parsePrimary(ts, level);
}

function parsePrimary(ts: TokenStream, level: number): Parsed {
  const pos = ts.pos;
  if (ts.atEnd) throw new ParseError(pos, 'expected an expression');
  const t = ts.next();
  switch (t.kind) {
    case 'number':
      return { e: { kind: 'num', value: t.value ?? 0n, pos: positionOf(t) }, height: 1 };
    case 'ident':
      return { e: t.text === '.' ? { kind: 'dot', pos: positionOf(t) } : { kind: 'sym', name: t.text, pos: positionOf(t) }, height: 1 };
    case 'localref':
      return { e: localLabelRef(t), height: 1 };
    case 'reloc':
      return parseReloc(ts, t, level);
    case 'punct':
      if (t.text === '(') {
        const inner = parseBinary(ts, 1, level + 1);
        ts.expectPunct(')');
        return inner;
      }
      throw new ParseError(t, `bad expression: unexpected '${t.text}'`);
    default:
      throw new ParseError(t, t.kind === 'string' ? 'bad expression: unexpected string' : 'expected an expression');
  }
}

/** A `1b`/`1f` token the parser has already resolved to one label instance. */
function localLabelRef(t: Token): Expr {
  if (t.localName === undefined) throw new ParseError(t, t.localError ?? `undefined local label ${t.text}`);
  return { kind: 'sym', name: t.localName, display: t.text, pos: positionOf(t) };
}

function parseReloc(ts: TokenStream, t: Token, level: number): Parsed {
  const op = RELOC_OPS.find((r) => r === t.text);
  if (!op) throw new ParseError(t, `unknown relocation operator %${t.text} (supported: %hi %lo %pcrel_hi %pcrel_lo)`);
  ts.expectPunct('(');
  const arg = parseBinary(ts, 1, level + 1);
  ts.expectPunct(')');
  return { e: { kind: 'reloc', op, arg: arg.e, pos: positionOf(t) }, height: arg.height + 1 };
}

/** `section` null means an absolute number; otherwise the value is an address in that section. */
export interface Value {
  readonly value: bigint;
  readonly section: string | null;
}

/** Not known yet (pass 1, forward reference): the caller decides whether that is an error. */
interface Unknown {
  readonly unknown: true;
  readonly symbol?: string;
}

export interface EvalContext {
  /** Resolved symbol, `undefined` if it has no definition anywhere, `'pending'` if not yet known. */
  lookup(name: string): Value | undefined | 'pending';
  /** The location counter. */
  dot(): Value;
  /** After layout every section has its address, so addresses of different sections may be combined. */
  readonly final: boolean;
}

export class EvalError extends ParseError {}

const abs = (value: bigint): Value => ({ value: BigInt.asIntN(64, value), section: null });

/** Evaluates an expression; throws EvalError for errors, returns Unknown for forward references. */
export function evaluate(e: Expr, ctx: EvalContext): Value | Unknown {
  switch (e.kind) {
    case 'num':
      return abs(e.value);
    case 'dot':
      return ctx.dot();
    case 'sym': {
      const v = ctx.lookup(e.name);
      if (v === 'pending') return { unknown: true, symbol: e.display ?? e.name };
      if (v === undefined) {
        throw new EvalError(e.pos, e.display ? `undefined local label ${e.display}` : `undefined symbol '${e.name}'`);
      }
      return v;
    }
    case 'reloc':
      throw new EvalError(e.pos, `%${e.op}(...) must be a whole instruction operand`);
    case 'unary':
      return evalUnary(e.op, e.arg, ctx);
    case 'binary':
      return evalBinary(e, ctx);
  }
}

export function isUnknown(v: Value | Unknown): v is Unknown {
  return 'unknown' in v;
}

function evalUnary(op: string, argExpr: Expr, ctx: EvalContext): Value | Unknown {
  const arg = evaluate(argExpr, ctx);
  if (isUnknown(arg)) return arg;
  if (op === '+') return arg;
  if (arg.section !== null && !ctx.final) return { unknown: true };
  const x = arg.value;
  if (op === '-') return abs(-x);
  if (op === '~') return abs(~x);
  return abs(x === 0n ? 1n : 0n);
}

function evalBinary(e: Expr & { kind: 'binary' }, ctx: EvalContext): Value | Unknown {
  const left = evaluate(e.left, ctx);
  if (isUnknown(left)) return left;
  const right = evaluate(e.right, ctx);
  if (isUnknown(right)) return right;
  if (e.op === '+') return add(left, right, e.pos);
  if (e.op === '-') return subtract(left, right, ctx);
  if ((left.section !== null || right.section !== null) && !ctx.final) return { unknown: true };
  return abs(arithmetic(e.op, left.value, right.value, e.pos));
}

function add(a: Value, b: Value, pos: SourcePos): Value {
  if (a.section !== null && b.section !== null) throw new EvalError(pos, 'cannot add two addresses');
  return { value: BigInt.asIntN(64, a.value + b.value), section: a.section ?? b.section };
}

function subtract(a: Value, b: Value, ctx: EvalContext): Value | Unknown {
  if (b.section === null) return { value: BigInt.asIntN(64, a.value - b.value), section: a.section };
  if (a.section === b.section || ctx.final) return abs(a.value - b.value);
  return { unknown: true };
}

function arithmetic(op: string, a: bigint, b: bigint, pos: SourcePos): bigint {
  switch (op) {
    case '*': return a * b;
    case '/':
    case '%':
      if (b === 0n) throw new EvalError(pos, 'division by zero');
      return op === '/' ? a / b : a % b;
    case '<<': return b < 0n || b >= 64n ? 0n : a << b;
    case '>>': return b < 0n || b >= 64n ? 0n : BigInt.asUintN(64, a) >> b;
    case '|': return a | b;
    case '!': return a | ~b;
    case '^': return a ^ b;
    case '&': return a & b;
    case '&&': return a !== 0n && b !== 0n ? 1n : 0n;
    case '||': return a !== 0n || b !== 0n ? 1n : 0n;
    default: return compare(op, a, b) ? -1n : 0n;
  }
}

function compare(op: string, a: bigint, b: bigint): boolean {
  switch (op) {
    case '==': return a === b;
    case '!=':
    case '<>': return a !== b;
    case '<': return a < b;
    case '<=': return a <= b;
    case '>=': return a >= b;
    default: return a > b;
  }
}

