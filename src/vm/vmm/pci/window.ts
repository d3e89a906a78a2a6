// The PCI memory window [0x4000_0000, 0x8000_0000) (docs/machine.md): the host bridge's positive decode of
// memory transactions towards the bus. An access reaches the function whose memory BAR contains
// the address, if that function has COMMAND.MEMORY set (PCI 3.0 §6.2.2) and the whole BAR lies
// inside the window. An address no BAR claims is a master abort: reads return all-ones and writes
// are dropped, as on a real PCI bus.
import { MmioDevice } from '../device';
import { PCI_NUM_BARS, allOnes } from './config';
import { PciDevice } from './device';

export const PCI_MMIO_BASE = 0x4000_0000;
export const PCI_MMIO_SIZE = 0x4000_0000;

/** Where an address in the window lands. */
interface BarHit {
  /** The registers behind the BAR (for the NIC, the NIC itself, named 'nic'). */
  device: MmioDevice;
  /** Offset inside the BAR. */
  offset: number;
  owner: PciDevice;
  bar: number;
}

export interface PciFunctionList {
  devices(): readonly PciDevice[];
}

export class PciWindow implements MmioDevice {
  readonly name = 'pci-window';
  readonly registerWidth = 4;

  constructor(private readonly functions: PciFunctionList, readonly base = PCI_MMIO_BASE, readonly size = PCI_MMIO_SIZE) {}

  /** The BAR that claims window offset `offset`, if any. First function in slot order wins an overlap. */
  resolve(offset: number): BarHit | undefined {
    const gpa = this.base + offset;
    for (const owner of this.functions.devices()) {
      if (!owner.memoryEnabled) continue;
      for (let bar = 0; bar < PCI_NUM_BARS; bar++) {
        const size = owner.barSize(bar);
        if (size === 0) continue;
        const start = owner.barAddress(bar);
        if (start < this.base || start + size > this.base + this.size) continue; // unprogrammed or outside the window
        if (gpa < start || gpa >= start + size) continue;
        const device = owner.barRegion(bar);
        if (device) return { device, offset: gpa - start, owner, bar };
      }
    }
    return undefined;
  }

  read(offset: number, size: number): number {
    return this.access(offset, size, (d, o, s) => d.read(o, s));
  }

  peek(offset: number, size: number): number {
    return this.access(offset, size, (d, o, s) => d.peek(o, s));
  }

  write(offset: number, size: number, value: number): void {
    const hit = this.resolve(offset);
    if (!hit) return;
    const d = hit.device;
    if (d.registerWidth >= size) { d.write(hit.offset, size, value); return; }
    for (let k = 0; k < size; k++) d.write(hit.offset + k, 1, (value >>> (8 * k)) & 0xff);
  }

  registerName(offset: number, isWrite: boolean): string | undefined {
    const hit = this.resolve(offset);
    if (!hit) return undefined;
    const reg = hit.device.registerName(hit.offset, isWrite) ?? `+0x${hit.offset.toString(16)}`;
    return `${hit.device.name} ${reg}`;
  }

  private access(offset: number, size: number, op: (d: MmioDevice, offset: number, size: number) => number): number {
    const hit = this.resolve(offset);
    if (!hit) return allOnes(size);
    const d = hit.device;
    if (d.registerWidth >= size) return op(d, hit.offset, size);
    // A wide access to byte registers reaches consecutive registers, little-endian (as the machine does).
    let v = 0;
    for (let k = 0; k < size; k++) v |= (op(d, hit.offset + k, 1) & 0xff) << (8 * k);
    return v >>> 0;
  }
}
