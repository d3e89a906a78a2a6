// The two views of interrupt provenance (docs/extension.md): the Interrupts tree in the Run and
// Debug container and the Interrupt timeline webview panel. Both read the chains of the session
// the state feed follows, through a ProvenanceLookup the extension provides.
import * as vscode from 'vscode';
import type { StateFeed } from './feed';
import { INTERRUPTS_VIEW_ID, InterruptsTreeProvider, type InterruptsViewOptions } from './interrupts-provider';
import type { RunToCycleArgs } from './nodes/interrupts';
import type { ProvenanceLookup } from './provenance';
import { TimelinePanel } from './timeline/panel';

export interface ProvenanceViews {
  readonly interrupts: InterruptsTreeProvider;
  readonly timeline: TimelinePanel;
}

interface ProvenanceViewOptions extends InterruptsViewOptions {
  /** What a click on a hop in the timeline does (the tree's hops run `runToCycleCommand`). */
  runToCycle(args: RunToCycleArgs): Thenable<unknown>;
}

export function createProvenanceViews(extensionUri: vscode.Uri, feed: StateFeed, sources: ProvenanceLookup, options: ProvenanceViewOptions):
  { views: ProvenanceViews; disposables: vscode.Disposable[] } {
  const interrupts = new InterruptsTreeProvider(feed, sources, options);
  const tree = vscode.window.createTreeView(INTERRUPTS_VIEW_ID, { treeDataProvider: interrupts, showCollapseAll: true });
  const timeline = new TimelinePanel(extensionUri, feed, sources, (args) => options.runToCycle(args));
  return {
    views: { interrupts, timeline },
    disposables: [interrupts, tree, interrupts.onDidChangeMessage((m) => { tree.message = m; }), timeline],
  };
}
