// The semantics of the hot instructions, written once (docs/block-compiler.md "One description").
//
// Each entry is a JavaScript source template over operand expressions. Two code generators read
// this table: the interpreter's run loop (loop.ts), where an operand is read out of the packed
// decode-cache word (`x[(d >>> 14) & 31]`, `imm`), and the block compiler (blocks.ts), where the
// same operand is a constant (`x[7]`, `-16`). The rare instructions (CSRs, atomics, privileged
// ops, ecall/ebreak/wfi/fence) are not here: both run them out of line through Cpu.executeSlow.
// Encodings and results: RISC-V unprivileged spec 20191213 ch. 2 (RV32I) and 7 (M).
import { Op } from './decode';

/** Operand expressions handed to a template: registers as read, the immediate, this pc and the next. */
export interface Operands {
  rs1: string;
  rs2: string;
  imm: string;
  pc: string;
  next: string;
}

/** Ops whose only effect is `x[rd] = value`: the value expression. */
export const ALU: ReadonlyArray<readonly [Op, (o: Operands) => string]> = [
  [Op.LUI, (o) => o.imm],
  [Op.AUIPC, (o) => `(${o.pc} + ${o.imm}) | 0`],
  [Op.ADDI, (o) => `(${o.rs1} + ${o.imm}) | 0`],
  [Op.SLTI, (o) => `${o.rs1} < ${o.imm} ? 1 : 0`],
  [Op.SLTIU, (o) => `(${o.rs1} >>> 0) < (${o.imm} >>> 0) ? 1 : 0`],
  [Op.XORI, (o) => `${o.rs1} ^ ${o.imm}`],
  [Op.ORI, (o) => `${o.rs1} | ${o.imm}`],
  [Op.ANDI, (o) => `${o.rs1} & ${o.imm}`],
  [Op.SLLI, (o) => `${o.rs1} << ${o.imm}`],
  [Op.SRLI, (o) => `${o.rs1} >>> ${o.imm}`],
  [Op.SRAI, (o) => `${o.rs1} >> ${o.imm}`],
  [Op.ADD, (o) => `(${o.rs1} + ${o.rs2}) | 0`],
  [Op.SUB, (o) => `(${o.rs1} - ${o.rs2}) | 0`],
  [Op.SLL, (o) => `${o.rs1} << ${o.rs2}`],
  [Op.SLT, (o) => `${o.rs1} < ${o.rs2} ? 1 : 0`],
  [Op.SLTU, (o) => `(${o.rs1} >>> 0) < (${o.rs2} >>> 0) ? 1 : 0`],
  [Op.XOR, (o) => `${o.rs1} ^ ${o.rs2}`],
  [Op.SRL, (o) => `${o.rs1} >>> ${o.rs2}`],
  [Op.SRA, (o) => `${o.rs1} >> ${o.rs2}`],
  [Op.OR, (o) => `${o.rs1} | ${o.rs2}`],
  [Op.AND, (o) => `${o.rs1} & ${o.rs2}`],
  [Op.MUL, (o) => `Math.imul(${o.rs1}, ${o.rs2})`],
  [Op.MULH, (o) => `mulh(${o.rs1}, ${o.rs2})`],
  [Op.MULHSU, (o) => `mulhsu(${o.rs1}, ${o.rs2})`],
  [Op.MULHU, (o) => `mulhu(${o.rs1}, ${o.rs2})`],
  [Op.DIV, (o) => `div(${o.rs1}, ${o.rs2})`],
  [Op.DIVU, (o) => `divu(${o.rs1}, ${o.rs2})`],
  [Op.REM, (o) => `rem(${o.rs1}, ${o.rs2})`],
  [Op.REMU, (o) => `remu(${o.rs1}, ${o.rs2})`],
];

/** Conditional branches: the condition under which the branch is taken (to pc + imm). */
export const BRANCH: ReadonlyArray<readonly [Op, (o: Operands) => string]> = [
  [Op.BEQ, (o) => `${o.rs1} === ${o.rs2}`],
  [Op.BNE, (o) => `${o.rs1} !== ${o.rs2}`],
  [Op.BLT, (o) => `${o.rs1} < ${o.rs2}`],
  [Op.BGE, (o) => `${o.rs1} >= ${o.rs2}`],
  [Op.BLTU, (o) => `(${o.rs1} >>> 0) < (${o.rs2} >>> 0)`],
  [Op.BGEU, (o) => `(${o.rs1} >>> 0) >= (${o.rs2} >>> 0)`],
];

/**
 * Loads: access size, whether the value is sign-extended, and the read of host byte offset `h`
 * (aligned: a misaligned address takes the slow path, which traps or splits it).
 */
export interface LoadOp { size: 1 | 2 | 4; signed: boolean; read: (h: string) => string }
export const LOAD: ReadonlyArray<readonly [Op, LoadOp]> = [
  [Op.LW, { size: 4, signed: true, read: (h) => `i32[${h} >> 2]` }],
  [Op.LH, { size: 2, signed: true, read: (h) => `i16[${h} >> 1]` }],
  [Op.LHU, { size: 2, signed: false, read: (h) => `u16[${h} >> 1]` }],
  [Op.LB, { size: 1, signed: true, read: (h) => `i8[${h}]` }],
  [Op.LBU, { size: 1, signed: false, read: (h) => `u8[${h}]` }],
];

/**
 * Stores: size, the write of `v` at host byte offset `h`, and the decode-cache slots it clears
 * (the halfwords written and the one before: a 32-bit instruction may start there; see
 * mem/host-memory.ts DECODE_BIAS: slot `h` is the halfword before byte h).
 */
export interface StoreOp { size: 1 | 2 | 4; write: (h: string, v: string) => string; clear: (h: string) => string }
export const STORE: ReadonlyArray<readonly [Op, StoreOp]> = [
  [Op.SW, { size: 4, write: (h, v) => `i32[${h} >> 2] = ${v}`, clear: (h) => `dc[${h}] = 0; dc[${h} + 2] = 0; dc[${h} + 4] = 0` }],
  [Op.SH, { size: 2, write: (h, v) => `u16[${h} >> 1] = ${v}`, clear: (h) => `dc[${h}] = 0; dc[${h} + 2] = 0` }],
  [Op.SB, { size: 1, write: (h, v) => `u8[${h}] = ${v}`, clear: (h) => `dc[(${h}) & ~1] = 0; dc[((${h}) & ~1) + 2] = 0` }],
];

// ---- helpers the templates call (V8 inlines them) ----------------------------------------------

/** Division (§7.2): x/0 = -1, MIN/-1 = MIN. */
function div(a: number, b: number): number {
  return b === 0 ? -1 : (a === -0x80000000 && b === -1) ? a : (a / b) | 0;
}
function divu(a: number, b: number): number {
  const ua = a >>> 0, ub = b >>> 0;
  return ub === 0 ? -1 : (ua / ub) | 0;
}
/** Remainder (§7.2): x%0 = x, MIN%-1 = 0. */
function rem(a: number, b: number): number {
  return b === 0 ? a : (a === -0x80000000 && b === -1) ? 0 : (a % b) | 0;
}
function remu(a: number, b: number): number {
  const ua = a >>> 0, ub = b >>> 0;
  return ub === 0 ? a | 0 : (ua % ub) | 0;
}

/** High 32 bits of the signed × signed product (§7.1): the unsigned product corrected for the signs. */
function mulh(a: number, b: number): number {
  return (mulhu(a, b) - (a < 0 ? b : 0) - (b < 0 ? a : 0)) | 0;
}

/** High 32 bits of the signed × unsigned product. */
function mulhsu(a: number, b: number): number {
  return (mulhu(a, b) - (a < 0 ? b : 0)) | 0;
}

/** High 32 bits of the unsigned × unsigned product, without BigInt: 16-bit limbs. */
function mulhu(a: number, b: number): number {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const lo = a0 * b0;
  const mid1 = a1 * b0 + (lo >>> 16);
  const mid2 = a0 * b1 + (mid1 & 0xffff);
  return (a1 * b1 + Math.floor(mid1 / 65536) + Math.floor(mid2 / 65536)) | 0;
}

/** What the generated code may call, by name. */
export const HELPERS = { mulh, mulhsu, mulhu, div, divu, rem, remu } as const;
