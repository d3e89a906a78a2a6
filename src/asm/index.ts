/**
 * The assembler package: pure TypeScript, no I/O. Callers pass source text in
 * and get bytes, symbols, the line map and diagnostics back.
 */
export { assemble } from './assembler';
export type { AsmSymbol, AssembleResult } from './assembler';
export { disassemble, decodeWord, instructionLength } from './disasm';
export { formatDiagnostic } from './diagnostics';
export type { AsmDiagnostic } from './diagnostics';
export { LINE_SECTION_NAME, decodeLineTable, encodeLineTable } from './line-table';
export { INSTRUCTIONS, PSEUDO_INSTRUCTIONS, allMnemonics, describeEncoding } from './isa';
export type { InstructionDef } from './isa';
export { CSRS, csrByAddress } from './csr-names';
export { parseAssembly } from './parser';
