/**
 * Sections. The assembler works as `as` followed by `ld` with a fixed script:
 * input sections (as named in the source) are gathered into the output
 * sections .text, .rodata, .data and .bss by name, as GNU ld's default script
 * does (`.text.*` into .text, `.sdata` into .data, …); any other allocated
 * section keeps its own name and is placed after .data.
 */
import { Item } from './items';

export interface SectionFlags {
  readonly alloc: boolean;
  readonly write: boolean;
  readonly exec: boolean;
  /** SHT_NOBITS: occupies memory, not file space (.bss). */
  readonly nobits: boolean;
}

export interface InputSection {
  readonly name: string;
  readonly output: string;
  flags: SectionFlags;
  /** Power of two, at least 1. */
  align: number;
  size: number;
  readonly items: Item[];
}

export interface OutputSection {
  readonly name: string;
  readonly flags: SectionFlags;
  readonly inputs: readonly InputSection[];
  address: number;
  size: number;
  align: number;
  /** Offset of each input section within this output section. */
  readonly inputOffsets: Map<string, number>;
}

const flags = (spec: string, nobits = false): SectionFlags => ({
  alloc: spec.includes('a'), write: spec.includes('w'), exec: spec.includes('x'), nobits,
});

// GNU ld's default script (elf32lriscv) puts .srodata with the small data, in the data segment.
const PREFIX_RULES: readonly [prefixes: readonly string[], output: string, spec: string, nobits: boolean][] = [
  [['.text', '.init', '.fini'], '.text', 'ax', false],
  [['.rodata'], '.rodata', 'a', false],
  [['.srodata'], '.data', 'a', false],
  [['.data', '.sdata'], '.data', 'aw', false],
  [['.bss', '.sbss'], '.bss', 'aw', true],
];

/**
 * Within an output section, the order of ld's default script: .data, then .srodata, then .sdata
 * (its .data and .sdata output sections, adjacent); .sbss before .bss. Otherwise, order of appearance.
 */
const INPUT_ORDER: readonly [prefix: string, rank: number][] = [['.srodata', 1], ['.sdata', 2], ['.sbss', 0], ['.bss', 1]];

function inputRank(name: string): number {
  return INPUT_ORDER.find(([p]) => name === p || name.startsWith(`${p}.`))?.[1] ?? 0;
}

/** GNU ld's MAXPAGESIZE for RISC-V: the data segment starts on a new page of it (DATA_SEGMENT_ALIGN). */
const MAX_PAGE_SIZE = 0x1000;

/**
 * Where ld's default script starts the data segment after the text segment ends at `end`:
 * `ALIGN(MAXPAGESIZE) + (. & (MAXPAGESIZE - 1))`, the next page at the same offset, so the file
 * offset and the address agree modulo the page size without padding the file.
 */
function dataSegmentStart(end: number): number {
  return (alignUp(end, MAX_PAGE_SIZE) + (end & (MAX_PAGE_SIZE - 1))) >>> 0;
}

function rule(name: string): (typeof PREFIX_RULES)[number] | undefined {
  return PREFIX_RULES.find(([prefixes]) => prefixes.some((p) => name === p || name.startsWith(`${p}.`)));
}

/** The output section an input section goes to. */
function outputSectionOf(name: string): string {
  return rule(name)?.[1] ?? name;
}

/** Flags gas gives a section named without flags (ELF special sections); none for unknown names. */
export function defaultFlags(name: string): SectionFlags {
  const r = rule(name);
  return r ? flags(r[2], r[3]) : flags('');
}

/** Parses a `.section` flags string ("ax") and type (@progbits, @nobits). */
export function parseSectionFlags(spec: string, type: string | undefined): SectionFlags {
  return flags(spec, type === 'nobits');
}

export function newInputSection(name: string, sectionFlags: SectionFlags): InputSection {
  const code = sectionFlags.exec && name === '.text';
  // gas on RISC-V gives .text a 4-byte alignment (2 with RVC); other sections start at 1.
  return { name, output: outputSectionOf(name), flags: sectionFlags, align: code ? 4 : 1, size: 0, items: [] };
}

function alignUp(value: number, align: number): number {
  return Math.ceil(value / align) * align;
}

/**
 * Places the output sections as `ld -Ttext=BASE` with its default script does: .text at
 * `textBase`, then .rodata (each at its own alignment); the data segment on the next page at the
 * same offset (dataSegmentStart), holding .data, other allocated sections in order of appearance,
 * and .bss, whose end is rounded up to 4 (the script's `. = ALIGN(. != 0 ? 32 / 8 : 1)`).
 * Empty sections get an address too (a label may sit in one) but take no room; the ELF writer
 * leaves them out, as ld does.
 */
export function layoutSections(inputs: readonly InputSection[], textBase: number): OutputSection[] {
  const outputs = orderForLayout(groupInputs(inputs));
  let address = textBase;
  let inDataSegment = false;
  for (const o of outputs) {
    if (!o.flags.alloc) continue;
    if (!inDataSegment && o.name !== '.text' && o.name !== '.rodata') {
      address = dataSegmentStart(address);
      inDataSegment = true;
    }
    placeInputs(o, address);
    if (o.name === '.bss' && o.size > 0) o.size = alignUp(o.address + o.size, 4) - o.address;
    if (o.size > 0) address = o.address + o.size;
  }
  return outputs;
}

/**
 * Starts `o` at `address` aligned for its first input, then each input at its own alignment, as
 * ld places input sections one after the other (our .bss stands for ld's .sbss and .bss: .sbss
 * is not pushed to .bss's larger alignment). The section's alignment is then its first input's.
 */
function placeInputs(o: OutputSection, address: number): void {
  const first = o.inputs[0]?.align ?? 1;
  o.address = alignUp(address, first) >>> 0;
  let at = o.address;
  for (const s of o.inputs) {
    at = alignUp(at, s.align);
    o.inputOffsets.set(s.name, at - o.address);
    at += s.size;
  }
  o.size = at - o.address;
  o.align = first;
}

function groupInputs(inputs: readonly InputSection[]): OutputSection[] {
  const byName = new Map<string, InputSection[]>();
  for (const s of inputs) byName.set(s.output, [...(byName.get(s.output) ?? []), s]);
  return [...byName.entries()].map(([name, list]) => buildOutput(name, list.map((s, i) => ({ s, i }))
    .sort((a, b) => inputRank(a.s.name) - inputRank(b.s.name) || a.i - b.i).map(({ s }) => s)));
}

function buildOutput(name: string, inputs: InputSection[]): OutputSection {
  const inputOffsets = new Map<string, number>();
  let size = 0;
  let align = 1;
  for (const s of inputs) {
    size = alignUp(size, s.align);
    inputOffsets.set(s.name, size);
    size += s.size;
    align = Math.max(align, s.align);
  }
  const first = inputs[0].flags;
  const nobits = inputs.every((s) => s.flags.nobits);
  return { name, flags: { ...first, nobits }, inputs, address: 0, size, align, inputOffsets };
}

function orderForLayout(outputs: OutputSection[]): OutputSection[] {
  const rank = (o: OutputSection): number => {
    const i = ['.text', '.rodata', '.data'].indexOf(o.name);
    if (i >= 0) return i;
    if (o.name === '.bss') return 4;
    return o.flags.alloc ? 3 : 5;
  };
  return outputs.map((o, i) => ({ o, i })).sort((a, b) => rank(a.o) - rank(b.o) || a.i - b.i).map(({ o }) => o);
}
