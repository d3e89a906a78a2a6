// `--no-compiler` on every subcommand that runs the machine (run, compare, why; `--trace` is a flag
// of run): the flag reaches the machine (every vCPU interprets: no block cache, nothing compiled),
// and what the command prints is the same as with the compiler (docs/block-compiler.md).
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { compareCommand } from '../../src/cli/compare';
import { runCommand } from '../../src/cli/run';
import { whyCliCommand } from '../../src/cli/why';
import { Machine } from '../../src/vm/vmm/machine';
import { capture } from './capture';

const ROOT = path.join(__dirname, '..', '..');
const NIC_IRQ = path.join(ROOT, 'examples', 'nic-irq.s');
const RX = ['20000:nic:rx:hello'];

/** What every machine a command ran looked like after each run: block caches present, blocks compiled. */
interface Seen { caches: number; interpreting: number; compiled: number }

/** Runs `body` with Machine.run watched; restores it afterwards. */
async function watchingMachines(body: () => number | Promise<number>): Promise<{ code: number; seen: Seen }> {
  const seen: Seen = { caches: 0, interpreting: 0, compiled: 0 };
  const original = Machine.prototype.run;
  Machine.prototype.run = function (this: Machine, ...args: Parameters<Machine['run']>) {
    const outcome = original.apply(this, args);
    for (const v of this.vcpus) {
      if (v.cpu.blocks) { seen.caches++; seen.compiled += v.cpu.blocks.compiled; } else seen.interpreting++;
    }
    return outcome;
  };
  try {
    return { code: await body(), seen };
  } finally {
    Machine.prototype.run = original;
  }
}

describe('cli: --no-compiler on every command that runs the machine', function () {
  this.timeout(120_000);

  it('run: the same output and exit code, with every instruction interpreted', async () => {
    const results = [];
    for (const compiler of [true, false]) {
      const c = capture();
      const r = await watchingMachines(() => runCommand(NIC_IRQ, { mmu: 'ept', irqchip: 'kernel', vcpus: 1, memory: 64, vpid: true, compiler, event: RX, trace: 'exits,irq' }, c.io));
      results.push({ ...r, out: c.out(), err: c.err() });
    }
    const [on, off] = results;
    assert.strictEqual(on.code, 0, on.err);
    assert.ok(on.seen.compiled > 0, 'with the compiler, hot blocks were compiled');
    assert.strictEqual(off.seen.caches, 0, '--no-compiler: no vCPU has a block cache');
    assert.ok(off.seen.interpreting > 0);
    assert.strictEqual(off.code, on.code);
    assert.strictEqual(off.out, on.out);
    assert.strictEqual(off.err, on.err, 'the same trace, line for line (same cycles)');
  });

  it('compare: every row interprets, and the table is the same', async () => {
    const results = [];
    for (const compiler of [true, false]) {
      const c = capture();
      const r = await watchingMachines(() => compareCommand(NIC_IRQ, { vcpus: 1, memory: 16, compiler, event: RX, format: 'json' }, c.io));
      results.push({ ...r, out: c.out() });
    }
    const [on, off] = results;
    assert.strictEqual(on.code, 0);
    assert.ok(on.seen.compiled > 0);
    assert.strictEqual(off.seen.caches, 0);
    assert.ok(off.seen.interpreting >= 9, 'nine rows');
    assert.strictEqual(off.code, on.code);
    assert.deepStrictEqual(JSON.parse(off.out), JSON.parse(on.out));
  });

  it('why: the same answer at the same cycle, interpreting', async () => {
    const results = [];
    for (const compiler of [true, false]) {
      const c = capture();
      const r = await watchingMachines(() => whyCliCommand(NIC_IRQ, { mmu: 'npt', irqchip: 'split', vcpus: 1, memory: 64, vpid: true, compiler, event: RX, at: 1_000_000, irq: 19 }, c.io));
      results.push({ ...r, out: c.out(), err: c.err() });
    }
    const [on, off] = results;
    assert.strictEqual(on.code, 0, on.err);
    assert.match(on.out, /^delivered at cycle \d+: GSI 19/);
    assert.ok(on.seen.compiled > 0);
    assert.strictEqual(off.seen.caches, 0);
    assert.ok(off.seen.interpreting > 0);
    assert.strictEqual(off.out, on.out);
    assert.strictEqual(off.err, on.err, 'stopped at the same cycle and pc');
  });

  it('the command line takes --no-compiler on run, compare and why', () => {
    const cli = (...args: string[]): ReturnType<typeof spawnSync> =>
      spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });
    const run = cli('run', NIC_IRQ, '--no-compiler', '--event', RX[0]);
    assert.strictEqual(run.status, 0, String(run.stderr));
    const compare = cli('compare', NIC_IRQ, '--no-compiler', '--event', RX[0], '--format', 'csv');
    assert.strictEqual(compare.status, 0, String(compare.stderr));
    const why = cli('why', NIC_IRQ, '--no-compiler', '--event', RX[0], '--at', '1000000', '--irq', '19');
    assert.strictEqual(why.status, 0, String(why.stderr));
    assert.match(String(why.stdout), /^delivered at cycle \d+: GSI 19/);
    const bad = cli('asm', NIC_IRQ, '-o', '/dev/null', '--no-compiler');
    assert.strictEqual(bad.status, 2, 'asm runs no machine: the flag is refused as unknown');
  });
});
