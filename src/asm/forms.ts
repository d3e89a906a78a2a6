/**
 * Choosing which form of a mnemonic the operands fit, the way GNU as tries
 * the opcode table entries of one name in order: by operand count and shape
 * (register, expression, or `offset(register)`). Values are checked later.
 */
import { InstructionDef, PseudoDef, instructionForms, pseudoForms, syntaxSlots } from './isa';
import { Operand } from './parser';
import { ParseError } from './token-stream';
import { SourcePos } from './diagnostics';

type Shape = Operand['kind'];

export type Form =
  | { readonly kind: 'base'; readonly def: InstructionDef }
  | { readonly kind: 'pseudo'; readonly def: PseudoDef };

const REGISTER_SLOTS = new Set(['rd', 'rs1', 'rs2']);

function slotShape(slot: string): Shape {
  if (REGISTER_SLOTS.has(slot)) return 'reg';
  if (slot.includes('(')) return 'mem';
  return 'expr';
}

function fits(syntax: string, operands: readonly Operand[]): boolean {
  const slots = syntaxSlots(syntax);
  return slots.length === operands.length && slots.every((s, i) => slotShape(s) === operands[i].kind);
}

const formCache = new Map<string, readonly Form[]>();

/** Every form of a mnemonic: the real instruction first, then pseudo forms. */
function formsOf(mnemonic: string): readonly Form[] {
  let forms = formCache.get(mnemonic);
  if (!forms) {
    forms = [
      ...instructionForms(mnemonic).map((def): Form => ({ kind: 'base', def })),
      ...pseudoForms(mnemonic).map((def): Form => ({ kind: 'pseudo', def })),
    ];
    if (forms.length > 0) formCache.set(mnemonic, forms);
  }
  return forms;
}

/** The real instruction (no pseudo form) the operands fit; for expansions. */
export function selectInstruction(mnemonic: string, operands: readonly Operand[], pos: SourcePos): InstructionDef {
  const form = selectForm(mnemonic, operands, pos, true);
  if (form.kind !== 'base') throw new ParseError(pos, `${mnemonic} is not a real instruction`);
  return form.def;
}

/**
 * The first form the operands fit. Throws a ParseError that says what is
 * wrong: unknown mnemonic, operand count, or the first operand of the wrong kind.
 */
export function selectForm(mnemonic: string, operands: readonly Operand[], pos: SourcePos, baseOnly = false): Form {
  const forms = formsOf(mnemonic).filter((f) => !baseOnly || f.kind === 'base');
  if (forms.length === 0) throw new ParseError(pos, `unknown instruction '${mnemonic}'`);
  const match = forms.find((f) => fits(f.def.syntax, operands));
  if (match) return match;
  throw explainMismatch(mnemonic, forms, operands, pos);
}

function explainMismatch(mnemonic: string, forms: readonly Form[], operands: readonly Operand[], pos: SourcePos): ParseError {
  const sameCount = forms.find((f) => syntaxSlots(f.def.syntax).length === operands.length);
  if (!sameCount) return countError(mnemonic, forms, operands, pos);
  const slots = syntaxSlots(sameCount.def.syntax);
  const i = slots.findIndex((s, k) => slotShape(s) !== operands[k].kind);
  return new ParseError(operands[i].pos, shapeMessage(mnemonic, slots[i], operands[i], forms));
}

function expected(mnemonic: string, forms: readonly Form[]): string {
  const list = [...new Set(forms.map((f) => `${mnemonic} ${f.def.syntax}`.trim()))];
  return list.length === 1 ? list[0] : `one of: ${list.join(' | ')}`;
}

function countError(mnemonic: string, forms: readonly Form[], operands: readonly Operand[], pos: SourcePos): ParseError {
  const max = Math.max(...forms.map((f) => syntaxSlots(f.def.syntax).length));
  const tooMany = operands.length > max;
  const where = tooMany ? operands[max].pos : pos;
  return new ParseError(where, `${tooMany ? 'too many' : 'too few'} operands for ${mnemonic} (expected ${expected(mnemonic, forms)})`);
}

function describe(op: Operand): string {
  if (op.kind === 'reg') return `register ${op.text}`;
  if (op.kind === 'mem') return `memory operand (${op.baseText})`;
  if (op.expr.kind === 'sym') return `'${op.expr.display ?? op.expr.name}'`;
  return 'an expression';
}

function shapeMessage(mnemonic: string, slot: string, op: Operand, forms: readonly Form[]): string {
  const want = slotShape(slot);
  if (want === 'reg' && op.kind === 'expr' && op.expr.kind === 'sym') {
    return `bad register '${op.expr.name}' for ${slot} of ${mnemonic}`;
  }
  const what = want === 'reg' ? 'a register' : want === 'mem' ? 'offset(register)' : 'an immediate or symbol';
  const alternatives = forms.length > 1 ? ` (expected ${expected(mnemonic, forms)})` : '';
  return `${mnemonic}: expected ${what} for ${slot}, found ${describe(op)}${alternatives}`;
}
