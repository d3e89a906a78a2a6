// What a device in the VMM offers the memory-region tree: guest reads and writes with their side
// effects, and a peek path without them (docs/machine.md: inspecting a register never changes the device).

export interface MmioDevice {
  /** Stable name used by statistics, traces and breakpoints: 'uart', 'finisher', 'testdev', … */
  readonly name: string;
  /**
   * Width of the device's registers in bytes. The bus splits wider guest accesses into several
   * register accesses at consecutive offsets, as QEMU's memory core does for `impl.max_access_size`.
   */
  readonly registerWidth: 1 | 4;
  read(offset: number, size: number): number;
  write(offset: number, size: number, value: number): void;
  /** What `read` would return, without its side effects. */
  peek(offset: number, size: number): number;
  /** The datasheet name of the register at `offset`, for traces, hovers and stop messages. */
  registerName(offset: number, isWrite: boolean): string | undefined;
}
