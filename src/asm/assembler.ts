/**
 * `assemble`: source text in, an ELF32 executable and everything a debugger
 * or language server needs out. lexer → parser → layout (pass 1) → section
 * placement → encoding (pass 2) → ELF writer. Bad input gives diagnostics,
 * never an exception.
 */
import { AsmDiagnostic, Diagnostics, sortDiagnostics } from './diagnostics';
import { EvalError, evaluate, isUnknown } from './expr';
import { ElfSymbolInput, writeElf } from './elf-writer';
import { Emitter, Image, placementOf } from './emit';
import { LayoutResult, StatementSource, layoutRelaxed, relayout } from './layout';
import { LINE_SECTION_NAME, LineEntry, decodeLineTable } from './line-table';
import { streamStatements } from './parser';
import { OutputSection, layoutSections } from './sections';
import { Placement, SymbolAttributes, SymbolTable } from './symbols';

export interface AsmSymbol {
  name: string;
  value: number;
  size: number;
  type: 'func' | 'object' | 'notype' | 'section';
  global: boolean;
  /** Output section name, or `*ABS*` for a constant. */
  section: string;
}

export interface AssembleResult {
  ok: boolean;
  elf?: Uint8Array;
  entry: number;
  symbols: AsmSymbol[];
  lines: LineEntry[];
  diagnostics: AsmDiagnostic[];
  sections: { name: string; address: number; size: number }[];
}

interface AssembleOptions {
  /** Address of .text; default 0x80000000, where RAM starts on QEMU virt. */
  textBase?: number;
}

const DEFAULT_TEXT_BASE = 0x80000000;

export function assemble(source: string, file: string, options: AssembleOptions = {}): AssembleResult {
  const diags = new Diagnostics(file);
  try {
    return assembleChecked(source, file, options.textBase ?? DEFAULT_TEXT_BASE, diags);
  } catch (e) {
    diags.error({ line: 1, column: 1 }, `internal assembler error: ${e instanceof Error ? e.message : String(e)}`);
    return { ok: false, entry: 0, symbols: [], lines: [], diagnostics: sortDiagnostics(diags.list), sections: [] };
  }
}

function assembleChecked(source: string, file: string, textBase: number, diags: Diagnostics): AssembleResult {
  const { laid, statements } = passOne(source, diags);
  const outputs = layoutSections(laid.sections, textBase >>> 0);
  const image = passTwo(statements, laid, outputs, file, diags);
  const place = placementOf(outputs);
  const records = collectSymbols(laid, outputs, place, diags);
  const symbols = records.map((r) => r.symbol);
  const entry = entryPoint(symbols, outputs, textBase);
  const ok = !diags.hasErrors;
  const { lineTable } = image;
  const elf = ok ? buildElf(outputs, image.bytes, records, lineTable, entry, laid.rvc) : undefined;
  const sections = outputs.filter((o) => o.size > 0).map((o) => ({ name: o.name, address: o.address, size: o.size }));
  // Line entries become objects only for a caller that reads them (the debugger, the language server),
  // from the encoded table: the 12 bytes a row of the ELF's section, not the recorder it came from.
  let lines: LineEntry[] | undefined;
  return {
    ok, elf, entry, symbols, diagnostics: sortDiagnostics(diags.list), sections,
    get lines(): LineEntry[] { return (lines ??= decodeLineTable(lineTable) ?? []); },
  };
}

/*
 * Memory (docs/assembler.md, "Memory"): neither the statements nor the items of a file are held.
 * Pass 1 parses the source as a stream into the layout (again for each relaxation round) and keeps
 * only the symbols, the section sizes, the branch sizes and the frags (for relaxation); pass 2 parses
 * it once more, lays it out with the same branch sizes (the same items, in the same order) over pass 1's
 * labels, and encodes each item as it comes. What a source costs is then about its symbols and its
 * image, not its number of lines.
 */

interface PassOne {
  readonly laid: LayoutResult;
  /** What pass 2 lays out again. */
  readonly statements: StatementSource;
}

/** Pass 1: the layout of the file. */
function passOne(source: string, diags: Diagnostics): PassOne {
  let parseDiags = new Diagnostics(diags.file);
  let withinBounds = true;
  const layoutDiags = new Diagnostics(diags.file);
  const laid = layoutRelaxed(
    (each) => {
      parseDiags = new Diagnostics(diags.file); // each round parses again: report one round's messages
      withinBounds = streamStatements(source, parseDiags, each);
    },
    layoutDiags,
    () => undefined, // pass 2 makes the items again: none is kept
  );
  diags.absorb(parseDiags);
  if (withinBounds) {
    diags.absorb(layoutDiags);
    // Parsing and layout said all they had to say in this pass.
    const quiet = new Diagnostics(diags.file);
    // The frags served relaxation; pass 2 needs none.
    const kept: LayoutResult = { ...laid, frags: new Map() };
    return { laid: kept, statements: (each) => streamStatements(source, quiet, each) };
  }
  // A runaway expansion is refused whole: nothing of the file is laid out (its diagnostic says so).
  return { laid: layoutRelaxed([], diags), statements: [] };
}

/** Pass 2: the same statements laid out again; each item is encoded as soon as it is made. */
function passTwo(
  statements: StatementSource, laid: LayoutResult, outputs: readonly OutputSection[], file: string, diags: Diagnostics,
): Image {
  const emitter = new Emitter(laid, outputs, file, diags);
  relayout(statements, laid, new Diagnostics(diags.file), (item) => emitter.item(item));
  return emitter.image();
}

/** gas drops `.L` labels from the object file; so do we. */
function isListed(name: string): boolean {
  return !name.startsWith('.L');
}

interface SymbolRecord {
  readonly symbol: AsmSymbol;
  readonly binding: 'local' | 'global' | 'weak';
}

function collectSymbols(laid: LayoutResult, outputs: readonly OutputSection[], place: Placement, diags: Diagnostics): SymbolRecord[] {
  const table = laid.symbols;
  const out: SymbolRecord[] = outputs
    .filter((o) => o.size > 0 && o.flags.alloc)
    .map((o) => ({
      symbol: { name: o.name, value: o.address, size: 0, type: 'section', global: false, section: o.name },
      binding: 'local',
    }));
  for (const label of table.labels.values()) {
    if (!isListed(label.name)) continue;
    const v = table.labelValue(label, place);
    out.push(described(table, label.name, Number(BigInt.asUintN(32, v.value)), v.section ?? '*ABS*', place, diags));
  }
  for (const name of table.equates.keys()) {
    if (!isListed(name)) continue;
    const v = valueOf(table, name, place, diags);
    if (v) out.push(described(table, name, v.value, v.section, place, diags));
  }
  return out.sort((a, b) => a.symbol.value - b.symbol.value || a.symbol.name.localeCompare(b.symbol.name));
}

function valueOf(table: SymbolTable, name: string, place: Placement, diags: Diagnostics): { value: number; section: string } | undefined {
  try {
    const v = table.finalContext(place, () => ({ value: 0n, section: null })).lookup(name);
    if (v === undefined || v === 'pending') return undefined;
    return { value: Number(BigInt.asUintN(32, v.value)), section: v.section ?? '*ABS*' };
  } catch (e) {
    if (!(e instanceof EvalError)) throw e;
    diags.error(e.pos, e.message);
    return undefined;
  }
}

function described(table: SymbolTable, name: string, value: number, section: string, place: Placement, diags: Diagnostics): SymbolRecord {
  const attrs = table.attributes.get(name) ?? {};
  const binding = attrs.binding ?? 'local';
  const symbol: AsmSymbol = {
    name, value, section,
    size: attrs.size ? sizeOf(table, attrs.size, place, diags) : 0,
    type: attrs.type ?? 'notype',
    global: binding !== 'local',
  };
  return { symbol, binding };
}

function sizeOf(table: SymbolTable, size: NonNullable<SymbolAttributes['size']>, place: Placement, diags: Diagnostics): number {
  try {
    const v = evaluate(size.expr, table.finalContext(place, () => ({ value: 0n, section: null })));
    if (!isUnknown(v)) return Number(BigInt.asUintN(32, v.value));
  } catch (e) {
    if (!(e instanceof EvalError)) throw e;
    diags.error(e.pos, e.message);
  }
  return 0;
}

function entryPoint(symbols: readonly AsmSymbol[], outputs: readonly OutputSection[], textBase: number): number {
  const start = symbols.find((s) => s.name === '_start' && s.type !== 'section');
  if (start) return start.value;
  return outputs.find((o) => o.name === '.text')?.address ?? textBase >>> 0;
}

function buildElf(
  outputs: readonly OutputSection[], bytes: ReadonlyMap<string, Uint8Array>, symbols: readonly SymbolRecord[],
  lineTable: Uint8Array, entry: number, rvc: boolean,
): Uint8Array {
  const sections = [
    ...outputs.map((o) => ({
      name: o.name, nobits: o.flags.nobits, alloc: o.flags.alloc, write: o.flags.write, exec: o.flags.exec,
      address: o.address, data: bytes.get(o.name) ?? new Uint8Array(0), size: o.size, align: Math.max(o.align, o.flags.alloc ? 4 : 1),
    })),
    { name: LINE_SECTION_NAME, nobits: false, alloc: false, write: false, exec: false, address: 0, data: lineTable, size: lineTable.length, align: 4 },
  ];
  const elfSymbols: ElfSymbolInput[] = symbols.map(({ symbol: s, binding }) => ({
    name: s.name, value: s.value, size: s.size, type: s.type, section: s.section, binding,
  }));
  return writeElf({ entry, sections, symbols: elfSymbols, rvc });
}
