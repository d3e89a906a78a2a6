// The Translation view (docs/translation.md "The Translation view"): the two-stage walk of the
// access the stopped vCPU is at (hyperstep/stoppedAccess), or of an address the user entered, read
// with hyperstep/translate (side-effect free) on every stop. Its life — read when visible, re-read on
// every invalidation, mark what changed since the previous stop — is BaselineTreeProvider's.
import * as vscode from 'vscode';
import type { StoppedAccess, StoppedAccessArguments, TranslateArguments, TranslateResult } from '../protocol';
import type { StateFeed } from './feed';
import type { Detail, RenderContext, ViewNode } from './node';
import { translationRoots } from './nodes/translation';
import type { EnteredAddress, TranslationTarget } from './translation-model';
import { BaselineTreeProvider, type Reading, type Unread } from './tree-provider';

const TRANSLATION_VIEW_ID = 'hyperstep.translation';

/** The requests the view makes of one debug session (the extension adapts its sessions; tests give fakes). */
export interface TranslationSource {
  readonly sessionId: string;
  stoppedAccess(args: StoppedAccessArguments): Thenable<StoppedAccess>;
  translate(args: TranslateArguments): Thenable<TranslateResult>;
}

type TranslationLookup = (sessionId: string) => TranslationSource | undefined;

interface TranslationViewOptions {
  detail(): Detail;
  recentExits(): number;
  readonly revealExitCommand: string;
}

type Shown = { result: TranslateResult; target: TranslationTarget };

export class TranslationTreeProvider extends BaselineTreeProvider<Shown, RenderContext> {
  private entered: EnteredAddress | undefined;

  constructor(feed: StateFeed, private readonly sources: TranslationLookup, private readonly options: TranslationViewOptions) {
    super(TRANSLATION_VIEW_ID, feed, 'Running: the walk as of the last stop', () => options.detail());
  }

  /** Explain `address` from now on, or (undefined) the access of the stopped instruction again. */
  show(address: EnteredAddress | undefined): void {
    this.entered = address;
    this.rerender();
  }

  get target(): EnteredAddress | undefined {
    return this.entered;
  }

  protected async read(): Promise<Reading<Shown> | Unread> {
    const sessionId = this.feed.sessionId;
    const source = sessionId === undefined ? undefined : this.sources(sessionId);
    if (!source || sessionId === undefined) return { message: 'Start a Hyperstep debug session to see a translation' };
    const stop = this.feed.stopCount;
    try {
      const stopped = await source.stoppedAccess({});
      const entered = this.entered;
      const target: TranslationTarget = entered ? { source: 'entered', ...entered } : { source: 'stopped', access: stopped };
      const gva = entered?.gva ?? stopped.gva, access = entered?.access ?? stopped.access;
      const result = await source.translate({ gva, vcpu: stopped.vcpu, access });
      return { sessionId, stop, data: { result, target } };
    } catch (e) {
      return { message: `Cannot translate: ${e instanceof Error ? e.message : String(e)}` };
    }
  }

  protected context(sessionId: string): Omit<RenderContext, 'detail' | 'baseline'> {
    return { revealExitCommand: this.options.revealExitCommand, recentExits: this.options.recentExits(), sessionId };
  }

  protected build(data: Shown, ctx: RenderContext): ViewNode[] {
    return translationRoots(data, ctx);
  }
}

export function createTranslationView(feed: StateFeed, sources: TranslationLookup, options: TranslationViewOptions):
  { provider: TranslationTreeProvider; disposables: vscode.Disposable[] } {
  const provider = new TranslationTreeProvider(feed, sources, options);
  const view = vscode.window.createTreeView(TRANSLATION_VIEW_ID, { treeDataProvider: provider, showCollapseAll: true });
  return { provider, disposables: [provider, view, provider.onDidChangeMessage((m) => { view.message = m; })] };
}
