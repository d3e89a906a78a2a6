// The IRQ test device (docs/machine.md), after QEMU's pc-testdev that kvm-unit-tests drive: the guest
// raises or lowers any GSI "from the device side" with one store, so interrupt-controller tests
// need no real device. A 32-bit write of (level << 31) | gsi to offset 0 drives GSI `gsi` to
// `level`; reading returns the last value written. GSIs above 23 (the IOAPIC's 24 pins) are
// ignored and counted.
import { MmioDevice } from './device';

export const TESTDEV_BASE = 0x0010_1000;
export const TESTDEV_SIZE = 0x1000;
export const TESTDEV_IRQ_LINE = 0x0;
export const TESTDEV_LEVEL = 0x8000_0000;
const TESTDEV_GSI_MASK = 0x7fff_ffff;
const TESTDEV_MAX_GSI = 23;

export class TestDev implements MmioDevice {
  readonly name = 'testdev';
  readonly registerWidth = 4;
  /** The last value written to IRQ_LINE (also after an ignored write). */
  last = 0;
  /** Writes that named a GSI above 23, or were not a 32-bit store to IRQ_LINE. */
  invalidWrites = 0;
  /** The level this device drives on each GSI, for `info irq` and views. */
  readonly levels = new Array<boolean>(TESTDEV_MAX_GSI + 1).fill(false);

  /** `setGsi` is KVM_IRQ_LINE (or the VMM IOAPIC's set_irq); `device` is 'testdev', for the irqchip's 'irq-line' event. */
  constructor(private readonly setGsi: (gsi: number, level: boolean, device: string) => void) {}

  read(offset: number, size: number): number {
    return this.peek(offset, size);
  }

  peek(offset: number, size: number): number {
    if ((offset & ~3) !== TESTDEV_IRQ_LINE) return 0;
    const v = this.last >>> ((offset & 3) * 8);
    return size >= 4 ? v >>> 0 : v & ((1 << (8 * size)) - 1);
  }

  write(offset: number, size: number, value: number): void {
    if (offset !== TESTDEV_IRQ_LINE || size !== 4) { this.invalidWrites++; return; }
    this.last = value >>> 0;
    const gsi = value & TESTDEV_GSI_MASK, level = (value & TESTDEV_LEVEL) !== 0;
    if (gsi > TESTDEV_MAX_GSI) { this.invalidWrites++; return; }
    this.levels[gsi] = level;
    // Every write drives the line, even to the level it already has: the receiver coalesces, as
    // KVM_IRQ_LINE does, so a test can re-raise an edge line and watch it being coalesced.
    this.setGsi(gsi, level, this.name);
  }

  registerName(offset: number): string | undefined {
    return (offset & ~3) === TESTDEV_IRQ_LINE ? 'IRQ_LINE' : undefined;
  }

  /** System reset: the register and counter clear and every line this device holds high drops. */
  reset(): void {
    this.last = 0;
    this.invalidWrites = 0;
    this.levels.forEach((high, gsi) => {
      if (!high) return;
      this.levels[gsi] = false;
      this.setGsi(gsi, false, this.name);
    });
  }
}
