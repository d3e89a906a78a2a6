// The VPID/ASID-tagged TLB (docs/machine.md): set-associative with LRU, counted, the CPU's fast path.
import * as assert from 'assert';
import { boot, POWER_OFF } from './boot';
import { Tlb, TLB_G, ASID_BARE } from '../../../src/vm/mmu/tlb';

/** Touches `pages` pages that all fall in TLB set 1 (stride 16 pages with 16 sets), `rounds` times. */
function sameSetLoop(pages: number, rounds: number): string {
  return `
        .text
        .globl _start
_start:
        li      s0, ${rounds}
1:      li      t0, 0x80011000
        li      t2, ${pages}
2:      lw      t1, 0(t0)
        li      t3, 0x10000
        add     t0, t0, t3              # next page in the same set
        addi    t2, t2, -1
        bnez    t2, 2b
        addi    s0, s0, -1
        bnez    s0, 1b
${POWER_OFF}`;
}

function misses(pages: number, rounds: number): number {
  const g = boot(sameSetLoop(pages, rounds));
  assert.deepStrictEqual(g.run(), { kind: 'poweroff', code: 0 });
  return g.machine.vcpus[0].tlb.stats.misses;
}

describe('hypervisor: the TLB', () => {
  it('holds four pages of one set (4-way) and thrashes with five (LRU)', () => {
    // Extra rounds add no miss when the set holds the working set, and one miss per access otherwise.
    assert.strictEqual(misses(4, 20) - misses(4, 10), 0);
    assert.strictEqual(misses(5, 20) - misses(5, 10), 5 * 10);
  });

  it('counts fast-path hits as TLB hits', () => {
    const g = boot(sameSetLoop(4, 100));
    g.run();
    const v = g.machine.vcpus[0];
    // 400 loads over 4 pages: the first touch of each misses, the other 396 hit in the fast tables.
    assert.strictEqual(v.cpu.fastHits + v.tlb.stats.hits, 396);
  });

  it('is configurable in size and associativity', () => {
    const g = boot(sameSetLoop(5, 10), { tlb: { entries: 128, ways: 8 } });
    g.run();
    assert.strictEqual(g.machine.vcpus[0].tlb.sets, 16);
    const g2 = boot(sameSetLoop(5, 20), { tlb: { entries: 128, ways: 8 } });
    g2.run();
    assert.strictEqual(g2.machine.vcpus[0].tlb.stats.misses - g.machine.vcpus[0].tlb.stats.misses, 0);
  });

  it('tags entries by VPID and ASID; global entries match every ASID; fences follow sfence.vma', () => {
    const dropped: number[] = [];
    const t = new Tlb({ entries: 8, ways: 2 }, (vpn) => dropped.push(vpn));
    t.insert(1, 5, 0x100, 0x1000, 0x80100000, 0);
    t.insert(1, 6, 0x101, 0x2000, 0x80101000, TLB_G);
    t.insert(2, 5, 0x100, 0x3000, 0x80100000, 0);
    assert.ok(t.lookup(1, 5, 0x100) >= 0);
    assert.strictEqual(t.lookup(1, 7, 0x100), -1, 'other ASID');
    assert.strictEqual(t.hostPage[t.lookup(2, 5, 0x100)], 0x3000, 'other VPID, its own entry');
    assert.ok(t.lookup(1, 9, 0x101) >= 0, 'global entry, any ASID');
    assert.strictEqual(t.lookup(1, ASID_BARE, 0x101), -1, 'but not a bare (paging off) context');
    t.flush(1, undefined, 6); // ASID 6: global entries survive
    assert.ok(t.lookup(1, 9, 0x101) >= 0);
    t.flush(1, 0x100, undefined);
    assert.strictEqual(t.lookup(1, 5, 0x100), -1);
    assert.ok(t.lookup(2, 5, 0x100) >= 0, 'a fence of VPID 1 leaves VPID 2 alone');
    assert.deepStrictEqual(dropped, [0x100]);
    t.flushAll();
    assert.strictEqual(t.entries().length, 0);
    assert.strictEqual(t.stats.flushes, 3);
  });

  it('refuses a geometry that is not a power-of-two number of sets', () => {
    assert.throws(() => new Tlb({ entries: 48, ways: 4 }, () => undefined), /power of two/);
    assert.throws(() => new Tlb({ entries: 10, ways: 4 }, () => undefined), /multiple of ways/);
  });
});
