// The base of every tree node (docs/style.md habit 6, after cortex-debug's views/nodes): a node is built
// from one state snapshot, knows its tree item and its children, and compares what it shows with
// what the node of the same id showed at the previous stop, to mark changes.
import * as vscode from 'vscode';
import { type ChangeMark, changedParts, shownValue } from './changes';
import { markChanges } from './decorations';

/** How much the views show: compact hides idle entries (masked pins, empty TLB ways, zero counts). */
export type Detail = 'compact' | 'full';

/** What every node of one rendering shares. */
export interface RenderContext {
  readonly detail: Detail;
  /** What each node showed at the previous stop, by node id; undefined before the second stop. */
  readonly baseline: ReadonlyMap<string, string> | undefined;
  /** The command a VM exit runs when clicked (owned by the extension, passed down). */
  readonly revealExitCommand: string;
  /** How many of the recent VM exits the VM Exits view lists. */
  readonly recentExits: number;
  /** The debug session the snapshot came from (passed to commands). */
  readonly sessionId: string;
}

export abstract class ViewNode {
  private childCache: ViewNode[] | undefined;

  /** `id` is a path unique in the view and stable across snapshots ("ioapic/pin/19"). */
  constructor(readonly id: string, protected readonly ctx: RenderContext) {}

  abstract label(): string;
  description(): string | undefined {
    return undefined;
  }
  tooltip(): string | vscode.MarkdownString | undefined {
    return undefined;
  }
  icon(): vscode.ThemeIcon | undefined {
    return undefined;
  }
  /** Every child, whatever the detail (the change baseline is taken over all of them). */
  protected buildChildren(): ViewNode[] {
    return [];
  }
  /** Whether compact detail hides this node. */
  idle(): boolean {
    return false;
  }
  /** A click: a command to run, if any. */
  command(): vscode.Command | undefined {
    return undefined;
  }
  expanded(): boolean {
    return false;
  }
  /** The `viewItem` menus match (package.json `contributes.menus`). */
  contextValue(): string | undefined {
    return undefined;
  }

  /** What the change mark compares: everything the node shows (label and description). */
  value(): string {
    return shownValue(this.label(), this.description());
  }

  /** False for the views' own notes ("3 masked entries hidden"), which are never marked. */
  tracked(): boolean {
    return true;
  }

  allChildren(): ViewNode[] {
    this.childCache ??= this.buildChildren();
    return this.childCache;
  }

  getChildren(): ViewNode[] {
    return shown(this.allChildren(), this.ctx, this.id);
  }

  /** Changed since the previous stop: its own value, or a descendant's (shown or hidden). */
  get changed(): boolean {
    return this.selfChanged() || this.innerChanged();
  }

  /** Its own value differs from the previous stop's; a node absent then (a new exit) counts as changed. */
  selfChanged(): boolean {
    if (this.ctx.baseline === undefined || !this.tracked()) return false;
    return this.ctx.baseline.get(this.id) !== this.value();
  }

  /** Something below it changed (what a folded node's badge says). */
  innerChanged(): boolean {
    return this.allChildren().some((c) => c.changed);
  }

  /** What changed in this node's own text since the previous stop (decorations.ts renders it). */
  changeOf(): ChangeMark | undefined {
    if (!this.selfChanged()) return undefined;
    const before = this.ctx.baseline?.get(this.id);
    return changedParts(this.label(), this.description() ?? '', before, this.value() !== shownValue(this.label(), this.description()));
  }

  getTreeItem(): vscode.TreeItem {
    const children = this.getChildren();
    const item = new vscode.TreeItem(
      this.label(),
      children.length === 0 ? vscode.TreeItemCollapsibleState.None
        : this.expanded() ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed,
    );
    item.id = this.id;
    const description = this.description();
    item.description = description;
    // A resourceUri would otherwise lend the item its path as tooltip and screen-reader label.
    const text = description ? `${this.label()}: ${description}` : this.label();
    item.tooltip = this.tooltip() ?? text;
    item.iconPath = this.icon();
    item.command = this.command();
    item.contextValue = this.contextValue();
    markChanges(item, this.id, this.label(), description, this.changeOf(), this.innerChanged());
    return item;
  }
}

/** The nodes the detail level shows, with a note of how many compact detail hides. */
export function shown(nodes: ViewNode[], ctx: RenderContext, parentId: string): ViewNode[] {
  if (ctx.detail === 'full') return nodes;
  const kept = nodes.filter((n) => !n.idle());
  const hidden = nodes.length - kept.length;
  if (hidden === 0) return kept;
  return [...kept, new NoteNode(`${parentId}/hidden`, ctx, `${hidden} idle ${hidden === 1 ? 'entry' : 'entries'} hidden`)];
}

/** Every node's value by id, over the whole tree (the baseline for the next stop). */
export function valuesOf(roots: readonly ViewNode[]): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (n: ViewNode): void => {
    out.set(n.id, n.value());
    n.allChildren().forEach(walk);
  };
  roots.forEach(walk);
  return out;
}

/** A note of the view's own (what compact detail hides); never marked as changed. */
export class NoteNode extends ViewNode {
  constructor(id: string, ctx: RenderContext, private readonly text: string) {
    super(id, ctx);
  }
  label(): string {
    return this.text;
  }
  override tracked(): boolean {
    return false;
  }
  override icon(): vscode.ThemeIcon {
    return new vscode.ThemeIcon('info');
  }
}

/** A leaf "name: value" line, the most common node. */
export class FieldNode extends ViewNode {
  constructor(id: string, ctx: RenderContext, private readonly name: string, private readonly text: string,
    private readonly tip?: string, private readonly isIdle = false) {
    super(id, ctx);
  }
  label(): string {
    return this.name;
  }
  override description(): string {
    return this.text;
  }
  override tooltip(): string | undefined {
    return this.tip;
  }
  override idle(): boolean {
    return this.isIdle;
  }
}

/** A heading that groups children built by a function. */
export class GroupNode extends ViewNode {
  constructor(id: string, ctx: RenderContext, private readonly title: string, private readonly build: (ctx: RenderContext) => ViewNode[],
    private readonly options: { description?: string; icon?: string; expanded?: boolean; tooltip?: string; idle?: boolean } = {}) {
    super(id, ctx);
  }
  label(): string {
    return this.title;
  }
  override description(): string | undefined {
    return this.options.description;
  }
  override icon(): vscode.ThemeIcon | undefined {
    return this.options.icon ? new vscode.ThemeIcon(this.options.icon) : undefined;
  }
  override tooltip(): string | undefined {
    return this.options.tooltip;
  }
  override expanded(): boolean {
    return this.options.expanded ?? false;
  }
  override idle(): boolean {
    return this.options.idle ?? false;
  }
  protected override buildChildren(): ViewNode[] {
    return this.build(this.ctx);
  }
}
