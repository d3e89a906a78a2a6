// The block compiler: hot straight-line guest code → JavaScript functions (docs/block-compiler.md).
//
// A block starts at a host halfword (its decode-cache slot: host page + offset) and runs the
// already-decoded instructions after it, up to and including the first jump (a conditional branch
// is a side exit: the block goes on with its not-taken way, a superblock), stopping
// before anything the compiler leaves to the interpreter (CSRs, atomics, traps, privileged ops,
// breakpoints, undecoded halfwords) and at the end of the page. Its code is generated from the op
// table the interpreter is generated from (ops.ts), with the operands made constants; the virtual
// pc is a parameter, so the code bakes in nothing of the translation, the privilege or mstatus: the
// key is the host slot alone. Loads and stores probe the same fast tables as the interpreter; a
// miss leaves the block *before* the instruction, which the interpreter then runs (slow path, trap,
// MMIO exit, watchpoint) at exactly the boundary it would have reached on its own. A block whose
// branch or jump goes back to its own start is a JavaScript loop that checks the step budget.
import { CODE_LINE_SHIFT, DECODE_BIAS, HostMemory, PAGE_SHIFT } from '../mem/host-memory';
import { markNotSnapshotted } from '../mem/not-snapshotted';
import { insnLength, Op, OP_MASK, OP_SHIFT_RD, OP_SHIFT_RS1, OP_SHIFT_RS2, RD_MASK } from './decode';
import { FAST_MASK, writesCode } from './loop';
import { EVT_ABORT, EVT_TRAP } from './port';
import { ALU, BRANCH, HELPERS, LOAD, LoadOp, Operands, STORE, StoreOp } from './ops';

/**
 * A compiled block: runs from `pc`, at most `left` steps, `ret` instructions retired before it;
 * returns the steps retired (next pc and hits in `out`). When it returns with `cpu.evt` set, the
 * instruction at the returned pc raised the event in its slow path and is not counted: the run loop
 * finishes it as it finishes an interpreted one.
 */
type BlockFn = (pc: number, left: number, ret: number) => number;

interface Block {
  /** The compiled code, or null while the entry is only counted (or cannot be compiled). */
  fn: BlockFn | null;
  /** Instructions in one pass of the block: it runs only when the budget left covers them. */
  len: number;
  /** Times the entry was reached before compilation; -1: never compiled (first op is not compilable, or dropped). */
  count: number;
  /** Chaining (loop.ts): the decode slots and blocks that followed this one last (-1: none). */
  succSlot: number;
  succ: Block | null;
  succSlot2: number;
  succ2: Block | null;
}

/** The per-vCPU state the generated code reads: the CPU (for slow paths), registers, fast tables. */
interface BlockContext {
  cpu: {
    evt: number;
    xlateEpoch: number;
    atInsn(pc: number, retired: number): void;
    loadSlow(va: number, size: number, signed: boolean): number;
    storeSlow(va: number, size: number, value: number): void;
  };
  x: Int32Array;
  readTag: Int32Array;
  readHost: Int32Array;
  writeTag: Int32Array;
  writeHost: Int32Array;
}

/** Longest block, in instructions (a pass must fit in small budgets: single steps interpret). */
const MAX_BLOCK = 64;
/**
 * After this many invalidations by stores into one 128-byte line, that line is taken for data: no
 * block covers it any more (its instructions stay interpreted; the rest of the page compiles).
 */
const LINE_DROP_LIMIT = 4;

const ALU_OF = new Map(ALU);
const BRANCH_OF = new Map(BRANCH);
const LOAD_OF = new Map<Op, LoadOp>(LOAD);
const STORE_OF = new Map<Op, StoreOp>(STORE);
const HELPER_NAMES = Object.keys(HELPERS);
const HELPER_VALUES = HELPER_NAMES.map((k) => HELPERS[k as keyof typeof HELPERS]);
const PARAMS = ['cpu', 'x', 'dc', 'i32', 'u16', 'i16', 'u8', 'i8', 'readTag', 'readHost', 'writeTag', 'writeHost', 'codeLines', 'mem', 'bo', ...HELPER_NAMES];

/** Factories by source text, shared by every vCPU and machine (the same code compiles once). */
const factories = new Map<string, (...args: unknown[]) => BlockFn>();
const FACTORY_CACHE_LIMIT = 20000;

/** The alignment test of an access of `size` bytes (misaligned accesses take the slow path). */
function aligned(size: number): string {
  return size === 1 ? '' : ` && (va & ${size - 1}) === 0`;
}

function compilable(op: Op): boolean {
  return op === Op.NOP || op === Op.JAL || op === Op.JALR || ALU_OF.has(op) || BRANCH_OF.has(op) || LOAD_OF.has(op) || STORE_OF.has(op);
}

/** Jumps end a block; a conditional branch does not: its taken way is a side exit (a superblock). */
function endsBlock(op: Op): boolean {
  return op === Op.JAL || op === Op.JALR;
}

export class BlockCache {
  /** Entry slot (host byte offset + DECODE_BIAS) → block, counted or compiled. */
  readonly map = new Map<number, Block>();
  /** A block's results besides its step count: [next pc, fast-table hits]. */
  readonly out = new Int32Array(2);
  /** Host page → entry slots on it, to drop them when the page is written. */
  private readonly byPage = new Map<number, number[]>();
  /** Host line (byte offset >>> CODE_LINE_SHIFT) → times a store into it dropped compiled code. */
  private readonly lineDrops = new Map<number, number>();
  /** Host page → lines taken for data (bit per line): blocks stop before them. */
  private readonly dataLines = new Map<number, number>();
  /** Blocks compiled and dropped so far (statistics for tests and the bench). */
  compiled = 0;
  dropped = 0;

  constructor(private readonly mem: HostMemory, private readonly ctx: BlockContext, readonly threshold: number) {
    markNotSnapshotted(this); // derived from RAM, which has its own checkpoints; restores drop what they rewrite
    mem.codeListeners.push(this);
  }

  /** The interpreter reached a block boundary it had not seen: start counting it. */
  enter(slot: number): void {
    const b: Block = { fn: null, len: 0, count: 1, succSlot: -1, succ: null, succSlot2: -1, succ2: null };
    this.map.set(slot, b);
    const page = (slot - DECODE_BIAS) >>> PAGE_SHIFT;
    const list = this.byPage.get(page);
    if (list) list.push(slot); else this.byPage.set(page, [slot]);
    if (this.threshold <= 1) this.compile(b, slot);
  }

  /** Compiles the block at `slot` from the decode cache (see the file's header for where it stops). */
  compile(b: Block, slot: number): void {
    const dc = this.mem.decoded;
    const page = (slot - DECODE_BIAS) >>> PAGE_SHIFT;
    const pageEnd = ((page + 1) << PAGE_SHIFT) + DECODE_BIAS;
    const data = this.dataLines.get(page) ?? 0;
    const insns: number[] = [];
    for (let s = slot; s < pageEnd && insns.length < MAX_BLOCK;) {
      const d = dc[s];
      if (d === 0 || !compilable(d & OP_MASK)) break;
      const at = s - DECODE_BIAS, end = at + insnLength(d) - 1;
      if (((data >>> ((at >>> CODE_LINE_SHIFT) & 31)) & 1) || ((data >>> ((end >>> CODE_LINE_SHIFT) & 31)) & 1)) break;
      insns.push(s);
      s += insnLength(d);
      if (endsBlock(d & OP_MASK)) break;
    }
    if (insns.length === 0) { b.count = dc[slot] === 0 ? 0 : -1; return; } // undecoded: retry later; else never
    const src = this.source(insns, slot);
    let factory = factories.get(src);
    if (!factory) {
      if (factories.size >= FACTORY_CACHE_LIMIT) factories.clear();
      factory = new Function(...PARAMS, src) as (...args: unknown[]) => BlockFn;
      factories.set(src, factory);
    }
    const m = this.mem, c = this.ctx;
    b.fn = factory(c.cpu, c.x, dc, m.i32, m.u16, m.i16, m.u8, m.i8, c.readTag, c.readHost, c.writeTag, c.writeHost, m.codeLines, m, this.out, ...HELPER_VALUES);
    b.len = insns.length;
    // Mark the lines the block's bytes cover (from its first byte to its last instruction's end).
    const first = slot - DECODE_BIAS, last = insns[insns.length - 1] - DECODE_BIAS + insnLength(dc[insns[insns.length - 1]]) - 1;
    for (let line = (first >>> CODE_LINE_SHIFT) & 31; line <= ((last >>> CODE_LINE_SHIFT) & 31); line++) m.codeLines[page] |= 1 << line;
    this.compiled++;
  }

  /**
   * The page was written (a guest store at host byte `storeAt`, or -1: DMA, the debugger, a
   * checkpoint restore): forget its blocks.
   */
  dropPage(page: number, storeAt: number): void {
    const list = this.byPage.get(page);
    if (!list) return;
    for (const slot of list) {
      const b = this.map.get(slot);
      if (b) this.forget(b);
      this.map.delete(slot);
    }
    this.byPage.delete(page);
    if (storeAt >= 0) {
      const line = storeAt >>> CODE_LINE_SHIFT, drops = (this.lineDrops.get(line) ?? 0) + 1;
      this.lineDrops.set(line, drops);
      if (drops >= LINE_DROP_LIMIT) this.dataLines.set(page, (this.dataLines.get(page) ?? 0) | (1 << (line & 31)));
    }
  }

  /** Forgets every block (fence.i). */
  clear(): void {
    for (const b of this.map.values()) this.forget(b);
    this.map.clear();
    this.byPage.clear();
  }

  /** A block leaves the cache: blocks that chain to it must see it is gone. */
  private forget(b: Block): void {
    if (b.fn) this.dropped++;
    b.fn = null;
    b.count = -1;
    b.succSlot = b.succSlot2 = -1;
    b.succ = b.succ2 = null;
  }

  /** JavaScript source of the block whose instructions sit at decode-cache `slots`, entry first. */
  private source(slots: number[], entry: number): string {
    const dc = this.mem.decoded;
    const lines: string[] = [];
    const pcAt = (off: number): string => (off === 0 ? 'pc' : `((pc + ${off}) | 0)`);
    const exit = (k: number, pcExpr: string): string => `{ bo[0] = ${pcExpr}; bo[1] = hits; return done + ${k}; }`;
    const len = slots.length;
    let loops = false;
    let ended = false;
    for (let k = 0; k < len; k++) {
      const s = slots[k], d = dc[s], imm = dc[s + 1], op = d & OP_MASK;
      const off = s - entry, next = off + insnLength(d);
      const rd = (d >>> OP_SHIFT_RD) & RD_MASK, rs1 = (d >>> OP_SHIFT_RS1) & 31, rs2 = (d >>> OP_SHIFT_RS2) & 31;
      const o: Operands = { rs1: `x[${rs1}]`, rs2: `x[${rs2}]`, imm: `(${imm})`, pc: pcAt(off), next: pcAt(next) };
      const alu = ALU_OF.get(op), cond = BRANCH_OF.get(op), load = LOAD_OF.get(op), store = STORE_OF.get(op);
      if (op === Op.NOP) continue;
      if (alu) { lines.push(`x[${rd}] = ${alu(o)};`); continue; }
      if (load) {
        // A miss runs the interpreter's slow path here, with the clock settled as the interpreter
        // settles it (atInsn); an event (trap, abort, break) or a changed translation ends the block.
        lines.push(`{ const va = (${o.rs1} + ${o.imm}) | 0, vpn = va >>> 12, i = vpn & ${FAST_MASK};`,
          `  if (readTag[i] === vpn${aligned(load.size)}) { hits++; x[${rd}] = ${load.read('(readHost[i] + (va & 0xfff))')}; }`,
          `  else { cpu.atInsn(${o.pc}, ret + done + ${k}); const v = cpu.loadSlow(va, ${load.size}, ${load.signed});`,
          `    if (cpu.evt !== 0 || cpu.xlateEpoch !== epoch) {`,
          `      if ((cpu.evt & ${EVT_TRAP | EVT_ABORT}) !== 0) ${exit(k, o.pc)}`,
          `      x[${rd}] = v; bo[0] = ${o.next}; bo[1] = hits; return done + (cpu.evt !== 0 ? ${k} : ${k + 1});`,
          `    }`,
          `    x[${rd}] = v; } }`);
        continue;
      }
      if (store) {
        // A miss runs the slow path and ends the block after the store (a slow store may have
        // rewritten code: it drops blocks through HostMemory.invalidateCode).
        lines.push(`{ const va = (${o.rs1} + ${o.imm}) | 0, vpn = va >>> 12, i = vpn & ${FAST_MASK}, v = ${o.rs2};`,
          `  if (!(writeTag[i] === vpn${aligned(store.size)})) {`,
          `    cpu.atInsn(${o.pc}, ret + done + ${k}); cpu.storeSlow(va, ${store.size}, v);`,
          `    if ((cpu.evt & ${EVT_TRAP | EVT_ABORT}) !== 0) ${exit(k, o.pc)}`,
          `    bo[0] = ${o.next}; bo[1] = hits; return done + (cpu.evt !== 0 ? ${k} : ${k + 1});`,
          `  }`,
          `  hits++; const h = writeHost[i] + (va & 0xfff); ${store.write('h', 'v')}; ${store.clear('h')};`,
          // A store into a page that holds compiled code drops the page's blocks (this one may be
          // among them) and leaves after itself: what follows may have been rewritten.
          `  if (${writesCode('h')}) { mem.codeWritten(h); ${exit(k + 1, o.next)} } }`);
        continue;
      }
      // Back to the block's own start after k + 1 instructions: another pass while the budget
      // left covers a whole one (the longest pass: `len`).
      const toSelf = (): string => {
        loops = true;
        return `{ done += ${k + 1}; if (done + ${len} <= left) continue; bo[0] = pc; bo[1] = hits; return done; }`;
      };
      if (op === Op.JAL) { // a jump: the block's last instruction
        ended = true;
        lines.push(`x[${rd}] = ${o.next};`);
        lines.push(off + imm === 0 ? toSelf() : exit(k + 1, pcAt(off + imm)));
      } else if (op === Op.JALR) {
        ended = true;
        lines.push(`{ const t = (${o.rs1} + ${o.imm}) & ~1; x[${rd}] = ${o.next}; ${exit(k + 1, 't')} }`);
      } else if (cond) { // taken: a side exit (or the next pass); not taken: on to the next instruction
        lines.push(`if (${cond(o)}) ${off + imm === 0 ? toSelf() : exit(k + 1, pcAt(off + imm))}`);
      }
    }
    if (!ended) {
      const last = slots[len - 1];
      lines.push(exit(len, pcAt(last - entry + insnLength(dc[last]))));
    }
    const body = lines.join('\n    ');
    return `return function block(pc, left, ret) {
  let hits = 0, done = 0;
  const epoch = cpu.xlateEpoch;
  ${loops ? `for (;;) {\n    ${body}\n  }` : body}
};`;
  }
}
