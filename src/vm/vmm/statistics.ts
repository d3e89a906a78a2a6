// The statistics object of `hyperstep run --stats` (docs/contracts.md): every counter present, zeros included.
import { KVM_STAT_NAMES } from '../hv/stats';
import type { Machine } from './machine';
import { CacheStats, newCacheStats } from '../mmu/tlb';

/** Device names the statistics always list (docs/contracts.md), whether or not this machine has them mapped. */
const STAT_DEVICES = ['uart', 'finisher', 'testdev', 'ioapic', 'lapic', 'pci-ecam', 'nic'] as const;

export interface MachineStatistics {
  instructions: number;
  cycles: number;
  exits: Record<string, number>;
  vmmExits: Record<string, number>;
  mmio: { device: string; handledIn: 'kernel' | 'vmm'; reads: number; writes: number }[];
  /** With the caches behind the TLB: gpaHits/gpaMisses, INVEPT (all, single, global) and INVVPID (docs/translation.md). */
  tlb: { hits: number; misses: number; flushes: number; walks: number; walkRefs: number } & CacheStats;
  /** The same INVEPT and INVVPID totals, by the names the product description gives them. */
  invept: number;
  invvpid: number;
  /** latencyCycles.measured: interrupts whose origin is known (lines and MSIs; not timers). */
  interrupts: { asserted: number; delivered: number; taken: number; latencyCycles: { mean: number; max: number; measured: number } };
  kvm: Record<string, number>;
  /** Loads, stores and fetches at GPAs no RAM and no device claims (access faults in the guest); the first few. */
  unclaimedMmio: {
    reads: number; writes: number; fetches: number;
    first: { gpa: string; gva: string; access: string; vcpu: number; pc: string; cycle: number }[];
  };
}

const hex32 = (v: number): string => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

export function collectStatistics(m: Machine): MachineStatistics {
  const vm = m.vm;
  const tlb = { hits: 0, misses: 0, flushes: 0, walks: 0, walkRefs: 0, ...newCacheStats() };
  for (const v of m.vcpus) {
    const s = v.tlb.stats;
    tlb.hits += s.hits + v.cpu.fastHits;
    tlb.misses += s.misses;
    tlb.flushes += s.flushes;
    tlb.walks += s.walks;
    tlb.walkRefs += s.walkRefs;
    for (const k of Object.keys(newCacheStats()) as (keyof CacheStats)[]) tlb[k] += s[k];
  }
  const names = new Set<string>([...STAT_DEVICES, ...vm.mmioCounts.keys()]);
  const mmio = [...names].map((device) => {
    const c = vm.mmioCounts.get(device);
    return { device, handledIn: c?.handledIn ?? m.defaultHandler(device), reads: c?.reads ?? 0, writes: c?.writes ?? 0 };
  });
  const kvm: Record<string, number> = {};
  for (const n of KVM_STAT_NAMES) kvm[n] = vm.stats[n];
  return {
    instructions: m.instructions(),
    cycles: m.cycles(),
    exits: Object.fromEntries(vm.exitsByReason),
    vmmExits: Object.fromEntries(vm.vmmExits),
    mmio,
    tlb,
    invept: tlb.invept,
    invvpid: tlb.invvpid,
    interrupts: m.interruptStatistics(),
    kvm,
    unclaimedMmio: {
      reads: m.unclaimed.reads, writes: m.unclaimed.writes, fetches: m.unclaimed.fetches,
      first: m.unclaimed.first.map((u) => ({ gpa: hex32(u.gpa), gva: hex32(u.gva), access: u.access, vcpu: u.vcpu, pc: hex32(u.pc), cycle: u.cycle })),
    },
  };
}
