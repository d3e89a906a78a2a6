// RV32M (unprivileged spec 20191213 ch. 7), with table 7.1's division corner cases, and property
// tests of the high-product and division instructions against BigInt references.
import * as assert from 'assert';
import fc from 'fast-check';
import { div, divu, li, mul, mulh, mulhsu, mulhu, rem, remu } from './encode';
import { BareRig, CODE, run } from './harness';

const T0 = 5, T1 = 6, T2 = 7;
const MIN = -0x80000000;

function rr(op: (rd: number, rs1: number, rs2: number) => number, a: number, b: number): number {
  return run([li(T0, a), li(T1, b), op(T2, T0, T1)]).x(T2);
}

// ---- BigInt references ----------------------------------------------------------------------

const U32 = (1n << 32n) - 1n;
const s64 = (v: number): bigint => BigInt(v | 0);
const u64 = (v: number): bigint => BigInt(v >>> 0);
const hi = (p: bigint): number => Number((p >> 32n) & U32);
const lo = (p: bigint): number => Number(p & U32);

const ref = {
  mul: (a: number, b: number): number => lo(s64(a) * s64(b)),
  mulh: (a: number, b: number): number => hi(s64(a) * s64(b)),
  mulhsu: (a: number, b: number): number => hi(s64(a) * u64(b)),
  mulhu: (a: number, b: number): number => hi(u64(a) * u64(b)),
  div: (a: number, b: number): number => (b === 0 ? 0xffffffff : (a | 0) === MIN && (b | 0) === -1 ? 0x80000000 : lo(s64(a) / s64(b))),
  divu: (a: number, b: number): number => (b === 0 ? 0xffffffff : lo(u64(a) / u64(b))),
  rem: (a: number, b: number): number => (b === 0 ? a >>> 0 : (a | 0) === MIN && (b | 0) === -1 ? 0 : lo(s64(a) % s64(b))),
  remu: (a: number, b: number): number => (b === 0 ? a >>> 0 : lo(u64(a) % u64(b))),
};

describe('RV32M', () => {
  it('mul gives the low 32 bits for every sign combination', () => {
    assert.strictEqual(rr(mul, 7, 6), 42);
    assert.strictEqual(rr(mul, -7, 6), (-42) >>> 0);
    assert.strictEqual(rr(mul, 7, -6), (-42) >>> 0);
    assert.strictEqual(rr(mul, -7, -6), 42);
    assert.strictEqual(rr(mul, 0x12345678, 0x9abcdef0), 0x242d2080);
    assert.strictEqual(rr(mul, MIN, -1), 0x80000000);
  });

  it('mulh: signed × signed high word', () => {
    assert.strictEqual(rr(mulh, 7, 6), 0);
    assert.strictEqual(rr(mulh, -7, 6), 0xffffffff);
    assert.strictEqual(rr(mulh, 7, -6), 0xffffffff);
    assert.strictEqual(rr(mulh, -7, -6), 0);
    assert.strictEqual(rr(mulh, -1, -1), 0);
    assert.strictEqual(rr(mulh, MIN, MIN), 0x40000000);
    assert.strictEqual(rr(mulh, MIN, -1), 0);
    assert.strictEqual(rr(mulh, MIN, 1), 0xffffffff);
    assert.strictEqual(rr(mulh, 0x7fffffff, 0x7fffffff), 0x3fffffff);
    assert.strictEqual(rr(mulh, 0x7fffffff, MIN), 0xc0000000);
  });

  it('mulhsu: signed × unsigned high word', () => {
    assert.strictEqual(rr(mulhsu, 7, 6), 0);
    assert.strictEqual(rr(mulhsu, -1, -1), 0xffffffff, '-1 × 0xffffffff = -0xffffffff');
    assert.strictEqual(rr(mulhsu, 1, -1), 0);
    assert.strictEqual(rr(mulhsu, -7, 6), 0xffffffff);
    assert.strictEqual(rr(mulhsu, MIN, -1), 0x80000000, '-2^31 × (2^32 - 1)');
    assert.strictEqual(rr(mulhsu, MIN, MIN), 0xc0000000, '-2^31 × 2^31 = -2^62');
    assert.strictEqual(rr(mulhsu, 0x7fffffff, -1), 0x7ffffffe);
  });

  it('mulhu: unsigned × unsigned high word', () => {
    assert.strictEqual(rr(mulhu, 7, 6), 0);
    assert.strictEqual(rr(mulhu, -1, -1), 0xfffffffe);
    assert.strictEqual(rr(mulhu, MIN, MIN), 0x40000000);
    assert.strictEqual(rr(mulhu, MIN, 2), 1);
    assert.strictEqual(rr(mulhu, 0x12345678, 0x9abcdef0), 0x0b00ea4e);
  });

  it('div truncates toward zero', () => {
    assert.strictEqual(rr(div, 7, 2), 3);
    assert.strictEqual(rr(div, -7, 2), (-3) >>> 0);
    assert.strictEqual(rr(div, 7, -2), (-3) >>> 0);
    assert.strictEqual(rr(div, -7, -2), 3);
  });

  it('div / divu / rem / remu by zero (table 7.1)', () => {
    assert.strictEqual(rr(div, 42, 0), 0xffffffff);
    assert.strictEqual(rr(div, -42, 0), 0xffffffff);
    assert.strictEqual(rr(divu, 42, 0), 0xffffffff);
    assert.strictEqual(rr(rem, 42, 0), 42);
    assert.strictEqual(rr(rem, -42, 0), (-42) >>> 0);
    assert.strictEqual(rr(remu, 0xfffffff0, 0), 0xfffffff0);
  });

  it('div / rem overflow: INT_MIN / -1 (table 7.1)', () => {
    assert.strictEqual(rr(div, MIN, -1), 0x80000000);
    assert.strictEqual(rr(rem, MIN, -1), 0);
    assert.strictEqual(rr(divu, MIN, -1), 0, 'unsigned: 0x80000000 / 0xffffffff');
    assert.strictEqual(rr(remu, MIN, -1), 0x80000000);
  });

  it('rem takes the sign of the dividend; divu / remu are unsigned', () => {
    assert.strictEqual(rr(rem, 7, 2), 1);
    assert.strictEqual(rr(rem, -7, 2), (-1) >>> 0);
    assert.strictEqual(rr(rem, 7, -2), 1);
    assert.strictEqual(rr(rem, -7, -2), (-1) >>> 0);
    assert.strictEqual(rr(divu, -1, 2), 0x7fffffff);
    assert.strictEqual(rr(divu, -1, -1), 1);
    assert.strictEqual(rr(remu, -1, 10), 5);
    assert.strictEqual(rr(remu, 5, -1), 5);
  });

  describe('properties against BigInt references', () => {
    // One rig, the whole M extension in a row; each sample sets t0/t1 and runs it again.
    const ops = [mul, mulh, mulhsu, mulhu, div, divu, rem, remu];
    const names = ['mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu'] as const;
    const rig = new BareRig(ops.map((op, i) => op(10 + i, T0, T1)));
    function check(a: number, b: number): void {
      rig.cpu.x[T0] = a;
      rig.cpu.x[T1] = b;
      rig.cpu.pc = CODE;
      rig.step(ops.length);
      names.forEach((name, i) => assert.strictEqual(rig.x(10 + i), ref[name](a, b), `${name}(${a}, ${b})`));
    }
    const int32 = fc.integer({ min: MIN, max: 0x7fffffff });
    // Bias toward the corners: 0, ±1, INT_MIN, INT_MAX and small values.
    const edgy = fc.oneof(int32, fc.constantFrom(0, 1, -1, 2, -2, MIN, 0x7fffffff, MIN + 1), fc.integer({ min: -16, max: 16 }));

    it('mul / mulh / mulhsu / mulhu / div / divu / rem / remu match BigInt over random int32 pairs', () => {
      fc.assert(fc.property(edgy, edgy, (a, b) => check(a, b)), { numRuns: 3000 });
    });

    it('the same over every pair of corner values', () => {
      const corners = [0, 1, -1, 2, -2, 3, MIN, MIN + 1, 0x7fffffff, 0x7ffffffe, 0x10000, -0x10000, 0xffff, 0x8000];
      for (const a of corners) for (const b of corners) check(a, b);
    });
  });
});
