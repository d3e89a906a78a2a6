// The messages between the Interrupt timeline panel (extension host, panel.ts) and its webview
// script (webview.ts). Plain JSON, declared once for both sides.
import type { IrqchipMode } from '../../protocol';
import type { TimelineModel } from './layout';

/** The other mode's picture, or why there is none. */
export type CompareState =
  | { readonly status: 'off' }
  | { readonly status: 'loading'; readonly irqchip: IrqchipMode }
  | { readonly status: 'ready'; readonly model: TimelineModel; readonly note?: string }
  | { readonly status: 'error'; readonly irqchip: IrqchipMode; readonly message: string };

/** Host → webview. */
export type ToWebview =
  /** The picture at the current stop (sent on every stop and change). */
  | { readonly type: 'model'; readonly model: TimelineModel; readonly running: boolean; readonly stop: number; readonly dropped: number }
  /** Nothing to draw: no Hyperstep session, or the state could not be read. */
  | { readonly type: 'empty'; readonly message: string }
  | { readonly type: 'compare'; readonly compare: CompareState };

/** Webview → host. */
export type FromWebview =
  | { readonly type: 'ready' }
  /** A click on a hop: run to its cycle (hyperstep/runToCycle). */
  | { readonly type: 'goto'; readonly cycle: number; readonly vcpu?: number }
  /** The compare toggle: show `irqchip` beside the session's own mode, or stop comparing. */
  | { readonly type: 'compare'; readonly irqchip: IrqchipMode | null }
  /** After each drawing: what is on screen, per picture (the host keeps it for tests and status). */
  | { readonly type: 'drawn'; readonly pictures: readonly DrawnPicture[] };

export interface DrawnPicture {
  readonly role: 'main' | 'compare';
  readonly irqchip: IrqchipMode;
  readonly lanes: readonly string[];
  readonly hops: number;
  readonly chains: number;
  readonly exits: number;
  readonly range: { readonly start: number; readonly end: number };
}
