// Shadow paging (docs/machine.md): CR3 loads and INVLPG exit, guest page tables are write-protected so
// their writes exit and zap, guest page faults are intercepted and re-injected.
import * as assert from 'assert';
import { boot, POWER_OFF } from './boot';
import { sv32Prelude } from './sv32-prelude';

/**
 * An S-mode kernel on Sv32: identity-maps its code, its page tables, a data page, the UART and the
 * finisher; reads the data page, remaps it by rewriting its PTE, fences, reads again (must see the
 * new frame), then touches an unmapped address and expects a load page fault in its M-mode handler.
 * Exit code 0 = every check passed; 2 = the remap was not seen; 3 = wrong fault.
 */
const KERNEL = `
        .text
        .globl _start
_start:
        la      t0, m_handler
        csrw    mtvec, t0
        # markers in the two frames the data page will map
        li      t0, 0x80020000
        li      t1, 0x5678
        sw      t1, 0(t0)
        li      t0, 0x80030000
        li      t1, 0x1234
        sw      t1, 0(t0)
${sv32Prelude([
  { va: 0, perms: 'rw', mega: true, what: 'the finisher' }, { va: 0x10000000, perms: 'rw', mega: true, what: 'the UART' },
  { va: 0x80000000, perms: 'rwx', what: 'the code page' },
  { va: 0x80010000, perms: 'rw', what: 'the L1 table page' }, { va: 0x80011000, perms: 'rw', what: 'the L0 table page' },
  { va: 0x80020000, perms: 'rw', what: 'the data page → frame 0x80020000' },
], { asid: 1 })}

s_entry:
        li      t0, 0x80020000
        lw      a0, 0(t0)               # 0x5678 through the shadow entry
        li      t1, 0x80011080
        li      t2, 0x2000c0c7          # remap the data page to frame 0x80030000 (a PTE write)
        sw      t2, 0(t1)
        sfence.vma t0
        lw      a1, 0(t0)               # now 0x1234
        li      t1, 0x5678
        bne     a0, t1, bad_remap
        li      t1, 0x1234
        bne     a1, t1, bad_remap
        li      t0, 0x40000000
        lw      t1, 0(t0)               # unmapped: load page fault, taken in M-mode
        j       bad_fault

bad_remap:
        li      a0, 2
        j       exit
bad_fault:
        li      a0, 3
        j       exit

m_handler:
        csrr    t0, mcause
        li      t1, 13
        bne     t0, t1, bad_fault
        csrr    t0, mtval
        li      t1, 0x40000000
        bne     t0, t1, bad_fault
${POWER_OFF}
exit:
        slli    a0, a0, 16
        li      t1, 0x3333
        or      a0, a0, t1
        li      t0, 0x100000
        sw      a0, 0(t0)
1:      j       1b
`;

describe('hypervisor: shadow paging', () => {
  it('runs the paging kernel correctly under EPT without CR3 or INVLPG exits', () => {
    const g = boot(KERNEL, { mmu: 'ept' });
    assert.deepStrictEqual(g.run(), { kind: 'poweroff', code: 0 });
    const vm = g.machine.vm;
    assert.strictEqual(vm.exitsByReason.get('CR_ACCESS'), 0);
    assert.strictEqual(vm.exitsByReason.get('INVLPG'), 0);
    assert.strictEqual(vm.exitsByReason.get('EXCEPTION_NMI'), 0);
    assert.strictEqual(vm.stats.pf_guest, 0); // the guest's page fault never leaves the guest under EPT
  });

  it('exits on satp (CR_ACCESS), sfence.vma (INVLPG), PTE writes (zap) and re-injects guest faults', () => {
    const g = boot(KERNEL, { mmu: 'shadow' });
    assert.deepStrictEqual(g.run(), { kind: 'poweroff', code: 0 });
    const vm = g.machine.vm;
    assert.strictEqual(vm.exitsByReason.get('CR_ACCESS'), 1);
    assert.strictEqual(vm.stats.cr_exits, 1);
    assert.strictEqual(vm.exitsByReason.get('INVLPG'), 1);
    assert.strictEqual(vm.stats.invlpg, 1);
    assert.strictEqual(vm.stats.mmu_pte_write, 1, 'one guest store to a write-protected page-table page');
    assert.strictEqual(vm.stats.mmu_shadow_zapped, 1, 'the data page entry derived from that PTE');
    assert.strictEqual(vm.stats.pf_guest, 1, 'the load page fault, re-injected');
    assert.strictEqual(vm.exitsByReason.get('EPT_VIOLATION'), 0);
    // the sequence around the PTE write: a #PF exit handled in kernel at the store, then INVLPG
    const seq = g.exits.map((e) => `${e.reason} ${e.handledIn}`);
    const pteStore = g.exits.findIndex((e) => e.reason === 'EXCEPTION_NMI' && e.gpa === 0x80011080);
    assert.ok(pteStore > 0, seq.join('\n'));
    assert.strictEqual(g.exits[pteStore].access, 'write');
    assert.strictEqual(g.exits[pteStore].handledIn, 'kernel');
    assert.strictEqual(g.exits[pteStore + 1].reason, 'INVLPG');
    // the guest fault: intercepted (EXCEPTION_NMI with the faulting GVA), then the guest handler runs
    const fault = g.exits.find((e) => e.reason === 'EXCEPTION_NMI' && e.gva === 0x40000000);
    assert.ok(fault, seq.join('\n'));
  });

  it('keeps write-protected page-table pages out of the writable shadow entries', () => {
    const g = boot(KERNEL, { mmu: 'shadow' });
    g.run();
    const paging = g.machine.vm.paging;
    assert.strictEqual(paging.mode, 'shadow');
    if (paging.mode !== 'shadow') return;
    const root = 0x80010000;
    const entries = paging.tables.entries(root);
    const ptPage = entries.find((e) => e.gpaPage === 0x80011000);
    if (ptPage) assert.strictEqual(ptPage.flags & 4, 0, 'the L0 table page must not be writable in the shadow');
    assert.ok(paging.tables.isProtected(0x80010000));
    assert.ok(paging.tables.isProtected(0x80011000));
    const data = entries.find((e) => e.vpn === 0x80020)!;
    assert.strictEqual(data.gpaPage, 0x80030000, 'refilled from the rewritten PTE');
  });

  it('gives the same result with VPIDs off, flushing on every exit', () => {
    const g = boot(KERNEL, { mmu: 'shadow', vpid: false });
    assert.deepStrictEqual(g.run(), { kind: 'poweroff', code: 0 });
    assert.strictEqual(g.machine.vm.stats.tlb_flush, 2 * g.machine.vm.stats.exits);
  });
});
