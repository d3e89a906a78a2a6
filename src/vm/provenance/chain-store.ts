// The recorder's memory (docs/interrupt-provenance.md "How chains are stored"): chains and hops as
// compact numeric records in typed arrays, not objects and strings. Recording a hop writes a few
// numbers; its sentence (`text`) is composed from them only when a request or a view reads the chain
// (hop-text.ts). Everything here is machine state: reverse execution's checkpoints (vm/snapshot.ts)
// capture it through SELF_SNAPSHOT, copying only the 4 KiB chunks written since the last capture
// (CHUNK_SHIFT), where a ring of chain objects cost a walk over every hop.
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

import { SELF_SNAPSHOT, SelfSnapshot } from '../snapshot';

/** Codes of a hop's layer, a chain's outcome and its kind of source (their names: src/protocol, mapped in src/debug/provenance.ts). */
export const L_DEVICE = 0, L_VMM = 1, L_KERNEL = 2, L_GUEST = 3;
export const O_HANDLED = 0, O_IN_SERVICE = 1, O_PENDING = 2, O_BLOCKED = 3, O_COALESCED = 4, O_LOST = 5;
const OUTCOME_COUNT = 6;
export const SK_INTX = 0, SK_MSI = 1, SK_TESTDEV = 2, SK_IPI = 3, SK_TIMER = 4, SK_DEBUGGER = 5, SK_DEVICE = 6;

/**
 * A chain's record: 16 int32s (64 bytes), every field the recorder writes on an interrupt's path in
 * one place. When they were one typed array per field, opening a chain wrote to 15 arrays — 15 cache
 * lines, each cold again when the next interrupt came 400 000 cycles later — and reading one field
 * of a chain missed on its own line.
 */
const C_ID = 0, C_GSI = 1, C_VECTOR = 2, C_APIC = 3, C_OUTCOME = 4, C_SOURCE_KIND = 5, C_SRC_FORM = 6, C_FLAGS = 7;
const C_SRC_ARGS = 8, C_FIRST_HOP = 11, C_LAST_HOP = 12, C_TAKEN_LO = 13, C_TAKEN_HI = 14, C_HANDLER_PC = 15;
const C_STRIDE = 16;
/** C_FLAGS bits: an edge lost while masked; taken (C_TAKEN_*), the handler (C_HANDLER_PC), lostBy known. */
const FL_LOST_MASKED = 1, FL_TAKEN = 2, FL_HANDLER = 4, FL_LOST_BY = 8;

/**
 * A hop's record: 12 int32s (48 bytes): its cycle (two halves), its head — (vCPU + 1) << 16 |
 * layer << 8 | form (hop-text.ts), one store where three cost three —, the next hop (-1: last), the
 * chain that owns it, six arguments.
 */
const H_CYCLE_LO = 0, H_CYCLE_HI = 1, H_HEAD = 2, H_NEXT = 3, H_OWNER = 4, H_ARGS = 5;
const H_STRIDE = 12;

/**
 * A cycle count (an integer below 2⁵³) as two int32 halves, so that a record is one Int32Array: a
 * second view on the same buffer would be copied twice by every checkpoint (vm/snapshot.ts copies
 * each typed array it reaches).
 */
const TWO_32 = 0x1_0000_0000;
/** 2⁻³²: multiplying by a power of two is exact, and cheaper than the division on every hop. */
const INV_TWO_32 = 1 / TWO_32;
const hiOf = (cycle: number): number => Math.floor(cycle * INV_TWO_32);
const joinCycle = (lo: number, hi: number): number => hi * TWO_32 + (lo >>> 0);

/** Call sites of ChainStore.intern with a cache entry of their own (0: shared by the rest). */
const INTERN_SITES = 16;

/**
 * Checkpoints copy the ring and the pool by chunks of 2^CHUNK_SHIFT int32s (4 KiB), and only the
 * chunks written since the capture before: the others share that capture's copy. Between two
 * checkpoints (about 10 ms of execution, vmm/history.ts) a few hundred interrupts touch a few
 * chunks; a copy of everything (up to 850 KiB with a NIC's hops) was most of a checkpoint's cost.
 */
const CHUNK_SHIFT = 10;
const chunksOf = (ints: number): number => ((ints - 1) >> CHUNK_SHIFT) + 1;

/** What a checkpoint keeps of a ChainStore: chunk copies (shared between checkpoints), counters, lengths. */
interface StoreState {
  ch: Int32Array[]; hops: Int32Array[]; lostBy: Float64Array; dropped: Float64Array;
  nextId: number; hopCount: number; hopCursor: number; strings: number;
}

/** A chain's source sentence: a form and up to three arguments (numbers or interned strings). */
export const S_TEXT = 0, S_IPI = 1, S_TIMER = 2, S_INTX = 3, S_MSI_DEVICE = 4, S_GSI_AFTER_EOI = 5, S_GSI_UNMASKED = 6;

export class ChainStore {
  // ---- chains, by ring slot: C_STRIDE int32s each ----------------------------------------------------
  private readonly ch: Int32Array;
  /** The guest write that had masked the entry an edge was lost at (cycle, pc, vCPU), read only when FL_LOST_BY is set. */
  private readonly lostBy: Float64Array;
  /** Chains pushed out of the ring, by the outcome they had then. */
  readonly droppedCounts = new Float64Array(OUTCOME_COUNT);
  nextId = 1;
  /** The ring's length less one: a power of two less one, at least capacity - 1. */
  private readonly mask: number;

  // ---- hops, a pool written like a log: H_STRIDE int32s each -----------------------------------------
  private hops: Int32Array;
  /** The pool's length in hops (hops.length / H_STRIDE, kept: a division on every hop is not free). */
  private hopCount: number;
  /** Where the next hop is written, unless a live chain's hop is there (then the cursor skips it). */
  private hopCursor = 0;

  // ---- strings the events carry (device names, BDFs, mode names), interned -------------------------
  readonly strings: string[] = [];
  private readonly stringIndex = new Map<string, number>();
  /**
   * A cache in front of the map, one entry per call site (the `site` argument of intern): a site
   * sees the same string object event after event (its device's name, its BDF, the exit reason), so
   * a hit is one pointer compare, which reads neither the string nor the map. Between interrupts
   * the guest runs long enough to push the recorder's data out of the caches; every line an event
   * touches is then a miss, and hashing a string reads its header, the map its table.
   */
  private readonly siteStrings: (string | undefined)[] = new Array<string | undefined>(INTERN_SITES).fill(undefined);
  private readonly siteIndexes = new Int32Array(INTERN_SITES);

  // ---- checkpoints: what changed since the last capture (see CHUNK_SHIFT) -------------------------
  /** Per chunk of `ch` and `hops`: 1 if written since the last capture (or restore). */
  private chDirty: Uint8Array;
  private hopsDirty: Uint8Array;
  /** The copy of each chunk as of the last capture or restore (shared by the captures that did not change it). */
  private chCopies: Int32Array[] = [];
  private hopsCopies: Int32Array[] = [];
  private lostByCopy: Float64Array | undefined;
  readonly [SELF_SNAPSHOT]: SelfSnapshot = { capture: () => this.capture(), restore: (state) => this.restore(state as StoreState) };

  constructor(readonly capacity: number) {
    const slots = 2 ** Math.ceil(Math.log2(capacity));
    this.mask = slots - 1;
    this.ch = new Int32Array(slots * C_STRIDE);
    this.lostBy = new Float64Array(3 * slots);
    this.hopCount = Math.min(8 * this.capacity, 1 << 14);
    this.hops = new Int32Array(this.hopCount * H_STRIDE);
    this.chDirty = new Uint8Array(chunksOf(this.ch.length)).fill(1);
    this.hopsDirty = new Uint8Array(chunksOf(this.hops.length)).fill(1);
  }

  /** The ring slot of chain `id` while it is among the newest `capacity`, else -1 (0 is no chain). */
  slot(id: number): number {
    const s = id & this.mask;
    return id > 0 && this.ch[s * C_STRIDE + C_ID] === id ? s : -1;
  }

  get total(): number { return this.nextId - 1; }

  /** The index of `s` in `strings`, adding it if new; `site` (< INTERN_SITES) names the caller, for the cache. */
  intern(s: string, site = 0): number {
    if (this.siteStrings[site] === s) return this.siteIndexes[site];
    let i = this.stringIndex.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(s);
      this.stringIndex.set(s, i);
    }
    this.siteStrings[site] = s;
    this.siteIndexes[site] = i;
    return i;
  }

  /** A new chain; the one it pushes out of the ring is counted and its hops are freed. */
  open(sourceKind: number, srcForm: number, a: number, b: number, c: number, gsi: number, vector: number): number {
    const ch = this.ch;
    const id = this.nextId++;
    const leaving = id - this.capacity;
    if (leaving > 0) {
      const l = this.writable(leaving & this.mask);
      this.droppedCounts[ch[l + C_OUTCOME]]++;
      ch[l + C_ID] = 0; // its hops are free now: their owner is no chain of the ring
    }
    const r = this.writable(id & this.mask);
    ch[r + C_ID] = id;
    ch[r + C_GSI] = gsi;
    ch[r + C_VECTOR] = vector;
    ch[r + C_APIC] = -1;
    ch[r + C_OUTCOME] = O_PENDING;
    ch[r + C_SOURCE_KIND] = sourceKind;
    ch[r + C_SRC_FORM] = srcForm;
    ch[r + C_FLAGS] = 0;
    ch[r + C_SRC_ARGS] = a;
    ch[r + C_SRC_ARGS + 1] = b;
    ch[r + C_SRC_ARGS + 2] = c;
    ch[r + C_FIRST_HOP] = -1;
    ch[r + C_LAST_HOP] = -1;
    return id;
  }

  /** Appends a hop to chain `id` (nothing if it has left the ring): one function, not a lookup calling a writer. */
  hop(id: number, cycle: number, vcpu: number, layer: number, form: number,
    a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0): void {
    const ch = this.ch, r = (id & this.mask) * C_STRIDE;
    if (id <= 0 || ch[r + C_ID] !== id) return;
    const h = this.nextFreeHop();
    const p = h * H_STRIDE, hp = this.hops;
    const dirty = this.hopsDirty;
    dirty[p >> CHUNK_SHIFT] = 1;
    dirty[(p + H_STRIDE - 1) >> CHUNK_SHIFT] = 1;
    this.chDirty[r >> CHUNK_SHIFT] = 1;
    const hi = hiOf(cycle);
    hp[p + H_CYCLE_LO] = cycle - hi * TWO_32;
    hp[p + H_CYCLE_HI] = hi;
    hp[p + H_HEAD] = (vcpu + 1) << 16 | layer << 8 | form;
    hp[p + H_NEXT] = -1;
    hp[p + H_OWNER] = id;
    hp[p + H_ARGS] = a0;
    hp[p + H_ARGS + 1] = a1;
    hp[p + H_ARGS + 2] = a2;
    hp[p + H_ARGS + 3] = a3;
    hp[p + H_ARGS + 4] = a4;
    hp[p + H_ARGS + 5] = a5;
    const last = ch[r + C_LAST_HOP];
    if (last < 0) ch[r + C_FIRST_HOP] = h;
    else {
      hp[last * H_STRIDE + H_NEXT] = h;
      dirty[(last * H_STRIDE + H_NEXT) >> CHUNK_SHIFT] = 1;
    }
    ch[r + C_LAST_HOP] = h;
  }

  /** The record the cursor is on, or the first after it that no chain of the ring owns; the cursor moves past it. */
  private nextFreeHop(): number {
    const hp = this.hops, n = this.hopCount;
    // The ring holds chains newest - capacity + 1 … newest: a hop owned by an older one (or by none, 0) is free.
    const oldest = Math.max(1, this.nextId - this.capacity);
    let h = this.hopCursor;
    for (let seen = 0; hp[h * H_STRIDE + H_OWNER] >= oldest; seen++) {
      if (seen === n) { h = this.growHops(); break; }
      h = h + 1 === n ? 0 : h + 1;
    }
    this.hopCursor = h + 1 === this.hopCount ? 0 : h + 1;
    return h;
  }

  /** Doubles the pool (every hop in it is live); returns the first record of the new half. */
  private growHops(): number {
    const old = this.hopCount;
    const hops = new Int32Array(2 * old * H_STRIDE);
    hops.set(this.hops);
    this.hops = hops;
    this.hopCount = 2 * old;
    const dirty = new Uint8Array(chunksOf(hops.length)).fill(1);
    dirty.set(this.hopsDirty);
    this.hopsDirty = dirty;
    return old;
  }

  // ---- checkpoints (vm/snapshot.ts SELF_SNAPSHOT) -----------------------------------------------------

  private capture(): { state: StoreState; bytes: number } {
    let bytes = 0;
    const copy = (a: Int32Array, dirty: Uint8Array, copies: Int32Array[]): Int32Array[] => {
      for (let i = 0; i < dirty.length; i++) {
        if (!dirty[i] && copies[i] !== undefined) continue;
        copies[i] = a.slice(i << CHUNK_SHIFT, (i + 1) << CHUNK_SHIFT);
        dirty[i] = 0;
        bytes += copies[i].byteLength;
      }
      return copies.slice(0, dirty.length);
    };
    const ch = copy(this.ch, this.chDirty, this.chCopies);
    const hops = copy(this.hops, this.hopsDirty, this.hopsCopies);
    if (!this.lostByCopy) {
      this.lostByCopy = this.lostBy.slice();
      bytes += this.lostByCopy.byteLength;
    }
    const state: StoreState = {
      ch, hops, lostBy: this.lostByCopy, dropped: this.droppedCounts.slice(),
      nextId: this.nextId, hopCount: this.hopCount, hopCursor: this.hopCursor, strings: this.strings.length,
    };
    return { state, bytes: bytes + 8 * (ch.length + hops.length) + 128 };
  }

  private restore(state: StoreState): void {
    if (state.hopCount !== this.hopCount) {
      this.hops = new Int32Array(state.hopCount * H_STRIDE);
      this.hopsDirty = new Uint8Array(chunksOf(this.hops.length)).fill(1);
      this.hopsCopies = [];
    }
    // A chunk not written since the last capture or restore, whose copy there is this state's, holds it already.
    const put = (a: Int32Array, dirty: Uint8Array, copies: Int32Array[], saved: Int32Array[]): void => {
      for (let i = 0; i < saved.length; i++) {
        if (dirty[i] || copies[i] !== saved[i]) a.set(saved[i], i << CHUNK_SHIFT);
        copies[i] = saved[i];
        dirty[i] = 0;
      }
    };
    put(this.ch, this.chDirty, this.chCopies, state.ch);
    put(this.hops, this.hopsDirty, this.hopsCopies, state.hops);
    this.lostBy.set(state.lostBy);
    this.lostByCopy = state.lostBy;
    this.droppedCounts.set(state.dropped);
    this.nextId = state.nextId;
    this.hopCount = state.hopCount;
    this.hopCursor = state.hopCursor;
    // Strings are only ever appended: those interned after the capture go (and the call sites' cache with them).
    for (let i = state.strings; i < this.strings.length; i++) this.stringIndex.delete(this.strings[i]);
    this.strings.length = state.strings;
    this.siteStrings.fill(undefined);
  }

  // ---- a chain's fields, by ring slot -----------------------------------------------------------------
  /** Chain slot `s`'s offset in the ring, its chunk marked written: every write to a chain record but hop's goes through here. */
  private writable(s: number): number {
    const r = s * C_STRIDE;
    this.chDirty[r >> CHUNK_SHIFT] = 1;
    return r;
  }

  idAt(s: number): number { return this.ch[s * C_STRIDE + C_ID]; }
  gsiAt(s: number): number { return this.ch[s * C_STRIDE + C_GSI]; }
  vectorAt(s: number): number { return this.ch[s * C_STRIDE + C_VECTOR]; }
  setVector(s: number, vector: number): void { this.ch[this.writable(s) + C_VECTOR] = vector; }
  /** The LAPIC (vCPU) that accepted it, -1 before. */
  apicAt(s: number): number { return this.ch[s * C_STRIDE + C_APIC]; }
  setApic(s: number, apic: number): void { this.ch[this.writable(s) + C_APIC] = apic; }
  outcomeAt(s: number): number { return this.ch[s * C_STRIDE + C_OUTCOME]; }
  setOutcomeAt(s: number, o: number): void { this.ch[this.writable(s) + C_OUTCOME] = o; }
  sourceKindAt(s: number): number { return this.ch[s * C_STRIDE + C_SOURCE_KIND]; }
  sourceForm(s: number): number { return this.ch[s * C_STRIDE + C_SRC_FORM]; }
  sourceArg(s: number, i: number): number { return this.ch[s * C_STRIDE + C_SRC_ARGS + i]; }
  firstHopOf(s: number): number { return this.ch[s * C_STRIDE + C_FIRST_HOP]; }
  lastHopOf(s: number): number { return this.ch[s * C_STRIDE + C_LAST_HOP]; }

  /** When the guest entered its handler; NaN: not yet. */
  takenAtOf(s: number): number {
    const r = s * C_STRIDE, ch = this.ch;
    return ch[r + C_FLAGS] & FL_TAKEN ? joinCycle(ch[r + C_TAKEN_LO], ch[r + C_TAKEN_HI]) : NaN;
  }
  setTakenAt(s: number, cycle: number): void {
    const r = this.writable(s), ch = this.ch, hi = hiOf(cycle);
    ch[r + C_TAKEN_LO] = cycle - hi * TWO_32;
    ch[r + C_TAKEN_HI] = hi;
    ch[r + C_FLAGS] |= FL_TAKEN;
  }
  /** The handler's first instruction; NaN: not known. */
  handlerPcOf(s: number): number {
    const r = s * C_STRIDE;
    return this.ch[r + C_FLAGS] & FL_HANDLER ? this.ch[r + C_HANDLER_PC] >>> 0 : NaN;
  }
  setHandlerPc(s: number, pc: number): void {
    const r = this.writable(s);
    this.ch[r + C_HANDLER_PC] = pc;
    this.ch[r + C_FLAGS] |= FL_HANDLER;
  }
  lostWhileMaskedAt(s: number): boolean { return (this.ch[s * C_STRIDE + C_FLAGS] & FL_LOST_MASKED) !== 0; }
  /** An edge rose while its entry was masked; `by` the guest write that had masked it, if known. */
  setLostWhileMasked(s: number, by: { cycle: number; pc: number; vcpu: number } | undefined): void {
    this.ch[this.writable(s) + C_FLAGS] |= FL_LOST_MASKED | (by ? FL_LOST_BY : 0);
    if (by) {
      this.lostBy[3 * s] = by.cycle; this.lostBy[3 * s + 1] = by.pc; this.lostBy[3 * s + 2] = by.vcpu;
      this.lostByCopy = undefined;
    }
  }
  lostByAt(s: number): { cycle: number; pc: number; vcpu: number } | undefined {
    return this.ch[s * C_STRIDE + C_FLAGS] & FL_LOST_BY ? { cycle: this.lostBy[3 * s], pc: this.lostBy[3 * s + 1], vcpu: this.lostBy[3 * s + 2] } : undefined;
  }

  // ---- a hop's fields, by hop index -------------------------------------------------------------------
  hopForm(h: number): number { return this.hops[h * H_STRIDE + H_HEAD] & 0xff; }
  hopCycleAt(h: number): number { return joinCycle(this.hops[h * H_STRIDE + H_CYCLE_LO], this.hops[h * H_STRIDE + H_CYCLE_HI]); }
  hopVcpu(h: number): number { return (this.hops[h * H_STRIDE + H_HEAD] >> 16) - 1; }
  hopLayer(h: number): number { return (this.hops[h * H_STRIDE + H_HEAD] >>> 8) & 0xff; }
  hopArg(h: number, i: number): number { return this.hops[h * H_STRIDE + H_ARGS + i]; }
  nextHop(h: number): number { return this.hops[h * H_STRIDE + H_NEXT]; }
}
