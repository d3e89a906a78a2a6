/**
 * Pass 1: walks the statements in order, defines labels at their section
 * offsets, runs directives, chooses each instruction's form and expansion
 * (sizes never change afterwards), and lists the items pass 2 will encode.
 */
import { Diagnostics, SourcePos } from './diagnostics';
import { DirectiveContext, NewItem, runDirective, switchesSection } from './directives';
import { EvalError, Expr, Value, evaluate, isUnknown } from './expr';
import { selectForm } from './forms';
import { Item, itemSize } from './items';
import { InstructionStmt, Statement } from './parser';
import { Lowered, lower } from './pseudo';
import { BranchRecord, longBranch, needsLongForm } from './relax';
import { InputSection, SectionFlags, defaultFlags, newInputSection } from './sections';
import { SymbolTable } from './symbols';
import { ParseError } from './token-stream';

export interface LayoutResult {
  readonly sections: readonly InputSection[];
  /** The conditional branches laid out in their short form. */
  readonly shortBranches: readonly BranchRecord[];
  /** All items in source order (pass 2 replays `.set` in this order). */
  readonly items: readonly Item[];
  readonly symbols: SymbolTable;
}

/**
 * Lays out the statements; `longBranches` are the indices of the conditional
 * branches to emit in their long form (see relax.ts).
 */
export function layout(statements: readonly Statement[], diags: Diagnostics, longBranches: ReadonlySet<number> = new Set()): LayoutResult {
  const pass = new LayoutPass(diags, longBranches);
  pass.run(statements);
  return pass.finish();
}

/** Lays out with branch relaxation: reruns until every short branch reaches its target. */
export function layoutRelaxed(statements: readonly Statement[], diags: Diagnostics): LayoutResult {
  const long = new Set<number>();
  for (;;) {
    const runDiags = new Diagnostics(diags.file);
    const result = layout(statements, runDiags, long);
    const grow = result.shortBranches.filter((b) => needsLongForm(b, result.symbols));
    if (grow.length === 0) {
      diags.absorb(runDiags);
      return result;
    }
    for (const b of grow) long.add(b.index);
  }
}

/** Largest section with contents (guest RAM is at most 2 GiB; images are far smaller in practice). */
const MAX_SECTION = 256 * 2 ** 20;
/** Largest .bss-like section: it costs nothing to assemble, but must still fit in guest RAM. */
const MAX_NOBITS_SECTION = 2048 * 2 ** 20;

class LayoutPass implements DirectiveContext {
  readonly symbols = new SymbolTable();
  private readonly sections = new Map<string, InputSection>();
  private readonly items: Item[] = [];
  private readonly sectionStack: InputSection[] = [];
  private readonly optionStack: boolean[] = [];
  current: InputSection;
  private previousSection: InputSection;
  private readonly shortBranches: BranchRecord[] = [];
  private anchors = 0;
  private branches = 0;
  private ended = false;
  /** Bytes of all sections with contents so far (bounded by MAX_SECTION together). */
  private imageBytes = 0;
  /** Sections that hit the size limit (reported once each; '' for the whole image). */
  private readonly oversized = new Set<string>();

  constructor(readonly diags: Diagnostics, private readonly longBranches: ReadonlySet<number>) {
    // gas creates .text, .data and .bss first, so they come first in their output sections.
    for (const name of ['.text', '.data', '.bss']) this.sections.set(name, newInputSection(name, defaultFlags(name)));
    this.current = this.sections.get('.text')!;
    this.previousSection = this.current;
  }

  run(statements: readonly Statement[]): void {
    for (const s of statements) {
      if (this.ended) break;
      this.statement(s);
    }
  }

  finish(): LayoutResult {
    for (const s of this.sections.values()) this.padCodeSection(s);
    return { sections: [...this.sections.values()], shortBranches: this.shortBranches, items: this.items, symbols: this.symbols };
  }

  /** gas pads the end of a code section to its alignment with no-ops (write.c SUB_SEGMENT_ALIGN). */
  private padCodeSection(s: InputSection): void {
    const padding = (s.align - (s.size % s.align)) % s.align;
    if (s.flags.exec && padding > 0) this.append(s, { kind: 'fill', size: padding, fill: 'nop', pos: { line: 0, column: 0 } });
  }

  private statement(s: Statement): void {
    if (this.inDebugSection() && !(s.body?.kind === 'directive' && switchesSection(s.body))) return;
    for (const label of s.labels) {
      const err = this.symbols.defineLabel(label.name, this.current.name, this.current.size, label.pos);
      if (err) this.diags.error(label.pos, err.replace(`'${label.name}'`, `'${label.display}'`));
    }
    const body = s.body;
    if (!body) return;
    try {
      if (body.kind === 'instruction') this.instruction(body);
      else if (body.kind === 'directive') runDirective(this, body);
      else this.equate(body.name, body.expr, body.pos, false);
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      this.diags.error(e.pos, e.message);
    }
  }

  /** DWARF from `gcc -g` is skipped: the debugger reads .hyperstep.lines instead. */
  private inDebugSection(): boolean {
    return this.current.name.startsWith('.debug');
  }

  private instruction(stmt: InstructionStmt): void {
    if (this.current.flags.nobits) {
      throw new ParseError(stmt.pos, `instruction in ${this.current.name}, which holds no data (NOBITS)`);
    }
    const form = selectForm(stmt.mnemonic, stmt.operands, stmt.pos);
    const lowered = lower(form, stmt.operands, stmt.pos, {
      constantNow: (expr) => this.constantNow(expr),
      newAnchor: () => `.Lpcrel^${++this.anchors}`,
    });
    for (const l of lowered) {
      if (l.anchor) this.symbols.defineLabel(l.anchor, this.current.name, this.current.size, stmt.pos);
      for (const real of this.relaxed(l, stmt)) {
        this.emit({ kind: 'insn', def: real.def, operands: real.operands, written: stmt.mnemonic, pos: stmt.pos });
      }
    }
  }

  /** A conditional branch in its short or long form, as relaxation decided. */
  private relaxed(l: Lowered, stmt: InstructionStmt): Lowered[] {
    if (l.def.format !== 'B') return [l];
    const index = this.branches++;
    if (this.longBranches.has(index)) return longBranch(l, stmt.pos);
    const target = l.operands[2];
    if (target.kind === 'expr') {
      this.shortBranches.push({ index, section: this.current.name, offset: this.current.size, target: target.expr });
    }
    return [l];
  }

  /** The value of an expression if it is an absolute constant now; undefined if not (yet). */
  private constantNow(expr: Expr): bigint | undefined {
    const v = evaluate(expr, this.symbols.layoutContext(this.current.name, this.current.size));
    return isUnknown(v) || v.section !== null ? undefined : v.value;
  }

  // ---- DirectiveContext --------------------------------------------------

  emit(item: NewItem): void {
    this.append(this.current, item);
  }

  private append(section: InputSection, item: NewItem): void {
    const full = { ...item, section: section.name, offset: section.size } as Item;
    const size = itemSize(full);
    const limit = section.flags.nobits ? MAX_NOBITS_SECTION : MAX_SECTION;
    // A guest image cannot be larger than guest RAM; refusing here, for every directive that emits,
    // also keeps a typo such as `.space 0x7fffffff` from making the assembler allocate gigabytes.
    // The bytes of all sections with contents count together: the emitter allocates them all.
    const over = section.size + size > limit ? `section ${section.name} would grow to ${section.size + size} bytes`
      : !section.flags.nobits && this.imageBytes + size > MAX_SECTION ? `the sections with contents would grow to ${this.imageBytes + size} bytes`
        : undefined;
    if (over) {
      const key = section.size + size > limit ? section.name : '';
      if (!this.oversized.has(key)) {
        this.oversized.add(key);
        this.diags.error(item.pos, `${over}, more than the ${limit / 2 ** 20} MiB a guest image may hold`);
      }
      return;
    }
    this.items.push(full);
    section.size += size;
    if (!section.flags.nobits) this.imageBytes += size;
  }

  switchTo(name: string, flags: SectionFlags | undefined): void {
    let s = this.sections.get(name);
    if (!s) {
      s = newInputSection(name, flags ?? defaultFlags(name));
      this.sections.set(name, s);
    }
    this.previousSection = this.current;
    this.current = s;
  }

  pushSection(): void {
    this.sectionStack.push(this.current);
  }

  popSection(pos: SourcePos): void {
    const s = this.sectionStack.pop();
    if (!s) throw new ParseError(pos, '.popsection without .pushsection');
    this.previousSection = this.current;
    this.current = s;
  }

  previous(pos: SourcePos): void {
    if (this.previousSection === this.current) throw new ParseError(pos, '.previous: no previous section');
    [this.current, this.previousSection] = [this.previousSection, this.current];
  }

  constant(expr: Expr, what: string): bigint | undefined {
    return this.known(expr, what, (v) => (v.section === null ? v.value : undefined));
  }

  offsetInSection(expr: Expr, what: string): number | undefined {
    const v = this.known(expr, what, (x) => (x.section === null || x.section === this.current.name ? x.value : undefined));
    return v === undefined ? undefined : Number(v);
  }

  /** Evaluates now; reports an error unless `accept` takes the value. */
  private known(expr: Expr, what: string, accept: (v: Value) => bigint | undefined): bigint | undefined {
    try {
      const v = evaluate(expr, this.symbols.layoutContext(this.current.name, this.current.size));
      const taken = isUnknown(v) ? undefined : accept(v);
      if (taken !== undefined) return taken;
      const why = isUnknown(v) && v.symbol ? ` ('${v.symbol}' is not defined before this line)` : '';
      this.diags.error(expr.pos, `${what} must be a constant known at this point${why}`);
    } catch (e) {
      if (!(e instanceof EvalError)) throw e;
      this.diags.error(e.pos, e.message);
    }
    return undefined;
  }

  equate(name: string, expr: Expr, pos: SourcePos, once: boolean): void {
    const def = { expr, pos, dotSection: this.current.name, dotOffset: this.current.size };
    const err = this.symbols.defineEquate(name, def, once);
    if (err) throw new ParseError(pos, err);
    this.emit({ kind: 'set', name, expr, pos });
  }

  setOption(name: string, pos: SourcePos, value: string): void {
    switch (name) {
      case 'push':
        this.optionStack.push(true);
        return;
      case 'pop':
        if (this.optionStack.pop() === undefined) throw new ParseError(pos, '.option pop without .option push');
        return;
      case 'rvc':
        throw new ParseError(pos, '.option rvc: the C extension is not supported (RV32IMA only)');
      case 'pic':
        throw new ParseError(pos, '.option pic: position-independent code is not supported; la is always pc-relative');
      case 'norvc':
      case 'relax':
      case 'norelax':
      case 'nopic':
      case 'csr-check':
      case 'no-csr-check':
        return;
      case 'arch':
        if (/(^|[+_,\s])c\b|^rv32[a-z]*c/.test(value)) {
          throw new ParseError(pos, '.option arch: the C extension is not supported (RV32IMA only)');
        }
        this.diags.warning(pos, '.option arch ignored: the ISA is always rv32ima_zicsr_zifencei');
        return;
      default:
        throw new ParseError(pos, `unknown .option '${name}'`);
    }
  }

  end(): void {
    this.ended = true;
  }
}

