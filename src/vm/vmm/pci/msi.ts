// The MSI capability (PCI Local Bus 3.0 §6.8.1): 32-bit message address, 16-bit message data, one
// vector (Multiple Message Capable = 0), optionally with per-vector masking (§6.8.1.7–8). The
// function signals by a memory write of `data` to `address`; on this machine that write lands in
// the LAPIC range 0xFEE0_0000–0xFEEF_FFFF (docs/machine.md). Semantics checked against QEMU hw/pci/msi.c.
import { ConfigSpace, PCI_CAP_ID_MSI } from './config';

// Offsets inside the capability (32-bit layout).
export const PCI_MSI_FLAGS = 0x02, PCI_MSI_ADDRESS_LO = 0x04, PCI_MSI_DATA_32 = 0x08,
  PCI_MSI_MASK_32 = 0x0c, PCI_MSI_PENDING_32 = 0x10;
// Message Control bits. Multiple Message Capable (bits 3:1) and 64-bit capable (bit 7) read 0: one
// vector, a 32-bit address.
export const PCI_MSI_FLAGS_ENABLE = 0x0001, PCI_MSI_FLAGS_QSIZE = 0x0070, PCI_MSI_FLAGS_MASKBIT = 0x0100;

export interface MsiMessage { address: number; data: number }

/** What asking the capability to signal produced. */
type MsiOutcome = { kind: 'send'; message: MsiMessage } | { kind: 'masked' } | { kind: 'disabled' };

export class MsiCapability {
  /** Size in bytes of the capability structure: 0x0a, or 0x14 with the mask and pending registers. */
  readonly length: number;

  constructor(private readonly cfg: ConfigSpace, readonly offset: number, readonly perVectorMasking: boolean) {
    this.length = perVectorMasking ? 0x14 : 0x0a;
  }

  /** Writes the power-on capability and its masks; `next` is the next capability pointer (0 = end). */
  install(next: number): void {
    const o = this.offset, c = this.cfg;
    c.set8(o, PCI_CAP_ID_MSI);
    c.set8(o + 1, next);
    // MMC = 0 (one vector), not 64-bit capable. MME stays writable, as the spec makes it RW; with a
    // single vector its value changes nothing (the function never alters the data's low bits).
    c.set16(o + PCI_MSI_FLAGS, this.perVectorMasking ? PCI_MSI_FLAGS_MASKBIT : 0);
    c.setWmask16(o + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
    c.setWmask32(o + PCI_MSI_ADDRESS_LO, 0xfffffffc); // DWORD aligned: bits 1:0 read 0
    c.setWmask16(o + PCI_MSI_DATA_32, 0xffff);
    if (this.perVectorMasking) c.setWmask32(o + PCI_MSI_MASK_32, 0x1); // one vector, one mask bit; pending is RO
  }

  get control(): number { return this.cfg.u16(this.offset + PCI_MSI_FLAGS); }
  get enabled(): boolean { return (this.control & PCI_MSI_FLAGS_ENABLE) !== 0; }
  get message(): MsiMessage {
    return { address: this.cfg.u32(this.offset + PCI_MSI_ADDRESS_LO), data: this.cfg.u16(this.offset + PCI_MSI_DATA_32) };
  }
  get masked(): boolean {
    return this.perVectorMasking && (this.cfg.u32(this.offset + PCI_MSI_MASK_32) & 1) !== 0;
  }
  get pending(): boolean {
    return this.perVectorMasking && (this.cfg.u32(this.offset + PCI_MSI_PENDING_32) & 1) !== 0;
  }

  /** The function wants to interrupt: the message to send, or the pending bit set while masked (§6.8.1.8). */
  notify(): MsiOutcome {
    if (!this.enabled) return { kind: 'disabled' };
    if (this.masked) {
      this.setPending(true);
      return { kind: 'masked' };
    }
    return { kind: 'send', message: this.message };
  }

  /**
   * After a guest write to the capability: an unmasked vector whose pending bit is set is sent now
   * and its pending bit cleared. Returns that message, if any.
   */
  releasePending(): MsiMessage | undefined {
    if (!this.enabled || !this.pending || this.masked) return undefined;
    this.setPending(false);
    return this.message;
  }

  contains(addr: number): boolean {
    return addr >= this.offset && addr < this.offset + this.length;
  }

  /** Register name for byte `addr` inside the capability. */
  fieldName(addr: number): string {
    const r = addr - this.offset;
    if (r === 0) return 'MSI CAP_ID';
    if (r === 1) return 'MSI NEXT';
    if (r < PCI_MSI_ADDRESS_LO) return 'MSI FLAGS';
    if (r < PCI_MSI_DATA_32) return 'MSI ADDRESS_LO';
    if (r < PCI_MSI_DATA_32 + 2) return 'MSI DATA';
    if (r < PCI_MSI_MASK_32) return 'MSI reserved';
    return r < PCI_MSI_PENDING_32 ? 'MSI MASK' : 'MSI PENDING';
  }

  private setPending(on: boolean): void {
    const a = this.offset + PCI_MSI_PENDING_32;
    this.cfg.set32(a, on ? this.cfg.u32(a) | 1 : this.cfg.u32(a) & ~1);
  }
}
