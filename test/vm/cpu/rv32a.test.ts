// RV32A (unprivileged spec 20191213 ch. 8): LR/SC reservations and the nine AMOs.
import * as assert from 'assert';
import { Csr } from '../../../src/vm/cpu/csr';
import {
  addi, amoadd_w, amoand_w, amomax_w, amomaxu_w, amomin_w, amominu_w, amoor_w, amoswap_w, amoxor_w, bne, csrr, csrw, ecall,
  jal, li, lr_w, mret, or, sc_w, slli, sw, wfi,
} from './encode';
import { CODE, DATA, HANDLER, MachineRig } from './harness';

const T0 = 5, T1 = 6, T2 = 7, T3 = 28, T4 = 29, T5 = 30;

/** Handler that skips the trapping instruction: mepc += 4; mret. */
const SKIP_HANDLER = [csrr(T3, Csr.mepc), addi(T3, T3, 4), csrw(Csr.mepc, T3), mret()];

function rig(program: (number | number[])[], data = 42): MachineRig {
  const r = new MachineRig([li(T0, DATA), ...program]);
  r.write32(DATA, data);
  r.place(HANDLER, SKIP_HANDLER);
  r.cpu.mtvec = HANDLER;
  return r;
}

describe('RV32A', () => {
  describe('LR / SC', () => {
    it('lr.w then sc.w to the same word succeeds: rd = 0, memory written', () => {
      const r = rig([lr_w(T1, T0), addi(T1, T1, 1), sc_w(T2, T1, T0)]);
      r.step(5);
      assert.strictEqual(r.x(T1), 43);
      assert.strictEqual(r.x(T2), 0);
      assert.strictEqual(r.read32(DATA), 43);
    });

    it('sc.w without a reservation fails: rd = 1, memory unchanged', () => {
      const r = rig([li(T1, 0x777), sc_w(T2, T1, T0)]);
      r.step(5);
      assert.strictEqual(r.x(T2), 1);
      assert.strictEqual(r.read32(DATA), 42);
    });

    it('a second sc.w after a successful one fails (the reservation is consumed)', () => {
      const r = rig([lr_w(T1, T0), li(T1, 1), sc_w(T2, T1, T0), li(T1, 2), sc_w(T3, T1, T0)]);
      r.step(9);
      assert.strictEqual(r.x(T2), 0);
      assert.strictEqual(r.x(T3), 1);
      assert.strictEqual(r.read32(DATA), 1);
    });

    it('sc.w after a trap fails (trap entry clears the reservation)', () => {
      const r = rig([lr_w(T1, T0), ecall(), li(T1, 0x777), sc_w(T2, T1, T0)]);
      r.step(2 + 1 + 1 + 4 + 2 + 1);
      assert.strictEqual(r.csr(Csr.mcause), 11, 'the ecall did trap');
      assert.strictEqual(r.x(T2), 1);
      assert.strictEqual(r.read32(DATA), 42);
    });

    it('sc.w to a word other than the reserved one fails', () => {
      const r = rig([lr_w(T1, T0), addi(T2, T0, 4), li(T1, 5), sc_w(T3, T1, T2)]);
      r.write32(DATA + 4, 9);
      r.step(7);
      assert.strictEqual(r.x(T3), 1);
      assert.strictEqual(r.read32(DATA + 4), 9);
    });

    it('sc.w fails when another hart stored to the reserved word in between', () => {
      // hart 0: lr.w, spin past its quantum (hart 1 runs and stores 100), then sc.w; the exit code
      // is sc.w's result. Unprivileged spec §8.2: the SC must fail.
      const hart0 = [
        li(T0, DATA), lr_w(T1, T0), li(T2, 20000), addi(T2, T2, -1), bne(T2, 0, -4),
        addi(T1, T1, 1), sc_w(T3, T1, T0), slli(T3, T3, 16), li(T4, 0x3333), or(T3, T3, T4),
        li(T5, 0x100000), sw(T3, T5, 0), jal(0, 0),
      ];
      const hart1 = [li(T0, DATA), li(T1, 100), sw(T1, T0, 0), wfi(), jal(0, -4)];
      const m = new MachineRig([bne(10, 0, 4 * (1 + hart0.flat().length)), ...hart0, ...hart1], { vcpus: 2 });
      const out = m.run(1_000_000);
      assert.deepStrictEqual(out, { kind: 'poweroff', code: 1 });
      assert.strictEqual(m.read32(DATA), 100);
    });

    it('lr.w sign-extends nothing: it loads the full word', () => {
      const r = rig([lr_w(T1, T0)], 0x80000001);
      r.step(3);
      assert.strictEqual(r.x(T1), 0x80000001);
    });
  });

  describe('AMOs: old value to rd, new value in memory', () => {
    const OLD = -5, SRC = 3;
    const cases: [string, (rd: number, rs2: number, rs1: number) => number, number][] = [
      ['amoswap.w', amoswap_w, SRC],
      ['amoadd.w', amoadd_w, OLD + SRC],
      ['amoxor.w', amoxor_w, OLD ^ SRC],
      ['amoand.w', amoand_w, OLD & SRC],
      ['amoor.w', amoor_w, OLD | SRC],
      ['amomin.w', amomin_w, OLD],
      ['amomax.w', amomax_w, SRC],
      ['amominu.w', amominu_w, SRC],
      ['amomaxu.w', amomaxu_w, OLD],
    ];
    for (const [name, op, expected] of cases) {
      it(`${name} -5, 3`, () => {
        const r = rig([li(T1, SRC), op(T2, T1, T0)], OLD);
        r.step(5);
        assert.strictEqual(r.sx(T2), OLD);
        assert.strictEqual(r.read32(DATA), expected >>> 0);
      });
    }

    it('amoadd.w wraps; an AMO with rd = x0 still writes memory', () => {
      const r = rig([li(T1, 1), amoadd_w(0, T1, T0)], 0x7fffffff);
      r.step(5);
      assert.strictEqual(r.read32(DATA), 0x80000000);
      assert.strictEqual(r.x(0), 0);
    });

    it('amominu / amomaxu compare unsigned, amomin / amomax signed (INT_MIN vs 1)', () => {
      const run = (op: (rd: number, rs2: number, rs1: number) => number): number => {
        const r = rig([li(T1, 1), op(T2, T1, T0)], 0x80000000);
        r.step(5);
        return r.read32(DATA);
      };
      assert.strictEqual(run(amomin_w), 0x80000000);
      assert.strictEqual(run(amomax_w), 1);
      assert.strictEqual(run(amominu_w), 1);
      assert.strictEqual(run(amomaxu_w), 0x80000000);
    });
  });

  describe('misaligned atomics trap even when plain accesses are emulated', () => {
    for (const [name, inst, cause] of [
      ['amoadd.w', amoadd_w(T2, T1, T0), 6], ['amoswap.w', amoswap_w(T2, T1, T0), 6],
      ['sc.w', sc_w(T2, T1, T0), 6], ['lr.w', lr_w(T2, T0), 4],
    ] as const) {
      it(`${name} at DATA+2: cause ${cause}, mtval = the address, memory unchanged`, () => {
        const r = rig([addi(T0, T0, 2), li(T1, 0x55), inst]);
        r.step(6);
        assert.strictEqual(r.csr(Csr.mcause), cause);
        assert.strictEqual(r.csr(Csr.mtval), DATA + 2);
        assert.strictEqual(r.csr(Csr.mepc), CODE + 20);
        assert.strictEqual(r.pc, HANDLER);
        assert.strictEqual(r.read32(DATA), 42);
        assert.strictEqual(r.x(T2), 0, 'rd untouched');
      });
    }
  });
});
