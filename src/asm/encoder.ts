/**
 * Pass 2 for one instruction: operand values, range checks and the word.
 * Which immediate layout an operand uses comes from the slot and the
 * instruction format (isa.ts); the bit layouts are in encoding.ts.
 */
import { SourcePos } from './diagnostics';
import { EvalError, Expr, Value } from './expr';
import { csrByName } from './csr-names';
import {
  encodeBImm, encodeIImm, encodeJImm, encodeSImm, encodeUImm, hi20, lo12,
} from './encoding';
import { InsnItem } from './items';
import { FENCE_SETS, syntaxSlots } from './isa';
import { Operand } from './parser';

export interface EncodeContext {
  /** Address of the instruction. */
  readonly pc: number;
  /** Final evaluation; throws EvalError. */
  evaluate(expr: Expr): Value;
  /**
   * The target of the %pcrel_hi at an auipc's address; undefined if there is
   * none, 'failed' if that auipc has an error of its own (reported there).
   */
  pcrelHiTarget(address: number): number | 'failed' | undefined;
  warn(pos: SourcePos, message: string): void;
  /** Compressed code is on: 2-byte-aligned targets are fine. */
  readonly rvc?: boolean;
}

/** An error that follows from one already reported: not shown again. */
export class AlreadyReported extends EvalError {}

export function encodeInstruction(item: InsnItem, ctx: EncodeContext): number {
  const slots = syntaxSlots(item.def.syntax);
  let word = item.def.match;
  slots.forEach((slot, i) => {
    word |= encodeSlot(slot, item.operands[i], item, ctx);
  });
  return word >>> 0;
}

function encodeSlot(slot: string, op: Operand, item: InsnItem, ctx: EncodeContext): number {
  switch (slot) {
    case 'rd': return regOf(op) << 7;
    case 'rs1': return regOf(op) << 15;
    case 'rs2': return regOf(op) << 20;
    case 'imm': return encodeIImm(imm12(exprOf(op), item, ctx));
    case 'offset(rs1)': return memOperand(op, item, ctx);
    case '(rs1)': return amoAddress(op, item, ctx);
    case 'shamt': return unsignedField(exprOf(op), 0, 31, 'shift amount', item, ctx) << 20;
    case 'zimm': return unsignedField(exprOf(op), 0, 31, 'CSR immediate', item, ctx) << 15;
    case 'uimm20': return encodeUImm(upperImmediate(exprOf(op), item, ctx));
    case 'target': return branchTarget(exprOf(op), item, ctx);
    case 'csr': return csrNumber(exprOf(op), item, ctx) << 20;
    case 'pred': return fenceSet(exprOf(op)) << 24;
    case 'succ': return fenceSet(exprOf(op)) << 20;
    default: throw new Error(`no encoding for operand slot ${slot}`);
  }
}

function regOf(op: Operand): number {
  if (op.kind !== 'reg') throw new EvalError(op.pos, 'expected a register');
  return op.reg;
}

function exprOf(op: Operand): Expr {
  if (op.kind !== 'expr') throw new EvalError(op.pos, 'expected an expression');
  return op.expr;
}

function memOperand(op: Operand, item: InsnItem, ctx: EncodeContext): number {
  if (op.kind !== 'mem') throw new EvalError(op.pos, 'expected offset(register)');
  const offset = op.offset ? imm12(op.offset, item, ctx) : 0;
  const imm = item.def.format === 'S' ? encodeSImm(offset) : encodeIImm(offset);
  return (op.base << 15) | imm;
}

/** Chapter 8.2: AMOs take the address in rs1 alone; gas accepts `0(rs1)` too. */
function amoAddress(op: Operand, item: InsnItem, ctx: EncodeContext): number {
  if (op.kind !== 'mem') throw new EvalError(op.pos, 'expected (register)');
  if (op.offset) {
    const v = constantOf(op.offset, item, ctx);
    if (v !== 0n) throw new EvalError(op.offset.pos, `${item.written}: the address offset must be 0, found ${v}`);
  }
  return op.base << 15;
}

function constantOf(e: Expr, item: InsnItem, ctx: EncodeContext): bigint {
  const v = ctx.evaluate(e);
  if (v.section !== null) {
    const what = e.kind === 'sym' ? `'${e.display ?? e.name}'` : 'this expression';
    throw new EvalError(e.pos, `${item.written}: ${what} is an address, not a constant`);
  }
  return v.value;
}

/** gas takes values 0..0xffffffff as signed 32-bit before range checks (normalize_constant_expr). */
function normalize32(v: bigint): bigint {
  return v >= 0n && v <= 0xffffffffn ? BigInt.asIntN(32, v) : v;
}

const toInt32 = (v: bigint): number => Number(BigInt.asIntN(32, v));

/** A 12-bit signed immediate: a constant, `%lo(x)` or `%pcrel_lo(label)`. */
function imm12(e: Expr, item: InsnItem, ctx: EncodeContext): number {
  if (e.kind === 'reloc') {
    if (e.op === 'lo') return lo12(toInt32(ctx.evaluate(e.arg).value));
    if (e.op === 'pcrel_lo') return lo12(pcrelLo(e.arg, ctx));
    throw new EvalError(e.pos, `%${e.op} gives the upper 20 bits (for lui/auipc); use %${e.op === 'hi' ? 'lo' : 'pcrel_lo'} here`);
  }
  const v = normalize32(constantOrAddressHint(e, item, ctx, '%lo'));
  if (v < -2048n || v > 2047n) throw new EvalError(e.pos, `immediate ${v} out of range for ${item.written} (-2048..2047)`);
  return Number(v);
}

/** %pcrel_lo(label): the low part of the pc-relative offset computed by the auipc at `label`. */
function pcrelLo(arg: Expr, ctx: EncodeContext): number {
  const at = toInt32(ctx.evaluate(arg).value) >>> 0;
  const target = ctx.pcrelHiTarget(at);
  if (target === 'failed') throw new AlreadyReported(arg.pos, 'error at the matching %pcrel_hi');
  if (target === undefined) {
    const name = arg.kind === 'sym' ? arg.display ?? arg.name : `0x${at.toString(16)}`;
    throw new EvalError(arg.pos, `%pcrel_lo(${name}): no auipc with %pcrel_hi at that label`);
  }
  return (target - at) | 0;
}

function constantOrAddressHint(e: Expr, item: InsnItem, ctx: EncodeContext, op: string): bigint {
  const v = ctx.evaluate(e);
  if (v.section === null) return v.value;
  const name = e.kind === 'sym' ? e.display ?? e.name : 'the address';
  throw new EvalError(e.pos, `${item.written}: '${name}' is an address, not a constant; use ${op}(${name})`);
}

function unsignedField(e: Expr, min: number, max: number, what: string, item: InsnItem, ctx: EncodeContext): number {
  const v = constantOf(e, item, ctx);
  if (v < BigInt(min) || v > BigInt(max)) throw new EvalError(e.pos, `${what} ${v} out of range for ${item.written} (${min}..${max})`);
  return Number(v);
}

/** lui/auipc: a 20-bit field, `%hi(x)` or `%pcrel_hi(x)`. */
function upperImmediate(e: Expr, item: InsnItem, ctx: EncodeContext): number {
  if (e.kind === 'reloc') {
    const value = toInt32(ctx.evaluate(e.arg).value);
    if (e.op === 'hi') return hi20(value);
    if (e.op === 'pcrel_hi') return hi20((value - ctx.pc) | 0);
    throw new EvalError(e.pos, `%${e.op} gives the low 12 bits; use %${e.op === 'lo' ? 'hi' : 'pcrel_hi'} with ${item.written}`);
  }
  const v = constantOrAddressHint(e, item, ctx, '%hi');
  if (v < 0n || v > 0xfffffn) throw new EvalError(e.pos, `immediate ${v} out of range for ${item.written} (0..1048575)`);
  return Number(v);
}

/**
 * Branch (B-type, ±4 KiB) and jal (J-type, ±1 MiB) targets are pc-relative
 * multiples of 2 (chapter 2.5). Without the C extension a target that is not
 * 4-byte aligned raises instruction-address-misaligned, so that is a warning.
 */
function branchTarget(e: Expr, item: InsnItem, ctx: EncodeContext): number {
  const target = toInt32(ctx.evaluate(e).value) >>> 0;
  const offset = (target - ctx.pc) | 0;
  const isBranch = item.def.format === 'B';
  const limit = isBranch ? 4096 : 1 << 20;
  const hex = `0x${target.toString(16)}`;
  if (offset % 2 !== 0) throw new EvalError(e.pos, `misaligned branch target ${hex}: offset ${offset} is odd`);
  if (offset < -limit || offset >= limit) {
    const range = isBranch ? '±4 KiB' : '±1 MiB';
    throw new EvalError(e.pos, `branch target ${hex} out of range for ${item.written}: offset ${offset} (${range})`);
  }
  if (offset % 4 !== 0 && !ctx.rvc) ctx.warn(e.pos, `branch target ${hex} is not 4-byte aligned: it traps without the C extension`);
  return isBranch ? encodeBImm(offset) : encodeJImm(offset);
}

function csrNumber(e: Expr, item: InsnItem, ctx: EncodeContext): number {
  if (e.kind === 'sym') {
    const named = csrByName(e.name);
    if (named) return named.address;
    if (!isDefinedSymbol(e, ctx)) throw new EvalError(e.pos, `unknown CSR '${e.name}'`);
  }
  const v = constantOf(e, item, ctx);
  if (v < 0n || v > 4095n) throw new EvalError(e.pos, `CSR number ${v} out of range (0..4095)`);
  return Number(v);
}

function isDefinedSymbol(e: Expr, ctx: EncodeContext): boolean {
  try {
    ctx.evaluate(e);
    return true;
  } catch {
    return false;
  }
}

function fenceSet(e: Expr): number {
  const i = e.kind === 'sym' ? FENCE_SETS.indexOf(e.name) : -1;
  if (i <= 0) {
    throw new EvalError(e.pos, 'bad fence operand: expected a non-empty subset of i, o, r, w in that order (e.g. rw)');
  }
  return i;
}
