#!/usr/bin/env node
// Makes sure the oracles the tests compare against are installed: the RISC-V GNU toolchain and
// QEMU, from Debian's packages. As root it installs what is missing; otherwise it names the command.
import { execFileSync, spawnSync } from 'node:child_process';

const NEEDED = [
  { bin: 'riscv64-unknown-elf-gcc', pkg: 'gcc-riscv64-unknown-elf' },
  { bin: 'riscv64-unknown-elf-as', pkg: 'binutils-riscv64-unknown-elf' },
  { bin: 'riscv64-unknown-elf-objdump', pkg: 'binutils-riscv64-unknown-elf' },
  { bin: 'qemu-system-riscv32', pkg: 'qemu-system-misc' },
];

const have = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
const missing = [...new Set(NEEDED.filter((n) => !have(n.bin)).map((n) => n.pkg))];
if (missing.length === 0) process.exit(0);

const command = `apt-get update && apt-get install -y ${missing.join(' ')}`;
if (process.getuid?.() !== 0) {
  console.error(`The tests need ${missing.join(', ')} (Debian packages). Install them with:\n  sudo sh -c '${command}'`);
  process.exit(1);
}
console.error(`Installing ${missing.join(', ')} …`);
execFileSync('sh', ['-c', command], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
