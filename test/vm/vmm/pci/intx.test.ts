import * as assert from 'assert';
import { IntxRouter, PIRQ_GSI_BASE, intxGsi, swizzle } from '../../../../src/vm/vmm/pci/intx';

describe('PCI INTx routing', () => {
  it('swizzles every slot and pin: PIRQ (slot + pin) mod 4, GSI 16 + PIRQ', () => {
    // The first four rows spelled out (INTA..INTD), then the rule for all 32 slots.
    const firstRows = [
      [0, 1, 2, 3],
      [1, 2, 3, 0],
      [2, 3, 0, 1],
      [3, 0, 1, 2],
    ];
    firstRows.forEach((row, slot) => row.forEach((pirq, pin) => assert.strictEqual(swizzle(slot, pin), pirq, `slot ${slot} pin ${pin}`)));
    for (let slot = 0; slot < 32; slot++) {
      for (let pin = 0; pin < 4; pin++) {
        assert.strictEqual(swizzle(slot, pin), (slot + pin) % 4);
        assert.strictEqual(intxGsi(slot, pin), 16 + ((slot + pin) % 4));
        assert.ok(intxGsi(slot, pin) >= 16 && intxGsi(slot, pin) <= 19);
      }
    }
    assert.strictEqual(intxGsi(3, 0), 19);
    assert.strictEqual(intxGsi(4, 0), 16);
    assert.strictEqual(intxGsi(1, 0), 17);
  });

  it('ORs the sources sharing a PIRQ and calls setGsi only when the OR changes', () => {
    const calls: [number, boolean, string][] = [];
    const r = new IntxRouter((gsi, level, device) => calls.push([gsi, level, device]));
    // slot 1 INTA and slot 5 INTA both land on PIRQB = GSI 17.
    assert.deepStrictEqual(r.setLevel('00:01.0 INTA', 'a', 1, 0, true), { gsi: 17, lineChanged: true });
    assert.deepStrictEqual(r.setLevel('00:05.0 INTA', 'b', 5, 0, true), { gsi: 17, lineChanged: false });
    assert.deepStrictEqual(calls, [[17, true, 'a']]);
    assert.strictEqual(r.levelWith('00:01.0 INTA', 1, false), true, 'b still holds the line');
    r.setLevel('00:01.0 INTA', 'a', 1, 0, false);
    assert.strictEqual(calls.length, 1, 'b still asserts: no change');
    assert.strictEqual(r.pirqLevel(1), true);
    assert.deepStrictEqual(r.sources(1), ['00:05.0 INTA']);
    r.setLevel('00:05.0 INTA', 'b', 5, 0, false);
    assert.deepStrictEqual(calls, [[17, true, 'a'], [17, false, 'b']]);
    assert.strictEqual(r.pirqLevel(1), false);
  });

  it('keeps different PIRQs apart and treats a repeated level as no change', () => {
    const calls: [number, boolean][] = [];
    const r = new IntxRouter((gsi, level) => calls.push([gsi, level]));
    r.setLevel('x', 'x', 2, 0, true); // PIRQC
    r.setLevel('x', 'x', 2, 0, true);
    r.setLevel('y', 'y', 2, 1, true); // PIRQD
    assert.deepStrictEqual(calls, [[PIRQ_GSI_BASE + 2, true], [PIRQ_GSI_BASE + 3, true]]);
    r.setLevel('x', 'x', 2, 0, false);
    assert.deepStrictEqual(calls.at(-1), [18, false]);
    assert.strictEqual(r.pirqLevel(3), true);
  });
});
