// Interrupt provenance's costs (docs/interrupt-provenance.md): guest MIPS with and without the
// chain recorder on a periodic-timer guest run for 10⁷ instructions and on the NIC example, and the
// latency of hyperstep/why and hyperstep/interrupts with 10⁵ interrupts of history. Figures only:
// nothing here asserts a time (tests never do).
import * as fs from 'fs';
import * as path from 'path';
import { Machine } from '../src/vm/vmm/machine';
import { ChainRecorder } from '../src/vm/provenance';
import { captureGraph } from '../src/vm/snapshot';
import { interrupts, why } from '../src/debug/provenance';
import { loadProgram, LoadedProgram } from '../src/cli/program';

const ROOT = path.join(__dirname, '..');

type Mode = 'stream off' | 'stream on' | 'recorder';

function image(file: string): LoadedProgram {
  const p = loadProgram(file);
  if ('error' in p) throw new Error(p.error);
  return p;
}

/** One run of `file` for at most `insns` instructions; returns MIPS. */
function mips(file: string, insns: number, mode: Mode, nic = false): number {
  const m = new Machine({ devices: { nic: { slot: 3, msi: false } } }, { consoleOutput: () => undefined });
  if (mode === 'stream on') m.events.subscribe(() => undefined);
  if (mode === 'recorder') ChainRecorder.attach(m);
  if (nic) m.scheduleEvent({ atCycle: 20000, kind: 'nic-rx', data: new TextEncoder().encode('hello') });
  m.load(image(file).image);
  const t0 = process.hrtime.bigint();
  m.run(insns);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return m.instructions() / s / 1e6;
}

function costLine(label: string, file: string, insns: number, nic: boolean): void {
  const modes: Mode[] = ['stream off', 'stream on', 'recorder'];
  for (const mode of modes) mips(file, insns, mode, nic); // warm-up
  const best: Record<Mode, number> = { 'stream off': 0, 'stream on': 0, recorder: 0 };
  for (let round = 0; round < 3; round++) for (const mode of modes) best[mode] = Math.max(best[mode], mips(file, insns, mode, nic));
  const cost = (a: number, b: number): string => `${(((b - a) / b) * 100).toFixed(1)}%`;
  console.log(`  ${label.padEnd(34)} stream off ${best['stream off'].toFixed(1).padStart(6)} MIPS  stream on ${best['stream on'].toFixed(1).padStart(6)} MIPS  ` +
    `recorder ${best.recorder.toFixed(1).padStart(6)} MIPS  (recorder costs ${cost(best.recorder, best['stream on'])} over the stream, ${cost(best.recorder, best['stream off'])} over none)`);
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
  console.log('\ninterrupt provenance: the chain recorder\'s cost (best of 3, guest MIPS)');
  costLine('periodic timer, 10^7 instructions', path.join(ROOT, 'bench', 'timer-spin.s'), 1e7, false);
  costLine('examples/nic-irq.s, one packet', path.join(ROOT, 'examples', 'nic-irq.s'), 1e7, true);
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
