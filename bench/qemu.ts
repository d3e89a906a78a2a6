// QEMU's TCG on the same ELFs, in the same bench run, so Hyperstep's MIPS stand beside QEMU's
// (docs/cost-model.md "Speed"). QEMU is run exactly as the guest corpus runs it
// (test/guest/qemu-args.json). Its MIPS is the instruction count Hyperstep retired on that ELF
// (the two agree: the programs are deterministic and their output is compared) over QEMU's
// wall time minus its start-up, measured on a program that powers off at once.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { assemble } from '../src/asm';

const ROOT = path.join(__dirname, '..');
const QEMU = 'qemu-system-riscv32';
const QEMU_ARGS: string[] = JSON.parse(fs.readFileSync(path.join(ROOT, 'test', 'guest', 'qemu-args.json'), 'utf8')).args;

/** A guest that powers off at once: QEMU's start-up and tear-down, subtracted from every run. */
const POWER_OFF = 'li t0, 0x100000\nli t1, 0x5555\nsw t1, 0(t0)\n1: j 1b\n';

export function qemuAvailable(): boolean {
  return spawnSync(QEMU, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Best of `runs` wall times of QEMU on `elf`, in seconds (null when QEMU did not exit 0). */
function qemuSeconds(elf: string, runs: number): number | null {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(QEMU, [...QEMU_ARGS, '-kernel', elf], { stdio: ['ignore', 'ignore', 'ignore'], timeout: 120_000 });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0) return null;
    best = Math.min(best, s);
  }
  return best;
}

let startup: number | null | undefined;

function qemuStartup(): number | null {
  if (startup !== undefined) return startup;
  const asm = assemble(POWER_OFF, 'power-off.s');
  if (!asm.ok || !asm.elf) throw new Error(`bench: power-off guest does not assemble: ${asm.diagnostics.map((d) => d.message).join('; ')}`);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hyperstep-bench-')), 'power-off.elf');
  fs.writeFileSync(file, asm.elf);
  startup = qemuSeconds(file, 5);
  return startup;
}

/** QEMU's MIPS on `elf`, which retires `instructions` instructions; null when QEMU is missing or fails. */
export function qemuMips(elf: string, instructions: number): number | null {
  const base = qemuStartup();
  const total = qemuSeconds(elf, 3);
  if (base === null || total === null) return null;
  return instructions / Math.max(total - base, 1e-3) / 1e6;
}
