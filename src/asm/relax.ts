/**
 * The long form of a conditional branch, as GNU as writes it even with
 * -mno-relax (tc-riscv.c md_convert_frag_branch): the inverted branch over a
 * `jal zero, target` (8 bytes). Which branches take it is decided in
 * gas-relax.ts.
 */
import { SourcePos } from './diagnostics';
import { Expr } from './expr';
import { instructionForms } from './isa';
import { Operand } from './parser';
import { Lowered } from './pseudo';

const INVERSE: Readonly<Record<string, string>> = {
  beq: 'bne', bne: 'beq', blt: 'bge', bge: 'blt', bltu: 'bgeu', bgeu: 'bltu',
};

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
