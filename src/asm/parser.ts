/**
 * Statements from tokens: labels (`name:` and numeric `1:`), then an
 * instruction, a directive or an assignment (`sym = expr`). Operands are kept
 * as expression trees; numeric local label references are resolved to the
 * label instance they mean here, in source order, as gas does.
 */
import { AsmDiagnostic, Diagnostics, SourcePos, positionOf } from './diagnostics';
import { Expr, parseExpression } from './expr';
import { Token } from './lexer';
import { expandMacros, fileLines } from './macros';
import { registerNumber } from './registers';
import { ParseError, TokenStream } from './token-stream';

interface LabelDef {
  readonly name: string;
  /** As written: `loop` or `1`. */
  readonly display: string;
  readonly pos: SourcePos;
}

export type Operand =
  | { readonly kind: 'reg'; readonly reg: number; readonly text: string; readonly pos: SourcePos }
  | { readonly kind: 'expr'; readonly expr: Expr; readonly pos: SourcePos }
  /** `offset(base)`; `offset` is null for `(base)`. */
  | { readonly kind: 'mem'; readonly offset: Expr | null; readonly base: number; readonly baseText: string; readonly pos: SourcePos };

export interface InstructionStmt {
  readonly kind: 'instruction';
  readonly mnemonic: string;
  readonly operands: readonly Operand[];
  readonly pos: SourcePos;
}

/** A directive's comma-separated arguments, kept as tokens: each directive reads its own syntax. */
export interface ArgTokens {
  readonly tokens: readonly Token[];
  readonly pos: SourcePos;
  readonly end: SourcePos;
}

export interface DirectiveStmt {
  readonly kind: 'directive';
  /** Lower-case, with the dot. */
  readonly name: string;
  readonly args: readonly ArgTokens[];
  readonly pos: SourcePos;
}

interface AssignStmt {
  readonly kind: 'assign';
  readonly name: string;
  readonly expr: Expr;
  readonly pos: SourcePos;
}

export interface Statement {
  readonly labels: readonly LabelDef[];
  readonly body?: InstructionStmt | DirectiveStmt | AssignStmt;
  readonly pos: SourcePos;
}

interface ParsedSource {
  readonly statements: readonly Statement[];
  /** Every symbol reference, for the language server (references, go to definition). */
  readonly references: readonly { readonly name: string; readonly pos: SourcePos }[];
}

/** Internal names of numeric local labels start with `.L` and hold a character no symbol can. */
function localLabelName(n: number, instance: number): string {
  return `.L${n}^${instance}`;
}

/** Tracks `1:` definitions so `1b` means the latest and `1f` the next one. */
class LocalLabels {
  private readonly defined = new Map<number, number>();

  define(n: number): string {
    const k = (this.defined.get(n) ?? 0) + 1;
    this.defined.set(n, k);
    return localLabelName(n, k);
  }

  /** The token with the label instance it refers to at this point of the source. */
  resolve(t: Token): Token {
    if (t.kind !== 'localref') return t;
    const n = Number(t.text.slice(0, -1));
    const backward = t.text.endsWith('b');
    const k = this.defined.get(n) ?? 0;
    if (backward && k === 0) return { ...t, localError: `undefined local label ${t.text}: no '${n}:' before it` };
    return { ...t, localName: localLabelName(n, backward ? k : k + 1) };
  }
}

/**
 * Lexes, expands and parses in one stream: each statement line is parsed as soon as expansion
 * passes it on and handed to `each`, and its tokens are dropped unless a directive keeps them as
 * arguments, so a large file is never held as tokens all at once (docs/assembler.md, "Memory").
 * Statements keep plain positions (`positionOf`), not the tokens they came from. Symbol references
 * are collected only into `references`, when given (the language server's parseAssembly).
 * Returns false when expansion went past its bounds: nothing of the file may then be assembled,
 * and the caller drops the statements it was given (their parse errors are not reported).
 */
export function streamStatements(
  source: string, diags: Diagnostics, each: (s: Statement) => void, references?: { name: string; pos: SourcePos }[],
): boolean {
  const lexDiags = new Diagnostics(diags.file);
  // Parse errors wait until the expansion is known to be within its bounds: a runaway one is refused whole.
  const parseDiags = new Diagnostics(diags.file);
  const locals = new LocalLabels();
  let ended = false;
  const expansion = expandMacros(fileLines(source, lexDiags), diags, (line) => {
    if (ended) return; // gas reads no further than .end
    const stmt = parseStatement(line.tokens, line.eol, locals, parseDiags);
    if (!stmt) return;
    each(stmt);
    if (references) collectReferences(stmt, references);
    if (stmt.body?.kind === 'directive' && stmt.body.name === '.end') ended = true;
  });
  // Macro and .irp bodies are lexed again once their arguments are substituted; report them then.
  for (const d of lexDiags.list) if (!expansion.bodyLines.has(d.line)) diags.absorbOne(d);
  if (!expansion.overflowed) diags.absorb(parseDiags);
  return !expansion.overflowed;
}

/** The statements of a source, held in memory (for the language server and tests). */
function parseSource(source: string, diags: Diagnostics, withReferences = false): ParsedSource {
  const statements: Statement[] = [];
  const references: { name: string; pos: SourcePos }[] = [];
  const ok = streamStatements(source, diags, (s) => statements.push(s), withReferences ? references : undefined);
  return ok ? { statements, references } : { statements: [], references: [] };
}

function parseStatement(line: readonly Token[], eol: Token, locals: LocalLabels, diags: Diagnostics): Statement | undefined {
  const labels: LabelDef[] = [];
  let i = 0;
  while (i + 1 < line.length && isLabelToken(line[i]) && isPunct(line[i + 1], ':')) {
    const t = line[i];
    const name = t.kind === 'number' ? locals.define(Number(t.text)) : t.text;
    labels.push({ name, display: t.text, pos: positionOf(t) });
    i += 2;
  }
  const rest = line.slice(i).map((t) => locals.resolve(t));
  const pos = positionOf(line[0]);
  if (rest.length === 0) return { labels, pos };
  try {
    return { labels, body: parseBody(rest, eol), pos };
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    diags.error(e.pos, e.message);
    return { labels, pos };
  }
}

function isLabelToken(t: Token): boolean {
  return t.kind === 'ident' || (t.kind === 'number' && /^[0-9]+$/.test(t.text));
}

function isPunct(t: Token | undefined, text: string): boolean {
  return t !== undefined && t.kind === 'punct' && t.text === text;
}

function parseBody(rest: Token[], eol: Token): Statement['body'] {
  const head = rest[0];
  if (head.kind !== 'ident') throw new ParseError(head, `expected an instruction or directive, found '${head.text}'`);
  if (isPunct(rest[1], '=')) {
    const ts = new TokenStream(rest.slice(2), eol);
    const expr = parseExpression(ts);
    ts.expectEnd();
    return { kind: 'assign', name: head.text, expr, pos: positionOf(head) };
  }
  const args = splitArgs(rest.slice(1), eol);
  if (head.text.startsWith('.')) {
    return { kind: 'directive', name: head.text.toLowerCase(), args, pos: positionOf(head) };
  }
  const missing = args.find((a) => a.tokens.length === 0);
  if (missing) throw new ParseError(missing.pos, 'missing operand');
  const operands = args.map(parseOperand);
  return { kind: 'instruction', mnemonic: head.text.toLowerCase(), operands, pos: positionOf(head) };
}

/** Splits at commas outside parentheses; an empty argument (`.p2align 4,,8`) has no tokens. */
function splitArgs(tokens: Token[], eol: Token): ArgTokens[] {
  if (tokens.length === 0) return [];
  const out: ArgTokens[] = [];
  let depth = 0;
  let current: Token[] = [];
  const flush = (end: SourcePos): void => {
    out.push({ tokens: current, pos: current[0] ?? end, end });
    current = [];
  };
  for (const t of tokens) {
    if (t.kind === 'punct' && t.text === '(') depth++;
    if (t.kind === 'punct' && t.text === ')') depth--;
    if (t.kind === 'punct' && t.text === ',' && depth === 0) flush(t);
    else current.push(t);
  }
  flush(eol);
  return out;
}

function parseOperand(arg: ArgTokens): Operand {
  const t = withoutPlt(arg.tokens);
  const pos = positionOf(arg.pos);
  if (t.length === 1 && t[0].kind === 'ident') {
    const reg = registerNumber(t[0].text);
    if (reg !== undefined) return { kind: 'reg', reg, text: t[0].text, pos };
  }
  const n = t.length;
  if (n >= 3 && isPunct(t[n - 3], '(') && t[n - 2].kind === 'ident' && isPunct(t[n - 1], ')')) {
    const base = registerNumber(t[n - 2].text);
    if (base !== undefined) {
      const offset = n === 3 ? null : parseWhole(t.slice(0, n - 3), t[n - 3]);
      return { kind: 'mem', offset, base, baseText: t[n - 2].text, pos };
    }
  }
  return { kind: 'expr', expr: parseWhole(t, arg.end), pos };
}

/** `call foo@plt`: older gcc writes the PLT suffix; a static executable has no PLT, so it is dropped. */
function withoutPlt(tokens: readonly Token[]): readonly Token[] {
  const n = tokens.length;
  const plt = n >= 3 && isPunct(tokens[n - 2], '@') && tokens[n - 1].kind === 'ident' && tokens[n - 1].text === 'plt';
  return plt ? tokens.slice(0, n - 2) : tokens;
}

/** Parses tokens that must form exactly one expression. */
export function parseWhole(tokens: readonly Token[], end: SourcePos): Expr {
  const ts = new TokenStream(tokens, end);
  const expr = parseExpression(ts);
  if (!ts.atEnd) throw new ParseError(ts.pos, `bad expression: unexpected '${ts.peek()?.text}'`);
  return expr;
}

/** Directives whose arguments name no symbols, and those whose first argument defines one. */
const NO_SYMBOL_ARGS = new Set(['.section', '.pushsection', '.option', '.attribute', '.file', '.ident', '.end']);
const DEFINING_DIRECTIVES = new Set(['.equ', '.set', '.equiv']);

function directiveReferences(d: DirectiveStmt, out: { name: string; pos: SourcePos }[]): void {
  if (NO_SYMBOL_ARGS.has(d.name)) return;
  d.args.forEach((arg, i) => {
    if (i === 0 && DEFINING_DIRECTIVES.has(d.name)) return;
    arg.tokens.forEach((t, k) => {
      const prev = arg.tokens[k - 1];
      const tagged = prev?.kind === 'punct' && (prev.text === '@' || prev.text === '%');
      if (t.kind === 'ident' && t.text !== '.' && !tagged) out.push({ name: t.text, pos: positionOf(t) });
      if (t.kind === 'localref' && t.localName) out.push({ name: t.localName, pos: positionOf(t) });
    });
  });
}

function collectReferences(s: Statement, out: { name: string; pos: SourcePos }[]): void {
  const visit = (e: Expr | null): void => {
    if (!e) return;
    if (e.kind === 'sym') out.push({ name: e.name, pos: e.pos });
    else if (e.kind === 'unary' || e.kind === 'reloc') visit(e.arg);
    else if (e.kind === 'binary') {
      visit(e.left);
      visit(e.right);
    }
  };
  const body = s.body;
  if (!body) return;
  if (body.kind === 'assign') visit(body.expr);
  if (body.kind === 'directive') directiveReferences(body, out);
  if (body.kind === 'instruction') {
    for (const op of body.operands) visit(op.kind === 'expr' ? op.expr : op.kind === 'mem' ? op.offset : null);
  }
}

/** Statements, symbol references and syntax diagnostics of a source, for the language server. */
export function parseAssembly(source: string, file: string): ParsedSource & { diagnostics: AsmDiagnostic[] } {
  const diags = new Diagnostics(file);
  return { ...parseSource(source, diags, true), diagnostics: diags.list };
}
