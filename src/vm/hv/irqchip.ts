// The hypervisor's interrupt controllers and the ioctls that reach them (docs/architecture.md "Interrupts: one model, three placements"):
//  - kernel (KVM_CREATE_IRQCHIP): LAPICs and an IOAPIC (version 0x11, no EOI register) in the
//    kernel; the VMM raises lines with KVM_IRQ_LINE; their MMIO never leaves the kernel.
//  - split (KVM_CAP_SPLIT_IRQCHIP): LAPICs in the kernel, the IOAPIC in the VMM, which delivers
//    with KVM_SIGNAL_MSI; an EOI of a level-triggered vector exits as KVM_EXIT_IOAPIC_EOI.
//  - userspace: nothing in the kernel; the VMM injects with KVM_INTERRUPT and asks for an
//    interrupt window when the guest cannot take one.
// The models are the same in every mode (vm/irq); only where they sit, and so which exits happen
// and what they cost, changes.
import { ApicBus, ApicMessage, ApicRouter, Ioapic, Lapic, IOAPIC_PINS } from '../irq';
import type { Vcpu, KernelMmioHandler } from './vcpu';
import type { Vm } from './vm';

export type IrqchipMode = 'kernel' | 'split' | 'userspace';
export const IRQCHIP_MODES: readonly IrqchipMode[] = ['kernel', 'split', 'userspace'];

export const IOAPIC_BASE = 0xfec0_0000;
export const LAPIC_BASE = 0xfee0_0000;
export const APIC_MMIO_SIZE = 0x1000;

/** Where an interrupt came from and when, to measure latency when the guest takes it. */
export interface IrqOrigin {
  /** Virtual time of the line assertion or MSI write. */
  cycle: number;
  /** Cycles the path to the vCPU costs on top (ioctls), charged when the vCPU takes it. */
  pathCost: number;
}

/** The interrupt state the hypervisor keeps per vCPU, whatever the mode. */
export class VcpuIrqState {
  /** userspace irqchip: the vector KVM_INTERRUPT queued for injection on the next entry, or -1. */
  queuedVector = -1;
  /** Per vector: where the pending interrupt came from (for latency). */
  readonly origins = new Map<number, IrqOrigin>();
}

/**
 * A bus in front of the router that counts deliveries and makes each target vCPU remember where
 * the interrupt came from (for latency) and what its path costs.
 */
export function countingBus(vm: Vm, router: ApicRouter, pathCost: number): ApicBus {
  return {
    deliver: (msg: ApicMessage): number => {
      // Before delivering: a userspace irqchip injects synchronously inside deliver(), and the
      // targets' clocks must not lag the sender's (vCPUs run in turns, not in parallel).
      const targets = router.targets(msg).map((l) => l.index);
      vm.prepareDelivery(msg, targets, pathCost);
      const accepted = router.deliver(msg);
      vm.noteDelivery(msg, targets, accepted);
      return accepted;
    },
  };
}

export class InKernelIrqchip {
  readonly lapics: Lapic[] = [];
  readonly router: ApicRouter;
  /** Where the LAPICs send IPIs: counted, clocks synchronized, like every other delivery. */
  private readonly ipiBus: ApicBus;
  /** Only with the kernel irqchip. */
  readonly ioapic: Ioapic | undefined;

  constructor(private readonly vm: Vm, readonly mode: 'kernel' | 'split') {
    const clock = { now: (): number => vm.now() };
    this.router = new ApicRouter({ clock, events: vm.events });
    this.ipiBus = countingBus(vm, this.router, 0);
    if (mode === 'kernel') {
      // KVM_IRQ_LINE is an ioctl from the VMM: its cost is part of the path to the vCPU.
      this.ioapic = new Ioapic({ version: 0x11, bus: countingBus(vm, this.router, vm.cost.ioctl), clock, events: vm.events });
      vm.registerKernelDevice(this.ioapicDevice(this.ioapic));
    }
    vm.registerKernelDevice(this.lapicDevice());
  }

  /** Creates vCPU `v`'s LAPIC (KVM_CREATE_VCPU with an in-kernel irqchip). */
  attachVcpu(v: Vcpu): Lapic {
    const vm = this.vm;
    const lapic = new Lapic({
      index: v.id, bus: this.ipiBus, clock: { now: () => v.cpu.cycles() }, events: vm.events,
      onInterruptChange: (has) => v.cpu.setExternalLine(has),
      eoiBroadcast: (vector) => this.eoiBroadcast(v, vector),
    });
    this.lapics[v.id] = lapic;
    this.router.attach(lapic);
    return lapic;
  }

  /** KVM_IRQ_LINE (kernel irqchip only): the VMM drives a GSI of the in-kernel IOAPIC. */
  irqLine(gsi: number, level: boolean, sourceId: number, device: string): number {
    const ioapic = this.ioapic;
    if (!ioapic || gsi < 0 || gsi >= IOAPIC_PINS) return 0;
    return ioapic.setIrq(gsi, level, { id: sourceId, device });
  }


  /**
   * A LAPIC EOI of a level-triggered vector. In kernel the IOAPIC hears it directly; in split mode
   * KVM exits to the VMM (KVM_EXIT_IOAPIC_EOI), whose IOAPIC clears remote IRR.
   */
  private eoiBroadcast(v: Vcpu, vector: number): void {
    if (this.ioapic) {
      this.ioapic.eoiBroadcast(vector, v.id);
      return;
    }
    v.exitIoapicEoi(vector); // the EOI write's own exit goes on to userspace, after the instruction
  }

  private ioapicDevice(ioapic: Ioapic): KernelMmioHandler {
    return {
      name: 'ioapic',
      claims: (_v, gpa) => gpa >= IOAPIC_BASE && gpa < IOAPIC_BASE + APIC_MMIO_SIZE,
      read: (_v, gpa, size) => ioapic.read(gpa - IOAPIC_BASE, size),
      write: (_v, gpa, size, value) => ioapic.write(gpa - IOAPIC_BASE, size, value),
      registerName: (gpa) => ioapic.registerName(gpa - IOAPIC_BASE),
    };
  }

  /** The LAPIC page: each vCPU reaches its own LAPIC at the same GPA (docs/machine.md). */
  private lapicDevice(): KernelMmioHandler {
    return {
      name: 'lapic',
      claims: (_v, gpa) => gpa >= LAPIC_BASE && gpa < LAPIC_BASE + APIC_MMIO_SIZE,
      read: (v, gpa, size) => this.lapics[v.id].read(gpa - LAPIC_BASE, size),
      write: (v, gpa, size, value) => this.lapics[v.id].write(gpa - LAPIC_BASE, size, value),
      registerName: (gpa) => this.lapics[0]?.registerName(gpa - LAPIC_BASE),
    };
  }
}
