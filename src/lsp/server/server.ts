/**
 * The language server: LSP wiring over the features. Every request handler checks its params
 * (a malformed request gets an InvalidParams error), and a failure inside a feature is logged and
 * answered with "nothing here" rather than taking the server down (docs/contracts.md).
 */
import {
  CompletionItem, CompletionItemKind, Connection, Diagnostic, DocumentHighlightKind, DocumentSymbol, ErrorCodes,
  InitializeResult, InsertTextFormat, Location, MarkupKind, Range, ResponseError, SymbolKind, TextDocumentSyncKind,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Analysis } from './analysis';
import { AssemblerRunner, AssemblyOutcome } from './assembler-runner';
import { CompletionResult, ItemKind, completionAt } from './completion';
import { toLspDiagnostics } from './diagnostics';
import { DocumentModel, Span } from './document-model';
import { hoverAt } from './hover';
import { LiveDocuments } from './live-documents';
import { REAL_TIMERS, Timers } from './timers';
import { OutlineEntry, OutlineKind, definitionsAt, highlightsAt, outline, referencesAt } from './navigation';

interface ServerOptions {
  /** Quiet time after an edit before the document is assembled again. */
  readonly debounceMs?: number;
  /**
   * How long the outline waits for the first assembly of a document (its label addresses) before
   * answering without it. Hover and completion never wait: they answer from the model.
   */
  readonly assemblyWaitMs?: number;
  /** The documents; given by tests that read its counters. */
  readonly documents?: LiveDocuments;
  /** The clock of the pause after edits; tests give one they advance by hand. */
  readonly timers?: Timers;
}


const SERVER_NAME = 'hyperstep-asm';

interface DocumentState {
  readonly version: number;
  readonly model: DocumentModel;
  outcome?: AssemblyOutcome;
  assembling?: Promise<AssemblyOutcome>;
  /** Built for the outcome known at the time (none, then the finished one). */
  analysis?: Analysis;
}

const ITEM_KINDS: Readonly<Record<ItemKind, CompletionItemKind>> = {
  mnemonic: CompletionItemKind.Keyword, directive: CompletionItemKind.Keyword, register: CompletionItemKind.Variable,
  csr: CompletionItemKind.Property, label: CompletionItemKind.Field, function: CompletionItemKind.Function,
  equate: CompletionItemKind.Constant, 'local-label': CompletionItemKind.Reference,
  'device-register': CompletionItemKind.Constant, relocation: CompletionItemKind.Operator,
  keyword: CompletionItemKind.Keyword, section: CompletionItemKind.Module,
};

const OUTLINE_KINDS: Readonly<Record<OutlineKind, SymbolKind>> = {
  section: SymbolKind.Namespace, function: SymbolKind.Function, field: SymbolKind.Field, constant: SymbolKind.Constant,
};

interface TextDocumentParams { textDocument: { uri: string } }
interface PositionParams extends TextDocumentParams { position: { line: number; character: number } }

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function checkDocumentParams(p: unknown): asserts p is TextDocumentParams {
  if (!isObject(p) || !isObject(p.textDocument) || typeof p.textDocument.uri !== 'string') {
    throw new ResponseError(ErrorCodes.InvalidParams, 'expected { textDocument: { uri: string } }');
  }
}

function checkPositionParams(p: unknown): asserts p is PositionParams {
  checkDocumentParams(p);
  const pos = (p as unknown as Record<string, unknown>).position;
  if (!isObject(pos) || !Number.isInteger(pos.line) || !Number.isInteger(pos.character)) {
    throw new ResponseError(ErrorCodes.InvalidParams, 'expected position: { line: integer, character: integer }');
  }
}

export function startServer(connection: Connection, runner: AssemblerRunner, options: ServerOptions = {}): void {
  const documents = options.documents ?? new LiveDocuments();
  const states = new Map<string, DocumentState>();
  /** The newest assembly that finished, of whichever version, per document. */
  const finished = new Map<string, AssemblyOutcome>();
  const timers = new Map<string, unknown>();
  const clock = options.timers ?? REAL_TIMERS;
  const debounceMs = options.debounceMs ?? 150;
  const assemblyWaitMs = options.assemblyWaitMs ?? 500;
  let snippets = false;

  const log = (message: string): void => {
    try {
      connection.console.error(message);
    } catch {
      // the connection is gone; nothing left to tell
    }
  };

  /** Runs a feature; a malformed request is an error response, a bug inside a feature is logged and answered with `fallback`. */
  const guarded = <P, R>(name: string, check: (p: unknown) => void, fallback: R, fn: (p: P) => R | Promise<R>) =>
    async (params: P): Promise<R> => {
      check(params);
      try {
        return await fn(params);
      } catch (e) {
        log(`${name} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
        return fallback;
      }
    };

  function stateOf(doc: TextDocument): DocumentState {
    const known = states.get(doc.uri);
    if (known && known.version === doc.version) return known;
    const model = documents.modelOf(doc.uri);
    if (!model) throw new Error(`${doc.uri} is not open`);
    const state: DocumentState = { version: doc.version, model };
    states.set(doc.uri, state);
    return state;
  }

  function assembleState(doc: TextDocument, state: DocumentState): Promise<AssemblyOutcome> {
    state.assembling ??= runner.assemble(state.model.text, fileNameOf(doc.uri), doc.uri).then((outcome) => {
      state.outcome = outcome;
      if (!outcome.failure && states.get(doc.uri) !== undefined) finished.set(doc.uri, outcome);
      return outcome;
    });
    return state.assembling;
  }

  async function analysisOf(uri: string, waitMs: number): Promise<{ doc: TextDocument; analysis: Analysis } | undefined> {
    let doc = documents.get(uri);
    if (!doc) return undefined;
    let state = stateOf(doc);
    // The assembly of the newest version is not waited for when an earlier version's has
    // finished: its label addresses stand in (they move little between keystrokes) and the
    // answer is about the newest text at once. Only the outline of a document never assembled
    // waits for it, a little.
    let outcome = state.outcome ?? finished.get(uri);
    if (!outcome && waitMs > 0) {
      await Promise.race([assembleState(doc, state), new Promise<void>((r) => clock.set(r, waitMs))]);
      // An edit may have come meanwhile, and the model is updated in place: answer about the newest version.
      doc = documents.get(uri);
      if (!doc) return undefined;
      state = stateOf(doc);
      outcome = state.outcome ?? finished.get(uri);
    }
    if (!state.analysis || state.analysis.outcome !== outcome) state.analysis = new Analysis(state.model, outcome);
    return { doc, analysis: state.analysis };
  }

  async function validate(uri: string): Promise<void> {
    const doc = documents.get(uri);
    if (!doc) return;
    const state = stateOf(doc);
    const outcome = await assembleState(doc, state);
    const current = documents.get(uri);
    if (!current || current.version !== state.version) return; // a newer version is on its way
    const diagnostics: Diagnostic[] = toLspDiagnostics(doc, state.model, outcome);
    await connection.sendDiagnostics({ uri, version: state.version, diagnostics });
  }

  function schedule(uri: string): void {
    clock.clear(timers.get(uri));
    timers.set(uri, clock.set(() => {
      timers.delete(uri);
      validate(uri).catch((e) => log(`diagnostics failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`));
    }, debounceMs));
  }

  const range = (doc: TextDocument, s: Span): Range => ({ start: doc.positionAt(s.start), end: doc.positionAt(s.end) });

  connection.onInitialize((params): InitializeResult => {
    snippets = params?.capabilities?.textDocument?.completion?.completionItem?.snippetSupport === true;
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['.', '%', ',', '('] },
        definitionProvider: true,
        referencesProvider: true,
        documentHighlightProvider: true,
        documentSymbolProvider: true,
      },
      serverInfo: { name: SERVER_NAME },
    };
  });

  // A new version supersedes the assembly of the one before at once (killed, not waited for);
  // the next runs after a pause in the edits.
  documents.listen(connection, {
    changed: (uri) => {
      runner.cancel(uri);
      schedule(uri);
    },
    closed: (uri) => {
      runner.cancel(uri);
      clock.clear(timers.get(uri));
      timers.delete(uri);
      states.delete(uri);
      finished.delete(uri);
      connection.sendDiagnostics({ uri, diagnostics: [] }).catch(() => undefined);
    },
    log,
  });

  connection.onHover(guarded('hover', checkPositionParams, null, async (p: PositionParams) => {
    const found = await analysisOf(p.textDocument.uri, 0);
    if (!found) return null;
    const h = hoverAt(found.analysis, found.doc.offsetAt(p.position));
    return h ? { contents: { kind: MarkupKind.Markdown, value: h.markdown }, range: range(found.doc, h) } : null;
  }));

  connection.onCompletion(guarded('completion', checkPositionParams, null, async (p: PositionParams) => {
    const found = await analysisOf(p.textDocument.uri, 0);
    if (!found) return null;
    const result = completionAt(found.analysis, found.doc.offsetAt(p.position), { snippets });
    return result ? { isIncomplete: false, items: completionItems(found.doc, result) } : null;
  }));

  function completionItems(doc: TextDocument, result: CompletionResult): CompletionItem[] {
    const replace = range(doc, result.replace);
    return result.items.map((i) => ({
      label: i.label,
      kind: ITEM_KINDS[i.kind],
      ...(i.detail ? { detail: i.detail } : {}),
      ...(i.documentation ? { documentation: { kind: MarkupKind.Markdown, value: i.documentation } } : {}),
      ...(i.sortText ? { sortText: i.sortText } : {}),
      ...(i.filterText ? { filterText: i.filterText } : {}),
      textEdit: { range: replace, newText: i.insertText ?? i.label },
      insertTextFormat: i.snippet ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
    }));
  }

  connection.onDefinition(guarded('definition', checkPositionParams, null, async (p: PositionParams) => {
    const found = await analysisOf(p.textDocument.uri, 0);
    if (!found) return null;
    const spans = definitionsAt(found.analysis, found.doc.offsetAt(p.position));
    return spans.map((s): Location => ({ uri: found.doc.uri, range: range(found.doc, s) }));
  }));

  connection.onReferences(guarded('references', checkPositionParams, null, async (p: PositionParams & { context?: { includeDeclaration?: boolean } }) => {
    const found = await analysisOf(p.textDocument.uri, 0);
    if (!found) return null;
    const spans = referencesAt(found.analysis, found.doc.offsetAt(p.position), p.context?.includeDeclaration === true);
    return spans.map((s): Location => ({ uri: found.doc.uri, range: range(found.doc, s) }));
  }));

  connection.onDocumentHighlight(guarded('documentHighlight', checkPositionParams, null, async (p: PositionParams) => {
    const found = await analysisOf(p.textDocument.uri, 0);
    if (!found) return null;
    return highlightsAt(found.analysis, found.doc.offsetAt(p.position)).map((h) => ({
      range: range(found.doc, h), kind: h.write ? DocumentHighlightKind.Write : DocumentHighlightKind.Read,
    }));
  }));

  connection.onDocumentSymbol(guarded('documentSymbol', checkDocumentParams, null, async (p: TextDocumentParams) => {
    const found = await analysisOf(p.textDocument.uri, assemblyWaitMs);
    if (!found) return null;
    const toSymbol = (e: OutlineEntry): DocumentSymbol => ({
      name: e.name || '(unnamed)', kind: OUTLINE_KINDS[e.kind], ...(e.detail ? { detail: e.detail } : {}),
      range: range(found.doc, e.range), selectionRange: range(found.doc, e.selection), children: e.children.map(toSymbol),
    });
    return outline(found.analysis).map(toSymbol);
  }));

  connection.onShutdown(() => {
    for (const t of timers.values()) clock.clear(t);
    runner.dispose();
  });

  connection.listen();
}

function fileNameOf(uri: string): string {
  const path = uri.replace(/[?#].*$/, '');
  const name = path.slice(path.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(name) || 'untitled.s';
  } catch {
    return name || 'untitled.s';
  }
}
