// Turns a file on disk into a program image: assembly (.s/.asm) goes through our assembler, anything
// else must be an ELF32 RISC-V executable. Errors come back as text naming the file (and line).
import * as fs from 'fs';
import * as path from 'path';
import { assemble } from '../asm';
import { readElf, ElfError } from '../asm/elf-reader';
import { ProgramImage } from '../vm/vmm/machine';

export interface LoadedProgram {
  image: ProgramImage;
  symbols: { name: string; value: number; size: number }[];
}

export function isAssemblySource(file: string): boolean {
  return /\.(s|asm|S)$/.test(file);
}

export function loadProgram(file: string): LoadedProgram | { error: string } {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    return { error: `${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
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
