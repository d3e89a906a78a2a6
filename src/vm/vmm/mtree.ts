// The VMM's memory-region tree (QEMU's MemoryRegion hierarchy, flattened to one level here):
// RAM and device regions in guest-physical space, half-open [base, base + size).
import { MmioDevice } from './device';

interface RamRegion { kind: 'ram'; name: string; base: number; size: number }
interface DeviceRegion { kind: 'io'; name: string; base: number; size: number; device: MmioDevice }
/** A region the hypervisor emulates in kernel (QEMU shows `kvm-ioapic`, `kvm-apic-msi`): never reaches the VMM. */
interface KernelRegion { kind: 'kvm'; name: string; base: number; size: number }
export type MemoryRegion = RamRegion | DeviceRegion | KernelRegion;

export class MemoryRegionTree {
  private readonly list: MemoryRegion[] = [];

  addRam(name: string, base: number, size: number): void {
    this.add({ kind: 'ram', name, base, size });
  }

  addDevice(device: MmioDevice, base: number, size: number): void {
    this.add({ kind: 'io', name: device.name, base, size, device });
  }

  addKernelRegion(name: string, base: number, size: number): void {
    this.add({ kind: 'kvm', name, base, size });
  }

  private add(r: MemoryRegion): void {
    for (const o of this.list) {
      if (r.base < o.base + o.size && o.base < r.base + r.size) {
        throw new RangeError(`region ${r.name} [0x${r.base.toString(16)}, +0x${r.size.toString(16)}) overlaps ${o.name}`);
      }
    }
    this.list.push(r);
    this.list.sort((a, b) => a.base - b.base);
  }

  /** Every region, by base address. */
  regions(): readonly MemoryRegion[] {
    return this.list;
  }

  /** The device region containing `gpa`, if any. */
  findDevice(gpa: number): DeviceRegion | undefined {
    for (const r of this.list) {
      if (r.kind === 'io' && gpa >= r.base && gpa < r.base + r.size) return r;
    }
    return undefined;
  }

  find(gpa: number): MemoryRegion | undefined {
    return this.list.find((r) => gpa >= r.base && gpa < r.base + r.size);
  }

  all(): readonly MemoryRegion[] {
    return this.list;
  }

  /** Text in the shape of QEMU's `info mtree`. */
  format(): string {
    const pad = (v: number): string => v.toString(16).padStart(16, '0');
    const lines = ['address-space: memory', '  0000000000000000-ffffffffffffffff (prio 0, i/o): system'];
    for (const r of this.list) {
      const kind = r.kind === 'kvm' ? 'i/o, in kernel' : r.kind === 'io' ? 'i/o' : 'ram';
      lines.push(`    ${pad(r.base)}-${pad(r.base + r.size - 1)} (prio 0, ${kind}): ${r.name}`);
    }
    return lines.join('\n');
  }
}
