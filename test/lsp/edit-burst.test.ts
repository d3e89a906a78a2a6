// Hover and completion during bursts of edits on a 10,000-line file (docs/language-server.md,
// "Edits in bursts"): the server answers from its incremental model of the newest version, never
// waiting for an assembly; a new version supersedes the assembly of the one before (the running
// job is cancelled, not waited for); diagnostics are published for the newest version only. The
// server runs in-process over a real LSP connection (a pipe), with an assembler whose jobs finish
// only when the test says and a clock the test advances, so the order of events, not the
// machine's speed, decides every assertion.
import { strict as assert } from 'assert';
import { PassThrough } from 'stream';
import { createMessageConnection, MessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type { CompletionList, Hover, Location, PublishDiagnosticsParams } from 'vscode-languageserver';
import { createConnection } from 'vscode-languageserver/node';
import { assemble } from '../../src/asm';
import { type AssemblerRunner, type AssemblyOutcome, SUPERSEDED } from '../../src/lsp/server/assembler-runner';
import { LiveDocuments } from '../../src/lsp/server/live-documents';
import { startServer } from '../../src/lsp/server/server';
import { HandClock } from './lsp-client';

interface Job { readonly key?: string; readonly text: string; readonly file: string; readonly resolve: (o: AssemblyOutcome) => void }

/** Assembles for real, one job at a time, each when `release()` is called; a newer job of a document cancels its older ones. */
class HeldAssembler implements AssemblerRunner {
  /** The last line of each job that finished, cancelled or not. */
  readonly finished: string[] = [];
  readonly cancelled: string[] = [];
  started = 0;
  private jobs: Job[] = [];
  assemble(text: string, file: string, key?: string): Promise<AssemblyOutcome> {
    if (key !== undefined) this.cancel(key);
    this.started++;
    return new Promise((resolve) => this.jobs.push({ key, text, file, resolve }));
  }
  cancel(key: string): void {
    for (const job of this.jobs.filter((j) => j.key === key)) {
      this.cancelled.push(lastLine(job.text));
      job.resolve({ diagnostics: [], symbols: [], sections: [], failure: SUPERSEDED });
    }
    this.jobs = this.jobs.filter((j) => j.key !== key);
  }
  /** Lets the oldest job finish. */
  release(): boolean {
    const job = this.jobs.shift();
    if (!job) return false;
    this.finished.push(lastLine(job.text));
    const r = assemble(job.text, job.file);
    job.resolve({ diagnostics: r.diagnostics, symbols: r.symbols, sections: r.sections });
    return true;
  }
  get pending(): number { return this.jobs.length; }
  dispose(): void { while (this.release()); }
}

function lastLine(text: string): string {
  return text.slice(text.lastIndexOf('\n', text.length - 2) + 1).trim();
}

describe('lsp: hover and completion during bursts of edits', function () {
  this.timeout(120_000);
  let client: MessageConnection;
  let runner: HeldAssembler;
  let clock: HandClock;
  let documents: LiveDocuments;
  let published: PublishDiagnosticsParams[];
  let logged: string[];
  const LINES = Array.from({ length: 10_000 }, (_, i) => (i % 50 === 0 ? `f${i}: addi a0, a0, ${i % 100}` : `  lw t0, ${(i % 64) * 4}(sp)`));
  const BASE = ['.text', '_start:', ...LINES].join('\n') + '\n';
  const END_LINE = BASE.split('\n').length - 1;

  beforeEach(async () => {
    const toServer = new PassThrough();
    const toClient = new PassThrough();
    runner = new HeldAssembler();
    clock = new HandClock();
    documents = new LiveDocuments();
    published = [];
    logged = [];
    // the outline's wait for a first assembly would outlast the test: it must not be what answers
    startServer(createConnection(new StreamMessageReader(toServer), new StreamMessageWriter(toClient)), runner, { timers: clock, documents, assemblyWaitMs: 600_000 });
    client = createMessageConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
    client.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => { published.push(p); });
    client.onNotification('window/logMessage', (p: { message: string }) => { logged.push(p.message); });
    client.listen();
    await client.sendRequest('initialize', { processId: null, rootUri: null, capabilities: {} });
    await client.sendNotification('initialized', {});
  });

  afterEach(() => { client.dispose(); runner.dispose(); });

  async function until(what: string, f: () => boolean): Promise<void> {
    for (let i = 0; i < 1000 && !f(); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(f(), what);
  }

  /** A round trip: every notification sent before it has been handled when it returns. */
  const sync = (uri: string) => client.sendRequest('textDocument/documentHighlight', { textDocument: { uri }, position: { line: 0, character: 0 } });

  const insert = (uri: string, version: number, line: number, character: number, text: string) => client.sendNotification('textDocument/didChange', {
    textDocument: { uri, version }, contentChanges: [{ range: { start: { line, character }, end: { line, character } }, text }],
  });

  const hoverText = async (uri: string, line: number, character: number): Promise<string> => {
    const hover = await client.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line, character } });
    return hover && typeof hover.contents === 'object' && 'value' in hover.contents ? hover.contents.value : '';
  };

  it('answers about the newest version from the model, cancels the superseded assembly and publishes the newest diagnostics only', async () => {
    const URI = 'file:///work/big.s';
    await client.sendNotification('textDocument/didOpen', { textDocument: { uri: URI, languageId: 'hyperstep-asm', version: 1, text: BASE } });
    await sync(URI);
    clock.fire();
    await until('the first assembly starts', () => runner.pending === 1);
    runner.release();
    await until('diagnostics of version 1', () => published.some((p) => p.version === 1));
    // Version 2, and its assembly starts after the pause ...
    await insert(URI, 2, END_LINE, 0, 'h2: nop\n');
    await sync(URI);
    clock.fire();
    await until('the assembly of version 2 starts', () => runner.pending === 1);
    // ... but a burst of 29 edits comes while it runs: no pause between them.
    for (let v = 3; v <= 31; v++) await insert(URI, v, END_LINE + v - 2, 0, v === 31 ? 'g31: wfi\n  j \n' : `h${v}: nop\n`);
    // Hover on the line only version 31 has, before any assembly after version 1 has finished.
    const text = await hoverText(URI, END_LINE + 29, 6);
    assert.match(text, /wait for interrupt/i, 'the hover is about version 31');
    assert.strictEqual(runner.finished.length, 1, 'answered while only version 1 had been assembled');
    assert.deepStrictEqual(runner.cancelled, ['h2: nop'], 'version 3 cancelled the running assembly of version 2');
    assert.strictEqual(runner.pending, 0, 'no assembly queued for the versions of the burst');
    // Completion too: labels of the newest text, without an assembly.
    const completion = await client.sendRequest<CompletionList | null>('textDocument/completion', { textDocument: { uri: URI }, position: { line: END_LINE + 30, character: 4 } });
    assert.ok(completion && completion.items.some((i) => i.label === 'g31'), 'the label typed in version 31 is offered');
    assert.strictEqual(runner.finished.length, 1, 'completion did not wait for an assembly either');
    // The pause after the burst: one assembly, of version 31, and its diagnostics are the only ones after version 1.
    clock.fire();
    await until('the assembly after the burst starts', () => runner.pending === 1);
    assert.strictEqual(runner.started, 3, 'versions 1, 2 and 31: one assembly per pause, none per edit');
    runner.release();
    await until('diagnostics of version 31', () => published.some((p) => p.version === 31));
    assert.deepStrictEqual(runner.finished.slice(1), ['j']);
    assert.deepStrictEqual(published.map((p) => p.version), [1, 31]);
    // The model followed the 30 edits in place: built once, at the open, then brought up to date
    // when asked (the request after version 2, the hover after the burst: the burst as one edit).
    assert.deepStrictEqual(documents.stats, { built: 1, incremental: 2 });
  });

  it('after incremental edits above and below a label, hover and definition find it at its shifted place', async () => {
    const URI = 'file:///work/shift.s';
    const lines = BASE.split('\n');
    lines.splice(5000, 0, 'target: addi a1, a1, 1');
    lines.splice(9000, 0, '  j target');
    await client.sendNotification('textDocument/didOpen', { textDocument: { uri: URI, languageId: 'hyperstep-asm', version: 1, text: lines.join('\n') } });
    await sync(URI); // the model of version 1
    // Three lines typed at line 100, one deleted at line 200, a word changed at line 7000 (after the label, before the jump).
    let v = 1;
    await insert(URI, ++v, 100, 0, 'x1: nop\nx2: nop\n');
    await insert(URI, ++v, 101, 0, 'x3: ');
    await client.sendNotification('textDocument/didChange', {
      textDocument: { uri: URI, version: ++v }, contentChanges: [{ range: { start: { line: 200, character: 0 }, end: { line: 201, character: 0 } }, text: '' }],
    });
    await client.sendNotification('textDocument/didChange', {
      textDocument: { uri: URI, version: ++v }, contentChanges: [{ range: { start: { line: 7001, character: 2 }, end: { line: 7001, character: 4 } }, text: 'lh' }],
    });
    // `target:` was on line 5000 (0-based): +2 lines, -1 line = 5001, shown 1-based as line 5002; the jump at 9001.
    const hover = await hoverText(URI, 9001, 5);
    assert.match(hover, /\*\*target\*\* — label, line 5002 /);
    const defs = await client.sendRequest<Location[]>('textDocument/definition', { textDocument: { uri: URI }, position: { line: 9001, character: 5 } });
    assert.deepStrictEqual(defs.map((d) => d.range), [{ start: { line: 5001, character: 0 }, end: { line: 5001, character: 6 } }]);
    assert.match(await hoverText(URI, 7001, 3), /mem16\[rs1 \+ offset\]/, 'the changed mnemonic');
    assert.match(await hoverText(URI, 101, 1), /\*\*x3\*\* — label, line 102 /, 'a label typed on a line of its own');
    // Edits thousands of lines apart: applied one by one, in place, for the hover.
    assert.deepStrictEqual(documents.stats, { built: 1, incremental: 1 });
    assert.strictEqual(clock.count, 1, 'one pause pending for the document');
  });

  it('drops a malformed change with a log line, clamps a range past the end as the client library does, and keeps answering', async () => {
    const URI = 'file:///work/small.s';
    await client.sendNotification('textDocument/didOpen', { textDocument: { uri: URI, languageId: 'hyperstep-asm', version: 1, text: 'loop: nop\n  j loop\n' } });
    await sync(URI);
    await client.sendNotification('textDocument/didChange', { textDocument: { uri: URI, version: 2 }, contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 42 }] });
    await client.sendNotification('textDocument/didChange', { textDocument: { uri: URI }, contentChanges: [{ text: 'x' }] });
    await client.sendNotification('textDocument/didChange', { textDocument: { uri: 'file:///never/opened.s', version: 2 }, contentChanges: [{ text: 'x' }] });
    await sync(URI);
    assert.strictEqual(logged.filter((m) => /didChange: ignored a malformed notification/.test(m)).length, 2, logged.join('\n'));
    // A range far past the end appends, as vscode-languageserver-textdocument clamps it.
    await insert(URI, 3, 999, 7, 'back: j loop\n');
    assert.match(await hoverText(URI, 2, 0), /\*\*back\*\* — label, line 3 /);
    assert.match(await hoverText(URI, 1, 5), /\*\*loop\*\* — label, line 1 /, 'the malformed changes changed nothing');
  });
});
