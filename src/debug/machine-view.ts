// The parts of the Machine the interrupt-controller and PCI integration adds (irqchip modes, IOAPIC,
// LAPICs, APIC bus, PCI bus, NIC, line/packet/console injection, scheduled events). Read through
// this optional view so the session works on machines with and without them.
import type { Ioapic, Lapic, ApicRouter } from '../vm/irq';
import type { PciBus } from '../vm/vmm/pci/bus';
import type { Nic } from '../vm/vmm/nic';
import type { Machine } from '../vm/vmm/machine';

export type ScheduledMachineEvent =
  | { atCycle: number; kind: 'nic-rx'; data: Uint8Array }
  | { atCycle: number; kind: 'irq'; gsi: number; level: boolean }
  | { atCycle: number; kind: 'uart-rx'; data: Uint8Array };

export interface MachineIrqView {
  readonly irqchip?: 'kernel' | 'split' | 'userspace';
  readonly ioapic?: Ioapic;
  readonly lapics?: readonly Lapic[];
  readonly router?: ApicRouter;
  readonly pci?: PciBus;
  readonly nic?: Nic;
  setGsi?(gsi: number, level: boolean, device: string): number;
  nicReceive?(packet: Uint8Array): string;
  uartInput?(bytes: Uint8Array): number;
  scheduleEvent?(e: ScheduledMachineEvent): void;
  interruptStatistics?(): { asserted: number; delivered: number; taken: number; latencyCycles: { mean: number; max: number } };
}

/** The integration's members of `m`, each undefined when this machine does not have it. */
export function irqView(m: Machine): MachineIrqView {
  const v = m as unknown as MachineIrqView;
  const get = <K extends keyof MachineIrqView>(k: K): MachineIrqView[K] | undefined => {
    try {
      return v[k];
    } catch {
      return undefined; // a getter of a machine without that part
    }
  };
  return {
    irqchip: get('irqchip'),
    ioapic: get('ioapic'),
    lapics: get('lapics'),
    router: get('router'),
    pci: get('pci'),
    nic: get('nic'),
    setGsi: typeof v.setGsi === 'function' ? v.setGsi.bind(m) : undefined,
    nicReceive: typeof v.nicReceive === 'function' ? v.nicReceive.bind(m) : undefined,
    uartInput: typeof v.uartInput === 'function' ? v.uartInput.bind(m) : undefined,
    scheduleEvent: typeof v.scheduleEvent === 'function' ? v.scheduleEvent.bind(m) : undefined,
    interruptStatistics: typeof v.interruptStatistics === 'function' ? v.interruptStatistics.bind(m) : undefined,
  };
}
