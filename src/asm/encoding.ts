/**
 * Bit layouts of the 32-bit base instruction formats (RISC-V unprivileged spec
 * 20191213, chapter 2.2 "Base Instruction Formats" and 2.3 "Immediate Encoding
 * Variants"). Both the encoder and the disassembler use these, so each layout
 * is written once. Words are unsigned 32-bit numbers.
 */

export const FIELD_SHIFT = {
  rd: 7,
  funct3: 12,
  rs1: 15,
  rs2: 20,
  csr: 20,
  succ: 20,
  pred: 24,
} as const;

/** Extracts `bits` bits of `word` starting at `lo`. */
export function bitsOf(word: number, lo: number, bits: number): number {
  return (word >>> lo) & ((1 << bits) - 1);
}

function signExtend(value: number, bits: number): number {
  const shift = 32 - bits;
  return (value << shift) >> shift;
}

/** I-type: imm[11:0] in bits 31:20. */
export function encodeIImm(imm: number): number {
  return ((imm & 0xfff) << 20) >>> 0;
}
export function decodeIImm(word: number): number {
  return word >> 20;
}

/** S-type: imm[11:5] in 31:25, imm[4:0] in 11:7. */
export function encodeSImm(imm: number): number {
  return ((((imm >> 5) & 0x7f) << 25) | ((imm & 0x1f) << 7)) >>> 0;
}
export function decodeSImm(word: number): number {
  return ((word >> 25) << 5) | bitsOf(word, 7, 5);
}

/**
 * B-type: the offset is a multiple of 2; imm[12] in 31, imm[10:5] in 30:25,
 * imm[4:1] in 11:8, imm[11] in 7 (spec figure 2.4: the sign bit stays in bit 31).
 */
export function encodeBImm(imm: number): number {
  return (
    ((((imm >> 12) & 1) << 31) |
      (((imm >> 5) & 0x3f) << 25) |
      (((imm >> 1) & 0xf) << 8) |
      (((imm >> 11) & 1) << 7)) >>>
    0
  );
}
export function decodeBImm(word: number): number {
  const raw =
    (bitsOf(word, 31, 1) << 12) |
    (bitsOf(word, 7, 1) << 11) |
    (bitsOf(word, 25, 6) << 5) |
    (bitsOf(word, 8, 4) << 1);
  return signExtend(raw, 13);
}

/** U-type: a 20-bit field in 31:12. */
export function encodeUImm(imm20: number): number {
  return ((imm20 & 0xfffff) << 12) >>> 0;
}
export function decodeUImm(word: number): number {
  return word >>> 12;
}

/** J-type: imm[20] in 31, imm[10:1] in 30:21, imm[11] in 20, imm[19:12] in 19:12. */
export function encodeJImm(imm: number): number {
  return (
    ((((imm >> 20) & 1) << 31) |
      (((imm >> 1) & 0x3ff) << 21) |
      (((imm >> 11) & 1) << 20) |
      (((imm >> 12) & 0xff) << 12)) >>>
    0
  );
}
export function decodeJImm(word: number): number {
  const raw =
    (bitsOf(word, 31, 1) << 20) |
    (bitsOf(word, 12, 8) << 12) |
    (bitsOf(word, 20, 1) << 11) |
    (bitsOf(word, 21, 10) << 1);
  return signExtend(raw, 21);
}

/** %hi: the upper 20 bits, rounded so that adding the sign-extended %lo gives the value. */
export function hi20(value: number): number {
  return ((value + 0x800) >>> 12) & 0xfffff;
}

/** %lo: the low 12 bits, sign-extended. */
export function lo12(value: number): number {
  return signExtend(value & 0xfff, 12);
}
