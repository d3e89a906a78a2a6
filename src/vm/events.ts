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

export type VmEvent = ExitEvent | MmioEvent | OutputEvent;

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
