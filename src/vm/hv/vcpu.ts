// A vCPU (KVM's `struct kvm_vcpu`): the guest hart plus the hypervisor's side of every exit it
// takes. It is the CPU's port: TLB misses, MMIO, privileged operations and interrupt acknowledge
// come here, and every exit is counted, charged to the virtual clock and put on the event stream.
import { Cpu, StopReason } from '../cpu/cpu';
import { Access, CpuPort, EVT_ABORT, EVT_BREAK, XLATE_ABORT } from '../cpu/port';
import { Priv } from '../cpu/csr';
import { Sv32Walker, PTE_D, PTE_R, PTE_U, PTE_W, PTE_X } from '../mmu/sv32';
import { ASID_BARE, Tlb } from '../mmu/tlb';
import type { Vm } from './vm';
import { EXIT_REASON_NAMES, ExitReason, KVM_ENOSYS, KvmExitName } from './exits';
import { AccessContext } from './paging';
import { VcpuIrqState } from './irqchip';

const A0 = 10;
const ACCESS_NAMES = ['read', 'write', 'fetch'] as const;

/** What the debugger's "Last VM exit" scope shows. */
export interface ExitRecord {
  reason: string;
  cycle: number;
  pc: number;
  gpa?: number;
  gva?: number;
  access?: 'read' | 'write' | 'fetch';
  qualification?: number;
  handledIn: 'kernel' | 'vmm';
  vmmExit?: KvmExitName;
  /** For MMIO exits: the device, register, size and value. */
  device?: string;
  register?: string;
  size?: number;
  value?: number;
}

export interface ExitInfo {
  gpa?: number;
  gva?: number;
  access?: Access;
  qualification?: number;
}

/** An in-kernel device on the hypervisor's I/O bus (KVM's kvm_io_bus): LAPIC, IOAPIC in kernel mode. */
export interface KernelMmioHandler {
  readonly name: string;
  /** Claims `gpa` for this vCPU? */
  claims(vcpu: Vcpu, gpa: number): boolean;
  read(vcpu: Vcpu, gpa: number, size: number): number;
  write(vcpu: Vcpu, gpa: number, size: number, value: number): void;
  registerName(gpa: number, isWrite: boolean): string | undefined;
}

export class Vcpu implements CpuPort {
  readonly cpu: Cpu;
  readonly tlb: Tlb;
  /** The processor's last guest-table walk (EPT mode), for the Translation view. */
  readonly walker = new Sv32Walker();
  /** VPID tag of this vCPU's translations (0 when VPIDs are off: every entry and exit flushes). */
  readonly vpid: number;
  lastExit: ExitRecord | undefined;
  /** Set while an access is on the MMIO path: which exit it takes (violation, misconfig, #PF). */
  mmioExitReason: ExitReason = ExitReason.EPT_MISCONFIG;
  mmioQualification = 0;
  /** Virtual time at which the machine needs this vCPU back (next scheduled event or timer expiry). */
  deadline = Infinity;
  /** Interrupt state kept by the hypervisor for this vCPU (KVM_INTERRUPT queue, window, origins). */
  readonly irq = new VcpuIrqState();
  /** An interrupt was delivered while another vCPU ran: this one takes an external-interrupt exit (the kick). */
  kickPending = false;
  /** The current access gave up (the VM failed or must stop): translation returns XLATE_ABORT. */
  aborted = false;
  private readonly access: AccessContext = { va: 0, access: Access.Read, priv: Priv.M, paging: false, asid: 0 };
  /** The virtual address of the access being translated (the GVA an exit reports). */
  accessVa = 0;
  private stopRequested = false;

  constructor(readonly vm: Vm, readonly id: number) {
    this.cpu = new Cpu(vm.host, this, { hartId: id, misalignedAccess: 'emulate' });
    this.vpid = vm.config.vpid ? id + 1 : 0;
    this.tlb = new Tlb(vm.config.tlb, (vpn) => this.cpu.invalidatePage(vpn));
  }

  /** KVM_RUN: runs the guest for up to `budget` steps. Returns the steps taken. */
  run(budget: number): number {
    this.stopRequested = false;
    this.aborted = false;
    const vm = this.vm;
    vm.running = this;
    if (this.kickPending) {
      // Without posted interrupts, a vCPU in guest mode is kicked out by an IPI to its physical
      // CPU (EXTERNAL_INTERRUPT) so the interrupt can be injected on the next entry.
      this.kickPending = false;
      this.exitInKernel(ExitReason.EXTERNAL_INTERRUPT, {}, 0);
      vm.bump('irq_exits');
    }
    let n: number;
    try {
      n = this.cpu.run(budget);
    } finally {
      vm.running = undefined;
    }
    if (this.cpu.stopReason === StopReason.TrapLoop) {
      const c = this.cpu;
      this.exitToVmm(ExitReason.TRIPLE_FAULT, {}, 'KVM_EXIT_SHUTDOWN');
      this.vm.fail('KVM_EXIT_SHUTDOWN', `triple fault on vCPU ${this.id}: traps at pc 0x${hex(c.pc)} keep faulting ` +
        `(mcause ${c.mcause >>> 0}, mtval 0x${hex(c.mtval)}; scause ${c.scause >>> 0}, stval 0x${hex(c.stval)})`);
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

  // ---- exits --------------------------------------------------------------------------------

  /** An exit the hypervisor handles itself, with the cycles its handler costs on top of the round trip. */
  exitInKernel(reason: ExitReason, info: ExitInfo, handlerCycles: number): void {
    this.recordExit(reason, info, 'kernel', undefined);
    this.stall(this.vm.cost.exitRoundTrip + handlerCycles);
  }

  /** An exit that returns from KVM_RUN to the VMM. */
  exitToVmm(reason: ExitReason, info: ExitInfo, vmmExit: KvmExitName): void {
    this.recordExit(reason, info, 'vmm', vmmExit);
    this.vm.countVmmExit(vmmExit);
    this.stall(this.vm.cost.exitRoundTrip + this.vm.cost.vmmExit);
  }

  /**
   * The exit being handled in the kernel goes on to userspace (e.g. KVM_EXIT_IOAPIC_EOI after the
   * in-kernel LAPIC took an EOI write): one VMX exit, now also a return to the VMM.
   */
  continueToVmm(vmmExit: KvmExitName): void {
    this.vm.countVmmExit(vmmExit);
    if (this.lastExit) { this.lastExit.handledIn = 'vmm'; this.lastExit.vmmExit = vmmExit; }
    this.stall(this.vm.cost.vmmExit);
  }

  /**
   * Time spent outside the guest. If it carries the vCPU past `deadline` (a scheduled event or its
   * LAPIC timer), KVM_RUN returns after this instruction so the machine can act at the right time.
   */
  private stall(cycles: number): void {
    this.cpu.addStall(cycles);
    if (this.cpu.cycles() >= this.deadline && this.cpu.stopReason === StopReason.None) {
      this.cpu.stopReason = StopReason.Break;
      this.cpu.evt |= EVT_BREAK;
    }
  }

  private recordExit(reason: ExitReason, info: ExitInfo, handledIn: 'kernel' | 'vmm', vmmExit: KvmExitName | undefined): void {
    this.vm.countExit(reason);
    if (!this.vm.config.vpid) {
      // Without VPIDs the processor flushes on VM exit and again on VM entry (SDM §28.4.3.1).
      this.tlb.flushAll();
      this.tlb.flushAll();
      this.vm.bump('tlb_flush', 2);
    }
    const rec: ExitRecord = {
      reason: EXIT_REASON_NAMES[reason], cycle: this.cpu.cycles(), pc: this.cpu.pc, handledIn,
      ...(info.gpa !== undefined ? { gpa: info.gpa >>> 0 } : {}),
      ...(info.gva !== undefined ? { gva: info.gva >>> 0 } : {}),
      ...(info.access !== undefined ? { access: ACCESS_NAMES[info.access] } : {}),
      ...(info.qualification !== undefined ? { qualification: info.qualification } : {}),
      ...(vmmExit ? { vmmExit } : {}),
    };
    this.lastExit = rec;
    this.vm.logExit(this, rec);
  }

  chargeWalk(refs: number): void {
    this.tlb.stats.walkRefs += refs;
    this.cpu.addStall(refs * this.vm.cost.pageWalkRef);
  }

  chargeInjection(): void {
    this.cpu.addStall(this.vm.cost.injection);
  }

  /** KVM cannot fetch instructions from MMIO: emulation fails (KVM_EXIT_INTERNAL_ERROR). */
  fetchFromMmio(gpa: number, gva: number): number {
    this.exitToVmm(this.mmioExitReason, { gpa, gva, access: Access.Fetch }, 'KVM_EXIT_INTERNAL_ERROR');
    this.vm.fail('KVM_EXIT_INTERNAL_ERROR', `vCPU ${this.id}: instruction fetch from GPA 0x${hex(gpa)}, where there is no RAM ` +
      `(no memslot; pc 0x${hex(gva)})`);
    this.aborted = true;
    return XLATE_ABORT;
  }

  // ---- CpuPort ------------------------------------------------------------------------------

  translate(va: number, access: Access): number {
    const cpu = this.cpu;
    const priv = access === Access.Fetch ? cpu.priv : cpu.dataPriv();
    const paging = (cpu.satp >>> 31) !== 0 && priv !== Priv.M;
    const asid = paging ? (cpu.satp >>> 22) & 0x1ff : ASID_BARE;
    const tlb = this.tlb;
    this.accessVa = va;
    const e = tlb.lookup(this.vpid, asid, va >>> 12);
    if (e >= 0 && tlbPermits(tlb.flags[e], access, priv, paging, cpu.sum, cpu.mxr)) {
      tlb.stats.hits++;
      if (access === Access.Read) cpu.xlateWritable = tlbPermits(tlb.flags[e], Access.Write, priv, paging, cpu.sum, cpu.mxr);
      return tlb.hostPage[e];
    }
    tlb.stats.misses++;
    const c = this.access; // reused: a TLB miss allocates nothing
    c.va = va; c.access = access; c.priv = priv; c.paging = paging; c.asid = asid;
    const host = this.vm.paging.fill(this, c);
    if (host >= 0 && access === Access.Read) {
      cpu.xlateWritable = tlbPermits(tlb.flags[tlb.lastInserted], Access.Write, priv, paging, cpu.sum, cpu.mxr);
    }
    return host;
  }

  mmioRead(gpa: number, size: number): number {
    return this.mmio(gpa, size, false, 0);
  }

  mmioWrite(gpa: number, size: number, value: number): void {
    this.mmio(gpa, size, true, value);
  }

  /**
   * The MMIO path (SPEC §3): the access already took its exit (EPT violation or misconfig, or a
   * shadow #PF). The kernel emulates the instruction and tries its I/O bus; what no in-kernel device
   * claims leaves KVM_RUN as KVM_EXIT_MMIO for the VMM.
   */
  private mmio(gpa: number, size: number, isWrite: boolean, value: number): number {
    const vm = this.vm, cost = vm.cost;
    const reason = this.mmioExitReason;
    const info: ExitInfo = { gpa, gva: this.accessVa, access: isWrite ? Access.Write : Access.Read, qualification: this.mmioQualification };
    this.mmioQualification = 0;
    if (isWrite && vm.paging.emulateRamWrite(this, gpa, size, value)) {
      this.exitInKernel(reason, info, cost.instructionEmulation);
      return 0;
    }
    const kernelDev = vm.kernelDevice(this, gpa);
    let result = 0;
    if (kernelDev) {
      this.exitInKernel(reason, info, cost.instructionEmulation + cost.inKernelDevice);
      if (isWrite) kernelDev.write(this, gpa, size, value); else result = kernelDev.read(this, gpa, size);
      vm.countMmio(kernelDev.name, isWrite);
      this.annotateExit(kernelDev.name, kernelDev.registerName(gpa, isWrite), size, isWrite ? value : result);
      vm.logMmio(this, gpa, size, isWrite, isWrite ? value : result, kernelDev.name, kernelDev.registerName(gpa, isWrite), 'kernel');
    } else {
      this.exitToVmm(reason, info, 'KVM_EXIT_MMIO');
      vm.bump('mmio_exits');
      result = vm.vmm.mmio(this, gpa, size, isWrite, value);
    }
    if (this.stopRequested) this.cpu.evt |= vm.failure ? EVT_ABORT : EVT_BREAK;
    return result;
  }

  /** Adds the device side of an MMIO exit to the last exit record (the VMM calls this too). */
  annotateExit(device: string | undefined, register: string | undefined, size: number, value: number): void {
    const r = this.lastExit;
    if (!r) return;
    if (device !== undefined) r.device = device;
    if (register !== undefined) r.register = register;
    r.size = size;
    r.value = value >>> 0;
  }

  satpWritten(): void {
    this.vm.paging.satpWritten(this);
  }

  sfenceVma(va: number | undefined, asid: number | undefined): void {
    this.vm.paging.sfenceVma(this, va, asid);
  }

  halt(): void {
    this.vm.bump('halt_exits');
    if (this.vm.irqchip) {
      this.exitInKernel(ExitReason.HLT, {}, 0); // with an in-kernel LAPIC, HLT blocks in the kernel
    } else {
      this.exitToVmm(ExitReason.HLT, {}, 'KVM_EXIT_HLT');
      this.vm.vmm.halted?.(this);
    }
  }

  /**
   * KVM_INTERRUPT (userspace irqchip): queue `vector` for injection at the next VM entry. The
   * VMM has already done the INTA on its LAPIC.
   */
  injectInterrupt(vector: number): void {
    this.irq.queuedVector = vector;
    this.cpu.addStall(this.vm.cost.ioctl);
    this.cpu.setExternalLine(true);
  }

  trapTaken(cause: number, tval: number, epc: number, fromPriv: number): void {
    const events = this.vm.events;
    if (!events.active) return;
    events.emit({
      kind: 'guest-trap', cycle: this.cpu.cycles(), vcpu: this.id, cause: cause >>> 0, interrupt: cause < 0, tval: tval >>> 0,
      epc: epc >>> 0, handler: this.cpu.pc >>> 0, fromPriv, toPriv: this.cpu.priv,
    });
  }

  /** Between instructions, before interrupts are checked: the userspace irqchip's interrupt window. */
  beforeInterruptCheck(): void {
    const irq = this.irq;
    if (irq.requestInterruptWindow && this.cpu.externalInterruptEnabled()) {
      irq.requestInterruptWindow = false;
      this.exitToVmm(ExitReason.INTERRUPT_WINDOW, {}, 'KVM_EXIT_IRQ_WINDOW_OPEN');
      this.vm.bump('irq_window_exits');
      this.vm.vmm.interruptWindowOpen?.(this);
    }
  }

  hypercall(): void {
    this.exitInKernel(ExitReason.VMCALL, {}, 0);
    this.vm.bump('hypercalls');
    this.cpu.x[A0] = -KVM_ENOSYS;
  }

  debugBreak(): boolean {
    return this.vm.debuggerAttached;
  }

  acknowledgeInterrupt(): number {
    return this.vm.interruptAcknowledge(this);
  }

  /** A data breakpoint's page was accessed: put it on the event stream; a debugger decides to stop. */
  watchedAccess(va: number, host: number, size: number, isWrite: boolean, value: number): void {
    const vm = this.vm;
    if (!vm.events.active) return;
    vm.events.emit({
      kind: 'mem-access', cycle: this.cpu.cycles(), vcpu: this.id, gva: va >>> 0, gpa: vm.hostToGpa(host), size,
      write: isWrite, value: value >>> 0, pc: this.cpu.pc,
    });
  }
}

/**
 * Does a TLB entry's cached permission allow this access now? (The processor checks on every use.)
 * A write also needs D set: the first write to a clean page walks again so the walker sets D.
 */
function tlbPermits(flags: number, access: Access, priv: Priv, paging: boolean, sum: boolean, mxr: boolean): boolean {
  if (paging) {
    if (priv === Priv.U ? !(flags & PTE_U) : (flags & PTE_U) && (access === Access.Fetch || !sum)) return false;
  }
  switch (access) {
    case Access.Fetch: return (flags & PTE_X) !== 0;
    case Access.Write: return (flags & (PTE_W | PTE_D)) === (PTE_W | PTE_D);
    default: return (flags & PTE_R) !== 0 || (mxr && (flags & PTE_X) !== 0);
  }
}

export function hex(v: number): string {
  return (v >>> 0).toString(16);
}
