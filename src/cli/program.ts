// Turns a file on disk into a program image: assembly (.s/.asm) goes through our assembler, anything
// else must be an ELF32 RISC-V executable. Errors come back as text naming the file (and line).
import * as path from 'path';
import { assemble } from '../asm';
import { readElf, ElfError } from '../asm/elf-reader';
import { ProgramImage } from '../vm/vmm/machine';
import { isAssemblySource } from '../debug/program';
import { inputLimit, readInputFile } from '../debug/read-input';

export interface LoadedProgram {
  image: ProgramImage;
  symbols: { name: string; value: number; size: number }[];
}

export { isAssemblySource } from '../debug/program';

export function loadProgram(file: string): LoadedProgram | { error: string } {
  let bytes: Buffer;
  try {
    bytes = readInputFile(file, inputLimit(file));
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
  let elfBytes: Uint8Array = bytes;
  if (isAssemblySource(file)) {
    const r = assemble(bytes.toString('utf8'), path.basename(file) === file ? file : file);
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    if (!r.ok || !r.elf || errors.length) {
      return { error: errors.map((d) => `${d.file}:${d.line}:${d.column}: error: ${d.message}`).join('\n') || `${file}: assembly failed` };
    }
    elfBytes = r.elf;
  }
  const elf = readElf(elfBytes, file);
  if (elf instanceof ElfError) return { error: elf.message };
  return {
    image: { entry: elf.entry, segments: elf.segments.map((s) => ({ paddr: s.paddr, data: s.data, memSize: s.memSize })) },
    symbols: elf.symbols.map((s) => ({ name: s.name, value: s.value, size: s.size })),
  };
}
