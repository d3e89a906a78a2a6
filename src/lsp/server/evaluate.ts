/**
 * Constant values of operands and `.equ` symbols, for hover ("this is the UART's LSR"). Parsing is
 * the assembler's own (`parseWhole`, gas precedence); evaluation uses its `evaluate` with a
 * context that knows the document's equates and, when an assembly has finished, label addresses.
 * Anything that is not a constant here (the location counter, an undefined symbol, a cycle of
 * equates) is simply "no value": hover never reports an error.
 */
import { EvalContext, Expr, Value, evaluate, isUnknown } from '../../asm/expr';
import { parseWhole } from '../../asm/parser';
import { DocumentModel, SymbolDefinition, Tok } from './document-model';

const MAX_DEPTH = 32;

export class ConstantEvaluator {
  private readonly evaluating = new Set<string>();
  private depth = 0;

  constructor(
    private readonly model: DocumentModel,
    /** Label (and symbol) values from the last assembly, when there is one. */
    private readonly addresses: ReadonlyMap<string, number> = new Map(),
  ) {}

  /** The value of operand tokens, as an unsigned 32-bit number, or undefined. */
  tokens(tokens: readonly Tok[], at: number): number | undefined {
    const v = this.tokensBig(tokens, at);
    return v === undefined ? undefined : Number(BigInt.asUintN(32, v));
  }

  /** The value of a symbol at a place in the document (`.set` may redefine it). */
  symbol(name: string, at: number): number | undefined {
    const v = this.symbolBig(name, at);
    return v === undefined ? undefined : Number(BigInt.asUintN(32, v));
  }

  private tokensBig(tokens: readonly Tok[], at: number): bigint | undefined {
    if (tokens.length === 0) return undefined;
    try {
      const last = tokens[tokens.length - 1].raw;
      const expr = parseWhole(tokens.map((t) => t.raw), { line: last.line, column: last.column + last.text.length });
      return this.expr(expr, at);
    } catch {
      return undefined; // a parse or evaluation error, or a stack overflow on absurd nesting
    }
  }

  private expr(e: Expr, at: number): bigint | undefined {
    if (e.kind === 'reloc') {
      const v = this.expr(e.arg, at);
      if (v === undefined) return undefined;
      if (e.op === 'hi') return BigInt.asUintN(20, (v + 0x800n) >> 12n);
      if (e.op === 'lo') return BigInt.asIntN(12, v);
      return undefined;
    }
    const ctx: EvalContext = {
      lookup: (name) => {
        const v = this.symbolBig(name, at);
        return v === undefined ? undefined : { value: v, section: null };
      },
      dot: (): Value => {
        throw new Error('no location counter here');
      },
      final: true,
    };
    const v = evaluate(e, ctx);
    return isUnknown(v) ? undefined : v.value;
  }

  private symbolBig(name: string, at: number): bigint | undefined {
    const def = equateAt(this.model, name, at);
    if (!def) {
      const address = this.addresses.get(name);
      return address === undefined ? undefined : BigInt(address);
    }
    if (this.evaluating.has(name) || this.depth >= MAX_DEPTH) return undefined;
    this.evaluating.add(name);
    this.depth++;
    try {
      return this.tokensBig(def.expr ?? [], def.start);
    } finally {
      this.depth--;
      this.evaluating.delete(name);
    }
  }
}

/** The equate definition in force at `at`: the last one before it, else the first one after. */
function equateAt(model: DocumentModel, name: string, at: number): SymbolDefinition | undefined {
  const defs = (model.definitions.get(name) ?? []).filter((d) => d.kind === 'equate');
  if (defs.length === 0) return undefined;
  const before = defs.filter((d) => d.start <= at);
  return before.length > 0 ? before[before.length - 1] : defs[0];
}
