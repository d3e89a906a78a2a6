/**
 * Which MMIO register a load or store reaches, when its base register holds a known constant:
 * `li t0, UART` … `lbu t1, 5(t0)` → UART LSR. A straight-line scan in source order: `li`, `lui`,
 * `addi` on a known register and `mv` set a value; any other write of the register, and every
 * call, forgets it. Labels do not reset the scan (a loop usually re-enters with the same base),
 * so this is a hint for hover, not an analysis the assembler relies on.
 */
import { instructionForms, pseudoForms, syntaxSlots } from '../../asm/isa';
import { registerNumber } from '../../asm/registers';
import { DocumentModel, Span, Statement, Tok, isPunct } from './document-model';
import { ConstantEvaluator } from './evaluate';

interface KnownValue {
  readonly value: number;
  /** The instruction that set it. */
  readonly setter: Statement;
  readonly register: string;
}

/** A memory operand whose address is known: `5(t0)` with t0 = 0x1000_0000. */
export interface MemoryHint extends Span {
  readonly address: number;
  readonly base: KnownValue;
  readonly offset: number;
}

const MEMORY_MNEMONICS = /^(l[bhw]u?|s[bhw]|lr\.w|sc\.w|amo[a-z]+\.w)(\.aq|\.rl|\.aqrl)?$/;
const CALLS = new Set(['call', 'tail', 'jal', 'jalr']);
/** ra, t0–t2, a0–a7, t3–t6: what a call may change (the ILP32 calling convention). */
const CALLER_SAVED = [1, 5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 17, 28, 29, 30, 31];

function registerOperand(op: readonly Tok[] | undefined): number | undefined {
  return op && op.length === 1 && op[0].kind === 'ident' ? registerNumber(op[0].text) : undefined;
}

/** `off(base)` or `(base)`: the offset tokens and the base register. */
function memoryOperand(op: readonly Tok[]): { offset: readonly Tok[]; base: number } | undefined {
  const n = op.length;
  if (n < 3 || !isPunct(op[n - 3], '(') || !isPunct(op[n - 1], ')') || op[n - 2].kind !== 'ident') return undefined;
  const base = registerNumber(op[n - 2].text);
  return base === undefined ? undefined : { offset: op.slice(0, n - 3), base };
}

/** A load, store or AMO: the only statements whose operands get a memory hint. */
export function isMemoryInstruction(s: Statement | undefined): boolean {
  return s !== undefined && s.kind === 'instruction' && MEMORY_MNEMONICS.test(s.name);
}

function writesFirstOperand(mnemonic: string): boolean {
  return [...instructionForms(mnemonic), ...pseudoForms(mnemonic)].some((f) => syntaxSlots(f.syntax)[0] === 'rd');
}

export function memoryHints(model: DocumentModel, evaluator: ConstantEvaluator): MemoryHint[] {
  const known = new Map<number, KnownValue>();
  const hints: MemoryHint[] = [];
  for (const s of model.statements) {
    if (s.kind !== 'instruction') continue;
    if (isMemoryInstruction(s)) {
      for (const op of s.operands) {
        const mem = memoryOperand(op);
        const base = mem && known.get(mem.base);
        if (!mem || !base) continue;
        const offset = mem.offset.length === 0 ? 0 : evaluator.tokens(mem.offset, op[0].start);
        if (offset === undefined) continue;
        hints.push({ start: op[0].start, end: op[op.length - 1].end, address: (base.value + offset) >>> 0, base, offset });
      }
    }
    update(known, s, evaluator);
  }
  return hints;
}

/** The constant an `li`/`lui`/`addi`/`mv` statement leaves in its destination, if known. */
export function valueSetBy(s: Statement, evaluator: ConstantEvaluator, known: ReadonlyMap<number, KnownValue> = new Map()): number | undefined {
  const [dst, a, b] = s.operands;
  if (registerOperand(dst) === undefined) return undefined;
  switch (s.name) {
    case 'li': return a ? evaluator.tokens(a, s.start) : undefined;
    case 'lui': {
      const v = a ? evaluator.tokens(a, s.start) : undefined;
      return v === undefined ? undefined : ((v & 0xfffff) << 12) >>> 0;
    }
    case 'addi': {
      const src = known.get(registerOperand(a) ?? -1);
      const imm = b ? evaluator.tokens(b, s.start) : undefined;
      return src && imm !== undefined ? (src.value + imm) >>> 0 : undefined;
    }
    case 'mv':
    case 'move': return known.get(registerOperand(a) ?? -1)?.value;
    default: return undefined;
  }
}

function update(known: Map<number, KnownValue>, s: Statement, evaluator: ConstantEvaluator): void {
  if (CALLS.has(s.name)) for (const r of CALLER_SAVED) known.delete(r);
  const dst = registerOperand(s.operands[0]);
  if (dst === undefined || !writesFirstOperand(s.name)) return;
  const value = valueSetBy(s, evaluator, known);
  if (value === undefined || dst === 0) known.delete(dst);
  else known.set(dst, { value, setter: s, register: s.operands[0][0].text });
}
