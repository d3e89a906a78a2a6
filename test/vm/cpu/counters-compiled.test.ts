// The 64-bit counters (privileged spec 1.12 §3.1.11, §2.1 "writes to instret … the next instruction
// reads the value written") with the block compiler on: the counters move inside compiled blocks
// (a block retires many instructions at once), so the wrap of minstret/minstreth and mcycle/mcycleh
// modulo 2^64, the carry from the low half into the high one, and the user views cycle, instret and
// time (with their h halves) read from U-mode must be exactly what the interpreter reads. Each
// program runs compiled and interpreted: the values are checked, and the two runs are compared in
// lockstep (lockstep.ts) under every MMU mode. The interpreter-only cases are in csr.test.ts.
import * as assert from 'node:assert/strict';
import { Machine, MachineConfig } from '../../../src/vm/vmm/machine';
import { asmImage } from './asm-image';
import { lockstep } from './lockstep';

/** Six instructions the compiler runs as one block (no CSR, no memory access among them). */
const RUN6 = Array.from({ length: 6 }, (_, i) => (i === 3 ? '        xor     a3, a3, a0' : '        addi    a0, a0, 1')).join('\n');

const WRAP = `
        .text
        .globl _start
_start: la      s0, results
        li      s1, 16
        li      t3, -1
        li      t4, -3
        li      t5, 7
loop:
        # (a) all ones in both halves: the first compiled instruction wraps the count to 0
        csrw    minstret, t3
        csrw    minstreth, t3
${RUN6}
        csrr    a1, minstreth
        csrr    a2, minstret
        sw      a1, 0(s0)
        sw      a2, 4(s0)
        # (b) 2^64 - 3: the wrap falls in the middle of the compiled run
        csrw    minstret, t4
        csrw    minstreth, t3
${RUN6}
        csrr    a1, minstreth
        csrr    a2, minstret
        sw      a1, 8(s0)
        sw      a2, 12(s0)
        # (c) 7:fffffffd: a carry into the high half, no wrap
        csrw    minstret, t4
        csrw    minstreth, t5
${RUN6}
        csrr    a1, instreth
        csrr    a2, instret
        sw      a1, 16(s0)
        sw      a2, 20(s0)
        # (d) mcycle: all ones in both halves, then the compiled run wraps it
        csrw    mcycle, t3
        csrw    mcycleh, t3
${RUN6}
        csrr    a1, mcycleh
        csrr    a2, cycleh
        sw      a1, 24(s0)
        sw      a2, 28(s0)
        addi    s0, s0, 32
        addi    s1, s1, -1
        bnez    s1, loop
        li      t0, 0x100000
        li      t1, 0x5555
        sw      t1, 0(t0)
1:      j       1b
        .data
results: .space 512
`;

/** U-mode reads every user counter view each pass; mcounteren and scounteren allow all three. */
const USER = `
        .text
        .globl _start
_start: li      t0, 7
        csrw    mcounteren, t0
        csrw    scounteren, t0
        la      t0, trap
        csrw    mtvec, t0
        la      s0, results
        li      s1, 24
        csrw    mstatus, zero
        la      t0, user
        csrw    mepc, t0
        mret
user:   csrr    a1, cycle
        csrr    a2, instret
        csrr    a3, time
        csrr    a4, cycleh
        csrr    a5, instreth
        csrr    a6, timeh
        sw      a1, 0(s0)
        sw      a2, 4(s0)
        sw      a3, 8(s0)
        sw      a4, 12(s0)
        sw      a5, 16(s0)
        sw      a6, 20(s0)
${RUN6}
${RUN6}
        addi    s0, s0, 24
        addi    s1, s1, -1
        bnez    s1, user
        ecall
trap:   li      t0, 0x100000
        li      t1, 0x5555
        sw      t1, 0(t0)
1:      j       1b
        .data
results: .space 1024
`;
/** Instructions in one pass of USER's loop: 6 csrr, 6 sw, 12 in the runs, 3 of loop control. */
const USER_PASS = 27;

/** Runs `source` to its power-off; returns the words at `results` and the blocks compiled. */
function runToEnd(source: string, words: number, config: Partial<MachineConfig>): { results: number[]; compiled: number } {
  const { image, symbol } = asmImage(source);
  const m = new Machine({ memoryMiB: 4, compileThreshold: 1, ...config }, { consoleOutput: () => undefined });
  assert.equal(m.load(image).error, undefined);
  assert.deepEqual(m.run(1_000_000), { kind: 'poweroff', code: 0 });
  const at = m.vm.gpaToHost(symbol('results'));
  return {
    results: Array.from({ length: words }, (_, i) => m.host.readU32(at + 4 * i) >>> 0),
    compiled: m.vcpus[0].cpu.blocks?.compiled ?? 0,
  };
}

describe('64-bit counters under the block compiler', () => {
  it('minstret/minstreth and mcycle/mcycleh wrap mod 2^64 and carry exactly inside compiled blocks', () => {
    const compiled = runToEnd(WRAP, 16 * 8, { compiler: true });
    const interpreted = runToEnd(WRAP, 16 * 8, { compiler: false });
    assert.ok(compiled.compiled > 0, 'the compiled side compiled blocks');
    assert.equal(interpreted.compiled, 0);
    for (const r of [compiled, interpreted]) {
      for (let pass = 0; pass < 16; pass++) {
        const w = r.results.slice(pass * 8, pass * 8 + 8);
        // Six instructions after the writes, then csrr of the high half retires: the low half reads 6 more.
        assert.deepEqual(w.slice(0, 2), [0, 6], `pass ${pass}: 0xffffffff:ffffffff + 6 wrapped (rv32mi-p-instret_overflow)`);
        assert.deepEqual(w.slice(2, 4), [0, 4], `pass ${pass}: 0xffffffff:fffffffd + 6 wrapped in the middle of the block`);
        assert.deepEqual(w.slice(4, 6), [8, 4], `pass ${pass}: 7:fffffffd + 6 carried into the high half`);
        assert.deepEqual(w.slice(6, 8), [0, 0], `pass ${pass}: mcycleh and cycleh wrapped to 0`);
      }
    }
    assert.deepEqual(compiled.results, interpreted.results);
  });

  it('cycle, instret and time (and their h halves) read from U-mode: exact deltas, the same compiled and interpreted', () => {
    const passes = 24;
    const compiled = runToEnd(USER, passes * 6, { compiler: true });
    const interpreted = runToEnd(USER, passes * 6, { compiler: false });
    assert.ok(compiled.compiled > 0);
    assert.deepEqual(compiled.results, interpreted.results);
    const pass = (k: number): number[] => compiled.results.slice(k * 6, k * 6 + 6);
    for (let k = 1; k < passes; k++) {
      const [cycle0, instret0, time0] = pass(k - 1), [cycle1, instret1, time1, cycleh, instreth, timeh] = pass(k);
      assert.equal(instret1 - instret0, USER_PASS, `pass ${k}: instret counts every instruction of a pass`);
      assert.ok(cycle1 - cycle0 >= USER_PASS, `pass ${k}: at least a cycle an instruction`);
      assert.ok(time1 >= time0, `pass ${k}: time does not go back`);
      assert.deepEqual([cycleh, instreth, timeh], [0, 0, 0]);
    }
  });

  for (const mmu of ['ept', 'npt', 'shadow'] as const) {
    it(`both programs agree with the interpreter at every slice boundary (${mmu})`, () => {
      for (const source of [WRAP, USER]) {
        const r = lockstep(asmImage(source).image, { config: { memoryMiB: 4, mmu }, maxSteps: 20_000, slices: [1, 7, 2, 31, 5, 100, 3] });
        assert.deepEqual(r.outcome, { kind: 'poweroff', code: 0 });
        assert.ok(r.compiled > 0);
      }
    });
  }
});
