// What travels on the APIC bus between interrupt sources (IOAPIC, MSI writes, ICR IPIs, LVTs) and
// the Local APICs, and the small interfaces the models are injected with (docs/style.md habit 2).
// The message carries the fields of KVM's `struct kvm_lapic_irq` (arch/x86/kvm/lapic.h) with the
// SDM's names (vol. 3 §11.6.1 ICR, §11.11 MSI format).
import type { IrqDeliveryModeName, IrqTrigModeName } from '../events';

/** Delivery mode field (ICR bits 10:8, redirection entry bits 10:8, MSI data bits 10:8). */
export const DeliveryMode = {
  Fixed: 0,
  LowestPriority: 1,
  Smi: 2,
  Nmi: 4,
  Init: 5,
  StartUp: 6,
  ExtInt: 7,
} as const;

/** Destination mode: 0 = physical (APIC ID), 1 = logical (LDR/DFR, SDM §11.6.2.2). */
export const DestMode = { Physical: 0, Logical: 1 } as const;

/** ICR destination shorthand, bits 19:18 (SDM §11.6.1). */
export const Shorthand = { None: 0, Self: 1, AllIncludingSelf: 2, AllExcludingSelf: 3 } as const;

/** The physical (and logical) broadcast destination in xAPIC mode. */
export const APIC_BROADCAST = 0xff;

export interface ApicMessage {
  vector: number;
  /** DeliveryMode value, 0–7. */
  deliveryMode: number;
  /** DestMode value. */
  destMode: number;
  /** 8-bit destination: APIC ID (physical) or logical destination mask. */
  destination: number;
  /** Trigger mode: 0 = edge, 1 = level. */
  trigMode: number;
  /** Level (ICR bit 14): false only for an INIT level de-assert; IOAPIC and MSI messages assert. */
  level: boolean;
  /** Shorthand value; IOAPIC and MSI messages use None. */
  shorthand: number;
  /** MSI address bit 3: KVM treats it as lowest-priority arbitration (kvm_lowest_prio_delivery). */
  redirectionHint?: boolean;
  /** vCPU index of the sending LAPIC for IPIs, -1 for the IOAPIC and MSIs. Shorthands need it. */
  sourceApic: number;
  /** Human-readable origin for events and breakpoints: 'ioapic pin 4', 'msi nic', 'ipi apic 0'. */
  source: string;
  /** The IOAPIC pin behind the message, for interrupt provenance. */
  gsi?: number;
}

/**
 * The APIC bus as seen by a sender. `deliver` returns how many Local APICs accepted the message
 * (KVM's kvm_irq_delivery_to_apic result, never negative here): the IOAPIC sets remote IRR on a
 * level-triggered entry only when it is > 0 (version 0x11, as KVM's ioapic_service).
 */
export interface ApicBus {
  deliver(msg: ApicMessage): number;
}

/** The virtual clock: guest cycles (docs/machine.md "Time is virtual and deterministic"). */
export interface Clock {
  now(): number;
}

const MODE_NAMES: readonly IrqDeliveryModeName[] = ['fixed', 'lowest', 'smi', 'reserved', 'nmi', 'init', 'startup', 'extint'];
const SHORTHAND_NAMES = ['none', 'self', 'all-including-self', 'all-excluding-self'] as const;

export function deliveryModeName(mode: number): IrqDeliveryModeName {
  return MODE_NAMES[mode & 7];
}

export function trigModeName(trigMode: number): IrqTrigModeName {
  return trigMode ? 'level' : 'edge';
}

export function destModeName(destMode: number): 'physical' | 'logical' {
  return destMode ? 'logical' : 'physical';
}

export function shorthandName(shorthand: number): (typeof SHORTHAND_NAMES)[number] {
  return SHORTHAND_NAMES[shorthand & 3];
}

/** True when a message asks for lowest-priority arbitration (mode 1, or KVM's redirection hint). */
export function isLowestPriority(msg: ApicMessage): boolean {
  return msg.deliveryMode === DeliveryMode.LowestPriority || msg.redirectionHint === true;
}
