// The assembler's child process: answers in order, and a job that runs out of time or memory
// costs that job only — the next one runs in a fresh child.
import * as assert from 'assert';
import { ChildProcessAssembler } from '../../src/lsp/server/assembler-runner';
import { bundleServer } from './lsp-client';

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
    runner = new ChildProcessAssembler({ script: await bundleServer(), timeoutMs: 300, log: (m) => logged.push(m) });
    const slow = runner.assemble('.rept 900000\nnop\n.endr\n', 'slow.s');   // .fill is one item now: fast
    const next = runner.assemble('bogus\n', 'next.s');
    assert.match((await slow).failure ?? '', /did not finish within 0.3 s/);
    assert.deepStrictEqual((await next).diagnostics.map((d) => d.message), ["unknown instruction 'bogus'"]);
    assert.ok(logged.some((m) => /did not finish/.test(m)));
  });

  it('survives the child running out of memory', async () => {
    // The assembler bounds its own work now (section sizes, expansion), so exhaust a tiny heap instead:
    // it holds neither statements nor items (docs/assembler.md, "Memory"), but every short branch is
    // kept for relaxation, and 900 000 of them do not fit in 8 MB.
    runner = new ChildProcessAssembler({ script: await bundleServer(), maxHeapMb: 8, timeoutMs: 30_000 });
    assert.match((await runner.assemble('.rept 900000\nbeq a0, a1, 1f\n.endr\n1: nop\n', 'oom.s')).failure ?? '', /stopped/);
    assert.deepStrictEqual((await runner.assemble('nop\n', 'ok.s')).failure, undefined);
  });

  it('supersedes a queued job of the same document by a newer one', async () => {
    runner = new ChildProcessAssembler({ script: await bundleServer() });
    const running = runner.assemble('nop', 'a.s', 'a');
    const stale = runner.assemble('bogus1', 'a.s', 'a');
    const other = runner.assemble('bogus2', 'b.s', 'b');
    const latest = runner.assemble('bogus3', 'a.s', 'a');
    assert.match((await stale).failure ?? '', /superseded/);
    assert.deepStrictEqual((await running).diagnostics, []);
    assert.deepStrictEqual((await other).diagnostics.map((d) => d.message), ["unknown instruction 'bogus2'"]);
    assert.deepStrictEqual((await latest).diagnostics.map((d) => d.message), ["unknown instruction 'bogus3'"]);
  });

  it('answers every pending job when disposed', async () => {
    runner = new ChildProcessAssembler({ script: await bundleServer() });
    const pending = runner.assemble('nop', 'a.s');
    runner.dispose();
    assert.match((await pending).failure ?? '', /shutting down/);
  });
});
