// `--trace exits,irq,mmio`: one line per event on stderr, in the spirit of KVM's tracepoints
// (kvm_exit, kvm_mmio, kvm_set_irq): cycle, vCPU, what happened, addresses, value, where handled.
import { EventStream, VmEvent } from '../vm/events';
import { ChainRecorder, Machine } from '../vm';
import { formatChain, toProtocol } from '../debug/provenance';

export const TRACE_KINDS = ['exits', 'mmio', 'irq'] as const;
export type TraceKind = typeof TRACE_KINDS[number];

/** Parses the --trace list; returns an error message naming the bad kind. */
export function parseTraceKinds(spec: string): Set<TraceKind> | { error: string } {
  const kinds = new Set<TraceKind>();
  for (const k of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!(TRACE_KINDS as readonly string[]).includes(k)) return { error: `--trace: unknown kind '${k}' (expected ${TRACE_KINDS.join(', ')})` };
    kinds.add(k as TraceKind);
  }
  if (kinds.size === 0) return { error: `--trace: expected a list of ${TRACE_KINDS.join(', ')}` };
  return kinds;
}

const hex = (v: number | undefined): string => (v === undefined ? '-' : '0x' + (v >>> 0).toString(16));

/** The trace line for an event, or undefined when its kind is not traced. */
export function formatTraceLine(e: VmEvent, kinds: ReadonlySet<TraceKind>): string | undefined {
  const head = `${String(e.cycle).padStart(10)} vcpu${e.vcpu < 0 ? '-' : e.vcpu}`;
  switch (e.kind) {
    case 'exit':
      if (!kinds.has('exits')) return undefined;
      return `${head} exit ${e.reason} gpa=${hex(e.gpa)} gva=${hex(e.gva)}${e.access ? ' ' + e.access : ''} pc=${hex(e.pc)} ` +
        `handled=${e.handledIn}${e.vmmExit ? ' ' + e.vmmExit : ''}`;
    case 'mmio':
      if (!kinds.has('mmio')) return undefined;
      return `${head} mmio ${e.write ? 'write' : 'read'} ${e.device}${e.register ? '.' + e.register : ''} gpa=${hex(e.gpa)} ` +
        `len=${e.size} val=${hex(e.value)} pc=${hex(e.pc)} handled=${e.handledIn}`;
    default:
      if (!kinds.has('irq') || !IRQ_PATH_KINDS.has(e.kind)) return undefined;
      if (e.kind === 'guest-trap' && !e.interrupt) return undefined;
      return `${head} ${describeIrqEvent(e)}`;
  }
}

/** The hops of an interrupt's path (docs/interrupt-provenance.md), in the order they happen. */
const IRQ_PATH_KINDS: ReadonlySet<string> = new Set([
  'nic', 'pci-intx', 'pci-msi', 'irq-line', 'ioapic-deliver', 'ioapic-entry', 'msi', 'apic-route', 'lapic-accept',
  'lapic-ack', 'interrupt-taken', 'guest-trap', 'lapic-eoi', 'eoi-broadcast', 'ipi', 'timer-fire',
]);

/** Fields printed in hex; everything else in decimal. */
const HEX_FIELDS = new Set(['vector', 'address', 'data', 'value', 'low', 'high', 'oldLow', 'oldHigh', 'offset', 'destination',
  'tval', 'epc', 'handler', 'cause', 'gpa', 'gva', 'pc', 'oldValue', 'ppr']);

/** Interrupt events carry their own fields; print them as key=value in a stable order. */
function describeIrqEvent(e: VmEvent): string {
  const fields = Object.entries(e).filter(([k, v]) => !['kind', 'cycle', 'vcpu'].includes(k) && v !== undefined);
  const show = (k: string, v: unknown): string => {
    if (typeof v === 'number') return HEX_FIELDS.has(k) ? hex(v) : String(v);
    if (Array.isArray(v)) return v.join(',');
    if (v !== null && typeof v === 'object') return JSON.stringify(v);
    return String(v);
  };
  return `${e.kind} ` + fields.map(([k, v]) => `${k}=${show(k, v)}`).join(' ');
}

export function attachTrace(events: EventStream, kinds: ReadonlySet<TraceKind>, write: (line: string) => void): () => void {
  return events.subscribe((e) => {
    const line = formatTraceLine(e, kinds);
    if (line !== undefined) write(line + '\n');
  });
}

/** Chains a CLI trace keeps (far more than a debug session's ring: nothing is snapshotted). */
const TRACE_CHAINS = 100_000;

/**
 * `--trace irq`: the interrupt hops grouped by chain (docs/interrupt-provenance.md). The chain
 * recorder follows the run; `finish` prints every chain, hop by hop, oldest first. A NIC
 * interrupt's chain starts with its packet (held in the VMM's net queue, src/vm/vmm/machine.ts as
 * QEMU's NetQueue, while the driver cannot receive; then written to an RX descriptor): the
 * recorder's hops. A packet that caused no interrupt (dropped, or RX masked in IMR) has no chain:
 * it gets a line of its own, in cycle order with the chains.
 */
export function attachChainTrace(machine: Machine): { finish(write: (text: string) => void): void } {
  const rec = ChainRecorder.attach(machine, { capacity: TRACE_CHAINS });
  const packets: { cycle: number; layer: string; line: string }[] = [];
  machine.events.subscribe((e) => {
    const line = e.kind === 'nic' ? packetLine(e) : undefined;
    if (e.kind === 'nic' && line && packets.length < TRACE_CHAINS) packets.push({ cycle: e.cycle, layer: e.action === 'rx-queued' ? 'vmm' : 'device', line });
  }, ['nic']);
  return {
    finish(write) {
      const chains = rec.chains().map((c) => toProtocol(machine, c));
      const older = rec.total - chains.length;
      if (older > 0) write(`(${older} older interrupt chains not kept)\n`);
      // The packets the chains start with (their 'nic' hops), by cycle and layer.
      const inChains = new Set(chains.flatMap((c) => c.hops.filter((h) => h.kind === 'nic').map((h) => `${h.cycle}/${h.layer}`)));
      const alone = packets.filter((p) => !inChains.has(`${p.cycle}/${p.layer}`));
      let p = 0;
      for (const c of chains) {
        const start = c.hops.length ? c.hops[0].cycle : Infinity;
        while (p < alone.length && alone[p].cycle <= start) write(alone[p++].line + '\n');
        write(formatChain(c) + '\n');
      }
      while (p < alone.length) write(alone[p++].line + '\n');
    },
  };
}

/** A packet's arrival, hold or drop, as `--trace irq` prints it before the chain it causes. */
function packetLine(e: Extract<VmEvent, { kind: 'nic' }>): string | undefined {
  const what = `packet (${e.length} bytes) at cycle ${e.cycle}:`;
  switch (e.action) {
    case 'rx-queued': {
      const late = e.scheduledAt !== undefined && e.scheduledAt !== e.cycle
        ? `\n  (scheduled for cycle ${e.scheduledAt}: an event is taken at the first instruction boundary at or after its cycle)`
        : '';
      return `${what} held in the VMM's net queue, the NIC cannot receive: ${e.reason}${late}`;
    }
    case 'rx': return `${what} the NIC writes it to RX descriptor ${e.descriptor ?? '?'} and raises ISR.RX`;
    case 'rx-drop': return `${what} dropped by the NIC: ${e.reason}`;
    default: return undefined;
  }
}
