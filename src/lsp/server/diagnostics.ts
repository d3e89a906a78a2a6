/**
 * The assembler's diagnostics as LSP diagnostics. The assembler gives a 1-based line and column
 * (lines split at '\n' only, columns in UTF-16 units); the range covers the token that starts
 * there, or the word, or one character, so the squiggle sits under what is wrong.
 */
import { Diagnostic, DiagnosticSeverity, Range } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { AsmDiagnostic } from '../../asm';
import { AssemblyOutcome } from './assembler-runner';
import { DocumentModel, Span, Tok, tokenBefore } from './document-model';

const DIAGNOSTIC_SOURCE = 'hyperstep-asm';

/** Offsets where each '\n'-separated line starts, as the assembler counts lines. */
function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) out.push(i + 1);
  return out;
}

function spanOfDiagnostic(
  model: DocumentModel, starts: readonly number[], byStart: ReadonlyMap<number, Tok>, d: Pick<AsmDiagnostic, 'line' | 'column'>,
): Span {
  const text = model.text;
  const line = Math.min(Math.max(1, Math.floor(d.line) || 1), starts.length);
  const lineStart = starts[line - 1];
  const lineEnd = line < starts.length ? starts[line] - 1 : text.length;
  const start = Math.min(lineStart + Math.max(0, (Math.floor(d.column) || 1) - 1), lineEnd);
  const tok = byStart.get(start);
  if (tok && tok.end > start) return { start, end: Math.min(tok.end, Math.max(lineEnd, start + 1)) };
  const word = /^[A-Za-z0-9_.$]+/.exec(text.slice(start, lineEnd));
  if (word) return { start, end: start + word[0].length };
  if (start < lineEnd) return { start, end: start + 1 };
  // At the end of the line ("missing operand"): underline the last token before it, if any.
  const last = tokenBefore(model, start);
  return last && last.start >= lineStart ? { start: last.start, end: last.end } : { start, end: start };
}

export function toLspDiagnostics(doc: TextDocument, model: DocumentModel, outcome: AssemblyOutcome): Diagnostic[] {
  const starts = lineStarts(model.text);
  const byStart = new Map(model.tokens.map((t) => [t.start, t]));
  const range = (s: Span): Range => ({ start: doc.positionAt(s.start), end: doc.positionAt(s.end) });
  if (outcome.failure) {
    return [{
      range: range({ start: 0, end: Math.min(model.text.indexOf('\n') < 0 ? model.text.length : model.text.indexOf('\n'), 200) }),
      severity: DiagnosticSeverity.Warning, source: DIAGNOSTIC_SOURCE,
      message: `No diagnostics for this version: ${outcome.failure}.`,
    }];
  }
  return outcome.diagnostics.map((d) => ({
    range: range(spanOfDiagnostic(model, starts, byStart, d)),
    severity: d.severity === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error,
    source: DIAGNOSTIC_SOURCE,
    message: d.message,
  }));
}
