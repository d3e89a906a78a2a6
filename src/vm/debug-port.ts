// The machine's debug port: everything a debugger may *change* in the machine, and the translation
// it needs, as a small set of operations modelled on KVM's debug ioctls and gdbstub's target ops
// (docs/architecture.md "The debug port"):
//   KVM_GET_REGS / KVM_SET_REGS   pc, x1..x31, CSRs, privilege (regs, setPc, setReg, setCsr)
//   KVM_TRANSLATE                 GVA → GPA without side effects, on the MMU's own Sv32 walker,
//                                 with the privilege an access of that kind has (MPRV for data)
//   KVM_SET_GUEST_DEBUG           software breakpoints by GVA per vCPU (planted on the host word
//                                 the GVA maps to, so every vCPU that fetches it stops), stepping
//                                 over the breakpoint under pc on resume, watched RAM for data
//                                 breakpoints
// The debugger (src/debug) holds this port and the machine's public face (src/vm/index.ts); it
// never writes a vCPU's fields itself.
import { Priv } from './cpu/csr';
import type { EnablesListener } from './cpu/cpu';
import { Sv32Walker, PteMemory } from './mmu/sv32';
import type { Vcpu } from './hv/vcpu';
import type { Machine } from './vmm/machine';
import { explainTranslation, type TranslationExplained } from './hv/explain';

/** The access a translation is for: a fetch uses the hart's privilege, a load/store MPRV's. */
type DebugAccess = 'read' | 'write' | 'fetch';

interface WalkLevel {
  /** 1 = the root (VPN[1]), 0 = the leaf table (VPN[0]). */
  level: number;
  pteGpa: number;
  pte: number;
}

export interface Translation {
  gva: number;
  /** Guest paging applied (satp.MODE = Sv32 and the effective privilege is not M). */
  paging: boolean;
  levels: WalkLevel[];
  gpa?: number;
  /** Leaf PTE permission bits when paging. */
  flags?: number;
  /** Why there is no GPA: a page fault, or a table outside RAM. */
  error?: string;
}

/** KVM_GET_REGS: a copy of a vCPU's architectural state the debugger shows. */
interface GuestRegs {
  pc: number;
  /** x0..x31, as unsigned 32-bit values. */
  x: number[];
  priv: Priv;
  instret: number;
  cycles: number;
}

const hex = (v: number): string => '0x' + (v >>> 0).toString(16).padStart(8, '0');

export class DebugPort {
  /** The port's own walker: a probe must not disturb the vCPU's "last walk" (the Translation scope). */
  private readonly walker = new Sv32Walker();
  private readonly pteMemory: PteMemory;

  constructor(private readonly m: Machine) {
    this.pteMemory = {
      pteHost: (gpa) => m.vm.gpaToHost(gpa),
      get i32() { return m.host.i32; },
      pteWrite: () => { throw new Error('a debugger translation writes no PTE'); },
    };
  }

  private vcpu(id: number): Vcpu {
    const v = this.m.vcpus[id];
    if (!v) throw new RangeError(`no vCPU ${id}`);
    return v;
  }

  get vcpuCount(): number { return this.m.vcpus.length; }

  // ---- KVM_GET_REGS / KVM_SET_REGS ------------------------------------------------------------------

  regs(id: number): GuestRegs {
    const c = this.vcpu(id).cpu;
    return { pc: c.pc >>> 0, x: Array.from(c.x.subarray(0, 32), (r) => r >>> 0), priv: c.priv, instret: c.instret, cycles: c.cycles() };
  }

  pc(id: number): number { return this.vcpu(id).cpu.pc >>> 0; }

  priv(id: number): Priv { return this.vcpu(id).cpu.priv; }

  reg(id: number, r: number): number { return this.vcpu(id).cpu.x[r] >>> 0; }

  setPc(id: number, pc: number): void { this.vcpu(id).cpu.pc = pc | 0; }

  /** Writes x`r` (x0 stays 0). */
  setReg(id: number, r: number, value: number): void {
    if (r > 0 && r < 32) this.vcpu(id).cpu.x[r] = value | 0;
  }

  /** A CSR's value, or undefined when the hart has no such CSR. */
  csr(id: number, address: number): number | undefined {
    const v = this.vcpu(id).cpu.csrRead(address);
    return v === undefined ? undefined : v >>> 0;
  }

  /** Writes a CSR as the guest would (WARL bits kept); false when the hart has no such CSR. */
  setCsr(id: number, address: number, value: number): boolean {
    return this.vcpu(id).cpu.csrWrite(address, value | 0);
  }

  /** Halted in wfi with nothing pending it could take (the scheduler passes it by). */
  waitsInWfi(id: number): boolean {
    const c = this.vcpu(id).cpu;
    return c.halted && (c.mip() & c.mie) === 0;
  }

  // ---- KVM_TRANSLATE ----------------------------------------------------------------------------------

  /**
   * GVA → GPA as vCPU `id` would translate an access of this kind now, without side effects (no
   * A/D bits, no TLB fill, no counters). A fetch uses the hart's privilege; a load or store the
   * effective one (mstatus.MPRV selects MPP in M-mode, privileged spec §3.1.6.3). Permissions are
   * not checked: a debugger reads what the tables map; the leaf's flags say what the guest may do.
   */
  translate(id: number, gva: number, access: DebugAccess = 'fetch'): Translation {
    const cpu = this.vcpu(id).cpu;
    const va = gva >>> 0;
    const priv = access === 'fetch' ? cpu.priv : cpu.dataPriv();
    const paging = (cpu.satp >>> 31) !== 0 && priv !== Priv.M;
    if (!paging) return { gva: va, paging, levels: [], gpa: va };
    const w = this.walker;
    const ok = w.probe(this.pteMemory, cpu.satp, va);
    const levels: WalkLevel[] = [];
    for (let i = 0; i < w.steps; i++) levels.push({ level: 1 - i, pteGpa: w.stepPteGpa[i], pte: w.stepPte[i] >>> 0 });
    if (ok) return { gva: va, paging, levels, gpa: w.gpa, flags: w.leafFlags };
    const last = levels[levels.length - 1];
    let error: string;
    switch (w.fault) {
      case 'not-ram': {
        const table = last ? (last.pte >>> 10) * 4096 : (cpu.satp & 0x3fffff) * 4096;
        const vpn = last ? (va >>> 12) & 0x3ff : va >>> 22;
        error = `page table at GPA ${hex(table + vpn * 4)} is not in RAM`;
        break;
      }
      case 'invalid': error = `page fault: level-${last.level} PTE ${hex(last.pte)} is not valid`; break;
      case 'misaligned': error = `page fault: level-1 PTE ${hex(last.pte)} is a misaligned megapage`; break;
      case 'beyond': error = `PTE ${hex(last.pte)} maps beyond the 32-bit physical space`; break;
      default: error = 'page fault: no leaf PTE';
    }
    return { gva: va, paging, levels, error };
  }

  /**
   * The two-stage translation explorer (hv/explain.ts): the nested walk, TLB state, references and
   * exits of an access of this kind by vCPU `id` now. Changes nothing.
   */
  explain(id: number, gva: number, access: DebugAccess = 'read'): TranslationExplained {
    return explainTranslation(this.m.vm, this.vcpu(id), gva, access);
  }

  /**
   * For a re-execution done only to look at the past (the last-write search): the counters of the
   * CPUs' fast translation tables depend on how a run is sliced and on watches, not on the guest.
   * Returns a function that puts them back as they are now.
   */
  saveFastPathCounters(): () => void {
    const saved = this.m.vcpus.map((v) => ({ tlb: { ...v.tlb.stats }, fast: v.cpu.fastHits }));
    return () => this.m.vcpus.forEach((v, i) => { Object.assign(v.tlb.stats, saved[i].tlb); v.cpu.fastHits = saved[i].fast; });
  }

  /** Host offset of a RAM GPA (through the memslots), or -1. */
  hostOf(gpa: number): number {
    return this.m.vm.gpaToHost(gpa >>> 0);
  }

  /**
   * The host "word" a GVA's code lives in for vCPU `id` now, or -1 when it does not translate to
   * RAM: the host byte offset of the instruction (even: with the C extension any halfword starts one).
   */
  wordOf(id: number, gva: number): number {
    const t = this.translate(id, gva, 'fetch');
    const host = t.gpa === undefined ? -1 : this.hostOf(t.gpa);
    return host < 0 ? -1 : host & ~1;
  }

  /**
   * Writes guest RAM at a host offset (from hostOf), keeping the decode cache and the reverse-
   * execution checkpoints coherent, as any write from outside the guest must.
   */
  writeRam(host: number, bytes: Uint8Array): void {
    this.m.host.write(host, bytes);
  }

  // ---- KVM_SET_GUEST_DEBUG ----------------------------------------------------------------------------

  /**
   * KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP: the guest's own `ebreak` stops into the debugger
   * instead of trapping in the guest (without a debugger it traps, as on QEMU).
   */
  enable(): void {
    this.m.vm.debuggerAttached = true;
  }

  /** Plants a software breakpoint on a host word (from wordOf): any vCPU fetching it stops before it. */
  insertBreakpoint(word: number): void {
    this.m.host.setBreakpoint(word);
  }

  removeBreakpoint(word: number): void {
    this.m.host.clearBreakpoint(word);
  }

  /** On its next run, vCPU `id` executes the instruction under a breakpoint at its pc instead of stopping. */
  stepOverBreakpoint(id: number, on: boolean): void {
    this.vcpu(id).cpu.resumeFromBreakpoint = on;
  }

  /**
   * Watches (or stops watching) `size` bytes of RAM at a host offset: accesses to the page go
   * through the reporting path (a `mem-access` event). Call `flushFastPaths` after a batch.
   */
  watch(host: number, size: number, on: boolean): void {
    this.m.host.watch(host, size, on);
  }

  /**
   * Listens to vCPU `id`'s changes of its interrupt enables (mstatus, mie) by CSR instructions,
   * mret/sret and trap entries, for a look at the past by re-execution (the "why" search for the
   * instruction that cleared mstatus.MIE); `undefined` stops listening. CSR writes are not events:
   * this costs nothing when nobody listens.
   */
  watchInterruptEnables(id: number, listener: EnablesListener | undefined): void {
    this.vcpu(id).cpu.enablesWatch.listener = listener;
  }

  /** Empties every vCPU's fast translation tables, so watched pages take the reporting path. */
  flushFastPaths(): void {
    for (const v of this.m.vcpus) v.cpu.flushTranslations();
  }
}
