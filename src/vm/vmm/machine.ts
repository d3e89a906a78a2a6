// The VMM's machine (QEMU's `virt`-like board, SPEC §2): it allocates guest RAM, registers it with
// the hypervisor as memslot 0, owns the memory-region tree and the devices, and handles the exits
// that come back from KVM_RUN.
import { HostMemory } from '../mem/host-memory';
import { EventStream } from '../events';
import { Vm, VmConfig, VmmExitHandler } from '../hv/vm';
import { DEFAULT_TLB } from '../mmu/tlb';
import { DEFAULT_COST_MODEL } from '../hv/cost-model';
import { hex, Vcpu } from '../hv/vcpu';
import { MmioDevice } from './device';
import { Finisher, FinisherAction } from './finisher';
import { Uart16550 } from './uart16550';
import { MemoryRegionTree } from './mtree';
import { StopReason } from '../cpu/cpu';
import { markNotSnapshotted } from '../mem/not-snapshotted';

export const RAM_BASE = 0x8000_0000;
export const FINISHER_BASE = 0x0010_0000;
export const UART_BASE = 0x1000_0000;

export interface MachineConfig extends VmConfig {
  memoryMiB: number;
  vcpus: number;
}

export const DEFAULT_MACHINE_CONFIG: MachineConfig = {
  memoryMiB: 64, vcpus: 1, mmu: 'ept', vpid: true, tlb: DEFAULT_TLB, cost: DEFAULT_COST_MODEL,
};

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
}

/** Steps each vCPU runs before the next one gets its turn: fixed, so runs are deterministic. */
const QUANTUM = 10_000;

export class Machine implements VmmExitHandler {
  readonly config: MachineConfig;
  readonly events = new EventStream();
  readonly host: HostMemory;
  readonly vm: Vm;
  readonly mtree = new MemoryRegionTree();
  readonly uart: Uart16550;
  readonly finisher: Finisher;
  private poweredOff: { code: number } | undefined;
  private resetRequested = false;
  private image: ProgramImage | undefined;
  private stopRequested = false;
  /** Scheduler: whose turn it is and how many steps of its quantum are left. */
  private turn = 0;
  private quantumLeft = QUANTUM;
  /** Steps taken by all vCPUs since boot: the machine's position in time (reverse execution seeks by it). */
  steps = 0;
  private ranOnce = false;

  constructor(config: Partial<MachineConfig>, private readonly io: MachineIo) {
    this.config = { ...DEFAULT_MACHINE_CONFIG, ...config };
    const ramBytes = this.config.memoryMiB * 1024 * 1024;
    this.host = new HostMemory(ramBytes);
    this.vm = new Vm(this.host, this.events, this, this.config);
    this.vm.setUserMemoryRegion({ slot: 0, guestPhysAddr: RAM_BASE, memorySize: ramBytes, userspaceAddr: 0 });
    this.mtree.addRam('ram', RAM_BASE, ramBytes);
    this.uart = new Uart16550({ output: (b) => this.io.consoleOutput(b), irq: () => { /* GSI 4: wired with the IOAPIC */ } });
    this.finisher = new Finisher((a) => this.onFinisher(a));
    this.mapDevice(this.finisher, FINISHER_BASE, 0x1000);
    this.mapDevice(this.uart, UART_BASE, 0x100);
    for (let i = 0; i < this.config.vcpus; i++) this.vm.createVcpu();
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
      const onlyElfHeader = start - s.paddr <= s.data.length && end === s.paddr + s.memSize && isElfHeader(s.data);
      if ((start !== s.paddr || end !== s.paddr + s.memSize) && !onlyElfHeader) {
        warnings.push(`segment at 0x${hex(s.paddr)} (${s.memSize} bytes): ${s.memSize - (end - start)} bytes outside RAM were not loaded`);
      }
      const skip = start - s.paddr;
      clipped.push({ paddr: start, data: s.data.subarray(Math.min(skip, s.data.length), Math.min(s.data.length, end - s.paddr)), memSize: end - start });
    }
    if (this.vm.gpaToHost(image.entry) < 0) return { error: `entry point 0x${hex(image.entry)} is not in RAM`, warnings };
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
    this.vm.resetMmu();
    const image = this.image;
    if (image) {
      for (const s of image.segments) {
        if (s.memSize === 0) continue;
        this.host.write(this.vm.gpaToHost(s.paddr), s.data.subarray(0, Math.min(s.data.length, s.memSize)));
      }
    }
    for (const v of this.vcpus) v.cpu.reset(image?.entry ?? RAM_BASE);
  }

  /** Asks a running `run` to return at the next instruction boundary (pause). */
  requestStop(): void {
    this.stopRequested = true;
    for (const v of this.vcpus) v.requestStop();
  }

  /** Total retired instructions over all vCPUs. */
  instructions(): number {
    let n = 0;
    for (const v of this.vcpus) n += v.cpu.instret;
    return n;
  }

  /** Virtual time: the most advanced vCPU's clock. */
  cycles(): number {
    let c = 0;
    for (const v of this.vcpus) c = Math.max(c, v.cpu.cycles());
    return c;
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
      if (v.cpu.halted && (v.cpu.mip() & v.cpu.mie) === 0) {
        if (++idle >= this.vcpus.length) {
          return { kind: 'halted', message: `every vCPU is halted in wfi and no interrupt can arrive (pc 0x${hex(this.vcpus[0].cpu.pc)})` };
        }
        this.nextTurn();
        continue;
      }
      idle = 0;
      const n = v.run(Math.min(this.quantumLeft, left));
      this.steps += n;
      this.quantumLeft -= n;
      const reason = v.cpu.stopReason;
      if (reason === StopReason.Breakpoint || reason === StopReason.Ebreak) {
        return { kind: 'stopped', reason: reason === StopReason.Breakpoint ? 'breakpoint' : 'ebreak', vcpu: v.id };
      }
      if (this.quantumLeft <= 0 || reason === StopReason.Halted) this.nextTurn();
    }
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

  /** Interrupt counters and latency; zero until the interrupt controllers are wired. */
  interruptStatistics(): { asserted: number; delivered: number; taken: number; latencyCycles: { mean: number; max: number } } {
    return { asserted: 0, delivered: 0, taken: 0, latencyCycles: { mean: 0, max: 0 } };
  }

  // ---- exits from the hypervisor --------------------------------------------------------------

  mmio(vcpu: Vcpu, gpa: number, size: number, isWrite: boolean, data: number): number {
    const region = this.mtree.findDevice(gpa);
    if (!region || gpa + size > region.base + region.size) {
      this.vm.fail('VMM', `no device at GPA 0x${hex(gpa)}: ${isWrite ? `write of 0x${hex(data)}` : 'read'} ` +
        `(${size} byte${size > 1 ? 's' : ''}) by vCPU ${vcpu.id} at pc 0x${hex(vcpu.cpu.pc)}`);
      return 0;
    }
    const dev = region.device, offset = gpa - region.base;
    this.vm.countMmio(dev.name, isWrite, 'vmm');
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
function isElfHeader(data: Uint8Array): boolean {
  return data.length >= 4 && data[0] === 0x7f && data[1] === 0x45 && data[2] === 0x4c && data[3] === 0x46;
}
