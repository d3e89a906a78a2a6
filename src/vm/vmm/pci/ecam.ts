// PCI Express Enhanced Configuration Access Mechanism (PCIe Base 3.0 §7.2.2): each function's
// 4 KiB of configuration space at offset bus << 20 | device << 15 | function << 12 | register.
// Mapped at 0x3000_0000 with 16 MiB = buses 0–15 (docs/machine.md). Only bus 0 is populated; a read of a
// function that does not exist returns all-ones (the master abort software probes for) and a write
// to it is dropped. Functions are conventional PCI: bytes 0x100–0xFFF read all-ones too, as QEMU
// answers for a device whose config space is 256 bytes.
import { MmioDevice } from '../device';
import { PCI_CONFIG_SIZE, allOnes } from './config';
import { PciDevice } from './device';

export const PCI_ECAM_BASE = 0x3000_0000;
const PCI_ECAM_BUSES = 16;
export const PCI_ECAM_SIZE = PCI_ECAM_BUSES << 20;

interface EcamAddress { bus: number; device: number; fn: number; reg: number }

/** Splits an offset into the ECAM region. */
export function decodeEcam(offset: number): EcamAddress {
  return { bus: (offset >>> 20) & 0xff, device: (offset >>> 15) & 0x1f, fn: (offset >>> 12) & 0x7, reg: offset & 0xfff };
}

/** The offset of a function's register in the ECAM region. */
export function ecamOffset(bus: number, device: number, fn: number, reg: number): number {
  return ((bus << 20) | (device << 15) | (fn << 12) | reg) >>> 0;
}

function formatBdf(bus: number, device: number, fn: number): string {
  return `${bus.toString(16).padStart(2, '0')}:${device.toString(16).padStart(2, '0')}.${fn}`;
}

export interface PciFunctionLookup {
  functionAt(bus: number, device: number, fn: number): PciDevice | undefined;
}

export class PciEcam implements MmioDevice {
  readonly name = 'pci-ecam';
  /** Config registers are reached by 1-, 2- and 4-byte accesses; none is wider. */
  readonly registerWidth = 4;

  constructor(private readonly functions: PciFunctionLookup) {}

  read(offset: number, size: number): number {
    const { bus, device, fn, reg } = decodeEcam(offset);
    const f = this.functions.functionAt(bus, device, fn);
    if (!f || reg >= PCI_CONFIG_SIZE) return allOnes(size);
    return f.configRead(reg, size);
  }

  /** Configuration reads have no side effects: peek is read. */
  peek(offset: number, size: number): number {
    return this.read(offset, size);
  }

  write(offset: number, size: number, value: number): void {
    const { bus, device, fn, reg } = decodeEcam(offset);
    const f = this.functions.functionAt(bus, device, fn);
    if (!f || reg >= PCI_CONFIG_SIZE) return;
    f.configWrite(reg, size, value);
  }

  registerName(offset: number): string | undefined {
    const { bus, device, fn, reg } = decodeEcam(offset);
    const f = this.functions.functionAt(bus, device, fn), bdf = formatBdf(bus, device, fn);
    if (!f) return `${bdf} (no function)`;
    return reg >= PCI_CONFIG_SIZE ? `${bdf} extended 0x${reg.toString(16)}` : `${bdf} ${f.configFieldName(reg)}`;
  }
}
