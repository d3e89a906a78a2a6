// Cross-checks the test encoder against GNU as, when the toolchain is installed (the other tests
// never need it). One assembly file, one objcopy, every word compared.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as E from './encode';

const AS = 'riscv64-unknown-elf-as', OBJCOPY = 'riscv64-unknown-elf-objcopy';

function hasToolchain(): boolean {
  try {
    execFileSync(AS, ['--version'], { stdio: 'ignore' });
    execFileSync(OBJCOPY, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** [assembly, our encoding]; branch and jump targets are written relative to `.` (pc). */
const CASES: [string, number][] = [
  ['lui t0, 0x12345', E.lui(5, 0x12345)], ['lui a0, 0xfffff', E.lui(10, 0xfffff)],
  ['auipc t1, 0x1', E.auipc(6, 1)], ['auipc x31, 0x80000', E.auipc(31, 0x80000)],
  ['jal ra, .+12', E.jal(1, 12)], ['jal x0, .-8', E.jal(0, -8)], ['jal t0, .+0xffffe', E.jal(5, 0xffffe)],
  ['jal t0, .-0x100000', E.jal(5, -0x100000)], ['jal ra, .+2048', E.jal(1, 2048)],
  ['jalr ra, -16(t0)', E.jalr(1, 5, -16)], ['jalr x0, 2047(a0)', E.jalr(0, 10, 2047)],
  ['beq t0, t1, .+12', E.beq(5, 6, 12)], ['bne a0, x0, .-4', E.bne(10, 0, -4)],
  ['blt s0, s1, .+4094', E.blt(8, 9, 4094)], ['bge t2, t3, .-4096', E.bge(7, 28, -4096)],
  ['bltu a1, a2, .+2048', E.bltu(11, 12, 2048)], ['bgeu a3, a4, .+6', E.bgeu(13, 14, 6)],
  ['lb t0, -1(t1)', E.lb(5, 6, -1)], ['lh a0, 2047(sp)', E.lh(10, 2, 2047)], ['lw s1, -2048(gp)', E.lw(9, 3, -2048)],
  ['lbu t6, 0(x0)', E.lbu(31, 0, 0)], ['lhu tp, 6(t0)', E.lhu(4, 5, 6)],
  ['sb t1, -1(t0)', E.sb(6, 5, -1)], ['sh a0, 2047(sp)', E.sh(10, 2, 2047)], ['sw s1, -2048(gp)', E.sw(9, 3, -2048)],
  ['sw t1, 36(t0)', E.sw(6, 5, 36)],
  ['addi t0, t1, -1', E.addi(5, 6, -1)], ['slti a0, a1, 5', E.slti(10, 11, 5)], ['sltiu a0, a1, -2048', E.sltiu(10, 11, -2048)],
  ['xori t0, t0, -1', E.xori(5, 5, -1)], ['ori t0, t0, 0x7ff', E.ori(5, 5, 0x7ff)], ['andi t0, t0, -16', E.andi(5, 5, -16)],
  ['slli t0, t1, 31', E.slli(5, 6, 31)], ['srli t0, t1, 1', E.srli(5, 6, 1)], ['srai t0, t1, 17', E.srai(5, 6, 17)],
  ['add t2, t0, t1', E.add(7, 5, 6)], ['sub t2, t0, t1', E.sub(7, 5, 6)], ['sll t2, t0, t1', E.sll(7, 5, 6)],
  ['slt t2, t0, t1', E.slt(7, 5, 6)], ['sltu t2, x0, t1', E.sltu(7, 0, 6)], ['xor t2, t0, t1', E.xor(7, 5, 6)],
  ['srl t2, t0, t1', E.srl(7, 5, 6)], ['sra t2, t0, t1', E.sra(7, 5, 6)], ['or t2, t0, t1', E.or(7, 5, 6)],
  ['and t2, t0, t1', E.and(7, 5, 6)],
  ['fence', E.fence()], ['fence rw, rw', E.fence(0x3, 0x3)], ['fence.i', E.fence_i()],
  ['ecall', E.ecall()], ['ebreak', E.ebreak()], ['nop', E.nop()],
  ['mul t2, t0, t1', E.mul(7, 5, 6)], ['mulh t2, t0, t1', E.mulh(7, 5, 6)], ['mulhsu t2, t0, t1', E.mulhsu(7, 5, 6)],
  ['mulhu t2, t0, t1', E.mulhu(7, 5, 6)], ['div t2, t0, t1', E.div(7, 5, 6)], ['divu t2, t0, t1', E.divu(7, 5, 6)],
  ['rem t2, t0, t1', E.rem(7, 5, 6)], ['remu t2, t0, t1', E.remu(7, 5, 6)],
  ['lr.w t1, (t0)', E.lr_w(6, 5)], ['sc.w t2, t1, (t0)', E.sc_w(7, 6, 5)],
  ['amoswap.w t2, t1, (t0)', E.amoswap_w(7, 6, 5)], ['amoadd.w t2, t1, (t0)', E.amoadd_w(7, 6, 5)],
  ['amoxor.w t2, t1, (t0)', E.amoxor_w(7, 6, 5)], ['amoand.w t2, t1, (t0)', E.amoand_w(7, 6, 5)],
  ['amoor.w t2, t1, (t0)', E.amoor_w(7, 6, 5)], ['amomin.w t2, t1, (t0)', E.amomin_w(7, 6, 5)],
  ['amomax.w t2, t1, (t0)', E.amomax_w(7, 6, 5)], ['amominu.w t2, t1, (t0)', E.amominu_w(7, 6, 5)],
  ['amomaxu.w x0, t1, (t0)', E.amomaxu_w(0, 6, 5)],
  ['csrrw t0, mscratch, t1', E.csrrw(5, 0x340, 6)], ['csrrs t0, mstatus, x0', E.csrrs(5, 0x300, 0)],
  ['csrrc t0, mie, t1', E.csrrc(5, 0x304, 6)], ['csrrwi t0, mscratch, 31', E.csrrwi(5, 0x340, 31)],
  ['csrrsi x0, mstatus, 8', E.csrrsi(0, 0x300, 8)], ['csrrci t0, sip, 2', E.csrrci(5, 0x144, 2)],
  ['csrr t0, cycle', E.csrr(5, 0xc00)], ['csrw satp, t0', E.csrw(0x180, 5)], ['csrs sstatus, t5', E.csrs(0x100, 30)],
  ['csrc mie, a0', E.csrc(0x304, 10)], ['csrr a0, mhartid', E.csrr(10, 0xf14)],
  ['mret', E.mret()], ['sret', E.sret()], ['wfi', E.wfi()],
  ['sfence.vma', E.sfence_vma()], ['sfence.vma t1', E.sfence_vma(6)], ['sfence.vma t1, t5', E.sfence_vma(6, 30)],
];

describe('test encoder vs GNU as', function () {
  before(function () {
    // CI installs the toolchain (scripts/ensure-tools.mjs): missing, this is a failure, never a skip.
    if (!hasToolchain()) throw new Error('the RISC-V GNU toolchain is missing: apt-get install gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf');
  });

  it(`encodes ${CASES.length} instructions exactly as GNU as does`, function () {
    this.timeout(20_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hyperstep-enc-'));
    try {
      const src = path.join(dir, 'x.s'), obj = path.join(dir, 'x.o'), bin = path.join(dir, 'x.bin');
      fs.writeFileSync(src, `.option norvc\n.text\n${CASES.map(([a]) => `  ${a}\n`).join('')}`);
      execFileSync(AS, ['-march=rv32ima_zicsr_zifencei', '-mabi=ilp32', '-mno-relax', '-o', obj, src]);
      execFileSync(OBJCOPY, ['-O', 'binary', '-j', '.text', obj, bin]);
      const bytes = fs.readFileSync(bin);
      assert.strictEqual(bytes.length, CASES.length * 4);
      CASES.forEach(([asm, ours], i) => {
        const gnu = bytes.readUInt32LE(i * 4);
        assert.strictEqual(ours.toString(16).padStart(8, '0'), gnu.toString(16).padStart(8, '0'), asm);
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('li expands to two words whose sum is the value, for the awkward constants', () => {
    for (const v of [0, 1, -1, 0x7ff, 0x800, -2048, -2049, 0x7fffffff, -0x80000000, 0x12345678, 0xfffff800, 0x80000800]) {
      const [lui, addi] = E.li(5, v);
      const hi = lui & 0xfffff000, lo = addi >> 20;
      assert.strictEqual((hi + lo) | 0, v | 0, `li ${v}`);
    }
  });

  it('refuses operands that do not fit', () => {
    assert.throws(() => E.addi(5, 5, 2048), RangeError);
    assert.throws(() => E.beq(0, 0, 3), RangeError);
    assert.throws(() => E.jal(0, 1 << 20), RangeError);
    assert.throws(() => E.add(32, 0, 0), RangeError);
    assert.throws(() => E.csrrwi(0, 0x340, 32), RangeError);
  });
});
