// The interrupt-chain recorder (docs/interrupt-provenance.md): it listens to the one event stream
// (vm/events.ts) and strings the hops of each interrupt together — device pin or MSI write, IOAPIC
// pin, APIC bus, LAPIC IRR, INTA, the guest's handler, EOI — into one chain with an outcome.
//
// It is machine state: the recorder registers itself in Machine.observerState, so reverse
// execution's checkpoints (vm/snapshot.ts) capture and rewind it with everything else, and the
// re-execution that follows a restore feeds it the same events again. After a step back the chains
// are those of the machine at that step, with no bookkeeping of its own.
//
// Memory is bounded: a ring of the last `capacity` chains; older ones are only counted by outcome.
// Work happens per event, never per instruction, and only while the stream is active. A hop is a
// few numbers in typed arrays (chain-store.ts); chains are objects, and hops sentences, only when
// they are read (chainAt).
import type {
  ApicRouteEvent, EventStream, ExitEvent, HopSink, IoapicDeliverEvent, IoapicEntryEvent, IrqDeliveryModeName, IrqLineEvent, IrqTrigModeName,
  LapicAcceptEvent, NicEvent, VmEvent, VmEventKind,
} from '../events';
import { exitInChain, isEoiWrite, isWindowExit } from '../events';
import type { Machine } from '../vmm/machine';
import { RTE_MASK, RTE_TRIGGER_LEVEL } from '../irq/redirection-entry';
import { IOAPIC_PINS } from '../irq/ioapic';
import { MSI_CAP_OFFSET, PCI_MSI_ADDRESS_LO, PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE, PCI_MSI_MASK_32 } from '../vmm/pci';
import type { InstructionAt, RecordedChain, RecordedHop } from './types';
import {
  ChainStore, L_DEVICE, L_GUEST, L_KERNEL, L_VMM, O_BLOCKED, O_COALESCED, O_HANDLED, O_IN_SERVICE,
  O_LOST, O_PENDING, SK_DEBUGGER, SK_DEVICE, SK_INTX, SK_IPI, SK_MSI, SK_TESTDEV, SK_TIMER,
  S_GSI_AFTER_EOI, S_GSI_UNMASKED, S_INTX, S_IPI, S_MSI_DEVICE, S_TEXT, S_TIMER,
} from './chain-store';
import {
  FORM_KIND, F_ACCEPT, F_ACCEPT_COALESCED, F_ACCEPT_DISABLED, F_ACCEPT_REFUSED, F_ACCEPT_SPECIAL, F_ACK, F_DELIVER, F_EOI,
  F_EOI_BROADCAST, F_EXIT, F_INTX_ASSERT, F_INTX_GATED, F_INTX_RELEASE, F_IPI, F_LINE_COALESCED, F_LINE_EDGE_LOST,
  F_LINE_FALLS, F_LINE_MASKED, F_LINE_REMOTE_IRR, F_LINE_SENT, F_MSI, F_PCI_MSI_HELD, F_PCI_MSI_SENT, F_REMOTE_IRR_SET,
  F_NIC_QUEUED, F_NIC_RX, F_ROUTE, F_ROUTE_NONE, F_TAKEN, F_TIMER, formAction, hopText, maskOf, sourceText,
} from './hop-text';

export const DEFAULT_CHAIN_CAPACITY = 1024;
/** The tables indexed by an interned name start this wide (a machine's device names, BDFs, modes and exit reasons fit). */
const NAME_TABLE_START = 64;
/** ChainStore.intern's cache entries, one per hot call site (below INTERN_SITES). */
const I_DEVICE = 1, I_BDF = 2, I_LINE_DEVICE = 3, I_EXIT_REASON = 4, I_VMM_EXIT = 5, I_DELIVERY_MODE = 6, I_DEST_MODE = 7;
const I_EOI_SOURCE = 8, I_QUEUED_REASON = 9;

/** A packet the VMM's net queue holds: its number, when it was queued, why, and how late it was taken (-1: not scheduled). */
interface QueuedPacket { id: number; cycle: number; length: number; reason: string; late: number }
/** A packet the NIC wrote to an RX descriptor (and where it waited before, if it did). */
interface ReceivedPacket { id: number; cycle: number; length: number; descriptor: number; queued: QueuedPacket | undefined }
/** The key of Machine.observerState the recorder registers under. */
export const RECORDER_KEY = 'interrupt-chains';

export interface RecorderOptions {
  capacity?: number;
}

export class ChainRecorder implements HopSink {
  readonly capacity: number;
  private readonly st: ChainStore;
  private readonly ioapicLayer: number;
  private readonly lapicLayer: number;

  // ---- correlation: which chain (by id, 0: none) the next event continues -----------------------------
  /** The message being delivered right now (its route and accepts follow synchronously). */
  private current = 0;
  /** A device hop (INTx request, MSI write) whose interrupt-controller event comes next. */
  private fromDevice = 0;
  /** GSI → the chain of the line's latest rising edge (0: none). GSIs are IOAPIC pins: typed arrays, not maps, on the hot path. */
  private readonly lineChain = new Int32Array(IOAPIC_PINS);
  /** GSI → a level interrupt the IOAPIC holds back (masked, remote IRR; 0: none). */
  private readonly held = new Int32Array(IOAPIC_PINS);
  /**
   * A function's BDF, by its interned index (ChainStore.intern) → a request it holds (INTx disabled,
   * MSI masked; 0: none). This and the two tables by device name below are indexed by the name's
   * interned index, which the hop needs anyway: an array index where a map keyed by the string
   * cost a hash lookup or two per event (and, before, a delete that made V8 rebuild the map's table
   * on every interrupt). Widened by fitNames as strings are interned.
   */
  private heldByBdf: Int32Array = new Int32Array(NAME_TABLE_START);
  /** apic * 256 + vector → the chain whose vector is in that LAPIC's IRR / ISR. */
  private irr: Int32Array;
  private isr: Int32Array;
  /** The same as bitmaps, eight 32-bit words per LAPIC (as the LAPIC's own IRR/ISR): the highest is a few clz32s away. */
  private irrBits: Int32Array;
  private isrBits: Int32Array;
  /** The chain a level EOI just ended (its broadcast to the IOAPIC follows). */
  private lastEoi = 0;

  // ---- packets: the first hops of a NIC's interrupt -------------------------------------------------
  /** Packets seen so far (their numbers in hop texts). */
  private packets = 0;
  /** The packets the VMM's net queue holds, oldest first (it hands them to the NIC in order). */
  private readonly netQueue: QueuedPacket[] = [];
  /** The packet the NIC just took, waiting for the INTx or MSI it causes (by the device name's interned index). */
  private receivedBy: (ReceivedPacket | undefined)[] = new Array<ReceivedPacket | undefined>(NAME_TABLE_START).fill(undefined);
  /** Device name (interned index) → the chain of its INTx while the function's request is asserted. */
  private chainOfDevice: Int32Array = new Int32Array(NAME_TABLE_START);

  // ---- who set which bit (for "why"'s setAt) -----------------------------------------------------
  /** GSI → the guest write that last set the mask bit, and the last write to the entry. */
  private readonly maskSetAt = new Map<number, InstructionAt>();
  private readonly entryWriteAt = new Map<number, InstructionAt>();
  /** GSI → the delivery that set remote IRR: cycle, pc, vCPU (NaN: none). Set on every level interrupt, so numbers, not an object. */
  private readonly remoteIrrSetAt = new Float64Array(3 * IOAPIC_PINS).fill(NaN);
  /** apic → the write that cleared SVR bit 8, and the last TPR write. */
  private readonly svrClearedAt = new Map<number, InstructionAt>();
  private readonly tprSetAt = new Map<number, InstructionAt>();
  /** bdf → the last guest config write that set the MSI mask bit, wrote the message address, or left MSI Enable clear. */
  private readonly msiMaskSetAt = new Map<string, InstructionAt>();
  private readonly msiAddressAt = new Map<string, InstructionAt>();
  private readonly msiDisabledAt = new Map<string, InstructionAt>();
  /** vCPU → its latest interrupt or exception entry (which clears mstatus.MIE): cycle, handler; NaN: none. */
  private trapAt: Float64Array;

  constructor(private readonly machine: Machine, options: RecorderOptions = {}) {
    this.capacity = Math.max(1, Math.floor(options.capacity ?? DEFAULT_CHAIN_CAPACITY));
    this.st = new ChainStore(this.capacity);
    this.ioapicLayer = machine.irqchip === 'kernel' ? L_KERNEL : L_VMM;
    this.lapicLayer = machine.irqchip === 'userspace' ? L_VMM : L_KERNEL;
    const n = Math.max(1, machine.vcpus.length);
    this.irr = new Int32Array(256 * n);
    this.isr = new Int32Array(256 * n);
    this.irrBits = new Int32Array(8 * n);
    this.isrBits = new Int32Array(8 * n);
    this.trapAt = new Float64Array(2 * n).fill(NaN);
  }

  /** Starts recording: registers in the machine's snapshotted state and subscribes to its stream. */
  static attach(machine: Machine, options: RecorderOptions = {}): ChainRecorder {
    const existing = ChainRecorder.of(machine);
    if (existing) return existing;
    const r = new ChainRecorder(machine, options);
    machine.observerState.set(RECORDER_KEY, r);
    subscribe(machine.events, r);
    return r;
  }

  static of(machine: Machine): ChainRecorder | undefined {
    const r = machine.observerState.get(RECORDER_KEY);
    return r instanceof ChainRecorder ? r : undefined;
  }

  // ---- queries --------------------------------------------------------------------------------------

  /** Chains recorded so far (including those dropped from the ring). */
  get total(): number { return this.st.total; }

  /** Chains pushed out of the ring, by the outcome they had then (index: an O_* code). */
  get dropped(): number[] {
    return Array.from(this.st.droppedCounts);
  }

  /** The chains the ring holds, oldest first. */
  chains(): RecordedChain[] {
    return this.query({});
  }

  /** The most recent chains matching, oldest first (a backwards scan: cheap for small `last`). */
  query(filter: { last?: number; gsi?: number; vector?: number; apic?: number }): RecordedChain[] {
    const st = this.st;
    const want = filter.last ?? Infinity;
    const out: RecordedChain[] = [];
    const oldest = Math.max(1, st.nextId - this.capacity);
    for (let id = st.nextId - 1; id >= oldest && out.length < want; id--) {
      const s = st.slot(id);
      if (filter.gsi !== undefined && st.gsiAt(s) !== filter.gsi) continue;
      if (filter.vector !== undefined && st.vectorAt(s) !== filter.vector) continue;
      if (filter.apic !== undefined && st.apicAt(s) !== filter.apic && st.apicAt(s) >= 0) continue;
      out.push(this.chainAt(s));
    }
    return out.reverse();
  }

  /** Chain `id` as an object, its hops with their sentences; undefined once it has left the ring. */
  chain(id: number): RecordedChain | undefined {
    const s = this.st.slot(id);
    return s < 0 ? undefined : this.chainAt(s);
  }

  private chainAt(s: number): RecordedChain {
    const st = this.st;
    const hops: RecordedHop[] = [];
    for (let h = st.firstHopOf(s); h >= 0; h = st.nextHop(h)) {
      const form = st.hopForm(h), action = formAction(form);
      hops.push({ cycle: st.hopCycleAt(h), vcpu: st.hopVcpu(h), layer: st.hopLayer(h), kind: FORM_KIND[form], ...(action ? { action } : {}), text: hopText(st, h) });
    }
    const c: RecordedChain = { id: st.idAt(s), source: sourceText(st, s), sourceKind: st.sourceKindAt(s), outcome: st.outcomeAt(s), hops, apic: st.apicAt(s) };
    if (st.gsiAt(s) >= 0) c.gsi = st.gsiAt(s);
    if (st.vectorAt(s) >= 0) c.vector = st.vectorAt(s);
    const takenAt = st.takenAtOf(s);
    if (!Number.isNaN(takenAt)) {
      // The latency counts from the interrupt's first hop after the packet's (startCycle); the hops
      // up to the handler's entry do not change once it is taken, so it is computed when read.
      c.latencyCycles = takenAt - this.startCycle(s);
      c.takenAt = takenAt;
    }
    const handlerPc = st.handlerPcOf(s);
    if (!Number.isNaN(handlerPc)) c.handlerPc = handlerPc;
    if (st.lostWhileMaskedAt(s)) c.lostWhileMasked = true;
    const lostBy = st.lostByAt(s);
    if (lostBy) c.lostBy = lostBy;
    return c;
  }

  /** The chain whose vector sits in LAPIC `apic`'s IRR or ISR now, if recorded. */
  pendingChain(apic: number, vector: number): RecordedChain | undefined { return this.chain(this.irr[apic * 256 + vector] ?? 0); }
  inServiceChain(apic: number, vector: number): RecordedChain | undefined { return this.chain(this.isr[apic * 256 + vector] ?? 0); }

  maskWrite(gsi: number): InstructionAt | undefined { return this.maskSetAt.get(gsi); }
  entryWrite(gsi: number): InstructionAt | undefined { return this.entryWriteAt.get(gsi); }
  remoteIrrSet(gsi: number): InstructionAt | undefined {
    const a = this.remoteIrrSetAt, cycle = a[3 * gsi];
    return cycle === undefined || Number.isNaN(cycle) ? undefined : { cycle, pc: a[3 * gsi + 1], vcpu: a[3 * gsi + 2] };
  }
  svrCleared(apic: number): InstructionAt | undefined { return this.svrClearedAt.get(apic); }
  tprWrite(apic: number): InstructionAt | undefined { return this.tprSetAt.get(apic); }
  msiMaskWrite(bdf: string): InstructionAt | undefined { return this.msiMaskSetAt.get(bdf); }
  msiAddressWrite(bdf: string): InstructionAt | undefined { return this.msiAddressAt.get(bdf); }
  msiDisableWrite(bdf: string): InstructionAt | undefined { return this.msiDisabledAt.get(bdf); }
  trapEntry(vcpu: number): InstructionAt | undefined {
    const cycle = this.trapAt[2 * vcpu];
    return cycle === undefined || Number.isNaN(cycle) ? undefined : { cycle, pc: this.trapAt[2 * vcpu + 1], vcpu };
  }

  // ---- recording --------------------------------------------------------------------------------------

  private open(sourceKind: number, srcForm: number, a: number, b: number, c: number, gsi = -1, vector = -1): number {
    return this.st.open(sourceKind, srcForm, a, b, c, gsi, vector);
  }

  private openNamed(name: string, sourceKind: number, gsi = -1, vector = -1): number {
    return this.st.open(sourceKind, S_TEXT, this.st.intern(name), 0, 0, gsi, vector);
  }

  private gsiOf(id: number): number { const s = this.st.slot(id); return s < 0 ? -1 : this.st.gsiAt(s); }
  private vectorOf(id: number): number { const s = this.st.slot(id); return s < 0 ? -1 : this.st.vectorAt(s); }
  private setOutcome(id: number, o: number): void { const s = this.st.slot(id); if (s >= 0) this.st.setOutcomeAt(s, o); }

  /** The guest write behind an APIC register event: the instruction vCPU `vcpu` is running out of line. */
  private writer(vcpu: number): InstructionAt {
    const cpu = this.machine.vcpus[vcpu]?.cpu;
    return cpu ? { cycle: cpu.insnCycle, pc: cpu.pc >>> 0, vcpu } : { cycle: 0, pc: 0, vcpu };
  }

  /** The chain of the highest vector LAPIC `apic` holds in `map` (IRR or ISR, with its bitmap), as the hart takes them; 0: none. */
  private topFor(map: Int32Array, bits: Int32Array, apic: number): number {
    const base = apic * 8;
    if (base < 0 || base >= bits.length) return 0;
    for (let w = 7; w >= 0; w--) {
      const word = bits[base + w];
      if (word !== 0) return map[apic * 256 + w * 32 + 31 - Math.clz32(word)];
    }
    return 0;
  }

  /** Sets (c ≠ 0) or clears entry `key` (LAPIC × 256 + vector) of the IRR or ISR mirror and its bitmap. */
  private mark(map: Int32Array, bits: Int32Array, key: number, c: number): void {
    map[key] = c;
    const w = key >>> 5, bit = 1 << (key & 31);
    bits[w] = c ? bits[w] | bit : bits[w] & ~bit;
  }

  /**
   * An event from the stream. The interrupt path's kinds come here only while someone else listens
   * to them too; else their emitters call the HopSink methods below directly (vm/events.ts): both
   * entries run the same code, so the chains are the same either way.
   */
  onEvent(e: VmEvent): void {
    const st = this.st;
    switch (e.kind) {
      case 'exit':
        // The direct entry is called only for these exits (HopSink.exit); the object path gets them all.
        if (exitInChain(e.reason, e.gpa, e.access, e.vmmExit)) this.exit(e.cycle, e.vcpu, e.reason, e.gpa, e.access, e.handledIn, e.vmmExit);
        return;
      case 'pci-intx': this.pciIntx(e.cycle, e.vcpu, e.device, e.bdf, e.pin, e.pirq, e.gsi, e.request, e.level, e.blockedBy); return;
      case 'pci-msi': this.onPciMsi(e); return;
      case 'irq-line': this.irqLine(e.cycle, e.vcpu, e.gsi, e.level, e.edge, e.device, e.result); return;
      case 'ioapic-entry': this.ioapicEntry(e.cycle, e.vcpu, e.gsi, e.cause, e.low, e.oldLow); return;
      case 'ioapic-deliver': this.ioapicDeliver(e.cycle, e.vcpu, e.gsi, e.vector, e.deliveryMode, e.destMode, e.destination, e.trigMode, e.cause); return;
      case 'msi': this.onMsi(e); return;
      case 'ipi': {
        const c = this.open(SK_IPI, S_IPI, e.apic, 0, 0, -1, e.vector);
        st.hop(c, e.cycle, e.vcpu, this.lapicLayer, F_IPI, e.apic, e.vector, e.destination, st.intern(e.deliveryMode), st.intern(e.destMode), st.intern(e.shorthand));
        this.current = c;
        return;
      }
      case 'timer-fire': this.timerFire(e.cycle, e.vcpu, e.apic, e.vector, e.periodic, e.masked); return;
      case 'apic-route': this.apicRoute(e.cycle, e.vcpu, e.source, e.gsi, e.vector, e.destMode, e.destination, e.lowestPriority, e.targets.map((index) => ({ index }))); return;
      case 'lapic-accept': this.lapicAccept(e.cycle, e.vcpu, e.apic, e.vector, e.deliveryMode, e.trigMode, e.source, e.gsi, e.accepted, e.reason); return;
      case 'lapic-ack': this.lapicAck(e.cycle, e.vcpu, e.apic, e.vector, e.spurious, e.ppr); return;
      case 'interrupt-taken': this.interruptTaken(e.cycle, e.vcpu, e.vector); return;
      case 'lapic-eoi': this.lapicEoi(e.cycle, e.vcpu, e.apic, e.vector, e.level); return;
      case 'eoi-broadcast': this.eoiBroadcast(e.cycle, e.vcpu, e.vector, e.source, e.gsis); return;
      case 'lapic-reg': {
        const w = this.writer(e.apic);
        if (e.register === 'TPR') this.tprSetAt.set(e.apic, w);
        else if (e.register === 'SVR' && (e.oldValue & 0x100) && !(e.value & 0x100)) this.svrClearedAt.set(e.apic, w);
        return;
      }
      case 'pci-config-write': this.onConfigWrite(e); return;
      case 'nic': this.nic(e.cycle, e.device, e.action, e.length, e.descriptor, e.ring, e.reason, e.scheduledAt); return;
      case 'guest-trap': this.guestTrap(e.cycle, e.vcpu, e.interrupt, e.tval, e.handler); return;
    }
  }

  // ---- the HopSink: one method per kind of the interrupt path (vm/events.ts) -------------------------

  timerFire(cycle: number, vcpu: number, apic: number, vector: number, periodic: boolean, masked: boolean): void {
    const c = this.open(SK_TIMER, S_TIMER, apic, 0, 0, -1, vector);
    this.st.hop(c, cycle, vcpu, this.lapicLayer, F_TIMER, apic, periodic ? 1 : 0, masked ? 1 : 0, vector);
    if (masked) this.setOutcome(c, O_LOST);
    this.current = masked ? 0 : c;
  }

  interruptTaken(cycle: number, vcpu: number, vector: number): void {
    const st = this.st;
    const c = this.isr[vcpu * 256 + vector] ?? 0;
    const s = st.slot(c);
    if (s < 0) return;
    st.hop(c, cycle, vcpu, L_GUEST, F_TAKEN, vector);
    st.setTakenAt(s, cycle);
  }

  eoiBroadcast(cycle: number, vcpu: number, vector: number, source: string, gsis: readonly number[]): void {
    const c = this.vectorOf(this.lastEoi) === vector ? this.lastEoi : 0;
    this.lastEoi = 0;
    if (!c) return;
    const st = this.st;
    const mask = maskOf(gsis);
    st.hop(c, cycle, vcpu, this.ioapicLayer, F_EOI_BROADCAST, vector, st.intern(source, I_EOI_SOURCE), mask, mask < 0 ? st.intern(gsis.join(', ')) : -1);
  }

  guestTrap(cycle: number, vcpu: number, interrupt: boolean, tval: number, handler: number): void {
    if (2 * vcpu < this.trapAt.length) {
      this.trapAt[2 * vcpu] = cycle;
      this.trapAt[2 * vcpu + 1] = handler >>> 0;
    }
    if (interrupt) {
      const st = this.st;
      const s = st.slot(this.isr[vcpu * 256 + (tval & 0xff)] ?? 0);
      if (s >= 0 && st.takenAtOf(s) === cycle) st.setHandlerPc(s, handler >>> 0);
    }
  }

  /**
   * The NIC's side of a packet (src/vm/vmm/nic.ts, Machine.nicReceive): held in the VMM's net queue,
   * then written to an RX descriptor. The INTx or MSI that ISR.RX raises follows in the same call and
   * opens a chain whose first hops are the packet's (packetFirst); a packet that arrives while the
   * device's INTx is still asserted joins that chain.
   */
  nic(cycle: number, device: string, action: NicEvent['action'], length: number, descriptor: number | undefined, ring: NicEvent['ring'], reason: string | undefined, scheduledAt: number | undefined): void {
    switch (action) {
      case 'rx-queued': {
        const late = scheduledAt !== undefined ? cycle - scheduledAt : -1;
        this.netQueue.push({ id: ++this.packets, cycle, length, reason: reason ?? 'busy', late });
        return;
      }
      case 'rx': {
        // The queue hands packets over in order; one arriving with the queue empty goes straight in.
        const queued = this.netQueue.length ? this.netQueue.shift() : undefined;
        const packet: ReceivedPacket = { id: queued?.id ?? ++this.packets, cycle, length, descriptor: descriptor ?? -1, queued };
        const name = this.name(device, I_DEVICE);
        const joins = this.chainOfDevice[name];
        if (this.st.slot(joins) >= 0) this.packetHops(joins, name, packet, 1);
        else this.receivedBy[name] = packet;
        return;
      }
      case 'bad-descriptor':
        // A queued packet the NIC took but could not store (the queue only hands one over when the
        // NIC can receive, so it is never dropped for a full ring or a disabled receiver).
        if (ring === 'rx' && this.netQueue.length) this.netQueue.shift();
        return;
      case 'reset':
        this.receivedBy[this.name(device, I_DEVICE)] = undefined;
        return;
      default:
        return;
    }
  }

  /** Chain `c` (just opened by `device`'s request: its name's interned index) starts with the packet that caused it, if one is waiting. */
  private packetFirst(c: number, device: number): number {
    const packet = this.receivedBy[device];
    if (packet) {
      this.receivedBy[device] = undefined;
      this.packetHops(c, device, packet, 0);
    }
    return c;
  }

  /** The interned index of `s`, the tables indexed by name wide enough for it. */
  private name(s: string, site: number): number {
    const i = this.st.intern(s, site);
    if (i >= this.heldByBdf.length) this.fitNames(i + 1);
    return i;
  }

  private fitNames(n: number): void {
    const size = Math.max(n, 2 * this.heldByBdf.length);
    const grow = (a: Int32Array): Int32Array => { const b = new Int32Array(size); b.set(a); return b; };
    this.heldByBdf = grow(this.heldByBdf);
    this.chainOfDevice = grow(this.chainOfDevice);
    this.receivedBy = [...this.receivedBy, ...new Array<ReceivedPacket | undefined>(size - this.receivedBy.length).fill(undefined)];
  }

  /**
   * The packet's hops: its wait in the net queue (a hop of its own when it opens the chain; when it
   * joins a chain already under way, hops stay in time order, so the wait is said in the rx hop).
   */
  private packetHops(c: number, name: number, p: ReceivedPacket, joins: number): void {
    const st = this.st;
    if (p.queued && !joins) st.hop(c, p.queued.cycle, -1, L_VMM, F_NIC_QUEUED, name, p.id, p.length, st.intern(p.queued.reason, I_QUEUED_REASON), p.queued.late);
    const waited = p.queued && joins ? Math.min(p.cycle - p.queued.cycle, 0x7fff_ffff) : 0;
    st.hop(c, p.cycle, -1, L_DEVICE, F_NIC_RX, name, p.id, p.length, p.descriptor, joins, waited);
  }

  /** The cycle chain slot `s`'s interrupt began: its first hop after the packet's (latency counts from there). */
  private startCycle(s: number): number {
    const st = this.st;
    let h = st.firstHopOf(s);
    while (h >= 0 && (st.hopForm(h) === F_NIC_QUEUED || st.hopForm(h) === F_NIC_RX) && st.nextHop(h) >= 0) h = st.nextHop(h);
    return h >= 0 ? st.hopCycleAt(h) : NaN;
  }

  /** A guest write to a function's MSI capability (at MSI_CAP_OFFSET): who set which bit, for "why". */
  private onConfigWrite(e: Extract<VmEvent, { kind: 'pci-config-write' }>): void {
    const end = e.offset + e.size;
    if (end <= MSI_CAP_OFFSET) return;
    /** The byte of the write at config offset `at`, or -1 when the write does not cover it. */
    const byte = (at: number): number => (at >= e.offset && at < end ? (e.value >>> (8 * (at - e.offset))) & 0xff : -1);
    const w = (): InstructionAt => this.writer(this.machine.currentVcpu);
    const control = byte(MSI_CAP_OFFSET + PCI_MSI_FLAGS);
    if (control >= 0) {
      if (control & PCI_MSI_FLAGS_ENABLE) this.msiDisabledAt.delete(e.bdf);
      else this.msiDisabledAt.set(e.bdf, w());
    }
    const address = MSI_CAP_OFFSET + PCI_MSI_ADDRESS_LO;
    if (e.offset < address + 4 && address < end) this.msiAddressAt.set(e.bdf, w());
    const mask = byte(MSI_CAP_OFFSET + PCI_MSI_MASK_32);
    if (mask >= 0 && (mask & 1)) this.msiMaskSetAt.set(e.bdf, w());
  }

  /** An exit exitInChain accepts (the emitter, or onEvent, filtered the others): a hop of the chain it belongs to. */
  exit(cycle: number, vcpu: number, reason: string, gpa: number | undefined, access: ExitEvent['access'], handledIn: ExitEvent['handledIn'], vmmExit: string | undefined): void {
    if (vcpu < 0) return;
    const window = isWindowExit(reason);
    const eoi = isEoiWrite(gpa, access);
    const c = window ? this.topFor(this.irr, this.irrBits, vcpu) : this.topFor(this.isr, this.isrBits, vcpu);
    if (!c) return;
    const st = this.st;
    st.hop(c, cycle, vcpu, handledIn === 'vmm' ? L_VMM : L_KERNEL, F_EXIT, st.intern(reason, I_EXIT_REASON), vmmExit ? st.intern(vmmExit, I_VMM_EXIT) : -1, eoi ? 1 : 0);
  }

  pciIntx(cycle: number, vcpu: number, deviceName: string, bdfName: string, pin: number, pirq: number, gsi: number, request: boolean, level: boolean, blockedBy: string | undefined): void {
    const st = this.st;
    const device = this.name(deviceName, I_DEVICE), bdf = this.name(bdfName, I_BDF);
    if (request && level) {
      const held = this.heldByBdf[bdf];
      this.heldByBdf[bdf] = 0;
      const c = held || this.packetFirst(this.open(SK_INTX, S_INTX, pin, device, bdf, gsi), device);
      st.hop(c, cycle, vcpu, L_DEVICE, F_INTX_ASSERT, device, bdf, pin, pirq, gsi);
      this.setOutcome(c, O_PENDING);
      this.fromDevice = c;
      this.chainOfDevice[device] = c;
    } else if (request) {
      const c = this.packetFirst(this.open(SK_INTX, S_INTX, pin, device, bdf, gsi), device);
      st.hop(c, cycle, vcpu, L_DEVICE, F_INTX_GATED, device, bdf, pin, st.intern(blockedBy ?? 'gated'));
      this.setOutcome(c, O_BLOCKED);
      this.heldByBdf[bdf] = c;
    } else {
      const held = this.heldByBdf[bdf];
      const c = this.lineChain[gsi] || held;
      this.heldByBdf[bdf] = 0;
      this.chainOfDevice[device] = 0;
      st.hop(c, cycle, vcpu, L_DEVICE, F_INTX_RELEASE, device, bdf, pin);
    }
  }

  private onPciMsi(e: Extract<VmEvent, { kind: 'pci-msi' }>): void {
    const st = this.st;
    const device = this.name(e.device, I_DEVICE), bdf = this.name(e.bdf, I_BDF);
    const heldId = this.heldByBdf[bdf];
    this.heldByBdf[bdf] = 0;
    const c = heldId || this.packetFirst(this.open(SK_MSI, S_MSI_DEVICE, 0, device, bdf), device);
    if (e.delivered) {
      st.hop(c, e.cycle, e.vcpu, L_DEVICE, F_PCI_MSI_SENT, device, bdf, e.data, e.address);
      this.setOutcome(c, O_PENDING);
      this.fromDevice = c;
      return;
    }
    const lost = e.blockedBy !== 'MSI MASK';
    st.hop(c, e.cycle, e.vcpu, L_DEVICE, F_PCI_MSI_HELD, device, bdf, lost ? 1 : 0, st.intern(e.blockedBy ?? 'blocked'));
    this.setOutcome(c, lost ? O_LOST : O_BLOCKED);
    if (!lost) this.heldByBdf[bdf] = c;
  }

  private lineSource(device: string): number {
    if (device === 'testdev') return SK_TESTDEV;
    if (device === 'console' || device === 'debugger') return SK_DEBUGGER;
    return SK_DEVICE;
  }

  irqLine(cycle: number, vcpu: number, gsi: number, lineLevel: boolean, edge: IrqLineEvent['edge'], deviceName: string, result: IrqLineEvent['result']): void {
    const st = this.st;
    const dev = this.fromDevice;
    this.fromDevice = 0;
    const device = st.intern(deviceName, I_LINE_DEVICE);
    if (edge === 'falling' || !lineLevel) {
      const c = this.lineChain[gsi] ?? 0;
      if (!c) return;
      st.hop(c, cycle, vcpu, this.ioapicLayer, F_LINE_FALLS, gsi, device);
      if (this.held[gsi] === c) {
        // A level request withdrawn before the IOAPIC could send it.
        this.held[gsi] = 0;
        this.setOutcome(c, O_LOST);
      }
      return;
    }
    const c = dev && this.gsiOf(dev) === gsi ? dev : this.open(this.lineSource(deviceName), S_TEXT, device, 0, 0, gsi);
    if (edge === 'rising' && gsi < IOAPIC_PINS) this.lineChain[gsi] = c;
    switch (result) {
      case 'sent':
        st.hop(c, cycle, vcpu, this.ioapicLayer, F_LINE_SENT, gsi, device, edge === 'rising' ? 1 : 0);
        this.current = c;
        return;
      case 'coalesced':
        st.hop(c, cycle, vcpu, this.ioapicLayer, F_LINE_COALESCED, gsi, device);
        this.setOutcome(c, O_COALESCED);
        return;
      case 'masked':
        // An edge-triggered entry (trigger mode clear) loses the edge; a level one holds it.
        if (edge === 'rising' && (this.machine.ioapic.redirTbl[2 * gsi] & RTE_TRIGGER_LEVEL) === 0) {
          st.hop(c, cycle, vcpu, this.ioapicLayer, F_LINE_EDGE_LOST, gsi, device);
          const s = st.slot(c);
          if (s >= 0) {
            st.setOutcomeAt(s, O_LOST);
            st.setLostWhileMasked(s, this.maskSetAt.get(gsi));
          }
          return;
        }
        st.hop(c, cycle, vcpu, this.ioapicLayer, F_LINE_MASKED, gsi, device);
        this.setOutcome(c, O_BLOCKED);
        if (gsi < IOAPIC_PINS) this.held[gsi] = c;
        return;
      case 'remote-irr':
        st.hop(c, cycle, vcpu, this.ioapicLayer, F_LINE_REMOTE_IRR, gsi, device);
        this.setOutcome(c, O_BLOCKED);
        if (gsi < IOAPIC_PINS) this.held[gsi] = c;
        return;
      default:
        return;
    }
  }

  ioapicEntry(cycle: number, vcpu: number, gsi: number, cause: IoapicEntryEvent['cause'], low: number, oldLow: number): void {
    if (cause === 'write') {
      const w = this.writer(this.machine.currentVcpu);
      this.entryWriteAt.set(gsi, w);
      if ((low & RTE_MASK) && !(oldLow & RTE_MASK)) this.maskSetAt.set(gsi, w);
      return;
    }
    if (cause === 'remote-irr-set') {
      const c = this.gsiOf(this.current) === gsi ? this.current : 0;
      const s = this.st.slot(c);
      const apic = s >= 0 && this.st.apicAt(s) >= 0 ? this.st.apicAt(s) : this.machine.currentVcpu;
      if (gsi < IOAPIC_PINS) {
        const a = this.remoteIrrSetAt;
        a[3 * gsi] = cycle;
        a[3 * gsi + 1] = this.machine.vcpus[apic]?.cpu.pc >>> 0;
        a[3 * gsi + 2] = apic;
      }
      if (c) this.st.hop(c, cycle, vcpu, this.ioapicLayer, F_REMOTE_IRR_SET, gsi);
    }
  }

  ioapicDeliver(cycle: number, vcpu: number, gsi: number, vector: number, deliveryMode: IrqDeliveryModeName, destMode: IoapicDeliverEvent['destMode'], destination: number, trigMode: IrqTrigModeName, cause: IoapicDeliverEvent['cause']): void {
    const st = this.st;
    let c: number;
    if (cause === 'line' && this.gsiOf(this.current) === gsi) {
      c = this.current;
    } else {
      const held = this.held[gsi] ?? 0;
      c = held || this.open(SK_DEVICE, cause === 'eoi' ? S_GSI_AFTER_EOI : S_GSI_UNMASKED, gsi, 0, 0, gsi);
      if (!held && gsi < IOAPIC_PINS) this.lineChain[gsi] = c;
    }
    if (gsi < IOAPIC_PINS) this.held[gsi] = 0;
    const s = st.slot(c);
    if (s >= 0) {
      st.setVector(s, vector);
      st.setOutcomeAt(s, O_PENDING);
    }
    const flags = (destMode === 'logical' ? 1 : 0) | (trigMode === 'level' ? 2 : 0);
    const causeCode = cause === 'entry-write' ? 1 : cause === 'eoi' ? 2 : 0;
    st.hop(c, cycle, vcpu, this.ioapicLayer, F_DELIVER, gsi, vector, st.intern(deliveryMode, I_DELIVERY_MODE), destination, flags, causeCode);
    this.current = c;
  }

  private onMsi(e: Extract<VmEvent, { kind: 'msi' }>): void {
    const st = this.st;
    const cur = this.current;
    const dev = this.fromDevice;
    this.fromDevice = 0;
    const curSlot = st.slot(cur);
    const devSlot = st.slot(dev);
    let c: number;
    if (curSlot >= 0 && st.gsiAt(curSlot) >= 0 && e.source.startsWith('ioapic') && st.lastHopOf(curSlot) >= 0 && st.hopForm(st.lastHopOf(curSlot)) === F_DELIVER) c = cur;
    else if (devSlot >= 0 && st.sourceKindAt(devSlot) === SK_MSI) c = dev;
    else c = this.openNamed(e.source, e.source === 'console' || e.source === 'debugger' ? SK_DEBUGGER : SK_MSI);
    const s = st.slot(c);
    st.setVector(s, e.vector);
    const flags = (e.destMode === 'logical' ? 1 : 0) | (e.valid ? 2 : 0) | (st.gsiAt(s) >= 0 ? 4 : 0);
    st.hop(c, e.cycle, e.vcpu, this.lapicLayer, F_MSI, e.data, e.address, e.vector, e.destination, flags);
    if (!e.valid) { st.setOutcomeAt(s, O_LOST); this.current = 0; return; }
    this.current = c;
  }

  apicRoute(cycle: number, vcpu: number, source: string, gsi: number | undefined, vector: number, destMode: ApicRouteEvent['destMode'], destination: number, lowestPriority: boolean, targets: readonly { readonly index: number }[]): void {
    const st = this.st;
    const c = this.current && this.vectorOf(this.current) === vector ? this.current : this.openNamed(source, SK_DEVICE, gsi ?? -1, vector);
    this.current = c;
    if (targets.length === 0) {
      st.hop(c, cycle, vcpu, this.lapicLayer, F_ROUTE_NONE, st.intern(destMode), destination);
      this.setOutcome(c, O_LOST);
      return;
    }
    const mask = targetMask(targets);
    st.hop(c, cycle, vcpu, this.lapicLayer, F_ROUTE, st.intern(destMode, I_DEST_MODE), destination, lowestPriority ? 1 : 0, mask, mask < 0 ? st.intern(targets.map((t) => t.index).join(', ')) : -1);
  }

  lapicAccept(cycle: number, vcpu: number, apic: number, vector: number, deliveryMode: IrqDeliveryModeName, trigMode: IrqTrigModeName, source: string, gsi: number | undefined, accepted: boolean, reason: LapicAcceptEvent['reason']): void {
    if (reason === 'deassert') return;
    const st = this.st;
    const cur = this.current;
    const c = cur && this.vectorOf(cur) === vector
      ? cur
      : source === 'timer'
        ? this.open(SK_TIMER, S_TIMER, apic, 0, 0, gsi ?? -1, vector)
        : this.openNamed(source, SK_DEVICE, gsi ?? -1, vector);
    const layer = this.lapicLayer;
    if (!accepted) {
      if (reason === 'apic-disabled') st.hop(c, cycle, vcpu, layer, F_ACCEPT_DISABLED, apic, vector);
      else st.hop(c, cycle, vcpu, layer, F_ACCEPT_REFUSED, apic, vector, st.intern(reason ?? 'refused'));
      this.setOutcome(c, O_LOST);
      return;
    }
    if (reason === 'special') {
      st.hop(c, cycle, vcpu, layer, F_ACCEPT_SPECIAL, apic, st.intern(deliveryMode));
      this.setOutcome(c, O_HANDLED);
      return;
    }
    const key = apic * 256 + vector;
    if (key >= this.irr.length) this.growApics(apic + 1);
    const s = st.slot(c);
    const already = this.irr[key];
    if (s >= 0 && st.apicAt(s) < 0) st.setApic(s, apic);
    if (already && already !== c) {
      st.hop(c, cycle, vcpu, layer, F_ACCEPT_COALESCED, apic, vector, already);
      this.setOutcome(c, O_COALESCED);
      return;
    }
    st.hop(c, cycle, vcpu, layer, F_ACCEPT, apic, vector, trigMode === 'level' ? 1 : 0);
    this.setOutcome(c, O_PENDING);
    this.mark(this.irr, this.irrBits, key, c);
  }

  lapicAck(cycle: number, vcpu: number, apic: number, vector: number, spurious: boolean, ppr: number): void {
    if (spurious) return;
    const st = this.st;
    const key = apic * 256 + vector;
    const c = this.irr[key] ?? 0;
    if (!c) return;
    this.mark(this.irr, this.irrBits, key, 0);
    this.mark(this.isr, this.isrBits, key, c);
    const s = st.slot(c);
    if (s >= 0) {
      st.setApic(s, apic);
      st.setOutcomeAt(s, O_IN_SERVICE);
    }
    st.hop(c, cycle, vcpu, this.lapicLayer, F_ACK, apic, vector, ppr);
  }

  lapicEoi(cycle: number, vcpu: number, apic: number, vector: number, level: boolean): void {
    if (vector < 0) return;
    const st = this.st;
    const key = apic * 256 + vector;
    const c = this.isr[key] ?? 0;
    if (!c) return;
    this.mark(this.isr, this.isrBits, key, 0);
    this.setOutcome(c, O_HANDLED);
    st.hop(c, cycle, vcpu, this.lapicLayer, F_EOI, apic, vector, level ? 1 : 0);
    this.lastEoi = level ? c : 0;
  }

  /** More LAPICs than vCPUs at attach time (never expected): widens the IRR/ISR mirrors. */
  private growApics(n: number): void {
    const grow = (a: Int32Array, per: number): Int32Array => { const b = new Int32Array(per * n); b.set(a); return b; };
    this.irr = grow(this.irr, 256);
    this.isr = grow(this.isr, 256);
    this.irrBits = grow(this.irrBits, 8);
    this.isrBits = grow(this.isrBits, 8);
  }
}

/** maskOf (hop-text.ts) of the targets' vCPU indices: a bit per vCPU, or -1 when one is past 30 or out of order. */
function targetMask(targets: readonly { readonly index: number }[]): number {
  let m = 0, prev = -1;
  for (let i = 0; i < targets.length; i++) {
    const x = targets[i].index;
    if (x <= prev || x > 30) return -1;
    m |= 1 << x;
    prev = x;
  }
  return m;
}

/**
 * The subscription lives in the stream (not snapshotted) and calls the recorder (snapshotted, so
 * rewound in place): after a restore the same listener keeps feeding the same object.
 */
function subscribe(events: EventStream, r: ChainRecorder): void {
  events.subscribe((e) => r.onEvent(e), RECORDED_KINDS, r);
}

/**
 * The kinds the recorder reads: only these are built for it. The exit phases (with their
 * sentences), MMIO accesses, output and data-breakpoint hits are not, unless someone else listens.
 */
const RECORDED_KINDS: readonly VmEventKind[] = [
  'nic', 'exit', 'pci-intx', 'pci-msi', 'pci-config-write', 'irq-line', 'ioapic-entry', 'ioapic-deliver', 'msi', 'ipi', 'timer-fire',
  'apic-route', 'lapic-accept', 'lapic-ack', 'interrupt-taken', 'lapic-eoi', 'eoi-broadcast', 'lapic-reg', 'guest-trap',
];
