// Clicking a VM exit reveals the guest instruction that caused it: the source line when the
// adapter maps the exit's pc to one (DAP `disassemble` with source locations), otherwise a
// read-only disassembly listing around the pc. Reading the disassembly has no side effect.
import type { DebugProtocol } from '@vscode/debugprotocol';
import * as vscode from 'vscode';
import { hex8, type RevealExitArgs } from '../views';
import type { Ctx } from './ctx';

export const DISASSEMBLY_SCHEME = 'hyperstep-disassembly';
const CONTEXT = 8;

/** Where an exit was revealed (returned by the command, for tests and callers). */
interface Revealed {
  kind: 'source' | 'disassembly';
  uri: string;
  /** 1-based. */
  line: number;
}

/** The virtual documents of disassembly listings, by URI. */
export class DisassemblyDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  set(uri: vscode.Uri, text: string): void {
    this.texts.set(uri.toString(), text);
  }
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }
}

export async function revealExit(ctx: Ctx, docs: DisassemblyDocuments, args: RevealExitArgs): Promise<Revealed | undefined> {
  const s = ctx.sessionById(args.sessionId) ?? ctx.activeSession;
  if (!s) {
    void vscode.window.showWarningMessage('Hyperstep: the debug session of this VM exit has ended.');
    return undefined;
  }
  const pc = args.exit.pc >>> 0;
  const request: DebugProtocol.DisassembleArguments = {
    memoryReference: hex8(pc), instructionOffset: -CONTEXT, instructionCount: 2 * CONTEXT + 1, resolveSymbols: true,
  };
  const body = (await s.session.customRequest('disassemble', request)) as DebugProtocol.DisassembleResponse['body'];
  const instructions = body?.instructions ?? [];
  // A location is given on the first instruction and whenever it changes (DAP DisassembledInstruction).
  let location: DebugProtocol.Source | undefined;
  let at = -1;
  let sourceLine: number | undefined;
  instructions.forEach((ins, i) => {
    if (ins.location) location = ins.location;
    if (Number.parseInt(ins.address, 16) === pc && at < 0) {
      at = i;
      if (ins.line !== undefined && location?.path) sourceLine = ins.line;
    }
  });
  if (at >= 0 && sourceLine !== undefined && location?.path) {
    // Through a remote window (code-server) VS Code hands source paths over as URIs.
    const uri = /^[a-z][\w+.-]+:\/\//i.test(location.path) ? vscode.Uri.parse(location.path) : vscode.Uri.file(location.path);
    await showLine(uri, sourceLine);
    return { kind: 'source', uri: uri.toString(), line: sourceLine };
  }
  const uri = vscode.Uri.from({ scheme: DISASSEMBLY_SCHEME, path: `/${s.session.name}/${hex8(pc)}.lst` });
  const lines = [`; ${args.exit.reason} at cycle ${args.exit.cycle}, pc ${hex8(pc)}`];
  let line = 1;
  for (const ins of instructions) {
    const mark = Number.parseInt(ins.address, 16) === pc ? '=>' : '  ';
    if (mark === '=>') line = lines.length + 1;
    lines.push(`${mark} ${ins.address.padEnd(10)} ${(ins.instructionBytes ?? '').padEnd(9)} ${ins.instruction}${ins.symbol ? `    <${ins.symbol}>` : ''}`);
  }
  if (instructions.length === 0) lines.push(`=> ${hex8(pc)}  (no disassembly available)`);
  docs.set(uri, lines.join('\n') + '\n');
  await showLine(uri, line);
  return { kind: 'disassembly', uri: uri.toString(), line };
}

async function showLine(uri: vscode.Uri, line: number): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const position = new vscode.Position(Math.max(0, line - 1), 0);
  const range = doc.lineAt(position.line).range;
  await vscode.window.showTextDocument(doc, { selection: new vscode.Selection(range.start, range.end), preserveFocus: false, preview: true });
}
