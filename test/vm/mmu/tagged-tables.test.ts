// The CPU's fast translation tables are tagged with the translation context (privilege, and SUM
// and MXR for data: docs/block-compiler.md "Tagged fast tables"): a trap and its mret keep them,
// while an MPRV, MPP, SUM or MXR change is still honoured at once (privileged spec 1.12 §3.1.6.3).
import * as assert from 'assert';
import { Csr, MSTATUS_MPRV, MSTATUS_MXR, MSTATUS_SUM } from '../../../src/vm/cpu/csr';
import { addi, csrc, csrr, csrs, csrw, ecall, jal, li, lw, mret } from '../cpu/encode';
import { CODE, MachineRig, Mode, Program, TO_MODE_STEPS, toMode } from '../cpu/harness';
import { PageTables, PTE_R, PTE_U, PTE_W, PTE_X } from './pagetable';

const T0 = 5, T1 = 6, T2 = 7, T3 = 28, T4 = 29, T5 = 30;
const ROOT = 0x80100000, TABLES = 0x80102000;
const P1 = 0x80200000, P2 = 0x80201000, VP = 0x80300000;
const V1 = 0x40001000;
/** A handler in its own page (the code's page and the handler's would share a fast-table slot). */
const TRAP_HANDLER = CODE + 0x3000;
const PRE = 3 + TO_MODE_STEPS;
const AFTER = CODE + 4 * PRE;

function paging(code: Program, mode: Mode, mstatus: number, mmu: 'ept' | 'npt' | 'shadow', compiler: boolean): { r: MachineRig; pt: PageTables } {
  const satp = (0x80000000 | (ROOT >>> 12)) >>> 0;
  const r = new MachineRig([li(T0, satp), csrw(Csr.satp, T0), toMode(mode, mstatus), ...code], { memoryMiB: 8, mmu, compiler, compileThreshold: 1 });
  const pt = new PageTables(r, ROOT, TABLES);
  if (mode !== Mode.M) pt.mapMega(CODE, CODE, PTE_R | PTE_W | PTE_X | (mode === Mode.U ? PTE_U : 0));
  r.cpu.mtvec = TRAP_HANDLER;
  return { r, pt };
}

const at = (words: number): number => AFTER + 4 * words;

for (const mmu of ['ept', 'npt', 'shadow'] as const) {
  for (const compiler of [true, false]) {
    describe(`tagged fast tables (${mmu}, compiler ${compiler ? 'on' : 'off'})`, () => {
      it('a trap and its mret keep the translations: after the return the accesses hit the fast tables', () => {
        const loop = [...li(T1, V1), lw(T2, T1, 0), ecall(), jal(0, -8)];
        const { r, pt } = paging(loop, Mode.U, 0, mmu, compiler);
        r.place(TRAP_HANDLER, [csrr(T3, Csr.mepc), addi(T3, T3, 4), csrw(Csr.mepc, T3), addi(T4, T4, 1), mret()]);
        pt.map4k(V1, P1, PTE_R | PTE_W | PTE_U);
        r.write32(P1, 0x7a66);
        const roundTrip = 3 + 5; // lw, ecall, jal; the handler's five
        r.step(PRE + 1 + 4 * roundTrip); // warm: every page has been translated in its context
        const tlb = r.vcpu.tlb.stats, lookups = tlb.hits + tlb.misses, fast = r.cpu.fastHits, trips = r.x(T4);
        r.step(10 * roundTrip);
        assert.strictEqual(r.cpu.priv, Mode.U);
        assert.strictEqual(r.x(T4) - trips, 10, 'ten round trips through M-mode');
        assert.strictEqual(r.x(T2), 0x7a66);
        assert.strictEqual(tlb.hits + tlb.misses, lookups, 'no access went past the fast tables to the TLB');
        // Per round trip: the load, and three fetch-page probes (the trap's entry, the run loop's
        // restart after the csrw of mepc, the mret): all hits.
        assert.strictEqual(r.cpu.fastHits - fast, 10 * 4);
      });

      it('SUM cleared after a cached access: the next S-mode load from the U page faults (13)', () => {
        const code = [...li(T1, V1), lw(T2, T1, 0), ...li(T5, MSTATUS_SUM), csrc(Csr.sstatus, T5), lw(T3, T1, 0)];
        const { r, pt } = paging(code, Mode.S, MSTATUS_SUM, mmu, compiler);
        pt.map4k(V1, P1, PTE_R | PTE_W | PTE_U);
        r.write32(P1, 0x5111);
        r.step(PRE + code.length);
        assert.strictEqual(r.x(T2), 0x5111, 'with SUM the load went through');
        assert.strictEqual(r.csr(Csr.mcause), 13, 'without SUM it faults, though the translation was cached');
        assert.strictEqual(r.csr(Csr.mepc), at(code.length - 1));
        assert.strictEqual(r.x(T3), 0);
      });

      it('MXR cleared after a cached read of an execute-only page: the next load faults (13)', () => {
        const code = [...li(T1, V1), lw(T2, T1, 0), ...li(T5, MSTATUS_MXR), csrc(Csr.sstatus, T5), lw(T3, T1, 0)];
        const { r, pt } = paging(code, Mode.S, MSTATUS_MXR, mmu, compiler);
        pt.map4k(V1, P1, PTE_X);
        r.write32(P1, 0x3333);
        r.step(PRE + code.length);
        assert.strictEqual(r.x(T2), 0x3333);
        assert.strictEqual(r.csr(Csr.mcause), 13);
        assert.strictEqual(r.csr(Csr.mepc), at(code.length - 1));
      });

      it('MPRV set after a physical M-mode load: the same address is translated at once, and physical again after', () => {
        // VP physically holds 0x1111; with MPRV and MPP = S it maps to P2, holding 0x2222.
        const mprv = MSTATUS_MPRV | (Mode.S << 11);
        const code = [...li(T1, VP), lw(T2, T1, 0), ...li(T0, mprv), csrs(Csr.mstatus, T0), lw(T3, T1, 0), csrc(Csr.mstatus, T0), lw(T4, T1, 0)];
        const { r, pt } = paging(code, Mode.M, 0, mmu, compiler);
        pt.map4k(VP, P2, PTE_R | PTE_W);
        r.write32(VP, 0x1111);
        r.write32(P2, 0x2222);
        r.step(PRE + code.length);
        assert.strictEqual(r.csr(Csr.mcause), 0);
        assert.strictEqual(r.x(T2), 0x1111, 'physical');
        assert.strictEqual(r.x(T3), 0x2222, 'MPRV: translated, not the cached physical page');
        assert.strictEqual(r.x(T4), 0x1111, 'physical again');
      });
    });
  }
}
