// Accessed and dirty bits of AMD's nested page tables (docs/npt.md "Accessed and dirty bits"): the
// nested walk sets A in the entries it uses and D in the leaf of a write, guest page-table accesses
// counting as writes; KVM installs leaves with both set, so they change only after KVM ages the
// pages (clear_flush_young). EPT runs without A/D (EPTP bit 6 clear): its entries never change.
import * as assert from 'assert';
import { boot, POWER_OFF } from './boot';
import { sv32Prelude } from './sv32-prelude';
import { explainTranslation } from '../../../src/vm/hv/explain';
import { NptPaging } from '../../../src/vm/hv/npt-paging';
import { NPT_A, NPT_D } from '../../../src/vm/mmu/npt';
import type { Machine } from '../../../src/vm/vmm/machine';

/**
 * M builds Sv32 tables (L1 0x80010000, L0 0x80011000: the code page RX, four data pages RW) and
 * touches each data page once, so every page has its nested leaf; then enters S with a0..a3 = the
 * data pages X, Y, W, Z. S loads X, stores Y, loads W, stores W, and powers off (megapage at 0).
 */
const GUEST = `
        .text
        .globl _start
_start:
${sv32Prelude([
  { va: 0, perms: 'rw', mega: true, what: 'the finisher' },
  { va: 0x80000000, perms: 'rx', what: 'this code page' },
  { va: 0x80020000, perms: 'rw', what: 'X' }, { va: 0x80021000, perms: 'rw', what: 'Y' },
  { va: 0x80022000, perms: 'rw', what: 'W' }, { va: 0x80023000, perms: 'rw', what: 'Z' },
], { beforeSatp: `
        li      a0, 0x80020000
        li      a1, 0x80021000
        li      a2, 0x80022000
        li      a3, 0x80023000
        sw      zero, 0(a0)
        sw      zero, 0(a1)
        sw      zero, 0(a2)
        sw      zero, 0(a3)
` })}
s_entry:
        lw      t0, 0(a0)
        sw      t0, 0(a1)
        lw      t0, 0(a2)
        sw      t0, 0(a2)
${POWER_OFF}
`;

const CODE = 0x80000000, L1 = 0x80010000, L0 = 0x80011000, X = 0x80020000, Y = 0x80021000, W = 0x80022000, Z = 0x80023000;

/** "A", "D", "AD" or "" for the nested leaf of each page. */
function adBits(m: Machine, pages: number[]): string[] {
  const leaves = new Map(m.vm.paging instanceof NptPaging ? m.vm.paging.tables.leaves().map((l) => [l.gpa, l.flags]) : []);
  return pages.map((p) => { const f = leaves.get(p) ?? 0; return `${f & NPT_A ? 'A' : ''}${f & NPT_D ? 'D' : ''}`; });
}

function toS(mmu: 'ept' | 'npt'): { g: ReturnType<typeof boot>; step: (n: number) => void } {
  const g = boot(GUEST, { mmu });
  const v = g.machine.vcpus[0];
  const step = (n: number): void => { g.run(g.machine.instructions() + n); };
  for (let i = 0; i < 200 && v.cpu.priv !== 1; i++) step(1);
  assert.strictEqual(v.cpu.priv, 1, 'in S');
  return { g, step };
}

describe('hypervisor: accessed and dirty bits of nested page tables (NPT)', () => {
  const ALL = [CODE, L1, L0, X, Y, W, Z];

  it('KVM installs every RAM leaf with A and D set, so walks change nothing until it ages them', () => {
    const { g } = toS('npt');
    assert.deepStrictEqual(adBits(g.machine, ALL), ALL.map(() => 'AD'));
  });

  it('after aging: A on every page used, D on the pages written and on the guest page tables, exactly', () => {
    const { g, step } = toS('npt');
    const npt = g.machine.vm.paging as NptPaging;
    // M used code, both table pages (its stores) and the four data pages.
    assert.strictEqual(npt.age(true), ALL.length);
    assert.deepStrictEqual(adBits(g.machine, ALL), ALL.map(() => ''));
    step(1); // lw X: the code page's walk (fetch), then X's (read); both walk the two table pages
    assert.deepStrictEqual(adBits(g.machine, ALL), ['A', 'AD', 'AD', 'A', '', '', '']);
    step(1); // sw Y
    assert.deepStrictEqual(adBits(g.machine, ALL), ['A', 'AD', 'AD', 'A', 'AD', '', '']);
    step(1); // lw W: a read leaves D clear ...
    assert.deepStrictEqual(adBits(g.machine, ALL), ['A', 'AD', 'AD', 'A', 'AD', 'A', '']);
    step(1); // ... and the store after it walks again (the TLB entry lacked D) and sets it
    assert.deepStrictEqual(adBits(g.machine, ALL), ['A', 'AD', 'AD', 'A', 'AD', 'AD', '']);
    assert.deepStrictEqual(g.run(), { kind: 'poweroff', code: 0 });
    assert.deepStrictEqual(adBits(g.machine, [Z]), [''], 'never touched again');
  });

  it('aging A alone: D stays; the translation explorer sets neither', () => {
    const { g } = toS('npt');
    const npt = g.machine.vm.paging as NptPaging, v = g.machine.vcpus[0];
    npt.age();
    assert.deepStrictEqual(adBits(g.machine, ALL), ALL.map(() => 'D'));
    const before = JSON.stringify(npt.tables.leaves());
    for (const access of ['read', 'write', 'fetch'] as const) for (const gva of [X, Y, W, Z, CODE]) explainTranslation(g.machine.vm, v, gva, access);
    assert.strictEqual(JSON.stringify(npt.tables.leaves()), before);
  });

  it('EPT (no A/D: EPTP bit 6 clear) never changes an entry on a walk', () => {
    const { g } = toS('ept');
    const leaves = (): string => JSON.stringify((g.machine.vm.paging as unknown as { tables: { leaves(): unknown } }).tables.leaves());
    const before = leaves();
    g.run();
    const after = JSON.parse(leaves()) as { gpa: number }[];
    assert.deepStrictEqual(after.filter((l) => l.gpa >= 0x80000000), (JSON.parse(before) as { gpa: number }[]).filter((l) => l.gpa >= 0x80000000));
  });
});
