// The block compiler's differential rig (docs/block-compiler.md "How it is tested"): the same
// machine twice, one with the compiler on (compiling every block boundary the first time it is
// reached) and one interpreting, run side by side in slices of many sizes; after every slice
// everything observable must agree: registers, pc, privilege, every CSR, counters, the TLB and
// fast-table counters, the statistics (exits by reason, MMIO, interrupts), the event stream, the
// UART output and, at intervals and at the end, all of guest RAM.
import * as assert from 'node:assert/strict';
import { Machine, MachineConfig, ProgramImage, RunOutcome } from '../../../src/vm/vmm/machine';
import { collectStatistics } from '../../../src/vm/vmm/statistics';
import type { VmEvent } from '../../../src/vm/events';

export interface LockstepOptions {
  config?: Partial<MachineConfig>;
  /** Stop after this many machine steps (if the guest has not powered off before). */
  maxSteps: number;
  /** Slice sizes, used in turn (varied so that slices end inside blocks and loops). */
  slices?: readonly number[];
  /** Set up the machine after loading (events to schedule, …); called on both. */
  prepare?: (m: Machine) => void;
  /** Compare all of RAM every this many slices (and always at the end). */
  ramEvery?: number;
  /** Acts on both machines after slice `k` was compared (a debugger's write to memory, …). */
  between?: (m: Machine, k: number) => void;
}

export interface LockstepResult {
  outcome: RunOutcome;
  steps: number;
  comparisons: number;
  /** Blocks the compiled side compiled (a lockstep that compiled nothing proves nothing). */
  compiled: number;
  /** Steps retired inside compiled blocks is not observable; instructions overall is. */
  instructions: number;
  output: string;
}

const DEFAULT_SLICES = [1, 3, 17, 1000, 2, 4999, 64, 65, 12345, 7, 100_000, 31];

/** The CSR numbers that exist (the same on every hart), found once. */
let csrList: number[] | undefined;

/** Everything a user or the debugger can observe of a vCPU and the machine, as comparable values. */
function observe(m: Machine, output: number[], events: VmEvent[]): Record<string, unknown> {
  const vcpus = m.vcpus.map((v) => {
    const c = v.cpu;
    csrList ??= [...Array(0x1000).keys()].filter((csr) => c.csrRead(csr) !== undefined);
    const csrs = csrList.map((csr) => c.csrRead(csr));
    return {
      x: [...c.x.subarray(0, 32)], pc: c.pc, priv: c.priv, csrs, instret: c.instret, stall: c.stallCycles,
      fastHits: c.fastHits, halted: c.halted, reservation: c.reservation, tlb: { ...v.tlb.stats }, clock: v.clock(),
    };
  });
  return {
    vcpus, steps: m.steps, cycles: m.cycles(), stats: collectStatistics(m), output: output.length,
    events: events.length,
  };
}

function ramDiff(a: Machine, b: Machine): string | undefined {
  const x = a.host.i32, y = b.host.i32;
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== y[i]) return `RAM differs at host offset 0x${(i * 4).toString(16)}: compiled 0x${(x[i] >>> 0).toString(16)}, interpreted 0x${(y[i] >>> 0).toString(16)}`;
  }
  return undefined;
}

/** Runs `image` compiled and interpreted in lockstep; throws (an assertion) at the first difference. */
export function lockstep(image: ProgramImage, o: LockstepOptions): LockstepResult {
  const make = (compiler: boolean): { m: Machine; output: number[]; events: VmEvent[] } => {
    const output: number[] = [];
    // Threshold 1 unless the test asks otherwise: every block boundary compiles the first time (a
    // higher one lets the interpreter decode more first, so traces grow longer).
    const m = new Machine({ compileThreshold: 1, ...o.config, compiler }, { consoleOutput: (b) => output.push(b) });
    const loaded = m.load(image);
    if (loaded.error) throw new Error(loaded.error);
    o.prepare?.(m);
    const events: VmEvent[] = [];
    m.events.subscribe((e) => events.push(e));
    return { m, output, events };
  };
  const jit = make(true), ref = make(false);
  const slices = o.slices ?? DEFAULT_SLICES;
  const ramEvery = o.ramEvery ?? 8;
  let outcome: RunOutcome = { kind: 'limit' };
  let comparisons = 0, seenEvents = 0;
  for (let k = 0; ; k++) {
    const slice = slices[k % slices.length];
    const until = Math.min(o.maxSteps, ref.m.steps + slice);
    outcome = ref.m.run(Infinity, until);
    const jitOutcome = jit.m.run(Infinity, until);
    const where = `after slice ${k} (step ${ref.m.steps})`;
    assert.deepStrictEqual(jitOutcome, outcome, `${where}: outcome`);
    assert.deepStrictEqual(observe(jit.m, jit.output, jit.events), observe(ref.m, ref.output, ref.events), `${where}: state`);
    // The new events, one by one (a difference names the first event that differs).
    for (let i = seenEvents; i < ref.events.length; i++) assert.deepStrictEqual(jit.events[i], ref.events[i], `${where}: event ${i}`);
    seenEvents = ref.events.length;
    assert.deepStrictEqual(jit.output, ref.output, `${where}: UART output`);
    comparisons++;
    const done = !(outcome.kind === 'stopped' && outcome.reason === 'step') || ref.m.steps >= o.maxSteps;
    if (done || k % ramEvery === 0) {
      const diff = ramDiff(jit.m, ref.m);
      assert.equal(diff, undefined, `${where}: ${diff}`);
    }
    if (done) break;
    if (o.between) { o.between(jit.m, k); o.between(ref.m, k); }
  }
  const compiled = jit.m.vcpus.reduce((a, v) => a + (v.cpu.blocks?.compiled ?? 0), 0);
  return { outcome, steps: ref.m.steps, comparisons, compiled, instructions: ref.m.instructions(), output: Buffer.from(ref.output).toString('latin1') };
}
