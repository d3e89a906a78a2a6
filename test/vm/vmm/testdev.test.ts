import * as assert from 'assert';
import { TESTDEV_IRQ_LINE, TESTDEV_LEVEL, TestDev } from '../../../src/vm/vmm/testdev';

function setup(): { dev: TestDev; calls: [number, boolean, string][] } {
  const calls: [number, boolean, string][] = [];
  return { dev: new TestDev((gsi, level, device) => calls.push([gsi, level, device])), calls };
}

describe('IRQ test device', () => {
  it('drives GSI `gsi` to `level` on a 32-bit write of (level << 31) | gsi', () => {
    const { dev, calls } = setup();
    dev.write(TESTDEV_IRQ_LINE, 4, TESTDEV_LEVEL | 5);
    dev.write(TESTDEV_IRQ_LINE, 4, 5);
    dev.write(TESTDEV_IRQ_LINE, 4, (TESTDEV_LEVEL | 23) >>> 0);
    dev.write(TESTDEV_IRQ_LINE, 4, (TESTDEV_LEVEL | 0) | 0); // signed form of the same store
    assert.deepStrictEqual(calls, [[5, true, 'testdev'], [5, false, 'testdev'], [23, true, 'testdev'], [0, true, 'testdev']]);
    assert.deepStrictEqual([dev.levels[5], dev.levels[23], dev.levels[0]], [false, true, true]);
  });

  it('drives the line on every write, even at the level it already has (the receiver coalesces)', () => {
    const { dev, calls } = setup();
    dev.write(0, 4, TESTDEV_LEVEL | 4);
    dev.write(0, 4, TESTDEV_LEVEL | 4);
    assert.strictEqual(calls.length, 2);
  });

  it('reads back the last value written; peek is the same and changes nothing', () => {
    const { dev, calls } = setup();
    assert.strictEqual(dev.read(0, 4), 0);
    dev.write(0, 4, TESTDEV_LEVEL | 17);
    assert.strictEqual(dev.read(0, 4), 0x8000_0011);
    assert.strictEqual(dev.peek(0, 4), 0x8000_0011);
    assert.strictEqual(dev.read(3, 1), 0x80);
    assert.strictEqual(dev.peek(0, 2), 0x0011);
    assert.strictEqual(dev.read(0x10, 4), 0, 'nothing else in the page');
    assert.strictEqual(calls.length, 1);
    assert.strictEqual(dev.registerName(0), 'IRQ_LINE');
    assert.strictEqual(dev.registerName(8), undefined);
  });

  it('ignores and counts a GSI above 23, and narrow or misplaced writes', () => {
    const { dev, calls } = setup();
    dev.write(0, 4, TESTDEV_LEVEL | 24);
    dev.write(0, 4, 0x7fff_ffff);
    assert.deepStrictEqual(calls, []);
    assert.strictEqual(dev.invalidWrites, 2);
    assert.strictEqual(dev.read(0, 4), 0x7fff_ffff, 'the register still holds what was written');
    dev.write(0, 1, 5);
    dev.write(4, 4, TESTDEV_LEVEL | 5);
    assert.deepStrictEqual(calls, []);
    assert.strictEqual(dev.invalidWrites, 4);
  });

  it('drops the lines it holds on reset', () => {
    const { dev, calls } = setup();
    dev.write(0, 4, TESTDEV_LEVEL | 9);
    dev.write(0, 4, TESTDEV_LEVEL | 16);
    dev.write(0, 4, 16);
    calls.length = 0;
    dev.reset();
    assert.deepStrictEqual(calls, [[9, false, 'testdev']]);
    assert.strictEqual(dev.read(0, 4), 0);
  });
});
