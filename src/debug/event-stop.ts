// A stop on an event breakpoint (docs/debugging.md, "Event breakpoints"): what the DAP `stopped`
// event says and the **Event** scope that carries the event's fields.
//
// The filters are exception-breakpoint filters (that is how DAP lets a client tick them), but most
// events are not exceptions: VS Code shows a stop whose reason is 'exception' as a red "Exception
// has occurred: <exceptionId>" widget over the editor. So only the events that are failures of the
// guest (a guest exception, a triple fault) stop with reason 'exception'; every other event stops
// as a 'breakpoint' whose description is the sentence ("Paused on IRQ line asserted: GSI 19
// asserted by NIC (sent to the APIC bus)"), which VS Code shows in the Call Stack as is.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { EventFilterId } from '../protocol';
import type { Ioapic } from '../vm';
import type { Value } from './expr';
import { EVENT_FILTERS } from './event-filters';
import { hex } from './format';

/** The event a stop is on: its filter and the fields its condition could name. */
export interface StopEvent {
  readonly filter: EventFilterId;
  readonly fields: Readonly<Record<string, Value>>;
}

/** Filters whose events are the guest failing: shown as exceptions. */
const FAILURES: ReadonlySet<EventFilterId> = new Set(['guest-trap', 'triple-fault']);

export function eventStopReason(filter: EventFilterId): 'exception' | 'breakpoint' {
  return FAILURES.has(filter) ? 'exception' : 'breakpoint';
}

/** The stop's description: "Paused on <sentence>" for an event, the sentence itself for a failure. */
export function eventStopDescription(filter: EventFilterId, sentence: string): string {
  return FAILURES.has(filter) ? sentence : `Paused on ${sentence}`;
}

function filterLabel(filter: EventFilterId): string {
  return EVENT_FILTERS.find((f) => f.id === filter)?.label ?? filter;
}

/**
 * What an asserted GSI's redirection entry does with it (82093AA §3.2.4): the vector and
 * destination it is sent to, so that the irq-assert stop and its conditions name them.
 */
export function irqEntryFields(ioapic: Ioapic, gsi: number): Record<string, Value> {
  if (gsi < 0 || gsi >= 24) return {};
  const e = ioapic.entry(gsi);
  return {
    vector: e.vector, destination: e.destination, destMode: e.destMode ? 'logical' : 'physical',
    trigMode: e.trigMode ? 'level' : 'edge', masked: e.mask === 1, remoteIrr: e.remoteIrr === 1,
  };
}

/** Fields shown in hex (addresses, vectors, data); the rest in decimal or as text. */
const HEX_FIELDS = new Set(['vector', 'gpa', 'gva', 'value', 'address', 'data', 'pc', 'tval', 'epc', 'handler']);

/** The Event scope: which event, then each field as its condition would name it. */
export function eventScopeVariables(event: StopEvent): DebugProtocol.Variable[] {
  const out: DebugProtocol.Variable[] = [
    { name: 'event', value: `${filterLabel(event.filter)} (${event.filter})`, variablesReference: 0, presentationHint: { attributes: ['readOnly'] } },
  ];
  for (const [name, value] of Object.entries(event.fields)) {
    if (value === '' || (value === -1 && (name === 'gsi' || name === 'apic' || name === 'latency'))) continue;
    const shown = typeof value === 'number' ? (HEX_FIELDS.has(name) ? hex(value >>> 0) : String(value))
      : typeof value === 'string' ? JSON.stringify(value) : String(value);
    out.push({ name, value: shown, type: typeof value, variablesReference: 0, presentationHint: { attributes: ['readOnly'] } });
  }
  return out;
}
