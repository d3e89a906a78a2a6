// The Hyperstep debug adapter's own DAP messages and the launch configuration, declared once and
// typed (docs/style.md habit 5, after rust-analyzer's lsp_ext.ts). The adapter (src/debug), the
// extension (src/extension) and the views (src/views) all name these constants, never a string
// literal at a call site. This file imports nothing: its types are plain JSON shapes.

/** The debug type in launch.json and package.json `contributes.debuggers`. */
export const DEBUG_TYPE = 'hyperstep';

/** A custom request: its command name, with the argument and result types carried along. */
export interface RequestType<Args, Result> {
  readonly command: string;
  /** Phantom fields, never set: they let a typed caller infer Args and Result. */
  readonly _args?: Args;
  readonly _result?: Result;
}

/** A custom event: its name, with the body type carried along. */
export interface EventType<Body> {
  readonly event: string;
  readonly _body?: Body;
}

// ---- launch configuration (docs/contracts.md) ---------------------------------------------------------------

export type MmuMode = 'ept' | 'npt' | 'shadow';
export type IrqchipMode = 'kernel' | 'split' | 'userspace';

/** An event from outside the guest at a virtual time (cycles since reset). */
export type LaunchEvent =
  | { atCycle: number; nic: 'rx'; data: string; encoding?: 'utf8' | 'hex' }
  | { atCycle: number; irq: number; level: 0 | 1 | boolean }
  | { atCycle: number; uart: string };

export interface LaunchArguments {
  type?: string;
  request?: string;
  name?: string;
  /** .s/.asm (assembled in-process) or an ELF32 RISC-V executable. */
  program: string;
  vcpus?: number;
  memoryMiB?: number;
  mmu?: MmuMode;
  vpid?: boolean;
  /** The block compiler (docs/block-compiler.md); default true. */
  compiler?: boolean;
  irqchip?: IrqchipMode;
  stopOnEntry?: boolean;
  devices?: { nic?: { slot?: number; msi?: boolean } | false };
  events?: LaunchEvent[];
  /** Overrides of the cost model, in cycles (docs/cost-model.md). */
  costModel?: Record<string, number>;
  /** Cache geometries (docs/translation.md): the TLB and the guest-physical mappings cache. */
  tlb?: { entries?: number; ways?: number };
  gpaCache?: { entries?: number; ways?: number };
  /** Interrupt chains kept (the newest; docs/interrupt-provenance.md). */
  interruptChains?: number;
  /** Memory reverse execution may use for its checkpoints, in MiB. */
  historyMiB?: number;
  /** Stop at an access to a GPA no device claims, instead of an access fault in the guest (QEMU's behaviour). */
  strictMmio?: boolean;
  /** Working directory relative program paths are resolved against. */
  cwd?: string;
}

// ---- event breakpoints (docs/contracts.md) ------------------------------------------------------------------

/** The exception-breakpoint filter ids: a contract with users' launch configurations and tests. */
export const EVENT_FILTER_IDS = [
  'vmexit', 'mmio', 'mmio-vmm', 'ept-violation', 'irq-assert', 'msi', 'lapic-deliver',
  'interrupt-taken', 'eoi', 'guest-trap', 'triple-fault',
] as const;
export type EventFilterId = typeof EVENT_FILTER_IDS[number];

// ---- hyperstep/state --------------------------------------------------------------------------------

export interface StateArguments {
  /** Only these parts (default: all). */
  parts?: StatePart[];
}

export type StatePart = 'routing' | 'ioapic' | 'lapics' | 'exits' | 'memory' | 'tlb' | 'vcpus' | 'interrupts';

export interface RedirectionEntrySnapshot {
  low: number;
  high: number;
  vector: number;
  deliveryMode: string;
  destMode: 'physical' | 'logical';
  deliveryStatus: number;
  polarity: 'high' | 'low';
  remoteIrr: boolean;
  trigMode: 'edge' | 'level';
  masked: boolean;
  destination: number;
}

export interface IoapicPinSnapshot {
  gsi: number;
  /** The line is asserted now (OR of its sources). */
  line: boolean;
  entry: RedirectionEntrySnapshot;
  /**
   * What keeps an asserted pin from being delivered: 'masked' | 'remote-irr' (absent when nothing
   * does or the line is low; remote IRR is no block while the vector is pending or in service).
   */
  blockedBy?: string;
  /** 'delivered, awaiting EOI' when remote IRR is set for a vector pending or in service. */
  note?: string;
}

export interface IoapicSnapshot {
  /** Where the model lives: 'kernel' (KVM, version 0x11) or 'vmm' (QEMU, version 0x20). */
  placement: 'kernel' | 'vmm';
  version: number;
  id: number;
  ioRegSel: number;
  pins: IoapicPinSnapshot[];
}

export interface LapicSnapshot {
  vcpu: number;
  placement: 'kernel' | 'vmm';
  id: number;
  tpr: number;
  ppr: number;
  ldr: number;
  dfr: number;
  svr: number;
  softwareEnabled: boolean;
  irr: number[];
  isr: number[];
  tmr: number[];
  icrLow: number;
  icrHigh: number;
  lvt: number[];
  /** The vector the hart would take next, or -1. */
  highestDeliverable: number;
  timer: { initialCount: number; currentCount: number; divideConfig: number; periodic: boolean; nextDeadline?: number };
}

/** One hop chain: device pin → PIRQ → GSI → redirection entry → destination LAPICs. */
export interface RouteSnapshot {
  /** 'nic', 'uart', 'testdev', … */
  device: string;
  /** PCI bus:device.function, for PCI functions. */
  bdf?: string;
  slot?: number;
  /** 'INTA'..'INTD' for PCI functions. */
  pin?: string;
  pirq?: number;
  gsi: number;
  /** The device drives its line now. */
  asserted: boolean;
  /** The GSI line (shared) is asserted. */
  lineAsserted: boolean;
  entry?: RedirectionEntrySnapshot;
  /** vCPU indices whose LAPIC the entry addresses now. */
  destinations: number[];
  /**
   * What stops this route now, in words short enough for a 300 px row ('IOREDTBL masked', 'INTx
   * disabled', 'remote IRR, no EOI' — an EOI that never came back, …): only what really holds the
   * interrupt back — a remote IRR set because the vector was just accepted and is
   * pending or in service is not a block (`status` says where it is).
   */
  blockedBy?: string;
  /**
   * Where the route's interrupt is now: 'idle' (nothing asserted or pending), 'asserted' (the line is
   * high and nothing holds it: on its way), 'blocked' (see `blockedBy`), 'pending' (its vector is in
   * a destination LAPIC's IRR), 'in-service' (in ISR: the handler runs, EOI not yet written).
   */
  status?: RouteStatus;
  /** What the interrupt waits for when it is not blocked, in words ('delivered, awaiting EOI': remote IRR set by the acceptance). */
  note?: string;
  /** Pending, but the destination hart has external interrupts off: why ('mie.MEIE = 0, mstatus.MIE = 0'). */
  waitsFor?: string;
  msi?: { enabled: boolean; address: number; data: number; masked: boolean; pending: boolean; vector: number; destination: number };
}

export interface ExitSnapshot {
  vcpu?: number;
  reason: string;
  cycle: number;
  pc: number;
  gpa?: number;
  gva?: number;
  access?: string;
  qualification?: number;
  handledIn: 'kernel' | 'vmm';
  vmmExit?: string;
  device?: string;
  register?: string;
  size?: number;
  value?: number;
}

export interface MemslotSnapshot {
  slot: number;
  guestPhysAddr: number;
  memorySize: number;
  userspaceAddr: number;
}

export interface PagingSnapshot {
  mode: MmuMode;
  /**
   * EPT or NPT: present stage-2 leaves (RAM) and MMIO SPTEs, first `limit` of them in GPA order.
   * `flags` are the format's own: EPT R/W/X in bits 2:0; NPT P/RW/US in bits 2:0 and NX as bit 3.
   */
  eptLeaves?: { gpa: number; hpa: number; flags: number; mmio: boolean }[];
  eptLeafCount?: number;
  /** Shadow paging: one entry per guest root (satp), with its entry count. */
  shadowRoots?: { root: number; entries: number }[];
  truncated?: boolean;
}

export interface TlbSnapshot {
  vcpu: number;
  vpid: number;
  size: number;
  entries: { index: number; vpid: number; asid: number; gva: number; gpa: number; hpa: number; flags: number }[];
  /**
   * gpaHits/gpaMisses: guest PTE addresses the guest-physical mappings cache served / did not;
   * invept (= inveptSingle + inveptGlobal) and invvpid: executed for this vCPU (docs/translation.md).
   */
  stats: {
    hits: number; misses: number; flushes: number; walks: number; walkRefs: number;
    gpaHits: number; gpaMisses: number; invept: number; inveptSingle: number; inveptGlobal: number; invvpid: number;
  };
  /** The guest-physical mappings cache (EPT/NPT): its size and valid entries, tag = EPTP or nCR3·2^16 + ASID. */
  gpaCache?: { size: number; ways: number; entries: { index: number; tag: number; gpa: number; hpa: number }[] };
}

export type RouteStatus = 'idle' | 'asserted' | 'blocked' | 'pending' | 'in-service';

/**
 * Where the interrupt chain ends: the hart's interrupt enables and its trap vector (RISC-V
 * privileged spec §3.1.6.1, §3.1.9, §3.1.7). The LAPIC drives mip.MEIP (bit 11); the hart takes it
 * when mie.MEIE and mstatus.MIE allow it in M-mode, or — when mideleg delegates it — sie.SEIE's
 * stand-in mie.MEIE and sstatus.SIE in S-mode (docs/interrupt-controllers.md).
 */
export interface HartInterruptSnapshot {
  mstatus: number;
  mie: number;
  mip: number;
  mideleg: number;
  mtvec: number;
  stvec: number;
  /** mstatus.MIE (bit 3) and mstatus.SIE (bit 1): the global enables. */
  mstatusMIE: boolean;
  mstatusSIE: boolean;
  /** mie.MEIE (bit 11): the external interrupt enable; mip.MEIP (bit 11): the LAPIC's line. */
  mieMEIE: boolean;
  mipMEIP: boolean;
  /** mideleg bit 11: the external interrupt is taken in S-mode (stvec, sstatus.SIE). */
  delegated: boolean;
  /** The hart would take an external interrupt now (its interrupt window is open). */
  externalEnabled: boolean;
  /** Why the window is closed, in words ('mstatus.MIE = 0, mie.MEIE = 0'); absent when open. */
  closedBy?: string;
  /** The trap vector it enters: mtvec (stvec when delegated), its base and mode. */
  handler: number;
  handlerMode: 'direct' | 'vectored';
}

export interface VcpuSnapshot {
  id: number;
  pc: number;
  priv: 'M' | 'S' | 'U';
  halted: boolean;
  instret: number;
  cycles: number;
  lastExit?: ExitSnapshot;
  /** The hart's interrupt-enable state and handler. */
  interrupts?: HartInterruptSnapshot;
}

export interface InterruptStatsSnapshot {
  asserted: number;
  delivered: number;
  taken: number;
  latencyCycles: { mean: number; max: number };
}

export interface StateSnapshot {
  /** Machine steps since reset (the position reverse execution seeks by) and virtual time. */
  steps: number;
  cycles: number;
  instructions: number;
  mmu: MmuMode;
  vpid: boolean;
  /** Undefined until the machine has interrupt controllers. */
  irqchip?: IrqchipMode;
  routing?: RouteSnapshot[];
  ioapic?: IoapicSnapshot;
  lapics?: LapicSnapshot[];
  exits?: {
    byReason: Record<string, number>;
    vmm: Record<string, number>;
    kvm: Record<string, number>;
    recent: ExitSnapshot[];
    mmio: { device: string; handledIn: 'kernel' | 'vmm'; reads: number; writes: number }[];
  };
  memory?: { memslots: MemslotSnapshot[]; paging: PagingSnapshot };
  tlb?: TlbSnapshot[];
  vcpus?: VcpuSnapshot[];
  interrupts?: InterruptStatsSnapshot;
}

export const stateRequest: RequestType<StateArguments, StateSnapshot> = { command: 'hyperstep/state' };

// ---- hyperstep/inject ---------------------------------------------------------------------------------

export type InjectArguments =
  /** KVM_IRQ_LINE from the user: drive GSI `gsi` (0–23) to `level`. */
  | { kind: 'irq'; gsi: number; level: boolean | 0 | 1 }
  /** A packet for the NIC; `data` is text, or hex digits with encoding 'hex'. */
  | { kind: 'nic'; data: string; encoding?: 'utf8' | 'hex' }
  /** Text typed into the guest's console (UART receive). */
  | { kind: 'uart'; text: string };

export interface InjectResult {
  /** What happened, in words ("GSI 19 asserted: sent to the APIC bus", "NIC: delivered 5 bytes"). */
  message: string;
}

export const injectRequest: RequestType<InjectArguments, InjectResult> = { command: 'hyperstep/inject' };

// ---- hyperstep/stateChanged --------------------------------------------------------------------------

export interface StateChangedBody {
  /** Why: the machine stopped, the user injected something, or wrote registers/memory. */
  reason: 'stopped' | 'inject' | 'write' | 'launch';
  steps: number;
  cycles: number;
}

export const stateChangedEvent: EventType<StateChangedBody> = { event: 'hyperstep/stateChanged' };

// ---- interrupt provenance (docs/interrupt-provenance.md): hyperstep/interrupts, hyperstep/why, hyperstep/runToCycle -----------

/** Who handled a hop: the device model, the VMM (QEMU), the hypervisor (KVM) or the guest hart. */
export type HopLayer = 'device' | 'vmm' | 'kernel' | 'guest';

/** One hop of an interrupt's chain, stamped by cycle and vCPU (-1 for device-side hops). */
export interface InterruptHop {
  cycle: number;
  vcpu: number;
  layer: HopLayer;
  /** The event name: 'pci-intx', 'irq-line', 'ioapic-deliver', 'msi', 'lapic-accept', 'lapic-ack', 'interrupt-taken', 'lapic-eoi', 'eoi-broadcast', … */
  kind: string;
  /** For a 'nic' hop, the NIC event's action: 'rx-queued' (held in the VMM's net queue) or 'rx' (written to an RX descriptor). */
  action?: string;
  text: string;
}

/** How a chain ended, or where it is now. */
export type InterruptOutcome = 'handled' | 'in-service' | 'pending' | 'blocked' | 'coalesced' | 'lost';

/** Where a chain started. */
export type InterruptSource = 'intx' | 'msi' | 'testdev' | 'ipi' | 'timer' | 'debugger' | 'device';

export interface InterruptChain {
  id: number;
  gsi?: number;
  vector?: number;
  /** The device or origin, in words ("nic (00:03.0 INTA)", "lapic timer 0", "IPI from vCPU 1", "debugger"). */
  source: string;
  sourceKind?: InterruptSource;
  outcome: InterruptOutcome;
  /** Cycles from the first hop to the handler's first instruction, once taken. */
  latencyCycles?: number;
  hops: InterruptHop[];
}

export interface InterruptsArguments {
  /** The most recent N chains (default: every chain the ring holds). */
  last?: number;
  gsi?: number;
  vector?: number;
}

export interface InterruptsResult {
  /** Oldest first (most recent last), as `info interrupts` prints them. */
  chains: InterruptChain[];
  /** Chains dropped from the ring, by outcome. */
  dropped?: Partial<Record<InterruptOutcome, number>>;
}

export const interruptsRequest: RequestType<InterruptsArguments, InterruptsResult> = { command: 'hyperstep/interrupts' };

/** The keywords of "why didn't it arrive?", in path order (docs/interrupt-provenance.md): a contract. */
export const WHY_KEYWORDS = [
  'no-source', 'line-low', 'masked', 'edge-lost', 'remote-irr', 'no-destination', 'apic-disabled',
  'in-service', 'priority', 'tpr', 'interrupts-off',
] as const;
export type WhyKeyword = typeof WHY_KEYWORDS[number];

export type WhyArguments = { gsi: number } | { vector: number; vcpu?: number };

export interface GuestWrite {
  cycle: number;
  pc: number;
  vcpu: number;
}

export interface WhyResult {
  /** The first thing on the path that stops it, or null when nothing does (then `delivered` says when it was taken). */
  blocker: WhyKeyword | null;
  /** The answer in words; its first line starts with the keyword (or 'delivered'). */
  detail: string;
  /** The register and bit that block, e.g. "IOAPIC redirection entry 19, bit 16 (mask)". */
  register?: string;
  /** The guest write that set the blocking bit: the user can run back to it. */
  setAt?: GuestWrite;
  /** When nothing blocks: the cycle the interrupt was last taken, if it was. */
  delivered?: { cycle: number; vcpu: number };
}

export const whyRequest: RequestType<WhyArguments, WhyResult> = { command: 'hyperstep/why' };

export interface RunToCycleArguments {
  cycle: number;
  /** Whose clock (default: the stopped thread's). */
  vcpu?: number;
}

export interface RunToCycleResult {
  /** Where it stopped: the vCPU's clock there (the first instruction boundary at or after `cycle`). */
  cycle: number;
  vcpu: number;
  pc: number;
}

export const runToCycleRequest: RequestType<RunToCycleArguments, RunToCycleResult> = { command: 'hyperstep/runToCycle' };

// ---- the Interrupt timeline's comparison (docs/extension.md "Interrupt timeline") ----------------------

export interface CompareInterruptsArguments {
  /** The other irqchip mode to run the same launch configuration under. */
  irqchip: IrqchipMode;
  /** Run the batch until its vCPU 0 clock reaches this cycle (the session's current cycle). */
  untilCycle: number;
  /** The most recent N chains (default: every chain the ring holds). */
  last?: number;
}

export interface CompareInterruptsResult {
  irqchip: IrqchipMode;
  /** Where the batch stopped (vCPU 0's clock): `untilCycle`, or earlier when the guest ended. */
  cycles: number;
  vcpus: number;
  chains: InterruptChain[];
  /** The batch's recent VM exits (the extra exits of `userspace` show in the picture). */
  exits: ExitSnapshot[];
  /** Why the batch stopped early, when it did ("the guest finished at cycle 18000"). */
  note?: string;
}

export const compareInterruptsRequest: RequestType<CompareInterruptsArguments, CompareInterruptsResult> = { command: 'hyperstep/compareInterrupts' };

// ---- the two-stage translation explorer: hyperstep/translate (docs/translation.md) ----------

export type AccessKind = 'read' | 'write' | 'fetch';

export interface TranslateArguments {
  /** The guest-virtual address. */
  gva: number;
  /** The vCPU whose satp, privilege and TLB are used (default 0). */
  vcpu?: number;
  access?: AccessKind;
}

/** One level of a stage-2 walk (EPT or NPT): the table, the index into it, the entry read. */
export interface Stage2Level {
  /** 'PML4' | 'PDPT' | 'PD' | 'PT'. */
  name: string;
  /** Host-physical address of the table and of the entry. */
  table: number;
  index: number;
  entryAddress: number;
  /** The 64-bit entry, hex. */
  entry: string;
  present: boolean;
  /** EPT: 'RWX' letters ('-' for a clear bit); NPT: 'P RW US NX A D' as set (e.g. 'PWU A D'). */
  flags: string;
  /** EPT leaves: bits 5:3. */
  memoryType?: number;
  /** KVM's MMIO entry (misconfigured EPT / reserved-bit NPT). */
  mmio?: boolean;
}

export interface Stage2Walk {
  mmu: 'ept' | 'npt';
  gpa: number;
  /** The root (EPTP or nCR3). */
  root: number;
  levels: Stage2Level[];
  /** The host-physical address it gives, when mapped. */
  hpa?: number;
  /** Served by the guest-physical mappings cache (no table references), when there is one. */
  cached?: boolean;
  /** What the access would do at this stage: 'mapped', or the exit it takes. */
  outcome: string;
}

/** The last guest store to a word, from the reverse-execution history. */
export interface LastWrite {
  cycle: number;
  pc: number;
  vcpu: number;
  value: number;
  /** The machine step of the store (reverse-to-write goes there). */
  step: number;
}

export interface GuestLevel {
  /** 1 = the root table (VPN[1]), 0 = the leaf table. */
  level: number;
  pteGpa: number;
  pte: number;
  /** V R W X U G A D letters as set. */
  flags: string;
  /** 'pointer' to the next table, 'leaf', or 'invalid'. */
  kind: 'pointer' | 'leaf' | 'invalid';
  /** EPT/NPT: the stage-2 walk of the PTE's own GPA, done before the PTE can be read. */
  stage2?: Stage2Walk;
  /** Shadow paging: is this PTE's page write-protected by the hypervisor? */
  writeProtected?: boolean;
  /** Undefined when no store to it is in the recorded history (loaded with the image, or older). */
  lastWrite?: LastWrite;
}

export interface ShadowSide {
  /** The guest root the shadow table belongs to (satp.PPN × 4096), or -1 for the identity map. */
  root: number;
  /** The shadow entry for the GVA's page, if the hypervisor has built one. */
  entry?: { gpaPage: number; hostPage: number; flags: string; fromPtes: number[] };
  /** The guest leaf it shadows, for comparison (undefined with paging off). */
  guestLeaf?: { pteGpa: number; flags: string };
  /** What differs: e.g. "W withheld: the page holds page tables". */
  note: string;
}

export interface TlbState {
  hit: boolean;
  /** 'VPID' under VMX, 'ASID' under SVM. */
  tagName: 'VPID' | 'ASID';
  tag: number;
  /** The guest ASID (satp.ASID), or 'bare' with paging off. */
  guestAsid: number | 'bare';
  set: number;
  /** The way that holds it (a hit), or the way the next fill replaces (a miss). */
  way: number;
}

export interface TranslateResult {
  gva: number;
  vcpu: number;
  access: AccessKind;
  mmu: MmuMode;
  /** Guest paging applies (Sv32 and not M-mode). */
  paging: boolean;
  satp: number;
  levels: GuestLevel[];
  gpa?: number;
  /** EPT/NPT: the walk of the final GPA. */
  final?: Stage2Walk;
  shadow?: ShadowSide;
  hpa?: number;
  tlb: TlbState;
  /** Memory references a miss makes: guest PTEs plus stage-2 entries (0 on a TLB hit). */
  memoryReferences: number;
  /** The guest exception it would raise (cause name), if any. */
  fault?: string;
  /** The VM exits it would take, in order (e.g. "EPT_VIOLATION (RAM: mapped in the kernel)"). */
  exits: string[];
}

export const translateRequest: RequestType<TranslateArguments, TranslateResult> = { command: 'hyperstep/translate' };

// ---- the Translation view's default address (docs/translation.md "The Translation view") ----------

export interface StoppedAccessArguments {
  /** Whose access (default: the vCPU of the last stop). */
  vcpu?: number;
}

/**
 * The memory access of the instruction a vCPU is stopped at: the data access of a load, store or
 * AMO (its effective address from the registers now), otherwise the fetch of the instruction itself.
 */
export interface StoppedAccess {
  vcpu: number;
  pc: number;
  /** The instruction at pc, disassembled ("sw\tt0,0(s1)"); undefined where pc cannot be read. */
  instruction?: string;
  gva: number;
  access: AccessKind;
  /** Bytes the data access reads or writes (1, 2 or 4); undefined for a fetch. */
  size?: number;
}

export const stoppedAccessRequest: RequestType<StoppedAccessArguments, StoppedAccess> = { command: 'hyperstep/stoppedAccess' };
