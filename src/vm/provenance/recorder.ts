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
// Work happens per event, never per instruction, and only while the stream is active.
import type { EventStream, VmEvent } from '../events';
import type { Machine } from '../vmm/machine';
import { RTE_MASK } from '../irq/redirection-entry';
import { Chain, ChainOutcome, ChainSource, GuestWrite, HopLayer } from './types';

export const DEFAULT_CHAIN_CAPACITY = 1024;
/** The key of Machine.observerState the recorder registers under. */
export const RECORDER_KEY = 'interrupt-chains';
/** The LAPIC EOI register's GPA: the exit of a write to it belongs to the chain being ended. */
const LAPIC_EOI_GPA = 0xfee0_00b0;

const hx = (v: number): string => '0x' + (v >>> 0).toString(16);
const PIN_NAMES = ['INTA', 'INTB', 'INTC', 'INTD'];

export interface RecorderOptions {
  capacity?: number;
}

export class ChainRecorder {
  readonly capacity: number;
  /** The ring: slot (id - 1) % capacity holds chain `id` while it is among the newest. */
  private readonly ring: Chain[] = [];
  private nextId = 1;
  /** Chains pushed out of the ring, by the outcome they had then. */
  readonly dropped: Partial<Record<ChainOutcome, number>> = {};
  private readonly ioapicLayer: HopLayer;
  private readonly lapicLayer: HopLayer;

  // ---- correlation: which chain the next event continues ----------------------------------------
  /** The message being delivered right now (its route and accepts follow synchronously). */
  private current: Chain | undefined;
  /** A device hop (INTx request, MSI write) whose interrupt-controller event comes next. */
  private fromDevice: Chain | undefined;
  /** GSI → the chain of the line's latest rising edge. */
  private readonly lineChain = new Map<number, Chain>();
  /** GSI → a level interrupt the IOAPIC holds back (masked, remote IRR). */
  private readonly held = new Map<number, Chain>();
  /** bdf → a request held by the function (INTx disabled, MSI masked). */
  private readonly deviceHeld = new Map<string, Chain>();
  /** apic * 256 + vector → the chain whose vector is in that LAPIC's IRR / ISR. */
  private readonly irr = new Map<number, Chain>();
  private readonly isr = new Map<number, Chain>();
  /** The chain a level EOI just ended (its broadcast to the IOAPIC follows). */
  private lastEoi: Chain | undefined;

  // ---- who set which bit (for "why"'s setAt) -----------------------------------------------------
  /** GSI → the guest write that last set the mask bit, and the last write to the entry. */
  private readonly maskSetAt = new Map<number, GuestWrite>();
  private readonly entryWriteAt = new Map<number, GuestWrite>();
  /** GSI → the delivery that set remote IRR. */
  private readonly remoteIrrSetAt = new Map<number, GuestWrite>();
  /** apic → the write that cleared SVR bit 8, and the last TPR write. */
  private readonly svrClearedAt = new Map<number, GuestWrite>();
  private readonly tprSetAt = new Map<number, GuestWrite>();
  /** vCPU → its latest interrupt or exception entry (which clears mstatus.MIE). */
  private readonly trapAt = new Map<number, GuestWrite>();

  constructor(private readonly machine: Machine, options: RecorderOptions = {}) {
    this.capacity = Math.max(1, Math.floor(options.capacity ?? DEFAULT_CHAIN_CAPACITY));
    this.ioapicLayer = machine.irqchip === 'kernel' ? 'kernel' : 'vmm';
    this.lapicLayer = machine.irqchip === 'userspace' ? 'vmm' : 'kernel';
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
  get total(): number { return this.nextId - 1; }

  /** The chains the ring holds, oldest first. */
  chains(): Chain[] {
    if (this.total <= this.capacity) return this.ring.slice();
    const start = (this.nextId - 1) % this.capacity;
    return [...this.ring.slice(start), ...this.ring.slice(0, start)];
  }

  /** The most recent chains matching, oldest first (a backwards scan: cheap for small `last`). */
  query(filter: { last?: number; gsi?: number; vector?: number; apic?: number }): Chain[] {
    const n = this.ring.length;
    const want = filter.last ?? Infinity;
    const out: Chain[] = [];
    for (let id = this.nextId - 1; id >= this.nextId - n && out.length < want; id--) {
      const c = this.ring[(id - 1) % this.capacity];
      if (filter.gsi !== undefined && c.gsi !== filter.gsi) continue;
      if (filter.vector !== undefined && c.vector !== filter.vector) continue;
      if (filter.apic !== undefined && c.apic !== filter.apic && c.apic >= 0) continue;
      out.push(c);
    }
    return out.reverse();
  }

  /** The chain whose vector sits in LAPIC `apic`'s IRR or ISR now, if recorded. */
  pendingChain(apic: number, vector: number): Chain | undefined { return this.irr.get(apic * 256 + vector); }
  inServiceChain(apic: number, vector: number): Chain | undefined { return this.isr.get(apic * 256 + vector); }

  maskWrite(gsi: number): GuestWrite | undefined { return this.maskSetAt.get(gsi); }
  entryWrite(gsi: number): GuestWrite | undefined { return this.entryWriteAt.get(gsi); }
  remoteIrrSet(gsi: number): GuestWrite | undefined { return this.remoteIrrSetAt.get(gsi); }
  svrCleared(apic: number): GuestWrite | undefined { return this.svrClearedAt.get(apic); }
  tprWrite(apic: number): GuestWrite | undefined { return this.tprSetAt.get(apic); }
  trapEntry(vcpu: number): GuestWrite | undefined { return this.trapAt.get(vcpu); }

  // ---- recording --------------------------------------------------------------------------------------

  private open(source: string, sourceKind: ChainSource, gsi?: number, vector?: number): Chain {
    const c: Chain = { id: this.nextId++, source, sourceKind, outcome: 'pending', hops: [], apic: -1 };
    if (gsi !== undefined) c.gsi = gsi;
    if (vector !== undefined) c.vector = vector;
    const slot = (c.id - 1) % this.capacity;
    const old = this.ring[slot];
    if (old) this.dropped[old.outcome] = (this.dropped[old.outcome] ?? 0) + 1;
    this.ring[slot] = c;
    return c;
  }

  private hop(c: Chain, e: VmEvent, layer: HopLayer, text: string): void {
    c.hops.push({ cycle: e.cycle, vcpu: e.vcpu, layer, kind: e.kind, text });
  }

  /** The guest write behind an APIC register event: the instruction vCPU `vcpu` is running out of line. */
  private writer(vcpu: number): GuestWrite {
    const cpu = this.machine.vcpus[vcpu]?.cpu;
    return cpu ? { cycle: cpu.insnCycle, pc: cpu.pc >>> 0, vcpu } : { cycle: 0, pc: 0, vcpu };
  }

  /** Most recent chain in `map` for LAPIC `apic` (highest vector first, as the hart takes them). */
  private topFor(map: Map<number, Chain>, apic: number): Chain | undefined {
    for (let v = 255; v >= 0; v--) { const c = map.get(apic * 256 + v); if (c) return c; }
    return undefined;
  }

  onEvent(e: VmEvent): void {
    switch (e.kind) {
      case 'exit': this.onExit(e); return;
      case 'pci-intx': this.onIntx(e); return;
      case 'pci-msi': this.onPciMsi(e); return;
      case 'irq-line': this.onLine(e); return;
      case 'ioapic-entry': this.onEntry(e); return;
      case 'ioapic-deliver': this.onDeliver(e); return;
      case 'msi': this.onMsi(e); return;
      case 'ipi': {
        const c = this.open(`IPI from vCPU ${e.apic}`, 'ipi', undefined, e.vector);
        this.hop(c, e, this.lapicLayer, `vCPU ${e.apic} wrote ICR: ${e.deliveryMode} IPI, vector ${hx(e.vector)}, ${e.destMode} destination ${e.destination}${e.shorthand !== 'none' ? ` (${e.shorthand})` : ''}`);
        this.current = c;
        return;
      }
      case 'timer-fire': {
        const c = this.open(`LAPIC timer ${e.apic}`, 'timer', undefined, e.vector);
        this.hop(c, e, this.lapicLayer, `LAPIC ${e.apic} timer expired (${e.periodic ? 'periodic' : 'one-shot'})${e.masked ? ': LVT timer masked, no interrupt' : `, vector ${hx(e.vector)}`}`);
        if (e.masked) c.outcome = 'lost';
        this.current = e.masked ? undefined : c;
        return;
      }
      case 'apic-route': this.onRoute(e); return;
      case 'lapic-accept': this.onAccept(e); return;
      case 'lapic-ack': this.onAck(e); return;
      case 'interrupt-taken': {
        const c = this.isr.get(e.vcpu * 256 + e.vector);
        if (!c) return;
        this.hop(c, e, 'guest', `vCPU ${e.vcpu} entered its handler: mcause 0x8000000b, mtval ${hx(e.vector)}`);
        c.takenAt = e.cycle;
        c.latencyCycles = e.cycle - c.hops[0].cycle;
        return;
      }
      case 'lapic-eoi': this.onEoi(e); return;
      case 'eoi-broadcast': {
        const c = this.lastEoi?.vector === e.vector ? this.lastEoi : undefined;
        this.lastEoi = undefined;
        if (!c) return;
        this.hop(c, e, this.ioapicLayer, `IOAPIC: EOI of ${hx(e.vector)} from ${e.source}${e.gsis.length ? `: remote IRR of GSI ${e.gsis.join(', ')} cleared` : ''}`);
        return;
      }
      case 'lapic-reg': {
        const w = this.writer(e.apic);
        if (e.register === 'TPR') this.tprSetAt.set(e.apic, w);
        else if (e.register === 'SVR' && (e.oldValue & 0x100) && !(e.value & 0x100)) this.svrClearedAt.set(e.apic, w);
        return;
      }
      case 'guest-trap':
        this.trapAt.set(e.vcpu, { cycle: e.cycle, pc: e.handler >>> 0, vcpu: e.vcpu });
        if (e.interrupt) {
          const c = this.isr.get(e.vcpu * 256 + (e.tval & 0xff));
          if (c && c.takenAt === e.cycle) c.handlerPc = e.handler >>> 0;
        }
        return;
    }
  }

  private onExit(e: Extract<VmEvent, { kind: 'exit' }>): void {
    if (e.vcpu < 0) return;
    const window = e.reason === 'INTERRUPT_WINDOW' || e.reason === 'EXTERNAL_INTERRUPT';
    const eoi = e.gpa !== undefined && (e.gpa >>> 0) === LAPIC_EOI_GPA && e.access === 'write';
    if (!window && !eoi && e.vmmExit !== 'KVM_EXIT_IOAPIC_EOI') return;
    const c = window ? this.topFor(this.irr, e.vcpu) : this.topFor(this.isr, e.vcpu);
    if (!c) return;
    this.hop(c, e, e.handledIn, `VM exit ${e.reason}${e.vmmExit ? ` → ${e.vmmExit}` : ''}${eoi ? ' (EOI write)' : ''}, handled in ${e.handledIn === 'kernel' ? 'the kernel' : 'the VMM'}`);
  }

  private onIntx(e: Extract<VmEvent, { kind: 'pci-intx' }>): void {
    const pin = PIN_NAMES[e.pin] ?? `pin ${e.pin}`;
    if (e.request && e.level) {
      const held = this.deviceHeld.get(e.bdf);
      this.deviceHeld.delete(e.bdf);
      const c = held ?? this.open(`${e.device} (${e.bdf} ${pin})`, 'intx', e.gsi);
      this.hop(c, e, 'device', `${e.device} ${e.bdf} asserts ${pin} → PIRQ ${e.pirq} → GSI ${e.gsi}`);
      c.outcome = 'pending';
      this.fromDevice = c;
    } else if (e.request) {
      const c = this.open(`${e.device} (${e.bdf} ${pin})`, 'intx', e.gsi);
      this.hop(c, e, 'device', `${e.device} ${e.bdf} requests an interrupt but ${pin} stays low: ${e.blockedBy ?? 'gated'}`);
      c.outcome = 'blocked';
      this.deviceHeld.set(e.bdf, c);
    } else {
      const c = this.lineChain.get(e.gsi) ?? this.deviceHeld.get(e.bdf);
      this.deviceHeld.delete(e.bdf);
      if (c) this.hop(c, e, 'device', `${e.device} ${e.bdf} releases ${pin}`);
    }
  }

  private onPciMsi(e: Extract<VmEvent, { kind: 'pci-msi' }>): void {
    const held = this.deviceHeld.get(e.bdf);
    this.deviceHeld.delete(e.bdf);
    const c = held ?? this.open(`${e.device} (${e.bdf} MSI)`, 'msi');
    if (e.delivered) {
      this.hop(c, e, 'device', `${e.device} ${e.bdf} writes its MSI: data ${hx(e.data)} to ${hx(e.address)}`);
      c.outcome = 'pending';
      this.fromDevice = c;
      return;
    }
    const lost = e.blockedBy !== 'MSI MASK';
    this.hop(c, e, 'device', `${e.device} ${e.bdf} MSI ${lost ? 'not sent' : 'held pending'}: ${e.blockedBy ?? 'blocked'}`);
    c.outcome = lost ? 'lost' : 'blocked';
    if (!lost) this.deviceHeld.set(e.bdf, c);
  }

  private lineSource(device: string): ChainSource {
    if (device === 'testdev') return 'testdev';
    if (device === 'console' || device === 'debugger') return 'debugger';
    return 'device';
  }

  private onLine(e: Extract<VmEvent, { kind: 'irq-line' }>): void {
    const dev = this.fromDevice;
    this.fromDevice = undefined;
    if (e.edge === 'falling' || !e.level) {
      const c = this.lineChain.get(e.gsi);
      if (!c) return;
      this.hop(c, e, this.ioapicLayer, `GSI ${e.gsi} line falls (${e.device})`);
      if (this.held.get(e.gsi) === c) {
        // A level request withdrawn before the IOAPIC could send it.
        this.held.delete(e.gsi);
        c.outcome = 'lost';
      }
      return;
    }
    const c = dev && dev.gsi === e.gsi ? dev : this.open(e.device, this.lineSource(e.device), e.gsi);
    if (e.edge === 'rising') this.lineChain.set(e.gsi, c);
    const level = (this.machine.ioapic.redirTbl[2 * e.gsi] & (1 << 15)) !== 0;
    switch (e.result) {
      case 'sent':
        this.hop(c, e, this.ioapicLayer, `GSI ${e.gsi} ${e.edge === 'rising' ? 'rises' : 'asserted'} (${e.device}): IOAPIC pin ${e.gsi} sends it`);
        this.current = c;
        return;
      case 'coalesced':
        this.hop(c, e, this.ioapicLayer, `GSI ${e.gsi} asserted (${e.device}) while already high: coalesced`);
        c.outcome = 'coalesced';
        return;
      case 'masked':
        if (!level && e.edge === 'rising') {
          this.hop(c, e, this.ioapicLayer, `GSI ${e.gsi} rises (${e.device}) while entry ${e.gsi} is masked (bit 16): the edge is lost`);
          c.outcome = 'lost';
          c.lostWhileMasked = true;
          const w = this.maskSetAt.get(e.gsi);
          if (w) c.lostBy = w;
          return;
        }
        this.hop(c, e, this.ioapicLayer, `GSI ${e.gsi} asserted (${e.device}), held: entry ${e.gsi} is masked (bit 16)`);
        c.outcome = 'blocked';
        this.held.set(e.gsi, c);
        return;
      case 'remote-irr':
        this.hop(c, e, this.ioapicLayer, `GSI ${e.gsi} asserted (${e.device}), held: remote IRR (bit 14) waits for an EOI`);
        c.outcome = 'blocked';
        this.held.set(e.gsi, c);
        return;
      default:
        return;
    }
  }

  private onEntry(e: Extract<VmEvent, { kind: 'ioapic-entry' }>): void {
    if (e.cause === 'write') {
      const w = this.writer(this.machine.currentVcpu);
      this.entryWriteAt.set(e.gsi, w);
      if ((e.low & RTE_MASK) && !(e.oldLow & RTE_MASK)) this.maskSetAt.set(e.gsi, w);
      return;
    }
    if (e.cause === 'remote-irr-set') {
      const c = this.current?.gsi === e.gsi ? this.current : undefined;
      const apic = c && c.apic >= 0 ? c.apic : this.machine.currentVcpu;
      this.remoteIrrSetAt.set(e.gsi, { cycle: e.cycle, pc: this.machine.vcpus[apic]?.cpu.pc >>> 0, vcpu: apic });
      if (c) this.hop(c, e, this.ioapicLayer, `IOAPIC entry ${e.gsi}: remote IRR (bit 14) set until the EOI`);
    }
  }

  private onDeliver(e: Extract<VmEvent, { kind: 'ioapic-deliver' }>): void {
    let c: Chain;
    if (e.cause === 'line' && this.current?.gsi === e.gsi) {
      c = this.current;
    } else {
      const held = this.held.get(e.gsi);
      c = held ?? this.open(e.cause === 'eoi' ? `GSI ${e.gsi} still asserted after the EOI` : `GSI ${e.gsi} asserted when unmasked`, 'device', e.gsi);
      if (!held) this.lineChain.set(e.gsi, c);
    }
    this.held.delete(e.gsi);
    c.vector = e.vector;
    c.outcome = 'pending';
    const why = e.cause === 'entry-write' ? ' (the entry was just unmasked)' : e.cause === 'eoi' ? ' (re-delivered after the EOI: the line is still asserted)' : '';
    this.hop(c, e, this.ioapicLayer, `IOAPIC pin ${e.gsi} → vector ${hx(e.vector)}, ${e.deliveryMode}, ${e.destMode} destination ${e.destination}, ${e.trigMode}${why}`);
    this.current = c;
  }

  private onMsi(e: Extract<VmEvent, { kind: 'msi' }>): void {
    const cur = this.current;
    const dev = this.fromDevice;
    this.fromDevice = undefined;
    let c: Chain;
    if (cur && cur.gsi !== undefined && e.source.startsWith('ioapic') && cur.hops[cur.hops.length - 1]?.kind === 'ioapic-deliver') c = cur;
    else if (dev && dev.sourceKind === 'msi') c = dev;
    else c = this.open(e.source, e.source === 'console' || e.source === 'debugger' ? 'debugger' : 'msi');
    c.vector = e.vector;
    const via = c.gsi !== undefined ? 'the VMM IOAPIC signals KVM_SIGNAL_MSI' : 'MSI';
    this.hop(c, e, this.lapicLayer, `${via}: data ${hx(e.data)} to ${hx(e.address)} → vector ${hx(e.vector)}, ${e.destMode} destination ${e.destination}${e.valid ? '' : ': not the APIC window, dropped'}`);
    if (!e.valid) { c.outcome = 'lost'; this.current = undefined; return; }
    this.current = c;
  }

  private onRoute(e: Extract<VmEvent, { kind: 'apic-route' }>): void {
    const c = this.current && this.current.vector === e.vector ? this.current : this.open(e.source, 'device', e.gsi, e.vector);
    this.current = c;
    if (e.targets.length === 0) {
      this.hop(c, e, this.lapicLayer, `APIC bus: no LAPIC matches ${e.destMode} destination ${e.destination}: dropped`);
      c.outcome = 'lost';
      return;
    }
    this.hop(c, e, this.lapicLayer, `APIC bus: ${e.destMode} destination ${e.destination}${e.lowestPriority ? ' (lowest priority)' : ''} → LAPIC ${e.targets.join(', ')}`);
  }

  private onAccept(e: Extract<VmEvent, { kind: 'lapic-accept' }>): void {
    if (e.reason === 'deassert') return;
    const cur = this.current;
    const c = cur && cur.vector === e.vector
      ? cur
      : this.open(e.source === 'timer' ? `LAPIC timer ${e.apic}` : e.source, e.source === 'timer' ? 'timer' : 'device', e.gsi, e.vector);
    if (!e.accepted) {
      this.hop(c, e, this.lapicLayer, e.reason === 'apic-disabled'
        ? `LAPIC ${e.apic} is software-disabled (SVR bit 8 clear): vector ${hx(e.vector)} dropped`
        : `LAPIC ${e.apic} refused vector ${hx(e.vector)} (${e.reason ?? 'refused'})`);
      c.outcome = 'lost';
      return;
    }
    if (e.reason === 'special') {
      this.hop(c, e, this.lapicLayer, `LAPIC ${e.apic} accepted a ${e.deliveryMode} message`);
      c.outcome = 'handled';
      return;
    }
    const key = e.apic * 256 + e.vector;
    const already = this.irr.get(key);
    if (c.apic < 0) c.apic = e.apic;
    if (already && already !== c) {
      this.hop(c, e, this.lapicLayer, `LAPIC ${e.apic}: vector ${hx(e.vector)} is already in IRR (chain #${already.id}): coalesced`);
      c.outcome = 'coalesced';
      return;
    }
    this.hop(c, e, this.lapicLayer, `LAPIC ${e.apic} sets IRR bit ${hx(e.vector)}${e.trigMode === 'level' ? ' and TMR (level)' : ''}`);
    c.outcome = 'pending';
    this.irr.set(key, c);
  }

  private onAck(e: Extract<VmEvent, { kind: 'lapic-ack' }>): void {
    if (e.spurious) return;
    const key = e.apic * 256 + e.vector;
    const c = this.irr.get(key);
    if (!c) return;
    this.irr.delete(key);
    this.isr.set(key, c);
    c.apic = e.apic;
    c.outcome = 'in-service';
    this.hop(c, e, this.lapicLayer, `INTA: LAPIC ${e.apic} moves ${hx(e.vector)} from IRR to ISR (PPR ${hx(e.ppr)})${this.lapicLayer === 'vmm' ? '; the VMM injects it with KVM_INTERRUPT' : ''}`);
  }

  private onEoi(e: Extract<VmEvent, { kind: 'lapic-eoi' }>): void {
    if (e.vector < 0) return;
    const key = e.apic * 256 + e.vector;
    const c = this.isr.get(key);
    if (!c) return;
    this.isr.delete(key);
    c.outcome = 'handled';
    this.hop(c, e, this.lapicLayer, `EOI: LAPIC ${e.apic} clears ISR bit ${hx(e.vector)}${e.level ? '; level: broadcast to the IOAPIC' : ''}`);
    this.lastEoi = e.level ? c : undefined;
  }
}

/**
 * The subscription lives in the stream (not snapshotted) and calls the recorder (snapshotted, so
 * rewound in place): after a restore the same listener keeps feeding the same object.
 */
function subscribe(events: EventStream, r: ChainRecorder): void {
  events.subscribe((e) => r.onEvent(e));
}
