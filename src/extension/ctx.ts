// One object owns every disposable, by lifetime (docs/style.md habit 3, after rust-analyzer's ctx.ts):
// the extension's (views, commands, providers: disposed on deactivate through the extension
// context) and each Hyperstep debug session's (disposed when that session terminates). A
// `SessionScope` is the proof that a debug session is ours: only it sends custom requests.
import * as vscode from 'vscode';
import { DEBUG_TYPE, type RequestType, stateRequest, stoppedAccessRequest, translateRequest } from '../protocol';
import {
  createProvenanceViews, createTranslationView, createViews, type ProvenanceViews, StateFeed, type StateSource, type TranslationSource,
  type TranslationTreeProvider, type Views,
} from '../views';
import { commandId } from './commands';
import { Config } from './config';
import { provenanceSource, runToCycle } from './provenance';

export class SessionScope implements vscode.Disposable {
  private readonly cleanups: vscode.Disposable[] = [];
  /** Set while the machine runs (between a continue/step request and the next stop). */
  running = false;

  constructor(readonly session: vscode.DebugSession) {}

  get id(): string {
    return this.session.id;
  }

  /** A custom request, typed by its declaration in src/protocol (docs/style.md habit 5). */
  async request<Args, Result>(type: RequestType<Args, Result>, args: Args): Promise<Result> {
    return (await this.session.customRequest(type.command, args)) as Result;
  }

  /** The machine state for the views (read-only: hyperstep/state never changes device state). */
  stateSource(): StateSource {
    return { sessionId: this.id, state: (args) => this.request(stateRequest, args) };
  }

  /** What the Translation view asks of this session (hyperstep/stoppedAccess, hyperstep/translate). */
  translationSource(): TranslationSource {
    return {
      sessionId: this.id,
      stoppedAccess: (args) => this.request(stoppedAccessRequest, args),
      translate: (args) => this.request(translateRequest, args),
    };
  }

  /** Something that ends with this debug session. */
  push(d: vscode.Disposable): void {
    this.cleanups.push(d);
  }

  dispose(): void {
    while (this.cleanups.length) this.cleanups.pop()?.dispose();
  }
}

export class Ctx {
  readonly config = new Config();
  readonly feed = new StateFeed();
  private readonly sessions = new Map<string, SessionScope>();
  private readonly ended = new Set<string>();
  /** The tree views (src/views), fed by `feed`; created with the context, disposed with the extension. */
  readonly views: Views;
  /** The Interrupts view and the Interrupt timeline (src/views/provenance-views.ts). */
  readonly provenance: ProvenanceViews;
  /** The Translation view (src/views/translation-provider.ts). */
  readonly translation: TranslationTreeProvider;

  constructor(readonly extension: vscode.ExtensionContext) {
    this.push(this.feed, { dispose: () => this.sessions.forEach((s) => s.dispose()) });
    const { views, disposables } = createViews(this.feed, {
      detail: () => this.config.viewDetail,
      recentExits: () => this.config.recentExits,
      revealExitCommand: commandId('revealExit'),
    });
    this.views = views;
    this.push(...disposables, this.config.onDidChange('views', () => Object.values(views).forEach((v) => v.rerender())));
    const provenance = createProvenanceViews(extension.extensionUri, this.feed, (id) => {
      const s = this.sessions.get(id);
      return s ? provenanceSource(s) : undefined;
    }, {
      detail: () => this.config.viewDetail,
      recentExits: () => this.config.recentExits,
      revealExitCommand: commandId('revealExit'),
      runToCycleCommand: commandId('runToCycle'),
      runToCycle: (args) => runToCycle(this, args),
    });
    this.provenance = provenance.views;
    this.push(...provenance.disposables, this.config.onDidChange('views', () => provenance.views.interrupts.rerender()));
    const translation = createTranslationView(this.feed, (id) => this.sessions.get(id)?.translationSource(), {
      detail: () => this.config.viewDetail,
      recentExits: () => this.config.recentExits,
      revealExitCommand: commandId('revealExit'),
    });
    this.translation = translation.provider;
    this.push(...translation.disposables);
  }

  /** Something that lives as long as the extension. */
  push(...ds: vscode.Disposable[]): void {
    this.extension.subscriptions.push(...ds);
  }

  /** The scope of a Hyperstep debug session, created the first time the session is seen. */
  sessionOf(session: vscode.DebugSession): SessionScope | undefined {
    if (session.type !== DEBUG_TYPE || this.ended.has(session.id)) return undefined;
    let s = this.sessions.get(session.id);
    if (!s) {
      s = new SessionScope(session);
      this.sessions.set(session.id, s);
    }
    return s;
  }

  sessionById(id: string): SessionScope | undefined {
    return this.sessions.get(id);
  }

  /** The session ended: dispose its scope; the views follow the active session, if any. */
  endSession(session: vscode.DebugSession): void {
    this.sessions.get(session.id)?.dispose();
    this.sessions.delete(session.id);
    this.ended.add(session.id);
    if (this.feed.sessionId === session.id) this.followActive();
  }

  /** The Hyperstep session the views and commands act on: the active debug session, when it is ours. */
  get activeSession(): SessionScope | undefined {
    const active = vscode.debug.activeDebugSession;
    return active ? this.sessionOf(active) : undefined;
  }

  followActive(): void {
    this.feed.follow(this.activeSession?.stateSource());
  }
}
