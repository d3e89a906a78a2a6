// The recorder's two entries (docs/interrupt-provenance.md "What recording costs"): alone on the
// stream, the interrupt path's emitters call it directly with numbers (EventStream.direct); beside
// another listener, the events are built and it reads them. Both must record the same chains, hop
// for hop: a fast path that drops, adds or reorders a hop, or stamps one differently, fails here.
import * as assert from 'assert';
import * as path from 'path';
import { Machine } from '../../src/vm/vmm/machine';
import { ChainRecorder } from '../../src/vm/provenance';
import { loadProgram } from '../../src/cli/program';
import type { VmEvent, VmEventKind } from '../../src/vm/events';

const ROOT = path.join(__dirname, '..', '..');
const TIMER_SPIN = path.join(ROOT, 'bench', 'timer-spin.s');
const NIC_SPIN = path.join(ROOT, 'bench', 'nic-spin.s');
const IRQCHIPS = ['kernel', 'split', 'userspace'] as const;
/** The kinds whose emitters have a direct call (vm/events.ts HopSink). */
const DIRECT_KINDS: VmEventKind[] = [
  'exit', 'timer-fire', 'lapic-accept', 'lapic-ack', 'lapic-eoi', 'interrupt-taken', 'guest-trap', 'eoi-broadcast',
  'irq-line', 'ioapic-entry', 'ioapic-deliver', 'apic-route', 'pci-intx', 'nic',
];

interface Run { rec: ChainRecorder; m: Machine; seen: Map<string, number> }

/** Runs `file` for `insns` instructions with the recorder, alone or beside a listener of every event. */
function run(file: string, irqchip: typeof IRQCHIPS[number], insns: number, withListener: boolean, packets: number[]): Run {
  const p = loadProgram(file);
  if ('error' in p) throw new Error(p.error);
  const m = new Machine({ irqchip, devices: { nic: { slot: 3, msi: false } } }, { consoleOutput: () => undefined });
  const seen = new Map<string, number>();
  if (withListener) m.events.subscribe((e: VmEvent) => { seen.set(e.kind, (seen.get(e.kind) ?? 0) + 1); });
  const rec = ChainRecorder.attach(m, { capacity: 16 });
  for (const at of packets) m.scheduleEvent({ atCycle: at, kind: 'nic-rx', data: new TextEncoder().encode('hello') });
  assert.strictEqual(m.load(p.image).error, undefined);
  m.run(insns);
  return { rec, m, seen };
}

/** Everything the recorder answers from: the chains (hops with cycle, vCPU, layer, kind, text), counts, and the writes "why" names. */
function recorded(r: Run): string {
  const { rec } = r;
  return JSON.stringify({
    chains: rec.chains(), total: rec.total, dropped: rec.dropped,
    setAt: [0, 1].map((v) => [rec.tprWrite(v), rec.svrCleared(v), rec.trapEntry(v)]),
    pins: [2, 16, 17, 18, 19].map((g) => [rec.maskWrite(g), rec.entryWrite(g), rec.remoteIrrSet(g)]),
  });
}

describe('vm/provenance: the recorder\'s direct entry records what the event path records', () => {
  // A packet every 7 000 cycles (some arrive while the INTx is still asserted: they join its chain),
  // and a burst of four that the VMM's net queue holds.
  const packets = [...Array.from({ length: 100 }, (_, i) => 7_000 * (i + 1)), 150_000, 150_000, 150_000, 150_000];
  for (const irqchip of IRQCHIPS) {
    it(`NIC guest, ${irqchip} irqchip: the same chains hop for hop, with and without another listener`, () => {
      const fast = run(NIC_SPIN, irqchip, 400_000, false, packets);
      const slow = run(NIC_SPIN, irqchip, 400_000, true, packets);
      for (const k of DIRECT_KINDS) {
        assert.strictEqual(fast.m.events.direct[k], fast.rec, `alone, the recorder takes '${k}' directly`);
        assert.strictEqual(slow.m.events.direct[k], undefined, `beside a listener, '${k}' is built as an event`);
      }
      const kinds = new Set(fast.rec.chains().flatMap((c) => c.hops.map((h) => h.kind)));
      for (const k of ['nic', 'pci-intx', 'irq-line', 'lapic-accept', 'lapic-ack', 'interrupt-taken', 'lapic-eoi']) assert.ok(kinds.has(k), `the chains have ${k} hops`);
      if (irqchip !== 'userspace') for (const k of ['ioapic-deliver', 'apic-route', 'eoi-broadcast']) assert.ok(kinds.has(k), `the chains have ${k} hops`);
      assert.ok(fast.rec.total > 16, `${fast.rec.total} chains: the ring of 16 wrapped`);
      assert.ok((slow.seen.get('nic') ?? 0) > 0 && (slow.seen.get('pci-intx') ?? 0) > 0, 'the listener saw the device events');
      assert.strictEqual(recorded(fast), recorded(slow));
    });
  }

  for (const irqchip of IRQCHIPS) {
    it(`periodic-timer guest, ${irqchip} irqchip: the same chains hop for hop, with and without another listener`, () => {
      // Under the userspace irqchip every interrupt costs the VMM's exits: the timer fires all along.
      const insns = irqchip === 'userspace' ? 20_000 : 300_000;
      const fast = run(TIMER_SPIN, irqchip, insns, false, []);
      const slow = run(TIMER_SPIN, irqchip, insns, true, []);
      assert.strictEqual(fast.m.events.direct['timer-fire'], fast.rec);
      const kinds = new Set(fast.rec.chains().flatMap((c) => c.hops.map((h) => h.kind)));
      for (const k of ['timer-fire', 'lapic-accept', 'lapic-ack', 'interrupt-taken', 'exit', 'lapic-eoi']) assert.ok(kinds.has(k), `the chains have ${k} hops`);
      assert.ok(fast.rec.total > 20, `${fast.rec.total} timer interrupts`);
      assert.strictEqual(recorded(fast), recorded(slow));
    });
  }

  it('keeps exactly `capacity` chains when that is not a power of two (the ring rounds its slots up)', () => {
    const p = loadProgram(TIMER_SPIN);
    if ('error' in p) throw new Error(p.error);
    const m = new Machine({}, { consoleOutput: () => undefined });
    const rec = ChainRecorder.attach(m, { capacity: 5 });
    m.load(p.image);
    m.run(200_000);
    assert.ok(rec.total > 12, `${rec.total} timer interrupts`);
    assert.deepStrictEqual(rec.chains().map((c) => c.id), [4, 3, 2, 1, 0].map((k) => rec.total - k));
    assert.strictEqual(rec.chain(rec.total - 5), undefined, 'the sixth newest has left the ring');
    assert.strictEqual(rec.dropped.reduce((a, b) => a + b, 0), rec.total - 5);
    assert.deepStrictEqual(rec.query({ last: 2 }).map((c) => c.id), [rec.total - 1, rec.total]);
  });

  it('switches between the entries as listeners come and go, mid-run, without losing a hop', () => {
    const whole = run(NIC_SPIN, 'kernel', 300_000, true, packets);
    const p = loadProgram(NIC_SPIN);
    if ('error' in p) throw new Error(p.error);
    const m = new Machine({ irqchip: 'kernel', devices: { nic: { slot: 3, msi: false } } }, { consoleOutput: () => undefined });
    const rec = ChainRecorder.attach(m, { capacity: 16 });
    for (const at of packets) m.scheduleEvent({ atCycle: at, kind: 'nic-rx', data: new TextEncoder().encode('hello') });
    m.load(p.image);
    let off: (() => void) | undefined;
    for (let i = 1; i <= 30; i++) {
      m.run(i * 10_000);
      if (off) { off(); off = undefined; } else off = m.events.subscribe(() => undefined);
      assert.strictEqual(m.events.direct['lapic-ack'], off ? undefined : rec);
    }
    assert.strictEqual(recorded({ rec, m, seen: new Map() }), recorded(whole));
  });
});
