/** Constant expressions: gas's operators, precedence, number syntax and 64-bit arithmetic. */
import { strict as assert } from 'assert';
import { dataBytes, warnings } from './helpers';

function wordOf(expr: string, prelude = ''): number {
  const b = dataBytes(`${prelude}\n.data\n.word ${expr}`).slice(-4);
  return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
}

const cases: readonly [expr: string, value: number][] = [
  ['1 + 2 * 3', 7],
  ['(1 + 2) * 3', 9],
  ['10 / 3', 3],
  ['-10 / 3', 0xfffffffd],
  ['10 % 3', 1],
  ['-10 % 3', 0xffffffff],
  ['1 << 4', 16],
  ['0x80 >> 4', 8],
  ['-1 >> 60', 0xf], // >> is a logical shift of the 64-bit value
  ['6 & 3', 2],
  ['6 | 3', 7],
  ['6 ^ 3', 5],
  ['~6', 0xfffffff9],
  ['-6', 0xfffffffa],
  ['!0', 1],
  ['!6', 0],
  ['1 - 1 | 1', 0], // | binds tighter than - in gas
  ['1 << 2 * 3', 12], // same rank, left to right
  ['2 == 1 + 1', 0xffffffff], // comparisons are true as -1
  ['3 > 2 > 1', 0],
  ['1 <> 2', 0xffffffff],
  ['2 <= 1', 0],
  ['1 && 2', 1],
  ['0 || 0', 0],
  ['5 ! 1', 0xffffffff], // or-not
  ['010', 8],
  ['0b101', 5],
  ['0x7fffffff', 0x7fffffff],
  ["'a'", 97],
  ["'\\n'", 10],
  ["'a + 1", 98], // gas accepts a character without the closing quote
  ['(0x12345678 >> 16) & 0xff', 0x34],
];

describe('expressions', () => {
  for (const [expr, value] of cases) {
    it(`${expr} = 0x${value.toString(16)}`, () => assert.equal(wordOf(expr), value));
  }

  it('uses symbols, equates and the location counter', () => {
    assert.equal(wordOf('A * 2 + B', '.equ A, 5\n.set B, A - 1'), 14);
    assert.equal(wordOf('. - start', '.data\nstart: .word 0, 0'), 8);
    assert.equal(wordOf('later - here', '.data\nhere: .skip 12\nlater:'), 12);
  });

  it('resolves an equate defined after its use', () => {
    assert.deepEqual(dataBytes('.data\n.word LATE + 1\n.equ LATE, 41').slice(0, 4), [42, 0, 0, 0]);
  });

  it('takes the value current at each use of a redefined .set', () => {
    assert.deepEqual(dataBytes('.data\n.set X, 1\n.byte X\n.set X, X + 1\n.byte X\nX = X * 10\n.byte X'), [1, 2, 20]);
  });

  it('warns like gas when a value does not fit its field', () => {
    assert.deepEqual(warnings('.data\n.byte 256\n.half -32769\n.byte -255\n.half 0x10000\n.byte -256'), [
      'test.s:2:7: warning: value 0x100 truncated to 0x0',
      'test.s:5:7: warning: value 0x10000 truncated to 0x0',
      'test.s:6:7: warning: value 0xffffffffffffff00 truncated to 0x0',
    ]);
  });
});
