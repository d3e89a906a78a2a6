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

export const STANDARD_OUTPUTS = ['.text', '.rodata', '.data', '.bss'] as const;

const flags = (spec: string, nobits = false): SectionFlags => ({
  alloc: spec.includes('a'), write: spec.includes('w'), exec: spec.includes('x'), nobits,
});

const PREFIX_RULES: readonly [prefixes: readonly string[], output: string, spec: string, nobits: boolean][] = [
  [['.text', '.init', '.fini'], '.text', 'ax', false],
  [['.rodata', '.srodata'], '.rodata', 'a', false],
  [['.data', '.sdata'], '.data', 'aw', false],
  [['.bss', '.sbss'], '.bss', 'aw', true],
];

function rule(name: string): (typeof PREFIX_RULES)[number] | undefined {
  return PREFIX_RULES.find(([prefixes]) => prefixes.some((p) => name === p || name.startsWith(`${p}.`)));
}

/** The output section an input section goes to. */
export function outputSectionOf(name: string): string {
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

export function alignUp(value: number, align: number): number {
  return Math.ceil(value / align) * align;
}

/**
 * Places the output sections: .text at `textBase`, then .rodata, .data, other
 * allocated sections in order of appearance, .bss; each at least 4-aligned.
 * Empty sections get an address too (a label may sit in one) but take no room;
 * the ELF writer leaves them out, as ld does.
 */
export function layoutSections(inputs: readonly InputSection[], textBase: number): OutputSection[] {
  const outputs = groupInputs(inputs);
  let address = textBase;
  for (const o of orderForLayout(outputs)) {
    if (!o.flags.alloc) continue;
    o.address = alignUp(address, Math.max(4, o.align)) >>> 0;
    if (o.size > 0) address = o.address + o.size;
  }
  return orderForLayout(outputs);
}

function groupInputs(inputs: readonly InputSection[]): OutputSection[] {
  const byName = new Map<string, InputSection[]>();
  for (const s of inputs) byName.set(s.output, [...(byName.get(s.output) ?? []), s]);
  return [...byName.entries()].map(([name, list]) => buildOutput(name, list));
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
