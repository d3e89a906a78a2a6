// The CSRs a QEMU-targeted firmware touches (docs/machine.md; privileged spec 1.12 ch. 2–4), read and
// written by csrr* instructions.
import * as assert from 'assert';
import {
  Csr, MIP_MEIP, MIP_SEIP, MIP_SSIP, MIP_STIP, MSTATUS_MIE, MSTATUS_MPP, MSTATUS_MXR, MSTATUS_SIE, MSTATUS_SPIE,
  MSTATUS_SPP, MSTATUS_SUM, MSTATUS_WRITABLE,
} from '../../../src/vm/cpu/csr';
import { csrr, csrrc, csrrci, csrrs, csrrsi, csrrw, csrrwi, csrw, li, nop } from './encode';
import { BareRig, CODE, MachineRig, run, runBare } from './harness';

const T0 = 5, T1 = 6, T2 = 7, T3 = 28, T4 = 29;

/** Writes `value` to `csr` with csrw and reads it back with csrr; returns what was read. */
function writeRead(csr: number, value: number, setup?: (r: MachineRig) => void): number {
  const r = new MachineRig([li(T0, value), csrw(csr, T0), csrr(T1, csr)]);
  setup?.(r);
  r.step(4);
  assert.strictEqual(r.pc, CODE + 16, 'no trap');
  return r.x(T1);
}

describe('CSRs', () => {
  describe('Zicsr instructions', () => {
    it('csrrw / csrrs / csrrc: old value to rd, then write / set / clear', () => {
      const r = run([
        li(T0, 0xf0f0), csrw(Csr.mscratch, T0),
        li(T1, 0x0ff0), csrrs(T2, Csr.mscratch, T1), csrr(T3, Csr.mscratch),
        csrrc(T2, Csr.mscratch, T1), csrr(T4, Csr.mscratch),
      ]);
      assert.strictEqual(r.x(T2), 0xfff0, 'csrrc returned the value csrrs made');
      assert.strictEqual(r.x(T3), 0xfff0);
      assert.strictEqual(r.x(T4), 0xf000);
      const w = run([li(T0, 0x1234), csrw(Csr.mscratch, T0), li(T1, 0x5678), csrrw(T2, Csr.mscratch, T1), csrr(T3, Csr.mscratch)]);
      assert.strictEqual(w.x(T2), 0x1234);
      assert.strictEqual(w.x(T3), 0x5678);
    });

    it('csrrwi / csrrsi / csrrci use the 5-bit zero-extended immediate', () => {
      const r = run([csrrwi(T0, Csr.mscratch, 31), csrrsi(T1, Csr.mscratch, 0), csrrci(T2, Csr.mscratch, 5), csrrsi(T3, Csr.mscratch, 0)]);
      assert.strictEqual(r.x(T1), 31);
      assert.strictEqual(r.x(T2), 31);
      assert.strictEqual(r.x(T3), 26);
    });

    it('csrrw with rd = rs1 swaps', () => {
      const r = run([li(T0, 7), csrw(Csr.mscratch, T0), li(T0, 9), csrrw(T0, Csr.mscratch, T0), csrr(T1, Csr.mscratch)]);
      assert.strictEqual(r.x(T0), 7);
      assert.strictEqual(r.x(T1), 9);
    });
  });

  describe('machine information', () => {
    it('misa = 0x40141105 (MXL = 1; A C I M S U) and ignores writes', () => {
      assert.strictEqual(run([csrr(T0, Csr.misa)]).x(T0), 0x40141105);
      assert.strictEqual(writeRead(Csr.misa, 0), 0x40141105);
    });

    it('mhartid is the vCPU index, and a0 = mhartid at reset', () => {
      const r = run([csrr(T0, Csr.mhartid)]);
      assert.strictEqual(r.x(T0), 0);
      const b = new BareRig([csrr(T0, Csr.mhartid)], { hartId: 3 });
      b.step(1);
      assert.strictEqual(b.x(T0), 3);
      assert.strictEqual(b.x(10), 3);
      const two = new MachineRig([csrr(T0, Csr.mhartid)], { vcpus: 2 });
      two.machine.vcpus[1].run(1);
      assert.strictEqual(two.machine.vcpus[1].cpu.x[T0], 1);
      assert.strictEqual(two.machine.vcpus[1].cpu.x[10], 1);
    });

    it('mvendorid, marchid, mimpid and mconfigptr read 0', () => {
      const r = run([csrr(T0, Csr.mvendorid), csrr(T1, Csr.marchid), csrr(T2, Csr.mimpid), csrr(T3, Csr.mconfigptr)]);
      assert.deepStrictEqual([r.x(T0), r.x(T1), r.x(T2), r.x(T3)], [0, 0, 0, 0]);
      assert.strictEqual(r.pc, CODE + 16);
    });
  });

  describe('mstatus / sstatus', () => {
    it('mstatus is WARL: FS, VS, XS, SD, UBE stay 0', () => {
      const v = writeRead(Csr.mstatus, 0xffffffff);
      assert.strictEqual(v, MSTATUS_WRITABLE >>> 0);
      assert.strictEqual(v, 0x007e19aa);
      assert.strictEqual(v & (3 << 13), 0, 'FS');
      assert.strictEqual(v & (3 << 9), 0, 'VS');
      assert.strictEqual(v & (3 << 15), 0, 'XS');
      assert.strictEqual(v >>> 31, 0, 'SD');
    });

    it('mstatus.MPP = 2 (reserved) is not written; 0, 1 and 3 are', () => {
      assert.strictEqual(writeRead(Csr.mstatus, 2 << 11, (r) => { r.cpu.mstatus = 1 << 11; }) & MSTATUS_MPP, 1 << 11);
      assert.strictEqual(writeRead(Csr.mstatus, 2 << 11, (r) => { r.cpu.mstatus = 3 << 11; }) & MSTATUS_MPP, 3 << 11);
      for (const m of [0, 1, 3]) assert.strictEqual(writeRead(Csr.mstatus, m << 11) & MSTATUS_MPP, m << 11);
    });

    it('sstatus is a view of mstatus: writes reach only SIE, SPIE, SPP, SUM, MXR', () => {
      const r = run([li(T0, MSTATUS_MIE | (3 << 11)), csrw(Csr.mstatus, T0), li(T1, -1), csrw(Csr.sstatus, T1), csrr(T2, Csr.sstatus), csrr(T3, Csr.mstatus)]);
      const sBits = MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR;
      assert.strictEqual(r.x(T2), sBits);
      assert.strictEqual(r.x(T3), sBits | MSTATUS_MIE | (3 << 11));
      const c = run([li(T0, -1), csrw(Csr.mstatus, T0), csrw(Csr.sstatus, 0), csrr(T3, Csr.mstatus)]);
      assert.strictEqual(c.x(T3), (MSTATUS_WRITABLE & ~sBits) >>> 0, 'clearing sstatus leaves the M bits');
    });
  });

  describe('sie / sip as views of mie / mip', () => {
    it('sie shows and writes only the delegated bits of mie', () => {
      const r = run([
        li(T0, MIP_SSIP | MIP_STIP | MIP_SEIP), csrw(Csr.mideleg, T0),
        li(T1, 0xaaa), csrw(Csr.mie, T1), csrr(T2, Csr.sie),
        csrw(Csr.sie, 0), csrr(T3, Csr.mie),
      ]);
      assert.strictEqual(r.x(T2), 0x222);
      assert.strictEqual(r.x(T3), 0x888, 'MSIE, MTIE, MEIE untouched');
      const none = run([li(T1, 0xaaa), csrw(Csr.mie, T1), csrr(T2, Csr.sie)]);
      assert.strictEqual(none.x(T2), 0, 'nothing delegated: sie reads 0');
    });

    it('mie keeps only the interrupts that exist', () => {
      assert.strictEqual(writeRead(Csr.mie, -1), 0xaaa);
    });

    it('mip: M-mode writes SSIP, STIP, SEIP; MEIP comes from the external line', () => {
      const r = new MachineRig([li(T0, -1), csrw(Csr.mip, T0), csrr(T1, Csr.mip)]);
      r.step(4);
      assert.strictEqual(r.x(T1), MIP_SSIP | MIP_STIP | MIP_SEIP);
      r.cpu.setExternalLine(true);
      assert.strictEqual(r.csr(Csr.mip), MIP_SSIP | MIP_STIP | MIP_SEIP | MIP_MEIP);
      r.cpu.setExternalLine(false);
      assert.strictEqual(r.csr(Csr.mip), MIP_SSIP | MIP_STIP | MIP_SEIP);
    });

    it('sip shows the delegated bits of mip; only SSIP is writable through it', () => {
      const r = run([
        li(T0, MIP_SSIP | MIP_STIP), csrw(Csr.mideleg, T0),
        li(T1, MIP_STIP), csrw(Csr.mip, T1), csrr(T2, Csr.sip),
        li(T3, -1), csrw(Csr.sip, T3), csrr(T4, Csr.mip),
        csrw(Csr.sip, 0), csrr(T3, Csr.sip),
      ]);
      assert.strictEqual(r.x(T2), MIP_STIP);
      assert.strictEqual(r.x(T4), MIP_SSIP | MIP_STIP, 'SSIP set, SEIP (not delegated) not');
      assert.strictEqual(r.x(T3), MIP_STIP, 'STIP not cleared through sip');
    });
  });

  describe('trap vectors and scratch registers', () => {
    it('mtvec / stvec accept modes 0 and 1, ignore writes of modes 2 and 3', () => {
      assert.strictEqual(writeRead(Csr.mtvec, 0x80000100), 0x80000100);
      assert.strictEqual(writeRead(Csr.mtvec, 0x80000101), 0x80000101);
      assert.strictEqual(writeRead(Csr.mtvec, 0x80000102, (r) => { r.cpu.mtvec = 0x80000200; }), 0x80000200);
      assert.strictEqual(writeRead(Csr.mtvec, 0x80000103, (r) => { r.cpu.mtvec = 0x80000200; }), 0x80000200);
      assert.strictEqual(writeRead(Csr.stvec, 0x80000101), 0x80000101);
      assert.strictEqual(writeRead(Csr.stvec, 0x80000302, (r) => { r.cpu.stvec = 0x80000200; }), 0x80000200);
    });

    it('mscratch, sscratch, mcause, mtval, scause, stval hold any value', () => {
      for (const csr of [Csr.mscratch, Csr.sscratch, Csr.mcause, Csr.mtval, Csr.scause, Csr.stval]) {
        assert.strictEqual(writeRead(csr, 0xdeadbeef), 0xdeadbeef, `0x${csr.toString(16)}`);
      }
    });
  });

  describe('counters', () => {
    it('cycle and instret count retired instructions (no VM exits: one cycle each)', () => {
      const r = runBare([csrr(T0, Csr.instret), nop(), nop(), nop(), csrr(T1, Csr.instret), csrr(T2, Csr.cycle), csrr(T3, Csr.minstret), csrr(T4, Csr.mcycle)]);
      assert.strictEqual(r.x(T0), 0);
      assert.strictEqual(r.x(T1), 4);
      assert.strictEqual(r.x(T2), 5);
      assert.strictEqual(r.x(T3), 6);
      assert.strictEqual(r.x(T4), 7);
      assert.strictEqual(r.cpu.instret, 8);
    });

    it('time reads the virtual clock too', () => {
      const r = runBare([nop(), nop(), csrr(T0, Csr.time), csrr(T1, Csr.timeh)]);
      assert.strictEqual(r.x(T0), 2);
      assert.strictEqual(r.x(T1), 0);
    });

    it('on the vCPU, cycle = instret + the cycles VM exits cost (docs/machine.md)', () => {
      const r = run([nop(), csrr(T0, Csr.cycle), csrr(T1, Csr.instret), nop(), nop(), csrr(T2, Csr.cycle)]);
      assert.ok(r.cpu.stallCycles > 0, 'the first fetch took an EPT violation');
      assert.strictEqual(r.x(T0), 1 + r.cpu.stallCycles);
      assert.strictEqual(r.x(T1), 2);
      assert.strictEqual(r.x(T2) - r.x(T0), 4, 'no exits in between: one cycle per instruction');
    });

    it('a trap does not retire the trapping instruction', () => {
      const r = new MachineRig([nop(), 0xffffffff]);
      r.place(CODE + 0x800, [csrr(T0, Csr.minstret)]);
      r.cpu.mtvec = CODE + 0x800;
      r.step(3);
      assert.strictEqual(r.x(T0), 1);
    });

    it('minstret / mcycle: the next instruction reads what was written', () => {
      const r = runBare([li(T0, 1000), csrw(Csr.minstret, T0), csrr(T1, Csr.minstret), csrr(T2, Csr.instret), csrw(Csr.mcycle, T0), csrr(T3, Csr.mcycle), csrr(T4, Csr.cycle)]);
      assert.strictEqual(r.x(T1), 1000);
      assert.strictEqual(r.x(T2), 1001);
      assert.strictEqual(r.x(T3), 1000);
      assert.strictEqual(r.x(T4), 1001);
    });

    it('the h halves: minstreth / mcycleh write, instreth / cycleh read, carry from the low half', () => {
      const r = run([
        li(T0, 5), csrw(Csr.minstreth, T0), csrr(T1, Csr.instreth),
        li(T0, -2), csrw(Csr.minstret, T0), nop(), nop(), csrr(T2, Csr.instreth), csrr(T3, Csr.instret),
      ]);
      assert.strictEqual(r.x(T1), 5);
      assert.strictEqual(r.x(T2), 6, '0xfffffffe + 2 carried into the high half');
      assert.strictEqual(r.x(T3), 1);
      const c = run([li(T0, 7), csrw(Csr.mcycleh, T0), csrr(T1, Csr.cycleh), csrr(T2, Csr.mcycleh)]);
      assert.strictEqual(c.x(T1), 7);
      assert.strictEqual(c.x(T2), 7);
    });

    it('64-bit wrap (rv32mi-p-instret_overflow): 0xffffffff in both halves, one more instruction → 0', () => {
      const r = run([
        li(T0, -1), csrw(Csr.minstret, T0), csrw(Csr.minstreth, T0), nop(), csrr(T1, Csr.minstreth), csrr(T2, Csr.minstret),
        csrr(T3, Csr.instreth),
      ]);
      assert.strictEqual(r.x(T1), 0, 'the carry out of the high half is lost: mod 2^64');
      assert.strictEqual(r.x(T2), 1);
      assert.strictEqual(r.x(T3), 0);
      const c = run([li(T0, -1), csrw(Csr.mcycle, T0), csrw(Csr.mcycleh, T0), nop(), csrr(T1, Csr.mcycleh), csrr(T2, Csr.cycle)]);
      assert.strictEqual(c.x(T1), 0);
      assert.strictEqual(c.x(T2), 1);
    });

    it('near 2^64: each half exact, the low half carries into the high one, which wraps (no rounding through doubles)', () => {
      const r = run([li(T0, -1), csrw(Csr.minstreth, T0), li(T0, -3), csrw(Csr.minstret, T0), csrr(T1, Csr.minstreth), csrr(T2, Csr.minstret), nop(), csrr(T3, Csr.minstreth), csrr(T4, Csr.minstret)]);
      assert.strictEqual(r.x(T1), 0xffffffff);
      assert.strictEqual(r.x(T2), 0xfffffffe, 'one instruction after the write of 0xfffffffd');
      assert.strictEqual(r.x(T3), 0, 'fffffffd + 3 carried out of the low half, and the high half wrapped');
      assert.strictEqual(r.x(T4), 1);
    });

    it('hpmcounters read 0 and their machine views accept writes', () => {
      const r = run([li(T0, 99), csrw(Csr.mhpmcounter3, T0), csrr(T1, Csr.mhpmcounter3), csrr(T2, Csr.hpmcounter31), csrw(Csr.mhpmevent3, T0), csrr(T3, Csr.mhpmevent3)]);
      assert.strictEqual(r.x(T1), 0);
      assert.strictEqual(r.x(T2), 0);
      assert.strictEqual(r.x(T3), 99);
      assert.strictEqual(r.pc, CODE + 28);
    });
  });

  describe('PMP (WARL, not enforced)', () => {
    it('pmpaddr0–15 hold what is written', () => {
      for (let i = 0; i < 16; i++) assert.strictEqual(writeRead(Csr.pmpaddr0 + i, 0x20000000 + i), 0x20000000 + i);
      assert.strictEqual(writeRead(Csr.pmpaddr15, -1), 0xffffffff);
    });

    it('pmpcfg0–3 keep their fields, reserved bits 6:5 of each byte read 0', () => {
      for (let i = 0; i < 4; i++) assert.strictEqual(writeRead(Csr.pmpcfg0 + i, -1), 0x9f9f9f9f);
      assert.strictEqual(writeRead(Csr.pmpcfg0, 0x0000001f), 0x1f, 'NAPOT RWX, as OpenSBI writes');
    });
  });

  describe('other machine CSRs', () => {
    it('mcounteren, scounteren hold their value; menvcfg, senvcfg keep only FIOM', () => {
      assert.strictEqual(writeRead(Csr.mcounteren, 7), 7);
      assert.strictEqual(writeRead(Csr.scounteren, 5), 5);
      assert.strictEqual(writeRead(Csr.menvcfg, -1), 1);
      assert.strictEqual(writeRead(Csr.senvcfg, -1), 1);
      assert.strictEqual(writeRead(Csr.mstatush, -1), 0);
      assert.strictEqual(writeRead(Csr.menvcfgh, -1), 0);
    });
  });
});

describe('CSR reads on the bare Cpu (no port side effects)', () => {
  it('csrRead of an unknown CSR is undefined; csrWrite reports false', () => {
    const r = new BareRig([nop()]);
    assert.strictEqual(r.cpu.csrRead(0x7c0), undefined);
    assert.strictEqual(r.cpu.csrWrite(0x7c0, 1), false);
  });

  it('a satp write reaches the port (the CR3 load)', () => {
    const r = new BareRig([li(T0, 0x80000123), csrw(Csr.satp, T0), csrr(T1, Csr.satp)]);
    r.step(4);
    assert.strictEqual(r.port.satpWrites, 1);
    assert.strictEqual(r.x(T1), 0x80000123);
  });
});
