/**
 * Tokens of GNU as syntax for RISC-V: `#` starts a comment that runs to the
 * end of the line, `/* *\/` comments may span lines, `;` separates statements
 * like a newline. Numbers are C-like (0x hex, 0b binary, leading 0 octal) and
 * 64 bits wide, as gas evaluates them; `1b`/`1f` refer to numeric local labels.
 */
import { Diagnostics, SourcePos } from './diagnostics';

export type TokenKind = 'ident' | 'number' | 'string' | 'localref' | 'punct' | 'reloc' | 'eol';

export interface Token extends SourcePos {
  readonly kind: TokenKind;
  /** Offsets of the token in the text that was lexed: [start, end). */
  readonly start: number;
  readonly end: number;
  /** The identifier, operator, relocation name or raw source text. */
  readonly text: string;
  /** Numbers and character literals. */
  readonly value?: bigint;
  /** String literal contents as bytes (UTF-8 for non-ASCII characters). */
  readonly bytes?: readonly number[];
  /** A `1b`/`1f` reference: the internal name of the label instance it means, set by the parser. */
  readonly localName?: string;
  /** A `1b`/`1f` reference that means no label. */
  readonly localError?: string;
}

const TWO_CHAR_OPERATORS = new Set(['<<', '>>', '<=', '>=', '==', '!=', '<>', '&&', '||']);
// A backslash only means something in macro bodies (`\arg`); elsewhere the parser rejects it.
const ONE_CHAR_OPERATORS = new Set([...'(),+-*/%<>&|^~!=:@[]\\']);
const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34, "'": 39,
};
const UTF8 = new TextEncoder();

function isIdentStart(c: string): boolean {
  return /[A-Za-z_.$]/.test(c);
}

function isIdentChar(c: string): boolean {
  return /[A-Za-z0-9_.$]/.test(c);
}

/** Where lexed text starts in the file (macro expansions are lexed again at their own place). */
interface Origin {
  readonly line: number;
  readonly column: number;
}

/** Splits a source into tokens; every statement ends with an `eol` token. */
export function tokenize(source: string, diags: Diagnostics, origin: Origin = { line: 1, column: 1 }): Token[] {
  return new Lexer(source, diags, origin).run();
}

/**
 * Tokens one statement at a time, so a large file is never held as tokens all at once (each token
 * is an object: a 20 MB source was about 8 million of them). `next` gives the tokens of the next
 * statement, its `eol` last, or undefined at the end of the source.
 */
export class StatementLexer {
  private readonly lexer: Lexer;
  private done = false;

  constructor(source: string, diags: Diagnostics) {
    this.lexer = new Lexer(source, diags, { line: 1, column: 1 });
  }

  next(): Token[] | undefined {
    if (this.done) return undefined;
    const tokens = this.lexer.statement();
    if (tokens[tokens.length - 1].text === '') this.done = true; // the end of the source
    return tokens;
  }
}

class Lexer {
  private i = 0;
  private line: number;
  private lineStart: number;
  private tokens: Token[] = [];

  constructor(private readonly src: string, private readonly diags: Diagnostics, origin: Origin) {
    this.line = origin.line;
    this.lineStart = 1 - origin.column;
  }

  run(): Token[] {
    while (this.i < this.src.length) this.step();
    this.push('eol', '', this.here());
    return this.tokens;
  }

  /** The tokens up to and including the next `eol` (the last one, with empty text, at the end). */
  statement(): Token[] {
    this.tokens = [];
    while (this.i < this.src.length) {
      this.step();
      const last = this.tokens[this.tokens.length - 1];
      if (last !== undefined && last.kind === 'eol') return this.tokens;
    }
    this.push('eol', '', this.here());
    return this.tokens;
  }

  private here(): SourcePos & { offset: number } {
    return { line: this.line, column: this.i - this.lineStart + 1, offset: this.i };
  }

  private peek(offset = 0): string {
    return this.src.charAt(this.i + offset);
  }

  /** Called once the token's characters are consumed, so `end` is the current offset. */
  private push(kind: TokenKind, text: string, pos: SourcePos & { offset: number }, extra: Partial<Token> = {}): void {
    this.tokens.push({ kind, text, line: pos.line, column: pos.column, start: pos.offset, end: Math.max(this.i, pos.offset), ...extra });
  }

  private newline(): void {
    this.push('eol', '\n', this.here());
    this.i++;
    this.line++;
    this.lineStart = this.i;
  }

  private step(): void {
    const c = this.peek();
    if (c === '\n') return this.newline();
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      this.i++;
      return;
    }
    if (c === '#') return this.skipLineComment();
    if (c === '/' && this.peek(1) === '*') return this.skipBlockComment();
    if (c === ';') {
      this.push('eol', ';', this.here());
      this.i++;
      return;
    }
    if (c === '"') return this.lexString();
    if (c === "'") return this.lexChar();
    if (/[0-9]/.test(c)) return this.lexNumber();
    if (isIdentStart(c)) return this.lexIdent();
    if (c === '%' && /[A-Za-z_]/.test(this.peek(1))) return this.lexPercent();
    this.lexOperator();
  }

  private skipLineComment(): void {
    while (this.i < this.src.length && this.peek() !== '\n') this.i++;
  }

  private skipBlockComment(): void {
    const start = this.here();
    this.i += 2;
    while (this.i < this.src.length && !(this.peek() === '*' && this.peek(1) === '/')) {
      if (this.peek() === '\n') {
        this.i++;
        this.line++;
        this.lineStart = this.i;
      } else {
        this.i++;
      }
    }
    if (this.i >= this.src.length) this.diags.error(start, 'unterminated comment: missing */');
    else this.i += 2;
  }

  private lexIdent(): void {
    const pos = this.here();
    const start = this.i;
    while (this.i < this.src.length && isIdentChar(this.peek())) this.i++;
    this.push('ident', this.src.slice(start, this.i), pos);
  }

  /** `%hi(` and friends; a `%` not followed by a name and `(` is the modulo operator. */
  private lexPercent(): void {
    let j = this.i + 1;
    while (j < this.src.length && /[A-Za-z0-9_]/.test(this.src.charAt(j))) j++;
    if (this.src.charAt(j) !== '(') return this.lexOperator();
    const pos = this.here();
    this.i = j;
    this.push('reloc', this.src.slice(pos.offset + 1, j), pos);
  }

  private lexOperator(): void {
    const pos = this.here();
    const two = this.src.slice(this.i, this.i + 2);
    if (TWO_CHAR_OPERATORS.has(two)) {
      this.i += 2;
      this.push('punct', two, pos);
      return;
    }
    const c = this.peek();
    this.i++;
    if (ONE_CHAR_OPERATORS.has(c)) this.push('punct', c, pos);
    else this.diags.error(pos, `unexpected character '${c}'`);
  }

  private lexNumber(): void {
    const pos = this.here();
    const start = this.i;
    while (this.i < this.src.length && isIdentChar(this.peek())) this.i++;
    const text = this.src.slice(start, this.i);
    const local = /^([0-9]+)([bf])$/.exec(text);
    if (local && !/^0[bB][01]+$/.test(text)) {
      this.push('localref', text, pos);
      return;
    }
    const value = parseInteger(text);
    if (value === undefined) {
      this.diags.error(pos, `bad number '${text}'`);
      this.push('number', text, pos, { value: 0n });
    } else if (value >= 1n << 64n) {
      this.diags.error(pos, `number ${text} does not fit in 64 bits`);
      this.push('number', text, pos, { value: 0n });
    } else {
      this.push('number', text, pos, { value: BigInt.asIntN(64, value) });
    }
  }

  /** `'a'` or `'a` (gas allows the closing quote to be left out). */
  private lexChar(): void {
    const pos = this.here();
    const start = this.i;
    this.i++;
    if (this.i >= this.src.length || this.peek() === '\n') {
      this.diags.error(pos, 'unterminated character literal');
      this.push('number', "'", pos, { value: 0n });
      return;
    }
    const code = this.peek() === '\\' ? this.readEscape() : this.readCodePoint();
    if (this.peek() === "'") this.i++;
    this.push('number', this.src.slice(start, this.i), pos, { value: BigInt(code) });
  }

  private readCodePoint(): number {
    const cp = this.src.codePointAt(this.i) ?? 0;
    this.i += cp > 0xffff ? 2 : 1;
    return cp;
  }

  private lexString(): void {
    const pos = this.here();
    const bytes: number[] = [];
    this.i++;
    for (;;) {
      if (this.i >= this.src.length || this.peek() === '\n') {
        this.diags.error(pos, 'unterminated string: missing closing "');
        break;
      }
      const c = this.peek();
      if (c === '"') {
        this.i++;
        break;
      }
      if (c === '\\') bytes.push(this.readEscape() & 0xff);
      else bytes.push(...UTF8.encode(String.fromCodePoint(this.readCodePoint())));
    }
    this.push('string', '"', pos, { bytes });
  }

  /** C escapes as gas reads them: up to three octal digits, any number of hex digits. */
  private readEscape(): number {
    const pos = this.here();
    this.i++;
    const c = this.peek();
    if (c in SIMPLE_ESCAPES) {
      this.i++;
      return SIMPLE_ESCAPES[c];
    }
    if (/[0-7]/.test(c)) return this.readDigits(/[0-7]/, 8, 3);
    if (c === 'x' || c === 'X') {
      this.i++;
      if (!/[0-9A-Fa-f]/.test(this.peek())) this.diags.error(pos, 'bad escape: \\x needs hex digits');
      return this.readDigits(/[0-9A-Fa-f]/, 16, Infinity);
    }
    if (c === '' || c === '\n') return 92;
    this.diags.warning(pos, `unknown escape '\\${c}', taken as '${c}'`);
    return this.readCodePoint();
  }

  private readDigits(digit: RegExp, radix: number, max: number): number {
    let n = 0;
    for (let k = 0; k < max && digit.test(this.peek()); k++) {
      n = (n * radix + parseInt(this.peek(), radix)) & 0xffff;
      this.i++;
    }
    return n;
  }
}

function parseInteger(text: string): bigint | undefined {
  if (/^0[xX][0-9A-Fa-f]+$/.test(text)) return BigInt(text);
  if (/^0[bB][01]+$/.test(text)) return BigInt(text);
  if (/^0[0-7]+$/.test(text)) return BigInt(`0o${text.slice(1)}`);
  if (/^(0|[1-9][0-9]*)$/.test(text)) return BigInt(text);
  return undefined;
}
