// Interrupt provenance's costs (docs/interrupt-provenance.md): guest MIPS with and without the
// chain recorder on a periodic-timer guest and on a NIC guest taking a packet every so many cycles
// — at the examples' own rate (examples/timer.s: a tick every 400 000 cycles) and under an interrupt
// storm 20–40× denser —, the recorder's cost per interrupt, and the latency of hyperstep/why and
// hyperstep/interrupts with 10⁵ interrupts of history. Figures only: nothing here asserts a time
// (tests never do).
import { ChildProcess, fork } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as v8 from 'v8';
import * as vm from 'vm';
import { Machine } from '../src/vm/vmm/machine';
import { History } from '../src/vm/vmm/history';
import { ChainRecorder, DEFAULT_CHAIN_CAPACITY } from '../src/vm/provenance';
import { captureGraph } from '../src/vm/snapshot';
import { interrupts, why } from '../src/debug/provenance';
import { loadProgram, LoadedProgram } from '../src/cli/program';

const ROOT = path.join(__dirname, '..');

/**
 * The configurations compared: no listener; the recorder alone (a CLI `--trace irq` run: it listens
 * to its kinds only); a listener of every event (the debugger's); the debugger's listener and the
 * recorder. A debug session also takes reverse execution's checkpoints: sessionLines.
 */
const MODES = ['stream off', 'recorder', 'stream on', 'stream on + recorder'] as const;
type Mode = typeof MODES[number];

function image(file: string): LoadedProgram {
  const p = loadProgram(file);
  if ('error' in p) throw new Error(p.error);
  return p;
}

/** A collection between runs, so that one run does not pay for the garbage of the one before (null: not exposed). */
const collect: (() => void) | null = (() => {
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return null;
  }
})();

/** The examples' rate: examples/timer.s ticks every 400 000 cycles (initial count 25 000, divide by 16). */
const EXAMPLE_PERIOD = 400_000;

/**
 * Bytes of history each configuration of sessionLines keeps: what a checkpoint costs does not depend
 * on how many are kept, and histories of 512 MiB in the bench's process made every configuration pay
 * for their collection (CPU time counts the collector's threads).
 */
const HISTORY_BUDGET = 16 * 1024 * 1024;

/**
 * A guest and its interrupt rate: an interrupt every `period` cycles — the bench's packets when
 * `packetPeriod` is set, else the guest's own timer.
 */
interface Load { label: string; rate: string; file: string; period: number; packetPeriod: number }

function guestLoad(rate: string, source: string, file: string, period: number, packets: boolean): Load {
  return { label: `${rate} (${source})`, rate, file, period, packetPeriod: packets ? period : 0 };
}

/**
 * Interrupts each configuration takes before it is measured. V8 optimizes a function once it has
 * run enough, and the recorder's methods run a few times an interrupt, not per instruction: at the
 * examples' rate the last of them reached the optimizing compiler after some 5 000 interrupts
 * (`node --trace-opt`), 40 rounds into what used to be measured, and each compilation (up to 25 ms
 * of the compiler's thread, which CPU time counts) landed on a recorder slice. A NIC run's cycle
 * count also passes 2³¹ near packet 5 400, and code that assumed small integers is deoptimized
 * once. A long run pays neither again: both are measured apart (the warm-up line), not in the rounds.
 */
const WARM_INTERRUPTS = 8000;

/** Rounds at the examples' rate (see provenanceBench). */
const EXAMPLE_ROUNDS = 200;

/** Instructions that take a configuration through its first WARM_INTERRUPTS interrupts. */
const warmUpInstructions = (load: Load): number => Math.max(2e7, WARM_INTERRUPTS * load.period);

/** One configuration's machine, run on and on: each slice continues where the last one stopped. */
interface Runner { m: Machine; recorder: ChainRecorder | undefined; history: History | undefined; nextPacket: number }

function runner(program: LoadedProgram, mode: Mode, packetPeriod: number, checkpoints = false): Runner {
  const m = new Machine({ devices: { nic: { slot: 3, msi: false } } }, { consoleOutput: () => undefined });
  const session = mode === 'stream on' || mode === 'stream on + recorder';
  if (session) m.events.subscribe(() => undefined);
  const recorder = mode === 'recorder' || mode === 'stream on + recorder' ? ChainRecorder.attach(m) : undefined;
  m.load(program.image);
  return { m, recorder, history: checkpoints ? new History(m, HISTORY_BUDGET) : undefined, nextPacket: packetPeriod };
}

/** Runs `insns` more instructions of `r` (a packet every `packetPeriod` cycles; 0: none): the CPU time it took (ms). */
function slice(r: Runner, insns: number, packetPeriod: number): number {
  const m = r.m;
  const packet = new TextEncoder().encode('hello');
  const end = m.instructions() + insns;
  collect?.();
  const c0 = process.cpuUsage();
  while (m.instructions() < end) {
    // Packets are scheduled a little ahead of the clock as the run goes (the machine's schedule is
    // a sorted array: a whole run's packets at once would make every insertion and firing O(n)).
    if (packetPeriod) for (; r.nextPacket < m.cycles() + 100 * packetPeriod; r.nextPacket += packetPeriod) m.scheduleEvent({ atCycle: r.nextPacket, kind: 'nic-rx', data: packet });
    const before = m.instructions();
    if (r.history) r.history.run(Math.min(end, before + 1e6));
    else m.run(Math.min(end, before + 1e6));
    if (m.instructions() === before) throw new Error('the guest stopped');
  }
  const cpu = process.cpuUsage(c0);
  return (cpu.user + cpu.system) / 1000;
}

/**
 * Each configuration runs in a process of its own, as a user's run does: V8's type feedback and
 * optimized code belong to a process, so a configuration sharing one with the others ran the
 * emitters compiled for every listener at once (the recorder's methods called both directly and
 * from event objects, the events' shapes besides), and the others' garbage was collected on its
 * time. On the NIC guest at the examples' rate, after the warm-up, the recorder's cost read 5.9 and
 * 8.5 % with the debugger's two configurations in the same process, 4.0 and 2.7 % without them.
 * The parent only hands out slices, round by round, and collects each one's CPU time, which the
 * configuration's process measures of itself (process.cpuUsage: its threads, its collector's).
 */
const RUNNER_ENV = 'HYPERSTEP_PROVENANCE_RUNNER';

/** What a configuration's process is started with (RUNNER_ENV, as JSON). */
interface RunnerSpec { file: string; mode: Mode; packetPeriod: number; checkpoints: boolean }

/** A slice as its process reports it: CPU time (ms), chains recorded so far, the history's checkpoints and their spacing. */
interface SliceResult { ms: number; chains: number; checkpoints: number; interval: number }

/**
 * In a configuration's process (bench/run.ts calls this first): runs the slices the parent asks for
 * (a message: how many instructions) and answers each with a SliceResult. False in any other process.
 */
export function provenanceRunner(): boolean {
  const spec = process.env[RUNNER_ENV];
  const send = process.send?.bind(process);
  if (!spec || !send) return false;
  const s = JSON.parse(spec) as RunnerSpec;
  const r = runner(image(s.file), s.mode, s.packetPeriod, s.checkpoints);
  process.on('message', (insns: number) => {
    const ms = slice(r, insns, s.packetPeriod);
    const result: SliceResult = { ms, chains: r.recorder?.total ?? 0, checkpoints: r.history?.count ?? 0, interval: r.history?.interval ?? 0 };
    send(result);
  });
  process.on('disconnect', () => process.exit(0));
  return true;
}

/** The parent's handle on a configuration's process: one slice at a time. */
class Configuration {
  private readonly child: ChildProcess;
  private pending: { resolve: (r: SliceResult) => void; reject: (e: Error) => void } | undefined;

  constructor(spec: RunnerSpec) {
    // process.argv[1] is the bundle running now (dist/bench.js): its entry starts the runner when RUNNER_ENV is set.
    this.child = fork(process.argv[1], [], { env: { ...process.env, [RUNNER_ENV]: JSON.stringify(spec) } });
    this.child.on('message', (r) => { const p = this.pending; this.pending = undefined; p?.resolve(r as SliceResult); });
    this.child.on('exit', (code) => { const p = this.pending; this.pending = undefined; p?.reject(new Error(`the ${spec.mode} configuration's process exited (${code})`)); });
  }

  slice(insns: number): Promise<SliceResult> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.child.send(insns);
    });
  }

  close(): void { this.child.disconnect(); }
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

/**
 * Runs `configs` on in slices of `insns` instructions, interleaved round by round in a rotating
 * order, until each has run ≥ 1 s of CPU time — at least `minRounds` rounds, at most three times
 * that. Returns each configuration's slices, round by round.
 */
async function interleave(configs: readonly Configuration[], insns: number, minRounds: number): Promise<SliceResult[][]> {
  const out: SliceResult[][] = configs.map(() => []);
  const total = (rs: SliceResult[]): number => rs.reduce((a, r) => a + r.ms, 0);
  for (let round = 0; round < 3 * minRounds && (round < minRounds || Math.min(...out.map(total)) < 1000); round++) {
    for (let k = 0; k < configs.length; k++) {
      const i = (k + round) % configs.length;
      out[i].push(await configs[i].slice(insns));
    }
  }
  return out;
}

/** The cost of slice times `ms` over `base` (same rounds): of the best slices, and the median of the rounds' own ratios. */
function costText(ms: number[], base: number[]): string {
  const best = (Math.min(...ms) / Math.min(...base) - 1) * 100;
  const paired = (median(ms.map((t, i) => t / base[i])) - 1) * 100;
  return `${best.toFixed(1).padStart(5)}% (best slices), ${paired.toFixed(1).padStart(5)}% (median of the rounds' ratios)`;
}

/** Starts a process per mode on `load` and takes each through its warm-up: their handles and warm-up times (ms). */
async function configurations(load: Load, modes: readonly Mode[], checkpoints: boolean): Promise<{ configs: Configuration[]; warm: number[] }> {
  const configs = modes.map((mode) => new Configuration({ file: load.file, mode, packetPeriod: load.packetPeriod, checkpoints }));
  const warm: number[] = [];
  for (const c of configs) warm.push((await c.slice(warmUpInstructions(load))).ms);
  return { configs, warm };
}

/**
 * The recorder's cost on one guest run long. Wall-clock MIPS swing by 2–5× on a shared machine, so:
 * CPU time (process.cpuUsage), not wall time. One machine per configuration, each in its own
 * process (RUNNER_ENV), warmed up (WARM_INTERRUPTS), then run on in slices of `insns` instructions,
 * the configurations interleaved round by round (in a rotating order) until each has run ≥ 1 s, at
 * least `minRounds` rounds and at most three times that; a collection before each slice. A fresh
 * machine per run would measure mostly V8 compiling that machine's blocks again (such runs took
 * 3–5× the time of the same instructions later in the run, and varied as much): not what a long
 * run pays. Reported: best-of-N and median MIPS, and the cost as ratios — of the best slices, and
 * the median of each round's own ratio (a round's slices are milliseconds apart, so they share the load).
 */
async function costLines(load: Load, insns: number, minRounds: number): Promise<void> {
  const { configs, warm } = await configurations(load, MODES, false);
  const times = await interleave(configs, insns, minRounds);
  for (const c of configs) c.close();
  const ms = Object.fromEntries(MODES.map((mode, i) => [mode, times[i].map((r) => r.ms)])) as Record<Mode, number[]>;
  const rec = MODES.indexOf('recorder'), off = MODES.indexOf('stream off');
  const recorded = times[rec];
  const chains = (recorded[recorded.length - 1].chains - recorded[0].chains) / (recorded.length - 1);
  const mips = (t: number): string => (insns / t / 1000).toFixed(1).padStart(7);
  console.log(`  ${load.label}: slices of ${insns.toExponential(1).replace('e+', 'e')} instructions, ${ms['stream off'].length} rounds` + (collect ? '' : ' (no gc between slices)'));
  for (const mode of MODES) {
    console.log(`    ${mode.padEnd(22)} best ${mips(Math.min(...ms[mode]))} MIPS  median ${mips(median(ms[mode]))} MIPS  (CPU time)`);
  }
  const cost = (mode: Mode, base: Mode): string => costText(ms[mode], ms[base]);
  console.log(`    recorder's cost over no listener:        ${cost('recorder', 'stream off')}`);
  // Per interrupt, the median of each round's own difference (its two slices share the load): the
  // figure that carries over to any rate — the cost in % is this times the interrupts per second.
  const perChain = median(ms.recorder.map((t, i) => t - ms['stream off'][i])) * 1e6 / chains;
  console.log(`      ${chains.toFixed(0)} interrupts a slice: the recorder adds ${perChain.toFixed(0)} ns of CPU time to each (median of the rounds' differences)`);
  console.log(`      before that, the first ${WARM_INTERRUPTS} interrupts (V8 compiling the recorder as it gets hot): ${(warm[rec] - warm[off]).toFixed(0)} ms more CPU time with it, once`);
  console.log(`    recorder's cost in a debug session:      ${cost('stream on + recorder', 'stream on')}`);
}

/**
 * A debug session as the adapter runs one: a listener of every event and reverse execution's
 * checkpoints (every ~10 ms of execution, vm/vmm/history.ts), with and without the recorder — whose
 * store each checkpoint copies (the chunks written since the last one). Two configurations,
 * interleaved as in costLines.
 */
async function sessionLines(load: Load, insns: number, minRounds: number): Promise<void> {
  const { configs } = await configurations(load, ['stream on', 'stream on + recorder'], true);
  const [plain, rec] = await interleave(configs, insns, minRounds);
  for (const c of configs) c.close();
  const last = rec[rec.length - 1];
  console.log(`  ${load.rate}, ${plain.length} rounds: the recorder's cost ${costText(rec.map((r) => r.ms), plain.map((r) => r.ms))}; ${last.checkpoints} checkpoints kept, ${(last.interval / 1e6).toFixed(1)}·10⁶ steps apart now`);
}

/**
 * What the recorder adds to each reverse-execution checkpoint, its ring full (a debug session's
 * 1024 chains): the first capture copies the whole store; the next ones only the chunks written
 * since (chain-store.ts CHUNK_SHIFT), here after 100 more timer interrupts.
 */
function checkpointLine(): void {
  const m = new Machine({}, { consoleOutput: () => undefined });
  const rec = ChainRecorder.attach(m);
  m.load(image(path.join(ROOT, 'bench', 'timer-spin.s')).image);
  m.run(1e7);
  const t0 = process.hrtime.bigint();
  const first = captureGraph(rec);
  const firstMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const ms: number[] = [], bytes: number[] = [];
  for (let i = 0; i < 21; i++) {
    m.run(m.instructions() + 1e6);
    const t = process.hrtime.bigint();
    const g = captureGraph(rec);
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    bytes.push(g.bytes);
  }
  console.log(`  checkpoint of the recorder (${rec.chains().length} chains in its ring): the first ${firstMs.toFixed(2)} ms, ${(first.bytes / 1024).toFixed(0)} KiB; ` +
    `after 100 more interrupts median ${median(ms).toFixed(2)} ms, ${(median(bytes) / 1024).toFixed(0)} KiB (the machine's graph with it; ${first.saved.length} objects)`);
}

/** A periodic-timer guest whose every interrupt is a chain; `count` is the LAPIC initial count. */
function timerGuest(count: number): string {
  const text = fs.readFileSync(path.join(ROOT, 'bench', 'timer-spin.s'), 'utf8').replace(/li\s+t0, 10000\b/, `li      t0, ${count}`);
  const file = path.join(ROOT, 'dist', `bench-timer-${count}.s`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

function time<T>(f: () => T): { ms: number; value: T } {
  f();
  const t0 = process.hrtime.bigint();
  let value = f();
  const n = 20;
  for (let i = 1; i < n; i++) value = f();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6 / n, value };
}

/** The 1-, 5- and 15-minute load averages: what the machine's other users were doing meanwhile. */
const loadAverage = (): string => os.loadavg().map((x) => x.toFixed(2)).join(' ');

export async function provenanceBench(): Promise<void> {
  console.log('\ninterrupt provenance: the chain recorder\'s cost (guest MIPS of CPU time; cost = extra CPU time)');
  const load0 = loadAverage();
  const timerAtExampleRate = guestLoad(`periodic LAPIC timer every ${EXAMPLE_PERIOD} cycles`, `bench/timer-spin.s at examples/timer.s's period`, timerGuest(EXAMPLE_PERIOD), EXAMPLE_PERIOD, false);
  const nicAtExampleRate = guestLoad(`NIC, a packet every ${EXAMPLE_PERIOD} cycles`, 'bench/nic-spin.s', path.join(ROOT, 'bench', 'nic-spin.s'), EXAMPLE_PERIOD, true);
  // At the examples' rate the cost is a few per cent of a slice, below the noise of one: a round's
  // ratio scatters over ±10 % (its interquartile range on the NIC guest), so many short slices — the
  // median of 200 rounds' ratios moves by a per cent or so from one run to the next.
  await costLines(timerAtExampleRate, 5e7, EXAMPLE_ROUNDS);
  await costLines(nicAtExampleRate, 5e7, EXAMPLE_ROUNDS);
  await costLines(guestLoad('storm: periodic LAPIC timer every 10000 cycles', 'bench/timer-spin.s', path.join(ROOT, 'bench', 'timer-spin.s'), 10_000, false), 1e8, 5);
  await costLines(guestLoad('storm: NIC, a packet every 20000 cycles', 'bench/nic-spin.s', path.join(ROOT, 'bench', 'nic-spin.s'), 20_000, true), 1e8, 5);
  console.log('  in a debug session: a listener of every event and reverse execution\'s checkpoints, with and without the recorder (CPU time)');
  await sessionLines(timerAtExampleRate, 5e7, 60);
  await sessionLines(nicAtExampleRate, 5e7, 60);
  console.log(`  load average while measuring: ${load0} at the start, ${loadAverage()} at the end (2 cores, shared)`);
  checkpointLine();

  const history = 100_000;
  /** A timer guest run until the recorder (a ring of `capacity` chains) has seen `history` interrupts. */
  const filled = (capacity: number): { m: Machine; rec: ChainRecorder } => {
    const m = new Machine({}, { consoleOutput: () => undefined });
    const rec = ChainRecorder.attach(m, { capacity });
    m.load(image(timerGuest(200)).image);
    while (rec.total < history) m.run(m.instructions() + 100_000);
    return { m, rec };
  };
  const t0 = process.hrtime.bigint();
  const { m, rec } = filled(history);
  const fill = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`\ninterrupt provenance: queries with ${rec.total} interrupts of history (ring of ${rec.capacity}, filled in ${fill.toFixed(1)} s)`);
  const line = (label: string, f: () => unknown, indent = 2): void => {
    const r = time(() => JSON.stringify(f()));
    console.log(`${' '.repeat(indent)}${label.padEnd(46 - indent)} ${r.ms.toFixed(2).padStart(8)} ms  (${(r.value.length / 1024).toFixed(0)} KiB of JSON)`);
  };
  line('hyperstep/why { vector: 0x40, vcpu: 0 }', () => why(m, { vector: 0x40, vcpu: 0 }, 0));
  line('hyperstep/why { gsi: 4 }', () => why(m, { gsi: 4 }, 0));
  line('hyperstep/interrupts { last: 100 }', () => interrupts(m, { last: 100 }));
  line('hyperstep/interrupts { vector: 0x40, last: 100 }', () => interrupts(m, { vector: 0x40, last: 100 }));
  line('hyperstep/interrupts { gsi: 4 } (scans all, none match)', () => interrupts(m, { gsi: 4 }));
  line('hyperstep/interrupts {} (every chain)', () => interrupts(m, {}));

  // A debug session's ring (DEFAULT_CHAIN_CAPACITY) after as many interrupts: every request shape,
  // the whole ring included, is bounded by the ring, not by the history.
  const { m: d, rec: drec } = filled(DEFAULT_CHAIN_CAPACITY);
  console.log(`  the default ring (${drec.capacity} chains) after ${drec.total} interrupts:`);
  line('hyperstep/why { vector: 0x40, vcpu: 0 }', () => why(d, { vector: 0x40, vcpu: 0 }, 0), 4);
  line('hyperstep/interrupts {} (every chain)', () => interrupts(d, {}), 4);
}
