// Message-signalled interrupts: the x86 MSI address/data format (SDM vol. 3 §11.11.1, §11.11.2).
// A PCI device writes `data` to `address` in 0xFEE0_0000–0xFEEF_FFFF; the split-irqchip IOAPIC in
// the VMM delivers its redirection entries the same way (QEMU hw/intc/ioapic.c ioapic_entry_parse,
// then KVM_SIGNAL_MSI / an MSI GSI route, docs/architecture.md, `split`).
import { ApicMessage, DestMode, Shorthand } from './message';
import type { RedirectionEntry } from './redirection-entry';

export const MSI_ADDRESS_BASE = 0xfee0_0000;
/** The address window: bits 31:20 must be 0xFEE. */
const MSI_ADDRESS_MASK = 0xfff0_0000;

const ADDR_DEST_SHIFT = 12;      // bits 19:12 destination ID
const ADDR_REDIR_HINT = 1 << 3;  // RH
const ADDR_DEST_MODE = 1 << 2;   // DM: 1 = logical
const DATA_DELIVERY_SHIFT = 8;   // bits 10:8
// bit 14, level (assert), matters for level-triggered messages only: MSIs here always assert
const DATA_TRIGGER = 1 << 15;    // trigger mode: 1 = level

interface MsiMessage {
  address: number;
  data: number;
}

/** The MSI an IOAPIC redirection entry becomes (QEMU's ioapic_entry_parse, no interrupt remapping). */
export function toMsi(entry: Pick<RedirectionEntry, 'vector' | 'deliveryMode' | 'destMode' | 'trigMode' | 'destination'>): MsiMessage {
  const address = (MSI_ADDRESS_BASE | ((entry.destination & 0xff) << ADDR_DEST_SHIFT) | ((entry.destMode & 1) << 2)) >>> 0;
  const data = ((entry.vector & 0xff) | ((entry.deliveryMode & 7) << DATA_DELIVERY_SHIFT) | ((entry.trigMode & 1) << 15)) >>> 0;
  return { address, data };
}

/**
 * Decodes an MSI write into an APIC bus message, or undefined when the address is not in the
 * interrupt window. As KVM's kvm_set_msi_irq: the level bit is ignored (the message always
 * asserts), the redirection hint is kept (it selects lowest-priority arbitration), no shorthand.
 */
export function msiToMessage(address: number, data: number, source = 'msi'): ApicMessage | undefined {
  if (((address & MSI_ADDRESS_MASK) >>> 0) !== MSI_ADDRESS_BASE) return undefined;
  return {
    vector: data & 0xff,
    deliveryMode: (data >>> DATA_DELIVERY_SHIFT) & 7,
    destMode: address & ADDR_DEST_MODE ? DestMode.Logical : DestMode.Physical,
    destination: (address >>> ADDR_DEST_SHIFT) & 0xff,
    trigMode: data & DATA_TRIGGER ? 1 : 0,
    level: true,
    shorthand: Shorthand.None,
    redirectionHint: (address & ADDR_REDIR_HINT) !== 0,
    sourceApic: -1,
    source,
  };
}
