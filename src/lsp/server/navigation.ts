/**
 * Go to definition, find references, highlights and the outline. A symbol is a key in the
 * document model: a name, or `n^k` for the k-th `n:` so that `1b` and `1f` lead to the one
 * definition the assembler would use.
 */
import { Analysis } from './analysis';
import { Span, SymbolDefinition } from './document-model';

export function definitionsAt(a: Analysis, offset: number): readonly Span[] {
  const key = a.symbolKeyAt(offset);
  return key === undefined ? [] : a.definitionsOf(key);
}

export function referencesAt(a: Analysis, offset: number, includeDeclaration: boolean): Span[] {
  const key = a.symbolKeyAt(offset);
  if (key === undefined) return [];
  const refs: Span[] = [...a.referencesOf(key)];
  if (includeDeclaration) refs.push(...a.definitionsOf(key));
  return refs.sort((x, y) => x.start - y.start);
}

interface HighlightSpan extends Span {
  readonly write: boolean;
}

export function highlightsAt(a: Analysis, offset: number): HighlightSpan[] {
  const key = a.symbolKeyAt(offset);
  if (key === undefined) return [];
  return [
    ...a.definitionsOf(key).map((d) => ({ start: d.start, end: d.end, write: true })),
    ...a.referencesOf(key).map((r) => ({ start: r.start, end: r.end, write: false })),
  ].sort((x, y) => x.start - y.start);
}

export type OutlineKind = 'section' | 'function' | 'field' | 'constant';

export interface OutlineEntry {
  readonly name: string;
  readonly kind: OutlineKind;
  readonly detail: string;
  /** Everything the entry covers (a label: up to the next label or section). */
  readonly range: Span;
  /** The name itself. */
  readonly selection: Span;
  readonly children: OutlineEntry[];
}

/**
 * Sections as namespaces holding their labels and constants (what comes before the first section
 * directive is at the top level); labels in an executable section
 * (or typed `@function`) are functions, others fields. Numeric local labels are left out: they
 * are the inside of a function, not its outline.
 */
export function outline(a: Analysis): OutlineEntry[] {
  const model = a.model;
  const named = [...model.definitions.values()].flat().filter((d) => d.kind !== 'local-label').sort((x, y) => x.start - y.start);
  const sections = model.sections;
  return sections.flatMap((s, i) => {
    const inside = named.filter((d) => d.start >= s.start && (d.start < s.end || (i === sections.length - 1 && d.start <= s.end)));
    const children = inside.map((d, k) => entryFor(a, d, inside[k + 1]?.start ?? s.end));
    if (!s.opener) return children; // before any section directive: top level
    const selection = s.opener;
    return [{ name: s.name, kind: 'section' as const, detail: 'section', range: { start: s.start, end: Math.max(s.end, selection.end) }, selection, children }];
  });
}

function entryFor(a: Analysis, d: SymbolDefinition, nextStart: number): OutlineEntry {
  const model = a.model;
  const global = model.globals.has(d.name);
  if (d.kind === 'equate') {
    const value = a.evaluator.symbol(d.name, d.start);
    return {
      name: d.name, kind: 'constant', detail: value === undefined ? d.statement.name : `= 0x${value.toString(16)}`,
      range: { start: d.statement.start, end: Math.max(d.statement.end, d.end) }, selection: d, children: [],
    };
  }
  const isFunction = model.types.get(d.name) === 'function' ||
    (model.types.get(d.name) !== 'object' && d.statement.section.startsWith('.text'));
  const address = a.addresses.get(d.name);
  const detail = [global ? 'global' : '', address === undefined ? '' : `0x${address.toString(16)}`].filter(Boolean).join(' ');
  const end = Math.max(d.end, lastStatementEndBefore(a, nextStart, d.start));
  return { name: d.name, kind: isFunction ? 'function' : 'field', detail, range: { start: d.start, end }, selection: d, children: [] };
}

/** The end of the last statement that starts in [from, before): where a label's body stops. */
function lastStatementEndBefore(a: Analysis, before: number, from: number): number {
  const statements = a.model.statements; // in source order, not overlapping
  let lo = 0, hi = statements.length - 1, last = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (statements[mid].start < before) {
      last = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return last >= 0 && statements[last].start >= from ? Math.max(from, statements[last].end) : from;
}
