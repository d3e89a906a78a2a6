// The Interrupts view's data provider: `hyperstep/interrupts` of the session the state feed follows
// (not a part of `hyperstep/state`, hence a read of its own); the rest of its life — read when
// visible, re-read on every invalidation, mark new chains and changed outcomes against the previous
// stop — is BaselineTreeProvider's (tree-provider.ts).
import type { InterruptsResult } from '../protocol';
import type { StateFeed } from './feed';
import type { Detail, ViewNode } from './node';
import { interruptRoots, type InterruptsRenderContext } from './nodes/interrupts';
import { type ProvenanceLookup, RECENT_CHAINS } from './provenance';
import { BaselineTreeProvider, type Reading, type Unread } from './tree-provider';

export const INTERRUPTS_VIEW_ID = 'hyperstep.interrupts';

export interface InterruptsViewOptions {
  detail(): Detail;
  recentExits(): number;
  readonly revealExitCommand: string;
  readonly runToCycleCommand: string;
}

export class InterruptsTreeProvider extends BaselineTreeProvider<InterruptsResult, InterruptsRenderContext> {
  constructor(feed: StateFeed, private readonly sources: ProvenanceLookup, private readonly options: InterruptsViewOptions) {
    super(INTERRUPTS_VIEW_ID, feed, 'Running: chains as of the last stop', () => options.detail());
  }

  protected async read(): Promise<Reading<InterruptsResult> | Unread> {
    const sessionId = this.feed.sessionId;
    const source = sessionId === undefined ? undefined : this.sources(sessionId);
    if (!source || sessionId === undefined) return { message: 'Start a Hyperstep debug session to see its interrupts' };
    const stop = this.feed.stopCount;
    try {
      return { sessionId, stop, data: await source.interrupts({ last: RECENT_CHAINS }) };
    } catch (e) {
      return { message: `Cannot read the interrupt chains: ${e instanceof Error ? e.message : String(e)}` };
    }
  }

  protected context(sessionId: string): Omit<InterruptsRenderContext, 'detail' | 'baseline'> {
    const o = this.options;
    return { revealExitCommand: o.revealExitCommand, runToCycleCommand: o.runToCycleCommand, recentExits: o.recentExits(), sessionId };
  }

  protected build(result: InterruptsResult, ctx: InterruptsRenderContext): ViewNode[] {
    return interruptRoots(result, ctx);
  }
}
