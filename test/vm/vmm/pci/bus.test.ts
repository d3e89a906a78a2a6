import * as assert from 'assert';
import { PCI_BASE_ADDRESS_0, PCI_COMMAND, PCI_COMMAND_MEMORY } from '../../../../src/vm/vmm/pci/config';
import { PciDevice } from '../../../../src/vm/vmm/pci/device';
import { ecamOffset } from '../../../../src/vm/vmm/pci/ecam';
import { MmioDevice } from '../../../../src/vm/vmm/device';
import { FakePlatform } from './fakes';

/** Registers behind a BAR: each 32-bit word reads its offset + 0x1000, writes are remembered. */
class Regs implements MmioDevice {
  readonly name: string;
  readonly registerWidth = 4;
  readonly writes: [number, number, number][] = [];
  constructor(name: string) { this.name = name; }
  read(offset: number): number { return offset + 0x1000; }
  peek(offset: number): number { return offset + 0x1000; }
  write(offset: number, size: number, value: number): void { this.writes.push([offset, size, value]); }
  registerName(offset: number): string { return `R${offset}`; }
}

class WithBars extends PciDevice {
  readonly regs: Regs[];
  constructor(name: string, sizes: number[]) {
    super({ name, vendorId: 0x1234, deviceId: 2, classCode: 0xff0000, intxPin: 1, bars: sizes.map((size) => ({ size })) });
    this.regs = sizes.map((_, i) => new Regs(`${name}.bar${i}`));
  }
  override barRegion(i: number): MmioDevice | undefined { return this.regs[i]; }
}

function setup(): { p: FakePlatform; bus: ReturnType<FakePlatform['bus']>; a: WithBars; b: WithBars } {
  const p = new FakePlatform();
  const bus = p.bus();
  const a = new WithBars('a', [0x1000]);
  const b = new WithBars('b', [0x100, 0x4000]);
  bus.attach(a, 3);
  bus.attach(b, 5);
  return { p, bus, a, b };
}

describe('PCI bus and memory window', () => {
  it('refuses bad or busy slots', () => {
    const { bus } = setup();
    assert.throws(() => bus.attach(new WithBars('c', []), 3), /taken by a/);
    assert.throws(() => bus.attach(new WithBars('c', []), 0), /host-bridge/);
    assert.throws(() => bus.attach(new WithBars('c', []), 32), RangeError);
    assert.deepStrictEqual(bus.devices().map((d) => d.name), ['host-bridge', 'a', 'b']);
  });

  it('decodes a BAR only with COMMAND.MEMORY set; unclaimed addresses read all-ones', () => {
    const { bus, a } = setup();
    const w = bus.window;
    bus.ecam.write(ecamOffset(0, 3, 0, PCI_BASE_ADDRESS_0), 4, 0x4001_0000);
    assert.strictEqual(w.read(0x1_0008, 4), 0xffffffff, 'memory decode off');
    assert.strictEqual(w.resolve(0x1_0008), undefined);
    bus.ecam.write(ecamOffset(0, 3, 0, PCI_COMMAND), 2, PCI_COMMAND_MEMORY);
    assert.strictEqual(w.read(0x1_0008, 4), 0x1008);
    assert.strictEqual(w.peek(0x1_0ffc, 4), 0x1ffc);
    assert.strictEqual(w.read(0x1_1000, 4), 0xffffffff, 'one past the BAR');
    assert.strictEqual(w.read(0x0_fffc, 2), 0xffff, 'one before the BAR');
    w.write(0x1_0010, 4, 0xdead);
    w.write(0x2_0000, 4, 0xbeef); // master abort: dropped
    assert.deepStrictEqual(a.regs[0].writes, [[0x10, 4, 0xdead]]);
    const hit = w.resolve(0x1_0004)!;
    assert.strictEqual(hit.device.name, 'a.bar0');
    assert.strictEqual(hit.offset, 4);
    assert.strictEqual(hit.owner, a);
    assert.strictEqual(hit.bar, 0);
    assert.strictEqual(w.registerName(0x1_0004, false), 'a.bar0 R4');
  });

  it('does not decode a BAR placed outside the window (or left at 0)', () => {
    const { bus, a } = setup();
    a.enable(PCI_COMMAND_MEMORY);
    assert.strictEqual(bus.window.resolve(0), undefined, 'BAR at 0 is outside [0x4000_0000, 0x8000_0000)');
    a.configWrite(PCI_BASE_ADDRESS_0, 4, 0x8000_0000);
    assert.strictEqual(bus.window.resolve(0x4000_0000 - 0x1000), undefined);
  });

  it('assignBars places BARs naturally aligned in slot order and enables memory decoding', () => {
    const { bus, a, b } = setup();
    const got = bus.assignBars();
    assert.deepStrictEqual(got, [
      { bdf: '00:03.0', device: 'a', bar: 0, address: 0x4000_0000, size: 0x1000 },
      { bdf: '00:05.0', device: 'b', bar: 0, address: 0x4000_1000, size: 0x100 },
      { bdf: '00:05.0', device: 'b', bar: 1, address: 0x4000_4000, size: 0x4000 },
    ]);
    assert.ok(a.memoryEnabled && b.memoryEnabled);
    assert.strictEqual(a.busMasterEnabled, false, 'bus mastering stays with the driver');
    assert.strictEqual(bus.window.resolve(0x4000)!.device.name, 'b.bar1');
    assert.strictEqual(bus.window.read(0x1004, 4), 0x1004);
    assert.strictEqual(bus.assignBars(0x5000_0000)[0].address, 0x5000_0000);
  });

  it('reports routes and formats info pci', () => {
    const { bus, a } = setup();
    bus.assignBars();
    a.setIrq(true);
    const routes = bus.routes();
    assert.deepStrictEqual(routes.map((r) => [r.device, r.pin, r.pirq, r.gsi, r.asserted, r.lineAsserted]), [
      ['a', 'INTB', 0, 16, true, true], ['b', 'INTB', 2, 18, false, false],
    ]);
    const info = bus.formatInfo();
    assert.match(info, /Bus {2}0, device {3}0, function 0:\n {4}Host bridge: PCI device 1b36:0008/);
    assert.match(info, /pin B -> PIRQ A \(0\) -> GSI 16 \(asserted\)/);
    assert.match(info, /BAR0: 32 bit memory at 0x40000000 \[0x40000fff\]\./);
  });

  it('emits a pci-config-write event for BAR writes, with the value read back', () => {
    const { p, bus } = setup();
    p.now = 77;
    bus.ecam.write(ecamOffset(0, 3, 0, PCI_BASE_ADDRESS_0), 4, 0xffffffff);
    const [e] = p.eventsOf('pci-config-write');
    assert.deepStrictEqual({ ...e }, {
      kind: 'pci-config-write', cycle: 77, vcpu: -1, device: 'a', bdf: '00:03.0', offset: 0x10, size: 4, value: 0xffffffff,
      register: 'BAR0', bar: { index: 0, value: 0xfffff000, size: 0x1000 },
    });
  });

  it('resets every function', () => {
    const { bus, a } = setup();
    bus.assignBars();
    a.setIrq(true);
    bus.reset();
    assert.strictEqual(a.barAddress(0), 0);
    assert.strictEqual(a.memoryEnabled, false);
    assert.strictEqual(bus.intx.pirqLevel(0), false);
  });
});
