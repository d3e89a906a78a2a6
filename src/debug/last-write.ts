// Where a memory word got its value (docs/translation.md "Where a PTE came from"; after Pernosco and
// rr: click a value, see the store that produced it, run back to it). The answer comes from the
// reverse-execution history: re-execute from the oldest position we can re-execute from, watching
// the words, and keep the last guest store to each. Determinism makes the re-execution exact, and
// the machine ends where it was, so asking changes nothing.
//
// A mem-access event fires inside a vCPU's run slice, where Machine.steps still says where the slice
// began. So the search is two passes: the first finds, for each word, the slice of its last store
// and how many stores to it that slice made; the second steps through that slice one instruction
// at a time to the exact step of the last one.
import type { LastWrite } from '../protocol';
import type { History, Machine, VmEvent } from '../vm';
import type { DebugPort } from '../vm/debug-port';

/** What the search needs from the debugger: the machine, its history, and how far back it may go. */
export interface WriteHistory {
  readonly machine: Machine;
  readonly history: History;
  readonly port: DebugPort;
  /** The earliest step re-execution from here reproduces exactly (external changes come after it). */
  readonly historyFloor: number;
}

type MemAccess = Extract<VmEvent, { kind: 'mem-access' }>;

/** The last store to each 4-byte word at `gpas` (RAM) before the present; absent if none is recorded. */
export function findLastWrites(h: WriteHistory, gpas: readonly number[]): Map<number, LastWrite> {
  const m = h.machine, end = m.steps, floor = h.historyFloor;
  const words = [...new Set(gpas.map(wordGpa))].filter((g) => h.port.hostOf(g) >= 0);
  const out = new Map<number, LastWrite>();
  if (words.length === 0 || end <= floor) return out;
  // Re-execution reproduces the machine exactly, but how many translations the CPU's fast tables
  // served (rather than the modeled TLB) depends on how the run was sliced and on the watches: those
  // counters are put back as they were, so asking leaves every statistic unchanged.
  const restoreCounters = h.port.saveFastPathCounters();
  try {
    searchHistory(h, words, end, floor, out);
  } finally {
    restoreCounters();
  }
  return out;
}

function searchHistory(h: WriteHistory, words: number[], end: number, floor: number, out: Map<number, LastWrite>): void {
  const m = h.machine;
  const wordOf = (e: MemAccess): number | undefined => {
    if (!e.write) return undefined;
    const first = e.gpa >>> 0;
    return words.find((w) => first < w + 4 && w < first + e.size);
  };
  // Pass 1: the slice of each word's last store, and how many stores that slice made to it.
  const last = new Map<number, { slice: number; count: number; event: MemAccess }>();
  watching(h, words, (e) => {
    const w = wordOf(e);
    if (w === undefined) return;
    const prev = last.get(w);
    last.set(w, { slice: m.steps, count: prev && prev.slice === m.steps ? prev.count + 1 : 1, event: e });
  }, () => { h.history.seek(floor); }, () => { h.history.seek(end); });
  // Pass 2: within each slice, the step of that last store.
  for (const [w, l] of last) {
    let seen = 0, step = -1;
    watching(h, [w], (e) => { if (wordOf(e) === w) { seen++; if (seen === l.count) step = m.steps; } }, () => { h.history.seek(l.slice); }, () => {
      // One instruction per seek: the event sees Machine.steps = the step of the storing instruction.
      while (step < 0 && m.steps < end) h.history.seek(m.steps + 1);
    });
    h.history.seek(end);
    const e = l.event;
    out.set(w, { cycle: e.cycle, pc: e.pc >>> 0, vcpu: e.vcpu, value: e.value >>> 0, step: step >= 0 ? step : l.slice });
  }
}

/** Runs `go` with `words` watched and `listen` subscribed, after `setup`; undoes both. */
function watching(h: WriteHistory, words: readonly number[], listen: (e: MemAccess) => void, setup: () => void, go: () => void): void {
  setup();
  const port = h.port;
  const hosts = words.map((w) => port.hostOf(w));
  for (const host of hosts) port.watch(host, 4, true);
  port.flushFastPaths(); // watched pages must leave the fast tables
  const off = h.machine.events.subscribe((e) => { if (e.kind === 'mem-access') listen(e); });
  try {
    go();
  } finally {
    off();
    for (const host of hosts) port.watch(host, 4, false);
    port.flushFastPaths();
  }
}

/** Where reverse-to-write lands: the store's step, or why there is none. */
export function lastWriteOf(h: WriteHistory, gpa: number): LastWrite | string {
  const g = wordGpa(gpa);
  if (h.port.hostOf(g) < 0) return `GPA 0x${g.toString(16)} is not RAM`;
  return findLastWrites(h, [g]).get(g) ?? `no store to GPA 0x${g.toString(16)} in the recorded history (its value is older, or came with the image)`;
}

/** The GPA of the aligned 32-bit word holding `gpa`. */
export function wordGpa(gpa: number): number {
  return (gpa - (gpa % 4)) >>> 0;
}
