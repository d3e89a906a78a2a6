// A tree data provider over the state feed: builds its view's nodes from a `hyperstep/state`
// snapshot when VS Code asks (so hidden views read nothing); the baseline that marks changes is
// kept by BaselineTreeProvider (tree-provider.ts).
import type { StatePart, StateSnapshot } from '../protocol';
import type { StateFeed } from './feed';
import type { Detail, RenderContext, ViewNode } from './node';
import { BaselineTreeProvider, type Reading, type Unread } from './tree-provider';

/** One view: its id in package.json, the parts of hyperstep/state it needs, and its root nodes. */
export interface ViewSpec {
  readonly id: string;
  readonly title: string;
  readonly parts: readonly StatePart[];
  build(snapshot: StateSnapshot, ctx: RenderContext): ViewNode[];
}

/** What the views take from the extension (settings and command ids), so they import no extension code. */
export interface ViewOptions {
  detail(): Detail;
  recentExits(): number;
  readonly revealExitCommand: string;
}

export class StateTreeProvider extends BaselineTreeProvider<StateSnapshot, RenderContext> {
  constructor(readonly spec: ViewSpec, feed: StateFeed, private readonly options: ViewOptions) {
    super(spec.id, feed, 'Running: values as of the last stop', () => options.detail());
  }

  protected async read(): Promise<Reading<StateSnapshot> | Unread> {
    const got = await this.feed.snapshot(this.spec.parts);
    if (!got) return { message: 'Start a Hyperstep debug session to see this view' };
    return { sessionId: got.sessionId, stop: got.stop, steps: got.snapshot.steps, data: got.snapshot };
  }

  protected context(sessionId: string): Omit<RenderContext, 'detail' | 'baseline'> {
    return { revealExitCommand: this.options.revealExitCommand, recentExits: this.options.recentExits(), sessionId };
  }

  protected build(snapshot: StateSnapshot, ctx: RenderContext): ViewNode[] {
    return this.spec.build(snapshot, ctx);
  }
}
