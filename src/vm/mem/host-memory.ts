// Host memory: the buffer a memslot's userspace_addr points into (KVM_SET_USER_MEMORY_REGION).
// One ArrayBuffer with aligned typed views, shared by every vCPU, plus the decode cache that is
// indexed by host word (so it is shared too, and invalidated per written word: STYLE.md, speed).

export class HostMemory {
  readonly size: number;
  readonly u8: Uint8Array;
  readonly i8: Int8Array;
  readonly u16: Uint16Array;
  readonly i16: Int16Array;
  readonly i32: Int32Array;
  /** Two int32 slots per host word: packed op fields and immediate (see cpu/decode.ts). 0 = not decoded. */
  readonly decoded: Int32Array;

  constructor(bytes: number) {
    if (bytes <= 0 || bytes % 4096 !== 0) throw new RangeError(`host memory size must be a positive multiple of 4096, got ${bytes}`);
    const buffer = new ArrayBuffer(bytes);
    this.size = bytes;
    this.u8 = new Uint8Array(buffer);
    this.i8 = new Int8Array(buffer);
    this.u16 = new Uint16Array(buffer);
    this.i16 = new Int16Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.decoded = new Int32Array((bytes >>> 2) * 2);
  }

  /** Forget decoded instructions in [offset, offset + length): DMA, loader and debugger writes call this. */
  invalidateCode(offset: number, length: number): void {
    const first = offset >>> 2, last = (offset + length + 3) >>> 2;
    for (let w = first; w < last; w++) this.decoded[w << 1] = 0;
  }

  /** Copies bytes in (loader, DMA, debugger) and keeps the decode cache coherent. */
  write(offset: number, bytes: Uint8Array): void {
    this.u8.set(bytes, offset);
    this.invalidateCode(offset, bytes.length);
  }

  read(offset: number, length: number): Uint8Array {
    return this.u8.slice(offset, offset + length);
  }

  readU32(offset: number): number {
    return (this.u8[offset] | (this.u8[offset + 1] << 8) | (this.u8[offset + 2] << 16) | (this.u8[offset + 3] << 24)) >>> 0;
  }

  writeU32(offset: number, value: number): void {
    this.u8[offset] = value; this.u8[offset + 1] = value >>> 8; this.u8[offset + 2] = value >>> 16; this.u8[offset + 3] = value >>> 24;
    this.invalidateCode(offset, 4);
  }
}
