// Reverse execution: checkpoints + deterministic re-execution land exactly where forward execution
// was — registers, CSRs, RAM, device output, statistics — under both MMU modes.
import * as assert from 'assert';
import { createHash } from 'crypto';
import { boot } from '../hv/boot';
import { History } from '../../../src/vm/vmm/history';
import { Machine } from '../../../src/vm/vmm/machine';

/** Writes a pattern over 48 pages, sums it, prints the sum as hex digits, and loops a few times. */
const WORKLOAD = `
        .text
        .globl _start
_start:
        li      s1, 6                   # rounds
round:  li      t0, 0x80100000
        li      t1, 48 * 1024           # words
        mv      t2, s1
fill:   sw      t2, 0(t0)
        addi    t2, t2, 7
        addi    t0, t0, 4
        addi    t1, t1, -1
        bnez    t1, fill
        li      t0, 0x80100000
        li      t1, 48 * 1024
        li      a0, 0
sum:    lw      t3, 0(t0)
        add     a0, a0, t3
        addi    t0, t0, 4
        addi    t1, t1, -1
        bnez    t1, sum
        li      t4, 8                   # print a0 as 8 hex digits
        li      t5, 0x10000000
digit:  srli    t6, a0, 28
        slli    a0, a0, 4
        addi    t6, t6, 48
        li      a1, 58
        blt     t6, a1, 1f
        addi    t6, t6, 39
1:      sb      t6, 0(t5)
        addi    t4, t4, -1
        bnez    t4, digit
        li      t6, 10
        sb      t6, 0(t5)
        addi    s1, s1, -1
        bnez    s1, round
        li      t0, 0x100000
        li      t1, 0x5555
        sw      t1, 0(t0)
2:      j       2b
`;

/** Everything a debugger can observe, as one string. */
function fingerprint(m: Machine, output: string): string {
  const cpu = m.vcpus[0].cpu;
  const ram = createHash('sha256').update(m.host.u8.subarray(0, 0x200000)).digest('hex');
  const csrs = [0x300, 0x180, 0x341, 0x342, 0x343, 0xc00, 0xc02].map((c) => cpu.csrRead(c));
  return JSON.stringify({
    steps: m.steps, pc: cpu.pc, x: [...cpu.x.subarray(0, 32)], priv: cpu.priv, csrs, cycles: m.cycles(), ram, output,
    exits: [...m.vm.exitsByReason], kvm: m.vm.stats, tlb: m.vcpus[0].tlb.stats,
  });
}

for (const mmu of ['ept', 'npt', 'shadow'] as const) {
  describe(`reverse execution (${mmu})`, () => {
    it('seeking back lands exactly where forward execution was, at every probe', () => {
      const g = boot(WORKLOAD, { mmu });
      const h = new History(g.machine, 512 * 1024 * 1024, 50_000);
      const probes = [1, 777, 49_999, 50_000, 123_456, 300_001, 650_000];
      const forward = new Map<number, string>();
      for (const p of probes) {
        const r = h.run(Infinity, p);
        assert.deepStrictEqual(r, { kind: 'stopped', reason: 'step', vcpu: 0 });
        forward.set(p, fingerprint(g.machine, g.output()));
      }
      const end = h.run();
      assert.deepStrictEqual(end, { kind: 'poweroff', code: 0 });
      const finalPrint = fingerprint(g.machine, g.output());
      assert.ok(h.count > 5, `checkpoints: ${h.count}`);
      // Back to every probe, in a scrambled order, and compare.
      for (const p of [650_000, 1, 300_001, 777, 123_456, 50_000, 49_999]) {
        assert.ok(h.seek(p), `seek ${p}`);
        assert.strictEqual(g.machine.steps, p);
        // the UART's output is observer state, not machine state: compare the prefix it had
        const fp = JSON.parse(fingerprint(g.machine, ''));
        const want = JSON.parse(forward.get(p)!);
        want.output = '';
        assert.deepStrictEqual(fp, want, `state at step ${p}`);
      }
      // And forward again to the end gives the same final state.
      h.seek(650_000);
      const out0 = g.output().length;
      assert.deepStrictEqual(h.run(), { kind: 'poweroff', code: 0 });
      assert.ok(g.output().length > out0, 'the replayed tail prints again');
      const a = JSON.parse(fingerprint(g.machine, '')), b = JSON.parse(finalPrint);
      b.output = '';
      assert.deepStrictEqual(a, b);
    });

    it('refuses to go back beyond the oldest checkpoint the memory budget kept', () => {
      const g = boot(WORKLOAD, { mmu });
      const h = new History(g.machine, 300 * 1024, 20_000); // tiny budget: only the newest checkpoints
      h.run(Infinity, 400_000);
      assert.ok(h.oldestStep > 0, `oldest ${h.oldestStep}`);
      assert.ok(h.bytes <= 300 * 1024 || h.count === 1);
      assert.strictEqual(h.seek(0), false);
      assert.strictEqual(g.machine.steps, 400_000, 'a refused seek changes nothing');
      assert.ok(h.seek(h.oldestStep));
    });
  });
}

describe('determinism', () => {
  it('the same program gives the same run, bit for bit, however the run is sliced', () => {
    const a = boot(WORKLOAD), b = boot(WORKLOAD);
    a.run();
    for (let step = 1; ; step += 997) {
      const r = b.machine.run(Infinity, step);
      if (r.kind !== 'stopped') break;
    }
    assert.strictEqual(fingerprint(a.machine, a.output()), fingerprint(b.machine, b.output()));
  });
});
