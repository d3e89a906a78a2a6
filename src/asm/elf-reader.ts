/**
 * Reads an ELF32 little-endian RISC-V executable (System V gABI; RISC-V ELF
 * psABI) into what a loader and a debugger need: the entry point, the PT_LOAD
 * segments, the symbols and the sections.
 *
 * Pure: bytes in, an image or an ElfError out. It never throws, whatever the
 * bytes — every offset and size is checked against the file before it is
 * used, so a truncated or corrupted file is an error naming what is wrong
 * (docs/contracts.md: a malformed ELF must not crash anything).
 */

interface ElfSegment {
  vaddr: number;
  paddr: number;
  /** The segment's bytes in the file (p_filesz of them). */
  data: Uint8Array;
  /** p_memsz >= data.length; the bytes past data are zero (.bss). */
  memSize: number;
  /** p_flags: PF_X = 1, PF_W = 2, PF_R = 4. */
  flags: number;
}

interface ElfSymbol {
  name: string;
  value: number;
  size: number;
  type: 'func' | 'object' | 'notype' | 'section' | 'file';
  /** STB_GLOBAL or STB_WEAK. */
  global: boolean;
}

interface ElfSection {
  name: string;
  address: number;
  size: number;
  offset: number;
  /** sh_type: SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_NOBITS = 8, … */
  type: number;
  /** sh_flags: SHF_WRITE = 1, SHF_ALLOC = 2, SHF_EXECINSTR = 4, … */
  flags: number;
}

export interface ElfImage {
  entry: number;
  segments: ElfSegment[];
  symbols: ElfSymbol[];
  sections: ElfSection[];
  /** The file bytes of the first section with this name (empty for NOBITS), or undefined. */
  sectionData(name: string): Uint8Array | undefined;
}

export class ElfError extends Error {
  /** The message without the file name. */
  readonly reason: string;

  constructor(public readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'ElfError';
    this.reason = message;
  }
}

const EHDR_SIZE = 52;
const PHDR_SIZE = 32;
const SHDR_SIZE = 40;
const SYM_SIZE = 16;

const ELFCLASS32 = 1;
const ELFCLASS64 = 2;
const ELFDATA2LSB = 1;
const ELFDATA2MSB = 2;
const EV_CURRENT = 1;
const ET_REL = 1;
const ET_EXEC = 2;
const ET_DYN = 3;
const ET_CORE = 4;
const EM_RISCV = 243;
const PT_LOAD = 1;
const PN_XNUM = 0xffff;
const SHN_XINDEX = 0xffff;
const SHT_SYMTAB = 2;
const SHT_STRTAB = 3;
const SHT_NOBITS = 8;

/** e_flags bits of the RISC-V psABI (EF_RISCV_RVC, 0x1, is fine: the C extension is executed). */
const EF_RISCV_FLOAT_ABI = 0x6;
const EF_RISCV_RVE = 0x8;
const FLOAT_ABI_NAMES: Record<number, string> = { 2: 'single-float (ilp32f)', 4: 'double-float (ilp32d)', 6: 'quad-float' };

const REBUILD = 'rebuild with -march=rv32imac_zicsr_zifencei -mabi=ilp32';

/** Common e_machine values, to say what the file was built for. */
const MACHINES: Record<number, string> = {
  0: 'no machine (EM_NONE)', 2: 'SPARC', 3: 'x86 (i386)', 8: 'MIPS', 20: 'PowerPC', 21: 'PowerPC64',
  22: 'S/390', 40: 'ARM', 42: 'SuperH', 50: 'IA-64', 62: 'x86-64', 183: 'AArch64', 243: 'RISC-V',
  247: 'BPF', 258: 'LoongArch',
};

const SYMBOL_TYPES: Record<number, ElfSymbol['type']> = {
  0: 'notype', 1: 'object', 2: 'func', 3: 'section', 4: 'file', 5: 'object' /* COMMON */, 6: 'object' /* TLS */,
};

const hex = (n: number): string => `0x${n.toString(16)}`;

/** Thrown inside this module only; readElf turns it into an ElfError. */
class Malformed {
  constructor(readonly message: string) {}
}

function fail(message: string): never {
  throw new Malformed(message);
}

interface RawSection extends ElfSection {
  index: number;
  link: number;
  entsize: number;
}

export function readElf(bytes: Uint8Array, file: string): ElfImage | ElfError {
  try {
    return parse(bytes);
  } catch (e) {
    if (e instanceof Malformed) return new ElfError(file, e.message);
    // Anything else is a bug here; still, a malformed file must never crash the caller.
    return new ElfError(file, `cannot read ELF file (${e instanceof Error ? e.message : String(e)})`);
  }
}

function parse(bytes: Uint8Array): ElfImage {
  const size = bytes.length;
  if (size < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    fail('not an ELF file (bad magic)');
  }
  if (size < 7) fail(`truncated ELF header (${size} bytes, expected ${EHDR_SIZE})`);
  const elfClass = bytes[4];
  if (elfClass === ELFCLASS64) fail('ELF64 (an RV64 build?) is not supported, expected ELF32 (a 32-bit RISC-V executable): rebuild with -march=rv32imac_zicsr_zifencei -mabi=ilp32');
  if (elfClass !== ELFCLASS32) fail(`invalid ELF class ${elfClass}, expected 1 (ELF32)`);
  const data = bytes[5];
  if (data === ELFDATA2MSB) fail('big-endian ELF is not supported, expected little-endian');
  if (data !== ELFDATA2LSB) fail(`invalid ELF data encoding ${data}, expected 1 (little-endian)`);
  if (bytes[6] !== EV_CURRENT) fail(`unsupported ELF identification version ${bytes[6]}, expected 1`);
  if (size < EHDR_SIZE) fail(`truncated ELF header (${size} bytes, expected ${EHDR_SIZE})`);

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (off: number): number => view.getUint16(off, true);
  const u32 = (off: number): number => view.getUint32(off, true);

  const type = u16(16);
  if (type !== ET_EXEC) {
    if (type === ET_REL) fail('relocatable object file (ET_REL), not an executable: link it first');
    if (type === ET_DYN) fail('shared object or position-independent executable (ET_DYN) is not supported: link with -static');
    if (type === ET_CORE) fail('core dump (ET_CORE), not an executable');
    fail(`unknown ELF type ${type}, expected an executable (ET_EXEC)`);
  }
  const machine = u16(18);
  if (machine !== EM_RISCV) {
    const name = MACHINES[machine] ?? 'an unknown machine';
    fail(`built for ${name} (e_machine ${machine}), expected RISC-V (e_machine ${EM_RISCV})`);
  }
  const version = u32(20);
  if (version !== EV_CURRENT) fail(`unsupported ELF version ${version}, expected 1`);
  const entry = u32(24);
  const phoff = u32(28);
  const shoff = u32(32);
  const flags = u32(36);
  const ehsize = u16(40);
  const phentsize = u16(42);
  const phnum = u16(44);
  const shentsize = u16(46);
  const shnum = u16(48);
  const shstrndx = u16(50);

  if (flags & EF_RISCV_RVE) fail(`built for RV32E (EF_RISCV_RVE set in e_flags, ilp32e ABI), expected RV32I: ${REBUILD}`);
  const floatAbi = flags & EF_RISCV_FLOAT_ABI;
  if (floatAbi !== 0) {
    fail(`uses the ${FLOAT_ABI_NAMES[floatAbi]} ABI (e_flags ${hex(flags)}), expected soft-float ilp32 ` +
      `(Hyperstep has no F or D extension): ${REBUILD}`);
  }
  if (ehsize < EHDR_SIZE) fail(`bad ELF header size e_ehsize = ${ehsize}, expected ${EHDR_SIZE}`);

  const segments = readSegments(bytes, u32, { phoff, phentsize, phnum });
  if (!segments.some((s) => entry >= s.vaddr && entry - s.vaddr < s.memSize)) {
    fail(`entry point ${hex(entry)} is outside every loadable segment`);
  }
  const sections = readSections(bytes, u32, { shoff, shentsize, shnum, shstrndx });
  const symbols = readSymbols(bytes, u16, u32, sections);
  const publicSections: ElfSection[] = sections.map(({ name, address, size: sz, offset, type: t, flags: f }) =>
    ({ name, address, size: sz, offset, type: t, flags: f }));

  return {
    entry,
    segments,
    symbols,
    sections: publicSections,
    sectionData(name: string): Uint8Array | undefined {
      const s = sections.find((x) => x.name === name);
      if (!s) return undefined;
      return s.type === SHT_NOBITS ? new Uint8Array(0) : bytes.slice(s.offset, s.offset + s.size);
    },
  };
}

function readSegments(
  bytes: Uint8Array, u32: (off: number) => number,
  h: { phoff: number; phentsize: number; phnum: number },
): ElfSegment[] {
  const size = bytes.length;
  if (h.phnum === 0) fail('no program headers: nothing to load');
  if (h.phnum === PN_XNUM) fail('extended program header numbering (e_phnum = 0xffff) is not supported');
  if (h.phentsize !== PHDR_SIZE) fail(`bad program header size e_phentsize = ${h.phentsize}, expected ${PHDR_SIZE}`);
  const tableEnd = h.phoff + h.phnum * PHDR_SIZE;
  if (tableEnd > size) {
    fail(`program header table (${h.phnum} entries at offset ${hex(h.phoff)}) extends past the end of the file (${size} bytes)`);
  }

  const segments: (ElfSegment & { index: number })[] = [];
  for (let i = 0; i < h.phnum; i++) {
    const at = h.phoff + i * PHDR_SIZE;
    if (u32(at) !== PT_LOAD) continue;
    const offset = u32(at + 4);
    const vaddr = u32(at + 8);
    const paddr = u32(at + 12);
    const filesz = u32(at + 16);
    const memsz = u32(at + 20);
    const flags = u32(at + 24);
    const what = `segment ${i} (PT_LOAD at ${hex(vaddr)})`;
    if (filesz > memsz) fail(`${what}: file size ${hex(filesz)} exceeds memory size ${hex(memsz)}`);
    // A segment with no file bytes (a .bss) takes nothing from the file, so its offset may point
    // anywhere, past the end included: linkers keep it congruent to vaddr modulo the alignment
    // (ELF gABI, program header: p_offset), and our own assembler does so for an aligned .bss.
    if (filesz > 0 && offset + filesz > size) {
      fail(`${what}: its file bytes ${hex(offset)}..${hex(offset + filesz)} lie past the end of the file (${size} bytes)`);
    }
    if (vaddr + memsz > 2 ** 32) fail(`${what}: ${hex(vaddr)} + ${hex(memsz)} wraps around the 32-bit address space`);
    if (paddr + memsz > 2 ** 32) fail(`${what}: physical ${hex(paddr)} + ${hex(memsz)} wraps around the 32-bit address space`);
    if (memsz === 0) continue;
    segments.push({ index: i, vaddr, paddr, data: bytes.slice(offset, offset + filesz), memSize: memsz, flags });
  }
  if (segments.length === 0) fail('no loadable (PT_LOAD) segment');
  checkOverlap(segments, 'vaddr', '');
  checkOverlap(segments, 'paddr', 'physical ');
  return segments.map(({ vaddr, paddr, data, memSize, flags }) => ({ vaddr, paddr, data, memSize, flags }));
}

/** Sorted sweep, O(n log n): adjacent ranges in address order must not intersect. */
function checkOverlap(segments: (ElfSegment & { index: number })[], key: 'vaddr' | 'paddr', label: string): void {
  const sorted = [...segments].sort((a, b) => a[key] - b[key]);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    const cur = sorted[i];
    if (cur[key] < prev[key] + prev.memSize) {
      const [a, b] = prev.index < cur.index ? [prev, cur] : [cur, prev];
      fail(`segments ${a.index} and ${b.index} overlap at ${label}address ${hex(cur[key])}`);
    }
  }
}

function readSections(
  bytes: Uint8Array, u32: (off: number) => number,
  h: { shoff: number; shentsize: number; shnum: number; shstrndx: number },
): RawSection[] {
  const size = bytes.length;
  if (h.shnum === 0) {
    if (h.shoff !== 0) fail('extended section numbering (e_shnum = 0 with a section header table) is not supported');
    return [];
  }
  if (h.shentsize !== SHDR_SIZE) fail(`bad section header size e_shentsize = ${h.shentsize}, expected ${SHDR_SIZE}`);
  if (h.shoff + h.shnum * SHDR_SIZE > size) {
    fail(`section header table (${h.shnum} entries at offset ${hex(h.shoff)}) extends past the end of the file (${size} bytes)`);
  }
  if (h.shstrndx === SHN_XINDEX) fail('extended section name table index (e_shstrndx = 0xffff) is not supported');
  if (h.shstrndx >= h.shnum) fail(`section name table index ${h.shstrndx} is out of range (${h.shnum} sections)`);

  const raw: (RawSection & { nameOffset: number })[] = [];
  for (let i = 0; i < h.shnum; i++) {
    const at = h.shoff + i * SHDR_SIZE;
    const section = {
      index: i,
      name: '',
      nameOffset: u32(at),
      type: u32(at + 4),
      flags: u32(at + 8),
      address: u32(at + 12),
      offset: u32(at + 16),
      size: u32(at + 20),
      link: u32(at + 24),
      entsize: u32(at + 36),
    };
    if (i > 0 && section.type !== SHT_NOBITS && section.type !== 0 && section.offset + section.size > size) {
      fail(`section ${i}: its bytes ${hex(section.offset)}..${hex(section.offset + section.size)} lie past the end of the file (${size} bytes)`);
    }
    raw.push(section);
  }

  if (h.shstrndx !== 0) {
    const strtab = raw[h.shstrndx];
    if (strtab.type !== SHT_STRTAB) fail(`section name table (section ${h.shstrndx}) is not a string table (sh_type ${strtab.type})`);
    for (const s of raw) {
      if (s.index === 0) continue;
      s.name = readString(bytes, strtab, s.nameOffset, `name of section ${s.index}`);
    }
  }
  return raw.slice(1).map(({ nameOffset: _n, ...s }) => s);
}

function readString(bytes: Uint8Array, table: { offset: number; size: number; index: number }, at: number, what: string): string {
  if (at >= table.size) {
    if (at === 0 && table.size === 0) return '';
    fail(`${what}: offset ${hex(at)} is outside its string table (section ${table.index}, ${table.size} bytes)`);
  }
  const start = table.offset + at;
  const end = table.offset + table.size;
  let nul = start;
  while (nul < end && bytes[nul] !== 0) nul++;
  if (nul === end) fail(`${what}: string at offset ${hex(at)} is not NUL-terminated inside its string table (section ${table.index})`);
  return decodeName(bytes.subarray(start, nul));
}

const utf8 = new TextDecoder('utf-8');

function decodeName(b: Uint8Array): string {
  return utf8.decode(b);
}

function readSymbols(
  bytes: Uint8Array, u16: (off: number) => number, u32: (off: number) => number, sections: RawSection[],
): ElfSymbol[] {
  const symbols: ElfSymbol[] = [];
  for (const symtab of sections) {
    if (symtab.type !== SHT_SYMTAB) continue;
    const what = `symbol table (section ${symtab.index}${symtab.name ? ` ${symtab.name}` : ''})`;
    if (symtab.entsize !== SYM_SIZE) fail(`${what}: entry size ${symtab.entsize}, expected ${SYM_SIZE}`);
    if (symtab.size % SYM_SIZE !== 0) fail(`${what}: size ${symtab.size} is not a multiple of ${SYM_SIZE}`);
    const strtab = sections.find((s) => s.index === symtab.link);
    if (!strtab || strtab.type !== SHT_STRTAB) fail(`${what}: sh_link ${symtab.link} is not a string table`);
    for (let at = symtab.offset + SYM_SIZE; at < symtab.offset + symtab.size; at += SYM_SIZE) {
      const index = (at - symtab.offset) / SYM_SIZE;
      const info = bytes[at + 12];
      const bind = info >> 4;
      const type = SYMBOL_TYPES[info & 0xf] ?? 'notype';
      let name = readString(bytes, strtab, u32(at), `name of symbol ${index}`);
      if (name === '' && type === 'section') {
        const shndx = u16(at + 14);
        name = sections.find((s) => s.index === shndx)?.name ?? '';
      }
      symbols.push({ name, value: u32(at + 4), size: u32(at + 8), type, global: bind === 1 || bind === 2 });
    }
  }
  return symbols;
}
