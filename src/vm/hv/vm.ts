// The hypervisor's VM object (KVM's `struct kvm`): memslots, the guest-memory virtualization (EPT
// or shadow pages), vCPUs, the in-kernel I/O bus, statistics and the exit log. It knows memslots,
// not device regions: an access outside every memslot is MMIO, and MMIO the kernel does not emulate
// goes back to the VMM (docs/machine.md).
import { HostMemory } from '../mem/host-memory';
import { EventStream, exitInChain } from '../events';
import { DEFAULT_TLB, TlbConfig } from '../mmu/tlb';
import { DEFAULT_GPA_CACHE, GpaCacheConfig } from '../mmu/gpa-cache';
import { ExitRecord, KernelMmioHandler, Vcpu } from './vcpu';
import { KvmStatName, newKvmStats } from './stats';
import { ExitArch, SVM, VMX } from './exit-handlers';
import { EXIT_REASON_NAMES, ExitReason, KVM_EXIT_NAMES, KvmExitName, SVM_EXIT_NAMES } from './exits';
import { CostModel, DEFAULT_COST_MODEL } from './cost-model';
import { EptPaging, ShadowPaging } from './paging';
import { NptPaging } from './npt-paging';
import { inveptGlobal, inveptSingle, invvpid } from './invalidate';
import { InKernelIrqchip, IrqchipMode, IrqOrigin } from './irqchip';
import type { ApicMessage } from '../irq';

/** KVM_SET_USER_MEMORY_REGION's struct kvm_userspace_memory_region; userspaceAddr is a host offset. */
interface Memslot {
  slot: number;
  guestPhysAddr: number;
  memorySize: number;
  userspaceAddr: number;
}

/** Interrupt counters of docs/contracts.md `--stats` `interrupts`, and every latency measured. */
interface InterruptStats {
  /** Device lines that rose, and MSIs sent. */
  asserted: number;
  /** Vectors accepted into a LAPIC's IRR from a line or an MSI. */
  delivered: number;
  /** External interrupts the guest entered a handler for. */
  taken: number;
  /** Latencies measured (interrupts whose origin is known), their sum and the largest. */
  measured: number;
  latencySum: number;
  latencyMax: number;
}

/** Why a VM can no longer run (KVM_EXIT_SHUTDOWN, KVM_EXIT_INTERNAL_ERROR, or a VMM decision). */
interface VmFailure {
  exit: KvmExitName | 'VMM';
  message: string;
}

export interface VmConfig {
  mmu: 'ept' | 'npt' | 'shadow';
  vpid: boolean;
  irqchip: IrqchipMode;
  tlb: TlbConfig;
  /** The guest-physical mappings cache (EPT/NPT). */
  gpaCache: GpaCacheConfig;
  cost: CostModel;
  /**
   * Run hot guest code through the block compiler (docs/block-compiler.md); false: interpret every
   * instruction. Undefined means on. `compileThreshold`: block hotness before compiling (tests).
   */
  compiler?: boolean;
  compileThreshold?: number;
}

const DEFAULT_VM_CONFIG: VmConfig = { mmu: 'ept', vpid: true, irqchip: 'kernel', tlb: DEFAULT_TLB, gpaCache: DEFAULT_GPA_CACHE, cost: DEFAULT_COST_MODEL };

/** The largest ASID (CPUID 8000_000A EBX on a small part; the TLB stores 16-bit tags). */
const MAX_ASID = 0xffff;

/** How many exits the recent-exit log keeps (the VM Exits view, `info exits`). */
const EXIT_LOG_SIZE = 64;

export class Vm {
  readonly memslots: Memslot[] = [];
  readonly vcpus: Vcpu[] = [];
  readonly stats = newKvmStats();
  /** Exit names by reason: Intel's basic exit reasons, or SVM's exit names under NPT. */
  readonly exitNames: Record<number, string>;
  /** The names KVM gives the exit's steps: VMX's, or SVM's under NPT (docs/exits.md). */
  readonly arch: ExitArch;
  /** VM exits by exit name; every name present. */
  readonly exitsByReason: Map<string, number>;
  /** Exits that returned to the VMM, by KVM exit name; every name present. */
  readonly vmmExits = new Map<string, number>(KVM_EXIT_NAMES.map((n) => [n, 0]));
  /** MMIO accesses per device, kernel and VMM alike. */
  readonly mmioCounts = new Map<string, { reads: number; writes: number; handledIn: 'kernel' | 'vmm' }>();
  /** The recent exits as a ring: `exitRingNext` is the oldest once it is full (no shift per exit). */
  private readonly exitRing: ExitRecord[] = [];
  private exitRingNext = 0;
  readonly paging: EptPaging | NptPaging | ShadowPaging;
  readonly cost: CostModel;
  readonly config: VmConfig;
  private readonly kernelDevices: KernelMmioHandler[] = [];
  failure: VmFailure | undefined;
  /** A debugger is attached: ebreak stops instead of trapping (docs/machine.md). */
  debuggerAttached = false;
  /** The in-kernel irqchip (kernel and split modes). */
  readonly irqchip: InKernelIrqchip | undefined;
  readonly irqStats: InterruptStats = { asserted: 0, delivered: 0, taken: 0, measured: 0, latencySum: 0, latencyMax: 0 };
  /** When each GSI last rose (virtual time), for latency. */
  readonly lineRoseAt = new Float64Array(24);
  /** The vCPU inside KVM_RUN right now, whose clock is the machine's present. */
  running: Vcpu | undefined;
  /** The vCPU whose thread is in the VMM handling its exit (out of KVM_RUN, about to re-enter). */
  inUserspace: Vcpu | undefined;
  /** NPT: the ASID the next fresh assignment takes (vCPU n starts with ASID n + 1). */
  private nextAsid = 0;

  constructor(readonly host: HostMemory, readonly events: EventStream, config: Partial<VmConfig> = {}) {
    this.config = { ...DEFAULT_VM_CONFIG, ...config };
    this.cost = this.config.cost;
    const mmu = this.config.mmu;
    this.paging = mmu === 'shadow' ? new ShadowPaging(this) : mmu === 'npt' ? new NptPaging(this) : new EptPaging(this);
    this.exitNames = mmu === 'npt' ? SVM_EXIT_NAMES : EXIT_REASON_NAMES;
    this.arch = mmu === 'npt' ? SVM : VMX;
    this.exitsByReason = new Map(Object.values(this.exitNames).map((n) => [n, 0]));
    this.irqchip = this.config.irqchip === 'userspace' ? undefined : new InKernelIrqchip(this, this.config.irqchip);
  }

  /** The present in virtual time: the running vCPU's clock, else the most advanced one. */
  now(): number {
    const v = this.running ?? this.inUserspace;
    return v ? v.cpu.cycles() : this.maxCycles();
  }

  /** The most advanced vCPU's clock. */
  maxCycles(): number {
    let c = 0;
    for (const v of this.vcpus) c = Math.max(c, v.cpu.cycles());
    return c;
  }

  /**
   * Every message headed for LAPICs from a line or an MSI comes through here: it is counted, and
   * each target vCPU remembers when the interrupt started its journey (for the latency) and what
   * the path costs; a target that is not the vCPU now running gets kicked (an external-interrupt exit).
   */
  prepareDelivery(msg: ApicMessage, targets: readonly number[], pathCost: number): void {
    const now = this.now();
    const cycle = msg.gsi !== undefined ? this.lineRoseAt[msg.gsi] : now;
    for (const t of targets) {
      const v = this.vcpus[t];
      if (!v) continue;
      // vCPUs run in turns: a target behind the sender in virtual time catches up, so it never
      // accepts (or takes) an interrupt before it was sent.
      if (v.cpu.cycles() < now) v.cpu.addStall(now - v.cpu.cycles());
      const origin: IrqOrigin = { cycle, pathCost };
      v.irq.origins.set(msg.vector, origin);
    }
  }

  noteDelivery(msg: ApicMessage, targets: readonly number[], accepted: number): void {
    if (accepted <= 0) {
      for (const t of targets) this.vcpus[t]?.irq.origins.delete(msg.vector);
      return;
    }
    this.irqStats.delivered += accepted;
    for (const t of targets) {
      const v = this.vcpus[t];
      v?.kick();
    }
  }

  /** INTA: the hart takes its external interrupt; returns the vector and records the latency. */
  interruptAcknowledge(v: Vcpu): number {
    let vector: number;
    if (this.irqchip) {
      vector = this.irqchip.lapics[v.id].acknowledge();
    } else {
      vector = v.irq.queuedVector;
      v.irq.queuedVector = -1;
      v.cpu.setExternalLine(false);
    }
    const origin = v.irq.origins.get(vector);
    v.irq.origins.delete(vector);
    v.cpu.addStall((origin?.pathCost ?? 0) + this.cost.injection);
    this.bump('irq_injections');
    this.irqStats.taken++;
    if (origin) {
      const s = this.irqStats, latency = v.cpu.cycles() - origin.cycle;
      s.measured++;
      s.latencySum += latency;
      if (latency > s.latencyMax) s.latencyMax = latency;
    }
    if (this.events.active) {
      const sink = this.events.direct['interrupt-taken'];
      if (sink) sink.interruptTaken(v.cpu.cycles(), v.id, vector);
      else this.events.emit({ kind: 'interrupt-taken', cycle: v.cpu.cycles(), vcpu: v.id, vector, latency: origin ? v.cpu.cycles() - origin.cycle : -1 });
    }
    return vector;
  }

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
    this.resetMmu();
  }

  /**
   * Drops every second-stage mapping and cached translation (a memslot change, a reset), issuing the
   * invalidations KVM issues (docs/translation.md "Who invalidates what"):
   * - EPT: kvm_flush_remote_tlbs makes every vCPU run vmx_flush_tlb_all, an INVEPT global (whatever
   *   the VPID setting: VM entries do not drop guest-physical mappings); the root is then rebuilt and
   *   kvm_mmu_load's vmx_flush_tlb_current issues an INVEPT single-context for the new EPTP.
   * - shadow: no EPT, so vmx_flush_tlb_all is an INVVPID (with VPIDs; without them there is nothing
   *   to invalidate by tag, the next VM entry flushes).
   * - NPT: no INVEPT/INVVPID on SVM: a fresh ASID (svm.c new_asid) strands the old TLB entries and
   *   guest-physical mappings (both tagged with the ASID); without ASIDs the TLB is flushed.
   */
  resetMmu(): void {
    this.paging.reset();
    const mmu = this.config.mmu;
    for (const v of this.vcpus) {
      if (mmu === 'npt' && this.config.vpid) v.assignAsid(this.allocAsid());
      else v.tlb.flushAll();
      if (this.paging instanceof EptPaging) {
        inveptGlobal(v);
        inveptSingle(v, this.paging.cacheTag()); // after the root reload
      } else if (mmu === 'npt' && !this.config.vpid) {
        v.gpaCache.invalidate();
      } else if (mmu === 'shadow' && this.config.vpid) {
        invvpid(v);
      }
      v.cpu.flushTranslations();
    }
  }

  /** The next ASID (KVM's per-CPU next_asid); when they run out, a new generation flushes every TLB. */
  private allocAsid(): number {
    if (this.nextAsid <= this.vcpus.length) this.nextAsid = this.vcpus.length + 1;
    if (this.nextAsid > MAX_ASID) {
      this.nextAsid = this.vcpus.length + 1;
      for (const v of this.vcpus) { v.tlb.flushAll(); v.gpaCache.invalidate(); } // TLB_CONTROL_FLUSH_ALL_ASID
    }
    return this.nextAsid++;
  }

  /** Host offset of `gpa` if a memslot backs it, else -1. */
  gpaToHost(gpa: number): number {
    for (const m of this.memslots) {
      const off = gpa - m.guestPhysAddr;
      if (off >= 0 && off < m.memorySize) return m.userspaceAddr + off;
    }
    return -1;
  }

  /** The GPA a host offset backs (inverse of gpaToHost), or -1. */
  hostToGpa(host: number): number {
    for (const m of this.memslots) {
      const off = host - m.userspaceAddr;
      if (off >= 0 && off < m.memorySize) return m.guestPhysAddr + off;
    }
    return -1;
  }

  createVcpu(): Vcpu {
    const v = new Vcpu(this, this.vcpus.length);
    this.vcpus.push(v);
    this.irqchip?.attachVcpu(v);
    return v;
  }

  /** Registers an in-kernel device on the kernel's I/O bus (KVM's kvm_io_bus_register_dev). */
  registerKernelDevice(d: KernelMmioHandler): void {
    this.kernelDevices.push(d);
    this.mmioCounts.set(d.name, { reads: 0, writes: 0, handledIn: 'kernel' });
  }

  kernelDevice(vcpu: Vcpu, gpa: number): KernelMmioHandler | undefined {
    for (const d of this.kernelDevices) if (d.claims(vcpu, gpa)) return d;
    return undefined;
  }

  countMmio(device: string, isWrite: boolean, handledIn: 'kernel' | 'vmm' = 'kernel'): void {
    let c = this.mmioCounts.get(device);
    if (!c) { c = { reads: 0, writes: 0, handledIn }; this.mmioCounts.set(device, c); }
    if (isWrite) c.writes++; else c.reads++;
  }

  bump(stat: KvmStatName, by = 1): void {
    this.stats[stat] += by;
  }

  countExit(reason: ExitReason): void {
    const name = this.exitNames[reason];
    this.exitsByReason.set(name, (this.exitsByReason.get(name) ?? 0) + 1);
    this.stats.exits++;
  }

  countVmmExit(name: KvmExitName): void {
    this.vmmExits.set(name, (this.vmmExits.get(name) ?? 0) + 1);
  }

  /** The recent exits, oldest first (a copy). */
  get exitLog(): ExitRecord[] {
    const r = this.exitRing;
    return r.length < EXIT_LOG_SIZE ? r.slice() : [...r.slice(this.exitRingNext), ...r.slice(0, this.exitRingNext)];
  }

  logExit(vcpu: Vcpu, rec: ExitRecord): void {
    const r = this.exitRing;
    if (r.length < EXIT_LOG_SIZE) r.push(rec);
    else { r[this.exitRingNext] = rec; this.exitRingNext = (this.exitRingNext + 1) % EXIT_LOG_SIZE; }
    if (this.events.active) {
      const sink = this.events.direct.exit;
      if (sink) {
        if (exitInChain(rec.reason, rec.gpa, rec.access, rec.vmmExit)) sink.exit(rec.cycle, vcpu.id, rec.reason, rec.gpa, rec.access, rec.handledIn, rec.vmmExit);
      } else this.events.emit({
        kind: 'exit', cycle: rec.cycle, vcpu: vcpu.id, reason: rec.reason, gpa: rec.gpa, gva: rec.gva, access: rec.access,
        handledIn: rec.handledIn, vmmExit: rec.vmmExit, pc: rec.pc,
      });
    }
  }

  logMmio(vcpu: Vcpu, gpa: number, size: number, write: boolean, value: number, device: string, register: string | undefined, handledIn: 'kernel' | 'vmm'): void {
    if (!this.events.wants.mmio) return;
    this.events.emit({ kind: 'mmio', cycle: vcpu.cpu.cycles(), vcpu: vcpu.id, gpa, size, write, value: value >>> 0, device, register, handledIn, pc: vcpu.cpu.pc });
  }

  fail(exit: VmFailure['exit'], message: string): void {
    if (!this.failure) this.failure = { exit, message };
    for (const v of this.vcpus) v.requestStop();
  }
}
