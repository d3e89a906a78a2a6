/**
 * Pass 2: with every section placed, evaluates and encodes each item into the
 * bytes of its output section, and records which source line produced each
 * instruction.
 */
import { Diagnostics } from './diagnostics';
import { EvalError, Expr, evaluate, isUnknown } from './expr';
import { AlreadyReported, EncodeContext, encodeInstruction } from './encoder';
import { CInsnItem, DataItem, FillItem, InsnItem, Item } from './items';
import type { LayoutResult } from './layout';
import { LineRecorder } from './line-table';
import { slotBits } from './rvc';
import { OutputSection } from './sections';
import { Placement, SymbolTable } from './symbols';

const NOP = 0x00000013;
/** c.nop: gas pads an odd halfword with it even without RVC (tc-riscv.c riscv_make_nops). */
const C_NOP = 0x0001;

export interface Image {
  /** Contents of each output section with file contents. */
  readonly bytes: ReadonlyMap<string, Uint8Array>;
  /** Which source line produced each instruction: the `.hyperstep.lines` section (line-table.ts). */
  readonly lineTable: Uint8Array;
}

/** Where each input section ended up. */
export function placementOf(outputs: readonly OutputSection[]): Placement {
  const outputOf = new Map<string, OutputSection>();
  for (const o of outputs) for (const s of o.inputs) outputOf.set(s.name, o);
  return {
    inputAddress: (section) => {
      const o = outputOf.get(section);
      return ((o?.address ?? 0) + (o?.inputOffsets.get(section) ?? 0)) >>> 0;
    },
    outputOf: (section) => outputOf.get(section)?.name ?? section,
  };
}

/** The target of an `auipc` with `%pcrel_hi(target)`. */
function pcrelHiTargetOf(item: InsnItem): Expr | undefined {
  for (const o of item.operands) {
    if (o.kind === 'expr' && o.expr.kind === 'reloc' && o.expr.op === 'pcrel_hi') return o.expr.arg;
  }
  return undefined;
}

/** Thrown by the encoding context when a `%pcrel_lo` names an auipc not encoded yet. */
class AuipcAhead extends Error {}

/**
 * Pass 2 one item at a time, for items laid out again instead of kept (docs/assembler.md, "Memory"):
 * `item` for each item in layout order, then `image`. The target of each `auipc` with `%pcrel_hi`
 * is noted as it is encoded; an instruction whose `%pcrel_lo` names an auipc further on (rare, but
 * gas allows it) waits until the end, so pass 1 need not keep every auipc for pass 2.
 */
export class Emitter {
  private readonly place: Placement;
  private readonly buffers = new Map<string, Uint8Array>();
  private readonly outputs = new Map<string, OutputSection>();
  private readonly lines: LineRecorder;
  private readonly pcrelHi = new Map<number, number | 'failed'>();
  /** Instructions whose `%pcrel_lo` names an auipc not encoded yet: encoded by `image`. */
  private readonly waiting: InsnItem[] = [];
  private allItems = false;

  private readonly symbols: SymbolTable;

  /** `layoutResult`: pass 1's symbols, and whether the file turned compression on. */
  constructor(
    private readonly layoutResult: Pick<LayoutResult, 'symbols' | 'rvc'>,
    outputs: readonly OutputSection[],
    file: string,
    private readonly diags: Diagnostics,
  ) {
    this.symbols = layoutResult.symbols;
    this.lines = new LineRecorder(file);
    this.place = placementOf(outputs);
    for (const o of outputs) {
      this.outputs.set(o.name, o);
      if (!o.flags.nobits) this.buffers.set(o.name, new Uint8Array(o.size));
    }
  }

  item(item: Item): void {
    this.guarded(item, () => this.emit(item));
  }

  /** The bytes and the line map, once every item has been given. */
  image(): Image {
    this.allItems = true;
    for (const item of this.waiting.splice(0)) this.guarded(item, () => this.instruction(item, true));
    return { bytes: this.buffers, lineTable: this.lines.encode() };
  }

  private address(item: { section: string; offset: number }, extra = 0): number {
    return (this.place.inputAddress(item.section) + item.offset + extra) >>> 0;
  }

  private context(dot: number): EncodeContext {
    const evalCtx = this.symbols.finalContext(this.place, () => ({ value: BigInt(dot), section: null }));
    return {
      pc: dot,
      evaluate: (e) => {
        const v = evaluate(e, evalCtx);
        if (isUnknown(v)) throw new EvalError(e.pos, `'${v.symbol ?? 'expression'}' cannot be resolved`);
        return v;
      },
      pcrelHiTarget: (address) => {
        const target = this.pcrelHi.get(address);
        if (target === undefined && !this.allItems) throw new AuipcAhead();
        return target;
      },
      warn: (pos, message) => this.diags.warning(pos, message),
      rvc: this.layoutResult.rvc,
    };
  }

  /** Notes the target of an auipc's `%pcrel_hi` by the auipc's address, for the `%pcrel_lo`s that name it. */
  private notePcrelHi(item: InsnItem, pc: number): void {
    const target = pcrelHiTargetOf(item);
    if (!target) return;
    try {
      this.pcrelHi.set(pc, Number(BigInt.asUintN(32, this.context(pc).evaluate(target).value)));
    } catch (e) {
      if (!(e instanceof EvalError)) throw e;
      this.pcrelHi.set(pc, 'failed'); // reported when the auipc itself is encoded
    }
  }

  private guarded(item: Item, action: () => void): void {
    try {
      action();
    } catch (e) {
      if (!(e instanceof EvalError)) throw e;
      if (!(e instanceof AlreadyReported)) this.diags.error(e.pos, e.message);
      if (item.kind === 'insn' || item.kind === 'cinsn') this.recordLine(item);
    }
  }

  private emit(item: Item): void {
    switch (item.kind) {
      case 'insn': return this.instruction(item);
      case 'cinsn': return this.compressed(item);
      case 'data': return this.data(item);
      case 'bytes': return this.write(item, item.bytes);
      case 'fill':
        // Zero fill in a NOBITS section (.bss) has nothing to write: do not build the bytes.
        if (item.fill === 0 && this.outputs.get(this.place.outputOf(item.section))?.flags.nobits) return;
        return this.write(item, fillBytes(item));
      case 'set': {
        const v = this.context(this.address(item)).evaluate(item.expr);
        this.symbols.replay(item.name, v);
      }
    }
  }

  /** `again`: a waiting instruction encoded at the end (its line is recorded already). */
  private instruction(item: InsnItem, again = false): void {
    const address = this.address(item);
    if (!again) {
      this.recordLine(item);
      if (address % 4 !== 0 && !this.layoutResult.rvc) {
        this.diags.warning(item.pos, `instruction at 0x${address.toString(16)} is not 4-byte aligned: it traps without the C extension`);
      }
      this.notePcrelHi(item, address);
    }
    let word: number;
    try {
      word = encodeInstruction(item, this.context(address));
    } catch (e) {
      if (!(e instanceof AuipcAhead)) throw e;
      this.waiting.push(item);
      return;
    }
    this.write(item, le(word, 4));
  }

  /** A compressed instruction: its fields, and a branch or jump target checked for range (±256 B / ±2 KiB). */
  private compressed(item: CInsnItem): void {
    this.recordLine(item);
    let half = item.half;
    if (item.target) {
      const pc = this.address(item);
      const { expr, slot } = item.target;
      const target = Number(BigInt.asUintN(32, this.context(pc).evaluate(expr).value));
      const offset = (target - pc) | 0;
      const limit = slot === 'cb' ? 256 : 2048;
      const hex = `0x${target.toString(16)}`;
      if (offset % 2 !== 0) throw new EvalError(expr.pos, `misaligned branch target ${hex}: offset ${offset} is odd`);
      if (offset < -limit || offset >= limit) {
        throw new EvalError(expr.pos, `branch target ${hex} out of range for ${item.written}: offset ${offset} (${slot === 'cb' ? '±256 B' : '±2 KiB'})`);
      }
      half |= slotBits(slot, offset);
    }
    this.write(item, le(half, 2));
  }

  private recordLine(item: InsnItem | CInsnItem): void {
    this.lines.add(this.address(item), item.pos.line);
  }

  private data(item: DataItem): void {
    const bytes: number[] = [];
    item.values.forEach((expr, i) => {
      const v = this.context(this.address(item, i * item.width)).evaluate(expr).value;
      checkTruncation(v, item.width, (message) => this.diags.warning(expr.pos, message));
      bytes.push(...le(v, item.width));
    });
    this.write(item, bytes);
  }

  private write(item: Item, bytes: ArrayLike<number>): void {
    const output = this.outputs.get(this.place.outputOf(item.section));
    if (!output) return;
    const start = (output.inputOffsets.get(item.section) ?? 0) + item.offset;
    if (output.flags.nobits) {
      if (Array.prototype.some.call(bytes, (b: number) => b !== 0)) throw new EvalError(item.pos, `non-zero data in ${item.section}, which holds no data (NOBITS)`);
      return;
    }
    this.buffers.get(output.name)?.set(bytes, start);
  }
}

function le(value: number | bigint, width: number): number[] {
  const v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  for (let i = 0; i < width; i++) out.push(Number((v >> BigInt(8 * i)) & 0xffn));
  return out;
}

function fillBytes(item: FillItem): ArrayLike<number> {
  if (typeof item.fill === 'number') return new Uint8Array(item.size).fill(item.fill);
  if (item.fill !== 'nop') {
    const out = new Uint8Array(item.size);
    const pattern = item.fill;
    for (let i = 0; i < out.length; i++) out[i] = pattern[i % pattern.length];
    return out;
  }
  const out: number[] = [];
  if (item.size % 2 === 1) out.push(0);
  if ((item.size - out.length) % 4 === 2) out.push(...le(C_NOP, 2));
  while (out.length < item.size) out.push(...le(NOP, 4));
  return out;
}

/** gas warns when a value does not fit its field as either a signed or an unsigned number. */
function checkTruncation(v: bigint, width: number, warn: (message: string) => void): void {
  if (width >= 8) return;
  const high = ~((1n << BigInt(8 * width)) - 1n);
  if ((v & high) !== 0n && (-v & high) !== 0n) {
    const kept = BigInt.asUintN(8 * width, v);
    warn(`value 0x${BigInt.asUintN(64, v).toString(16)} truncated to 0x${kept.toString(16)}`);
  }
}
