import * as assert from 'assert';
import { PCI_CLASS_DEVICE, PCI_COMMAND, PCI_DEVICE_ID, PCI_HEADER_TYPE, PCI_VENDOR_ID } from '../../../../src/vm/vmm/pci/config';
import { PciDevice } from '../../../../src/vm/vmm/pci/device';
import { PCI_ECAM_SIZE, decodeEcam, ecamOffset } from '../../../../src/vm/vmm/pci/ecam';
import { FakePlatform } from './fakes';

function setup(): { ecam: ReturnType<FakePlatform['bus']>['ecam']; dev: PciDevice } {
  const p = new FakePlatform();
  const bus = p.bus();
  const dev = new PciDevice({ name: 'probe', vendorId: 0x1234, deviceId: 0x5678, classCode: 0x020000, revision: 7, bars: [{ size: 0x1000 }] });
  bus.attach(dev, 3);
  return { ecam: bus.ecam, dev };
}

describe('PCI ECAM', () => {
  it('splits offsets as bus << 20 | dev << 15 | fn << 12 | reg', () => {
    assert.deepStrictEqual(decodeEcam(0x0031_a10c), { bus: 3, device: 3, fn: 2, reg: 0x10c });
    assert.strictEqual(ecamOffset(0, 3, 0, 0x10), 0x18010);
    assert.strictEqual(ecamOffset(15, 31, 7, 0xffc), PCI_ECAM_SIZE - 4);
    for (const [b, d, f, r] of [[0, 0, 0, 0], [1, 2, 3, 4], [15, 31, 7, 0xfff], [7, 16, 4, 0x80]]) {
      assert.deepStrictEqual(decodeEcam(ecamOffset(b, d, f, r)), { bus: b, device: d, fn: f, reg: r });
    }
  });

  it('reaches the host bridge at 00:00.0 with the generic host bridge IDs and class 0x0600', () => {
    const { ecam } = setup();
    assert.strictEqual(ecam.read(ecamOffset(0, 0, 0, PCI_VENDOR_ID), 4), 0x0008_1b36);
    assert.strictEqual(ecam.read(ecamOffset(0, 0, 0, PCI_CLASS_DEVICE), 2), 0x0600);
    assert.strictEqual(ecam.read(ecamOffset(0, 0, 0, PCI_HEADER_TYPE), 1), 0x00);
    assert.strictEqual(ecam.registerName(ecamOffset(0, 0, 0, PCI_COMMAND)), '00:00.0 COMMAND');
  });

  it('reaches a device by slot with 1-, 2- and 4-byte accesses', () => {
    const { ecam } = setup();
    const base = ecamOffset(0, 3, 0, 0);
    assert.strictEqual(ecam.read(base + PCI_VENDOR_ID, 4), 0x5678_1234);
    assert.strictEqual(ecam.read(base + PCI_DEVICE_ID, 2), 0x5678);
    assert.strictEqual(ecam.read(base + 1, 1), 0x12);
    assert.strictEqual(ecam.read(base + 8, 4), 0x0200_0007, 'class code and revision');
    assert.strictEqual(ecam.peek(base, 4), ecam.read(base, 4));
    assert.strictEqual(ecam.registerName(base + 0x10), '00:03.0 BAR0');
  });

  it('returns all-ones for absent slots, functions, buses and extended registers, and drops writes to them', () => {
    const { ecam } = setup();
    assert.strictEqual(ecam.read(ecamOffset(0, 4, 0, 0), 4), 0xffffffff);
    assert.strictEqual(ecam.read(ecamOffset(0, 4, 0, 0), 2), 0xffff);
    assert.strictEqual(ecam.read(ecamOffset(0, 4, 0, 2), 1), 0xff);
    assert.strictEqual(ecam.read(ecamOffset(0, 3, 1, 0), 4), 0xffffffff, 'function 1 of a single-function device');
    assert.strictEqual(ecam.read(ecamOffset(1, 0, 0, 0), 4), 0xffffffff, 'bus 1 is empty');
    assert.strictEqual(ecam.read(ecamOffset(15, 31, 7, 0), 4), 0xffffffff);
    assert.strictEqual(ecam.read(ecamOffset(0, 3, 0, 0x100), 4), 0xffffffff, 'conventional function: no extended space');
    ecam.write(ecamOffset(0, 4, 0, PCI_COMMAND), 2, 0xffff);
    ecam.write(ecamOffset(0, 3, 0, 0x104), 4, 0x12345678);
    assert.strictEqual(ecam.read(ecamOffset(0, 4, 0, PCI_COMMAND), 2), 0xffff);
    assert.strictEqual(ecam.registerName(ecamOffset(0, 4, 0, 0)), '00:04.0 (no function)');
  });

  it('writes through to the function (COMMAND)', () => {
    const { ecam, dev } = setup();
    ecam.write(ecamOffset(0, 3, 0, PCI_COMMAND), 2, 0x0006);
    assert.strictEqual(dev.command, 0x0006);
    assert.ok(dev.memoryEnabled && dev.busMasterEnabled);
  });
});
