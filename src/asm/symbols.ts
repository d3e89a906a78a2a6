/**
 * The symbol table: labels (an offset in an input section) and equates
 * (`.equ`/`.set`/`=`, an expression). Attributes from `.globl`, `.type` and
 * `.size` may come before or after the definition.
 */
import { SourcePos } from './diagnostics';
import { EvalContext, EvalError, Expr, Value, evaluate, isUnknown } from './expr';

export type SymbolType = 'func' | 'object' | 'notype';

/**
 * A label: an offset in an input section. Kept compact, as a large file has hundreds of thousands
 * (docs/assembler.md, "Memory"): a plain object of numbers and shared strings, its position as two
 * numbers, and where it is among gas's frags (gas-relax.ts's FragLabel) in the label itself rather
 * than in a map beside it.
 */
interface LabelSymbol {
  readonly name: string;
  readonly section: string;
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  /** Order of definition: a table replaying pass 1 (SymbolTable.replaying) knows the label once it reaches it. */
  readonly seq: number;
  /** The frag the label is in and its offset there (gas-relax.ts), set by the layout pass that defines it. */
  frag: number;
  delta: number;
}

/** One definition of an equate, with the location counter where it was written. */
interface EquateDef {
  readonly expr: Expr;
  readonly pos: SourcePos;
  readonly dotSection: string;
  readonly dotOffset: number;
  /** Its value, once evaluated without any label (an absolute constant never changes). */
  constant?: Value;
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
  /**
   * Every label defined so far. In a table replaying pass 1, pass 1's labels, all of them: use
   * `label`, which knows only those the replay has reached.
   */
  readonly labels: Map<string, LabelSymbol>;
  readonly equates = new Map<string, EquateDef[]>();
  readonly attributes = new Map<string, SymbolAttributes>();
  /** Equates whose pass-2 value has been replayed so far, with that value. */
  private readonly replayed = new Map<string, Value>();
  /** Equates being evaluated, with the index of the definition being evaluated. */
  private readonly evaluating = new Map<string, number>();
  /** Lookups that found a label (or a symbol not yet known), counted to tell which equate values can be kept. */
  private labelLookups = 0;
  /** Labels defined so far (in a replay: those of pass 1 reached so far). */
  private labelCount = 0;

  private constructor(private readonly replayOf?: SymbolTable) {
    this.labels = replayOf ? replayOf.labels : new Map();
  }

  static empty(): SymbolTable {
    return new SymbolTable();
  }

  /**
   * A table for laying the same statements out again after pass 1 (`pass1`'s final table): it
   * shares pass 1's labels instead of making them again, knowing each one only from its definition
   * on, so every lookup answers as it did in pass 1 at the same point (docs/assembler.md, "Memory").
   * Attributes (`.globl`, `.type`, `.size`) are pass 1's to keep: here they are set and dropped.
   */
  static replaying(pass1: SymbolTable): SymbolTable {
    return new SymbolTable(pass1);
  }

  /** The label `name` if it is defined at this point. */
  label(name: string): LabelSymbol | undefined {
    const l = this.labels.get(name);
    return l !== undefined && l.seq < this.labelCount ? l : undefined;
  }

  /** Defines a label; returns an error message if the name is taken. */
  defineLabel(name: string, section: string, offset: number, pos: SourcePos): LabelSymbol | string {
    if (this.replayOf) {
      const l = this.labels.get(name);
      if (l !== undefined && l.seq === this.labelCount) {
        // Layout is deterministic: the replay defines pass 1's labels in order, at the same places.
        if (l.section !== section || l.offset !== offset >>> 0) {
          throw new Error(`label '${name}' laid out again at ${section}+${offset}, not at ${l.section}+${l.offset} as before`);
        }
        this.labelCount++;
        return l;
      }
    }
    const clash = this.definitionPos(name);
    if (clash) return `symbol '${name}' is already defined (line ${clash.line})`;
    if (this.replayOf) throw new Error(`label '${name}' defined when laid out again, not before`);
    // `offset >>> 0`: a small integer, so V8 keeps every label's fields unboxed (a section size
    // read as a heap number would otherwise give each label one more object).
    const label: LabelSymbol = { name, section, offset: offset >>> 0, line: pos.line, column: pos.column, seq: this.labelCount++, frag: 0, delta: 0 };
    this.labels.set(name, label);
    return label;
  }

  /** Defines or redefines an equate; `once` (.equiv) refuses a redefinition. */
  defineEquate(name: string, def: EquateDef, once: boolean): string | undefined {
    const label = this.label(name);
    if (label) return `symbol '${name}' is already defined as a label (line ${label.line})`;
    const defs = this.equates.get(name);
    if (defs && once) return `symbol '${name}' is already defined (line ${defs[0].pos.line})`;
    if (defs) defs.push(def);
    else this.equates.set(name, [def]);
    return undefined;
  }

  /**
   * Evaluates `name`'s newest definition where it is written, as GNU as does, so that a value
   * that uses no label is kept and a long series of `.set n, n + 1` never evaluates as a chain. An
   * error is left for the line that uses the symbol to report.
   */
  settle(name: string): void {
    try {
      this.layoutContext('', 0).lookup(name);
    } catch (e) {
      if (!(e instanceof EvalError)) throw e;
    }
  }

  definitionPos(name: string): SourcePos | undefined {
    const label = this.label(name);
    return label ? { line: label.line, column: label.column } : this.equates.get(name)?.[0].pos;
  }

  attributesOf(name: string): SymbolAttributes {
    if (this.replayOf) return {};
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
      dot: () => {
        this.labelLookups++;
        return { value: BigInt(dotOffset), section: dotSection };
      },
      lookup: (name) => {
        const label = this.label(name);
        if (label) {
          this.labelLookups++;
          return { value: BigInt(labelOffset?.(name) ?? label.offset), section: label.section };
        }
        const defs = this.equates.get(name);
        if (!defs) {
          this.labelLookups++;
          return 'pending';
        }
        // Inside its own `.set`, a symbol means its value before that line (`.set n, n + 1`), as in
        // GNU as, which evaluates a `.set` where it is written.
        const at = this.evaluating.get(name);
        const index = at === undefined ? defs.length - 1 : at - 1;
        return this.evaluateEquate(name, defs, index, (d) => this.layoutContext(d.dotSection, d.dotOffset, labelOffset));
      },
    };
    return ctx;
  }

  /** Pass 2: every label has its address; an equate has its latest value in source order. */
  finalContext(place: Placement, dot: () => Value): EvalContext {
    return {
      final: true,
      dot: () => {
        this.labelLookups++;
        return dot();
      },
      lookup: (name) => {
        const label = this.label(name);
        if (label) {
          this.labelLookups++;
          return this.labelValue(label, place);
        }
        const current = this.replayed.get(name);
        if (current) return current;
        const defs = this.equates.get(name);
        if (!defs) {
          this.labelLookups++;
          return undefined;
        }
        return this.evaluateEquate(name, defs, defs.length - 1, (d) => this.finalContext(place, () => dotValue(d, place)));
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

  /**
   * The value of `name`'s definition number `index` (pass 1 looks at earlier ones while evaluating a
   * `.set` that names its own symbol). A value that used no label is kept in the definition: it
   * cannot change, and `.rept 100000` of `.set n, n + 1` then costs one step per use, not a chain.
   */
  private evaluateEquate(name: string, defs: EquateDef[], index: number, contextFor: (d: EquateDef) => EvalContext): Value | 'pending' {
    const def = defs[Math.max(index, 0)];
    if (index < 0 || this.evaluating.get(name) === index) throw new EvalError(def.pos, `symbol '${name}' is defined in terms of itself`);
    if (def.constant) return def.constant;
    const outer = this.evaluating.get(name);
    this.evaluating.set(name, index);
    const labelsBefore = this.labelLookups;
    try {
      const v = evaluate(def.expr, contextFor(def));
      if (isUnknown(v)) return 'pending';
      if (this.labelLookups === labelsBefore && v.section === null) def.constant = v;
      return v;
    } finally {
      if (outer === undefined) this.evaluating.delete(name);
      else this.evaluating.set(name, outer);
    }
  }
}

function dotValue(d: { dotSection: string; dotOffset: number }, place: Placement): Value {
  return { value: BigInt(place.inputAddress(d.dotSection) + d.dotOffset), section: place.outputOf(d.dotSection) };
}
