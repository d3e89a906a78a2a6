// Misaligned loads and stores. The ISA leaves it to the execution environment (unprivileged spec
// §2.6): a Cpu built with misalignedAccess 'trap' raises cause 4/6 with mtval = the address; the
// vCPU is built with 'emulate' and performs them, as QEMU's virt does.
import * as assert from 'assert';
import { Csr } from '../../../src/vm/cpu/csr';
import { lb, lbu, lh, lhu, li, lw, sb, sh, sw } from './encode';
import { BareRig, CODE, DATA, HANDLER, MachineRig } from './harness';

const T0 = 5, T1 = 6, T2 = 7;
type Load = (rd: number, rs1: number, imm: number) => number;
type Store = (rs2: number, rs1: number, imm: number) => number;

describe('misaligned accesses', () => {
  describe("misalignedAccess: 'trap'", () => {
    function trapRig(inst: number): BareRig {
      const r = new BareRig([li(T0, DATA), li(T1, 0x11223344), inst], { misalignedAccess: 'trap' });
      r.write32(DATA, 0xa1a2a3a4);
      r.write32(DATA + 4, 0xb1b2b3b4);
      r.cpu.mtvec = HANDLER;
      r.cpu.x[T2] = 0x5a5a;
      r.step(5);
      return r;
    }

    const loads: [string, Load, number][] = [['lw', lw, 1], ['lw', lw, 2], ['lw', lw, 3], ['lh', lh, 1], ['lhu', lhu, 3]];
    for (const [name, op, off] of loads) {
      it(`${name} at +${off}: load address misaligned (4), mtval = the address, rd untouched`, () => {
        const r = trapRig(op(T2, T0, off));
        assert.strictEqual(r.csr(Csr.mcause), 4);
        assert.strictEqual(r.csr(Csr.mtval), DATA + off);
        assert.strictEqual(r.csr(Csr.mepc), CODE + 16);
        assert.strictEqual(r.pc, HANDLER);
        assert.strictEqual(r.x(T2), 0x5a5a);
      });
    }

    const stores: [string, Store, number][] = [['sw', sw, 1], ['sw', sw, 2], ['sh', sh, 1], ['sh', sh, 3]];
    for (const [name, op, off] of stores) {
      it(`${name} at +${off}: store misaligned (6), mtval = the address, memory unchanged`, () => {
        const r = trapRig(op(T1, T0, off));
        assert.strictEqual(r.csr(Csr.mcause), 6);
        assert.strictEqual(r.csr(Csr.mtval), DATA + off);
        assert.strictEqual(r.csr(Csr.mepc), CODE + 16);
        assert.strictEqual(r.read32(DATA), 0xa1a2a3a4);
        assert.strictEqual(r.read32(DATA + 4), 0xb1b2b3b4);
      });
    }

    it('byte accesses are never misaligned', () => {
      const r = trapRig(lb(T2, T0, 3));
      assert.strictEqual(r.x(T2), 0xffffffa1);
      assert.strictEqual(r.pc, CODE + 20);
      const w = trapRig(sb(T1, T0, 3));
      assert.strictEqual(w.read32(DATA), 0x44a2a3a4);
    });
  });

  describe("misalignedAccess: 'emulate' (the vCPU)", () => {
    function emuRig(base: number, inst: number): MachineRig {
      const r = new MachineRig([li(T0, base), li(T1, 0x11223344), inst]);
      r.write32(DATA, 0xa1a2a3a4);
      r.write32(DATA + 4, 0xb1b2b3b4);
      r.write32(DATA + 0xffc, 0xc1c2c3c4);
      r.write32(DATA + 0x1000, 0xd1d2d3d4);
      r.cpu.mtvec = HANDLER;
      r.step(5);
      assert.strictEqual(r.pc, CODE + 20, 'no trap');
      return r;
    }

    it('lw at +1, +2, +3 reads the straddling word', () => {
      assert.strictEqual(emuRig(DATA, lw(T2, T0, 1)).x(T2), 0xb4a1a2a3);
      assert.strictEqual(emuRig(DATA, lw(T2, T0, 2)).x(T2), 0xb3b4a1a2);
      assert.strictEqual(emuRig(DATA, lw(T2, T0, 3)).x(T2), 0xb2b3b4a1);
    });

    it('lh / lhu at an odd address sign- / zero-extend', () => {
      assert.strictEqual(emuRig(DATA, lh(T2, T0, 3)).x(T2), 0xffffb4a1);
      assert.strictEqual(emuRig(DATA, lhu(T2, T0, 3)).x(T2), 0xb4a1);
      assert.strictEqual(emuRig(DATA, lh(T2, T0, 1)).x(T2), 0xffffa2a3);
      assert.strictEqual(emuRig(DATA, lbu(T2, T0, 1)).x(T2), 0xa3);
    });

    it('sw / sh at odd addresses write exactly their bytes', () => {
      const r = emuRig(DATA, sw(T1, T0, 3));
      assert.strictEqual(r.read32(DATA), 0x44a2a3a4);
      assert.strictEqual(r.read32(DATA + 4), 0xb1112233);
      const h = emuRig(DATA, sh(T1, T0, 3));
      assert.strictEqual(h.read32(DATA), 0x44a2a3a4);
      assert.strictEqual(h.read32(DATA + 4), 0xb1b2b333);
    });

    it('lw across a page boundary', () => {
      const r = emuRig(DATA + 0xffe, lw(T2, T0, 0));
      assert.strictEqual(r.x(T2), 0xd3d4c1c2);
      const h = emuRig(DATA + 0xfff, lh(T2, T0, 0));
      assert.strictEqual(h.x(T2), 0xffffd4c1);
    });

    it('sw across a page boundary', () => {
      const r = emuRig(DATA + 0xffd, sw(T1, T0, 0));
      assert.strictEqual(r.read32(DATA + 0xffc), 0x223344c4);
      assert.strictEqual(r.read32(DATA + 0x1000), 0xd1d2d311);
    });

    it("the bare Cpu with 'emulate' agrees across a page boundary", () => {
      const r = new BareRig([li(T0, DATA + 0xffe), lw(T2, T0, 0), li(T1, 0x11223344), sw(T1, T0, 1)], { misalignedAccess: 'emulate' });
      r.write32(DATA + 0xffc, 0xc1c2c3c4);
      r.write32(DATA + 0x1000, 0xd1d2d3d4);
      r.step(6);
      assert.strictEqual(r.x(T2), 0xd3d4c1c2);
      assert.strictEqual(r.read32(DATA + 0xffc), 0x44c2c3c4);
      assert.strictEqual(r.read32(DATA + 0x1000), 0xd1112233);
    });
  });
});
