// A vCPU (KVM's `struct kvm_vcpu`): the guest hart plus the hypervisor's side of every exit it
// takes. It is the CPU's port: translation misses, MMIO, privileged operations and interrupts
// acknowledge come here.
import { Cpu, StopReason } from '../cpu/cpu';
import { Access, CpuPort, EVT_ABORT, EVT_BREAK, XLATE_ABORT, XLATE_FAULT, XLATE_MMIO } from '../cpu/port';
import { Priv } from '../cpu/csr';
import { PteMemory, Sv32Walker } from '../mmu/sv32';
import type { Vm } from './vm';
import { ExitReason, KVM_ENOSYS } from './exits';

const A0 = 10, A7 = 17;

export class Vcpu implements CpuPort, PteMemory {
  readonly cpu: Cpu;
  readonly walker = new Sv32Walker();
  readonly i32: Int32Array;
  /** Set by requestStop(): KVM_RUN returns at the next instruction boundary. */
  private stopRequested = false;

  constructor(readonly vm: Vm, readonly id: number) {
    this.i32 = vm.host.i32;
    this.cpu = new Cpu(vm.host, this, { hartId: id, misalignedAccess: 'emulate' });
  }

  /** KVM_RUN: runs the guest for up to `budget` steps. Returns the steps taken. */
  run(budget: number): number {
    this.stopRequested = false;
    const n = this.cpu.run(budget);
    if (this.cpu.stopReason === StopReason.TrapLoop) {
      this.vm.countExit(ExitReason.TRIPLE_FAULT);
      this.vm.countVmmExit('KVM_EXIT_SHUTDOWN');
      this.vm.fail('KVM_EXIT_SHUTDOWN', `triple fault on vCPU ${this.id}: traps at pc 0x${hex(this.cpu.pc)} keep faulting ` +
        `(mcause ${this.cpu.mcause}, mtval 0x${hex(this.cpu.mtval)}; scause ${this.cpu.scause}, stval 0x${hex(this.cpu.stval)})`);
    }
    return n;
  }

  /** Makes the running vCPU leave KVM_RUN after the current instruction (kvm_vcpu_kick). */
  requestStop(): void {
    this.stopRequested = true;
    this.cpu.evt |= EVT_BREAK;
    if (this.cpu.stopReason === StopReason.None) this.cpu.stopReason = StopReason.Break;
  }

  get stopped(): boolean { return this.stopRequested; }

  // ---- CpuPort ------------------------------------------------------------------------------

  translate(va: number, access: Access): number {
    const cpu = this.cpu;
    const priv = access === Access.Fetch ? cpu.priv : cpu.dataPriv();
    let gpa = va >>> 0;
    if ((cpu.satp >>> 31) !== 0 && priv !== Priv.M) {
      if (!this.walker.walk(this, cpu.satp, va, access, priv, cpu.sum, cpu.mxr)) {
        cpu.xlateCause = this.walker.cause;
        return XLATE_FAULT;
      }
      gpa = this.walker.gpa;
    }
    const host = this.vm.gpaToHost(gpa);
    if (host >= 0) return host & ~0xfff;
    if (access === Access.Fetch) {
      // KVM cannot fetch instructions from MMIO: emulation fails (KVM_EXIT_INTERNAL_ERROR).
      this.vm.countVmmExit('KVM_EXIT_INTERNAL_ERROR');
      this.vm.fail('KVM_EXIT_INTERNAL_ERROR', `vCPU ${this.id}: instruction fetch from GPA 0x${hex(gpa)}, which is not RAM ` +
        `(no memslot; pc 0x${hex(va)})`);
      return XLATE_ABORT;
    }
    cpu.xlateGpa = gpa;
    return XLATE_MMIO;
  }

  mmioRead(gpa: number, size: number): number {
    const v = this.vm.vmm.mmio(this, gpa, size, false, 0);
    this.afterVmmExit();
    return v;
  }

  mmioWrite(gpa: number, size: number, value: number): void {
    this.vm.vmm.mmio(this, gpa, size, true, value);
    this.afterVmmExit();
  }

  private afterVmmExit(): void {
    this.vm.bump('mmio_exits');
    this.vm.countVmmExit('KVM_EXIT_MMIO');
    if (this.stopRequested) this.cpu.evt |= this.vm.failure ? EVT_ABORT : EVT_BREAK;
  }

  satpWritten(): void { /* EPT: the guest owns satp; shadow paging intercepts it (CR_ACCESS) */ }
  sfenceVma(): void { /* EPT: the guest's TLB flush needs no exit */ }

  halt(): void {
    this.vm.countExit(ExitReason.HLT);
    this.vm.bump('halt_exits');
  }

  hypercall(): void {
    this.vm.countExit(ExitReason.VMCALL);
    this.vm.bump('hypercalls');
    const x = this.cpu.x;
    void x[A7];
    x[A0] = -KVM_ENOSYS;
  }

  debugBreak(): boolean {
    return this.vm.debuggerAttached;
  }

  acknowledgeInterrupt(): number {
    return 0;
  }

  // ---- PteMemory (the walker's own accesses) --------------------------------------------------

  pteHost(gpa: number): number {
    return this.vm.gpaToHost(gpa);
  }

  pteUpdated(host: number): void {
    this.vm.host.invalidateCode(host, 4);
  }
}

export function hex(v: number): string {
  return (v >>> 0).toString(16);
}
