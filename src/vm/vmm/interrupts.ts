// The VMM's side of interrupt routing (docs/machine.md): where device lines and MSIs go in each irqchip
// mode, and the VMM's own IOAPIC (split, userspace) and LAPICs (userspace).
//
//   kernel     device line → KVM_IRQ_LINE → in-kernel IOAPIC (0x11) → LAPIC
//              device MSI  → KVM_SIGNAL_MSI → in-kernel LAPIC
//   split      device line → VMM IOAPIC (0x20) → MSI message → KVM_SIGNAL_MSI → in-kernel LAPIC
//              level EOI   → KVM_EXIT_IOAPIC_EOI → VMM IOAPIC
//   userspace  device line → VMM IOAPIC → VMM LAPIC → KVM_INTERRUPT (or an interrupt window first)
import { ApicBus, ApicMessage, ApicRouter, Ioapic, Lapic, toMsi } from '../irq';
import type { Vm } from '../hv/vm';
import type { Vcpu } from '../hv/vcpu';
import type { MmioDevice } from './device';
import { countingBus, IrqchipMode } from '../hv/irqchip';
import { Csr, MIP_MEIP } from '../cpu/csr';

/** KVM irq source ids (KVM_USERSPACE_IRQ_SOURCE_ID is 0): each device drives its lines as its own source. */
const SOURCE_IDS: Record<string, number> = { vmm: 0, uart: 1, testdev: 2, pci: 3, console: 4 };

export class VmmInterrupts {
  /** The VMM's IOAPIC (split and userspace modes). */
  readonly ioapic: Ioapic | undefined;
  /** The VMM's APIC bus and LAPICs (userspace mode). */
  readonly router: ApicRouter | undefined;
  readonly lapics: Lapic[] = [];

  /** Deliveries through the VMM's own APIC bus (userspace) and through KVM_SIGNAL_MSI (kernel, split). */
  private readonly vmmBus: ApicBus | undefined;
  private readonly signalMsiBus: ApicBus | undefined;

  constructor(private readonly vm: Vm, readonly mode: IrqchipMode) {
    const clock = { now: (): number => vm.now() };
    if (mode === 'userspace') this.router = new ApicRouter({ clock, events: vm.events });
    this.vmmBus = this.router ? countingBus(vm, this.router, 0) : undefined;
    this.signalMsiBus = vm.irqchip ? countingBus(vm, vm.irqchip.router, vm.cost.ioctl) : undefined;
    if (mode !== 'kernel') {
      const bus: ApicBus = mode === 'split' ? this.msiAdapter() : this.vmmBus!;
      this.ioapic = new Ioapic({ version: 0x20, bus, clock, events: vm.events });
    }
  }

  /** Userspace mode: the VMM's LAPIC for vCPU `v`, injecting through KVM_INTERRUPT. */
  attachVcpu(v: Vcpu): void {
    if (this.mode !== 'userspace') return;
    const lapic = new Lapic({
      index: v.id, bus: this.vmmBus!, clock: { now: () => v.clock() }, events: this.vm.events,
      onInterruptChange: (has) => { if (has) this.tryInject(v); },
      eoiBroadcast: (vector) => this.ioapic!.eoiBroadcast(vector, v.id),
    });
    this.lapics[v.id] = lapic;
    this.router!.attach(lapic);
  }

  /** The LAPICs, wherever they live. */
  allLapics(): readonly Lapic[] {
    return this.vm.irqchip ? this.vm.irqchip.lapics : this.lapics;
  }

  /** The IOAPIC, wherever it lives. */
  theIoapic(): Ioapic {
    return (this.vm.irqchip?.ioapic ?? this.ioapic)!;
  }

  /**
   * A device line changed (level = asserted, whatever the entry's polarity). Returns what the
   * IOAPIC reports (LAPICs reached, 0 coalesced, -1 blocked).
   */
  setGsi(gsi: number, level: boolean, device: string): number {
    const vm = this.vm;
    if (gsi < 0 || gsi >= 24) return 0;
    const source = { id: SOURCE_IDS[device] ?? SOURCE_IDS.pci, device };
    if (level && !this.theIoapic().lineLevel(gsi)) { vm.irqStats.asserted++; vm.lineRoseAt[gsi] = vm.now(); }
    if (this.mode === 'kernel') return vm.irqchip!.irqLine(gsi, level, source.id, device); // KVM_IRQ_LINE
    return this.ioapic!.setIrq(gsi, level, source);
  }

  /** A device's MSI write (docs/machine.md: it bypasses the IOAPIC). */
  signalMsi(address: number, data: number, device: string): number {
    const vm = this.vm;
    vm.irqStats.asserted++;
    if (this.mode === 'userspace') {
      const msg = this.router!.noteMsi(address, data, device);
      return msg ? this.vmmBus!.deliver(msg) : 0;
    }
    return this.kvmSignalMsi(address, data, device);
  }

  /** KVM_SIGNAL_MSI: one ioctl into the kernel's LAPICs. */
  private kvmSignalMsi(address: number, data: number, source: string, extra: Partial<ApicMessage> = {}): number {
    const msg = this.vm.irqchip!.router.noteMsi(address, data, source);
    return msg ? this.signalMsiBus!.deliver({ ...msg, ...extra }) : 0;
  }

  /** Split mode: the VMM IOAPIC's messages leave as MSIs through KVM_SIGNAL_MSI (QEMU's ioapic_service). */
  private msiAdapter(): ApicBus {
    return {
      deliver: (msg: ApicMessage): number => {
        const { address, data } = toMsi(msg);
        return this.kvmSignalMsi(address, data, msg.source, { gsi: msg.gsi, level: msg.level });
      },
    };
  }

  // ---- userspace irqchip: injection --------------------------------------------------------

  /**
   * QEMU's injection before KVM_RUN: if the guest can take an interrupt now, INTA on the VMM's
   * LAPIC and KVM_INTERRUPT the vector; otherwise request an interrupt window.
   */
  tryInject(v: Vcpu): void {
    const lapic = this.lapics[v.id];
    const run = v.kvmRun;
    if (!lapic || !lapic.hasInterrupt()) return;
    // kvm_run as KVM left it when the vCPU last returned (QEMU's kvm_arch_pre_run reads the same).
    if (!run.readyForInterruptInjection) {
      if (!run.ifFlag) {
        run.requestInterruptWindow = true;
        this.wakeIfEnabled(v);
      }
      return;
    }
    const vector = lapic.acknowledge();
    v.injectInterrupt(vector); // KVM_INTERRUPT
    v.kick();
  }

  /**
   * RISC-V wfi resumes when an interrupt is pending and enabled in mie, even with MIE clear
   * (privileged spec §3.3.3). The LAPIC is in the VMM here, so the VMM wakes the halted vCPU
   * itself (QEMU's cpu_has_work); the interrupt waits for its window.
   */
  private wakeIfEnabled(v: Vcpu): void {
    if (v.mpState === 'halted' && (v.getOneReg(Csr.mie) & MIP_MEIP) !== 0) v.mpState = 'runnable'; // KVM_SET_MP_STATE
  }

  /** KVM_EXIT_HLT: a vCPU halted while its LAPIC holds an interrupt it cannot take yet. */
  halted(v: Vcpu): void {
    if (this.lapics[v.id]?.hasInterrupt()) this.wakeIfEnabled(v);
  }

  /** KVM_EXIT_IRQ_WINDOW_OPEN. */
  windowOpen(v: Vcpu): void {
    this.tryInject(v);
  }

  /** KVM_EXIT_IOAPIC_EOI (split). */
  ioapicEoi(v: Vcpu, vector: number): void {
    this.ioapic?.eoiBroadcast(vector, v.id);
  }

  /** The userspace LAPIC page as a VMM device: each vCPU reaches its own (set `current` first). */
  lapicDevice(): MmioDevice & { current: number } {
    const lapics = this.lapics;
    const device = {
      name: 'lapic', registerWidth: 4 as const, current: 0,
      read: (offset: number, size: number): number => lapics[device.current].read(offset, size),
      write: (offset: number, size: number, value: number): void => lapics[device.current].write(offset, size, value),
      peek: (offset: number, size: number): number => lapics[device.current].peek(offset, size),
      registerName: (offset: number): string | undefined => lapics[0]?.registerName(offset),
    };
    return device;
  }

  /** The VMM IOAPIC as a device. */
  ioapicDevice(): MmioDevice {
    const ioapic = this.ioapic!;
    return {
      name: 'ioapic', registerWidth: 4,
      read: (offset, size) => ioapic.read(offset, size),
      write: (offset, size, value) => ioapic.write(offset, size, value),
      peek: (offset, size) => ioapic.peek(offset, size),
      registerName: (offset) => ioapic.registerName(offset),
    };
  }
}
