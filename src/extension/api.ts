// What activate() returns: for tests and for other extensions. Types only at the boundary.
import type { ProvenanceViews, StateFeed, TranslationTreeProvider, Views } from '../views';
import type { CommandName } from './commands';

export interface HyperstepApi {
  /** Milliseconds activate() took, from its first line to its return. */
  readonly activationMs: number;
  readonly views: Views;
  /** The Interrupts view and the Interrupt timeline panel. */
  readonly provenance: ProvenanceViews;
  /** The Translation view. */
  readonly translation: TranslationTreeProvider;
  readonly feed: StateFeed;
  /** The full id of a command of the table ("hyperstep.injectIrq"). */
  commandId(name: CommandName): string;
  /** Settles when the language client has started (or failed to; it never rejects). */
  readonly languageClientReady: Promise<boolean>;
}
