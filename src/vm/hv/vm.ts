// The hypervisor's VM object (KVM's `struct kvm`): memslots, vCPUs, statistics. It knows memslots,
// not device regions: an access outside every memslot is MMIO, and MMIO the kernel does not emulate
// goes back to the VMM (SPEC §3, §4).
import { HostMemory } from '../mem/host-memory';
import { EventStream } from '../events';
import { Vcpu } from './vcpu';
import { KvmStatName, newKvmStats } from './stats';
import { EXIT_REASON_NAMES, ExitReason, KvmExitName } from './exits';

/** KVM_SET_USER_MEMORY_REGION's struct kvm_userspace_memory_region; userspaceAddr is a host offset. */
export interface Memslot {
  slot: number;
  guestPhysAddr: number;
  memorySize: number;
  userspaceAddr: number;
}

/** What KVM_RUN's caller provides: the userspace half of the exits that leave the kernel. */
export interface VmmExitHandler {
  /** KVM_EXIT_MMIO: returns the data for a read; `data` is the value for a write. */
  mmio(vcpu: Vcpu, gpa: number, size: number, isWrite: boolean, data: number): number;
}

/** Why a VM can no longer run (KVM_EXIT_SHUTDOWN, KVM_EXIT_INTERNAL_ERROR, or a VMM decision). */
export interface VmFailure {
  exit: KvmExitName | 'VMM';
  message: string;
}

export class Vm {
  readonly memslots: Memslot[] = [];
  readonly vcpus: Vcpu[] = [];
  readonly stats = newKvmStats();
  /** VM exits by basic exit reason name. */
  readonly exitsByReason = new Map<string, number>();
  /** Exits that returned to the VMM, by KVM exit name. */
  readonly vmmExits = new Map<string, number>();
  failure: VmFailure | undefined;
  /** A debugger is attached: ebreak stops instead of trapping (SPEC §1). */
  debuggerAttached = false;

  constructor(readonly host: HostMemory, readonly events: EventStream, readonly vmm: VmmExitHandler) {}

  /** KVM_SET_USER_MEMORY_REGION. A programming error of the VMM throws (it is not guest input). */
  setUserMemoryRegion(m: Memslot): void {
    if (m.guestPhysAddr % 4096 || m.memorySize % 4096 || m.userspaceAddr % 4096) throw new RangeError(`memslot ${m.slot} is not page aligned`);
    if (m.userspaceAddr + m.memorySize > this.host.size) throw new RangeError(`memslot ${m.slot} lies outside host memory`);
    const end = m.guestPhysAddr + m.memorySize;
    for (const o of this.memslots) {
      if (o.slot !== m.slot && m.guestPhysAddr < o.guestPhysAddr + o.memorySize && o.guestPhysAddr < end) {
        throw new RangeError(`memslot ${m.slot} overlaps memslot ${o.slot}`);
      }
    }
    const i = this.memslots.findIndex((o) => o.slot === m.slot);
    if (i >= 0) this.memslots.splice(i, 1);
    if (m.memorySize > 0) this.memslots.push({ ...m });
    for (const v of this.vcpus) v.cpu.flushTranslations();
  }

  /** Host offset of `gpa` if a memslot backs it, else -1. */
  gpaToHost(gpa: number): number {
    for (const m of this.memslots) {
      const off = gpa - m.guestPhysAddr;
      if (off >= 0 && off < m.memorySize) return m.userspaceAddr + off;
    }
    return -1;
  }

  createVcpu(): Vcpu {
    const v = new Vcpu(this, this.vcpus.length);
    this.vcpus.push(v);
    return v;
  }

  bump(stat: KvmStatName, by = 1): void {
    this.stats[stat] += by;
  }

  countExit(reason: ExitReason): void {
    const name = EXIT_REASON_NAMES[reason];
    this.exitsByReason.set(name, (this.exitsByReason.get(name) ?? 0) + 1);
    this.stats.exits++;
  }

  countVmmExit(name: KvmExitName): void {
    this.vmmExits.set(name, (this.vmmExits.get(name) ?? 0) + 1);
  }

  fail(exit: VmFailure['exit'], message: string): void {
    if (!this.failure) this.failure = { exit, message };
    for (const v of this.vcpus) v.requestStop();
  }
}
