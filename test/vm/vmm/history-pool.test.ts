// One memory budget for the histories of several machines in one process (src/vm/vmm/history-pool.ts,
// docs/debugging.md "Reverse execution"): two debug sessions in VS Code's inline adapter together keep
// within historyMiB, each still able to go back, and a session that leaves gives its share back.
import * as assert from 'assert';
import { boot } from '../hv/boot';
import { History } from '../../../src/vm/vmm/history';
import { HistoryPool } from '../../../src/vm/vmm/history-pool';

/** Writes 64 fresh pages per round, forever: every checkpoint costs about 256 KiB of saved pages. */
const WRITER = `
        .text
        .globl _start
_start: li      s1, 0
round:  li      t0, 0x80100000
        li      t1, 64 * 1024           # words: 64 pages
fill:   sw      s1, 0(t0)
        addi    t0, t0, 4
        addi    t1, t1, -1
        bnez    t1, fill
        addi    s1, s1, 1
        j       round
`;

const BUDGET = 2 * 1024 * 1024;
const INTERVAL = 100_000;

function session(pool?: HistoryPool): { h: History; run(steps: number): void } {
  const g = boot(WRITER);
  const h = new History(g.machine, BUDGET, INTERVAL);
  pool?.join(h);
  return { h, run: (steps) => { h.run(Infinity, g.machine.steps + steps); h.take(); } };
}

describe('history: one budget for the process', function () {
  this.timeout(120_000);

  it('two histories alone hold twice the budget; in one pool they hold it together', () => {
    const alone = [session(), session()];
    for (const s of alone) s.run(3_000_000);
    const aloneBytes = alone.reduce((n, s) => n + s.h.bytes, 0);
    assert.ok(aloneBytes > 1.5 * BUDGET, `without a pool: ${aloneBytes} bytes`);

    const pool = new HistoryPool();
    const pooled = [session(pool), session(pool)];
    for (let round = 0; round < 6; round++) for (const s of pooled) s.run(500_000);
    assert.ok(pool.bytes <= BUDGET, `pooled: ${pool.bytes} bytes for a budget of ${BUDGET}`);
    assert.strictEqual(pool.budgetBytes, BUDGET);
    for (const s of pooled) {
      assert.ok(s.h.count >= 2, `each keeps some history (${s.h.count} checkpoints)`);
      assert.ok(s.h.seek(s.h.oldestStep), 'and can go back to its oldest step');
    }
  });

  it('the largest holder gives up its oldest checkpoints first, and a session that leaves frees its share', () => {
    const pool = new HistoryPool();
    const a = session(pool), b = session(pool);
    a.run(3_000_000);
    const aAlone = a.h.bytes;
    b.run(3_000_000);
    // b's growth took checkpoints from a, the larger holder, rather than from itself only.
    assert.ok(a.h.bytes < aAlone, `a: ${aAlone} → ${a.h.bytes}`);
    assert.ok(pool.bytes <= BUDGET);
    pool.leave(b.h);
    assert.deepStrictEqual(pool.live(), [a.h]);
    a.run(3_000_000);
    assert.ok(a.h.bytes > BUDGET / 2, `a alone again may use the whole budget: ${a.h.bytes}`);
    assert.ok(a.h.bytes <= BUDGET);
  });

  it('the pool allows the largest budget of its members', () => {
    const pool = new HistoryPool();
    const small = new History(boot(WRITER).machine, 1024 * 1024, INTERVAL);
    const large = new History(boot(WRITER).machine, 8 * 1024 * 1024, INTERVAL);
    pool.join(small);
    pool.join(large);
    assert.strictEqual(pool.budgetBytes, 8 * 1024 * 1024);
    pool.leave(large);
    assert.strictEqual(pool.budgetBytes, 1024 * 1024);
  });
});
