// Event breakpoints (docs/contracts.md): which exception-breakpoint filter each machine event belongs to, the
// fields a filter's condition can name, and the sentence a stop shows. The machine's one event
// stream (src/vm/events.ts) is the only input: the same events feed the trace, statistics and views.
import type { EventFilterId } from '../protocol';
import { CAUSE_NAMES } from '../vm';
import type { VmEvent } from '../vm';
import type { Value } from './expr';
import { hex } from './format';

interface FilterDescription {
  id: EventFilterId;
  label: string;
  description: string;
  /** The fields a condition can use, for the condition placeholder. */
  fields: string[];
}

export const EVENT_FILTERS: readonly FilterDescription[] = [
  { id: 'vmexit', label: 'VM exit', description: 'Any VM exit.', fields: ['reason', 'gpa', 'gva', 'write', 'access', 'handledIn', 'vmmExit', 'pc', 'vcpu'] },
  { id: 'mmio', label: 'MMIO access', description: 'An MMIO access that reaches a device, in the kernel or the VMM.', fields: ['gpa', 'write', 'value', 'size', 'device', 'register', 'handledIn', 'pc', 'vcpu'] },
  { id: 'mmio-vmm', label: 'MMIO exit to the VMM', description: 'An MMIO access that leaves KVM_RUN for the VMM (KVM_EXIT_MMIO).', fields: ['gpa', 'write', 'value', 'size', 'device', 'register', 'pc', 'vcpu'] },
  { id: 'ept-violation', label: 'EPT violation', description: 'An EPT violation exit (RAM mapped in kernel, or the first MMIO access to a page); under NPT, every VMEXIT_NPF.', fields: ['gpa', 'gva', 'write', 'access', 'handledIn', 'pc', 'vcpu'] },
  { id: 'irq-assert', label: 'IRQ line asserted', description: 'A GSI line becomes asserted.', fields: ['gsi', 'device', 'level', 'result', 'vector', 'destination', 'destMode', 'trigMode', 'masked', 'remoteIrr'] },
  { id: 'msi', label: 'MSI', description: 'A message-signalled interrupt (a device MSI, KVM_SIGNAL_MSI, or the split IOAPIC).', fields: ['address', 'data', 'vector', 'destination', 'source', 'valid'] },
  { id: 'lapic-deliver', label: 'LAPIC delivery', description: "A vector set in a Local APIC's IRR.", fields: ['vector', 'apic', 'source', 'gsi', 'trigMode', 'deliveryMode'] },
  { id: 'interrupt-taken', label: 'Interrupt taken', description: 'The guest enters an interrupt handler (INTA: IRR → ISR).', fields: ['vector', 'vcpu', 'latency'] },
  { id: 'eoi', label: 'EOI', description: 'End of interrupt: a LAPIC EOI write, or the IOAPIC EOI register.', fields: ['vector', 'apic', 'level', 'source'] },
  { id: 'guest-trap', label: 'Guest exception', description: 'The guest takes an exception (a synchronous trap).', fields: ['cause', 'name', 'tval', 'epc', 'handler', 'vcpu'] },
  { id: 'triple-fault', label: 'Triple fault', description: 'The guest cannot go on: traps keep faulting (KVM_EXIT_SHUTDOWN).', fields: ['vcpu', 'pc'] },
];

export interface FilterHit {
  filter: EventFilterId;
  /** vCPU the hit is about (the one the stop reports), or -1 for device-side events. */
  vcpu: number;
  fields: Record<string, Value>;
  /** The sentence for the stop, built only when needed. */
  describe(): string;
  /** For an interrupt taken: the handler is entered by the trap that follows. */
  awaitsHandler?: boolean;
}

/** Names as the stop sentence prints them (docs/contracts.md: "IOAPIC IOWIN"). */
const DEVICE_NAMES: Record<string, string> = { ioapic: 'IOAPIC', lapic: 'LAPIC', uart: 'UART', nic: 'NIC', 'pci-ecam': 'PCI ECAM', 'pci-window': 'PCI window' };
const deviceName = (d: string): string => DEVICE_NAMES[d] ?? d;

/** The device side of an exit, completed after the access (the vCPU's last exit record). */
type ExitDetails = (vcpu: number, cycle: number, reason: string) => { device?: string; register?: string; value?: number } | undefined;

/** Labels for interrupt vectors ("NIC, GSI 19"), supplied by the runtime from the routing it knows. */
type VectorLabel = (vector: number) => string | undefined;

/** The filters `e` belongs to, with their fields. */
export function filterHits(e: VmEvent, label: VectorLabel, exitDetails?: ExitDetails): FilterHit[] {
  const out: FilterHit[] = [];
  switch (e.kind) {
    case 'exit': {
      const fields: Record<string, Value> = {
        reason: e.reason, gpa: e.gpa ?? 0, gva: e.gva ?? 0, write: e.access === 'write', access: e.access ?? '', handledIn: e.handledIn,
        vmmExit: e.vmmExit ?? '', pc: e.pc >>> 0, vcpu: e.vcpu,
      };
      // The device side (register, value) is known once the access completed: ask at stop time.
      const text = (): string => describeExit({ ...e, ...exitDetails?.(e.vcpu, e.cycle, e.reason) });
      out.push({ filter: 'vmexit', vcpu: e.vcpu, fields, describe: text });
      // AMD's nested page fault is the NPT twin of the EPT violation (docs/npt.md).
      if (e.reason === 'EPT_VIOLATION' || e.reason === 'VMEXIT_NPF') out.push({ filter: 'ept-violation', vcpu: e.vcpu, fields, describe: text });
      if (e.reason === 'TRIPLE_FAULT' || e.reason === 'VMEXIT_SHUTDOWN') out.push({ filter: 'triple-fault', vcpu: e.vcpu, fields, describe: () => `Triple fault on vCPU ${e.vcpu} at pc ${hex(e.pc >>> 0)}: traps keep faulting (KVM_EXIT_SHUTDOWN)` });
      break;
    }
    case 'mmio': {
      const fields: Record<string, Value> = {
        gpa: e.gpa >>> 0, write: e.write, value: e.value >>> 0, size: e.size, device: e.device, register: e.register ?? '', handledIn: e.handledIn,
        pc: e.pc >>> 0, vcpu: e.vcpu,
      };
      const text = (): string => `MMIO ${e.write ? `write ${hex(e.value >>> 0)} to` : `read ${hex(e.value >>> 0)} from`} ` +
        `${deviceName(e.device)}${e.register ? ' ' + e.register : ''} (GPA ${hex(e.gpa >>> 0)}, ${e.size} byte${e.size > 1 ? 's' : ''}), ` +
        `handled in ${e.handledIn === 'kernel' ? 'the kernel' : 'the VMM'}`;
      out.push({ filter: 'mmio', vcpu: e.vcpu, fields, describe: text });
      if (e.handledIn === 'vmm') out.push({ filter: 'mmio-vmm', vcpu: e.vcpu, fields, describe: () => `KVM_EXIT_MMIO: ${text()}` });
      break;
    }
    case 'irq-line':
      if (e.edge === 'rising') {
        const result = e.result === 'sent' ? 'sent to the APIC bus' : e.result === 'masked' ? 'held: the redirection entry is masked'
          : e.result === 'remote-irr' ? 'held: remote IRR is set' : e.result === 'coalesced' ? 'coalesced' : e.result;
        out.push({
          filter: 'irq-assert', vcpu: -1, fields: { gsi: e.gsi, device: e.device, level: e.level, result: e.result },
          describe: () => `IRQ line asserted: GSI ${e.gsi} asserted by ${deviceName(e.device)} (${result})`,
        });
      }
      break;
    case 'msi':
      out.push({
        filter: 'msi', vcpu: -1,
        fields: { address: e.address >>> 0, data: e.data >>> 0, vector: e.vector, destination: e.destination, source: e.source, valid: e.valid },
        describe: () => e.valid
          ? `MSI from ${deviceName(e.source)}: vector ${hex(e.vector)} to APIC ${e.destination} (${e.destMode}, ${e.deliveryMode}; address ${hex(e.address >>> 0)}, data ${hex(e.data >>> 0)})`
          : `MSI from ${deviceName(e.source)} dropped: address ${hex(e.address >>> 0)} is outside 0xfee00000–0xfeefffff`,
      });
      break;
    case 'lapic-accept':
      if (e.accepted) {
        out.push({
          filter: 'lapic-deliver', vcpu: e.apic,
          fields: { vector: e.vector, apic: e.apic, source: e.source, gsi: e.gsi ?? -1, trigMode: e.trigMode, deliveryMode: e.deliveryMode },
          describe: () => `LAPIC delivery: LAPIC ${e.apic} accepted vector ${hex(e.vector)} into IRR (from ${e.source}${e.gsi !== undefined ? `, GSI ${e.gsi}` : ''}, ${e.trigMode}-triggered ${e.deliveryMode})`,
        });
      }
      break;
    case 'lapic-eoi':
      out.push({
        filter: 'eoi', vcpu: e.apic, fields: { vector: e.vector, apic: e.apic, level: e.level, source: `lapic ${e.apic}` },
        describe: () => e.vector < 0 ? `EOI on LAPIC ${e.apic} with nothing in service`
          : `EOI of vector ${hex(e.vector)} on LAPIC ${e.apic}${e.level ? ' (level-triggered: broadcast to the IOAPIC)' : ''}`,
      });
      break;
    case 'eoi-broadcast':
      if (e.source === 'ioapic-eoi-register') {
        out.push({
          filter: 'eoi', vcpu: e.vcpu, fields: { vector: e.vector, apic: -1, level: true, source: e.source },
          describe: () => `EOI of vector ${hex(e.vector)} through the IOAPIC EOI register${e.gsis.length ? ` (remote IRR cleared on GSI ${e.gsis.join(', ')})` : ''}`,
        });
      }
      break;
    case 'interrupt-taken':
      out.push({
        filter: 'interrupt-taken', vcpu: e.vcpu, fields: { vector: e.vector, vcpu: e.vcpu, latency: e.latency }, awaitsHandler: true,
        describe: () => `Interrupt taken: vCPU ${e.vcpu} took interrupt ${hex(e.vector)}${vectorSuffix(label, e.vector)}${e.latency >= 0 ? `, ${e.latency} cycles after it was raised` : ''}`,
      });
      break;
    case 'guest-trap':
      if (!e.interrupt) {
        const name = CAUSE_NAMES[e.cause] ?? `cause ${e.cause}`;
        out.push({
          filter: 'guest-trap', vcpu: e.vcpu,
          fields: { cause: e.cause, name, tval: e.tval >>> 0, epc: e.epc >>> 0, handler: e.handler >>> 0, vcpu: e.vcpu },
          describe: () => `Guest exception on vCPU ${e.vcpu}: ${name} (cause ${e.cause}) at ${hex(e.epc >>> 0)}, tval ${hex(e.tval >>> 0)}; entering the handler at ${hex(e.handler >>> 0)}`,
        });
      }
      break;
  }
  return out;
}

function vectorSuffix(label: VectorLabel, vector: number): string {
  const l = label(vector);
  return l ? ` (${l})` : '';
}

/** "VM exit EPT_MISCONFIG: write 0x1 to GPA 0xfec00010 (IOAPIC IOWIN, in kernel)". */
function describeExit(e: { reason: string; gpa?: number; gva?: number; access?: string; handledIn: string; vmmExit?: string; device?: string; register?: string; value?: number; pc: number }): string {
  const where = e.handledIn === 'kernel' ? 'in kernel' : `to the VMM${e.vmmExit ? `, ${e.vmmExit}` : ''}`;
  if (e.gpa === undefined) return `VM exit ${e.reason} at pc ${hex(e.pc >>> 0)} (${where})`;
  const gpa = hex(e.gpa >>> 0);
  if (e.device !== undefined) {
    const what = e.access === 'write' ? `write ${hex((e.value ?? 0) >>> 0)} to` : `read ${hex((e.value ?? 0) >>> 0)} from`;
    return `VM exit ${e.reason}: ${what} GPA ${gpa} (${deviceName(e.device)}${e.register ? ' ' + e.register : ''}, ${where})`;
  }
  return `VM exit ${e.reason}: ${e.access ?? 'access'} at GPA ${gpa}${e.gva !== undefined ? ` (GVA ${hex(e.gva >>> 0)})` : ''} (${where})`;
}
