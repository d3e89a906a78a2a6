// The guest corpus (test/guest/build/*.elf) is built by test/guest/build.mjs with the RISC-V GCC.
// Tests that read a corpus ELF call this first: mocha runs files in name order, and the corpus's
// own QEMU test (which builds it too) may come later.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const GUEST_BUILD = path.join(__dirname, 'build');

/** Builds the corpus if `elf` (a file under test/guest/build) is missing; throws with the build's output if that fails. */
export function ensureCorpusElf(elf: string): string {
  const file = path.join(GUEST_BUILD, elf);
  if (fs.existsSync(file)) return file;
  const r = spawnSync(process.execPath, [path.join(__dirname, 'build.mjs')], { encoding: 'utf8' });
  if (r.status !== 0 || !fs.existsSync(file)) throw new Error(`building the guest corpus failed (is gcc-riscv64-unknown-elf installed?):\n${r.stderr}${r.stdout}`);
  return file;
}
