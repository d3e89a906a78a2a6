// The Hyperstep NIC: a PCI Ethernet controller of our own design (docs/devices.md has the register
// and descriptor tables). BAR0 holds 4 KiB of 32-bit registers; the receive and transmit rings live
// in guest RAM and the device reaches them by DMA through the guest-physical address space. The
// ring protocol is e1000's (software advances TAIL, the device advances HEAD over the descriptors
// it owns) with an OWN flag in each descriptor as a check. Interrupt request = (ISR & IMR) != 0,
// delivered as INTA or, with MSI enabled, as one message per rising edge (see PciDevice.setIrq).
// No register has a read side effect: ISR clears only by writing 1s (docs/machine.md).
import { NicEvent } from '../events';
import { MmioDevice } from './device';
import { PciDevice } from './pci/device';

const NIC_VENDOR_ID = 0x4853; // "HS"; unassigned in pci.ids — a simulation-only ID, not PCI-SIG registered
const NIC_DEVICE_ID = 0x0001;
const NIC_REVISION = 0x01;
const PCI_CLASS_NETWORK_ETHERNET = 0x020000;
export const NIC_BAR0_SIZE = 0x1000;
/** ID register: the bytes "HNIC" in memory order. */
export const NIC_ID_VALUE = 0x43494e48;
/** VERSION register: major << 16 | minor. */
export const NIC_VERSION_VALUE = 0x0001_0000;
const NIC_DEFAULT_MAC = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56] as const;

// BAR0 register offsets.
export const NIC_ID = 0x000, NIC_VERSION = 0x004, NIC_CTRL = 0x008, NIC_STATUS = 0x00c, NIC_ISR = 0x010,
  NIC_IMR = 0x014, NIC_ISR_SET = 0x018, NIC_RX_BASE = 0x020, NIC_RX_SIZE = 0x024, NIC_RX_HEAD = 0x028,
  NIC_RX_TAIL = 0x02c, NIC_TX_BASE = 0x030, NIC_TX_SIZE = 0x034, NIC_TX_HEAD = 0x038, NIC_TX_TAIL = 0x03c,
  NIC_TX_DOORBELL = 0x040, NIC_MAC_LO = 0x048, NIC_MAC_HI = 0x04c, NIC_RX_PACKETS = 0x050,
  NIC_RX_DROPPED = 0x054, NIC_TX_PACKETS = 0x058, NIC_BAD_DESC = 0x05c;

// CTRL bits.
export const CTRL_EN = 0x1, CTRL_RXEN = 0x2, CTRL_TXEN = 0x4, CTRL_RST = 0x8000_0000;
const CTRL_WRITABLE = CTRL_EN | CTRL_RXEN | CTRL_TXEN;
// STATUS bits.
const STATUS_LINK_UP = 0x1, STATUS_RX_ON = 0x2, STATUS_TX_ON = 0x4;
// ISR / IMR / ISR_SET bits.
export const INT_RX = 0x01, INT_TX = 0x02, INT_RX_NOBUF = 0x04, INT_RX_ERR = 0x08, INT_TX_ERR = 0x10;
export const INT_ALL = 0x1f;

// Descriptors: 16 bytes, little-endian.
const DESC_SIZE = 16;
const DESC_BUFFER = 0x0, DESC_LENGTH = 0x4, DESC_FLAGS = 0x6, DESC_STATUS = 0x8;
export const DESC_OWN = 0x1, DESC_DONE = 0x2, DESC_ERROR = 0x4, DESC_EOP = 0x8;
/** Error codes written back in bits 23:16 of a descriptor's status word. */
export const DESC_ERR_NOT_OWNED = 1, DESC_ERR_BUFFER_NOT_RAM = 2, DESC_ERR_BUFFER_TOO_SHORT = 3;
const DESC_ERR_NAMES = ['', 'descriptor not owned by the device (OWN clear)', 'buffer not in RAM', 'buffer too short'];

/** The device's view of guest-physical memory. Each call is all-or-nothing. */
export interface Dma {
  /** `length` bytes at `gpa`, or undefined when any of them is not RAM. */
  read(gpa: number, length: number): Uint8Array | undefined;
  /** Writes `bytes` at `gpa`; false (and nothing written) when any of them is not RAM. */
  write(gpa: number, bytes: Uint8Array): boolean;
}

interface NicBackend {
  dma: Dma;
  /** A packet the guest sent (to the debug console / stdout). */
  transmit(packet: Uint8Array): void;
}

interface NicOptions {
  /** Power-on MAC address, 6 bytes (default 52:54:00:12:34:56). */
  mac?: ArrayLike<number>;
  /** Give the MSI capability per-vector mask and pending bits (default true). */
  msiPerVectorMasking?: boolean;
  /** Offer an MSI capability at all (default true; false = INTx only). */
  msi?: boolean;
}

export type NicRxResult = 'delivered' | 'disabled' | 'ring-full' | 'bad-descriptor';

type NicAccess = 'RO' | 'RW' | 'R/W1C' | 'WO';
interface NicRegister { offset: number; name: string; access: NicAccess }

export const NIC_REGISTERS: readonly NicRegister[] = [
  { offset: NIC_ID, name: 'ID', access: 'RO' },
  { offset: NIC_VERSION, name: 'VERSION', access: 'RO' },
  { offset: NIC_CTRL, name: 'CTRL', access: 'RW' },
  { offset: NIC_STATUS, name: 'STATUS', access: 'RO' },
  { offset: NIC_ISR, name: 'ISR', access: 'R/W1C' },
  { offset: NIC_IMR, name: 'IMR', access: 'RW' },
  { offset: NIC_ISR_SET, name: 'ISR_SET', access: 'WO' },
  { offset: NIC_RX_BASE, name: 'RX_BASE', access: 'RW' },
  { offset: NIC_RX_SIZE, name: 'RX_SIZE', access: 'RW' },
  { offset: NIC_RX_HEAD, name: 'RX_HEAD', access: 'RW' },
  { offset: NIC_RX_TAIL, name: 'RX_TAIL', access: 'RW' },
  { offset: NIC_TX_BASE, name: 'TX_BASE', access: 'RW' },
  { offset: NIC_TX_SIZE, name: 'TX_SIZE', access: 'RW' },
  { offset: NIC_TX_HEAD, name: 'TX_HEAD', access: 'RW' },
  { offset: NIC_TX_TAIL, name: 'TX_TAIL', access: 'RW' },
  { offset: NIC_TX_DOORBELL, name: 'TX_DOORBELL', access: 'WO' },
  { offset: NIC_MAC_LO, name: 'MAC_LO', access: 'RW' },
  { offset: NIC_MAC_HI, name: 'MAC_HI', access: 'RW' },
  { offset: NIC_RX_PACKETS, name: 'RX_PACKETS', access: 'RO' },
  { offset: NIC_RX_DROPPED, name: 'RX_DROPPED', access: 'RO' },
  { offset: NIC_TX_PACKETS, name: 'TX_PACKETS', access: 'RO' },
  { offset: NIC_BAD_DESC, name: 'BAD_DESC', access: 'RO' },
];
const REGISTER_BY_OFFSET = new Map(NIC_REGISTERS.map((r) => [r.offset, r]));

interface Descriptor { buffer: number; length: number; flags: number }

export class Nic extends PciDevice implements MmioDevice {
  readonly registerWidth = 4;
  ctrl = 0;
  isr = 0;
  imr = 0;
  rxBase = 0;
  rxSize = 0;
  rxHead = 0;
  rxTail = 0;
  txBase = 0;
  txSize = 0;
  txHead = 0;
  txTail = 0;
  macLo = 0;
  macHi = 0;
  rxPackets = 0;
  rxDropped = 0;
  txPackets = 0;
  badDescriptors = 0;
  /** Fragments of a packet whose EOP descriptor has not come yet; `txDropping` = one of them was bad. */
  private txFragments: Uint8Array[] = [];
  private txDropping = false;
  private readonly mac: readonly number[];

  constructor(private readonly backend: NicBackend, options: NicOptions = {}) {
    super({
      name: 'nic', vendorId: NIC_VENDOR_ID, deviceId: NIC_DEVICE_ID, revision: NIC_REVISION,
      classCode: PCI_CLASS_NETWORK_ETHERNET, intxPin: 0, bars: [{ size: NIC_BAR0_SIZE }],
      msi: options.msi === false ? undefined : { perVectorMasking: options.msiPerVectorMasking ?? true },
    });
    const mac = Array.from(options.mac ?? NIC_DEFAULT_MAC);
    if (mac.length !== 6 || mac.some((b) => !Number.isInteger(b) || b < 0 || b > 255)) throw new RangeError('NIC MAC address must be 6 bytes');
    this.mac = mac;
    this.resetRegisters();
  }

  override barRegion(index: number): MmioDevice | undefined {
    return index === 0 ? this : undefined;
  }

  get rxRunning(): boolean { return (this.ctrl & (CTRL_EN | CTRL_RXEN)) === (CTRL_EN | CTRL_RXEN); }
  get txRunning(): boolean { return (this.ctrl & (CTRL_EN | CTRL_TXEN)) === (CTRL_EN | CTRL_TXEN); }
  /** Bytes of a partly queued transmit packet (descriptors consumed, EOP not seen yet). */
  get txPendingBytes(): number { return this.txFragments.reduce((n, f) => n + f.length, 0); }

  // ---- BAR0 (MmioDevice) ----------------------------------------------------------------------

  /** No register has a read side effect, so a guest read is a peek. */
  read(offset: number, size: number): number {
    return this.peek(offset, size);
  }

  peek(offset: number, size: number): number {
    const shift = (offset & 3) * 8, v = this.registerValue(offset & ~3) >>> shift;
    return size >= 4 ? v >>> 0 : v & ((1 << (8 * size)) - 1);
  }

  write(offset: number, size: number, value: number): void {
    // Narrow writes are merged into the register: bytes outside the access keep their value, except
    // for write-1 registers (ISR, ISR_SET), where they count as 0.
    const reg = offset & ~3, shift = (offset & 3) * 8;
    const lanes = (size >= 4 ? 0xffffffff : ((1 << (8 * size)) - 1) << shift) >>> 0;
    const v = ((value << shift) & lanes) >>> 0;
    const merge = (cur: number): number => ((cur & ~lanes) | v) >>> 0;
    switch (reg) {
      case NIC_CTRL: this.writeCtrl(merge(this.ctrl)); return;
      case NIC_ISR: this.isr &= ~v; this.updateIrq(); return;
      case NIC_IMR: this.imr = merge(this.imr) & INT_ALL; this.updateIrq(); return;
      case NIC_ISR_SET: this.raise(v & INT_ALL); return;
      case NIC_RX_BASE: this.rxBase = (merge(this.rxBase) & ~0xf) >>> 0; return;
      case NIC_RX_SIZE: this.rxSize = merge(this.rxSize) & 0xffff; return;
      case NIC_RX_HEAD: if (!this.rxRunning) this.rxHead = merge(this.rxHead) & 0xffff; return; // the device's pointer while running
      case NIC_RX_TAIL: this.rxTail = merge(this.rxTail) & 0xffff; return;
      case NIC_TX_BASE: this.txBase = (merge(this.txBase) & ~0xf) >>> 0; return;
      case NIC_TX_SIZE: this.txSize = merge(this.txSize) & 0xffff; return;
      case NIC_TX_HEAD: if (!this.txRunning) this.txHead = merge(this.txHead) & 0xffff; return;
      case NIC_TX_TAIL: this.txTail = merge(this.txTail) & 0xffff; return;
      case NIC_TX_DOORBELL: this.kickTx(); return;
      case NIC_MAC_LO: this.macLo = merge(this.macLo); return;
      case NIC_MAC_HI: this.macHi = merge(this.macHi) & 0xffff; return;
      default: return; // read-only and unassigned offsets ignore writes
    }
  }

  registerName(offset: number): string | undefined {
    return REGISTER_BY_OFFSET.get(offset & ~3)?.name;
  }

  /** Every register by name with its current value (for views and tests; no side effects). */
  registers(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of NIC_REGISTERS) out[r.name] = this.registerValue(r.offset);
    return out;
  }

  // ---- the wire side --------------------------------------------------------------------------

  /**
   * Would receive() take a packet now? (QEMU's NetClientInfo.can_receive: the receiver is on, bus
   * mastering is allowed and a descriptor is posted.)
   */
  canReceive(): boolean {
    return this.rxRunning && this.busMasterEnabled && this.rxSize !== 0 && this.rxHead !== this.rxTail;
  }

  /** Why receive() would not take a packet now, naming the register; undefined when it would. */
  receiveBlocker(): string | undefined {
    if (!this.rxRunning) return 'receiver off (CTRL.EN/RXEN)';
    if (!this.busMasterEnabled) return 'bus mastering off (COMMAND.MASTER)';
    if (this.rxSize === 0) return 'no RX ring (RX_SIZE 0)';
    if (this.rxHead === this.rxTail) return 'no free RX descriptor (RX_HEAD == RX_TAIL)';
    return undefined;
  }

  /** A packet arrives from the outside (user, debug console, launch schedule). */
  receive(packet: Uint8Array): NicRxResult {
    if (!this.rxRunning || !this.busMasterEnabled) {
      // The receiver is off: the packet is not accepted, so it is not counted as missed either.
      this.trace('rx-drop', packet.length, undefined, this.rxRunning ? 'bus mastering off (COMMAND.MASTER)' : 'receiver off (CTRL.EN/RXEN)');
      return 'disabled';
    }
    if (this.rxSize === 0 || this.rxHead === this.rxTail) {
      this.rxDropped = (this.rxDropped + 1) >>> 0;
      this.trace('rx-drop', packet.length, this.rxHead, 'ring full');
      this.raise(INT_RX_NOBUF);
      return 'ring-full';
    }
    const index = this.rxHead, descAddr = this.rxBase + index * DESC_SIZE;
    const desc = this.readDescriptor(descAddr);
    if (!desc) {
      this.badDescriptor(index, 'descriptor not in RAM', INT_RX_ERR); // HEAD stays: the ring itself is broken
      return 'bad-descriptor';
    }
    let err = 0;
    if (!(desc.flags & DESC_OWN)) err = DESC_ERR_NOT_OWNED;
    else if (desc.length < packet.length) err = DESC_ERR_BUFFER_TOO_SHORT;
    else if (!this.backend.dma.write(desc.buffer, packet)) { err = DESC_ERR_BUFFER_NOT_RAM; this.signalMasterAbort(); }
    // The buffer is written before the descriptor says DONE; a received packet is always one descriptor.
    this.writeBack(descAddr, desc.flags | DESC_EOP, err, err ? 0 : packet.length);
    this.rxHead = (index + 1) % this.rxSize;
    if (err) {
      this.badDescriptor(index, DESC_ERR_NAMES[err], INT_RX_ERR);
      return 'bad-descriptor';
    }
    this.rxPackets = (this.rxPackets + 1) >>> 0;
    this.trace('rx', packet.length, index);
    this.raise(INT_RX);
    return 'delivered';
  }

  /** Power-on state: PCI configuration and BAR0 registers. */
  override reset(): void {
    super.reset();
    this.resetRegisters();
  }

  // ---- internals ------------------------------------------------------------------------------

  private registerValue(reg: number): number {
    switch (reg) {
      case NIC_ID: return NIC_ID_VALUE;
      case NIC_VERSION: return NIC_VERSION_VALUE;
      case NIC_CTRL: return this.ctrl;
      case NIC_STATUS: return STATUS_LINK_UP | (this.rxRunning ? STATUS_RX_ON : 0) | (this.txRunning ? STATUS_TX_ON : 0);
      case NIC_ISR: return this.isr;
      case NIC_IMR: return this.imr;
      case NIC_RX_BASE: return this.rxBase;
      case NIC_RX_SIZE: return this.rxSize;
      case NIC_RX_HEAD: return this.rxHead;
      case NIC_RX_TAIL: return this.rxTail;
      case NIC_TX_BASE: return this.txBase;
      case NIC_TX_SIZE: return this.txSize;
      case NIC_TX_HEAD: return this.txHead;
      case NIC_TX_TAIL: return this.txTail;
      case NIC_MAC_LO: return this.macLo;
      case NIC_MAC_HI: return this.macHi;
      case NIC_RX_PACKETS: return this.rxPackets;
      case NIC_RX_DROPPED: return this.rxDropped;
      case NIC_TX_PACKETS: return this.txPackets;
      case NIC_BAD_DESC: return this.badDescriptors;
      default: return 0; // write-only registers and unassigned offsets
    }
  }

  private writeCtrl(v: number): void {
    if (v & CTRL_RST) { // self-clearing: the registers return to reset values, PCI config is kept
      this.resetRegisters();
      this.trace('reset', 0);
      return;
    }
    this.ctrl = v & CTRL_WRITABLE;
  }

  private resetRegisters(): void {
    this.ctrl = 0;
    this.isr = 0;
    this.imr = 0;
    this.rxBase = this.rxSize = this.rxHead = this.rxTail = 0;
    this.txBase = this.txSize = this.txHead = this.txTail = 0;
    const m = this.mac;
    this.macLo = (m[0] | (m[1] << 8) | (m[2] << 16) | (m[3] << 24)) >>> 0;
    this.macHi = m[4] | (m[5] << 8);
    this.rxPackets = this.rxDropped = this.txPackets = this.badDescriptors = 0;
    this.txFragments = [];
    this.txDropping = false;
    this.updateIrq();
  }

  /** The doorbell: transmit the descriptors from TX_HEAD up to TX_TAIL (at most one ring's worth). */
  private kickTx(): void {
    if (!this.txRunning || !this.busMasterEnabled) {
      this.trace('tx-ignored', 0, this.txHead, this.txRunning ? 'bus mastering off (COMMAND.MASTER)' : 'transmitter off (CTRL.EN/TXEN)');
      return;
    }
    for (let n = 0; n < this.txSize && this.txHead !== this.txTail; n++) {
      const index = this.txHead, descAddr = this.txBase + index * DESC_SIZE;
      const desc = this.readDescriptor(descAddr);
      if (!desc) { this.badDescriptor(index, 'descriptor not in RAM', INT_TX_ERR); return; } // HEAD stays
      let err = 0, data: Uint8Array | undefined;
      if (!(desc.flags & DESC_OWN)) err = DESC_ERR_NOT_OWNED;
      else if (!(data = this.backend.dma.read(desc.buffer, desc.length))) { err = DESC_ERR_BUFFER_NOT_RAM; this.signalMasterAbort(); }
      this.writeBack(descAddr, desc.flags, err, err ? 0 : desc.length);
      this.txHead = (index + 1) % this.txSize;
      if (err) {
        this.txDropping = true;
        this.badDescriptor(index, DESC_ERR_NAMES[err], INT_TX_ERR);
      } else if (!this.txDropping) {
        this.txFragments.push(data!);
      }
      if (desc.flags & DESC_EOP) this.endTxPacket(index);
    }
  }

  private endTxPacket(index: number): void {
    const fragments = this.txFragments, dropped = this.txDropping;
    this.txFragments = [];
    this.txDropping = false;
    if (dropped) return; // already reported as a bad descriptor
    const packet = new Uint8Array(fragments.reduce((n, f) => n + f.length, 0));
    let at = 0;
    for (const f of fragments) { packet.set(f, at); at += f.length; }
    this.txPackets = (this.txPackets + 1) >>> 0;
    this.trace('tx', packet.length, index);
    this.backend.transmit(packet);
    this.raise(INT_TX);
  }

  private readDescriptor(gpa: number): Descriptor | undefined {
    const raw = this.backend.dma.read(gpa, DESC_SIZE);
    if (!raw || raw.length < DESC_SIZE) { this.signalMasterAbort(); return undefined; }
    const dv = new DataView(raw.buffer, raw.byteOffset, DESC_SIZE);
    return { buffer: dv.getUint32(DESC_BUFFER, true), length: dv.getUint16(DESC_LENGTH, true), flags: dv.getUint16(DESC_FLAGS, true) };
  }

  /** Hands a descriptor back: OWN cleared, DONE set, ERROR and the error code on failure. */
  private writeBack(descAddr: number, flags: number, err: number, length: number): void {
    const out = new Uint8Array(6), dv = new DataView(out.buffer);
    dv.setUint16(0, (flags & ~DESC_OWN) | DESC_DONE | (err ? DESC_ERROR : 0), true);
    dv.setUint32(DESC_STATUS - DESC_FLAGS, ((err << 16) | (length & 0xffff)) >>> 0, true);
    if (!this.backend.dma.write(descAddr + DESC_FLAGS, out)) this.signalMasterAbort();
  }

  private badDescriptor(index: number, reason: string, bit: number): void {
    this.badDescriptors = (this.badDescriptors + 1) >>> 0;
    this.trace('bad-descriptor', 0, index, reason, bit === INT_RX_ERR ? 'rx' : 'tx');
    this.raise(bit);
  }

  private raise(bits: number): void {
    this.isr |= bits;
    this.updateIrq();
  }

  private updateIrq(): void {
    this.setIrq((this.isr & this.imr) !== 0);
  }

  private trace(action: NicEvent['action'], length: number, descriptor?: number, reason?: string, ring?: 'rx' | 'tx'): void {
    const bus = this.bus;
    if (!bus?.events?.active) return;
    const r = ring ?? (action === 'reset' ? undefined : action.startsWith('tx') ? 'tx' : 'rx');
    const sink = bus.events.direct.nic;
    if (sink) {
      sink.nic(bus.clock(), this.name, action, length, descriptor, r, reason, undefined);
      return;
    }
    bus.events.emit({
      kind: 'nic', cycle: bus.clock(), vcpu: -1, device: this.name, action, length,
      ...(r ? { ring: r } : {}), ...(descriptor !== undefined ? { descriptor } : {}), ...(reason ? { reason } : {}),
    });
  }
}
