// The sentences of the hops (docs/interrupt-provenance.md): the recorder stores a hop as a form and
// up to six numbers (chain-store.ts); the sentence is composed here, only when a chain is read.
// Strings the events carried (device names, BDFs, mode names, exit reasons) are interned indexes.
import type { ChainStore } from './chain-store';
import { L_VMM, S_GSI_AFTER_EOI, S_GSI_UNMASKED, S_INTX, S_IPI, S_MSI_DEVICE, S_TEXT, S_TIMER } from './chain-store';
import { pirqName } from '../vmm/pci/intx';

const hx = (v: number): string => '0x' + (v >>> 0).toString(16);
const PIN_NAMES = ['INTA', 'INTB', 'INTC', 'INTD'];
const pinName = (pin: number): string => PIN_NAMES[pin] ?? `pin ${pin}`;

// Hop forms. Each comment lists its arguments (s: an interned string).
export const F_IPI = 1;              // apic, vector, destination, s deliveryMode, s destMode, s shorthand
export const F_TIMER = 2;            // apic, periodic, masked, vector
export const F_TAKEN = 3;            // vector
export const F_EOI_BROADCAST = 4;    // vector, s source, GSI bitmask (1 << gsi), s GSI list (-1: the bitmask says it)
export const F_EXIT = 5;             // s reason, s vmmExit (-1: none), EOI write
export const F_INTX_ASSERT = 6;      // s device, s bdf, pin, pirq, gsi
export const F_INTX_GATED = 7;       // s device, s bdf, pin, s blockedBy
export const F_INTX_RELEASE = 8;     // s device, s bdf, pin
export const F_PCI_MSI_SENT = 9;     // s device, s bdf, data, address
export const F_PCI_MSI_HELD = 10;    // s device, s bdf, lost, s blockedBy
export const F_LINE_FALLS = 11;      // gsi, s device
export const F_LINE_SENT = 12;       // gsi, s device, rising
export const F_LINE_COALESCED = 13;  // gsi, s device
export const F_LINE_EDGE_LOST = 14;  // gsi, s device
export const F_LINE_MASKED = 15;     // gsi, s device
export const F_LINE_REMOTE_IRR = 16; // gsi, s device
export const F_REMOTE_IRR_SET = 17;  // gsi
export const F_DELIVER = 18;         // gsi, vector, s deliveryMode, destination, flags (1 logical, 2 level), cause (0 line, 1 entry-write, 2 eoi)
export const F_MSI = 19;             // data, address, vector, destination, flags (1 logical, 2 valid, 4 from the VMM IOAPIC)
export const F_ROUTE_NONE = 20;      // s destMode, destination
export const F_ROUTE = 21;           // s destMode, destination, lowest, target bitmask, s target list (-1: the bitmask says it)
export const F_ACCEPT_DISABLED = 22; // apic, vector
export const F_ACCEPT_REFUSED = 23;  // apic, vector, s reason
export const F_ACCEPT_SPECIAL = 24;  // apic, s deliveryMode
export const F_ACCEPT_COALESCED = 25;// apic, vector, the chain already in IRR
export const F_ACCEPT = 26;          // apic, vector, level
export const F_ACK = 27;             // apic, vector, ppr
export const F_EOI = 28;             // apic, vector, level
// The packet an interrupt is about (a NIC's receive): where the chain starts, before the device's INTx or MSI.
export const F_NIC_QUEUED = 29;      // s device, packet number, length, s reason, cycles late (-1: not from the schedule)
export const F_NIC_RX = 30;          // s device, packet number, length, descriptor, joins (1: the device's interrupt was already requested), cycles queued (joins only)

/** The event name each form is a hop of (the hop's `kind`). */
export const FORM_KIND: readonly string[] = [
  '', 'ipi', 'timer-fire', 'interrupt-taken', 'eoi-broadcast', 'exit', 'pci-intx', 'pci-intx', 'pci-intx',
  'pci-msi', 'pci-msi', 'irq-line', 'irq-line', 'irq-line', 'irq-line', 'irq-line', 'irq-line', 'ioapic-entry',
  'ioapic-deliver', 'msi', 'apic-route', 'apic-route', 'lapic-accept', 'lapic-accept', 'lapic-accept',
  'lapic-accept', 'lapic-accept', 'lapic-ack', 'lapic-eoi', 'nic', 'nic',
];

/** For the forms whose event names several steps (a `nic` hop: the packet queued, then written), the event's `action`. */
export function formAction(form: number): string | undefined {
  return form === F_NIC_QUEUED ? 'rx-queued' : form === F_NIC_RX ? 'rx' : undefined;
}

/** Indices of the set bits of `mask`, ascending, joined by ', '. */
function bits(mask: number): string {
  const out: number[] = [];
  for (let i = 0; i < 32; i++) if (mask & (1 << i)) out.push(i);
  return out.join(', ');
}

/** A bitmask of small non-negative integers in ascending order, or -1 when a list cannot be one. */
export function maskOf(xs: readonly number[]): number {
  let m = 0, prev = -1;
  for (const x of xs) {
    if (x <= prev || x > 30) return -1;
    m |= 1 << x;
    prev = x;
  }
  return m;
}

/** The sentence of hop `h`. */
export function hopText(st: ChainStore, h: number): string {
  const a = (i: number): number => st.hopArg(h, i);
  const s = (i: number): string => st.strings[a(i)];
  const vcpu = st.hopVcpu(h);
  switch (st.hopForm(h)) {
    case F_IPI:
      return `vCPU ${a(0)} wrote ICR: ${s(3)} IPI, vector ${hx(a(1))}, ${s(4)} destination ${a(2)}${s(5) !== 'none' ? ` (${s(5)})` : ''}`;
    case F_TIMER:
      return `LAPIC ${a(0)} timer expired (${a(1) ? 'periodic' : 'one-shot'})${a(2) ? ': LVT timer masked, no interrupt' : `, vector ${hx(a(3))}`}`;
    case F_TAKEN:
      return `vCPU ${vcpu} entered its handler: mcause 0x8000000b, mtval ${hx(a(0))}`;
    case F_EOI_BROADCAST: {
      const gsis = a(3) >= 0 ? s(3) : bits(a(2));
      return `IOAPIC: EOI of ${hx(a(0))} from ${s(1)}${gsis ? `: remote IRR of GSI ${gsis} cleared` : ''}`;
    }
    case F_EXIT:
      return `VM exit ${s(0)}${a(1) >= 0 ? ` → ${s(1)}` : ''}${a(2) ? ' (EOI write)' : ''}, handled in ${st.hopLayer(h) === L_VMM ? 'the VMM' : 'the kernel'}`;
    case F_INTX_ASSERT:
      return `${s(0)} ${s(1)} asserts ${pinName(a(2))} → ${pirqName(a(3))} → GSI ${a(4)}`;
    case F_INTX_GATED:
      return `${s(0)} ${s(1)} requests an interrupt but ${pinName(a(2))} stays low: ${s(3)}`;
    case F_INTX_RELEASE:
      return `${s(0)} ${s(1)} releases ${pinName(a(2))}`;
    case F_PCI_MSI_SENT:
      return `${s(0)} ${s(1)} writes its MSI: data ${hx(a(2))} to ${hx(a(3))}`;
    case F_PCI_MSI_HELD:
      return `${s(0)} ${s(1)} MSI ${a(2) ? 'not sent' : 'held pending'}: ${s(3)}`;
    case F_LINE_FALLS:
      return `GSI ${a(0)} line falls (${s(1)})`;
    case F_LINE_SENT:
      return `GSI ${a(0)} ${a(2) ? 'rises' : 'asserted'} (${s(1)}): IOAPIC pin ${a(0)} sends it`;
    case F_LINE_COALESCED:
      return `GSI ${a(0)} asserted (${s(1)}) while already high: coalesced`;
    case F_LINE_EDGE_LOST:
      return `GSI ${a(0)} rises (${s(1)}) while entry ${a(0)} is masked (bit 16): the edge is lost`;
    case F_LINE_MASKED:
      return `GSI ${a(0)} asserted (${s(1)}), held: entry ${a(0)} is masked (bit 16)`;
    case F_LINE_REMOTE_IRR:
      return `GSI ${a(0)} asserted (${s(1)}), held: remote IRR (bit 14) waits for an EOI`;
    case F_REMOTE_IRR_SET:
      return `IOAPIC entry ${a(0)}: remote IRR (bit 14) set until the EOI`;
    case F_DELIVER: {
      const cause = a(5);
      const why = cause === 1 ? ' (the entry was just unmasked)' : cause === 2 ? ' (re-delivered after the EOI: the line is still asserted)' : '';
      return `IOAPIC pin ${a(0)} → vector ${hx(a(1))}, ${s(2)}, ${a(4) & 1 ? 'logical' : 'physical'} destination ${a(3)}, ${a(4) & 2 ? 'level' : 'edge'}${why}`;
    }
    case F_MSI: {
      const f = a(4);
      return `${f & 4 ? 'the VMM IOAPIC signals KVM_SIGNAL_MSI' : 'MSI'}: data ${hx(a(0))} to ${hx(a(1))} → vector ${hx(a(2))}, ` +
        `${f & 1 ? 'logical' : 'physical'} destination ${a(3)}${f & 2 ? '' : ': not the APIC window, dropped'}`;
    }
    case F_ROUTE_NONE:
      return `APIC bus: no LAPIC matches ${s(0)} destination ${a(1)}: dropped`;
    case F_ROUTE:
      return `APIC bus: ${s(0)} destination ${a(1)}${a(2) ? ' (lowest priority)' : ''} → LAPIC ${a(4) >= 0 ? s(4) : bits(a(3))}`;
    case F_ACCEPT_DISABLED:
      return `LAPIC ${a(0)} is software-disabled (SVR bit 8 clear): vector ${hx(a(1))} dropped`;
    case F_ACCEPT_REFUSED:
      return `LAPIC ${a(0)} refused vector ${hx(a(1))} (${s(2)})`;
    case F_ACCEPT_SPECIAL:
      return `LAPIC ${a(0)} accepted a ${s(1)} message`;
    case F_ACCEPT_COALESCED:
      return `LAPIC ${a(0)}: vector ${hx(a(1))} is already in IRR (chain #${a(2)}): coalesced`;
    case F_ACCEPT:
      return `LAPIC ${a(0)} sets IRR bit ${hx(a(1))}${a(2) ? ' and TMR (level)' : ''}`;
    case F_ACK:
      return `INTA: LAPIC ${a(0)} moves ${hx(a(1))} from IRR to ISR (PPR ${hx(a(2))})${st.hopLayer(h) === L_VMM ? '; the VMM injects it with KVM_INTERRUPT' : ''}`;
    case F_EOI:
      return `EOI: LAPIC ${a(0)} clears ISR bit ${hx(a(1))}${a(2) ? '; level: broadcast to the IOAPIC' : ''}`;
    case F_NIC_QUEUED:
      return `packet #${a(1)} (${a(2)} bytes) held in the VMM's net queue, the ${s(0)} cannot receive: ${s(3)}` +
        (a(4) > 0 ? ` (scheduled for cycle ${st.hopCycleAt(h) - a(4)}: taken at the first instruction boundary after it)` : '');
    case F_NIC_RX:
      return `${s(0)} writes packet #${a(1)} (${a(2)} bytes) to RX descriptor ${a(3)} and raises ISR.RX` +
        (a(5) > 0 ? ` (after ${a(5)} cycles in the VMM's net queue)` : '') +
        (a(4) ? ': its interrupt is already requested, the same one serves it' : '');
    default:
      return '';
  }
}

/** The sentence of chain slot `s`'s source. */
export function sourceText(st: ChainStore, slot: number): string {
  const a = (i: number): number => st.sourceArg(slot, i);
  switch (st.sourceForm(slot)) {
    case S_TEXT: return st.strings[a(0)];
    case S_IPI: return `IPI from vCPU ${a(0)}`;
    case S_TIMER: return `LAPIC timer ${a(0)}`;
    case S_INTX: return `${st.strings[a(1)]} (${st.strings[a(2)]} ${pinName(a(0))})`;
    case S_MSI_DEVICE: return `${st.strings[a(1)]} (${st.strings[a(2)]} MSI)`;
    case S_GSI_AFTER_EOI: return `GSI ${a(0)} still asserted after the EOI`;
    case S_GSI_UNMASKED: return `GSI ${a(0)} asserted when unmasked`;
    default: return '';
  }
}
