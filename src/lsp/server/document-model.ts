/**
 * What the language server knows about one document without assembling it: tokens with their
 * offsets, statements, symbol definitions and references (numeric local labels resolved to the
 * instance they mean, as the assembler's parser does), sections and `.globl` names.
 *
 * It is built from the assembler's own lexer, so "what is a token, a comment, a statement" is the
 * assembler's answer. Unlike the parser it never gives up on a statement: a half-typed line still
 * yields its labels and references. Positions are UTF-16 offsets into the document; the server
 * converts them to LSP positions through the TextDocument.
 */
import { Diagnostics } from '../../asm/diagnostics';
import { instructionForms, pseudoForms, syntaxSlots } from '../../asm/isa';
import { Token, TokenKind, tokenize } from '../../asm/lexer';
import { csrByName } from '../../asm/csr-names';
import { registerNumber } from '../../asm/registers';

/** A half-open range of offsets `[start, end)`. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface Tok extends Span {
  readonly kind: Exclude<TokenKind, 'eol'>;
  readonly text: string;
  readonly value?: bigint;
  /** The lexer's token; for a `1b`/`1f` reference, with `localName` set to its definition's key. */
  readonly raw: Token;
}

type StatementKind = 'empty' | 'instruction' | 'directive' | 'assign' | 'invalid';

export interface Statement extends Span {
  readonly labels: readonly Tok[];
  /** The mnemonic, directive or assigned name. */
  readonly head?: Tok;
  readonly kind: StatementKind;
  /** Lower-case mnemonic or directive (with its dot), or the assigned name. */
  readonly name: string;
  /** Tokens after the head, split at commas outside parentheses. */
  readonly operands: readonly (readonly Tok[])[];
  /** The section this statement is in. */
  readonly section: string;
}

type DefinitionKind = 'label' | 'local-label' | 'equate';

export interface SymbolDefinition extends Span {
  /** `loop`, or `3^2` for the second `3:`. */
  readonly key: string;
  /** As written: `loop`, `3`. */
  readonly name: string;
  readonly kind: DefinitionKind;
  readonly statement: Statement;
  /** For an equate, its value expression. */
  readonly expr?: readonly Tok[];
}

export interface SymbolReference extends Span {
  readonly key: string;
  /** As written: `loop`, `1b`. */
  readonly text: string;
  /** A `1b` with no `1:` before it. */
  readonly unresolved?: boolean;
}

interface SectionSpan extends Span {
  readonly name: string;
  /** The directive that opened it; undefined for the implicit `.text` at the top. */
  readonly opener?: Tok;
}

export interface DocumentModel {
  readonly text: string;
  readonly tokens: readonly Tok[];
  readonly statements: readonly Statement[];
  readonly definitions: ReadonlyMap<string, readonly SymbolDefinition[]>;
  readonly references: readonly SymbolReference[];
  readonly sections: readonly SectionSpan[];
  /** Names made global by `.globl`/`.global`/`.weak`. */
  readonly globals: ReadonlySet<string>;
  /** `.type name, @function` / `@object`. */
  readonly types: ReadonlyMap<string, 'function' | 'object'>;
  /** Comments, for "no completion here". */
  readonly comments: readonly Span[];
}

const EQUATE_DIRECTIVES = new Set(['.equ', '.set', '.equiv']);
const BINDING_DIRECTIVES = new Set(['.globl', '.global', '.weak', '.local']);
const NAME_FIRST_DIRECTIVES = new Set(['.type', '.size']);
const SIMPLE_SECTIONS = new Set(['.text', '.data', '.bss', '.rodata']);
/** Directives whose arguments are expressions that may name symbols. */
const EXPRESSION_DIRECTIVES = new Set([
  '.byte', '.half', '.short', '.2byte', '.word', '.long', '.int', '.4byte', '.quad', '.dword', '.8byte',
  '.space', '.skip', '.zero', '.fill', '.align', '.p2align', '.balign',
]);

/** A directive that changes the current section (what makes a region of the document depend on the ones before it). */
export function isSectionDirective(name: string): boolean {
  return SIMPLE_SECTIONS.has(name) || name === '.section' || name === '.pushsection' || name === '.popsection' || name === '.previous';
}

function localLabelKey(n: string, instance: number): string {
  return `${Number(n)}^${instance}`;
}

export function isLocalKey(key: string): boolean {
  return key.includes('^');
}

/** Which operand of a mnemonic is a CSR (`csrrw rd, csr, rs1` → 1), or -1. */
export function csrOperandIndex(mnemonic: string): number {
  for (const form of [...instructionForms(mnemonic), ...pseudoForms(mnemonic)]) {
    const i = syntaxSlots(form.syntax).indexOf('csr');
    if (i >= 0) return i;
  }
  return -1;
}

export function buildModel(text: string): DocumentModel {
  return new ModelBuilder(text, 0).build();
}

/** Where a region of a document starts: its offset, the section in force and the numeric labels defined before it. */
export interface RegionStart {
  readonly offset: number;
  readonly section: string;
  readonly localCounts: ReadonlyMap<number, number>;
}

/**
 * The model of whole lines `text` that start at `at.offset` of a document, as a full build would
 * see them given the state in force there (incremental-model.ts). Its `sections` are the ones its
 * own section directives open; its `text` is the region's.
 */
export function buildRegion(text: string, at: RegionStart): DocumentModel {
  return new ModelBuilder(text, at.offset, at).build();
}

class ModelBuilder {
  private readonly lineStarts: number[] = [0];
  private readonly tokens: Tok[] = [];
  private readonly statements: Statement[] = [];
  private readonly definitions = new Map<string, SymbolDefinition[]>();
  private readonly references: SymbolReference[] = [];
  private readonly sections: SectionSpan[] = [];
  private readonly localCounts: Map<number, number>;
  private section: string;
  private previousSection: string;
  private readonly sectionStack: string[] = [];

  /** `base`: the offset of `text` in the document; `region`: set when `text` is a region of it (buildRegion). */
  constructor(private readonly text: string, private readonly base: number, private readonly region?: RegionStart) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    this.localCounts = new Map(region?.localCounts ?? []);
    this.section = this.previousSection = region?.section ?? '.text';
  }

  build(): DocumentModel {
    const raw = tokenize(this.text, new Diagnostics('lsp'));
    if (!this.region) this.sections.push({ name: '.text', start: 0, end: this.text.length });
    let line: Tok[] = [];
    for (const t of raw) {
      if (t.kind === 'eol') {
        if (line.length > 0) this.statement(line);
        line = [];
        continue;
      }
      const tok = this.toTok(t);
      this.tokens.push(tok);
      line.push(tok);
    }
    if (line.length > 0) this.statement(line);
    const { globals, types } = symbolBindings(this.statements);
    return {
      text: this.text, tokens: this.tokens, statements: this.statements, definitions: this.definitions,
      references: this.references, sections: this.sections, globals, types,
      comments: this.base === 0 ? commentSpans(this.text) : commentSpans(this.text).map((c) => ({ start: c.start + this.base, end: c.end + this.base })),
    };
  }

  private offsetOf(t: Token): number {
    const lineStart = this.lineStarts[Math.min(t.line, this.lineStarts.length) - 1] ?? 0;
    return this.base + Math.min(lineStart + t.column - 1, this.text.length);
  }

  private toTok(t: Token): Tok {
    const start = this.offsetOf(t);
    const kind = t.kind as Tok['kind'];
    let end: number;
    if (kind === 'string') end = this.base + stringEnd(this.text, start - this.base);
    else if (kind === 'reloc') end = start + 1 + t.text.length;
    else end = start + t.text.length;
    return { kind, text: t.text, value: t.value, start, end: Math.min(Math.max(end, start), this.base + this.text.length), raw: t };
  }

  private statement(line: Tok[]): void {
    const labels: Tok[] = [];
    let i = 0;
    while (i + 1 < line.length && isLabelTok(line[i]) && isPunct(line[i + 1], ':')) {
      labels.push(line[i]);
      i += 2;
    }
    const labelKeys = labels.map((l) => this.labelKey(l)); // before the rest: `1: j 1b` jumps to itself
    // A resolved `1b` replaces its token in `tokens` too: one object per token, which the
    // incremental model moves when an edit before it shifts the text.
    const first = this.tokens.length - line.length;
    const rest = line.slice(i).map((t, k) => t.kind === 'localref' ? (this.tokens[first + i + k] = this.resolveLocal(t)) : t);
    const head = rest[0];
    const stmtStart = line[0].start, stmtEnd = line[line.length - 1].end;
    const section = this.section;
    const base = { start: stmtStart, end: stmtEnd, labels, section };
    let stmt: Statement;
    if (!head) stmt = { ...base, kind: 'empty', name: '', operands: [] };
    else if (head.kind !== 'ident') stmt = { ...base, head, kind: 'invalid', name: '', operands: [rest.slice(1)] };
    else if (isPunct(rest[1], '=')) stmt = { ...base, head, kind: 'assign', name: head.text, operands: [rest.slice(2)] };
    else if (head.text.startsWith('.')) stmt = { ...base, head, kind: 'directive', name: head.text.toLowerCase(), operands: splitOperands(rest.slice(1)) };
    else stmt = { ...base, head, kind: 'instruction', name: head.text.toLowerCase(), operands: splitOperands(rest.slice(1)) };
    this.statements.push(stmt);
    labels.forEach((l, k) => this.define({
      key: labelKeys[k], name: l.kind === 'number' ? String(Number(l.text)) : l.text,
      kind: l.kind === 'number' ? 'local-label' : 'label', statement: stmt, start: l.start, end: l.end,
    }));
    this.collect(stmt);
  }

  private labelKey(l: Tok): string {
    if (l.kind !== 'number') return l.text;
    const n = Number(l.text);
    const k = (this.localCounts.get(n) ?? 0) + 1;
    this.localCounts.set(n, k);
    return localLabelKey(l.text, k);
  }

  /**
   * Labels are defined before the rest of their statement is read, so `1: j 1b` jumps to itself,
   * as in the parser (src/asm/parser.ts LocalLabels).
   */
  private resolveLocal(t: Tok): Tok {
    if (t.kind !== 'localref') return t;
    const n = Number(t.text.slice(0, -1));
    const k = this.localCounts.get(n) ?? 0;
    const instance = t.text.endsWith('b') ? k : k + 1;
    return { ...t, raw: { ...t.raw, localName: localLabelKey(String(n), instance) } };
  }

  private define(d: SymbolDefinition): void {
    const list = this.definitions.get(d.key);
    if (list) list.push(d);
    else this.definitions.set(d.key, [d]);
  }

  private collect(stmt: Statement): void {
    if (stmt.kind === 'assign' && stmt.head) {
      this.define({ key: stmt.name, name: stmt.name, kind: 'equate', statement: stmt, start: stmt.head.start, end: stmt.head.end, expr: stmt.operands[0] });
      this.referencesIn(stmt.operands[0]);
    } else if (stmt.kind === 'instruction') {
      const csrIndex = csrOperandIndex(stmt.name);
      stmt.operands.forEach((op, i) => this.referencesIn(op, (t) =>
        (i === csrIndex && csrByName(t.text) !== undefined) || (stmt.name === 'fence' && /^[iorw]+$/.test(t.text))));
    } else if (stmt.kind === 'directive') {
      this.directive(stmt);
    } else if (stmt.kind === 'invalid') {
      this.referencesIn(stmt.operands[0]);
    }
  }

  private directive(stmt: Statement): void {
    const ops = stmt.operands;
    const first = ops[0]?.length === 1 && ops[0][0].kind === 'ident' ? ops[0][0] : undefined;
    if (EQUATE_DIRECTIVES.has(stmt.name)) {
      if (first) this.define({ key: first.text, name: first.text, kind: 'equate', statement: stmt, start: first.start, end: first.end, expr: ops[1] ?? [] });
      for (const op of ops.slice(1)) this.referencesIn(op);
    } else if (BINDING_DIRECTIVES.has(stmt.name)) {
      for (const op of ops) {
        if (op.length !== 1 || op[0].kind !== 'ident') continue;
        this.reference(op[0]);
      }
    } else if (NAME_FIRST_DIRECTIVES.has(stmt.name)) {
      if (first) this.reference(first);
      if (stmt.name === '.size') for (const op of ops.slice(1)) this.referencesIn(op);
    } else if (EXPRESSION_DIRECTIVES.has(stmt.name)) {
      for (const op of ops) this.referencesIn(op);
    } else {
      this.sectionDirective(stmt);
    }
  }

  private sectionDirective(stmt: Statement): void {
    const before = this.section;
    if (SIMPLE_SECTIONS.has(stmt.name)) this.section = stmt.name;
    else if (stmt.name === '.section' || stmt.name === '.pushsection') {
      const nameTok = stmt.operands[0]?.[0];
      if (!nameTok) return;
      if (stmt.name === '.pushsection') this.sectionStack.push(before);
      this.section = nameTok.kind === 'string' ? String.fromCharCode(...(nameTok.raw.bytes ?? [])) : nameTok.text;
    } else if (stmt.name === '.popsection') {
      this.section = this.sectionStack.pop() ?? this.section;
    } else if (stmt.name === '.previous') {
      this.section = this.previousSection;
    } else {
      return;
    }
    this.previousSection = before;
    const last = this.sections[this.sections.length - 1];
    if (last) this.sections[this.sections.length - 1] = { ...last, end: stmt.start };
    this.sections.push({ name: this.section, start: stmt.start, end: this.base + this.text.length, opener: stmt.head });
  }

  /** Identifiers and `1b`/`1f` in an expression; `skip` excludes register-like words (CSR names). */
  private referencesIn(tokens: readonly Tok[] | undefined, skip: (t: Tok) => boolean = () => false): void {
    if (!tokens) return;
    tokens.forEach((t, i) => {
      const prev = tokens[i - 1];
      if (prev && prev.kind === 'punct' && (prev.text === '@' || (prev.text === '%'))) return; // @function, %progbits
      if (t.kind === 'localref') this.reference(t);
      else if (t.kind === 'ident' && t.text !== '.' && registerNumber(t.text) === undefined && !skip(t)) this.reference(t);
    });
  }

  private reference(t: Tok): void {
    if (t.kind === 'localref') {
      const key = t.raw.localName ?? '';
      this.references.push({ key, text: t.text, start: t.start, end: t.end, unresolved: key.endsWith('^0') });
    } else {
      this.references.push({ key: t.text, text: t.text, start: t.start, end: t.end });
    }
  }
}

/** What `.globl`/`.global`/`.weak` and `.type` say about names, in source order (the last `.type` wins). */
export function symbolBindings(statements: readonly Statement[]): Pick<DocumentModel, 'globals' | 'types'> {
  const globals = new Set<string>();
  const types = new Map<string, 'function' | 'object'>();
  for (const stmt of statements) {
    if (stmt.kind !== 'directive') continue;
    if (BINDING_DIRECTIVES.has(stmt.name) && stmt.name !== '.local') {
      for (const op of stmt.operands) if (op.length === 1 && op[0].kind === 'ident') globals.add(op[0].text);
    } else if (stmt.name === '.type') {
      const first = stmt.operands[0]?.length === 1 && stmt.operands[0][0].kind === 'ident' ? stmt.operands[0][0] : undefined;
      const word = (stmt.operands[1] ?? []).find((t) => t.kind === 'ident' || t.kind === 'string');
      const text = word?.kind === 'string' ? String.fromCharCode(...(word.raw.bytes ?? [])) : word?.text;
      if (!first) continue;
      if (text === 'function' || text === 'STT_FUNC') types.set(first.text, 'function');
      else if (text === 'object' || text === 'STT_OBJECT') types.set(first.text, 'object');
    }
  }
  return { globals, types };
}

function isLabelTok(t: Tok): boolean {
  return t.kind === 'ident' || (t.kind === 'number' && /^[0-9]+$/.test(t.text));
}

export function isPunct(t: Tok | undefined, text: string): boolean {
  return t !== undefined && t.kind === 'punct' && t.text === text;
}

function splitOperands(tokens: readonly Tok[]): Tok[][] {
  if (tokens.length === 0) return [];
  const out: Tok[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (isPunct(t, '(')) depth++;
    if (isPunct(t, ')')) depth--;
    if (isPunct(t, ',') && depth === 0) out.push([]);
    else out[out.length - 1].push(t);
  }
  return out;
}

/** Where a string literal starting at `start` ends (after its closing quote, or at the end of the line). */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && text[i] !== '\n') {
    if (text[i] === '\\') {
      i += text[i + 1] === '\n' || i + 1 >= text.length ? 1 : 2;
      continue;
    }
    if (text[i] === '"') return i + 1;
    i++;
  }
  return i;
}

/** Comments as the lexer skips them: `#` to the end of the line, and block comments. */
export function commentSpans(text: string): Span[] {
  const out: Span[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i = stringEnd(text, i);
    } else if (c === "'") {
      i = charEnd(text, i);
    } else if (c === '#') {
      const end = text.indexOf('\n', i);
      out.push({ start: i, end: end < 0 ? text.length : end });
      i = end < 0 ? text.length : end;
    } else if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      const end = close < 0 ? text.length : close + 2;
      out.push({ start: i, end });
      i = end;
    } else {
      i++;
    }
  }
  return out;
}

/** A character literal `'a`, `'a'` or `'\n'` as the lexer reads it. */
function charEnd(text: string, start: number): number {
  let i = start + 1;
  if (i >= text.length || text[i] === '\n') return i;
  if (text[i] === '\\') {
    i++;
    if (/[0-7]/.test(text[i] ?? '')) while (i < start + 5 && /[0-7]/.test(text[i] ?? '')) i++;
    else if (text[i] === 'x' || text[i] === 'X') {
      i++;
      while (/[0-9A-Fa-f]/.test(text[i] ?? '')) i++;
    } else if (text[i] !== '\n' && i < text.length) i += (text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
  } else {
    i += (text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
  }
  return text[i] === "'" ? i + 1 : i;
}

/** The last token that ends at or before `offset`. */
export function tokenBefore(model: DocumentModel, offset: number): Tok | undefined {
  const toks = model.tokens;
  let lo = 0, hi = toks.length - 1, found: Tok | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (toks[mid].end <= offset) {
      found = toks[mid];
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/** The token whose span contains `offset` (or ends exactly at it, for a cursor after a word). */
export function tokenAt(model: DocumentModel, offset: number): Tok | undefined {
  const toks = model.tokens;
  let lo = 0, hi = toks.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (toks[mid].end <= offset) lo = mid + 1;
    else hi = mid - 1;
  }
  const inside = toks[lo];
  if (inside && inside.start <= offset && offset < inside.end) return inside;
  const before = toks[lo - 1];
  return before && before.end === offset && before.kind !== 'punct' ? before : undefined;
}

/** The last of `spans` (sorted, disjoint) that starts at or before `offset`. */
function lastStartingBy<T extends Span>(spans: readonly T[], offset: number): T | undefined {
  let lo = 0, hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (spans[mid].start <= offset) lo = mid + 1;
    else hi = mid;
  }
  return spans[lo - 1];
}

export function statementAt(model: DocumentModel, offset: number): Statement | undefined {
  const s = lastStartingBy(model.statements, offset);
  return s && offset <= s.end ? s : undefined;
}

/** Inside a comment, or just after a `#` comment (at the end of its line). */
export function inComment(model: DocumentModel, offset: number): boolean {
  const c = lastStartingBy(model.comments, offset);
  return c !== undefined && (offset < c.end || (offset === c.end && model.text[c.start] === '#'));
}
