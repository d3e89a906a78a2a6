// The 64-bit counters (mcycle/minstret and their user views, privileged spec 1.12 §3.1.11) as
// (free-running count + offset) mod 2^64. The count is what the run loop keeps anyway (a JS integer,
// exact below 2^53, so the hot loop stays one add); software writes only move the offset, kept as
// two uint32 halves so a write of 0xffffffff to both halves, then one more retired instruction,
// wraps to exactly 0 with the carry into the high half (what rv32mi-p-instret_overflow checks).
// Doubles cannot do that: 2^64 - 1 is not representable.

const TWO32 = 2 ** 32;

/** (count + offset) mod 2^64 as [high, low] uint32 halves; count is a non-negative integer below 2^53. */
export function counterValue(count: number, offHi: number, offLo: number): [number, number] {
  const lo = (count % TWO32) + (offLo >>> 0);
  const hi = Math.floor(count / TWO32) + (offHi >>> 0) + (lo >= TWO32 ? 1 : 0);
  return [hi >>> 0, lo >>> 0];
}

/** The offset, as [high, low], that makes (count + offset) mod 2^64 = (hi, lo). */
export function counterOffset(count: number, hi: number, lo: number): [number, number] {
  const d = (lo >>> 0) - (count % TWO32); // in (-2^32, 2^32): a borrow from the high half when negative
  return [((hi >>> 0) - Math.floor(count / TWO32) - (d < 0 ? 1 : 0)) >>> 0, d >>> 0];
}
