// PCI bus 0 behind the host bridge (QEMU's PCIBus + PCIHostState): 32 slots, function 0 each, the
// host bridge in slot 0. It owns the ECAM configuration device, the memory-window decoder and the
// INTx router, and hands the platform's two interrupt paths to its functions: a GSI line
// (`setGsi`, i.e. KVM_IRQ_LINE or the VMM's IOAPIC) and a message (`signalMsi`, KVM_SIGNAL_MSI).
import { EventStream } from '../../events';
import { PCI_COMMAND_INTX_DISABLE, PCI_COMMAND_MEMORY, PCI_NUM_BARS, PCI_SUBSYSTEM_ID, PCI_SUBSYSTEM_VENDOR_ID, PIN_NAMES } from './config';
import { PciBusPort, PciDevice } from './device';
import { PciEcam, PciFunctionLookup } from './ecam';
import { PciHostBridge } from './host-bridge';
import { IntxRouter, PCI_SLOTS, PIRQ_GSI_BASE, pirqName, swizzle } from './intx';
import { PCI_MMIO_BASE, PCI_MMIO_SIZE, PciFunctionList, PciWindow } from './window';

/** What the machine gives the PCI bus. */
interface PciPlatform {
  /**
   * Drive GSI `gsi` (16–19 here) to `level` (true = asserted, whatever the line's polarity).
   * Called only when the OR of the functions sharing the line changes; `device` names the function
   * whose change moved it (KVM_IRQ_LINE, or the VMM IOAPIC's set_irq).
   */
  setGsi(gsi: number, level: boolean, device: string): void;
  /** A function's MSI: a 32-bit memory write of `data` to `address` (0xFEEx_xxxx), KVM_SIGNAL_MSI. */
  signalMsi(address: number, data: number, device: string): void;
  /** Where PCI events go; nothing is built when it is absent or inactive. */
  events?: EventStream;
  /** Virtual time for event stamps (guest cycles). */
  clock?: () => number;
}

interface BarAssignment { bdf: string; device: string; bar: number; address: number; size: number }

/** One function's interrupt routing, for `info pci`, the routing view and `hyperstep/state`. */
interface PciRoute {
  bdf: string;
  device: string;
  slot: number;
  pin: (typeof PIN_NAMES)[number];
  pirq: number;
  gsi: number;
  /** The function drives its pin now. */
  asserted: boolean;
  /** The shared PIRQ line is asserted (by this or another function). */
  lineAsserted: boolean;
  intxDisabled: boolean;
  msi?: { enabled: boolean; address: number; data: number; masked: boolean; pending: boolean };
}

export class PciBus implements PciFunctionLookup, PciFunctionList {
  readonly intx: IntxRouter;
  readonly hostBridge = new PciHostBridge();
  /** Configuration space, an MmioDevice named 'pci-ecam' for 0x3000_0000 (16 MiB). */
  readonly ecam: PciEcam;
  /** Memory window, an MmioDevice named 'pci-window' for 0x4000_0000 (1 GiB); `resolve` finds the BAR owner. */
  readonly window: PciWindow;
  private readonly slots: (PciDevice | undefined)[] = new Array(PCI_SLOTS).fill(undefined);
  private readonly port: PciBusPort;

  constructor(platform: PciPlatform, windowBase = PCI_MMIO_BASE, windowSize = PCI_MMIO_SIZE) {
    const clock = platform.clock ?? ((): number => 0);
    this.intx = new IntxRouter((gsi, level, device) => platform.setGsi(gsi, level, device));
    const pinOf = (dev: PciDevice): number => dev.info.intxPin ?? 0;
    const keyOf = (dev: PciDevice): string => `${dev.bdf} ${PIN_NAMES[pinOf(dev)]}`;
    this.port = {
      events: platform.events,
      clock,
      setIntx: (dev, level) => { this.intx.setLevel(keyOf(dev), dev.name, dev.slot, pinOf(dev), level); },
      lineLevelWith: (dev, level) => this.intx.levelWith(keyOf(dev), swizzle(dev.slot, pinOf(dev)), level),
      signalMsi: (dev, address, data) => platform.signalMsi(address, data, dev.name),
    };
    this.ecam = new PciEcam(this);
    this.window = new PciWindow(this, windowBase, windowSize);
    this.attach(this.hostBridge, 0);
  }

  /** Plugs `device` into `slot` as function 0. A VMM programming error (bad or busy slot) throws. */
  attach(device: PciDevice, slot: number): void {
    if (!Number.isInteger(slot) || slot < 0 || slot >= PCI_SLOTS) throw new RangeError(`PCI slot ${slot} is not in 0..31`);
    const busy = this.slots[slot];
    if (busy) throw new RangeError(`PCI slot ${slot} is taken by ${busy.name}`);
    this.slots[slot] = device;
    device.attach(this.port, slot);
  }

  functionAt(bus: number, device: number, fn: number): PciDevice | undefined {
    return bus === 0 && fn === 0 ? this.slots[device] : undefined;
  }

  /** The functions in slot order. */
  devices(): readonly PciDevice[] {
    return this.slots.filter((d): d is PciDevice => d !== undefined);
  }

  /**
   * Firmware's job, for tests and for guests that want it done: places every memory BAR naturally
   * aligned from `windowBase` up, in slot and BAR order, and sets COMMAND.MEMORY on the functions
   * that got one. Bus mastering is left to the driver. The machine does not call this at reset:
   * as under `qemu-system-riscv32 -M virt -bios none`, BARs start at 0 and the guest programs them.
   */
  assignBars(windowBase = PCI_MMIO_BASE): BarAssignment[] {
    const out: BarAssignment[] = [];
    let next = windowBase;
    for (const d of this.devices()) {
      let placed = false;
      for (let bar = 0; bar < PCI_NUM_BARS; bar++) {
        const size = d.barSize(bar);
        if (!size) continue;
        const address = Math.ceil(next / size) * size;
        if (address + size > this.window.base + this.window.size) throw new RangeError(`BARs do not fit in the PCI window from 0x${windowBase.toString(16)}`);
        d.setBarAddress(bar, address);
        out.push({ bdf: d.bdf, device: d.name, bar, address, size });
        next = address + size;
        placed = true;
      }
      if (placed) d.enable(PCI_COMMAND_MEMORY);
    }
    return out;
  }

  /** System reset: every function back to its power-on state (lines drop as their requests do). */
  reset(): void {
    for (const d of this.devices()) d.reset();
  }

  routes(): PciRoute[] {
    const out: PciRoute[] = [];
    for (const d of this.devices()) {
      const pin = d.info.intxPin;
      if (pin === undefined) continue;
      const pirq = swizzle(d.slot, pin), msi = d.msi;
      out.push({
        bdf: d.bdf, device: d.name, slot: d.slot, pin: PIN_NAMES[pin], pirq, gsi: PIRQ_GSI_BASE + pirq,
        asserted: d.intxAsserted, lineAsserted: this.intx.pirqLevel(pirq), intxDisabled: (d.command & PCI_COMMAND_INTX_DISABLE) !== 0,
        ...(msi ? { msi: { enabled: msi.enabled, ...msi.message, masked: msi.masked, pending: msi.pending } } : {}),
      });
    }
    return out;
  }

  /** Text in the shape of QEMU's `info pci`, with the INTx route spelled out. */
  formatInfo(): string {
    const hex = (v: number, n: number): string => v.toString(16).padStart(n, '0');
    const lines: string[] = [];
    for (const d of this.devices()) {
      const i = d.info;
      lines.push(`  Bus  0, device ${String(d.slot).padStart(3)}, function 0:`);
      lines.push(`    ${className(i.classCode)}: PCI device ${hex(i.vendorId, 4)}:${hex(i.deviceId, 4)}`);
      lines.push(`      PCI subsystem ${hex(d.configRead(PCI_SUBSYSTEM_VENDOR_ID, 2), 4)}:${hex(d.configRead(PCI_SUBSYSTEM_ID, 2), 4)}`);
      if (i.intxPin !== undefined) {
        const pirq = swizzle(d.slot, i.intxPin);
        lines.push(`      IRQ ${d.interruptLine}, pin ${'ABCD'[i.intxPin]} -> ${pirqName(pirq)} -> GSI ${PIRQ_GSI_BASE + pirq}` +
          ` (${d.intxAsserted ? 'asserted' : 'deasserted'})`);
      }
      for (let bar = 0; bar < PCI_NUM_BARS; bar++) {
        const size = d.barSize(bar);
        if (!size) continue;
        const a = d.barAddress(bar);
        lines.push(`      BAR${bar}: 32 bit memory at 0x${hex(a, 8)} [0x${hex(a + size - 1, 8)}]${d.memoryEnabled ? '' : ' (decode off)'}.`);
      }
      if (d.msi) {
        const m = d.msi.message;
        lines.push(`      MSI: ${d.msi.enabled ? 'enabled' : 'disabled'}, address 0x${hex(m.address, 8)} data 0x${hex(m.data, 4)}`);
      }
      lines.push(`      id "${d.name}"`);
    }
    return lines.join('\n');
  }
}

function className(classCode: number): string {
  switch (classCode >>> 8) {
    case 0x0600: return 'Host bridge';
    case 0x0200: return 'Ethernet controller';
    default: return `Class ${(classCode >>> 8).toString(16).padStart(4, '0')}`;
  }
}
