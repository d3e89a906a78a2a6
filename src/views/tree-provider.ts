// What every Hyperstep tree view's data provider shares (docs/extension.md "Change marks"): it reads
// when VS Code asks for its children (so a folded view reads nothing), re-reads on every
// invalidation of the state feed (a stop, an injection), says "running" above the tree while the
// machine runs, and keeps what it showed at the previous stop as the baseline that marks changes.
// A view says only how it reads its data and how it builds its nodes from it.
import * as vscode from 'vscode';
import type { StateFeed } from './feed';
import { type Detail, type RenderContext, shown, valuesOf, type ViewNode } from './node';

/** One read of a view's data, with the stop it belongs to. */
export interface Reading<T> {
  readonly sessionId: string;
  /** The feed's stop counter when the read began. */
  readonly stop: number;
  /**
   * The machine's step count, when the data has one: a second notice of the same stop (the DAP
   * stopped event and hyperstep/stateChanged) finds the same steps and keeps the baseline.
   */
  readonly steps?: number;
  readonly data: T;
}

/** What a view shows instead of a tree: why there is nothing (no session, a failed read). */
export type Unread = { readonly message: string };

interface Shown {
  sessionId: string;
  stop: number;
  steps: number | undefined;
  values: Map<string, string>;
}

export abstract class BaselineTreeProvider<T, R extends RenderContext> implements vscode.TreeDataProvider<ViewNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ViewNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly messages = new vscode.EventEmitter<string | undefined>();
  /** A line above the tree: running, or why there is nothing to show. */
  readonly onDidChangeMessage = this.messages.event;
  private last: Shown | undefined;
  private baseline: Map<string, string> | undefined;
  private readonly subscription: vscode.Disposable;

  /** `viewId` as in package.json; `runningMessage` is shown above the tree while the machine runs. */
  constructor(readonly viewId: string, protected readonly feed: StateFeed, private readonly runningMessage: string,
    private readonly detail: () => Detail) {
    this.subscription = feed.onDidInvalidate((why) => {
      if (why === 'continue') {
        this.messages.fire(runningMessage);
        return;
      }
      if (why === 'session') this.forget();
      this.changed.fire(undefined);
    });
  }

  /** Reads the view's data now. */
  protected abstract read(): Promise<Reading<T> | Unread>;
  /** The rendering context of one build (`detail` and `baseline` are filled in by the caller). */
  protected abstract context(sessionId: string): Omit<R, 'detail' | 'baseline'>;
  protected abstract build(data: T, ctx: R): ViewNode[];

  /** Re-render (the detail setting changed; the view's own input changed). */
  rerender(): void {
    this.changed.fire(undefined);
  }

  /** Drop the baseline: what is shown next is compared with nothing. */
  protected forget(): void {
    this.last = undefined;
    this.baseline = undefined;
  }

  getTreeItem(node: ViewNode): vscode.TreeItem {
    return node.getTreeItem();
  }

  async getChildren(node?: ViewNode): Promise<ViewNode[]> {
    if (node) return node.getChildren();
    const got = await this.load();
    return got ? shown(got.roots, got.render, this.viewId) : [];
  }

  /** The root nodes for the current state, every one whatever the detail (tests and commands read this). */
  async roots(): Promise<ViewNode[]> {
    return (await this.load())?.roots ?? [];
  }

  private async load(): Promise<{ roots: ViewNode[]; render: R } | undefined> {
    let got: Reading<T> | Unread;
    try {
      got = await this.read();
    } catch (e) {
      this.messages.fire(`Cannot read the machine state: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
    if ('message' in got) {
      this.messages.fire(got.message);
      return undefined;
    }
    const { sessionId, stop, steps, data } = got;
    if (this.last?.sessionId !== sessionId) this.baseline = undefined;
    // A new stop: what was shown becomes what changes are measured against.
    else if (stop > this.last.stop && (steps === undefined || steps !== this.last.steps)) this.baseline = this.last.values;
    const base = this.context(sessionId);
    const full = this.build(data, { ...base, detail: 'full', baseline: undefined } as R);
    this.last = { sessionId, stop, steps, values: valuesOf(full) };
    const render = { ...base, detail: this.detail(), baseline: this.baseline } as R;
    this.messages.fire(this.feed.isRunning ? this.runningMessage : undefined);
    return { roots: this.build(data, render), render };
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
    this.messages.dispose();
  }
}
