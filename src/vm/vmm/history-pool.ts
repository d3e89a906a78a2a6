// One memory budget for the histories of several machines in one process (docs/debugging.md,
// "Reverse execution"): VS Code runs the debug adapter inside its extension host by default, so
// every debug session of a window shares one process, and `historyMiB` has to bound what reverse
// execution keeps in that process, not only in one session. Each history still keeps within its own
// budget; the pool also keeps their sum within the largest budget of its members, by dropping the
// oldest checkpoint of whichever history holds the most. Members are held weakly: a session that
// is dropped without leaving does not keep its history alive through the pool.
import type { History } from './history';

export class HistoryPool {
  private members: WeakRef<History>[] = [];

  join(h: History): void {
    if (!this.live().includes(h)) this.members.push(new WeakRef(h));
    h.pool = this;
  }

  leave(h: History): void {
    this.members = this.members.filter((r) => { const x = r.deref(); return x !== undefined && x !== h; });
    if (h.pool === this) h.pool = undefined;
  }

  /** The histories still alive. */
  live(): History[] {
    const out: History[] = [];
    this.members = this.members.filter((r) => { const x = r.deref(); if (x) out.push(x); return x !== undefined; });
    return out;
  }

  /** What the members may hold together: the largest of their budgets. */
  get budgetBytes(): number {
    return Math.max(0, ...this.live().map((h) => h.budgetBytes));
  }

  get bytes(): number {
    return this.live().reduce((n, h) => n + h.bytes, 0);
  }

  /** Drops the oldest checkpoints of the largest holders until the members fit the pool's budget together. */
  trim(): void {
    const live = this.live();
    const budget = Math.max(0, ...live.map((h) => h.budgetBytes));
    const sizes = live.map((h) => h.bytes);
    let total = sizes.reduce((a, b) => a + b, 0);
    while (total > budget) {
      let k = -1;
      for (let i = 0; i < live.length; i++) if (live[i].count > 1 && (k < 0 || sizes[i] > sizes[k])) k = i;
      if (k < 0) return; // every history is down to its newest checkpoint: nothing more can go
      live[k].dropOldest();
      const now = live[k].bytes;
      total -= sizes[k] - now;
      sizes[k] = now;
    }
  }
}
