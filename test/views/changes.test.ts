// The change marks' diff (src/views/changes.ts): what a node's mark highlights, given what the
// node showed at the previous stop.
import * as assert from 'assert';
import { changedParts, shownValue } from '../../src/views/changes';

/** The highlighted parts of `description` (and "<label>" when the label is marked). */
function marked(label: string, description: string, before: string | undefined, opaque = false): string[] {
  const m = changedParts(label, description, before, opaque);
  return [...(m.label ? ['<label>'] : []), ...m.description.map(([s, e]) => description.slice(s, e))];
}

describe('views: change marks', () => {
  it('highlights the changed value, not its name', () => {
    assert.deepStrictEqual(marked('IRR', '{0x31}', shownValue('IRR', '{}')), ['{0x31}']);
    assert.deepStrictEqual(marked('LAPIC 0', 'enabled · TPR 0x00 · IRR {0x31} · ISR {}', shownValue('LAPIC 0', 'enabled · TPR 0x00 · IRR {} · ISR {}')), ['{0x31}']);
  });

  it('highlights the changed words inside a chain', () => {
    const before = shownValue('nic', 'PIRQ D (3) → GSI 19 → 0x00 → LAPIC 0 · idle');
    assert.deepStrictEqual(marked('nic', 'PIRQ D (3) → GSI 19 → 0x31 → LAPIC 0 · pending in IRR', before), ['0x31', 'pending in IRR']);
  });

  it('marks a new segment whole and leaves unchanged ones alone, wherever they moved', () => {
    const before = shownValue('GSI 19', 'nic INTA · masked');
    assert.deepStrictEqual(marked('GSI 19', 'line asserted · nic INTA · masked', before), ['line asserted']);
  });

  it('marks the label of a new node, or of one whose only change is a removal', () => {
    assert.deepStrictEqual(marked('EPT_MISCONFIG', 'cycle 5', undefined), ['<label>']);
    assert.deepStrictEqual(marked('GSI 19', 'nic INTA', shownValue('GSI 19', 'nic INTA · remote IRR')), ['<label>']);
  });

  it('marks all of an opaque value (a counter compared by its count)', () => {
    assert.deepStrictEqual(marked('EPT_MISCONFIG', '62  (+3)', '59', true), ['62  (+3)']);
  });

  it('marks nothing when nothing changed', () => {
    const before = shownValue('Vector', '0x31');
    assert.deepStrictEqual(changedParts('Vector', '0x31', before, false).description, []);
  });
});
