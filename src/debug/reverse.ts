// Reverse execution (one of the three pieces of the runtime: run control in runtime.ts, breakpoints
// in breakpoint-set.ts, this; docs/debugging.md "Inside the runtime"). Determinism makes it exact:
// History keeps checkpoints and re-executes from the nearest one. stepBack records the positions of
// a window before the present and seeks to the one wanted; reverseContinue re-executes windows
// backwards with every breakpoint armed and seeks to the last place one would have stopped.
//
// Anything the user changes (registers, memory, injected interrupts, a pc moved past an ebreak) is
// an input from outside the guest: a checkpoint is taken right after it, and reverse searches never
// re-execute across it (they would not redo the change).
import type { History, Machine, RunOutcome } from '../vm';
import type { BreakpointSet } from './breakpoint-set';
import type { DebugHost } from './host';
import type { ProgramInfo } from './program';
import type { DebugPort } from '../vm/debug-port';

/** Wall-clock budget of one re-execution slice before yielding to the event loop. */
const SLICE_MS = 15;
/** Steps a vCPU runs per turn (machine.ts QUANTUM), for windows of multi-vCPU reverse steps. */
const QUANTUM = 10_000;

interface ReverseStop {
  kind: 'stop';
  reason: string;
  vcpu: number;
  description: string;
}

/** Where a scan found a stop: the position, the stop, and whether it is an interrupt handler's entry. */
export interface ScanHit<S> { steps: number; stop: S; handlerEntry?: { vcpu: number } }

/** What reverse execution needs of run control. */
interface ReverseHost<S extends ReverseStop> {
  readonly machine: Machine;
  readonly history: History;
  readonly port: DebugPort;
  readonly breakpoints: BreakpointSet;
  readonly program: ProgramInfo;
  readonly host: DebugHost;
  readonly pauseRequested: boolean;
  /** Events change nothing while set (positions are being recorded). */
  quiet: boolean;
  whoRunsNext(): number;
  stepStop(id: number): S;
  pauseStop(id: number): S;
  atHistoryStart(id: number): S;
  /** Re-executes [start, end) with every breakpoint armed, recording where each would stop. */
  scanWindow(start: number, end: number): Promise<ScanHit<S>[]>;
  /** From the step before an interrupt is taken, re-enters the handler and stops on its entry. */
  enterHandler(id: number): void;
  /** Drops a stop decided during re-execution. */
  dropPending(): void;
  /** Before an instruction of `id` that exits: the stop at the exit's last phase (else undefined). */
  landInExit(id: number, byLine: boolean): S | undefined;
}

export class ReverseExecution<S extends ReverseStop> {
  /**
   * Steps at which the user changed the machine (each has a checkpoint taken right after the
   * change). Re-executing across one would not redo the change, so reverse searches never scan a
   * window that contains one: they go back before it only to a position that undoes it.
   */
  private changes: number[] = [];

  constructor(private readonly rt: ReverseHost<S>) {}

  /** After the user changed the machine: a checkpoint here makes the change part of history. */
  noteExternalChange(): void {
    this.rt.history.take();
    const at = this.rt.machine.steps;
    if (this.changes[this.changes.length - 1] !== at) this.changes.push(at);
  }

  /** After any operation: going back before a change undid it (its checkpoint is gone with the newer ones). */
  forgetUndoneChanges(): void {
    const at = this.rt.machine.steps;
    this.changes = this.changes.filter((c) => c <= at);
  }

  /** The earliest step a reverse search ending at `end` may re-execute from (see `changes`). */
  floor(end: number): number {
    let f = this.rt.history.oldestStep;
    for (const c of this.changes) if (c < end && c > f) f = c;
    return f;
  }

  /** The steps (machine positions) before each step vCPU `id` took in [from, to), with its pc and sp there. */
  private async recordSteps(id: number, from: number, to: number): Promise<{ step: number; pc: number; sp: number }[]> {
    const rt = this.rt;
    const out: { step: number; pc: number; sp: number }[] = [];
    rt.history.seek(from);
    rt.quiet = true;
    try {
      let t0 = rt.host.now();
      while (rt.machine.steps < to) {
        const next = rt.whoRunsNext();
        const rec = { step: rt.machine.steps, pc: rt.port.pc(id), sp: rt.port.reg(id, 2) };
        const before = rt.machine.steps;
        const outcome: RunOutcome = rt.breakpoints.lifted(() => rt.history.run(Infinity, before + 1));
        if (next === id && rt.machine.steps > before) out.push(rec);
        if (rt.machine.steps === before) break; // halted or failed: nothing further
        if (outcome.kind === 'poweroff' || outcome.kind === 'failure') break;
        if (rt.host.now() - t0 > SLICE_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          t0 = rt.host.now();
        }
      }
    } finally {
      rt.quiet = false;
      rt.dropPending();
    }
    return out;
  }

  /** Goes back one instruction (of vCPU `id`) or to the start of the previous source line. */
  async stepBack(id: number, byLine: boolean): Promise<S> {
    const rt = this.rt, m = rt.machine, h = rt.history;
    const target = m.steps;
    if (target <= h.oldestStep) return rt.atHistoryStart(id);
    const curLine = byLine ? rt.program.lineAt(rt.port.pc(id)) : undefined;
    const sp0 = rt.port.reg(id, 2);
    if (m.vcpus.length === 1 && !curLine) {
      h.seek(target - 1);
      return rt.landInExit(id, false) ?? rt.stepStop(id);
    }
    let window = m.vcpus.length === 1 ? 64 : m.vcpus.length * QUANTUM + 1;
    const floor = this.floor(target);
    if (target <= floor && m.vcpus.length > 1) return rt.atHistoryStart(id);
    for (;;) {
      const from = Math.max(floor, target - window);
      const recs = await this.recordSteps(id, from, target);
      if (rt.pauseRequested) return rt.pauseStop(id);
      let chosen: number | undefined;
      if (!curLine) {
        chosen = recs.length ? recs[recs.length - 1].step : undefined;
      } else {
        let i = recs.length - 1;
        const lineOf = (k: number): string => { const l = rt.program.lineAt(recs[k].pc); return l ? `${l.file}:${l.line}` : `@${recs[k].pc}`; };
        const cur = `${curLine.file}:${curLine.line}`;
        // A callee's instructions (deeper stack, another function) belong to the line that called it.
        const fnOf = (pcv: number): number | undefined => rt.program.functionAt(pcv)?.address;
        const inCallee = (k: number, sp: number, fn: number | undefined): boolean => recs[k].sp < sp && fnOf(recs[k].pc) !== fn;
        const fn0 = fnOf(rt.port.pc(id));
        while (i >= 0 && (lineOf(i) === cur || inCallee(i, sp0, fn0))) i--;
        if (i >= 0) {
          const prev = lineOf(i);
          const fnPrev = fnOf(recs[i].pc);
          let j = i;
          while (j - 1 >= 0 && (lineOf(j - 1) === prev || inCallee(j - 1, recs[i].sp, fnPrev))) j--;
          if (j > 0 || from === floor) chosen = recs[j].step;
        }
      }
      if (chosen !== undefined) { h.seek(chosen); return rt.landInExit(id, curLine !== undefined) ?? rt.stepStop(id); }
      if (from === floor || window >= 1 << 24) {
        h.seek(recs.length ? recs[0].step : from);
        return recs.length ? rt.stepStop(id) : rt.atHistoryStart(id);
      }
      window *= 4;
    }
  }

  /** Runs backwards to the most recent point where a breakpoint (of any kind) would have stopped. */
  async reverseContinue(id: number): Promise<S> {
    const rt = this.rt, m = rt.machine, h = rt.history;
    let end = m.steps;
    const windowSize = Math.max(h.interval, 100_000);
    while (end > h.oldestStep) {
      const start = Math.max(this.floor(end), end - windowSize);
      const hits = await rt.scanWindow(start, end);
      if (rt.pauseRequested) return rt.pauseStop(id); // somewhere in the window searched
      const last = hits.filter((x) => x.steps < end).pop();
      if (last) {
        h.seek(last.steps);
        if (last.handlerEntry) rt.enterHandler(last.handlerEntry.vcpu);
        return last.stop;
      }
      end = start;
    }
    h.seek(h.oldestStep);
    return rt.atHistoryStart(id);
  }
}
