/**
 * The open documents, their text and their model, kept up to date from the client's incremental
 * changes (docs/language-server.md, "Edits in bursts"). vscode-languageserver's `TextDocuments`
 * applies the changes but hands on only the new text, so it is replaced here by the same few
 * notifications: each change is recorded as an offset edit before it is applied, and the model is
 * brought to the newest version when a feature asks for it, edit by edit (incremental-model.ts),
 * or built again when an edit needs that.
 */
import { Connection, TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DocumentModel, buildModel } from './document-model';
import { TextEdit, applyEdit } from './incremental-model';

/** Past this many edits not yet applied, one full build is cheaper than applying them. */
const MAX_PENDING = 256;

interface Live {
  readonly doc: TextDocument;
  /** The model of `modelVersion`, or none yet. */
  model?: DocumentModel;
  modelVersion: number;
  /** The edits since `modelVersion`, or 'rebuild' when one of them needs a full build anyway. */
  pending: TextEdit[] | 'rebuild';
}

interface ModelStats {
  /** Models brought to a newer version in place (each for all the edits since the one before). */
  incremental: number;
  /** Models built from the whole text. */
  built: number;
}

export class LiveDocuments {
  private readonly docs = new Map<string, Live>();
  readonly stats: ModelStats = { incremental: 0, built: 0 };

  get(uri: string): TextDocument | undefined {
    return this.docs.get(uri)?.doc;
  }

  open(uri: string, languageId: string, version: number, text: string): void {
    this.docs.set(uri, { doc: TextDocument.create(uri, languageId, version, text), modelVersion: -1, pending: 'rebuild' });
  }

  /** Applies the client's changes in order; false when the document is not open. */
  change(uri: string, version: number, changes: readonly TextDocumentContentChangeEvent[]): boolean {
    const live = this.docs.get(uri);
    if (!live) return false;
    for (const change of changes) {
      if (live.pending !== 'rebuild' && 'range' in change && change.range) {
        const a = live.doc.offsetAt(change.range.start), b = live.doc.offsetAt(change.range.end);
        live.pending.push({ start: Math.min(a, b), end: Math.max(a, b), text: change.text });
        if (live.pending.length > MAX_PENDING) live.pending = 'rebuild';
      } else if (!('range' in change && change.range)) {
        live.pending = 'rebuild';
      }
      TextDocument.update(live.doc, [change], version);
    }
    return true;
  }

  close(uri: string): void {
    this.docs.delete(uri);
  }

  /** The model of the document's newest version. */
  modelOf(uri: string): DocumentModel | undefined {
    const live = this.docs.get(uri);
    if (!live) return undefined;
    if (live.model && live.modelVersion === live.doc.version) return live.model;
    const text = live.doc.getText();
    let model: DocumentModel | undefined;
    if (live.model && live.pending !== 'rebuild') {
      // A burst of edits usually touches a few neighbouring lines: taken as one edit (the part of
      // the text between what the two versions share at both ends), it moves the rest of the
      // model once, not once per keystroke. Edits far apart make that part large: then one by one.
      // (applyEdit changes nothing when it refuses.)
      model = applyEdit(live.model, difference(live.model.text, text));
      for (const edit of model ? [] : live.pending) {
        model = applyEdit(model ?? live.model, edit);
        if (!model) break;
      }
      if (model) this.stats.incremental++;
    }
    // The edits were recorded against the texts the client sent; the result must be the newest text.
    if (!model || model.text !== text) {
      model = buildModel(text);
      this.stats.built++;
    }
    live.model = model;
    live.modelVersion = live.doc.version;
    live.pending = [];
    return model;
  }

  /**
   * Takes over the document notifications of `connection`, as `TextDocuments.listen` would. A
   * malformed notification is logged and dropped (a notification has no error response).
   */
  listen(connection: Connection, on: { changed(uri: string): void; closed(uri: string): void; log(message: string): void }): void {
    const guard = <P>(name: string, fn: (p: P) => void) => (p: P): void => {
      try {
        fn(p);
      } catch (e) {
        on.log(`${name}: ignored a malformed notification: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    connection.onDidOpenTextDocument(guard('didOpen', ({ textDocument: d }) => {
      if (typeof d.uri !== 'string' || typeof d.text !== 'string' || !Number.isInteger(d.version)) throw new Error('expected textDocument: { uri, languageId, version, text }');
      this.open(d.uri, String(d.languageId), d.version, d.text);
      on.changed(d.uri);
    }));
    connection.onDidChangeTextDocument(guard('didChange', ({ textDocument: d, contentChanges }) => {
      if (typeof d.uri !== 'string' || !Number.isInteger(d.version) || !Array.isArray(contentChanges)) throw new Error('expected textDocument: { uri, version }, contentChanges: []');
      if (contentChanges.some((c) => typeof c?.text !== 'string')) throw new Error('a content change without text');
      if (contentChanges.length > 0 && this.change(d.uri, d.version, contentChanges)) on.changed(d.uri);
    }));
    connection.onDidCloseTextDocument(guard('didClose', ({ textDocument: d }) => {
      this.close(d.uri);
      on.closed(d.uri);
    }));
  }
}

/** The one edit that turns `a` into `b`: what lies between their common start and their common end. */
function difference(a: string, b: string): TextEdit {
  const n = Math.min(a.length, b.length);
  let p = 0;
  while (p < n && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  let s = 0;
  while (s < n - p && a.charCodeAt(a.length - 1 - s) === b.charCodeAt(b.length - 1 - s)) s++;
  return { start: p, end: a.length - s, text: b.slice(p, b.length - s) };
}
