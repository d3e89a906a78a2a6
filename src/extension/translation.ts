// The extension's side of the Translation view (docs/translation.md "The Translation view"): the
// input box for an address, going back to the stopped access, and "Reverse to Last Write" on a
// guest PTE, which runs the console's `reverse-to-write GPA` in the PTE's session.
import * as vscode from 'vscode';
import { type EnteredAddress, parseAddressInput, TranslationNode } from '../views';
import type { Ctx } from './ctx';

/** Explains `given` (or what the user types) in the Translation view; undefined when cancelled. */
export async function translateAddress(ctx: Ctx, given?: string | EnteredAddress): Promise<EnteredAddress | undefined> {
  let address: EnteredAddress | undefined;
  if (typeof given === 'object') address = given;
  else {
    const now = ctx.translation.target;
    const text = given ?? await vscode.window.showInputBox({
      title: 'Hyperstep: translate a guest-virtual address',
      prompt: 'A GVA in hex (0x…) or decimal, optionally followed by r, w or x (read is the default), as the console\'s translate',
      value: now ? `0x${now.gva.toString(16).padStart(8, '0')}${now.access === 'read' ? '' : now.access === 'write' ? ' w' : ' x'}` : '',
      validateInput: (v) => {
        const p = parseAddressInput(v);
        return 'error' in p ? p.error : undefined;
      },
    });
    if (text === undefined) return undefined;
    const parsed = parseAddressInput(text);
    if ('error' in parsed) {
      void vscode.window.showErrorMessage(`Hyperstep: ${parsed.error}`);
      return undefined;
    }
    address = parsed;
  }
  ctx.translation.show(address);
  return address;
}

/** The view goes back to the access of the instruction the vCPU is stopped at. */
export function showStoppedAccess(ctx: Ctx): void {
  ctx.translation.show(undefined);
}

/** What "Reverse to Last Write" takes: a PTE row of the view, or its GPA and session (tests, keybindings). */
export type ReverseToWriteArgs = TranslationNode | { gpa: number; sessionId?: string };

/** Runs the session back to the last guest store to the PTE (the adapter stops with reason `data breakpoint`). */
export async function reverseToWrite(ctx: Ctx, args: ReverseToWriteArgs): Promise<string | undefined> {
  const gpa = args instanceof TranslationNode ? args.row.pte?.gpa : args?.gpa;
  const sessionId = args instanceof TranslationNode ? args.sessionId : args?.sessionId;
  if (gpa === undefined) {
    void vscode.window.showErrorMessage('Hyperstep: Reverse to Last Write needs a guest PTE of the Translation view.');
    return undefined;
  }
  const s = (sessionId ? ctx.sessionById(sessionId) : undefined) ?? ctx.activeSession;
  if (!s) {
    void vscode.window.showWarningMessage('Hyperstep: the debug session of this translation has ended.');
    return undefined;
  }
  const expression = `reverse-to-write 0x${gpa.toString(16).padStart(8, '0')}`;
  try {
    const r = (await s.session.customRequest('evaluate', { expression, context: 'repl' })) as { result: string };
    return r.result;
  } catch (e) {
    void vscode.window.showErrorMessage(`Hyperstep: ${expression}: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}
