// AMD SVM nested paging (APM vol. 2 §15.25): the same two-dimensional walk as EPT, over tables in
// the x86-64 format (src/vm/mmu/npt.ts). A stage-2 fault is #VMEXIT(NPF), exit code 0x400, whose
// EXITINFO1 is a #PF error code plus two bits saying which stage-1 access faulted, and EXITINFO2 the
// GPA (APM §15.25.6). KVM's handler is svm.c npf_interception → kvm_mmu_page_fault; its MMIO entries
// carry reserved bits, so a later access reports RSVD and takes handle_mmio_page_fault.
import { Access } from '../cpu/port';
import { Npt, NPF_FINAL, NPF_GUEST_PAGE, NPT_A, NPT_D, NPT_FLAG_NX, NPT_P, NPT_RW, NPT_US, PF_ID, PF_P, PF_RSVD, PF_RW, PF_US } from '../mmu/npt';
import { PTE_D, PTE_W, PTE_X } from '../mmu/sv32';
import { ExitReason } from './exits';
import { NestedPaging, Stage2Exit } from './paging';
import type { Vm } from './vm';
import type { Vcpu } from './vcpu';

/**
 * EXITINFO1 of an NPF (APM vol. 2 §15.25.6 and the #PF error code, §8.4.2). The nested walk makes
 * every access a user access (APM §15.25.5), so U/S is always 1; the processor's reads of guest page
 * tables count as writes (it may set A/D), as KVM's selftests expect (nested NPF error codes).
 */
export function npfExitInfo1(access: Access, translated: boolean, present: boolean, reserved: boolean): number {
  let code = PF_US + (present ? PF_P : 0) + (reserved ? PF_RSVD : 0);
  if (translated) {
    if (access === Access.Write) code += PF_RW;
    if (access === Access.Fetch) code += PF_ID;
    return code + NPF_FINAL;
  }
  return code + PF_RW + NPF_GUEST_PAGE;
}

export class NptPaging extends NestedPaging {
  readonly mode = 'npt';
  protected readonly ramFlags = NPT_P | NPT_RW | NPT_US;

  constructor(vm: Vm) {
    super(vm, new Npt(vm.host.size));
  }

  get npt(): Npt { return this.tables as Npt; }

  /** nCR3 and the vCPU's ASID (≤ 0xffff): a fresh ASID leaves the old mappings unreachable. */
  cacheTag(v: Vcpu): number { return this.npt.ncr3 * 0x10000 + v.vpid; }

  protected violation(access: Access, translated: boolean): Stage2Exit {
    return { reason: ExitReason.NPF, qualification: npfExitInfo1(access, translated, false, false) };
  }

  protected mmioEntry(access: Access, translated: boolean): Stage2Exit {
    return { reason: ExitReason.NPF, qualification: npfExitInfo1(access, translated, true, true) };
  }

  /**
   * No R/W in a present NPT leaf withholds W; NX withholds X (reads are always allowed). A leaf
   * without D withholds the TLB entry's D, so the first store walks again and sets it (as a TLB
   * entry filled by a read does not let a write through without the dirty-bit update, APM §5.4.2).
   */
  protected permits(nptFlags: number): number {
    return ~((nptFlags & NPT_RW ? 0 : PTE_W) | (nptFlags & NPT_FLAG_NX ? PTE_X : 0) | (nptFlags & NPT_D ? 0 : PTE_D));
  }

  /**
   * KVM's aging of guest memory (the MMU notifier's clear_flush_young → kvm_age_gfn): clears A in
   * every nested leaf (and D too with `dirty`, as dirty logging by D bits would), then flushes every
   * vCPU's translations (svm_flush_tlb_all: TLB_CONTROL flush of the ASID, nested translations
   * included). Returns how many leaves were young. The next walk of each page sets the bits again.
   */
  age(dirty = false): number {
    const young = this.tables.clearLeafBits(NPT_A | (dirty ? NPT_D : 0));
    for (const v of this.vm.vcpus) {
      v.tlb.flushAll();
      v.gpaCache.invalidate();
      v.cpu.flushTranslations();
    }
    return young;
  }
}
