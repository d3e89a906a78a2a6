// Host memory: the buffer a memslot's userspace_addr points into (KVM_SET_USER_MEMORY_REGION).
// One ArrayBuffer with aligned typed views, shared by every vCPU, plus the decode cache that is
// indexed by host halfword (so it is shared too, and invalidated per written halfword: docs/style.md,
// speed). Halfwords, because with the C extension an instruction starts at any even address.
//
// It also carries the debugger's three hooks, each free when unused:
//  - copy-on-write for checkpoints: a page's old contents are saved the first time it is written
//    after a checkpoint. The CPU calls `prepareWrite` only when it puts a page in its write fast
//    table, and checkpoints empty those tables, so the store fast path does no extra work;
//  - instruction breakpoints by host halfword: the decoder turns such an instruction into a breakpoint op;
//  - watched pages: they never enter the CPU's fast tables, so their accesses take the slow path,
//    which reports them.

import { markNotSnapshotted } from './not-snapshotted';

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
/**
 * The decode cache slot of the instruction at (even) host byte offset b is decoded[b + DECODE_BIAS]
 * (packed op fields), then the immediate. The bias leaves room for the slot "before" offset 0, so a
 * store invalidates the 32-bit instruction that may start one halfword before it without a bounds check.
 */
export const DECODE_BIAS = 2;
/** Compiled code is tracked per 128-byte line: 32 lines a page, one bit each in HostMemory.codeLines. */
export const CODE_LINE_SHIFT = 7;

/** Page contents saved for a checkpoint: page index → bytes as they were at the checkpoint. */
export type PageStore = Map<number, Uint8Array>;

export class HostMemory {
  readonly size: number;
  readonly u8: Uint8Array;
  readonly i8: Int8Array;
  readonly u16: Uint16Array;
  readonly i16: Int16Array;
  readonly i32: Int32Array;
  /** Two int32 slots per host halfword: packed op fields and immediate (see cpu/decode.ts, DECODE_BIAS). 0 = not decoded. */
  readonly decoded: Int32Array;

  /** Copy-on-write: where first writes save pages, and the epoch each page was last saved in. */
  private cowSink: PageStore | undefined;
  private cowEpoch = 0;
  private readonly pageSavedEpoch: Uint32Array;

  /** Host byte offsets (even) of instructions that hold a breakpoint. */
  readonly breakpoints = new Set<number>();
  /** Per page: number of watchpoints on it (0 = not watched). */
  readonly watchedPages: Uint16Array;
  watchCount = 0;

  /**
   * Per page, one bit per 128-byte line (CODE_LINE_SHIFT): set while some vCPU holds a compiled
   * block covering bytes of that line (cpu/blocks.ts). A write to such a line — a guest store, DMA,
   * the loader, the debugger, a checkpoint restore — drops the page's blocks. Lines, not pages,
   * because linkers put data right after code: stores to the rest of the page stay fast.
   */
  readonly codeLines: Uint32Array;
  /** The vCPUs' block caches, told when a page with compiled code is written. */
  readonly codeListeners: { dropPage(page: number, storeAt: number): void }[] = [];

  constructor(bytes: number) {
    if (bytes <= 0 || bytes % PAGE_SIZE !== 0) throw new RangeError(`host memory size must be a positive multiple of 4096, got ${bytes}`);
    const buffer = new ArrayBuffer(bytes);
    this.size = bytes;
    this.u8 = new Uint8Array(buffer);
    this.i8 = new Int8Array(buffer);
    this.u16 = new Uint16Array(buffer);
    this.i16 = new Int16Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.decoded = new Int32Array(bytes + 2 * DECODE_BIAS);
    this.pageSavedEpoch = new Uint32Array(bytes >>> PAGE_SHIFT);
    this.watchedPages = new Uint16Array(bytes >>> PAGE_SHIFT);
    this.codeLines = new Uint32Array(bytes >>> PAGE_SHIFT);
    // Guest RAM is saved page by page (copy-on-write), never as part of an object-graph snapshot;
    // other objects keep references to these views (e.g. page-walk memory), so mark them too.
    for (const o of [this, this.u8, this.i8, this.u16, this.i16, this.i32, this.decoded]) markNotSnapshotted(o);
  }

  get pages(): number { return this.size >>> PAGE_SHIFT; }

  /** Forget decoded instructions in [offset, offset + length): DMA, loader and debugger writes call this. */
  invalidateCode(offset: number, length: number): void {
    // From the halfword before (a 32-bit instruction starting there covers the first byte).
    const end = offset + length + DECODE_BIAS;
    for (let slot = offset & ~1; slot < end; slot += 2) this.decoded[slot] = 0;
    const last = (offset + Math.max(length, 1) - 1) >>> PAGE_SHIFT;
    for (let p = offset >>> PAGE_SHIFT; p <= last; p++) if (this.codeLines[p] !== 0) this.dropCode(p);
  }

  /**
   * A guest store of `length` bytes at host byte `offset` took a slow path (the CPU's, an atomic):
   * as after a fast-path store, the decoded halfwords it covers are forgotten and only a line that
   * holds compiled code drops its page's blocks (codeWritten), not every store into such a page
   * (data beside code: the bench's sort keeps its array on the code page).
   */
  guestStored(offset: number, length: number): void {
    const end = offset + length + DECODE_BIAS;
    for (let slot = offset & ~1; slot < end; slot += 2) this.decoded[slot] = 0;
    for (let b = offset; b < offset + length; b = ((b >>> CODE_LINE_SHIFT) + 1) << CODE_LINE_SHIFT) {
      if (((this.codeLines[b >>> PAGE_SHIFT] >>> ((b >>> CODE_LINE_SHIFT) & 31)) & 1) !== 0) this.codeWritten(b);
    }
  }

  /**
   * A guest store at host byte `h` hit a line holding compiled code: every vCPU forgets its blocks
   * on that page (and the compiler learns which lines keep being written: data beside code).
   */
  codeWritten(h: number): void {
    this.codeLines[h >>> PAGE_SHIFT] = 0;
    for (const l of this.codeListeners) l.dropPage(h >>> PAGE_SHIFT, h);
  }

  /** Something other than a guest store (DMA, the loader, the debugger, a restore) wrote the page. */
  dropCode(page: number): void {
    this.codeLines[page] = 0;
    for (const l of this.codeListeners) l.dropPage(page, -1);
  }

  /** Copies bytes in (loader, DMA, debugger) and keeps the decode cache and checkpoints coherent. */
  write(offset: number, bytes: Uint8Array): void {
    this.prepareWrite(offset, bytes.length);
    this.u8.set(bytes, offset);
    this.invalidateCode(offset, bytes.length);
  }

  read(offset: number, length: number): Uint8Array {
    return this.u8.slice(offset, offset + length);
  }

  readU32(offset: number): number {
    return (this.u8[offset] | (this.u8[offset + 1] << 8) | (this.u8[offset + 2] << 16) | (this.u8[offset + 3] << 24)) >>> 0;
  }

  writeU32(offset: number, value: number): void {
    this.write(offset, Uint8Array.of(value, value >>> 8, value >>> 16, value >>> 24));
  }

  // ---- checkpoints (copy-on-write) ------------------------------------------------------------

  /**
   * Starts saving first writes into `sink` (a new checkpoint). Callers must also empty every CPU's
   * write fast table, so each page's next store comes through prepareWrite.
   */
  beginCheckpoint(sink: PageStore): void {
    this.cowSink = sink;
    this.cowEpoch++;
  }

  /** Whether stores are being saved for a checkpoint. */
  get copyOnWriteActive(): boolean { return this.cowSink !== undefined; }

  /** Stops copy-on-write (no checkpoint is kept). */
  endCheckpoints(): void {
    this.cowSink = undefined;
  }

  /** Saves the pages of [offset, offset + length) into the current checkpoint, once per checkpoint. */
  prepareWrite(offset: number, length: number): void {
    const sink = this.cowSink;
    if (!sink) return;
    const last = (offset + Math.max(length, 1) - 1) >>> PAGE_SHIFT;
    for (let p = offset >>> PAGE_SHIFT; p <= last; p++) {
      if (this.pageSavedEpoch[p] === this.cowEpoch) continue;
      this.pageSavedEpoch[p] = this.cowEpoch;
      const start = p << PAGE_SHIFT;
      sink.set(p, this.u8.slice(start, start + PAGE_SIZE));
    }
  }

  /** Writes saved pages back (restoring a checkpoint), invalidating their decoded instructions. */
  restorePages(pages: PageStore): void {
    for (const [p, bytes] of pages) {
      const start = p << PAGE_SHIFT;
      this.u8.set(bytes, start);
      this.invalidateCode(start, PAGE_SIZE);
    }
  }

  // ---- breakpoints and watchpoints ------------------------------------------------------------

  /** Plants a breakpoint on the instruction at host byte offset `offset` (even). */
  setBreakpoint(offset: number): void {
    this.breakpoints.add(offset & ~1);
    this.decoded[(offset & ~1) + DECODE_BIAS] = 0; // re-decode: the run loop plants the breakpoint op
    if (this.codeLines[offset >>> PAGE_SHIFT] !== 0) this.dropCode(offset >>> PAGE_SHIFT); // compiled blocks run past it
  }

  clearBreakpoint(offset: number): void {
    this.breakpoints.delete(offset & ~1);
    this.decoded[(offset & ~1) + DECODE_BIAS] = 0;
    if (this.codeLines[offset >>> PAGE_SHIFT] !== 0) this.dropCode(offset >>> PAGE_SHIFT);
  }

  /** Watches the pages of [offset, offset + length); the caller flushes the CPUs' fast tables. */
  watch(offset: number, length: number, on: boolean): void {
    const last = (offset + Math.max(length, 1) - 1) >>> PAGE_SHIFT;
    for (let p = offset >>> PAGE_SHIFT; p <= last; p++) {
      if (on) this.watchedPages[p]++; else if (this.watchedPages[p] > 0) this.watchedPages[p]--;
    }
    this.watchCount += on ? 1 : -1;
  }
}
