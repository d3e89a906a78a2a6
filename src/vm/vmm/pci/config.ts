// A function's 256-byte configuration space (PCI Local Bus 3.0 §6.1, type-0 header) with the
// per-byte masks that make "writes preserve read-only bits" a property of the storage rather than
// of each register: `wmask` marks the bits a guest write may change, `w1cmask` the bits a guest
// write of 1 clears (status error bits). The same scheme QEMU's hw/pci uses; written afresh here.

/** Conventional PCI configuration space. ECAM gives each function 4 KiB; bytes past this read all-ones. */
export const PCI_CONFIG_SIZE = 0x100;

// Type-0 header offsets (PCI 3.0 figure 6-1).
export const PCI_VENDOR_ID = 0x00, PCI_DEVICE_ID = 0x02, PCI_COMMAND = 0x04, PCI_STATUS = 0x06,
  PCI_REVISION_ID = 0x08, PCI_CLASS_PROG = 0x09, PCI_CLASS_DEVICE = 0x0a, PCI_CACHE_LINE_SIZE = 0x0c,
  PCI_LATENCY_TIMER = 0x0d, PCI_HEADER_TYPE = 0x0e, PCI_BIST = 0x0f, PCI_BASE_ADDRESS_0 = 0x10,
  PCI_CARDBUS_CIS = 0x28, PCI_SUBSYSTEM_VENDOR_ID = 0x2c, PCI_SUBSYSTEM_ID = 0x2e, PCI_ROM_ADDRESS = 0x30,
  PCI_CAPABILITY_LIST = 0x34, PCI_INTERRUPT_LINE = 0x3c, PCI_INTERRUPT_PIN = 0x3d, PCI_MIN_GNT = 0x3e,
  PCI_MAX_LAT = 0x3f;
export const PCI_NUM_BARS = 6;
/** First byte after the header: where capabilities may start. */
export const PCI_CONFIG_HEADER_SIZE = 0x40;

// Command register bits (PCI 3.0 §6.2.2); bit 0, I/O space, is hardwired to 0 (below).
export const PCI_COMMAND_MEMORY = 0x0002, PCI_COMMAND_MASTER = 0x0004,
  PCI_COMMAND_PARITY = 0x0040, PCI_COMMAND_SERR = 0x0100, PCI_COMMAND_INTX_DISABLE = 0x0400;
/**
 * The command bits a guest can set. I/O space is hardwired to 0: no function here has an I/O BAR
 * (and a RISC-V hart has no port I/O), and PCI 3.0 §6.2.2 says unimplemented enables read 0.
 */
export const PCI_COMMAND_WRITABLE = PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_PARITY |
  PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE;

// Status register bits (PCI 3.0 §6.2.3).
export const PCI_STATUS_INTERRUPT = 0x0008, PCI_STATUS_CAP_LIST = 0x0010, PCI_STATUS_PARITY = 0x0100,
  PCI_STATUS_SIG_TARGET_ABORT = 0x0800, PCI_STATUS_REC_TARGET_ABORT = 0x1000,
  PCI_STATUS_REC_MASTER_ABORT = 0x2000, PCI_STATUS_SIG_SYSTEM_ERROR = 0x4000,
  PCI_STATUS_DETECTED_PARITY = 0x8000;
/** Error bits: set by the function, cleared by writing 1. */
export const PCI_STATUS_W1C = PCI_STATUS_PARITY | PCI_STATUS_SIG_TARGET_ABORT | PCI_STATUS_REC_TARGET_ABORT |
  PCI_STATUS_REC_MASTER_ABORT | PCI_STATUS_SIG_SYSTEM_ERROR | PCI_STATUS_DETECTED_PARITY;

// Memory BAR low bits (PCI 3.0 §6.2.5.1): bit 0 = 0 memory space, bits 2:1 type (00 = 32-bit), bit 3 prefetchable.
export const PCI_BASE_ADDRESS_MEM_MASK = 0xfffffff0;
export const PCI_HEADER_TYPE_NORMAL = 0x00; // bit 7 would mark a multi-function device: none here

// Capability IDs (PCI 3.0 appendix H).
export const PCI_CAP_ID_MSI = 0x05;

/** The interrupt pin register's encoding: 0 = none, 1 = INTA … 4 = INTD. Internally pins are 0..3. */
export const PIN_NAMES = ['INTA', 'INTB', 'INTC', 'INTD'] as const;

const HEADER_FIELDS: ReadonlyArray<readonly [number, number, string]> = [
  [PCI_VENDOR_ID, 2, 'VENDOR_ID'], [PCI_DEVICE_ID, 2, 'DEVICE_ID'], [PCI_COMMAND, 2, 'COMMAND'],
  [PCI_STATUS, 2, 'STATUS'], [PCI_REVISION_ID, 1, 'REVISION_ID'], [PCI_CLASS_PROG, 1, 'CLASS_PROG'],
  [PCI_CLASS_DEVICE, 2, 'CLASS_DEVICE'], [PCI_CACHE_LINE_SIZE, 1, 'CACHE_LINE_SIZE'],
  [PCI_LATENCY_TIMER, 1, 'LATENCY_TIMER'], [PCI_HEADER_TYPE, 1, 'HEADER_TYPE'], [PCI_BIST, 1, 'BIST'],
  [0x10, 4, 'BAR0'], [0x14, 4, 'BAR1'], [0x18, 4, 'BAR2'], [0x1c, 4, 'BAR3'], [0x20, 4, 'BAR4'], [0x24, 4, 'BAR5'],
  [PCI_CARDBUS_CIS, 4, 'CARDBUS_CIS'], [PCI_SUBSYSTEM_VENDOR_ID, 2, 'SUBSYSTEM_VENDOR_ID'],
  [PCI_SUBSYSTEM_ID, 2, 'SUBSYSTEM_ID'], [PCI_ROM_ADDRESS, 4, 'ROM_ADDRESS'],
  [PCI_CAPABILITY_LIST, 1, 'CAPABILITY_LIST'], [PCI_INTERRUPT_LINE, 1, 'INTERRUPT_LINE'],
  [PCI_INTERRUPT_PIN, 1, 'INTERRUPT_PIN'], [PCI_MIN_GNT, 1, 'MIN_GNT'], [PCI_MAX_LAT, 1, 'MAX_LAT'],
];

/** The type-0 header field containing byte `addr` (< 0x40), with Linux's pci_regs.h names minus `PCI_`. */
export function headerFieldName(addr: number): string | undefined {
  for (const [off, len, name] of HEADER_FIELDS) if (addr >= off && addr < off + len) return name;
  return undefined;
}

/** All-ones of an access of `size` bytes: what a read of an absent function or unclaimed address returns. */
export function allOnes(size: number): number {
  return size >= 4 ? 0xffffffff : (1 << (8 * size)) - 1;
}

export class ConfigSpace {
  readonly bytes = new Uint8Array(PCI_CONFIG_SIZE);
  readonly wmask = new Uint8Array(PCI_CONFIG_SIZE);
  readonly w1cmask = new Uint8Array(PCI_CONFIG_SIZE);

  clear(): void {
    this.bytes.fill(0);
    this.wmask.fill(0);
    this.w1cmask.fill(0);
  }

  /** A read of `size` bytes (little-endian); bytes past the conventional space read 0xFF. */
  read(addr: number, size: number): number {
    let v = 0;
    for (let i = 0; i < size; i++) {
      const a = addr + i;
      v |= (a < PCI_CONFIG_SIZE ? this.bytes[a] : 0xff) << (8 * i);
    }
    return v >>> 0;
  }

  /** A guest write: only `wmask` bits change, `w1cmask` bits written as 1 clear, the rest is kept. */
  write(addr: number, size: number, value: number): void {
    for (let i = 0; i < size; i++) {
      const a = addr + i;
      if (a >= PCI_CONFIG_SIZE) return;
      const b = (value >>> (8 * i)) & 0xff, wm = this.wmask[a];
      this.bytes[a] = ((this.bytes[a] & ~wm) | (b & wm)) & ~(b & this.w1cmask[a]);
    }
  }

  // Device-side accessors: the function itself sets any bit, whatever the masks say.
  u8(addr: number): number { return this.bytes[addr]; }
  u16(addr: number): number { return this.bytes[addr] | (this.bytes[addr + 1] << 8); }
  u32(addr: number): number { return this.read(addr, 4); }
  set8(addr: number, v: number): void { this.bytes[addr] = v & 0xff; }
  set16(addr: number, v: number): void { this.set8(addr, v); this.set8(addr + 1, v >>> 8); }
  set32(addr: number, v: number): void { this.set16(addr, v); this.set16(addr + 2, v >>> 16); }
  setWmask16(addr: number, m: number): void { this.wmask[addr] = m & 0xff; this.wmask[addr + 1] = (m >>> 8) & 0xff; }
  setWmask32(addr: number, m: number): void { this.setWmask16(addr, m); this.setWmask16(addr + 2, m >>> 16); }
  setW1cmask16(addr: number, m: number): void { this.w1cmask[addr] = m & 0xff; this.w1cmask[addr + 1] = (m >>> 8) & 0xff; }
}
