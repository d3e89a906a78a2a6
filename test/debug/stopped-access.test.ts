// hyperstep/stoppedAccess (src/debug/stopped-access.ts): the access the Translation view explains by
// default is the one of the instruction the vCPU is stopped at — a load's or store's effective
// address from the registers, otherwise the fetch of pc. Over DAP on examples/paging.s, whose
// kernel counts page faults with `lw`/`sw` through t0 (paging on, S-mode), then the same answer
// turned into the view's rows.
import * as assert from 'assert';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { StoppedAccess, TranslateResult } from '../../src/protocol';
import { dataAccessOf } from '../../src/debug/stopped-access';
import { translationRows } from '../../src/views/translation-model';
import { EXAMPLES, launch, lineOf, pc, rejects, request, startClient, stopAfter, value } from './helpers';

const PAGING = `${EXAMPLES}/paging.s`;
/** The page-fault handler's count: `lw t1, 0(t0)` then `sw t1, 0(t0)` two lines below. */
const LOAD_LINE = lineOf(PAGING, 'csrr    s1, stval') + 2;

describe('debug adapter: the stopped access (Translation view default)', function () {
  this.timeout(120_000);
  let dc: DebugClient;
  beforeEach(async () => { dc = await startClient(); });
  afterEach(async () => { await dc.stop(); });

  it('is the fetch of pc at entry, then the load and the store of the fault counter, with the registers\' address', async () => {
    await launch(dc, { program: PAGING, mmu: 'ept' }, () => dc.setBreakpointsRequest({
      source: { path: PAGING }, breakpoints: [{ line: LOAD_LINE }, { line: LOAD_LINE + 2 }],
    }));
    const entry = await request<StoppedAccess>(dc, 'hyperstep/stoppedAccess', {});
    assert.deepStrictEqual([entry.access, entry.gva, entry.pc, entry.size], ['fetch', await pc(dc), await pc(dc), undefined]);
    assert.match(entry.instruction ?? '', /^csrr/);

    await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
    const load = await request<StoppedAccess>(dc, 'hyperstep/stoppedAccess', {});
    const t0 = await value(dc, 't0');
    assert.deepStrictEqual([load.vcpu, load.access, load.gva, load.size, load.pc], [0, 'read', t0, 4, await pc(dc)]);
    assert.match(load.instruction ?? '', /^lw\s+t1,0\(t0\)$/);

    // The view's rows for it: the GVA and access on top, the kernel's superpage (a level-1 leaf).
    const r = await request<TranslateResult>(dc, 'hyperstep/translate', { gva: load.gva, access: load.access });
    const rows = translationRows(r, { source: 'stopped', access: load });
    assert.strictEqual(rows[0].label, `GVA 0x${t0.toString(16).padStart(8, '0')}`);
    assert.strictEqual(rows[0].description, 'read · vCPU 0');
    assert.deepStrictEqual(rows[0].children.slice(0, 2).map((c) => [c.label, c.description]), [['Instruction', 'lw t1,0(t0)'], ['pc', `0x${load.pc.toString(16)}`]]);
    assert.deepStrictEqual(rows.filter((x) => /^L\d PTE$/.test(x.label)).map((x) => x.label), ['L1 PTE'], 'a 4 MiB superpage: one level');
    assert.strictEqual(rows.find((x) => x.id === 'translation/gpa')?.label, `GVA 0x${t0.toString(16).padStart(8, '0')}`.replace('GVA', 'GPA'), 'identity-mapped');

    await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
    const store = await request<StoppedAccess>(dc, 'hyperstep/stoppedAccess', { vcpu: 0 });
    assert.deepStrictEqual([store.access, store.gva, store.size], ['write', t0, 4]);
    assert.match(store.instruction ?? '', /^sw\s+t1,0\(t0\)$/);
    assert.match(await rejects(request(dc, 'hyperstep/stoppedAccess', { vcpu: 2 })), /vcpu must be 0–0/);
  });

  it('decodes every load, store and AMO form, compressed ones expanded first', () => {
    // lw a0, -4(sp); sb a1, 2047(a2); lhu t0, 0(zero); sw s0, -2048(s1); lr.w; sc.w; amoadd.w
    assert.deepStrictEqual(dataAccessOf(0xffc12503), { rs1: 2, offset: -4, access: 'read', size: 4 });
    assert.deepStrictEqual(dataAccessOf(0x7eb60fa3), { rs1: 12, offset: 2047, access: 'write', size: 1 });
    assert.deepStrictEqual(dataAccessOf(0x00005283), { rs1: 0, offset: 0, access: 'read', size: 2 });
    assert.deepStrictEqual(dataAccessOf(0x8084a023), { rs1: 9, offset: -2048, access: 'write', size: 4 });
    assert.deepStrictEqual(dataAccessOf(0x1005a52f), { rs1: 11, offset: 0, access: 'read', size: 4 });
    assert.deepStrictEqual(dataAccessOf(0x18c5a52f), { rs1: 11, offset: 0, access: 'write', size: 4 });
    assert.deepStrictEqual(dataAccessOf(0x00c5a52f), { rs1: 11, offset: 0, access: 'write', size: 4 });
    assert.strictEqual(dataAccessOf(0x00a00513), undefined, 'addi is no access');
    assert.strictEqual(dataAccessOf(0x00003503), undefined, 'ld (RV64) is not an RV32 load');
  });
});
