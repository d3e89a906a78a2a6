/**
 * The clock of the language server's waits (the pause after edits, the assembler's time limit),
 * injected so tests decide when a wait is over instead of racing the machine's speed.
 */
export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const REAL_TIMERS: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout | undefined),
};
