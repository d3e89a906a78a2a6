/**
 * Runs the GNU RISC-V toolchain for the comparison tests. Missing binaries
 * are a test failure with a message that says what to install, never a skip.
 */
import { execFileSync, spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

export const GNU_AS = 'riscv64-unknown-elf-as';
export const GNU_LD = 'riscv64-unknown-elf-ld';
export const GNU_OBJDUMP = 'riscv64-unknown-elf-objdump';
export const GNU_READELF = 'riscv64-unknown-elf-readelf';

const AS_FLAGS = ['-mabi=ilp32', '-mno-relax', '-mpriv-spec=1.12'];
/** The ISA GNU as assembles for unless a test asks for another (e.g. with the C extension). */
export const DEFAULT_MARCH = 'rv32ima_zicsr_zifencei';

/**
 * Mirrors src/asm/sections.ts, which follows ld's default script: .text at the base, .rodata
 * after it, the data segment on the next page at the same offset (.data, then .srodata and .sdata
 * in .sdata), then .sbss and .bss rounded up to 4. Our .data stands for ld's .data + .sdata, our
 * .bss for .sbss + .bss (gnu.test.ts compares them so); `gnuBuildDefault` checks the addresses
 * against the default script itself.
 */
export function linkerScript(textBase: number): string {
  return `ENTRY(_start)
SECTIONS {
  . = 0x${textBase.toString(16)};
  .text : { *(.text .text.* .init .fini) }
  .rodata : { *(.rodata .rodata.*) }
  . = ALIGN(0x1000) + (. & 0xfff);
  .data : { *(.data .data.*) }
  .sdata : { *(.srodata .srodata.*) *(.sdata .sdata.*) }
  .sbss : { *(.sbss .sbss.*) }
  .bss : { *(.bss .bss.*) . = ALIGN(. != 0 ? 4 : 1); }
}
`;
}

/** GNU as, then `ld -Ttext=BASE` with ld's own default script (no script of ours): the ELF bytes. */
export function gnuBuildDefault(source: string, name: string, textBase = 0x80000000): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'hyperstep-gnu-'));
  const [src, obj, exe] = ['s', 'o', 'elf'].map((ext) => join(dir, `${name}.${ext}`));
  try {
    writeFileSync(src, source);
    run(GNU_AS, [`-march=${DEFAULT_MARCH}`, ...AS_FLAGS, src, '-o', obj]);
    run(GNU_LD, ['-m', 'elf32lriscv', '--no-relax', `-Ttext=0x${textBase.toString(16)}`, obj, '-o', exe]);
    return new Uint8Array(readFileSync(exe));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Throws an Error naming the missing tools, for a failing (not skipped) test. */
export function requireToolchain(): void {
  const missing = [GNU_AS, GNU_LD, GNU_OBJDUMP, GNU_READELF].filter((tool) => {
    try {
      execFileSync(tool, ['--version'], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) {
    throw new Error(
      `GNU RISC-V toolchain not found: ${missing.join(', ')} missing from PATH. ` +
      'Install binutils-riscv64-unknown-elf (Debian/Ubuntu) or riscv-gnu-toolchain; CI installs it.',
    );
  }
}

export interface GnuBuild {
  readonly elf: Uint8Array;
  /** objdump -d -M no-aliases output. */
  readonly disassembly: string;
}

/** Assembles and links one source with GNU as and ld, then disassembles the result. */
export function gnuBuild(source: string, name: string, textBase = 0x80000000, march = DEFAULT_MARCH): GnuBuild {
  const dir = mkdtempSync(join(tmpdir(), 'hyperstep-gnu-'));
  const [src, obj, exe, script] = ['s', 'o', 'elf', 'ld'].map((ext) => join(dir, `${name}.${ext}`));
  try {
    writeFileSync(src, source);
    writeFileSync(script, linkerScript(textBase));
    run(GNU_AS, [`-march=${march}`, ...AS_FLAGS, src, '-o', obj]);
    run(GNU_LD, ['-m', 'elf32lriscv', '--no-relax', '-T', script, obj, '-o', exe]);
    const disassembly = run(GNU_OBJDUMP, ['-d', '-M', 'no-aliases', exe]);
    return { elf: new Uint8Array(readFileSync(exe)), disassembly };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(tool: string, args: string[]): string {
  try {
    return execFileSync(tool, args, { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${tool} ${args.join(' ')} failed:\n${err.stderr ?? err.message}`);
  }
}

export interface ObjdumpLine {
  readonly address: number;
  readonly word: number;
  /** The instruction field, without objdump's `<symbol>` and `# comment` decorations. */
  readonly text: string;
}

/** The instruction lines (32- and 16-bit) of objdump output (data shown as .word/.byte is skipped). */
export function objdumpInstructions(disassembly: string): ObjdumpLine[] {
  const out: ObjdumpLine[] = [];
  for (const line of disassembly.split('\n')) {
    const m = /^\s*([0-9a-f]+):\t([0-9a-f]{8}|[0-9a-f]{4})\s+\t(.*)$/.exec(line);
    if (!m) continue;
    const text = m[3].replace(/\s+#.*$/, '').replace(/ <[^>]*>$/, '');
    if (/^\.(word|byte|short|2byte|half)\b/.test(text)) continue;
    out.push({ address: parseInt(m[1], 16), word: parseInt(m[2], 16), text });
  }
  return out;
}

/** objdump's text for raw instruction words placed at `textBase` (emitted with `.insn 4, word`). */
export function gnuDisassembleWords(words: readonly number[], textBase = 0x80000000): ObjdumpLine[] {
  const source = `.text\n${words.map((w) => `.insn 4, 0x${(w >>> 0).toString(16)}`).join('\n')}\n`;
  return objdumpInstructions(gnuBuild(source, 'words', textBase).disassembly);
}

/** objdump's text for every halfword in `halves`, as 16-bit instructions of an rv32imac executable (`.insn 2, h`). */
export function gnuDisassembleHalves(halves: readonly number[], textBase = 0x80000000): { address: number; half: number; text: string }[] {
  const source = `.text\n${halves.map((h) => `.insn 2, 0x${h.toString(16)}`).join('\n')}\n`;
  const out: { address: number; half: number; text: string }[] = [];
  for (const line of gnuBuild(source, 'halves', textBase, 'rv32imac_zicsr_zifencei').disassembly.split('\n')) {
    const m = /^\s*([0-9a-f]+):\t([0-9a-f]{4})\s+\t(.*)$/.exec(line);
    if (m) out.push({ address: parseInt(m[1], 16), half: parseInt(m[2], 16), text: m[3].replace(/\s+#.*$/, '').replace(/ <[^>]*>$/, '') });
  }
  return out;
}

/** readelf's complaints (stderr) about an ELF file; empty when it is well-formed. */
export function readelfComplaints(elf: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), 'hyperstep-elf-'));
  const file = join(dir, 'ours.elf');
  try {
    writeFileSync(file, elf);
    const r = spawnSync(GNU_READELF, ['-W', '-a', file], { encoding: 'utf8' });
    return `${r.status === 0 ? '' : `exit ${r.status}\n`}${r.stderr}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
