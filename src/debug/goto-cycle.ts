// Run to any cycle (docs/interrupt-provenance.md): hyperstep/runToCycle and `goto cycle N` put the
// machine at the first instruction boundary at or after cycle N on one vCPU's clock, forwards or
// backwards, exactly. A vCPU's clock never goes down as the machine's step count grows, so the
// answer is the first step whose clock reaches N: bracket it (run forward in chunks, or look back
// in growing windows), then bisect with History.seek, which is exact by determinism. An interrupt
// taken in the last step is entered at the handler's first instruction when its entry already
// reaches N (the `interrupt-taken` hop's cycle is that instruction's).
import { ExprError } from './expr';
import type { StopInfo } from './runtime';
import type { Machine, RunOutcome } from '../vm';

/** What goto needs from the runtime: exact positioning, quiet forward runs, a step that stops on a handler's entry. */
export interface CyclePort {
  readonly machine: Machine;
  oldestStep(): number;
  /** History.seek: false if the step is older than the history. */
  seek(step: number): boolean;
  /** Runs forward to `untilStep` with breakpoints lifted and events ignored. */
  advance(untilStep: number): RunOutcome;
  /** One step of `vcpu` that stops at an interrupt handler's first instruction if it enters one; true if it did. */
  stepIntoHandler(vcpu: number): boolean;
  /** Lets the event loop run (pause requests, DAP requests); true if a pause was requested. */
  breathe(): Promise<boolean>;
}

/** Forward chunks are cut at this many steps so pause and requests are served between them. */
const CHUNK = 2_000_000;

export class GotoPaused extends Error {}

export async function gotoCycle(p: CyclePort, vcpu: number, target: number): Promise<StopInfo> {
  const m = p.machine;
  const v = m.vcpus[vcpu];
  const clock = (): number => v.cpu.cycles();
  const start = m.steps;
  let lo: number, hi: number;
  if (clock() >= target) {
    // Backwards: widen a window until its start is before the target.
    hi = start;
    let width = Math.max(1, clock() - target);
    for (;;) {
      const oldest = p.oldestStep();
      lo = Math.max(oldest, hi - width);
      p.seek(lo);
      if (clock() < target) break;
      if (lo === oldest) {
        if (oldest === 0 || clock() === target) return arrived(m, vcpu, target);
        p.seek(start);
        throw new ExprError(`cycle ${target} is before the recorded history: the oldest position kept is cycle ${clock()} of vCPU ${vcpu}`);
      }
      hi = lo;
      width *= 4;
    }
  } else {
    // Forwards: each of the vCPU's steps adds at least a cycle, so a chunk of (distance × vCPUs)
    // machine steps rarely falls short, and bisection trims what it overshoots.
    lo = start;
    for (;;) {
      const before = m.steps;
      const want = Math.min(CHUNK, Math.max(1, target - clock()) * m.vcpus.length);
      const outcome = p.advance(before + want);
      if (clock() >= target) { hi = m.steps; break; }
      lo = m.steps;
      const ended = outcome.kind === 'poweroff' || outcome.kind === 'failure' || outcome.kind === 'halted' ||
        (outcome.kind === 'stopped' && outcome.reason === 'ebreak') || m.steps === before;
      if (ended) {
        const end = clock();
        p.seek(start);
        const why = outcome.kind === 'poweroff' ? `the guest powered off (exit code ${outcome.code})`
          : outcome.kind === 'failure' ? `the guest cannot go on (${outcome.message})`
            : outcome.kind === 'halted' ? 'every vCPU is halted for good'
              : outcome.kind === 'stopped' && outcome.reason === 'ebreak' ? 'the guest stops at an ebreak' : 'the machine does not advance';
        throw new ExprError(`cycle ${target} is beyond the end of the run: ${why} at cycle ${end} of vCPU ${vcpu}`);
      }
      if (await p.breathe()) throw new GotoPaused();
    }
  }
  // Bisect: clock(lo) < target ≤ clock(hi).
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    p.seek(mid);
    if (clock() >= target) hi = mid; else lo = mid;
  }
  p.seek(lo);
  if (p.stepIntoHandler(vcpu) && clock() >= target) return arrived(m, vcpu, target);
  p.seek(hi);
  return arrived(m, vcpu, target);
}

function arrived(m: Machine, vcpu: number, target: number): StopInfo {
  const v = m.vcpus[vcpu];
  return {
    kind: 'stop', reason: 'goto', vcpu, description: `cycle ${target}`,
    text: `vCPU ${vcpu} at cycle ${v.cpu.cycles()}, pc 0x${(v.cpu.pc >>> 0).toString(16)}`,
  };
}

/** Checks a requested cycle: a whole number from 0. */
export function checkCycle(cycle: unknown): number {
  if (typeof cycle !== 'number' || !Number.isFinite(cycle)) throw new ExprError(`cycle must be a number, got ${JSON.stringify(cycle)}`);
  if (!Number.isInteger(cycle) || cycle < 0) throw new ExprError(`cycle ${cycle} does not exist: cycles are whole numbers from 0`);
  return cycle;
}

/** `goto cycle N`: the cycle, or an ExprError with the usage. */
export function parseGoto(text: string): number {
  const m = /^\s*goto\s+cycle\s+(\S+)\s*$/.exec(text);
  if (!m) throw new ExprError('usage: goto cycle N');
  const t = m[1];
  const n = /^-?\d+$/.test(t) ? Number(t) : /^0x[0-9a-f]+$/i.test(t) ? parseInt(t.slice(2), 16) : NaN;
  if (Number.isNaN(n)) throw new ExprError(`goto cycle: expected a number, got '${t}'`);
  return checkCycle(n);
}
