// The LAPIC timer fires at the same cycle however a run is sliced (docs/machine.md "Time and
// determinism"). A run ends at the first instruction boundary where the vCPU's clock reaches its next
// deadline, whatever the exits, page walks and injections on the way cost; reverse execution
// (checkpoints, then re-execution in other slices) and run-to-cycle rely on it, and so does the
// agreement of `hyperstep run` with a debugger's continue.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { Machine, MachineConfig } from '../../../src/vm/vmm/machine';
import { History } from '../../../src/vm/vmm/history';
import { boot } from '../hv/boot';

const ROOT = path.join(__dirname, '..', '..', '..');
const TIMER_SPIN = fs.readFileSync(path.join(ROOT, 'bench', 'timer-spin.s'), 'utf8');
const IRQCHIPS = ['kernel', 'split', 'userspace'] as const;

interface Fire { cycle: number; deadline: number }

interface Rig { m: Machine; fires: Fire[]; output: () => string }

function rig(source: string, config: Partial<MachineConfig>): Rig {
  const b = boot(source, config);
  // Kept with the observers' state, so that checkpoints rewind it with the machine.
  const fires: Fire[] = [];
  b.machine.observerState.set('test: timer fires', fires);
  b.machine.events.subscribe((e) => { if (e.kind === 'timer-fire') fires.push({ cycle: e.cycle, deadline: e.deadline }); });
  return { m: b.machine, fires, output: b.output };
}

/** Everything a slicing could change: the fires, the clock, the registers, the output, the exit counts. */
function state(r: Rig): string {
  const v = r.m.vcpus[0], c = v.cpu;
  return JSON.stringify({
    steps: r.m.steps, fires: r.fires, cycles: c.cycles(), instret: c.instret, pc: c.pc >>> 0, x: [...c.x],
    mstatus: c.mstatus, output: r.output(), stats: r.m.vm.stats, exitLog: r.m.vm.exitLog,
  });
}

/** Runs to `total` steps in slices of the given sizes (cycled); Infinity: one run. */
function runSliced(m: Machine, total: number, slices: readonly number[]): void {
  if (slices[0] === Infinity) { m.run(Infinity, total); return; }
  for (let i = 0; m.steps < total; i++) {
    const before = m.steps;
    const o = m.run(Infinity, Math.min(total, m.steps + slices[i % slices.length]));
    assert.ok(o.kind === 'stopped' && o.reason === 'step', `slice ${i}: ${JSON.stringify(o)}`);
    assert.ok(m.steps > before, 'every slice makes progress');
  }
}

/** A seeded sequence of slice sizes (a linear congruential generator: the test needs no more). */
function seededSlices(seed: number, count: number, max: number): number[] {
  const out: number[] = [];
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(1 + (s % max));
  }
  return out;
}

describe('vm/vmm: the LAPIC timer fires at the same cycle however the run is sliced', function () {
  this.timeout(300_000);
  const TOTAL = 50_000;
  const SLICINGS: [string, number[]][] = [
    ['one run', [Infinity]], ['single steps', [1]], ['7 steps', [7]], ['1000 steps', [1000]],
    ['seeded random slices', seededSlices(12, 500, 400)],
  ];

  for (const irqchip of IRQCHIPS) {
    for (const compiler of [false, true]) {
      it(`bench/timer-spin.s, --irqchip ${irqchip}, ${compiler ? 'block compiler' : 'interpreter'}`, () => {
        const results = SLICINGS.map(([name, slices]) => {
          const r = rig(TIMER_SPIN, { irqchip, compiler });
          runSliced(r.m, TOTAL, slices);
          return { name, r, state: state(r) };
        });
        const [whole] = results;
        assert.ok(whole.r.fires.length >= 3, `${whole.r.fires.length} fires in ${TOTAL} steps`);
        for (const { name, state: s } of results) assert.strictEqual(s, whole.state, name);
        if (irqchip !== 'userspace') {
          // In kernel the handler's exits cost less than a period: every expiry is taken at its
          // deadline exactly, 10000 cycles apart (the bug fired at 22495, 34810, 44825).
          assert.deepStrictEqual(whole.r.fires.slice(0, 3).map((f) => f.cycle), [22495, 32495, 42495]);
          for (const f of whole.r.fires) assert.strictEqual(f.cycle, f.deadline);
        } else {
          // The VMM's LAPIC: the EOI's exit to userspace can carry the clock past the next deadline;
          // then the expiry is processed at the end of that exit, never later.
          for (const f of whole.r.fires) assert.ok(f.cycle >= f.deadline, JSON.stringify(f));
        }
      });
    }
  }

  it('a timer armed while the vCPU runs shortens the run it is in (no slice boundary needed)', () => {
    // A short count armed mid-run: the deadline changes inside KVM_RUN (an in-kernel LAPIC write).
    const source = TIMER_SPIN.replace(/li\s+t0, 10000\b/, 'li      t0, 300');
    const whole = rig(source, { irqchip: 'kernel' });
    runSliced(whole.m, 6000, [Infinity]);
    const stepped = rig(source, { irqchip: 'kernel' });
    runSliced(stepped.m, 6000, [1]);
    assert.ok(whole.fires.length >= 3);
    assert.strictEqual(whole.fires[0].cycle, whole.fires[0].deadline, 'the first expiry at its deadline');
    assert.strictEqual(state(whole), state(stepped));
  });

  it('reverse execution: back across the 3rd timer interrupt and forward again lands where single steps do', () => {
    // The reference: one instruction at a time to 2500 steps after the 3rd interrupt was taken,
    // keeping the state at the steps the debugger will go back to.
    const ref = rig(TIMER_SPIN, { irqchip: 'kernel' });
    let taken = 0, fireStep = -1;
    ref.m.events.subscribe((e) => { if (e.kind === 'interrupt-taken') taken++; });
    while (taken < 3) { ref.m.run(Infinity, ref.m.steps + 1); if (ref.fires.length === 3 && fireStep < 0) fireStep = ref.m.steps; }
    const end = ref.m.steps + 2_500;
    const backs = [fireStep - 1, fireStep - 2, fireStep - 1_234, 14_000, 5];
    const at = new Map<number, string>();
    const fresh = rig(TIMER_SPIN, { irqchip: 'kernel' });
    while (fresh.m.steps < fireStep) {
      fresh.m.run(Infinity, fresh.m.steps + 1);
      if (backs.includes(fresh.m.steps)) at.set(fresh.m.steps, state(fresh));
    }
    runSliced(ref.m, end, [1]);
    const after = state(ref);

    // The debugger: a continue to the same step (a checkpoint every 25000 steps on the way), then back
    // across the expiry and forward again, from checkpoints that re-execute in slices of their own.
    const r = rig(TIMER_SPIN, { irqchip: 'kernel' });
    const h = new History(r.m, undefined, 25_000);
    h.take();
    h.run(Infinity, end);
    assert.strictEqual(state(r), after, 'continue');
    for (const back of backs) {
      assert.ok(h.seek(back), `seek ${back}`);
      assert.ok(r.fires.length < 3, `at step ${back} the 3rd expiry is still ahead`);
      assert.strictEqual(state(r), at.get(back), `back to step ${back}`);
      h.run(Infinity, end);
      assert.strictEqual(state(r), after, `back to step ${back}, then forward`);
    }
    // The same walk done by seeking forward (a replay in slices of its own).
    h.seek(fireStep - 1);
    assert.strictEqual(r.fires.length, 2);
    assert.ok(h.seek(end));
    assert.strictEqual(state(r), after, 'seek forward');
  });

  it('property: random slicings of a guest with a timer, MMIO exits to the VMM and page walks end in the same state', () => {
    fc.assert(fc.property(
      fc.record({
        count: fc.integer({ min: 40, max: 3_000 }),
        irqchip: fc.constantFrom(...IRQCHIPS),
        mmu: fc.constantFrom('ept', 'shadow', 'npt'),
        compiler: fc.boolean(),
        slices: fc.array(fc.integer({ min: 1, max: 3_000 }), { minLength: 1, maxLength: 40 }),
      }),
      ({ count, irqchip, mmu, compiler, slices }) => {
        const source = mmioGuest(count);
        const total = 20_000;
        const a = rig(source, { irqchip, mmu, compiler });
        runSliced(a.m, total, [Infinity]);
        const b = rig(source, { irqchip, mmu, compiler });
        runSliced(b.m, total, slices);
        assert.ok(a.fires.length >= 2, `${a.fires.length} fires`);
        assert.strictEqual(state(b), state(a));
      }), { numRuns: 25, seed: 0x5eed, endOnFailure: true });
  });
});

/**
 * bench/timer-spin.s with initial count `count`, whose loop also writes the UART (an exit to the
 * VMM), reads its line status (another), and touches a spread of pages (TLB misses, walks, EPT
 * violations): stalls of every kind before and across each deadline.
 */
function mmioGuest(count: number): string {
  const loop = `
        li      s4, 0x10000000          # the UART
        la      s5, buf
loop:   addi    a0, a0, 1
        andi    a1, a0, 15
        bnez    a1, 1f
        li      t1, 0x2e
        sb      t1, 0(s4)               # THR: an exit to the VMM
        lbu     t2, 5(s4)               # LSR: another
1:      andi    a2, a0, 0x1f
        slli    a2, a2, 12              # one of buf's 32 pages: a walk on its first touch
        add     a3, s5, a2
        sw      a0, 0(a3)
        lw      a4, 0(a3)
        add     a5, a5, a4
        j       loop
`;
  const source = TIMER_SPIN.replace(/li\s+t0, 10000\b/, `li      t0, ${count}`)
    .replace(/\nloop:[^]*?j\s+loop\n/, loop)
    .replace(/stack_top:\n?$/, 'stack_top:\nbuf:    .space 0x20000\n');
  assert.ok(source.includes('la      s5, buf') && source.includes('buf:    .space') && source.includes(`t0, ${count}`));
  return source;
}
