// In-place snapshots (src/vm/snapshot.ts): a restore puts every object back as it was at the capture,
// including keys added to a plain object after it (a counter's first increment), which must go.
import * as assert from 'assert';
import { captureGraph, restoreGraph } from '../../src/vm/snapshot';

describe('snapshot: restoring an object graph', () => {
  it('removes keys added after the capture and restores changed ones', () => {
    const counters: Record<string, number> = { handled: 1 };
    const root = { counters, list: [1, 2] };
    const snap = captureGraph(root);
    counters.handled = 5;
    counters.lost = 2;
    root.list.push(3);
    restoreGraph(snap);
    assert.deepStrictEqual(counters, { handled: 1 });
    assert.deepStrictEqual(root.list, [1, 2]);
    assert.strictEqual(root.counters, counters, 'the same object, rewound in place');
  });
});
