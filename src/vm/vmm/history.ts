// Reverse execution (docs/debugging.md: stepBack, reverseContinue — exact thanks to determinism): periodic
// checkpoints of the whole machine plus deterministic re-execution. A checkpoint is an in-place
// snapshot of the machine's object graph (vm/snapshot.ts) plus the guest RAM pages written since
// it was taken (copy-on-write in HostMemory). Going back to step S restores the last checkpoint at
// or before S and runs forward to exactly S with breakpoints lifted.
//
// Memory: a checkpoint costs its graph (tens of KiB: CPU, TLB, EPT/shadow tables, devices, logs)
// plus 4 KiB for every RAM page the guest writes before the next one. The history keeps the
// newest checkpoints within `budgetBytes` and forgets the oldest, so how far back one can go is
// bounded by memory, not by time (docs/debugging.md gives the figures).
import { captureGraph, GraphSnapshot, restoreGraph } from '../snapshot';
import { PageStore, PAGE_SIZE } from '../mem/host-memory';
import type { Machine, RunOutcome } from './machine';
import type { HistoryPool } from './history-pool';

interface Checkpoint {
  /** Machine.steps when it was taken. */
  steps: number;
  graph: GraphSnapshot;
  /** RAM pages as they were at this checkpoint, for the pages written after it. */
  pages: PageStore;
}

const DEFAULT_HISTORY_BUDGET = 512 * 1024 * 1024;
/**
 * Steps between automatic checkpoints, unless the history was given a fixed interval: at first
 * MIN_CHECKPOINT_INTERVAL, then as many steps as the guest runs in about CHECKPOINT_SEGMENT_MS at
 * its current speed (at most doubling from one segment to the next), within MIN and MAX. A fixed
 * step count made a fast guest (a compiled loop at 1 000+ MIPS) checkpoint every millisecond of
 * execution, and a checkpoint costs 0.1–0.7 ms (more with the interrupt-chain recorder's ring,
 * which it copies): a debug session ran such guests at half their speed. A segment of ~10 ms
 * bounds what one step back re-executes by time instead, and keeps checkpoints a few per cent.
 */
const MIN_CHECKPOINT_INTERVAL = 1_000_000;
const MAX_CHECKPOINT_INTERVAL = 64_000_000;
const CHECKPOINT_SEGMENT_MS = 10;

export class History {
  private readonly checkpoints: Checkpoint[] = [];
  /** True while re-executing toward a seek target: observers should not act on the events they see. */
  replaying = false;
  /** The budget shared with the other histories of the process, if any (set by HistoryPool.join). */
  pool: HistoryPool | undefined;

  /** Steps between automatic checkpoints now (see MIN_CHECKPOINT_INTERVAL). */
  private segment: number;
  /**
   * Milliseconds spent executing since the newest checkpoint, over however many calls of run the
   * caller sliced the segment into (the debug adapter runs ~5 ms at a time); idle time between
   * them is not counted.
   */
  private segmentMs = 0;

  /** `fixedInterval`: a fixed number of steps between automatic checkpoints (default: adapted to the guest's speed). */
  constructor(private readonly machine: Machine, readonly budgetBytes = DEFAULT_HISTORY_BUDGET,
    private readonly fixedInterval?: number) {
    this.segment = fixedInterval ?? MIN_CHECKPOINT_INTERVAL;
  }

  /** Steps between automatic checkpoints now. */
  get interval(): number { return this.segment; }

  /** The earliest step one can go back to. */
  get oldestStep(): number {
    return this.checkpoints.length ? this.checkpoints[0].steps : this.machine.steps;
  }

  get count(): number { return this.checkpoints.length; }

  /** Bytes held: graphs plus saved pages. */
  get bytes(): number {
    let b = 0;
    for (const c of this.checkpoints) b += c.graph.bytes + c.pages.size * PAGE_SIZE;
    return b;
  }

  /** Takes a checkpoint at the current step (replacing one already taken at this step). */
  take(): Checkpoint {
    const m = this.machine;
    const last = this.checkpoints[this.checkpoints.length - 1];
    if (last && last.steps === m.steps) this.checkpoints.pop();
    const pages: PageStore = new Map();
    m.host.beginCheckpoint(pages);
    for (const v of m.vcpus) v.cpu.flushWriteTable(); // each page's next store saves it first
    const cp: Checkpoint = { steps: m.steps, graph: captureGraph(m), pages };
    this.checkpoints.push(cp);
    this.segmentMs = 0;
    this.trim();
    return cp;
  }

  /**
   * Runs forward like Machine.run, taking a checkpoint every `interval` steps so that any step of
   * the run can be reached again quickly.
   */
  run(maxInstructions = Infinity, untilStep = Infinity): RunOutcome {
    const m = this.machine;
    if (this.checkpoints.length === 0) this.take();
    for (;;) {
      const last = this.checkpoints[this.checkpoints.length - 1];
      const next = Math.min(untilStep, last.steps + this.segment);
      const t0 = performance.now();
      const outcome = m.run(maxInstructions, next);
      this.segmentMs += performance.now() - t0;
      if (outcome.kind === 'stopped' && outcome.reason === 'step' && m.steps < untilStep) {
        this.adapt(m.steps - last.steps, this.segmentMs);
        this.take();
        continue;
      }
      return outcome;
    }
  }

  /** After a whole segment of `steps` that ran in `ms` (of execution): the next one lasts about CHECKPOINT_SEGMENT_MS. */
  private adapt(steps: number, ms: number): void {
    if (this.fixedInterval !== undefined || steps < this.segment / 2 || !(ms > 0)) return;
    const wanted = Math.min(steps * CHECKPOINT_SEGMENT_MS / ms, 2 * this.segment);
    this.segment = Math.round(Math.max(MIN_CHECKPOINT_INTERVAL, Math.min(MAX_CHECKPOINT_INTERVAL, wanted)));
  }

  /**
   * Puts the machine at exactly `step`: back through the checkpoints, or forward by re-execution.
   * Returns false, changing nothing, if `step` is older than the oldest checkpoint.
   */
  seek(step: number): boolean {
    const m = this.machine;
    if (step >= m.steps) {
      if (step > m.steps) this.replay(step);
      return true;
    }
    let i = this.checkpoints.length - 1;
    while (i >= 0 && this.checkpoints[i].steps > step) i--;
    if (i < 0) return false;
    // RAM: undo the newest writes first, so the oldest saved copy of each page (cp i's) wins.
    for (let j = this.checkpoints.length - 1; j >= i; j--) m.host.restorePages(this.checkpoints[j].pages);
    const cp = this.checkpoints[i];
    this.checkpoints.length = i + 1;
    restoreGraph(cp.graph);
    this.segmentMs = 0;
    cp.pages = new Map();
    m.host.beginCheckpoint(cp.pages);
    for (const v of m.vcpus) v.cpu.flushWriteTable();
    if (m.steps < step) this.replay(step);
    return true;
  }

  /** Re-executes to exactly `step` with instruction breakpoints lifted (they already fired, or will). */
  private replay(step: number): void {
    const m = this.machine;
    const planted = [...m.host.breakpoints];
    for (const h of planted) m.host.clearBreakpoint(h);
    this.replaying = true;
    try {
      this.run(Infinity, step);
    } finally {
      this.replaying = false;
      for (const h of planted) m.host.setBreakpoint(h);
    }
  }

  /** Forgets the oldest checkpoint (never the only one); false when there is just one. */
  dropOldest(): boolean {
    if (this.checkpoints.length <= 1) return false;
    this.checkpoints.shift();
    return true;
  }

  private trim(): void {
    while (this.checkpoints.length > 1 && this.bytes > this.budgetBytes) this.checkpoints.shift();
    this.pool?.trim();
  }
}
