import * as assert from 'assert';
import { PCI_COMMAND, PCI_COMMAND_INTX_DISABLE, PCI_COMMAND_MASTER, PCI_STATUS_INTERRUPT } from '../../../../src/vm/vmm/pci/config';
import { PciDevice } from '../../../../src/vm/vmm/pci/device';
import { PCI_MSI_FLAGS_MASKBIT } from '../../../../src/vm/vmm/pci/msi';
import { FakePlatform } from './fakes';

const CAP = 0x40, FLAGS = CAP + 2, ADDR = CAP + 4, DATA = CAP + 8, MASK = CAP + 0x0c, PENDING = CAP + 0x10;

function setup(perVectorMasking = false): { p: FakePlatform; dev: PciDevice } {
  const p = new FakePlatform();
  const bus = p.bus();
  const dev = new PciDevice({ name: 'probe', vendorId: 0x1234, deviceId: 1, classCode: 0x020000, intxPin: 0, msi: { perVectorMasking } });
  bus.attach(dev, 1); // INTA -> PIRQB -> GSI 17
  return { p, dev };
}

/** What a driver does: address, data, bus mastering, then the enable bit. */
function enableMsi(dev: PciDevice, address = 0xfee0_0000, data = 0x0031): void {
  dev.configWrite(ADDR, 4, address);
  dev.configWrite(DATA, 2, data);
  dev.configWrite(PCI_COMMAND, 2, PCI_COMMAND_MASTER);
  dev.configWrite(FLAGS, 2, 1);
}

describe('PCI MSI capability', () => {
  it('keeps the address DWORD aligned and the data 16-bit', () => {
    const { dev } = setup();
    dev.configWrite(ADDR, 4, 0xfee0_1003);
    dev.configWrite(DATA, 4, 0xabcd_1234);
    assert.strictEqual(dev.configRead(ADDR, 4), 0xfee0_1000);
    assert.strictEqual(dev.configRead(DATA, 2), 0x1234);
    assert.strictEqual(dev.configRead(DATA + 2, 2), 0, 'reserved half of the data DWORD');
    dev.configWrite(FLAGS, 2, 0xffff);
    assert.strictEqual(dev.configRead(FLAGS, 2), 0x0071, 'enable and MME are the writable bits');
  });

  it('once enabled routes the interrupt to signalMsi and not to INTx', () => {
    const { p, dev } = setup();
    enableMsi(dev, 0xfee0_0000, 0x0041);
    dev.setIrq(true);
    assert.deepStrictEqual(p.msis, [{ address: 0xfee0_0000, data: 0x0041, device: 'probe' }]);
    assert.deepStrictEqual(p.gsiCalls, [], 'the INTx line is never touched');
    assert.strictEqual(dev.status & PCI_STATUS_INTERRUPT, 0, 'no INTx request pending');
    dev.setIrq(true);
    assert.strictEqual(p.msis.length, 1, 'one message per rising edge');
    dev.setIrq(false);
    dev.setIrq(true);
    assert.strictEqual(p.msis.length, 2);
    const e = p.eventsOf('pci-msi');
    assert.deepStrictEqual(e.map((x) => [x.address, x.data, x.delivered, x.device, x.bdf]), [
      [0xfee0_0000, 0x41, true, 'probe', '00:01.0'], [0xfee0_0000, 0x41, true, 'probe', '00:01.0'],
    ]);
  });

  it('deasserts INTx when MSI is enabled and reasserts it when MSI is turned off again', () => {
    const { p, dev } = setup();
    dev.setIrq(true);
    assert.strictEqual(p.level(17), true);
    enableMsi(dev);
    assert.strictEqual(p.level(17), false, 'PCI 3.0 §6.8: no INTx while MSI is enabled');
    assert.strictEqual(p.msis.length, 0, 'enabling does not itself send a message');
    dev.configWrite(FLAGS, 2, 0);
    assert.strictEqual(p.level(17), true);
  });

  it('sends nothing while bus mastering is off, and says so', () => {
    const { p, dev } = setup();
    enableMsi(dev);
    dev.configWrite(PCI_COMMAND, 2, 0);
    dev.setIrq(true);
    assert.deepStrictEqual(p.msis, []);
    assert.deepStrictEqual(p.gsiCalls, []);
    const e = p.eventsOf('pci-msi').at(-1)!;
    assert.strictEqual(e.delivered, false);
    assert.strictEqual(e.blockedBy, 'COMMAND.MASTER clear');
  });

  it('with INTX_DISABLE also set still signals by message', () => {
    const { p, dev } = setup();
    enableMsi(dev);
    dev.configWrite(PCI_COMMAND, 2, PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
    dev.setIrq(true);
    assert.strictEqual(p.msis.length, 1);
  });

  it('with per-vector masking holds a masked vector pending and sends it on unmask', () => {
    const { p, dev } = setup(true);
    assert.ok(dev.configRead(FLAGS, 2) & PCI_MSI_FLAGS_MASKBIT);
    enableMsi(dev);
    dev.configWrite(MASK, 4, 0xffffffff);
    assert.strictEqual(dev.configRead(MASK, 4), 1, 'one vector, one mask bit');
    dev.setIrq(true);
    assert.deepStrictEqual(p.msis, []);
    assert.strictEqual(dev.configRead(PENDING, 4), 1);
    dev.configWrite(PENDING, 4, 0);
    assert.strictEqual(dev.configRead(PENDING, 4), 1, 'the pending bit is read-only');
    assert.strictEqual(p.eventsOf('pci-msi').at(-1)!.blockedBy, 'MSI MASK');
    dev.configWrite(MASK, 4, 0);
    assert.deepStrictEqual(p.msis, [{ address: 0xfee0_0000, data: 0x31, device: 'probe' }]);
    assert.strictEqual(dev.configRead(PENDING, 4), 0);
    dev.configWrite(MASK, 4, 0);
    assert.strictEqual(p.msis.length, 1, 'sent once');
  });

  it('names the capability registers', () => {
    const { dev } = setup(true);
    assert.deepStrictEqual([CAP, FLAGS, ADDR, DATA, MASK, PENDING].map((a) => dev.configFieldName(a)),
      ['MSI CAP_ID', 'MSI FLAGS', 'MSI ADDRESS_LO', 'MSI DATA', 'MSI MASK', 'MSI PENDING']);
  });
});
