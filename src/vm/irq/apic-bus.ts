// The APIC bus: routes messages from the IOAPIC, MSI writes and ICR IPIs to the Local APICs
// (KVM's kvm_irq_delivery_to_apic in arch/x86/kvm/lapic.c; SDM vol. 3 §11.6.2 destinations,
// §11.6.2.4 lowest-priority delivery). It owns no interrupt state, only the list of LAPICs.
//
// Fixed (and NMI/INIT/STARTUP/SMI) messages go to every LAPIC whose destination matches.
// Lowest-priority messages (mode 1, or an MSI with the redirection hint) go to exactly one of the
// matching, software-enabled LAPICs, chosen by the router's deterministic policy:
//   'arbitration'    (default) — the lowest arbitration priority (SDM §11.6.2.4: APR from TPR,
//                    the highest ISR and IRR classes); ties go to the lowest vCPU index.
//   'vector-hashing' — KVM's default (module parameter vector_hashing=1): the (vector mod n)-th
//                    candidate in vCPU order. Stateless, spreads vectors, ignores priorities.
import type { ApicRouteEvent, EventStream } from '../events';
import type { Lapic } from './lapic';
import {
  ApicBus, ApicMessage, APIC_BROADCAST, Clock, DestMode, deliveryModeName, destModeName, isLowestPriority, Shorthand, shorthandName,
  trigModeName,
} from './message';
import { msiToMessage } from './msi';

export type LowestPriorityPolicy = 'arbitration' | 'vector-hashing';

interface ApicRouterOptions {
  clock: Clock;
  events?: EventStream;
  lowestPriority?: LowestPriorityPolicy;
}

export class ApicRouter implements ApicBus {
  /** The LAPICs, by vCPU index. */
  readonly lapics: Lapic[] = [];
  lowestPriority: LowestPriorityPolicy;
  private readonly clock: Clock;
  private readonly events: EventStream | undefined;

  constructor(options: ApicRouterOptions) {
    this.clock = options.clock;
    this.events = options.events;
    this.lowestPriority = options.lowestPriority ?? 'arbitration';
  }

  /** Puts a LAPIC on the bus (at its vCPU index). */
  attach(lapic: Lapic): void {
    this.lapics[lapic.index] = lapic;
  }

  /** Delivers `msg`; returns how many LAPICs accepted it. */
  deliver(msg: ApicMessage): number {
    const targets = this.targets(msg);
    const events = this.events;
    const sink = events?.direct['apic-route'];
    if (sink) {
      sink.apicRoute(this.clock.now(), msg.sourceApic, msg.source, msg.gsi, msg.vector & 0xff, destModeName(msg.destMode), msg.destination & 0xff, isLowestPriority(msg), targets);
    } else if (events?.active) {
      const e: ApicRouteEvent = {
        kind: 'apic-route', cycle: this.clock.now(), vcpu: msg.sourceApic, source: msg.source, vector: msg.vector & 0xff,
        deliveryMode: deliveryModeName(msg.deliveryMode), destMode: destModeName(msg.destMode), destination: msg.destination & 0xff,
        shorthand: shorthandName(msg.shorthand), lowestPriority: isLowestPriority(msg), targets: targets.map((l) => l.index),
      };
      if (msg.gsi !== undefined) e.gsi = msg.gsi;
      events.emit(e);
    }
    let accepted = 0;
    for (const lapic of targets) if (lapic.receive(msg)) accepted++;
    return accepted;
  }

  /**
   * The LAPICs a message would be handed to now: every matching one, or for lowest-priority the
   * chosen one (none when no matching LAPIC is software-enabled). For routing views.
   */
  targets(msg: ApicMessage): Lapic[] {
    const matching = this.lapics.filter((l) => l !== undefined && l.matchDestination(msg.destMode, msg.destination, msg.shorthand, msg.sourceApic));
    // KVM turns a physical broadcast with lowest priority into a fixed broadcast
    // (__kvm_irq_delivery_to_apic, "phys broadcast and lowest prio").
    const physicalBroadcast = msg.shorthand === Shorthand.None && msg.destMode === DestMode.Physical && (msg.destination & 0xff) === APIC_BROADCAST;
    if (!isLowestPriority(msg) || physicalBroadcast) return matching;
    const candidates = matching.filter((l) => l.softwareEnabled);
    if (candidates.length === 0) return [];
    return [this.choose(candidates, msg.vector)];
  }

  /**
   * A message-signalled interrupt: a 32-bit write of `data` to `address` (a device's MSI,
   * KVM_SIGNAL_MSI, or the split irqchip's IOAPIC). An address outside the window is dropped.
   */
  deliverMsi(address: number, data: number, source = 'msi'): number {
    const msg = this.noteMsi(address, data, source);
    return msg ? this.deliver(msg) : 0;
  }

  /** Decodes an MSI write and puts it on the event stream; undefined if the address is not the APIC window. */
  noteMsi(address: number, data: number, source = 'msi'): ApicMessage | undefined {
    const msg = msiToMessage(address >>> 0, data >>> 0, source);
    if (this.events?.active) {
      this.events.emit({
        kind: 'msi', cycle: this.clock.now(), vcpu: -1, address: address >>> 0, data: data >>> 0, valid: msg !== undefined,
        vector: data & 0xff, destination: (address >>> 12) & 0xff, destMode: destModeName((address >>> 2) & 1),
        deliveryMode: deliveryModeName((data >>> 8) & 7), trigMode: trigModeName((data >>> 15) & 1), source,
      });
    }
    return msg;
  }

  private choose(candidates: Lapic[], vector: number): Lapic {
    if (this.lowestPriority === 'vector-hashing') return candidates[vector % candidates.length];
    let best = candidates[0];
    let bestPriority = best.arbitrationPriority();
    for (let i = 1; i < candidates.length; i++) {
      const p = candidates[i].arbitrationPriority();
      if (p < bestPriority) { best = candidates[i]; bestPriority = p; }
    }
    return best;
  }
}
