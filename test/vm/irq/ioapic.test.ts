// The IOAPIC model: registers (82093AA §3), the two configurations, line semantics and events.
import * as assert from 'assert';
import {
  APIC_SVR, encodeRedirectionEntry, Ioapic, IOAPIC_EOI, IOAPICARB, IOAPICID, IOAPICVER, IOREDTBL_BASE, IOREGSEL, IOWIN,
  IRQ_STATUS_BLOCKED, IRQ_STATUS_COALESCED, parseRedirectionEntry, RTE_MASK, RTE_REMOTE_IRR, testVector,
} from '../../../src/vm/irq';
import { ManualClock, Rig } from './rig';

const LEVEL = 1;

describe('IOAPIC registers', () => {
  it('writes and reads back both halves of a redirection entry', () => {
    const rig = new Rig();
    rig.ioWrite(IOREDTBL_BASE + 2 * 5, 0x0001_a931);       // masked, level, active-low, logical, vector 0x31
    rig.ioWrite(IOREDTBL_BASE + 2 * 5 + 1, 0x0300_0000);    // destination 3
    assert.strictEqual(rig.low(5), 0x0001_a931);
    assert.strictEqual(rig.high(5), 0x0300_0000);
    assert.deepStrictEqual(rig.ioapic.entry(5), {
      vector: 0x31, deliveryMode: 1, destMode: 1, deliveryStatus: 0, polarity: 1, remoteIrr: 0, trigMode: 1, mask: 1, destination: 3,
    });
    rig.ioWrite(IOREDTBL_BASE + 2 * 5 + 1, 0x0700_0000);
    assert.strictEqual(rig.low(5), 0x0001_a931, 'writing the high half leaves the low half');
    assert.strictEqual(rig.ioapic.redirTbl[10], 0x0001_a931);
    assert.strictEqual(rig.ioapic.redirTbl[11], 0x0700_0000);
  });

  it('stores the reserved bits as written, as KVM and QEMU do', () => {
    const rig = new Rig();
    rig.ioWrite(IOREDTBL_BASE + 1, 0x00ff_ffff);
    assert.strictEqual(rig.high(0), 0x00ff_ffff);
    rig.ioWrite(IOREDTBL_BASE, 0xfffe_0000 | RTE_MASK);
    assert.strictEqual(rig.low(0), 0xffff_0000 >>> 0);
  });

  it('preserves the read-only bits: a write cannot set or clear remote IRR or delivery status', () => {
    const rig = new Rig();
    rig.program(16, { vector: 0x41, trigMode: LEVEL });
    rig.ioWrite(IOREDTBL_BASE + 32, 0x41 | 0x8000 | RTE_REMOTE_IRR | 0x1000);  // try to set both
    assert.strictEqual(rig.low(16), 0x8041, 'remote IRR and delivery status stay 0');
    rig.ioapic.setIrq(16, true);
    assert.strictEqual(rig.low(16), 0x8041 | RTE_REMOTE_IRR);
    rig.ioWrite(IOREDTBL_BASE + 32, 0x8042);                                   // level, new vector, RO bits 0
    assert.strictEqual(rig.low(16), 0x8042 | RTE_REMOTE_IRR, 'remote IRR survives a level rewrite');
  });

  it('IOAPICID holds 4 bits at 27:24; IOAPICARB reads the ID; IOAPICVER is read-only', () => {
    const rig = new Rig();
    rig.ioWrite(IOAPICID, 0xffff_ffff);
    assert.strictEqual(rig.ioRead(IOAPICID), 0x0f00_0000);
    assert.strictEqual(rig.ioRead(IOAPICARB), 0x0f00_0000);
    rig.ioWrite(IOAPICARB, 0);
    rig.ioWrite(IOAPICVER, 0);
    assert.strictEqual(rig.ioRead(IOAPICARB), 0x0f00_0000);
    assert.strictEqual(rig.ioRead(IOAPICVER), 0x0017_0011);
  });

  it('IOREGSEL is an 8-bit register that reads back', () => {
    const ioapic = new Rig().ioapic;
    ioapic.write(IOREGSEL, 4, 0x1234_5613);
    assert.strictEqual(ioapic.read(IOREGSEL, 4), 0x13);
    assert.strictEqual(ioapic.selectedRegisterName(), 'IOREDTBL1[63:32]');
  });

  it('an unimplemented register reads all ones on 0x11 (KVM) and 0 on 0x20 (QEMU); writes are ignored', () => {
    for (const [version, expected] of [[0x11, 0xffff_ffff], [0x20, 0]] as const) {
      const rig = new Rig({ version });
      for (const reg of [0x03, 0x0f, 0x40, 0xff]) {
        rig.ioWrite(reg, 0x1234);
        assert.strictEqual(rig.ioRead(reg), expected, `version 0x${version.toString(16)} register 0x${reg.toString(16)}`);
      }
      for (let pin = 0; pin < 24; pin++) assert.strictEqual(rig.low(pin), RTE_MASK);
    }
  });

  it('reads narrower than 32 bits return the low bytes; other offsets read 0', () => {
    const rig = new Rig();
    rig.ioWrite(IOREDTBL_BASE, 0x0001_8031);
    rig.ioapic.write(IOREGSEL, 4, IOREDTBL_BASE);
    assert.strictEqual(rig.ioapic.read(IOWIN, 1), 0x31);
    assert.strictEqual(rig.ioapic.read(IOWIN, 2), 0x8031);
    assert.strictEqual(rig.ioapic.read(0x04, 4), 0);
    assert.strictEqual(rig.ioapic.read(0x20, 4), 0);
    assert.strictEqual(rig.ioapic.read(IOREGSEL + 0x100, 4), IOREDTBL_BASE, 'the 256-byte window repeats in the page');
  });

  it('names its registers for traces', () => {
    const k = new Rig({ version: 0x11 }).ioapic, q = new Rig({ version: 0x20 }).ioapic;
    assert.deepStrictEqual([k.registerName(0), k.registerName(0x10), k.registerName(0x40)], ['IOREGSEL', 'IOWIN', undefined]);
    assert.strictEqual(q.registerName(0x40), 'EOI');
    k.write(IOREGSEL, 4, IOAPICVER);
    assert.strictEqual(k.selectedRegisterName(), 'IOAPICVER');
    k.write(IOREGSEL, 4, 0x40);
    assert.strictEqual(k.selectedRegisterName(), undefined);
  });

  it('reset() masks every entry and forgets line levels', () => {
    const rig = new Rig();
    rig.program(3, { vector: 0x33 });
    rig.ioapic.setIrq(3, true);
    rig.ioWrite(IOAPICID, 0x0200_0000);
    rig.ioapic.reset();
    assert.strictEqual(rig.ioapic.irr, 0);
    assert.strictEqual(rig.ioRead(IOAPICID), 0);
    assert.strictEqual(rig.low(3), RTE_MASK);
  });

  it('parse and encode of an entry are inverse', () => {
    const fields = { vector: 0xa5, deliveryMode: 5, destMode: 1, deliveryStatus: 1, polarity: 1, remoteIrr: 1, trigMode: 1, mask: 1, destination: 0x81 };
    const { low, high } = encodeRedirectionEntry(fields);
    assert.deepStrictEqual(parseRedirectionEntry(low, high), fields);
  });
});

describe('IOAPIC lines', () => {
  it('returns KVM_IRQ_LINE_STATUS codes: accepted count, blocked, coalesced, 1 for a de-assert', () => {
    const rig = new Rig();
    rig.program(4, { vector: 0x31 });
    rig.program(16, { vector: 0x41, trigMode: LEVEL });
    rig.program(5, { vector: 0x35, mask: 1 });
    assert.strictEqual(rig.ioapic.setIrq(4, true), 1);
    assert.strictEqual(rig.ioapic.setIrq(4, true), IRQ_STATUS_COALESCED);
    assert.strictEqual(rig.ioapic.setIrq(4, false), 1);
    assert.strictEqual(rig.ioapic.setIrq(5, true), IRQ_STATUS_BLOCKED);
    assert.strictEqual(rig.ioapic.setIrq(16, true), 1);
    assert.strictEqual(rig.ioapic.setIrq(16, true), IRQ_STATUS_BLOCKED, 'level with remote IRR set');
    assert.deepStrictEqual(rig.of('irq-line').map((e) => e.result), ['sent', 'coalesced', 'deasserted', 'masked', 'sent', 'remote-irr']);
  });

  it('a message no LAPIC accepts leaves remote IRR clear on 0x11 (KVM) but sets it on 0x20 (QEMU)', () => {
    for (const [version, remote] of [[0x11, 0], [0x20, RTE_REMOTE_IRR]] as const) {
      const rig = new Rig({ version, enable: false });
      rig.program(16, { vector: 0x41, trigMode: LEVEL });
      assert.strictEqual(rig.ioapic.setIrq(16, true), 0);
      assert.strictEqual(rig.low(16) & RTE_REMOTE_IRR, remote, `version 0x${version.toString(16)}`);
      assert.strictEqual(rig.of('lapic-accept')[0].reason, 'apic-disabled');
    }
  });

  it('0x11 (KVM): an EOI of its vector re-delivers a level pin whose message was dropped', () => {
    const rig = new Rig({ version: 0x11, enable: false });
    rig.program(16, { vector: 0x41, trigMode: LEVEL });
    rig.ioapic.setIrq(16, true);                  // dropped by the disabled LAPIC: remote IRR stays clear
    rig.lapic.write(APIC_SVR, 4, 0x1ff);
    assert.deepStrictEqual(rig.ioapic.eoiBroadcast(0x41), [], 'no remote IRR to clear…');
    assert.ok(testVector(rig.lapic.irr, 0x41), '…but the asserted line is serviced again');
    assert.ok(rig.low(16) & RTE_REMOTE_IRR);
  });

  it('0x20 (QEMU): a level message nobody accepted keeps remote IRR set until an EOI of its vector', () => {
    const rig = new Rig({ version: 0x20, enable: false });
    rig.program(16, { vector: 0x41, trigMode: LEVEL });
    rig.ioapic.setIrq(16, true);
    rig.lapic.write(APIC_SVR, 4, 0x1ff);
    rig.ioapic.setIrq(16, true);
    assert.ok(!testVector(rig.lapic.irr, 0x41), 'held back by remote IRR');
    assert.strictEqual(rig.ioapic.blockedBy(16), 'remote-irr');
    rig.ioapic.write(IOAPIC_EOI, 4, 0x41);
    assert.ok(testVector(rig.lapic.irr, 0x41));
  });

  it('ORs the sources driving a pin (KVM irq_source_id): the line drops with the last one', () => {
    const rig = new Rig();
    rig.program(16, { vector: 0x41, trigMode: LEVEL });
    rig.ioapic.setIrq(16, true, { id: 1, device: 'nic' });
    rig.ioapic.setIrq(16, true, { id: 2, device: 'disk' });
    rig.ioapic.setIrq(16, false, { id: 1, device: 'nic' });
    assert.ok(rig.ioapic.lineLevel(16), 'still driven by source 2');
    rig.ioapic.setIrq(16, false, { id: 2, device: 'disk' });
    assert.ok(!rig.ioapic.lineLevel(16));
    assert.deepStrictEqual(rig.of('irq-line').map((e) => [e.device, e.sourceId, e.level, e.edge]),
      [['nic', 1, true, 'rising'], ['disk', 2, true, 'none'], ['nic', 1, true, 'none'], ['disk', 2, false, 'falling']]);
  });

  it('ignores pins outside 0–23 instead of throwing (guest- or user-chosen GSIs)', () => {
    const rig = new Rig();
    rig.clearLog();
    for (const pin of [-1, 24, 1000, 2.5, NaN]) assert.strictEqual(rig.ioapic.setIrq(pin, true), 0);
    assert.strictEqual(rig.ioapic.irr, 0);
    assert.strictEqual(rig.log.length, 0);
  });

  it('the 0x20 EOI register needs a 32-bit write and re-delivers a still-asserted line', () => {
    const rig = new Rig({ version: 0x20 });
    rig.program(16, { vector: 0x41, trigMode: LEVEL });
    rig.ioapic.setIrq(16, true);
    assert.strictEqual(rig.lapic.acknowledge(), 0x41);
    rig.ioapic.write(IOAPIC_EOI, 1, 0x41);
    assert.ok(rig.low(16) & RTE_REMOTE_IRR, 'a byte write is ignored');
    rig.ioapic.write(IOAPIC_EOI, 4, 0x41);
    assert.ok(testVector(rig.lapic.irr, 0x41), 'delivered again (the IRR bit was free after INTA)');
    assert.ok(rig.low(16) & RTE_REMOTE_IRR);
    assert.strictEqual(rig.of('eoi-broadcast')[0].source, 'ioapic-eoi-register');
  });

  it('EOI of one vector leaves entries with another vector alone', () => {
    const rig = new Rig();
    rig.program(16, { vector: 0x41, trigMode: LEVEL });
    rig.program(17, { vector: 0x42, trigMode: LEVEL });
    rig.ioapic.setIrq(16, true);
    rig.ioapic.setIrq(17, true);
    assert.deepStrictEqual(rig.ioapic.updateEoi(0x42), [17]);
    assert.ok(rig.low(16) & RTE_REMOTE_IRR);
  });

  it('blockedBy names the bit that holds a pin back', () => {
    const rig = new Rig();
    rig.program(16, { vector: 0x41, trigMode: LEVEL, mask: 1 });
    assert.strictEqual(rig.ioapic.blockedBy(16), 'line-low');
    rig.ioapic.setIrq(16, true);
    assert.strictEqual(rig.ioapic.blockedBy(16), 'masked');
    rig.program(16, { vector: 0x41, trigMode: LEVEL });
    assert.strictEqual(rig.ioapic.blockedBy(16), 'remote-irr');
  });

  it('emits entry events with old and new values for writes and remote IRR changes', () => {
    const rig = new Rig();
    rig.program(16, { vector: 0x41, trigMode: LEVEL });
    rig.ioapic.setIrq(16, true);
    rig.ioapic.updateEoi(0x41);
    const entries = rig.of('ioapic-entry').filter((e) => e.gsi === 16);
    assert.deepStrictEqual(entries.map((e) => [e.cause, e.oldLow, e.low]), [
      ['write', RTE_MASK, RTE_MASK], ['write', RTE_MASK, 0x8041], ['remote-irr-set', 0x8041, 0xc041],
      ['remote-irr-cleared', 0xc041, 0x8041], ['remote-irr-set', 0x8041, 0xc041],
    ]);
  });

  it('stamps events with the injected clock', () => {
    const rig = new Rig();
    rig.program(4, { vector: 0x31 });
    rig.clock.t = 4242;
    rig.ioapic.setIrq(4, true, { device: 'uart' });
    const line = rig.of('irq-line')[0];
    assert.deepStrictEqual([line.cycle, line.vcpu, line.gsi, line.device], [4242, -1, 4, 'uart']);
    assert.strictEqual(rig.of('ioapic-deliver')[0].cycle, 4242);
  });

  it('sends the entry as an APIC message with the pin as provenance', () => {
    const sent: unknown[] = [];
    const ioapic = new Ioapic({ version: 0x11, clock: new ManualClock(), bus: { deliver: (m) => { sent.push(m); return 1; } } });
    ioapic.write(IOREGSEL, 4, IOREDTBL_BASE + 7);
    ioapic.write(IOWIN, 4, 0x0500_0000);
    ioapic.write(IOREGSEL, 4, IOREDTBL_BASE + 6);
    ioapic.write(IOWIN, 4, 0x0000_8962);     // level, logical, lowest priority, vector 0x62
    ioapic.setIrq(3, true);
    assert.deepStrictEqual(sent, [{
      vector: 0x62, deliveryMode: 1, destMode: 1, destination: 5, trigMode: 1, level: true, shorthand: 0,
      sourceApic: -1, source: 'ioapic pin 3', gsi: 3,
    }]);
  });
});
