/**
 * The document model kept up to date edit by edit (docs/language-server.md, "Edits in bursts").
 * An edit replaces whole lines of the model: the lines it touches are lexed and read again
 * (`buildRegion`), everything after them keeps its objects and moves by the edit's length, and
 * the symbol table keeps its entries (those of the replaced lines are dropped, those of the new
 * lines merged in source order). Nothing is built per line of the file, so a keystroke in a
 * 10,000-line file costs the line it is on plus moving offsets, not a new lexing of the file.
 *
 * A statement never spans lines in this syntax except through a block comment, and only three
 * things carry state from one line to the next: block comments, the current section and the
 * numbering of numeric labels (`1:`). An edit whose old or new lines hold one of those (or that
 * is large) is refused, and the caller builds the whole model again: rare while typing, and
 * always right.
 *
 * The model is updated in place: its arrays and objects are the next version's, so the model
 * given to `applyEdit` must not be used afterwards. The lexer's own tokens (`Tok.raw`) keep the
 * line and column of the lexing that made them; the server reads positions only from `Tok`.
 */
import {
  DocumentModel, RegionStart, Span, Statement, SymbolDefinition, SymbolReference, Tok, buildRegion, isLocalKey, isSectionDirective, symbolBindings,
} from './document-model';

/** Replace `[start, end)` of the text (offsets in the text before the edit) by `text`. */
export interface TextEdit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Above this many characters of replaced lines, building the whole model is as cheap and simpler. */
const MAX_REGION = 64 * 1024;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The model of the text after `edit`, made from `model` (which it updates in place), or
 * undefined when the edit changes what later lines depend on: then build the whole model.
 */
export function applyEdit(model: DocumentModel, edit: TextEdit): DocumentModel | undefined {
  const old = model.text;
  const start = Math.max(0, Math.min(edit.start, edit.end, old.length));
  const end = Math.min(Math.max(edit.start, edit.end), old.length);
  // The whole lines the edit touches: from the start of its first line to past the newline of its last.
  const regionStart = start === 0 ? 0 : old.lastIndexOf('\n', start - 1) + 1; // (lastIndexOf reads -1 as 0)
  const newline = old.indexOf('\n', end);
  const oldEnd = newline < 0 ? old.length : newline + 1;
  const delta = edit.text.length - (end - start);
  if (oldEnd - regionStart + Math.max(0, delta) > MAX_REGION) return undefined;

  const stmtLo = firstFrom(model.statements, regionStart), stmtHi = firstFrom(model.statements, oldEnd);
  const removed = model.statements.slice(stmtLo, stmtHi);
  if (removed.some(carriesState)) return undefined;
  const commentLo = firstFrom(model.comments, regionStart);
  // A block comment that starts before the region and reaches into it, or one inside it. One that
  // ends right at the region's start is an unclosed `/*` running to the end of the text (a closed
  // one ends on `/`, never just after a newline): it takes in whatever the edit appends.
  const before = model.comments[commentLo - 1];
  if (before && before.end >= regionStart) return undefined;
  const commentHi = firstFrom(model.comments, oldEnd);
  if (model.comments.slice(commentLo, commentHi).some((c) => isBlockComment(old, c))) return undefined;

  const text = old.slice(0, start) + edit.text + old.slice(end);
  const regionText = text.slice(regionStart, oldEnd + delta);
  const region = buildRegion(regionText, regionStartOf(model, regionStart));
  if (region.sections.length > 0 || region.statements.some(carriesState) || region.comments.some((c) => isBlockComment(text, c))) return undefined;

  // From here on the model is changed: nothing below may refuse. Each kind of object is moved by
  // a loop of its own: one shared loop over tokens, statements, references and comments sees
  // many object shapes, and its property stores (V8's megamorphic case) cost most of an edit.
  const range = (items: readonly Span[]): [number, number] => [firstFrom(items, regionStart), firstFrom(items, oldEnd)];
  const [tokLo, tokHi] = range(model.tokens);
  for (let i = tokHi; i < model.tokens.length; i++) {
    const t = model.tokens[i] as Mutable<Tok>;
    t.start += delta;
    t.end += delta;
  }
  splice(model.tokens as Tok[], tokLo, tokHi - tokLo, region.tokens);
  for (let i = stmtHi; i < model.statements.length; i++) {
    const t = model.statements[i] as Mutable<Statement>;
    t.start += delta;
    t.end += delta;
  }
  splice(model.statements as Statement[], stmtLo, stmtHi - stmtLo, region.statements);
  const [refLo, refHi] = range(model.references);
  for (let i = refHi; i < model.references.length; i++) {
    const t = model.references[i] as Mutable<SymbolReference>;
    t.start += delta;
    t.end += delta;
  }
  splice(model.references as SymbolReference[], refLo, refHi - refLo, region.references);
  for (let i = commentHi; i < model.comments.length; i++) {
    const t = model.comments[i] as Mutable<Span>;
    t.start += delta;
    t.end += delta;
  }
  splice(model.comments as Span[], commentLo, commentHi - commentLo, region.comments);
  for (const s of model.sections) {
    const m = s as Mutable<typeof s>;
    if (s.opener && m.start >= oldEnd) m.start += delta; // the implicit `.text` at the top stays at 0
    if (m.end >= oldEnd) m.end += delta;
  }
  const gone = new Set<Statement>(removed);
  const definitions = mergeDefinitions(model.definitions, gone, region.definitions, oldEnd, delta);
  const bindings = [...removed, ...region.statements].some((s) => s.kind === 'directive' && BINDING.has(s.name))
    ? symbolBindings(model.statements) : { globals: model.globals, types: model.types };
  return { ...model, text, definitions, ...bindings };
}

const BINDING = new Set(['.globl', '.global', '.weak', '.local', '.type']);

/** A statement whose effect reaches the lines after it: a section switch or a numeric label. */
function carriesState(s: Statement): boolean {
  return (s.kind === 'directive' && isSectionDirective(s.name)) || s.labels.some((l) => l.kind === 'number');
}

function isBlockComment(text: string, c: Span): boolean {
  return text.charCodeAt(c.start) === 0x2f; // '/', as in `/*`; line comments start with '#'
}

/** The section and the numeric-label counts in force at `offset` (a line start outside any changed statement). */
function regionStartOf(model: DocumentModel, offset: number): RegionStart {
  let section = '.text';
  for (const s of model.sections) if (s.start <= offset) section = s.name;
  const localCounts = new Map<number, number>();
  for (const [key, defs] of model.definitions) {
    if (!isLocalKey(key) || defs.every((d) => d.start >= offset)) continue;
    const [n, instance] = key.split('^').map(Number);
    localCounts.set(n, Math.max(localCounts.get(n) ?? 0, instance));
  }
  return { offset, section, localCounts };
}

/**
 * The definitions without those of the replaced statements, moved, with the region's merged in;
 * keys in the order of their first definition, as a full build makes them.
 */
function mergeDefinitions(
  defs: ReadonlyMap<string, readonly SymbolDefinition[]>, gone: ReadonlySet<Statement>,
  added: ReadonlyMap<string, readonly SymbolDefinition[]>, oldEnd: number, delta: number,
): ReadonlyMap<string, readonly SymbolDefinition[]> {
  let changed = added.size > 0;
  for (const list of defs.values()) {
    for (const d of list) {
      if (gone.has(d.statement)) changed = true;
      else if (d.start >= oldEnd) {
        (d as Mutable<SymbolDefinition>).start += delta;
        (d as Mutable<SymbolDefinition>).end += delta;
      }
    }
  }
  if (!changed) return defs;
  const lists = new Map<string, SymbolDefinition[]>();
  for (const [key, list] of defs) lists.set(key, list.filter((d) => !gone.has(d.statement)));
  for (const [key, list] of added) lists.set(key, [...(lists.get(key) ?? []), ...list].sort((a, b) => a.start - b.start));
  return new Map([...lists].filter(([, l]) => l.length > 0).sort(([, a], [, b]) => a[0].start - b[0].start));
}

/** The index of the first item starting at or after `offset` (items sorted by start). */
function firstFrom(items: readonly Span[], offset: number): number {
  let lo = 0, hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid].start < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** `items.splice(at, count, ...replacement)`, without spreading a long replacement (it would overflow the stack). */
function splice<T>(items: T[], at: number, count: number, replacement: readonly T[]): void {
  if (replacement.length < 1024) {
    items.splice(at, count, ...replacement);
    return;
  }
  const tail = items.slice(at + count);
  items.length = at;
  for (const r of replacement) items.push(r);
  for (const t of tail) items.push(t);
}
