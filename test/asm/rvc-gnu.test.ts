/**
 * The C extension against GNU as (fast-check): random programs under
 * `.option rvc` — instructions gas compresses and instructions it keeps
 * 32-bit, with operands at the compressed limits, branches and jumps over
 * `.space` gaps at the ±256 B / ±2 KiB / ±4 KiB boundaries, alignment and
 * `.option norvc` stretches — must load the same bytes as GNU as + ld
 * (-mno-relax). The fixed corpus (test/asm-corpus/rvc.s) covers every c.*
 * mnemonic; this covers their mixtures.
 */
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { assemble, formatDiagnostic } from '../../src/asm';
import { readElf } from './elf-file';
import { gnuBuild, requireToolchain } from './gnu-toolchain';

const ANY = ['zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7',
  's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6'];
const CREG = ['s0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5'];

/** Registers, biased to the ones compressed forms take (x8–x15, sp, zero). */
const reg = fc.oneof(fc.constantFrom(...ANY), fc.constantFrom(...CREG), fc.constantFrom(...CREG), fc.constantFrom('sp', 'zero'));

/** 12-bit immediates, biased to the compressed limits. */
const imm12 = fc.oneof(
  fc.constantFrom(-2048, -513, -512, -33, -32, -31, -16, -1, 0, 1, 2, 4, 8, 15, 16, 31, 32, 63, 64, 124, 128, 252, 256, 496, 512, 1020, 1024, 2047),
  fc.integer({ min: -2048, max: 2047 }),
);
const shamt = fc.oneof(fc.constantFrom(0, 1, 31), fc.integer({ min: 0, max: 31 }));
const lui = fc.oneof(fc.constantFrom(0, 1, 31, 32, 0xfffdf, 0xfffe0, 0xfffff, 0x80000), fc.integer({ min: 0, max: 0xfffff }));
const li = fc.oneof(imm12, fc.constantFrom(4096, -4096, 0x1f000, 0x20000, 0x10001, 0x7ffff800, -0x80000000, 0xfffff000),
  fc.integer({ min: -0x80000000, max: 0x7fffffff }));

const LABELS = ['L0', 'L1', 'L2', 'L3', 'L4'];
const label = fc.constantFrom(...LABELS);

const instruction: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.constantFrom('addi', 'andi', 'ori', 'xori', 'slti'), reg, reg, imm12).map(([m, d, s, i]) => `${m} ${d}, ${s}, ${i}`),
  fc.tuple(reg, imm12).map(([d, i]) => `addi ${d}, ${d}, ${i}`),
  fc.tuple(fc.constantFrom('add', 'and', 'or', 'xor', 'sub', 'slt', 'mul'), reg, reg, reg).map(([m, d, a, b]) => `${m} ${d}, ${a}, ${b}`),
  fc.tuple(fc.constantFrom('add', 'and', 'or', 'xor', 'sub'), reg, reg).map(([m, d, b]) => `${m} ${d}, ${d}, ${b}`),
  fc.tuple(fc.constantFrom('add', 'and'), reg, imm12).map(([m, d, i]) => `${m} ${d}, ${d}, ${i}`),
  fc.tuple(fc.constantFrom('slli', 'srli', 'srai', 'sll', 'srl', 'sra'), reg, reg, shamt).map(([m, d, s, i]) => `${m} ${d}, ${s}, ${i}`),
  fc.tuple(fc.constantFrom('slli', 'srli', 'srai'), reg, shamt).map(([m, d, i]) => `${m} ${d}, ${d}, ${i}`),
  fc.tuple(fc.constantFrom('mv', 'move', 'neg', 'not'), reg, reg).map(([m, d, s]) => `${m} ${d}, ${s}`),
  fc.tuple(reg, li).map(([d, v]) => `li ${d}, ${v}`),
  fc.tuple(reg, lui).map(([d, v]) => `lui ${d}, ${v}`),
  fc.tuple(fc.constantFrom('lw', 'sw', 'lb', 'sh'), reg, imm12, reg).map(([m, r, i, b]) => `${m} ${r}, ${i}(${b})`),
  fc.tuple(fc.constantFrom('lw', 'sw'), reg, fc.constantFrom(0, 4, 124, 128, 252, 256, 6)).map(([m, r, i]) => `${m} ${r}, ${i}(sp)`),
  fc.tuple(fc.constantFrom('jr', 'jalr'), reg).map(([m, r]) => `${m} ${r}`),
  fc.constantFrom('ret', 'nop', 'ebreak', 'ecall', 'unimp', 'fence', 'addi sp, sp, 16', 'addi a0, sp, 16', 'addi sp, sp, 0'),
  fc.tuple(fc.constantFrom('beqz', 'bnez', 'bltz'), reg, label).map(([m, r, l]) => `${m} ${r}, ${l}`),
  fc.tuple(fc.constantFrom('beq', 'bne', 'blt', 'bgeu'), reg, reg, label).map(([m, a, b, l]) => `${m} ${a}, ${b}, ${l}`),
  fc.tuple(fc.constantFrom('beq', 'bne'), reg, label).map(([m, a, l]) => `${m} ${a}, zero, ${l}`),
  fc.tuple(fc.constantFrom('j', 'jal', 'jal ra,'), label).map(([m, l]) => `${m} ${l}`),
  fc.constantFrom(0, 2, 4, 100, 200, 250, 252, 254, 256, 258, 300, 2040, 2044, 2046, 2048, 2050, 4090, 4094, 4096, 4100)
    .map((n) => `.space ${n}`),
  fc.constantFrom('.align 2', '.align 3', '.balign 16', '.option norvc', '.option rvc', '.option push\n.option norvc', '.option pop'),
);

/** A program: instructions with each label placed once at a random line. */
const program = fc.tuple(fc.array(instruction, { minLength: 1, maxLength: 40 }), fc.array(fc.nat(), { minLength: LABELS.length, maxLength: LABELS.length }))
  .map(([lines, at]) => {
    const body = [...lines];
    let pushes = 0;
    for (let i = 0; i < body.length; i++) {
      // Keep .option pop balanced: gas refuses a pop without a push.
      if (body[i] === '.option pop') {
        if (pushes === 0) body[i] = '.option rvc';
        else pushes--;
      } else if (body[i].startsWith('.option push')) pushes++;
    }
    const withLabels = body.map((l) => [l]);
    LABELS.forEach((name, k) => withLabels[at[k] % withLabels.length].unshift(`${name}:`));
    return ['.text', '.globl _start', '_start:', '.option rvc', ...withLabels.flat(), 'ret', ''].join('\n');
  });

function textOf(elf: Uint8Array): { address: number; data: Uint8Array } {
  const t = readElf(elf).sections.find((s) => s.name === '.text');
  assert.ok(t, 'no .text');
  return { address: t.address, data: t.data };
}

function firstDifference(a: Uint8Array, b: Uint8Array, base: number): string {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `at 0x${(base + i).toString(16)}: ours 0x${a[i].toString(16)}, GNU 0x${b[i].toString(16)}`;
  }
  return `sizes: ours ${a.length}, GNU ${b.length}`;
}

describe('the C extension against GNU as (random programs, fast-check)', function () {
  this.timeout(300000);
  before(() => requireToolchain());

  it('assembles random compressible and non-compressible code byte for byte as GNU as -mno-relax', () => {
    let run = 0;
    fc.assert(fc.property(program, (source) => {
      const ours = assemble(source, 'random.s');
      assert.ok(ours.ok && ours.elf, `${ours.diagnostics.map(formatDiagnostic).join('\n')}\n--- source ---\n${source}`);
      const gnu = gnuBuild(source, `rvc${run++}`);
      const a = textOf(ours.elf);
      const b = textOf(gnu.elf);
      const same = a.data.length === b.data.length && a.data.every((x, i) => x === b.data[i]);
      assert.ok(same, `${firstDifference(a.data, b.data, a.address)}\n--- source ---\n${source}`);
      assert.equal(readElf(ours.elf).flags, readElf(gnu.elf).flags, 'e_flags');
    }), { numRuns: 60 });
  });
});
