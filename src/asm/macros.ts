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
import { Token, tokenize } from './lexer';
import { ParseError, TokenStream } from './token-stream';

/** One statement: its tokens (without the end), the end token, and its raw text. */
export interface SourceLine {
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
export function splitLines(tokens: readonly Token[], source: string): SourceLine[] {
  const out: SourceLine[] = [];
  let start = 0;
  tokens.forEach((t, i) => {
    if (t.kind !== 'eol') return;
    const line = tokens.slice(start, i);
    start = i + 1;
    if (line.length > 0) out.push({ tokens: line, eol: t, text: source.slice(line[0].start, line[line.length - 1].end) });
  });
  return out;
}

export interface Expansion {
  readonly lines: readonly SourceLine[];
  /** Source lines of macro and .irp bodies: they are lexed again when expanded. */
  readonly bodyLines: ReadonlySet<number>;
}

/** Thrown through every level of expansion when it grows past its bounds: the whole file stops. */
class ExpansionOverflow extends Error {
  constructor(readonly pos: SourcePos, message: string) { super(message); }
}

export function expandMacros(lines: readonly SourceLine[], diags: Diagnostics): Expansion {
  const expander = new Expander(diags);
  try {
    expander.run(lines, 0);
  } catch (e) {
    if (!(e instanceof ExpansionOverflow)) throw e;
    diags.error(e.pos, e.message);
    // Nothing of a runaway expansion is assembled: parsing and laying out millions of lines only
    // to refuse the file would cost what the bound is there to avoid.
    return { lines: [], bodyLines: expander.bodyLines };
  }
  return { lines: expander.out, bodyLines: expander.bodyLines };
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

class Expander {
  readonly out: SourceLine[] = [];
  readonly bodyLines = new Set<number>();
  private readonly macros = new Map<string, MacroDef>();
  private readonly constants = new Map<string, bigint>();
  private readonly defined = new Set<string>();
  private expansions = 0;
  /** Lines emitted so far (bounded by MAX_EXPANDED_LINES). */
  private emitted = 0;
  /** Lines looked at, emitted or not, and repetitions begun (bounded by MAX_WORK). */
  private work = 0;

  constructor(private readonly diags: Diagnostics) {}

  /** Processes lines; returns 'exit' when a macro body hits `.exitm`. */
  run(lines: readonly SourceLine[], depth: number): 'exit' | undefined {
    const conditions: Condition[] = [];
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      if (depth > 0) this.charge(line.tokens[0] ?? line.eol, 1);
      const { labels, head, name } = headOf(line);
      try {
        if (this.conditional(name, line, head, conditions)) continue;
        if (conditions.length > 0 && !conditions[conditions.length - 1].active) continue;
        if (name === '.exitm') {
          if (depth > 0) return 'exit';
          throw new ParseError(line.tokens[0], '.exitm outside a macro');
        }
        if (name === '.macro') {
          i = this.define(lines, i);
          continue;
        }
        if (REPEATS.includes(name)) {
          if (labels.length > 0) this.emit(labelLine(line, labels), depth);
          i = this.repeat(lines, i, name, depth);
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
    if (conditions.length > 0) this.diags.error(lines[lines.length - 1].eol, 'missing .endif');
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
    this.out.push(line);
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

  /** Records `.macro name params` … `.endm`; returns the index of the `.endm`. */
  private define(lines: readonly SourceLine[], i: number): number {
    const line = lines[i];
    const { head } = headOf(line);
    const found = findEnd(lines, i, ['.macro'], '.endm');
    const end = found < 0 ? lines.length - 1 : found; // without .endm the rest of the file is the body
    this.markBody(lines, i, end);
    try {
      const [nameArg, ...paramArgs] = splitArguments(textAfter(line, head!));
      if (!nameArg) throw new ParseError(head!, '.macro needs a name');
      if (found < 0) throw new ParseError(head!, `missing .endm for .macro ${nameArg.value}`);
      const params = paramArgs.map((a) => parseParam(a.name !== undefined ? `${a.name}=${a.value}` : a.value, head!));
      this.macros.set(nameArg.value.toLowerCase(), { name: nameArg.value, params, body: lines.slice(i + 1, end) });
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      this.diags.error(e.pos, e.message);
    }
    return end;
  }

  private markBody(lines: readonly SourceLine[], from: number, to: number): void {
    for (let k = from; k <= to; k++) for (let l = lines[k].tokens[0].line; l <= lines[k].eol.line; l++) this.bodyLines.add(l);
  }

  /** `.rept n`, `.irp sym, values`, `.irpc sym, chars` … `.endr`; returns the index of the `.endr`. */
  private repeat(lines: readonly SourceLine[], i: number, name: string, depth: number): number {
    const line = lines[i];
    const { head } = headOf(line);
    const end = findEnd(lines, i, REPEATS, '.endr');
    if (end < 0) {
      this.diags.error(head!, `missing .endr for ${name}`);
      return lines.length - 1;
    }
    if (name !== '.rept') this.markBody(lines, i + 1, end - 1);
    const body = lines.slice(i + 1, end);
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
        this.run(body, depth + 1);
      }
      return;
    }
    const [symbol, ...values] = splitArguments(textAfter(line, head));
    if (!symbol) throw new ParseError(head, `${name} needs a symbol`);
    const items = name === '.irp' ? values.map((v) => v.value) : [...(values[0]?.value ?? '')];
    for (const item of items.length > 0 ? items : ['']) {
      this.charge(head, 1 + body.length);   // substituting and lexing the body again costs its lines
      const bindings = new Map([[symbol.value, item]]);
      this.run(body.flatMap((l) => relex(l, substitute(l.text, bindings), this.diags, l.tokens[0])), depth + 1);
    }
  }

  private invoke(macro: MacroDef, line: SourceLine, head: Token, depth: number): void {
    // Unbounded recursion: stop the whole expansion at once rather than once per leaf of the call tree.
    if (depth >= MAX_DEPTH) throw new ExpansionOverflow(head, `macro ${macro.name} expanded more than ${MAX_DEPTH} deep`);
    const bindings = bindArguments(macro, splitArguments(textAfter(line, head)), head);
    this.charge(head, 1 + macro.body.length);
    const counter = String(this.expansions++);
    const lines = macro.body.flatMap((l) => relex(l, substitute(l.text, bindings, counter), this.diags, head, true));
    this.run(lines, depth + 1);
  }
}

/** The index of the line closing the block opened at `start`, or -1. */
function findEnd(lines: readonly SourceLine[], start: number, openers: readonly string[], closer: string): number {
  let depth = 0;
  for (let j = start + 1; j < lines.length; j++) {
    const { name } = headOf(lines[j]);
    if (openers.includes(name)) depth++;
    else if (name === closer) {
      if (depth === 0) return j;
      depth--;
    }
  }
  return -1;
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
export function splitArguments(text: string): Argument[] {
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
export function substitute(text: string, bindings: ReadonlyMap<string, string>, counter?: string): string {
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
