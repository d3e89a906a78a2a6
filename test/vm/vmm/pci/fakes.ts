// Plain in-memory stand-ins for what the machine gives the PCI bus and the NIC.
import { EventStream, VmEvent } from '../../../../src/vm/events';
import { Dma } from '../../../../src/vm/vmm/nic';
import { PciBus } from '../../../../src/vm/vmm/pci/bus';

export const RAM_BASE = 0x8000_0000;

/** Guest RAM [RAM_BASE, RAM_BASE + size); everything else is "not RAM". */
export class FakeRam implements Dma {
  readonly bytes: Uint8Array;
  readonly writes: { gpa: number; length: number }[] = [];

  constructor(size = 0x10000, readonly base = RAM_BASE) {
    this.bytes = new Uint8Array(size);
  }

  private inside(gpa: number, length: number): boolean {
    return gpa >= this.base && gpa + length <= this.base + this.bytes.length;
  }

  read(gpa: number, length: number): Uint8Array | undefined {
    if (!this.inside(gpa, length)) return undefined;
    return this.bytes.slice(gpa - this.base, gpa - this.base + length);
  }

  write(gpa: number, bytes: Uint8Array): boolean {
    if (!this.inside(gpa, bytes.length)) return false;
    this.bytes.set(bytes, gpa - this.base);
    this.writes.push({ gpa, length: bytes.length });
    return true;
  }

  u16(gpa: number): number { const o = gpa - this.base; return this.bytes[o] | (this.bytes[o + 1] << 8); }
  u32(gpa: number): number { return (this.u16(gpa) | (this.u16(gpa + 2) << 16)) >>> 0; }
  set16(gpa: number, v: number): void { const o = gpa - this.base; this.bytes[o] = v & 0xff; this.bytes[o + 1] = (v >>> 8) & 0xff; }
  set32(gpa: number, v: number): void { this.set16(gpa, v); this.set16(gpa + 2, v >>> 16); }
}

/** Records every call the bus makes to the platform, and the events it emits. */
export class FakePlatform {
  readonly gsiCalls: { gsi: number; level: boolean; device: string }[] = [];
  readonly msis: { address: number; data: number; device: string }[] = [];
  readonly gsiLevels = new Map<number, boolean>();
  readonly events = new EventStream();
  readonly seen: VmEvent[] = [];
  now = 100;

  constructor(listen = true) {
    if (listen) this.events.subscribe((e) => this.seen.push(e));
  }

  setGsi = (gsi: number, level: boolean, device: string): void => {
    this.gsiCalls.push({ gsi, level, device });
    this.gsiLevels.set(gsi, level);
  };

  signalMsi = (address: number, data: number, device: string): void => {
    this.msis.push({ address, data, device });
  };

  clock = (): number => this.now;

  level(gsi: number): boolean { return this.gsiLevels.get(gsi) ?? false; }

  bus(): PciBus {
    return new PciBus({ setGsi: this.setGsi, signalMsi: this.signalMsi, events: this.events, clock: this.clock });
  }

  eventsOf<K extends VmEvent['kind']>(kind: K): Extract<VmEvent, { kind: K }>[] {
    return this.seen.filter((e): e is Extract<VmEvent, { kind: K }> => e.kind === kind);
  }
}
