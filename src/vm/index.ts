// The machine's public face: what a front end (the debug adapter) may name of the machine. It builds
// and runs a Machine, records and replays it (History), subscribes to its event stream, reads its
// objects for display through the types below, and changes nothing except through the debug port
// (debug-port.ts). test/architecture.test.ts holds src/debug to these two files (docs/architecture.md).

// building, running, recording
export { Machine } from './vmm/machine';
export type { MachineConfig, MachineIo, RunOutcome, ProgramImage, LoadSegment, ScheduledEvent, NicConfig } from './vmm/machine';
export { History } from './vmm/history';
export { HistoryPool } from './vmm/history-pool';
export { decodeText } from './vmm/schedule';
export { makeCostModel } from './hv/cost-model';
export type { CostModel } from './hv/cost-model';
export { collectStatistics } from './vmm/statistics';
export type { MachineStatistics } from './vmm/statistics';

// the event stream, and the interrupt chains and "why" answers recorded from it
export type * from './events';
export * from './provenance';

// names the machine uses (causes, CSRs, KVM statistics)
export { CAUSE_NAMES, CSR_NAMES, Priv } from './cpu/csr';
export { expandCompressed } from './cpu/rvc';
export { KVM_STAT_NAMES } from './hv/stats';

// read-only views of the machine's objects
export type { Vcpu, ExitRecord } from './hv/vcpu';
export type { MemoryRegion } from './vmm/mtree';
export { EptPaging, NestedPaging, ShadowPaging } from './hv/paging';
export { NptPaging } from './hv/npt-paging';
export { eptRwx } from './mmu/ept';
export { NPT_FORMAT, NPT_RSVD_HI, npfExitInfoText, nptFlags } from './mmu/npt';
export { BARE_ROOT } from './mmu/shadow';
export { ASID_BARE, DEFAULT_TLB, geometryError, TLB_G } from './mmu/tlb';
export type { CacheGeometry } from './mmu/tlb';
export { DEFAULT_GPA_CACHE } from './mmu/gpa-cache';
export { PTE_R, PTE_V, PTE_W, PTE_X } from './mmu/sv32';
export { parseRedirectionEntry, testVector } from './irq';
export { pirqName } from './vmm/pci/intx';
export type { Ioapic, Lapic, ApicRouter } from './irq';
export type { PciBus } from './vmm/pci/bus';
export type { Nic } from './vmm/nic';
