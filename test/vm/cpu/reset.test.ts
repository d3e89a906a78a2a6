// Cpu.reset (docs/machine.md: every hart starts at the entry in M-mode with a0 = mhartid): nothing of the
// previous run may survive that changes what the hart does next.
import * as assert from 'assert';
import { StopReason } from '../../../src/vm/cpu/cpu';
import { Csr } from '../../../src/vm/cpu/csr';
import { addi, bltu, bne, csrr, jal, li, lr_w, nop, sb, sc_w, sw, wfi } from './encode';
import { BareRig, CODE, DATA, MachineRig } from './harness';

const T0 = 5, T1 = 6, T2 = 7, T3 = 28, T4 = 29, A0 = 10;

describe('Cpu.reset', () => {
  it('puts the hart at the entry in M-mode with a0 = mhartid and the other registers zero', () => {
    const r = new BareRig([li(T0, 0x1234), li(A0, 99)], { hartId: 2 });
    r.step(4);
    r.cpu.reset(CODE + 0x40);
    assert.strictEqual(r.pc, CODE + 0x40);
    assert.strictEqual(r.x(A0), 2);
    assert.strictEqual(r.x(T0), 0);
    assert.strictEqual(r.cpu.priv, 3);
    assert.strictEqual(r.csr(Csr.mstatus), 0);
  });

  it('wakes a hart that was halted in wfi', () => {
    const r = new BareRig([wfi(), nop()]);
    r.step(5);
    assert.strictEqual(r.cpu.stopReason, StopReason.Halted);
    r.cpu.reset(CODE + 4);
    assert.strictEqual(r.step(1), 1, 'runs after the reset');
    assert.strictEqual(r.pc, CODE + 8);
  });

  it('drops the LR reservation', () => {
    const r = new BareRig([li(T0, DATA), lr_w(T1, T0), li(T0, DATA), li(T1, 5), sc_w(T2, T1, T0)]);
    r.step(3);
    r.cpu.reset(CODE + 12);
    r.step(5);
    assert.strictEqual(r.pc, CODE + 32);
    assert.strictEqual(r.x(T2), 1, 'sc.w fails');
    assert.strictEqual(r.read32(DATA), 0);
  });

  it('on the Machine, a finisher reset restarts a vCPU that sat in wfi', () => {
    // hart 1 prints 'B' and waits in wfi; hart 0 spins past its quantum, then resets the machine
    // the first time (minstret small) and powers off the second. Each boot prints one 'B'.
    const hart0 = [
      csrr(T2, Csr.minstret), //            1
      li(T0, 20000), //                     2, 3
      addi(T0, T0, -1), //                  4
      bne(T0, 0, -4), //                    5
      li(T1, 0x100000), //                  6, 7: the finisher
      li(T3, 1000), //                      8, 9
      bltu(T2, T3, 16), //                  10: first boot → reset
      li(T4, 0x5555), //                    11, 12: pass
      jal(0, 12), //                        13
      li(T4, 0x7777), //                    14, 15: reset
      sw(T4, T1, 0), //                     16
      jal(0, 0), //                         17
    ];
    const hart1 = [li(T0, 0x10000000), li(T1, 0x42), sb(T1, T0, 0), wfi(), jal(0, -4)];
    const m = new MachineRig([bne(A0, 0, 4 * (1 + hart0.flat().length)), ...hart0, ...hart1], { vcpus: 2 });
    const out = m.run(1_000_000);
    assert.deepStrictEqual(out, { kind: 'poweroff', code: 0 });
    assert.strictEqual(String.fromCharCode(...m.output), 'BB');
  });
});
