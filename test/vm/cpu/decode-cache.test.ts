// The decode cache (docs/style.md, speed: decoded once, invalidated per written word) must be invisible:
// a store over an instruction that already ran is seen the next time it runs (self-modifying
// code, unprivileged spec §3.1: with fence.i, and here even without it).
import * as assert from 'assert';
import { addi, amoswap_w, auipc, bne, fence_i, jal, li, lw, nop, sb, sh, sw } from './encode';
import { CODE, MachineRig } from './harness';

const T0 = 5, T1 = 6, T2 = 7, X5 = 5, X6 = 6, X10 = 10;

/**
 * Runs VICTIM = `addi a0, x0, 1`, then two patch instructions (t0 = CODE, t1 = the word at index 10),
 * then VICTIM again. Returns a0 after the second run of the victim.
 */
function selfModify(patch: [number, number], data: number): number {
  const program = [
    auipc(T0, 0), //           0
    addi(X6, 0, 0), //         1: pass counter
    addi(X10, 0, 1), //        2: the victim
    bne(X6, 0, 24), //         3: second pass → 9
    lw(T1, T0, 40), //         4: t1 = word 10
    patch[0], //               5
    patch[1], //               6
    addi(X6, 0, 1), //         7
    jal(0, -24), //            8: → 2
    nop(), //                  9
    data, //                  10
  ];
  const r = new MachineRig(program);
  r.step(11);
  assert.strictEqual(r.pc, CODE + 36, 'ran the victim twice and left the loop');
  return r.x(X10);
}

describe('decode cache', () => {
  it('sw over an executed instruction: the new instruction runs', () => {
    assert.strictEqual(selfModify([sw(T1, T0, 8), nop()], addi(X10, 0, 2)), 2);
  });

  it('the same with fence.i, as portable code writes it', () => {
    assert.strictEqual(selfModify([sw(T1, T0, 8), fence_i()], addi(X10, 0, 3)), 3);
  });

  it('sh over the upper half of an executed instruction (its immediate)', () => {
    // addi a0, x0, 1 = 0x00100513; its upper halfword 0x0010 becomes 0x0040: addi a0, x0, 4
    assert.strictEqual(selfModify([sh(T1, T0, 10), nop()], 0x0040), 4);
  });

  it('sb into the middle of an executed instruction', () => {
    // byte 2 of 0x00100513 is 0x10; 0x50 makes addi a0, x0, 5
    assert.strictEqual(selfModify([sb(T1, T0, 10), nop()], 0x50), 5);
  });

  it('amoswap.w over an executed instruction', () => {
    assert.strictEqual(selfModify([addi(T2, T0, 8), amoswap_w(0, T1, T2)], addi(X10, 0, 6)), 6);
  });

  it('an instruction cached as illegal, then overwritten, runs as the new one', () => {
    const r = new MachineRig([li(X5, 0), jal(0, 8), 0xffffffff, nop()]);
    r.step(3);
    r.place(CODE + 8, [addi(X5, 0, 9)]); // what a debugger or DMA write does
    r.cpu.pc = CODE + 8;
    r.step(1);
    assert.strictEqual(r.x(X5), 9);
  });

  it('a host-side write (loader, debugger) over an executed instruction is seen', () => {
    const r = new MachineRig([addi(X5, 0, 1), nop()]);
    r.step(1);
    r.place(CODE, [addi(X5, 0, 7)]);
    r.cpu.pc = CODE;
    r.step(1);
    assert.strictEqual(r.x(X5), 7);
  });

  it('a misaligned (emulated) store invalidates both words it touches', () => {
    // sw at +10 writes bytes 10..13: the upper half of word 2 and the lower half of word 3.
    const r = new MachineRig([
      auipc(T0, 0), addi(X6, 0, 0), //                  0, 1
      addi(X10, 0, 1), addi(T2, 0, 1), //               2, 3: victims
      bne(X6, 0, 24), lw(T1, T0, 44), sw(T1, T0, 10), // 4..6: → 10 on the second pass
      addi(X6, 0, 1), jal(0, -24), nop(), //            7..9: → 2
      nop(), //                                         10
      0x04130070, //                                    11: 70 00 | 13 04
    ]);
    r.step(12);
    assert.strictEqual(r.pc, CODE + 40);
    assert.strictEqual(r.read32(CODE + 8), 0x00700513, 'addi a0, x0, 7');
    assert.strictEqual(r.read32(CODE + 12), 0x00100413, 'addi s0, x0, 1');
    assert.strictEqual(r.x(X10), 7);
    assert.strictEqual(r.x(8), 1);
  });
});
