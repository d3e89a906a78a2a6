// `hyperstep compare` on a guest that never ends: every row stops at its instruction budget and
// says so, with a progress line per row (and more while a row runs long) — never a silent hang.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { compareCommand, IRQCHIP_MODES } from '../../src/cli/compare';
import { EXIT_LIMIT, MMU_MODES } from '../../src/cli/run';

/** One row per mmu × irqchip: ept, npt, shadow × kernel, split, userspace. */
const ROWS = MMU_MODES.length * IRQCHIP_MODES.length;

describe('hyperstep compare: bounded rows, progress on stderr', function () {
  this.timeout(120_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hyperstep-compare-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function compare(source: string, maxInsns: number | undefined): { code: number; out: string; err: string[] } {
    const file = path.join(dir, 'g.s');
    fs.writeFileSync(file, source);
    let out = '';
    const err: string[] = [];
    let clock = 0;
    const code = compareCommand(file, { vcpus: 1, memory: 16, event: [], maxInsns }, {
      stdout: (b) => { out += typeof b === 'string' ? b : Buffer.from(b).toString(); },
      stderr: (t) => { err.push(t); },
    }, () => (clock += 1500));   // every look at the clock is 1.5 s later
    return { code, out, err };
  }

  it('a guest that never ends: each row stops at the budget, with progress lines, and exits 124', () => {
    const r = compare('_start:\n  addi a0, a0, 1\n  j _start\n', 2_500_000);
    assert.strictEqual(r.code, EXIT_LIMIT);
    const starts = r.err.filter((l) => new RegExp(`^hyperstep compare: \\[\\d\\/${ROWS}\\] \\w+\\/\\w+\\n$`).test(l));
    assert.strictEqual(starts.length, ROWS, r.err.join(''));
    assert.ok(r.err.some((l) => new RegExp(`\\[1\\/${ROWS}\\] ept\\/kernel: \\d+ of 2500000 instructions`).test(l)), 'progress while a row runs');
    assert.strictEqual(r.err.filter((l) => /stopped after 2500000 instructions, the budget per row \(--max-insns\)/.test(l)).length, ROWS);
    const table = r.out.split('\n').filter((l) => / max-insns /.test(l));
    assert.strictEqual(table.length, ROWS, r.out);
  });

  it('a guest that ends runs under the default budget and exits 0', () => {
    const r = compare('_start:\n  li t0, 0x100000\n  li t1, 0x5555\n  sw t1, 0(t0)\n1: j 1b\n', undefined);
    assert.strictEqual(r.code, 0, r.err.join(''));
    assert.strictEqual(r.out.split('\n').filter((l) => / exit 0 /.test(l)).length, ROWS, r.out);
    assert.ok(!r.err.some((l) => /budget/.test(l)));
  });
});
