// The marker that keeps an object out of machine snapshots (see vm/snapshot.ts). It lives at the
// bottom layer so any part of the machine can mark what it owns.

/** Mark an object with `[NOT_SNAPSHOTTED] = true` to keep it (and what only it reaches) out of snapshots. */
export const NOT_SNAPSHOTTED = Symbol('hyperstep.notSnapshotted');

export function markNotSnapshotted<T extends object>(o: T): T {
  (o as Record<symbol, unknown>)[NOT_SNAPSHOTTED] = true;
  return o;
}
