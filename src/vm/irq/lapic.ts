// A Local APIC in xAPIC mode (Intel SDM vol. 3 ch. 11), one per vCPU, with KVM's behaviour where
// KVM differs from the SDM (arch/x86/kvm/lapic.c). docs/interrupt-controllers.md has the tables.
//
// The vCPU sees it through three doors:
//   - MMIO at 0xFEE0_0000 (read / write / peek), as the guest programs it;
//   - the interrupt line: onInterruptChange(true) when a vector becomes deliverable (the hart's
//     mip.MEIP, docs/machine.md), acknowledge() for the INTA cycle when the hart takes it;
//   - the timer: nextTimerDeadline() tells the run loop when to call tick().
// Messages arrive through receive() (from the APIC bus); IPIs leave through the injected bus; a
// level-triggered EOI leaves through the eoiBroadcast hook (to the IOAPIC, or KVM_EXIT_IOAPIC_EOI).
import type { EventStream, LapicAcceptEvent } from '../events';
import {
  APIC_BROADCAST, ApicBus, ApicMessage, Clock, DeliveryMode, DestMode, deliveryModeName, destModeName, shorthandName,
  Shorthand, trigModeName,
} from './message';
import {
  APIC_APR, APIC_DFR, APIC_EOI, APIC_ESR, APIC_ICR_HIGH, APIC_ICR_LOW, APIC_ID, APIC_IRR, APIC_ISR, APIC_LDR,
  APIC_LVR, APIC_LVT_ERROR, APIC_LVT_MASKED, APIC_LVT_TIMER, APIC_LVT_TIMER_PERIODIC, APIC_PPR, APIC_SVR,
  APIC_TIMER_CURRENT, APIC_TIMER_DIVIDE, APIC_TIMER_INITIAL, APIC_TMR, APIC_TPR, APIC_VERSION_VALUE, ICR_BUSY,
  ICR_LEVEL_ASSERT, ICR_TRIGGER_LEVEL, LVT_COUNT, LVT_LINT0, LVT_TIMER, LVT_WRITE_MASK, lapicRegisterName,
  SVR_ENABLE, SVR_RESET, SVR_WRITABLE,
} from './lapic-regs';
import { LapicTimer } from './lapic-timer';
import { clearVector, highestVector, newVectorBitmap, setVector, testVector, vectorsOf } from './vector-bitmap';

interface LapicOptions {
  /** vCPU index: the initial APIC ID, and the identity shorthands compare. */
  index: number;
  /** Where IPIs go (the ApicRouter). */
  bus: ApicBus;
  clock: Clock;
  events?: EventStream;
  /** The deliverable state changed: drive the hart's MEIP from it. */
  onInterruptChange?: (hasDeliverable: boolean) => void;
  /** EOI of a vector whose TMR bit was set (KVM kvm_ioapic_send_eoi → kvm_ioapic_update_eoi). */
  eoiBroadcast?: (vector: number, apic: number) => void;
  /** NMI, INIT, STARTUP and SMI messages: accepted, then handed to the vCPU's owner (or ignored). */
  onSpecialMessage?: (msg: ApicMessage) => void;
  /** nextTimerDeadline() may have changed (a timer register write, SVR, a tick). */
  onTimerDeadlineChange?: (deadline: number | undefined) => void;
  /** Guest cycles per APIC bus clock, the timer's input before the divider (default 1). */
  cyclesPerBusClock?: number;
  /**
   * Reset LVT LINT0 to ExtINT, unmasked (0x700), as KVM does for the BSP under its default quirk
   * KVM_X86_QUIRK_LINT0_REENABLED. Default: true for index 0.
   */
  lint0ExtIntOnReset?: boolean;
}

/** What keeps a vector from being delivered now (docs/interrupt-provenance.md). */
type LapicBlock = 'not-pending' | 'tpr' | 'isr' | 'higher-pending';

export class Lapic {
  readonly name = 'lapic';
  readonly registerWidth = 4;
  readonly index: number;
  readonly irr = newVectorBitmap();
  readonly isr = newVectorBitmap();
  readonly tmr = newVectorBitmap();
  /** LVT timer, thermal, perf, LINT0, LINT1, error (0x320–0x370). */
  readonly lvt = new Uint32Array(LVT_COUNT);
  readonly timer: LapicTimer;
  /** xAPIC ID, 8 bits (register bits 31:24). */
  id = 0;
  tpr = 0;
  ldr = 0;
  dfr = 0;
  svr = 0;
  icrLow = 0;
  icrHigh = 0;
  bus: ApicBus;
  onInterruptChange: ((hasDeliverable: boolean) => void) | undefined;
  eoiBroadcast: ((vector: number, apic: number) => void) | undefined;
  onSpecialMessage: ((msg: ApicMessage) => void) | undefined;
  onTimerDeadlineChange: ((deadline: number | undefined) => void) | undefined;
  private readonly clock: Clock;
  private readonly events: EventStream | undefined;
  private readonly lint0ExtIntOnReset: boolean;
  private signalled = false;

  constructor(options: LapicOptions) {
    this.index = options.index;
    this.bus = options.bus;
    this.clock = options.clock;
    this.events = options.events;
    this.onInterruptChange = options.onInterruptChange;
    this.eoiBroadcast = options.eoiBroadcast;
    this.onSpecialMessage = options.onSpecialMessage;
    this.onTimerDeadlineChange = options.onTimerDeadlineChange;
    this.lint0ExtIntOnReset = options.lint0ExtIntOnReset ?? options.index === 0;
    this.timer = new LapicTimer(options.cyclesPerBusClock ?? 1);
    this.reset();
  }

  /** Power-on / RESET state (SDM §11.4.7.1, KVM kvm_lapic_reset). */
  reset(): void {
    this.id = this.index & 0xff;
    this.tpr = 0;
    this.ldr = 0;
    this.dfr = 0xffffffff;
    this.svr = SVR_RESET;
    this.icrLow = 0;
    this.icrHigh = 0;
    this.irr.fill(0);
    this.isr.fill(0);
    this.tmr.fill(0);
    this.lvt.fill(APIC_LVT_MASKED);
    if (this.lint0ExtIntOnReset) this.lvt[LVT_LINT0] = DeliveryMode.ExtInt << 8;
    this.timer.reset();
    this.update();
    this.onTimerDeadlineChange?.(this.nextTimerDeadline());
  }

  // ---- priorities -----------------------------------------------------------------------------------

  /** SVR bit 8. A software-disabled APIC refuses fixed and lowest-priority messages (as KVM). */
  get softwareEnabled(): boolean {
    return (this.svr & SVR_ENABLE) !== 0;
  }

  /** PPR (SDM §11.8.3.1): TPR if its class is ≥ the highest in-service class, else that class. */
  ppr(): number {
    const tpr = this.tpr & 0xff;
    const isrv = Math.max(highestVector(this.isr), 0);
    return (tpr & 0xf0) >= (isrv & 0xf0) ? tpr : isrv & 0xf0;
  }

  /**
   * Arbitration priority (SDM §11.6.2.4, P6 family formula), used by lowest-priority delivery.
   * The APR register itself reads 0, as on KVM (and on the Pentium 4 / Xeon the version reports).
   */
  arbitrationPriority(): number {
    const tpr = this.tpr & 0xff;
    const irrv = Math.max(highestVector(this.irr), 0) & 0xf0;
    const isrv = Math.max(highestVector(this.isr), 0) & 0xf0;
    if ((tpr & 0xf0) >= irrv && (tpr & 0xf0) > isrv) return tpr;
    return Math.max(tpr & 0xf0, isrv, irrv);
  }

  /** The highest IRR vector whose priority class is above PPR's, or -1 (SDM §11.8.3). */
  highestDeliverable(): number {
    const v = highestVector(this.irr);
    if (v < 0 || (v & 0xf0) <= this.ppr()) return -1;
    return v;
  }

  hasInterrupt(): boolean {
    return this.highestDeliverable() >= 0;
  }

  /** Why `vector` is not the one the hart would take now, or undefined if it is. */
  blockedBy(vector: number): LapicBlock | undefined {
    if (!testVector(this.irr, vector)) return 'not-pending';
    if ((vector & 0xf0) <= this.ppr()) {
      const isrClass = Math.max(highestVector(this.isr), 0) & 0xf0;
      return (this.tpr & 0xf0) >= isrClass ? 'tpr' : 'isr';
    }
    return highestVector(this.irr) === vector ? undefined : 'higher-pending';
  }

  // ---- receiving --------------------------------------------------------------------------------------

  /**
   * A message from the APIC bus (KVM __apic_accept_irq). Fixed and lowest-priority messages set
   * IRR, and TMR to the trigger mode, unless the APIC is software-disabled or the message is a
   * level de-assert. NMI, INIT (assert), STARTUP and SMI are accepted and handed to
   * onSpecialMessage. ExtINT (an 8259 is not modelled) and the reserved mode are refused.
   * Returns whether it was accepted.
   */
  receive(msg: ApicMessage): boolean {
    switch (msg.deliveryMode) {
      case DeliveryMode.Fixed:
      case DeliveryMode.LowestPriority:
        return this.accept(msg);
      case DeliveryMode.Init:
        if (msg.trigMode && !msg.level) return this.noteAccept(msg, false, 'deassert');
        return this.special(msg);
      case DeliveryMode.Nmi:
      case DeliveryMode.StartUp:
      case DeliveryMode.Smi:
        return this.special(msg);
      default:
        return this.noteAccept(msg, false, 'unsupported-mode');
    }
  }

  /** Sets `vector` in IRR as a fixed interrupt (a shortcut around receive()). */
  acceptInterrupt(vector: number, levelTriggered: boolean, source = 'direct', gsi?: number): boolean {
    return this.accept({
      vector: vector & 0xff, deliveryMode: DeliveryMode.Fixed, destMode: DestMode.Physical, destination: this.id,
      trigMode: levelTriggered ? 1 : 0, level: true, shorthand: Shorthand.None, sourceApic: -1, source, gsi,
    });
  }

  /** Does a message with this addressing reach this APIC? (KVM kvm_apic_match_dest, SDM §11.6.2.) */
  matchDestination(destMode: number, dest: number, shorthand: number, sourceApic: number): boolean {
    switch (shorthand & 3) {
      case Shorthand.Self: return sourceApic === this.index;
      case Shorthand.AllIncludingSelf: return true;
      case Shorthand.AllExcludingSelf: return sourceApic !== this.index;
    }
    dest &= 0xff;
    if (dest === APIC_BROADCAST) return true;
    if (destMode === DestMode.Physical) return dest === this.id;
    const logicalId = this.ldr >>> 24;
    switch (this.dfr >>> 28) {
      case 0xf: return (logicalId & dest) !== 0;                                        // flat
      case 0x0: return (logicalId >>> 4) === (dest >>> 4) && (logicalId & dest & 0xf) !== 0; // cluster
      default: return false;
    }
  }

  // ---- the hart's side -----------------------------------------------------------------------------

  /**
   * INTA: the hart takes the external interrupt. Moves the highest deliverable vector IRR → ISR
   * and returns it. With nothing deliverable (the interrupt went away between MEIP and the trap)
   * it returns the spurious vector from SVR and changes nothing (SDM §11.9).
   */
  acknowledge(): number {
    const vector = this.highestDeliverable();
    if (vector < 0) {
      const spurious = this.svr & 0xff;
      this.emitAck(spurious, true);
      return spurious;
    }
    clearVector(this.irr, vector);
    setVector(this.isr, vector);
    this.emitAck(vector, false);
    this.update();
    return vector;
  }

  /**
   * The EOI register write: clears the highest ISR bit (SDM §11.8.5) and, if that vector's TMR bit
   * is set, broadcasts the EOI (the eoiBroadcast hook). Returns the vector, or -1 if ISR was empty.
   */
  eoi(): number {
    const vector = highestVector(this.isr);
    const level = vector >= 0 && testVector(this.tmr, vector);
    if (vector >= 0) clearVector(this.isr, vector);
    const events = this.events;
    if (events?.active) {
      const sink = events.direct['lapic-eoi'];
      if (sink) sink.lapicEoi(this.clock.now(), this.index, this.index, vector, level);
      else events.emit({ kind: 'lapic-eoi', cycle: this.clock.now(), vcpu: this.index, apic: this.index, vector, level });
    }
    if (vector < 0) return -1;
    this.update();
    if (level) this.eoiBroadcast?.(vector, this.index);
    return vector;
  }

  // ---- the timer ----------------------------------------------------------------------------------

  /** The cycle at which tick() has an interrupt to raise, or undefined (stopped or LVT masked). */
  nextTimerDeadline(): number | undefined {
    return this.lvt[LVT_TIMER] & APIC_LVT_MASKED ? undefined : this.timer.deadline;
  }

  /** Processes timer expiries up to `now`: raises the LVT timer vector if one was due. */
  tick(now = this.clock.now()): boolean {
    const lvt = this.lvt[LVT_TIMER];
    const periodic = (lvt & APIC_LVT_TIMER_PERIODIC) !== 0;
    const expiry = this.timer.expire(now, periodic);
    if (!expiry) return false;
    const masked = (lvt & APIC_LVT_MASKED) !== 0;
    const events = this.events;
    if (events?.active) {
      const sink = events.direct['timer-fire'];
      if (sink) sink.timerFire(now, this.index, this.index, lvt & 0xff, periodic, masked);
      else {
        events.emit({
          kind: 'timer-fire', cycle: now, vcpu: this.index, apic: this.index, vector: lvt & 0xff, periodic, masked,
          deadline: expiry.deadline, missed: expiry.missed,
        });
      }
    }
    // KVM kvm_apic_local_deliver: the timer LVT has no mode bits, so it is a fixed edge interrupt.
    const fired = !masked && this.accept({
      vector: lvt & 0xff, deliveryMode: DeliveryMode.Fixed, destMode: DestMode.Physical, destination: this.id,
      trigMode: 0, level: true, shorthand: Shorthand.None, sourceApic: this.index, source: 'timer',
    });
    this.onTimerDeadlineChange?.(this.nextTimerDeadline());
    return fired;
  }

  // ---- MMIO ----------------------------------------------------------------------------------------

  /** Reads have no side effects on this model (PPR and the current count are computed). */
  read(offset: number, size: number): number {
    return this.peek(offset, size);
  }

  /**
   * As KVM's kvm_lapic_reg_read: 1-, 2- and 4-byte reads within one 32-bit register; anything
   * else, and the write-only or reserved registers (EOI, RRD, …), reads 0.
   */
  peek(offset: number, size: number): number {
    offset &= 0xfff;
    const align = offset & 0xf;
    if (align + size > 4 || offset > 0x3f0) return 0;
    const value = this.registerValue(offset & 0xff0);
    if (value === undefined) return 0;
    const shifted = value >>> (align * 8);
    return size >= 4 ? shifted >>> 0 : shifted & ((1 << (size * 8)) - 1);
  }

  /** Only aligned 32-bit writes take effect (SDM §11.4.1; KVM apic_mmio_write ignores the rest). */
  write(offset: number, size: number, value: number): void {
    offset &= 0xfff;
    if (size !== 4 || (offset & 0xf) !== 0) return;
    value >>>= 0;
    const old = this.registerValue(offset);
    switch (offset) {
      case APIC_ID: this.id = value >>> 24; break;
      case APIC_TPR: this.tpr = value & 0xff; this.update(); break;
      case APIC_EOI: this.eoi(); return;
      case APIC_LDR: this.ldr = (value & 0xff000000) >>> 0; break;
      case APIC_DFR: this.dfr = (value | 0x0fffffff) >>> 0; break;
      case APIC_SVR: this.writeSvr(value); break;
      case APIC_ICR_LOW:
        this.icrLow = (value & ~ICR_BUSY) >>> 0;
        this.emitRegister(offset, old ?? 0);
        this.sendIpi();
        return;
      case APIC_ICR_HIGH: this.icrHigh = (value & 0xff000000) >>> 0; break;
      case APIC_TIMER_INITIAL: this.timer.setInitialCount(value, this.clock.now()); this.timerChanged(); break;
      case APIC_TIMER_DIVIDE: this.timer.setDivideConfig(value, this.clock.now()); this.timerChanged(); break;
      default:
        if (offset >= APIC_LVT_TIMER && offset <= APIC_LVT_ERROR) this.writeLvt((offset - APIC_LVT_TIMER) >> 4, value);
        else return;  // read-only, reserved, ESR (KVM keeps it 0)
    }
    this.emitRegister(offset, old ?? 0);
  }

  registerName(offset: number): string | undefined {
    return lapicRegisterName(offset);
  }

  // ---- views ---------------------------------------------------------------------------------------

  irrVectors(): number[] { return vectorsOf(this.irr); }
  isrVectors(): number[] { return vectorsOf(this.isr); }
  tmrVectors(): number[] { return vectorsOf(this.tmr); }

  /** A JSON snapshot for views and `info lapic`; the current count is computed at the clock's now. */
  state(): LapicState {
    return {
      index: this.index, id: this.id, version: APIC_VERSION_VALUE, tpr: this.tpr, ppr: this.ppr(),
      apr: this.arbitrationPriority(), ldr: this.ldr, dfr: this.dfr, svr: this.svr, softwareEnabled: this.softwareEnabled,
      irr: this.irrVectors(), isr: this.isrVectors(), tmr: this.tmrVectors(), icrLow: this.icrLow, icrHigh: this.icrHigh,
      lvt: Array.from(this.lvt), highestDeliverable: this.highestDeliverable(),
      timer: {
        initialCount: this.timer.initialCount, currentCount: this.peek(APIC_TIMER_CURRENT, 4), divideConfig: this.timer.divideConfig,
        divisor: this.timer.divisor(), periodic: (this.lvt[LVT_TIMER] & APIC_LVT_TIMER_PERIODIC) !== 0,
        nextDeadline: this.nextTimerDeadline(),
      },
    };
  }

  // ---- internals ------------------------------------------------------------------------------------

  private registerValue(reg: number): number | undefined {
    if (reg >= APIC_ISR && reg < APIC_TMR) return this.isr[(reg - APIC_ISR) >> 4];
    if (reg >= APIC_TMR && reg < APIC_IRR) return this.tmr[(reg - APIC_TMR) >> 4];
    if (reg >= APIC_IRR && reg < APIC_ESR) return this.irr[(reg - APIC_IRR) >> 4];
    if (reg >= APIC_LVT_TIMER && reg <= APIC_LVT_ERROR) return this.lvt[(reg - APIC_LVT_TIMER) >> 4];
    switch (reg) {
      case APIC_ID: return (this.id << 24) >>> 0;
      case APIC_LVR: return APIC_VERSION_VALUE;
      case APIC_TPR: return this.tpr;
      case APIC_APR: return 0;
      case APIC_PPR: return this.ppr();
      case APIC_LDR: return this.ldr;
      case APIC_DFR: return this.dfr;
      case APIC_SVR: return this.svr;
      case APIC_ESR: return 0;
      case APIC_ICR_LOW: return this.icrLow;
      case APIC_ICR_HIGH: return this.icrHigh;
      case APIC_TIMER_INITIAL: return this.timer.initialCount;
      case APIC_TIMER_CURRENT: return this.timer.currentCount(this.clock.now(), (this.lvt[LVT_TIMER] & APIC_LVT_TIMER_PERIODIC) !== 0);
      case APIC_TIMER_DIVIDE: return this.timer.divideConfig;
      default: return undefined;
    }
  }

  private accept(msg: ApicMessage): boolean {
    // KVM __apic_accept_irq: a level-triggered message with level 0 is dropped; a software-
    // disabled APIC drops fixed interrupts (SDM §11.4.7.2 leaves this open, KVM decides).
    if (msg.trigMode && !msg.level) return this.noteAccept(msg, false, 'deassert');
    if (!this.softwareEnabled) return this.noteAccept(msg, false, 'apic-disabled');
    const vector = msg.vector & 0xff;
    if (msg.trigMode) setVector(this.tmr, vector);
    else clearVector(this.tmr, vector);
    setVector(this.irr, vector);
    this.noteAccept(msg, true);
    this.update();
    return true;
  }

  private special(msg: ApicMessage): boolean {
    this.noteAccept(msg, true, 'special');
    this.onSpecialMessage?.(msg);
    return true;
  }

  private noteAccept(msg: ApicMessage, accepted: boolean, reason?: LapicAcceptEvent['reason']): boolean {
    const events = this.events;
    if (events?.active) {
      const sink = events.direct['lapic-accept'];
      if (sink) {
        sink.lapicAccept(this.clock.now(), this.index, this.index, msg.vector & 0xff, deliveryModeName(msg.deliveryMode), trigModeName(msg.trigMode), msg.source, msg.gsi, accepted, reason);
        return accepted;
      }
      const e: LapicAcceptEvent = {
        kind: 'lapic-accept', cycle: this.clock.now(), vcpu: this.index, apic: this.index, vector: msg.vector & 0xff,
        deliveryMode: deliveryModeName(msg.deliveryMode), trigMode: trigModeName(msg.trigMode), source: msg.source, accepted,
      };
      if (msg.gsi !== undefined) e.gsi = msg.gsi;
      if (reason) e.reason = reason;
      events.emit(e);
    }
    return accepted;
  }

  /** Re-evaluates the interrupt line and tells the hart when it changes. */
  private update(): void {
    const has = this.hasInterrupt();
    if (has === this.signalled) return;
    this.signalled = has;
    this.onInterruptChange?.(has);
  }

  private writeSvr(value: number): void {
    this.svr = value & SVR_WRITABLE;
    if (value & SVR_ENABLE) return;
    // Software disable masks every LVT (SDM §11.4.7.2; KVM kvm_lapic_reg_write APIC_SPIV).
    for (let i = 0; i < LVT_COUNT; i++) this.lvt[i] |= APIC_LVT_MASKED;
    this.timerChanged();
  }

  private writeLvt(index: number, value: number): void {
    // While software-disabled the mask bit cannot be cleared (SDM §11.4.7.2).
    if (!this.softwareEnabled) value |= APIC_LVT_MASKED;
    const wasMasked = (this.lvt[index] & APIC_LVT_MASKED) !== 0;
    this.lvt[index] = (value & LVT_WRITE_MASK[index]) >>> 0;
    if (index !== LVT_TIMER) return;
    // Expiries that passed while the timer LVT was masked are lost: drop them before unmasking.
    const lvt = this.lvt[LVT_TIMER];
    if (wasMasked && !(lvt & APIC_LVT_MASKED)) this.timer.expire(this.clock.now(), (lvt & APIC_LVT_TIMER_PERIODIC) !== 0);
    this.timerChanged();
  }

  private timerChanged(): void {
    this.onTimerDeadlineChange?.(this.nextTimerDeadline());
  }

  /** An ICR low write sends the IPI at once: the delivery-status bit never reads 1 (KVM). */
  private sendIpi(): void {
    const lo = this.icrLow;
    const msg: ApicMessage = {
      vector: lo & 0xff,
      deliveryMode: (lo >>> 8) & 7,
      destMode: (lo >>> 11) & 1,
      destination: this.icrHigh >>> 24,
      trigMode: lo & ICR_TRIGGER_LEVEL ? 1 : 0,
      level: (lo & ICR_LEVEL_ASSERT) !== 0,
      shorthand: (lo >>> 18) & 3,
      sourceApic: this.index,
      source: `ipi apic ${this.index}`,
    };
    if (this.events?.active) {
      this.events.emit({
        kind: 'ipi', cycle: this.clock.now(), vcpu: this.index, apic: this.index, vector: msg.vector,
        deliveryMode: deliveryModeName(msg.deliveryMode), destMode: destModeName(msg.destMode), destination: msg.destination,
        shorthand: shorthandName(msg.shorthand), trigMode: trigModeName(msg.trigMode), level: msg.level,
      });
    }
    this.bus.deliver(msg);
  }

  private emitAck(vector: number, spurious: boolean): void {
    const events = this.events;
    if (events?.active) {
      const sink = events.direct['lapic-ack'];
      if (sink) sink.lapicAck(this.clock.now(), this.index, this.index, vector, spurious, this.ppr());
      else events.emit({ kind: 'lapic-ack', cycle: this.clock.now(), vcpu: this.index, apic: this.index, vector, spurious, ppr: this.ppr() });
    }
  }

  private emitRegister(offset: number, oldValue: number): void {
    if (!this.events?.active) return;
    this.events.emit({
      kind: 'lapic-reg', cycle: this.clock.now(), vcpu: this.index, apic: this.index,
      register: lapicRegisterName(offset) ?? `0x${offset.toString(16)}`, offset, oldValue, value: this.registerValue(offset) ?? 0,
    });
  }
}

interface LapicState {
  index: number;
  id: number;
  version: number;
  tpr: number;
  ppr: number;
  apr: number;
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
  highestDeliverable: number;
  timer: {
    initialCount: number;
    currentCount: number;
    divideConfig: number;
    divisor: number;
    periodic: boolean;
    nextDeadline: number | undefined;
  };
}
