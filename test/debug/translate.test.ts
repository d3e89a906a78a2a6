// The two-stage translation explorer (docs/translation.md), black-box over DAP: hyperstep/translate
// on examples/paging.s gives the nested walk we compute by hand below, under EPT, NPT and shadow
// paging; it changes nothing; every guest PTE carries its last write; reverse-to-write runs back to
// that store.
import * as assert from 'assert';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { TranslateResult } from '../../src/protocol';
import { EXAMPLES, fingerprint, fixture, launch, lineOf, pc, rejects, repl, request, startClient, stopAfter, topFrame, value } from './helpers';

const PAGING = `${EXAMPLES}/paging.s`;
const TWICE = fixture('pte-twice.s');

/**
 * examples/paging.s stopped at the kernel's `sfence.vma` after mapping the heap page 0x00402000 on
 * demand. By hand: satp = Sv32 | ASID 1 | root 0x80100000. VPN[1] = 1 → the level-1 PTE at
 * 0x80100000 + 4·1, a pointer to the third level-0 table map4k allocated from PT_POOL (after the
 * UART's and the finisher's): 0x80103000, so (0x80103 << 10) | V. VPN[0] = 2 → the level-0 PTE at
 * 0x80103008: the third frame from FRAME_POOL (after the task's data and stack), 0x80202000, with
 * V R W U and no A/D yet. Guest RAM starts at host offset 0, so HPA = GPA − 0x80000000; the
 * stage-2 indices of a 32-bit GPA are PML4 0, PDPT gpa[31:30], PD gpa[29:21], PT gpa[20:12].
 */
const WALK = {
  satp: 0x80480100,
  levels: [
    { level: 1, pteGpa: 0x80100004, pte: 0x20040c01, flags: 'V-------', kind: 'pointer', hpa: 0x100004, indices: [0, 2, 0, 0x100] },
    { level: 0, pteGpa: 0x80103008, pte: 0x20080817, flags: 'VRW-U---', kind: 'leaf', hpa: 0x103008, indices: [0, 2, 0, 0x103] },
  ],
  gpa: 0x80202000, hpa: 0x202000, finalIndices: [0, 2, 1, 2],
  /** Leaf entries: EPT = HPA | WB << 3 | RWX; NPT = HPA | D | A | US | RW | P. */
  leafLow: { ept: 0x37, npt: 0x67 },
  tlbSet: 0x402 % 16,
};

async function stopAtSfence(dc: DebugClient, mmu: string): Promise<void> {
  await launch(dc, { program: PAGING, mmu }, () => dc.setBreakpointsRequest({ source: { path: PAGING }, breakpoints: [{ line: lineOf(PAGING, 'sfence.vma t0, t1') }] }));
  await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
}

const translate = (dc: DebugClient, args: object): Promise<TranslateResult> => request<TranslateResult>(dc, 'hyperstep/translate', args);

describe('debug adapter: the translation explorer', function () {
  this.timeout(120_000);
  let dc: DebugClient;
  beforeEach(async () => { dc = await startClient(); });
  afterEach(async () => { await dc.stop(); });

  for (const mmu of ['ept', 'npt', 'shadow'] as const) {
    it(`gives the hand-computed nested walk of 0x00402000 on examples/paging.s (${mmu})`, async () => {
      await stopAtSfence(dc, mmu);
      const r = await translate(dc, { gva: 0x402000, access: 'write' });
      assert.strictEqual(r.mmu, mmu);
      assert.strictEqual(r.satp, WALK.satp);
      assert.ok(r.paging);
      assert.deepStrictEqual(r.levels.map((l) => [l.level, l.pteGpa, l.pte, l.flags, l.kind]), WALK.levels.map((l) => [l.level, l.pteGpa, l.pte, l.flags, l.kind]));
      assert.strictEqual(r.gpa, WALK.gpa);
      assert.strictEqual(r.hpa, WALK.hpa);
      assert.strictEqual(r.fault, undefined);
      assert.deepStrictEqual([r.tlb.hit, r.tlb.set, r.tlb.tagName], [false, WALK.tlbSet, mmu === 'npt' ? 'ASID' : 'VPID']);
      if (mmu === 'shadow') {
        assert.ok(r.levels.every((l) => l.writeProtected && !l.stage2), 'guest page-table pages are write-protected');
        assert.strictEqual(r.shadow?.root, 0x80100000);
        assert.strictEqual(r.shadow?.entry, undefined, 'the task faulted: no shadow entry for the page yet');
        assert.deepStrictEqual(r.shadow?.guestLeaf, { pteGpa: 0x80103008, flags: 'VRW-U---' });
        assert.strictEqual(r.memoryReferences, 2);
        assert.match(r.exits.join('\n'), /^EXCEPTION_NMI \(#PF intercepted\).*installs the shadow entry/);
        return;
      }
      const root = 0x4000000; // the stage-2 tables sit above 64 MiB of guest RAM
      const check = (w: TranslateResult['final'], gpa: number, indices: number[], hpa: number): void => {
        assert.ok(w);
        assert.deepStrictEqual([w.mmu, w.gpa, w.root, w.outcome, w.hpa], [mmu, gpa, root, 'mapped', hpa]);
        assert.deepStrictEqual(w.levels.map((l) => [l.name, l.index, l.present]), [['PML4', indices[0], true], ['PDPT', indices[1], true], ['PD', indices[2], true], ['PT', indices[3], true]]);
        assert.strictEqual(w.levels[0].table, root);
        for (let i = 1; i < 4; i++) assert.strictEqual(w.levels[i].table, Number(BigInt(w.levels[i - 1].entry) & 0xfffff000n), 'each entry points at the next table');
        for (const l of w.levels) assert.strictEqual(l.entryAddress, l.table + 8 * l.index);
        const leaf = w.levels[3];
        assert.strictEqual(leaf.entry, '0x' + (hpa - (hpa % 4096) + WALK.leafLow[mmu]).toString(16).padStart(16, '0'));
        assert.strictEqual(leaf.flags, mmu === 'ept' ? 'RWX' : 'PWU A D'); // KVM installs NPT leaves accessed and dirty
        assert.strictEqual(leaf.memoryType, mmu === 'ept' ? 6 : undefined);
      };
      WALK.levels.forEach((l, i) => check(r.levels[i].stage2, l.pteGpa, l.indices, l.hpa));
      check(r.final, WALK.gpa, WALK.finalIndices, WALK.hpa);
      // Warm: the task's own walks left both table pages in the guest-physical mappings cache, so
      // a miss reads the two guest PTEs and walks only the final GPA (14 cold: test/vm/hv/gpa-cache.test.ts).
      assert.deepStrictEqual(r.levels.map((l) => l.stage2?.cached), [true, true]);
      assert.strictEqual(r.final?.cached, undefined);
      assert.strictEqual(r.memoryReferences, 2 + 4);
      assert.deepStrictEqual(r.exits, []);
    });
  }

  it('changes nothing: registers, CSRs, memory and the machine state are the same after', async () => {
    await stopAtSfence(dc, 'ept');
    const ram = [{ address: 0x80100000, length: 0x10 }, { address: 0x80103000, length: 0x10 }, { address: 0x80202000, length: 0x10 }];
    const state = async (): Promise<string> => JSON.stringify(await request(dc, 'hyperstep/state', {})) + await fingerprint(dc, ram);
    const before = await state();
    for (const access of ['read', 'write', 'fetch']) await translate(dc, { gva: 0x402000, access });
    await translate(dc, { gva: 0x403000 });
    await repl(dc, 'translate 0x00400000 x');
    assert.strictEqual(await state(), before);
    // A/D untouched, though a write walk of a clean page would set both.
    assert.strictEqual(await value(dc, 'p32(0x80103008)'), 0x20080817);
  });

  it('tells each PTE where its value came from, and reverse-to-write runs back to that store', async () => {
    await stopAtSfence(dc, 'ept');
    const r = await translate(dc, { gva: 0x402000, access: 'write' });
    const leafStore = lineOf(PAGING, '# the leaf');
    const w = r.levels[1].lastWrite;
    assert.ok(w);
    assert.deepStrictEqual([w.value, w.vcpu], [0x20080817, 0]);
    const stopped = dc.waitForEvent('stopped'); // the stop may come in the same read as the answer
    const text = await repl(dc, 'reverse-to-write 0x80103008');
    assert.match(text, /running back to the last store to GPA 0x80103008/);
    const s = await stopped;
    assert.strictEqual(s.body.reason, 'data breakpoint');
    assert.strictEqual(await pc(dc), w.pc);
    assert.strictEqual((await topFrame(dc)).line, leafStore);
    assert.strictEqual(await value(dc, 'p32(0x80103008)'), 0, 'stopped before the store');
  });

  for (const mmu of ['ept', 'npt', 'shadow'] as const) {
    it(`reverse-to-write on a PTE written twice lands on the second store (${mmu})`, async () => {
      await launch(dc, { program: TWICE, mmu }, () => dc.setBreakpointsRequest({ source: { path: TWICE }, breakpoints: [{ line: lineOf(TWICE, 'done:') + 1 }] }));
      await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
      const second = await value(dc, 'second_store');
      const r = await translate(dc, { gva: 0x40000000 });
      assert.strictEqual(r.levels[1].pteGpa, 0x80011000);
      assert.deepStrictEqual(r.levels[1].lastWrite && [r.levels[1].lastWrite.pc, r.levels[1].lastWrite.value], [second, 0x2000c0c7]);
      assert.strictEqual(r.gpa, 0x80030000);
      const stopped = dc.waitForEvent('stopped');
      await repl(dc, 'reverse-to-write 0x80011000');
      const s = await stopped;
      assert.strictEqual(s.body.reason, 'data breakpoint');
      assert.match(s.body.description ?? '', /^Last write to GPA 0x80011000: 0x2000c0c7 stored by the instruction at/);
      assert.strictEqual(await pc(dc), second);
      assert.strictEqual(await value(dc, 'p32(0x80011000)'), 0x200080c7, 'the first store is before us');
    });
  }

  it('rejects bad arguments naming the field', async () => {
    await stopAtSfence(dc, 'ept');
    assert.match(await rejects(translate(dc, { gva: 'x' })), /gva must be a 32-bit address/);
    assert.match(await rejects(translate(dc, { gva: 0, vcpu: 3 })), /vcpu must be 0–0/);
    assert.match(await rejects(translate(dc, { gva: 0, access: 'exec' })), /access must be read, write or fetch/);
    assert.match(await rejects(dc.evaluateRequest({ expression: 'reverse-to-write 0x20000000', context: 'repl' })), /reverse-to-write: GPA 0x20000000 is not RAM/);
    assert.match(await rejects(dc.evaluateRequest({ expression: 'reverse-to-write', context: 'repl' })), /usage: reverse-to-write GPA/);
    assert.match(await rejects(dc.evaluateRequest({ expression: 'translate', context: 'repl' })), /usage: translate GVA/);
  });
});
