/**
 * The symbol table: labels (an offset in an input section) and equates
 * (`.equ`/`.set`/`=`, an expression). Attributes from `.globl`, `.type` and
 * `.size` may come before or after the definition.
 */
import { SourcePos } from './diagnostics';
import { EvalContext, EvalError, Expr, Value, evaluate, isUnknown } from './expr';

export type SymbolType = 'func' | 'object' | 'notype';

interface LabelSymbol {
  readonly name: string;
  readonly section: string;
  readonly offset: number;
  readonly pos: SourcePos;
}

/** One definition of an equate, with the location counter where it was written. */
interface EquateDef {
  readonly expr: Expr;
  readonly pos: SourcePos;
  readonly dotSection: string;
  readonly dotOffset: number;
}

export interface SymbolAttributes {
  binding?: 'global' | 'local' | 'weak';
  type?: SymbolType;
  size?: { readonly expr: Expr; readonly pos: SourcePos };
}

/** Where labels are in the final image. */
export interface Placement {
  /** Address of an input section. */
  inputAddress(section: string): number;
  /** Output section of an input section. */
  outputOf(section: string): string;
}

export class SymbolTable {
  readonly labels = new Map<string, LabelSymbol>();
  readonly equates = new Map<string, EquateDef[]>();
  readonly attributes = new Map<string, SymbolAttributes>();
  /** Equates whose pass-2 value has been replayed so far, with that value. */
  private readonly replayed = new Map<string, Value>();
  private readonly evaluating = new Set<string>();

  /** Defines a label; returns an error message if the name is taken. */
  defineLabel(name: string, section: string, offset: number, pos: SourcePos): string | undefined {
    const clash = this.definitionPos(name);
    if (clash) return `symbol '${name}' is already defined (line ${clash.line})`;
    this.labels.set(name, { name, section, offset, pos });
    return undefined;
  }

  /** Defines or redefines an equate; `once` (.equiv) refuses a redefinition. */
  defineEquate(name: string, def: EquateDef, once: boolean): string | undefined {
    const label = this.labels.get(name);
    if (label) return `symbol '${name}' is already defined as a label (line ${label.pos.line})`;
    const defs = this.equates.get(name);
    if (defs && once) return `symbol '${name}' is already defined (line ${defs[0].pos.line})`;
    if (defs) defs.push(def);
    else this.equates.set(name, [def]);
    return undefined;
  }

  definitionPos(name: string): SourcePos | undefined {
    return this.labels.get(name)?.pos ?? this.equates.get(name)?.[0].pos;
  }

  attributesOf(name: string): SymbolAttributes {
    let a = this.attributes.get(name);
    if (!a) {
      a = {};
      this.attributes.set(name, a);
    }
    return a;
  }

  /**
   * Pass 1: labels are offsets in their input section (or where `labelOffset` says, while
   * branch sizes are being decided); symbols not yet defined are pending. Equates defined so
   * far are evaluated now.
   */
  layoutContext(dotSection: string, dotOffset: number, labelOffset?: (name: string) => number | undefined): EvalContext {
    const ctx: EvalContext = {
      final: false,
      dot: () => ({ value: BigInt(dotOffset), section: dotSection }),
      lookup: (name) => {
        const label = this.labels.get(name);
        if (label) return { value: BigInt(labelOffset?.(name) ?? label.offset), section: label.section };
        const defs = this.equates.get(name);
        if (!defs) return 'pending';
        return this.evaluateEquate(name, defs[defs.length - 1], (d) => this.layoutContext(d.dotSection, d.dotOffset, labelOffset));
      },
    };
    return ctx;
  }

  /** Pass 2: every label has its address; an equate has its latest value in source order. */
  finalContext(place: Placement, dot: () => Value): EvalContext {
    return {
      final: true,
      dot,
      lookup: (name) => {
        const label = this.labels.get(name);
        if (label) return this.labelValue(label, place);
        const current = this.replayed.get(name);
        if (current) return current;
        const defs = this.equates.get(name);
        if (!defs) return undefined;
        return this.evaluateEquate(name, defs[defs.length - 1], (d) => this.finalContext(place, () => dotValue(d, place)));
      },
    };
  }

  /** Pass 2 reached a `.set`: later uses see this value. */
  replay(name: string, value: Value): void {
    this.replayed.set(name, value);
  }

  labelValue(label: LabelSymbol, place: Placement): Value {
    return { value: BigInt(place.inputAddress(label.section) + label.offset), section: place.outputOf(label.section) };
  }

  private evaluateEquate(name: string, def: EquateDef, contextFor: (d: EquateDef) => EvalContext): Value | 'pending' {
    if (this.evaluating.has(name)) throw new EvalError(def.pos, `symbol '${name}' is defined in terms of itself`);
    this.evaluating.add(name);
    try {
      const v = evaluate(def.expr, contextFor(def));
      return isUnknown(v) ? 'pending' : v;
    } finally {
      this.evaluating.delete(name);
    }
  }
}

function dotValue(d: { dotSection: string; dotOffset: number }, place: Placement): Value {
  return { value: BigInt(place.inputAddress(d.dotSection) + d.dotOffset), section: place.outputOf(d.dotSection) };
}
