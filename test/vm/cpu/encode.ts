// A tiny RV32IMA + Zicsr + Zifencei encoder, so instruction tests read as "these bytes in, these
// registers out" (docs/style.md habit 10) without needing an assembler. Formats: unprivileged spec
// 20191213 §2.2–2.3 (R/I/S/B/U/J), opcode map ch. 24; privileged spec 1.12 §3.3, §4.2.2.
// Every function returns the instruction word as an unsigned 32-bit number.

function field(v: number, bits: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v >= 2 ** bits) throw new RangeError(`${what} ${v} does not fit in ${bits} bits`);
  return v;
}

function signed(v: number, bits: number, what: string): number {
  const lim = 2 ** (bits - 1);
  if (!Number.isInteger(v) || v < -lim || v >= lim) throw new RangeError(`${what} ${v} is not a ${bits}-bit signed immediate`);
  return v & (2 ** bits - 1);
}

const reg = (r: number): number => field(r, 5, 'register');

export function rType(opcode: number, rd: number, f3: number, rs1: number, rs2: number, f7: number): number {
  return ((field(f7, 7, 'funct7') << 25) | (reg(rs2) << 20) | (reg(rs1) << 15) | (field(f3, 3, 'funct3') << 12) |
    (reg(rd) << 7) | field(opcode, 7, 'opcode')) >>> 0;
}

export function iType(opcode: number, rd: number, f3: number, rs1: number, imm: number): number {
  return ((signed(imm, 12, 'I-immediate') << 20) | (reg(rs1) << 15) | (f3 << 12) | (reg(rd) << 7) | opcode) >>> 0;
}

export function sType(opcode: number, f3: number, rs1: number, rs2: number, imm: number): number {
  const i = signed(imm, 12, 'S-immediate');
  return (((i >>> 5) << 25) | (reg(rs2) << 20) | (reg(rs1) << 15) | (f3 << 12) | ((i & 31) << 7) | opcode) >>> 0;
}

export function bType(opcode: number, f3: number, rs1: number, rs2: number, imm: number): number {
  if (imm & 1) throw new RangeError(`branch offset ${imm} is odd`);
  const i = signed(imm, 13, 'B-immediate');
  return ((((i >>> 12) & 1) << 31) | (((i >>> 5) & 0x3f) << 25) | (reg(rs2) << 20) | (reg(rs1) << 15) | (f3 << 12) |
    (((i >>> 1) & 0xf) << 8) | (((i >>> 11) & 1) << 7) | opcode) >>> 0;
}

/** `imm20` is the value of bits 31:12 (as written in assembly: `lui a0, 0x12345`). */
export function uType(opcode: number, rd: number, imm20: number): number {
  return ((field(imm20, 20, 'U-immediate') << 12) | (reg(rd) << 7) | opcode) >>> 0;
}

export function jType(opcode: number, rd: number, imm: number): number {
  if (imm & 1) throw new RangeError(`jump offset ${imm} is odd`);
  const i = signed(imm, 21, 'J-immediate');
  return ((((i >>> 20) & 1) << 31) | (((i >>> 1) & 0x3ff) << 21) | (((i >>> 11) & 1) << 20) | (((i >>> 12) & 0xff) << 12) |
    (reg(rd) << 7) | opcode) >>> 0;
}

const OP_IMM = 0x13, OP = 0x33, LOAD = 0x03, STORE = 0x23, BRANCH = 0x63, SYSTEM = 0x73, AMO = 0x2f, MISC_MEM = 0x0f;

// ---- RV32I ----------------------------------------------------------------------------------

export const lui = (rd: number, imm20: number): number => uType(0x37, rd, imm20);
export const auipc = (rd: number, imm20: number): number => uType(0x17, rd, imm20);
export const jal = (rd: number, offset: number): number => jType(0x6f, rd, offset);
export const jalr = (rd: number, rs1: number, imm: number): number => iType(0x67, rd, 0, rs1, imm);

export const beq = (rs1: number, rs2: number, off: number): number => bType(BRANCH, 0, rs1, rs2, off);
export const bne = (rs1: number, rs2: number, off: number): number => bType(BRANCH, 1, rs1, rs2, off);
export const blt = (rs1: number, rs2: number, off: number): number => bType(BRANCH, 4, rs1, rs2, off);
export const bge = (rs1: number, rs2: number, off: number): number => bType(BRANCH, 5, rs1, rs2, off);
export const bltu = (rs1: number, rs2: number, off: number): number => bType(BRANCH, 6, rs1, rs2, off);
export const bgeu = (rs1: number, rs2: number, off: number): number => bType(BRANCH, 7, rs1, rs2, off);

export const lb = (rd: number, rs1: number, imm: number): number => iType(LOAD, rd, 0, rs1, imm);
export const lh = (rd: number, rs1: number, imm: number): number => iType(LOAD, rd, 1, rs1, imm);
export const lw = (rd: number, rs1: number, imm: number): number => iType(LOAD, rd, 2, rs1, imm);
export const lbu = (rd: number, rs1: number, imm: number): number => iType(LOAD, rd, 4, rs1, imm);
export const lhu = (rd: number, rs1: number, imm: number): number => iType(LOAD, rd, 5, rs1, imm);
/** `sb rs2, imm(rs1)`: operands in assembly order (value, then base). */
export const sb = (rs2: number, rs1: number, imm: number): number => sType(STORE, 0, rs1, rs2, imm);
export const sh = (rs2: number, rs1: number, imm: number): number => sType(STORE, 1, rs1, rs2, imm);
export const sw = (rs2: number, rs1: number, imm: number): number => sType(STORE, 2, rs1, rs2, imm);

export const addi = (rd: number, rs1: number, imm: number): number => iType(OP_IMM, rd, 0, rs1, imm);
export const slti = (rd: number, rs1: number, imm: number): number => iType(OP_IMM, rd, 2, rs1, imm);
export const sltiu = (rd: number, rs1: number, imm: number): number => iType(OP_IMM, rd, 3, rs1, imm);
export const xori = (rd: number, rs1: number, imm: number): number => iType(OP_IMM, rd, 4, rs1, imm);
export const ori = (rd: number, rs1: number, imm: number): number => iType(OP_IMM, rd, 6, rs1, imm);
export const andi = (rd: number, rs1: number, imm: number): number => iType(OP_IMM, rd, 7, rs1, imm);
export const slli = (rd: number, rs1: number, shamt: number): number => rType(OP_IMM, rd, 1, rs1, shamt, 0);
export const srli = (rd: number, rs1: number, shamt: number): number => rType(OP_IMM, rd, 5, rs1, shamt, 0);
export const srai = (rd: number, rs1: number, shamt: number): number => rType(OP_IMM, rd, 5, rs1, shamt, 0x20);

export const add = (rd: number, rs1: number, rs2: number): number => rType(OP, rd, 0, rs1, rs2, 0);
export const sub = (rd: number, rs1: number, rs2: number): number => rType(OP, rd, 0, rs1, rs2, 0x20);
export const sll = (rd: number, rs1: number, rs2: number): number => rType(OP, rd, 1, rs1, rs2, 0);
export const slt = (rd: number, rs1: number, rs2: number): number => rType(OP, rd, 2, rs1, rs2, 0);
export const sltu = (rd: number, rs1: number, rs2: number): number => rType(OP, rd, 3, rs1, rs2, 0);
export const xor = (rd: number, rs1: number, rs2: number): number => rType(OP, rd, 4, rs1, rs2, 0);
export const srl = (rd: number, rs1: number, rs2: number): number => rType(OP, rd, 5, rs1, rs2, 0);
export const sra = (rd: number, rs1: number, rs2: number): number => rType(OP, rd, 5, rs1, rs2, 0x20);
export const or = (rd: number, rs1: number, rs2: number): number => rType(OP, rd, 6, rs1, rs2, 0);
export const and = (rd: number, rs1: number, rs2: number): number => rType(OP, rd, 7, rs1, rs2, 0);

/** `fence pred, succ`; the default iorw, iorw (0xf each) is what a bare `fence` assembles to. */
export const fence = (pred = 0xf, succ = 0xf): number => ((pred << 24) | (succ << 20) | MISC_MEM) >>> 0;
export const fence_i = (): number => iType(MISC_MEM, 0, 1, 0, 0);
export const ecall = (): number => 0x00000073;
export const ebreak = (): number => 0x00100073;
export const nop = (): number => addi(0, 0, 0);

// ---- M --------------------------------------------------------------------------------------

export const mul = (rd: number, rs1: number, rs2: number): number => rType(OP, rd, 0, rs1, rs2, 1);
export const mulh = (rd: number, rs1: number, rs2: number): number => rType(OP, rd, 1, rs1, rs2, 1);
export const mulhsu = (rd: number, rs1: number, rs2: number): number => rType(OP, rd, 2, rs1, rs2, 1);
export const mulhu = (rd: number, rs1: number, rs2: number): number => rType(OP, rd, 3, rs1, rs2, 1);
export const div = (rd: number, rs1: number, rs2: number): number => rType(OP, rd, 4, rs1, rs2, 1);
export const divu = (rd: number, rs1: number, rs2: number): number => rType(OP, rd, 5, rs1, rs2, 1);
export const rem = (rd: number, rs1: number, rs2: number): number => rType(OP, rd, 6, rs1, rs2, 1);
export const remu = (rd: number, rs1: number, rs2: number): number => rType(OP, rd, 7, rs1, rs2, 1);

// ---- A (funct5 in bits 31:27, aq/rl in 26:25 left 0) ---------------------------------------------

const amo = (funct5: number) => (rd: number, rs1: number, rs2: number): number => rType(AMO, rd, 2, rs1, rs2, funct5 << 2);
export const lr_w = (rd: number, rs1: number): number => rType(AMO, rd, 2, rs1, 0, 0x02 << 2);
/** `sc.w rd, rs2, (rs1)` */
export const sc_w = (rd: number, rs2: number, rs1: number): number => rType(AMO, rd, 2, rs1, rs2, 0x03 << 2);
/** `amoXXX.w rd, rs2, (rs1)`: assembly operand order. */
const amoAsm = (funct5: number) => (rd: number, rs2: number, rs1: number): number => amo(funct5)(rd, rs1, rs2);
export const amoswap_w = amoAsm(0x01);
export const amoadd_w = amoAsm(0x00);
export const amoxor_w = amoAsm(0x04);
export const amoand_w = amoAsm(0x0c);
export const amoor_w = amoAsm(0x08);
export const amomin_w = amoAsm(0x10);
export const amomax_w = amoAsm(0x14);
export const amominu_w = amoAsm(0x18);
export const amomaxu_w = amoAsm(0x1c);

// ---- Zicsr and privileged ---------------------------------------------------------------------

export const csrrw = (rd: number, csr: number, rs1: number): number => iTypeCsr(rd, 1, rs1, csr);
export const csrrs = (rd: number, csr: number, rs1: number): number => iTypeCsr(rd, 2, rs1, csr);
export const csrrc = (rd: number, csr: number, rs1: number): number => iTypeCsr(rd, 3, rs1, csr);
export const csrrwi = (rd: number, csr: number, uimm: number): number => iTypeCsr(rd, 5, field(uimm, 5, 'uimm'), csr);
export const csrrsi = (rd: number, csr: number, uimm: number): number => iTypeCsr(rd, 6, field(uimm, 5, 'uimm'), csr);
export const csrrci = (rd: number, csr: number, uimm: number): number => iTypeCsr(rd, 7, field(uimm, 5, 'uimm'), csr);
export const csrr = (rd: number, csr: number): number => csrrs(rd, csr, 0);
export const csrw = (csr: number, rs1: number): number => csrrw(0, csr, rs1);
export const csrs = (csr: number, rs1: number): number => csrrs(0, csr, rs1);
export const csrc = (csr: number, rs1: number): number => csrrc(0, csr, rs1);

function iTypeCsr(rd: number, f3: number, rs1: number, csr: number): number {
  return ((field(csr, 12, 'csr') << 20) | (reg(rs1) << 15) | (f3 << 12) | (reg(rd) << 7) | SYSTEM) >>> 0;
}

export const mret = (): number => 0x30200073;
export const sret = (): number => 0x10200073;
export const wfi = (): number => 0x10500073;
export const sfence_vma = (rs1 = 0, rs2 = 0): number => rType(SYSTEM, 0, 0, rs1, rs2, 0x09);
/** docs/machine.md: custom-0 with every other bit zero. */
export const vmcall = (): number => 0x0000000b;

// ---- pseudo-instructions ----------------------------------------------------------------------

/** `li rd, value` as exactly two words (lui + addi), so step counts stay predictable. */
export function li(rd: number, value: number): [number, number] {
  const v = value | 0;
  const lo = (v << 20) >> 20;
  const hi = ((v - lo) >>> 12) & 0xfffff;
  return [lui(rd, hi), addi(rd, rd, lo)];
}

/** ABI register numbers, for readability. */
export const enum R {
  zero = 0, ra = 1, sp = 2, gp = 3, tp = 4, t0 = 5, t1 = 6, t2 = 7, s0 = 8, s1 = 9,
  a0 = 10, a1 = 11, a2 = 12, a3 = 13, a4 = 14, a5 = 15, a6 = 16, a7 = 17,
  s2 = 18, s3 = 19, s4 = 20, s5 = 21, s6 = 22, s7 = 23, s8 = 24, s9 = 25, s10 = 26, s11 = 27,
  t3 = 28, t4 = 29, t5 = 30, t6 = 31,
}
