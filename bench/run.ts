// `npm run bench`: guest MIPS on CPU-bound programs under the product's default (EPT + VPID) and
// the other MMU configurations, and exits handled per second on an MMIO-heavy loop. Figures only:
// nothing here asserts a time (tests never do).
import * as fs from 'fs';
import * as path from 'path';
import { Machine, MachineConfig, ProgramImage } from '../src/vm/vmm/machine';
import { collectStatistics } from '../src/vm/vmm/statistics';
import { loadProgram } from '../src/cli/program';
import { dapBench } from './dap';
import { ArmedInput, armedBench, billionBench } from './dap-armed';
import { provenanceBench, provenanceRunner } from './provenance';
import { runFlat } from './flat';
import { qemuAvailable, qemuMips } from './qemu';

const ROOT = path.join(__dirname, '..');
const PROGRAMS = path.join(ROOT, 'bench', 'programs');

interface Result { name: string; file?: string; mips: number; instructions: number; seconds: number; ok: boolean; qemu?: number | null }

function runOnce(image: ProgramImage, config: Partial<MachineConfig>, expected: string | undefined): Result & { output: string; machine: Machine } {
  let output = '';
  const m = new Machine(config, { consoleOutput: (b) => { output += String.fromCharCode(b); } });
  const loaded = m.load(image);
  if (loaded.error) throw new Error(loaded.error);
  const t0 = process.hrtime.bigint();
  const outcome = m.run(2e9);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const instructions = m.instructions();
  const ok = outcome.kind === 'poweroff' && outcome.code === 0 && (expected === undefined || expected === output);
  return { name: '', mips: instructions / seconds / 1e6, instructions, seconds, ok, output, machine: m };
}

function load(file: string): ProgramImage {
  const p = loadProgram(file);
  if ('error' in p) throw new Error(p.error);
  return p.image;
}

const geomean = (xs: number[]): number => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);

function flatOnce(image: ProgramImage, expected: string | undefined): Result {
  const t0 = process.hrtime.bigint();
  const r = runFlat(image);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { name: '', mips: r.instructions / seconds / 1e6, instructions: r.instructions, seconds, ok: r.code === 0 && (expected === undefined || expected === r.output) };
}

function cpuBench(label: string, config: Partial<MachineConfig> | 'flat', files: string[], beside?: Map<string, number | null>): Result[] {
  const results: Result[] = [];
  for (const f of files) {
    const expectedFile = f.replace(/\.elf$/, '.expected');
    const expected = fs.existsSync(expectedFile) ? fs.readFileSync(expectedFile, 'latin1') : undefined;
    const image = load(f);
    const once = (): Result => (config === 'flat' ? flatOnce(image, expected) : runOnce(image, config, expected));
    once(); // warm-up: lets V8 optimise the interpreter
    // Beside QEMU, the best of 3 runs, as QEMU's own figure is its best of 3 (qemu.ts): other load on
    // the machine only ever slows a run down.
    let best = once();
    for (let i = 1; i < (beside ? 3 : 1); i++) {
      const again = once();
      if (again.mips > best.mips) best = again;
    }
    const r = { ...best, name: path.basename(f, '.elf'), file: f };
    if (beside) {
      if (!beside.has(f)) beside.set(f, qemuMips(f, r.instructions));
      r.qemu = beside.get(f);
    }
    results.push(r);
  }
  console.log(`\n${label}`);
  const vs = (mips: number, qemu: number | null | undefined): string =>
    (qemu ? `   QEMU ${qemu.toFixed(1).padStart(7)} MIPS  ratio ${(mips / qemu).toFixed(2)}` : '');
  for (const r of results) {
    console.log(`  ${r.name.padEnd(12)} ${r.mips.toFixed(1).padStart(7)} MIPS  ${(r.instructions / 1e6).toFixed(1).padStart(7)} M insns  ${r.seconds.toFixed(2)} s` +
      `${vs(r.mips, r.qemu)}${r.ok ? '' : '  (OUTPUT OR EXIT DIFFERS FROM EXPECTED)'}`);
  }
  const g = geomean(results.map((r) => r.mips));
  const qemus = results.map((r) => r.qemu).filter((q): q is number => typeof q === 'number');
  const gq = qemus.length === results.length ? geomean(qemus) : undefined;
  console.log(`  ${'geomean'.padEnd(12)} ${g.toFixed(1).padStart(7)} MIPS${gq ? `${' '.repeat(28)}${vs(g, gq)}` : ''}`);
  return results;
}

function exitBench(file: string, label: string): void {
  const image = load(path.join(ROOT, 'bench', file));
  runOnce(image, {}, undefined);
  const r = runOnce(image, {}, undefined);
  const s = collectStatistics(r.machine);
  const exits = Object.values(s.exits).reduce((a, b) => a + b, 0);
  console.log(`\n${label}`);
  console.log(`  ${exits} exits in ${r.seconds.toFixed(3)} s = ${(exits / r.seconds / 1e6).toFixed(2)} M exits/s handled ` +
    `(${s.vmmExits.KVM_EXIT_MMIO} of them to the VMM)`);
}

async function main(): Promise<void> {
  const files = fs.existsSync(PROGRAMS) ? fs.readdirSync(PROGRAMS).filter((f) => f.endsWith('.elf')).sort().map((f) => path.join(PROGRAMS, f)) : [];
  if (files.length === 0) { console.error(`no bench programs in ${PROGRAMS}`); process.exitCode = 1; return; }
  const only = process.argv[2];
  const configs: [string, Partial<MachineConfig> | 'flat'][] = [
    ['CPU alone (flat RAM, no MMU model: the baseline)', 'flat'],
    ['EPT + VPID (default)', {}],
    ['EPT + VPID, interpreter only (--no-compiler)', { compiler: false }],
    ['NPT + ASID (AMD nested paging)', { mmu: 'npt' }],
    ['shadow paging + VPID', { mmu: 'shadow' }],
    ['EPT, VPID off', { vpid: false }],
  ];
  // QEMU's TCG on the same ELFs beside the product's default configuration (measured once).
  const qemu = qemuAvailable() ? new Map<string, number | null>() : undefined;
  if (!qemu) console.log('(qemu-system-riscv32 not installed: no QEMU figures; apt-get install qemu-system-misc)');
  let defaults: Result[] | undefined;
  for (const [label, config] of configs) {
    if (only && !label.toLowerCase().includes(only)) continue;
    const results = cpuBench(label, config, files, label.startsWith('EPT + VPID') ? qemu : undefined);
    if (label === 'EPT + VPID (default)') defaults = results;
  }
  exitBench('lapic-loop.s', 'in-kernel MMIO loop (LAPIC TPR, EPT_MISCONFIG handled in the hypervisor)');
  exitBench('mmio-loop.s', 'VMM MMIO loop (UART scratch register, KVM_EXIT_MMIO to the VMM)');
  await provenanceBench();
  await dapBench();
  // The same programs under the debugger, with a breakpoint and an event filter armed and without.
  if (defaults) await armedBench(defaults.map((r): ArmedInput => ({ file: r.file!, name: r.name, instructions: r.instructions, qemu: r.qemu })));
  await billionBench();
}

// A configuration's process of the provenance bench runs this same bundle (bench/provenance.ts).
if (!provenanceRunner()) void main();
