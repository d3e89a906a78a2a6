// A tree data provider over the state feed: builds its view's nodes from a snapshot when VS Code
// asks (so hidden views read nothing), and keeps what it showed at the last stop as the baseline
// that marks changes.
import * as vscode from 'vscode';
import type { StatePart, StateSnapshot } from '../protocol';
import type { StateFeed } from './feed';
import { type Detail, type RenderContext, shown, valuesOf, type ViewNode } from './node';

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

interface Shown {
  sessionId: string;
  stop: number;
  steps: number;
  values: Map<string, string>;
}

export class StateTreeProvider implements vscode.TreeDataProvider<ViewNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ViewNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly messages = new vscode.EventEmitter<string | undefined>();
  /** A line above the tree: running, or why there is nothing to show. */
  readonly onDidChangeMessage = this.messages.event;
  private last: Shown | undefined;
  private baseline: Map<string, string> | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(readonly spec: ViewSpec, private readonly feed: StateFeed, private readonly options: ViewOptions) {
    this.subscription = feed.onDidInvalidate((why) => {
      if (why === 'continue') {
        this.messages.fire('Running: values as of the last stop');
        return;
      }
      if (why === 'session') {
        this.last = undefined;
        this.baseline = undefined;
      }
      this.changed.fire(undefined);
    });
  }

  /** Re-render without reading (the detail setting changed). */
  rerender(): void {
    this.changed.fire(undefined);
  }

  getTreeItem(node: ViewNode): vscode.TreeItem {
    return node.getTreeItem();
  }

  async getChildren(node?: ViewNode): Promise<ViewNode[]> {
    if (node) return node.getChildren();
    const ctx = await this.load();
    return ctx ? shown(ctx.roots, ctx.render, this.spec.id) : [];
  }

  /** The root nodes for the current state, every one whatever the detail (tests and commands read this). */
  async roots(): Promise<ViewNode[]> {
    return (await this.load())?.roots ?? [];
  }

  private async load(): Promise<{ roots: ViewNode[]; render: RenderContext } | undefined> {
    let got;
    try {
      got = await this.feed.snapshot(this.spec.parts);
    } catch (e) {
      this.messages.fire(`Cannot read the machine state: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
    if (!got) {
      this.messages.fire('Start a Hyperstep debug session to see this view');
      return undefined;
    }
    const { snapshot, stop, sessionId } = got;
    if (this.last?.sessionId !== sessionId) this.baseline = undefined;
    // A new stop: what was shown becomes what changes are measured against. A second notice of the
    // same stop (the DAP stopped event and hyperstep/stateChanged) finds the same steps and keeps it.
    else if (stop > this.last.stop && snapshot.steps !== this.last.steps) this.baseline = this.last.values;
    const base = { revealExitCommand: this.options.revealExitCommand, recentExits: this.options.recentExits(), sessionId };
    const full = this.spec.build(snapshot, { ...base, detail: 'full', baseline: undefined });
    this.last = { sessionId, stop, steps: snapshot.steps, values: valuesOf(full) };
    const render: RenderContext = { ...base, detail: this.options.detail(), baseline: this.baseline };
    this.messages.fire(this.feed.isRunning ? 'Running: values as of the last stop' : undefined);
    return { roots: this.spec.build(snapshot, render), render };
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
    this.messages.dispose();
  }
}
