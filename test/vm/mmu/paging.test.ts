// Sv32 translation as the guest sees it, through the whole stack (CPU fast tables, the vCPU's TLB,
// the walker, and the hypervisor's EPT or shadow pages), with page tables built in guest RAM.
// Privileged spec 1.12 §3.1.6.3 (MPRV, SUM, MXR), §4.1.11 (satp), §4.2.1 (sfence.vma), §4.3.
import * as assert from 'assert';
import { Csr, MSTATUS_MPRV, MSTATUS_MXR, MSTATUS_SUM } from '../../../src/vm/cpu/csr';
import {
  amoadd_w, csrr, csrs, csrw, ecall, jalr, li, lw, nop, sfence_vma, sw,
} from '../cpu/encode';
import { CODE, HANDLER, MachineRig, Mode, Program, TO_MODE_STEPS, toMode } from '../cpu/harness';
import { PageTables, pte, PTE_A, PTE_D, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X } from './pagetable';

const T0 = 5, T1 = 6, T2 = 7, T3 = 28, T4 = 29, T5 = 30, A1 = 11, A2 = 12;
const ROOT = 0x80100000, ROOT2 = 0x80101000, TABLES = 0x80102000;
const P1 = 0x80200000, P2 = 0x80201000;
const V1 = 0x40001000, V2 = 0x40002000, UNMAPPED = 0x50000000;
const RWX = PTE_R | PTE_W | PTE_X;
/** li t0, satp; csrw satp, t0; then the toMode prelude. */
const PRE = 3 + TO_MODE_STEPS;
const AFTER = CODE + 4 * PRE;

interface Setup {
  mode: Mode;
  mmu: 'ept' | 'npt' | 'shadow';
  /** Extra mstatus bits for the mode switch (SUM, MXR). */
  mstatus?: number;
  /** Flags of the identity megapage holding the code (0: do not map the code). */
  codeFlags?: number;
  asid?: number;
}

interface PagingRig { r: MachineRig; pt: PageTables }

/** A Machine that turns paging on (root ROOT), drops to `mode`, and runs `code` there. */
function paging(code: Program, s: Setup): PagingRig {
  const satp = (0x80000000 | ((s.asid ?? 0) << 22) | (ROOT >>> 12)) >>> 0;
  const r = new MachineRig([li(T0, satp), csrw(Csr.satp, T0), toMode(s.mode, s.mstatus ?? 0), ...code], { memoryMiB: 8, mmu: s.mmu });
  const pt = new PageTables(r, ROOT, TABLES);
  const codeFlags = s.codeFlags ?? (RWX | (s.mode === Mode.U ? PTE_U : 0));
  if (codeFlags) pt.mapMega(CODE, CODE, codeFlags);
  r.place(HANDLER, Array.from({ length: 8 }, nop));
  r.cpu.mtvec = HANDLER;
  return { r, pt };
}

function assertNoTrap(r: MachineRig, steps: number): void {
  assert.strictEqual(r.csr(Csr.mcause), 0, `unexpected trap: mcause ${r.csr(Csr.mcause)}, mtval 0x${r.csr(Csr.mtval).toString(16)}`);
  assert.strictEqual(r.pc, AFTER + 4 * (steps - PRE));
}

function assertTrap(r: MachineRig, cause: number, tval: number, epc: number): void {
  assert.strictEqual(r.csr(Csr.mcause), cause, 'mcause');
  assert.strictEqual(r.csr(Csr.mtval), tval >>> 0, 'mtval');
  assert.strictEqual(r.csr(Csr.mepc), epc >>> 0, 'mepc');
  assert.strictEqual(r.pc, HANDLER);
}

for (const mmu of ['ept', 'npt', 'shadow'] as const) {
  describe(`Sv32 paging (hypervisor MMU: ${mmu})`, () => {
    describe('translation', () => {
      it('S-mode loads and stores through a 4 KiB page', () => {
        const { r, pt } = paging([li(T1, V1 + 0x10), lw(T2, T1, 0), li(T3, 0x12345678), sw(T3, T1, 4)], { mode: Mode.S, mmu });
        pt.map4k(V1, P1, PTE_R | PTE_W);
        r.write32(P1 + 0x10, 0xdeadbeef);
        r.step(PRE + 6);
        assertNoTrap(r, PRE + 6);
        assert.strictEqual(r.cpu.priv, Mode.S);
        assert.strictEqual(r.x(T2), 0xdeadbeef);
        assert.strictEqual(r.read32(P1 + 0x14), 0x12345678);
      });

      it('U-mode loads, stores and fetches through U pages', () => {
        const { r, pt } = paging([li(T1, V1 + 0x10), lw(T2, T1, 0), li(T3, 0x12345678), sw(T3, T1, 4)], { mode: Mode.U, mmu });
        pt.map4k(V1, P1, PTE_R | PTE_W | PTE_U);
        r.write32(P1 + 0x10, 0xdeadbeef);
        r.step(PRE + 6);
        assertNoTrap(r, PRE + 6);
        assert.strictEqual(r.cpu.priv, Mode.U);
        assert.strictEqual(r.x(T2), 0xdeadbeef);
        assert.strictEqual(r.read32(P1 + 0x14), 0x12345678);
      });

      it('a 4 MiB megapage maps va[21:0] onto its 4 MiB-aligned frame', () => {
        const { r, pt } = paging([li(T1, 0x40401234), lw(T2, T1, 0), li(T1, 0x407ffffc), li(T3, 0x55aa55aa), sw(T3, T1, 0)], { mode: Mode.S, mmu });
        pt.mapMega(0x40400000, 0x80400000, PTE_R | PTE_W);
        r.write32(0x80401234, 0xcafebabe);
        r.step(PRE + 8);
        assertNoTrap(r, PRE + 8);
        assert.strictEqual(r.x(T2), 0xcafebabe);
        assert.strictEqual(r.read32(0x807ffffc), 0x55aa55aa);
      });

      it('code runs translated: a jump into a 4 KiB page mapped elsewhere', () => {
        const { r, pt } = paging([li(T1, V1), jalr(0, T1, 0)], { mode: Mode.S, mmu });
        pt.map4k(V1, P1, PTE_X);
        r.place(P1, [li(T2, 0x777), nop()]);
        r.step(PRE + 5);
        assert.strictEqual(r.x(T2), 0x777);
        assert.strictEqual(r.pc, V1 + 8);
      });
    });

    describe('page faults (to M: mcause, mtval = the virtual address, mepc)', () => {
      it('a misaligned megapage: load page fault (13)', () => {
        const { r, pt } = paging([li(T1, 0x40400008), lw(T2, T1, 0)], { mode: Mode.S, mmu });
        pt.mapMega(0x40400000, 0x80401000, PTE_R | PTE_W);
        r.step(PRE + 3);
        assertTrap(r, 13, 0x40400008, AFTER + 8);
      });

      it('a load from an unmapped page: 13', () => {
        const { r } = paging([li(T1, UNMAPPED + 0x10), lw(T2, T1, 0)], { mode: Mode.S, mmu });
        r.step(PRE + 3);
        assertTrap(r, 13, UNMAPPED + 0x10, AFTER + 8);
      });

      it('a load through an invalid level-0 entry: 13', () => {
        const { r, pt } = paging([li(T1, V1 + 4), lw(T2, T1, 0)], { mode: Mode.S, mmu });
        pt.setL0(V1, pte(P1, PTE_R | PTE_W));
        r.step(PRE + 3);
        assertTrap(r, 13, V1 + 4, AFTER + 8);
      });

      it('a store to a read-only page: 15, memory unchanged', () => {
        const { r, pt } = paging([li(T1, V1 + 8), li(T3, 1), sw(T3, T1, 0)], { mode: Mode.S, mmu });
        pt.map4k(V1, P1, PTE_R);
        r.write32(P1 + 8, 0x99);
        r.step(PRE + 5);
        assertTrap(r, 15, V1 + 8, AFTER + 16);
        assert.strictEqual(r.read32(P1 + 8), 0x99);
      });

      it('an AMO on a read-only page: 15', () => {
        const { r, pt } = paging([li(T1, V1 + 8), li(T3, 1), amoadd_w(T2, T3, T1)], { mode: Mode.S, mmu });
        pt.map4k(V1, P1, PTE_R);
        r.step(PRE + 5);
        assertTrap(r, 15, V1 + 8, AFTER + 16);
      });

      it('a fetch from a page without X: 12, mepc = mtval = the target', () => {
        const { r, pt } = paging([li(T1, V1 + 0x40), jalr(1, T1, 0)], { mode: Mode.S, mmu });
        pt.map4k(V1, P1, PTE_R | PTE_W);
        r.step(PRE + 4);
        assertTrap(r, 12, V1 + 0x40, V1 + 0x40);
        assert.strictEqual(r.x(1), AFTER + 12, 'the jump itself completed');
      });

      it('a fetch from an unmapped page: 12', () => {
        const { r } = paging([li(T1, UNMAPPED), jalr(0, T1, 0)], { mode: Mode.S, mmu });
        r.step(PRE + 4);
        assertTrap(r, 12, UNMAPPED, UNMAPPED);
      });

      it('running off the end of a mapped page into an unmapped one: 12 at the new page', () => {
        const { r, pt } = paging([li(T1, V1 + 0xff8), jalr(0, T1, 0)], { mode: Mode.S, mmu });
        pt.map4k(V1, P1, PTE_X);
        r.place(P1 + 0xff8, [nop(), nop()]);
        r.step(PRE + 3 + 3);
        assertTrap(r, 12, V2, V2);
      });

      it('a PTE with W but not R (reserved): 13', () => {
        const { r, pt } = paging([li(T1, V1), lw(T2, T1, 0)], { mode: Mode.S, mmu });
        pt.map4k(V1, P1, PTE_W);
        r.step(PRE + 3);
        assertTrap(r, 13, V1, AFTER + 8);
      });

      it('a delegated page fault from U goes to S with stval = the address', () => {
        const { r, pt } = paging([li(T1, V1 + 0x20), lw(T2, T1, 0)], { mode: Mode.U, mmu });
        pt.map4k(V1, P1, PTE_R); // not a U page
        pt.mapMega(0x80400000, 0x80400000, RWX); // stvec's page, supervisor-only
        r.place(0x80400000, [nop()]);
        r.cpu.medeleg = 1 << 13;
        r.cpu.stvec = 0x80400000;
        r.step(PRE + 3);
        assert.strictEqual(r.cpu.priv, Mode.S);
        assert.strictEqual(r.csr(Csr.scause), 13);
        assert.strictEqual(r.csr(Csr.stval), V1 + 0x20);
        assert.strictEqual(r.csr(Csr.sepc), AFTER + 8);
        assert.strictEqual(r.pc, 0x80400000);
      });
    });

    describe('the U bit', () => {
      it('U-mode may not load from a supervisor page (13)', () => {
        const { r, pt } = paging([li(T1, V1), lw(T2, T1, 0)], { mode: Mode.U, mmu });
        pt.map4k(V1, P1, PTE_R | PTE_W);
        r.step(PRE + 3);
        assertTrap(r, 13, V1, AFTER + 8);
      });

      it('U-mode may not execute a supervisor page (12 at the first U instruction)', () => {
        const { r } = paging([nop()], { mode: Mode.U, mmu, codeFlags: RWX });
        r.step(PRE + 1);
        assertTrap(r, 12, AFTER, AFTER);
      });

      it('S-mode may touch a U page only with SUM', () => {
        const no = paging([li(T1, V1), lw(T2, T1, 0)], { mode: Mode.S, mmu });
        no.pt.map4k(V1, P1, PTE_R | PTE_W | PTE_U);
        no.r.step(PRE + 3);
        assertTrap(no.r, 13, V1, AFTER + 8);
        const noStore = paging([li(T1, V1), sw(T1, T1, 0)], { mode: Mode.S, mmu });
        noStore.pt.map4k(V1, P1, PTE_R | PTE_W | PTE_U);
        noStore.r.step(PRE + 3);
        assertTrap(noStore.r, 15, V1, AFTER + 8);
        const yes = paging([li(T1, V1), lw(T2, T1, 0), sw(T1, T1, 4)], { mode: Mode.S, mmu, mstatus: MSTATUS_SUM });
        yes.pt.map4k(V1, P1, PTE_R | PTE_W | PTE_U);
        yes.r.write32(P1, 0x600d);
        yes.r.step(PRE + 4);
        assertNoTrap(yes.r, PRE + 4);
        assert.strictEqual(yes.r.x(T2), 0x600d);
        assert.strictEqual(yes.r.read32(P1 + 4), V1);
      });

      it('S-mode can never execute a U page, even with SUM (12)', () => {
        const { r, pt } = paging([li(T1, V1), jalr(0, T1, 0)], { mode: Mode.S, mmu, mstatus: MSTATUS_SUM });
        pt.map4k(V1, P1, PTE_R | PTE_X | PTE_U);
        r.step(PRE + 4);
        assertTrap(r, 12, V1, V1);
      });

      it('SUM switched on by S-mode itself (csrs sstatus) takes effect at once', () => {
        const { r, pt } = paging([li(T1, V1), li(T5, MSTATUS_SUM), csrs(Csr.sstatus, T5), lw(T2, T1, 0)], { mode: Mode.S, mmu });
        pt.map4k(V1, P1, PTE_R | PTE_U);
        r.write32(P1, 0x5005);
        r.step(PRE + 6);
        assertNoTrap(r, PRE + 6);
        assert.strictEqual(r.x(T2), 0x5005);
      });
    });

    describe('MXR', () => {
      it('an execute-only page is unreadable without MXR (13), readable with it', () => {
        const no = paging([li(T1, V1), lw(T2, T1, 0)], { mode: Mode.S, mmu });
        no.pt.map4k(V1, P1, PTE_X);
        no.r.step(PRE + 3);
        assertTrap(no.r, 13, V1, AFTER + 8);
        const yes = paging([li(T1, V1), lw(T2, T1, 0)], { mode: Mode.S, mmu, mstatus: MSTATUS_MXR });
        yes.pt.map4k(V1, P1, PTE_X);
        yes.r.write32(P1, 0xabcd);
        yes.r.step(PRE + 3);
        assertNoTrap(yes.r, PRE + 3);
        assert.strictEqual(yes.r.x(T2), 0xabcd);
      });

      it('MXR does not make an execute-only page writable (15)', () => {
        const { r, pt } = paging([li(T1, V1), sw(T1, T1, 0)], { mode: Mode.S, mmu, mstatus: MSTATUS_MXR });
        pt.map4k(V1, P1, PTE_X);
        r.step(PRE + 3);
        assertTrap(r, 15, V1, AFTER + 8);
      });
    });

    describe('A and D bits', () => {
      it('a load sets A but not D; a fetch sets A on the code page', () => {
        const { r, pt } = paging([li(T1, V1), lw(T2, T1, 0)], { mode: Mode.S, mmu });
        pt.map4k(V1, P1, PTE_R | PTE_W);
        r.step(PRE + 3);
        assertNoTrap(r, PRE + 3);
        assert.strictEqual(pt.leaf(V1) & (PTE_A | PTE_D), PTE_A);
        assert.strictEqual(pt.leaf(CODE) & PTE_A, PTE_A);
      });

      it('a store sets A and D', () => {
        const { r, pt } = paging([li(T1, V1), sw(T1, T1, 0)], { mode: Mode.S, mmu });
        pt.map4k(V1, P1, PTE_R | PTE_W);
        r.step(PRE + 3);
        assertNoTrap(r, PRE + 3);
        assert.strictEqual(pt.leaf(V1) & (PTE_A | PTE_D), PTE_A | PTE_D);
      });

      it('a store to a clean page after a read (translation cached) sets D', () => {
        const { r, pt } = paging([li(T1, V1), lw(T2, T1, 0), lw(T2, T1, 4), sw(T1, T1, 8), lw(T2, T1, 8)], { mode: Mode.S, mmu });
        pt.map4k(V1, P1, PTE_R | PTE_W);
        r.step(PRE + 4);
        assert.strictEqual(pt.leaf(V1) & (PTE_A | PTE_D), PTE_A, 'after the reads');
        r.step(2);
        assertNoTrap(r, PRE + 6);
        assert.strictEqual(pt.leaf(V1) & (PTE_A | PTE_D), PTE_A | PTE_D, 'after the store');
        assert.strictEqual(r.x(T2), V1);
      });
    });

    describe('satp, sfence.vma and ASIDs', () => {
      it('a satp write switches address spaces (different ASIDs, no fence needed)', () => {
        const satp2 = (0x80000000 | (2 << 22) | (ROOT2 >>> 12)) >>> 0;
        const { r, pt } = paging([li(T1, V1), lw(T2, T1, 0), li(T3, satp2), csrw(Csr.satp, T3), lw(T4, T1, 0), csrr(T5, Csr.satp)], { mode: Mode.S, mmu, asid: 1 });
        const pt2 = new PageTables(r, ROOT2, TABLES + 0x10000);
        pt2.mapMega(CODE, CODE, RWX);
        pt.map4k(V1, P1, PTE_R);
        pt2.map4k(V1, P2, PTE_R);
        r.write32(P1, 0x1111);
        r.write32(P2, 0x2222);
        r.step(PRE + 8);
        assertNoTrap(r, PRE + 8);
        assert.strictEqual(r.x(T2), 0x1111);
        assert.strictEqual(r.x(T4), 0x2222);
        assert.strictEqual(r.x(T5), satp2);
      });

      it('a satp write that reuses the ASID takes effect after sfence.vma', () => {
        const satp2 = (0x80000000 | (ROOT2 >>> 12)) >>> 0;
        const { r, pt } = paging([li(T1, V1), lw(T2, T1, 0), li(T3, satp2), csrw(Csr.satp, T3), sfence_vma(), lw(T4, T1, 0)], { mode: Mode.S, mmu });
        const pt2 = new PageTables(r, ROOT2, TABLES + 0x10000);
        pt2.mapMega(CODE, CODE, RWX);
        pt.map4k(V1, P1, PTE_R);
        pt2.map4k(V1, P2, PTE_R);
        r.write32(P1, 0x1111);
        r.write32(P2, 0x2222);
        r.step(PRE + 8);
        assertNoTrap(r, PRE + 8);
        assert.strictEqual(r.x(T2), 0x1111);
        assert.strictEqual(r.x(T4), 0x2222);
      });

      it('switching back and forth between two ASIDs keeps each address space right', () => {
        const s1 = (0x80000000 | (1 << 22) | (ROOT >>> 12)) >>> 0, s2 = (0x80000000 | (2 << 22) | (ROOT2 >>> 12)) >>> 0;
        const { r, pt } = paging([
          li(T1, V1), li(T3, s1), li(T4, s2),
          lw(T2, T1, 0), csrw(Csr.satp, T4), lw(T5, T1, 0), csrw(Csr.satp, T3), lw(A1, T1, 0), csrw(Csr.satp, T4), lw(A2, T1, 0),
        ], { mode: Mode.S, mmu, asid: 1 });
        const pt2 = new PageTables(r, ROOT2, TABLES + 0x10000);
        pt2.mapMega(CODE, CODE, RWX);
        pt.map4k(V1, P1, PTE_R);
        pt2.map4k(V1, P2, PTE_R);
        r.write32(P1, 0x1111);
        r.write32(P2, 0x2222);
        r.step(PRE + 13);
        assertNoTrap(r, PRE + 13);
        assert.deepStrictEqual([r.x(T2), r.x(T5), r.x(A1), r.x(A2)], [0x1111, 0x2222, 0x1111, 0x2222]);
      });

      it('the instruction after a satp write is fetched through the new tables', () => {
        // VX maps to P1 under ROOT (ASID 1) and to P2 under ROOT2 (ASID 2); both copies start with
        // `csrw satp, t3`, and differ in the instruction after it.
        const VX = 0x40000000;
        const satp2 = (0x80000000 | (2 << 22) | (ROOT2 >>> 12)) >>> 0;
        const { r, pt } = paging([li(T3, satp2), li(T1, VX), jalr(0, T1, 0)], { mode: Mode.S, mmu, asid: 1 });
        const pt2 = new PageTables(r, ROOT2, TABLES + 0x10000);
        pt2.mapMega(CODE, CODE, RWX);
        pt.map4k(VX, P1, PTE_X);
        pt2.map4k(VX, P2, PTE_X);
        r.place(P1, [csrw(Csr.satp, T3), li(A1, 0x111), nop()]);
        r.place(P2, [csrw(Csr.satp, T3), li(A1, 0x222), nop()]);
        r.step(PRE + 5 + 3);
        assert.strictEqual(r.csr(Csr.mcause), 0);
        assert.strictEqual(r.pc, VX + 12);
        assert.strictEqual(r.x(A1), 0x222);
      });

      it('satp keeps MODE, ASID and PPN as written', () => {
        const v = (0x80000000 | (0x1ff << 22) | 0x3fffff) >>> 0;
        const r = new MachineRig([li(T0, v), csrw(Csr.satp, T0), csrr(T1, Csr.satp), csrw(Csr.satp, 0)], { mmu });
        r.step(5);
        assert.strictEqual(r.x(T1), v);
      });

      it('sfence.vma makes a rewritten PTE take effect (all, by address, by address and ASID)', () => {
        // The level-0 table of V1 is the first one the builder allocates.
        const l0 = TABLES + ((V1 >>> 12) & 0x3ff) * 4;
        for (const fence of [sfence_vma(), sfence_vma(T1, 0), sfence_vma(T1, T5)]) {
          const { r, pt } = paging([
            li(T1, V1), lw(T2, T1, 0),
            li(T3, l0), li(T4, pte(P2, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)), sw(T4, T3, 0),
            fence, lw(T4, T1, 0),
          ], { mode: Mode.S, mmu });
          pt.map4k(V1, P1, PTE_R | PTE_W);
          assert.strictEqual(pt.l0Addr(V1), l0);
          r.write32(P1, 0x1111);
          r.write32(P2, 0x2222);
          r.step(PRE + 10);
          assertNoTrap(r, PRE + 10);
          assert.strictEqual(r.x(T2), 0x1111);
          assert.strictEqual(r.x(T4), 0x2222);
        }
      });

      it('sfence.vma of one page leaves the others translated as before', () => {
        const { r, pt } = paging([li(T1, V1), li(T3, V2), lw(T2, T3, 0), sfence_vma(T1, 0), lw(T4, T3, 0)], { mode: Mode.S, mmu });
        pt.map4k(V1, P1, PTE_R);
        pt.map4k(V2, P2, PTE_R);
        r.write32(P2, 0x2222);
        r.step(PRE + 7);
        assertNoTrap(r, PRE + 7);
        assert.strictEqual(r.x(T4), 0x2222);
      });
    });

    describe('MPRV', () => {
      it('with MPP = S, M-mode loads and stores are translated; fetches are not', () => {
        // No code mapping at all: M-mode keeps fetching physically.
        const code = [li(T0, MSTATUS_MPRV | (Mode.S << 11)), csrw(Csr.mstatus, T0), li(T1, V1), lw(T2, T1, 0), sw(T1, T1, 4), nop()];
        const { r, pt } = paging(code, { mode: Mode.M, mmu, codeFlags: 0 });
        pt.map4k(V1, P1, PTE_R | PTE_W);
        r.write32(P1, 0x4242);
        r.step(PRE + 7);
        assert.strictEqual(r.cpu.priv, Mode.M);
        assert.strictEqual(r.csr(Csr.mcause), 0);
        assert.strictEqual(r.x(T2), 0x4242);
        assert.strictEqual(r.read32(P1 + 4), V1);
        assert.strictEqual(r.pc, AFTER + 28);
      });

      it('with MPP = U, a load from a supervisor page faults (13)', () => {
        const code = [li(T0, MSTATUS_MPRV | (Mode.U << 11)), csrw(Csr.mstatus, T0), li(T1, V1), lw(T2, T1, 0)];
        const { r, pt } = paging(code, { mode: Mode.M, mmu, codeFlags: 0 });
        pt.map4k(V1, P1, PTE_R | PTE_W);
        r.step(PRE + 6);
        assertTrap(r, 13, V1, AFTER + 20);
      });

      it('a trap taken in M-mode sets MPP = M, so the handler’s MPRV loads are physical again', () => {
        // Physical V-page holds 0x1111; the page it is mapped to holds 0x2222. The first load
        // (MPRV, MPP = S) is translated; ecall traps M → M, MPP becomes M, and the handler's load
        // of the same address must now be physical — not served from a stale translation.
        const VP = 0x80300000;
        const code = [li(T0, MSTATUS_MPRV | (Mode.S << 11)), csrw(Csr.mstatus, T0), li(T1, VP), lw(T2, T1, 0), ecall()];
        const { r, pt } = paging(code, { mode: Mode.M, mmu, codeFlags: 0 });
        r.place(HANDLER, [lw(T3, T1, 0), nop()]);
        pt.map4k(VP, P2, PTE_R | PTE_W);
        r.write32(VP, 0x1111);
        r.write32(P2, 0x2222);
        r.step(PRE + 7 + 1);
        assert.strictEqual(r.x(T2), 0x2222, 'translated through the page tables');
        assert.strictEqual(r.csr(Csr.mcause), 11);
        assert.strictEqual((r.csr(Csr.mstatus) >>> 11) & 3, Mode.M);
        assert.strictEqual(r.csr(Csr.mstatus) & MSTATUS_MPRV, MSTATUS_MPRV);
        assert.strictEqual(r.x(T3), 0x1111, 'MPRV with MPP = M: physical');
      });
    });

    describe('misaligned (emulated) accesses that cross into an unmapped page', () => {
      it('a load faults with the address of the part that faulted (13)', () => {
        const { r, pt } = paging([li(T1, V1 + 0xffe), lw(T2, T1, 0)], { mode: Mode.S, mmu });
        pt.map4k(V1, P1, PTE_R | PTE_W);
        r.step(PRE + 3);
        assertTrap(r, 13, V2, AFTER + 8);
        assert.strictEqual(r.x(T2), 0);
      });

      it('a store faults (15) and writes nothing, not even to the mapped page', () => {
        const { r, pt } = paging([li(T1, V1 + 0xffe), li(T3, -1), sw(T3, T1, 0)], { mode: Mode.S, mmu });
        pt.map4k(V1, P1, PTE_R | PTE_W);
        r.step(PRE + 5);
        assertTrap(r, 15, V2, AFTER + 16);
        assert.strictEqual(r.read32(P1 + 0xffc), 0);
      });

      it('across two mapped pages it works, and each part goes to its own frame', () => {
        const { r, pt } = paging([li(T1, V1 + 0xffe), li(T3, 0x11223344), sw(T3, T1, 0), lw(T2, T1, 0)], { mode: Mode.S, mmu });
        pt.map4k(V1, P2, PTE_R | PTE_W); // deliberately reversed frames
        pt.map4k(V2, P1, PTE_R | PTE_W);
        r.step(PRE + 6);
        assertNoTrap(r, PRE + 6);
        assert.strictEqual(r.read32(P2 + 0xffc), 0x33440000);
        assert.strictEqual(r.read32(P1), 0x00001122);
        assert.strictEqual(r.x(T2), 0x11223344);
      });
    });

    describe('trap loops under paging', () => {
      it('a delegated fetch fault whose handler (stvec) is unmapped ends in a triple fault', () => {
        const { r } = paging([li(T1, UNMAPPED), jalr(0, T1, 0)], { mode: Mode.S, mmu });
        r.cpu.medeleg = 1 << 12;
        r.cpu.stvec = UNMAPPED + 0x1000;
        const out = r.run(100_000);
        assert.strictEqual(out.kind, 'failure');
        assert.match(out.kind === 'failure' ? out.message : '', /triple fault/);
        assert.strictEqual(r.csr(Csr.scause), 12);
      });
    });
  });
}
