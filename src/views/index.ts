// The views of the Run and Debug container (docs/extension.md), their providers, and the decoration
// that marks changed values. The views depend on src/protocol and vscode only (docs/style.md).
import * as vscode from 'vscode';
import { ChangeMarkDecorations } from './decorations';
import type { StateFeed } from './feed';
import { exitRoots } from './nodes/exits';
import { ioapicRoots } from './nodes/ioapic';
import { lapicRoots } from './nodes/lapic';
import { memoryRoots } from './nodes/memory';
import { routingRoots } from './nodes/routing';
import { StateTreeProvider, type ViewOptions, type ViewSpec } from './provider';

export { StateFeed, type StateSource } from './feed';
export type { Detail, ViewNode } from './node';
export type { RevealExitArgs } from './nodes/exits';
export { PinNode } from './nodes/ioapic';
export { highlightedText, itemText } from './decorations';
export { hex8 } from './format';

/** The views, by key; ids match package.json `contributes.views.debug`. */
const VIEW_SPECS = {
  routing: { id: 'hyperstep.routing', title: 'Interrupt Routing', parts: ['routing', 'lapics', 'vcpus'], build: routingRoots },
  ioapic: { id: 'hyperstep.ioapic', title: 'IOAPIC', parts: ['ioapic', 'routing'], build: ioapicRoots },
  lapics: { id: 'hyperstep.lapics', title: 'Local APICs', parts: ['lapics', 'vcpus'], build: lapicRoots },
  exits: { id: 'hyperstep.exits', title: 'VM Exits', parts: ['exits', 'interrupts'], build: exitRoots },
  memory: { id: 'hyperstep.memory', title: 'Memory', parts: ['memory', 'tlb'], build: memoryRoots },
} as const satisfies Record<string, ViewSpec>;

type ViewKey = keyof typeof VIEW_SPECS;
export type Views = { readonly [K in ViewKey]: StateTreeProvider };

/** Creates the tree views; everything returned is disposed with the extension. */
export function createViews(feed: StateFeed, options: ViewOptions): { views: Views; disposables: vscode.Disposable[] } {
  const disposables: vscode.Disposable[] = [vscode.window.registerFileDecorationProvider(new ChangeMarkDecorations())];
  const make = (spec: ViewSpec): StateTreeProvider => {
    const provider = new StateTreeProvider(spec, feed, options);
    const view = vscode.window.createTreeView(spec.id, { treeDataProvider: provider, showCollapseAll: true });
    disposables.push(provider, view, provider.onDidChangeMessage((m) => { view.message = m; }));
    return provider;
  };
  const views = {
    routing: make(VIEW_SPECS.routing),
    ioapic: make(VIEW_SPECS.ioapic),
    lapics: make(VIEW_SPECS.lapics),
    exits: make(VIEW_SPECS.exits),
    memory: make(VIEW_SPECS.memory),
  };
  return { views, disposables };
}

export { createProvenanceViews, type ProvenanceViews } from './provenance-views';
export type { ProvenanceSource } from './provenance';
export { type RunToCycleArgs } from './nodes/interrupts';
export { InterruptsTreeProvider } from './interrupts-provider';
export { TimelinePanel } from './timeline/panel';
export { createTranslationView, TranslationTreeProvider, type TranslationSource } from './translation-provider';
export { TranslationNode } from './nodes/translation';
export { parseAddressInput, type EnteredAddress } from './translation-model';
