// A small machine of interrupt controllers for the tests: one IOAPIC, N LAPICs on an ApicRouter,
// a manual virtual clock, every event recorded, and each vCPU's MEIP line as the LAPIC drives it.
// Guest-visible programming goes through MMIO, as a guest would do it.
import { EventStream, VmEvent } from '../../../src/vm/events';
import {
  APIC_SVR, ApicRouter, Clock, encodeRedirectionEntry, Ioapic, IoapicVersion, IOREDTBL_BASE, IOREGSEL, IOWIN, Lapic,
  LowestPriorityPolicy, RedirectionEntry,
} from '../../../src/vm/irq';

export class ManualClock implements Clock {
  constructor(public t = 0) {}
  now(): number { return this.t; }
  advance(cycles: number): number { this.t += cycles; return this.t; }
}

export interface RigOptions {
  vcpus?: number;
  version?: IoapicVersion;
  lowestPriority?: LowestPriorityPolicy;
  /** Software-enable every LAPIC (SVR = 0x1FF) after reset; default true. */
  enable?: boolean;
}

export class Rig {
  readonly clock = new ManualClock(1000);
  readonly events = new EventStream();
  readonly log: VmEvent[] = [];
  readonly router: ApicRouter;
  readonly ioapic: Ioapic;
  readonly lapics: Lapic[] = [];
  /** MEIP per vCPU, as last signalled by onInterruptChange. */
  readonly meip: boolean[] = [];

  constructor(options: RigOptions = {}) {
    this.events.subscribe((e) => this.log.push(e));
    this.router = new ApicRouter({ clock: this.clock, events: this.events, lowestPriority: options.lowestPriority });
    this.ioapic = new Ioapic({ version: options.version ?? 0x11, bus: this.router, clock: this.clock, events: this.events });
    for (let i = 0; i < (options.vcpus ?? 1); i++) {
      this.meip.push(false);
      const lapic = new Lapic({
        index: i, bus: this.router, clock: this.clock, events: this.events,
        onInterruptChange: (has) => { this.meip[i] = has; },
        eoiBroadcast: (vector, apic) => this.ioapic.eoiBroadcast(vector, apic),
      });
      this.router.attach(lapic);
      this.lapics.push(lapic);
      if (options.enable ?? true) lapic.write(APIC_SVR, 4, 0x1ff);
    }
  }

  get lapic(): Lapic { return this.lapics[0]; }

  /** IOREGSEL then IOWIN, as a guest does. */
  ioWrite(reg: number, value: number): void {
    this.ioapic.write(IOREGSEL, 4, reg);
    this.ioapic.write(IOWIN, 4, value);
  }

  ioRead(reg: number): number {
    this.ioapic.write(IOREGSEL, 4, reg);
    return this.ioapic.read(IOWIN, 4);
  }

  /** Programs redirection entry `pin` (high half first, low half last, as Linux does). */
  program(pin: number, fields: Partial<RedirectionEntry>): void {
    const { low, high } = encodeRedirectionEntry(fields);
    this.ioWrite(IOREDTBL_BASE + 2 * pin + 1, high);
    this.ioWrite(IOREDTBL_BASE + 2 * pin, low);
  }

  low(pin: number): number { return this.ioRead(IOREDTBL_BASE + 2 * pin); }
  high(pin: number): number { return this.ioRead(IOREDTBL_BASE + 2 * pin + 1); }

  /** Events of one kind, typed. */
  of<K extends VmEvent['kind']>(kind: K): Extract<VmEvent, { kind: K }>[] {
    return this.log.filter((e): e is Extract<VmEvent, { kind: K }> => e.kind === kind);
  }

  clearLog(): void { this.log.length = 0; }
}
