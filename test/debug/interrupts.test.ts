// hyperstep/interrupts and `info interrupts` on examples/nic-irq.s (docs/interrupt-provenance.md):
// one chain from the packet (held in the VMM's net queue, then written to an RX descriptor by the
// NIC) through the NIC's INTA to the EOI, whose hops and layers follow the irqchip mode — the
// IOAPIC's hops are 'kernel' under kernel and 'vmm' otherwise, split adds the KVM_SIGNAL_MSI hop,
// userspace puts the LAPIC in the VMM and adds the interrupt-window exit.
import * as assert from 'assert';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { InterruptChain, InterruptsResult, WhyResult } from '../../src/protocol';
import { EXAMPLES, launch, rejects, repl, request, startClient, stopAfter } from './helpers';

const NIC_IRQ = `${EXAMPLES}/nic-irq.s`;
const RX = [{ atCycle: 20000, nic: 'rx', data: 'hello' }];

/** [kind, layer] of each hop, as the mode places the IOAPIC and the LAPIC. */
const EXPECTED: Record<'kernel' | 'split' | 'userspace', [string, string][]> = {
  kernel: [
    ['nic', 'vmm'], ['nic', 'device'], ['pci-intx', 'device'], ['irq-line', 'kernel'], ['ioapic-deliver', 'kernel'], ['apic-route', 'kernel'], ['lapic-accept', 'kernel'],
    ['ioapic-entry', 'kernel'], ['lapic-ack', 'kernel'], ['interrupt-taken', 'guest'], ['pci-intx', 'device'], ['irq-line', 'kernel'],
    ['exit', 'kernel'], ['lapic-eoi', 'kernel'], ['eoi-broadcast', 'kernel'],
  ],
  split: [
    ['nic', 'vmm'], ['nic', 'device'], ['pci-intx', 'device'], ['irq-line', 'vmm'], ['ioapic-deliver', 'vmm'], ['msi', 'kernel'], ['apic-route', 'kernel'], ['lapic-accept', 'kernel'],
    ['ioapic-entry', 'vmm'], ['lapic-ack', 'kernel'], ['interrupt-taken', 'guest'], ['pci-intx', 'device'], ['irq-line', 'vmm'],
    ['exit', 'kernel'], ['lapic-eoi', 'kernel'], ['eoi-broadcast', 'vmm'],
  ],
  userspace: [
    ['nic', 'vmm'], ['nic', 'device'], ['pci-intx', 'device'], ['irq-line', 'vmm'], ['ioapic-deliver', 'vmm'], ['apic-route', 'vmm'], ['lapic-accept', 'vmm'],
    ['ioapic-entry', 'vmm'], ['exit', 'vmm'], ['lapic-ack', 'vmm'], ['interrupt-taken', 'guest'], ['pci-intx', 'device'], ['irq-line', 'vmm'],
    ['exit', 'vmm'], ['lapic-eoi', 'vmm'], ['eoi-broadcast', 'vmm'],
  ],
};

describe('debug adapter: interrupt chains (hyperstep/interrupts, info interrupts)', function () {
  this.timeout(120_000);
  let dc: DebugClient;
  beforeEach(async () => { dc = await startClient(); });
  afterEach(async () => { await dc.stop(); });

  const chains = async (args: object = {}): Promise<InterruptsResult> => request<InterruptsResult>(dc, 'hyperstep/interrupts', args);

  for (const irqchip of ['kernel', 'split', 'userspace'] as const) {
    it(`records the NIC interrupt as one chain, its hops placed by the ${irqchip} irqchip`, async () => {
      await launch(dc, { program: NIC_IRQ, irqchip, devices: { nic: { slot: 3, msi: false } }, events: RX });
      assert.deepStrictEqual((await chains()).chains, [], 'no interrupt before the program runs');

      // Stop when the handler writes EOI (inside the write's exit), and let the write complete: the
      // chain is complete up to its end.
      await dc.setExceptionBreakpointsRequest({ filters: ['eoi'] });
      await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
      await stopAfter(dc, dc.stepOutRequest({ threadId: 1 }));
      const all = (await chains()).chains;
      assert.strictEqual(all.length, 1);
      const c: InterruptChain = all[0];
      assert.deepStrictEqual([c.gsi, c.vector, c.source, c.sourceKind, c.outcome], [19, 0x31, 'nic (00:03.0 INTA)', 'intx', 'handled']);
      assert.deepStrictEqual(c.hops.map((h) => [h.kind, h.layer]), EXPECTED[irqchip]);
      // Hops are in time order, device-side ones on no vCPU, the LAPIC's on vCPU 0.
      for (let i = 1; i < c.hops.length; i++) assert.ok(c.hops[i].cycle >= c.hops[i - 1].cycle, `hop ${i} goes back in time`);
      assert.strictEqual(c.hops[0].vcpu, -1);
      assert.strictEqual(c.hops.find((h) => h.kind === 'lapic-ack')!.vcpu, 0);
      // The packet comes first: scheduled for cycle 20000, held by the VMM until the driver turns the
      // receiver on, then written to descriptor 0 by the NIC, which asserts INTA in the same cycle.
      const [queued, rx, intx] = c.hops;
      assert.match(queued.text, /^packet #1 \(5 bytes\) held in the VMM's net queue, the nic cannot receive: receiver off \(CTRL\.EN\/RXEN\)/);
      assert.ok(queued.cycle >= 20000 && queued.cycle < rx.cycle, `queued at ${queued.cycle}, received at ${rx.cycle}`);
      assert.strictEqual(rx.text, 'nic writes packet #1 (5 bytes) to RX descriptor 0 and raises ISR.RX');
      assert.strictEqual(rx.cycle, intx.cycle);
      // Latency: from the INTx assertion (not the packet's wait in the queue) to the handler's first instruction.
      const taken = c.hops.find((h) => h.kind === 'interrupt-taken')!;
      assert.strictEqual(c.latencyCycles, taken.cycle - intx.cycle);

      // Filters: by GSI, by vector; nothing on another GSI.
      assert.strictEqual((await chains({ gsi: 19 })).chains.length, 1);
      assert.strictEqual((await chains({ vector: 0x31, last: 1 })).chains.length, 1);
      assert.deepStrictEqual((await chains({ gsi: 4 })).chains, []);

      // The console form, and "why" agrees: it was delivered when the chain says it was taken.
      const info = await repl(dc, 'info interrupts');
      assert.match(info.split('\n')[0], /^#1 handled GSI 19 vector 0x31 from nic \(00:03\.0 INTA\), latency \d+ cycles$/);
      assert.strictEqual(info.split('\n').length, 1 + EXPECTED[irqchip].length);
      const why = await request<WhyResult>(dc, 'hyperstep/why', { gsi: 19 });
      assert.strictEqual(why.blocker, null);
      assert.deepStrictEqual(why.delivered, { cycle: taken.cycle, vcpu: 0 });
      assert.match((await repl(dc, 'why irq 19')).split('\n')[0], new RegExp(`^delivered at cycle ${taken.cycle}\\b`));
    });
  }

  it('rewinds the chains with the machine: a step back before the EOI reopens it', async () => {
    await launch(dc, { program: NIC_IRQ, devices: { nic: { slot: 3, msi: false } }, events: RX });
    await dc.setExceptionBreakpointsRequest({ filters: ['interrupt-taken'] });
    await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
    const inService = (await chains()).chains;
    assert.strictEqual(inService[0].outcome, 'in-service');
    await dc.setExceptionBreakpointsRequest({ filters: ['eoi'] });
    await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
    // inside the EOI write's exit the write has not happened yet; out of it, it has
    assert.strictEqual((await chains()).chains[0].outcome, 'in-service');
    await stopAfter(dc, dc.stepOutRequest({ threadId: 1 }));
    assert.strictEqual((await chains()).chains[0].outcome, 'handled');
    await stopAfter(dc, dc.stepBackRequest({ threadId: 1 }));
    const back = (await chains()).chains;
    assert.strictEqual(back.length, 1);
    assert.strictEqual(back[0].outcome, 'in-service');
    assert.ok(!back[0].hops.some((h) => h.kind === 'lapic-eoi'), 'the EOI hop is gone after stepping back before it');
    assert.deepStrictEqual(back[0].hops.slice(0, 3).map((h) => [h.kind, h.layer]), [['nic', 'vmm'], ['nic', 'device'], ['pci-intx', 'device']]);
    // Back to before the interrupt existed: no chain at all.
    await dc.setExceptionBreakpointsRequest({ filters: [] });
    await stopAfter(dc, dc.reverseContinueRequest({ threadId: 1 }));
    assert.deepStrictEqual((await chains()).chains, []);
    // Forward again: the packet still heads the chain it causes (the queue the recorder mirrors rewound too).
    await dc.setExceptionBreakpointsRequest({ filters: ['interrupt-taken'] });
    await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
    const again = (await chains()).chains;
    assert.deepStrictEqual(again.map((c) => c.hops.slice(0, 3).map((h) => h.kind)), [['nic', 'nic', 'pci-intx']]);
    assert.match(again[0].hops[0].text, /^packet #1 \(5 bytes\)/);
  });

  it('keeps the newest interruptChains chains and counts the dropped ones (examples/timer.s)', async () => {
    await launch(dc, { program: `${EXAMPLES}/timer.s`, interruptChains: 2 });
    await dc.setExceptionBreakpointsRequest({ filters: ['eoi'] });
    for (let i = 0; i < 4; i++) await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
    await stopAfter(dc, dc.stepOutRequest({ threadId: 1 })); // the fourth EOI write completes
    const r = await chains();
    assert.deepStrictEqual(r.chains.map((c) => [c.id, c.sourceKind, c.vector, c.outcome]), [[3, 'timer', 0x40, 'handled'], [4, 'timer', 0x40, 'handled']]);
    assert.deepStrictEqual(r.dropped, { handled: 2 });
    assert.match(await repl(dc, 'info interrupts 1'), /^#4 handled vector 0x40 from LAPIC timer 0[^]*\(3 older chains; dropped from the ring of 2: 2 handled\)$/);
  });

  it('refuses bad arguments with clear errors', async () => {
    await launch(dc, { program: NIC_IRQ });
    assert.match(await rejects(request(dc, 'hyperstep/why', { gsi: 99 })), /GSI 99 does not exist: the IOAPIC has pins 0–23/);
    assert.match(await rejects(request(dc, 'hyperstep/why', { vector: 300 })), /vector 300 does not exist: vectors are 0–255/);
    assert.match(await rejects(request(dc, 'hyperstep/why', { vector: 0x31, vcpu: 4 })), /vCPU 4 does not exist/);
    assert.match(await rejects(request(dc, 'hyperstep/why', {})), /arguments required/);
    assert.match(await rejects(request(dc, 'hyperstep/interrupts', { last: 0 })), /last 0 is out of range/);
    assert.match(await rejects(request(dc, 'hyperstep/interrupts', { gsi: 'x' })), /gsi must be an integer/);
    assert.match(await rejects(dc.evaluateRequest({ expression: 'why irq 99', context: 'repl' })), /GSI 99 does not exist/);
    assert.match(await rejects(dc.evaluateRequest({ expression: 'why vector 300', context: 'repl' })), /vector 300 does not exist/);
    assert.match(await rejects(dc.evaluateRequest({ expression: 'why irq', context: 'repl' })), /usage: why irq GSI/);
    assert.match(await rejects(dc.evaluateRequest({ expression: 'info interrupts x', context: 'repl' })), /usage: info interrupts \[N\]/);
    // The session goes on.
    assert.strictEqual(await repl(dc, 'info interrupts'), 'no interrupt chain recorded yet');
  });
});
