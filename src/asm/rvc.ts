/**
 * The RV32C compressed instructions (unprivileged spec 20191213 ch. 16) as
 * the assembler and the disassembler see them: one table of forms, each with
 * its mnemonic, its operands in GNU's order and its bit fields. The
 * disassembler prints a halfword as `objdump -M no-aliases` does; the
 * assembler encodes `c.*` mnemonics and, under `.option rvc`, picks the
 * compressed form of an instruction as GNU as does (compress.ts).
 *
 * (The machine has its own expansion in vm/cpu/rvc.ts: the layers do not
 * share code, and the two are checked against each other and against GNU.)
 */
import { registerName } from './registers';

/** Operand kinds, named after their field layout (spec tables 16.1–16.3). */
export type CSlot =
  | 'rd' | 'rs1' | 'rs2'          // full 5-bit registers (bits 11:7 or 6:2)
  | "rd'" | "rs1'" | "rs2'"       // x8–x15: bits 4:2 (rd', rs2') or 9:7 (rs1', and rd' of the CB/CA forms)
  | 'sp'                          // the fixed sp of c.addi4spn / c.addi16sp
  | 'imm6'                        // CI signed 6-bit immediate
  | 'shamt'                       // CI shift amount 1–31 (objdump prints hex)
  | 'luiimm'                      // c.lui: imm[17:12], printed as the 20-bit field in hex
  | 'addi4spn'                    // nzuimm[9:2], multiple of 4
  | 'addi16sp'                    // nzimm[9:4], multiple of 16
  | 'lw(rs1\')'                   // uimm[6:2](rs1') of c.lw / c.sw
  | 'lwsp(sp)'                    // uimm[7:2](sp) of c.lwsp
  | 'swsp(sp)'                    // uimm[7:2](sp) of c.swsp
  | 'cj'                          // c.j / c.jal target (±2 KiB)
  | 'cb';                         // c.beqz / c.bnez target (±256 B)

interface CompressedDef {
  readonly mnemonic: string;
  readonly slots: readonly CSlot[];
  readonly match: number;
  readonly mask: number;
  /** One line of semantics for hover: what the instruction expands to. */
  readonly semantics: string;
}

/** The rd field (bits 11:7). */
const RD = 0xf80;

function c(mnemonic: string, slots: CSlot[], match: number, mask: number, semantics: string): CompressedDef {
  return { mnemonic, slots, match, mask, semantics };
}

const Q = 0xe003; // funct3 + quadrant

/**
 * In objdump's order (binutils riscv-opc.c, RV32C only): the first form whose
 * match/mask fits and whose operand constraints hold (see `valid`) names the
 * halfword.
 */
export const COMPRESSED: readonly CompressedDef[] = [
  c('c.unimp', [], 0x0000, 0xffff, 'illegal instruction (the all-zero halfword)'),
  c('c.addi4spn', ["rd'", 'sp', 'addi4spn'], 0x0000, Q, "addi rd', sp, nzuimm"),
  c('c.lw', ["rd'", "lw(rs1')"], 0x4000, Q, "lw rd', offset(rs1')"),
  c('c.sw', ["rs2'", "lw(rs1')"], 0xc000, Q, "sw rs2', offset(rs1')"),
  c('c.addi', ['rd', 'imm6'], 0x0001, Q, 'addi rd, rd, imm (c.nop with rd = zero)'),
  c('c.jal', ['cj'], 0x2001, Q, 'jal ra, target (RV32 only)'),
  c('c.li', ['rd', 'imm6'], 0x4001, Q, 'addi rd, zero, imm'),
  c('c.addi16sp', ['sp', 'addi16sp'], 0x6101, Q | RD, 'addi sp, sp, nzimm (a multiple of 16)'),
  c('c.lui', ['rd', 'luiimm'], 0x6001, Q, 'lui rd, nzimm (rd ≠ zero, sp)'),
  c('c.srli64', ["rs1'"], 0x8001, 0xfc7f, 'a HINT on RV32 (shift by 0): no operation'),
  c('c.srai64', ["rs1'"], 0x8401, 0xfc7f, 'a HINT on RV32 (shift by 0): no operation'),
  c('c.srli', ["rs1'", 'shamt'], 0x8001, 0xec03, "srli rd', rd', shamt"),
  c('c.srai', ["rs1'", 'shamt'], 0x8401, 0xec03, "srai rd', rd', shamt"),
  c('c.andi', ["rs1'", 'imm6'], 0x8801, 0xec03, "andi rd', rd', imm"),
  c('c.sub', ["rs1'", "rs2'"], 0x8c01, 0xfc63, "sub rd', rd', rs2'"),
  c('c.xor', ["rs1'", "rs2'"], 0x8c21, 0xfc63, "xor rd', rd', rs2'"),
  c('c.or', ["rs1'", "rs2'"], 0x8c41, 0xfc63, "or rd', rd', rs2'"),
  c('c.and', ["rs1'", "rs2'"], 0x8c61, 0xfc63, "and rd', rd', rs2'"),
  c('c.j', ['cj'], 0xa001, Q, 'jal zero, target'),
  c('c.beqz', ["rs1'", 'cb'], 0xc001, Q, "beq rs1', zero, target"),
  c('c.bnez', ["rs1'", 'cb'], 0xe001, Q, "bne rs1', zero, target"),
  c('c.slli64', ['rd'], 0x0002, 0xf07f, 'a HINT on RV32 (shift by 0): no operation'),
  c('c.slli', ['rd', 'shamt'], 0x0002, Q, 'slli rd, rd, shamt'),
  c('c.lwsp', ['rd', 'lwsp(sp)'], 0x4002, Q, 'lw rd, offset(sp) (rd ≠ zero)'),
  c('c.jr', ['rs1'], 0x8002, 0xf07f, 'jalr zero, 0(rs1)'),
  c('c.mv', ['rd', 'rs2'], 0x8002, 0xf003, 'add rd, zero, rs2'),
  c('c.ebreak', [], 0x9002, 0xffff, 'ebreak'),
  c('c.jalr', ['rs1'], 0x9002, 0xf07f, 'jalr ra, 0(rs1)'),
  c('c.add', ['rd', 'rs2'], 0x9002, 0xf003, 'add rd, rd, rs2'),
  c('c.swsp', ['rs2', 'swsp(sp)'], 0xc002, Q, 'sw rs2, offset(sp)'),
];

const sext = (v: number, bits: number): number => (v << (32 - bits)) >> (32 - bits);

/** The numeric value of a slot in halfword `h` (a register number, an immediate, or a pc offset). */
function slotValue(slot: CSlot, h: number): number {
  switch (slot) {
    case 'rd': case 'rs1': return (h >> 7) & 31;
    case 'rs2': return (h >> 2) & 31;
    case "rd'": case "rs2'": return 8 + ((h >> 2) & 7);
    case "rs1'": return 8 + ((h >> 7) & 7);
    case 'sp': return 2;
    case 'imm6': return sext(((h >> 7) & 0x20) | ((h >> 2) & 0x1f), 6);
    case 'shamt': return ((h >> 7) & 0x20) | ((h >> 2) & 0x1f);
    case 'luiimm': return sext(((h >> 7) & 0x20) | ((h >> 2) & 0x1f), 6) & 0xfffff;
    case 'addi4spn': return ((h >> 7) & 0x30) | ((h >> 1) & 0x3c0) | ((h >> 4) & 4) | ((h >> 2) & 8);
    case 'addi16sp': return sext(((h >> 3) & 0x200) | ((h >> 2) & 0x10) | ((h << 1) & 0x40) | ((h << 4) & 0x180) | ((h << 3) & 0x20), 10);
    case "lw(rs1')": return ((h >> 7) & 0x38) | ((h >> 4) & 4) | ((h << 1) & 0x40);
    case 'lwsp(sp)': return ((h >> 7) & 0x20) | ((h >> 2) & 0x1c) | ((h << 4) & 0xc0);
    case 'swsp(sp)': return ((h >> 7) & 0x3c) | ((h >> 1) & 0xc0);
    case 'cj': return sext(((h >> 1) & 0x800) | ((h >> 7) & 0x10) | ((h >> 1) & 0x300) | ((h << 2) & 0x400) |
      ((h >> 1) & 0x40) | ((h << 1) & 0x80) | ((h >> 2) & 0xe) | ((h << 3) & 0x20), 12);
    case 'cb': return sext(((h >> 4) & 0x100) | ((h >> 7) & 0x18) | ((h << 1) & 0xc0) | ((h >> 2) & 6) | ((h << 3) & 0x20), 9);
  }
}

/** The bits of slot `slot` holding `v` (the inverse of slotValue; v must be in range). */
export function slotBits(slot: CSlot, v: number): number {
  switch (slot) {
    case 'rd': case 'rs1': return (v & 31) << 7;
    case 'rs2': return (v & 31) << 2;
    case "rd'": case "rs2'": return ((v - 8) & 7) << 2;
    case "rs1'": return ((v - 8) & 7) << 7;
    case 'sp': return 0;
    case 'imm6': case 'shamt': case 'luiimm': return ((v & 0x20) << 7) | ((v & 0x1f) << 2);
    case 'addi4spn': return ((v & 0x30) << 7) | ((v & 0x3c0) << 1) | ((v & 4) << 4) | ((v & 8) << 2);
    case 'addi16sp': return ((v & 0x200) << 3) | ((v & 0x10) << 2) | ((v & 0x40) >> 1) | ((v & 0x180) >> 4) | ((v & 0x20) >> 3);
    case "lw(rs1')": return ((v & 0x38) << 7) | ((v & 4) << 4) | ((v & 0x40) >> 1);
    case 'lwsp(sp)': return ((v & 0x20) << 7) | ((v & 0x1c) << 2) | ((v & 0xc0) >> 4);
    case 'swsp(sp)': return ((v & 0x3c) << 7) | ((v & 0xc0) << 1);
    case 'cj': return ((v & 0x800) << 1) | ((v & 0x10) << 7) | ((v & 0x300) << 1) | ((v & 0x400) >> 2) |
      ((v & 0x40) << 1) | ((v & 0x80) >> 1) | ((v & 0xe) << 2) | ((v & 0x20) >> 3);
    case 'cb': return ((v & 0x100) << 4) | ((v & 0x18) << 7) | ((v & 0xc0) >> 1) | ((v & 6) << 2) | ((v & 0x20) >> 3);
  }
}

/**
 * Operand constraints of RV32C that match/mask cannot say (reserved encodings, spec tables
 * 16.5–16.7), as objdump applies them: the disassembler prints what objdump prints.
 */
function validCompressed(def: CompressedDef, h: number): boolean {
  const rd = (h >> 7) & 31;
  switch (def.mnemonic) {
    case 'c.addi4spn': return slotValue('addi4spn', h) !== 0;
    // objdump prints c.addi16sp with 0 (reserved: the machine traps on it) and c.lui to zero (a HINT).
    case 'c.lui': return rd !== 2 && slotValue('imm6', h) !== 0;
    // objdump prints shamt[5] = 1 (reserved on RV32: the machine traps on it) as a shift by 32 or more.
    case 'c.srli': case 'c.srai': case 'c.slli': return slotValue('shamt', h) !== 0;
    case 'c.lwsp': case 'c.jr': return rd !== 0;
    case 'c.mv': case 'c.add': return ((h >> 2) & 31) !== 0;
    case 'c.jalr': return rd !== 0;
    default: return true;
  }
}

/** The form a halfword decodes to on RV32C, or undefined (reserved, RV64/FP, or 32-bit). */
function decodeCompressed(h: number): CompressedDef | undefined {
  h &= 0xffff;
  if ((h & 3) === 3) return undefined;
  return COMPRESSED.find((d) => (h & d.mask) === d.match && validCompressed(d, h));
}

const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;

/** One operand as objdump prints it. */
function formatSlot(slot: CSlot, h: number, pc: number): string {
  const v = slotValue(slot, h);
  switch (slot) {
    case 'rd': case 'rs1': case 'rs2': case "rd'": case "rs1'": case "rs2'": case 'sp': return registerName(v);
    case 'shamt': case 'luiimm': return hex(v);
    case "lw(rs1')": return `${v}(${registerName(slotValue("rs1'", h))})`;
    case 'lwsp(sp)': case 'swsp(sp)': return `${v}(sp)`;
    case 'cj': case 'cb': return ((pc + v) >>> 0).toString(16);
    default: return String(v);
  }
}

/** A halfword as `objdump -M no-aliases` prints it, or undefined if it is not an RV32C instruction. */
export function disassembleCompressed(h: number, pc: number): string | undefined {
  const def = decodeCompressed(h);
  if (!def) return undefined;
  const ops = def.slots.map((s) => formatSlot(s, h & 0xffff, pc >>> 0));
  return ops.length === 0 ? def.mnemonic : `${def.mnemonic}\t${ops.join(',')}`;
}
