// A vCPU (KVM's `struct kvm_vcpu`): the guest hart plus the hypervisor's side of every exit it
// takes. It is the CPU's port: TLB misses, MMIO, privileged operations and interrupt acknowledge
// come here, and every exit is counted, charged to the virtual clock and put on the event stream.
import { Cpu, StopReason } from '../cpu/cpu';
import { TRAP_LOOP_LIMIT } from '../cpu/loop';
import { Access, CpuPort, EVT_ABORT, EVT_BREAK, XLATE_ABORT, XLATE_MMIO } from '../cpu/port';
import { Cause, Priv } from '../cpu/csr';
import { Sv32Walker, PTE_D, PTE_R, PTE_U, PTE_W, PTE_X } from '../mmu/sv32';
import { ASID_BARE, Tlb } from '../mmu/tlb';
import { GpaCache } from '../mmu/gpa-cache';
import type { Vm } from './vm';
import { ExitReason, KvmExitName } from './exits';
import { AccessContext } from './paging';
import { VcpuIrqState } from './irqchip';
import { KvmExit, KvmRun, KVM_EXIT_CODE_NAMES, KVM_INTERNAL_ERROR_EMULATION, kvmRunSnapshot } from './kvm-run';
import { exitSentence, handleExternalInterrupt, handleHalt, handleInterruptWindow, handleTripleFault, handleVmcall } from './exit-handlers';
import type { ExitPhaseEvent } from '../events';

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

/** One part of an MMIO access that went to the VMM: replayed when the instruction is retried. */
interface MmioFragment { va: number; access: Access; gpa: number; size: number; isWrite: boolean; data: number }

export class Vcpu implements CpuPort {
  readonly cpu: Cpu;
  /** The kvm_run record shared with the VMM (mmap'd in KVM): the only way an exit reaches it. */
  readonly kvmRun = new KvmRun();
  /**
   * MMIO accesses of the current instruction that went to the VMM, in order. The instruction is
   * abandoned at each one (KVM_RUN returns mid-instruction) and retried on re-entry, when these are
   * replayed with the VMM's data instead of exiting again (KVM's complete_userspace_io).
   */
  private readonly fragments: MmioFragment[] = [];
  /** Fragments of the current instruction (the array keeps its objects for the next ones). */
  private fragmentCount = 0;
  private replayed = 0;
  /** KVM_RUN must complete an instruction the VMM has just served before anything else. */
  private completing = false;
  /** An instruction fetch KVM could not emulate (KVM_EXIT_INTERNAL_ERROR): its address, for an injected fault. */
  private fetchExitVa: number | undefined;
  /**
   * The VMM asked for an external abort (setVcpuEvents): the next KVM_RUN delivers an access fault
   * for the access that exited instead of completing it.
   */
  private extAbortPending = false;
  readonly tlb: Tlb;
  /** Guest-physical mappings (GPA → HPA, tagged by EPTP, or nCR3 + ASID) the walk of guest PTEs uses. */
  readonly gpaCache: GpaCache;
  /** The processor's last guest-table walk (EPT mode), for the Translation view. */
  readonly walker = new Sv32Walker();
  /**
   * The tag of this vCPU's translations: its VPID under VMX, its ASID under SVM (NPT), which KVM
   * replaces with a fresh one instead of flushing. 0 when tags are off: every entry and exit flushes.
   */
  vpid: number;
  lastExit: ExitRecord | undefined;
  /** Set while an access is on the MMIO path: which exit it takes (violation, misconfig, #PF). */
  mmioExitReason: ExitReason = ExitReason.EPT_MISCONFIG;
  mmioQualification = 0;
  /**
   * Virtual time at which the machine needs this vCPU back (next scheduled event or timer expiry).
   * KVM_RUN returns at the first instruction boundary that reaches it, however much the exits,
   * walks and injections on the way cost (the CPU keeps it: Cpu.deadline).
   */
  get deadline(): number { return this.cpu.deadline; }
  set deadline(cycle: number) { this.cpu.setDeadline(cycle); }
  /** Interrupt state kept by the hypervisor for this vCPU (KVM_INTERRUPT queue, window, origins). */
  readonly irq = new VcpuIrqState();
  /** An interrupt was delivered while another vCPU ran: this one takes an external-interrupt exit (the kick). */
  kickPending = false;
  /** The current access gave up (the VM failed or must stop): translation returns XLATE_ABORT. */
  aborted = false;
  /** The facts of the current MMIO exit (one object per vCPU, not one per exit). */
  private readonly mmioInfo: ExitInfo = { gpa: 0, gva: 0, access: Access.Read, qualification: 0 };
  private readonly access: AccessContext = { va: 0, access: Access.Read, priv: Priv.M, paging: false, asid: 0 };
  /** The virtual address of the access being translated (the GVA an exit reports). */
  accessVa = 0;
  private stopRequested = false;

  constructor(readonly vm: Vm, readonly id: number) {
    this.cpu = new Cpu(vm.host, this, {
      hartId: id, misalignedAccess: 'emulate', compiler: vm.config.compiler ?? true, compileThreshold: vm.config.compileThreshold,
    });
    this.vpid = vm.config.vpid ? id + 1 : 0;
    this.tlb = new Tlb(vm.config.tlb, (vpn) => this.cpu.invalidatePage(vpn));
    this.gpaCache = new GpaCache(vm.config.gpaCache);
  }

  /** A new ASID (NPT): translations tagged with the old one can no longer hit. */
  assignAsid(asid: number): void {
    this.vpid = asid;
    this.cpu.flushTranslations();
  }

  /**
   * KVM_RUN: runs the guest for up to `budget` steps and returns the steps taken; why it returned is
   * in `kvmRun.exitReason`. An instruction the VMM has just served (KVM_EXIT_MMIO) is completed
   * first, with the data the VMM wrote back, before interrupts are looked at (complete_userspace_io).
   */
  run(budget: number): number {
    this.aborted = false;
    const vm = this.vm, run = this.kvmRun;
    vm.running = this;
    vm.inUserspace = undefined;
    run.exitReason = KvmExit.INTR;
    let n = 0;
    const reentry = this.completing || this.pendingEntryPhase || this.extAbortPending;
    try {
      if (this.extAbortPending) {
        this.phase('vmm', 'KVM_RUN', 'back into the kernel: the pending external abort becomes an access fault in the guest');
        n = this.deliverExtAbort();
        if (vm.failure) { run.exitReason = KvmExit.SHUTDOWN; return n; }
        this.phase('kvm', this.vm.arch.vcpuRun, 'VM entry: into the guest\'s trap handler');
      } else if (this.completing) {
        this.phase('vmm', 'KVM_RUN', 'back into the kernel: complete_userspace_io finishes the instruction');
        n = this.completeUserspaceIo();
        if (this.completing || vm.failure) { // another part of the access goes to the VMM, or the VM failed
          if (this.completing) run.exitReason = this.exitPending;
          this.exitPending = KvmExit.UNKNOWN;
          return n;
        }
        this.phase('kvm', this.vm.arch.vcpuRun, 'VM entry: back to the guest');
      } else if (this.pendingEntryPhase) {
        this.pendingEntryPhase = false;
        this.phase('vmm', 'KVM_RUN', 'back into the kernel');
        this.phase('kvm', this.vm.arch.vcpuRun, 'VM entry: back to the guest');
      }
      // Back from the VMM: a stop asked for while it handled the exit (a pause, the finisher), or a
      // deadline the exit's cost carried the clock past, ends KVM_RUN here, as it would have ended
      // after the instruction.
      if (reentry && (this.stopRequested || n >= budget || this.cpu.cycles() >= this.deadline)) return n;
      this.stopRequested = false;
      if (this.kickPending) {
        // Without posted interrupts, a vCPU in guest mode is kicked out by an IPI to its physical
        // CPU (EXTERNAL_INTERRUPT) so the interrupt can be injected on the next entry.
        this.kickPending = false;
        handleExternalInterrupt(this);
      }
      n += this.cpu.run(budget - n);
      const stop = this.cpu.stopReason;
      if (stop === StopReason.TrapLoop) {
        this.tripleFault();
      } else if (stop === StopReason.Breakpoint || stop === StopReason.Ebreak) {
        run.exitReason = KvmExit.DEBUG;
        run.debug.kind = stop === StopReason.Breakpoint ? 'breakpoint' : 'ebreak';
      } else if (this.exitPending !== KvmExit.UNKNOWN) {
        run.exitReason = this.exitPending;
      }
      this.exitPending = KvmExit.UNKNOWN;
      return n;
    } finally {
      this.flushEntry();
      // post_kvm_run_save: what the VMM may look at until the next KVM_RUN.
      run.ifFlag = this.cpu.externalInterruptEnabled();
      run.readyForInterruptInjection = run.ifFlag && this.irq.queuedVector < 0;
      vm.running = undefined;
      if (run.exitReason === KvmExit.MMIO || run.exitReason === KvmExit.IOAPIC_EOI || run.exitReason === KvmExit.IRQ_WINDOW_OPEN ||
        run.exitReason === KvmExit.INTERNAL_ERROR) {
        vm.inUserspace = this; // its VMM thread handles the exit now and re-enters
      }
    }
  }

  /** The exit to userspace the current KVM_RUN returns with (set by the handler that decided it). */
  private exitPending: KvmExit = KvmExit.UNKNOWN;
  /** The next KVM_RUN is the way back in from an exit that went to the VMM (a phase to show). */
  private pendingEntryPhase = false;

  /** complete_userspace_io: retries the abandoned instruction, replaying the VMM's answers. */
  private completeUserspaceIo(): number {
    const run = this.kvmRun, last = this.fragmentCount > 0 ? this.fragments[this.fragmentCount - 1] : undefined;
    if (last && !last.isWrite) last.data = run.mmio.data;
    this.completing = false;
    this.replayed = 0;
    const n = this.cpu.completeInstruction();
    if (!this.completing) { this.fragmentCount = 0; this.replayed = 0; }
    return n;
  }

  /**
   * KVM_SET_VCPU_EVENTS with an external abort pending. KVM has this for arm64 (`ext_dabt_pending`,
   * Documentation/virt/kvm/api.rst): the VMM found nothing at the address an MMIO exit reported and
   * asks the kernel to fault the access in the guest. Here the next KVM_RUN delivers, instead of
   * completing the access that exited (KVM_EXIT_MMIO, or the fetch of KVM_EXIT_INTERNAL_ERROR), the
   * access fault QEMU's TCG raises for a failed transaction (target/riscv
   * riscv_cpu_do_transaction_failed): cause 5 for a load, 7 for a store, 1 for a fetch, xtval = the
   * guest-virtual address (docs/exits.md "An access no device claims").
   */
  setVcpuEvents(events: { extAbortPending: boolean }): void {
    this.extAbortPending = events.extAbortPending;
    this.cpu.addStall(this.vm.cost.ioctl);
  }

  /** Traps that keep faulting: the VM cannot go on (TRIPLE_FAULT, KVM_EXIT_SHUTDOWN). */
  private tripleFault(): void {
    const c = this.cpu;
    handleTripleFault(this);
    this.kvmRun.exitReason = KvmExit.SHUTDOWN;
    this.vm.fail('KVM_EXIT_SHUTDOWN', `triple fault on vCPU ${this.id}: traps at pc 0x${hex(c.pc)} keep faulting ` +
      `(mcause ${c.mcause >>> 0}, mtval 0x${hex(c.mtval)}; scause ${c.scause >>> 0}, stval 0x${hex(c.stval)})`);
  }

  /**
   * Injected access faults in a row with no instruction retired between them: a handler that is
   * itself where nothing answers. Each fault is a separate KVM_RUN, so the CPU's own trap-loop
   * count cannot see them; this one does, and ends the loop as a triple fault as well.
   */
  private abortStreak = 0;
  private abortInstret = -1;

  /** The pending external abort: the access that exited takes its access fault (one step that traps). */
  private deliverExtAbort(): number {
    this.extAbortPending = false;
    const f = this.fragmentCount > 0 ? this.fragments[this.fragmentCount - 1] : undefined;
    const fetchVa = this.fetchExitVa;
    this.fragmentCount = 0;
    this.replayed = 0;
    this.completing = false;
    this.fetchExitVa = undefined;
    if (fetchVa === undefined && !f) return 0; // no access exited: nothing to fault (KVM refuses the ioctl then)
    const n = fetchVa !== undefined
      ? this.cpu.raiseException(Cause.InsnAccessFault, fetchVa)
      : this.cpu.raiseException(f!.isWrite ? Cause.StoreAccessFault : Cause.LoadAccessFault, f!.va);
    this.abortStreak = this.cpu.instret === this.abortInstret ? this.abortStreak + 1 : 1;
    this.abortInstret = this.cpu.instret;
    if (this.abortStreak >= TRAP_LOOP_LIMIT) this.tripleFault();
    return n;
  }

  /** The `i`th fragment's object, made the first time an instruction needs that many. */
  private fragmentSlot(i: number): MmioFragment {
    const fs = this.fragments;
    if (i === fs.length) fs.push({ va: 0, access: Access.Read, gpa: 0, size: 0, isWrite: false, data: 0 });
    return fs[i];
  }

  /** The last KVM_RUN ended because the guest halted (wfi with nothing pending). */
  get blockedInHlt(): boolean { return this.cpu.stopReason === StopReason.Halted; }

  /** KVM_GET_MP_STATE / KVM_SET_MP_STATE: halted in wfi, or runnable. */
  get mpState(): 'runnable' | 'halted' { return this.cpu.halted ? 'halted' : 'runnable'; }
  set mpState(s: 'runnable' | 'halted') { this.cpu.halted = s === 'halted'; }

  /** KVM_GET_ONE_REG for a CSR (0 when the hart has none). */
  getOneReg(csr: number): number { return (this.cpu.csrRead(csr) ?? 0) | 0; }

  /** KVM_GET_REGS's pc. */
  getPc(): number { return this.cpu.pc >>> 0; }

  /** The vCPU's clock (kvmclock): retired instructions plus the cycles of everything charged to it. */
  clock(): number { return this.cpu.cycles(); }

  /** Instructions the vCPU retired. */
  get instructions(): number { return this.cpu.instret; }

  /** Reset (KVM_SET_REGS/KVM_SET_SREGS with the reset state): the hart at `entry`. */
  reset(entry: number): void {
    this.cpu.reset(entry);
    this.fragmentCount = 0;
    this.completing = false;
    this.extAbortPending = false;
    this.fetchExitVa = undefined;
    this.abortStreak = 0;
    this.abortInstret = -1;
    this.kvmRun.ifFlag = this.cpu.externalInterruptEnabled();
    this.kvmRun.readyForInterruptInjection = this.kvmRun.ifFlag && this.irq.queuedVector < 0;
  }

  /**
   * Can KVM_RUN make progress (kvm_arch_vcpu_runnable)? Not when halted in wfi with no enabled
   * interrupt pending and nothing queued by KVM_INTERRUPT: the host would block the thread.
   */
  runnable(): boolean {
    const c = this.cpu;
    return !(c.halted && (c.mip() & c.mie) === 0 && this.irq.queuedVector < 0);
  }

  /** A halted vCPU's thread sleeps until `cycle` (its clock moves there). */
  idleUntil(cycle: number): void {
    if (cycle > this.cpu.cycles()) this.cpu.addStall(cycle - this.cpu.cycles());
  }

  /**
   * kvm_vcpu_kick: a vCPU in guest mode (another one than the running one) is sent an IPI and
   * takes an EXTERNAL_INTERRUPT exit; one outside guest mode just sees the request at its next entry.
   */
  kick(): void {
    if (this !== this.vm.running && this !== this.vm.inUserspace) this.kickPending = true;
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
    this.entryDue = this.vm.events.wants['exit-phase'];
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
    this.entryDue = false;
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

  /** An exit handled in the kernel has not shown its VM entry yet (shown before the next phase). */
  private entryDue = false;

  /** The VM entry that ends an exit handled in the kernel. */
  private flushEntry(): void {
    if (!this.entryDue) return;
    this.entryDue = false;
    this.phase('kvm', this.vm.arch.vcpuRun, 'VM entry: back to the guest');
  }

  private recordExit(reason: ExitReason, info: ExitInfo, handledIn: 'kernel' | 'vmm', vmmExit: KvmExitName | undefined): void {
    this.flushEntry();
    this.vm.countExit(reason);
    if (!this.vm.config.vpid) {
      // Without VPIDs the processor flushes on VM exit and again on VM entry (SDM §28.4.3.1) — the
      // combined mappings only: guest-physical mappings survive until INVEPT. Under SVM without
      // ASIDs, KVM's TLB_CONTROL flush on VMRUN drops the nested translations too (docs/translation.md).
      this.tlb.flushAll();
      this.tlb.flushAll();
      if (this.vm.config.mmu === 'npt') this.gpaCache.invalidate();
      this.vm.bump('tlb_flush', 2);
    }
    // Built field by field, not with spreads: one small object per exit and a shared hidden class
    // per kind of exit (spreading temporary objects cost more than the rest of an exit).
    const rec: ExitRecord = { reason: this.vm.exitNames[reason], cycle: this.cpu.cycles(), pc: this.cpu.pc, handledIn };
    if (info.gpa !== undefined) rec.gpa = info.gpa >>> 0;
    if (info.gva !== undefined) rec.gva = info.gva >>> 0;
    if (info.access !== undefined) rec.access = ACCESS_NAMES[info.access];
    if (info.qualification !== undefined) rec.qualification = info.qualification;
    if (vmmExit) rec.vmmExit = vmmExit;
    this.lastExit = rec;
    this.vm.logExit(this, rec);
    if (this.vm.events.wants['exit-phase']) {
      // vmx_handle_exit (svm_handle_exit): the dispatcher. The handler it calls emits its own phase
      // where its work starts (handlerPhase, from the code that does the work: exit-handlers.ts).
      this.phase('kvm', `${this.vm.arch.dispatcher}: ${rec.reason}`, exitSentence(rec));
    }
  }

  /**
   * The phase of the handler of the exit just taken (kvm_vmx_exit_handlers[reason], or SVM's), emitted
   * by the handler's code as it starts its work.
   */
  handlerPhase(reason: ExitReason): void {
    if (!this.vm.events.wants['exit-phase']) return;
    const h = this.vm.arch.handlers[reason], rec = this.lastExit;
    if (h && rec) this.phase('kvm', h.name, h.detail(rec));
  }

  chargeWalk(refs: number): void {
    this.tlb.stats.walkRefs += refs;
    this.cpu.addStall(refs * this.vm.cost.pageWalkRef);
  }

  chargeInjection(): void {
    this.cpu.addStall(this.vm.cost.injection);
  }

  /**
   * KVM cannot fetch instructions from MMIO: emulation fails, and KVM_RUN returns with
   * KVM_EXIT_INTERNAL_ERROR (suberror EMULATION, the GPA). The VMM decides what follows: it stops
   * the VM, or, where no device is at all, has an instruction access fault delivered (setVcpuEvents).
   */
  fetchFromMmio(gpa: number, gva: number): number {
    this.exitToVmm(this.mmioExitReason, { gpa, gva, access: Access.Fetch }, 'KVM_EXIT_INTERNAL_ERROR');
    this.handlerPhase(this.mmioExitReason);
    this.phase('kvm', 'handle_emulation_failure', `no instruction to emulate at GPA 0x${hex(gpa)} (not RAM): exit to userspace`);
    const run = this.kvmRun;
    run.internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
    run.internal.gpa = gpa >>> 0;
    this.fetchExitVa = gva | 0;
    this.exitPending = KvmExit.INTERNAL_ERROR;
    this.aborted = true;
    return XLATE_ABORT;
  }

  // ---- CpuPort ------------------------------------------------------------------------------

  translate(va: number, access: Access): number {
    const cpu = this.cpu;
    if (this.replayed < this.fragmentCount) {
      // Retrying an instruction the VMM served: its access is already translated and exited.
      const f = this.fragments[this.replayed];
      if (f.va === va && f.access === access) { this.accessVa = va; cpu.xlateGpa = f.gpa; return XLATE_MMIO; }
    }
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
   * The MMIO path (docs/machine.md): the access already took its exit (EPT violation or misconfig, or a
   * shadow #PF). The kernel emulates the instruction and tries its I/O bus; what no in-kernel device
   * claims leaves KVM_RUN as KVM_EXIT_MMIO for the VMM.
   */
  private mmio(gpa: number, size: number, isWrite: boolean, value: number): number {
    if (this.replayed < this.fragmentCount) {
      const f = this.fragments[this.replayed];
      if (f.gpa === gpa && f.size === size && f.isWrite === isWrite) { this.replayed++; return f.data; }
    }
    const vm = this.vm, cost = vm.cost;
    const reason = this.mmioExitReason;
    const info = this.mmioInfo; // reused: recordExit copies what it keeps
    info.gpa = gpa; info.gva = this.accessVa; info.access = isWrite ? Access.Write : Access.Read; info.qualification = this.mmioQualification;
    this.mmioQualification = 0;
    if (isWrite && vm.paging.emulateRamWrite(this, gpa, size, value)) {
      this.exitInKernel(reason, info, cost.instructionEmulation);
      this.handlerPhase(reason);
      this.phase('kvm', 'kvm_mmu_pte_write', 'the write to a guest page table is emulated; its shadow entries updated');
      // A store the hypervisor emulated (a guest page-table write under shadow paging) is still a
      // store to that RAM word: data breakpoints and the last-write search see it.
      const host = vm.gpaToHost(gpa);
      if (vm.host.watchCount !== 0 && vm.host.watchedPages[host >>> 12] !== 0) this.watchedAccess(this.accessVa, host, size, true, value);
      return 0;
    }
    const kernelDev = vm.kernelDevice(this, gpa);
    const bus = isWrite ? 'kvm_io_bus_write' : 'kvm_io_bus_read';
    let result = 0;
    if (kernelDev) {
      this.exitInKernel(reason, info, cost.instructionEmulation + cost.inKernelDevice);
      this.handlerPhase(reason);
      if (vm.events.wants['exit-phase']) {
        this.phase('kvm', bus, `claimed by the in-kernel ${kernelDev.name.toUpperCase()}`);
        this.phase('kvm', `${kernelDev.name === 'lapic' ? 'apic' : kernelDev.name}_mmio_${isWrite ? 'write' : 'read'}`,
          `${kernelDev.registerName(gpa, isWrite) ?? 'register'}${isWrite ? ` ← 0x${hex(value)}` : ''}`, kernelDev.name);
      }
      if (isWrite) kernelDev.write(this, gpa, size, value); else result = kernelDev.read(this, gpa, size);
      vm.countMmio(kernelDev.name, isWrite);
      const register = kernelDev.registerName(gpa, isWrite);
      this.annotateExit(kernelDev.name, register, size, isWrite ? value : result);
      vm.logMmio(this, gpa, size, isWrite, isWrite ? value : result, kernelDev.name, register, 'kernel');
      if (this.stopRequested) this.cpu.evt |= vm.failure ? EVT_ABORT : EVT_BREAK;
      return result;
    }
    // Not claimed in the kernel: KVM_RUN returns to the VMM with KVM_EXIT_MMIO. The instruction is
    // abandoned here and retried when the VMM calls KVM_RUN again, with the data it wrote back.
    this.exitToVmm(reason, info, 'KVM_EXIT_MMIO');
    this.handlerPhase(reason);
    this.phase('kvm', bus, 'not claimed by an in-kernel device: exit to userspace');
    vm.bump('mmio_exits');
    const run = this.kvmRun;
    run.mmio.physAddr = gpa; run.mmio.len = size; run.mmio.isWrite = isWrite; run.mmio.data = isWrite ? value >>> 0 : 0;
    const f = this.fragmentSlot(this.fragmentCount++);
    f.va = this.accessVa; f.access = isWrite ? Access.Write : Access.Read; f.gpa = gpa; f.size = size; f.isWrite = isWrite; f.data = 0;
    this.replayed = this.fragmentCount;
    this.completing = true;
    this.exitPending = KvmExit.MMIO;
    this.cpu.evt |= EVT_ABORT;
    if (this.cpu.stopReason === StopReason.None) this.cpu.stopReason = StopReason.Break;
    return 0;
  }

  /** A phase of the exit being handled, for whoever watches (the debugger steps through them). */
  phase(layer: 'kvm' | 'vmm', name: string, detail?: string, device?: string): void {
    const events = this.vm.events;
    if (!events.wants['exit-phase']) return;
    const e: ExitPhaseEvent = { kind: 'exit-phase', cycle: this.cpu.cycles(), vcpu: this.id, layer, name };
    if (detail !== undefined) e.detail = detail;
    if (device !== undefined) e.device = device;
    if (layer === 'vmm') e.run = kvmRunSnapshot(this.kvmRun);
    events.emit(e);
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
    handleHalt(this);
  }

  /** The instruction completes, then KVM_RUN returns to the VMM with `exit` in kvm_run. */
  leaveToVmm(exit: KvmExit): void {
    this.exitPending = exit;
    this.kvmRun.exitReason = exit;
    this.pendingEntryPhase = exit !== KvmExit.HLT; // the VMM re-enters at once (after HLT, when woken)
    if (this.vm.events.wants['exit-phase']) this.phase('kvm', 'kvm_arch_vcpu_ioctl_run', `returns to userspace: ${KVM_EXIT_CODE_NAMES[exit]}`);
    this.cpu.evt |= EVT_BREAK;
    if (this.cpu.stopReason === StopReason.None) this.cpu.stopReason = StopReason.Break;
  }

  /**
   * The in-kernel LAPIC took the EOI of a level-triggered vector while the IOAPIC is in the VMM
   * (split irqchip): after the instruction KVM_RUN returns with KVM_EXIT_IOAPIC_EOI (one VMX exit,
   * now also a return to the VMM).
   */
  exitIoapicEoi(vector: number): void {
    this.continueToVmm('KVM_EXIT_IOAPIC_EOI');
    this.phase('kvm', 'kvm_ioapic_send_eoi', `vector 0x${hex(vector)} is level-triggered and the IOAPIC is in userspace`);
    this.kvmRun.eoi.vector = vector;
    this.leaveToVmm(KvmExit.IOAPIC_EOI);
  }

  /**
   * KVM_INTERRUPT (userspace irqchip): queue `vector` for injection at the next VM entry. The
   * VMM has already done the INTA on its LAPIC.
   */
  injectInterrupt(vector: number): void {
    this.irq.queuedVector = vector;
    this.kvmRun.readyForInterruptInjection = false;
    this.cpu.addStall(this.vm.cost.ioctl);
    this.cpu.setExternalLine(true);
  }

  trapTaken(cause: number, tval: number, epc: number, fromPriv: number): void {
    const events = this.vm.events;
    if (!events.active) return;
    const sink = events.direct['guest-trap'];
    if (sink) sink.guestTrap(this.cpu.cycles(), this.id, cause < 0, tval >>> 0, this.cpu.pc >>> 0);
    else events.emit({
      kind: 'guest-trap', cycle: this.cpu.cycles(), vcpu: this.id, cause: cause >>> 0, interrupt: cause < 0, tval: tval >>> 0,
      epc: epc >>> 0, handler: this.cpu.pc >>> 0, fromPriv, toPriv: this.cpu.priv,
    });
  }

  /** Between instructions, before interrupts are checked: the userspace irqchip's interrupt window. */
  beforeInterruptCheck(): void {
    if (this.kvmRun.requestInterruptWindow && this.cpu.externalInterruptEnabled()) {
      this.kvmRun.requestInterruptWindow = false;
      handleInterruptWindow(this);
    }
  }

  hypercall(): void {
    handleVmcall(this);
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
    if (!vm.events.wants['mem-access']) return;
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
export function tlbPermits(flags: number, access: Access, priv: Priv, paging: boolean, sum: boolean, mxr: boolean): boolean {
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
