// The test finisher, compatible with QEMU's `sifive_test` (hw/misc/sifive_test.c): a 32-bit write
// whose low half is 0x5555 powers off with status 0, 0x3333 with status = the high half, 0x7777
// resets. Other values are ignored, reads return 0.
import { MmioDevice } from './device';

const FINISHER_PASS = 0x5555, FINISHER_FAIL = 0x3333, FINISHER_RESET = 0x7777;

export type FinisherAction = { kind: 'poweroff'; code: number } | { kind: 'reset' };

export class Finisher implements MmioDevice {
  readonly name = 'finisher';
  readonly registerWidth = 4;

  constructor(private readonly onAction: (action: FinisherAction) => void) {}

  read(): number { return 0; }
  peek(): number { return 0; }

  write(offset: number, _size: number, value: number): void {
    if (offset !== 0) return;
    const status = value & 0xffff, code = (value >>> 16) & 0xffff;
    if (status === FINISHER_PASS) this.onAction({ kind: 'poweroff', code: 0 });
    else if (status === FINISHER_FAIL) this.onAction({ kind: 'poweroff', code });
    else if (status === FINISHER_RESET) this.onAction({ kind: 'reset' });
  }

  registerName(offset: number): string | undefined {
    return offset === 0 ? 'FINISHER' : undefined;
  }
}
