// The Interrupt timeline panel (a webview beside the editor): the extension-host half. It reads the
// chains (`hyperstep/interrupts`), the current cycle and the recent exits (`hyperstep/state`) of
// the session the state feed follows, on every stop and change, and posts them to the webview
// script (webview.ts), which lays them out and draws. With "compare" on it also asks the adapter
// for the same program run headless under another irqchip mode (`hyperstep/compareInterrupts`).
// Security (VS Code's webview guidance): a strict Content-Security-Policy with a nonce, no remote
// content, scripts only from dist/webview/ (the only local resource root).
import * as vscode from 'vscode';
import type { IrqchipMode, StateSnapshot } from '../../protocol';
import type { StateFeed } from '../feed';
import type { RunToCycleArgs } from '../nodes/interrupts';
import { type ProvenanceLookup, type ProvenanceSource, RECENT_CHAINS } from '../provenance';
import type { TimelineExit, TimelineModel } from './layout';
import { timelineHtml } from './html';
import type { CompareState, DrawnPicture, FromWebview, ToWebview } from './messages';

const TIMELINE_VIEW_TYPE = 'hyperstep.interruptTimeline';

/** What the panel last sent and what the webview reported back (tests read this). */
interface TimelineStatus {
  readonly model: TimelineModel | undefined;
  readonly compare: CompareState;
  readonly posts: number;
  /** What the webview reported it drew last (lanes, hop arrows, chains per picture). */
  readonly drawn: readonly DrawnPicture[] | undefined;
}

export class TimelinePanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private compareMode: IrqchipMode | null = null;
  private compareState: CompareState = { status: 'off' };
  private model: TimelineModel | undefined;
  private posts = 0;
  private drawn: readonly DrawnPicture[] | undefined;
  private readonly drawnEmitter = new vscode.EventEmitter<readonly DrawnPicture[]>();
  /** Fires each time the webview has drawn (tests wait on it). */
  readonly onDidDraw = this.drawnEmitter.event;
  private refreshing: Promise<void> | undefined;
  private again = false;

  constructor(private readonly extensionUri: vscode.Uri, private readonly feed: StateFeed, private readonly sources: ProvenanceLookup,
    private readonly runToCycle: (args: RunToCycleArgs) => Thenable<unknown>) {
    this.disposables.push(feed.onDidInvalidate((why) => {
      if (why === 'session') this.compareState = this.compareMode ? { status: 'loading', irqchip: this.compareMode } : { status: 'off' };
      if (why !== 'continue') void this.refresh();
    }));
  }

  get status(): TimelineStatus {
    return { model: this.model, compare: this.compareState, posts: this.posts, drawn: this.drawn };
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  /** Opens the panel (or brings it forward) and draws the current state. */
  show(): void {
    if (this.panel) {
      this.panel.reveal(undefined, true);
      return;
    }
    const root = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    const panel = vscode.window.createWebviewPanel(TIMELINE_VIEW_TYPE, 'Interrupt Timeline', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      localResourceRoots: [root],
    });
    this.panel = panel;
    panel.webview.html = timelineHtml({ cspSource: panel.webview.cspSource, script: panel.webview.asWebviewUri(vscode.Uri.joinPath(root, 'timeline.js')).toString() });
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.drawn = undefined;
    }, undefined, this.disposables);
    panel.webview.onDidReceiveMessage((m: FromWebview) => this.receive(m), undefined, this.disposables);
  }

  /** Turns the comparison on (under `irqchip`) or off, as the webview's toggle does. */
  async setCompare(irqchip: IrqchipMode | null): Promise<void> {
    this.compareMode = irqchip;
    this.compareState = irqchip ? { status: 'loading', irqchip } : { status: 'off' };
    await this.post({ type: 'compare', compare: this.compareState });
    await this.refresh();
  }

  /** Reads and redraws; concurrent calls coalesce into one more read after the current one. */
  refresh(): Promise<void> {
    if (!this.panel) return Promise.resolve();
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.again = false;
        await this.read();
      } while (this.again);
    })().finally(() => { this.refreshing = undefined; });
    return this.refreshing;
  }

  private async read(): Promise<void> {
    const sessionId = this.feed.sessionId;
    const source = sessionId === undefined ? undefined : this.sources(sessionId);
    if (!source) {
      this.model = undefined;
      await this.post({ type: 'empty', message: 'Start a Hyperstep debug session: the timeline draws its interrupts.' });
      return;
    }
    let snapshot: StateSnapshot | undefined, chains;
    try {
      [snapshot, chains] = await Promise.all([
        this.feed.snapshot(['vcpus', 'exits']).then((s) => s?.snapshot),
        source.interrupts({ last: RECENT_CHAINS }),
      ]);
    } catch (e) {
      this.model = undefined;
      await this.post({ type: 'empty', message: `Cannot read the interrupt chains: ${e instanceof Error ? e.message : String(e)}` });
      return;
    }
    const model: TimelineModel = {
      irqchip: snapshot?.irqchip, vcpus: snapshot?.vcpus?.length ?? 1, chains: chains.chains,
      current: snapshot ? currentCycle(snapshot) : undefined, exits: exitsOf(snapshot),
    };
    this.model = model;
    const dropped = Object.values(chains.dropped ?? {}).reduce<number>((a, n) => a + (n ?? 0), 0);
    await this.post({ type: 'model', model, running: this.feed.isRunning, stop: this.feed.stopCount, dropped });
    if (this.compareMode && model.current !== undefined) await this.readCompare(source, this.compareMode, model.current);
  }

  private async readCompare(source: ProvenanceSource, irqchip: IrqchipMode, untilCycle: number): Promise<void> {
    try {
      const r = await source.compare({ irqchip, untilCycle, last: RECENT_CHAINS });
      if (this.compareMode !== irqchip) return;
      // As many of the batch's most recent exits as the session's exit log holds, so both pictures
      // show the same number of exits (a mode that exits more packs them into less time).
      const shown = Math.max(1, this.model?.exits?.length ?? r.exits.length);
      const model: TimelineModel = { irqchip: r.irqchip, vcpus: r.vcpus, chains: r.chains, current: r.cycles, exits: r.exits.slice(-shown).map(toTimelineExit) };
      this.compareState = { status: 'ready', model, ...(r.note ? { note: r.note } : {}) };
    } catch (e) {
      if (this.compareMode !== irqchip) return;
      this.compareState = { status: 'error', irqchip, message: e instanceof Error ? e.message : String(e) };
    }
    await this.post({ type: 'compare', compare: this.compareState });
  }

  private async receive(m: FromWebview): Promise<void> {
    switch (m.type) {
      case 'ready':
        if (this.compareMode) await this.post({ type: 'compare', compare: this.compareState });
        await this.refresh();
        return;
      case 'goto': {
        const sessionId = this.feed.sessionId;
        if (sessionId === undefined) return;
        await this.runToCycle({ sessionId, cycle: m.cycle, ...(m.vcpu !== undefined ? { vcpu: m.vcpu } : {}) });
        return;
      }
      case 'compare':
        await this.setCompare(m.irqchip);
        return;
      case 'drawn':
        this.drawn = m.pictures;
        this.drawnEmitter.fire(m.pictures);
        return;
    }
  }

  private async post(message: ToWebview): Promise<void> {
    if (!this.panel) return;
    this.posts++;
    await this.panel.webview.postMessage(message);
  }

  dispose(): void {
    this.panel?.dispose();
    this.drawnEmitter.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}

/** The stopped machine's "now": the largest vCPU clock (vCPUs run in lockstep slices). */
function currentCycle(s: StateSnapshot): number {
  return s.vcpus && s.vcpus.length ? Math.max(...s.vcpus.map((v) => v.cycles)) : s.cycles;
}

function exitsOf(s: StateSnapshot | undefined): TimelineExit[] {
  return s?.exits?.recent.map(toTimelineExit) ?? [];
}

function toTimelineExit(x: { cycle: number; vcpu?: number; reason: string; handledIn: 'kernel' | 'vmm' }): TimelineExit {
  return { cycle: x.cycle, vcpu: x.vcpu ?? 0, reason: x.reason, handledIn: x.handledIn };
}
