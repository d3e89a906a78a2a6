// In-place snapshots of an object graph, for reverse execution (docs/debugging.md "Reverse
// execution": exact thanks to determinism). Capture walks everything reachable from a root — class instances, arrays, Maps,
// Sets, typed arrays — and records each object's own state shallowly (values and references).
// Restore writes those states back into the *same* objects, so every closure and cross reference
// stays valid: the graph is rewound, not rebuilt. Objects marked NOT_SNAPSHOTTED are left alone
// (the event stream and its listeners, host memory — which has its own copy-on-write — and
// immutable inputs such as the program image).

import { NOT_SNAPSHOTTED } from './mem/not-snapshotted';

type TypedArray = Int8Array | Uint8Array | Uint16Array | Int16Array | Int32Array | Uint32Array | Float64Array | Float32Array;

/**
 * An object that snapshots itself: captureGraph calls `capture` instead of copying its fields (and
 * does not walk into what it holds), restoreGraph hands the state back to `restore`. For large
 * state that changes little between two checkpoints (the interrupt-chain recorder's ring: a copy of
 * its whole pool per checkpoint was most of a checkpoint's cost), so that a capture can share what
 * has not changed with the capture before. `bytes`: the memory this capture adds.
 */
export const SELF_SNAPSHOT = Symbol('hyperstep.selfSnapshot');
export interface SelfSnapshot {
  capture(): { state: unknown; bytes: number };
  restore(state: unknown): void;
}

type Saved =
  | { kind: 'self'; obj: SelfSnapshot; state: unknown }
  | { kind: 'object'; obj: Record<string | symbol, unknown>; entries: [string, unknown][] }
  | { kind: 'array'; obj: unknown[]; items: unknown[] }
  | { kind: 'map'; obj: Map<unknown, unknown>; entries: [unknown, unknown][] }
  | { kind: 'set'; obj: Set<unknown>; items: unknown[] }
  | { kind: 'typed'; obj: TypedArray; copy: TypedArray };

export class GraphSnapshot {
  constructor(readonly saved: readonly Saved[], readonly bytes: number) {}
}

function isTypedArray(v: unknown): v is TypedArray {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

/** Captures the state of everything reachable from `root`. */
export function captureGraph(root: object): GraphSnapshot {
  const seen = new Set<object>();
  const saved: Saved[] = [];
  const stack: unknown[] = [root];
  let bytes = 0;
  const visit = (v: unknown): void => {
    if (v !== null && typeof v === 'object' && !seen.has(v)) stack.push(v);
  };
  while (stack.length) {
    const o = stack.pop() as object;
    if (seen.has(o)) continue;
    seen.add(o);
    if ((o as Record<symbol, unknown>)[NOT_SNAPSHOTTED] === true || Object.isFrozen(o)) continue;
    const self = (o as Record<symbol, SelfSnapshot | undefined>)[SELF_SNAPSHOT];
    if (self) {
      const c = self.capture();
      bytes += c.bytes;
      saved.push({ kind: 'self', obj: self, state: c.state });
    } else if (isTypedArray(o)) {
      const copy = o.slice() as TypedArray;
      bytes += copy.byteLength;
      saved.push({ kind: 'typed', obj: o, copy });
    } else if (Array.isArray(o)) {
      const items = o.slice();
      bytes += 8 * items.length;
      saved.push({ kind: 'array', obj: o, items });
      for (const x of items) visit(x);
    } else if (o instanceof Map) {
      const entries = [...o.entries()];
      bytes += 16 * entries.length;
      saved.push({ kind: 'map', obj: o, entries });
      for (const [k, x] of entries) { visit(k); visit(x); }
    } else if (o instanceof Set) {
      const items = [...o.values()];
      bytes += 8 * items.length;
      saved.push({ kind: 'set', obj: o, items });
      for (const x of items) visit(x);
    } else if (o instanceof ArrayBuffer || o instanceof Promise || o instanceof WeakMap || o instanceof WeakSet) {
      continue;
    } else {
      const rec = o as Record<string, unknown>;
      const entries: [string, unknown][] = [];
      for (const k of Object.keys(rec)) {
        const x = rec[k];
        entries.push([k, x]);
        if (typeof x !== 'function') visit(x);
      }
      bytes += 16 * entries.length;
      saved.push({ kind: 'object', obj: rec, entries });
    }
  }
  return new GraphSnapshot(saved, bytes);
}

/** Writes a snapshot back into its objects. */
export function restoreGraph(s: GraphSnapshot): void {
  for (const e of s.saved) {
    switch (e.kind) {
      case 'self': e.obj.restore(e.state); break;
      case 'typed': e.obj.set(e.copy as never); break;
      case 'array': e.obj.length = 0; for (const x of e.items) e.obj.push(x); break;
      case 'map': e.obj.clear(); for (const [k, x] of e.entries) e.obj.set(k, x); break;
      case 'set': e.obj.clear(); for (const x of e.items) e.obj.add(x); break;
      case 'object': {
        for (const [k, x] of e.entries) e.obj[k] = x;
        // A key added after the capture (a counter's first increment: `dropped.handled`) goes too,
        // or the rewound object would keep a value from its future.
        if (Object.keys(e.obj).length !== e.entries.length) {
          const had = new Set(e.entries.map(([k]) => k));
          for (const k of Object.keys(e.obj)) if (!had.has(k)) delete e.obj[k];
        }
        break;
      }
    }
  }
}
