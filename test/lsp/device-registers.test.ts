// The language server's address map (src/lsp/server/device-registers.ts, written apart because the
// server may not import src/vm) checked against the device models themselves, and what hover says
// for addresses across the map.
import * as assert from 'assert';
import { IOAPIC_BASE, LAPIC_BASE } from '../../src/vm/hv/irqchip';
import { IOAPIC_EOI, IOREGSEL, IOWIN, MSI_ADDRESS_BASE, lapicRegisterName } from '../../src/vm/irq';
import { Finisher } from '../../src/vm/vmm/finisher';
import { FINISHER_BASE, RAM_BASE, UART_BASE } from '../../src/vm/vmm/machine';
import { NIC_BAR0_SIZE, NIC_REGISTERS, Nic } from '../../src/vm/vmm/nic';
import { PCI_ECAM_BASE, PCI_ECAM_SIZE } from '../../src/vm/vmm/pci/ecam';
import { PCI_MMIO_BASE, PCI_MMIO_SIZE } from '../../src/vm/vmm/pci/window';
import { TESTDEV_BASE, TestDev } from '../../src/vm/vmm/testdev';
import { Uart16550 } from '../../src/vm/vmm/uart16550';
import * as table from '../../src/lsp/server/device-registers';

const { DEVICE_REGISTERS, PCI_CONFIG_FIELDS, REGIONS, describeAddress } = table;

function region(device: string): table.DeviceRegion {
  const r = REGIONS.find((x) => x.device === device);
  assert.ok(r, device);
  return r;
}

function registers(device: string): table.DeviceRegister[] {
  return DEVICE_REGISTERS.filter((r) => r.device === device);
}

describe('lsp: device registers by GPA', () => {
  describe('agree with the device models', () => {
    it('region bases and sizes', () => {
      assert.strictEqual(region('UART').base, UART_BASE);
      assert.strictEqual(region('FINISHER').base, FINISHER_BASE);
      assert.strictEqual(region('TESTDEV').base, TESTDEV_BASE);
      assert.strictEqual(region('RAM').base, RAM_BASE);
      assert.deepStrictEqual([region('PCI').base, region('PCI').size], [PCI_ECAM_BASE, PCI_ECAM_SIZE]);
      assert.deepStrictEqual([region('PCIWIN').base, region('PCIWIN').size], [PCI_MMIO_BASE, PCI_MMIO_SIZE]);
      assert.strictEqual(region('IOAPIC').base, IOAPIC_BASE);
      assert.strictEqual(region('LAPIC').base, LAPIC_BASE);
      assert.strictEqual(region('LAPIC').base, MSI_ADDRESS_BASE);
    });

    it('regions do not overlap', () => {
      const sorted = [...REGIONS].sort((a, b) => a.base - b.base);
      for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i - 1].base + sorted[i - 1].size <= sorted[i].base, sorted[i].device);
    });

    it('UART: the names uart16550.ts gives each offset, on read, on write and with DLAB', () => {
      const uart = new Uart16550({ output: () => undefined, irq: () => undefined });
      for (const r of registers('UART')) {
        const offset = r.gpa - UART_BASE;
        const names = [uart.registerName(offset, false), uart.registerName(offset, true)];
        uart.lcr = 0x80;
        names.push(uart.registerName(offset, false));
        uart.lcr = 0;
        assert.ok(names.includes(r.name), `${r.name} at +${offset}: the model says ${names.join('/')}`);
      }
      assert.strictEqual(registers('UART').length, 12);
    });

    it('finisher and test device', () => {
      assert.deepStrictEqual(registers('FINISHER').map((r) => [r.gpa - FINISHER_BASE, r.name]), [[0, new Finisher(() => undefined).registerName(0)]]);
      assert.deepStrictEqual(registers('TESTDEV').map((r) => [r.gpa - TESTDEV_BASE, r.name]), [[0, new TestDev(() => undefined).registerName(0)]]);
    });

    it('NIC BAR0: every register of nic.ts, at the default BAR0', () => {
      assert.deepStrictEqual(
        registers('NIC').map((r) => [r.gpa - table.NIC_BAR0_DEFAULT, r.name, r.access]),
        NIC_REGISTERS.map((r) => [r.offset, r.name, r.access]),
      );
      assert.ok(registers('NIC').every((r) => r.gpa - table.NIC_BAR0_DEFAULT < NIC_BAR0_SIZE));
    });

    it('IOAPIC: IOREGSEL, IOWIN, EOI', () => {
      assert.deepStrictEqual(registers('IOAPIC').map((r) => [r.gpa - IOAPIC_BASE, r.name]), [[IOREGSEL, 'IOREGSEL'], [IOWIN, 'IOWIN'], [IOAPIC_EOI, 'EOI']]);
    });

    it('LAPIC: the names lapic-regs.ts gives, and every named offset is in the table', () => {
      for (const r of registers('LAPIC')) assert.strictEqual(lapicRegisterName(r.gpa - LAPIC_BASE), r.name);
      for (let offset = 0; offset < 0x400; offset += 0x10) {
        const name = lapicRegisterName(offset);
        if (name) assert.ok(registers('LAPIC').some((r) => r.name === name), name);
      }
    });

    it('PCI configuration fields: the names the NIC function reports', () => {
      const nic = new Nic({ dma: { read: () => undefined, write: () => false }, transmit: () => undefined });
      for (const [offset, , name] of PCI_CONFIG_FIELDS) assert.strictEqual(nic.configFieldName(offset), name, `config 0x${offset.toString(16)}`);
    });
  });

  describe('describeAddress', () => {
    const headline = (gpa: number): string | undefined => describeAddress(gpa)?.headline;

    it('names UART registers, and their aliases', () => {
      assert.strictEqual(headline(0x1000_0005), 'UART 16550A LSR (line status)');
      assert.strictEqual(headline(0x1000_0002), 'UART 16550A IIR/FCR (interrupt identification / FIFO control)');
      assert.strictEqual(headline(0x1000_000d), 'UART 16550A LSR (line status)');
      assert.match(describeAddress(0x1000_000d)!.notes[0], /Alias of 0x1000_0005/);
      assert.strictEqual(headline(0x1000_0100), undefined, 'past the 256-byte region');
    });

    it('names the interrupt controllers\' registers', () => {
      assert.strictEqual(headline(0xfee0_00b0), 'Local APIC EOI (end of interrupt)');
      assert.strictEqual(headline(0xfee0_00f0), 'Local APIC SVR (spurious interrupt vector)');
      assert.strictEqual(headline(0xfee0_0210), 'Local APIC IRR1 (requested vectors 32–63)');
      assert.match(describeAddress(0xfee0_00b4)!.notes[0], /Not 16-byte aligned/);
      assert.strictEqual(headline(0xfec0_0010), 'I/O APIC IOWIN (register window)');
      assert.strictEqual(headline(0xfec0_0040), 'I/O APIC EOI (EOI register)');
      assert.strictEqual(headline(0xfee0_3004), 'MSI address: destination 3 (logical mode)');
    });

    it('decodes ECAM addresses into bus:device.function and the header field', () => {
      assert.strictEqual(headline(0x3001_8004), 'PCI config 00:03.0 COMMAND (command: bit 1 MEM, 2 MASTER, 10 INTX_DISABLE)');
      assert.strictEqual(headline(0x3001_8010), 'PCI config 00:03.0 BAR0 (base address 0)');
      assert.strictEqual(headline(0x3001_8044), 'PCI config 00:03.0 MSI ADDRESS_LO (MSI message address)');
      assert.match(headline(0x3001_8200)!, /extended 0x200/);
      assert.match(describeAddress(0x3010_0000)!.notes.join(' '), /reads all-ones/);
    });

    it('names NIC registers in the PCI window (assuming BAR0 at its default), other window addresses by offset', () => {
      assert.strictEqual(headline(0x4000_0010), 'NIC ISR (interrupt status)');
      assert.match(describeAddress(0x4000_0010)!.notes[0], /BAR0/);
      assert.strictEqual(headline(0x4000_2000), 'PCI memory window + 0x2000');
    });

    it('finisher, test device, RAM; nothing where nothing is mapped', () => {
      assert.strictEqual(headline(0x0010_0000), 'test finisher FINISHER (power off / reset)');
      assert.strictEqual(headline(0x0010_1000), 'IRQ test device IRQ_LINE (drive a GSI)');
      assert.strictEqual(headline(0x8000_1000), 'RAM + 0x1000');
      for (const gpa of [0, 0x2000_0000, 0x0010_2000, 0xfed0_0000, -1, 2 ** 32, NaN]) assert.strictEqual(describeAddress(gpa), undefined, String(gpa));
    });
  });
});
