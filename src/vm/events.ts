// The one event stream every observable state change goes through (STYLE.md habit 9, SPEC §10):
// traces, statistics views, breakpoints and logpoints all consume it. Emitting costs one boolean
// test when nobody listens, so hot paths call `if (events.active)` before building an event.

export interface EventBase {
  /** Virtual time (guest cycles) at which it happened. */
  cycle: number;
  /** vCPU index, or -1 for device-side events. */
  vcpu: number;
}

export interface ExitEvent extends EventBase {
  kind: 'exit';
  /** Intel VMX basic exit reason name, e.g. 'EPT_VIOLATION'. */
  reason: string;
  gpa?: number;
  gva?: number;
  access?: 'read' | 'write' | 'fetch';
  /** Where it was handled: in the hypervisor, or returned to the VMM (with the KVM exit name). */
  handledIn: 'kernel' | 'vmm';
  vmmExit?: string;
  pc: number;
}

export interface MmioEvent extends EventBase {
  kind: 'mmio';
  gpa: number;
  size: number;
  write: boolean;
  value: number;
  device: string;
  register?: string;
  handledIn: 'kernel' | 'vmm';
  pc: number;
}

export interface OutputEvent extends EventBase {
  kind: 'output';
  device: string;
  text: string;
}

// ---- PCI and the VMM's devices (src/vm/vmm/pci, nic.ts; docs/devices.md) --------------------------
// The device side of an interrupt's chain: a function's request, its INTx pin after the swizzle, or
// the MSI write it issues. What the interrupt controller then does is its own 'irq-line' / 'msi'
// event (the device name travels with setGsi / signalMsi).

/** A PCI function's INTx pin changed, or its interrupt request changed while the pin is gated. */
export interface PciIntxEvent extends EventBase {
  kind: 'pci-intx';
  device: string;
  /** Bus:device.function, "00:03.0". */
  bdf: string;
  /** 0 = INTA … 3 = INTD. */
  pin: number;
  /** The PIRQ after the swizzle, (slot + pin) mod 4, and its GSI, 16 + PIRQ. */
  pirq: number;
  gsi: number;
  /** The function's interrupt request. */
  request: boolean;
  /** The level the function drives on its pin: its request, unless INTx is disabled or MSI is on. */
  level: boolean;
  /** The shared PIRQ line after this change (the OR of every function on it). */
  lineLevel: boolean;
  /** What keeps a request off the pin: 'COMMAND.INTX_DISABLE' or 'MSI enabled'. */
  blockedBy?: string;
}

/** A PCI function signalled its MSI: the memory write of `data` to `address` it issues. */
export interface PciMsiEvent extends EventBase {
  kind: 'pci-msi';
  device: string;
  bdf: string;
  address: number;
  data: number;
  /** False when the write did not leave the function; `blockedBy` names the bit ('MSI MASK': pending set, 'COMMAND.MASTER clear': lost). */
  delivered: boolean;
  blockedBy?: string;
}

/** A guest write to a function's configuration space (through ECAM). */
export interface PciConfigWriteEvent extends EventBase {
  kind: 'pci-config-write';
  device: string;
  bdf: string;
  offset: number;
  size: number;
  value: number;
  register: string;
  /** For a write to a BAR: its value after the write (a sizing probe reads back the size mask) and its size. */
  bar?: { index: number; value: number; size: number };
}

/** The NIC's wire side and rings. */
export interface NicEvent extends EventBase {
  kind: 'nic';
  device: string;
  action: 'rx' | 'rx-drop' | 'tx' | 'tx-ignored' | 'bad-descriptor' | 'reset';
  ring?: 'rx' | 'tx';
  /** Packet length in bytes (0 when no packet is involved). */
  length: number;
  /** Ring index of the descriptor involved. */
  descriptor?: number;
  /** Why a packet was dropped or a descriptor refused. */
  reason?: string;
}

export type DeviceEvent = PciIntxEvent | PciMsiEvent | PciConfigWriteEvent | NicEvent;

export type VmEvent = ExitEvent | MmioEvent | OutputEvent | DeviceEvent;

export class EventStream {
  private readonly listeners = new Set<(e: VmEvent) => void>();
  /** True while someone listens: emitters test it before allocating an event. */
  active = false;

  subscribe(listener: (e: VmEvent) => void): () => void {
    this.listeners.add(listener);
    this.active = true;
    return () => {
      this.listeners.delete(listener);
      this.active = this.listeners.size > 0;
    };
  }

  emit(e: VmEvent): void {
    for (const l of this.listeners) l(e);
  }
}
