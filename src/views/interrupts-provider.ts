// The Interrupts view's data provider. Same life as the state views' (provider.ts): it reads when
// VS Code asks for its children (so a folded view reads nothing), re-reads on every invalidation of
// the state feed (a stop, an injection), and compares with what it showed at the previous stop to
// mark new chains and chains whose outcome changed. Its data is `hyperstep/interrupts`, not a part
// of `hyperstep/state`, hence a provider of its own over the same feed.
import * as vscode from 'vscode';
import type { StateFeed } from './feed';
import { type Detail, shown, valuesOf, type ViewNode } from './node';
import { interruptRoots, type InterruptsRenderContext } from './nodes/interrupts';
import { type ProvenanceLookup, RECENT_CHAINS } from './provenance';

export const INTERRUPTS_VIEW_ID = 'hyperstep.interrupts';

export interface InterruptsViewOptions {
  detail(): Detail;
  recentExits(): number;
  readonly revealExitCommand: string;
  readonly runToCycleCommand: string;
}

export class InterruptsTreeProvider implements vscode.TreeDataProvider<ViewNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ViewNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly messages = new vscode.EventEmitter<string | undefined>();
  readonly onDidChangeMessage = this.messages.event;
  private last: { sessionId: string; stop: number; values: Map<string, string> } | undefined;
  private baseline: Map<string, string> | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly feed: StateFeed, private readonly sources: ProvenanceLookup, private readonly options: InterruptsViewOptions) {
    this.subscription = feed.onDidInvalidate((why) => {
      if (why === 'continue') {
        this.messages.fire('Running: chains as of the last stop');
        return;
      }
      if (why === 'session') {
        this.last = undefined;
        this.baseline = undefined;
      }
      this.changed.fire(undefined);
    });
  }

  rerender(): void {
    this.changed.fire(undefined);
  }

  getTreeItem(node: ViewNode): vscode.TreeItem {
    return node.getTreeItem();
  }

  async getChildren(node?: ViewNode): Promise<ViewNode[]> {
    if (node) return node.getChildren();
    const got = await this.load();
    return got ? shown(got.roots, got.render, INTERRUPTS_VIEW_ID) : [];
  }

  /** The root nodes (chains newest first), whatever the detail: tests and commands read this. */
  async roots(): Promise<ViewNode[]> {
    return (await this.load())?.roots ?? [];
  }

  private async load(): Promise<{ roots: ViewNode[]; render: InterruptsRenderContext } | undefined> {
    const sessionId = this.feed.sessionId;
    const source = sessionId === undefined ? undefined : this.sources(sessionId);
    if (!source || sessionId === undefined) {
      this.messages.fire('Start a Hyperstep debug session to see its interrupts');
      return undefined;
    }
    const stop = this.feed.stopCount;
    let result;
    try {
      result = await source.interrupts({ last: RECENT_CHAINS });
    } catch (e) {
      this.messages.fire(`Cannot read the interrupt chains: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
    if (this.last?.sessionId !== sessionId) this.baseline = undefined;
    else if (stop > this.last.stop) this.baseline = this.last.values;
    const base = {
      revealExitCommand: this.options.revealExitCommand, runToCycleCommand: this.options.runToCycleCommand,
      recentExits: this.options.recentExits(), sessionId,
    };
    const full = interruptRoots(result, { ...base, detail: 'full', baseline: undefined });
    // Keep the previous stop's values as the baseline when this is a second read of the same stop.
    if (this.last?.sessionId !== sessionId || stop > this.last.stop) this.last = { sessionId, stop, values: valuesOf(full) };
    else this.last = { ...this.last, values: valuesOf(full) };
    const render: InterruptsRenderContext = { ...base, detail: this.options.detail(), baseline: this.baseline };
    this.messages.fire(this.feed.isRunning ? 'Running: chains as of the last stop' : undefined);
    return { roots: interruptRoots(result, render), render };
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
    this.messages.dispose();
  }
}
