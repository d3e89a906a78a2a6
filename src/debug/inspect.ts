// Side-effect-free access to the machine for the debugger (docs/debugging.md: inspection never
// changes device state): guest-virtual translation through the debug port (the MMU's own walker,
// no A/D bits, no TLB), RAM reads through the memslots, device registers through their peek paths, and writes to RAM
// that keep the decode cache and the reverse-execution checkpoints coherent.
import type { Machine, Vcpu } from '../vm';
import type { DebugPort, Translation } from '../vm/debug-port';
import { ExprError } from './expr';
import { hex } from './format';
import { irqView } from './machine-view';

const IOAPIC_GPA = 0xfec0_0000;
export const LAPIC_GPA = 0xfee0_0000;
const APIC_PAGE = 0x1000;

export class Inspector {
  constructor(private readonly m: Machine, private readonly port: DebugPort) {}

  /** GVA → GPA as `vcpu` would translate an access of this kind now, without side effects (KVM_TRANSLATE). */
  translate(vcpu: Vcpu, gva: number, access: 'read' | 'write' | 'fetch' = 'fetch'): Translation {
    return this.port.translate(vcpu.id, gva, access);
  }

  /** Host offset of a RAM GPA, or -1. */
  hostOf(gpa: number): number {
    return this.m.vm.gpaToHost(gpa >>> 0);
  }

  /** GPA of a guest-virtual address for `vcpu`; throws ExprError when it does not translate. */
  gpaOf(vcpu: Vcpu, gva: number): number {
    const t = this.translate(vcpu, gva);
    if (t.gpa === undefined) throw new ExprError(`GVA ${hex(gva >>> 0)}: ${t.error}`);
    return t.gpa;
  }

  /** What is at a GPA: 'RAM', a device register ('uart LSR'), or undefined (nothing). */
  describeGpa(gpa: number, vcpu = 0): string | undefined {
    gpa >>>= 0;
    if (this.hostOf(gpa) >= 0) return 'RAM';
    const view = irqView(this.m);
    if (gpa >= IOAPIC_GPA && gpa < IOAPIC_GPA + APIC_PAGE && view.ioapic) {
      return `IOAPIC ${view.ioapic.registerName(gpa - IOAPIC_GPA) ?? ''}`.trim();
    }
    if (gpa >= LAPIC_GPA && gpa < LAPIC_GPA + APIC_PAGE && view.lapics?.[vcpu]) {
      return `LAPIC ${view.lapics[vcpu].registerName(gpa - LAPIC_GPA) ?? ''}`.trim();
    }
    const r = this.m.mtree.findDevice(gpa);
    if (!r) return undefined;
    const reg = r.device.registerName(gpa - r.base, false);
    return reg ? `${r.device.name} ${reg}` : r.device.name;
  }

  /** `size` bytes at a GPA, little-endian; device registers through their peek path. */
  readPhys(gpa: number, size: 1 | 2 | 4, vcpu = 0): number {
    gpa >>>= 0;
    const host = this.hostOf(gpa);
    if (host >= 0 && this.hostOf(gpa + size - 1) === host + size - 1) {
      const u8 = this.m.host.u8;
      let v = 0;
      for (let k = size - 1; k >= 0; k--) v = (v * 256) + u8[host + k];
      return v >>> 0;
    }
    const view = irqView(this.m);
    if (gpa >= IOAPIC_GPA && gpa < IOAPIC_GPA + APIC_PAGE && view.ioapic) return view.ioapic.peek(gpa - IOAPIC_GPA, size) >>> 0;
    if (gpa >= LAPIC_GPA && gpa < LAPIC_GPA + APIC_PAGE && view.lapics?.[vcpu]) return view.lapics[vcpu].peek(gpa - LAPIC_GPA, size) >>> 0;
    const r = this.m.mtree.findDevice(gpa);
    if (!r || gpa + size > r.base + r.size) throw new ExprError(`no RAM or device at GPA ${hex(gpa)}`);
    const dev = r.device, offset = gpa - r.base;
    if (dev.registerWidth >= size) return dev.peek(offset, size) >>> 0;
    let v = 0;
    for (let k = 0; k < size; k++) v |= (dev.peek(offset + k, 1) & 0xff) << (8 * k);
    return v >>> 0;
  }

  readVirt(vcpu: Vcpu, gva: number, size: 1 | 2 | 4): number {
    if ((gva & 0xfff) + size > 0x1000) {
      let v = 0;
      for (let k = 0; k < size; k++) v |= this.readPhys(this.gpaOf(vcpu, gva + k), 1, vcpu.id) << (8 * k);
      return v >>> 0;
    }
    return this.readPhys(this.gpaOf(vcpu, gva), size, vcpu.id);
  }

  /**
   * Up to `length` bytes from `address` (virtual for `vcpu`, or physical when vcpu is undefined):
   * the readable prefix, and how many bytes after it could not be read.
   */
  readBytes(vcpu: Vcpu | undefined, address: number, length: number): { bytes: Uint8Array; unreadable: number } {
    const out = new Uint8Array(length);
    for (let i = 0; i < length;) {
      const a = (address + i) >>> 0;
      const gpa = vcpu ? this.translate(vcpu, a).gpa : a;
      const host = gpa === undefined ? -1 : this.hostOf(gpa);
      if (host < 0) {
        // Device registers are not part of a memory dump (a peek is per register, not per byte).
        return { bytes: out.subarray(0, i), unreadable: length - i };
      }
      const chunk = Math.min(length - i, 0x1000 - (a & 0xfff), this.m.host.size - host);
      out.set(this.m.host.u8.subarray(host, host + chunk), i);
      i += chunk;
    }
    return { bytes: out, unreadable: 0 };
  }

  /** Writes RAM only (a device register is not a memory cell). Returns bytes written before a hole. */
  writeBytes(vcpu: Vcpu | undefined, address: number, bytes: Uint8Array): number {
    let i = 0;
    while (i < bytes.length) {
      const a = (address + i) >>> 0;
      const gpa = vcpu ? this.translate(vcpu, a).gpa : a;
      const host = gpa === undefined ? -1 : this.hostOf(gpa);
      if (host < 0) break;
      const chunk = Math.min(bytes.length - i, 0x1000 - (a & 0xfff), this.m.host.size - host);
      this.port.writeRam(host, bytes.subarray(i, i + chunk));
      i += chunk;
    }
    return i;
  }
}
