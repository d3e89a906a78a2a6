// Test rigs for the guest CPU: a list of instruction words placed at the start of RAM, run for a
// number of steps, then registers, CSRs and memory read back.
//
// - machineRig: the real stack (Machine → Vm → Vcpu as the CpuPort, Sv32 walker, memslot 0 at
//   0x8000_0000, UART, finisher), the vCPU configured `misalignedAccess: 'emulate'` as the hypervisor configures it (src/vm/hv/vcpu.ts).
// - bareRig: a Cpu over a stub port (identity-mapped RAM, recorded MMIO, a settable interrupt
//   vector, optional debugger), for what the vCPU fixes (misalignedAccess 'trap') or hides (INTA).
import { Cpu, CpuOptions } from '../../../src/vm/cpu/cpu';
import { Access, CpuPort, XLATE_MMIO } from '../../../src/vm/cpu/port';
import { HostMemory } from '../../../src/vm/mem/host-memory';
import { Machine, RunOutcome } from '../../../src/vm/vmm/machine';
import type { Vcpu } from '../../../src/vm/hv/vcpu';
import { addi, auipc, csrw, li, mret } from './encode';

export const RAM = 0x8000_0000;
/** Where the program goes (the entry point). */
export const CODE = RAM;
/** A conventional trap-handler address for tests that point mtvec/stvec somewhere harmless. */
export const HANDLER = RAM + 0x800;
/** A conventional data area, in its own page. */
export const DATA = RAM + 0x1000;

export type Program = readonly (number | readonly number[])[];

export function flatten(program: Program): number[] {
  return program.flatMap((w) => (typeof w === 'number' ? [w] : [...w]));
}

export function wordsToBytes(words: readonly number[]): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  const view = new DataView(out.buffer);
  words.forEach((w, i) => view.setUint32(i * 4, w >>> 0, true));
  return out;
}

export abstract class Rig {
  abstract readonly cpu: Cpu;
  /** Host offset of guest-physical `gpa` (RAM only). */
  protected abstract hostOf(gpa: number): number;
  /** Runs up to `n` steps (a step retires an instruction or takes a trap). Returns steps taken. */
  abstract step(n: number): number;

  get mem(): HostMemory { return this.cpu.mem; }
  /** Register as an unsigned 32-bit value (compare with hex literals). */
  x(r: number): number { return this.cpu.x[r] >>> 0; }
  /** Register as a signed 32-bit value. */
  sx(r: number): number { return this.cpu.x[r]; }
  get pc(): number { return this.cpu.pc >>> 0; }
  /** A CSR as software reads it, unsigned; throws if it does not exist. */
  csr(addr: number): number {
    const v = this.cpu.csrRead(addr);
    if (v === undefined) throw new Error(`CSR 0x${addr.toString(16)} does not exist`);
    return v >>> 0;
  }
  read32(gpa: number): number { return this.mem.readU32(this.hostOf(gpa)); }
  read8(gpa: number): number { return this.mem.u8[this.hostOf(gpa)]; }
  write32(gpa: number, v: number): void { this.mem.writeU32(this.hostOf(gpa), v); }
  /** Places instruction (or data) words at `gpa`. */
  place(gpa: number, program: Program): void {
    this.mem.write(this.hostOf(gpa), wordsToBytes(flatten(program)));
  }
}

export interface MachineRigOptions {
  memoryMiB?: number;
  vcpus?: number;
  /** The hypervisor's guest-memory virtualization (docs/machine.md); EPT by default. */
  mmu?: 'ept' | 'npt' | 'shadow';
  /** An access no device claims stops the VM instead of faulting in the guest. */
  strictMmio?: boolean;
  /** The block compiler (on by default, as in the product) and its threshold (docs/block-compiler.md). */
  compiler?: boolean;
  compileThreshold?: number;
}

export class MachineRig extends Rig {
  readonly machine: Machine;
  readonly output: number[] = [];

  constructor(program: Program, options: MachineRigOptions = {}) {
    super();
    this.machine = new Machine(
      {
        memoryMiB: options.memoryMiB ?? 4, vcpus: options.vcpus ?? 1, mmu: options.mmu ?? 'ept', strictMmio: options.strictMmio ?? false,
        compiler: options.compiler, compileThreshold: options.compileThreshold,
      },
      { consoleOutput: (b) => this.output.push(b) },
    );
    const data = wordsToBytes(flatten(program));
    // Machine.load reports a problem as a string, or (newer) as { error, warnings }: accept both.
    const result = this.machine.load({ entry: CODE, segments: [{ paddr: CODE, data, memSize: data.length }] }) as unknown;
    const error = typeof result === 'string' ? result : (result as { error?: string } | undefined)?.error;
    if (error) throw new Error(error);
  }

  get vcpu(): Vcpu { return this.machine.vcpus[0]; }
  get cpu(): Cpu { return this.vcpu.cpu; }
  protected hostOf(gpa: number): number {
    const h = this.machine.vm.gpaToHost(gpa >>> 0);
    if (h < 0) throw new RangeError(`0x${(gpa >>> 0).toString(16)} is not RAM`);
    return h;
  }
  step(n: number): number { return this.vcpu.run(n); }
  /** The machine's own run loop (Machine.run), for outcomes: poweroff, failure, halted, limit. */
  run(maxInstructions: number): RunOutcome { return this.machine.run(maxInstructions); }
}

/** Builds a Machine with `program` at 0x8000_0000 and runs `steps` steps (default: one per word). */
export function run(program: Program, steps?: number, options?: MachineRigOptions): MachineRig {
  const rig = new MachineRig(program, options);
  rig.step(steps ?? flatten(program).length);
  return rig;
}

/** A CpuPort with RAM identity-mapped at 0x8000_0000 and everything else MMIO, recorded. */
export class StubPort implements CpuPort {
  cpu!: Cpu;
  /** What acknowledgeInterrupt returns (the LAPIC's vector). */
  vector = 0;
  debuggerAttached = false;
  readonly acks: number[] = [];
  readonly mmio: { gpa: number; size: number; write: boolean; value: number }[] = [];
  /** Value returned by every MMIO read. */
  mmioValue = 0;
  halts = 0;
  satpWrites = 0;
  hypercalls = 0;
  readonly sfences: [number | undefined, number | undefined][] = [];

  constructor(readonly ramBytes: number) {}

  translate(va: number, _access: Access): number {
    const off = (va >>> 0) - RAM;
    if (off >= 0 && off < this.ramBytes) return off & ~0xfff;
    this.cpu.xlateGpa = va >>> 0;
    return XLATE_MMIO;
  }
  mmioRead(gpa: number, size: number): number {
    this.mmio.push({ gpa, size, write: false, value: this.mmioValue });
    return this.mmioValue;
  }
  mmioWrite(gpa: number, size: number, value: number): void { this.mmio.push({ gpa, size, write: true, value }); }
  satpWritten(): void { this.satpWrites++; }
  sfenceVma(va: number | undefined, asid: number | undefined): void { this.sfences.push([va, asid]); }
  halt(): void { this.halts++; }
  hypercall(): void { this.hypercalls++; this.cpu.x[10] = -1000; }
  debugBreak(): boolean { return this.debuggerAttached; }
  acknowledgeInterrupt(): number { this.acks.push(this.vector); return this.vector; }
  trapTaken(): void { /* observers only */ }
}

export interface BareRigOptions {
  misalignedAccess?: CpuOptions['misalignedAccess'];
  ramBytes?: number;
  hartId?: number;
}

export class BareRig extends Rig {
  readonly cpu: Cpu;
  readonly port: StubPort;

  constructor(program: Program, options: BareRigOptions = {}) {
    super();
    const ramBytes = options.ramBytes ?? 64 * 1024;
    this.port = new StubPort(ramBytes);
    this.cpu = new Cpu(new HostMemory(ramBytes), this.port, { hartId: options.hartId ?? 0, misalignedAccess: options.misalignedAccess ?? 'trap' });
    this.port.cpu = this.cpu;
    this.place(CODE, program);
    this.cpu.reset(CODE);
  }

  protected hostOf(gpa: number): number {
    const off = (gpa >>> 0) - RAM;
    if (off < 0 || off >= this.port.ramBytes) throw new RangeError(`0x${(gpa >>> 0).toString(16)} is not RAM`);
    return off;
  }
  step(n: number): number { return this.cpu.run(n); }
}

/** A Cpu over a StubPort with `program` at 0x8000_0000, run for `steps` steps (default: one per word). */
export function runBare(program: Program, steps?: number, options?: BareRigOptions): BareRig {
  const rig = new BareRig(program, options);
  rig.step(steps ?? flatten(program).length);
  return rig;
}

// ---- privilege switches -------------------------------------------------------------------------


export const enum Mode { U = 0, S = 1, M = 3 }
const MSTATUS = 0x300, MEPC = 0x341;

/**
 * Seven words, run from M-mode, that drop to `mode` at the instruction right after them:
 * mstatus = (mode << MPP) | extraMstatus, mepc = the next word, mret. Clobbers t0 (x5) and t1 (x6).
 */
export function toMode(mode: Mode, extraMstatus = 0): number[] {
  return [
    ...li(5, (mode << 11) | extraMstatus),
    csrw(MSTATUS, 5),
    auipc(6, 0),
    addi(6, 6, 16),
    csrw(MEPC, 6),
    mret(),
  ];
}
export const TO_MODE_STEPS = 7;
