#!/usr/bin/env node
// Builds the bench programs (bench/programs/*.c) into bench/programs/*.elf,
// which are committed so `npm run bench` needs no toolchain.
//
//   node bench/programs/build.mjs               build the ELFs
//   node bench/programs/build.mjs --expected    also run each under QEMU and
//                                               write NAME.expected (its UART output)
//   node bench/programs/build.mjs --measure     build with -DREPORT_INSTRET into
//                                               /tmp and print each program's
//                                               instruction count (QEMU -icount)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const PROGRAMS = ['crc32', 'sort', 'matmul', 'memwalk'];
const CFLAGS = [
  '-march=rv32ima_zicsr_zifencei', '-mabi=ilp32', '-mcmodel=medany', '-O2', '-nostdlib', '-ffreestanding',
  '-static', '-fno-tree-loop-distribute-patterns', '-Wall', '-Wextra', '-Werror', '-Wl,--build-id=none',
  '-T', join(here, 'link.ld'),
];
// The same QEMU invocation as the guest corpus's comparison (one definition for both).
const QEMU_ARGS = JSON.parse(readFileSync(join(here, '..', '..', 'test', 'guest', 'qemu-args.json'), 'utf8')).args;
const HELP = 'On Debian/Ubuntu: apt-get install gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf qemu-system-misc';

function run(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', (e) => reject(new Error(`${cmd}: ${e.message}\n${HELP}`)));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function build(name, out, extra = []) {
  const sources = ['crt0.S', 'bench.c', `${name}.c`].map((s) => join(here, s));
  const r = await run('riscv64-unknown-elf-gcc', [...CFLAGS, ...extra, '-o', out, ...sources]);
  if (r.code !== 0) throw new Error(`building ${name} failed:\n${r.stderr}`);
  const dump = await run('riscv64-unknown-elf-objdump', ['-d', out]);
  const compressed = dump.stdout.split('\n').filter((l) => /^\s*[0-9a-f]+:\s+[0-9a-f]{4}\s/.test(l));
  if (compressed.length) throw new Error(`${name}: 16-bit instructions found:\n${compressed.slice(0, 3).join('\n')}`);
}

async function main() {
  const measure = process.argv.includes('--measure');
  const expected = process.argv.includes('--expected');
  const tmp = measure ? mkdtempSync(join(tmpdir(), 'bench-')) : '';
  for (const name of PROGRAMS) {
    const elf = measure ? join(tmp, `${name}.elf`) : join(here, `${name}.elf`);
    await build(name, elf, measure ? ['-DREPORT_INSTRET'] : []);
    if (measure) {
      const r = await run('qemu-system-riscv32', [...QEMU_ARGS, '-icount', 'shift=0', '-kernel', elf]);
      const m = /instret: 0x([0-9a-f]+) 0x([0-9a-f]+)/.exec(r.stdout);
      const count = m ? Number.parseInt(m[1], 16) * 2 ** 32 + Number.parseInt(m[2], 16) : NaN;
      process.stdout.write(`${name}: ${count.toLocaleString('en-US')} instructions (exit ${r.code})\n`);
    } else if (expected) {
      const r = await run('qemu-system-riscv32', [...QEMU_ARGS, '-kernel', elf]);
      if (r.code !== 0) throw new Error(`${name} exited ${r.code} under QEMU:\n${r.stdout}${r.stderr}`);
      writeFileSync(join(here, `${name}.expected`), r.stdout);
      process.stdout.write(`${name}: ${r.stdout}`);
    } else {
      process.stdout.write(`built ${name}.elf\n`);
    }
  }
}

main().catch((e) => {
  process.stderr.write(`error: ${e.message}\n`);
  process.exit(1);
});
