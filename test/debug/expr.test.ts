// The expression language of conditions, logpoints, watches and the debug console.
import * as assert from 'assert';
import { EvalContext, evaluate, ExprError, interpolate, parseExpression, Value } from '../../src/debug/expr';

const MEM = new Map<number, number>([[0x1000, 0x44], [0x1001, 0x33], [0x1002, 0x22], [0x1003, 0x11]]);
const ctx = (fields: Record<string, Value> = {}): EvalContext => ({
  lookup: (n) => ({ a0: 5, a1: 0xffffffff, sp: 0x1000, reason: 'EPT_MISCONFIG', write: true, ...fields } as Record<string, Value>)[n],
  read: (a, size, physical) => {
    let v = 0;
    for (let k = 0; k < size; k++) {
      const b = MEM.get(a + k);
      if (b === undefined) throw new ExprError(`no RAM at ${a + k}${physical ? ' (GPA)' : ''}`);
      v |= b << (8 * k);
    }
    return v >>> 0;
  },
});
const ev = (text: string, fields?: Record<string, Value>): Value => evaluate(parseExpression(text), ctx(fields));

describe('debug adapter: expressions', () => {
  it('computes over unsigned 32-bit integers with C precedence', () => {
    assert.strictEqual(ev('1 + 2 * 3'), 7);
    assert.strictEqual(ev('(1 + 2) * 3'), 9);
    assert.strictEqual(ev('a0 << 28'), 0x50000000);
    assert.strictEqual(ev('a1 + 1'), 0);
    assert.strictEqual(ev('-1'), 0xffffffff);
    assert.strictEqual(ev('a1 == -1'), true);
    assert.strictEqual(ev('s32(a1) < 0'), true);
    assert.strictEqual(ev('0x10 | 0b11 ^ 0o7'), 0x10 | (3 ^ 7));
    assert.strictEqual(ev('~0 >> 28'), 0xf);
    assert.strictEqual(ev('7 / 2 + 7 % 2'), 4);
    assert.strictEqual(ev('a0 > 3 && a0 <= 5 || nonsense'), true);
    assert.strictEqual(ev('a0 ? 1 : 2'), 1);
    assert.strictEqual(ev('1_000_000'), 1000000);
    assert.strictEqual(ev('bits(0xabcd, 11, 4)'), 0xbc);
    assert.strictEqual(ev('bit(a0, 2)'), 1);
    assert.strictEqual(ev('0xffffffff * 0xffffffff'), 1);
  });

  it('compares strings and booleans (event fields)', () => {
    assert.strictEqual(ev("reason == 'EPT_MISCONFIG' && write"), true);
    assert.strictEqual(ev('reason != "EPT_VIOLATION"'), true);
    assert.strictEqual(ev('write == 1'), true);
    assert.strictEqual(ev('!write'), false);
    assert.strictEqual(ev("'a' + 1"), 'a1');
    assert.strictEqual(ev('gsi == 19', { gsi: 19 }), true);
  });

  it('reads memory without side effects through its functions', () => {
    assert.strictEqual(ev('*sp'), 0x11223344);
    assert.strictEqual(ev('u8(sp + 1)'), 0x33);
    assert.strictEqual(ev('u16(0x1002)'), 0x1122);
    assert.strictEqual(ev('i8(0x1000) + 0'), 0x44);
    assert.strictEqual(ev('p32(0x1000)'), 0x11223344);
    assert.throws(() => ev('u32(0x2000)'), /no RAM at 8192/);
  });

  it('names the problem, with its column', () => {
    assert.throws(() => parseExpression('a0 +'), /unexpected end of expression/);
    assert.throws(() => parseExpression('a0 + )'), /unexpected '\)' at column 6/);
    assert.throws(() => parseExpression('a0 # 1'), /unexpected '#' at column 4/);
    assert.throws(() => parseExpression("'abc"), /unterminated string at column 1/);
    assert.throws(() => parseExpression(''), /empty expression/);
    assert.throws(() => ev('nosuch'), /unknown name 'nosuch'/);
    assert.throws(() => ev('1 / 0'), /division by zero/);
    assert.throws(() => ev('frob(1)'), /unknown function 'frob'/);
    assert.throws(() => ev("'a' * 2"), /is a string, not a number/);
  });

  it('interpolates logpoint messages', () => {
    const c = ctx();
    assert.strictEqual(interpolate('a0={a0} dec={a0,d} char={0x41,c} {{literal}} {reason}', c), 'a0=0x5 dec=5 char=A {literal} EPT_MISCONFIG');
    assert.strictEqual(interpolate('bad={nosuch} ok', c), "bad=<error: unknown name 'nosuch'> ok");
    assert.strictEqual(interpolate('open {a0', c), 'open {a0');
  });
});
