// The invalidation instructions the hypervisor executes (Intel SDM vol. 3 §31.3 "VMX instructions":
// INVEPT, INVVPID), issued where KVM issues them (docs/translation.md "Who invalidates what"). Each
// one acts on the vCPU's caches and is counted in its TLB statistics.
import type { Vcpu } from './vcpu';

/** INVEPT all-context: every guest-physical (and combined) mapping of every EPTP. */
export function inveptGlobal(v: Vcpu): void {
  v.gpaCache.invalidate();
  v.tlb.stats.invept++;
  v.tlb.stats.inveptGlobal++;
}

/** INVEPT single-context: the mappings derived from the EPT that `eptp` points to. */
export function inveptSingle(v: Vcpu, eptp: number): void {
  v.gpaCache.invalidate(eptp);
  v.tlb.stats.invept++;
  v.tlb.stats.inveptSingle++;
}

/**
 * INVVPID (individual-address, single-context or all-context): linear and combined mappings tagged
 * with the VPID; never guest-physical mappings (SDM §29.4.3.1). The TLB flush itself is done by the
 * caller (it already models what is dropped); this counts the instruction.
 */
export function invvpid(v: Vcpu): void {
  v.tlb.stats.invvpid++;
}
