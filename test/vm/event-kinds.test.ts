// The event stream's per-kind subscriptions (src/vm/events.ts): a listener of a few kinds gets
// those only, and `wants` tells emitters which costly kinds (exit phases, MMIO) anybody reads; the chain
// recorder, which listens to its kinds only, records the same chains as when the debugger listens
// to everything (docs/interrupt-provenance.md "Costs").
import * as assert from 'assert';
import * as path from 'path';
import { EventStream, VmEvent } from '../../src/vm/events';
import { Machine } from '../../src/vm/vmm/machine';
import { ChainRecorder } from '../../src/vm/provenance';
import { loadProgram } from '../../src/cli/program';

const NIC_IRQ = path.join(__dirname, '..', '..', 'examples', 'nic-irq.s');
const output: VmEvent = { kind: 'output', cycle: 1, vcpu: 0, device: 'uart', text: 'x' };
const taken: VmEvent = { kind: 'interrupt-taken', cycle: 2, vcpu: 0, vector: 0x31, latency: 5 };

describe('vm/events: subscriptions by kind', () => {
  it('hands a listener only the kinds it asked for, and `wants` follows the subscriptions', () => {
    const s = new EventStream();
    const some: string[] = [], all: string[] = [];
    const offSome = s.subscribe((e) => some.push(e.kind), ['interrupt-taken']);
    assert.deepStrictEqual([s.active, s.wants['interrupt-taken'], s.wants.output], [true, true, false]);
    s.emit(output);
    s.emit(taken);
    assert.deepStrictEqual(some, ['interrupt-taken']);
    const offAll = s.subscribe((e) => all.push(e.kind));
    assert.strictEqual(s.wants.output, true);
    s.emit(output);
    assert.deepStrictEqual([some, all], [['interrupt-taken'], ['output']]);
    offAll();
    assert.deepStrictEqual([s.active, s.wants.output, s.wants['interrupt-taken']], [true, false, true]);
    offSome();
    offSome(); // a second call is harmless
    assert.deepStrictEqual([s.active, s.wants['interrupt-taken']], [false, false]);
  });

  it('lets a listener unsubscribe while an event is being handed out', () => {
    const s = new EventStream();
    const got: string[] = [];
    const off = s.subscribe(() => { got.push('first'); off(); });
    s.subscribe(() => got.push('second'));
    s.emit(taken);
    s.emit(taken);
    assert.deepStrictEqual(got, ['first', 'second', 'second']);
  });

  for (const irqchip of ['kernel', 'split', 'userspace'] as const) {
    it(`the recorder alone does not ask for exit phases or MMIO, and records the same NIC chain as under a full listener (${irqchip})`, () => {
      const run = (everything: boolean): { chains: string; kinds: Set<string>; wantsPhases: boolean } => {
        const p = loadProgram(NIC_IRQ);
        if ('error' in p) throw new Error(p.error);
        const m = new Machine({ irqchip, devices: { nic: { slot: 3, msi: false } } }, { consoleOutput: () => undefined });
        const rec = ChainRecorder.attach(m);
        const kinds = new Set<string>();
        if (everything) m.events.subscribe((e) => kinds.add(e.kind));
        m.scheduleEvent({ atCycle: 20000, kind: 'nic-rx', data: new TextEncoder().encode('hello') });
        assert.strictEqual(m.load(p.image).error, undefined);
        m.run(2_000_000);
        return { chains: JSON.stringify(rec.chains()), kinds, wantsPhases: m.events.wants['exit-phase'] };
      };
      const alone = run(false), full = run(true);
      assert.strictEqual(alone.wantsPhases, false);
      assert.strictEqual(full.wantsPhases, true);
      assert.ok(full.kinds.has('exit-phase') && full.kinds.has('mmio'), 'the full listener saw phases and MMIO');
      assert.match(alone.chains, /"kind":"lapic-eoi"/);
      assert.strictEqual(alone.chains, full.chains);
    });
  }
});
