/** Diagnostics: collected, never thrown, so one run reports every error of a file. */

export interface AsmDiagnostic {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units as editors count. */
  column: number;
  severity: 'error' | 'warning';
  message: string;
}

/** A place in the source, 1-based. */
export interface SourcePos {
  readonly line: number;
  readonly column: number;
}

/**
 * A plain copy of a position. What outlives parsing (statements, expressions, items) keeps this
 * rather than the token it came from: tokens are several times larger and are dropped after
 * parsing (docs/assembler.md, "Memory").
 */
export function positionOf(p: SourcePos): SourcePos {
  return { line: p.line, column: p.column };
}

export class Diagnostics {
  readonly list: AsmDiagnostic[] = [];
  private readonly seen = new Set<string>();

  constructor(readonly file: string) {}

  error(pos: SourcePos, message: string): void {
    this.add(pos, 'error', message);
  }

  warning(pos: SourcePos, message: string): void {
    this.add(pos, 'warning', message);
  }

  /** Takes over the diagnostics of another collector (a layout run that was kept). */
  absorb(other: Diagnostics): void {
    for (const d of other.list) this.absorbOne(d);
  }

  absorbOne(d: AsmDiagnostic): void {
    this.add(d, d.severity, d.message);
  }

  get hasErrors(): boolean {
    return this.list.some((d) => d.severity === 'error');
  }

  /** The same message at the same place is reported once (a symbol may be evaluated many times). */
  private add(pos: SourcePos, severity: AsmDiagnostic['severity'], message: string): void {
    const key = `${pos.line}:${pos.column}:${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push({ file: this.file, line: pos.line, column: pos.column, severity, message });
  }
}

/** `file:line:column: message`, with `warning: ` before the message of a warning. */
export function formatDiagnostic(d: AsmDiagnostic): string {
  const prefix = d.severity === 'warning' ? 'warning: ' : '';
  return `${d.file}:${d.line}:${d.column}: ${prefix}${d.message}`;
}

/** Sorts by position, keeping the report order of diagnostics on the same spot. */
export function sortDiagnostics(list: readonly AsmDiagnostic[]): AsmDiagnostic[] {
  return list
    .map((d, i) => ({ d, i }))
    .sort((a, b) => a.d.line - b.d.line || a.d.column - b.d.column || a.i - b.i)
    .map(({ d }) => d);
}
