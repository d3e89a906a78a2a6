// The assembler's child process: answers in order, and a job that runs out of time or memory
// costs that job only — the next one runs in a fresh child. A newer version of a document
// supersedes its job, queued or running.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ChildProcessAssembler } from '../../src/lsp/server/assembler-runner';
import { HandClock, bundleServer } from './lsp-client';

/**
 * The real assembler child, except that a job whose text starts with `#hang` never finishes: its
 * thread blocks (without spinning) until the child is killed. A slow job by construction, so
 * the time limit and cancellation are tested without depending on how fast the machine is.
 */
async function hangingChild(): Promise<string> {
  const bundle = await bundleServer();
  const script = path.join(path.dirname(bundle), 'hanging-assembler.js');
  fs.writeFileSync(script, [
    'const cell = new Int32Array(new SharedArrayBuffer(4));',
    "process.on('message', (m) => { if (String(m.text).startsWith('#hang')) Atomics.wait(cell, 0, 0); });",
    `require(${JSON.stringify(bundle)});`,
  ].join('\n'));
  return script;
}

describe('lsp: the assembler child process', function () {
  this.timeout(60_000);
  let runner: ChildProcessAssembler;
  const logged: string[] = [];

  afterEach(() => runner?.dispose());

  it('answers queued jobs in order, with the assembler\'s diagnostics and symbols', async () => {
    runner = new ChildProcessAssembler({ script: await bundleServer() });
    const outcomes = await Promise.all(['nop', 'bogus', 'x: .word 1'].map((t) => runner.assemble(t, 'q.s')));
    assert.deepStrictEqual(outcomes.map((o) => o.diagnostics.map((d) => d.message)), [[], ["unknown instruction 'bogus'"], []]);
    assert.ok(outcomes[2].symbols.some((s) => s.name === 'x'));
  });

  it('gives up on a job that takes too long, and runs the next in a new child', async () => {
    const clock = new HandClock();
    runner = new ChildProcessAssembler({ script: await hangingChild(), timeoutMs: 300, timers: clock, log: (m) => logged.push(m) });
    const slow = runner.assemble('#hang\nnop\n', 'slow.s');
    const next = runner.assemble('bogus\n', 'next.s');
    assert.strictEqual(clock.count, 1, 'the time limit of the job running');
    clock.fire(); // 0.3 s are over: the hanging job cannot have answered
    assert.match((await slow).failure ?? '', /did not finish within 0.3 s/);
    assert.deepStrictEqual((await next).diagnostics.map((d) => d.message), ["unknown instruction 'bogus'"]);
    assert.ok(logged.some((m) => /did not finish/.test(m)));
    assert.deepStrictEqual(runner.stats, { started: 2, dropped: 0, killed: 0 });
  });

  it('stops the running job of a document when a newer version comes, and assembles that one in a new child', async () => {
    runner = new ChildProcessAssembler({ script: await hangingChild(), timeoutMs: 600_000 });
    const stale = runner.assemble('#hang version 1\n', 'a.s', 'a');
    const other = runner.assemble('bogus_b\n', 'b.s', 'b');
    await new Promise((r) => setImmediate(r));
    runner.cancel('b'); // a queued job: dropped, the running one of `a` goes on
    assert.match((await other).failure ?? '', /superseded/);
    const latest = runner.assemble('bogus_a\n', 'a.s', 'a');
    assert.match((await stale).failure ?? '', /superseded/, 'never answered otherwise: it hangs');
    assert.deepStrictEqual((await latest).diagnostics.map((d) => d.message), ["unknown instruction 'bogus_a'"]);
    assert.deepStrictEqual(runner.stats, { started: 2, dropped: 1, killed: 1 });
  });

  it('survives the child running out of memory', async () => {
    // The assembler bounds its own work now (section sizes, expansion), so exhaust a tiny heap instead:
    // it holds neither statements nor items (docs/assembler.md, "Memory"), but every short branch is
    // kept for relaxation, and 900 000 of them do not fit in 8 MB.
    runner = new ChildProcessAssembler({ script: await bundleServer(), maxHeapMb: 8, timeoutMs: 30_000 });
    assert.match((await runner.assemble('.rept 900000\nbeq a0, a1, 1f\n.endr\n1: nop\n', 'oom.s')).failure ?? '', /stopped/);
    assert.deepStrictEqual((await runner.assemble('nop\n', 'ok.s')).failure, undefined);
  });

  it('supersedes the jobs of a document, running or queued, by a newer one; other documents keep theirs', async () => {
    runner = new ChildProcessAssembler({ script: await bundleServer() });
    const first = runner.assemble('bogus0', 'a.s', 'a');
    const other = runner.assemble('bogus2', 'b.s', 'b');
    const stale = runner.assemble('bogus1', 'a.s', 'a');
    const latest = runner.assemble('bogus3', 'a.s', 'a');
    assert.match((await first).failure ?? '', /superseded/);
    assert.match((await stale).failure ?? '', /superseded/);
    assert.deepStrictEqual((await other).diagnostics.map((d) => d.message), ["unknown instruction 'bogus2'"]);
    assert.deepStrictEqual((await latest).diagnostics.map((d) => d.message), ["unknown instruction 'bogus3'"]);
    assert.deepStrictEqual(runner.stats, { started: 3, dropped: 1, killed: 1 });
  });

  it('answers every pending job when disposed', async () => {
    runner = new ChildProcessAssembler({ script: await bundleServer() });
    const pending = runner.assemble('nop', 'a.s');
    runner.dispose();
    assert.match((await pending).failure ?? '', /shutting down/);
  });
});
