// `hyperstep run --tlb/--gpa-cache` and the cache counters of `--stats` (docs/translation.md):
// the guest-physical mappings cache spares stage-2 walks, which the statistics and the cycles show.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCommand, RunOptions } from '../../src/cli/run';
import type { MachineStatistics } from '../../src/vm/vmm/statistics';

const PAGING = path.join(__dirname, '..', '..', 'examples', 'paging.s');

describe('hyperstep run: cache geometry flags and counters', function () {
  this.timeout(120_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hyperstep-caches-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function run(extra: Partial<RunOptions>): { code: number; err: string; stats?: MachineStatistics } {
    const file = path.join(dir, `stats-${Math.random().toString(36).slice(2)}.json`);
    let err = '';
    const code = runCommand(PAGING, { mmu: 'ept', irqchip: 'kernel', vcpus: 1, memory: 64, vpid: true, event: [], stats: file, ...extra },
      { stdout: () => undefined, stderr: (t) => { err += t; } });
    return { code, err, ...(fs.existsSync(file) ? { stats: JSON.parse(fs.readFileSync(file, 'utf8')) as MachineStatistics } : {}) };
  }

  it('counts guest-physical cache hits, INVEPT and INVVPID in --stats; a 1-entry cache walks more and costs more', () => {
    const warm = run({});
    assert.equal(warm.code, 0, warm.err);
    const s = warm.stats!;
    assert.ok(s.tlb.gpaHits > 0 && s.tlb.gpaMisses > 0);
    assert.deepEqual([s.tlb.invept, s.tlb.inveptSingle, s.tlb.inveptGlobal, s.tlb.invvpid], [2, 1, 1, 0], 'the EPT zap at load');
    assert.deepEqual([s.invept, s.invvpid], [2, 0]);
    const tiny = run({ gpaCache: '1:1' });
    assert.equal(tiny.code, 0, tiny.err);
    const t = tiny.stats!;
    assert.equal(t.instructions, s.instructions, 'the same guest run');
    assert.equal(t.tlb.gpaHits + t.tlb.gpaMisses, s.tlb.gpaHits + s.tlb.gpaMisses, 'the same guest PTE reads');
    assert.ok(t.tlb.gpaHits < s.tlb.gpaHits);
    // Every lost hit is a 4-level stage-2 walk, charged pageWalkRef (20 cycles) a reference.
    const lost = s.tlb.gpaHits - t.tlb.gpaHits;
    assert.equal(t.tlb.walkRefs - s.tlb.walkRefs, 4 * lost);
    assert.equal(t.cycles - s.cycles, 4 * lost * 20);
    const shadow = run({ mmu: 'shadow' }).stats!;
    assert.deepEqual([shadow.tlb.gpaHits, shadow.tlb.gpaMisses, shadow.invept], [0, 0, 0], 'no guest-physical walks under shadow paging');
    assert.ok(shadow.invvpid > 0, 'emulated INVLPG and zaps under shadow paging are INVVPIDs');
  });

  it('refuses a bad geometry, naming the flag', () => {
    assert.deepEqual((({ code, err }) => [code, err])(run({ tlb: '48:4' })), [2, 'hyperstep: --tlb: the number of sets (12) must be a power of two\n']);
    assert.deepEqual((({ code, err }) => [code, err])(run({ gpaCache: 'many' })), [2, "hyperstep: --gpa-cache: expected ENTRIES:WAYS (e.g. 64:4), got 'many'\n"]);
  });
});
