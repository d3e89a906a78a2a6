import * as assert from 'assert';
import {
  PCI_BASE_ADDRESS_0, PCI_CACHE_LINE_SIZE, PCI_CAP_ID_MSI, PCI_CAPABILITY_LIST, PCI_CLASS_PROG, PCI_COMMAND,
  PCI_COMMAND_INTX_DISABLE, PCI_COMMAND_MASTER, PCI_COMMAND_MEMORY, PCI_COMMAND_WRITABLE, PCI_HEADER_TYPE,
  PCI_INTERRUPT_LINE, PCI_INTERRUPT_PIN, PCI_LATENCY_TIMER, PCI_REVISION_ID, PCI_ROM_ADDRESS, PCI_STATUS,
  PCI_STATUS_CAP_LIST, PCI_STATUS_INTERRUPT, PCI_STATUS_REC_MASTER_ABORT, PCI_VENDOR_ID,
} from '../../../../src/vm/vmm/pci/config';
import { PciDevice } from '../../../../src/vm/vmm/pci/device';
import { FakePlatform } from './fakes';

/** A function with BAR0 = 4 KiB, BAR2 = 256 B, INTA and MSI, in slot 2 (PIRQC = GSI 18). */
class Probe extends PciDevice {
  constructor(perVectorMasking = false) {
    super({
      name: 'probe', vendorId: 0x1234, deviceId: 0x0042, classCode: 0x028000, revision: 3, intxPin: 0,
      bars: [{ size: 0x1000 }, undefined, { size: 0x100 }], msi: { perVectorMasking },
    });
  }
  masterAbort(): void { this.signalMasterAbort(); }
}

function setup(): { p: FakePlatform; dev: Probe } {
  const p = new FakePlatform();
  const bus = p.bus();
  const dev = new Probe();
  bus.attach(dev, 2);
  return { p, dev };
}

describe('PCI configuration header', () => {
  it('implements the BAR sizing protocol: all-ones reads back the size mask, then the address sticks', () => {
    const { dev } = setup();
    assert.strictEqual(dev.configRead(PCI_BASE_ADDRESS_0, 4), 0, 'BARs start unassigned');
    dev.configWrite(PCI_BASE_ADDRESS_0, 4, 0xffffffff);
    assert.strictEqual(dev.configRead(PCI_BASE_ADDRESS_0, 4), 0xfffff000, '4 KiB, 32-bit memory, non-prefetchable');
    dev.configWrite(PCI_BASE_ADDRESS_0 + 8, 4, 0xffffffff);
    assert.strictEqual(dev.configRead(PCI_BASE_ADDRESS_0 + 8, 4), 0xffffff00, 'BAR2: 256 bytes');
    dev.configWrite(PCI_BASE_ADDRESS_0 + 4, 4, 0xffffffff);
    assert.strictEqual(dev.configRead(PCI_BASE_ADDRESS_0 + 4, 4), 0, 'unimplemented BAR1 is hardwired to 0');
    dev.configWrite(PCI_ROM_ADDRESS, 4, 0xffffffff);
    assert.strictEqual(dev.configRead(PCI_ROM_ADDRESS, 4), 0, 'no expansion ROM');
    // The size is -(mask) = 0x1000; now program an address, including bits below the size.
    dev.configWrite(PCI_BASE_ADDRESS_0, 4, 0x4000_0abc);
    assert.strictEqual(dev.configRead(PCI_BASE_ADDRESS_0, 4), 0x4000_0000);
    assert.strictEqual(dev.barAddress(0), 0x4000_0000);
    assert.strictEqual(dev.barSize(0), 0x1000);
    // A byte write reaches one byte of the BAR.
    dev.configWrite(PCI_BASE_ADDRESS_0 + 3, 1, 0x41);
    assert.strictEqual(dev.barAddress(0), 0x4100_0000);
  });

  it('preserves read-only bits on every write', () => {
    const { dev } = setup();
    const before = dev.config.bytes.slice();
    for (const [addr, size] of [[PCI_VENDOR_ID, 4], [PCI_REVISION_ID, 4], [PCI_HEADER_TYPE, 1], [PCI_INTERRUPT_PIN, 1],
      [PCI_CAPABILITY_LIST, 1], [PCI_LATENCY_TIMER, 1], [0x2c, 4], [0x28, 4]] as const) {
      dev.configWrite(addr, size, 0xffffffff);
      dev.configWrite(addr, size, 0);
    }
    assert.deepStrictEqual(dev.config.bytes, before, 'IDs, class, header type, pin, capability pointer unchanged');
    assert.strictEqual(dev.configRead(PCI_CLASS_PROG, 1), 0x00);
    assert.strictEqual(dev.configRead(PCI_INTERRUPT_PIN, 1), 1, 'INTA');
  });

  it('lets only the implemented COMMAND bits change (no I/O space)', () => {
    const { dev } = setup();
    dev.configWrite(PCI_COMMAND, 2, 0xffff);
    assert.strictEqual(dev.command, PCI_COMMAND_WRITABLE);
    assert.strictEqual(dev.command & 1, 0, 'I/O space enable is hardwired to 0');
    dev.configWrite(PCI_COMMAND, 2, 0);
    assert.strictEqual(dev.command, 0);
  });

  it('treats STATUS as read-only except write-1-to-clear error bits', () => {
    const { dev } = setup();
    assert.strictEqual(dev.status & PCI_STATUS_CAP_LIST, PCI_STATUS_CAP_LIST);
    dev.masterAbort();
    assert.ok(dev.status & PCI_STATUS_REC_MASTER_ABORT);
    dev.configWrite(PCI_STATUS, 2, 0); // writing 0 clears nothing
    assert.ok(dev.status & PCI_STATUS_REC_MASTER_ABORT);
    dev.configWrite(PCI_STATUS, 2, PCI_STATUS_INTERRUPT | PCI_STATUS_CAP_LIST); // RO bits: ignored
    assert.ok(dev.status & PCI_STATUS_REC_MASTER_ABORT);
    assert.strictEqual(dev.status & PCI_STATUS_INTERRUPT, 0);
    assert.ok(dev.status & PCI_STATUS_CAP_LIST);
    // A 4-byte write at COMMAND that carries a 1 in the upper half clears the bit and sets COMMAND.
    dev.configWrite(PCI_COMMAND, 4, (PCI_STATUS_REC_MASTER_ABORT << 16) | PCI_COMMAND_MEMORY);
    assert.strictEqual(dev.status & PCI_STATUS_REC_MASTER_ABORT, 0);
    assert.strictEqual(dev.command, PCI_COMMAND_MEMORY);
  });

  it('keeps INTERRUPT_LINE and CACHE_LINE_SIZE writable', () => {
    const { dev } = setup();
    dev.configWrite(PCI_INTERRUPT_LINE, 1, 18);
    dev.configWrite(PCI_CACHE_LINE_SIZE, 1, 16);
    assert.strictEqual(dev.interruptLine, 18);
    assert.strictEqual(dev.configRead(PCI_CACHE_LINE_SIZE, 1), 16);
  });

  it('has a capability list that a walk from 0x34 follows to the MSI capability', () => {
    const { dev } = setup();
    assert.ok(dev.configRead(PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
    const found: [number, number][] = [];
    let ptr = dev.configRead(PCI_CAPABILITY_LIST, 1) & 0xfc;
    for (let guard = 0; ptr && guard < 48; guard++) {
      found.push([ptr, dev.configRead(ptr, 1)]);
      ptr = dev.configRead(ptr + 1, 1) & 0xfc;
    }
    assert.deepStrictEqual(found, [[0x40, PCI_CAP_ID_MSI]]);
    const control = dev.configRead(0x42, 2);
    assert.strictEqual(control & 1, 0, 'MSI starts disabled');
    assert.strictEqual((control >> 1) & 7, 0, 'Multiple Message Capable: one vector');
    assert.strictEqual(control & 0x80, 0, '32-bit address only');
  });

  it('rejects impossible descriptions (VMM programming errors)', () => {
    assert.throws(() => new PciDevice({ name: 'x', vendorId: 1, deviceId: 1, classCode: 0, bars: [{ size: 0x1800 }] }), RangeError);
    assert.throws(() => new PciDevice({ name: 'x', vendorId: 1, deviceId: 1, classCode: 0, bars: [{ size: 8 }] }), RangeError);
    assert.throws(() => new PciDevice({ name: 'x', vendorId: 1, deviceId: 1, classCode: 0, intxPin: 4 }), RangeError);
  });

  it('goes back to its power-on header on reset', () => {
    const { dev } = setup();
    const powerOn = dev.config.bytes.slice();
    dev.configWrite(PCI_BASE_ADDRESS_0, 4, 0x4000_0000);
    dev.configWrite(PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    dev.configWrite(0x42, 2, 1);
    dev.reset();
    assert.deepStrictEqual(dev.config.bytes, powerOn);
  });
});

describe('PCI INTx from a function', () => {
  it('drives its swizzled GSI and mirrors the request in STATUS.INTERRUPT', () => {
    const { p, dev } = setup();
    dev.setIrq(true);
    assert.deepStrictEqual(p.gsiCalls, [{ gsi: 18, level: true, device: 'probe' }]);
    assert.ok(dev.status & PCI_STATUS_INTERRUPT);
    assert.ok(dev.intxAsserted);
    dev.setIrq(true); // no edge on a level line
    assert.strictEqual(p.gsiCalls.length, 1);
    dev.setIrq(false);
    assert.deepStrictEqual(p.gsiCalls.at(-1), { gsi: 18, level: false, device: 'probe' });
    assert.strictEqual(dev.status & PCI_STATUS_INTERRUPT, 0);
  });

  it('honours COMMAND.INTX_DISABLE: the pin drops, STATUS.INTERRUPT still shows the request', () => {
    const { p, dev } = setup();
    dev.setIrq(true);
    dev.configWrite(PCI_COMMAND, 2, PCI_COMMAND_INTX_DISABLE);
    assert.strictEqual(p.level(18), false);
    assert.ok(dev.status & PCI_STATUS_INTERRUPT, 'the request is still pending in the function');
    const blocked = p.eventsOf('pci-intx').at(-1)!;
    assert.strictEqual(blocked.blockedBy, 'COMMAND.INTX_DISABLE');
    assert.strictEqual(blocked.level, false);
    dev.setIrq(false);
    dev.setIrq(true);
    assert.strictEqual(p.level(18), false, 'a new request while disabled stays off the pin');
    dev.configWrite(PCI_COMMAND, 2, 0);
    assert.strictEqual(p.level(18), true, 're-enabling INTx asserts the pending request');
  });

  it('shares a PIRQ with another function: the line stays up until both deassert', () => {
    const p = new FakePlatform();
    const bus = p.bus();
    const a = new Probe(), b = new Probe();
    bus.attach(a, 2);   // INTA, slot 2 -> PIRQC
    bus.attach(b, 6);   // INTA, slot 6 -> PIRQC
    a.setIrq(true);
    b.setIrq(true);
    a.setIrq(false);
    assert.strictEqual(p.level(18), true);
    assert.deepStrictEqual(p.gsiCalls.map((c) => c.level), [true]);
    const ev = p.eventsOf('pci-intx').at(-1)!;
    assert.strictEqual(ev.level, false);
    assert.strictEqual(ev.lineLevel, true, 'the event says the shared line is still held');
    b.setIrq(false);
    assert.deepStrictEqual(p.gsiCalls, [{ gsi: 18, level: true, device: 'probe' }, { gsi: 18, level: false, device: 'probe' }]);
  });

  it('emits pci-intx events stamped with the injected clock', () => {
    const { p, dev } = setup();
    p.now = 4242;
    dev.setIrq(true);
    const [e] = p.eventsOf('pci-intx');
    assert.deepStrictEqual(
      { ...e },
      { kind: 'pci-intx', cycle: 4242, vcpu: -1, device: 'probe', bdf: '00:02.0', pin: 0, pirq: 2, gsi: 18, request: true, level: true, lineLevel: true },
    );
  });

  it('builds no event when nobody listens', () => {
    const p = new FakePlatform(false);
    const bus = p.bus();
    const dev = new Probe();
    bus.attach(dev, 2);
    let built = 0;
    p.events.emit = (): void => { built++; };
    dev.setIrq(true);
    dev.configWrite(PCI_COMMAND, 2, 0);
    assert.strictEqual(built, 0);
    assert.strictEqual(p.level(18), true);
  });
});
