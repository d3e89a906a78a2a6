// The boundary between the guest CPU and what lies under it (the MMU stages, the hypervisor, the
// devices). The CPU runs its fast path on its own (TLB-like tables of host page offsets) and calls
// its port only for misses, MMIO, and the privileged operations a hypervisor intercepts.

/** The kind of access, as in an EPT violation's exit qualification (read / write / fetch). */
export const enum Access { Read = 0, Write = 1, Fetch = 2 }

/** Results of CpuPort.translate below zero; a result >= 0 is the host byte offset of the page. */
export const XLATE_MMIO = -1;   // not RAM: the GPA is in cpu.xlateGpa, access it with mmioRead/mmioWrite
export const XLATE_FAULT = -2;  // a guest-visible fault: cpu.xlateCause holds the exception cause
export const XLATE_ABORT = -3;  // the access caused a VM exit that must stop the vCPU: abandon the instruction

/** Bits of Cpu.evt: why the hot loop must look up from the instruction stream. */
export const EVT_TRAP = 1;   // a trap was taken: pc and privilege changed
export const EVT_ABORT = 2;  // the current instruction was abandoned (retried when the vCPU runs again)
export const EVT_BREAK = 4;  // the instruction completed, but the run loop must return (stop, irq state, …)

export interface CpuPort {
  /**
   * Slow path of a guest access that missed the CPU's fast tables: translate `va` through every
   * stage for `access` at the current privilege. Returns the host offset of the 4 KiB page (the CPU
   * caches it) or one of the XLATE_ codes.
   */
  translate(va: number, access: Access): number;
  /** Guest-physical access to something that is not RAM. May set EVT_ABORT / EVT_BREAK on the CPU. */
  mmioRead(gpa: number, size: number): number;
  mmioWrite(gpa: number, size: number, value: number): void;
  /** satp was written (the CR3 load). */
  satpWritten(): void;
  /** sfence.vma: `va`/`asid` are undefined for the rs1 = x0 / rs2 = x0 forms. */
  sfenceVma(va: number | undefined, asid: number | undefined): void;
  /** wfi with nothing pending: the vCPU halts (HLT). */
  halt(): void;
  /** vmcall: a hypercall; the result goes to a0. */
  hypercall(): void;
  /** ebreak: true if a debugger takes it (the CPU then stops before the ebreak instead of trapping). */
  debugBreak(): boolean;
  /** The hart took an external interrupt: returns the vector (INTA; the LAPIC moves it IRR → ISR). */
  acknowledgeInterrupt(): number;
  /** A load or store touched a watched page (after it completed). May set EVT_BREAK to stop. */
  watchedAccess?(va: number, host: number, size: number, isWrite: boolean, value: number): void;
  /** The hart entered a trap handler (observers only: called when it already happened). */
  trapTaken(cause: number, tval: number, epc: number, fromPriv: number): void;
  /** Called between instructions whenever interrupts are about to be checked (interrupt windows). */
  beforeInterruptCheck?(): void;
}
