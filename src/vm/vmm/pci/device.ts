// A PCI function (QEMU's PCIDevice): its type-0 configuration header, its memory BARs, its INTx
// pin and its MSI capability. Concrete devices (the host bridge, the NIC) describe themselves with
// a `PciDeviceInfo` and call `setIrq` with their interrupt request; this class decides whether
// that becomes a level on the INTx pin or a message (PCI 3.0 §6.8: with MSI enabled the function
// must not use INTx), and honours COMMAND.INTX_DISABLE and COMMAND.MASTER on the way.
import { EventStream } from '../../events';
import { MmioDevice } from '../device';
import {
  ConfigSpace, PCI_BASE_ADDRESS_0, PCI_BASE_ADDRESS_MEM_MASK, PCI_CACHE_LINE_SIZE, PCI_CAPABILITY_LIST,
  PCI_CLASS_DEVICE, PCI_CLASS_PROG, PCI_COMMAND, PCI_COMMAND_INTX_DISABLE, PCI_COMMAND_MASTER,
  PCI_COMMAND_MEMORY, PCI_COMMAND_WRITABLE, PCI_CONFIG_HEADER_SIZE, PCI_DEVICE_ID, PCI_HEADER_TYPE,
  PCI_HEADER_TYPE_NORMAL, PCI_INTERRUPT_LINE, PCI_INTERRUPT_PIN, PCI_NUM_BARS, PCI_REVISION_ID, PCI_STATUS,
  PCI_STATUS_CAP_LIST, PCI_STATUS_INTERRUPT, PCI_STATUS_REC_MASTER_ABORT, PCI_STATUS_W1C, PCI_SUBSYSTEM_ID,
  PCI_SUBSYSTEM_VENDOR_ID, PCI_VENDOR_ID, headerFieldName,
} from './config';
import { PIRQ_GSI_BASE, swizzle } from './intx';
import { MsiCapability, MsiMessage } from './msi';

interface PciBarSpec {
  /** Bytes decoded: a power of two of at least 16 (PCI 3.0 §6.2.5.1). Every BAR is 32-bit memory, non-prefetchable. */
  size: number;
}

interface PciDeviceInfo {
  /** Device name for statistics and events ('nic'); also the name of its BAR0 MmioDevice. */
  name: string;
  vendorId: number;
  deviceId: number;
  /** base class << 16 | subclass << 8 | programming interface, e.g. 0x020000 for an Ethernet controller. */
  classCode: number;
  revision?: number;
  subsystemVendorId?: number;
  subsystemId?: number;
  /** The INTx pin the function uses: 0 = INTA … 3 = INTD; absent for none. */
  intxPin?: number;
  /** BAR n is `bars[n]`; holes are allowed. */
  bars?: (PciBarSpec | undefined)[];
  /** An MSI capability, placed at 0x40 as the only capability. */
  msi?: { perVectorMasking: boolean };
}

/** What a function needs from the bus it is plugged into. */
export interface PciBusPort {
  readonly events: EventStream | undefined;
  clock(): number;
  /** The level the function drives on its INTx pin changed (after INTX_DISABLE and MSI gating). */
  setIntx(device: PciDevice, level: boolean): void;
  /** The shared PIRQ line of `device`'s pin if the function drove `level` on it. */
  lineLevelWith(device: PciDevice, level: boolean): boolean;
  /** The memory write the function issues as its MSI. */
  signalMsi(device: PciDevice, address: number, data: number): void;
}

/** Config-space offset of the MSI capability. */
export const MSI_CAP_OFFSET = PCI_CONFIG_HEADER_SIZE;

export class PciDevice {
  readonly name: string;
  readonly config = new ConfigSpace();
  readonly msi: MsiCapability | undefined;
  private readonly barSpecs: readonly (PciBarSpec | undefined)[];
  private port: PciBusPort | undefined;
  private slotNo = -1;
  private bdfName = '00:-1.0';
  /** The function's interrupt request (what it would signal); INTx or MSI is decided from it. */
  private irqRequest = false;
  /** The level currently driven on the INTx pin. */
  private intxLevel = false;

  constructor(readonly info: PciDeviceInfo) {
    this.name = info.name;
    const bars = info.bars ?? [];
    if (bars.length > PCI_NUM_BARS) throw new RangeError(`${info.name}: at most ${PCI_NUM_BARS} BARs`);
    for (const b of bars) {
      if (b && (b.size < 16 || b.size > 0x8000_0000 || (b.size & (b.size - 1)) !== 0)) {
        throw new RangeError(`${info.name}: BAR size 0x${b.size.toString(16)} is not a power of two ≥ 16`);
      }
    }
    this.barSpecs = bars;
    if (info.intxPin !== undefined && (info.intxPin < 0 || info.intxPin > 3)) throw new RangeError(`${info.name}: INTx pin must be 0..3`);
    this.msi = info.msi ? new MsiCapability(this.config, MSI_CAP_OFFSET, info.msi.perVectorMasking) : undefined;
    this.buildConfig();
  }

  // ---- plugging in ---------------------------------------------------------------------------

  /** Called by the bus when the function is plugged into `slot` (function 0). */
  attach(port: PciBusPort, slot: number): void {
    this.port = port;
    this.slotNo = slot;
    this.bdfName = `00:${slot.toString(16).padStart(2, '0')}.0`;
  }

  get slot(): number { return this.slotNo; }
  /** Bus:device.function as lspci prints it, e.g. "00:03.0" (built once: every INTx event carries it). */
  get bdf(): string { return this.bdfName; }

  // ---- configuration space (reached through ECAM) ---------------------------------------------

  /** Config reads have no side effects, so this is also the peek path. */
  configRead(addr: number, size: number): number {
    return this.config.read(addr, size);
  }

  configWrite(addr: number, size: number, value: number): void {
    this.config.write(addr, size, value);
    this.traceConfigWrite(addr, size, value);
    const touches = (off: number, len: number): boolean => addr < off + len && off < addr + size;
    const msi = this.msi;
    if (touches(PCI_COMMAND, 2) || (msi && touches(msi.offset, msi.length))) this.updateIntx(false);
    if (msi && touches(msi.offset, msi.length)) {
      const released = msi.releasePending();
      if (released) this.sendMsi(released);
    }
  }

  /** The name of the config register containing byte `addr`. */
  configFieldName(addr: number): string {
    if (addr < PCI_CONFIG_HEADER_SIZE) return headerFieldName(addr) ?? `config 0x${addr.toString(16)}`;
    if (this.msi?.contains(addr)) return this.msi.fieldName(addr);
    return `config 0x${addr.toString(16).padStart(2, '0')}`;
  }

  get command(): number { return this.config.u16(PCI_COMMAND); }
  get status(): number { return this.config.u16(PCI_STATUS); }
  get memoryEnabled(): boolean { return (this.command & PCI_COMMAND_MEMORY) !== 0; }
  /** COMMAND.MASTER: the function may issue memory writes (DMA, MSI). */
  get busMasterEnabled(): boolean { return (this.command & PCI_COMMAND_MASTER) !== 0; }
  get interruptLine(): number { return this.config.u8(PCI_INTERRUPT_LINE); }

  /** Size of BAR `index` in bytes, 0 if unimplemented. */
  barSize(index: number): number { return this.barSpecs[index]?.size ?? 0; }
  /** Base address programmed in BAR `index` (low type bits stripped). */
  barAddress(index: number): number {
    return (this.config.u32(PCI_BASE_ADDRESS_0 + 4 * index) & PCI_BASE_ADDRESS_MEM_MASK) >>> 0;
  }
  /** Programs BAR `index` as firmware would (device side: no masks, no event). */
  setBarAddress(index: number, address: number): void {
    this.config.set32(PCI_BASE_ADDRESS_0 + 4 * index, address & PCI_BASE_ADDRESS_MEM_MASK & ~(this.barSize(index) - 1));
  }
  /** Sets COMMAND bits as firmware would (device side, only writable bits). */
  enable(bits: number): void {
    this.config.set16(PCI_COMMAND, this.command | (bits & PCI_COMMAND_WRITABLE));
    this.updateIntx(false);
  }

  /** The registers behind BAR `index`; devices with BARs override this. */
  barRegion(_index: number): MmioDevice | undefined {
    return undefined;
  }

  // ---- interrupts -----------------------------------------------------------------------------

  /**
   * The function's interrupt request is now `request`. Without MSI it is the INTx level (gated by
   * COMMAND.INTX_DISABLE, mirrored in STATUS.INTERRUPT); with MSI enabled each rising edge sends
   * one message and the pin stays deasserted.
   */
  setIrq(request: boolean): void {
    const rising = request && !this.irqRequest, changed = request !== this.irqRequest;
    this.irqRequest = request;
    if (rising && this.msi?.enabled) {
      const out = this.msi.notify();
      if (out.kind === 'send') this.sendMsi(out.message);
      else if (out.kind === 'masked') this.traceMsi(this.msi.message, false, 'MSI MASK');
    }
    this.updateIntx(changed);
  }

  /** The level the function drives on its INTx pin now. */
  get intxAsserted(): boolean { return this.intxLevel; }

  /** A DMA access of this function hit no memory: it received a master abort (STATUS bit 13). */
  protected signalMasterAbort(): void {
    this.config.set16(PCI_STATUS, this.status | PCI_STATUS_REC_MASTER_ABORT);
  }

  protected get bus(): PciBusPort | undefined { return this.port; }

  /** Power-on state of the function's configuration space; devices extend this with their own state. */
  reset(): void {
    this.buildConfig();
    this.irqRequest = false;
    this.updateIntx(false);
  }

  private updateIntx(requestChanged: boolean): void {
    const msiOn = this.msi?.enabled ?? false, pin = this.info.intxPin;
    // STATUS.INTERRUPT shows an INTx request pending in the function, whatever INTX_DISABLE says
    // (PCI 3.0 §6.2.3); with MSI enabled there is no INTx request.
    const pending = this.irqRequest && !msiOn && pin !== undefined;
    const status = this.status;
    this.config.set16(PCI_STATUS, pending ? status | PCI_STATUS_INTERRUPT : status & ~PCI_STATUS_INTERRUPT);
    const intxDisabled = (this.command & PCI_COMMAND_INTX_DISABLE) !== 0;
    const level = pending && !intxDisabled;
    const levelChanged = level !== this.intxLevel;
    if (!levelChanged && !requestChanged) return;
    this.intxLevel = level;
    const port = this.port;
    if (pin === undefined || !port) return;
    const events = port.events;
    if (events?.active) {
      const blockedBy = !this.irqRequest ? undefined : msiOn ? 'MSI enabled' : intxDisabled ? 'COMMAND.INTX_DISABLE' : undefined;
      const pirq = swizzle(this.slotNo, pin);
      const sink = events.direct['pci-intx'];
      if (sink) sink.pciIntx(port.clock(), -1, this.name, this.bdf, pin, pirq, PIRQ_GSI_BASE + pirq, this.irqRequest, level, blockedBy);
      else events.emit({
        kind: 'pci-intx', cycle: port.clock(), vcpu: -1, device: this.name, bdf: this.bdf, pin, pirq, gsi: PIRQ_GSI_BASE + pirq,
        request: this.irqRequest, level, lineLevel: port.lineLevelWith(this, level), ...(blockedBy ? { blockedBy } : {}),
      });
    }
    if (levelChanged) port.setIntx(this, level);
  }

  private sendMsi(m: MsiMessage): void {
    // An MSI is a memory write by the function: with bus mastering off it never leaves (as in QEMU).
    const master = this.busMasterEnabled;
    this.traceMsi(m, master, master ? undefined : 'COMMAND.MASTER clear');
    if (master) this.port?.signalMsi(this, m.address, m.data);
  }

  private traceMsi(m: MsiMessage, delivered: boolean, blockedBy: string | undefined): void {
    const port = this.port;
    if (!port?.events?.active) return;
    port.events.emit({
      kind: 'pci-msi', cycle: port.clock(), vcpu: -1, device: this.name, bdf: this.bdf, address: m.address, data: m.data, delivered,
      ...(blockedBy ? { blockedBy } : {}),
    });
  }

  private traceConfigWrite(addr: number, size: number, value: number): void {
    const port = this.port;
    if (!port?.events?.active) return;
    const barIndex = addr >= PCI_BASE_ADDRESS_0 && addr < PCI_BASE_ADDRESS_0 + 4 * PCI_NUM_BARS ? (addr - PCI_BASE_ADDRESS_0) >> 2 : -1;
    port.events.emit({
      kind: 'pci-config-write', cycle: port.clock(), vcpu: -1, device: this.name, bdf: this.bdf, offset: addr, size,
      value: value >>> 0, register: this.configFieldName(addr),
      ...(barIndex >= 0 ? { bar: { index: barIndex, value: this.config.u32(PCI_BASE_ADDRESS_0 + 4 * barIndex), size: this.barSize(barIndex) } } : {}),
    });
  }

  private buildConfig(): void {
    const c = this.config, i = this.info;
    c.clear();
    c.set16(PCI_VENDOR_ID, i.vendorId);
    c.set16(PCI_DEVICE_ID, i.deviceId);
    c.setWmask16(PCI_COMMAND, PCI_COMMAND_WRITABLE);
    c.setW1cmask16(PCI_STATUS, PCI_STATUS_W1C);
    c.set8(PCI_REVISION_ID, i.revision ?? 0);
    c.set8(PCI_CLASS_PROG, i.classCode);
    c.set16(PCI_CLASS_DEVICE, i.classCode >>> 8);
    c.wmask[PCI_CACHE_LINE_SIZE] = 0xff; // a plain RW register software may set (PCI 3.0 §6.2.4)
    c.set8(PCI_HEADER_TYPE, PCI_HEADER_TYPE_NORMAL);
    this.barSpecs.forEach((b, n) => {
      // The sizing protocol falls out of the mask: after writing all-ones the address bits below
      // the size read 0, so the BAR reads ~(size - 1) with the type bits (all 0 here) below.
      if (b) c.setWmask32(PCI_BASE_ADDRESS_0 + 4 * n, PCI_BASE_ADDRESS_MEM_MASK & ~(b.size - 1));
    });
    c.set16(PCI_SUBSYSTEM_VENDOR_ID, i.subsystemVendorId ?? i.vendorId);
    c.set16(PCI_SUBSYSTEM_ID, i.subsystemId ?? i.deviceId);
    c.wmask[PCI_INTERRUPT_LINE] = 0xff; // firmware's note of the routing; the hardware ignores it
    c.set8(PCI_INTERRUPT_PIN, i.intxPin === undefined ? 0 : i.intxPin + 1);
    if (this.msi) {
      c.set8(PCI_CAPABILITY_LIST, this.msi.offset);
      c.set16(PCI_STATUS, PCI_STATUS_CAP_LIST);
      this.msi.install(0);
    }
  }
}
