// 256-bit vector bitmaps (the LAPIC's IRR, ISR and TMR): eight 32-bit words, word i holding vectors
// 32i..32i+31, exactly as the eight 16-byte-spaced MMIO registers show them (SDM §11.8.4).

const VECTOR_WORDS = 8;

export function newVectorBitmap(): Uint32Array {
  return new Uint32Array(VECTOR_WORDS);
}

export function testVector(bitmap: Uint32Array, vector: number): boolean {
  return (bitmap[vector >>> 5] & (1 << (vector & 31))) !== 0;
}

export function setVector(bitmap: Uint32Array, vector: number): void {
  bitmap[vector >>> 5] |= 1 << (vector & 31);
}

export function clearVector(bitmap: Uint32Array, vector: number): void {
  bitmap[vector >>> 5] &= ~(1 << (vector & 31));
}

/** The highest vector set, or -1. */
export function highestVector(bitmap: Uint32Array): number {
  for (let i = VECTOR_WORDS - 1; i >= 0; i--) {
    const w = bitmap[i];
    if (w !== 0) return (i << 5) + 31 - Math.clz32(w);
  }
  return -1;
}

/** Every vector set, ascending (for views). */
export function vectorsOf(bitmap: Uint32Array): number[] {
  const out: number[] = [];
  for (let v = 0; v < VECTOR_WORDS * 32; v++) if (testVector(bitmap, v)) out.push(v);
  return out;
}
