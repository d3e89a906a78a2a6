/**
 * One instruction to text, exactly as `riscv64-unknown-elf-objdump -d
 * -M no-aliases` prints the instruction field for an rv32imac_zicsr_zifencei
 * executable (mnemonic, a tab, operands separated by commas; branch targets
 * as absolute hex addresses without symbols or comments). A word whose low
 * two bits are not 11 is a 16-bit instruction: its low half is printed (rvc.ts)
 * and `instructionLength` says 2. Halfwords objdump cannot decode print as
 * `.2byte 0x…`, words as `.4byte 0x…`; so do longer encodings. The one
 * deviation: 0x0000000b prints as `vmcall` (objdump: `.4byte 0xb`).
 */
import { csrByAddress } from './csr-names';
import {
  FIELD_SHIFT, bitsOf, decodeBImm, decodeIImm, decodeJImm, decodeSImm, decodeUImm,
} from './encoding';
import { FENCE_SETS, INSTRUCTIONS, InstructionDef, syntaxSlots } from './isa';
import { registerName } from './registers';
import { disassembleCompressed } from './rvc';

/** The length in bytes of the instruction whose first halfword (or word) is `word`: 2 (compressed) or 4. */
export function instructionLength(word: number): 2 | 4 {
  return (word & 3) === 3 ? 4 : 2;
}

/** The instruction definition a word decodes to, or undefined. */
export function decodeWord(word: number): InstructionDef | undefined {
  const w = word >>> 0;
  if ((w & 3) !== 3 || (w & 0x1f) === 0x1f) return undefined;
  return INSTRUCTIONS.find((d) => ((w & d.mask) >>> 0) === d.match);
}

export function disassemble(word: number, pc: number): string {
  if ((word & 3) !== 3) return disassembleCompressed(word & 0xffff, pc) ?? `.2byte\t0x${(word & 0xffff).toString(16)}`;
  const w = word >>> 0;
  const def = decodeWord(w);
  if (!def) return `.4byte\t0x${w.toString(16)}`;
  const operands = syntaxSlots(def.syntax).map((slot) => formatSlot(slot, w, pc >>> 0, def));
  return operands.length === 0 ? def.mnemonic : `${def.mnemonic}\t${operands.join(',')}`;
}

function reg(w: number, shift: number): string {
  return registerName(bitsOf(w, shift, 5));
}

const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;

function formatSlot(slot: string, w: number, pc: number, def: InstructionDef): string {
  switch (slot) {
    case 'rd': return reg(w, FIELD_SHIFT.rd);
    case 'rs1': return reg(w, FIELD_SHIFT.rs1);
    case 'rs2': return reg(w, FIELD_SHIFT.rs2);
    case 'imm': return String(decodeIImm(w));
    case 'offset(rs1)': return `${def.format === 'S' ? decodeSImm(w) : decodeIImm(w)}(${reg(w, FIELD_SHIFT.rs1)})`;
    case '(rs1)': return `(${reg(w, FIELD_SHIFT.rs1)})`;
    // objdump prints the 6-bit RV64 shamt field even for RV32.
    case 'shamt': return hex(bitsOf(w, 20, 6));
    case 'zimm': return String(bitsOf(w, FIELD_SHIFT.rs1, 5));
    case 'uimm20': return hex(decodeUImm(w));
    case 'target': return ((pc + (def.format === 'B' ? decodeBImm(w) : decodeJImm(w))) >>> 0).toString(16);
    case 'csr': {
      const n = bitsOf(w, FIELD_SHIFT.csr, 12);
      return csrByAddress(n)?.name ?? hex(n);
    }
    case 'pred': return FENCE_SETS[bitsOf(w, FIELD_SHIFT.pred, 4)];
    case 'succ': return FENCE_SETS[bitsOf(w, FIELD_SHIFT.succ, 4)];
    default: return '?';
  }
}
