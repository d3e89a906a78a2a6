// Assembles a test guest with our assembler into a program image and its symbols.
import * as assert from 'node:assert/strict';
import { assemble } from '../../../src/asm';
import { ElfError, readElf } from '../../../src/asm/elf-reader';
import type { ProgramImage } from '../../../src/vm/vmm/machine';

export function asmImage(source: string, name = 'guest.s'): { image: ProgramImage; symbol: (name: string) => number } {
  const r = assemble(source, name);
  assert.ok(r.ok && r.elf, r.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join('\n'));
  const elf = readElf(r.elf!, name);
  if (elf instanceof ElfError) throw elf;
  return {
    image: { entry: elf.entry, segments: elf.segments.map((s) => ({ paddr: s.paddr, data: s.data, memSize: s.memSize })) },
    symbol: (n) => {
      const s = elf.symbols.find((y) => y.name === n);
      if (!s) throw new Error(`${name}: no symbol ${n}`);
      return s.value >>> 0;
    },
  };
}
