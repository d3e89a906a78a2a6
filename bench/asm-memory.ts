// `npm run bench:asm`: the assembler's peak memory on large valid sources (docs/assembler.md,
// "Memory"). Generates gcc-like assembly of the sizes asked for (default 1, 5 and 20 MB: functions
// with labels, branches, `la`/`lla`, `%hi`/`%lo`, local labels, `.size`/`.type`, data and strings),
// assembles each with `hyperstep asm` in a fresh process and prints its peak RSS, also as a multiple
// of the file's size. Figures only: nothing here asserts, and on a shared machine times are noise.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');

/** One function of gcc -O2-like code and its data; `f` numbers it, `l` its first `.L` label. */
function functionText(f: number, l: number): string {
  return `\t.align\t2\n\t.globl\tf${f}\n\t.type\tf${f}, @function\nf${f}:
\taddi\tsp,sp,-32\n\tsw\tra,28(sp)\n\tsw\ts0,24(sp)\n\taddi\ts0,sp,32\n\tlui\ta5,%hi(d${f})\n\tlw\ta4,%lo(d${f})(a5)
\tli\ta5,15\n\tmv\ta3,a0\n\tbgt\ta4,a5,.L${l}\n\tslli\ta0,a4,3  # scale\n\tlla\ta5,d${f}\n\tadd\ta0,a5,a0
.L${l + 1}:\n\tlbu\ta5,5(a4)\n\tandi\ta5,a5,32\n\tbeq\ta5,zero,.L${l + 1}\n1:\taddi a4, a4, -1\n\tbnez a4, 1b
\tcsrr\tt0, mstatus\n\tla\tt1, f${f}\n\tj\t.L${l + 2}\n.L${l}:\n\tmul\ta0,a0,a1\n.L${l + 2}:\n\tlw\tra,28(sp)\n\tlw\ts0,24(sp)\n\taddi\tsp,sp,32\n\tjr\tra
\t.size\tf${f}, .-f${f}\n\t.data\n\t.align 2\nd${f}:\t.word\t${f}, 0x${((f * 2654435761) >>> 0).toString(16)}, f${f}\n\t.string\t"fn ${f}\\n"\n\t.text\n`;
}

export function generateSource(bytes: number): string {
  const parts = ['\t.option nopic\n\t.text\n\t.globl _start\n_start:\n\tcall f0\n\tli a0, 0x5555\n\tli t0, 0x100000\n\tsw a0, 0(t0)\n'];
  let size = parts[0].length;
  for (let f = 0; size < bytes; f++) {
    const text = functionText(f, 3 * f);
    parts.push(text);
    size += text.length;
  }
  return parts.join('');
}

/** Peak RSS of `hyperstep asm FILE` in a fresh process, read by a preloaded exit hook. */
function assembleMeasured(file: string, preload: string): { rssBytes: number; seconds: number; status: number | null } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['-r', preload, CLI, 'asm', file, '-o', `${file}.elf`], { encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const m = /hyperstep-bench maxRSS (\d+)/.exec(r.stderr);
  if (!m || r.status !== 0) throw new Error(`hyperstep asm ${file} failed (exit ${r.status}): ${r.stderr.slice(0, 2000)}`);
  return { rssBytes: Number(m[1]) * 1024, seconds, status: r.status };
}

function main(): void {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hyperstep-asm-bench-'));
  const preload = path.join(dir, 'peak.js');
  fs.writeFileSync(preload, "process.on('exit', () => process.stderr.write(`hyperstep-bench maxRSS ${process.resourceUsage().maxRSS}\\n`));\n");
  try {
    fs.writeFileSync(path.join(dir, 'empty.s'), 'nop\n');
    const base = assembleMeasured(path.join(dir, 'empty.s'), preload).rssBytes;
    console.log(`assembler memory (peak RSS of hyperstep asm; a one-line file: ${(base / 2 ** 20).toFixed(0)} MB)`);
    for (const mb of sizes.length > 0 ? sizes : [1, 5, 20]) {
      const file = path.join(dir, `gen-${mb}mb.s`);
      const source = generateSource(mb * 1e6);
      fs.writeFileSync(file, source);
      const r = assembleMeasured(file, preload);
      const lines = source.split('\n').length;
      console.log(`  ${String(mb).padStart(3)} MB source (${lines} lines): peak RSS ${(r.rssBytes / 2 ** 20).toFixed(0).padStart(5)} MB = ` +
        `${(r.rssBytes / source.length).toFixed(1)}× the file (growth over the one-line file ${((r.rssBytes - base) / source.length).toFixed(1)}×), ${r.seconds.toFixed(1)} s`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
