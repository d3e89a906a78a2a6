// Hover and completion during a burst of edits on a 10,000-line file (docs/language-server.md,
// "Edits in bursts"): the server answers about the newest version at once, with the addresses
// of the last assembly that finished, instead of queueing behind an assembly per version. The
// server runs in-process over a pipe with a slow counting assembler, so the order of events,
// not the clock, shows it.
import { strict as assert } from 'assert';
import { PassThrough } from 'stream';
import { createMessageConnection, MessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type { CompletionList, Hover, PublishDiagnosticsParams } from 'vscode-languageserver';
import { createConnection } from 'vscode-languageserver/node';
import { assemble } from '../../src/asm';
import type { AssemblerRunner, AssemblyOutcome } from '../../src/lsp/server/assembler-runner';
import { startServer } from '../../src/lsp/server/server';

/** Assembles for real, but each job takes until `release()`; counts the jobs that ran. */
class SlowAssembler implements AssemblerRunner {
  ran: string[] = [];
  private waiting: (() => void)[] = [];
  private queue = Promise.resolve();
  assemble(text: string, file: string): Promise<AssemblyOutcome> {
    const job = this.queue.then(() => new Promise<AssemblyOutcome>((resolve) => {
      this.waiting.push(() => {
        this.ran.push(text.slice(text.lastIndexOf('\n', text.length - 2) + 1).trim());
        const r = assemble(text, file);
        resolve({ diagnostics: r.diagnostics, symbols: r.symbols, sections: r.sections } as unknown as AssemblyOutcome);
      });
    }));
    this.queue = job.then(() => undefined);
    return job;
  }
  /** Lets the next job finish. */
  release(): boolean { const w = this.waiting.shift(); w?.(); return w !== undefined; }
  get pending(): number { return this.waiting.length; }
  dispose(): void { for (const w of this.waiting.splice(0)) w(); }
}

describe('lsp: hover and completion during bursts of edits', function () {
  this.timeout(60_000);
  let client: MessageConnection;
  let runner: SlowAssembler;
  const published: PublishDiagnosticsParams[] = [];
  const URI = 'file:///work/big.s';
  const LINES = Array.from({ length: 10_000 }, (_, i) => (i % 50 === 0 ? `f${i}: addi a0, a0, ${i % 100}` : `  lw t0, ${(i % 64) * 4}(sp)`));
  const BASE = ['.text', '_start:', ...LINES].join('\n') + '\n';

  before(async () => {
    const toServer = new PassThrough();
    const toClient = new PassThrough();
    runner = new SlowAssembler();
    // waiting for an assembly would outlast the test
    startServer(createConnection(new StreamMessageReader(toServer), new StreamMessageWriter(toClient)), runner, { debounceMs: 20, assemblyWaitMs: 600_000 });
    client = createMessageConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
    client.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => { published.push(p); });
    client.listen();
    await client.sendRequest('initialize', { processId: null, rootUri: null, capabilities: {} });
    await client.sendNotification('initialized', {});
  });

  after(() => { client.dispose(); runner.dispose(); });

  async function until(what: string, f: () => boolean): Promise<void> {
    for (let i = 0; i < 500 && !f(); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(f(), what);
  }

  it('answers about the newest version without waiting for its assembly, and assembles only what the pauses ask for', async () => {
    await client.sendNotification('textDocument/didOpen', { textDocument: { uri: URI, languageId: 'hyperstep-asm', version: 1, text: BASE } });
    await until('the first assembly starts', () => runner.pending === 1);
    runner.release();
    await until('diagnostics of version 1', () => published.some((p) => p.version === 1));
    // A burst of 30 edits, each appending a line; no pause long enough for the debounce between them.
    const endLine = BASE.split('\n').length - 1;
    for (let v = 2; v <= 31; v++) {
      const text = v === 31 ? 'g31: wfi\n' : `h${v}: nop\n`;
      await client.sendNotification('textDocument/didChange', {
        textDocument: { uri: URI, version: v },
        contentChanges: [{ range: { start: { line: endLine + v - 2, character: 0 }, end: { line: endLine + v - 2, character: 0 } }, text }],
      });
    }
    // Hover on the line only version 31 has, asked before any assembly of it has finished.
    const t0 = performance.now();
    const hover = await client.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri: URI }, position: { line: endLine + 29, character: 6 } });
    const text = hover && typeof hover.contents === 'object' && 'value' in hover.contents ? hover.contents.value : '';
    if (process.env.HYPERSTEP_LSP_TIMING) console.log(`hover after a burst: ${(performance.now() - t0).toFixed(0)} ms`);
    assert.match(text, /wait for interrupt/i, 'the hover is about version 31');
    assert.strictEqual(runner.ran.length, 1, 'answered while no assembly after version 1 had run');
    // Completion too: labels of the newest text, addresses of the last finished assembly.
    const completion = await client.sendRequest<CompletionList | null>('textDocument/completion', { textDocument: { uri: URI }, position: { line: endLine + 30, character: 0 } });
    assert.ok(completion && completion.items.length > 0);
    assert.strictEqual(runner.ran.length, 1, 'completion did not wait for an assembly either');
    // The pause after the burst assembles the newest version once, not once per edit.
    await until('an assembly after the burst', () => runner.pending >= 1);
    while (runner.release()) await new Promise((r) => setTimeout(r, 50));
    await until('diagnostics of version 31', () => published.some((p) => p.version === 31));
    assert.ok(runner.ran.length <= 3, `${runner.ran.length} assemblies for 31 versions`);
    assert.strictEqual(runner.ran[runner.ran.length - 1], 'g31: wfi');
  });
});
