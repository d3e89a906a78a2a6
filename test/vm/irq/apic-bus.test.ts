// The APIC bus: fixed and lowest-priority routing, physical/logical destinations, MSIs (SDM
// §11.11), and the split irqchip, where the VMM's IOAPIC delivers its entries as MSIs.
import * as assert from 'assert';
import {
  APIC_DFR, APIC_EOI, APIC_LDR, APIC_SVR, APIC_TPR, ApicBus, ApicMessage, Ioapic, msiToMessage, RTE_REMOTE_IRR, testVector, toMsi,
} from '../../../src/vm/irq';
import { Rig } from './rig';

function lowest(vector: number, destMode: number, destination: number): ApicMessage {
  return { vector, deliveryMode: 1, destMode, destination, trigMode: 0, level: true, shorthand: 0, sourceApic: -1, source: 'test' };
}

const holders = (rig: Rig, v: number): number[] => rig.lapics.filter((l) => testVector(l.irr, v)).map((l) => l.index);

describe('APIC bus routing', () => {
  it('fixed physical delivery reaches one APIC ID; 0xFF reaches every LAPIC', () => {
    const rig = new Rig({ vcpus: 3 });
    assert.strictEqual(rig.router.deliver({ ...lowest(0x30, 0, 1), deliveryMode: 0 }), 1);
    assert.deepStrictEqual(holders(rig, 0x30), [1]);
    assert.strictEqual(rig.router.deliver({ ...lowest(0x31, 0, 0xff), deliveryMode: 0 }), 3);
    assert.strictEqual(rig.router.deliver({ ...lowest(0x32, 0, 9), deliveryMode: 0 }), 0, 'no such APIC ID');
  });

  it('lowest priority (arbitration): the LAPIC with the lowest TPR wins', () => {
    const rig = new Rig({ vcpus: 3 });
    rig.lapics.forEach((l, i) => l.write(APIC_TPR, 4, [0x40, 0x10, 0x30][i]));
    assert.strictEqual(rig.router.deliver(lowest(0x61, 1, 0xff)), 1);
    assert.deepStrictEqual(holders(rig, 0x61), [1]);
  });

  it('lowest priority (arbitration): a vector in service raises the priority; ties go to the lowest index', () => {
    const rig = new Rig({ vcpus: 3 });
    rig.lapics[0].acceptInterrupt(0x80, false);
    rig.lapics[0].acknowledge();
    rig.router.deliver(lowest(0x62, 1, 0xff));
    assert.deepStrictEqual(holders(rig, 0x62), [1], 'vCPU 0 is busy with class 8; 1 and 2 tie; 1 wins');
    rig.router.deliver(lowest(0x63, 1, 0xff));
    assert.deepStrictEqual(holders(rig, 0x63), [2], 'vCPU 1 now has class 6 pending');
  });

  it('lowest priority considers only matching, software-enabled LAPICs', () => {
    const rig = new Rig({ vcpus: 3 });
    rig.lapics.forEach((l, i) => { l.write(APIC_DFR, 4, 0xffffffff); l.write(APIC_LDR, 4, (1 << i) << 24); });
    rig.lapics[1].write(APIC_SVR, 4, 0xff);
    rig.lapics[2].write(APIC_TPR, 4, 0x20);
    rig.router.deliver(lowest(0x64, 1, 0b110));
    assert.deepStrictEqual(holders(rig, 0x64), [2], 'vCPU 0 is not in the mask, vCPU 1 is disabled');
    rig.lapics[2].write(APIC_SVR, 4, 0xff);
    assert.strictEqual(rig.router.deliver(lowest(0x65, 1, 0b110)), 0, 'nobody left');
  });

  it("lowest priority (vector-hashing, KVM's default): the (vector mod n)-th candidate", () => {
    const rig = new Rig({ vcpus: 3, lowestPriority: 'vector-hashing' });
    for (const v of [0x60, 0x61, 0x62, 0x63]) rig.router.deliver(lowest(v, 1, 0xff));
    assert.deepStrictEqual([0x60, 0x61, 0x62, 0x63].map((v) => holders(rig, v)), [[0x60 % 3], [0x61 % 3], [0x62 % 3], [0x63 % 3]]);
  });

  it('a physical broadcast with lowest priority is delivered to all, as fixed (KVM)', () => {
    const rig = new Rig({ vcpus: 3 });
    assert.strictEqual(rig.router.deliver(lowest(0x66, 0, 0xff)), 3);
  });

  it("records each routing decision: lowest priority's choice, or no target at all", () => {
    const rig = new Rig({ vcpus: 3 });
    rig.lapics[0].write(APIC_TPR, 4, 0x50);
    rig.router.deliver(lowest(0x68, 1, 0xff));
    rig.router.deliver({ ...lowest(0x69, 0, 7), deliveryMode: 0 });
    assert.deepStrictEqual(rig.of('apic-route').map((e) => [e.vector, e.lowestPriority, e.targets]), [[0x68, true, [1]], [0x69, false, []]]);
  });

  it('targets() shows where a message would go, for routing views', () => {
    const rig = new Rig({ vcpus: 2 });
    rig.lapics[0].write(APIC_TPR, 4, 0x50);
    assert.deepStrictEqual(rig.router.targets(lowest(0x67, 1, 0xff)).map((l) => l.index), [1]);
    assert.deepStrictEqual(rig.lapics.map((l) => l.irrVectors()), [[], []], 'nothing delivered');
  });
});

describe('MSI', () => {
  it('toMsi encodes an entry as address 0xFEE00000 | dest<<12 | DM<<2, data vector | mode<<8 | trigger<<15', () => {
    assert.deepStrictEqual(toMsi({ vector: 0x41, deliveryMode: 1, destMode: 1, trigMode: 1, destination: 0x0f }),
      { address: 0xfee0_f004, data: 0x0000_8141 });
    assert.deepStrictEqual(toMsi({ vector: 0x31, deliveryMode: 0, destMode: 0, trigMode: 0, destination: 2 }),
      { address: 0xfee0_2000, data: 0x31 });
  });

  it('msiToMessage decodes an MSI and round-trips toMsi', () => {
    const entry = { vector: 0xa3, deliveryMode: 4, destMode: 1, trigMode: 1, destination: 0x81 };
    const { address, data } = toMsi(entry);
    const msg = msiToMessage(address, data, 'nic');
    assert.ok(msg);
    assert.deepStrictEqual({ vector: msg.vector, deliveryMode: msg.deliveryMode, destMode: msg.destMode, trigMode: msg.trigMode, destination: msg.destination }, entry);
    assert.deepStrictEqual([msg.level, msg.shorthand, msg.sourceApic, msg.source, msg.redirectionHint], [true, 0, -1, 'nic', false]);
  });

  it('rejects an address outside 0xFEE00000–0xFEEFFFFF', () => {
    assert.strictEqual(msiToMessage(0xfed0_0000, 0x41), undefined);
    const rig = new Rig();
    assert.strictEqual(rig.router.deliverMsi(0x8000_0000, 0x41, 'nic'), 0);
    assert.strictEqual(rig.of('msi')[0].valid, false);
  });

  it('deliverMsi reaches the LAPIC the address names and records the message', () => {
    const rig = new Rig({ vcpus: 2 });
    assert.strictEqual(rig.router.deliverMsi(0xfee0_1000, 0x4045, 'nic'), 1);
    assert.deepStrictEqual(holders(rig, 0x45), [1]);
    const e = rig.of('msi')[0];
    assert.deepStrictEqual([e.address, e.data, e.vector, e.destination, e.destMode, e.deliveryMode, e.trigMode, e.source],
      [0xfee0_1000, 0x4045, 0x45, 1, 'physical', 'fixed', 'edge', 'nic']);
    assert.deepStrictEqual(rig.of('apic-route').map((r) => [r.source, r.targets]), [['nic', [1]]]);
    assert.strictEqual(rig.of('lapic-accept')[0].source, 'nic');
  });

  it('the redirection hint makes a fixed MSI to a logical set a lowest-priority one (KVM)', () => {
    const rig = new Rig({ vcpus: 3 });
    rig.lapics.forEach((l, i) => l.write(APIC_LDR, 4, (1 << i) << 24));
    rig.lapics[0].write(APIC_TPR, 4, 0x70);
    assert.strictEqual(rig.router.deliverMsi(0xfee0_700c, 0x46), 1, 'logical 0b111, RH=1, DM=1');
    assert.deepStrictEqual(holders(rig, 0x46), [1]);
  });
});

describe('split irqchip: the VMM IOAPIC (0x20) delivers by MSI', () => {
  /** The VMM side: every message becomes an MSI through KVM_SIGNAL_MSI (here the router directly). */
  function splitRig(): { rig: Rig; vmmIoapic: Ioapic; msis: [number, number][] } {
    const rig = new Rig({ vcpus: 2 });
    const msis: [number, number][] = [];
    const msiBus: ApicBus = {
      deliver: (m) => {
        const { address, data } = toMsi(m);
        msis.push([address, data]);
        return rig.router.deliverMsi(address, data, m.source);
      },
    };
    const vmmIoapic = new Ioapic({ version: 0x20, bus: msiBus, clock: rig.clock, events: rig.events });
    // KVM_EXIT_IOAPIC_EOI: the LAPIC's level EOI goes back to the VMM's IOAPIC.
    for (const l of rig.lapics) l.eoiBroadcast = (v, apic) => vmmIoapic.eoiBroadcast(v, apic);
    return { rig, vmmIoapic, msis };
  }

  it('a level pin goes out as an MSI, sets TMR, and re-asserts after the LAPIC EOI', () => {
    const { rig, vmmIoapic, msis } = splitRig();
    vmmIoapic.write(0, 4, 0x10 + 2 * 17 + 1);
    vmmIoapic.write(0x10, 4, 0x0100_0000);
    vmmIoapic.write(0, 4, 0x10 + 2 * 17);
    vmmIoapic.write(0x10, 4, 0x0000_a042);           // level, active-low, vector 0x42
    vmmIoapic.setIrq(17, true, { device: 'nic' });
    assert.deepStrictEqual(msis, [[0xfee0_1000, 0x8042]]);
    const ap = rig.lapics[1];
    assert.ok(testVector(ap.tmr, 0x42));
    assert.strictEqual(ap.acknowledge(), 0x42);
    ap.write(APIC_EOI, 4, 0);
    assert.strictEqual(msis.length, 2, 'line still asserted: delivered again');
    assert.strictEqual(ap.acknowledge(), 0x42);
    vmmIoapic.setIrq(17, false, { device: 'nic' });
    ap.write(APIC_EOI, 4, 0);
    assert.strictEqual(msis.length, 2);
    assert.strictEqual(vmmIoapic.entry(17).remoteIrr, 0);
    assert.strictEqual(vmmIoapic.redirTbl[34] & RTE_REMOTE_IRR, 0);
  });
});
