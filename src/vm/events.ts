// The one event stream every observable state change goes through (docs/style.md habit 9, docs/machine.md):
// traces, statistics views, breakpoints and logpoints all consume it. Emitting costs one boolean
// test when nobody listens, so hot paths call `if (events.active)` before building an event.
import { NOT_SNAPSHOTTED } from './mem/not-snapshotted';

export interface EventBase {
  /** Virtual time (guest cycles) at which it happened. */
  cycle: number;
  /** vCPU index, or -1 for device-side events. */
  vcpu: number;
}

export interface ExitEvent extends EventBase {
  kind: 'exit';
  /** Intel VMX basic exit reason name, e.g. 'EPT_VIOLATION'. */
  reason: string;
  gpa?: number;
  gva?: number;
  access?: 'read' | 'write' | 'fetch';
  /** Where it was handled: in the hypervisor, or returned to the VMM (with the KVM exit name). */
  handledIn: 'kernel' | 'vmm';
  vmmExit?: string;
  pc: number;
}

export interface MmioEvent extends EventBase {
  kind: 'mmio';
  gpa: number;
  size: number;
  write: boolean;
  value: number;
  device: string;
  register?: string;
  handledIn: 'kernel' | 'vmm';
  pc: number;
}

export interface OutputEvent extends EventBase {
  kind: 'output';
  device: string;
  text: string;
}

// ---- Interrupt controllers (src/vm/irq; docs/interrupt-controllers.md) ----------------------------
// One event per state change of the IOAPIC, the Local APICs and the APIC bus, so that "why did (or
// didn't) IRQ N arrive?" can be answered from the stream alone (docs/interrupt-provenance.md).
// Delivery and trigger modes are spelled out as words so breakpoint conditions read naturally
// (`deliveryMode == 'lowest'`, `trigMode == 'level'`).

export type IrqDeliveryModeName = 'fixed' | 'lowest' | 'smi' | 'reserved' | 'nmi' | 'init' | 'startup' | 'extint';
export type IrqTrigModeName = 'edge' | 'level';

/** A device (or the debugger) drove an IOAPIC input pin (KVM_IRQ_LINE / the VMM IOAPIC's set_irq). */
export interface IrqLineEvent extends EventBase {
  kind: 'irq-line';
  gsi: number;
  /** The pin's level after the call (OR of every source driving it): true = asserted, whatever the polarity. */
  level: boolean;
  /** 'rising' when this call asserted a low pin, 'falling' when it released the last source. */
  edge: 'rising' | 'falling' | 'none';
  device: string;
  /** KVM irq_source_id of the caller (0 = the VMM). */
  sourceId: number;
  /**
   * What the IOAPIC does with it: 'sent' to the APIC bus (the events that follow say who accepted),
   * or held back — 'masked' / 'remote-irr' name the bit; 'coalesced' is an edge pin already high.
   */
  result: 'sent' | 'coalesced' | 'masked' | 'remote-irr' | 'deasserted';
}

/** A redirection entry changed: a guest write through IOWIN, or remote IRR set / cleared. */
export interface IoapicEntryEvent extends EventBase {
  kind: 'ioapic-entry';
  gsi: number;
  cause: 'write' | 'remote-irr-set' | 'remote-irr-cleared';
  low: number;
  high: number;
  oldLow: number;
  oldHigh: number;
}

/** The IOAPIC sends a message for a pin to the APIC bus (or, split irqchip, as an MSI). */
export interface IoapicDeliverEvent extends EventBase {
  kind: 'ioapic-deliver';
  gsi: number;
  vector: number;
  deliveryMode: IrqDeliveryModeName;
  destMode: 'physical' | 'logical';
  destination: number;
  trigMode: IrqTrigModeName;
  /** Why the pin was serviced now. */
  cause: 'line' | 'entry-write' | 'eoi';
}

/** An EOI reached the IOAPIC (a LAPIC's level EOI broadcast, or the version-0x20 EOI register). */
export interface EoiBroadcastEvent extends EventBase {
  kind: 'eoi-broadcast';
  vector: number;
  /** 'lapic N' or 'ioapic-eoi-register'. */
  source: string;
  /** Pins whose remote IRR this EOI cleared. */
  gsis: number[];
}

/** A message-signalled interrupt (a device's MSI write, KVM_SIGNAL_MSI, or the split IOAPIC). */
export interface MsiEvent extends EventBase {
  kind: 'msi';
  address: number;
  data: number;
  /** False when the address is outside 0xFEE0_0000–0xFEEF_FFFF: the write is dropped. */
  valid: boolean;
  vector: number;
  destination: number;
  destMode: 'physical' | 'logical';
  deliveryMode: IrqDeliveryModeName;
  trigMode: IrqTrigModeName;
  source: string;
}

/**
 * The APIC bus routed a message (from the IOAPIC, an MSI or an IPI): which LAPICs it goes to.
 * For lowest-priority delivery `targets` holds the one LAPIC the arbitration chose.
 */
export interface ApicRouteEvent extends EventBase {
  kind: 'apic-route';
  source: string;
  gsi?: number;
  vector: number;
  deliveryMode: IrqDeliveryModeName;
  destMode: 'physical' | 'logical';
  destination: number;
  shorthand: 'none' | 'self' | 'all-including-self' | 'all-excluding-self';
  lowestPriority: boolean;
  /** vCPU indices of the LAPICs the message is handed to (empty: nobody matches, it is dropped). */
  targets: number[];
}

/** A message reached a Local APIC; for fixed/lowest-priority ones, `accepted` means "set in IRR". */
export interface LapicAcceptEvent extends EventBase {
  kind: 'lapic-accept';
  apic: number;
  vector: number;
  deliveryMode: IrqDeliveryModeName;
  trigMode: IrqTrigModeName;
  source: string;
  /** The IOAPIC pin behind it, when there is one. */
  gsi?: number;
  accepted: boolean;
  /** Why it was not accepted, or what was done instead of setting IRR. */
  reason?: 'apic-disabled' | 'deassert' | 'special' | 'unsupported-mode';
}

/** INTA: the vCPU took the interrupt, the vector moved IRR → ISR (or a spurious vector was returned). */
export interface LapicAckEvent extends EventBase {
  kind: 'lapic-ack';
  apic: number;
  vector: number;
  spurious: boolean;
  /** PPR after the acknowledge. */
  ppr: number;
}

/** A write to the LAPIC EOI register. */
export interface LapicEoiEvent extends EventBase {
  kind: 'lapic-eoi';
  apic: number;
  /** The vector whose ISR bit was cleared, -1 when ISR was empty. */
  vector: number;
  /** The vector's TMR bit was set: the EOI is broadcast to the IOAPIC. */
  level: boolean;
}

/** A guest write to an ICR sends an IPI. */
export interface IpiEvent extends EventBase {
  kind: 'ipi';
  /** The sender's vCPU index. */
  apic: number;
  vector: number;
  deliveryMode: IrqDeliveryModeName;
  destMode: 'physical' | 'logical';
  destination: number;
  shorthand: 'none' | 'self' | 'all-including-self' | 'all-excluding-self';
  trigMode: IrqTrigModeName;
  level: boolean;
}

/** The LAPIC timer reached zero. */
export interface TimerFireEvent extends EventBase {
  kind: 'timer-fire';
  apic: number;
  vector: number;
  periodic: boolean;
  /** The LVT timer entry was masked: no interrupt. */
  masked: boolean;
  /** The cycle at which the count reached zero (the event's `cycle` is when the model noticed). */
  deadline: number;
  /** Expiries that passed unseen before this one (periodic mode, tick() called late). */
  missed: number;
}

/** A LAPIC register changed by a guest write (TPR, SVR, LDR, DFR, ID, LVT, timer, ICR high). */
export interface LapicRegisterEvent extends EventBase {
  kind: 'lapic-reg';
  apic: number;
  register: string;
  offset: number;
  oldValue: number;
  value: number;
}

export type IrqEvent =
  | IrqLineEvent | IoapicEntryEvent | IoapicDeliverEvent | EoiBroadcastEvent | MsiEvent | ApicRouteEvent
  | LapicAcceptEvent | LapicAckEvent | LapicEoiEvent | IpiEvent | TimerFireEvent | LapicRegisterEvent;

// ---- PCI and the VMM's devices (src/vm/vmm/pci, nic.ts; docs/devices.md) --------------------------
// The device side of an interrupt's chain: a function's request, its INTx pin after the swizzle, or
// the MSI write it issues. What the interrupt controller then does is its own 'irq-line' / 'msi'
// event (the device name travels with setGsi / signalMsi).

/** A PCI function's INTx pin changed, or its interrupt request changed while the pin is gated. */
export interface PciIntxEvent extends EventBase {
  kind: 'pci-intx';
  device: string;
  /** Bus:device.function, "00:03.0". */
  bdf: string;
  /** 0 = INTA … 3 = INTD. */
  pin: number;
  /** The PIRQ after the swizzle, (slot + pin) mod 4, and its GSI, 16 + PIRQ. */
  pirq: number;
  gsi: number;
  /** The function's interrupt request. */
  request: boolean;
  /** The level the function drives on its pin: its request, unless INTx is disabled or MSI is on. */
  level: boolean;
  /** The shared PIRQ line after this change (the OR of every function on it). */
  lineLevel: boolean;
  /** What keeps a request off the pin: 'COMMAND.INTX_DISABLE' or 'MSI enabled'. */
  blockedBy?: string;
}

/** A PCI function signalled its MSI: the memory write of `data` to `address` it issues. */
export interface PciMsiEvent extends EventBase {
  kind: 'pci-msi';
  device: string;
  bdf: string;
  address: number;
  data: number;
  /** False when the write did not leave the function; `blockedBy` names the bit ('MSI MASK': pending set, 'COMMAND.MASTER clear': lost). */
  delivered: boolean;
  blockedBy?: string;
}

/** A guest write to a function's configuration space (through ECAM). */
export interface PciConfigWriteEvent extends EventBase {
  kind: 'pci-config-write';
  device: string;
  bdf: string;
  offset: number;
  size: number;
  value: number;
  register: string;
  /** For a write to a BAR: its value after the write (a sizing probe reads back the size mask) and its size. */
  bar?: { index: number; value: number; size: number };
}

/** The NIC's wire side and rings. */
export interface NicEvent extends EventBase {
  kind: 'nic';
  device: string;
  /** 'rx-queued': the VMM's net queue holds the packet until the NIC can receive (see Machine.nicReceive). */
  action: 'rx' | 'rx-drop' | 'rx-queued' | 'tx' | 'tx-ignored' | 'bad-descriptor' | 'reset';
  ring?: 'rx' | 'tx';
  /** Packet length in bytes (0 when no packet is involved). */
  length: number;
  /** Ring index of the descriptor involved. */
  descriptor?: number;
  /** Why a packet was dropped or a descriptor refused. */
  reason?: string;
  /**
   * For a packet from the schedule (`--event`): the cycle it was scheduled for. It is taken at the
   * first instruction boundary at or after that cycle, so an exit in flight delays it.
   */
  scheduledAt?: number;
}

export type DeviceEvent = PciIntxEvent | PciMsiEvent | PciConfigWriteEvent | NicEvent;

/** A load or store touched a page a data breakpoint watches (reported after it completed). */
export interface MemAccessEvent extends EventBase {
  kind: 'mem-access';
  gva: number;
  gpa: number;
  size: number;
  write: boolean;
  value: number;
  pc: number;
}

/** The guest entered a handler for an external interrupt from its LAPIC (after INTA). */
export interface InterruptTakenEvent extends EventBase {
  kind: 'interrupt-taken';
  vector: number;
  /** Cycles since the line rose or the MSI was written, or -1 if unknown (an IPI, a timer). */
  latency: number;
}

/** The hart took a trap: an exception, or any interrupt (cause has bit 31 set). */
export interface GuestTrapEvent extends EventBase {
  kind: 'guest-trap';
  cause: number;
  interrupt: boolean;
  tval: number;
  /** The pc the trap interrupted (xepc) and the handler it entered. */
  epc: number;
  handler: number;
  fromPriv: number;
  toPriv: number;
}

/**
 * One phase of a VM exit's handling, in the order the code runs it (docs/exits.md): the hypervisor's
 * exit dispatcher and handlers, the kernel's I/O bus and in-kernel devices, the VMM's run loop and
 * device handlers, and the way back in. `name` is the function KVM or QEMU runs there.
 */
export interface ExitPhaseEvent extends EventBase {
  kind: 'exit-phase';
  layer: 'kvm' | 'vmm';
  name: string;
  /** What happened in this phase, in words ("not claimed by an in-kernel device"). */
  detail?: string;
  /** The device whose handler runs in this phase (its registers are shown with it). */
  device?: string;
  /** The kvm_run record as the VMM sees it in this phase. */
  run?: { exitReason: string; mmio?: { physAddr: number; data: number; len: number; isWrite: boolean }; eoiVector?: number; readyForInterruptInjection: boolean; ifFlag: boolean };
}

export type VmEvent = ExitEvent | MmioEvent | OutputEvent | IrqEvent | DeviceEvent | MemAccessEvent | InterruptTakenEvent | GuestTrapEvent | ExitPhaseEvent;

export type VmEventKind = VmEvent['kind'];
type Listener = (e: VmEvent) => void;

/**
 * The interrupt-chain recorder's direct entry (docs/interrupt-provenance.md "What recording costs"):
 * for a kind whose only listener is the recorder, the emitters on the interrupt path call the
 * method of that kind with the event's fields as arguments instead of building an event object
 * (`EventStream.direct`). Each method takes the fields the recorder reads, in the event's own
 * types; arrays are lent for the call only. With any other listener of the kind, the event is built
 * and the recorder reads the same fields from it: one logic behind both entries.
 */
export interface HopSink {
  /** Called only for the exits exitInChain accepts (the others are never a hop). */
  exit(cycle: number, vcpu: number, reason: string, gpa: number | undefined, access: ExitEvent['access'], handledIn: ExitEvent['handledIn'], vmmExit: string | undefined): void;
  timerFire(cycle: number, vcpu: number, apic: number, vector: number, periodic: boolean, masked: boolean): void;
  lapicAccept(cycle: number, vcpu: number, apic: number, vector: number, deliveryMode: IrqDeliveryModeName, trigMode: IrqTrigModeName, source: string, gsi: number | undefined, accepted: boolean, reason: LapicAcceptEvent['reason']): void;
  lapicAck(cycle: number, vcpu: number, apic: number, vector: number, spurious: boolean, ppr: number): void;
  lapicEoi(cycle: number, vcpu: number, apic: number, vector: number, level: boolean): void;
  interruptTaken(cycle: number, vcpu: number, vector: number): void;
  guestTrap(cycle: number, vcpu: number, interrupt: boolean, tval: number, handler: number): void;
  eoiBroadcast(cycle: number, vcpu: number, vector: number, source: string, gsis: readonly number[]): void;
  irqLine(cycle: number, vcpu: number, gsi: number, level: boolean, edge: IrqLineEvent['edge'], device: string, result: IrqLineEvent['result']): void;
  ioapicEntry(cycle: number, vcpu: number, gsi: number, cause: IoapicEntryEvent['cause'], low: number, oldLow: number): void;
  ioapicDeliver(cycle: number, vcpu: number, gsi: number, vector: number, deliveryMode: IrqDeliveryModeName, destMode: IoapicDeliverEvent['destMode'], destination: number, trigMode: IrqTrigModeName, cause: IoapicDeliverEvent['cause']): void;
  /** `targets`: the LAPICs the message goes to (their `index` is the vCPU's), in ascending order. */
  apicRoute(cycle: number, vcpu: number, source: string, gsi: number | undefined, vector: number, destMode: ApicRouteEvent['destMode'], destination: number, lowestPriority: boolean, targets: readonly { readonly index: number }[]): void;
  pciIntx(cycle: number, vcpu: number, device: string, bdf: string, pin: number, pirq: number, gsi: number, request: boolean, level: boolean, blockedBy: string | undefined): void;
  nic(cycle: number, device: string, action: NicEvent['action'], length: number, descriptor: number | undefined, ring: NicEvent['ring'], reason: string | undefined, scheduledAt: number | undefined): void;
}

/** The LAPIC's EOI register: its xAPIC page (0xfee00000) + 0xb0. */
const LAPIC_EOI_GPA = 0xfee0_00b0;

/** Whether an exit wrote the LAPIC's EOI register. */
export function isEoiWrite(gpa: number | undefined, access: ExitEvent['access']): boolean {
  return gpa !== undefined && (gpa >>> 0) === LAPIC_EOI_GPA && access === 'write';
}

/**
 * Whether an exit can be a hop of an interrupt chain: an interrupt-window or external-interrupt
 * exit (the pending interrupt's), an EOI write or KVM_EXIT_IOAPIC_EOI (the interrupt in service's).
 * The recorder records no other exit, so its direct entry is not even called for them.
 */
export function exitInChain(reason: string, gpa: number | undefined, access: ExitEvent['access'], vmmExit: string | undefined): boolean {
  return isWindowExit(reason) || vmmExit === 'KVM_EXIT_IOAPIC_EOI' || isEoiWrite(gpa, access);
}

/** Whether an exit is an interrupt-window or external-interrupt exit: one of the pending interrupt's. */
export function isWindowExit(reason: string): boolean {
  return reason === 'INTERRUPT_WINDOW' || reason === 'EXTERNAL_INTERRUPT';
}

/** Every kind of event, once (a kind the union gains without an entry here does not compile). */
const KIND_TABLE: Record<VmEventKind, true> = {
  'exit': true, 'mmio': true, 'output': true, 'irq-line': true, 'ioapic-entry': true, 'ioapic-deliver': true, 'eoi-broadcast': true,
  'msi': true, 'apic-route': true, 'lapic-accept': true, 'lapic-ack': true, 'lapic-eoi': true, 'ipi': true, 'timer-fire': true,
  'lapic-reg': true, 'pci-intx': true, 'pci-msi': true, 'pci-config-write': true, 'nic': true, 'mem-access': true,
  'interrupt-taken': true, 'guest-trap': true, 'exit-phase': true,
};
const VM_EVENT_KINDS = Object.keys(KIND_TABLE) as VmEventKind[];

/**
 * A table with one entry per kind. Built in one go (Object.fromEntries): an object given its 23
 * properties one keyed store at a time falls into V8's dictionary mode, and then every
 * `wants['exit']` an emitter tests is a hash lookup instead of a load at a fixed offset.
 */
function perKind<T>(make: () => T): Record<VmEventKind, T> {
  return Object.fromEntries(VM_EVENT_KINDS.map((k) => [k, make()])) as Record<VmEventKind, T>;
}

export class EventStream {
  private readonly listeners: { listener: Listener; kinds: ReadonlySet<VmEventKind> | undefined; sink: HopSink | undefined }[] = [];
  /** Per kind, the listeners that receive it, in subscription order (rebuilt, never mutated, so an emit in progress is safe). */
  private byKind = perKind<Listener[]>(() => []);
  // Listeners belong to the observers (debugger, trace), not to the machine: snapshots leave them alone.
  readonly [NOT_SNAPSHOTTED] = true;
  /** True while someone listens to any kind: emitters test it before allocating an event. */
  active = false;
  /**
   * Per kind, true while someone listens to it. Emitters of costly kinds nobody else needs (the
   * exit phases with their sentences, MMIO accesses) test this instead of `active`, so that a
   * listener of a few kinds — the interrupt-chain recorder — does not pay for the others.
   */
  readonly wants = perKind(() => false);
  /**
   * Per kind, the sink to call instead of building the event, while the listener subscribed with
   * it is the kind's only listener; else undefined (the emitter builds the event and emits it).
   */
  readonly direct = perKind<HopSink | undefined>(() => undefined);

  /**
   * Listens to every event, or only to the `kinds` given. Returns the unsubscribe function. A
   * listener given a `sink` (the interrupt-chain recorder) is called through it, with no event
   * object, for the kinds nobody else listens to: the sink and the listener must do the same.
   */
  subscribe(listener: Listener, kinds?: readonly VmEventKind[], sink?: HopSink): () => void {
    const entry = { listener, kinds: kinds ? new Set(kinds) : undefined, sink };
    this.listeners.push(entry);
    this.rebuild();
    return () => {
      const i = this.listeners.indexOf(entry);
      if (i < 0) return;
      this.listeners.splice(i, 1);
      this.rebuild();
    };
  }

  emit(e: VmEvent): void {
    const ls = this.byKind[e.kind];
    for (let i = 0; i < ls.length; i++) ls[i](e);
  }

  private rebuild(): void {
    const byKind = perKind<Listener[]>(() => []);
    for (const { listener, kinds } of this.listeners) {
      for (const k of VM_EVENT_KINDS) if (!kinds || kinds.has(k)) byKind[k].push(listener);
    }
    this.byKind = byKind;
    for (const k of VM_EVENT_KINDS) {
      this.wants[k] = byKind[k].length > 0;
      const only = byKind[k].length === 1 ? this.listeners.find((l) => l.listener === byKind[k][0]) : undefined;
      this.direct[k] = only?.sink;
    }
    this.active = this.listeners.length > 0;
  }
}
