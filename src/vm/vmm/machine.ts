// The VMM's machine (QEMU's `virt`-like board, docs/devices.md): it allocates guest RAM, registers
// it with the hypervisor as memslot 0, owns the memory-region tree and the devices, and runs each
// vCPU as QEMU's kvm_cpu_exec does: KVM_RUN, then a switch on kvm_run's exit_reason, the result
// written back into kvm_run, and KVM_RUN again (docs/exits.md).
import { HostMemory } from '../mem/host-memory';
import { EventStream } from '../events';
import { Vm, VmConfig } from '../hv/vm';
import { KvmExit, KVM_INTERNAL_ERROR_EMULATION, kvmRunSnapshot } from '../hv/kvm-run';
import { DEFAULT_TLB } from '../mmu/tlb';
import { DEFAULT_GPA_CACHE } from '../mmu/gpa-cache';
import { DEFAULT_COST_MODEL } from '../hv/cost-model';
import { hex, Vcpu } from '../hv/vcpu';
import { MmioDevice } from './device';
import { Finisher, FinisherAction } from './finisher';
import { Uart16550 } from './uart16550';
import { MemoryRegionTree } from './mtree';
import { MISA_VALUE } from '../cpu/csr';
import { markNotSnapshotted } from '../mem/not-snapshotted';
import { IOAPIC_BASE, LAPIC_BASE, APIC_MMIO_SIZE } from '../hv/irqchip';
import { VmmInterrupts } from './interrupts';
import { PciBus, PCI_ECAM_BASE, PCI_ECAM_SIZE, PCI_MMIO_BASE, PCI_MMIO_SIZE } from './pci';
import { Nic, NicRxResult } from './nic';
import { TESTDEV_BASE, TESTDEV_SIZE, TestDev } from './testdev';
import type { Ioapic, Lapic, ApicRouter } from '../irq';

export const RAM_BASE = 0x8000_0000;
export const FINISHER_BASE = 0x0010_0000;
export const UART_BASE = 0x1000_0000;
/** The UART's line: GSI 4, edge, active-high (docs/machine.md). */
export const UART_GSI = 4;

export interface NicConfig {
  /** PCI slot on bus 0 (1–31): INTA then swizzles to GSI 16 + (slot mod 4). */
  slot: number;
  /** Offer an MSI capability (the guest decides whether to enable it). */
  msi: boolean;
}

export interface MachineConfig extends VmConfig {
  memoryMiB: number;
  vcpus: number;
  devices: { nic?: NicConfig | false };
  /**
   * An access to a GPA that no RAM and no device claims: false (the default) faults in the guest,
   * as on QEMU's virt (cause 5/7/1, xtval = the address); true stops the VM ("no device at GPA …",
   * exit 125 from the CLI). docs/exits.md "An access no device claims".
   */
  strictMmio: boolean;
}

/** The accesses no RAM and no device claimed (answered with an access fault): counted, the first few kept. */
interface UnclaimedAccesses {
  reads: number;
  writes: number;
  fetches: number;
  first: { gpa: number; gva: number; access: 'read' | 'write' | 'fetch'; vcpu: number; pc: number; cycle: number }[];
}

const UNCLAIMED_KEPT = 16;

const DEFAULT_NIC: NicConfig = { slot: 3, msi: true };

const DEFAULT_MACHINE_CONFIG: MachineConfig = {
  memoryMiB: 64, vcpus: 1, mmu: 'ept', vpid: true, irqchip: 'kernel', tlb: DEFAULT_TLB, gpaCache: DEFAULT_GPA_CACHE, cost: DEFAULT_COST_MODEL,
  devices: { nic: DEFAULT_NIC }, strictMmio: false,
};

/** Something that happens at a given virtual time, from outside the guest (docs/contracts.md `events`, CLI --event). */
export type ScheduledEvent =
  | { atCycle: number; kind: 'nic-rx'; data: Uint8Array }
  | { atCycle: number; kind: 'irq'; gsi: number; level: boolean }
  | { atCycle: number; kind: 'uart-rx'; data: Uint8Array };

/** A loadable piece of a program image (an ELF PT_LOAD segment). */
export interface LoadSegment {
  paddr: number;
  data: Uint8Array;
  memSize: number;
}

export interface ProgramImage {
  entry: number;
  segments: LoadSegment[];
}

export type RunOutcome =
  | { kind: 'poweroff'; code: number }
  | { kind: 'limit' }
  | { kind: 'failure'; message: string }
  /** Every vCPU waits in wfi and nothing can ever wake it. */
  | { kind: 'halted'; message: string }
  /** The run returned early and the machine can resume: a pause, a breakpoint, ebreak, or the step target. */
  | { kind: 'stopped'; reason: 'pause' | 'breakpoint' | 'ebreak' | 'step'; vcpu: number };

export interface MachineIo {
  /** Bytes the guest wrote to its console (UART THR). */
  consoleOutput(byte: number): void;
  /** A packet the guest sent through the NIC. */
  nicTransmit?(packet: Uint8Array): void;
}

/** Packets the VMM holds for a NIC that cannot receive. */
const NET_QUEUE_LIMIT = 64;

/** Steps each vCPU runs before the next one gets its turn: fixed, so runs are deterministic. */
const QUANTUM = 10_000;

/** QEMU's function for a device's register write/read, as the stack shows it. */
const DEVICE_HANDLERS: Record<string, string> = {
  uart: 'serial', finisher: 'sifive_test', testdev: 'testdev', ioapic: 'ioapic_mem', lapic: 'apic_mem', 'pci-ecam': 'pci_host_config', nic: 'hyperstep_nic_mmio',
};

export class Machine {
  readonly config: MachineConfig;
  readonly events = new EventStream();
  readonly host: HostMemory;
  readonly vm: Vm;
  readonly mtree = new MemoryRegionTree();
  readonly uart: Uart16550;
  readonly finisher: Finisher;
  readonly testdev: TestDev;
  readonly interrupts: VmmInterrupts;
  readonly pci: PciBus;
  readonly nic: Nic | undefined;
  /** Packets held for the NIC (QEMU's NetQueue). */
  private readonly netQueue: Uint8Array[] = [];
  /** Scheduled events not yet fired, in time order. */
  private readonly schedule: ScheduledEvent[] = [];
  private readonly lapicDevice: ReturnType<VmmInterrupts['lapicDevice']> | undefined;
  private poweredOff: { code: number } | undefined;
  private resetRequested = false;
  private image: ProgramImage | undefined;
  private stopRequested = false;
  /** Scheduler: whose turn it is and how many steps of its quantum are left. */
  private turn = 0;
  private quantumLeft = QUANTUM;
  /** Steps taken by all vCPUs since boot: the machine's position in time (reverse execution seeks by it). */
  steps = 0;
  /**
   * State kept by observers of the event stream that must rewind with the machine (the interrupt
   * chain recorder, vm/provenance): part of the snapshotted graph, so checkpoints restore it.
   */
  readonly observerState = new Map<string, object>();
  private ranOnce = false;

  constructor(config: Partial<MachineConfig>, private readonly io: MachineIo) {
    this.config = { ...DEFAULT_MACHINE_CONFIG, ...config };
    const ramBytes = this.config.memoryMiB * 1024 * 1024;
    this.host = new HostMemory(ramBytes);
    this.vm = new Vm(this.host, this.events, this.config);
    this.vm.setUserMemoryRegion({ slot: 0, guestPhysAddr: RAM_BASE, memorySize: ramBytes, userspaceAddr: 0 });
    this.mtree.addRam('ram', RAM_BASE, ramBytes);
    this.interrupts = new VmmInterrupts(this.vm, this.config.irqchip);
    this.uart = new Uart16550({ output: (b) => this.io.consoleOutput(b), irq: (level) => this.setGsi(UART_GSI, level, 'uart') });
    this.finisher = new Finisher((a) => this.onFinisher(a));
    this.testdev = new TestDev((gsi, level, device) => this.setGsi(gsi, level, device));
    this.pci = new PciBus({
      setGsi: (gsi, level, device) => this.setGsi(gsi, level, device),
      signalMsi: (address, data, device) => this.interrupts.signalMsi(address, data, device),
      events: this.events, clock: () => this.vm.now(),
    });
    const nicConfig = this.config.devices.nic;
    if (nicConfig) {
      this.nic = new Nic({ dma: this.dma(), transmit: (p) => this.io.nicTransmit?.(p) }, { msi: nicConfig.msi });
      this.pci.attach(this.nic, nicConfig.slot);
    }
    this.mapDevice(this.finisher, FINISHER_BASE, 0x1000);
    this.mapDevice(this.testdev, TESTDEV_BASE, TESTDEV_SIZE);
    this.mapDevice(this.uart, UART_BASE, 0x100);
    this.mapDevice(this.pci.ecam, PCI_ECAM_BASE, PCI_ECAM_SIZE);
    this.mapDevice(this.pci.window, PCI_MMIO_BASE, PCI_MMIO_SIZE);
    if (this.nic) this.vm.mmioCounts.set('nic', { reads: 0, writes: 0, handledIn: 'vmm' });
    if (this.config.irqchip !== 'kernel') this.mapDevice(this.interrupts.ioapicDevice(), IOAPIC_BASE, APIC_MMIO_SIZE);
    else this.mtree.addKernelRegion('kvm-ioapic', IOAPIC_BASE, APIC_MMIO_SIZE);
    if (this.config.irqchip === 'userspace') {
      this.lapicDevice = this.interrupts.lapicDevice();
      this.mapDevice(this.lapicDevice, LAPIC_BASE, APIC_MMIO_SIZE);
    } else {
      this.mtree.addKernelRegion('kvm-apic', LAPIC_BASE, APIC_MMIO_SIZE);
    }
    for (let i = 0; i < this.config.vcpus; i++) this.interrupts.attachVcpu(this.vm.createVcpu());
    // A timer armed, moved or stopped while its vCPU runs (a TMICT, TDCR or LVT write): the run
    // ends at the new deadline, not at the one computed when the slice began.
    this.lapics.forEach((l, i) => {
      l.onTimerDeadlineChange = () => { const v = this.vcpus[i]; v.deadline = v.clock() + this.cyclesToNextWakeup(v); };
    });
  }

  get irqchip(): 'kernel' | 'split' | 'userspace' { return this.config.irqchip; }
  /** The IOAPIC, in the hypervisor (kernel) or in the VMM (split, userspace). */
  get ioapic(): Ioapic { return this.interrupts.theIoapic(); }
  get lapics(): readonly Lapic[] { return this.interrupts.allLapics(); }
  get router(): ApicRouter { return (this.vm.irqchip?.router ?? this.interrupts.router)!; }

  /** A device (or the user: device 'console') drives a GSI. */
  setGsi(gsi: number, level: boolean, device: string): number {
    return this.interrupts.setGsi(gsi, level, device);
  }

  /**
   * A packet arrives for the NIC (from the user, the debug console or the schedule). Like QEMU's
   * net layer, the VMM holds packets while the NIC cannot receive (receiver off, no descriptor)
   * and flushes them when the driver makes room; past NET_QUEUE_LIMIT the NIC drops them itself.
   */
  nicReceive(packet: Uint8Array, scheduledAt?: number): NicRxResult | 'queued' | 'no-nic' {
    const nic = this.nic;
    if (!nic) return 'no-nic';
    if ((this.netQueue.length || !nic.canReceive()) && this.netQueue.length < NET_QUEUE_LIMIT) {
      this.netQueue.push(packet.slice());
      if (this.events.active) {
        const reason = nic.receiveBlocker() ?? 'packets ahead of it are still queued';
        const sink = this.events.direct.nic;
        if (sink) sink.nic(this.vm.now(), 'nic', 'rx-queued', packet.length, undefined, undefined, reason, scheduledAt);
        else {
          this.events.emit({
            kind: 'nic', cycle: this.vm.now(), vcpu: -1, device: 'nic', action: 'rx-queued', length: packet.length,
            reason, ...(scheduledAt !== undefined ? { scheduledAt } : {}),
          });
        }
      }
      return 'queued';
    }
    return nic.receive(packet);
  }

  /** Packets waiting in the VMM for the NIC. */
  get netQueueLength(): number { return this.netQueue.length; }

  private flushNetQueue(): void {
    const nic = this.nic;
    while (nic && this.netQueue.length && nic.canReceive()) nic.receive(this.netQueue.shift()!);
  }

  /** Text typed into the guest's console. Returns how many bytes the UART took. */
  uartInput(bytes: Uint8Array): number {
    return this.uart.input(bytes);
  }

  /** Schedules an outside event at a virtual time (events in the past fire at the next step). */
  scheduleEvent(e: ScheduledEvent): void {
    let i = this.schedule.length;
    while (i > 0 && this.schedule[i - 1].atCycle > e.atCycle) i--;
    this.schedule.splice(i, 0, e);
  }

  get pendingEvents(): readonly ScheduledEvent[] { return this.schedule; }

  /** Guest-physical DMA for devices: whole transfers inside RAM, or nothing. */
  private dma(): { read(gpa: number, length: number): Uint8Array | undefined; write(gpa: number, bytes: Uint8Array): boolean } {
    const inRam = (gpa: number, length: number): number => {
      const start = this.vm.gpaToHost(gpa), last = this.vm.gpaToHost(gpa + Math.max(length, 1) - 1);
      return start >= 0 && last >= 0 && last - start === Math.max(length, 1) - 1 ? start : -1;
    };
    return {
      read: (gpa, length) => { const h = inRam(gpa, length); return h < 0 ? undefined : this.host.read(h, length); },
      write: (gpa, bytes) => { const h = inRam(gpa, bytes.length); if (h < 0) return false; this.host.write(h, bytes); return true; },
    };
  }

  get vcpus(): readonly Vcpu[] { return this.vm.vcpus; }

  mapDevice(device: MmioDevice, base: number, size: number): void {
    this.mtree.addDevice(device, base, size);
    this.vm.mmioCounts.set(device.name, { reads: 0, writes: 0, handledIn: 'vmm' });
  }

  /**
   * Copies the program into RAM and points every vCPU at its entry. A segment that lies partly
   * outside RAM is clipped to RAM, as QEMU's loader does (`gcc -Ttext=…` puts the ELF header in the
   * first segment, below RAM); the clipped parts come back as warnings. A segment entirely outside
   * RAM, or an entry point outside it, is an error (naming the segment); nothing is loaded then.
   */
  load(image: ProgramImage): { error?: string; warnings: string[] } {
    const warnings: string[] = [];
    const ramEnd = RAM_BASE + this.host.size;
    const clipped: LoadSegment[] = [];
    for (const s of image.segments) {
      if (s.memSize === 0) continue;
      const start = Math.max(s.paddr, RAM_BASE), end = Math.min(s.paddr + s.memSize, ramEnd);
      if (start >= end) {
        return { error: `segment at 0x${hex(s.paddr)} (${s.memSize} bytes) is outside RAM [0x${hex(RAM_BASE)}, 0x${hex(ramEnd)})`, warnings };
      }
      // `gcc -Ttext=0x80000000` puts the first PT_LOAD (ELF and program headers included) below RAM:
      // only those header bytes are dropped. Anything else outside RAM is part of the program, and
      // running it without them would fail later and far from the cause: refused.
      const onlyElfHeader = start - s.paddr <= s.data.length && end === s.paddr + s.memSize && isElfHeader(s.data);
      if ((start !== s.paddr || end !== s.paddr + s.memSize) && !onlyElfHeader) {
        return {
          error: `PT_LOAD segment at p_paddr 0x${hex(s.paddr)} (p_memsz ${s.memSize}): ${s.memSize - (end - start)} bytes lie outside RAM ` +
            `[0x${hex(RAM_BASE)}, 0x${hex(ramEnd)})`,
          warnings,
        };
      }
      const skip = start - s.paddr;
      clipped.push({ paddr: start, data: s.data.subarray(Math.min(skip, s.data.length), Math.min(s.data.length, end - s.paddr)), memSize: end - start });
    }
    if (this.vm.gpaToHost(image.entry) < 0) return { error: `entry point 0x${hex(image.entry)} is not in RAM`, warnings };
    if (image.entry % IALIGN !== 0) {
      return { error: `entry point e_entry 0x${hex(image.entry)} is not ${IALIGN}-byte aligned: the first fetch would trap (instruction address misaligned)`, warnings };
    }
    this.image = markNotSnapshotted({ entry: image.entry, segments: clipped });
    this.reset();
    return { warnings };
  }

  /** System reset: RAM reloaded from the image (as QEMU reloads its ROM blobs), every vCPU at the entry. */
  reset(): void {
    if (this.ranOnce) { // a fresh ArrayBuffer is zeroed already: skip clearing hundreds of MiB at boot
      this.host.prepareWrite(0, this.host.size); // a checkpoint taken before the reset keeps RAM as it was
      this.host.u8.fill(0);
      this.host.decoded.fill(0);
    }
    this.ranOnce = true;
    this.turn = 0;
    this.quantumLeft = QUANTUM;
    this.ioapic.reset();
    for (const l of this.lapics) l.reset();
    this.pci.reset();
    this.testdev.reset();
    this.vm.resetMmu();
    const image = this.image;
    if (image) {
      for (const s of image.segments) {
        if (s.memSize === 0) continue;
        this.host.write(this.vm.gpaToHost(s.paddr), s.data.subarray(0, Math.min(s.data.length, s.memSize)));
      }
    }
    for (const v of this.vcpus) v.reset(image?.entry ?? RAM_BASE);
  }

  /** Asks a running `run` to return at the next instruction boundary (pause). */
  requestStop(): void {
    this.stopRequested = true;
    for (const v of this.vcpus) v.requestStop();
  }

  /** Total retired instructions over all vCPUs. */
  instructions(): number {
    let n = 0;
    for (const v of this.vcpus) n += v.instructions;
    return n;
  }

  /** Virtual time: the most advanced vCPU's clock. */
  cycles(): number {
    return this.vm.maxCycles();
  }

  /**
   * Runs until the guest powers off, fails, halts for good, `maxInstructions` retire, the machine
   * reaches `untilStep` steps, or a stop is requested (a breakpoint, ebreak under a debugger,
   * requestStop). vCPUs take turns by fixed quanta of steps; the turn and what is left of it are
   * machine state, so the interleaving is the same however the run is sliced (a debugger stepping
   * one instruction at a time sees exactly what a free run does).
   */
  run(maxInstructions = Infinity, untilStep = Infinity): RunOutcome {
    this.stopRequested = false;
    let idle = 0;
    for (;;) {
      if (this.vm.failure) return { kind: 'failure', message: this.vm.failure.message };
      if (this.poweredOff) return { kind: 'poweroff', code: this.poweredOff.code };
      if (this.resetRequested) { this.resetRequested = false; this.reset(); }
      if (this.stopRequested) return { kind: 'stopped', reason: 'pause', vcpu: this.turn };
      const left = Math.min(maxInstructions - this.instructions(), untilStep - this.steps);
      if (left <= 0) return this.steps >= untilStep ? { kind: 'stopped', reason: 'step', vcpu: this.turn } : { kind: 'limit' };
      const v = this.vcpus[this.turn];
      this.catchUp(v);
      if (this.isIdle(v)) {
        // A halted vCPU lets time pass: up to the others' present, or, when every vCPU is idle,
        // to the next thing that can wake one (its LAPIC timer, a scheduled event).
        const allIdle = this.vcpus.every((o) => this.isIdle(o));
        const target = allIdle ? this.earliestWakeup() : this.present();
        if (target !== Infinity && target > v.clock()) { v.idleUntil(target); this.catchUp(v); }
        if (this.isIdle(v)) {
          if (allIdle && target === Infinity && ++idle >= this.vcpus.length) {
            return { kind: 'halted', message: `every vCPU is halted in wfi and no interrupt can arrive (pc 0x${hex(this.vcpus[0].getPc())})` };
          }
          this.nextTurn();
          continue;
        }
      }
      idle = 0;
      // catchUp may have fired events a debugger stops on: honour the request before running.
      if (this.stopRequested) return { kind: 'stopped', reason: 'pause', vcpu: this.turn };
      const wake = this.cyclesToNextWakeup(v);
      v.deadline = v.clock() + wake;
      const n = this.kvmCpuExec(v, Math.max(1, Math.min(this.quantumLeft, left, wake)));
      this.steps += n;
      this.quantumLeft -= n;
      this.catchUp(v);
      const run = v.kvmRun;
      if (run.exitReason === KvmExit.DEBUG) return { kind: 'stopped', reason: run.debug.kind, vcpu: v.id };
      if (this.quantumLeft <= 0 || v.blockedInHlt) this.nextTurn();
    }
  }

  /**
   * QEMU's kvm_cpu_exec: KVM_RUN, then handle what kvm_run says and go back in, until an exit the
   * VMM's run loop must act on (a debug stop, a halt, a failure) or the budget is spent. Returns the
   * steps the vCPU took.
   */
  private kvmCpuExec(v: Vcpu, budget: number): number {
    let n = v.run(budget);
    for (;;) {
      const run = v.kvmRun;
      switch (run.exitReason) {
        case KvmExit.MMIO: {
          const m = run.mmio;
          if (this.events.wants['exit-phase']) this.phase(v, 'kvm_cpu_exec: KVM_EXIT_MMIO', `${m.isWrite ? `write 0x${hex(m.data)} to` : 'read from'} GPA 0x${hex(m.physAddr)}, ${m.len} byte${m.len > 1 ? 's' : ''}`);
          const data = this.mmio(v, m.physAddr, m.len, m.isWrite, m.data);
          if (!m.isWrite) m.data = data >>> 0;
          break;
        }
        case KvmExit.IOAPIC_EOI:
          if (this.events.wants['exit-phase']) this.phase(v, 'kvm_cpu_exec: KVM_EXIT_IOAPIC_EOI', `vector 0x${hex(run.eoi.vector)}`);
          if (this.events.wants['exit-phase']) this.phase(v, 'ioapic_eoi_broadcast', `the IOAPIC clears remote IRR of the pins with vector 0x${hex(run.eoi.vector)}`, 'ioapic');
          this.interrupts.ioapicEoi(v, run.eoi.vector);
          break;
        case KvmExit.IRQ_WINDOW_OPEN:
          this.phase(v, 'kvm_cpu_exec: KVM_EXIT_IRQ_WINDOW_OPEN', 'the guest can take an interrupt: INTA on the LAPIC, then KVM_INTERRUPT');
          this.interrupts.windowOpen(v);
          break;
        case KvmExit.INTERNAL_ERROR:
          if (!this.internalError(v)) return n;
          break;
        case KvmExit.HLT:
          this.phase(v, 'kvm_cpu_exec: KVM_EXIT_HLT', 'the vCPU waits until its LAPIC has an interrupt it can take');
          this.interrupts.halted(v);
          return n;
        default: // KVM_EXIT_DEBUG, KVM_EXIT_INTR, KVM_EXIT_SHUTDOWN: the run loop decides
          return n;
      }
      if (this.vm.failure) return n;
      n += v.run(budget - n);
    }
  }

  /** A phase of the VMM's handling of an exit (the debugger steps through them; docs/exits.md). */
  private phase(v: Vcpu, name: string, detail: string, device?: string): void {
    if (!this.events.wants['exit-phase']) return;
    this.events.emit({ kind: 'exit-phase', cycle: v.clock(), vcpu: v.id, layer: 'vmm', name, detail, ...(device ? { device } : {}), run: kvmRunSnapshot(v.kvmRun) });
  }

  /** Halted with nothing that could wake it now (KVM would block the vCPU's thread). */
  private isIdle(v: Vcpu): boolean {
    return !v.runnable();
  }

  /** Fires the scheduled events and LAPIC timer expiries that vCPU `v`'s clock has reached. */
  private catchUp(v: Vcpu): void {
    const now = v.clock();
    while (this.schedule.length && this.schedule[0].atCycle <= now) this.fire(this.schedule.shift()!);
    const lapic = this.lapics[v.id];
    const deadline = lapic?.nextTimerDeadline();
    if (deadline !== undefined && deadline <= now) lapic.tick(now);
  }

  private fire(e: ScheduledEvent): void {
    switch (e.kind) {
      case 'nic-rx': this.nicReceive(e.data, e.atCycle); break;
      case 'uart-rx': this.uartInput(e.data); break;
      case 'irq': this.setGsi(e.gsi, e.level, 'console'); break;
    }
  }

  /** Cycles until `v` must look up: its LAPIC timer or the next scheduled event. */
  private cyclesToNextWakeup(v: Vcpu): number {
    const deadline = this.lapics[v.id]?.nextTimerDeadline() ?? Infinity;
    const next = Math.min(deadline, this.schedule.length ? this.schedule[0].atCycle : Infinity);
    return next === Infinity ? Infinity : Math.max(1, next - v.clock());
  }

  private earliestWakeup(): number {
    let t = this.schedule.length ? this.schedule[0].atCycle : Infinity;
    for (const l of this.lapics) { const d = l?.nextTimerDeadline(); if (d !== undefined && d < t) t = d; }
    return t;
  }

  /** The clock of the most advanced vCPU that is not idle. */
  private present(): number {
    let t = -Infinity;
    for (const o of this.vcpus) if (!this.isIdle(o)) t = Math.max(t, o.clock());
    return t === -Infinity ? Infinity : t;
  }

  private nextTurn(): void {
    this.turn = (this.turn + 1) % this.vcpus.length;
    this.quantumLeft = QUANTUM;
  }

  /** The vCPU whose quantum is running (the one a debugger stop reports first). */
  get currentVcpu(): number { return this.turn; }

  /** Where a device's MMIO is handled when it has not been accessed yet (for the statistics). */
  defaultHandler(device: string): 'kernel' | 'vmm' {
    return this.vm.mmioCounts.get(device)?.handledIn ?? 'vmm';
  }

  /** Interrupt counters and the latency from line assertion to handler entry (docs/machine.md, docs/contracts.md). */
  interruptStatistics(): { asserted: number; delivered: number; taken: number; latencyCycles: { mean: number; max: number; measured: number } } {
    const s = this.vm.irqStats;
    return {
      asserted: s.asserted, delivered: s.delivered, taken: s.taken,
      latencyCycles: { mean: s.measured ? Math.round(s.latencySum / s.measured) : 0, max: s.latencyMax, measured: s.measured },
    };
  }

  // ---- exits from the hypervisor --------------------------------------------------------------

  /**
   * KVM_EXIT_INTERNAL_ERROR: KVM could not emulate an instruction fetch from a GPA that is not RAM.
   * Where no device is either, the guest takes an instruction access fault (unless strictMmio);
   * otherwise the VM cannot go on. Returns whether the vCPU goes back in.
   */
  private internalError(v: Vcpu): boolean {
    const e = v.kvmRun.internal, gpa = e.gpa;
    this.phase(v, 'kvm_cpu_exec: KVM_EXIT_INTERNAL_ERROR', `emulation failure: instruction fetch from GPA 0x${hex(gpa)}`);
    if (e.suberror === KVM_INTERNAL_ERROR_EMULATION && !this.config.strictMmio && this.mtree.findDevice(gpa) === undefined) {
      this.unclaimedAccess(v, gpa, 'fetch', 4, 0);
      return true;
    }
    this.vm.fail('KVM_EXIT_INTERNAL_ERROR', `vCPU ${v.id}: instruction fetch from GPA 0x${hex(gpa)}, where there is no RAM ` +
      `(no memslot; pc 0x${hex(v.getPc())})`);
    return false;
  }

  /** Accesses no RAM and no device claimed, faulted in the guest (strictMmio off). */
  readonly unclaimed: UnclaimedAccesses = { reads: 0, writes: 0, fetches: 0, first: [] };

  /**
   * An access no region claims. QEMU's memory core dispatches it to the unassigned region, whose
   * accesses are refused (MEMTX_DECODE_ERROR, softmmu/memory.c unassigned_mem_accepts); under TCG
   * the RISC-V hart takes that as an access fault. Our VMM has the hypervisor deliver the same fault
   * (KVM_SET_VCPU_EVENTS with an external abort pending), counts the access and logs it.
   */
  private unclaimedAccess(v: Vcpu, gpa: number, access: 'read' | 'write' | 'fetch', size: number, data: number): void {
    const u = this.unclaimed;
    if (access === 'read') u.reads++; else if (access === 'write') u.writes++; else u.fetches++;
    const gva = v.lastExit?.gva ?? gpa;
    if (u.first.length < UNCLAIMED_KEPT) u.first.push({ gpa: gpa >>> 0, gva: gva >>> 0, access, vcpu: v.id, pc: v.getPc(), cycle: v.clock() });
    const cause = access === 'fetch' ? 1 : access === 'write' ? 7 : 5;
    this.phase(v, access === 'fetch' ? 'memory_region_dispatch_read' : `memory_region_dispatch_${access}`,
      `GPA 0x${hex(gpa)} is in no region: unassigned, MEMTX_DECODE_ERROR`);
    this.phase(v, 'KVM_SET_VCPU_EVENTS', `external abort pending: the guest takes an access fault (cause ${cause}, tval 0x${hex(gva)})`);
    v.annotateExit('unclaimed', undefined, size, data);
    this.vm.logMmio(v, gpa, size, access === 'write', data, 'unclaimed', access === 'fetch' ? 'instruction fetch' : undefined, 'vmm');
    v.setVcpuEvents({ extAbortPending: true });
  }

  /** KVM_EXIT_MMIO: the access reaches the device that owns `gpa` (QEMU's address_space_rw). */
  private mmio(vcpu: Vcpu, gpa: number, size: number, isWrite: boolean, data: number): number {
    const region = this.mtree.findDevice(gpa);
    if (!region || gpa + size > region.base + region.size) {
      if (!this.config.strictMmio) {
        this.unclaimedAccess(vcpu, gpa, isWrite ? 'write' : 'read', size, data);
        return 0;
      }
      this.vm.fail('VMM', `no device at GPA 0x${hex(gpa)}: ${isWrite ? `write of 0x${hex(data)}` : 'read'} ` +
        `(${size} byte${size > 1 ? 's' : ''}) by vCPU ${vcpu.id} at pc 0x${hex(vcpu.getPc())}`);
      return 0;
    }
    let dev = region.device, offset = gpa - region.base;
    if (dev === this.pci.window) {
      // The PCI window forwards to the BAR's owner; count and name the access after it.
      const hit = this.pci.window.resolve(offset);
      if (hit) { dev = hit.device; offset = hit.offset; }
    }
    if (this.lapicDevice && dev === this.lapicDevice) this.lapicDevice.current = vcpu.id;
    this.vm.countMmio(dev.name, isWrite, 'vmm');
    if (this.events.wants['exit-phase']) {
      const fn = DEVICE_HANDLERS[dev.name] ?? dev.name;
      const reg = dev.registerName(offset, isWrite);
      this.phase(vcpu, `memory_region_dispatch_${isWrite ? 'write' : 'read'}`, `GPA 0x${hex(gpa)} is in the ${dev.name} region`);
      this.phase(vcpu, `${fn}_${isWrite ? 'write' : 'read'}${reg ? ' ' + reg : ''}`, `${dev.name}${reg ? ' ' + reg : ''} at offset 0x${hex(offset)}${isWrite ? ` ← 0x${hex(data)}` : ''}`, dev.name);
    }
    let value = 0;
    if (dev.registerWidth >= size) {
      if (isWrite) dev.write(offset, size, data); else value = dev.read(offset, size);
    } else {
      // A wide access to byte registers reaches consecutive registers, little-endian (QEMU memory core).
      for (let k = 0; k < size; k++) {
        if (isWrite) dev.write(offset + k, 1, (data >>> (8 * k)) & 0xff);
        else value |= (dev.read(offset + k, 1) & 0xff) << (8 * k);
      }
    }
    if (isWrite && this.netQueue.length && (dev === this.nic?.barRegion(0) || dev === this.pci.ecam)) this.flushNetQueue();
    const register = dev.registerName(offset, isWrite);
    vcpu.annotateExit(dev.name, register, size, isWrite ? data : value);
    this.vm.logMmio(vcpu, gpa, size, isWrite, isWrite ? data : value, dev.name, register, 'vmm');
    return value;
  }

  private onFinisher(action: FinisherAction): void {
    if (action.kind === 'poweroff') this.poweredOff = { code: action.code };
    else this.resetRequested = true;
    for (const v of this.vcpus) v.requestStop();
  }
}

/** The segment starts with the ELF header itself (the linker put the headers in the first segment). */
/**
 * IALIGN (RISC-V unprivileged ISA §1.5): instructions are 4-byte aligned, 2-byte once the CPU
 * implements the C extension (misa bit 2), so the entry point must be too.
 */
const IALIGN = MISA_VALUE & (1 << 2) ? 2 : 4;

function isElfHeader(data: Uint8Array): boolean {
  return data.length >= 4 && data[0] === 0x7f && data[1] === 0x45 && data[2] === 0x4c && data[3] === 0x46;
}
