// docs/style.md habit 9 / docs/machine.md: every interrupt state change is an event on the one stream, with a
// cycle stamp and the fields breakpoints filter on; nothing is built when nobody listens.
import * as assert from 'assert';
import { EventStream } from '../../../src/vm/events';
import {
  APIC_EOI, APIC_SVR, APIC_TPR, ApicRouter, encodeRedirectionEntry, Ioapic, IOREDTBL_BASE, IOREGSEL, IOWIN, Lapic,
} from '../../../src/vm/irq';
import { ManualClock, Rig } from './rig';

describe('interrupt controller events', () => {
  it('follow one level interrupt from the line to the EOI, in order, with provenance', () => {
    const rig = new Rig();
    rig.program(17, { vector: 0x42, trigMode: 1, polarity: 1 });
    rig.clearLog();
    rig.clock.t = 100;
    rig.ioapic.setIrq(17, true, { device: 'nic' });
    rig.clock.t = 150;
    rig.lapic.acknowledge();
    rig.ioapic.setIrq(17, false, { device: 'nic' });
    rig.clock.t = 300;
    rig.lapic.write(APIC_EOI, 4, 0);
    assert.deepStrictEqual(rig.log.map((e) => [e.kind, e.cycle]), [
      ['irq-line', 100], ['ioapic-deliver', 100], ['apic-route', 100], ['lapic-accept', 100], ['ioapic-entry', 100],
      ['lapic-ack', 150], ['irq-line', 150],
      ['lapic-eoi', 300], ['eoi-broadcast', 300], ['ioapic-entry', 300],
    ]);
    const accept = rig.of('lapic-accept')[0];
    assert.deepStrictEqual([accept.apic, accept.vector, accept.gsi, accept.source, accept.trigMode, accept.accepted], [0, 0x42, 17, 'ioapic pin 17', 'level', true]);
    assert.deepStrictEqual(rig.of('irq-line').map((e) => [e.gsi, e.level, e.edge, e.device]), [[17, true, 'rising', 'nic'], [17, false, 'falling', 'nic']]);
    const eoi = rig.of('lapic-eoi')[0];
    assert.deepStrictEqual([eoi.vector, eoi.level, eoi.vcpu], [0x42, true, 0]);
    assert.deepStrictEqual(rig.of('eoi-broadcast')[0].gsis, [17]);
    assert.deepStrictEqual(rig.of('ioapic-entry').map((e) => e.cause), ['remote-irr-set', 'remote-irr-cleared']);
    assert.deepStrictEqual(rig.of('apic-route')[0].gsi, 17);
  });

  it('records LAPIC register writes with old and new values', () => {
    const rig = new Rig();
    rig.clearLog();
    rig.lapic.write(APIC_TPR, 4, 0x30);
    const e = rig.of('lapic-reg')[0];
    assert.deepStrictEqual([e.register, e.offset, e.oldValue, e.value, e.apic], ['TPR', APIC_TPR, 0, 0x30, 0]);
  });

  it('builds no event while nobody listens', () => {
    const events = new EventStream();
    events.emit = () => { throw new Error('emitted while inactive'); };
    const clock = new ManualClock();
    const router = new ApicRouter({ clock, events });
    const ioapic = new Ioapic({ version: 0x11, bus: router, clock, events });
    const lapic = new Lapic({ index: 0, bus: router, clock, events, eoiBroadcast: (v) => ioapic.updateEoi(v) });
    router.attach(lapic);
    lapic.write(APIC_SVR, 4, 0x1ff);
    const { low, high } = encodeRedirectionEntry({ vector: 0x41, trigMode: 1 });
    ioapic.write(IOREGSEL, 4, IOREDTBL_BASE + 1); ioapic.write(IOWIN, 4, high);
    ioapic.write(IOREGSEL, 4, IOREDTBL_BASE); ioapic.write(IOWIN, 4, low);
    ioapic.setIrq(0, true);
    lapic.acknowledge();
    lapic.write(APIC_EOI, 4, 0);
    router.deliverMsi(0xfee0_0000, 0x55);
    assert.deepStrictEqual(lapic.irrVectors(), [0x41, 0x55]);
  });
});
