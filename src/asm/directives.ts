/**
 * Assembler directives (pass 1). Each reads its own arguments from tokens and
 * either changes the layout state or appends items. Semantics follow GNU as
 * for RISC-V ELF; `.align` takes a power-of-two exponent, as on RISC-V.
 */
import { Diagnostics, SourcePos, positionOf } from './diagnostics';
import { Expr } from './expr';
import { VarPart } from './gas-relax';
import { Item } from './items';
import { Token } from './lexer';
import { ArgTokens, DirectiveStmt, parseWhole } from './parser';
import { InputSection, SectionFlags, parseSectionFlags } from './sections';
import { SymbolTable, SymbolType } from './symbols';
import { ParseError } from './token-stream';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type NewItem = DistributiveOmit<Item, 'section' | 'offset'>;

/** What directives may do to the assembly in progress (implemented by the layout pass). */
export interface DirectiveContext {
  readonly diags: Diagnostics;
  readonly symbols: SymbolTable;
  readonly current: InputSection;
  /** Compressed code is on (`.option rvc`): instructions need only 2-byte alignment. */
  readonly rvc: boolean;
  /** Emits (in `emit`) what gas puts in a frag's variable part, so branch sizes are decided as gas does. */
  variable(part: VarPart, emit: () => void): void;
  switchTo(name: string, flags: SectionFlags | undefined): void;
  pushSection(): void;
  popSection(pos: SourcePos): void;
  previous(pos: SourcePos): void;
  emit(item: NewItem): void;
  /** An absolute constant known at this point, or undefined after reporting an error. */
  constant(expr: Expr, what: string): bigint | undefined;
  /** An offset in the current section: a constant, or a label of this section known at this point. */
  offsetInSection(expr: Expr, what: string): number | undefined;
  equate(name: string, expr: Expr, pos: SourcePos, once: boolean): void;
  /** `.option name[, value]`; value is the second argument's source text. */
  setOption(name: string, pos: SourcePos, value: string): void;
  /** `.attribute arch, "rv32…"`: gas takes the ISA from it (compression on when it names C). */
  archAttribute(isa: string, pos: SourcePos): void;
  end(): void;
}

type Handler = (ctx: DirectiveContext, d: DirectiveStmt) => void;

const DATA_WIDTHS: Readonly<Record<string, 1 | 2 | 4 | 8>> = {
  '.byte': 1, '.half': 2, '.short': 2, '.2byte': 2, '.word': 4, '.long': 4, '.int': 4, '.4byte': 4,
  '.quad': 8, '.dword': 8, '.8byte': 8,
};

const IGNORED = ['.file', '.ident', '.hidden', '.protected', '.internal', '.loc', '.loc_mark_labels',
  '.addrsig', '.addrsig_sym', '.variant_cc'];

const SECTION_SWITCHES = new Set(['.text', '.data', '.bss', '.rodata', '.section', '.pushsection', '.popsection', '.previous']);

/** Whether a directive changes the current section. */
export function switchesSection(d: DirectiveStmt): boolean {
  return SECTION_SWITCHES.has(d.name);
}

const HANDLERS: Readonly<Record<string, Handler>> = {
  '.text': (ctx, d) => simpleSection(ctx, d, '.text'),
  '.data': (ctx, d) => simpleSection(ctx, d, '.data'),
  '.bss': (ctx, d) => simpleSection(ctx, d, '.bss'),
  '.rodata': (ctx, d) => simpleSection(ctx, d, '.rodata'),
  '.section': (ctx, d) => sectionDirective(ctx, d, false),
  '.pushsection': (ctx, d) => sectionDirective(ctx, d, true),
  '.popsection': (ctx, d) => noArgs(d) && ctx.popSection(d.pos),
  '.previous': (ctx, d) => noArgs(d) && ctx.previous(d.pos),
  '.globl': (ctx, d) => bindSymbols(ctx, d, 'global'),
  '.global': (ctx, d) => bindSymbols(ctx, d, 'global'),
  '.local': (ctx, d) => bindSymbols(ctx, d, 'local'),
  '.weak': (ctx, d) => bindSymbols(ctx, d, 'weak'),
  '.type': typeDirective,
  '.size': sizeDirective,
  '.ascii': (ctx, d) => strings(ctx, d, false),
  '.asciz': (ctx, d) => strings(ctx, d, true),
  '.string': (ctx, d) => strings(ctx, d, true),
  '.space': spaceDirective,
  '.skip': spaceDirective,
  '.zero': zeroDirective,
  '.fill': fillDirective,
  '.org': orgDirective,
  '.align': (ctx, d) => alignDirective(ctx, d, 'power'),
  '.p2align': (ctx, d) => alignDirective(ctx, d, 'power'),
  '.balign': (ctx, d) => alignDirective(ctx, d, 'bytes'),
  '.equ': (ctx, d) => equateDirective(ctx, d, false),
  '.set': (ctx, d) => equateDirective(ctx, d, false),
  '.equiv': (ctx, d) => equateDirective(ctx, d, true),
  '.option': optionDirective,
  '.attribute': attributeDirective,
  '.end': (ctx) => ctx.end(),
  ...Object.fromEntries(Object.keys(DATA_WIDTHS).map((name) => [name, dataDirective])),
  ...Object.fromEntries(IGNORED.map((name) => [name, () => undefined])),
};

/** Every directive name, for completion. */
export const DIRECTIVE_NAMES: readonly string[] = Object.keys(HANDLERS).sort();

export function runDirective(ctx: DirectiveContext, d: DirectiveStmt): void {
  if (d.name.startsWith('.cfi_')) return; // call-frame information: no loaded bytes, not produced here
  const handler = HANDLERS[d.name];
  if (!handler) throw new ParseError(d.pos, `unknown or unsupported directive '${d.name}'`);
  handler(ctx, d);
}

// ---- argument helpers ------------------------------------------------------

function argCount(d: DirectiveStmt, min: number, max: number): void {
  const n = d.args.length;
  if (n < min) throw new ParseError(d.pos, `too few arguments for ${d.name}`);
  if (n > max) throw new ParseError(d.args[max].pos, `too many arguments for ${d.name}`);
}

function noArgs(d: DirectiveStmt): true {
  argCount(d, 0, 0);
  return true;
}

function exprArg(a: ArgTokens): Expr {
  if (a.tokens.length === 0) throw new ParseError(a.pos, 'missing expression');
  return parseWhole(a.tokens, a.end);
}

function optionalExpr(a: ArgTokens | undefined): Expr | undefined {
  return a && a.tokens.length > 0 ? exprArg(a) : undefined;
}

function nameArg(a: ArgTokens, what: string): string {
  const t = a.tokens;
  if (t.length === 1 && t[0].kind === 'ident') return t[0].text;
  if (t.length === 1 && t[0].kind === 'string') return String.fromCharCode(...(t[0].bytes ?? []));
  throw new ParseError(a.pos, `expected ${what}`);
}

function stringArg(a: ArgTokens): readonly number[] {
  const t = a.tokens;
  if (t.length !== 1 || t[0].kind !== 'string') throw new ParseError(a.pos, 'expected a string in double quotes');
  return t[0].bytes ?? [];
}

/** `@nobits`, `%progbits`, `"function"`: the word after an optional @ or %. */
function taggedWord(a: ArgTokens): string {
  const t = a.tokens.filter((x: Token) => !(x.kind === 'punct' && (x.text === '@' || x.text === '%')));
  if (t.length === 1 && (t[0].kind === 'ident' || t[0].kind === 'string')) {
    return t[0].kind === 'ident' ? t[0].text : String.fromCharCode(...(t[0].bytes ?? []));
  }
  throw new ParseError(a.pos, 'expected a type such as @function or @progbits');
}

function constantArg(ctx: DirectiveContext, a: ArgTokens, what: string): number | undefined {
  const v = ctx.constant(exprArg(a), what);
  return v === undefined ? undefined : Number(v);
}

// ---- sections --------------------------------------------------------------

function simpleSection(ctx: DirectiveContext, d: DirectiveStmt, name: string): void {
  argCount(d, 0, 1); // `.text 1`: gas subsections; there is only one here.
  ctx.switchTo(name, undefined);
}

function sectionDirective(ctx: DirectiveContext, d: DirectiveStmt, push: boolean): void {
  argCount(d, 1, 5);
  const name = nameArg(d.args[0], 'a section name');
  const flagsArg = d.args[1];
  let flags: SectionFlags | undefined;
  if (flagsArg) {
    const spec = String.fromCharCode(...stringArg(flagsArg));
    const type = d.args[2] ? taggedWord(d.args[2]) : undefined;
    if (type !== undefined && type !== 'progbits' && type !== 'nobits') {
      throw new ParseError(d.args[2].pos, `unsupported section type @${type} (use @progbits or @nobits)`);
    }
    flags = parseSectionFlags(spec, type);
  }
  if (push) ctx.pushSection();
  ctx.switchTo(name, flags);
}

// ---- symbols ---------------------------------------------------------------

function bindSymbols(ctx: DirectiveContext, d: DirectiveStmt, binding: 'global' | 'local' | 'weak'): void {
  argCount(d, 1, Infinity);
  for (const a of d.args) ctx.symbols.attributesOf(nameArg(a, 'a symbol name')).binding = binding;
}

const SYMBOL_TYPES: Readonly<Record<string, SymbolType>> = {
  function: 'func', object: 'object', notype: 'notype',
  STT_FUNC: 'func', STT_OBJECT: 'object', STT_NOTYPE: 'notype',
};

function typeDirective(ctx: DirectiveContext, d: DirectiveStmt): void {
  argCount(d, 2, 2);
  const name = nameArg(d.args[0], 'a symbol name');
  const word = taggedWord(d.args[1]);
  const type = SYMBOL_TYPES[word];
  if (!type) throw new ParseError(d.args[1].pos, `unsupported symbol type '${word}' (use @function, @object or @notype)`);
  ctx.symbols.attributesOf(name).type = type;
}

function sizeDirective(ctx: DirectiveContext, d: DirectiveStmt): void {
  argCount(d, 2, 2);
  const name = nameArg(d.args[0], 'a symbol name');
  // `.size f, . - f` means the location here: capture it as an equate-like expression.
  const expr = exprArg(d.args[1]);
  const anchor = `.Lsize^${name}^${d.pos.line}`;
  const pos = positionOf(d.args[1].pos); // kept to the end: not the argument's token
  ctx.equate(anchor, expr, pos, false);
  ctx.symbols.attributesOf(name).size = { expr: { kind: 'sym', name: anchor, pos }, pos };
}

function equateDirective(ctx: DirectiveContext, d: DirectiveStmt, once: boolean): void {
  argCount(d, 2, 2);
  const name = nameArg(d.args[0], 'a symbol name');
  ctx.equate(name, exprArg(d.args[1]), d.args[0].pos, once);
}

// ---- data ------------------------------------------------------------------

function dataDirective(ctx: DirectiveContext, d: DirectiveStmt): void {
  argCount(d, 1, Infinity);
  ctx.emit({ kind: 'data', width: DATA_WIDTHS[d.name], values: d.args.map(exprArg), pos: d.pos });
}

function strings(ctx: DirectiveContext, d: DirectiveStmt, zeroTerminated: boolean): void {
  argCount(d, 1, Infinity);
  for (const a of d.args) {
    const bytes = [...stringArg(a), ...(zeroTerminated ? [0] : [])];
    ctx.emit({ kind: 'bytes', bytes, pos: a.pos });
  }
}

function spaceDirective(ctx: DirectiveContext, d: DirectiveStmt): void {
  argCount(d, 1, 2);
  const size = constantArg(ctx, d.args[0], `${d.name} size`);
  const fillExpr = optionalExpr(d.args[1]);
  const fill = fillExpr === undefined ? 0 : ctx.constant(fillExpr, `${d.name} fill value`);
  if (size === undefined || fill === undefined) return;
  reserve(ctx, d, size, Number(BigInt.asUintN(8, BigInt(fill))));
}

function zeroDirective(ctx: DirectiveContext, d: DirectiveStmt): void {
  argCount(d, 1, 1);
  const size = constantArg(ctx, d.args[0], '.zero size');
  if (size !== undefined) reserve(ctx, d, size, 0);
}

function reserve(ctx: DirectiveContext, d: DirectiveStmt, size: number, fill: number): void {
  if (size < 0) {
    ctx.diags.warning(d.pos, `${d.name} with negative size ${size} ignored`);
    return;
  }
  if (size > 0) ctx.variable({ kind: 'space', size }, () => ctx.emit({ kind: 'fill', size, fill, pos: d.pos }));
}

/** `.org offset[, fill]`: moves forward to an offset in the current section (gas: never backwards). */
function orgDirective(ctx: DirectiveContext, d: DirectiveStmt): void {
  argCount(d, 1, 2);
  const target = ctx.offsetInSection(exprArg(d.args[0]), '.org offset');
  const fillExpr = optionalExpr(d.args[1]);
  const fill = fillExpr === undefined ? 0n : ctx.constant(fillExpr, '.org fill value');
  if (target === undefined || fill === undefined) return;
  const here = ctx.current.size;
  if (target < here) {
    throw new ParseError(d.args[0].pos, `.org 0x${target.toString(16)} would move backwards (already at 0x${here.toString(16)} in ${ctx.current.name})`);
  }
  ctx.variable({ kind: 'org', target }, () => {
    if (target > here) ctx.emit({ kind: 'fill', size: target - here, fill: Number(BigInt.asUintN(8, fill)), pos: d.pos });
  });
}

/** `.fill repeat, size, value`: `repeat` copies of `value` in `size` bytes (at most 8). */
function fillDirective(ctx: DirectiveContext, d: DirectiveStmt): void {
  argCount(d, 1, 3);
  const repeat = constantArg(ctx, d.args[0], '.fill repeat count');
  const sizeExpr = optionalExpr(d.args[1]);
  const valueExpr = optionalExpr(d.args[2]);
  const size = sizeExpr === undefined ? 1 : ctx.constant(sizeExpr, '.fill size');
  const value = valueExpr === undefined ? 0n : ctx.constant(valueExpr, '.fill value');
  if (repeat === undefined || size === undefined || value === undefined) return;
  const width = Math.min(Number(size), 8);
  if (Number(size) > 8) ctx.diags.warning(d.pos, `.fill size ${size} reduced to 8`);
  if (repeat < 0 || width < 0) throw new ParseError(d.pos, '.fill needs a non-negative count and size');
  // gas stores the value in the first min(size, 4) bytes and zeros in the rest.
  const pattern: number[] = [];
  for (let i = 0; i < width; i++) pattern.push(i < 4 ? Number(BigInt.asUintN(8, value >> BigInt(8 * i))) : 0);
  if (repeat === 0 || width === 0) return;
  const same = pattern.every((b) => b === pattern[0]);
  const total = repeat * width;
  ctx.variable({ kind: 'space', size: total }, () => ctx.emit({ kind: 'fill', size: total, fill: same ? pattern[0] : pattern, pos: d.pos }));
}

// ---- alignment -------------------------------------------------------------

const MAX_ALIGN_POWER = 16;

function alignDirective(ctx: DirectiveContext, d: DirectiveStmt, unit: 'power' | 'bytes'): void {
  argCount(d, 1, 3);
  const amount = constantArg(ctx, d.args[0], `${d.name} amount`);
  if (amount === undefined) return;
  const power = unit === 'power' ? amount : Math.log2(amount);
  if (!Number.isInteger(power) || power < 0) {
    throw new ParseError(d.args[0].pos, `${d.name}: alignment ${amount} is not a power of 2`);
  }
  if (power > MAX_ALIGN_POWER) {
    throw new ParseError(d.args[0].pos, `${d.name}: alignment 2^${power} too large (at most 2^${MAX_ALIGN_POWER})`);
  }
  const fillExpr = optionalExpr(d.args[1]);
  const maxExpr = optionalExpr(d.args[2]);
  const fill = fillExpr === undefined ? undefined : ctx.constant(fillExpr, `${d.name} fill value`);
  const max = maxExpr === undefined ? undefined : ctx.constant(maxExpr, `${d.name} maximum skip`);
  alignTo(ctx, d.pos, 2 ** power, fill === undefined ? undefined : Number(BigInt.asUintN(8, fill)), max === undefined ? undefined : Number(max));
}

/**
 * Pads to `bytes`. In code without an explicit fill, RISC-V gas pads with no-ops,
 * and only when the alignment exceeds the instruction size, 4 bytes or 2 under
 * `.option rvc` (tc-riscv.c riscv_frag_align_code); the section's alignment is
 * recorded either way.
 */
function alignTo(ctx: DirectiveContext, pos: SourcePos, bytes: number, fill: number | undefined, max?: number): void {
  const section = ctx.current;
  section.align = Math.max(section.align, bytes);
  const code = section.flags.exec && fill === undefined;
  if ((code && bytes <= (ctx.rvc ? 2 : 4)) || bytes <= 1) return;
  const padding = (bytes - (section.size % bytes)) % bytes;
  const skip = padding === 0 || (max !== undefined && padding > max);
  ctx.variable({ kind: 'align', bytes, max }, () => {
    if (!skip) ctx.emit({ kind: 'fill', size: padding, fill: code ? 'nop' : (fill ?? 0), pos });
  });
}

// ---- .option, .attribute ----------------------------------------------------

/** `.attribute arch, "…"` sets the ISA (tc-riscv.c s_riscv_attribute); other attributes are ignored. */
function attributeDirective(ctx: DirectiveContext, d: DirectiveStmt): void {
  argCount(d, 2, 2);
  const tag = d.args[0].tokens;
  const isArch = tag.length === 1 && (/^(arch|Tag_RISCV_arch)$/.test(tag[0].text) || tag[0].text === '5');
  if (isArch && d.args[1].tokens.length === 1 && d.args[1].tokens[0].kind === 'string') {
    ctx.archAttribute(String.fromCharCode(...stringArg(d.args[1])), d.args[1].pos);
  }
}


function optionDirective(ctx: DirectiveContext, d: DirectiveStmt): void {
  argCount(d, 1, Infinity);
  const value = d.args.slice(1).map((a) => a.tokens.map((t) => t.text).join('')).join(', ');
  ctx.setOption(nameArg(d.args[0], 'an option name'), d.args[0].pos, value);
}
