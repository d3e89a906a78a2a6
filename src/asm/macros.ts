/**
 * gas's macro layer, run on statement lines before they are parsed:
 * `.macro`/`.endm` (parameters with defaults, `:req`, `:vararg`, keyword
 * arguments, `\@`, `\()`), `.rept`, `.irp`, `.irpc`/`.endr`, `.exitm`,
 * `.purgem`, and conditional assembly (`.if`, `.ifdef`, `.ifc`, `.ifb`,
 * `.ifeq` … `.else`, `.elseif`, `.endif`). As in gas, substitution is textual
 * and the result is lexed again; conditions and repeat counts see the
 * equates defined before them. Lines produced by a macro take the position
 * of the macro's invocation, so diagnostics and the line map point there.
 */
import { Diagnostics, SourcePos } from './diagnostics';
import { EvalContext, EvalError, evaluate, isUnknown, parseExpression } from './expr';
import { StatementLexer, Token, tokenize } from './lexer';
import { ParseError, TokenStream } from './token-stream';

/** One statement: its tokens (without the end), the end token, and its raw text. */
interface SourceLine {
  readonly tokens: readonly Token[];
  readonly eol: Token;
  readonly text: string;
}

interface Param {
  readonly name: string;
  readonly fallback: string;
  readonly required: boolean;
  readonly vararg: boolean;
}

interface MacroDef {
  readonly name: string;
  readonly params: readonly Param[];
  readonly body: readonly SourceLine[];
}

interface Condition {
  readonly parentActive: boolean;
  active: boolean;
  done: boolean;
}

const MAX_DEPTH = 64;
/**
 * Lines macro and repeat expansion may produce in one file: far above real programs (a 256 MiB
 * image is 64 M instructions, but no hand-written source repeats that much), and low enough that
 * assembling them stays within about a gigabyte. Checked as lines are produced, not after.
 */
export const MAX_EXPANDED_LINES = 1_000_000;
/** Steps of expansion work (lines looked at, repetitions begun), emitted or not. */
const MAX_WORK = 3 * MAX_EXPANDED_LINES;
const REPEATS = ['.rept', '.irp', '.irpc'];
const CONDITIONS = new Set(['.if', '.ifdef', '.ifndef', '.ifnotdef', '.ifc', '.ifnc', '.ifb', '.ifnb',
  '.ifeq', '.ifne', '.ifgt', '.ifge', '.iflt', '.ifle']);
const EQUATES = new Set(['.equ', '.set', '.equiv', '.eqv']);

/** Splits tokens into statements; `text` is the slice of `source` each covers. */
function splitLines(tokens: readonly Token[], source: string): SourceLine[] {
  const out: SourceLine[] = [];
  let start = 0;
  tokens.forEach((t, i) => {
    if (t.kind !== 'eol') return;
    const line = tokens.slice(start, i);
    start = i + 1;
    if (line.length > 0) out.push(sourceLine(line, t, source));
  });
  return out;
}

function sourceLine(tokens: readonly Token[], eol: Token, source: string): SourceLine {
  return { tokens, eol, text: source.slice(tokens[0].start, tokens[tokens.length - 1].end) };
}

/** Statement lines in order, taken one at a time: the file as it is lexed, or a body held in memory. */
interface LineCursor {
  next(): SourceLine | undefined;
}

class ArrayCursor implements LineCursor {
  private i = 0;
  constructor(private readonly lines: readonly SourceLine[]) {}
  next(): SourceLine | undefined {
    return this.lines[this.i++];
  }
}

/** The lines of a whole file, lexed as they are asked for: only macro and repeat bodies are kept. */
export function fileLines(source: string, lexDiags: Diagnostics): LineCursor {
  const lexer = new StatementLexer(source, lexDiags);
  return {
    next: () => {
      for (let t = lexer.next(); t; t = lexer.next()) {
        if (t.length > 1) return sourceLine(t.slice(0, -1), t[t.length - 1], source);
      }
      return undefined;
    },
  };
}

interface Expansion {
  /** True when expansion went past its bounds: the lines passed on so far must be dropped too. */
  readonly overflowed: boolean;
  /** Source lines of macro and .irp bodies: they are lexed again when expanded. */
  readonly bodyLines: ReadonlySet<number>;
}

/** Thrown through every level of expansion when it grows past its bounds: the whole file stops. */
class ExpansionOverflow extends Error {
  constructor(readonly pos: SourcePos, message: string) { super(message); }
}

/**
 * Expands the lines of a file, passing each resulting statement line to `emit` as soon as it is
 * known (the caller parses it at once, so the file's tokens are never all held together).
 */
export function expandMacros(lines: LineCursor | readonly SourceLine[], diags: Diagnostics, emit: (line: SourceLine) => void): Expansion {
  const cursor = Array.isArray(lines) ? new ArrayCursor(lines) : lines as LineCursor;
  const expander = new Expander(diags, emit);
  try {
    expander.run(cursor, 0);
  } catch (e) {
    if (!(e instanceof ExpansionOverflow)) throw e;
    diags.error(e.pos, e.message);
    // Nothing of a runaway expansion is assembled: parsing and laying out millions of lines only
    // to refuse the file would cost what the bound is there to avoid. The rest of the file is
    // still lexed, for its diagnostics.
    while (cursor.next());
    return { overflowed: true, bodyLines: expander.bodyLines };
  }
  return { overflowed: false, bodyLines: expander.bodyLines };
}

/** The labels at the start of a line and the word after them. */
function headOf(line: SourceLine): { labels: readonly Token[]; head?: Token; name: string } {
  let i = 0;
  const t = line.tokens;
  while (i + 1 < t.length && (t[i].kind === 'ident' || t[i].kind === 'number') && t[i + 1].kind === 'punct' && t[i + 1].text === ':') i += 2;
  const head = t[i];
  return { labels: t.slice(0, i), head, name: head?.kind === 'ident' ? head.text.toLowerCase() : '' };
}

/** The raw text after a token of the line. */
function textAfter(line: SourceLine, token: Token): string {
  return line.text.slice(token.end - line.tokens[0].start);
}

/** The lines of a block up to its closer (consumed, not included), or to the end without one. */
function takeBlock(cursor: LineCursor, openers: readonly string[], closer: string): { body: SourceLine[]; end?: SourceLine } {
  const body: SourceLine[] = [];
  let depth = 0;
  for (let line = cursor.next(); line; line = cursor.next()) {
    const { name } = headOf(line);
    if (openers.includes(name)) depth++;
    else if (name === closer) {
      if (depth === 0) return { body, end: line };
      depth--;
    }
    body.push(line);
  }
  return { body };
}

class Expander {
  readonly bodyLines = new Set<number>();
  private readonly macros = new Map<string, MacroDef>();
  private readonly constants = new Map<string, bigint>();
  private readonly defined = new Set<string>();
  private expansions = 0;
  /**
   * Lines produced by the top-level construct being expanded: passed on only once it is done, so a
   * runaway expansion is refused before any of its lines is parsed and laid out (as it was when the
   * whole file was expanded first). Bounded by MAX_EXPANDED_LINES.
   */
  private pending: SourceLine[] = [];
  /** Lines emitted so far (bounded by MAX_EXPANDED_LINES). */
  private emitted = 0;
  /** Lines looked at, emitted or not, and repetitions begun (bounded by MAX_WORK). */
  private work = 0;

  constructor(private readonly diags: Diagnostics, private readonly sink: (line: SourceLine) => void) {}

  /** Processes lines; returns 'exit' when a macro body hits `.exitm`. */
  run(lines: LineCursor, depth: number): 'exit' | undefined {
    const conditions: Condition[] = [];
    let last: SourceLine | undefined;
    for (let line = lines.next(); line; line = lines.next()) {
      last = line;
      if (depth > 0) this.charge(line.tokens[0] ?? line.eol, 1);
      else this.flush();
      const { labels, head, name } = headOf(line);
      try {
        if (this.conditional(name, line, head, conditions)) continue;
        if (conditions.length > 0 && !conditions[conditions.length - 1].active) continue;
        if (name === '.exitm') {
          if (depth > 0) return 'exit';
          throw new ParseError(line.tokens[0], '.exitm outside a macro');
        }
        if (name === '.macro') {
          last = this.define(lines, line);
          continue;
        }
        if (REPEATS.includes(name)) {
          if (labels.length > 0) this.emit(labelLine(line, labels), depth);
          last = this.repeat(lines, line, name, depth);
          continue;
        }
        if (name === '.endm' || name === '.endr') throw new ParseError(head!, `${name} without a matching ${name === '.endm' ? '.macro' : '.rept/.irp'}`);
        if (name === '.purgem') {
          this.macros.delete(textAfter(line, head!).trim().toLowerCase());
          continue;
        }
        const macro = head && !name.startsWith('.') ? this.macros.get(name) : undefined;
        if (macro) {
          if (labels.length > 0) this.emit(labelLine(line, labels), depth);
          this.invoke(macro, line, head!, depth);
          continue;
        }
        this.emit(line, depth);
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
        this.diags.error(e.pos, e.message);
      }
    }
    if (conditions.length > 0 && last) this.diags.error(last.eol, 'missing .endif');
    if (depth === 0) this.flush();
    return undefined;
  }

  /** Passes a line on, remembering the labels and equates it defines for later conditions. */
  private emit(line: SourceLine, depth: number): void {
    // Lines of the file itself are bounded by its size; only what expansion produces counts.
    if (depth > 0 && ++this.emitted > MAX_EXPANDED_LINES) {
      throw new ExpansionOverflow(line.tokens[0] ?? line.eol, `macro and repeat expansion produced more than ${MAX_EXPANDED_LINES} lines; nothing is assembled`);
    }
    const { labels, head, name } = headOf(line);
    for (let k = 0; k < labels.length; k += 2) this.defined.add(labels[k].text);
    const t = line.tokens;
    const assigned = head && t[labels.length + 1]?.kind === 'punct' && t[labels.length + 1].text === '=' ? head.text : undefined;
    const equated = EQUATES.has(name) && t[labels.length + 1]?.kind === 'ident' ? t[labels.length + 1].text : undefined;
    const symbol = assigned ?? equated;
    if (symbol !== undefined) {
      this.defined.add(symbol);
      const valueStart = t.findIndex((x, k) => k > labels.length && x.kind === 'punct' && (x.text === '=' || x.text === ','));
      const value = valueStart < 0 ? undefined : this.tryConstant(t.slice(valueStart + 1), line.eol);
      if (value === undefined) this.constants.delete(symbol);
      else this.constants.set(symbol, value);
    }
    if (depth > 0) {
      this.pending.push(line);
    } else {
      this.flush();
      this.sink(line);
    }
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const lines = this.pending;
    this.pending = [];
    for (const line of lines) this.sink(line);
  }

  /** Counts one step of expansion work; a nest of repeats whose lines are skipped still ends. */
  private charge(at: SourcePos, steps: number): void {
    this.work += steps;
    if (this.work > MAX_WORK) throw new ExpansionOverflow(at, `macro and repeat expansion went over ${MAX_WORK} steps (nested .rept/.irp or recursive macros); nothing is assembled`);
  }

  // ---- conditional assembly ------------------------------------------------

  /** Handles the .if family, .else, .elseif and .endif; returns false for any other line. */
  private conditional(name: string, line: SourceLine, head: Token | undefined, stack: Condition[]): boolean {
    const top = stack[stack.length - 1];
    const active = top ? top.active : true;
    if (CONDITIONS.has(name)) {
      const taken = active && this.test(name, line, head!);
      stack.push({ parentActive: active, active: taken, done: taken });
      return true;
    }
    if (name === '.elseif' || name === '.else' || name === '.endif') {
      if (!top) throw new ParseError(head!, `${name} without .if`);
      if (name === '.endif') stack.pop();
      else if (name === '.else') {
        top.active = top.parentActive && !top.done;
        top.done = true;
      } else {
        top.active = top.parentActive && !top.done && this.test('.if', line, head!);
        top.done ||= top.active;
      }
      return true;
    }
    return false;
  }

  private test(name: string, line: SourceLine, head: Token): boolean {
    const rest = line.tokens.slice(line.tokens.indexOf(head) + 1);
    const args = splitArguments(textAfter(line, head));
    switch (name) {
      case '.ifdef': return this.isDefined(rest);
      case '.ifndef':
      case '.ifnotdef': return !this.isDefined(rest);
      case '.ifc': return (args[0]?.value ?? '') === (args[1]?.value ?? '');
      case '.ifnc': return (args[0]?.value ?? '') !== (args[1]?.value ?? '');
      case '.ifb': return textAfter(line, head).trim() === '';
      case '.ifnb': return textAfter(line, head).trim() !== '';
      default: return compareWithZero(name, this.constant(rest, line.eol, `${name} condition`));
    }
  }

  private isDefined(rest: readonly Token[]): boolean {
    return rest.length === 1 && (this.defined.has(rest[0].text) || this.constants.has(rest[0].text));
  }

  private context(): EvalContext {
    return {
      final: false,
      dot: () => ({ value: 0n, section: '.' }),
      lookup: (name) => {
        const v = this.constants.get(name);
        return v === undefined ? undefined : { value: v, section: null };
      },
    };
  }

  /** A constant from equates defined so far; errors say why not. */
  private constant(tokens: readonly Token[], end: SourcePos, what: string): bigint {
    const ts = new TokenStream(tokens, end);
    const expr = parseExpression(ts);
    ts.expectEnd();
    try {
      const v = evaluate(expr, this.context());
      if (isUnknown(v) || v.section !== null) throw new ParseError(expr.pos, `${what} must be a constant`);
      return v.value;
    } catch (e) {
      if (e instanceof EvalError) throw new ParseError(e.pos, `${what} must be a constant: ${e.message}`);
      throw e;
    }
  }

  private tryConstant(tokens: readonly Token[], end: SourcePos): bigint | undefined {
    try {
      return this.constant(tokens, end, '');
    } catch (e) {
      if (e instanceof ParseError || e instanceof EvalError) return undefined;
      throw e;
    }
  }

  // ---- definitions and expansion --------------------------------------------

  /**
   * Records `.macro name params` … `.endm` (without .endm the rest of the file is the body);
   * returns the last line it took.
   */
  private define(lines: LineCursor, line: SourceLine): SourceLine {
    const { head } = headOf(line);
    const { body, end } = takeBlock(lines, ['.macro'], '.endm');
    this.markBody([line, ...body, ...(end ? [end] : [])]);
    try {
      const [nameArg, ...paramArgs] = splitArguments(textAfter(line, head!));
      if (!nameArg) throw new ParseError(head!, '.macro needs a name');
      if (!end) throw new ParseError(head!, `missing .endm for .macro ${nameArg.value}`);
      const params = paramArgs.map((a) => parseParam(a.name !== undefined ? `${a.name}=${a.value}` : a.value, head!));
      this.macros.set(nameArg.value.toLowerCase(), { name: nameArg.value, params, body });
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      this.diags.error(e.pos, e.message);
    }
    return end ?? body[body.length - 1] ?? line;
  }

  private markBody(lines: readonly SourceLine[]): void {
    for (const line of lines) for (let l = line.tokens[0].line; l <= line.eol.line; l++) this.bodyLines.add(l);
  }

  /** `.rept n`, `.irp sym, values`, `.irpc sym, chars` … `.endr`; returns the last line it took. */
  private repeat(lines: LineCursor, line: SourceLine, name: string, depth: number): SourceLine {
    const { head } = headOf(line);
    const { body, end } = takeBlock(lines, REPEATS, '.endr');
    if (!end) {
      this.diags.error(head!, `missing .endr for ${name}`);
      return body[body.length - 1] ?? line;
    }
    if (name !== '.rept') this.markBody(body);
    try {
      this.expandRepeat(line, head!, name, body, depth);
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      this.diags.error(e.pos, e.message);
    }
    return end;
  }

  private expandRepeat(line: SourceLine, head: Token, name: string, body: readonly SourceLine[], depth: number): void {
    if (depth >= MAX_DEPTH) throw new ExpansionOverflow(head, `${name} nested more than ${MAX_DEPTH} deep`);
    if (name === '.rept') {
      const rest = line.tokens.slice(line.tokens.indexOf(head) + 1);
      const count = this.constant(rest, line.eol, '.rept count');
      if (count * BigInt(body.length) + BigInt(this.emitted) > BigInt(MAX_EXPANDED_LINES)) {
        throw new ExpansionOverflow(head, `.rept ${count} of ${body.length} line${body.length === 1 ? '' : 's'} would expand to more than ${MAX_EXPANDED_LINES} lines; nothing is assembled`);
      }
      for (let k = 0n; k < count; k++) {
        this.charge(head, 1);
        this.run(new ArrayCursor(body), depth + 1);
      }
      return;
    }
    const [symbol, ...values] = splitArguments(textAfter(line, head));
    if (!symbol) throw new ParseError(head, `${name} needs a symbol`);
    const items = name === '.irp' ? values.map((v) => v.value) : [...(values[0]?.value ?? '')];
    for (const item of items.length > 0 ? items : ['']) {
      this.charge(head, 1 + body.length);   // substituting and lexing the body again costs its lines
      const bindings = new Map([[symbol.value, item]]);
      this.run(new ArrayCursor(body.flatMap((l) => relex(l, substitute(l.text, bindings), this.diags, l.tokens[0]))), depth + 1);
    }
  }

  private invoke(macro: MacroDef, line: SourceLine, head: Token, depth: number): void {
    // Unbounded recursion: stop the whole expansion at once rather than once per leaf of the call tree.
    if (depth >= MAX_DEPTH) throw new ExpansionOverflow(head, `macro ${macro.name} expanded more than ${MAX_DEPTH} deep`);
    const bindings = bindArguments(macro, splitArguments(textAfter(line, head)), head);
    this.charge(head, 1 + macro.body.length);
    const counter = String(this.expansions++);
    const lines = macro.body.flatMap((l) => relex(l, substitute(l.text, bindings, counter), this.diags, head, true));
    this.run(new ArrayCursor(lines), depth + 1);
  }
}

function labelLine(line: SourceLine, labels: readonly Token[]): SourceLine {
  const last = labels[labels.length - 1];
  return { tokens: labels, eol: line.eol, text: line.text.slice(0, last.end - line.tokens[0].start) };
}

/**
 * Lexes substituted text again. Inside a macro every token takes the
 * invocation's position (`pinned`); in .irp bodies tokens keep their line.
 */
function relex(line: SourceLine, text: string, diags: Diagnostics, at: SourcePos, pinned = false): SourceLine[] {
  const tokens = tokenize(text, diags, { line: at.line, column: at.column });
  const placed = pinned ? tokens.map((t) => ({ ...t, line: at.line, column: at.column })) : tokens;
  const lines = splitLines(placed, text);
  return lines.map((l) => ({ ...l, eol: pinned ? l.eol : { ...l.eol, line: line.eol.line, column: line.eol.column } }));
}

function compareWithZero(name: string, v: bigint): boolean {
  switch (name) {
    case '.ifeq': return v === 0n;
    case '.ifgt': return v > 0n;
    case '.ifge': return v >= 0n;
    case '.iflt': return v < 0n;
    case '.ifle': return v <= 0n;
    default: return v !== 0n; // .if, .ifne
  }
}

function parseParam(text: string, at: SourcePos): Param {
  const m = /^([A-Za-z_.$][\w.$]*)(?::(req|vararg))?(?:=(.*))?$/.exec(text.trim());
  if (!m) throw new ParseError(at, `bad macro parameter '${text}'`);
  return { name: m[1], required: m[2] === 'req', vararg: m[2] === 'vararg', fallback: m[3] ?? '' };
}

interface Argument {
  readonly name?: string;
  readonly value: string;
}

/**
 * Macro arguments as gas reads them: separated by commas or blanks, a quoted
 * argument loses its quotes, `name=value` binds by name, parentheses group.
 */
function splitArguments(text: string): Argument[] {
  const out: Argument[] = [];
  let i = 0;
  const skipBlanks = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  };
  skipBlanks();
  while (i < text.length) {
    if (text[i] === ',') {
      out.push({ value: '' });
      i++;
      skipBlanks();
      continue;
    }
    const start = i;
    let depth = 0;
    while (i < text.length) {
      const c = text[i];
      if (c === '"') i = closingQuote(text, i);
      else if (c === '(') depth++;
      else if (c === ')') depth--;
      else if (depth <= 0 && (c === ',' || c === ' ' || c === '\t')) break;
      i++;
    }
    out.push(argument(text.slice(start, i)));
    skipBlanks();
    if (text[i] === ',') {
      i++;
      skipBlanks();
    }
  }
  return out;
}

function closingQuote(text: string, open: number): number {
  let i = open + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i;
}

function unquote(s: string): string {
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s;
}

function argument(raw: string): Argument {
  const m = /^([A-Za-z_.$][\w.$]*)=(.*)$/s.exec(raw);
  return m ? { name: m[1], value: unquote(m[2]) } : { value: unquote(raw) };
}

function bindArguments(macro: MacroDef, args: readonly Argument[], at: SourcePos): Map<string, string> {
  const bound = new Map<string, string>();
  let next = 0;
  for (let k = 0; k < args.length; k++) {
    const a = args[k];
    const byName = a.name !== undefined ? macro.params.find((p) => p.name === a.name) : undefined;
    if (byName) {
      bound.set(byName.name, a.value);
      continue;
    }
    while (next < macro.params.length && bound.has(macro.params[next].name)) next++;
    const p = macro.params[next];
    if (!p) throw new ParseError(at, `too many arguments for macro ${macro.name} (it takes ${macro.params.length})`);
    const value = a.name !== undefined ? `${a.name}=${a.value}` : a.value;
    bound.set(p.name, p.vararg ? [value, ...args.slice(k + 1).map((x) => x.value)].join(', ') : value);
    if (p.vararg) break;
  }
  for (const p of macro.params) {
    const v = bound.get(p.name);
    if ((v === undefined || v === '') && p.required) {
      throw new ParseError(at, `missing value for required parameter '${p.name}' of macro ${macro.name}`);
    }
    if (v === undefined || v === '') bound.set(p.name, p.fallback);
  }
  return bound;
}

/** Replaces `\name` by its value, `\@` by the expansion counter and drops `\()`. */
function substitute(text: string, bindings: ReadonlyMap<string, string>, counter?: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    if (text.startsWith('()', i + 1)) {
      i += 2;
      continue;
    }
    if (text[i + 1] === '@' && counter !== undefined) {
      out += counter;
      i += 1;
      continue;
    }
    // gas reads the whole identifier after the backslash and substitutes it only if it names a parameter.
    const name = /^[A-Za-z_.$][\w.$]*/.exec(text.slice(i + 1))?.[0];
    const value = name !== undefined ? bindings.get(name) : undefined;
    if (name !== undefined && value !== undefined) {
      out += value;
      i += name.length;
    } else {
      out += c;
    }
  }
  return out;
}
