// `npm run bench:lsp [rounds] [edits]`: hover and completion latency of the language server during
// bursts of edits on a 10,000-line file (docs/language-server.md, "Edits in bursts"). Starts
// dist/languageServer.js (or $HYPERSTEP_LSP_SERVER, to compare another build) over stdio, with its
// assembler child process, as VS Code runs it; opens the file, then for each round sends a burst of
// incremental edits (typing in the middle of the file, no pause), at once a hover on the instruction
// the burst typed, then a completion in its operand; prints p50/p95/max of each round trip and the
// load of the machine. Figures only (a shared machine makes them noise); nothing asserts a time.
import { spawn } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';

const SERVER = process.env.HYPERSTEP_LSP_SERVER ?? path.join(__dirname, '..', 'dist', 'languageServer.js');
const URI = 'file:///bench/big.s';

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 30);
  const edits = Number(process.argv[3] ?? 20);
  const lines = Array.from({ length: 10_000 }, (_, i) => (i % 50 === 0 ? `f${i}: addi a0, a0, ${i % 100}` : `  lw t0, ${(i % 64) * 4}(sp)`));
  const text = ['.text', '.globl _start', '_start:', ...lines].join('\n') + '\n';
  const child = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  conn.onNotification(() => undefined);
  conn.listen();
  await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
  await conn.sendNotification('initialized', {});
  await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: URI, languageId: 'hyperstep-asm', version: 1, text } });
  await conn.sendRequest('textDocument/hover', { textDocument: { uri: URI }, position: { line: 5, character: 3 } });
  let version = 1;
  const times: number[] = [];
  const completionTimes: number[] = [];
  let wrong = 0;
  const load = os.loadavg()[0];
  for (let r = 0; r < rounds; r++) {
    const line = 1000 + r * 250;
    // Type `csrr t1, mcause` a few characters per change at the start of `line`, then newline.
    const typed = 'csrr t1, mcause\n';
    const per = Math.max(1, Math.ceil(typed.length / edits));
    for (let at = 0; at < typed.length; at += per) {
      const chunk = typed.slice(at, at + per);
      await conn.sendNotification('textDocument/didChange', {
        textDocument: { uri: URI, version: ++version },
        contentChanges: [{ range: { start: { line, character: at }, end: { line, character: at } }, text: chunk }],
      });
    }
    const t0 = performance.now();
    const hover = await conn.sendRequest<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri: URI }, position: { line, character: 1 } });
    times.push(performance.now() - t0);
    if (!hover || !/csr/i.test(hover.contents.value)) wrong++;
    // Completion in the CSR operand of the line just typed (`csrr t1, m|`).
    const t1 = performance.now();
    const completion = await conn.sendRequest<{ items: { label: string }[] } | null>('textDocument/completion', { textDocument: { uri: URI }, position: { line, character: 10 } });
    completionTimes.push(performance.now() - t1);
    if (!completion || !completion.items.some((i) => i.label === 'mcause')) wrong++;
  }
  const report = (what: string, t: number[]): void => {
    t.sort((a, b) => a - b);
    console.log(`  ${what}: p50 ${percentile(t, 50).toFixed(0)} ms, p95 ${percentile(t, 95).toFixed(0)} ms, max ${t[t.length - 1].toFixed(0)} ms`);
  };
  console.log(`language server (${path.relative(process.cwd(), SERVER)}): right after a burst of ${edits} edits on a 10,000-line file, ${rounds} rounds;` +
    ` load average ${load.toFixed(1)} -> ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs`);
  report('hover', times);
  report('completion', completionTimes);
  if (wrong) console.log(`  ${wrong} answers not about the typed line`);
  await conn.sendRequest('shutdown', null);
  await conn.sendNotification('exit');
  conn.dispose();
  child.kill();
}

void main();
