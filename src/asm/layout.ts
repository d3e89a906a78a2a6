/**
 * Pass 1: walks the statements in order, defines labels at their section
 * offsets, runs directives, chooses each instruction's form and expansion
 * (compressed or not: compress.ts), and lists the items pass 2 will encode.
 * Branch and jump sizes are decided between two runs (gas-relax.ts).
 */
import { Compressed, compressAlias, compressExplicit, EXPLICIT } from './compress';
import { Diagnostics, SourcePos } from './diagnostics';
import { DirectiveContext, NewItem, runDirective, switchesSection } from './directives';
import { EvalError, Expr, Value, evaluate, isUnknown } from './expr';
import { selectForm } from './forms';
import { FragList, NO_VARIABLE, TargetOffset, VarPart, branchPart, relaxSections } from './gas-relax';
import { instructionForms } from './isa';
import { Item, itemSize } from './items';
import { Operand, InstructionStmt, Statement } from './parser';
import { Lowered, lower } from './pseudo';
import { longBranch } from './relax';
import { InputSection, SectionFlags, defaultFlags, newInputSection } from './sections';
import { SymbolTable } from './symbols';
import { ParseError } from './token-stream';

export interface LayoutResult {
  readonly sections: readonly InputSection[];
  /** All items in source order (pass 2 replays `.set` in this order); empty when they went to `onItem`. */
  readonly items: readonly Item[];
  readonly symbols: SymbolTable;
  /** Each section as gas's frags (gas-relax.ts); the labels say where they are in them. Empty in a replay. */
  readonly frags: ReadonlyMap<string, FragList>;
  /** The size each branch or jump was given, by index. */
  readonly lengths: ArrayLike<number>;
  /** `.option rvc` (or `arch, +c`) was seen: the ELF says EF_RISCV_RVC, as gas's does. */
  readonly rvc: boolean;
}

/**
 * The statements to lay out: held in memory, or produced again by each call (a large source is
 * parsed once per layout instead of being held as statements; docs/assembler.md, "Memory").
 */
export type StatementSource = readonly Statement[] | ((each: (s: Statement) => void) => void);

/**
 * Lays out the statements; `lengths` gives the size of each branch or jump by index (absent:
 * the shortest form). Items go to `onItem` as they are made when it is given, instead of into
 * the result: laying out the same statements with the result's `lengths` makes the same items.
 */
export function layout(
  statements: StatementSource, diags: Diagnostics, lengths?: ArrayLike<number>, onItem?: (item: Item) => void,
): LayoutResult {
  return runPass(statements, new LayoutPass(diags, SymbolTable.empty(), lengths, onItem));
}

/**
 * Lays the statements of `pass1` out again, with its branch sizes, handing each item to `onItem`:
 * the same items as pass 1's last run, in the same order. It keeps no frags and defines no labels
 * of its own (it knows pass 1's as it reaches them: SymbolTable.replaying), so the second pass over
 * a large file costs little more than its items (docs/assembler.md, "Memory"). Its diagnostics
 * repeat pass 1's; the caller drops them.
 */
export function relayout(statements: StatementSource, pass1: LayoutResult, diags: Diagnostics, onItem: (item: Item) => void): void {
  runPass(statements, new LayoutPass(diags, SymbolTable.replaying(pass1.symbols), pass1.lengths, onItem, true));
}

function runPass(statements: StatementSource, pass: LayoutPass): LayoutResult {
  if (typeof statements === 'function') statements((s) => pass.run([s]));
  else pass.run(statements);
  return pass.finish();
}

/**
 * Lays out with branch relaxation: a first run gives the frags, gas-relax.ts the sizes gas would
 * give every branch and jump, and a second run (only when a size differs) lays out with them.
 * `onItem` sees the items of every run.
 */
export function layoutRelaxed(
  statements: StatementSource, diags: Diagnostics, onItem?: (item: Item) => void,
): LayoutResult {
  const firstDiags = new Diagnostics(diags.file);
  const first = layout(statements, firstDiags, undefined, onItem);
  const lengths = relaxSections(first.frags, first.symbols.labels, targetResolver(first.symbols));
  if (lengths.every((n, i) => first.lengths[i] === n)) {
    diags.absorb(firstDiags);
    return first;
  }
  return layout(statements, diags, lengths, onItem);
}

/**
 * A branch target as an offset in `section`, or undefined (another section, a number, undefined,
 * weak). `label ± n` and `. ± n` (nearly every target) are looked up directly; anything else is
 * evaluated with the labels where relaxation has them.
 */
function targetResolver(symbols: SymbolTable): TargetOffset {
  const nowhere = { line: 0, column: 0 };
  return (branch, section, dot, labelOffset) => {
    if (!branch.target && branch.name === undefined) return dot + branch.addend;
    const label = branch.target ? undefined : symbols.labels.get(branch.name!);
    if (label) {
      if (label.section !== section || symbols.attributes.get(label.name)?.binding === 'weak') return undefined;
      return (labelOffset(label.name) ?? label.offset) + branch.addend;
    }
    // Not a label (an equate, undefined): evaluated as written, `name + addend` when it was that.
    const target: Expr = branch.target ?? {
      kind: 'binary', op: '+', left: { kind: 'sym', name: branch.name!, pos: nowhere }, right: { kind: 'num', value: BigInt(branch.addend), pos: nowhere }, pos: nowhere,
    };
    try {
      const v = evaluate(target, symbols.layoutContext(section, dot, labelOffset));
      return isUnknown(v) || v.section !== section ? undefined : Number(v.value);
    } catch (e) {
      if (e instanceof EvalError) return undefined; // reported when encoding
      throw e;
    }
  };
}

/** Largest section with contents (guest RAM is at most 2 GiB; images are far smaller in practice). */
const MAX_SECTION = 256 * 2 ** 20;
/** Largest .bss-like section: it costs nothing to assemble, but must still fit in guest RAM. */
const MAX_NOBITS_SECTION = 2048 * 2 ** 20;

class LayoutPass implements DirectiveContext {
  private readonly sections = new Map<string, InputSection>();
  private readonly items: Item[] = [];
  private readonly sectionStack: InputSection[] = [];
  /** `.option push` saves whether compression is on. */
  private readonly optionStack: boolean[] = [];
  /** Compressed instructions allowed and ordinary ones compressed (`.option rvc`). */
  rvc = false;
  private rvcSeen = false;
  private instructionSeen = false;
  current: InputSection;
  private previousSection: InputSection;
  private anchors = 0;
  /** Branches and jumps so far: their index in `lengths`. */
  private relaxables = 0;
  private readonly usedLengths: number[] = [];
  private readonly frags = new Map<string, { fixed: number[]; variable: VarPart[]; start: number }>();
  private ended = false;
  /** Bytes of all sections with contents so far (bounded by MAX_SECTION together). */
  private imageBytes = 0;
  /** Sections that hit the size limit (reported once each; '' for the whole image). */
  private readonly oversized = new Set<string>();

  /** `replay`: laying pass 1 out again (relayout): its branch sizes are known, so no frags are kept. */
  constructor(
    readonly diags: Diagnostics,
    readonly symbols: SymbolTable,
    private readonly lengths: ArrayLike<number> | undefined,
    private readonly onItem?: (item: Item) => void,
    private readonly replay = false,
  ) {
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
    // Each section's last frag: what follows its last variable part.
    for (const [name, f] of this.frags) {
      f.fixed.push(this.sections.get(name)!.size - f.start);
      f.variable.push(NO_VARIABLE);
    }
    for (const s of this.sections.values()) this.padCodeSection(s);
    return {
      sections: [...this.sections.values()], items: this.items, symbols: this.symbols,
      frags: this.frags, lengths: this.usedLengths, rvc: this.rvcSeen,
    };
  }

  private fragsOf(s: InputSection): { fixed: number[]; variable: VarPart[]; start: number } {
    let f = this.frags.get(s.name);
    if (!f) this.frags.set(s.name, (f = { fixed: [], variable: [], start: 0 }));
    return f;
  }

  /** Ends the current frag with a variable part (emitted by `emit`), as gas's frag_var does. */
  variable(part: VarPart, emit: () => void): void {
    if (this.replay) return emit();
    const s = this.current;
    const f = this.fragsOf(s);
    f.fixed.push(s.size - f.start);
    f.variable.push(part);
    emit();
    f.start = s.size;
  }

  private defineLabelHere(name: string, pos: SourcePos): string | undefined {
    const s = this.current;
    const label = this.symbols.defineLabel(name, s.name, s.size, pos);
    if (typeof label === 'string') return label;
    if (!this.replay) {
      const f = this.fragsOf(s);
      label.frag = f.fixed.length;
      label.delta = s.size - f.start;
    }
    return undefined;
  }

  /** gas pads the end of a code section to its alignment with no-ops (write.c SUB_SEGMENT_ALIGN). */
  private padCodeSection(s: InputSection): void {
    const padding = (s.align - (s.size % s.align)) % s.align;
    if (s.flags.exec && padding > 0) this.append(s, { kind: 'fill', size: padding, fill: 'nop', pos: { line: 0, column: 0 } });
  }

  private statement(s: Statement): void {
    if (this.inDebugSection() && !(s.body?.kind === 'directive' && switchesSection(s.body))) return;
    for (const label of s.labels) {
      const err = this.defineLabelHere(label.name, label.pos);
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
    this.instructionSeen = true;
    const constantNow = (expr: Expr): bigint | undefined => this.constantNow(expr);
    if (EXPLICIT.has(stmt.mnemonic)) {
      if (!this.rvc) {
        throw new ParseError(stmt.pos, `${stmt.mnemonic} is a compressed instruction: write .option rvc (or .option arch, +c) before it`);
      }
      const c = compressExplicit(stmt.mnemonic, stmt.operands, stmt.pos, constantNow);
      if ('message' in c) throw new ParseError(c.pos, c.message);
      return this.compressed(c, stmt);
    }
    if (this.rvc) {
      const c = compressAlias(stmt.mnemonic, stmt.operands, stmt.pos, constantNow);
      if (c) return this.compressed(c, stmt);
    }
    const form = selectForm(stmt.mnemonic, stmt.operands, stmt.pos);
    const lowered = lower(form, stmt.operands, stmt.pos, {
      constantNow,
      newAnchor: () => `.Lpcrel^${++this.anchors}`,
    });
    // gas builds li's lui/addi (and la's for a constant) as text it assembles again (load_const),
    // so each may be compressed; other expansions are built as 32-bit instructions (macro_build).
    const macro = form.kind === 'pseudo' ? form.def.macro : undefined;
    const reassembled = this.rvc && ((macro === 'li' && lowered.some((l) => l.def.mnemonic === 'lui'))
      || (macro === 'la' && !lowered.some((l) => l.def.mnemonic === 'auipc')));
    // gas keeps call's auipc and jalr in one frag and starts the next after the jalr (riscv_call).
    const call = macro === 'call' || macro === 'tail' || macro === 'jump';
    lowered.forEach((l, i) => {
      if (l.anchor) this.defineLabelHere(l.anchor, stmt.pos);
      const c = reassembled ? compressAlias(l.def.mnemonic, l.operands, stmt.pos, constantNow) : undefined;
      if (c) this.compressed(c, stmt);
      else this.real(l, stmt, call ? (i === lowered.length - 1 ? 'after' : 'never') : 'hi20');
    });
  }

  /**
   * One 32-bit instruction; a branch or jump is a variable part whose size relaxation decides.
   * `newFrag`: when gas starts a new frag after it ('hi20': after lui/auipc, append_insn's frag_wane).
   */
  private real(l: Lowered, stmt: InstructionStmt, newFrag: 'hi20' | 'after' | 'never'): void {
    const insn = (x: Lowered): void => this.emit({ kind: 'insn', def: x.def, operands: x.operands, written: stmt.mnemonic, pos: stmt.pos });
    const format = l.def.format;
    const target = format === 'B' ? l.operands[2] : format === 'J' ? l.operands[1] : undefined;
    if (target?.kind === 'expr') {
      const index = this.relaxables++;
      const length = this.lengthOf(index, 4);
      const part = branchPart(index, false, format === 'J', target.expr);
      this.variable(part, () => (length === 8 ? longBranch(l, stmt.pos).forEach(insn) : insn(l)));
      return;
    }
    insn(l);
    const hi20 = l.def.mnemonic === 'lui' || l.def.mnemonic === 'auipc';
    if (newFrag === 'after' || (newFrag === 'hi20' && hi20)) this.variable(NO_VARIABLE, () => undefined);
  }

  private lengthOf(index: number, shortest: number): number {
    const length = this.lengths?.[index] || shortest; // 0: none given (no branch is 0 bytes)
    if (!this.replay) this.usedLengths[index] = length;
    return length;
  }

  /** A compressed instruction; a branch or jump in the form relaxation chose (tc-riscv.c md_convert_frag_branch). */
  private compressed(c: Compressed, stmt: InstructionStmt): void {
    const pos = stmt.pos;
    const cinsn = (half: number, target?: Compressed['target']): void =>
      this.emit({ kind: 'cinsn', half, target, written: stmt.mnemonic, pos });
    if (!c.target) return cinsn(c.half);
    const index = this.relaxables++;
    const jump = c.target.slot === 'cj';
    const length = this.lengthOf(index, 2);
    const target = c.target;
    const reg = (r: number): Operand => ({ kind: 'reg', reg: r, text: `x${r}`, pos });
    const to: Operand = { kind: 'expr', expr: target.expr, pos: target.expr.pos };
    const jal = (rd: number): Lowered => ({ def: instructionForms('jal')[0], operands: [reg(rd), to] });
    const insn = (x: Lowered): void => this.emit({ kind: 'insn', def: x.def, operands: x.operands, written: stmt.mnemonic, pos });
    this.variable(branchPart(index, true, jump, target.expr), () => {
      if (length === 2) return cinsn(c.half, target);
      if (jump) return insn(jal(c.mnemonic === 'c.jal' ? 1 : 0));
      const beqz = c.mnemonic === 'c.beqz';
      if (length === 6) {
        const over: Expr = { kind: 'binary', op: '+', left: { kind: 'dot', pos }, right: { kind: 'num', value: 6n, pos }, pos };
        cinsn(c.half ^ 0x2000, { expr: over, slot: 'cb' }); // c.beqz ↔ c.bnez (funct3 bit 13)
        return insn(jal(0));
      }
      const wide: Lowered = { def: instructionForms(beqz ? 'beq' : 'bne')[0], operands: [reg(8 + ((c.half >> 7) & 7)), reg(0), to] };
      if (length === 4) return insn(wide);
      longBranch(wide, pos).forEach(insn);
    });
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
    if (this.onItem) this.onItem(full);
    else this.items.push(full);
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
    this.symbols.settle(name);
    this.emit({ kind: 'set', name, expr, pos });
  }

  private setRvc(on: boolean): void {
    this.rvc = on;
    if (on) this.rvcSeen = true;
  }

  setOption(name: string, pos: SourcePos, value: string): void {
    switch (name) {
      case 'push':
        this.optionStack.push(this.rvc);
        return;
      case 'pop': {
        const saved = this.optionStack.pop();
        if (saved === undefined) throw new ParseError(pos, '.option pop without .option push');
        this.rvc = saved;
        return;
      }
      case 'rvc':
        return this.setRvc(true);
      case 'norvc':
        return this.setRvc(false);
      case 'pic':
        throw new ParseError(pos, '.option pic: position-independent code is not supported; la is always pc-relative');
      case 'relax':
      case 'norelax':
      case 'nopic':
      case 'csr-check':
      case 'no-csr-check':
        return;
      case 'arch':
        return this.optionArch(value, pos);
      default:
        throw new ParseError(pos, `unknown .option '${name}'`);
    }
  }

  /**
   * `.option arch, +c` / `-c` switch compression on or off, as `.option rvc` / `norvc` do; a whole
   * ISA string (`rv32imac`) turns it on when it names C. The other extensions are fixed: naming
   * one we have is fine, adding or removing any other is ignored with a warning.
   */
  private optionArch(value: string, pos: SourcePos): void {
    const parts = value.split(',').map((x) => x.trim().toLowerCase()).filter((x) => x !== '');
    const ignored: string[] = [];
    for (const part of parts) {
      const isa = /^rv32([a-z]*)(.*)$/.exec(part);
      if (isa) {
        this.setRvc(isa[1].includes('c'));
        if (!/^[ig]?[imac]*$/.test(isa[1])) ignored.push(part);
      } else if (part === '+c' || part === '-c') {
        this.setRvc(part === '+c');
      } else if (!/^\+(i|m|a|zicsr|zifencei)$/.test(part)) {
        ignored.push(part);
      }
    }
    if (parts.length === 0) throw new ParseError(pos, '.option arch needs an ISA string or +/- extensions');
    if (ignored.length > 0) {
      this.diags.warning(pos, `.option arch ${ignored.join(', ')} ignored: only C can be switched (the ISA is rv32ima_zicsr_zifencei)`);
    }
  }

  /** gas takes the ISA from `.attribute arch` before the first instruction, and refuses it after. */
  archAttribute(isa: string, pos: SourcePos): void {
    if (this.instructionSeen) throw new ParseError(pos, '.attribute arch must come before any instruction (as in GNU as)');
    const parts = isa.toLowerCase().split('_');
    const base = parts[0].replace(/^rv(32|64)/, '').replace(/\d+(p\d+)?/g, '');
    this.setRvc(base.includes('c') || parts.slice(1).some((x) => /^c(\d+(p\d+)?)?$/.test(x)));
  }

  end(): void {
    this.ended = true;
  }
}

