// One source of machine state for all the views: `hyperstep/state` of the debug session the views
// follow. Views ask for the parts they show when VS Code asks them for their children — so only
// visible views cause reads — and the asks of one tick are batched into a single request
// (docs/style.md habit 6: "read only what is visible or expanded, batch reads"). The feed sends nothing
// but `hyperstep/state`, which never changes device state (docs/machine.md).
import * as vscode from 'vscode';
import type { StateArguments, StatePart, StateSnapshot } from '../protocol';

/** Where snapshots come from: one debug session (the extension adapts vscode.DebugSession). */
export interface StateSource {
  readonly sessionId: string;
  state(args: StateArguments): Thenable<StateSnapshot>;
}

/** Why the views must read again. */
type Invalidation =
  /** The machine stopped: values now compare against the ones shown at the previous stop. */
  | 'stop'
  /** The state changed while stopped (an injected IRQ, a register written). */
  | 'change'
  /** The machine runs: keep showing the last values. */
  | 'continue'
  /** The views follow another session, or none. */
  | 'session';

/** A snapshot, with the number of stops the feed had seen when it was read. */
interface FeedSnapshot {
  readonly snapshot: StateSnapshot;
  readonly stop: number;
  readonly sessionId: string;
}

const PART_FIELDS: Record<StatePart, keyof StateSnapshot> = {
  routing: 'routing', ioapic: 'ioapic', lapics: 'lapics', exits: 'exits',
  memory: 'memory', tlb: 'tlb', vcpus: 'vcpus', interrupts: 'interrupts',
};

interface Batch {
  parts: Set<StatePart>;
  promise: Promise<FeedSnapshot | undefined>;
}

export class StateFeed implements vscode.Disposable {
  private source: StateSource | undefined;
  private generation = 0;
  private stops = 0;
  private running = false;
  private batch: Batch | undefined;
  private cache: { generation: number; parts: Set<StatePart>; value: FeedSnapshot } | undefined;
  private readonly changed = new vscode.EventEmitter<Invalidation>();
  /** Fires when what the views show is out of date. */
  readonly onDidInvalidate = this.changed.event;

  get sessionId(): string | undefined {
    return this.source?.sessionId;
  }
  get isRunning(): boolean {
    return this.running;
  }
  get stopCount(): number {
    return this.stops;
  }

  /** Follow `source` (a new or newly active session), or nothing. */
  follow(source: StateSource | undefined): void {
    if (source?.sessionId === this.source?.sessionId) return;
    this.source = source;
    this.running = false;
    this.invalidate('session');
  }

  invalidate(why: Invalidation): void {
    if (why === 'continue') {
      this.running = true;
    } else {
      if (why === 'stop') this.stops++;
      if (why === 'stop' || why === 'session') this.running = false;
      this.generation++;
      this.cache = undefined;
    }
    this.changed.fire(why);
  }

  /** A snapshot holding at least `parts`, read now or earlier in this generation; undefined without a session. */
  snapshot(parts: readonly StatePart[]): Promise<FeedSnapshot | undefined> {
    const cached = this.cache;
    if (cached && cached.generation === this.generation && parts.every((p) => cached.parts.has(p))) return Promise.resolve(cached.value);
    if (!this.source) return Promise.resolve(undefined);
    if (!this.batch) this.batch = this.startBatch(this.source);
    parts.forEach((p) => this.batch?.parts.add(p));
    return this.batch.promise;
  }

  private startBatch(source: StateSource): Batch {
    const parts = new Set<StatePart>();
    const generation = this.generation, stop = this.stops;
    // Wait one macrotask so that every view refreshed in this tick adds its parts first.
    const promise = new Promise<void>((resolve) => setTimeout(resolve, 0)).then(async () => {
      this.batch = undefined;
      const snapshot = await source.state({ parts: [...parts] });
      const value: FeedSnapshot = { snapshot, stop, sessionId: source.sessionId };
      if (generation === this.generation && source === this.source) this.remember(generation, parts, value);
      return value;
    });
    return { parts, promise };
  }

  /** Merges with what this generation already read, so views asking for different parts share it. */
  private remember(generation: number, parts: Set<StatePart>, value: FeedSnapshot): void {
    const before = this.cache?.generation === generation ? this.cache : undefined;
    if (!before) {
      this.cache = { generation, parts, value };
      return;
    }
    const merged: StateSnapshot = { ...before.value.snapshot };
    for (const p of parts) copyField(merged, value.snapshot, PART_FIELDS[p]);
    for (const k of ['steps', 'cycles', 'instructions'] as const) copyField(merged, value.snapshot, k);
    this.cache = { generation, parts: new Set([...before.parts, ...parts]), value: { ...value, snapshot: merged } };
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function copyField<K extends keyof StateSnapshot>(to: StateSnapshot, from: StateSnapshot, key: K): void {
  to[key] = from[key];
}
