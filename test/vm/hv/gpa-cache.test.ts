// The paging-structure caches behind the TLB (docs/translation.md): the guest-physical mappings
// cache the walk of guest PTEs uses, counted exactly on a crafted guest; INVEPT and INVVPID counted
// where KVM issues them; the cost model charges stage-2 references only on a cache miss.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { boot, POWER_OFF } from './boot';
import { sv32Prelude } from './sv32-prelude';
import { explainTranslation } from '../../../src/vm/hv/explain';

/** A PTE written twice: the second time from S, under paging, then sfence.vma (test/debug/fixtures). */
const PTE_TWICE = fs.readFileSync(path.join(__dirname, '..', '..', 'debug', 'fixtures', 'pte-twice.s'), 'utf8');

/**
 * M builds Sv32 tables in two pages (L1 at 0x80010000, L0 at 0x80011000) and enters S, which loads
 * from three pages and powers off through a megapage. Walks in S: the code page (L1, L0: both
 * guest-physical cache misses), three data pages (L1, L0 each: 6 hits), the finisher (L1: 1 hit).
 */
const GUEST = `
        .text
        .globl _start
_start:
${sv32Prelude([
  { va: 0, perms: 'rw', mega: true, what: 'the finisher' },
  { va: 0x80000000, perms: 'rx', what: 'this code page' },
  { va: 0x80020000, perms: 'rw' }, { va: 0x80021000, perms: 'rw' }, { va: 0x80022000, perms: 'rw' },
])}
s_entry:
        li      t0, 0x80020000
        lw      a0, 0(t0)
        li      t0, 0x80021000
        lw      a0, 0(t0)
        li      t0, 0x80022000
        lw      a0, 0(t0)
${POWER_OFF}
`;

describe('hypervisor: the guest-physical mappings cache, INVEPT and INVVPID', () => {
  for (const mmu of ['ept', 'npt'] as const) {
    it(`counts guest-physical cache hits exactly (${mmu})`, () => {
      const g = boot(GUEST, { mmu });
      assert.deepStrictEqual(g.run(), { kind: 'poweroff', code: 0 });
      const s = g.machine.vcpus[0].tlb.stats;
      // Completed fills: M's three pages (paging off) and S's code and data pages; the finisher's
      // ends on the MMIO path. Guest Sv32 walks: the five in S, nine PTE reads.
      assert.strictEqual(s.walks, 3 + 4);
      assert.strictEqual(g.machine.vcpus[0].walker.walks, 5);
      assert.strictEqual(g.machine.vcpus[0].walker.pteRefs, 9);
      assert.deepStrictEqual([s.gpaHits, s.gpaMisses], [7, 2]);
      assert.deepStrictEqual(g.machine.vcpus[0].gpaCache.entries().map((e) => e.gpa).sort(), [0x80010000, 0x80011000]);
    });
  }

  for (const mmu of ['ept', 'npt'] as const) {
    it(`the explorer counts a cached guest-physical mapping as no reference, and fills nothing (${mmu})`, () => {
      const g = boot(GUEST, { mmu });
      // Stop in S after the first data load: the L1 and L0 table pages are in the cache.
      const v = g.machine.vcpus[0], vm = g.machine.vm;
      const step = (n: number): unknown => g.run(g.machine.instructions() + n); // run() takes a total
      for (let i = 0; i < 100 && v.cpu.priv !== 1; i++) step(1);
      assert.strictEqual(v.cpu.priv, 1, 'in S');
      step(2); // li, lw
      const before = JSON.stringify([v.gpaCache.entries(), v.tlb.stats]);
      const warm = explainTranslation(vm, v, 0x80022000, 'read');
      assert.deepStrictEqual(warm.levels.map((l) => l.stage2?.cached), [true, true]);
      assert.strictEqual(warm.memoryReferences, 2 + 4);
      assert.strictEqual(JSON.stringify([v.gpaCache.entries(), v.tlb.stats]), before, 'no fill, no counter');
      v.gpaCache.invalidate();
      const cold = explainTranslation(vm, v, 0x80022000, 'read');
      assert.deepStrictEqual(cold.levels.map((l) => l.stage2?.cached), [undefined, undefined]);
      assert.strictEqual(cold.memoryReferences, 2 + 2 * 4 + 4);
      assert.deepStrictEqual(v.gpaCache.entries(), [], 'the explorer walked a copy');
    });
  }

  it('charges stage-2 references only on a miss: a one-entry cache costs 4 references per lost hit', () => {
    const big = boot(GUEST, { mmu: 'ept' });
    big.run();
    const tiny = boot(GUEST, { mmu: 'ept', gpaCache: { entries: 1, ways: 1 } });
    tiny.run();
    const a = big.machine.vcpus[0].tlb.stats, b = tiny.machine.vcpus[0].tlb.stats;
    assert.strictEqual(b.gpaHits, 0, 'L1 and L0 pages evict each other');
    assert.strictEqual(b.walkRefs - a.walkRefs, 4 * 7);
    assert.ok(tiny.machine.cycles() > big.machine.cycles());
  });

  it('INVEPT: global and single-context on every EPT zap (load, memslot change); the cache empties', () => {
    const g = boot(GUEST, { mmu: 'ept', vcpus: 2 });
    g.run();
    const counts = (): number[][] => g.machine.vcpus.map((v) => [v.tlb.stats.invept, v.tlb.stats.inveptSingle, v.tlb.stats.inveptGlobal, v.tlb.stats.invvpid]);
    assert.deepStrictEqual(counts(), [[2, 1, 1, 0], [2, 1, 1, 0]], 'the reset at load, on every vCPU');
    assert.strictEqual(g.machine.vcpus[0].gpaCache.entries().length, 2);
    // A memslot change (KVM_SET_USER_MEMORY_REGION): the EPT is zapped, every vCPU invalidates.
    g.machine.vm.setUserMemoryRegion({ slot: 1, guestPhysAddr: 0x90000000, memorySize: 0x1000, userspaceAddr: 0 });
    assert.deepStrictEqual(counts(), [[4, 2, 2, 0], [4, 2, 2, 0]]);
    assert.deepStrictEqual(g.machine.vcpus[0].gpaCache.entries(), []);
  });

  it('NPT: a fresh ASID strands the cached mappings instead of an INVEPT; without ASIDs every exit drops them', () => {
    const g = boot(GUEST, { mmu: 'npt' });
    g.run();
    const v = g.machine.vcpus[0], old = v.vpid;
    assert.strictEqual(v.gpaCache.entries().length, 2);
    g.machine.vm.resetMmu();
    assert.notStrictEqual(v.vpid, old);
    assert.deepStrictEqual(v.gpaCache.entries().map((e) => e.tag % 0x10000), [old, old], 'still there, under the old ASID');
    assert.deepStrictEqual([v.tlb.stats.invept, v.tlb.stats.invvpid], [0, 0], 'SVM has neither instruction');
    // vpid: false: each S-mode data page's first load takes an exit, and so does the finisher store,
    // and each exit flushes the TLB, so the code page is walked again after it (5 walks of code, 3 of
    // data, the finisher's megapage: 17 PTE reads).
    // Under NPT the flush on VMRUN drops the nested translations too: each code re-walk misses on both
    // table pages, and the data walk after it hits. Under EPT guest-physical mappings survive exits.
    const hitsMisses = (mmu: 'ept' | 'npt'): number[] => {
      const b = boot(GUEST, { mmu, vpid: false });
      b.run();
      const t = b.machine.vcpus[0].tlb.stats;
      return [t.gpaHits, t.gpaMisses];
    };
    assert.deepStrictEqual(hitsMisses('npt'), [3 * 2 + 1, 5 * 2]);
    assert.deepStrictEqual(hitsMisses('ept'), [15, 2]);
  });

  it('INVVPID under shadow paging: the zap after a guest PTE write, the emulated INVLPG, the reset at load', () => {
    const g = boot(PTE_TWICE, { mmu: 'shadow' });
    assert.deepStrictEqual(g.run(), { kind: 'poweroff', code: 0 });
    const vm = g.machine.vm, s = g.machine.vcpus[0].tlb.stats;
    assert.strictEqual(vm.stats.mmu_pte_write, 1);
    assert.strictEqual(vm.stats.mmu_shadow_zapped, 1);
    assert.strictEqual(vm.stats.invlpg, 1);
    assert.deepStrictEqual([s.invvpid, s.invept, s.gpaHits], [3, 0, 0]);
    const off = boot(PTE_TWICE, { mmu: 'shadow', vpid: false });
    off.run();
    assert.strictEqual(off.machine.vcpus[0].tlb.stats.invvpid, 0, 'no VPIDs: nothing to invalidate by tag');
  });

  it('rejects a geometry that is not sets × ways with a power-of-two number of sets', () => {
    assert.throws(() => boot(GUEST, { gpaCache: { entries: 12, ways: 4 } }), /number of sets \(3\) must be a power of two/);
  });
});
