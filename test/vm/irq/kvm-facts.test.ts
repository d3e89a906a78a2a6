// docs/interrupt-controllers.md, KVM's in-kernel irqchip: one test per behaviour, each driving
// the models the way a guest does (IOAPIC and LAPIC by MMIO) and a device does (setIrq).
import * as assert from 'assert';
import {
  APIC_EOI, APIC_ICR_HIGH, APIC_ICR_LOW, APIC_ISR, APIC_LDR, APIC_DFR, APIC_PPR, APIC_SVR, APIC_TMR, APIC_TPR,
  IOAPIC_EOI, IOAPICVER, IOREDTBL_BASE, RTE_DELIVERY_STATUS, RTE_MASK, RTE_REMOTE_IRR, testVector,
} from '../../../src/vm/irq';
import { Rig } from './rig';

const EDGE = 0, LEVEL = 1;

/** The guest takes the interrupt and writes EOI; returns the vector it handled. */
function handle(rig: Rig, vcpu = 0): number {
  const v = rig.lapics[vcpu].acknowledge();
  rig.lapics[vcpu].write(APIC_EOI, 4, 0);
  return v;
}

describe('The facts of the KVM in-kernel irqchip (docs/interrupt-controllers.md)', () => {
  describe('IOAPIC versions and the EOI register', () => {
    it('the in-kernel IOAPIC (0x11) reports version register 0x00170011: version 0x11, 24 pins', () => {
      assert.strictEqual(new Rig({ version: 0x11 }).ioRead(IOAPICVER), 0x00170011);
    });

    it('the in-kernel IOAPIC has no EOI register: a write to +0x40 leaves remote IRR set', () => {
      const rig = new Rig({ version: 0x11 });
      rig.program(16, { vector: 0x41, trigMode: LEVEL });
      rig.ioapic.setIrq(16, true);
      assert.ok(rig.low(16) & RTE_REMOTE_IRR);
      rig.ioapic.write(IOAPIC_EOI, 4, 0x41);
      assert.ok(rig.low(16) & RTE_REMOTE_IRR, 'remote IRR must survive the write');
      assert.strictEqual(rig.of('eoi-broadcast').length, 0);
    });

    it("the VMM's IOAPIC (0x20) reports version register 0x00170020", () => {
      assert.strictEqual(new Rig({ version: 0x20 }).ioRead(IOAPICVER), 0x00170020);
    });

    it("the VMM's IOAPIC (0x20) has the EOI register: writing the vector clears remote IRR", () => {
      const rig = new Rig({ version: 0x20 });
      rig.program(16, { vector: 0x41, trigMode: LEVEL });
      rig.ioapic.setIrq(16, true);
      rig.ioapic.setIrq(16, false);
      assert.ok(rig.low(16) & RTE_REMOTE_IRR);
      rig.ioapic.write(IOAPIC_EOI, 4, 0x41);
      assert.strictEqual(rig.low(16) & RTE_REMOTE_IRR, 0);
    });
  });

  describe('reset state', () => {
    it('every redirection entry reads 0x00010000 (masked) at reset', () => {
      const rig = new Rig();
      for (let pin = 0; pin < 24; pin++) {
        assert.strictEqual(rig.low(pin), 0x00010000, `pin ${pin} low`);
        assert.strictEqual(rig.high(pin), 0, `pin ${pin} high`);
      }
    });

    it('LAPIC SVR reads 0xFF at reset: software-disabled', () => {
      const rig = new Rig({ enable: false });
      assert.strictEqual(rig.lapic.read(APIC_SVR, 4), 0xff);
      assert.strictEqual(rig.lapic.softwareEnabled, false);
    });
  });

  describe('edge-triggered pins', () => {
    it('each rising edge while unmasked is delivered once', () => {
      const rig = new Rig();
      rig.program(4, { vector: 0x31, trigMode: EDGE });
      for (let i = 0; i < 3; i++) {
        rig.ioapic.setIrq(4, true);
        rig.ioapic.setIrq(4, false);
        assert.strictEqual(handle(rig), 0x31);
      }
      assert.strictEqual(rig.of('ioapic-deliver').length, 3);
      assert.strictEqual(rig.lapic.highestDeliverable(), -1);
    });

    it('a second raise while the line is already high is coalesced', () => {
      const rig = new Rig();
      rig.program(4, { vector: 0x31, trigMode: EDGE });
      assert.strictEqual(rig.ioapic.setIrq(4, true), 1);
      assert.strictEqual(handle(rig), 0x31);
      assert.strictEqual(rig.ioapic.setIrq(4, true), 0, 'KVM reports 0 = coalesced');
      assert.strictEqual(rig.of('ioapic-deliver').length, 1);
      assert.strictEqual(rig.lapic.highestDeliverable(), -1);
      assert.deepStrictEqual(rig.of('irq-line').map((e) => e.result), ['sent', 'coalesced']);
    });

    it('an edge that rises while the pin is masked is lost, also after unmasking', () => {
      const rig = new Rig();
      rig.program(4, { vector: 0x31, trigMode: EDGE, mask: 1 });
      rig.ioapic.setIrq(4, true);
      rig.program(4, { vector: 0x31, trigMode: EDGE });               // unmask with the line still high
      assert.strictEqual(rig.lapic.highestDeliverable(), -1);
      rig.ioapic.setIrq(4, false);
      assert.strictEqual(rig.lapic.highestDeliverable(), -1);
      assert.strictEqual(rig.of('ioapic-deliver').length, 0);
      rig.ioapic.setIrq(4, true);                                       // the next edge is delivered
      assert.strictEqual(rig.lapic.highestDeliverable(), 0x31);
    });
  });

  describe('level-triggered pins', () => {
    it('a line asserted while masked is delivered as soon as the entry is unmasked', () => {
      const rig = new Rig();
      rig.program(16, { vector: 0x41, trigMode: LEVEL, mask: 1 });
      rig.ioapic.setIrq(16, true);
      assert.strictEqual(rig.lapic.highestDeliverable(), -1);
      rig.program(16, { vector: 0x41, trigMode: LEVEL });
      assert.strictEqual(rig.lapic.highestDeliverable(), 0x41);
      assert.strictEqual(rig.of('ioapic-deliver')[0].cause, 'entry-write');
    });

    it('acceptance sets remote IRR in the redirection entry', () => {
      const rig = new Rig();
      rig.program(16, { vector: 0x41, trigMode: LEVEL });
      assert.strictEqual(rig.low(16) & RTE_REMOTE_IRR, 0);
      rig.ioapic.setIrq(16, true);
      assert.ok(rig.low(16) & RTE_REMOTE_IRR);
    });

    it("acceptance sets the vector's bit in the LAPIC TMR", () => {
      const rig = new Rig();
      rig.program(16, { vector: 0x41, trigMode: LEVEL });
      rig.ioapic.setIrq(16, true);
      assert.ok(testVector(rig.lapic.tmr, 0x41));
      assert.strictEqual(rig.lapic.read(APIC_TMR + 0x20, 4), 1 << 1, 'TMR2 bit 1 = vector 0x41');
    });

    it('EOI with the line still asserted delivers the interrupt again', () => {
      const rig = new Rig();
      rig.program(16, { vector: 0x41, trigMode: LEVEL });
      rig.ioapic.setIrq(16, true);
      assert.strictEqual(handle(rig), 0x41);
      assert.strictEqual(rig.lapic.highestDeliverable(), 0x41, 're-delivered on EOI');
      assert.ok(rig.low(16) & RTE_REMOTE_IRR, 'remote IRR set again by the new acceptance');
      assert.deepStrictEqual(rig.of('ioapic-deliver').map((e) => e.cause), ['line', 'eoi']);
    });

    it('after the line drops, EOI clears remote IRR and nothing is re-delivered', () => {
      const rig = new Rig();
      rig.program(16, { vector: 0x41, trigMode: LEVEL });
      rig.ioapic.setIrq(16, true);
      const v = rig.lapic.acknowledge();
      rig.ioapic.setIrq(16, false);
      assert.ok(rig.low(16) & RTE_REMOTE_IRR, 'dropping the line does not clear remote IRR');
      rig.lapic.write(APIC_EOI, 4, 0);
      assert.strictEqual(v, 0x41);
      assert.strictEqual(rig.low(16) & RTE_REMOTE_IRR, 0);
      assert.strictEqual(rig.lapic.highestDeliverable(), -1);
      assert.deepStrictEqual(rig.of('eoi-broadcast').map((e) => e.gsis), [[16]]);
    });

    it('switching a pin from level to edge clears its remote IRR', () => {
      const rig = new Rig();
      rig.program(16, { vector: 0x41, trigMode: LEVEL });
      rig.ioapic.setIrq(16, true);
      assert.ok(rig.low(16) & RTE_REMOTE_IRR);
      rig.ioWrite(IOREDTBL_BASE + 32, 0x41 | RTE_MASK);   // edge, masked (Linux's EOI emulation)
      assert.strictEqual(rig.low(16) & RTE_REMOTE_IRR, 0);
    });
  });

  describe('polarity', () => {
    it('the device-side level means "asserted" whatever the polarity bit', () => {
      const rig = new Rig();
      rig.program(17, { vector: 0x42, trigMode: LEVEL, polarity: 1 });  // active-low PCI INTx
      rig.ioapic.setIrq(17, false);
      assert.strictEqual(rig.lapic.highestDeliverable(), -1, 'level 0 is de-asserted even for an active-low pin');
      rig.ioapic.setIrq(17, true);
      assert.strictEqual(rig.lapic.highestDeliverable(), 0x42);
      rig.program(4, { vector: 0x31, trigMode: EDGE, polarity: 1 });
      rig.ioapic.setIrq(4, true);
      assert.ok(testVector(rig.lapic.irr, 0x31), 'an active-low edge pin fires on level 0 → 1 too');
    });
  });

  describe('TPR and PPR', () => {
    it('TPR blocks vectors whose class is ≤ the TPR class', () => {
      const rig = new Rig();
      const lapic = rig.lapic;
      lapic.write(APIC_TPR, 4, 0x45);
      lapic.acceptInterrupt(0x4f, false);
      assert.strictEqual(lapic.highestDeliverable(), -1, 'class 4 = TPR class 4: blocked');
      assert.strictEqual(rig.meip[0], false);
      lapic.acceptInterrupt(0x3f, false);
      assert.strictEqual(lapic.highestDeliverable(), -1, 'class 3 < 4: blocked');
      lapic.acceptInterrupt(0x50, false);
      assert.strictEqual(lapic.highestDeliverable(), 0x50, 'class 5 > 4: deliverable');
      assert.strictEqual(rig.meip[0], true);
    });

    it('PPR = TPR when its class is ≥ the highest ISR class, else the ISR class', () => {
      const lapic = new Rig().lapic;
      lapic.write(APIC_TPR, 4, 0x35);
      assert.strictEqual(lapic.read(APIC_PPR, 4), 0x35, 'ISR empty: PPR = TPR');
      lapic.acceptInterrupt(0x62, false);
      assert.strictEqual(lapic.acknowledge(), 0x62);
      assert.strictEqual(lapic.read(APIC_PPR, 4), 0x60, 'ISR class 6 > TPR class 3: PPR = 0x60');
      lapic.write(APIC_TPR, 4, 0x7a);
      assert.strictEqual(lapic.read(APIC_PPR, 4), 0x7a, 'TPR class 7 ≥ 6: PPR = TPR, low nibble kept');
      lapic.write(APIC_TPR, 4, 0x6b);
      assert.strictEqual(lapic.read(APIC_PPR, 4), 0x6b, 'equal classes: PPR = TPR');
      lapic.write(APIC_TPR, 4, 0);
      lapic.write(APIC_EOI, 4, 0);
      assert.strictEqual(lapic.read(APIC_PPR, 4), 0);
    });
  });

  describe('delivery status', () => {
    it('the redirection entry delivery-status bit reads 0, even when written as 1', () => {
      const rig = new Rig();
      rig.ioWrite(IOREDTBL_BASE + 8, 0x31 | RTE_DELIVERY_STATUS);
      assert.strictEqual(rig.low(4) & RTE_DELIVERY_STATUS, 0);
      rig.ioapic.setIrq(4, true);
      assert.strictEqual(rig.low(4) & RTE_DELIVERY_STATUS, 0, 'also right after a delivery');
    });

    it('the ICR delivery-status bit reads 0 after sending an IPI', () => {
      const rig = new Rig({ vcpus: 2 });
      rig.lapic.write(APIC_ICR_HIGH, 4, 1 << 24);
      rig.lapic.write(APIC_ICR_LOW, 4, 0x50 | (1 << 12));
      assert.strictEqual(rig.lapic.read(APIC_ICR_LOW, 4), 0x50);
      assert.ok(testVector(rig.lapics[1].irr, 0x50));
    });
  });

  describe('logical flat destinations', () => {
    it('LDR/DFR flat model: a LAPIC matches when its logical ID shares a bit with the destination', () => {
      const rig = new Rig({ vcpus: 2 });
      const [a, b] = rig.lapics;
      a.write(APIC_DFR, 4, 0xffffffff);
      a.write(APIC_LDR, 4, 0x01 << 24);
      b.write(APIC_DFR, 4, 0xffffffff);
      b.write(APIC_LDR, 4, 0x02 << 24);
      assert.ok(a.matchDestination(1, 0x01, 0, -1) && !b.matchDestination(1, 0x01, 0, -1));
      assert.ok(!a.matchDestination(1, 0x02, 0, -1) && b.matchDestination(1, 0x02, 0, -1));
      assert.ok(a.matchDestination(1, 0x03, 0, -1) && b.matchDestination(1, 0x03, 0, -1));
      assert.ok(!a.matchDestination(1, 0x0c, 0, -1) && !b.matchDestination(1, 0x0c, 0, -1));
    });

    it('fixed delivery to a logical mask reaches every matching LAPIC', () => {
      const rig = new Rig({ vcpus: 4 });
      rig.lapics.forEach((l, i) => { l.write(APIC_DFR, 4, 0xffffffff); l.write(APIC_LDR, 4, (1 << i) << 24); });
      rig.program(16, { vector: 0x41, trigMode: LEVEL, destMode: 1, destination: 0b1011 });
      assert.strictEqual(rig.ioapic.setIrq(16, true), 3, 'three LAPICs accepted');
      assert.deepStrictEqual(rig.lapics.map((l) => testVector(l.irr, 0x41)), [true, true, false, true]);
      assert.deepStrictEqual(rig.meip, [true, true, false, true]);
      assert.strictEqual(rig.lapics[3].read(APIC_ISR + 0x20, 4), 0, 'not in service before INTA');
    });
  });
});
