// Where the Interrupts view and the Interrupt timeline get their chains: `hyperstep/interrupts` of
// the session the state feed follows (and, for the timeline's comparison, the adapter's batch run
// under another irqchip mode). The extension adapts its debug sessions to this; tests give fakes.
import type { CompareInterruptsArguments, CompareInterruptsResult, InterruptsArguments, InterruptsResult } from '../protocol';

export interface ProvenanceSource {
  readonly sessionId: string;
  interrupts(args: InterruptsArguments): Thenable<InterruptsResult>;
  compare(args: CompareInterruptsArguments): Thenable<CompareInterruptsResult>;
}

/** The source of the session with this id, if it is still there. */
export type ProvenanceLookup = (sessionId: string) => ProvenanceSource | undefined;

/** How many of the most recent chains the views ask for. */
export const RECENT_CHAINS = 200;
