/**
 * A minimal ELF32 little-endian reader for the tests: section headers with
 * their bytes, program headers and the symbol table. Enough to compare our
 * output with GNU ld's; the real reader lives elsewhere.
 */
export interface TestSection {
  name: string;
  type: number;
  flags: number;
  address: number;
  offset: number;
  size: number;
  align: number;
  link: number;
  info: number;
  data: Uint8Array;
}

export interface TestSegment {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
  flags: number;
  align: number;
}

export interface TestSymbol {
  name: string;
  value: number;
  size: number;
  type: number;
  bind: number;
  shndx: number;
}

export interface TestElf {
  machine: number;
  type: number;
  flags: number;
  entry: number;
  sections: TestSection[];
  segments: TestSegment[];
  symbols: TestSymbol[];
}

function cstring(bytes: Uint8Array, at: number): string {
  const end = bytes.indexOf(0, at);
  return new TextDecoder().decode(bytes.subarray(at, end < 0 ? bytes.length : end));
}

export function readElf(bytes: Uint8Array): TestElf {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.getUint32(0) !== 0x7f454c46 || bytes[4] !== 1 || bytes[5] !== 1) throw new Error('not an ELF32 LE file');
  const [phoff, shoff] = [v.getUint32(28, true), v.getUint32(32, true)];
  const [phnum, shnum, shstrndx] = [v.getUint16(44, true), v.getUint16(48, true), v.getUint16(50, true)];
  const raw = Array.from({ length: shnum }, (_, i) => {
    const at = shoff + 40 * i;
    const f = (k: number): number => v.getUint32(at + 4 * k, true);
    const type = f(1);
    const data = type === 8 ? new Uint8Array(0) : bytes.subarray(f(4), f(4) + f(5));
    return { nameOff: f(0), type, flags: f(2), address: f(3), offset: f(4), size: f(5), link: f(6), info: f(7), align: f(8), data };
  });
  const shstr = raw[shstrndx].data;
  const sections = raw.map(({ nameOff, ...s }) => ({ name: cstring(shstr, nameOff), ...s }));
  const segments = Array.from({ length: phnum }, (_, i) => {
    const f = (k: number): number => v.getUint32(phoff + 32 * i + 4 * k, true);
    return { type: f(0), offset: f(1), vaddr: f(2), filesz: f(4), memsz: f(5), flags: f(6), align: f(7) };
  });
  return {
    machine: v.getUint16(18, true), type: v.getUint16(16, true), flags: v.getUint32(36, true),
    entry: v.getUint32(24, true), sections, segments, symbols: readSymbols(sections),
  };
}

function readSymbols(sections: TestSection[]): TestSymbol[] {
  const symtab = sections.find((s) => s.type === 2);
  if (!symtab) return [];
  const strtab = sections[symtab.link].data;
  const v = new DataView(symtab.data.buffer, symtab.data.byteOffset, symtab.data.byteLength);
  const out: TestSymbol[] = [];
  for (let at = 16; at + 16 <= symtab.data.length; at += 16) {
    const info = v.getUint8(at + 12);
    out.push({
      name: cstring(strtab, v.getUint32(at, true)), value: v.getUint32(at + 4, true), size: v.getUint32(at + 8, true),
      type: info & 15, bind: info >> 4, shndx: v.getUint16(at + 14, true),
    });
  }
  return out;
}
