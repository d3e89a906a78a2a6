// Interrupts and wfi (privileged spec 1.12 §3.1.6.1, §3.1.9, §3.3.3; docs/machine.md "interrupt entry"):
// the external line is MEIP, taking it is the INTA cycle (the port's acknowledgeInterrupt), and
// mtval carries the vector. A stub port stands in for the LAPIC.
import * as assert from 'assert';
import { StopReason } from '../../../src/vm/cpu/cpu';
import { Csr, MIP_MEIP, MIP_SSIP, MIP_STIP, MSTATUS_MIE, MSTATUS_MPIE, MSTATUS_MPP, MSTATUS_SIE } from '../../../src/vm/cpu/csr';
import { csrrsi, csrw, ecall, li, nop, wfi } from './encode';
import { BareRig, CODE, HANDLER, MachineRig, Mode, TO_MODE_STEPS, toMode } from './harness';

const T0 = 5;
const PRE = TO_MODE_STEPS;
const AFTER = CODE + 4 * PRE;
const MEI = 0x8000000b;
const NOPS = Array.from({ length: 64 }, nop);

function rig(program: (number | number[])[], vector = 0x41): BareRig {
  const r = new BareRig([...program, ...NOPS]);
  r.place(HANDLER, NOPS);
  r.place(HANDLER + 0x100, NOPS);
  r.cpu.mtvec = HANDLER;
  r.cpu.stvec = HANDLER + 0x100;
  r.port.vector = vector;
  return r;
}

describe('interrupts', () => {
  describe('the external interrupt (MEIP from the LAPIC)', () => {
    it('taken once mstatus.MIE is set: mcause 0x8000000B, mtval = the vector, INTA once', () => {
      const r = rig([nop(), csrrsi(0, Csr.mstatus, MSTATUS_MIE)]);
      r.cpu.mie = MIP_MEIP;
      r.cpu.setExternalLine(true);
      r.step(3); // nop, csrsi, (interrupt) first handler instruction
      assert.strictEqual(r.csr(Csr.mcause), MEI);
      assert.strictEqual(r.csr(Csr.mtval), 0x41);
      assert.strictEqual(r.csr(Csr.mepc), CODE + 8, 'the instruction after the csrsi');
      assert.strictEqual(r.pc, HANDLER + 4);
      assert.deepStrictEqual(r.port.acks, [0x41]);
      const s = r.csr(Csr.mstatus);
      assert.strictEqual(s & (MSTATUS_MIE | MSTATUS_MPIE), MSTATUS_MPIE);
      assert.strictEqual(s & MSTATUS_MPP, MSTATUS_MPP, 'MPP = M');
    });

    it('not taken in M-mode with MIE = 0, nor with mie.MEIE = 0', () => {
      const off = rig([]);
      off.cpu.mie = MIP_MEIP;
      off.cpu.setExternalLine(true);
      off.step(5);
      assert.strictEqual(off.pc, CODE + 20);
      assert.deepStrictEqual(off.port.acks, []);
      const masked = rig([]);
      masked.cpu.mstatus = MSTATUS_MIE;
      masked.cpu.setExternalLine(true);
      masked.step(5);
      assert.strictEqual(masked.pc, CODE + 20);
      assert.strictEqual(masked.csr(Csr.mcause), 0);
    });

    it('taken from S-mode and U-mode even with MIE = 0 (M-level interrupts are always enabled below M)', () => {
      for (const mode of [Mode.S, Mode.U]) {
        const r = rig([toMode(mode)]);
        r.cpu.mie = MIP_MEIP;
        r.cpu.setExternalLine(true);
        r.step(PRE + 1);
        assert.strictEqual(r.csr(Csr.mcause), MEI);
        assert.strictEqual(r.csr(Csr.mepc), AFTER);
        assert.strictEqual((r.csr(Csr.mstatus) & MSTATUS_MPP) >>> 11, mode);
        assert.strictEqual(r.cpu.priv, Mode.M);
        assert.strictEqual(r.csr(Csr.mtval), 0x41);
      }
    });

    it('lowering the line before it is taken: nothing happens, no INTA', () => {
      const r = rig([nop(), csrrsi(0, Csr.mstatus, MSTATUS_MIE)]);
      r.cpu.mie = MIP_MEIP;
      r.cpu.setExternalLine(true);
      r.step(1);
      r.cpu.setExternalLine(false);
      r.step(3);
      assert.strictEqual(r.pc, CODE + 16);
      assert.deepStrictEqual(r.port.acks, []);
    });

    it('delegated through mideleg (documented deviation): from U it goes to S with stval = the vector', () => {
      const r = rig([toMode(Mode.U)]);
      r.cpu.mideleg = MIP_MEIP;
      r.cpu.mie = MIP_MEIP;
      r.cpu.setExternalLine(true);
      r.step(PRE + 1);
      assert.strictEqual(r.cpu.priv, Mode.S);
      assert.strictEqual(r.csr(Csr.scause), MEI);
      assert.strictEqual(r.csr(Csr.stval), 0x41);
      assert.strictEqual(r.csr(Csr.sepc), AFTER);
      assert.strictEqual(r.pc, HANDLER + 0x104);
    });

    it('a delegated interrupt is not taken in S-mode with SIE = 0, nor ever in M-mode', () => {
      const s = rig([toMode(Mode.S)]);
      s.cpu.mideleg = MIP_MEIP;
      s.cpu.mie = MIP_MEIP;
      s.cpu.setExternalLine(true);
      s.step(PRE + 3);
      assert.strictEqual(s.pc, AFTER + 12);
      const sOn = rig([toMode(Mode.S, MSTATUS_SIE)]);
      sOn.cpu.mideleg = MIP_MEIP;
      sOn.cpu.mie = MIP_MEIP;
      sOn.cpu.setExternalLine(true);
      sOn.step(PRE + 1);
      assert.strictEqual(sOn.csr(Csr.scause), MEI, 'with SIE it is taken');
      const m = rig([]);
      m.cpu.mstatus = MSTATUS_MIE;
      m.cpu.mideleg = MIP_MEIP;
      m.cpu.mie = MIP_MEIP;
      m.cpu.setExternalLine(true);
      m.step(3);
      assert.strictEqual(m.pc, CODE + 12);
      assert.deepStrictEqual(m.port.acks, []);
    });
  });

  describe('other interrupts and priorities', () => {
    it('MEI is taken before SSI and STI (§3.1.9 priority order); mtval = 0 for non-external', () => {
      const r = rig([li(T0, MIP_SSIP | MIP_STIP), csrw(Csr.mip, T0), csrrsi(0, Csr.mstatus, MSTATUS_MIE)]);
      r.cpu.mie = MIP_MEIP | MIP_SSIP | MIP_STIP;
      r.cpu.setExternalLine(true);
      r.step(5);
      assert.strictEqual(r.csr(Csr.mcause), MEI);
      const s = rig([li(T0, MIP_SSIP | MIP_STIP), csrw(Csr.mip, T0), csrrsi(0, Csr.mstatus, MSTATUS_MIE)]);
      s.cpu.mie = MIP_SSIP | MIP_STIP;
      s.cpu.mtval = 0x99;
      s.step(5);
      assert.strictEqual(s.csr(Csr.mcause), 0x80000001, 'SSI before STI');
      assert.strictEqual(s.csr(Csr.mtval), 0);
      assert.deepStrictEqual(s.port.acks, [], 'no INTA for a software interrupt');
    });

    it('a supervisor software interrupt delegated to S, raised through sip from S-mode', () => {
      const r = rig([toMode(Mode.S, MSTATUS_SIE), csrrsi(0, Csr.sip, MIP_SSIP)]);
      r.cpu.mideleg = MIP_SSIP;
      r.cpu.mie = MIP_SSIP;
      r.step(PRE + 2);
      assert.strictEqual(r.csr(Csr.scause), 0x80000001);
      assert.strictEqual(r.csr(Csr.sepc), AFTER + 4);
      assert.strictEqual(r.pc, HANDLER + 0x104);
    });
  });

  describe('vectored trap vectors', () => {
    it('mtvec mode 1: interrupts go to base + 4 × cause, exceptions to base', () => {
      const r = rig([csrrsi(0, Csr.mstatus, MSTATUS_MIE)]);
      r.cpu.mtvec = HANDLER | 1;
      r.cpu.mie = MIP_MEIP;
      r.cpu.setExternalLine(true);
      r.step(2);
      assert.strictEqual(r.pc, HANDLER + 4 * 11 + 4, 'entered at the vector, ran its first instruction');
      assert.strictEqual(r.csr(Csr.mcause), MEI);
      const e = rig([ecall()]);
      e.cpu.mtvec = HANDLER | 1;
      e.step(1);
      assert.strictEqual(e.pc, HANDLER);
    });

    it('stvec mode 1 for a delegated interrupt', () => {
      const r = rig([toMode(Mode.U)]);
      r.cpu.stvec = (HANDLER + 0x100) | 1;
      r.cpu.mideleg = MIP_SSIP;
      r.cpu.mie = MIP_SSIP;
      r.cpu.mipSoft = MIP_SSIP;
      r.step(PRE + 1);
      assert.strictEqual(r.pc, HANDLER + 0x100 + 4 * 1 + 4);
      assert.strictEqual(r.csr(Csr.scause), 0x80000001);
    });
  });

  describe('wfi', () => {
    it('with nothing pending the hart halts (stopReason Halted, HLT at the port), pc past the wfi', () => {
      const r = rig([nop(), wfi()]);
      const n = r.step(10);
      assert.strictEqual(n, 2);
      assert.strictEqual(r.cpu.stopReason, StopReason.Halted);
      assert.strictEqual(r.cpu.halted, true);
      assert.strictEqual(r.pc, CODE + 8);
      assert.strictEqual(r.port.halts, 1);
      assert.strictEqual(r.cpu.instret, 2, 'the wfi retired');
      assert.strictEqual(r.step(10), 0, 'still halted');
      assert.strictEqual(r.cpu.stopReason, StopReason.Halted);
    });

    it('resumes when an interrupt becomes pending, even if globally disabled (no trap)', () => {
      const r = rig([wfi()]);
      r.cpu.mie = MIP_MEIP;
      r.step(10);
      assert.strictEqual(r.cpu.halted, true);
      r.cpu.setExternalLine(true);
      r.step(2);
      assert.strictEqual(r.cpu.halted, false);
      assert.strictEqual(r.pc, CODE + 12);
      assert.strictEqual(r.csr(Csr.mcause), 0);
      assert.deepStrictEqual(r.port.acks, []);
    });

    it('an interrupt that is pending but not enabled in mie does not wake it', () => {
      const r = rig([wfi()]);
      r.step(10);
      r.cpu.setExternalLine(true);
      assert.strictEqual(r.step(10), 0);
      assert.strictEqual(r.cpu.stopReason, StopReason.Halted);
    });

    it('wakes and takes the interrupt when enabled: mepc = after the wfi', () => {
      const r = rig([csrrsi(0, Csr.mstatus, MSTATUS_MIE), wfi()]);
      r.cpu.mie = MIP_MEIP;
      r.step(10);
      r.cpu.setExternalLine(true);
      r.step(1);
      assert.strictEqual(r.csr(Csr.mcause), MEI);
      assert.strictEqual(r.csr(Csr.mepc), CODE + 8);
      assert.strictEqual(r.pc, HANDLER + 4);
    });

    it('does not halt when an interrupt is already pending in mie (even with MIE = 0)', () => {
      const r = rig([wfi()]);
      r.cpu.mie = MIP_MEIP;
      r.cpu.setExternalLine(true);
      r.step(3);
      assert.strictEqual(r.cpu.halted, false);
      assert.strictEqual(r.pc, CODE + 12);
      assert.strictEqual(r.port.halts, 0);
    });

    it('on the Machine, a hart halted for good ends the run as "halted"', () => {
      const m = new MachineRig([nop(), wfi()]);
      const out = m.run(1000);
      assert.strictEqual(out.kind, 'halted');
      assert.strictEqual(m.machine.vm.exitsByReason.get('HLT'), 1);
    });
  });
});
