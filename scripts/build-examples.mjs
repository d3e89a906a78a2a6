#!/usr/bin/env node
// `npm run examples`: builds the C examples (examples/c/*.c) and the C test programs
// (test/debug/fixtures/c/) with the Debian RISC-V toolchain, next to their sources. The ELFs are
// checked in, so users need no toolchain (docs/examples.md "C examples").
//
//   node scripts/build-examples.mjs            build everything in place
//   node scripts/build-examples.mjs --out DIR  build into DIR instead (the test that checks the
//                                              checked-in ELFs are up to date compares them)
//   node scripts/build-examples.mjs NAME.elf…  build only these
//
// Builds are reproducible: each compiler runs in its source folder with -fdebug-prefix-map, so
// the DWARF names files relative to the ELF and holds no absolute path of this machine.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const GCC = 'riscv64-unknown-elf-gcc';
/** The ISA of the examples: GCC's default RV32 ISA, compressed instructions included (docs/examples.md). */
export const ARCH = ['-march=rv32imac_zicsr_zifencei', '-mabi=ilp32'];
const RUNTIME = ['crt0.S', 'trap.S', 'lib.c'];

/** Every ELF: [folder relative to the root, output name, sources (relative to the folder), extra flags]. */
export const TARGETS = [
  ['examples/c', 'nic-driver.elf', ['nic-driver.c'], ['-O2']],
  ['examples/c', 'sv32-kernel.elf', ['sv32-kernel.c'], ['-O2']],
  ['examples/c', 'smp.elf', ['smp.c'], ['-O2']],
  ['test/debug/fixtures/c', 'cvars-O0.elf', ['cvars.c'], ['-O0']],
  ['test/debug/fixtures/c', 'cvars-O2.elf', ['cvars.c'], ['-O2']],
  ['test/debug/fixtures/c', 'cvars-O2-dwarf4.elf', ['cvars.c'], ['-O2', '-gdwarf-4']],
  ['test/debug/fixtures/c', 'cvars-O2-eh.elf', ['cvars.c'], ['-O2', '-fasynchronous-unwind-tables']],
  ['test/debug/fixtures/c', 'inline-O2.elf', ['inline.c'], ['-O2']],
];

function build(outRoot, only) {
  const runtimeDir = join(ROOT, 'examples/c/runtime');
  for (const [folder, name, sources, flags] of TARGETS) {
    if (only.length && !only.includes(name)) continue;
    const cwd = join(ROOT, folder);
    const rt = relative(cwd, runtimeDir);
    const out = join(outRoot, folder, name);
    mkdirSync(dirname(out), { recursive: true });
    const args = [
      ...ARCH, '-mcmodel=medany', '-g', ...flags, '-ffreestanding', '-nostdlib', '-static', '-fno-tree-loop-distribute-patterns',
      '-Wall', '-Wextra', '-Werror', `-fdebug-prefix-map=${cwd}=.`, '-I', rt, '-T', join(rt, 'link.ld'),
      '-o', out, ...RUNTIME.map((f) => join(rt, f)), ...sources,
    ];
    const r = spawnSync(GCC, args, { cwd, encoding: 'utf8' });
    if (r.error) {
      throw new Error(`${GCC} not found (${r.error.message}).\nOn Debian/Ubuntu: apt-get install gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf`);
    }
    if (r.status !== 0) throw new Error(`${folder}/${name}: ${GCC} failed:\n${r.stderr}`);
    console.log(`built ${relative(process.cwd(), out)}`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const i = args.indexOf('--out');
  const out = i >= 0 ? resolve(args[i + 1]) : ROOT;
  if (i >= 0) args.splice(i, 2);
  try {
    build(out, args);
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
