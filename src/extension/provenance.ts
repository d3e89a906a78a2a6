// The extension's side of interrupt provenance: the debug sessions as a ProvenanceLookup for the
// Interrupts view and the timeline, and "run to cycle" (a click on a hop) as a DAP request.
import * as vscode from 'vscode';
import { compareInterruptsRequest, interruptsRequest, runToCycleRequest, type RunToCycleResult } from '../protocol';
import type { ProvenanceSource, RunToCycleArgs } from '../views';
import type { Ctx, SessionScope } from './ctx';

export function provenanceSource(s: SessionScope): ProvenanceSource {
  return {
    sessionId: s.id,
    interrupts: (args) => s.request(interruptsRequest, args),
    compare: (args) => s.request(compareInterruptsRequest, args),
  };
}

/** Runs the session to `args.cycle` (forwards or backwards; the adapter stops with reason `goto`). */
export async function runToCycle(ctx: Ctx, args: RunToCycleArgs): Promise<RunToCycleResult | undefined> {
  const s = ctx.sessionById(args.sessionId) ?? ctx.activeSession;
  if (!s) {
    void vscode.window.showWarningMessage('Hyperstep: the debug session of this interrupt has ended.');
    return undefined;
  }
  try {
    return await s.request(runToCycleRequest, { cycle: args.cycle, ...(args.vcpu !== undefined ? { vcpu: args.vcpu } : {}) });
  } catch (e) {
    void vscode.window.showErrorMessage(`Hyperstep: cannot run to cycle ${args.cycle}: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}
