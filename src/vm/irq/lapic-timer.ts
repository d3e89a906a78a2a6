// The LAPIC timer's counting state on the virtual clock (SDM vol. 3 §11.5.4). The count register
// is never stored: like KVM's apic_get_tmcct it is computed from the time left to the next expiry,
// so reading it changes nothing. The bus clock ticks once every `cyclesPerBusClock` guest cycles;
// the count drops once every `divide` bus clocks.
//
// `next` is the cycle of the next expiry not yet processed by expire(). Periodic deadlines keep
// their phase (start + k·period) — the count reloads from the initial count at zero — also when
// several periods pass before expire() runs; those count as `missed` and raise one interrupt.

interface TimerExpiry {
  /** The cycle at which the count reached zero. */
  deadline: number;
  /** Further expiries between `deadline` and now that were folded into this one. */
  missed: number;
}

export class LapicTimer {
  /** TMICT. */
  initialCount = 0;
  /** TDCR as stored: bits 0, 1 and 3 (KVM keeps `val & 0xb`). */
  divideConfig = 0;
  private unit: number;
  private period = 0;
  private next: number | undefined;

  constructor(private readonly cyclesPerBusClock: number) {
    this.unit = this.divisor() * cyclesPerBusClock;
  }

  reset(): void {
    this.initialCount = 0;
    this.divideConfig = 0;
    this.unit = this.divisor() * this.cyclesPerBusClock;
    this.period = 0;
    this.next = undefined;
  }

  /** Divide value from TDCR bits 3,1,0 (SDM Figure 11-10): 000→2, 001→4, … 110→128, 111→1. */
  divisor(): number {
    const d = this.divideConfig;
    const code = (d & 3) | ((d & 8) >> 1);
    return 1 << ((code + 1) & 7);
  }

  /** Armed: an expiry is scheduled (one-shot not yet fired, or periodic with a count). */
  get armed(): boolean {
    return this.next !== undefined;
  }

  /** The next unprocessed expiry, if any. */
  get deadline(): number | undefined {
    return this.next;
  }

  /** A write of TMICT: 0 stops the timer, anything else (re)starts it from now (SDM §11.5.4). */
  setInitialCount(count: number, now: number): void {
    this.initialCount = count >>> 0;
    this.period = this.initialCount * this.unit;
    this.next = this.period > 0 ? now + this.period : undefined;
  }

  /**
   * A write of TDCR. While counting, the time left is rescaled to the new divisor, so the count
   * carries on from its current value at the new rate (KVM update_target_expiration).
   */
  setDivideConfig(value: number, now: number): void {
    const oldUnit = this.unit;
    this.divideConfig = value & 0xb;
    this.unit = this.divisor() * this.cyclesPerBusClock;
    if (this.unit === oldUnit) return;
    this.period = this.initialCount * this.unit;
    if (this.next !== undefined && this.next > now) {
      this.next = now + Math.floor(((this.next - now) * this.unit) / oldUnit);
    }
  }

  /** TMCCT at `now`: 0 when stopped or when a one-shot count has run out. */
  currentCount(now: number, periodic: boolean): number {
    if (this.next === undefined || this.period === 0) return 0;
    let left = this.next - now;
    if (left <= 0) {
      if (!periodic) return 0;
      left = this.period - ((now - this.next) % this.period);
    }
    return Math.min(this.initialCount, Math.floor(left / this.unit));
  }

  /** Processes the expiries up to `now`; returns the first one, or undefined if none was due. */
  expire(now: number, periodic: boolean): TimerExpiry | undefined {
    const deadline = this.next;
    if (deadline === undefined || now < deadline) return undefined;
    if (periodic && this.period > 0) {
      const missed = Math.floor((now - deadline) / this.period);
      this.next = deadline + (missed + 1) * this.period;
      return { deadline, missed };
    }
    this.next = undefined;
    return { deadline, missed: 0 };
  }
}
