/**
 * Writes an ELF32 little-endian RISC-V executable (System V gABI; RISC-V ELF
 * psABI: e_machine EM_RISCV = 243, e_flags: soft-float ilp32, plus EF_RISCV_RVC when compressed code may appear).
 * One PT_LOAD per allocated section, file offsets congruent to addresses
 * modulo the page size, then the non-allocated sections, .symtab, .strtab,
 * .shstrtab and the section header table.
 */

interface ElfSectionInput {
  readonly name: string;
  readonly nobits: boolean;
  readonly alloc: boolean;
  readonly write: boolean;
  readonly exec: boolean;
  readonly address: number;
  /** Contents; for NOBITS sections only `size` matters. */
  readonly data: Uint8Array;
  readonly size: number;
  readonly align: number;
}

type ElfSymbolType = 'notype' | 'object' | 'func' | 'section';

export interface ElfSymbolInput {
  readonly name: string;
  readonly value: number;
  readonly size: number;
  readonly type: ElfSymbolType;
  readonly binding: 'local' | 'global' | 'weak';
  /** A section name from `sections`, or `*ABS*`. */
  readonly section: string;
}

interface ElfInput {
  readonly entry: number;
  readonly sections: readonly ElfSectionInput[];
  readonly symbols: readonly ElfSymbolInput[];
  /** EF_RISCV_RVC: the code may use compressed instructions (gas sets it once `.option rvc` is seen). */
  readonly rvc?: boolean;
}

/** psABI e_flags bit: the object contains (or may contain) compressed instructions. */
const EF_RISCV_RVC = 0x1;

const EHDR_SIZE = 52;
const PHDR_SIZE = 32;
const SHDR_SIZE = 40;
const SYM_SIZE = 16;
const PAGE = 0x1000;
const EM_RISCV = 243;
const ET_EXEC = 2;
const PT_LOAD = 1;
const SHT = { PROGBITS: 1, SYMTAB: 2, STRTAB: 3, NOBITS: 8 } as const;
const SHF = { WRITE: 1, ALLOC: 2, EXECINSTR: 4 } as const;
const PF = { X: 1, W: 2, R: 4 } as const;
const SHN_ABS = 0xfff1;
const STB = { local: 0, global: 1, weak: 2 } as const;
const STT = { notype: 0, object: 1, func: 2, section: 3 } as const;

/** A string table: offsets of names, NUL-separated, starting with the empty name. */
class StringTable {
  private readonly parts: Uint8Array[] = [new Uint8Array(1)];
  private size = 1;
  private readonly offsets = new Map<string, number>();

  add(s: string): number {
    if (s === '') return 0;
    const known = this.offsets.get(s);
    if (known !== undefined) return known;
    const bytes = new TextEncoder().encode(`${s}\0`);
    const at = this.size;
    this.parts.push(bytes);
    this.size += bytes.length;
    this.offsets.set(s, at);
    return at;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

interface Placed {
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  readonly address: number;
  readonly offset: number;
  readonly size: number;
  readonly align: number;
  readonly data?: Uint8Array;
  readonly link?: number;
  readonly info?: number;
  readonly entsize?: number;
}

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/** The smallest offset at or after `from` that is congruent to `address` modulo the page size. */
function congruentOffset(from: number, address: number): number {
  const want = address % PAGE;
  const base = from - (from % PAGE) + want;
  return base >= from ? base : base + PAGE;
}

export function writeElf(input: ElfInput): Uint8Array {
  const loadable = input.sections.filter((s) => s.alloc && s.size > 0).sort((a, b) => a.address - b.address);
  const others = input.sections.filter((s) => !s.alloc && s.size > 0);
  const phnum = loadable.length;
  let cursor = EHDR_SIZE + PHDR_SIZE * phnum;
  const placed: Placed[] = [];
  for (const s of loadable) {
    const offset = congruentOffset(cursor, s.address);
    placed.push(placeSection(s, offset));
    if (!s.nobits) cursor = offset + s.size;
  }
  for (const s of others) {
    const offset = alignUp(cursor, Math.max(1, s.align));
    placed.push(placeSection(s, offset));
    cursor = offset + (s.nobits ? 0 : s.size);
  }
  const sectionIndex = new Map(placed.map((p, i) => [p.name, i + 1]));
  const { symtab, strtab, firstGlobal } = buildSymbolTable(input.symbols, sectionIndex);
  const shstrtab = new StringTable();
  const symtabIndex = placed.length + 1;
  cursor = alignUp(cursor, 4);
  placed.push({ name: '.symtab', type: SHT.SYMTAB, flags: 0, address: 0, offset: cursor, size: symtab.length,
    align: 4, data: symtab, link: symtabIndex + 1, info: firstGlobal, entsize: SYM_SIZE });
  cursor += symtab.length;
  placed.push({ name: '.strtab', type: SHT.STRTAB, flags: 0, address: 0, offset: cursor, size: strtab.length, align: 1, data: strtab });
  cursor += strtab.length;
  for (const p of [...placed, { name: '.shstrtab' }]) shstrtab.add(p.name);
  const shstrBytes = shstrtab.bytes();
  placed.push({ name: '.shstrtab', type: SHT.STRTAB, flags: 0, address: 0, offset: cursor, size: shstrBytes.length, align: 1, data: shstrBytes });
  cursor += shstrBytes.length;
  const shoff = alignUp(cursor, 4);
  const out = new Uint8Array(shoff + SHDR_SIZE * (placed.length + 1));
  const view = new DataView(out.buffer);
  writeHeader(view, input.entry, input.rvc ? EF_RISCV_RVC : 0, phnum, shoff, placed.length + 1, placed.length);
  loadable.forEach((s, i) => writeProgramHeader(view, EHDR_SIZE + PHDR_SIZE * i, s, placed[i].offset));
  placed.forEach((p, i) => {
    if (p.data && p.type !== SHT.NOBITS) out.set(p.data.subarray(0, p.size), p.offset);
    writeSectionHeader(view, shoff + SHDR_SIZE * (i + 1), p, shstrtab.add(p.name));
  });
  return out;
}

function placeSection(s: ElfSectionInput, offset: number): Placed {
  const flags = (s.alloc ? SHF.ALLOC : 0) | (s.write ? SHF.WRITE : 0) | (s.exec ? SHF.EXECINSTR : 0);
  return {
    name: s.name, type: s.nobits ? SHT.NOBITS : SHT.PROGBITS, flags, address: s.alloc ? s.address : 0,
    offset, size: s.size, align: s.align, data: s.data,
  };
}

/** Local symbols first, as the gABI requires; sh_info is the index of the first global. */
function buildSymbolTable(symbols: readonly ElfSymbolInput[], sectionIndex: Map<string, number>) {
  const strtab = new StringTable();
  const ordered = [...symbols.filter((s) => s.binding === 'local'), ...symbols.filter((s) => s.binding !== 'local')];
  const symtab = new Uint8Array(SYM_SIZE * (ordered.length + 1));
  const view = new DataView(symtab.buffer);
  ordered.forEach((s, i) => {
    const p = SYM_SIZE * (i + 1);
    view.setUint32(p, s.type === 'section' ? 0 : strtab.add(s.name), true);
    view.setUint32(p + 4, s.value >>> 0, true);
    view.setUint32(p + 8, s.size >>> 0, true);
    view.setUint8(p + 12, (STB[s.binding] << 4) | STT[s.type]);
    view.setUint16(p + 14, s.section === '*ABS*' ? SHN_ABS : sectionIndex.get(s.section) ?? SHN_ABS, true);
  });
  const firstGlobal = 1 + ordered.filter((s) => s.binding === 'local').length;
  return { symtab, strtab: strtab.bytes(), firstGlobal };
}

function writeHeader(view: DataView, entry: number, flags: number, phnum: number, shoff: number, shnum: number, shstrndx: number): void {
  [0x7f, 0x45, 0x4c, 0x46, 1, 1, 1].forEach((b, i) => view.setUint8(i, b)); // ELFCLASS32, ELFDATA2LSB, EV_CURRENT
  view.setUint16(16, ET_EXEC, true);
  view.setUint16(18, EM_RISCV, true);
  view.setUint32(20, 1, true);
  view.setUint32(24, entry >>> 0, true);
  view.setUint32(28, phnum > 0 ? EHDR_SIZE : 0, true);
  view.setUint32(32, shoff, true);
  view.setUint32(36, flags, true); // e_flags: ilp32 soft-float (0), RVC if set
  view.setUint16(40, EHDR_SIZE, true);
  view.setUint16(42, PHDR_SIZE, true);
  view.setUint16(44, phnum, true);
  view.setUint16(46, SHDR_SIZE, true);
  view.setUint16(48, shnum, true);
  view.setUint16(50, shstrndx, true);
}

function writeProgramHeader(view: DataView, at: number, s: ElfSectionInput, offset: number): void {
  const flags = PF.R | (s.write ? PF.W : 0) | (s.exec ? PF.X : 0);
  [PT_LOAD, offset, s.address, s.address, s.nobits ? 0 : s.size, s.size, flags, PAGE]
    .forEach((v, i) => view.setUint32(at + 4 * i, v >>> 0, true));
}

function writeSectionHeader(view: DataView, at: number, p: Placed, nameOffset: number): void {
  [nameOffset, p.type, p.flags, p.address, p.offset, p.size, p.link ?? 0, p.info ?? 0, p.align, p.entsize ?? 0]
    .forEach((v, i) => view.setUint32(at + 4 * i, v >>> 0, true));
}
