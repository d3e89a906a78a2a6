/**
 * The assembler package: pure TypeScript, no I/O. Callers pass source text in
 * and get bytes, symbols, the line map and diagnostics back.
 */
export { assemble, DEFAULT_TEXT_BASE } from './assembler';
export type { AsmSymbol, AssembleOptions, AssembleResult } from './assembler';
export { disassemble, decodeWord, instructionLength } from './disasm';
export { COMPRESSED, decodeCompressed } from './rvc';
export type { CompressedDef } from './rvc';
export { formatDiagnostic } from './diagnostics';
export type { AsmDiagnostic } from './diagnostics';
export { LINE_SECTION_NAME, decodeLineTable, encodeLineTable } from './line-table';
export type { LineEntry } from './line-table';
export { INSTRUCTIONS, PSEUDO_INSTRUCTIONS, allMnemonics, describeEncoding } from './isa';
export type { InstructionDef, PseudoDef } from './isa';
export { CSRS, csrByAddress, csrByName } from './csr-names';
export type { CsrInfo } from './csr-names';
export { DIRECTIVE_NAMES } from './directives';
export { allRegisterNames } from './registers';
export { parseAssembly } from './parser';
export type { ParsedSource, Statement, LabelDef, Operand } from './parser';
export type { SourcePos } from './diagnostics';
