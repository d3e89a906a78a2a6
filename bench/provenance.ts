// Interrupt provenance's costs (docs/interrupt-provenance.md): guest MIPS with and without the
// chain recorder on a periodic-timer guest and on a NIC guest taking a packet every 20 000 cycles, and the
// latency of hyperstep/why and hyperstep/interrupts with 10⁵ interrupts of history. Figures only:
// nothing here asserts a time (tests never do).
import * as fs from 'fs';
import * as path from 'path';
import * as v8 from 'v8';
import * as vm from 'vm';
import { Machine } from '../src/vm/vmm/machine';
import { ChainRecorder } from '../src/vm/provenance';
import { captureGraph } from '../src/vm/snapshot';
import { interrupts, why } from '../src/debug/provenance';
import { loadProgram, LoadedProgram } from '../src/cli/program';

const ROOT = path.join(__dirname, '..');

/**
 * The configurations compared: no listener; the recorder alone (a CLI `--trace irq` run: it listens
 * to its kinds only); a listener of every event (the debugger's); the debugger's listener and the
 * recorder (a debug session).
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

/** The NIC load: a packet every PACKET_PERIOD cycles for the whole run. */
const PACKET_PERIOD = 20_000;

/** One run of `file` for `insns` instructions: the CPU time it took (ms) and the instructions run. */
function run(program: LoadedProgram, insns: number, mode: Mode, nic: boolean): { ms: number; insns: number } {
  const m = new Machine({ devices: { nic: { slot: 3, msi: false } } }, { consoleOutput: () => undefined });
  if (mode === 'stream on' || mode === 'stream on + recorder') m.events.subscribe(() => undefined);
  if (mode === 'recorder' || mode === 'stream on + recorder') ChainRecorder.attach(m);
  m.load(program.image);
  collect?.();
  const c0 = process.cpuUsage();
  if (nic) {
    // Packets are scheduled a little ahead of the clock as the run goes (the machine's schedule is
    // a sorted array: a whole run's packets at once would make every insertion and firing O(n)).
    const packet = new TextEncoder().encode('hello');
    let next = PACKET_PERIOD;
    while (m.instructions() < insns) {
      for (; next < m.cycles() + 100 * PACKET_PERIOD; next += PACKET_PERIOD) m.scheduleEvent({ atCycle: next, kind: 'nic-rx', data: packet });
      const before = m.instructions();
      m.run(Math.min(insns, before + 1e6));
      if (m.instructions() === before) break;
    }
  } else {
    m.run(insns);
  }
  const cpu = process.cpuUsage(c0);
  return { ms: (cpu.user + cpu.system) / 1000, insns: m.instructions() };
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

/**
 * The recorder's cost on one guest. Wall-clock MIPS swing by 2–5× on a shared machine, so: CPU time
 * (process.cpuUsage), not wall time; runs of 10⁸ instructions; the modes interleaved round by round
 * (in a rotating order) until each has run ≥ 1 s, at least 5 rounds; a collection before each run.
 * Reported: best-of-N and median MIPS, and the cost as ratios — of the best runs, and the median
 * of each round's own ratio (a round's runs are seconds apart, so they share the load).
 */
function costLines(label: string, file: string, insns: number, nic: boolean): void {
  const program = image(file);
  for (const mode of MODES) run(program, Math.min(insns, 1e7), mode, nic); // warm-up: lets V8 optimise
  const ms: Record<Mode, number[]> = { 'stream off': [], recorder: [], 'stream on': [], 'stream on + recorder': [] };
  let ran = 0;
  for (let round = 0; round < 15 && (round < 5 || Math.min(...MODES.map((m) => ms[m].reduce((a, x) => a + x, 0))) < 1000); round++) {
    for (let k = 0; k < MODES.length; k++) {
      const mode = MODES[(k + round) % MODES.length];
      const r = run(program, insns, mode, nic);
      ms[mode].push(r.ms);
      ran = r.insns;
    }
  }
  const mips = (t: number): string => (ran / t / 1000).toFixed(1).padStart(7);
  console.log(`  ${label}: ${ran.toExponential(1).replace('e+', 'e')} instructions a run, ${ms['stream off'].length} rounds` + (collect ? '' : ' (no gc between runs)'));
  for (const mode of MODES) {
    console.log(`    ${mode.padEnd(22)} best ${mips(Math.min(...ms[mode]))} MIPS  median ${mips(median(ms[mode]))} MIPS  (CPU time)`);
  }
  const cost = (mode: Mode, base: Mode): string => {
    const best = (Math.min(...ms[mode]) / Math.min(...ms[base]) - 1) * 100;
    const paired = (median(ms[mode].map((t, i) => t / ms[base][i])) - 1) * 100;
    return `${best.toFixed(1).padStart(5)}% (best runs), ${paired.toFixed(1).padStart(5)}% (median of the rounds' ratios)`;
  };
  console.log(`    recorder's cost over no listener:        ${cost('recorder', 'stream off')}`);
  console.log(`    recorder's cost in a debug session:      ${cost('stream on + recorder', 'stream on')}`);
}

/** What the recorder adds to each reverse-execution checkpoint, its ring full (a debug session's 1024 chains). */
function checkpointLine(): void {
  const m = new Machine({}, { consoleOutput: () => undefined });
  const rec = ChainRecorder.attach(m);
  m.load(image(path.join(ROOT, 'bench', 'timer-spin.s')).image);
  m.run(1e7);
  let g = captureGraph(rec);
  const r = time(() => { g = captureGraph(rec); });
  console.log(`  checkpoint of the recorder (${rec.chains().length} chains in its ring): ${r.ms.toFixed(2)} ms, ${g.saved.length} objects, ${(g.bytes / 1024).toFixed(0)} KiB`);
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

export function provenanceBench(): void {
  console.log('\ninterrupt provenance: the chain recorder\'s cost (guest MIPS of CPU time; cost = extra CPU time)');
  costLines('periodic LAPIC timer (bench/timer-spin.s)', path.join(ROOT, 'bench', 'timer-spin.s'), 1e8, false);
  costLines(`NIC, a packet every ${PACKET_PERIOD} cycles (bench/nic-spin.s)`, path.join(ROOT, 'bench', 'nic-spin.s'), 1e8, true);
  checkpointLine();

  const history = 100_000;
  const m = new Machine({}, { consoleOutput: () => undefined });
  const rec = ChainRecorder.attach(m, { capacity: history });
  m.load(image(timerGuest(200)).image);
  const t0 = process.hrtime.bigint();
  while (rec.total < history) m.run(m.instructions() + 100_000);
  const fill = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`\ninterrupt provenance: queries with ${rec.total} interrupts of history (ring of ${rec.capacity}, filled in ${fill.toFixed(1)} s)`);
  const line = (label: string, f: () => unknown): void => {
    const r = time(() => JSON.stringify(f()));
    console.log(`  ${label.padEnd(44)} ${r.ms.toFixed(2).padStart(8)} ms  (${(r.value.length / 1024).toFixed(0)} KiB of JSON)`);
  };
  line('hyperstep/why { vector: 0x40, vcpu: 0 }', () => why(m, { vector: 0x40, vcpu: 0 }, 0));
  line('hyperstep/why { gsi: 4 }', () => why(m, { gsi: 4 }, 0));
  line('hyperstep/interrupts { last: 100 }', () => interrupts(m, { last: 100 }));
  line('hyperstep/interrupts { vector: 0x40, last: 100 }', () => interrupts(m, { vector: 0x40, last: 100 }));
  line('hyperstep/interrupts { gsi: 4 } (scans all, none match)', () => interrupts(m, { gsi: 4 }));
  line('hyperstep/interrupts {} (every chain)', () => interrupts(m, {}));
}
