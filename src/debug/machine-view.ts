// The machine's interrupt controllers, PCI bus and injection paths, as the debugger reads them:
// one place that names them (docs/machine.md), whatever irqchip mode placed them in the hypervisor or
// the VMM.
import type { Ioapic, Lapic, ApicRouter, PciBus, Nic, Machine, ScheduledEvent } from '../vm';

export interface MachineIrqView {
  readonly irqchip: 'kernel' | 'split' | 'userspace';
  readonly ioapic: Ioapic;
  readonly lapics: readonly Lapic[];
  readonly router: ApicRouter;
  readonly pci: PciBus;
  readonly nic: Nic | undefined;
  setGsi(gsi: number, level: boolean, device: string): number;
  nicReceive(packet: Uint8Array): string;
  uartInput(bytes: Uint8Array): number;
  scheduleEvent(e: ScheduledEvent): void;
  interruptStatistics(): { asserted: number; delivered: number; taken: number; latencyCycles: { mean: number; max: number } };
}

export function irqView(m: Machine): MachineIrqView {
  return {
    irqchip: m.irqchip,
    ioapic: m.ioapic,
    lapics: m.lapics,
    router: m.router,
    pci: m.pci,
    nic: m.nic,
    setGsi: (gsi, level, device) => m.setGsi(gsi, level, device),
    nicReceive: (packet) => m.nicReceive(packet),
    uartInput: (bytes) => m.uartInput(bytes),
    scheduleEvent: (e) => m.scheduleEvent(e),
    interruptStatistics: () => m.interruptStatistics(),
  };
}
