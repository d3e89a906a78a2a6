// The recorder's memory (docs/interrupt-provenance.md "How chains are stored"): chains and hops as
// compact numeric records in typed arrays, not objects and strings. Recording a hop writes a few
// numbers; its sentence (`text`) is composed from them only when a request or a view reads the chain
// (hop-text.ts). Everything here is machine state: reverse execution's checkpoints (vm/snapshot.ts)
// copy a typed array with one memcpy, where a ring of chain objects cost a walk over every hop.
//
// Chains live in a ring: chain `id` sits in slot id & (slots - 1), `slots` the power of two at or
// above `capacity` (a mask, not a division, on every hop), until chain id + capacity pushes it out
// (then it is counted by outcome in `dropped` and its slot reads as empty). Hops live in a pool
// shared by all chains, each chain a linked list through its hops, each hop naming the chain that
// owns it. The pool is written like a log: a cursor goes round it, skipping the hops of chains
// still in the ring and reusing the others (their chain has left it). Written in order, the next
// hop's record is next to the last one, where a free list sent every hop to a cold record whose
// link had to be loaded first — a cache miss per hop, most of what a hop cost. When a whole turn
// finds only live hops the pool doubles, so it stays bounded by the live chains' hops.

/** Codes of a hop's layer, a chain's outcome and its kind of source (their names: src/protocol, mapped in src/debug/provenance.ts). */
export const L_DEVICE = 0, L_VMM = 1, L_KERNEL = 2, L_GUEST = 3;
export const O_HANDLED = 0, O_IN_SERVICE = 1, O_PENDING = 2, O_BLOCKED = 3, O_COALESCED = 4, O_LOST = 5;
const OUTCOME_COUNT = 6;
export const SK_INTX = 0, SK_MSI = 1, SK_TESTDEV = 2, SK_IPI = 3, SK_TIMER = 4, SK_DEBUGGER = 5, SK_DEVICE = 6;

/**
 * Int32 fields of a hop: its head — (vCPU + 1) << 16 | layer << 8 | form (hop-text.ts), one store
 * where three cost three on every hop —, the next hop (-1: last), six arguments.
 */
const H_HEAD = 0, H_NEXT = 1, H_OWNER = 2, H_ARGS = 3;
const HOP_ARGS = 6;
const H_STRIDE = H_ARGS + HOP_ARGS;

/** A chain's source sentence: a form and up to three arguments (numbers or interned strings). */
export const S_TEXT = 0, S_IPI = 1, S_TIMER = 2, S_INTX = 3, S_MSI_DEVICE = 4, S_GSI_AFTER_EOI = 5, S_GSI_UNMASKED = 6;

export class ChainStore {
  // ---- chains, by ring slot ------------------------------------------------------------------------
  readonly id: Int32Array;
  readonly gsi: Int16Array;
  readonly vector: Int16Array;
  /** The LAPIC (vCPU) that accepted it, -1 before. */
  readonly apic: Int16Array;
  readonly outcome: Uint8Array;
  readonly sourceKind: Uint8Array;
  private readonly srcForm: Uint8Array;
  private readonly srcArgs: Int32Array;
  private readonly firstHop: Int32Array;
  private readonly lastHop: Int32Array;
  /** When the guest entered its handler (NaN: not yet), the latency, the handler's first instruction. */
  readonly takenAt: Float64Array;
  readonly latency: Float64Array;
  readonly handlerPc: Float64Array;
  /** An edge that rose while its entry was masked, and the write that had masked it (cycle, pc, vCPU; NaN: none). */
  readonly lostWhileMasked: Uint8Array;
  readonly lostBy: Float64Array;
  /** Chains pushed out of the ring, by the outcome they had then. */
  readonly droppedCounts = new Float64Array(OUTCOME_COUNT);
  nextId = 1;
  /** The ring's length less one: a power of two less one, at least capacity - 1. */
  private readonly mask: number;

  // ---- hops, a pool with a free list -----------------------------------------------------------------
  private hopCycle: Float64Array;
  private hopInt: Int32Array;
  /** Where the next hop is written, unless a live chain's hop is there (then the cursor skips it). */
  private hopCursor = 0;

  // ---- strings the events carry (device names, BDFs, mode names), interned -------------------------
  readonly strings: string[] = [];
  private readonly stringIndex = new Map<string, number>();
  /**
   * The strings interned last and their indexes, four of them (an INTx names its device and BDF, a
   * delivery its mode, an exit its reason: the same few come round on every interrupt), so that
   * most calls compare a few pointers instead of hashing into the map.
   */
  private readonly recentStrings: (string | undefined)[] = [undefined, undefined, undefined, undefined];
  private readonly recentIndexes = new Int32Array(4);
  private recentNext = 0;

  constructor(readonly capacity: number) {
    const slots = 2 ** Math.ceil(Math.log2(capacity));
    this.mask = slots - 1;
    this.id = new Int32Array(slots);
    this.gsi = new Int16Array(slots);
    this.vector = new Int16Array(slots);
    this.apic = new Int16Array(slots);
    this.outcome = new Uint8Array(slots);
    this.sourceKind = new Uint8Array(slots);
    this.srcForm = new Uint8Array(slots);
    this.srcArgs = new Int32Array(3 * slots);
    this.firstHop = new Int32Array(slots);
    this.lastHop = new Int32Array(slots);
    this.takenAt = new Float64Array(slots);
    this.latency = new Float64Array(slots);
    this.handlerPc = new Float64Array(slots);
    this.lostWhileMasked = new Uint8Array(slots);
    this.lostBy = new Float64Array(3 * slots);
    const hops = Math.min(8 * this.capacity, 1 << 14);
    this.hopCycle = new Float64Array(hops);
    this.hopInt = new Int32Array(hops * H_STRIDE);
  }

  /** The ring slot of chain `id` while it is among the newest `capacity`, else -1 (0 is no chain). */
  slot(id: number): number {
    const s = id & this.mask;
    return id > 0 && this.id[s] === id ? s : -1;
  }

  get total(): number { return this.nextId - 1; }

  intern(s: string): number {
    const recent = this.recentStrings;
    for (let k = 0; k < 4; k++) if (recent[k] === s) return this.recentIndexes[k];
    let i = this.stringIndex.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(s);
      this.stringIndex.set(s, i);
    }
    const k = this.recentNext;
    recent[k] = s;
    this.recentIndexes[k] = i;
    this.recentNext = (k + 1) & 3;
    return i;
  }

  /** A new chain; the one it pushes out of the ring is counted and its hops are freed. */
  open(sourceKind: number, srcForm: number, a: number, b: number, c: number, gsi: number, vector: number): number {
    const id = this.nextId++;
    const leaving = id - this.capacity;
    if (leaving > 0) {
      const l = leaving & this.mask;
      this.droppedCounts[this.outcome[l]]++;
      this.id[l] = 0; // its hops are free now: their owner is no chain of the ring
    }
    const s = id & this.mask;
    this.id[s] = id;
    this.gsi[s] = gsi;
    this.vector[s] = vector;
    this.apic[s] = -1;
    this.outcome[s] = O_PENDING;
    this.sourceKind[s] = sourceKind;
    this.srcForm[s] = srcForm;
    this.srcArgs[3 * s] = a;
    this.srcArgs[3 * s + 1] = b;
    this.srcArgs[3 * s + 2] = c;
    this.firstHop[s] = -1;
    this.lastHop[s] = -1;
    this.takenAt[s] = NaN;
    this.latency[s] = NaN;
    this.handlerPc[s] = NaN;
    this.lostWhileMasked[s] = 0;
    this.lostBy[3 * s] = NaN;
    return id;
  }

  /** Appends a hop to chain `id` (nothing if it has left the ring). */
  hop(id: number, cycle: number, vcpu: number, layer: number, form: number,
    a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0): void {
    const s = this.slot(id);
    if (s >= 0) this.hopAt(s, cycle, vcpu, layer, form, a0, a1, a2, a3, a4, a5);
  }

  /** Appends a hop to the chain in ring slot `s` (a live one: the caller looked it up). */
  hopAt(s: number, cycle: number, vcpu: number, layer: number, form: number,
    a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0): void {
    const h = this.nextFreeHop();
    this.hopCycle[h] = cycle;
    const p = h * H_STRIDE, hi = this.hopInt;
    hi[p + H_HEAD] = (vcpu + 1) << 16 | layer << 8 | form;
    hi[p + H_NEXT] = -1;
    hi[p + H_OWNER] = this.id[s];
    hi[p + H_ARGS] = a0;
    hi[p + H_ARGS + 1] = a1;
    hi[p + H_ARGS + 2] = a2;
    hi[p + H_ARGS + 3] = a3;
    hi[p + H_ARGS + 4] = a4;
    hi[p + H_ARGS + 5] = a5;
    const last = this.lastHop[s];
    if (last < 0) this.firstHop[s] = h;
    else hi[last * H_STRIDE + H_NEXT] = h;
    this.lastHop[s] = h;
  }

  /** The record the cursor is on, or the first after it that no chain of the ring owns; the cursor moves past it. */
  private nextFreeHop(): number {
    const n = this.hopCycle.length, hi = this.hopInt;
    // The ring holds chains newest - capacity + 1 … newest: a hop owned by an older one (or by none, 0) is free.
    const oldest = Math.max(1, this.nextId - this.capacity);
    let h = this.hopCursor;
    for (let seen = 0; hi[h * H_STRIDE + H_OWNER] >= oldest; seen++) {
      if (seen === n) { h = this.growHops(); break; }
      h = h + 1 === n ? 0 : h + 1;
    }
    this.hopCursor = h + 1 === this.hopCycle.length ? 0 : h + 1;
    return h;
  }

  /** Doubles the pool (every hop in it is live); returns the first record of the new half. */
  private growHops(): number {
    const old = this.hopCycle.length;
    const cycle = new Float64Array(2 * old);
    cycle.set(this.hopCycle);
    const ints = new Int32Array(2 * old * H_STRIDE);
    ints.set(this.hopInt);
    this.hopCycle = cycle;
    this.hopInt = ints;
    return old;
  }

  /** The form of the hop, its cycle, its vCPU and its layer code, by hop index. */
  hopForm(h: number): number { return this.hopInt[h * H_STRIDE + H_HEAD] & 0xff; }
  hopCycleAt(h: number): number { return this.hopCycle[h]; }
  hopVcpu(h: number): number { return (this.hopInt[h * H_STRIDE + H_HEAD] >> 16) - 1; }
  hopLayer(h: number): number { return (this.hopInt[h * H_STRIDE + H_HEAD] >>> 8) & 0xff; }
  hopArg(h: number, i: number): number { return this.hopInt[h * H_STRIDE + H_ARGS + i]; }
  nextHop(h: number): number { return this.hopInt[h * H_STRIDE + H_NEXT]; }
  firstHopOf(s: number): number { return this.firstHop[s]; }
  lastHopOf(s: number): number { return this.lastHop[s]; }
  sourceForm(s: number): number { return this.srcForm[s]; }
  sourceArg(s: number, i: number): number { return this.srcArgs[3 * s + i]; }
}
