// The block compiler: hot guest code → JavaScript functions (docs/block-compiler.md).
//
// A block starts at a host halfword (its decode-cache slot: host page + offset) and is a trace: the
// already-decoded instructions from there along fallthroughs and direct jumps (`jal` is followed
// to its target), up to an indirect jump, a return to an instruction already in the trace, or the
// cap; a conditional branch is a side exit (the trace goes on with its not-taken way). It stops
// before anything the compiler leaves to the interpreter (CSRs, atomics, traps, privileged ops,
// breakpoints, undecoded halfwords) and never leaves its page. Its code is generated from the op
// table the interpreter is generated from (ops.ts), with the operands made constants and the guest
// registers held in JavaScript locals (written back at the exit and around every slow path); the
// virtual pc is a parameter, so the code bakes in nothing of the translation, the privilege or
// mstatus: the key is the host slot alone. Loads and stores probe the same fast tables as the
// interpreter; a miss runs the interpreter's slow path with the clock settled, and any event
// there (trap, MMIO exit, watchpoint) ends the trace at exactly the boundary the interpreter would
// have reached. A trace whose branch or jump goes back to its own start is a JavaScript loop that
// checks the step budget; its loads and stores remember their last page in locals, and it leaves
// on a miss rather than calling the slow path, until it has missed often enough to be compiled
// with the slow paths inline (docs/block-compiler.md "Loads and stores inside a compiled loop").
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
type BlockFn = (k: BlockArgs, pc: number, left: number, ret: number) => number;

interface Block {
  /** The compiled code, or null while the entry is only counted (or cannot be compiled). */
  fn: BlockFn | null;
  /** Instructions in one pass of the trace (the most a pass runs): it runs only when the budget left covers them. */
  len: number;
  /** Times the entry was reached before compilation; -1: never compiled (first op is not compilable, or dropped). */
  count: number;
  /**
   * Loads and stores that missed and left this block's loop (a call-free loop leaves on a miss,
   * see docs/block-compiler.md "Loads and stores inside a compiled loop"); at MISS_LIMIT the block is
   * compiled again with its slow paths inline, and this is -1.
   */
  misses: number;
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
    dataTag: number;
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

/** Most instructions in one region (bounds the generated function's size). */
const MAX_REGION = 96;
/** Misses that leave a block's call-free loop before it is compiled with the slow paths inline. */
const MISS_LIMIT = 64;
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
/**
 * What a block reads of its vCPU and memory: one object per vCPU, passed to every block of that
 * vCPU as its first argument rather than captured, so that a block's function is one per source
 * text, shared by every vCPU and machine of the process, and V8 optimises it once.
 */
const CONTEXT_FIELDS = ['cpu', 'x', 'dc', 'i32', 'u16', 'i16', 'u8', 'i8', 'readTag', 'readHost', 'writeTag', 'writeHost', 'codeLines', 'mem', 'bo'] as const;
type BlockArgs = { readonly [K in typeof CONTEXT_FIELDS[number]]: unknown } & { relax(slot: number): void };

/** Block functions by source text, shared by every vCPU and machine (the same code compiles and warms up once). */
const functions = new Map<string, BlockFn>();
const FUNCTION_CACHE_LIMIT = 20000;

/** Where the generated slow path of a load empties the per-site page caches (filled in at the end). */
const FORGET_SITES = '/*forget-sites*/';

/** The alignment test of an access of `size` bytes (misaligned accesses take the slow path). */
function aligned(size: number): string {
  return size === 1 ? '' : ` && (va & ${size - 1}) === 0`;
}

function compilable(op: Op): boolean {
  return op === Op.NOP || op === Op.JAL || op === Op.JALR || ALU_OF.has(op) || BRANCH_OF.has(op) || LOAD_OF.has(op) || STORE_OF.has(op);
}

export class BlockCache {
  /** Entry slot (host byte offset + DECODE_BIAS) → block, counted or compiled. */
  readonly map = new Map<number, Block>();
  /** A block's results besides its step count: [next pc, fast-table hits]. */
  readonly out = new Int32Array(2);
  /** What every block of this vCPU is called with (CONTEXT_FIELDS). */
  readonly args: BlockArgs;
  /** Host page → entry slots on it, to drop them when the page is written. */
  private readonly byPage = new Map<number, number[]>();
  /** Host line (byte offset >>> CODE_LINE_SHIFT) → times a store into it dropped compiled code. */
  private readonly lineDrops = new Map<number, number>();
  /** Host page → lines taken for data (bit per line): blocks stop before them. */
  private readonly dataLines = new Map<number, number>();
  /** Blocks compiled and dropped so far (statistics for tests and the bench). */
  compiled = 0;
  dropped = 0;

  constructor(private readonly mem: HostMemory, ctx: BlockContext, readonly threshold: number) {
    const m = mem, c = ctx;
    this.args = {
      cpu: c.cpu, x: c.x, dc: m.decoded, i32: m.i32, u16: m.u16, i16: m.i16, u8: m.u8, i8: m.i8, readTag: c.readTag, readHost: c.readHost,
      writeTag: c.writeTag, writeHost: c.writeHost, codeLines: m.codeLines, mem: m, bo: this.out, relax: (slot: number) => this.relax(slot),
    };
    markNotSnapshotted(this); // derived from RAM, which has its own checkpoints; restores drop what they rewrite
    mem.codeListeners.push(this);
  }

  /** The interpreter reached a block boundary it had not seen: start counting it. */
  enter(slot: number): void {
    const b: Block = { fn: null, len: 0, count: 1, misses: 0, succSlot: -1, succ: null, succSlot2: -1, succ2: null };
    this.map.set(slot, b);
    const page = (slot - DECODE_BIAS) >>> PAGE_SHIFT;
    const list = this.byPage.get(page);
    if (list) list.push(slot); else this.byPage.set(page, [slot]);
    if (this.threshold <= 1) this.compile(b, slot);
  }

  /**
   * Compiles the region entered at `slot` from the decode cache: the decoded, compilable
   * instructions reachable from it on this page through fallthroughs, branches and direct jumps
   * (see the file's header and docs/block-compiler.md "Regions").
   */
  compile(b: Block, slot: number): void {
    const dc = this.mem.decoded;
    const page = (slot - DECODE_BIAS) >>> PAGE_SHIFT;
    const pageStart = (page << PAGE_SHIFT) + DECODE_BIAS, pageEnd = pageStart + (1 << PAGE_SHIFT);
    const data = this.dataLines.get(page) ?? 0;
    const isData = (at: number): boolean => ((data >>> ((at >>> CODE_LINE_SHIFT) & 31)) & 1) !== 0;
    // A trace: from the entry along fallthroughs and direct jumps, until an instruction it cannot
    // take, an indirect jump, a return to an instruction already in it, or the cap.
    const slots: number[] = [];
    const taken = new Set<number>();
    for (let s = slot; slots.length < MAX_REGION;) {
      if (taken.has(s) || s < pageStart || s >= pageEnd) break;
      const d = dc[s];
      if (d === 0 || !compilable(d & OP_MASK)) break;
      const at = s - DECODE_BIAS, len = insnLength(d);
      if (isData(at) || isData(at + len - 1)) break;
      taken.add(s);
      slots.push(s);
      const op = d & OP_MASK;
      if (op === Op.JALR) break;
      s = op === Op.JAL ? s + dc[s + 1] : s + len;
    }
    if (slots.length === 0) { b.count = dc[slot] === 0 ? 0 : -1; return; } // undecoded: retry later; else never
    const { src, firstRun } = this.source(slots, slot, b.misses < 0);
    let fn = functions.get(src);
    if (!fn) {
      if (functions.size >= FUNCTION_CACHE_LIMIT) functions.clear();
      fn = (new Function(...HELPER_NAMES, src) as (...helpers: unknown[]) => BlockFn)(...HELPER_VALUES);
      functions.set(src, fn);
    }
    const m = this.mem;
    b.fn = fn;
    b.len = firstRun;
    // Mark the lines the region's bytes cover, instruction by instruction.
    for (const s of slots) {
      const at = s - DECODE_BIAS, end = at + insnLength(dc[s]) - 1;
      for (let line = (at >>> CODE_LINE_SHIFT) & 31; line <= ((end >>> CODE_LINE_SHIFT) & 31); line++) m.codeLines[page] |= 1 << line;
    }
    this.compiled++;
  }

  /** A block's call-free loop left on a miss (see `misses`): at the limit, compile it with the slow paths inline. */
  private relax(slot: number): void {
    const b = this.map.get(slot);
    if (b === undefined || b.fn === null || b.misses < 0 || ++b.misses < MISS_LIMIT) return;
    b.misses = -1;
    this.compile(b, slot);
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

  /**
   * JavaScript source of the region whose instructions sit at decode-cache `slots` (in address
   * order), entered at `entry`; `firstRun`: the most instructions a call runs before its first
   * budget check (the dispatcher runs the region only when the budget covers them).
   *
   * Layout: the instructions in address order inside `for (;;) switch (L)`, one `case` per label
   * (the entry, every target of a branch or jump inside the region, every fallthrough that is not
   * the next instruction laid out). Straight-line code falls through from case to case; a taken
   * branch or jump to a label is a *transfer*: it adds the instructions run since the last one to
   * `done`, and goes on only if the budget left covers the longest stretch from the target to the
   * next transfer or exit (`run`), else it leaves with the target as the next pc, where the
   * interpreter goes on exactly. Guest registers live in JavaScript locals (`r5` for x5) loaded at
   * entry and written back at the single exit and before every slow path (reloaded after it).
   */
  private source(slots: number[], entry: number, inline: boolean): { src: string; firstRun: number } {
    const dc = this.mem.decoded;
    const n = slots.length;
    // Registers: x0 reads as 0; rd = 0 was decoded to the scratch x32 (decode.ts), kept as a local.
    const used = new Set<number>(), written = new Set<number>();
    for (const s of slots) {
      const d = dc[s], op = d & OP_MASK;
      if (op === Op.NOP) continue;
      const rd = (d >>> OP_SHIFT_RD) & RD_MASK, rs1 = (d >>> OP_SHIFT_RS1) & 31, rs2 = (d >>> OP_SHIFT_RS2) & 31;
      if (!BRANCH_OF.has(op) && !STORE_OF.has(op)) { used.add(rd); written.add(rd); }
      if (rs1 !== 0) used.add(rs1);
      if (rs2 !== 0) used.add(rs2);
    }
    const usedList = [...used].sort((p, q) => p - q), writtenList = [...written].sort((p, q) => p - q);
    const reg = (r: number): string => (r === 0 ? '0' : `r${r}`);
    const sync = writtenList.map((r) => `x[${r}] = r${r};`).join(' ');
    const reload = usedList.map((r) => `r${r} = x[${r}];`).join(' ');
    const pcAt = (s: number): string => (s === entry ? 'pc' : `((pc + ${s - entry}) | 0)`);
    // Passes back to the entry: the instructions and the loads and stores of one pass, for each
    // branch or jump back to it (a trace may have several, of different lengths).
    const isAccess = (s: number): boolean => LOAD_OF.has(dc[s] & OP_MASK) || STORE_OF.has(dc[s] & OP_MASK);
    // Where instruction i may go on to outside the trace's order: the targets of its transfers
    // (the generator below calls `transfer` with exactly these).
    const transfers = (i: number): number[] => {
      const s = slots[i], d = dc[s], op = d & OP_MASK, last = i === n - 1;
      if (op === Op.JAL) return last ? [s + dc[s + 1]] : [];
      if (op === Op.JALR) return [];
      return [...(BRANCH_OF.has(op) ? [s + dc[s + 1]] : []), ...(last ? [s + insnLength(d)] : [])];
    };
    const passes: { len: number; acc: number }[] = [];
    for (let i = 0, a = 0; i < n; i++) {
      if (isAccess(slots[i])) a++;
      for (const t of transfers(i)) if (t === entry) passes.push({ len: i + 1, acc: a });
    }
    const loops = passes.length > 0;
    // One kind of pass (the usual loop): `done` is a whole number of passes inside the loop, so the
    // hits of the passes before are `done / len × acc`, reckoned at the exit; the back-edge only
    // adds to `done` and compares it with the last start that still fits (`lim`).
    const uniform = loops && passes.every((q) => q.len === passes[0].len && q.acc === passes[0].acc) ? passes[0] : undefined;
    // Fast-table hits are counted statically: `acc` loads and stores of this pass come before the
    // instruction being generated, every exit adds those it passed (`hits`), and a slow path that
    // goes on takes its own access back out (`hits--`).
    let acc = 0;
    const before = uniform && uniform.acc ? `Math.floor(done / ${uniform.len}) * ${uniform.acc}` : '';
    const hitsAt = (h: number): string => (before ? ` hits += ${before}${h ? ` + ${h}` : ''};` : h ? ` hits += ${h};` : '');
    const exit = (count: string, pcExpr: string, h = acc): string => `{ npc = ${pcExpr};${hitsAt(h)} done += ${count}; break out; }`;
    // Back to the entry after j instructions of this pass: another pass while the budget left covers
    // a whole one; anywhere else: leave.
    const transfer = (j: number, s: number): string => {
      if (s !== entry) return exit(`${j}`, pcAt(s));
      if (uniform) return `{ done += ${j}; if (done > lim) { npc = pc;${hitsAt(0)} break out; } continue; }`;
      return `{ done += ${j};${acc ? ` hits += ${acc};` : ''} if (done + ${n} > left) { npc = pc; break out; } continue; }`;
    };
    // A trace that loops gives each load and store a page cache of its own in locals (see
    // docs/block-compiler.md "Loads and stores inside a compiled loop").
    const sites: string[] = [];
    const lines: string[] = [];
    // A loop with one way back that is not its last instruction is generated as the loop, then the
    // rest of the trace after it (the way out of the loop, run once): what only the rest uses or
    // changes is not carried around the loop.
    const split = uniform !== undefined && passes.length === 1 && uniform.len < n;
    // Whether the instruction being generated is inside the JavaScript loop.
    let inLoop = loops;
    // A loop leaves at a miss (before the access: the interpreter runs it) unless compiled `inline`.
    const callFree = loops && !inline;
    const access = (hit: (h: string) => string, size: number, table: 'read' | 'write', rs1: string, imm: string, miss: string, leave: string): void => {
      if (callFree && inLoop) miss = `missed = 1; ${leave}`;
      const probe = `const vpn = (va >>> 12) | dtag, i = vpn & ${FAST_MASK};`;
      const tag = `${table}Tag[i] === vpn${aligned(size)}`;
      if (!inLoop) {
        lines.push(`{ const va = (${rs1} + ${imm}) | 0; ${probe}`,
          `  if (${tag}) { ${hit(`(${table}Host[i] + (va & 0xfff))`)} }`,
          `  else { ${miss} } }`);
        return;
      }
      // The site remembers the last page it hit (page base `sNp`, or -1) and the host offset of
      // that page's byte 0 minus the base (`sNd`); one masked compare tests page and alignment.
      const p = `s${sites.length}`;
      sites.push(p);
      const mask = (-4096 | (size - 1)) | 0;
      lines.push(`{ const va = (${rs1} + ${imm}) | 0;`,
        `  if ((va & ${mask}) === ${p}p) { ${hit(`((va + ${p}d) | 0)`)} }`,
        `  else { ${probe}`,
        `    if (${tag}) { ${p}p = va & -4096; ${p}d = (${table}Host[i] - ${p}p) | 0; ${hit(`((va + ${p}d) | 0)`)} }`,
        `    else { ${miss} } } }`);
    };
    let tailFrom = lines.length;
    for (let i = 0, j = 0; i < n; i++) {
      const s = slots[i], d = dc[s], imm = dc[s + 1], op = d & OP_MASK;
      const rd = (d >>> OP_SHIFT_RD) & RD_MASK, rs1 = (d >>> OP_SHIFT_RS1) & 31, rs2 = (d >>> OP_SHIFT_RS2) & 31;
      const next = s + insnLength(d);
      const o: Operands = { rs1: reg(rs1), rs2: reg(rs2), imm: `(${imm})`, pc: pcAt(s), next: pcAt(next) };
      const alu = ALU_OF.get(op), cond = BRANCH_OF.get(op), load = LOAD_OF.get(op), store = STORE_OF.get(op);
      if (alu) lines.push(`r${rd} = ${alu(o)};`);
      else if (load) {
        // A miss runs the interpreter's slow path here, with the clock settled as the interpreter
        // settles it (atInsn); an event (trap, abort, break) or a changed translation ends the region.
        access((h) => `r${rd} = ${load.read(h)};`, load.size, 'read', o.rs1, o.imm,
          [`${sync} cpu.atInsn(${o.pc}, ret + done + ${j}); const v = cpu.loadSlow(va, ${load.size}, ${load.signed}); ${reload} ${inLoop ? FORGET_SITES : ''}`,
            `      if (cpu.evt !== 0 || cpu.xlateEpoch !== epoch) {`,
            `        if ((cpu.evt & ${EVT_TRAP | EVT_ABORT}) !== 0) ${exit(`${j}`, o.pc)}`,
            `        r${rd} = v; ${exit(`(cpu.evt !== 0 ? ${j} : ${j + 1})`, o.next)}`,
            `      }`,
            `      r${rd} = v; hits--;`].join('\n    '), exit(`${j}`, o.pc));
        acc++;
      } else if (store) {
        // A miss runs the slow path and ends the region after the store (a slow store may have
        // rewritten code: it drops blocks through HostMemory.invalidateCode). A store into a line
        // that holds compiled code drops the page's blocks (this one may be among them) and leaves
        // after itself: what follows may have been rewritten.
        lines.push(`{ const v = ${o.rs2};`);
        // In a call-free loop, a store into such a line leaves before itself: the interpreter runs it.
        const write = `${store.write('h', 'v')}; ${store.clear('h')};`;
        access((h) => (callFree && inLoop
          ? `const h = ${h}; if (${writesCode('h')}) ${exit(`${j}`, o.pc)} ${write}`
          : `const h = ${h}; ${write} if (${writesCode('h')}) { mem.codeWritten(h); ${exit(`${j + 1}`, o.next, acc + 1)} }`),
          store.size, 'write', o.rs1, o.imm,
          [`${sync} cpu.atInsn(${o.pc}, ret + done + ${j}); cpu.storeSlow(va, ${store.size}, v); ${reload}`,
            `      if ((cpu.evt & ${EVT_TRAP | EVT_ABORT}) !== 0) ${exit(`${j}`, o.pc)}`,
            `      ${exit(`(cpu.evt !== 0 ? ${j} : ${j + 1})`, o.next)}`].join('\n    '), exit(`${j}`, o.pc));
        lines.push('}');
        acc++;
      }
      j++;
      const last = i === n - 1; // the trace goes on into slots[i + 1] otherwise (it was built so)
      const [first, second] = transfers(i);
      if (op === Op.JAL) {
        lines.push(`r${rd} = ${o.next};`);
        if (last) lines.push(transfer(j, first));
      } else if (op === Op.JALR) {
        lines.push(`{ const t = (${o.rs1} + ${o.imm}) & ~1; r${rd} = ${o.next}; ${exit(`${j}`, 't')} }`);
      } else if (cond) {
        // Taken: a transfer (or a side exit); not taken: on to the next instruction.
        lines.push(`if (${cond(o)}) ${transfer(j, first)}`);
        if (last) lines.push(transfer(j, second));
      } else if (last) lines.push(transfer(j, first));
      if (split && j === uniform.len) { lines.push('break;'); tailFrom = lines.length; inLoop = false; }
    }
    const decl = [...usedList.map((r) => `r${r} = x[${r}]`), ...sites.map((p) => `${p}p = -1, ${p}d = 0`)].join(', ');
    // A slow load that goes on (a store's slow path always ends the trace) empties the site caches:
    // it may have changed the fast tables.
    const forget = sites.map((p) => `${p}p = -1;`).join(' ');
    const text = (from: number, to: number): string => lines.slice(from, to).join('\n    ').split(FORGET_SITES).join(forget);
    const body = split
      ? `out: {\n  for (;;) {\n    ${text(0, tailFrom)}\n  }\n    ${text(tailFrom, lines.length)}\n  }`
      : `out: for (;;) {\n    ${text(0, lines.length)}\n  }`;
    const src = `return function block(k, pc, left, ret) {
  const ${CONTEXT_FIELDS.map((f) => `${f} = k.${f}`).join(', ')};
  let hits = 0, done = 0, npc = pc${callFree ? ', missed = 0' : ''}${decl ? `, ${decl}` : ''};
  const epoch = cpu.xlateEpoch, dtag = cpu.dataTag${uniform ? `, lim = left - ${n}` : ''};
  ${body}
  ${sync}${callFree ? `\n  if (missed !== 0) k.relax(${entry});` : ''}
  bo[0] = npc; bo[1] = hits;
  return done;
};`;
    return { src, firstRun: n };
  }
}
