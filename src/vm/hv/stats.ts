// Per-VM statistics, named as KVM names them in its debugfs/stats (virt/kvm, arch/x86/kvm/x86.c
// `kvm_vcpu_stats_desc`, `kvm_vm_stats_desc`), so `kvm_stat` readers feel at home.

export const KVM_STAT_NAMES = [
  'exits', 'mmio_exits', 'halt_exits', 'hypercalls', 'irq_exits', 'irq_window_exits', 'irq_injections',
  'request_irq_exits', 'insn_emulation', 'pf_fixed', 'pf_guest', 'pf_mmio_spte_created', 'tlb_flush',
  'invlpg', 'mmu_shadow_zapped', 'mmu_pte_write', 'mmu_cache_miss', 'remote_tlb_flush', 'cr_exits',
] as const;
export type KvmStatName = typeof KVM_STAT_NAMES[number];

export function newKvmStats(): Record<KvmStatName, number> {
  const s = {} as Record<KvmStatName, number>;
  for (const n of KVM_STAT_NAMES) s[n] = 0;
  return s;
}
