#!/usr/bin/env node
// Builds the guest corpus (test/guest/corpus.json) into test/guest/build/ with the
// RISC-V GNU toolchain. Programs are built for rv32ima (no compressed
// instructions: objdump checks that none slipped in) unless their entry gives
// `cflags`, e.g. GCC's default -march=rv32imac_zicsr_zifencei and an -O level
// (appended after the defaults, so they win); those are checked to hold
// 16-bit instructions, so the C extension really is exercised.
//
//   node test/guest/build.mjs            build everything
//   node test/guest/build.mjs NAME...    build only these programs
//
// Writes build/manifest.json, which the harness (qemu.test.ts) reads.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import process from 'node:process';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, 'build');
const corpus = JSON.parse(readFileSync(join(here, 'corpus.json'), 'utf8'));

const PREFIX = 'riscv64-unknown-elf-';
const TOOLCHAIN_HELP =
  'The RISC-V GNU toolchain is required to build the guest corpus.\n' +
  'On Debian/Ubuntu: apt-get install gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf\n' +
  '(and qemu-system-misc to run the QEMU comparison).';

const ARCH_FLAGS = ['-march=rv32ima_zicsr_zifencei', '-mabi=ilp32'];
const CFLAGS = [
  ...ARCH_FLAGS, '-mcmodel=medany', '-O2', '-g', '-nostdlib', '-ffreestanding', '-static',
  '-fno-tree-loop-distribute-patterns', '-Wall', '-Wextra', '-Werror',
  '-I', join(here, 'runtime'),
];
const RUNTIME = ['runtime/crt0.S', 'runtime/trap.S', 'runtime/trap.c', 'runtime/libc.c'];

function run(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', (err) => reject(err));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function checkToolchain() {
  for (const tool of ['gcc', 'objdump']) {
    try {
      const r = await run(PREFIX + tool, ['--version']);
      if (r.code !== 0) throw new Error(`exit ${r.code}`);
    } catch (err) {
      throw new Error(`${PREFIX}${tool} not found or not working (${err.message}).\n${TOOLCHAIN_HELP}`);
    }
  }
}

// Runs `jobs` (functions returning promises) at most `limit` at a time.
async function pool(jobs, limit) {
  const results = new Array(jobs.length);
  let next = 0;
  async function worker() {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

// Every line of `objdump -d` whose encoding has 4 hex digits is a 16-bit instruction,
// except the `.short` halfwords a program places on purpose (traps.c's illegal ones).
function findCompressed(disassembly) {
  const found = [];
  for (const line of disassembly.split('\n')) {
    const m = /^\s*([0-9a-f]+):\s+([0-9a-f]+)\s+(\S+)/.exec(line);
    if (m && m[2].length === 4 && m[3] !== '.short') found.push(line.trim());
  }
  return found;
}

async function buildProgram(prog) {
  const elf = join(outDir, `${prog.name}.elf`);
  const sources = [...(prog.runtime === false ? [] : RUNTIME), ...prog.sources].map((s) => join(here, s));
  const ldflags = prog.runtime === false
    ? ['-Wl,-Ttext=0x80000000', '-Wl,-e,_start', '-Wl,-n', '-Wl,--no-warn-rwx-segments']
    : ['-T', join(here, 'runtime', 'link.ld')];
  const cc = await run(PREFIX + 'gcc', [...CFLAGS, ...(prog.cflags ?? []), ...ldflags, '-o', elf, ...sources]);
  if (cc.code !== 0) {
    return { name: prog.name, error: `compiling ${prog.name} failed:\n${cc.stderr}` };
  }
  const dump = await run(PREFIX + 'objdump', ['-d', elf]);
  if (dump.code !== 0) return { name: prog.name, error: `objdump ${prog.name} failed:\n${dump.stderr}` };
  writeFileSync(join(outDir, `${prog.name}.dis`), dump.stdout);
  const compressed = findCompressed(dump.stdout);
  const rvc = (prog.cflags ?? []).some((f) => /^-march=rv32[a-z]*c/.test(f));
  if (rvc && compressed.length === 0) {
    return { name: prog.name, error: `${prog.name}.elf was built with the C extension but holds no 16-bit instruction` };
  }
  if (!rvc && compressed.length > 0) {
    return {
      name: prog.name,
      error: `${prog.name}.elf contains 16-bit (compressed) instructions:\n  ${compressed.slice(0, 5).join('\n  ')}`,
    };
  }
  return { name: prog.name, elf: relative(join(here, '..', '..'), elf) };
}

async function main() {
  const only = process.argv.slice(2);
  await checkToolchain();
  mkdirSync(outDir, { recursive: true });
  const all = [
    ...corpus.programs.map((p) => ({ ...p, kind: 'program' })),
    ...corpus.negative.map((p) => ({ ...p, kind: 'negative' })),
  ].filter((p) => only.length === 0 || only.includes(p.name));
  if (only.length > 0 && all.length !== only.length) {
    throw new Error(`unknown program(s): ${only.filter((n) => !all.some((p) => p.name === n)).join(', ')}`);
  }
  const results = await pool(all.map((p) => () => buildProgram(p)), Math.max(2, cpus().length));
  const errors = results.filter((r) => r.error);
  for (const r of errors) process.stderr.write(`error: ${r.error}\n`);
  if (errors.length > 0) process.exit(1);
  const manifest = all.map((p, i) => ({ ...p, elf: results[i].elf }));
  if (only.length === 0) writeFileSync(join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  process.stdout.write(`built ${results.length} guest program(s) in ${relative(process.cwd(), outDir) || '.'}\n`);
}

main().catch((err) => {
  process.stderr.write(`error: ${err.message}\n`);
  process.exit(1);
});
