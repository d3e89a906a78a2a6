// Instruction decoder: an instruction → a small op number plus operand fields, packed into two
// int32 slots of the decode cache (op | C<<7 | rd<<8 | rs1<<14 | rs2<<19, then the immediate).
// Encodings: RISC-V unprivileged spec 20191213 ch. 2 (RV32I), 7 (M), 8 (A), 9 (Zicsr), 3 (Zifencei),
// 16 (C: expanded to the 32-bit instruction first, see rvc.ts), chapter 24 (opcode map);
// privileged spec 1.12 §3.3 and §4.2 for mret/sret/wfi/sfence.vma.
import { expandCompressed } from './rvc';

export const enum Op {
  UNDECODED = 0,
  LUI, AUIPC, JAL, JALR,
  BEQ, BNE, BLT, BGE, BLTU, BGEU,
  LB, LH, LW, LBU, LHU, SB, SH, SW,
  ADDI, SLTI, SLTIU, XORI, ORI, ANDI, SLLI, SRLI, SRAI,
  ADD, SUB, SLL, SLT, SLTU, XOR, SRL, SRA, OR, AND,
  MUL, MULH, MULHSU, MULHU, DIV, DIVU, REM, REMU,
  LR, SC, AMOSWAP, AMOADD, AMOXOR, AMOAND, AMOOR, AMOMIN, AMOMAX, AMOMINU, AMOMAXU,
  FENCE, FENCE_I, ECALL, EBREAK, MRET, SRET, WFI, SFENCE_VMA, VMCALL,
  CSRRW, CSRRS, CSRRC, CSRRWI, CSRRSI, CSRRCI,
  /** An ALU op whose destination is x0: no architectural effect. */
  NOP,
  /** A debugger breakpoint: the run loop plants it for host halfwords in HostMemory.breakpoints. */
  BREAKPOINT,
  ILLEGAL,
  /**
   * Not an instruction: the fetch of a 32-bit instruction's second half, on the next page, raised
   * a fault or an abort (already taken when the run loop sees this op). Never cached.
   */
  FETCH_FAULT,
}

/** Op numbers fit in 7 bits; bit 7 says the instruction is compressed (2 bytes long, not 4). */
export const OP_MASK = 0x7f;
const OP_COMPRESSED = 0x80;
/** rd has 6 bits: loads and jumps that write x0 get rd = 32, a scratch register, so the hot loop never re-zeroes x0. */
export const OP_SHIFT_RD = 8, OP_SHIFT_RS1 = 14, OP_SHIFT_RS2 = 19;
export const RD_MASK = 63;
const X_SCRATCH = 32;

/** The length in bytes of the decoded instruction `d` (a packed word): 2 or 4. */
export function insnLength(d: number): number {
  return 4 - ((d >>> 6) & 2);
}

const BRANCH_OPS = [Op.BEQ, Op.BNE, Op.ILLEGAL, Op.ILLEGAL, Op.BLT, Op.BGE, Op.BLTU, Op.BGEU];
const LOAD_OPS = [Op.LB, Op.LH, Op.LW, Op.ILLEGAL, Op.LBU, Op.LHU, Op.ILLEGAL, Op.ILLEGAL];
const STORE_OPS = [Op.SB, Op.SH, Op.SW, Op.ILLEGAL, Op.ILLEGAL, Op.ILLEGAL, Op.ILLEGAL, Op.ILLEGAL];
const OPIMM_OPS = [Op.ADDI, Op.SLLI, Op.SLTI, Op.SLTIU, Op.XORI, Op.SRLI, Op.ORI, Op.ANDI];
const OP_OPS = [Op.ADD, Op.SLL, Op.SLT, Op.SLTU, Op.XOR, Op.SRL, Op.OR, Op.AND];
const MUL_OPS = [Op.MUL, Op.MULH, Op.MULHSU, Op.MULHU, Op.DIV, Op.DIVU, Op.REM, Op.REMU];
/** funct5 of the A extension (unprivileged spec ch. 8, table in ch. 24). */
const AMO_OPS: Record<number, Op> = {
  0x02: Op.LR, 0x03: Op.SC, 0x01: Op.AMOSWAP, 0x00: Op.AMOADD, 0x04: Op.AMOXOR, 0x0c: Op.AMOAND,
  0x08: Op.AMOOR, 0x10: Op.AMOMIN, 0x14: Op.AMOMAX, 0x18: Op.AMOMINU, 0x1c: Op.AMOMAXU,
};
const CSR_OPS = [Op.ILLEGAL, Op.CSRRW, Op.CSRRS, Op.CSRRC, Op.ILLEGAL, Op.CSRRWI, Op.CSRRSI, Op.CSRRCI];

/** Ops with no effect besides writing rd: with rd = x0 they become NOP. */
function isPureAlu(op: Op): boolean {
  return op === Op.LUI || op === Op.AUIPC || (op >= Op.ADDI && op <= Op.REMU);
}

/** Decoded fields of one instruction, for callers outside the hot loop (tests, the debugger). */
interface Decoded { op: Op; rd: number; rs1: number; rs2: number; imm: number; length: number }

export function decode(inst: number): Decoded {
  const out = new Int32Array(2);
  decodeInto(inst, out, 0);
  const w = out[0];
  return {
    op: w & OP_MASK, rd: (w >>> OP_SHIFT_RD) & RD_MASK & 31, rs1: (w >>> OP_SHIFT_RS1) & 31, rs2: (w >>> OP_SHIFT_RS2) & 31,
    imm: out[1], length: insnLength(w),
  };
}

/**
 * Decodes `inst` into `out[i]` (packed fields) and `out[i+1]` (immediate). When its low two bits
 * are not 11 it is a 16-bit instruction (only its low half is looked at), expanded first.
 * Anything that is not a valid RV32IMAC+Zicsr+Zifencei encoding (or our vmcall) decodes to ILLEGAL.
 */
export function decodeInto(inst: number, out: Int32Array, i: number): void {
  if ((inst & 3) !== 3) {
    const expanded = expandCompressed(inst);
    decodeFull(expanded, out, i);
    out[i] |= OP_COMPRESSED;
    return;
  }
  decodeFull(inst, out, i);
}

function decodeFull(inst: number, out: Int32Array, i: number): void {
  const rd = (inst >>> 7) & 31, rs1 = (inst >>> 15) & 31, rs2 = (inst >>> 20) & 31;
  const f3 = (inst >>> 12) & 7, f7 = inst >>> 25;
  let op: Op = Op.ILLEGAL;
  let imm = 0;
  if ((inst & 3) === 3) {
    switch ((inst >>> 2) & 31) {
      case 0x0d: op = Op.LUI; imm = inst & 0xfffff000; break;
      case 0x05: op = Op.AUIPC; imm = inst & 0xfffff000; break;
      case 0x1b: op = Op.JAL; imm = immJ(inst); break;
      case 0x19: if (f3 === 0) { op = Op.JALR; imm = inst >> 20; } break;
      case 0x18: op = BRANCH_OPS[f3]; imm = immB(inst); break;
      case 0x00: op = LOAD_OPS[f3]; imm = inst >> 20; break;
      case 0x08: op = STORE_OPS[f3]; imm = ((inst >> 25) << 5) | rd; break;
      case 0x04: // OP-IMM; shifts carry shamt in rs2's place and a funct7
        op = OPIMM_OPS[f3];
        imm = inst >> 20;
        if (f3 === 1) { if (f7 === 0) imm = rs2; else op = Op.ILLEGAL; }
        if (f3 === 5) {
          if (f7 === 0) imm = rs2;
          else if (f7 === 0x20) { op = Op.SRAI; imm = rs2; } else op = Op.ILLEGAL;
        }
        break;
      case 0x0c: // OP
        if (f7 === 0) op = OP_OPS[f3];
        else if (f7 === 1) op = MUL_OPS[f3];
        else if (f7 === 0x20 && f3 === 0) op = Op.SUB;
        else if (f7 === 0x20 && f3 === 5) op = Op.SRA;
        break;
      case 0x02: if (inst === 0x0b) op = Op.VMCALL; break; // custom-0: vmcall has every other bit zero
      case 0x03: // MISC-MEM: fence ignores its unused fields (spec §2.7), fence.i too (§3.1)
        if (f3 === 0) op = Op.FENCE;
        else if (f3 === 1) op = Op.FENCE_I;
        break;
      case 0x0b: // AMO (opcode 0x2f)
        if (f3 === 2) {
          const amo = AMO_OPS[inst >>> 27];
          if (amo !== undefined && !(amo === Op.LR && rs2 !== 0)) op = amo;
        }
        break;
      case 0x1c: // SYSTEM
        imm = (inst >>> 20) & 0xfff;
        op = f3 === 0 ? decodePriv(inst, rd, rs1, f7) : CSR_OPS[f3];
        break;
    }
  }
  if (rd === 0 && isPureAlu(op)) op = Op.NOP;
  // IALIGN = 16 (the C extension): every jal/branch offset is even, so no target is misaligned.
  const rdOut = rd === 0 && ((op >= Op.LB && op <= Op.LHU) || op === Op.JAL || op === Op.JALR) ? X_SCRATCH : rd;
  out[i] = op | (rdOut << OP_SHIFT_RD) | (rs1 << OP_SHIFT_RS1) | (rs2 << OP_SHIFT_RS2);
  out[i + 1] = imm;
}

function decodePriv(inst: number, rd: number, rs1: number, f7: number): Op {
  if (f7 === 0x09 && rd === 0) return Op.SFENCE_VMA;
  if (rd !== 0 || rs1 !== 0) return Op.ILLEGAL;
  switch (inst >>> 20) {
    case 0x000: return Op.ECALL;
    case 0x001: return Op.EBREAK;
    case 0x302: return Op.MRET;
    case 0x102: return Op.SRET;
    case 0x105: return Op.WFI;
    default: return Op.ILLEGAL;
  }
}

function immJ(inst: number): number {
  return ((inst >> 31) << 20) | (inst & 0xff000) | (((inst >>> 20) & 1) << 11) | (((inst >>> 21) & 0x3ff) << 1);
}

function immB(inst: number): number {
  return ((inst >> 31) << 12) | (((inst >>> 7) & 1) << 11) | (((inst >>> 25) & 0x3f) << 5) | (((inst >>> 8) & 0xf) << 1);
}
