/** A cursor over the tokens of one statement (or one operand of it). */
import { SourcePos } from './diagnostics';
import { Token } from './lexer';

export class ParseError extends Error {
  constructor(readonly pos: SourcePos, message: string) {
    super(message);
  }
}

export class TokenStream {
  private i = 0;

  /** `end` is where the tokens stop: the position after the last one, for messages. */
  constructor(private readonly tokens: readonly Token[], private readonly end: SourcePos) {}

  get atEnd(): boolean {
    return this.i >= this.tokens.length;
  }

  peek(offset = 0): Token | undefined {
    return this.tokens[this.i + offset];
  }

  next(): Token {
    const t = this.tokens[this.i];
    if (!t) throw new ParseError(this.end, 'unexpected end of operand');
    this.i++;
    return t;
  }

  /** The position of the next token, or the end. */
  get pos(): SourcePos {
    return this.tokens[this.i] ?? this.end;
  }

  isPunct(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t !== undefined && t.kind === 'punct' && t.text === text;
  }

  acceptPunct(text: string): boolean {
    if (!this.isPunct(text)) return false;
    this.i++;
    return true;
  }

  expectPunct(text: string): Token {
    if (!this.isPunct(text)) throw new ParseError(this.pos, `expected '${text}'${this.describeNext()}`);
    return this.next();
  }

  expectEnd(): void {
    if (!this.atEnd) throw new ParseError(this.pos, `unexpected '${this.peek()?.text}'`);
  }

  describeNext(): string {
    const t = this.peek();
    if (!t) return ' at end of operand';
    return `, found '${t.text}'`;
  }
}
