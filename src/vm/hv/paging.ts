// The ways the hypervisor virtualizes guest memory (docs/architecture.md, docs/npt.md): nested
// paging — Intel's EPT here, AMD's NPT in npt-paging.ts — where the processor walks the guest's
// tables and then the hypervisor's (a two-dimensional walk), and shadow paging, where the processor
// walks tables the hypervisor builds from the guest's. Both are entered after a TLB miss and either
// return a host page (and fill the TLB) or say why not (fault, MMIO, abort).
import { Access, XLATE_ABORT, XLATE_FAULT, XLATE_MMIO } from '../cpu/port';
import { Priv } from '../cpu/csr';
import { Ept, EPT_R, EPT_W, EPT_X } from '../mmu/ept';
import { Stage2Result, Stage2Tables } from '../mmu/stage2';
import { PteMemory, PTE_A, PTE_D, PTE_R, PTE_U, PTE_W, PTE_X, Sv32Walker } from '../mmu/sv32';
import { BARE_ROOT, ShadowTables } from '../mmu/shadow';
import { ExitReason } from './exits';
import { invvpid } from './invalidate';
import { NO_EXIT_INFO } from './exit-handlers';
import type { Vcpu } from './vcpu';
import type { Vm } from './vm';

/** Permission bits of an identity (paging-off) translation: everything, as the spec's Bare mode. */
const BARE_FLAGS = PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D;

/** What a translation needs to know about the access, computed once by the vCPU. */
export interface AccessContext {
  va: number;
  access: Access;
  priv: Priv;
  /** Guest paging applies (satp.MODE = Sv32 and not M-mode). */
  paging: boolean;
  asid: number;
}

interface GuestPaging {
  readonly mode: 'ept' | 'npt' | 'shadow';
  /** After a TLB miss: a host page offset (TLB filled), or XLATE_FAULT / XLATE_MMIO / XLATE_ABORT. */
  fill(v: Vcpu, c: AccessContext): number;
  /** satp written: the CR3 load. */
  satpWritten(v: Vcpu): void;
  /** sfence.vma: invalidate what the guest asked for. */
  sfenceVma(v: Vcpu, va: number | undefined, asid: number | undefined): void;
  /** A guest store the hypervisor must emulate on RAM (write-protected page tables), else false. */
  emulateRamWrite(v: Vcpu, gpa: number, size: number, value: number): boolean;
  reset(): void;
}

/** EXIT_QUALIFICATION of an EPT violation (SDM vol. 3 table 28-7). */
export function eptQualification(access: Access, entryFlags: number, glaValid: boolean, translatedAccess: boolean): number {
  const kind = access === Access.Read ? 1 : access === Access.Write ? 2 : 4;
  return kind | ((entryFlags & 7) << 3) | (glaValid ? 1 << 7 : 0) | (glaValid && translatedAccess ? 1 << 8 : 0);
}

// ---- two-dimensional paging: EPT and NPT ---------------------------------------------------

/** How a nested-paging vendor reports a stage-2 fault: the exit reason and its qualification / EXITINFO1. */
export interface Stage2Exit { reason: ExitReason; qualification?: number }

/**
 * The processor walks the guest's tables, each PTE reference going through stage 2, then the
 * final GPA through stage 2 (a two-dimensional walk). EPT and NPT differ only in the table format
 * and in how a fault is reported (src/vm/hv/npt-paging.ts; docs/npt.md).
 */
export abstract class NestedPaging implements GuestPaging {
  abstract readonly mode: 'ept' | 'npt';
  readonly tables: Stage2Tables;

  constructor(protected readonly vm: Vm, tables: Stage2Tables) {
    this.tables = tables;
    this.walkMemory = {
      i32: vm.host.i32,
      pteHost: (gpa: number): number => {
        const v = this.walkVcpu!, tag = this.cacheTag(v), gpaPage = gpa >>> 12;
        // A guest-physical mapping cached by an earlier walk: no stage-2 walk, no reference charged
        // (SDM vol. 3 §29.4; docs/translation.md "Paging-structure caches").
        const cached = v.gpaCache.lookup(tag, gpaPage);
        if (cached >= 0) { v.tlb.stats.gpaHits++; return cached + (gpa & 0xfff); }
        v.tlb.stats.gpaMisses++;
        const page = this.stage2(v, gpa, Access.Read, this.walkGva, false);
        if (page < 0) return -1;
        v.gpaCache.insert(tag, gpaPage, page);
        return page + (gpa & 0xfff);
      },
      pteWrite: (host: number, pte: number): void => { vm.host.writeU32(host, pte); },
    };
  }

  /** The exit a not-present stage-2 entry causes (`translated`: the final GPA, not a guest PTE). */
  protected abstract violation(access: Access, translated: boolean): Stage2Exit;
  /** The exit KVM's MMIO entry causes. */
  protected abstract mmioEntry(access: Access, translated: boolean): Stage2Exit;
  /** The guest-PTE permission bits the stage-2 leaf's `flags` leave standing. */
  protected abstract permits(stage2Flags: number): number;

  fill(v: Vcpu, c: AccessContext): number {
    const tables = this.tables;
    const refsBefore = v.walker.pteRefs + tables.refs;
    let gpa = c.va >>> 0, flags = BARE_FLAGS;
    if (c.paging) {
      const cpu = v.cpu;
      this.walkVcpu = v;
      this.walkGva = c.va;
      if (!v.walker.walk(this.walkMemory, cpu.satp, c.va, c.access, c.priv, cpu.sum, cpu.mxr)) {
        if (v.aborted) return XLATE_ABORT;
        // A walk that ends in a guest page fault made its references too (docs/cost-model.md).
        v.chargeWalk(v.walker.pteRefs + tables.refs - refsBefore);
        cpu.xlateCause = v.walker.cause;
        return XLATE_FAULT;
      }
      gpa = v.walker.gpa;
      flags = v.walker.leafFlags;
    }
    const r = this.stage2(v, gpa, c.access, c.va, true);
    v.chargeWalk(v.walker.pteRefs + tables.refs - refsBefore);
    if (r === XLATE_MMIO) {
      if (c.access === Access.Fetch) return v.fetchFromMmio(gpa, c.va);
      v.cpu.xlateGpa = gpa;
      return XLATE_MMIO;
    }
    if (r < 0) return r;
    flags &= this.permits(tables.leafFlags);
    v.tlb.insert(v.vpid, c.asid, c.va >>> 12, r, gpa - (gpa & 0xfff), flags);
    v.tlb.stats.walks++;
    return r;
  }

  /**
   * GPA → host page through stage 2, taking the violation / NPF exit and fixing it when the GPA is
   * RAM. Returns the host page, XLATE_MMIO (and records which exit the access takes), or XLATE_ABORT.
   */
  stage2(v: Vcpu, gpa: number, access: Access, gva: number, translated: boolean): number {
    const tables = this.tables;
    // Under NPT the walk of a guest page-table entry is a write for the nested tables (docs/npt.md).
    const write = access === Access.Write || !translated;
    let r = tables.walk(gpa, write);
    if (r === Stage2Result.Mmio) {
      const x = this.mmioEntry(access, translated);
      v.mmioExitReason = x.reason;
      v.mmioQualification = x.qualification ?? 0;
      return XLATE_MMIO;
    }
    if (r === Stage2Result.NotPresent) {
      const x = this.violation(access, translated);
      const host = this.vm.gpaToHost(gpa);
      if (host >= 0) {
        // "Is this RAM?" — yes: allocate (here: the memslot's frame), install, resume. No VMM exit.
        v.exitInKernel(x.reason, { gpa, gva, access, qualification: x.qualification }, this.vm.cost.eptFault);
        v.handlerPhase(x.reason); // handle_ept_violation / npf_interception: kvm_mmu_page_fault
        tables.map(gpa, host, this.ramFlags);
        this.vm.bump('pf_fixed');
        v.phase('kvm', 'kvm_tdp_page_fault', `GPA 0x${(gpa >>> 0).toString(16)} is RAM (a memslot): its page is mapped in the ${this.mode.toUpperCase()} (pf_fixed), no exit to the VMM`);
        r = tables.walk(gpa, write);
      } else {
        // Not RAM: the MMIO path. Leave KVM's MMIO entry so the next access skips the memslot lookup.
        tables.mapMmio(gpa);
        this.vm.bump('pf_mmio_spte_created');
        v.mmioExitReason = x.reason;
        v.mmioQualification = x.qualification ?? 0;
        return XLATE_MMIO;
      }
    }
    if (r !== Stage2Result.Mapped) return XLATE_ABORT;
    return tables.hostPage;
  }

  /**
   * What the vCPU's guest-physical mappings are tagged with: the EPTP under VMX (SDM §29.4.1: not the
   * VPID), nCR3 and the ASID under SVM (docs/translation.md).
   */
  abstract cacheTag(v: Vcpu): number;

  /** The permission bits a RAM leaf is installed with (everything: KVM maps RAM RWX). */
  protected abstract readonly ramFlags: number;

  /** The walk in progress (the walker calls back into walkMemory without allocating). */
  private walkVcpu: Vcpu | undefined;
  private walkGva = 0;
  /** The memory the processor's guest-table walk reads: each PTE access goes through stage 2. */
  private readonly walkMemory: PteMemory;

  satpWritten(): void { /* the guest owns satp (CR3) under nested paging: no exit */ }

  sfenceVma(v: Vcpu, va: number | undefined, asid: number | undefined): void {
    v.tlb.flush(v.vpid, va === undefined ? undefined : va >>> 12, asid);
  }

  emulateRamWrite(): boolean { return false; }

  reset(): void {
    this.tables.clear();
  }
}

export class EptPaging extends NestedPaging {
  readonly mode = 'ept';
  protected readonly ramFlags = EPT_R | EPT_W | EPT_X;

  constructor(vm: Vm) {
    super(vm, new Ept(vm.host.size));
  }

  get ept(): Ept { return this.tables as Ept; }

  cacheTag(): number { return this.ept.eptp; }

  protected violation(access: Access, translated: boolean): Stage2Exit {
    return { reason: ExitReason.EPT_VIOLATION, qualification: eptQualification(access, 0, true, translated) };
  }

  /** SDM §28.2.1: an EPT misconfiguration has no exit qualification. */
  protected mmioEntry(): Stage2Exit {
    return { reason: ExitReason.EPT_MISCONFIG };
  }

  protected permits(eptFlags: number): number {
    return eptToPteFlags(eptFlags);
  }
}

/** EPT leaf R/W/X restricts the guest PTE's R/W/X. */
function eptToPteFlags(eptFlags: number): number {
  return ~((eptFlags & EPT_R ? 0 : PTE_R) | (eptFlags & EPT_W ? 0 : PTE_W) | (eptFlags & EPT_X ? 0 : PTE_X));
}

// ---- shadow paging -----------------------------------------------------------------------------

export class ShadowPaging implements GuestPaging {
  readonly mode = 'shadow';
  readonly tables: ShadowTables;
  /** A walker of the hypervisor's own, so the vCPU's last (hardware) walk stays what the guest did. */
  private readonly softWalker = new Sv32Walker();
  /** The hypervisor reads guest tables through the memslots directly. */
  private readonly guestMemory: PteMemory;

  constructor(private readonly vm: Vm) {
    this.tables = new ShadowTables((vpn) => { for (const v of vm.vcpus) v.tlb.invalidatePage(vpn); });
    this.guestMemory = {
      i32: vm.host.i32,
      pteHost: (gpa: number) => vm.gpaToHost(gpa),
      pteWrite: (host: number, pte: number) => vm.host.writeU32(host, pte),
    };
  }

  private rootOf(v: Vcpu, paging: boolean): number {
    return paging ? (v.cpu.satp & 0x3fffff) * 4096 : BARE_ROOT;
  }

  fill(v: Vcpu, c: AccessContext): number {
    const root = this.rootOf(v, c.paging);
    const vpn = c.va >>> 12;
    v.chargeWalk(2); // the processor walks the two-level shadow table
    let e = this.tables.lookup(root, vpn);
    let faulted = false;
    if (!e || !shadowPermits(e.flags, c, v) || (c.access === Access.Write && !(e.flags & PTE_W))) {
      // #PF intercepted (EXCEPTION_NMI): the hypervisor walks the guest's tables in software.
      const guestFault = this.handlePageFault(v, c, root);
      if (guestFault !== undefined) return guestFault;
      e = this.tables.lookup(root, vpn)!;
      faulted = true;
    }
    if (e.hostPage < 0 || (c.access === Access.Write && !(e.flags & PTE_W))) {
      // MMIO, or a store the guest may do to a page we write-protect (it holds page tables): the
      // access is emulated, and the MMIO path accounts the exit.
      const gpa = e.gpaPage + (c.va & 0xfff);
      if (c.access === Access.Fetch) return v.fetchFromMmio(gpa, c.va);
      v.mmioExitReason = ExitReason.EXCEPTION_NMI;
      v.cpu.xlateGpa = gpa;
      return XLATE_MMIO;
    }
    if (faulted) {
      v.exitInKernel(ExitReason.EXCEPTION_NMI, { gva: c.va, gpa: e.gpaPage + (c.va & 0xfff), access: c.access }, this.vm.cost.shadowFault);
      v.handlerPhase(ExitReason.EXCEPTION_NMI);
      this.vm.bump('pf_fixed');
    }
    v.tlb.insert(v.vpid, c.asid, vpn, e.hostPage, e.gpaPage, e.flags);
    v.tlb.stats.walks++;
    return e.hostPage;
  }

  /**
   * The #PF exit handler (KVM's paging64_page_fault / FNAME(page_fault)): returns XLATE_FAULT for a
   * fault the guest must see (re-injected), XLATE_ABORT, or undefined when a shadow entry now exists.
   */
  private handlePageFault(v: Vcpu, c: AccessContext, root: number): number | undefined {
    const cpu = v.cpu;
    let gpa = c.va >>> 0, flags = BARE_FLAGS;
    const ptes: number[] = [];
    if (c.paging) {
      const w = this.softWalker;
      const mem = this.guestMemory;
      if (!w.walk(mem, cpu.satp, c.va, c.access, c.priv, cpu.sum, cpu.mxr)) {
        v.exitInKernel(ExitReason.EXCEPTION_NMI, { gva: c.va, access: c.access }, this.vm.cost.shadowFault);
        v.handlerPhase(ExitReason.EXCEPTION_NMI);
        this.vm.bump('pf_guest');
        cpu.xlateCause = w.cause;
        v.chargeInjection();
        return XLATE_FAULT;
      }
      for (let i = 0; i < w.steps; i++) {
        ptes.push(w.stepPteGpa[i]);
        this.tables.protect(w.stepPteGpa[i] - (w.stepPteGpa[i] % 4096));
      }
      gpa = w.gpa;
      flags = w.leafFlags;
      // A clean page is mapped read-only so the first write comes back here to set D (KVM does the same).
      if (!(flags & PTE_D)) flags &= ~PTE_W;
    }
    const gpaPage = gpa - (gpa % 4096);
    const host = this.vm.gpaToHost(gpaPage);
    this.tables.install({ root, vpn: c.va >>> 12, gpaPage, hostPage: host, flags, ptes });
    return undefined;
  }



  satpWritten(v: Vcpu): void {
    // MOV to CR3 exits under shadow paging: switch to (or build) the shadow root of the new table.
    v.exitInKernel(ExitReason.CR_ACCESS, NO_EXIT_INFO, 0);
    v.handlerPhase(ExitReason.CR_ACCESS);
    this.vm.bump('cr_exits');
  }

  sfenceVma(v: Vcpu, va: number | undefined, asid: number | undefined): void {
    // INVLPG exits under shadow paging: drop the shadow entries, then the TLB's.
    v.exitInKernel(ExitReason.INVLPG, va === undefined ? NO_EXIT_INFO : { gva: va }, 0);
    v.handlerPhase(ExitReason.INVLPG);
    this.vm.bump('invlpg');
    const paging = (v.cpu.satp >>> 31) !== 0;
    this.tables.invalidate(this.rootOf(v, paging), va === undefined ? undefined : va >>> 12);
    v.tlb.flush(v.vpid, va === undefined ? undefined : va >>> 12, asid);
    // KVM's kvm_mmu_invlpg ends in vmx_flush_tlb_gva (INVVPID individual-address); a fence of every
    // address is a guest TLB flush, vmx_flush_tlb_guest (INVVPID single-context). A no-op without VPIDs.
    if (this.vm.config.vpid) invvpid(v);
  }

  emulateRamWrite(_v: Vcpu, gpa: number, size: number, value: number): boolean {
    const host = this.vm.gpaToHost(gpa);
    if (host < 0) return false;
    const bytes = new Uint8Array(size);
    for (let k = 0; k < size; k++) bytes[k] = value >>> (8 * k);
    this.vm.host.write(host, bytes);
    this.vm.bump('insn_emulation');
    this.vm.bump('mmu_pte_write');
    const zapped = this.tables.pteWritten(gpa - (gpa % 4));
    this.vm.bump('mmu_shadow_zapped', zapped);
    // Zapped entries: kvm_flush_remote_tlbs, which every vCPU carries out as INVVPID (with VPIDs).
    if (zapped && this.vm.config.vpid) for (const o of this.vm.vcpus) invvpid(o);
    if (zapped && this.vm.vcpus.length > 1) this.vm.bump('remote_tlb_flush');
    return true;
  }

  reset(): void {
    this.tables.clear();
  }
}

/** Would the shadow entry let this access through (the processor's check against the shadow leaf)? */
export function shadowPermits(flags: number, c: AccessContext, v: Vcpu): boolean {
  if (c.paging) {
    const cpu = v.cpu;
    if (c.priv === Priv.U ? !(flags & PTE_U) : (flags & PTE_U) && (c.access === Access.Fetch || !cpu.sum)) return false;
    if (c.access === Access.Fetch) return (flags & PTE_X) !== 0;
    if (c.access === Access.Read) return (flags & PTE_R) !== 0 || (cpu.mxr && (flags & PTE_X) !== 0);
  }
  // Writes: a present entry without W is either write-protected by us or clean; both come back to fill().
  return true;
}
