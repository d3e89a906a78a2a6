// The Sv32 walker on its own (privileged spec 1.12 §4.3.2), over a stub of guest-physical memory.
import * as assert from 'assert';
import { Access } from '../../../src/vm/cpu/port';
import { Priv } from '../../../src/vm/cpu/csr';
import { PteMemory, Sv32Walker } from '../../../src/vm/mmu/sv32';
import { BareRig, RAM } from '../cpu/harness';
import { PageTables, pte, PTE_A, PTE_D, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X } from './pagetable';

const ROOT = RAM + 0x10000, TABLES = RAM + 0x11000;
const PAGE = RAM + 0x40000;
const VA = 0x40001234;

interface World { rig: BareRig; pt: PageTables; mem: PteMemory & { updated: number[] }; walker: Sv32Walker }

function world(): World {
  const rig = new BareRig([], { ramBytes: 1 << 20 });
  const pt = new PageTables(rig, ROOT, TABLES);
  const updated: number[] = [];
  const mem = {
    i32: rig.mem.i32,
    updated,
    pteHost: (gpa: number): number => (gpa >= RAM && gpa < RAM + (1 << 20) ? gpa - RAM : -1),
    // The walker either writes the PTE itself and reports it (pteUpdated) or asks the memory to
    // write it (pteWrite); the stub serves both forms of the interface.
    pteUpdated: (host: number): void => { updated.push(host); },
    pteWrite: (host: number, value: number): void => { rig.mem.i32[host >> 2] = value; updated.push(host); },
  };
  return { rig, pt, mem, walker: new Sv32Walker() };
}

function walk(w: World, va: number, access: Access, priv = Priv.S, sum = false, mxr = false): boolean {
  return w.walker.walk(w.mem, w.pt.satp(), va, access, priv, sum, mxr);
}

describe('Sv32 walker', () => {
  it('translates through a 4 KiB page: two steps, level 0, the PTE addresses and values recorded', () => {
    const w = world();
    w.pt.map4k(VA, PAGE, PTE_R | PTE_W);
    assert.strictEqual(walk(w, VA, Access.Read), true);
    assert.strictEqual(w.walker.gpa, PAGE + 0x234);
    assert.strictEqual(w.walker.leafLevel, 0);
    assert.strictEqual(w.walker.steps, 2);
    assert.strictEqual(w.walker.stepPteGpa[0], ROOT + (VA >>> 22) * 4);
    assert.strictEqual(w.walker.stepPteGpa[1], TABLES + ((VA >>> 12) & 0x3ff) * 4);
    assert.strictEqual(w.walker.stepPte[1] >>> 0, pte(PAGE, PTE_V | PTE_R | PTE_W));
    assert.strictEqual(w.walker.leafFlags, PTE_V | PTE_R | PTE_W | PTE_A);
    assert.strictEqual(w.walker.walks, 1);
    assert.strictEqual(w.walker.pteRefs, 2);
  });

  it('translates through a 4 MiB megapage: one step, level 1, va[21:12] kept', () => {
    const w = world();
    w.pt.mapMega(0x40400000, 0x80400000, PTE_R);
    assert.strictEqual(walk(w, 0x407ff123, Access.Read), true);
    assert.strictEqual(w.walker.gpa, 0x807ff123);
    assert.strictEqual(w.walker.leafLevel, 1);
    assert.strictEqual(w.walker.steps, 1);
  });

  it('sets A on any access and D only on a store, telling the memory which PTE changed', () => {
    const w = world();
    w.pt.map4k(VA, PAGE, PTE_R | PTE_W | PTE_X);
    const leafHost = TABLES - RAM + ((VA >>> 12) & 0x3ff) * 4;
    walk(w, VA, Access.Fetch);
    assert.strictEqual(w.pt.leaf(VA) & (PTE_A | PTE_D), PTE_A);
    assert.deepStrictEqual(w.mem.updated, [leafHost]);
    walk(w, VA, Access.Read);
    assert.deepStrictEqual(w.mem.updated, [leafHost], 'A already set: no write');
    walk(w, VA, Access.Write);
    assert.strictEqual(w.pt.leaf(VA) & (PTE_A | PTE_D), PTE_A | PTE_D);
    assert.deepStrictEqual(w.mem.updated, [leafHost, leafHost]);
    assert.strictEqual(w.rig.read32(ROOT + (VA >>> 22) * 4) & (PTE_A | PTE_D), 0, 'non-leaf entries untouched');
  });

  it('a faulting walk leaves the PTE alone', () => {
    const w = world();
    w.pt.map4k(VA, PAGE, PTE_R);
    assert.strictEqual(walk(w, VA, Access.Write), false);
    assert.strictEqual(w.pt.leaf(VA) & (PTE_A | PTE_D), 0);
    assert.deepStrictEqual(w.mem.updated, []);
  });

  describe('page faults carry the cause of the access (13 load, 15 store/AMO, 12 fetch)', () => {
    const causes: [Access, number][] = [[Access.Read, 13], [Access.Write, 15], [Access.Fetch, 12]];
    const cases: [string, (w: World) => void][] = [
      ['level-1 entry invalid', () => { /* nothing mapped */ }],
      ['level-0 entry invalid', (w) => w.pt.setL0(VA, pte(PAGE, PTE_R | PTE_W | PTE_X))],
      ['W without R is reserved', (w) => w.pt.map4k(VA, PAGE, PTE_W | PTE_X)],
      ['W without R is reserved at level 1 too', (w) => w.pt.mapMega(VA, 0x80400000, PTE_W)],
      ['a pointer at level 0', (w) => w.pt.map4k(VA, PAGE, 0)],
      ['a misaligned megapage (PPN[0] != 0)', (w) => w.pt.mapMega(VA, 0x80401000, PTE_R | PTE_W | PTE_X)],
    ];
    for (const [what, setup] of cases) {
      it(what, () => {
        for (const [access, cause] of causes) {
          const w = world();
          setup(w);
          assert.strictEqual(walk(w, VA, access), false);
          assert.strictEqual(w.walker.cause, cause);
        }
      });
    }
  });

  describe('access faults (5 load, 7 store, 1 fetch)', () => {
    it('a page-table page that is not RAM', () => {
      for (const [access, cause] of [[Access.Read, 5], [Access.Write, 7], [Access.Fetch, 1]] as const) {
        const w = world();
        assert.strictEqual(w.walker.walk(w.mem, 0x80000000 | (0x10000000 >>> 12), VA, access, Priv.S, false, false), false);
        assert.strictEqual(w.walker.cause, cause);
      }
    });

    it('a leaf beyond the 32-bit physical space (Sv32 PPNs are 22 bits)', () => {
      const w = world();
      w.pt.setL0(VA, ((0x200000 << 10) | PTE_V | PTE_R) >>> 0);
      assert.strictEqual(walk(w, VA, Access.Read), false);
      assert.strictEqual(w.walker.cause, 5);
    });
  });

  describe('permissions (§4.3.1)', () => {
    type Row = [string, number, Access, Priv, boolean, boolean, boolean];
    const R = PTE_R, W = PTE_W, X = PTE_X, U = PTE_U;
    const rows: Row[] = [
      // what, flags, access, priv, sum, mxr, allowed
      ['S reads R', R, Access.Read, Priv.S, false, false, true],
      ['S writes R only', R, Access.Write, Priv.S, false, false, false],
      ['S writes RW', R | W, Access.Write, Priv.S, false, false, true],
      ['S fetches RW', R | W, Access.Fetch, Priv.S, false, false, false],
      ['S fetches X', X, Access.Fetch, Priv.S, false, false, true],
      ['S reads X only', X, Access.Read, Priv.S, false, false, false],
      ['S reads X only with MXR', X, Access.Read, Priv.S, false, true, true],
      ['S writes X only with MXR', X, Access.Write, Priv.S, false, true, false],
      ['S reads a U page', R | U, Access.Read, Priv.S, false, false, false],
      ['S reads a U page with SUM', R | U, Access.Read, Priv.S, true, false, true],
      ['S writes a U page with SUM', R | W | U, Access.Write, Priv.S, true, false, true],
      ['S fetches a U page with SUM', R | X | U, Access.Fetch, Priv.S, true, false, false],
      ['U reads a U page', R | U, Access.Read, Priv.U, false, false, true],
      ['U reads an S page', R, Access.Read, Priv.U, false, false, false],
      ['U reads an S page with SUM (SUM is for S only)', R, Access.Read, Priv.U, true, false, false],
      ['U fetches a U page', X | U, Access.Fetch, Priv.U, false, false, true],
      ['U fetches an S page', X, Access.Fetch, Priv.U, false, false, false],
      ['U reads an X-only U page with MXR', X | U, Access.Read, Priv.U, false, true, true],
    ];
    for (const [what, flags, access, priv, sum, mxr, allowed] of rows) {
      it(`${what}: ${allowed ? 'allowed' : 'page fault'}`, () => {
        const w = world();
        w.pt.map4k(VA, PAGE, flags);
        assert.strictEqual(walk(w, VA, access, priv, sum, mxr), allowed);
        if (!allowed) assert.strictEqual(w.walker.cause, [13, 15, 12][access]);
      });
    }
  });
});
