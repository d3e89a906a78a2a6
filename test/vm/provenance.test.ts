// The interrupt-chain recorder over the machine alone (docs/interrupt-provenance.md): its ring is
// bounded, it rewinds with reverse execution's checkpoints, and the clock that stamps events (and
// `setAt`) does not depend on how a run is sliced.
import * as assert from 'assert';
import * as path from 'path';
import { Machine } from '../../src/vm/vmm/machine';
import { History } from '../../src/vm/vmm/history';
import { ChainRecorder, O_HANDLED, SK_TIMER } from '../../src/vm/provenance';
import { loadProgram } from '../../src/cli/program';
import { captureGraph } from '../../src/vm/snapshot';

const ROOT = path.join(__dirname, '..', '..');
const TIMER_SPIN = path.join(ROOT, 'bench', 'timer-spin.s');
const NIC_IRQ = path.join(ROOT, 'examples', 'nic-irq.s');
const NIC_SPIN = path.join(ROOT, 'bench', 'nic-spin.s');

function machine(file: string, capacity?: number, irqchip: 'kernel' | 'split' | 'userspace' = 'kernel'): { m: Machine; rec: ChainRecorder } {
  const p = loadProgram(file);
  if ('error' in p) throw new Error(p.error);
  const m = new Machine({ irqchip, devices: { nic: { slot: 3, msi: false } } }, { consoleOutput: () => undefined });
  const rec = ChainRecorder.attach(m, { capacity });
  m.scheduleEvent({ atCycle: 20000, kind: 'nic-rx', data: new TextEncoder().encode('hello') });
  assert.strictEqual(m.load(p.image).error, undefined);
  return { m, rec };
}

describe('vm/provenance: the interrupt-chain recorder', () => {
  it('keeps a ring of the last N chains and counts the ones it dropped', () => {
    const { m, rec } = machine(TIMER_SPIN, 4);
    m.run(200_000);
    assert.ok(rec.total > 10, `${rec.total} timer interrupts`);
    const chains = rec.chains();
    assert.deepStrictEqual(chains.map((c) => c.id), [rec.total - 3, rec.total - 2, rec.total - 1, rec.total]);
    const dropped = rec.dropped.reduce((a, b) => a + b, 0);
    assert.strictEqual(dropped, rec.total - 4);
    assert.strictEqual(rec.dropped[O_HANDLED], rec.total - 4, 'every dropped timer interrupt had been handled');
    // A timer chain: fire, IRR, INTA, the handler, EOI — all on the LAPIC of vCPU 0.
    const done = chains.find((c) => c.outcome === O_HANDLED)!;
    assert.deepStrictEqual(done.hops.map((h) => h.kind), ['timer-fire', 'lapic-accept', 'lapic-ack', 'interrupt-taken', 'exit', 'lapic-eoi']);
    assert.deepStrictEqual([done.sourceKind, done.vector, done.source], [SK_TIMER, 0x40, 'LAPIC timer 0']);
    assert.deepStrictEqual(rec.query({ last: 2 }).map((c) => c.id), [rec.total - 1, rec.total]);
  });

  it('rewinds with the checkpoints: after a seek the chains are those of a fresh run to that step', () => {
    const { m, rec } = machine(NIC_IRQ);
    const h = new History(m, undefined, 200_000);
    h.take();
    h.run(Infinity, 1_200_000);
    const after = JSON.stringify(rec.chains());
    assert.match(after, /lapic-eoi/);
    for (const step of [600_000, 450_000, 5]) {
      h.seek(step);
      const fresh = machine(NIC_IRQ);
      fresh.m.run(Infinity, step);
      assert.strictEqual(JSON.stringify(rec.chains()), JSON.stringify(fresh.rec.chains()), `at step ${step}`);
    }
    h.seek(1_200_000);
    assert.strictEqual(JSON.stringify(rec.chains()), after);
  });

  it('checkpoints copy only what changed since the one before, and rewind exactly through a wrapped ring and a grown pool', () => {
    // A NIC storm into a ring of 32 chains: each chain has more hops than the pool's first size
    // allows per chain (8), so the pool grows, and the ring wraps many times. Checkpoints every
    // 500 steps (the driver cannot keep up: the guest runs a few instructions between VM exits of
    // thousands of cycles, some 2 000 cycles a step) share the chunks nobody wrote between them (chain-store.ts CHUNK_SHIFT); seeks
    // back across them must give the chains of a fresh run to the same step, hop for hop.
    const setup = (): { m: Machine; rec: ChainRecorder } => {
      const r = machine(NIC_SPIN, 32);
      for (let at = 40_000; at < 30_000_000; at += 20_000) r.m.scheduleEvent({ atCycle: at, kind: 'nic-rx', data: new TextEncoder().encode('hello') });
      return r;
    };
    const { m, rec } = setup();
    const h = new History(m, undefined, 500);
    h.take();
    h.run(Infinity, 12_000);
    assert.ok(m.cycles() < 30_000_000, 'packets kept coming to the end');
    assert.ok(rec.total > 3 * 32, `the ring wrapped (${rec.total} chains)`);
    const after = JSON.stringify(rec.chains());
    for (const step of [10_123, 6_001, 2_500]) {
      h.seek(step);
      const fresh = setup();
      fresh.m.run(Infinity, step);
      assert.strictEqual(JSON.stringify(rec.chains()), JSON.stringify(fresh.rec.chains()), `at step ${step}`);
      assert.deepStrictEqual(rec.dropped, fresh.rec.dropped, `dropped counts at step ${step}`);
    }
    h.seek(12_000);
    assert.strictEqual(JSON.stringify(rec.chains()), after);
  });

  it('a checkpoint copies the chunks of the ring and the pool written since the one before, not the whole store', () => {
    const { m, rec } = machine(NIC_SPIN);
    for (let at = 40_000; at < 40_000_000; at += 100_000) m.scheduleEvent({ atCycle: at, kind: 'nic-rx', data: new TextEncoder().encode('hello') });
    m.run(Infinity, 300_000);
    const st = (rec as unknown as { st: object }).st;
    const first = captureGraph(st).bytes;
    const again = captureGraph(st).bytes;
    const before = rec.total;
    m.run(Infinity, m.steps + 300_000);
    assert.ok(rec.total > before, 'packets came in between');
    const later = captureGraph(st).bytes;
    // The first copies everything (a ring of 1 024 chains: 64 KiB, a pool of 8 192 hops: 384 KiB);
    // the next, nothing but its chunk lists; after a few packets, the few chunks they wrote.
    assert.ok(first > 400_000, `first capture: ${first} bytes`);
    assert.ok(again < 2_000, `a capture right after another: ${again} bytes`);
    assert.ok(later > 4_096 && later < 60_000, `a capture after a few packets: ${later} bytes`);
  });

  it('rewinds a chain that a checkpoint caught half-way (opened before it, taken after it)', () => {
    // A checkpoint taken while the NIC's chain waits for its handler; the chain then gains its
    // handler entry (when, the latency, the handler's pc), its EOI and its outcome. Going back to
    // the checkpoint must forget all of it, and going forward again must bring the same back.
    const { m, rec } = machine(NIC_IRQ);
    const h = new History(m, undefined, 1e9);
    h.take();
    while (rec.total === 0) h.run(Infinity, m.steps + 1000);
    h.seek(m.steps - 1000);
    while (rec.total === 0) h.run(Infinity, m.steps + 1);
    const opened = m.steps;
    assert.strictEqual(rec.chains()[0].takenAt, undefined, 'the chain is not taken in the step that opened it');
    h.take();
    const atCheckpoint = JSON.stringify(rec.chains());
    h.run(Infinity, opened + 1_000_000);
    const later = rec.chains();
    assert.strictEqual(later[0].outcome, O_HANDLED);
    assert.ok(later[0].takenAt !== undefined && later[0].latencyCycles !== undefined && later[0].handlerPc !== undefined);
    h.seek(opened);
    assert.strictEqual(JSON.stringify(rec.chains()), atCheckpoint);
    h.seek(opened + 1_000_000);
    assert.strictEqual(JSON.stringify(rec.chains()), JSON.stringify(later));
  });

  it('starts the NIC chain at its packet, also after going back to when the packet waited in the net queue', () => {
    const { m, rec } = machine(NIC_IRQ);
    const h = new History(m, undefined, 200_000);
    h.take();
    // The packet leaves the schedule for the VMM's net queue at cycle 20000 and waits there until
    // the driver turns the receiver on: find a step in between.
    while (m.pendingEvents.length > 0) h.run(Infinity, m.steps + 10);
    const waiting = m.steps;
    assert.strictEqual(rec.total, 0);
    h.run(Infinity, 1_200_000);
    const [chain] = rec.chains();
    assert.deepStrictEqual(chain.hops.slice(0, 3).map((x) => x.kind), ['nic', 'nic', 'pci-intx']);
    assert.match(chain.hops[0].text, /^packet #1 \(5 bytes\) held in the VMM's net queue/);
    assert.match(chain.hops[1].text, /^nic writes packet #1 \(5 bytes\) to RX descriptor 0/);
    h.seek(waiting);
    assert.deepStrictEqual(rec.chains(), [], 'the packet waits; no interrupt yet');
    h.run(Infinity, 1_200_000);
    assert.strictEqual(JSON.stringify(rec.chains()), JSON.stringify([chain]));
  });

  it('names the step of each of a packet\'s two nic hops (its action), and of no other hop', () => {
    const { m, rec } = machine(NIC_IRQ);
    m.run(1_200_000);
    const [chain] = rec.chains();
    assert.deepStrictEqual(chain.hops.slice(0, 3).map((x) => [x.kind, x.action]), [['nic', 'rx-queued'], ['nic', 'rx'], ['pci-intx', undefined]]);
    assert.ok(chain.hops.slice(2).every((x) => x.action === undefined));
  });

  it('adds a packet that arrives while the NIC\'s INTx is asserted to that chain, in time order', () => {
    // bench/nic-spin.s turns its receiver on late: packets 1–3 wait in the VMM's net queue, the NIC
    // takes them together, the first opens the chain and the other two join it.
    const { m, rec } = machine(path.join(ROOT, 'bench', 'nic-spin.s'));
    for (const at of [40000, 60000]) m.scheduleEvent({ atCycle: at, kind: 'nic-rx', data: new TextEncoder().encode('hello') });
    m.run(200_000);
    const [first] = rec.chains();
    const nic = first.hops.filter((x) => x.kind === 'nic');
    assert.deepStrictEqual(nic.map((x) => [x.layer, x.text.replace(/ \(.*/, '')]), [
      [1, 'packet #1'], [0, 'nic writes packet #1'], [0, 'nic writes packet #2'], [0, 'nic writes packet #3'],
    ]);
    assert.match(nic[2].text, /\(after \d+ cycles in the VMM's net queue\): its interrupt is already requested, the same one serves it$/);
    for (let i = 1; i < first.hops.length; i++) assert.ok(first.hops[i].cycle >= first.hops[i - 1].cycle, `hop ${i} goes back in time`);
    assert.strictEqual(first.hops[2].kind, 'pci-intx');
    assert.strictEqual(first.latencyCycles, first.takenAt! - first.hops[2].cycle, 'latency from the INTx, not from the packets');
  });

  it('stamps events with the same clock whether the run is sliced or not', () => {
    const stamps = (sliced: boolean): string[] => {
      const { m } = machine(NIC_IRQ);
      const out: string[] = [];
      m.events.subscribe((e) => { if (e.kind === 'exit' || e.kind === 'mmio') out.push(`${e.kind} ${e.cycle} ${e.pc >>> 0}`); });
      if (sliced) for (let i = 0; i < 300; i++) m.run(Infinity, m.steps + 1);
      else m.run(Infinity, 300);
      return out;
    };
    const whole = stamps(false);
    assert.ok(whole.length > 20);
    assert.deepStrictEqual(stamps(true), whole);
  });
});
