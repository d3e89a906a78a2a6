// The guest hart: RV32IMAC + Zicsr + Zifencei, privilege modes M/S/U (privileged spec 1.12).
//
// Speed (docs/style.md habit 7): registers in an Int32Array; instructions decoded once into the host
// memory's decode cache; per-access-type direct-mapped tables of host page offsets in front of the
// port's translate() (a hit is one compare and one add); the fetch page re-translated only when pc
// leaves it; traps, exits and faults are flags and return codes, never exceptions. The hot loop is
// generated from the op table (loop.ts, ops.ts), and hot blocks are compiled from the same table
// (blocks.ts; docs/block-compiler.md).
import { DECODE_BIAS, HostMemory } from '../mem/host-memory';
import { markNotSnapshotted } from '../mem/not-snapshotted';
import { counterOffset, counterValue } from './counter64';
import { BlockCache } from './blocks';
import { decodeInto, insnLength, Op, OP_MASK, OP_SHIFT_RD, OP_SHIFT_RS1, OP_SHIFT_RS2 } from './decode';
import { FAST_BITS, FAST_MASK, interpret, interpretWithBlocks, NO_PAGE } from './loop';
import { Access, CpuPort, EVT_ABORT, EVT_BREAK, EVT_TRAP, XLATE_FAULT, XLATE_MMIO } from './port';
import {
  Cause, Csr, IRQ_MEI, IRQ_MSI, IRQ_MTI, IRQ_SEI, IRQ_SSI, IRQ_STI, MEDELEG_WRITABLE, MIDELEG_WRITABLE,
  MIE_MASK, MIP_MEIP, MIP_WRITABLE, MISA_VALUE, MSTATUS_MIE, MSTATUS_MPIE, MSTATUS_MPP, MSTATUS_MPP_SHIFT,
  MSTATUS_MPRV, MSTATUS_MXR, MSTATUS_SIE, MSTATUS_SPIE, MSTATUS_SPP, MSTATUS_SUM, MSTATUS_TSR, MSTATUS_TVM,
  MSTATUS_TW, MSTATUS_WRITABLE, Priv, SSTATUS_MASK,
} from './csr';

const FAST_SIZE = 1 << FAST_BITS;
/** The virtual page number in a fast-table tag (the context is above it). */
const VPN_MASK = 0xfffff;
/** Interrupt priority order (§3.1.9): MEI, MSI, MTI, SEI, SSI, STI. */
const IRQ_PRIORITY = [IRQ_MEI, IRQ_MSI, IRQ_MTI, IRQ_SEI, IRQ_SSI, IRQ_STI];

/** Why run() returned before its budget ran out. */
export const enum StopReason {
  None = 0,
  /** wfi with nothing pending: the hart waits for an interrupt. */
  Halted,
  /** The port asked the run loop to return (a VM exit to the VMM, a device, a debugger event). */
  Break,
  /** A breakpoint planted in the decode cache was reached (pc is at it, not executed). */
  Breakpoint,
  /** ebreak under a debugger (pc is at the ebreak). */
  Ebreak,
  /**
   * Traps kept coming with no instruction completing between them (a handler whose own first
   * instruction faults): the guest cannot go on. The hypervisor reports it as a TRIPLE_FAULT.
   */
  TrapLoop,
}

export interface CpuOptions {
  hartId: number;
  /** Misaligned loads/stores: trap (cause 4/6), or perform them as the hardware of QEMU's virt does. */
  misalignedAccess: 'trap' | 'emulate';
  /**
   * Run hot code through the block compiler (blocks.ts; docs/block-compiler.md). Off: every
   * instruction is interpreted. `compileThreshold`: times a block boundary is reached before its
   * block is compiled (default 16; tests use 1 to compile everything).
   */
  compiler?: boolean;
  compileThreshold?: number;
}

/** Default hotness before a block is compiled. */
const COMPILE_THRESHOLD = 16;

/**
 * Told when an instruction or a trap entry changed the interrupt enables (mstatus, mie): the pc and
 * the cycle at the boundary before it (a trap entry: the handler's pc and the entry's cycle), what
 * did it, and the two registers before the change. For a debugger's look at the past only
 * (debug-port.ts watchInterruptEnables).
 */
export type EnablesListener = (how: 'csr' | 'mret' | 'sret' | 'trap', pc: number, cycle: number, mstatusBefore: number, mieBefore: number) => void;

export class Cpu {
  /**
   * The enables listener: outside the snapshots (a checkpoint taken while a search listens must not
   * bring the listener back later). Nothing listens in a normal run: one test on a rare path.
   */
  readonly enablesWatch = markNotSnapshotted({ listener: undefined as EnablesListener | undefined });

  /** x0..x31, plus x[32]: a scratch destination for loads and jumps whose rd is x0 (see decode.ts). */
  readonly x = new Int32Array(33);
  pc = 0;
  priv: Priv = Priv.M;
  readonly hartId: number;

  // CSR state. Values are kept as int32 where they are 32-bit registers.
  mstatus = 0;
  medeleg = 0;
  mideleg = 0;
  mie = 0;
  /** Software-writable bits of mip; MEIP comes from `externalLine`. */
  mipSoft = 0;
  externalLine = false;
  mtvec = 0;
  stvec = 0;
  mscratch = 0;
  sscratch = 0;
  mepc = 0;
  sepc = 0;
  mcause = 0;
  scause = 0;
  mtval = 0;
  stval = 0;
  satp = 0;
  mcounteren = 0;
  scounteren = 0;
  mcountinhibit = 0;
  menvcfg = 0;
  senvcfg = 0;
  readonly pmpcfg = new Int32Array(4);
  readonly pmpaddr = new Int32Array(16);
  readonly mhpmevent = new Int32Array(29);

  /** Retired instructions, and cycles spent outside instructions (VM exits, by the cost model). */
  instret = 0;
  stallCycles = 0;
  /**
   * The clock at the instruction boundary before the instruction now running out of line (a slow
   * load/store, a CSR, a trap): what an event it causes names as "the instruction at cycle N", so
   * running to N lands on it (docs/interrupt-provenance.md).
   */
  insnCycle = 0;
  /** What software wrote to mcycle/minstret: offsets from the counts, 64-bit, as uint32 halves (counter64.ts). */
  private cycleOffHi = 0;
  private cycleOffLo = 0;
  private instretOffHi = 0;
  private instretOffLo = 0;

  /**
   * Accesses whose translation the fast tables served: TLB hits that never reached the port.
   * Instruction fetches count once each time pc enters a page, not per instruction.
   */
  fastHits = 0;

  /** LR/SC reservation: host byte offset of the reserved word, or -1. */
  reservation = -1;
  /** The value LR loaded: SC also requires the word to still hold it (see atomic()). */
  private reservationValue = 0;

  /** wfi found nothing pending: the hart sleeps until mip & mie is non-zero. */
  halted = false;
  /** The next run starts by executing the instruction under a breakpoint at pc instead of stopping on it. */
  resumeFromBreakpoint = false;
  /** Set by the port during a slow path: EVT_* bits. */
  evt = 0;
  /**
   * The cycle at which the caller needs the hart back (its next timer expiry or scheduled event):
   * run() returns at the first instruction boundary where the clock has reached it, wherever the
   * run began and whatever it stalled on the way (docs/machine.md "Time and determinism").
   */
  deadline = Infinity;
  /**
   * While a slice of run() executes: the stall cycles beyond which the slice would end past
   * `deadline`. addStall() beyond it makes the loop leave after the current instruction.
   */
  private stallLimit = Infinity;
  stopReason: StopReason = StopReason.None;
  /** Outputs of port.translate: for a read that succeeded, whether the same translation allows stores now. */
  xlateWritable = false;
  /** Outputs of port.translate for its negative results. */
  xlateGpa = 0;
  xlateCause = 0;

  /**
   * Fast translation tables: tag = virtual page number | the context it was translated in (or -1),
   * value = host offset of the page. The context (bits 20 and up, `dataTag`/`fetchTag` below) is
   * what decides a translation besides satp: the effective privilege, and SUM and MXR for data
   * (docs/block-compiler.md "Tagged fast tables"). So a privilege or mstatus change only
   * switches tags; satp, sfence.vma and the hypervisor's flushes empty the tables.
   */
  /** @internal read by the generated loop (loop.ts) */
  readonly readTag = new Int32Array(FAST_SIZE).fill(NO_PAGE);
  /** @internal read by the generated loop (loop.ts) */
  readonly readHost = new Int32Array(FAST_SIZE);
  /** @internal read by the generated loop (loop.ts) */
  readonly writeTag = new Int32Array(FAST_SIZE).fill(NO_PAGE);
  /** @internal read by the generated loop (loop.ts) */
  readonly writeHost = new Int32Array(FAST_SIZE);
  private readonly fetchTag = new Int32Array(FAST_SIZE).fill(NO_PAGE);
  /** @internal the context bits of data accesses now: (data privilege | SUM << 2 | MXR << 3) << 20. */
  dataTag = 0;
  /** The context bits of fetches now: the privilege << 20 (SUM and MXR never apply to fetches). */
  private fetchCtx = 0;
  private readonly fetchHost = new Int32Array(FAST_SIZE);
  /** The immediate of the instruction decodeAt just decoded. */
  /** @internal read by the generated loop */
  decodedImm = 0;
  private readonly straddleScratch = new Int32Array(2);
  /** Bumped whenever every translation is forgotten, so the run loop drops its fetch page too. */
  /** @internal read by the generated loop */
  xlateEpoch = 0;
  private readonly misalignedTrap: boolean;
  /** The block compiler's cache, or null when the compiler is off. */
  readonly blocks: BlockCache | null;

  constructor(readonly mem: HostMemory, readonly port: CpuPort, options: CpuOptions) {
    this.hartId = options.hartId;
    this.misalignedTrap = options.misalignedAccess === 'trap';
    this.blocks = options.compiler
      ? new BlockCache(mem, { cpu: this, x: this.x, readTag: this.readTag, readHost: this.readHost, writeTag: this.writeTag, writeHost: this.writeHost },
        options.compileThreshold ?? COMPILE_THRESHOLD)
      : null;
    this.reset(0);
  }

  /** Reset state: M-mode, a0 = mhartid (docs/machine.md), every other register and CSR zero. */
  reset(entry: number): void {
    this.x.fill(0);
    this.x[10] = this.hartId;
    this.pc = entry | 0;
    this.setPriv(Priv.M);
    this.mstatus = this.medeleg = this.mideleg = this.mie = this.mipSoft = 0;
    this.mtvec = this.stvec = this.mscratch = this.sscratch = this.mepc = this.sepc = 0;
    this.mcause = this.scause = this.mtval = this.stval = this.satp = 0;
    this.mcounteren = this.scounteren = this.mcountinhibit = this.menvcfg = this.senvcfg = 0;
    this.pmpcfg.fill(0); this.pmpaddr.fill(0); this.mhpmevent.fill(0);
    this.externalLine = false;
    // A hart halted in wfi restarts, and no LR reservation survives the reset.
    this.halted = false;
    this.reservation = -1;
    this.retag();
    this.flushTranslations();
  }

  // ---- the run loop -------------------------------------------------------------------------

  /**
   * Runs up to `budget` instructions. Returns how many retired; `stopReason` says why it returned
   * early (None = budget exhausted, or an interrupt-state change that the caller may just resume).
   */
  run(budget: number): number {
    this.stopReason = StopReason.None;
    let done = 0;
    if (this.resumeFromBreakpoint) {
      this.resumeFromBreakpoint = false;
      done = this.stepOverBreakpoint();
      if (this.stopReason !== StopReason.None) return done;
    }
    while (done < budget) {
      // The deadline is due at this boundary. Looked at after the first step only: every run makes
      // progress, as a single step does, so a run sliced one step at a time stops where this one does.
      if (done > 0 && this.cycles() >= this.deadline) break;
      this.evt = 0;
      this.port.beforeInterruptCheck?.();
      if (this.stopReason !== StopReason.None) break;
      this.checkInterrupts();
      if (this.halted) {
        if ((this.mip() & this.mie) === 0) { this.stopReason = StopReason.Halted; break; }
        this.halted = false; // §3.3.3: a pending interrupt resumes the hart, taken or not
      }
      done += this.executeToDeadline(budget - done);
      if (this.evt & EVT_ABORT && this.stopReason === StopReason.None) this.stopReason = StopReason.Break;
      if (this.stopReason !== StopReason.None) break;
    }
    this.evt = 0;
    return done;
  }

  /**
   * Executes again the instruction at pc that was abandoned (EVT_ABORT) for an exit to the VMM,
   * now that the VMM has served it: no interrupt check first (the instruction is still under way,
   * as in KVM's complete_userspace_io), a breakpoint on it lifted (it was already passed). Counters
   * are kept as if the instruction had never been interrupted: its page is already being fetched.
   */
  completeInstruction(): number {
    this.stopReason = StopReason.None;
    this.evt = 0;
    const vpn = (this.pc >>> 12) | this.fetchCtx;
    const cached = this.fetchTag[vpn & FAST_MASK] === vpn;
    const page = this.fetchPageHost(this.pc);
    if (page < 0) { this.evt = 0; return 0; }
    const at = page + (this.pc & 0xfff);
    const planted = this.mem.breakpoints.has(at);
    if (planted) this.mem.clearBreakpoint(at);
    const n = interpret(this, 1);
    if (planted) this.mem.setBreakpoint(at);
    // execute() found the page in the fetch table: that hit, and the probe above if it hit too,
    // belong to the fetch the interrupted attempt already counted.
    this.fastHits -= cached ? 2 : 1;
    if (this.evt & EVT_ABORT && this.stopReason === StopReason.None) this.stopReason = StopReason.Break;
    this.evt = 0;
    return n;
  }

  /**
   * The instruction at pc takes exception `cause` (with xtval = `tval`) instead of completing: an
   * exception the hypervisor delivers on entry because the VMM asked for it (an access fault for an
   * access no device claims, KVM_SET_VCPU_EVENTS). One step, which traps and retires nothing.
   */
  raiseException(cause: number, tval: number): number {
    this.stopReason = StopReason.None;
    this.atInsn(this.pc, this.instret);
    this.trap(cause, tval);
    this.evt = 0;
    return 1;
  }

  /** Executes the one instruction at pc with its breakpoint lifted, then plants it again. */
  private stepOverBreakpoint(): number {
    const page = this.fetchPageHost(this.pc); // translates the pc's page if it is not cached
    if (page < 0) { this.evt = 0; return 0; } // a fetch fault: the normal run takes it
    const at = page + (this.pc & 0xfff);
    if (!this.mem.breakpoints.has(at)) return 0;
    this.mem.clearBreakpoint(at);
    this.evt = 0;
    this.checkInterrupts();
    const n = interpret(this, 1);
    this.mem.setBreakpoint(at);
    if (this.evt & EVT_ABORT && this.stopReason === StopReason.None) this.stopReason = StopReason.Break;
    return n;
  }

  /**
   * The hot loop, generated from the op table (loop.ts, ops.ts). Returns the steps taken; leaves on
   * budget, a break, or an interrupt-state change. With the compiler on, hot blocks run compiled.
   */
  private execute(budget: number): number {
    return this.blocks !== null ? interpretWithBlocks(this, budget) : interpret(this, budget);
  }

  /**
   * execute(), in a slice that ends at the deadline: one step per cycle left if nothing stalls
   * (at least one step), and a stall that carries the slice's end past the deadline ends it after
   * the instruction that stalled (addStall), so the loop in run() can stop on the deadline exactly.
   */
  private executeToDeadline(budget: number): number {
    const room = this.deadline - this.cycles();
    if (room === Infinity) return this.execute(budget);
    const slice = Math.min(budget, Math.max(1, room));
    this.stallLimit = this.stallCycles + room - slice;
    const n = this.execute(slice);
    this.stallLimit = Infinity;
    return n;
  }

  /**
   * Decodes the instruction at pc (host byte offset `at`, its page being the fetch page) into the
   * decode cache, planting a breakpoint op if one is set there. Returns the packed op; the
   * immediate is left in `decodedImm`. `retired`: instructions retired so far (for a fetch fault).
   */
  /** @internal called by the generated loop */
  decodeAt(pc: number, at: number, retired: number): number {
    const mem = this.mem, dc = mem.decoded, slot = at + DECODE_BIAS;
    const lo = mem.u16[at >> 1];
    if ((lo & 3) === 3 && (pc & 0xfff) === 0xffe) return this.decodeStraddling(pc, at, lo, retired);
    decodeInto((lo & 3) === 3 ? lo | (mem.u16[(at >> 1) + 1] << 16) : lo, dc, slot);
    if (mem.breakpoints.size !== 0 && mem.breakpoints.has(at)) dc[slot] = Op.BREAKPOINT;
    this.decodedImm = dc[slot + 1];
    return dc[slot];
  }

  /**
   * A 32-bit instruction in the last halfword of a page: its second half is fetched through the
   * next page's own translation. A fault there is taken with mepc = pc and mtval = the address of
   * the half that faulted (privileged spec 1.12 §3.1.16), so it returns FETCH_FAULT. The result
   * is never cached: the next page's mapping or contents can change without touching this slot.
   */
  private decodeStraddling(pc: number, at: number, lo: number, retired: number): number {
    this.decodedImm = 0;
    if (this.mem.breakpoints.size !== 0 && this.mem.breakpoints.has(at)) return Op.BREAKPOINT;
    this.atInsn(pc, retired);
    const host = this.fetchPageHost((pc + 2) | 0);
    if (host < 0) return Op.FETCH_FAULT;
    const out = this.straddleScratch;
    decodeInto(lo | (this.mem.u16[host >> 1] << 16), out, 0);
    this.decodedImm = out[1];
    return out[0];
  }

  /** Host offset of the page holding pc, or -1 after raising a fetch fault (EVT_TRAP) or an abort. */
  /** @internal called by the generated loop */
  fetchPageHost(pc: number): number {
    const vpn = (pc >>> 12) | this.fetchCtx, i = vpn & FAST_MASK;
    if (this.fetchTag[i] === vpn) { this.fastHits++; return this.fetchHost[i]; }
    const host = this.port.translate(pc, Access.Fetch);
    if (host >= 0) { this.fetchTag[i] = vpn; this.fetchHost[i] = host; return host; }
    if (host === XLATE_MMIO) this.trap(Cause.InsnAccessFault, pc);
    else if (host === XLATE_FAULT) this.trap(this.xlateCause, pc);
    else this.evt |= EVT_ABORT;
    return -1;
  }

  // ---- loads and stores off the fast path -----------------------------------------------------

  /**
   * Translates for `access` and caches the page; returns the host page offset or an XLATE_ code.
   * A page about to be written is first saved for the current checkpoint; watched pages are not
   * cached, so every access to them comes back here and is reported.
   */
  private translatePage(va: number, access: Access): number {
    const host = this.port.translate(va, access);
    if (host >= 0) {
      const mem = this.mem;
      if (access === Access.Write) mem.prepareWrite(host, 1);
      if (this.isWatched(host)) return host;
      const vpn = (va >>> 12) | this.dataTag, i = vpn & FAST_MASK;
      if (access === Access.Read) {
        this.readTag[i] = vpn; this.readHost[i] = host;
        // A translation that also allows stores fills the write table too (one TLB entry serves
        // every access type), unless a checkpoint would then have to copy a page only read.
        if (this.xlateWritable && !mem.copyOnWriteActive) { this.writeTag[i] = vpn; this.writeHost[i] = host; }
      } else if (access === Access.Write) { this.writeTag[i] = vpn; this.writeHost[i] = host; }
    }
    this.xlateWritable = false;
    return host;
  }

  private isWatched(host: number): boolean {
    return this.mem.watchCount !== 0 && this.mem.watchedPages[host >>> 12] !== 0;
  }

  /** A load that missed the fast table. Sets `evt` on a trap or an abort; returns the value otherwise. */
  loadSlow(va: number, size: number, signed: boolean): number {
    if (va & (size - 1)) {
      if (this.misalignedTrap) { this.trap(Cause.LoadMisaligned, va); return 0; }
      let v = 0;
      for (let k = 0; k < size; k++) {
        const b = this.loadSlow((va + k) | 0, 1, false);
        if (this.evt !== 0) return 0;
        v |= b << (8 * k);
      }
      return signed ? (size === 2 ? (v << 16) >> 16 : v | 0) : (size === 2 ? v & 0xffff : v | 0);
    }
    const host = this.translatePage(va, Access.Read);
    if (host >= 0) {
      const h = host + (va & 0xfff), v = this.loadHost(h, size, signed);
      if (this.isWatched(h)) this.port.watchedAccess?.(va, h, size, false, v);
      return v;
    }
    if (host === XLATE_MMIO) {
      const v = this.port.mmioRead(this.xlateGpa, size);
      if (size === 4) return v | 0;
      return signed ? (size === 2 ? (v << 16) >> 16 : (v << 24) >> 24) : v & (size === 2 ? 0xffff : 0xff);
    }
    if (host === XLATE_FAULT) this.trap(this.xlateCause, va);
    else this.evt |= EVT_ABORT;
    return 0;
  }

  /** A store that missed the fast table. */
  storeSlow(va: number, size: number, value: number): void {
    if (va & (size - 1)) {
      if (this.misalignedTrap) { this.trap(Cause.StoreMisaligned, va); return; }
      // Translate every byte first so a fault leaves memory untouched.
      for (let k = 0; k < size; k++) {
        const h = this.translatePage((va + k) | 0, Access.Write);
        if (h === XLATE_FAULT) { this.trap(this.xlateCause, (va + k) | 0); return; }
        if (h < 0 && h !== XLATE_MMIO) { this.evt |= EVT_ABORT; return; }
      }
      for (let k = 0; k < size; k++) this.storeSlow((va + k) | 0, 1, value >>> (8 * k));
      return;
    }
    const host = this.translatePage(va, Access.Write);
    if (host >= 0) {
      const h = host + (va & 0xfff);
      this.writeHostBytes(h, size, value);
      if (this.isWatched(h)) this.port.watchedAccess?.(va, h, size, true, size === 4 ? value | 0 : value & (size === 2 ? 0xffff : 0xff));
      return;
    }
    if (host === XLATE_MMIO) { this.port.mmioWrite(this.xlateGpa, size, size === 4 ? value | 0 : value & (size === 2 ? 0xffff : 0xff)); return; }
    if (host === XLATE_FAULT) this.trap(this.xlateCause, va);
    else this.evt |= EVT_ABORT;
  }

  private loadHost(h: number, size: number, signed: boolean): number {
    const m = this.mem;
    if (size === 4) return m.i32[h >> 2];
    if (size === 2) return signed ? m.i16[h >> 1] : m.u16[h >> 1];
    return signed ? m.i8[h] : m.u8[h];
  }

  private writeHostBytes(h: number, size: number, value: number): void {
    const m = this.mem;
    if (size === 4) m.i32[h >> 2] = value;
    else if (size === 2) m.u16[h >> 1] = value;
    else m.u8[h] = value;
    m.guestStored(h, size);
  }

  // ---- the rare instructions ------------------------------------------------------------------

  /** @internal called by the generated loop */
  executeSlow(d: number, imm: number): void {
    const x = this.x;
    const rd = (d >>> OP_SHIFT_RD) & 31, rs1 = (d >>> OP_SHIFT_RS1) & 31, rs2 = (d >>> OP_SHIFT_RS2) & 31;
    const pc = this.pc;
    const next = (pc + insnLength(d)) | 0;
    switch (d & OP_MASK) {
      case Op.FENCE: // stores invalidate decoded halfwords and compiled blocks as they happen
        this.pc = next; return;
      case Op.FENCE_I: // the same; fence.i also drops this hart's compiled blocks (docs/block-compiler.md)
        this.blocks?.clear();
        this.pc = next; return;
      case Op.ECALL:
        this.trap(this.priv === Priv.U ? Cause.EcallU : this.priv === Priv.S ? Cause.EcallS : Cause.EcallM, 0); return;
      case Op.EBREAK:
        if (this.port.debugBreak()) { this.stopReason = StopReason.Ebreak; this.evt |= EVT_ABORT; return; }
        this.trap(Cause.Breakpoint, 0); return; // mtval 0, as QEMU 7.2 (the spec allows pc or 0)
      case Op.MRET: return this.mret();
      case Op.SRET: return this.sret();
      case Op.WFI:
        // §3.3.3: TW traps wfi in S-mode; in U-mode it is always illegal here (as on QEMU).
        if (this.priv === Priv.U || (this.priv === Priv.S && (this.mstatus & MSTATUS_TW))) return this.illegal();
        this.pc = next;
        if ((this.mip() & this.mie) === 0) { this.halted = true; this.port.halt(); this.stopReason = StopReason.Halted; this.evt |= EVT_BREAK; }
        return;
      case Op.SFENCE_VMA:
        if (this.priv === Priv.U || (this.priv === Priv.S && (this.mstatus & MSTATUS_TVM))) return this.illegal();
        this.flushTranslations();
        this.port.sfenceVma(rs1 === 0 ? undefined : x[rs1], rs2 === 0 ? undefined : x[rs2] & 0x1ff);
        if (this.evt & EVT_ABORT) return;
        this.pc = next; return;
      case Op.VMCALL:
        this.port.hypercall();
        if (this.evt & EVT_ABORT) return;
        this.pc = next; return;
      case Op.CSRRW: case Op.CSRRS: case Op.CSRRC: case Op.CSRRWI: case Op.CSRRSI: case Op.CSRRCI:
        return this.csrOp(d & OP_MASK, rd, rs1, imm, next);
      case Op.LR: case Op.SC: case Op.AMOSWAP: case Op.AMOADD: case Op.AMOXOR: case Op.AMOAND: case Op.AMOOR:
      case Op.AMOMIN: case Op.AMOMAX: case Op.AMOMINU: case Op.AMOMAXU:
        return this.atomic(d & OP_MASK, rd, x[rs1], x[rs2]);
      default:
        return this.illegal();
    }
  }

  /** Illegal instruction: mtval = the instruction (its low 16 bits for a compressed encoding, as QEMU). */
  private illegal(): void {
    const inst = this.currentInstruction();
    this.trap(Cause.IllegalInsn, (inst & 3) === 3 ? inst | 0 : inst & 0xffff);
  }

  /**
   * The raw instruction at pc, which the run loop has just fetched (its page is cached): 16 bits
   * for a compressed instruction, 32 otherwise (the second half possibly from the next page).
   */
  currentInstruction(): number {
    const vpn = (this.pc >>> 12) | this.fetchCtx, i = vpn & FAST_MASK;
    if (this.fetchTag[i] !== vpn) return 0;
    const h = this.fetchHost[i] + (this.pc & 0xffe), lo = this.mem.u16[h >> 1];
    if ((lo & 3) !== 3) return lo;
    if ((this.pc & 0xfff) !== 0xffe) return (lo | (this.mem.u16[(h >> 1) + 1] << 16)) >>> 0;
    const next = (this.pc + 2) | 0, nvpn = (next >>> 12) | this.fetchCtx, ni = nvpn & FAST_MASK;
    return this.fetchTag[ni] === nvpn ? (lo | (this.mem.u16[this.fetchHost[ni] >> 1] << 16)) >>> 0 : lo;
  }

  private atomic(op: Op, rd: number, va: number, src: number): void {
    if (va & 3) { this.trap(op === Op.LR ? Cause.LoadMisaligned : Cause.StoreMisaligned, va); return; }
    const access = op === Op.LR ? Access.Read : Access.Write;
    const page = this.translatePage(va, access);
    if (page === XLATE_FAULT) { this.trap(this.xlateCause, va); return; }
    if (page === XLATE_MMIO) { // atomics need RAM here (QEMU's virt devices do not support them either)
      this.trap(op === Op.LR ? Cause.LoadAccessFault : Cause.StoreAccessFault, va); return;
    }
    if (page < 0) { this.evt |= EVT_ABORT; return; }
    const h = page + (va & 0xfff), m = this.mem;
    const old = m.i32[h >> 2];
    let result = old, store = true;
    switch (op) {
      case Op.LR: this.reservation = h; this.reservationValue = old; store = false; break;
      case Op.SC:
        // Another hart's store to the word must make SC fail (unprivileged spec §8.2), but stores
        // do not check reservations; so, as QEMU does, SC succeeds only if the word still holds
        // the value LR loaded (a compare-and-exchange).
        store = this.reservation === h && old === this.reservationValue;
        result = store ? 0 : 1;
        this.reservation = -1;
        if (store) m.i32[h >> 2] = src;
        store = false;
        break;
      case Op.AMOSWAP: m.i32[h >> 2] = src; break;
      case Op.AMOADD: m.i32[h >> 2] = (old + src) | 0; break;
      case Op.AMOXOR: m.i32[h >> 2] = old ^ src; break;
      case Op.AMOAND: m.i32[h >> 2] = old & src; break;
      case Op.AMOOR: m.i32[h >> 2] = old | src; break;
      case Op.AMOMIN: m.i32[h >> 2] = old < src ? old : src; break;
      case Op.AMOMAX: m.i32[h >> 2] = old > src ? old : src; break;
      case Op.AMOMINU: m.i32[h >> 2] = (old >>> 0) < (src >>> 0) ? old : src; break;
      case Op.AMOMAXU: m.i32[h >> 2] = (old >>> 0) > (src >>> 0) ? old : src; break;
    }
    if (store || op === Op.SC) m.guestStored(h, 4);
    if (rd !== 0) this.x[rd] = result;
    this.pc = (this.pc + 4) | 0;
    if (this.isWatched(h)) this.port.watchedAccess?.(va, h, 4, op !== Op.LR, m.i32[h >> 2]);
  }

  // ---- traps and interrupts -------------------------------------------------------------------

  /**
   * Enters the trap handler for `cause` (exception code, or 0x80000000 | irq) from the instruction
   * at this.pc, honouring medeleg/mideleg (§3.1.8): traps from S/U that are delegated go to S-mode.
   */
  trap(cause: number, tval: number): void {
    const fromPriv = this.priv;
    const ms = this.mstatus;
    const interrupt = cause < 0;
    const code = cause & 0x7fffffff;
    const deleg = interrupt ? this.mideleg : this.medeleg;
    const vectored = (base: number): number => (interrupt && (base & 3) === 1 ? (base & ~3) + 4 * code : base & ~3);
    if (this.priv !== Priv.M && ((deleg >>> code) & 1)) {
      this.sepc = this.pc; this.scause = cause; this.stval = tval;
      let s = this.mstatus & ~(MSTATUS_SPIE | MSTATUS_SIE | MSTATUS_SPP);
      if (this.mstatus & MSTATUS_SIE) s |= MSTATUS_SPIE;
      if (this.priv === Priv.S) s |= MSTATUS_SPP;
      this.mstatus = s;
      this.setPriv(Priv.S);
      this.pc = vectored(this.stvec) | 0;
    } else {
      this.mepc = this.pc; this.mcause = cause; this.mtval = tval;
      let s = this.mstatus & ~(MSTATUS_MPIE | MSTATUS_MIE | MSTATUS_MPP);
      if (this.mstatus & MSTATUS_MIE) s |= MSTATUS_MPIE;
      s |= this.priv << MSTATUS_MPP_SHIFT;
      // With MPRV set, MPP decides how M-mode loads and stores translate (§3.1.6.3): a new MPP
      // is a new data context even when the privilege stays M (setPriv retags).
      this.mstatus = s;
      this.setPriv(Priv.M);
      this.retag();
      this.pc = vectored(this.mtvec) | 0;
    }
    this.reservation = -1;
    this.evt |= EVT_TRAP;
    if (this.enablesWatch.listener !== undefined && ms !== this.mstatus) this.enablesWatch.listener('trap', this.pc, this.cycles(), ms, this.mie);
    this.port.trapTaken(cause, tval, this.priv === Priv.S ? this.sepc : this.mepc, fromPriv);
  }


  private mret(): void {
    if (this.priv !== Priv.M) return this.illegal();
    const mpp = ((this.mstatus & MSTATUS_MPP) >>> MSTATUS_MPP_SHIFT) as Priv;
    let s = this.mstatus & ~(MSTATUS_MIE | MSTATUS_MPP);
    if (this.mstatus & MSTATUS_MPIE) s |= MSTATUS_MIE;
    s |= MSTATUS_MPIE;
    if (mpp !== Priv.M) s &= ~MSTATUS_MPRV;
    const before = this.mstatus;
    this.mstatus = s;
    if (this.enablesWatch.listener !== undefined && s !== before) this.enablesWatch.listener('mret', this.pc, this.insnCycle, before, this.mie);
    this.pc = this.mepc;
    this.xret(mpp);
  }

  private sret(): void {
    if (this.priv === Priv.U || (this.priv === Priv.S && (this.mstatus & MSTATUS_TSR))) return this.illegal();
    const spp = this.mstatus & MSTATUS_SPP ? Priv.S : Priv.U;
    let s = this.mstatus & ~(MSTATUS_SIE | MSTATUS_SPP | MSTATUS_MPRV);
    if (this.mstatus & MSTATUS_SPIE) s |= MSTATUS_SIE;
    s |= MSTATUS_SPIE;
    const before = this.mstatus;
    this.mstatus = s;
    if (this.enablesWatch.listener !== undefined && s !== before) this.enablesWatch.listener('sret', this.pc, this.insnCycle, before, this.mie);
    this.pc = this.sepc;
    this.xret(spp);
  }

  private xret(priv: Priv): void {
    this.setPriv(priv);
    this.retag(); // MPRV may have been cleared: what a data access means may have changed
    this.reservation = -1;
    this.evt |= EVT_BREAK; // interrupts may now be enabled
  }

  private setPriv(priv: Priv): void {
    if (this.priv !== priv) { this.priv = priv; this.retag(); }
  }

  /**
   * The translation context changed (privilege, MPRV/MPP, SUM, MXR): switch the tags the fast
   * tables are probed with, keeping their entries (privileged spec 1.12 §3.1.6.3: these bits change
   * how an access is checked, not the page tables, so entries of the other contexts stay right).
   * The run loop re-reads the tags when the epoch moves, and re-probes its fetch page.
   */
  private retag(): void {
    const s = this.mstatus;
    const data = (this.dataPriv() | (s & MSTATUS_SUM ? 4 : 0) | (s & MSTATUS_MXR ? 8 : 0)) << 20;
    const fetch = this.priv << 20;
    if (data === this.dataTag && fetch === this.fetchCtx) return;
    this.dataTag = data;
    this.fetchCtx = fetch;
    this.xlateEpoch++;
  }

  /** mip as software reads it: writable bits plus the external line from the LAPIC. */
  mip(): number {
    return this.mipSoft | (this.externalLine ? MIP_MEIP : 0);
  }

  /** The interrupt controller drives MEIP (docs/machine.md: "a deliverable vector sets mip.MEIP"). */
  setExternalLine(level: boolean): void {
    this.externalLine = level;
    if (level) this.evt |= EVT_BREAK;
  }

  /** The interrupt that would be taken now, or -1 (§3.1.6.1, §3.1.9). */
  pendingInterrupt(): number {
    const pending = this.mip() & this.mie;
    if (pending === 0) return -1;
    const mEnabled = this.priv !== Priv.M || (this.mstatus & MSTATUS_MIE) !== 0;
    const sEnabled = this.priv === Priv.U || (this.priv === Priv.S && (this.mstatus & MSTATUS_SIE) !== 0);
    const m = mEnabled ? pending & ~this.mideleg : 0;
    const s = sEnabled ? pending & this.mideleg : 0;
    const take = m !== 0 ? m : s;
    if (take === 0) return -1;
    for (const irq of IRQ_PRIORITY) if (take & (1 << irq)) return irq;
    return -1;
  }

  /** Would an external interrupt (MEI) be taken now if it were pending? (An open interrupt window.) */
  externalInterruptEnabled(): boolean {
    if (!(this.mie & MIP_MEIP)) return false;
    if (this.mideleg & MIP_MEIP) return this.priv === Priv.U || (this.priv === Priv.S && (this.mstatus & MSTATUS_SIE) !== 0);
    return this.priv !== Priv.M || (this.mstatus & MSTATUS_MIE) !== 0;
  }

  /** Takes a pending interrupt if one is enabled; true if it did. */
  checkInterrupts(): boolean {
    const irq = this.pendingInterrupt();
    if (irq < 0) return false;
    // docs/machine.md: the external interrupt is the INTA cycle: the LAPIC moves the vector IRR → ISR
    // and the hart enters the trap with xtval = the vector.
    const tval = irq === IRQ_MEI ? this.port.acknowledgeInterrupt() : 0;
    this.halted = false;
    this.trap((0x80000000 | irq) | 0, tval);
    this.evt = 0;
    return true;
  }

  // ---- translations ---------------------------------------------------------------------------

  /** Forgets every cached translation, of every context (satp, sfence.vma, TLB flushes). */
  flushTranslations(): void {
    this.readTag.fill(NO_PAGE);
    this.writeTag.fill(NO_PAGE);
    this.fetchTag.fill(NO_PAGE);
    this.xlateEpoch++;
  }

  /** Empties the write fast table, so the next store to each page goes through translatePage (checkpoints). */
  flushWriteTable(): void {
    this.writeTag.fill(NO_PAGE);
  }

  /** Forgets the cached translations of one virtual page, in every context (a TLB entry evicted or invalidated). */
  invalidatePage(vpn: number): void {
    const i = vpn & FAST_MASK;
    if (this.readTag[i] !== NO_PAGE && (this.readTag[i] & VPN_MASK) === vpn) this.readTag[i] = NO_PAGE;
    if (this.writeTag[i] !== NO_PAGE && (this.writeTag[i] & VPN_MASK) === vpn) this.writeTag[i] = NO_PAGE;
    if (this.fetchTag[i] !== NO_PAGE && (this.fetchTag[i] & VPN_MASK) === vpn) { this.fetchTag[i] = NO_PAGE; this.xlateEpoch++; }
  }

  /** Privilege for data accesses: MPRV makes M-mode loads and stores use MPP (§3.1.6.3). */
  dataPriv(): Priv {
    return this.priv === Priv.M && (this.mstatus & MSTATUS_MPRV)
      ? ((this.mstatus & MSTATUS_MPP) >>> MSTATUS_MPP_SHIFT) as Priv
      : this.priv;
  }

  get sum(): boolean { return (this.mstatus & MSTATUS_SUM) !== 0; }
  get mxr(): boolean { return (this.mstatus & MSTATUS_MXR) !== 0; }

  // ---- counters -------------------------------------------------------------------------------

  /** The virtual clock: one cycle per retired instruction plus the cost model's exit cycles. */
  cycles(): number { return this.instret + this.stallCycles; }

  /**
   * Before an instruction runs out of line: the architectural pc, and instret settled, so the
   * clock the ports and devices read in the middle of a run slice is exact (not the slice's start).
   */
  /** @internal called by the generated loop */
  atInsn(pc: number, retired: number): void {
    this.pc = pc;
    this.instret = retired;
    this.insnCycle = retired + this.stallCycles;
  }

  // ---- CSRs -----------------------------------------------------------------------------------

  private csrOp(op: Op, rd: number, rs1: number, csr: number, next: number): void {
    const immForm = op >= Op.CSRRWI;
    const src = immForm ? rs1 : this.x[rs1];
    const kind = immForm ? op - 3 : op; // CSRRW / CSRRS / CSRRC
    const writes = kind === Op.CSRRW || rs1 !== 0;
    const reads = kind !== Op.CSRRW || rd !== 0;
    if (!this.csrAccessible(csr, writes)) return this.illegal();
    let old = 0;
    if (reads) {
      const v = this.csrRead(csr);
      if (v === undefined) return this.illegal();
      old = v;
    } else if (!this.csrExists(csr)) return this.illegal();
    if (writes) {
      const v = kind === Op.CSRRW ? src : kind === Op.CSRRS ? old | src : old & ~src;
      const ms = this.mstatus, ie = this.mie;
      if (!this.csrWrite(csr, v)) return this.illegal();
      if (this.enablesWatch.listener !== undefined && (ms !== this.mstatus || ie !== this.mie)) this.enablesWatch.listener('csr', this.pc, this.insnCycle, ms, ie);
    }
    if (rd !== 0) this.x[rd] = old;
    this.pc = next;
    if (writes) this.evt |= EVT_BREAK; // interrupt enables, translation or counters may have changed
  }

  /** Privilege and read-only checks (§2.1): bits 9:8 the lowest privilege, 11:10 = 3 read-only. */
  private csrAccessible(csr: number, writes: boolean): boolean {
    if (((csr >>> 8) & 3) > this.priv) return false;
    if (writes && (csr >>> 10) === 3) return false;
    if (this.priv === Priv.S && csr === Csr.satp && (this.mstatus & MSTATUS_TVM)) return false;
    if (isUserCounter(csr) && this.priv !== Priv.M) {
      const bit = 1 << (csr & 31);
      if (!(this.mcounteren & bit)) return false;
      if (this.priv === Priv.U && !(this.scounteren & bit)) return false;
    }
    return true;
  }

  private csrExists(csr: number): boolean {
    return this.csrRead(csr) !== undefined;
  }

  /** Reads a CSR without side effects (also used by the debugger); undefined if it does not exist. */
  csrRead(csr: number): number | undefined {
    switch (csr) {
      case Csr.cycle: case Csr.mcycle: return counterValue(this.cycles(), this.cycleOffHi, this.cycleOffLo)[1] | 0;
      case Csr.cycleh: case Csr.mcycleh: return counterValue(this.cycles(), this.cycleOffHi, this.cycleOffLo)[0] | 0;
      case Csr.time: return counterValue(this.cycles(), 0, 0)[1] | 0;
      case Csr.timeh: return counterValue(this.cycles(), 0, 0)[0] | 0;
      case Csr.instret: case Csr.minstret: return counterValue(this.instret, this.instretOffHi, this.instretOffLo)[1] | 0;
      case Csr.instreth: case Csr.minstreth: return counterValue(this.instret, this.instretOffHi, this.instretOffLo)[0] | 0;
      case Csr.sstatus: return this.mstatus & SSTATUS_MASK;
      case Csr.sie: return this.mie & this.mideleg;
      case Csr.stvec: return this.stvec;
      case Csr.scounteren: return this.scounteren;
      case Csr.senvcfg: return this.senvcfg;
      case Csr.sscratch: return this.sscratch;
      case Csr.sepc: return this.sepc;
      case Csr.scause: return this.scause;
      case Csr.stval: return this.stval;
      case Csr.sip: return this.mip() & this.mideleg;
      case Csr.satp: return this.satp;
      case Csr.mvendorid: case Csr.marchid: case Csr.mimpid: case Csr.mconfigptr: return 0;
      case Csr.mhartid: return this.hartId;
      case Csr.mstatus: return this.mstatus;
      case Csr.misa: return MISA_VALUE;
      case Csr.medeleg: return this.medeleg;
      case Csr.mideleg: return this.mideleg;
      case Csr.mie: return this.mie;
      case Csr.mtvec: return this.mtvec;
      case Csr.mcounteren: return this.mcounteren;
      case Csr.menvcfg: return this.menvcfg;
      case Csr.menvcfgh: case Csr.mstatush: return 0;
      case Csr.mcountinhibit: return this.mcountinhibit;
      case Csr.mscratch: return this.mscratch;
      case Csr.mepc: return this.mepc;
      case Csr.mcause: return this.mcause;
      case Csr.mtval: return this.mtval;
      case Csr.mip: return this.mip();
    }
    if (csr >= Csr.pmpcfg0 && csr <= Csr.pmpcfg3) return this.pmpcfg[csr - Csr.pmpcfg0];
    if (csr >= Csr.pmpaddr0 && csr <= Csr.pmpaddr15) return this.pmpaddr[csr - Csr.pmpaddr0];
    if (csr >= Csr.mhpmevent3 && csr <= Csr.mhpmevent31) return this.mhpmevent[csr - Csr.mhpmevent3];
    // hpmcounter3..31 and their h halves, machine and user views: implemented as constant zero.
    if ((csr >= Csr.hpmcounter3 && csr <= Csr.hpmcounter31) || (csr >= Csr.hpmcounter3h && csr <= Csr.hpmcounter31h) ||
      (csr >= Csr.mhpmcounter3 && csr <= Csr.mhpmcounter31) || (csr >= Csr.mhpmcounter3h && csr <= Csr.mhpmcounter31h)) return 0;
    return undefined;
  }

  /** Writes a CSR with its WARL rules; false if it does not exist. */
  csrWrite(csr: number, v: number): boolean {
    v |= 0;
    switch (csr) {
      case Csr.sstatus: this.setMstatus((this.mstatus & ~SSTATUS_MASK) | (v & SSTATUS_MASK)); return true;
      case Csr.sie: this.mie = (this.mie & ~this.mideleg) | (v & this.mideleg); return true;
      case Csr.stvec: if ((v & 3) < 2) this.stvec = v; return true; // modes 2/3 reserved: write ignored, as QEMU
      case Csr.scounteren: this.scounteren = v; return true;
      case Csr.senvcfg: this.senvcfg = v & 1; return true;
      case Csr.sscratch: this.sscratch = v; return true;
      case Csr.sepc: this.sepc = v & ~1; return true; // IALIGN = 16: bit 1 is kept
      case Csr.scause: this.scause = v; return true;
      case Csr.stval: this.stval = v; return true;
      case Csr.sip: { // only SSIP is writable through sip (§4.1.3)
        const mask = this.mideleg & 2;
        this.mipSoft = (this.mipSoft & ~mask) | (v & mask);
        return true;
      }
      case Csr.satp:
        this.satp = v;
        this.flushTranslations();
        this.port.satpWritten();
        return true;
      case Csr.mstatus: this.setMstatus(v); return true;
      case Csr.misa: return true; // WARL: the extension set is fixed
      case Csr.medeleg: this.medeleg = v & MEDELEG_WRITABLE; return true;
      case Csr.mideleg: this.mideleg = v & MIDELEG_WRITABLE; return true;
      case Csr.mie: this.mie = v & MIE_MASK; return true;
      case Csr.mtvec: if ((v & 3) < 2) this.mtvec = v; return true;
      case Csr.mcounteren: this.mcounteren = v; return true;
      case Csr.menvcfg: this.menvcfg = v & 1; return true;
      case Csr.menvcfgh: case Csr.mstatush: return true;
      case Csr.mcountinhibit: this.mcountinhibit = v & ~2; return true;
      case Csr.mscratch: this.mscratch = v; return true;
      case Csr.mepc: this.mepc = v & ~1; return true;
      case Csr.mcause: this.mcause = v; return true;
      case Csr.mtval: this.mtval = v; return true;
      case Csr.mip: this.mipSoft = v & MIP_WRITABLE; return true;
      // Counter writes replace the writing instruction's own increment (privileged spec §3.1.11):
      // the next instruction reads exactly the value written, the other half as this one read it.
      case Csr.mcycle: case Csr.mcycleh: {
        const now = this.cycles();
        const [hi, lo] = counterValue(now, this.cycleOffHi, this.cycleOffLo);
        [this.cycleOffHi, this.cycleOffLo] = counterOffset(now + 1, csr === Csr.mcycleh ? v : hi, csr === Csr.mcycle ? v : lo);
        return true;
      }
      case Csr.minstret: case Csr.minstreth: {
        const now = this.instret;
        const [hi, lo] = counterValue(now, this.instretOffHi, this.instretOffLo);
        [this.instretOffHi, this.instretOffLo] = counterOffset(now + 1, csr === Csr.minstreth ? v : hi, csr === Csr.minstret ? v : lo);
        return true;
      }
    }
    if (csr >= Csr.pmpcfg0 && csr <= Csr.pmpcfg3) { this.pmpcfg[csr - Csr.pmpcfg0] = v & 0x9f9f9f9f; return true; }
    if (csr >= Csr.pmpaddr0 && csr <= Csr.pmpaddr15) { this.pmpaddr[csr - Csr.pmpaddr0] = v; return true; }
    if (csr >= Csr.mhpmevent3 && csr <= Csr.mhpmevent31) { this.mhpmevent[csr - Csr.mhpmevent3] = v; return true; }
    if ((csr >= Csr.mhpmcounter3 && csr <= Csr.mhpmcounter31) || (csr >= Csr.mhpmcounter3h && csr <= Csr.mhpmcounter31h)) return true;
    return false;
  }

  private setMstatus(v: number): void {
    let s = (this.mstatus & ~MSTATUS_WRITABLE) | (v & MSTATUS_WRITABLE);
    if (((s & MSTATUS_MPP) >>> MSTATUS_MPP_SHIFT) === 2) s = (s & ~MSTATUS_MPP) | (this.mstatus & MSTATUS_MPP); // MPP=2 is reserved: keep
    this.mstatus = s;
    this.retag(); // MPRV, MPP, SUM and MXR pick the data context
  }

  /**
   * Extra cycles spent outside guest instructions (VM exits, page walks, injections, by the cost
   * model). Past the slice's stall limit, the loop leaves after the current instruction (EVT_BREAK).
   */
  addStall(cycles: number): void {
    this.stallCycles += cycles;
    if (this.stallCycles > this.stallLimit) this.evt |= EVT_BREAK;
  }

  /** A new deadline (a timer armed or moved while the hart runs): a slice cut to the old one ends after this instruction. */
  setDeadline(cycle: number): void {
    if (cycle < this.deadline) this.evt |= EVT_BREAK;
    this.deadline = cycle;
  }
}

function isUserCounter(csr: number): boolean {
  return (csr >= Csr.cycle && csr <= Csr.hpmcounter31) || (csr >= Csr.cycleh && csr <= Csr.hpmcounter31h);
}
