// The Translation view's rows (src/views/translation-model.ts) from hand-built hyperstep/translate
// answers: the numbers of examples/paging.s's heap page at the kernel's sfence.vma (worked out in
// test/debug/translate.test.ts) under EPT and shadow paging, a guest fault, and the address box.
import * as assert from 'assert';
import type { Stage2Walk, TranslateResult } from '../../src/protocol';
import { parseAddressInput, splitExit, type TranslationRow, translationRows } from '../../src/views/translation-model';

const ept = (gpa: number, hpa: number, indices: number[]): Stage2Walk => ({
  mmu: 'ept', gpa, root: 0x4000000, hpa, outcome: 'mapped',
  levels: ['PML4', 'PDPT', 'PD', 'PT'].map((name, i) => ({
    name, table: 0x4000000 + i * 0x1000, index: indices[i], entryAddress: 0x4000000 + i * 0x1000 + 8 * indices[i],
    entry: i < 3 ? `0x${(0x4001007 + i * 0x1000).toString(16).padStart(16, '0')}` : `0x${(hpa - (hpa % 4096) + 0x37).toString(16).padStart(16, '0')}`,
    present: true, flags: 'RWX', ...(i === 3 ? { memoryType: 6 } : {}),
  })),
});

const HEAP: TranslateResult = {
  gva: 0x402000, vcpu: 0, access: 'write', mmu: 'ept', paging: true, satp: 0x80480100,
  levels: [
    { level: 1, pteGpa: 0x80100004, pte: 0x20040c01, flags: 'V-------', kind: 'pointer', stage2: ept(0x80100004, 0x100004, [0, 2, 0, 0x100]) },
    { level: 0, pteGpa: 0x80103008, pte: 0x20080817, flags: 'VRW-U---', kind: 'leaf', stage2: ept(0x80103008, 0x103008, [0, 2, 0, 0x103]),
      lastWrite: { cycle: 51234, pc: 0x80000318, vcpu: 0, value: 0x20080817, step: 4321 } },
  ],
  gpa: 0x80202000, final: ept(0x80202000, 0x202000, [0, 2, 1, 2]), hpa: 0x202000,
  tlb: { hit: false, tagName: 'VPID', tag: 1, guestAsid: 1, set: 2, way: 0 }, memoryReferences: 14, exits: [],
};

const text = (r: TranslationRow): string => (r.description ? `${r.label} ${r.description}` : r.label);
const find = (rows: readonly TranslationRow[], id: string): TranslationRow | undefined => {
  for (const r of rows) {
    if (r.id === id) return r;
    const below = find(r.children, id);
    if (below) return below;
  }
  return undefined;
};
const all = (rows: readonly TranslationRow[], depth = 0): { row: TranslationRow; depth: number }[] =>
  rows.flatMap((row) => [{ row, depth }, ...all(row.children, depth + 1)]);

describe('Translation view rows', () => {
  it('shows the access, each guest level with its EPT walk inside, the final walk, the TLB and the references', () => {
    const rows = translationRows(HEAP, { source: 'entered', gva: 0x402000, access: 'write' });
    assert.deepStrictEqual(rows.map(text), [
      'GVA 0x00402000 write · vCPU 0 · entered',
      'L1 PTE 0x20040c01 · V-------',
      'L0 PTE 0x20080817 · VRW-U---',
      'GPA 0x80202000 → 0x00202000',
      'TLB miss · set 2 way 0',
      'Memory refs 14',
      'VM exits none',
    ]);
    const l0 = rows[2];
    assert.deepStrictEqual(l0.children.map(text), [
      'at GPA 0x80103008', 'kind leaf', 'EPT walk → HPA 0x00103008', 'written cycle 51234, pc 0x80000318',
    ]);
    assert.deepStrictEqual(find(rows, 'translation/guest/L0/stage2')?.children.map(text), [
      'PML4[0] 0x4001007 RWX', 'PDPT[2] 0x4002007 RWX', 'PD[0] 0x4003007 RWX', 'PT[259] 0x103037 RWX',
    ]);
    assert.match(find(rows, 'translation/guest/L0/stage2/PT')?.tooltip ?? '', /table at HPA 0x04003000, index 259: the entry at HPA 0x04003818 = 0x0000000000103037 \(RWX, memory type 6\)/);
    assert.deepStrictEqual(rows[3].children.map((c) => c.label), ['PML4[0]', 'PDPT[2]', 'PD[1]', 'PT[2]'], 'the final GPA → HPA walk');
    assert.deepStrictEqual(find(rows, 'translation/tlb')?.children.map(text), ['VPID 1', 'guest ASID 1', 'set 2', 'way 0 (next fill)']);
  });

  it('carries each PTE\'s GPA and last write for "Reverse to Last Write"; a PTE without one in history says so', () => {
    const rows = translationRows(HEAP, { source: 'entered', gva: 0x402000, access: 'write' });
    assert.deepStrictEqual(rows[2].pte, { gpa: 0x80103008, lastWrite: HEAP.levels[1].lastWrite });
    assert.deepStrictEqual(find(rows, 'translation/guest/L0/written')?.pte, rows[2].pte, 'the last-write row runs back too');
    assert.deepStrictEqual(rows[1].pte, { gpa: 0x80100004 });
    assert.strictEqual(text(find(rows, 'translation/guest/L1/written')!), 'written not in history');
  });

  it('keeps ids by level, not by address, so the next stop compares level with level', () => {
    const a = all(translationRows(HEAP, { source: 'entered', gva: 0x402000, access: 'write' })).map((x) => x.row.id);
    const moved = { ...HEAP, gva: 0x403000, levels: HEAP.levels.map((l) => ({ ...l, pteGpa: l.pteGpa + 4 })) };
    const b = all(translationRows(moved, { source: 'entered', gva: 0x403000, access: 'write' })).map((x) => x.row.id);
    assert.deepStrictEqual(b, a);
    assert.strictEqual(new Set(a).size, a.length, 'ids are unique');
  });

  it('under shadow paging shows the shadow entry beside the guest leaf, and the exit the access takes', () => {
    const shadow: TranslateResult = {
      ...HEAP, mmu: 'shadow', final: undefined, levels: HEAP.levels.map(({ stage2: _s, ...l }) => ({ ...l, writeProtected: true })),
      shadow: { root: 0x80100000, guestLeaf: { pteGpa: 0x80103008, flags: 'VRW-U---' }, note: 'no shadow entry yet: the first access faults' },
      hpa: undefined, memoryReferences: 2,
      exits: ['EXCEPTION_NMI (#PF intercepted): the hypervisor walks the guest tables in software and installs the shadow entry (pf_fixed)'],
    };
    const rows = translationRows(shadow, { source: 'entered', gva: 0x402000, access: 'write' });
    assert.deepStrictEqual(rows.map(text), [
      'GVA 0x00402000 write · vCPU 0 · entered', 'L1 PTE 0x20040c01 · V-------', 'L0 PTE 0x20080817 · VRW-U---',
      'GPA 0x80202000 no shadow entry', 'Shadow no entry', 'TLB miss · set 2 way 0', 'Memory refs 2', 'VM exits EXCEPTION_NMI',
    ]);
    assert.deepStrictEqual(find(rows, 'translation/shadow')?.children.map(text), [
      'shadow root of guest root 0x80100000', 'guest leaf 0x80103008 VRW-U---', 'note no shadow entry yet: the first access faults',
    ]);
    assert.strictEqual(text(find(rows, 'translation/guest/L0/wp')!), 'write-protected yes');
    assert.deepStrictEqual(find(rows, 'translation/exits')?.children.map(text), ['EXCEPTION_NMI pf_fixed']);
  });

  it('names a guest fault and says no exit is taken for it', () => {
    const fault: TranslateResult = {
      ...HEAP, levels: [HEAP.levels[0], { ...HEAP.levels[1], pte: 0, flags: '--------', kind: 'invalid', lastWrite: undefined }],
      gpa: undefined, final: undefined, hpa: undefined, fault: 'store page fault',
      exits: ['none for the guest fault itself: the guest takes store page fault directly (no #PF intercept under EPT)'],
    };
    const rows = translationRows(fault, { source: 'entered', gva: 0x402000, access: 'write' });
    assert.deepStrictEqual(rows.map(text).slice(2), ['L0 PTE 0x00000000 · --------', 'Guest fault store page fault', 'TLB miss · set 2 way 0', 'Memory refs 14', 'VM exits none (guest fault)']);
    assert.strictEqual(rows[2].icon, 'error');
  });

  it('splits an exit into its reason and what the hypervisor finds', () => {
    assert.deepStrictEqual(splitExit('EPT_VIOLATION (qualification 0x182; GPA 0x80202000, GVA 0x402000): RAM, the hypervisor maps it and resumes (pf_fixed)'), { reason: 'EPT_VIOLATION', rest: 'RAM · pf_fixed' });
    assert.deepStrictEqual(splitExit('VMEXIT_NPF (EXITINFO1 0x100000006: final (RW US); EXITINFO2 0x10000000): not RAM, the MMIO entry skips the memslot lookup; KVM_EXIT_MMIO to the VMM'), { reason: 'VMEXIT_NPF', rest: 'not RAM' });
    assert.deepStrictEqual(splitExit('EPT_MISCONFIG at GPA 0x10000000: not RAM, the MMIO entry skips the memslot lookup'), { reason: 'EPT_MISCONFIG', rest: 'not RAM' });
    assert.deepStrictEqual(splitExit('EXCEPTION_NMI: MMIO at GPA 0x10000000, emulated'), { reason: 'EXCEPTION_NMI', rest: 'MMIO at GPA 0x10000000' });
  });

  it('every row fits the default side bar (300 px): at most 36 characters, two fewer per level of indentation', () => {
    const rows = translationRows(HEAP, { source: 'stopped', access: { vcpu: 0, pc: 0x80000318, instruction: 'sw\tt3,0(t2)', gva: 0x402000, access: 'write', size: 4 } });
    for (const { row, depth } of all(rows)) assert.ok(text(row).length <= 36 - 2 * depth, `"${text(row)}" (depth ${depth}) is too wide`);
  });

  it('reads the address box as the console reads `translate GVA [r|w|x]`, with a clear error otherwise', () => {
    assert.deepStrictEqual(parseAddressInput('0x00402000'), { gva: 0x402000, access: 'read' });
    assert.deepStrictEqual(parseAddressInput('  0x8000_0000 w '), { gva: 0x80000000, access: 'write' });
    assert.deepStrictEqual(parseAddressInput('4096 x'), { gva: 4096, access: 'fetch' });
    assert.deepStrictEqual(parseAddressInput(''), { error: 'Enter a guest-virtual address, e.g. 0x00402000 (optionally followed by r, w or x)' });
    assert.deepStrictEqual(parseAddressInput('heap'), { error: '"heap" is not an address: write it in hex (0x00402000) or decimal' });
    assert.deepStrictEqual(parseAddressInput('0x100000000'), { error: '0x100000000 is beyond the 32-bit guest-virtual space (at most 0xffffffff)' });
    assert.deepStrictEqual(parseAddressInput('0x1000 rw'), { error: '"rw" is not an access kind: r (read), w (write) or x (fetch)' });
    assert.deepStrictEqual(parseAddressInput('0x1000 r extra'), { error: 'Too many words: an address and at most one of r, w, x (got "0x1000 r extra")' });
  });
});
