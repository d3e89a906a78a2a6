/**
 * Branch relaxation, as GNU as does it even with -mno-relax (tc-riscv.c
 * relaxed_branch_length): a conditional branch whose target is out of the
 * ±4 KiB B-type range, in another section, or an absolute address becomes
 * the inverted branch over a `jal zero, target` (8 bytes). jal itself is never
 * relaxed. The layout pass is rerun with the set of long branches until no
 * short branch is out of range.
 */
import { SourcePos } from './diagnostics';
import { EvalError, Expr, evaluate, isUnknown } from './expr';
import { instructionForms } from './isa';
import { Operand } from './parser';
import { Lowered } from './pseudo';
import { SymbolTable } from './symbols';

/** A short conditional branch as placed by one layout run. */
export interface BranchRecord {
  /** Position among all conditional branches of the source, stable across layout runs. */
  readonly index: number;
  readonly section: string;
  readonly offset: number;
  readonly target: Expr;
}

const INVERSE: Readonly<Record<string, string>> = {
  beq: 'bne', bne: 'beq', blt: 'bge', bge: 'blt', bltu: 'bgeu', bgeu: 'bltu',
};

const B_RANGE = 4096;

/** `beq a, b, far` → `bne a, b, . + 8; jal zero, far`. */
export function longBranch(branch: Lowered, pos: SourcePos): Lowered[] {
  const [rs1, rs2, target] = branch.operands;
  const skip: Expr = { kind: 'binary', op: '+', left: { kind: 'dot', pos }, right: { kind: 'num', value: 8n, pos }, pos };
  const inverse = instructionForms(INVERSE[branch.def.mnemonic])[0];
  const zero: Operand = { kind: 'reg', reg: 0, text: 'zero', pos };
  return [
    { def: inverse, operands: [rs1, rs2, { kind: 'expr', expr: skip, pos }] },
    { def: instructionForms('jal')[0], operands: [zero, target] },
  ];
}

/** Whether a short branch must become long: its target is not a reachable label of its own section. */
export function needsLongForm(b: BranchRecord, symbols: SymbolTable): boolean {
  try {
    const v = evaluate(b.target, symbols.layoutContext(b.section, b.offset));
    if (isUnknown(v)) return false; // undefined: reported when encoding
    if (v.section !== b.section) return true;
    const offset = Number(v.value) - b.offset;
    return offset < -B_RANGE || offset >= B_RANGE;
  } catch (e) {
    if (e instanceof EvalError) return false; // reported when encoding
    throw e;
  }
}
