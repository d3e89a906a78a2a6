// The Interrupt timeline's geometry (src/views/timeline/layout.ts): lanes per irqchip mode, one
// arrow per hop between the right lanes, the cycle → pixel scale, zoom and pan, and the placed
// picture (nudged hops, the "now" marker, exit ticks).
import * as assert from 'assert';
import type { InterruptChain, InterruptHop } from '../../src/protocol';
import {
  chainArrows, chainTitle, defaultCompareMode, fitRange, HOP_GAP, lanesFor, latestRange, layoutTimeline, MIN_SPAN, pan, pathRange, ticks,
  vcpuCount, xScale, zoom,
} from '../../src/views/timeline/layout';

const hop = (cycle: number, vcpu: number, layer: InterruptHop['layer'], kind: string, text = kind): InterruptHop => ({ cycle, vcpu, layer, kind, text });

/**
 * The NIC's INTx as the provenance recorder stamps it (test/debug/interrupts.test.ts has the kinds
 * and layers per mode): raised, routed, accepted, taken; the line released; EOI and its broadcast.
 */
function nicChain(id = 1, at = 20000, irqchip: 'kernel' | 'userspace' = 'kernel'): InterruptChain {
  const chip = irqchip === 'kernel' ? 'kernel' : 'vmm';
  const window = irqchip === 'userspace' ? [hop(at + 60, 0, 'vmm', 'exit', 'VM exit INTERRUPT_WINDOW')] : [];
  return {
    id, gsi: 19, vector: 0x31, source: 'nic (00:03.0 INTA)', sourceKind: 'intx', outcome: 'handled', latencyCycles: 140,
    hops: [
      hop(at, -1, 'device', 'pci-intx'), hop(at, -1, chip, 'irq-line'), hop(at, -1, chip, 'ioapic-deliver'), hop(at, -1, chip, 'apic-route'),
      hop(at, 0, chip, 'lapic-accept'), hop(at, -1, chip, 'ioapic-entry'), ...window, hop(at + 140, 0, chip, 'lapic-ack'),
      hop(at + 140, 0, 'guest', 'interrupt-taken'), hop(at + 300, -1, 'device', 'pci-intx'), hop(at + 300, -1, chip, 'irq-line'),
      hop(at + 400, 0, chip, 'exit'), hop(at + 400, 0, chip, 'lapic-eoi'), hop(at + 400, -1, chip, 'eoi-broadcast'),
    ],
  };
}

describe('views/timeline layout', () => {
  it('lays out the lanes of docs/interrupt-provenance.md, the IOAPIC and LAPICs labelled by where each irqchip mode puts them', () => {
    assert.deepStrictEqual(lanesFor('kernel', 1).map((l) => l.label), ['Devices', 'PCI host bridge', 'IOAPIC · kernel', 'LAPIC 0 · kernel', 'vCPU 0']);
    assert.deepStrictEqual(lanesFor('split', 1).map((l) => l.label), ['Devices', 'PCI host bridge', 'IOAPIC · VMM', 'LAPIC 0 · kernel', 'vCPU 0']);
    assert.deepStrictEqual(lanesFor('userspace', 1).map((l) => l.label), ['Devices', 'PCI host bridge', 'IOAPIC · VMM', 'LAPIC 0 · VMM', 'vCPU 0']);
    assert.deepStrictEqual(lanesFor(undefined, 2).map((l) => l.key), ['device', 'bridge', 'ioapic', 'lapic:0', 'lapic:1', 'vcpu:0', 'vcpu:1']);
    assert.strictEqual(lanesFor('kernel', 0).length, 5, 'at least one vCPU');
  });

  it('counts the vCPUs the hops name beyond the machine\'s', () => {
    const c = nicChain();
    assert.strictEqual(vcpuCount([c], 1), 1);
    assert.strictEqual(vcpuCount([{ ...c, hops: [...c.hops, hop(21000, 3, 'kernel', 'lapic-accept')] }], 2), 4);
  });

  it('draws one arrow per hop, each from where the interrupt was to where the hop takes it', () => {
    const arrows = chainArrows(nicChain());
    assert.deepStrictEqual(arrows.map((a) => `${a.kind}:${a.from}>${a.to}`), [
      'pci-intx:device>bridge', 'irq-line:bridge>ioapic', 'ioapic-deliver:ioapic>ioapic', 'apic-route:ioapic>lapic:0',
      'lapic-accept:lapic:0>lapic:0', 'ioapic-entry:ioapic>ioapic', 'lapic-ack:lapic:0>vcpu:0', 'interrupt-taken:vcpu:0>vcpu:0',
      'pci-intx:device>bridge', 'irq-line:bridge>ioapic', 'exit:vcpu:0>vcpu:0', 'lapic-eoi:vcpu:0>lapic:0', 'eoi-broadcast:lapic:0>ioapic',
    ]);
    assert.deepStrictEqual(arrows.map((a) => a.hopIndex), arrows.map((_, i) => i));
    assert.ok(arrows.every((a) => a.chainId === 1));
    // userspace: the same path plus the interrupt-window exit on the vCPU, every chip hop in the VMM layer.
    const user = chainArrows(nicChain(1, 20000, 'userspace'));
    assert.strictEqual(user.length, 14);
    assert.deepStrictEqual(user.filter((a) => a.kind === 'exit').map((a) => `${a.layer}:${a.from}>${a.to}`), ['vmm:vcpu:0>vcpu:0', 'vmm:vcpu:0>vcpu:0']);
  });

  it('routes an IPI from the sender\'s LAPIC to the target\'s, though the route is stamped with the sender', () => {
    const ipi: InterruptChain = { id: 9, vector: 0x40, source: 'IPI from vCPU 0', sourceKind: 'ipi', outcome: 'pending', hops: [
      hop(50, 0, 'kernel', 'ipi'), hop(50, 0, 'kernel', 'apic-route'), hop(50, 1, 'kernel', 'lapic-accept'),
    ] };
    assert.deepStrictEqual(chainArrows(ipi).map((a) => `${a.from}>${a.to}`), ['vcpu:0>lapic:0', 'lapic:0>lapic:1', 'lapic:1>lapic:1']);
  });

  it('sends a delivery to the LAPIC of the vCPU the next hops name when the hop itself names none', () => {
    const c: InterruptChain = { id: 2, gsi: 4, source: 'uart', sourceKind: 'device', outcome: 'pending', hops: [
      hop(100, -1, 'vmm', 'irq-line'), hop(100, -1, 'vmm', 'ioapic-deliver'), hop(100, -1, 'kernel', 'msi'), hop(120, 1, 'kernel', 'lapic-accept'),
    ] };
    assert.deepStrictEqual(chainArrows(c).map((a) => `${a.from}>${a.to}`), ['device>ioapic', 'ioapic>ioapic', 'ioapic>lapic:1', 'lapic:1>lapic:1']);
  });

  it('starts an MSI at the device, a timer interrupt at its LAPIC, and places unknown kinds by layer', () => {
    const msi: InterruptChain = { id: 3, vector: 0x41, source: 'nic MSI', sourceKind: 'msi', outcome: 'handled', hops: [
      hop(10, -1, 'device', 'pci-msi'), hop(10, -1, 'kernel', 'msi'), hop(30, 0, 'kernel', 'lapic-ack'), hop(30, 0, 'guest', 'interrupt-taken'),
    ] };
    assert.deepStrictEqual(chainArrows(msi).map((a) => `${a.from}>${a.to}`), ['device>bridge', 'bridge>lapic:0', 'lapic:0>vcpu:0', 'vcpu:0>vcpu:0']);
    const timer: InterruptChain = { id: 4, vector: 0xef, source: 'LAPIC timer 0', sourceKind: 'timer', outcome: 'in-service', hops: [hop(10, 0, 'kernel', 'timer-fire'), hop(10, 0, 'kernel', 'lapic-accept')] };
    assert.deepStrictEqual(chainArrows(timer).map((a) => `${a.from}>${a.to}`), ['lapic:0>lapic:0', 'lapic:0>lapic:0']);
    const odd: InterruptChain = { id: 5, source: 'testdev', sourceKind: 'testdev', outcome: 'blocked', hops: [
      hop(1, -1, 'device', 'testdev-raise'), hop(2, -1, 'vmm', 'vmm-note'), hop(3, 0, 'guest', 'guest-thing'),
    ] };
    assert.deepStrictEqual(chainArrows(odd).map((a) => `${a.from}>${a.to}`), ['device>device', 'device>device', 'device>vcpu:0']);
  });

  it('maps cycles to pixels linearly and back', () => {
    const s = xScale({ start: 1000, end: 2000 }, 150, 500);
    assert.strictEqual(s.x(1000), 150);
    assert.strictEqual(s.x(2000), 650);
    assert.strictEqual(s.x(1500), 400);
    assert.strictEqual(s.cycle(400), 1500);
  });

  it('puts round ticks (1, 2 or 5 × 10^k apart) inside the range', () => {
    assert.deepStrictEqual(ticks({ start: 19_950, end: 20_480 }, 6), [20_000, 20_100, 20_200, 20_300, 20_400]);
    const t = ticks({ start: 0, end: 1_000_000 }, 8);
    assert.deepStrictEqual(t.slice(0, 3), [0, 200_000, 400_000]);
    assert.ok(t.every((x) => x >= 0 && x < 1_000_000));
    assert.deepStrictEqual(ticks({ start: 5, end: 5 }), []);
  });

  it('fits every hop and the current cycle with a margin; an empty picture gets a default range', () => {
    const r = fitRange([nicChain()], 21_000);
    assert.ok(r.start < 20_000 && r.start > 19_800, `start ${r.start}`);
    assert.ok(r.end > 21_000 && r.end < 21_200, `end ${r.end}`);
    assert.deepStrictEqual(fitRange([]), { start: 0, end: 1000 });
    const tiny = fitRange([{ ...nicChain(), hops: [hop(50, 0, 'kernel', 'msi')] }]);
    assert.ok(tiny.end - tiny.start >= MIN_SPAN && tiny.start >= 0);
  });

  it('zooms to the latest chain, keeping "now" when it is close', () => {
    const chains = [nicChain(1, 20_000), nicChain(2, 500_000)];
    const near = latestRange(chains, 500_600);
    assert.ok(near.start > 499_000 && near.end > 500_600, JSON.stringify(near));
    const far = latestRange(chains, 9_000_000);
    assert.ok(far.end < 501_000, 'a far-away "now" does not stretch the chain out of sight');
  });

  it('zooms around the pointer\'s cycle, never narrower than MIN_SPAN nor before cycle 0, and pans', () => {
    const r = { start: 1000, end: 2000 };
    const z = zoom(r, 0.5, 1200);
    assert.strictEqual(z.end - z.start, 500);
    // The cycle under the pointer stays at the same fraction of the width.
    assert.strictEqual((1200 - z.start) / (z.end - z.start), (1200 - r.start) / (r.end - r.start));
    assert.strictEqual(zoom(r, 1e-9).end - zoom(r, 1e-9).start, MIN_SPAN);
    assert.strictEqual(zoom({ start: 10, end: 110 }, 4, 110).start, 0);
    assert.deepStrictEqual(pan(r, 300), { start: 1300, end: 2300 });
    assert.deepStrictEqual(pan(r, -5000), { start: 0, end: 1000 });
  });

  it('places each arrow between its lanes\' centres at its cycle, hops of one cycle side by side', () => {
    const frame = { labelWidth: 100, width: 1100, laneHeight: 30, top: 40 };
    const layout = layoutTimeline({ irqchip: 'kernel', vcpus: 1, chains: [nicChain()], current: 20_300 }, { start: 19_900, end: 20_900 }, frame);
    assert.strictEqual(layout.arrows.length, 13, 'one arrow per hop');
    const laneY = new Map(layout.lanes.map((l) => [l.key, l.y]));
    assert.deepStrictEqual(layout.lanes.map((l) => l.y), [55, 85, 115, 145, 175]);
    for (const a of layout.arrows) {
      assert.strictEqual(a.y1, laneY.get(a.from));
      assert.strictEqual(a.y2, laneY.get(a.to));
    }
    // The first six hops share cycle 20000 (x = 100 + 100): drawn HOP_GAP apart, in hop order.
    assert.deepStrictEqual(layout.arrows.slice(0, 6).map((a) => a.x), [0, 1, 2, 3, 4, 5].map((i) => 200 + i * HOP_GAP));
    assert.strictEqual(layout.arrows[6].x, 340, 'lapic-ack at cycle 20140');
    assert.strictEqual(layout.now, 500);
    assert.deepStrictEqual(layout.chains.map((c) => c.title), ['#1 nic (00:03.0 INTA) · GSI 19 → 0x31 · handled · 140 cycles']);
    assert.strictEqual(layout.lanesBottom, 40 + 5 * 30);
    assert.strictEqual(layout.height, layout.lanesBottom + 22);
    assert.ok(layout.ticks.length > 3 && layout.ticks.every((t) => t.x >= 100 && t.x <= 1100));
    // Labels only where there is room: the crowded first hops get none, the last one does.
    assert.strictEqual(layout.arrows[0].labelled, false);
    assert.strictEqual(layout.arrows[12].labelled, true);
  });

  it('leaves out chains, exits and "now" outside the range, and puts exits on their vCPU\'s lane', () => {
    const model = {
      irqchip: 'userspace' as const, vcpus: 2, chains: [nicChain(1, 20_000), nicChain(2, 90_000)], current: 200_000,
      exits: [{ cycle: 20_050, vcpu: 1, reason: 'EPT_MISCONFIG', handledIn: 'vmm' as const }, { cycle: 95_000, vcpu: 0, reason: 'HLT', handledIn: 'kernel' as const }],
    };
    const layout = layoutTimeline(model, { start: 19_000, end: 21_000 });
    assert.deepStrictEqual(layout.chains.map((c) => c.id), [1]);
    assert.ok(layout.arrows.every((a) => a.chainId === 1));
    assert.strictEqual(layout.now, undefined);
    assert.strictEqual(layout.exits.length, 1);
    assert.strictEqual(layout.exits[0].y, layout.lanes.find((l) => l.key === 'vcpu:1')?.y);
    assert.deepStrictEqual(layout.lanes.filter((l) => l.placement).map((l) => l.label), ['IOAPIC · VMM', 'LAPIC 0 · VMM', 'LAPIC 1 · VMM']);
  });

  it('zooms to a chain\'s path up to its handler, or its whole span when it was never taken', () => {
    const r = pathRange(nicChain(1, 20_000));
    assert.ok(r.start < 20_000 && r.start > 19_900 && r.end > 20_140 && r.end < 20_200, JSON.stringify(r));
    const pending: InterruptChain = { ...nicChain(1, 20_000), hops: nicChain(1, 20_000).hops.filter((h) => h.kind !== 'interrupt-taken') };
    assert.ok(pathRange(pending).end > 20_400);
  });

  it('draws the packet a NIC chain starts with on the Devices lane, and zooms to its path from the packet the NIC took', () => {
    const c = nicChain(1, 20_000);
    const withPacket: InterruptChain = {
      ...c, hops: [hop(2_000, -1, 'vmm', 'nic', 'packet #1 (5 bytes) held in the VMM\'s net queue'), hop(20_000, -1, 'device', 'nic', 'nic writes packet #1'), ...c.hops],
    };
    const arrows = chainArrows(withPacket);
    assert.deepStrictEqual(arrows.slice(0, 3).map((a) => `${a.kind}:${a.from}>${a.to}`), ['nic:device>device', 'nic:device>device', 'pci-intx:device>bridge']);
    // The 18 000 cycles in the queue are not part of the path: the zoom is the same as without them.
    assert.deepStrictEqual(pathRange(withPacket), pathRange(c));
    assert.ok(fitRange([withPacket]).start < 2_000, 'the whole picture still shows the wait');
  });

  it('titles a chain with id, source, route, outcome and latency', () => {
    assert.strictEqual(chainTitle({ id: 7, vector: 0xef, source: 'lapic timer 0', outcome: 'pending', hops: [] }), '#7 lapic timer 0 · 0xef · pending');
  });

  it('compares userspace against kernel and any other mode against userspace', () => {
    assert.strictEqual(defaultCompareMode('userspace'), 'kernel');
    assert.strictEqual(defaultCompareMode('kernel'), 'userspace');
    assert.strictEqual(defaultCompareMode('split'), 'userspace');
  });
});
