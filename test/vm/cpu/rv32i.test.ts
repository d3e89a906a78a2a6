// RV32I base instructions (unprivileged spec 20191213 ch. 2): these bytes in, these registers out.
import * as assert from 'assert';
import {
  add, addi, and, andi, auipc, beq, bge, bgeu, blt, bltu, bne, csrrw, fence, fence_i, jal, jalr, lb, lbu, lh, lhu, li,
  lui, lw, nop, or, ori, sb, sh, sll, slli, slt, slti, sltiu, sltu, sra, srai, srl, srli, sub, sw, xor, xori,
} from './encode';
import { BareRig, CODE, DATA, MachineRig, run } from './harness';

const T0 = 5, T1 = 6, T2 = 7;

/** rd = op(a, b) for a register-register instruction: li t0, a; li t1, b; op t2, t0, t1. */
function rr(op: (rd: number, rs1: number, rs2: number) => number, a: number, b: number): number {
  return run([li(T0, a), li(T1, b), op(T2, T0, T1)]).x(T2);
}

/** rd = op(a, imm) for a register-immediate instruction. */
function ri(op: (rd: number, rs1: number, imm: number) => number, a: number, imm: number): number {
  return run([li(T0, a), op(T2, T0, imm)]).x(T2);
}

describe('RV32I', () => {
  describe('LUI / AUIPC', () => {
    it('lui places the immediate in bits 31:12 and zeroes the rest', () => {
      const r = run([lui(T0, 0x12345), lui(T1, 0xfffff), lui(T2, 0)]);
      assert.strictEqual(r.x(T0), 0x12345000);
      assert.strictEqual(r.x(T1), 0xfffff000);
      assert.strictEqual(r.x(T2), 0);
    });

    it('auipc adds the upper immediate to its own pc', () => {
      const r = run([nop(), auipc(T0, 0), auipc(T1, 1), auipc(T2, 0xfffff)]);
      assert.strictEqual(r.x(T0), CODE + 4);
      assert.strictEqual(r.x(T1), CODE + 8 + 0x1000);
      assert.strictEqual(r.x(T2), (CODE + 12 - 0x1000) >>> 0);
    });
  });

  describe('register-immediate ALU', () => {
    it('addi sign-extends its immediate and wraps at 32 bits', () => {
      assert.strictEqual(ri(addi, 0, -1), 0xffffffff);
      assert.strictEqual(ri(addi, 0x7fffffff, 1), 0x80000000);
      assert.strictEqual(ri(addi, 10, -2048), (10 - 2048) >>> 0);
      assert.strictEqual(ri(addi, 0, 2047), 2047);
    });

    it('slti compares signed', () => {
      assert.strictEqual(ri(slti, -1, 0), 1);
      assert.strictEqual(ri(slti, 0, -1), 0);
      assert.strictEqual(ri(slti, 5, 5), 0);
      assert.strictEqual(ri(slti, -0x80000000, -2048), 1);
    });

    it('sltiu compares unsigned against the sign-extended immediate', () => {
      assert.strictEqual(ri(sltiu, 5, -1), 1, '5 < 0xffffffff');
      assert.strictEqual(ri(sltiu, -1, -1), 0);
      assert.strictEqual(ri(sltiu, 0xfffff800, -2048), 0, 'imm -2048 is 0xfffff800');
      assert.strictEqual(ri(sltiu, 0xfffff7ff, -2048), 1);
      assert.strictEqual(ri(sltiu, 0, 1), 1, 'seqz');
      assert.strictEqual(ri(sltiu, 7, 1), 0);
    });

    it('xori / ori / andi sign-extend the immediate', () => {
      assert.strictEqual(ri(xori, 0x12345678, -1), 0xedcba987, 'not');
      assert.strictEqual(ri(xori, 0x0f0f0f0f, 0x0ff), 0x0f0f0ff0);
      assert.strictEqual(ri(ori, 0x12340000, -2048), 0xfffff800);
      assert.strictEqual(ri(ori, 0x12340000, 0x7ff), 0x123407ff);
      assert.strictEqual(ri(andi, 0x12345678, -16), 0x12345670);
      assert.strictEqual(ri(andi, 0xffffffff, 0x7ff), 0x7ff);
    });

    it('slli / srli / srai by 0, 1 and 31', () => {
      assert.strictEqual(ri(slli, 0x80000001, 0), 0x80000001);
      assert.strictEqual(ri(slli, 0x80000001, 1), 0x00000002);
      assert.strictEqual(ri(slli, 1, 31), 0x80000000);
      assert.strictEqual(ri(srli, 0x80000000, 31), 1);
      assert.strictEqual(ri(srli, 0x80000001, 1), 0x40000000);
      assert.strictEqual(ri(srai, 0x80000000, 31), 0xffffffff);
      assert.strictEqual(ri(srai, 0x80000010, 4), 0xf8000001);
      assert.strictEqual(ri(srai, 0x40000000, 30), 1);
    });
  });

  describe('register-register ALU', () => {
    it('add / sub wrap at 32 bits', () => {
      assert.strictEqual(rr(add, 0x7fffffff, 1), 0x80000000);
      assert.strictEqual(rr(add, -1, -1), 0xfffffffe);
      assert.strictEqual(rr(sub, 0, 1), 0xffffffff);
      assert.strictEqual(rr(sub, 0x80000000, 1), 0x7fffffff);
      assert.strictEqual(rr(sub, 5, 3), 2);
    });

    it('sll / srl / sra use only the low 5 bits of rs2', () => {
      assert.strictEqual(rr(sll, 1, 33), 2);
      assert.strictEqual(rr(sll, 1, 31), 0x80000000);
      assert.strictEqual(rr(sll, 0x12345678, -32), 0x12345678, '0xffffffe0 & 31 = 0');
      assert.strictEqual(rr(srl, 0x80000000, 63), 1);
      assert.strictEqual(rr(srl, 0x80000000, 32), 0x80000000);
      assert.strictEqual(rr(sra, 0x80000000, 63), 0xffffffff);
      assert.strictEqual(rr(sra, 0x80000000, 36), 0xf8000000);
      assert.strictEqual(rr(sra, 0x70000000, 0x41), 0x38000000);
    });

    it('slt compares signed, sltu unsigned', () => {
      assert.strictEqual(rr(slt, -1, 1), 1);
      assert.strictEqual(rr(slt, 1, -1), 0);
      assert.strictEqual(rr(slt, -0x80000000, 0x7fffffff), 1);
      assert.strictEqual(rr(slt, 3, 3), 0);
      assert.strictEqual(rr(sltu, -1, 1), 0);
      assert.strictEqual(rr(sltu, 1, -1), 1);
      assert.strictEqual(rr(sltu, 0, 0), 0);
      // snez: sltu rd, x0, rs
      assert.strictEqual(run([li(T0, 9), sltu(T2, 0, T0)]).x(T2), 1);
    });

    it('xor / or / and', () => {
      assert.strictEqual(rr(xor, 0xff00ff00, 0x0ff00ff0), 0xf0f0f0f0);
      assert.strictEqual(rr(or, 0xff00ff00, 0x0ff00ff0), 0xfff0fff0);
      assert.strictEqual(rr(and, 0xff00ff00, 0x0ff00ff0), 0x0f000f00);
    });
  });

  describe('jumps', () => {
    it('jal links pc+4 and jumps forward by its offset', () => {
      const r = run([nop(), jal(1, 12)], 2);
      assert.strictEqual(r.x(1), CODE + 8);
      assert.strictEqual(r.pc, CODE + 4 + 12);
    });

    it('jal jumps backward', () => {
      const r = run([addi(T0, T0, 1), nop(), jal(0, -8)], 4);
      assert.strictEqual(r.pc, CODE + 4, 'addi, nop, jal, addi → at the nop');
      assert.strictEqual(r.x(T0), 2);
    });

    it('jal x0 discards the link', () => {
      const r = run([jal(0, 8)], 1);
      assert.strictEqual(r.x(0), 0);
      assert.strictEqual(r.pc, CODE + 8);
    });

    it('jalr jumps to rs1 + imm, links pc+4', () => {
      const r = run([li(T0, CODE + 0x100), jalr(1, T0, -0x10)]);
      assert.strictEqual(r.pc, CODE + 0xf0);
      assert.strictEqual(r.x(1), CODE + 12);
    });

    it('jalr clears bit 0 of the target', () => {
      const r = run([li(T0, CODE + 0x41), jalr(1, T0, 0)]);
      assert.strictEqual(r.pc, CODE + 0x40);
      const r2 = run([li(T0, CODE + 0x40), jalr(1, T0, 1)]);
      assert.strictEqual(r2.pc, CODE + 0x40);
    });

    it('jalr with rd = rs1 uses the old rs1 for the target', () => {
      const r = run([li(T0, CODE + 0x80), jalr(T0, T0, 4)]);
      assert.strictEqual(r.pc, CODE + 0x84);
      assert.strictEqual(r.x(T0), CODE + 12);
    });
  });

  describe('branches', () => {
    type Branch = (rs1: number, rs2: number, off: number) => number;
    const cases: [string, Branch, number, number, boolean][] = [
      ['beq', beq, 5, 5, true], ['beq', beq, 5, -5, false], ['beq', beq, -1, -1, true],
      ['bne', bne, 5, 5, false], ['bne', bne, 5, -5, true], ['bne', bne, 0, 0x80000000, true],
      ['blt', blt, -1, 1, true], ['blt', blt, 1, -1, false], ['blt', blt, 3, 3, false], ['blt', blt, -0x80000000, -1, true],
      ['bge', bge, -1, 1, false], ['bge', bge, 1, -1, true], ['bge', bge, 3, 3, true], ['bge', bge, -2, -2, true],
      ['bltu', bltu, -1, 1, false], ['bltu', bltu, 1, -1, true], ['bltu', bltu, 3, 3, false], ['bltu', bltu, 0, 1, true],
      ['bgeu', bgeu, -1, 1, true], ['bgeu', bgeu, 1, -1, false], ['bgeu', bgeu, 3, 3, true], ['bgeu', bgeu, 0, 0x80000000, false],
    ];
    for (const [name, op, a, b, taken] of cases) {
      it(`${name} ${a}, ${b} is ${taken ? 'taken' : 'not taken'}`, () => {
        // li t0, a; li t1, b; bxx t0, t1, +12 → pc 16 + 12 if taken, else 20
        const r = run([li(T0, a), li(T1, b), op(T0, T1, 12)]);
        assert.strictEqual(r.pc, CODE + (taken ? 28 : 20));
      });
    }

    it('branches backward with a negative offset', () => {
      // t0 counts down from 3: addi t0, t0, -1; bne t0, x0, -4
      const r = run([li(T0, 3), addi(T0, T0, -1), bne(T0, 0, -4), addi(T1, 0, 7)], 2 + 6 + 1);
      assert.strictEqual(r.x(T0), 0);
      assert.strictEqual(r.x(T1), 7);
      assert.strictEqual(r.pc, CODE + 20);
    });
  });

  describe('loads', () => {
    // DATA: bytes 80 7f ff 01 | ff ff 00 80 | 78 56 34 12
    function load(op: (rd: number, rs1: number, imm: number) => number, offset: number): number {
      const r = new MachineRig([li(T0, DATA), op(T2, T0, offset)]);
      r.write32(DATA, 0x01ff7f80);
      r.write32(DATA + 4, 0x8000ffff);
      r.write32(DATA + 8, 0x12345678);
      r.step(3);
      return r.x(T2);
    }

    it('lb sign-extends', () => {
      assert.strictEqual(load(lb, 0), 0xffffff80);
      assert.strictEqual(load(lb, 1), 0x7f);
      assert.strictEqual(load(lb, 2), 0xffffffff);
      assert.strictEqual(load(lb, 3), 0x01);
    });

    it('lbu zero-extends', () => {
      assert.strictEqual(load(lbu, 0), 0x80);
      assert.strictEqual(load(lbu, 1), 0x7f);
      assert.strictEqual(load(lbu, 2), 0xff);
    });

    it('lh sign-extends', () => {
      assert.strictEqual(load(lh, 0), 0x7f80);
      assert.strictEqual(load(lh, 2), 0x01ff);
      assert.strictEqual(load(lh, 4), 0xffffffff);
      assert.strictEqual(load(lh, 6), 0xffff8000);
    });

    it('lhu zero-extends', () => {
      assert.strictEqual(load(lhu, 4), 0xffff);
      assert.strictEqual(load(lhu, 6), 0x8000);
      assert.strictEqual(load(lhu, 10), 0x1234);
    });

    it('lw loads the little-endian word, with positive and negative offsets', () => {
      assert.strictEqual(load(lw, 0), 0x01ff7f80);
      assert.strictEqual(load(lw, 4), 0x8000ffff);
      assert.strictEqual(load(lw, 8), 0x12345678);
      const r = new MachineRig([li(T0, DATA + 0x10), lw(T2, T0, -8)]);
      r.write32(DATA + 8, 0xcafef00d);
      r.step(3);
      assert.strictEqual(r.x(T2), 0xcafef00d);
    });
  });

  describe('stores', () => {
    function stored(program: number[], steps: number): MachineRig {
      const r = new MachineRig([li(T0, DATA), li(T1, 0x8badf00d), ...program]);
      r.write32(DATA, 0x11111111);
      r.write32(DATA + 4, 0x22222222);
      r.write32(DATA + 8, 0x33333333);
      r.step(4 + steps);
      return r;
    }

    it('sb writes only the low byte at each offset', () => {
      const r = stored([sb(T1, T0, 0), sb(T1, T0, 5), sb(T1, T0, 11)], 3);
      assert.strictEqual(r.read32(DATA), 0x1111110d);
      assert.strictEqual(r.read32(DATA + 4), 0x22220d22);
      assert.strictEqual(r.read32(DATA + 8), 0x0d333333);
    });

    it('sh writes only the low halfword', () => {
      const r = stored([sh(T1, T0, 2), sh(T1, T0, 4)], 2);
      assert.strictEqual(r.read32(DATA), 0xf00d1111);
      assert.strictEqual(r.read32(DATA + 4), 0x2222f00d);
      assert.strictEqual(r.read32(DATA + 8), 0x33333333);
    });

    it('sw writes the word little-endian, negative offsets too', () => {
      const r = stored([addi(T2, T0, 12), sw(T1, T2, -8)], 2);
      assert.strictEqual(r.read32(DATA), 0x11111111);
      assert.strictEqual(r.read32(DATA + 4), 0x8badf00d);
      assert.strictEqual(r.read8(DATA + 4), 0x0d);
      assert.strictEqual(r.read32(DATA + 8), 0x33333333);
    });
  });

  describe('loads and stores to MMIO (a bare Cpu, recording port)', () => {
    it('loads extend the device value by width and sign; the access size reaches the device', () => {
      const ops: [(rd: number, rs1: number, imm: number) => number, number, number][] = [
        [lb, 1, 0xffffff80], [lbu, 1, 0x80], [lh, 2, 0xffffff80], [lhu, 2, 0xff80], [lw, 4, 0x8000ff80],
      ];
      for (const [op, size, want] of ops) {
        const r = new BareRig([li(T0, 0x10000000), op(T2, T0, 4)]);
        r.port.mmioValue = 0x8000ff80;
        r.step(3);
        assert.strictEqual(r.x(T2), want);
        assert.deepStrictEqual(r.port.mmio, [{ gpa: 0x10000004, size, write: false, value: 0x8000ff80 }]);
      }
    });

    it('stores pass the low bytes of rs2 and their size', () => {
      const r = new BareRig([li(T0, 0x10000000), li(T1, 0x12345678), sb(T1, T0, 1), sh(T1, T0, 2), sw(T1, T0, 4)]);
      r.step(7);
      assert.deepStrictEqual(r.port.mmio, [
        { gpa: 0x10000001, size: 1, write: true, value: 0x78 },
        { gpa: 0x10000002, size: 2, write: true, value: 0x5678 },
        { gpa: 0x10000004, size: 4, write: true, value: 0x12345678 },
      ]);
    });
  });

  describe('x0', () => {
    it('writes to x0 are discarded by every kind of instruction', () => {
      const r = new MachineRig([
        li(T0, DATA),
        addi(0, 0, 5), lui(0, 0x12345), auipc(0, 1), add(0, T0, T0), lw(0, T0, 0), lbu(0, T0, 0),
        jal(0, 4), csrrw(0, 0x340, T0), // mscratch ← t0, old value to x0
        add(T1, 0, 0),
      ]);
      r.write32(DATA, 0xffffffff);
      r.step(11);
      assert.strictEqual(r.x(0), 0);
      assert.strictEqual(r.x(T1), 0);
      assert.strictEqual(r.csr(0x340), DATA);
    });
  });

  describe('MISC-MEM', () => {
    it('fence and fence.i only advance pc', () => {
      const r = run([fence(), fence(0x3, 0x3), fence_i(), addi(T0, 0, 1)]);
      assert.strictEqual(r.pc, CODE + 16);
      assert.strictEqual(r.x(T0), 1);
    });
  });
});
