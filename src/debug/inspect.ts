// Side-effect-free access to the machine for the debugger (SPEC §10 "inspection never changes
// device state"): guest-virtual translation by a software walk that sets no A/D bits and touches no
// TLB, RAM reads through the memslots, device registers through their peek paths, and writes to RAM
// that keep the decode cache and the reverse-execution checkpoints coherent.
import { Priv } from '../vm/cpu/csr';
import { PTE_R, PTE_V, PTE_W, PTE_X } from '../vm/mmu/sv32';
import type { Vcpu } from '../vm/hv/vcpu';
import type { Machine } from '../vm/vmm/machine';
import { ExprError } from './expr';
import { hex } from './format';
import { irqView } from './machine-view';

export const IOAPIC_GPA = 0xfec0_0000;
export const LAPIC_GPA = 0xfee0_0000;
const APIC_PAGE = 0x1000;

export interface WalkLevel {
  /** 1 = the root (VPN[1]), 0 = the leaf table (VPN[0]). */
  level: number;
  pteGpa: number;
  pte: number;
}

export interface Translation {
  gva: number;
  /** Guest paging applied (satp.MODE = Sv32, not M-mode). */
  paging: boolean;
  levels: WalkLevel[];
  gpa?: number;
  /** Leaf PTE permission bits when paging. */
  flags?: number;
  /** Why there is no GPA: a page fault, or a table outside RAM. */
  error?: string;
}

export class Inspector {
  constructor(private readonly m: Machine) {}

  /** GVA → GPA as `vcpu` would translate it now (its privilege and satp), without side effects. */
  translate(vcpu: Vcpu, gva: number): Translation {
    const cpu = vcpu.cpu;
    const va = gva >>> 0;
    const paging = (cpu.satp >>> 31) !== 0 && cpu.priv !== Priv.M;
    if (!paging) return { gva: va, paging, levels: [], gpa: va };
    const levels: WalkLevel[] = [];
    let table = (cpu.satp & 0x3fffff) * 4096;
    for (let level = 1; level >= 0; level--) {
      const vpn = level === 1 ? va >>> 22 : (va >>> 12) & 0x3ff;
      const pteGpa = table + vpn * 4;
      const host = pteGpa < 2 ** 32 ? this.m.vm.gpaToHost(pteGpa) : -1;
      if (host < 0) return { gva: va, paging, levels, error: `page table at GPA ${hex(pteGpa)} is not in RAM` };
      const pte = this.m.host.i32[host >> 2];
      levels.push({ level, pteGpa, pte: pte >>> 0 });
      if (!(pte & PTE_V) || (!(pte & PTE_R) && (pte & PTE_W))) return { gva: va, paging, levels, error: `page fault: level-${level} PTE ${hex(pte >>> 0)} is not valid` };
      if (!(pte & (PTE_R | PTE_X))) { table = (pte >>> 10) * 4096; continue; }
      const ppn = pte >>> 10;
      const page = level === 1 ? (ppn & ~0x3ff) | ((va >>> 12) & 0x3ff) : ppn;
      return { gva: va, paging, levels, gpa: (page * 4096 + (va & 0xfff)) >>> 0, flags: pte & 0xff };
    }
    return { gva: va, paging, levels, error: 'page fault: no leaf PTE' };
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
      this.m.host.write(host, bytes.subarray(i, i + chunk));
      i += chunk;
    }
    return i;
  }
}
