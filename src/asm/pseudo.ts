/**
 * Lowering a form to real instructions. Template pseudo-instructions execute
 * the expansion text of their table entry (isa.ts); the macros (li, la, call,
 * tail, jump, load/store to a symbol) are code here, following GNU as
 * (gas/config/tc-riscv.c, macro()) without relaxation.
 */
import { SourcePos } from './diagnostics';
import { Expr, RelocOp } from './expr';
import { Form, selectInstruction } from './forms';
import { InstructionDef, MacroKind, PseudoDef, syntaxSlots } from './isa';
import { Operand } from './parser';
import { registerNumber } from './registers';
import { ParseError } from './token-stream';

export interface Lowered {
  readonly def: InstructionDef;
  readonly operands: readonly Operand[];
  /** A hidden label to define at this instruction (the anchor a %pcrel_lo refers to). */
  readonly anchor?: string;
}

interface LowerContext {
  /** The value if the expression is an absolute constant known at this point of pass 1. */
  constantNow(expr: Expr): bigint | undefined;
  /** A fresh hidden label name. */
  newAnchor(): string;
}

export function lower(form: Form, operands: readonly Operand[], pos: SourcePos, ctx: LowerContext): Lowered[] {
  if (form.kind === 'base') return [{ def: form.def, operands }];
  if (form.def.macro) return lowerMacro(form.def.macro, form.def, operands, pos, ctx);
  return lowerTemplate(form.def, operands, pos);
}

// ---- templates -------------------------------------------------------------

interface TemplateLine {
  readonly mnemonic: string;
  readonly operands: readonly string[];
}

const templateCache = new Map<PseudoDef, TemplateLine[]>();

function templateOf(def: PseudoDef): TemplateLine[] {
  let lines = templateCache.get(def);
  if (!lines) {
    lines = def.expansion.split(';').map((text) => {
      const [mnemonic, ...rest] = text.trim().split(/\s+/);
      const ops = rest.join(' ');
      return { mnemonic, operands: ops === '' ? [] : ops.split(',').map((s) => s.trim()) };
    });
    templateCache.set(def, lines);
  }
  return lines;
}

function lowerTemplate(def: PseudoDef, operands: readonly Operand[], pos: SourcePos): Lowered[] {
  const slots = syntaxSlots(def.syntax);
  const bound = (name: string): Operand | undefined => {
    const i = slots.indexOf(name);
    return i >= 0 ? operands[i] : undefined;
  };
  return templateOf(def).map((line) => {
    const ops = line.operands.map((t) => instantiate(t, bound, pos));
    return { def: selectInstruction(line.mnemonic, ops, pos), operands: ops };
  });
}

function instantiate(text: string, bound: (name: string) => Operand | undefined, pos: SourcePos): Operand {
  const direct = bound(text);
  if (direct) return direct;
  const mem = /^(.+)\((\w+)\)$/.exec(text);
  if (mem) {
    const offset = instantiate(mem[1], bound, pos);
    const base = instantiate(mem[2], bound, pos);
    if (offset.kind !== 'expr' || base.kind !== 'reg') throw new ParseError(pos, `bad operand for ${text}`);
    return { kind: 'mem', offset: offset.expr, base: base.reg, baseText: base.text, pos: offset.pos };
  }
  const reg = registerNumber(text);
  if (reg !== undefined) return { kind: 'reg', reg, text, pos };
  if (/^-?[0-9]+$/.test(text)) return { kind: 'expr', expr: num(BigInt(text), pos), pos };
  return { kind: 'expr', expr: { kind: 'sym', name: text, pos }, pos };
}

// ---- macros ----------------------------------------------------------------

function num(value: bigint, pos: SourcePos): Expr {
  return { kind: 'num', value, pos };
}

function reg(n: number, pos: SourcePos): Operand {
  return { kind: 'reg', reg: n, text: `x${n}`, pos };
}

function exprOp(expr: Expr): Operand {
  return { kind: 'expr', expr, pos: expr.pos };
}

function reloc(op: RelocOp, arg: Expr): Expr {
  return { kind: 'reloc', op, arg, pos: arg.pos };
}

function real(mnemonic: string, operands: Operand[], pos: SourcePos, anchor?: string): Lowered {
  return { def: selectInstruction(mnemonic, operands, pos), operands, anchor };
}

const RA = 1;
const T1 = 6;
const ZERO = 0;

function lowerMacro(kind: MacroKind, def: PseudoDef, ops: readonly Operand[], pos: SourcePos, ctx: LowerContext): Lowered[] {
  const slots = syntaxSlots(def.syntax);
  const at = (name: string): Operand => ops[slots.indexOf(name)];
  const regOf = (name: string, dflt: number): Operand => (slots.includes(name) ? at(name) : reg(dflt, pos));
  const symbol = (at('symbol') ?? at('imm')) as Operand & { kind: 'expr' };
  switch (kind) {
    case 'li': {
      const value = ctx.constantNow(symbol.expr);
      if (value === undefined) {
        throw new ParseError(symbol.pos, 'li needs a constant known at this point; use la for an address');
      }
      return loadConstant(at('rd'), value, pos);
    }
    case 'la': {
      const value = ctx.constantNow(symbol.expr);
      if (value !== undefined) return loadConstant(at('rd'), value, pos);
      return pcrelPair('addi', at('rd'), at('rd'), symbol.expr, pos, ctx);
    }
    case 'call':
      // `call sym` links through ra; `call rd, sym` uses t1 for the auipc (riscv-opc.c: X_T1 in rs1).
      return pcrelPair('jalr', regOf('rd', RA), reg(slots.includes('rd') ? T1 : RA, pos), symbol.expr, pos, ctx);
    case 'tail':
      return pcrelPair('jalr', reg(ZERO, pos), reg(T1, pos), symbol.expr, pos, ctx);
    case 'jump':
      return pcrelPair('jalr', reg(ZERO, pos), at('rs1'), symbol.expr, pos, ctx);
    case 'load':
      return pcrelPair(def.mnemonic, at('rd'), at('rd'), symbol.expr, pos, ctx);
    case 'store':
      return pcrelPair(def.mnemonic, at('rs2'), at('rs1'), symbol.expr, pos, ctx);
  }
}

/**
 * `auipc base, %pcrel_hi(sym)` then `op dest, %pcrel_lo(anchor)(base)` (or
 * `addi dest, base, %pcrel_lo(anchor)`): the anchor labels the auipc, as the
 * %pcrel_lo relocation must name the instruction holding the high part.
 */
function pcrelPair(op: string, dest: Operand, base: Operand & { kind: string }, sym: Expr, pos: SourcePos, ctx: LowerContext): Lowered[] {
  if (base.kind !== 'reg') throw new ParseError(base.pos, 'expected a register');
  const anchor = ctx.newAnchor();
  const lo = reloc('pcrel_lo', { kind: 'sym', name: anchor, pos });
  const second: Operand[] = op === 'addi'
    ? [dest, base, exprOp(lo)]
    : [dest, { kind: 'mem', offset: lo, base: base.reg, baseText: base.text, pos }];
  return [
    real('auipc', [base, exprOp(reloc('pcrel_hi', sym))], pos, anchor),
    real(op, second, pos),
  ];
}

/**
 * GNU as's load_const for RV32: values that fit 32 bits unsigned are taken as
 * signed 32-bit; `lui` carries the upper part (if any), `addi` the sign-extended
 * low 12 bits (if non-zero, or if there is no lui, or the lui wrote zero).
 */
function loadConstant(rd: Operand, value: bigint, pos: SourcePos): Lowered[] {
  const v = value >= 0n && value <= 0xffffffffn ? BigInt.asIntN(32, value) : value;
  const lower = BigInt.asIntN(12, v);
  const upper = v - lower;
  const out: Lowered[] = [];
  if (upper !== 0n) out.push(real('lui', [rd, exprOp(num(BigInt.asUintN(32, upper) >> 12n, pos))], pos));
  // gas adds the addi when the low part is not 0 or when no register holds the upper part yet
  // (hi_reg == 0), which includes `li zero, 0x1000`: lui zero, 1 then addi zero, zero, 0.
  const hiReg = upper !== 0n && rd.kind === 'reg' ? rd.reg : ZERO;
  if (lower !== 0n || hiReg === ZERO) {
    const src = upper !== 0n ? rd : reg(ZERO, pos);
    out.push(real('addi', [rd, src, exprOp(num(lower, pos))], pos));
  }
  return out;
}
