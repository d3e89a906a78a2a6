// The Translation view's nodes: each row of translation-model.ts as a tree item. A guest PTE's row
// (and its "last write" row) carries the context value the "Reverse to Last Write" menu matches.
import * as vscode from 'vscode';
import type { TranslateResult } from '../../protocol';
import { type RenderContext, ViewNode } from '../node';
import { type TranslationRow, translationRows, type TranslationTarget } from '../translation-model';

/** The `viewItem` of a guest PTE with a store in the history (package.json `view/item/context`). */
const PTE_CONTEXT = 'hyperstep.translationPte';

export function translationRoots(data: { result: TranslateResult; target: TranslationTarget }, ctx: RenderContext): ViewNode[] {
  return translationRows(data.result, data.target).map((r) => new TranslationNode(r, ctx));
}

export class TranslationNode extends ViewNode {
  constructor(readonly row: TranslationRow, ctx: RenderContext) {
    super(row.id, ctx);
  }
  label(): string {
    return this.row.label;
  }
  override description(): string | undefined {
    return this.row.description;
  }
  override tooltip(): string | undefined {
    return this.row.tooltip;
  }
  override icon(): vscode.ThemeIcon | undefined {
    return this.row.icon ? new vscode.ThemeIcon(this.row.icon) : undefined;
  }
  override expanded(): boolean {
    return this.row.expanded ?? false;
  }
  override contextValue(): string | undefined {
    return this.row.pte?.lastWrite ? PTE_CONTEXT : undefined;
  }
  /** The session the row was read from (what the context menu's command acts on). */
  get sessionId(): string {
    return this.ctx.sessionId;
  }
  protected override buildChildren(): ViewNode[] {
    return this.row.children.map((r) => new TranslationNode(r, this.ctx));
  }
}
