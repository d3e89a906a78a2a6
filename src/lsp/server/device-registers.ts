/**
 * The machine's guest-physical address map as the language server explains it: which device and
 * which register a GPA names. The server may not import `src/vm` (it runs over `src/asm` only,
 * docs/architecture.md), so the layout is written down here from the device sources named in each
 * region; `test/lsp/device-registers.test.ts` checks every entry against those sources.
 *
 * Regions are half-open `[base, base + size)`. Registers are listed once per name, so a GPA may
 * carry several (UART +0 is RBR on read, THR on write, DLL with LCR.DLAB set).
 */

type Access = 'RO' | 'WO' | 'RW' | 'R/W1C';

export interface DeviceRegister {
  /** Completion prefix and short device name: `UART`, `NIC`, `LAPIC`. */
  readonly device: string;
  /** The register's name in the device's datasheet or source: `LSR`. */
  readonly name: string;
  readonly gpa: number;
  /** Access width in bytes. */
  readonly width: 1 | 2 | 4;
  readonly access: Access;
  /** A few words: `line status`. */
  readonly summary: string;
  /** What a programmer needs beyond the name, or empty. */
  readonly details: string;
}

export interface DeviceRegion {
  readonly device: string;
  /** `UART 16550A`. */
  readonly title: string;
  readonly base: number;
  readonly size: number;
  /** The file that models it, relative to the repository. */
  readonly source: string;
  readonly note: string;
}

/** What an address means on this machine. */
export interface AddressInfo {
  readonly gpa: number;
  readonly region: DeviceRegion;
  readonly offset: number;
  /** The registers at this exact address (after the device's own address decoding). */
  readonly registers: readonly DeviceRegister[];
  /** One line: `UART 16550A LSR (line status)`. */
  readonly headline: string;
  /** Extra lines (aliasing, decoding, assumptions). */
  readonly notes: readonly string[];
}

const KiB = 1024;
const MiB = 1024 * KiB;

const UART_BASE = 0x1000_0000;
const FINISHER_BASE = 0x0010_0000;
const TESTDEV_BASE = 0x0010_1000;
const PCI_ECAM_BASE = 0x3000_0000;
const PCI_MMIO_BASE = 0x4000_0000;
const RAM_BASE = 0x8000_0000;
const IOAPIC_BASE = 0xfec0_0000;
const LAPIC_BASE = 0xfee0_0000;
/** Where `PciBus.assignBars` (and the examples) put the NIC's BAR0 when it is the only device. */
export const NIC_BAR0_DEFAULT = PCI_MMIO_BASE;
/** docs/machine.md: RAM size is `memoryMiB`, 64 by default. */
const DEFAULT_RAM_SIZE = 64 * MiB;
const MSI_WINDOW_SIZE = 1 * MiB;

export const REGIONS: readonly DeviceRegion[] = [
  {
    device: 'FINISHER', title: 'test finisher', base: FINISHER_BASE, size: 4 * KiB, source: 'src/vm/vmm/finisher.ts',
    note: 'QEMU sifive_test compatible: write 0x5555 to power off with exit 0, (code << 16) | 0x3333 to exit with code, 0x7777 to reset.',
  },
  {
    device: 'TESTDEV', title: 'IRQ test device', base: TESTDEV_BASE, size: 4 * KiB, source: 'src/vm/vmm/testdev.ts',
    note: 'A 32-bit write of (level << 31) | gsi drives that GSI from the device side (like QEMU pc-testdev).',
  },
  {
    device: 'UART', title: 'UART 16550A', base: UART_BASE, size: 256, source: 'src/vm/vmm/uart16550.ts',
    note: 'Byte registers at offsets 0–7, repeated through the 256-byte region; GSI 4, edge.',
  },
  {
    device: 'PCI', title: 'PCI configuration space (ECAM)', base: PCI_ECAM_BASE, size: 16 * MiB, source: 'src/vm/vmm/pci/ecam.ts',
    note: 'offset = bus << 20 | device << 15 | function << 12 | register; buses 0–15, only bus 0 populated.',
  },
  {
    device: 'PCIWIN', title: 'PCI memory window', base: PCI_MMIO_BASE, size: 1024 * MiB, source: 'src/vm/vmm/pci/window.ts',
    note: 'Where the guest places BARs. An address no enabled BAR claims reads all-ones (master abort).',
  },
  {
    device: 'RAM', title: 'RAM', base: RAM_BASE, size: DEFAULT_RAM_SIZE, source: 'src/vm/vmm/machine.ts',
    note: 'Memslot 0; the program is loaded here. Size is the launch configuration\'s memoryMiB (64 MiB by default).',
  },
  {
    device: 'IOAPIC', title: 'I/O APIC', base: IOAPIC_BASE, size: 4 * KiB, source: 'src/vm/irq/ioapic.ts',
    note: '82093AA, 24 pins; the 256-byte register window repeats through the page (offset & 0xFF).',
  },
  {
    device: 'LAPIC', title: 'Local APIC', base: LAPIC_BASE, size: 4 * KiB, source: 'src/vm/irq/lapic.ts',
    note: 'xAPIC MMIO layout; each vCPU sees its own LAPIC here. 32-bit accesses to 16-byte aligned registers.',
  },
  {
    device: 'MSI', title: 'MSI address window', base: LAPIC_BASE + 4 * KiB, size: MSI_WINDOW_SIZE - 4 * KiB, source: 'src/vm/irq/msi.ts',
    note: 'A PCI device\'s MSI write lands in 0xFEE0_0000–0xFEEF_FFFF: address bits 19:12 = destination APIC ID, bit 2 = logical destination mode; data bits 7:0 = vector. A guest load or store here reaches no device.',
  },
];

type RegisterRow = readonly [offset: number, name: string, width: 1 | 2 | 4, access: Access, summary: string, details?: string];

function registersOf(device: string, base: number, rows: readonly RegisterRow[]): DeviceRegister[] {
  return rows.map(([offset, name, width, access, summary, details = '']) => ({
    device, name, gpa: (base + offset) >>> 0, width, access, summary, details,
  }));
}

/** PC16550D datasheet table 2, as uart16550.ts decodes it (`offset & 7`, DLAB in LCR bit 7). */
const UART_ROWS: readonly RegisterRow[] = [
  [0, 'RBR', 1, 'RO', 'receive buffer', 'Read pops the receive FIFO (with LCR.DLAB = 0).'],
  [0, 'THR', 1, 'WO', 'transmit holding', 'Write sends a byte to the debug console (with LCR.DLAB = 0).'],
  [0, 'DLL', 1, 'RW', 'divisor latch low', 'Reached while LCR.DLAB (bit 7) is set.'],
  [1, 'IER', 1, 'RW', 'interrupt enable', 'Bit 0 received data, 1 THR empty, 2 line status, 3 modem status.'],
  [1, 'DLM', 1, 'RW', 'divisor latch high', 'Reached while LCR.DLAB (bit 7) is set.'],
  [2, 'IIR', 1, 'RO', 'interrupt identification', 'Bit 0 = 1: no interrupt pending. Reading it clears a pending THR-empty interrupt.'],
  [2, 'FCR', 1, 'WO', 'FIFO control', 'Bit 0 enable FIFOs, 1 clear receive FIFO, 2 clear transmit FIFO.'],
  [3, 'LCR', 1, 'RW', 'line control', 'Bit 7 DLAB selects the divisor latches at +0/+1.'],
  [4, 'MCR', 1, 'RW', 'modem control', 'Bit 4 loopback: transmitted bytes come back as received.'],
  [5, 'LSR', 1, 'RO', 'line status', 'Bit 0 DR data ready, 1 OE overrun, 4 BI break, 5 THRE transmit holding empty, 6 TEMT transmitter empty. Reading clears OE and BI.'],
  [6, 'MSR', 1, 'RO', 'modem status', 'DCD, DSR, CTS set (a terminal is attached); reading clears the delta bits.'],
  [7, 'SCR', 1, 'RW', 'scratch', 'Holds any byte.'],
];

const FINISHER_ROWS: readonly RegisterRow[] = [
  [0, 'FINISHER', 4, 'WO', 'power off / reset', '0x5555: power off, exit 0; (code << 16) | 0x3333: exit with code; 0x7777: reset. Reads 0.'],
];

const TESTDEV_ROWS: readonly RegisterRow[] = [
  [0, 'IRQ_LINE', 4, 'RW', 'drive a GSI', '32-bit write of (level << 31) | gsi, gsi 0–23; reads the last value written.'],
];

/** 82093AA §3.1; EOI from the I/O xAPIC (version 0x20). */
const IOAPIC_ROWS: readonly RegisterRow[] = [
  [0x00, 'IOREGSEL', 4, 'RW', 'register select', 'Selects the indirect register IOWIN reaches: 0x00 IOAPICID, 0x01 IOAPICVER, 0x02 IOAPICARB, 0x10 + 2n / 0x11 + 2n IOREDTBLn low / high.'],
  [0x10, 'IOWIN', 4, 'RW', 'register window', 'Reads or writes the register IOREGSEL selects.'],
  [0x40, 'EOI', 4, 'WO', 'EOI register', 'Writing a vector ends level interrupts with that vector. Only the VMM\'s IOAPIC (version 0x20, irqchip split/userspace); KVM\'s in-kernel one (0x11) ignores it.'],
];

/** SDM vol. 3 table 11-1 (xAPIC), names as lapic-regs.ts prints them. */
const LAPIC_ROWS: readonly RegisterRow[] = [
  [0x020, 'ID', 4, 'RW', 'Local APIC ID', 'Bits 31:24; = the vCPU index at reset.'],
  [0x030, 'VERSION', 4, 'RO', 'Local APIC version', '0x00050014: version 0x14, six LVT entries.'],
  [0x080, 'TPR', 4, 'RW', 'task priority', 'Vectors whose class (vector >> 4) is ≤ TPR[7:4] are held back.'],
  [0x090, 'APR', 4, 'RO', 'arbitration priority', ''],
  [0x0a0, 'PPR', 4, 'RO', 'processor priority', 'max(TPR, class of the highest in-service vector).'],
  [0x0b0, 'EOI', 4, 'WO', 'end of interrupt', 'Any write retires the highest in-service vector (and broadcasts the EOI to the IOAPIC for level vectors).'],
  [0x0c0, 'RRD', 4, 'RO', 'remote read', ''],
  [0x0d0, 'LDR', 4, 'RW', 'logical destination', 'Logical APIC ID in bits 31:24.'],
  [0x0e0, 'DFR', 4, 'RW', 'destination format', '0xFFFFFFFF flat model, 0x0FFFFFFF cluster.'],
  [0x0f0, 'SVR', 4, 'RW', 'spurious interrupt vector', 'Bits 7:0 spurious vector, bit 8 APIC software enable (reset 0xFF: disabled).'],
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((i): RegisterRow => [0x100 + 0x10 * i, `ISR${i}`, 4, 'RO', `in-service vectors ${32 * i}–${32 * i + 31}`]),
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((i): RegisterRow => [0x180 + 0x10 * i, `TMR${i}`, 4, 'RO', `trigger mode of vectors ${32 * i}–${32 * i + 31}`]),
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((i): RegisterRow => [0x200 + 0x10 * i, `IRR${i}`, 4, 'RO', `requested vectors ${32 * i}–${32 * i + 31}`]),
  [0x280, 'ESR', 4, 'RW', 'error status', ''],
  [0x300, 'ICR_LOW', 4, 'RW', 'interrupt command, bits 31:0', 'Writing it sends an IPI: vector 7:0, delivery mode 10:8, destination mode 11, level 14, trigger 15, shorthand 19:18.'],
  [0x310, 'ICR_HIGH', 4, 'RW', 'interrupt command, bits 63:32', 'Destination in bits 31:24; write it before ICR_LOW.'],
  [0x320, 'LVT_TIMER', 4, 'RW', 'LVT timer', 'Vector 7:0, mask 16, periodic 17.'],
  [0x330, 'LVT_THERMAL', 4, 'RW', 'LVT thermal sensor', ''],
  [0x340, 'LVT_PERF', 4, 'RW', 'LVT performance counters', ''],
  [0x350, 'LVT_LINT0', 4, 'RW', 'LVT LINT0', ''],
  [0x360, 'LVT_LINT1', 4, 'RW', 'LVT LINT1', ''],
  [0x370, 'LVT_ERROR', 4, 'RW', 'LVT error', ''],
  [0x380, 'TIMER_INITIAL_COUNT', 4, 'RW', 'timer initial count', 'Writing starts the timer; 0 stops it.'],
  [0x390, 'TIMER_CURRENT_COUNT', 4, 'RO', 'timer current count', ''],
  [0x3e0, 'TIMER_DIVIDE_CONFIG', 4, 'RW', 'timer divide configuration', 'Bits 0, 1, 3: divide by 2, 4, 8, 16, 32, 64, 128 or 1.'],
];

/** docs/devices.md "BAR0 registers", nic.ts NIC_REGISTERS. */
const NIC_ROWS: readonly RegisterRow[] = [
  [0x000, 'ID', 4, 'RO', 'identification', '0x43494E48, the bytes "HNIC".'],
  [0x004, 'VERSION', 4, 'RO', 'version', 'major << 16 | minor: 1.0.'],
  [0x008, 'CTRL', 4, 'RW', 'device control', 'Bit 0 EN, 1 RXEN, 2 TXEN, 31 RST (self-clearing reset).'],
  [0x00c, 'STATUS', 4, 'RO', 'device status', 'Bit 0 LINK_UP, 1 RX_ON, 2 TX_ON.'],
  [0x010, 'ISR', 4, 'R/W1C', 'interrupt status', 'Bit 0 RX, 1 TX, 2 RX_NOBUF, 3 RX_ERR, 4 TX_ERR; write 1 to clear. Reading has no side effect.'],
  [0x014, 'IMR', 4, 'RW', 'interrupt mask', 'Same bits as ISR, 1 = enabled; the request is (ISR & IMR) != 0.'],
  [0x018, 'ISR_SET', 4, 'WO', 'interrupt status set', 'Writing 1 to a bit sets it in ISR.'],
  [0x020, 'RX_BASE', 4, 'RW', 'receive ring base', 'GPA of the RX descriptor ring, 16-byte aligned.'],
  [0x024, 'RX_SIZE', 4, 'RW', 'receive ring entries', 'Bits 15:0; 0 = no ring.'],
  [0x028, 'RX_HEAD', 4, 'RW', 'receive head', 'Next descriptor the device fills; writable only while RX is off.'],
  [0x02c, 'RX_TAIL', 4, 'RW', 'receive tail', 'One past the last descriptor the driver made available.'],
  [0x030, 'TX_BASE', 4, 'RW', 'transmit ring base', 'GPA of the TX descriptor ring, 16-byte aligned.'],
  [0x034, 'TX_SIZE', 4, 'RW', 'transmit ring entries', 'Bits 15:0.'],
  [0x038, 'TX_HEAD', 4, 'RW', 'transmit head', 'Next descriptor the device sends; writable only while TX is off.'],
  [0x03c, 'TX_TAIL', 4, 'RW', 'transmit tail', 'One past the last descriptor queued by the driver.'],
  [0x040, 'TX_DOORBELL', 4, 'WO', 'transmit doorbell', 'Any write sends the descriptors in [TX_HEAD, TX_TAIL).'],
  [0x048, 'MAC_LO', 4, 'RW', 'MAC address bytes 0–3', ''],
  [0x04c, 'MAC_HI', 4, 'RW', 'MAC address bytes 4–5', 'In bits 15:0.'],
  [0x050, 'RX_PACKETS', 4, 'RO', 'packets received', ''],
  [0x054, 'RX_DROPPED', 4, 'RO', 'packets dropped (ring full)', ''],
  [0x058, 'TX_PACKETS', 4, 'RO', 'packets sent', ''],
  [0x05c, 'BAD_DESC', 4, 'RO', 'descriptors refused', ''],
];

/** PCI 3.0 type-0 header (config.ts HEADER_FIELDS) and the MSI capability at 0x40 (msi.ts). */
export const PCI_CONFIG_FIELDS: readonly (readonly [offset: number, width: 1 | 2 | 4, name: string, summary: string])[] = [
  [0x00, 2, 'VENDOR_ID', 'vendor ID'], [0x02, 2, 'DEVICE_ID', 'device ID'],
  [0x04, 2, 'COMMAND', 'command: bit 1 MEM, 2 MASTER, 10 INTX_DISABLE'], [0x06, 2, 'STATUS', 'status: bit 3 INTERRUPT, 4 CAP_LIST'],
  [0x08, 1, 'REVISION_ID', 'revision'], [0x09, 1, 'CLASS_PROG', 'programming interface'],
  [0x0a, 2, 'CLASS_DEVICE', 'class and subclass'], [0x0c, 1, 'CACHE_LINE_SIZE', 'cache line size'],
  [0x0d, 1, 'LATENCY_TIMER', 'latency timer'], [0x0e, 1, 'HEADER_TYPE', 'header type'], [0x0f, 1, 'BIST', 'built-in self test'],
  [0x10, 4, 'BAR0', 'base address 0'], [0x14, 4, 'BAR1', 'base address 1'], [0x18, 4, 'BAR2', 'base address 2'],
  [0x1c, 4, 'BAR3', 'base address 3'], [0x20, 4, 'BAR4', 'base address 4'], [0x24, 4, 'BAR5', 'base address 5'],
  [0x28, 4, 'CARDBUS_CIS', 'CardBus CIS pointer'], [0x2c, 2, 'SUBSYSTEM_VENDOR_ID', 'subsystem vendor ID'],
  [0x2e, 2, 'SUBSYSTEM_ID', 'subsystem ID'], [0x30, 4, 'ROM_ADDRESS', 'expansion ROM base'],
  [0x34, 1, 'CAPABILITY_LIST', 'first capability'], [0x3c, 1, 'INTERRUPT_LINE', 'interrupt line (firmware note)'],
  [0x3d, 1, 'INTERRUPT_PIN', 'interrupt pin: 1 = INTA … 4 = INTD'], [0x3e, 1, 'MIN_GNT', 'minimum grant'], [0x3f, 1, 'MAX_LAT', 'maximum latency'],
  [0x40, 1, 'MSI CAP_ID', 'MSI capability ID (0x05)'], [0x41, 1, 'MSI NEXT', 'next capability'],
  [0x42, 2, 'MSI FLAGS', 'MSI message control: bit 0 ENABLE'], [0x44, 4, 'MSI ADDRESS_LO', 'MSI message address'],
  [0x48, 2, 'MSI DATA', 'MSI message data (vector in bits 7:0)'], [0x4c, 4, 'MSI MASK', 'MSI mask bits'],
  [0x50, 4, 'MSI PENDING', 'MSI pending bits'],
];

const PCI_CONFIG_SIZE = 0x100;

/** Every named register at a fixed GPA, for hover and completion. NIC BAR0 assumes its default placement. */
export const DEVICE_REGISTERS: readonly DeviceRegister[] = [
  ...registersOf('FINISHER', FINISHER_BASE, FINISHER_ROWS),
  ...registersOf('TESTDEV', TESTDEV_BASE, TESTDEV_ROWS),
  ...registersOf('UART', UART_BASE, UART_ROWS),
  ...registersOf('NIC', NIC_BAR0_DEFAULT, NIC_ROWS),
  ...registersOf('IOAPIC', IOAPIC_BASE, IOAPIC_ROWS),
  ...registersOf('LAPIC', LAPIC_BASE, LAPIC_ROWS),
];

/** The label a completion shows: `UART.LSR`; a device with one register is just its name. */
export function registerLabel(r: DeviceRegister): string {
  return r.device === r.name ? r.name : `${r.device}.${r.name}`;
}

export function hex(n: number, digits = 8): string {
  const h = (n >>> 0).toString(16).toUpperCase().padStart(digits, '0');
  return `0x${h.length > 4 ? `${h.slice(0, -4)}_${h.slice(-4)}` : h}`;
}

function regionOf(gpa: number): DeviceRegion | undefined {
  return REGIONS.find((r) => gpa >= r.base && gpa - r.base < r.size);
}

function registersAt(device: string, gpa: number): DeviceRegister[] {
  return DEVICE_REGISTERS.filter((r) => r.device === device && r.gpa === gpa);
}

function headline(title: string, regs: readonly DeviceRegister[]): string {
  if (regs.length === 0) return title;
  return `${title} ${regs.map((r) => r.name).join('/')} (${regs.map((r) => r.summary).join(' / ')})`;
}

/** What `gpa` names on this machine, or undefined when nothing is mapped there. */
export function describeAddress(value: number): AddressInfo | undefined {
  if (!Number.isFinite(value) || value < 0 || value > 0xffff_ffff) return undefined;
  const gpa = value >>> 0;
  const region = regionOf(gpa);
  if (!region) return undefined;
  const offset = gpa - region.base;
  switch (region.device) {
    case 'UART': return described(region, gpa, offset, UART_BASE + (offset & 7),
      offset >= 8 ? [`Alias of ${hex(UART_BASE + (offset & 7))}: the UART decodes offset & 7.`] : []);
    case 'IOAPIC': return described(region, gpa, offset, IOAPIC_BASE + (offset & 0xff),
      offset >= 0x100 ? [`Alias of ${hex(IOAPIC_BASE + (offset & 0xff))}: the IOAPIC decodes offset & 0xFF.`] : []);
    case 'LAPIC': return lapicAddress(region, gpa, offset);
    case 'PCI': return ecamAddress(region, gpa, offset);
    case 'PCIWIN': return windowAddress(region, gpa, offset);
    case 'MSI': return msiAddress(region, gpa, offset);
    case 'RAM': return { gpa, region, offset, registers: [], headline: `RAM + ${hex(offset, 1)}`, notes: [] };
    default: return described(region, gpa, offset, gpa, []);
  }
}

function described(region: DeviceRegion, gpa: number, offset: number, decoded: number, notes: string[]): AddressInfo {
  const registers = registersAt(region.device, decoded);
  const extra = registers.length === 0 ? [`No register at offset ${hex(offset, 1)}.`] : [];
  return { gpa, region, offset, registers, headline: headline(region.title, registers), notes: [...notes, ...extra] };
}

function lapicAddress(region: DeviceRegion, gpa: number, offset: number): AddressInfo {
  const registers = registersAt('LAPIC', LAPIC_BASE + (offset & 0xff0));
  const notes: string[] = [];
  if (registers.length === 0) notes.push(`No register at offset ${hex(offset, 1)} (reads 0).`);
  else if (offset & 0xf) notes.push(`Not 16-byte aligned: ${registers[0].name} is at ${hex(registers[0].gpa)}; misaligned accesses are ignored.`);
  notes.push('Also the MSI address of APIC ID 0 in physical destination mode.');
  return { gpa, region, offset, registers, headline: headline(region.title, registers), notes };
}

function ecamAddress(region: DeviceRegion, gpa: number, offset: number): AddressInfo {
  const bus = (offset >>> 20) & 0xff, device = (offset >>> 15) & 0x1f, fn = (offset >>> 12) & 7, reg = offset & 0xfff;
  const bdf = `${bus.toString(16).padStart(2, '0')}:${device.toString(16).padStart(2, '0')}.${fn}`;
  const field = [...PCI_CONFIG_FIELDS].reverse().find(([o, w]) => reg >= o && reg < o + w);
  const name = reg >= PCI_CONFIG_SIZE ? `extended 0x${reg.toString(16)}` : field ? field[2] : `config 0x${reg.toString(16).padStart(2, '0')}`;
  const summary = reg >= PCI_CONFIG_SIZE ? 'reads all-ones (conventional PCI function)' : field ? field[3] : 'device-specific';
  const notes = [`bus ${bus}, device ${device}, function ${fn}, register ${hex(reg, 3)}.`];
  if (field && reg !== field[0]) notes.push(`Inside ${field[2]} (at register ${hex(field[0], 2)}, ${field[1]} bytes).`);
  if (bus !== 0 || fn !== 0) notes.push('Only bus 0, function 0 is populated: this reads all-ones.');
  else if (device === 0) notes.push('Device 0 is the host bridge (1b36:0008).');
  return { gpa, region, offset, registers: [], headline: `PCI config ${bdf} ${name} (${summary})`, notes };
}

function windowAddress(region: DeviceRegion, gpa: number, offset: number): AddressInfo {
  const nic = offset < 0x1000 ? registersAt('NIC', NIC_BAR0_DEFAULT + offset) : [];
  if (nic.length > 0) {
    return {
      gpa, region, offset, registers: nic, headline: headline('NIC', nic),
      notes: [`If the NIC's BAR0 is at ${hex(NIC_BAR0_DEFAULT)} (where firmware-style assignment puts it); the guest programs BAR0 itself.`],
    };
  }
  return { gpa, region, offset, registers: [], headline: `${region.title} + ${hex(offset, 1)}`, notes: [] };
}

function msiAddress(region: DeviceRegion, gpa: number, offset: number): AddressInfo {
  const dest = (gpa >>> 12) & 0xff, logical = (gpa >>> 2) & 1;
  return {
    gpa, region, offset, registers: [],
    headline: `MSI address: destination ${dest} (${logical ? 'logical' : 'physical'} mode)`, notes: [],
  };
}
