// The C extension (RVC): every 16-bit instruction is expanded to the 32-bit instruction it stands
// for, which the ordinary decoder then turns into the op the interpreter executes. The semantics of
// a compressed instruction are thus those of its expansion, written once.
//
// Encodings: RISC-V unprivileged spec 20191213 ch. 16 (tables 16.5–16.7, the RVC opcode map), for
// RV32: the RV64/RV128-only and floating-point encodings (c.ld, c.flw, c.fsd, c.subw, …) and the
// reserved ones (c.addi4spn with 0, c.addi16sp/c.lui with 0, c.lwsp/c.jr with x0, shamt[5] = 1)
// are illegal. HINTs (c.nop with an immediate, c.li/c.mv/c.add/c.lui/c.slli with rd = x0, …) expand
// to their architectural no-op.

const OPC_OP_IMM = 0x13, OPC_LOAD = 0x03, OPC_STORE = 0x23, OPC_OP = 0x33, OPC_LUI = 0x37;
const OPC_JAL = 0x6f, OPC_JALR = 0x67, OPC_BRANCH = 0x63;
const EBREAK = 0x00100073;
const SP = 2, RA = 1;

function itype(opcode: number, rd: number, f3: number, rs1: number, imm: number): number {
  return (((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opcode) >>> 0;
}

function stype(f3: number, rs1: number, rs2: number, imm: number): number {
  return ((((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 0x1f) << 7) | OPC_STORE) >>> 0;
}

function rtype(f7: number, rs2: number, rs1: number, f3: number, rd: number): number {
  return ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | OPC_OP) >>> 0;
}

function btype(f3: number, rs1: number, imm: number): number {
  return ((((imm >> 12) & 1) << 31) | (((imm >> 5) & 0x3f) << 25) | (rs1 << 15) | (f3 << 12) |
    (((imm >> 1) & 0xf) << 8) | (((imm >> 11) & 1) << 7) | OPC_BRANCH) >>> 0;
}

function jtype(rd: number, imm: number): number {
  return ((((imm >> 20) & 1) << 31) | (((imm >> 1) & 0x3ff) << 21) | (((imm >> 11) & 1) << 20) |
    (((imm >> 12) & 0xff) << 12) | (rd << 7) | OPC_JAL) >>> 0;
}

/** Sign-extends the low `bits` bits of v. */
function sext(v: number, bits: number): number {
  return (v << (32 - bits)) >> (32 - bits);
}

/** CI-format 6-bit immediate: imm[5] in bit 12, imm[4:0] in bits 6:2 (unsigned). */
function ciImm(c: number): number {
  return ((c >> 7) & 0x20) | ((c >> 2) & 0x1f);
}

/** CJ-format jump offset (c.j, c.jal): offset[11|4|9:8|10|6|7|3:1|5] in bits 12:2. */
function cjOffset(c: number): number {
  return sext(((c >> 1) & 0x800) | ((c >> 7) & 0x10) | ((c >> 1) & 0x300) | ((c << 2) & 0x400) |
    ((c >> 1) & 0x40) | ((c << 1) & 0x80) | ((c >> 2) & 0xe) | ((c << 3) & 0x20), 12);
}

/** CB-format branch offset (c.beqz, c.bnez): offset[8|4:3] in bits 12:10, offset[7:6|2:1|5] in bits 6:2. */
function cbOffset(c: number): number {
  return sext(((c >> 4) & 0x100) | ((c >> 7) & 0x18) | ((c << 1) & 0xc0) | ((c >> 2) & 6) | ((c << 3) & 0x20), 9);
}

/** A 16-bit instruction's 32-bit expansion, or 0 if it is illegal on RV32C (0 is itself an illegal instruction). */
export function expandCompressed(c: number): number {
  c &= 0xffff;
  const f3 = c >>> 13;
  const rd = (c >> 7) & 31, rs2 = (c >> 2) & 31;
  const rdp = 8 + ((c >> 2) & 7), rs1p = 8 + ((c >> 7) & 7); // the 3-bit "prime" registers x8..x15
  switch (c & 3) {
    case 0: {
      const wordOff = ((c >> 7) & 0x38) | ((c >> 4) & 4) | ((c << 1) & 0x40); // c.lw / c.sw: uimm[5:3|2|6]
      switch (f3) {
        case 0: { // c.addi4spn: nzuimm[5:4|9:6|2|3]
          const imm = ((c >> 7) & 0x30) | ((c >> 1) & 0x3c0) | ((c >> 4) & 4) | ((c >> 2) & 8);
          return imm === 0 ? 0 : itype(OPC_OP_IMM, rdp, 0, SP, imm);
        }
        case 2: return itype(OPC_LOAD, rdp, 2, rs1p, wordOff); // c.lw
        case 6: return stype(2, rs1p, rdp, wordOff); // c.sw
        default: return 0; // c.fld, c.flw, c.fsd, c.fsw, reserved
      }
    }
    case 1:
      switch (f3) {
        case 0: return itype(OPC_OP_IMM, rd, 0, rd, sext(ciImm(c), 6)); // c.addi (c.nop)
        case 1: return jtype(RA, cjOffset(c)); // c.jal (RV32 only)
        case 2: return itype(OPC_OP_IMM, rd, 0, 0, sext(ciImm(c), 6)); // c.li
        case 3:
          if (rd === SP) { // c.addi16sp: nzimm[9|4|6|8:7|5]
            const imm = sext(((c >> 3) & 0x200) | ((c >> 2) & 0x10) | ((c << 1) & 0x40) | ((c << 4) & 0x180) | ((c << 3) & 0x20), 10);
            return imm === 0 ? 0 : itype(OPC_OP_IMM, SP, 0, SP, imm);
          }
          if (ciImm(c) === 0) return 0; // c.lui with nzimm = 0 is reserved
          return ((sext(ciImm(c), 6) << 12) | (rd << 7) | OPC_LUI) >>> 0;
        case 4:
          switch ((c >> 10) & 3) {
            case 0: return c & 0x1000 ? 0 : itype(OPC_OP_IMM, rs1p, 5, rs1p, rs2); // c.srli (shamt[5] must be 0)
            case 1: return c & 0x1000 ? 0 : itype(OPC_OP_IMM, rs1p, 5, rs1p, 0x400 | rs2); // c.srai
            case 2: return itype(OPC_OP_IMM, rs1p, 7, rs1p, sext(ciImm(c), 6)); // c.andi
            default: {
              if (c & 0x1000) return 0; // c.subw / c.addw: RV64
              const fn = (c >> 5) & 3; // c.sub, c.xor, c.or, c.and
              return rtype(fn === 0 ? 0x20 : 0, rdp, rs1p, [0, 4, 6, 7][fn], rs1p);
            }
          }
        case 5: return jtype(0, cjOffset(c)); // c.j
        case 6: return btype(0, rs1p, cbOffset(c)); // c.beqz
        default: return btype(1, rs1p, cbOffset(c)); // c.bnez
      }
    case 2:
      switch (f3) {
        case 0: return c & 0x1000 ? 0 : itype(OPC_OP_IMM, rd, 1, rd, rs2); // c.slli
        case 2: // c.lwsp: uimm[5|4:2|7:6]; rd = x0 is reserved
          return rd === 0 ? 0 : itype(OPC_LOAD, rd, 2, SP, ((c >> 7) & 0x20) | ((c >> 2) & 0x1c) | ((c << 4) & 0xc0));
        case 4:
          if ((c & 0x1000) === 0) {
            if (rs2 !== 0) return rtype(0, rs2, 0, 0, rd); // c.mv
            return rd === 0 ? 0 : itype(OPC_JALR, 0, 0, rd, 0); // c.jr
          }
          if (rs2 !== 0) return rtype(0, rs2, rd, 0, rd); // c.add
          return rd === 0 ? EBREAK : itype(OPC_JALR, RA, 0, rd, 0); // c.ebreak, c.jalr
        case 6: return stype(2, SP, rs2, ((c >> 7) & 0x3c) | ((c >> 1) & 0xc0)); // c.swsp: uimm[5:2|7:6]
        default: return 0; // c.fldsp, c.flwsp, c.fsdsp, c.fswsp
      }
    default: return 0; // not a 16-bit instruction
  }
}
