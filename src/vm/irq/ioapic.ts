// The I/O APIC (Intel 82093AA datasheet), one model for both placements (docs/machine.md):
//   version 0x11 — KVM's in-kernel IOAPIC (arch/x86/kvm/ioapic.c): no EOI register;
//   version 0x20 — the VMM's IOAPIC (QEMU hw/intc/ioapic.c): EOI register at +0x40.
// Where the two implementations differ observably, the version selects the behaviour of the one
// that reports it; everything else follows KVM. docs/interrupt-controllers.md lists each case.
//
// Input pins are 24 GSIs. `irr` holds the pins' levels (KVM's ioapic->irr); each pin is the OR of
// up to 32 sources (KVM's irq_states / __kvm_irq_line_state). A level means "asserted" whatever the
// entry's polarity bit: KVM ignores INTPOL, and so do we (docs/interrupt-controllers.md).
import type { EventStream, IrqLineEvent } from '../events';
import { ApicBus, ApicMessage, Clock, deliveryModeName, destModeName, Shorthand, trigModeName } from './message';
import {
  parseRedirectionEntry, RedirectionEntry, RTE_MASK, RTE_READ_ONLY, RTE_REMOTE_IRR, RTE_RESET_LOW, RTE_TRIGGER_LEVEL,
} from './redirection-entry';

export const IOAPIC_PINS = 24;
/** Each pin's message source name, built once (a message per delivery carries it, and events and the chain recorder read it). */
const PIN_SOURCES = Array.from({ length: IOAPIC_PINS }, (_, pin) => `ioapic pin ${pin}`);

/** MMIO offsets in the IOAPIC page (82093AA §3.1; EOI from the ICH I/O xAPIC, version 0x20). */
export const IOREGSEL = 0x00;
export const IOWIN = 0x10;
export const IOAPIC_EOI = 0x40;

/** Indirect registers selected by IOREGSEL (82093AA §3.2). */
export const IOAPICID = 0x00;
export const IOAPICVER = 0x01;
export const IOAPICARB = 0x02;
export const IOREDTBL_BASE = 0x10;

export type IoapicVersion = 0x11 | 0x20;

interface IoapicOptions {
  /** 0x11: KVM in-kernel (kernel irqchip); 0x20: the VMM's (split and userspace irqchip). */
  version: IoapicVersion;
  /** Where messages go: the APIC bus, or (split irqchip) an adapter that sends them as MSIs. */
  bus: ApicBus;
  clock: Clock;
  events?: EventStream;
}

/** Who drives a pin: KVM's irq_source_id (0..31; 0 = the VMM) and a device name for events. */
interface IrqSource {
  id?: number;
  device?: string;
}

/** Why a pin's interrupt is not (re)delivered now, for "why didn't IRQ N arrive?". */
type IoapicBlock = 'line-low' | 'masked' | 'remote-irr';

/** Returned by setIrq, as KVM's kvm_ioapic_set_irq (KVM_IRQ_LINE_STATUS): */
export const IRQ_STATUS_BLOCKED = -1;   // masked, or level-triggered with remote IRR set
export const IRQ_STATUS_COALESCED = 0;  // edge already high, or no LAPIC accepted it
// > 0: number of LAPICs that accepted; 1 also for a de-assert.

export class Ioapic {
  readonly name = 'ioapic';
  readonly registerWidth = 4;
  readonly version: IoapicVersion;
  /** Redirection table, raw: [2n] = IOREDTBLn bits 31:0, [2n+1] = bits 63:32. */
  readonly redirTbl = new Uint32Array(IOAPIC_PINS * 2);
  ioRegSel = 0;
  /** IOAPIC ID (4 bits, IOAPICID bits 27:24). */
  id = 0;
  /** Pin levels, bit n = GSI n asserted. */
  irr = 0;
  bus: ApicBus;
  private readonly irqStates = new Uint32Array(IOAPIC_PINS);
  private readonly clock: Clock;
  private readonly events: EventStream | undefined;

  constructor(options: IoapicOptions) {
    this.version = options.version;
    this.bus = options.bus;
    this.clock = options.clock;
    this.events = options.events;
    this.reset();
  }

  /** Power-on state: every entry masked (0x00010000), lines low, IOREGSEL and ID 0 (kvm_ioapic_reset). */
  reset(): void {
    for (let pin = 0; pin < IOAPIC_PINS; pin++) {
      this.redirTbl[2 * pin] = RTE_RESET_LOW;
      this.redirTbl[2 * pin + 1] = 0;
    }
    this.irqStates.fill(0);
    this.irr = 0;
    this.ioRegSel = 0;
    this.id = 0;
  }

  // ---- the device side ------------------------------------------------------------------------

  /**
   * Drives GSI `pin` from `source` (KVM_IRQ_LINE / kvm_ioapic_set_irq). `level` true = asserted.
   * Edge pins deliver on a rising edge of the OR of all sources while unmasked; a raise while the
   * pin is already high is coalesced, and an edge that rises while masked is lost (only level pins
   * are re-examined on unmask, as in KVM's ioapic_write_indirect). Level pins deliver while high,
   * unmasked and without remote IRR. Returns the KVM status (IRQ_STATUS_*, or the accepted count).
   * The 'irq-line' event says what happened; 'masked' and 'remote-irr' name the bit in the way.
   * A pin outside 0–23 is ignored (returns 0): callers pass guest- or user-chosen numbers.
   */
  setIrq(pin: number, level: boolean, source: IrqSource = {}): number {
    if (!Number.isInteger(pin) || pin < 0 || pin >= IOAPIC_PINS) return IRQ_STATUS_COALESCED;
    const bit = 1 << ((source.id ?? 0) & 31);
    this.irqStates[pin] = level ? this.irqStates[pin] | bit : this.irqStates[pin] & ~bit;
    const mask = 1 << pin;
    const wasHigh = (this.irr & mask) !== 0;
    const isHigh = this.irqStates[pin] !== 0;
    const low = this.redirTbl[2 * pin];
    let result: IrqLineEvent['result'];
    if (!isHigh) {
      this.irr &= ~mask;
      result = 'deasserted';
    } else {
      this.irr |= mask;
      if ((low & RTE_TRIGGER_LEVEL) === 0 && wasHigh) result = 'coalesced';
      else result = this.holdReason(low) ?? 'sent';
    }
    // The line event comes first: each hop of an interrupt is emitted before the next one.
    const events = this.events;
    if (events?.active) {
      const edge = isHigh === wasHigh ? 'none' : isHigh ? 'rising' : 'falling';
      const sink = events.direct['irq-line'];
      if (sink) sink.irqLine(this.clock.now(), -1, pin, isHigh, edge, source.device ?? 'unknown', result);
      else {
        events.emit({
          kind: 'irq-line', cycle: this.clock.now(), vcpu: -1, gsi: pin, level: isHigh, edge,
          device: source.device ?? 'unknown', sourceId: (source.id ?? 0) & 31, result,
        });
      }
    }
    switch (result) {
      case 'deasserted': return 1;
      case 'coalesced': return IRQ_STATUS_COALESCED;
      case 'sent': return this.service(pin, 'line');
      default: return IRQ_STATUS_BLOCKED;
    }
  }

  /** The pin's current level (OR of its sources). */
  lineLevel(pin: number): boolean {
    return (this.irr & (1 << pin)) !== 0;
  }

  // ---- EOI --------------------------------------------------------------------------------------

  /**
   * An EOI for `vector` (KVM kvm_ioapic_update_eoi, QEMU ioapic_eoi_broadcast): every level entry
   * with that vector drops remote IRR, and is delivered again if its line is still asserted and it
   * is unmasked — "level re-assertion after EOI". Called by a LAPIC's EOI of a TMR-set vector (the
   * EOI broadcast, SDM §11.8.5) or by the version-0x20 EOI register. Version 0x11 (KVM) clears and
   * re-examines matching level entries whatever their remote IRR; version 0x20 (QEMU) skips those
   * whose remote IRR is already clear. Returns the pins whose remote IRR it cleared.
   */
  updateEoi(vector: number, source = 'lapic', apic = -1): number[] {
    vector &= 0xff;
    const pins: number[] = [];
    const cleared: number[] = [];
    for (let pin = 0; pin < IOAPIC_PINS; pin++) {
      const low = this.redirTbl[2 * pin];
      if ((low & 0xff) !== vector || (low & RTE_TRIGGER_LEVEL) === 0) continue;
      if (low & RTE_REMOTE_IRR) cleared.push(pin);
      else if (this.version === 0x20) continue;
      pins.push(pin);
    }
    const events = this.events;
    if (events?.active) {
      const sink = events.direct['eoi-broadcast'];
      if (sink) sink.eoiBroadcast(this.clock.now(), apic, vector, source, cleared);
      else events.emit({ kind: 'eoi-broadcast', cycle: this.clock.now(), vcpu: apic, vector, source, gsis: cleared.slice() });
    }
    for (const pin of pins) {
      this.setRemoteIrr(pin, false);
      // The interrupt-storm throttle of KVM and QEMU (re-delivery deferred by 10 ms after 10000
      // successive EOIs with the line still high) is not modelled; see the docs.
      if (this.lineLevel(pin)) this.service(pin, 'eoi');
    }
    return cleared;
  }

  /** KVM's name for the same entry point, as the LAPIC's EOI-broadcast hook calls it. */
  eoiBroadcast(vector: number, apic = -1): number[] {
    return this.updateEoi(vector, apic >= 0 ? `lapic ${apic}` : 'lapic', apic);
  }

  // ---- MMIO ---------------------------------------------------------------------------------------

  read(offset: number, size: number): number {
    return this.peek(offset, size);
  }

  /** IOAPIC reads have no side effects, so a peek is a read. */
  peek(offset: number, size: number): number {
    let value = 0;
    switch (offset & 0xff) {
      case IOREGSEL: value = this.ioRegSel; break;
      case IOWIN: value = this.readIndirect(); break;
    }
    return truncate(value, size);
  }

  write(offset: number, size: number, value: number): void {
    value = truncate(value, size);
    switch (offset & 0xff) {
      case IOREGSEL:
        this.ioRegSel = value & 0xff;
        break;
      case IOWIN:
        this.writeIndirect(value);
        break;
      case IOAPIC_EOI:
        // Only the VMM's version-0x20 IOAPIC has it, and only for 32-bit writes (QEMU
        // ioapic_mem_write); KVM's in-kernel IOAPIC ignores the offset (docs/interrupt-controllers.md).
        if (this.version === 0x20 && size === 4) this.updateEoi(value & 0xff, 'ioapic-eoi-register');
        break;
    }
  }

  registerName(offset: number): string | undefined {
    switch (offset & 0xff) {
      case IOREGSEL: return 'IOREGSEL';
      case IOWIN: return 'IOWIN';
      case IOAPIC_EOI: return this.version === 0x20 ? 'EOI' : undefined;
      default: return undefined;
    }
  }

  /** The name of the register IOWIN reaches now: 'IOAPICVER', 'IOREDTBL4[31:0]', … */
  selectedRegisterName(): string | undefined {
    switch (this.ioRegSel) {
      case IOAPICID: return 'IOAPICID';
      case IOAPICVER: return 'IOAPICVER';
      case IOAPICARB: return 'IOAPICARB';
    }
    const pin = (this.ioRegSel - IOREDTBL_BASE) >> 1;
    if (this.ioRegSel < IOREDTBL_BASE || pin >= IOAPIC_PINS) return undefined;
    return `IOREDTBL${pin}[${this.ioRegSel & 1 ? '63:32' : '31:0'}]`;
  }

  // ---- views --------------------------------------------------------------------------------------

  /** The parsed view of entry `pin`. */
  entry(pin: number): RedirectionEntry {
    return parseRedirectionEntry(this.redirTbl[2 * pin], this.redirTbl[2 * pin + 1]);
  }

  /** What keeps pin `pin` from being delivered now, or undefined if nothing does. */
  blockedBy(pin: number): IoapicBlock | undefined {
    const low = this.redirTbl[2 * pin];
    if (!this.lineLevel(pin)) return 'line-low';
    if (low & RTE_MASK) return 'masked';
    if ((low & RTE_TRIGGER_LEVEL) && (low & RTE_REMOTE_IRR)) return 'remote-irr';
    return undefined;
  }

  /** A JSON snapshot for views and `info ioapic`. */
  state(): IoapicState {
    const pins: IoapicPinState[] = [];
    for (let pin = 0; pin < IOAPIC_PINS; pin++) {
      pins.push({ gsi: pin, low: this.redirTbl[2 * pin], high: this.redirTbl[2 * pin + 1], entry: this.entry(pin), line: this.lineLevel(pin) });
    }
    return { version: this.version, id: this.id, ioRegSel: this.ioRegSel, irr: this.irr, pins };
  }

  // ---- internals ----------------------------------------------------------------------------------

  private readIndirect(): number {
    switch (this.ioRegSel) {
      case IOAPICID:
      case IOAPICARB:
        return ((this.id & 0xf) << 24) >>> 0;
      case IOAPICVER:
        return (((IOAPIC_PINS - 1) << 16) | this.version) >>> 0;
    }
    const pin = (this.ioRegSel - IOREDTBL_BASE) >> 1;
    if (this.ioRegSel >= IOREDTBL_BASE && pin < IOAPIC_PINS) return this.redirTbl[2 * pin + (this.ioRegSel & 1)];
    // An unimplemented register: KVM reads all ones (its ioapic_read_indirect takes ~0 for an
    // index past the table), QEMU reads 0.
    return this.version === 0x11 ? 0xffffffff : 0;
  }

  private writeIndirect(value: number): void {
    switch (this.ioRegSel) {
      case IOAPICID: this.id = (value >>> 24) & 0xf; return;
      case IOAPICVER:
      case IOAPICARB: return;  // read-only
    }
    const pin = (this.ioRegSel - IOREDTBL_BASE) >> 1;
    if (this.ioRegSel < IOREDTBL_BASE || pin >= IOAPIC_PINS) return;
    const oldLow = this.redirTbl[2 * pin], oldHigh = this.redirTbl[2 * pin + 1];
    let low = oldLow, high = oldHigh;
    if (this.ioRegSel & 1) high = value >>> 0;
    else low = ((value & ~RTE_READ_ONLY) | (oldLow & RTE_READ_ONLY)) >>> 0;
    // An edge entry has no remote IRR: switching a pin to edge clears it. Linux relies on this
    // to "EOI" a pin on IOAPICs without an EOI register (KVM ioapic_write_indirect, QEMU
    // ioapic_fix_edge_remote_irr).
    if ((low & RTE_TRIGGER_LEVEL) === 0) low = (low & ~RTE_REMOTE_IRR) >>> 0;
    this.redirTbl[2 * pin] = low;
    this.redirTbl[2 * pin + 1] = high;
    if (this.events?.active) {
      this.events.emit({ kind: 'ioapic-entry', cycle: this.clock.now(), vcpu: -1, gsi: pin, cause: 'write', low, high, oldLow, oldHigh });
    }
    // A level pin whose line is asserted is delivered as soon as the entry allows it (unmask, or
    // remote IRR cleared by the edge switch above); edges that rose while masked stay lost.
    if ((low & RTE_TRIGGER_LEVEL) && this.lineLevel(pin)) this.service(pin, 'entry-write');
  }

  /** The entry bit that keeps an asserted pin from being sent now (KVM ioapic_service's checks). */
  private holdReason(low: number): 'masked' | 'remote-irr' | undefined {
    if (low & RTE_MASK) return 'masked';
    if ((low & RTE_TRIGGER_LEVEL) && (low & RTE_REMOTE_IRR)) return 'remote-irr';
    return undefined;
  }

  /**
   * Sends pin `pin`'s message if its entry allows (KVM ioapic_service). Returns the number of
   * LAPICs that accepted it, or IRQ_STATUS_BLOCKED.
   */
  private service(pin: number, cause: 'line' | 'entry-write' | 'eoi'): number {
    const low = this.redirTbl[2 * pin];
    if (this.holdReason(low)) return IRQ_STATUS_BLOCKED;
    const level = (low & RTE_TRIGGER_LEVEL) !== 0;
    const msg: ApicMessage = {
      vector: low & 0xff,
      deliveryMode: (low >>> 8) & 7,
      destMode: (low >>> 11) & 1,
      destination: this.redirTbl[2 * pin + 1] >>> 24,
      trigMode: level ? 1 : 0,
      level: true,
      shorthand: Shorthand.None,
      sourceApic: -1,
      source: PIN_SOURCES[pin],
      gsi: pin,
    };
    const events = this.events;
    const sink = events?.direct['ioapic-deliver'];
    if (sink) {
      sink.ioapicDeliver(this.clock.now(), -1, pin, msg.vector, deliveryModeName(msg.deliveryMode), destModeName(msg.destMode), msg.destination, trigModeName(msg.trigMode), cause);
    } else if (events?.active) {
      events.emit({
        kind: 'ioapic-deliver', cycle: this.clock.now(), vcpu: -1, gsi: pin, vector: msg.vector,
        deliveryMode: deliveryModeName(msg.deliveryMode), destMode: destModeName(msg.destMode),
        destination: msg.destination, trigMode: trigModeName(msg.trigMode), cause,
      });
    }
    const accepted = this.bus.deliver(msg);
    // KVM sets remote IRR only if some LAPIC accepted the message; QEMU sets it before sending,
    // since an MSI write cannot tell (hw/intc/ioapic.c ioapic_service).
    if (level && (accepted > 0 || this.version === 0x20)) this.setRemoteIrr(pin, true);
    return accepted;
  }

  private setRemoteIrr(pin: number, on: boolean): void {
    const oldLow = this.redirTbl[2 * pin];
    const low = (on ? oldLow | RTE_REMOTE_IRR : oldLow & ~RTE_REMOTE_IRR) >>> 0;
    this.redirTbl[2 * pin] = low;
    const events = this.events;
    if (low !== oldLow && events?.active) {
      const cause = on ? 'remote-irr-set' : 'remote-irr-cleared';
      const sink = events.direct['ioapic-entry'];
      if (sink) {
        sink.ioapicEntry(this.clock.now(), -1, pin, cause, low, oldLow);
        return;
      }
      const high = this.redirTbl[2 * pin + 1];
      events.emit({
        kind: 'ioapic-entry', cycle: this.clock.now(), vcpu: -1, gsi: pin, cause, low, high, oldLow, oldHigh: high,
      });
    }
  }
}

interface IoapicPinState {
  gsi: number;
  low: number;
  high: number;
  entry: RedirectionEntry;
  line: boolean;
}

interface IoapicState {
  version: IoapicVersion;
  id: number;
  ioRegSel: number;
  irr: number;
  pins: IoapicPinState[];
}

function truncate(value: number, size: number): number {
  return size >= 4 ? value >>> 0 : value & ((1 << (size * 8)) - 1);
}
