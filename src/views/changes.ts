// What changed in a node's text since the previous stop, for the change marks (decorations.ts,
// docs/extension.md "Change marks"). Pure (no vscode), so that it is unit-tested with mocha.

/** How the views join the facts of one line ("enabled · TPR 0x00 · IRR {0x31}"): the unit a change mark highlights. */
export const SEGMENT_SEPARATOR = ' · ';

/** What a node's change mark highlights. */
export interface ChangeMark {
  /** The label is new or different (a node absent at the previous stop counts as new). */
  readonly label: boolean;
  /** Half-open [start, end) character ranges of the description that changed. */
  readonly description: readonly (readonly [number, number])[];
}

/** The text a node's value is compared by: its label and description. */
export function shownValue(label: string, description: string | undefined): string {
  return `${label}\u0000${description ?? ''}`;
}

/**
 * What changed between `before` (the node's value at the previous stop, undefined when the node is
 * new) and the label and description shown now. `opaque`: the node compares a value of its own (a
 * counter), so the whole description is marked.
 */
export function changedParts(label: string, description: string, before: string | undefined, opaque: boolean): ChangeMark {
  if (before === undefined) return { label: true, description: [] };
  if (opaque) return description ? { label: false, description: [[0, description.length]] } : { label: true, description: [] };
  const sep = before.indexOf('\u0000');
  const oldLabel = sep < 0 ? before : before.slice(0, sep);
  const oldSegments = sep < 0 ? [] : before.slice(sep + 1).split(SEGMENT_SEPARATOR);
  const ranges: [number, number][] = [];
  let at = 0;
  for (const seg of description ? description.split(SEGMENT_SEPARATOR) : []) {
    const i = oldSegments.indexOf(seg);
    if (i >= 0) oldSegments.splice(i, 1);
    else {
      const [from, to] = changedWords(seg, oldSegments);
      ranges.push([at + from, at + to]);
    }
    at += seg.length + SEGMENT_SEPARATOR.length;
  }
  const labelChanged = oldLabel !== label;
  // Only something removed ("remote IRR" gone): nothing left to highlight but the row's name.
  return { label: labelChanged || ranges.length === 0, description: ranges };
}

/**
 * The part of a changed segment to highlight: the words that differ from the old segment of the same
 * name, so that "IRR {0x31}" after "IRR {}" highlights "{0x31}" and "PIRQ 3 → GSI 19 → 0x31 → LAPIC 0"
 * after "… → 0x00 → …" highlights "0x31". Whole words, never nothing.
 */
function changedWords(seg: string, oldSegments: readonly string[]): [number, number] {
  const name = seg.split(' ')[0];
  const old = oldSegments.find((o) => o.split(' ')[0] === name);
  if (old === undefined) return [0, seg.length];
  let head = 0;
  while (head < seg.length && head < old.length && seg[head] === old[head]) head++;
  let tail = 0;
  while (tail < seg.length - head && tail < old.length - head && seg[seg.length - 1 - tail] === old[old.length - 1 - tail]) tail++;
  // Widen to whole words: back to the space before the first differing character, on to the one after the last.
  const start = seg.lastIndexOf(' ', head - 1) + 1;
  const after = seg.indexOf(' ', seg.length - tail);
  const end = tail === 0 || after < 0 ? seg.length : after;
  return end > start ? [start, end] : [0, seg.length];
}

