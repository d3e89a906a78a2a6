// AMD nested paging (docs/npt.md): VMEXIT_NPF's EXITINFO1 bit for bit against APM vol. 2 §15.25.6
// and the #PF error code, the x86-64 entry format, MMIO through reserved bits, SVM exit names, and
// a fresh ASID where KVM would otherwise flush.
import * as assert from 'assert';
import { boot, POWER_OFF } from './boot';
import { sv32Prelude } from './sv32-prelude';
import { Priv } from '../../../src/vm/cpu/csr';
import { filterHits } from '../../../src/debug/event-filters';
import { npfExitInfoText } from '../../../src/vm/mmu/npt';

/**
 * M-mode builds Sv32 tables (L1 at 0x80010000, L0 at 0x80011000): the S code page 0x80000000 (RX),
 * a U code page 0x80001000 (RXU), data pages 0x80020000 (RW) and 0x80021000 (RWU), a fresh page
 * 0x80022000 (RW), the UART megapage; then mret to S. The test drops the nested tables there (a
 * memslot change), so every following stage-2 fault is visible. S reads, writes, touches the UART
 * twice, srets to U; U reads its page and ecalls; M powers off.
 */
const GUEST = `
        .text
        .globl _start
_start:
        la      t0, m_trap
        csrw    mtvec, t0
${sv32Prelude([
  { va: 0x10000000, perms: 'rw', mega: true, what: 'the UART' },
  { va: 0x80000000, perms: 'rx', what: 'S code page' }, { va: 0x80001000, perms: 'rxu', what: 'U code page' },
  { va: 0x80020000, perms: 'rw', what: 'data' }, { va: 0x80021000, perms: 'rwu', what: 'user data' },
  { va: 0x80022000, perms: 'rw', what: 'data' },
], { asid: 1 })}
s_entry:
        li      t0, 0x80020000
        lw      a0, 0(t0)               # S read of a fresh page
        li      t0, 0x80022000
        sw      a0, 0(t0)               # S write to a fresh page
        li      t0, 0x10000000
        lbu     a1, 5(t0)               # UART LSR: not present, MMIO entry installed
        sb      a1, 7(t0)               # UART SCR: the MMIO entry, reserved bits
        li      t0, 0x80001000
        csrw    sepc, t0
        sret                            # to U (sstatus.SPP = 0)
m_trap:
${POWER_OFF}
        .balign 4096
u_entry:
        li      t0, 0x80021000
        lw      a0, 0(t0)               # U read of a fresh page
        ecall
`;

const FINAL = 2 ** 32, GUEST_PAGE = 2 ** 33;
const P = 1, RW = 2, US = 4, RSVD = 8, ID = 16;

function bootToS(): ReturnType<typeof boot> {
  const g = boot(GUEST, { mmu: 'npt' });
  const cpu = g.machine.vcpus[0].cpu;
  for (let i = 1; i < 200 && cpu.priv !== Priv.S; i++) g.run(i); // run(n): until n instructions in all
  assert.strictEqual(cpu.priv, Priv.S, 'the guest reaches S-mode');
  g.exits.length = 0;
  g.machine.vm.resetMmu();
  return g;
}

describe('hypervisor: NPT (AMD nested paging)', () => {
  it('gives EXITINFO1 bit for bit for walk, fetch, read, write, user, supervisor and reserved-bit faults (APM vol. 2 §15.25.6)', () => {
    const g = bootToS();
    assert.deepStrictEqual(g.run(), { kind: 'poweroff', code: 0 });
    const rows = g.machine.vm.exitLog.slice(-g.exits.length).map((e) => [e.reason, e.access, hex(e.gpa!), hex(e.qualification!), e.handledIn]);
    assert.deepStrictEqual(rows, [
      // S fetches s_entry: the walk reads the L1 PTE, then the L0 PTE (each an NPF during the guest
      // page-table walk, reported as a write: the walker may set A/D), then the code page (final, ID).
      ['VMEXIT_NPF', 'read', '80010800', hex(GUEST_PAGE + US + RW), 'kernel'],
      ['VMEXIT_NPF', 'read', '80011000', hex(GUEST_PAGE + US + RW), 'kernel'],
      ['VMEXIT_NPF', 'fetch', '80000098', hex(FINAL + US + ID), 'kernel'],  // EXITINFO2: s_entry's exact GPA
      ['VMEXIT_NPF', 'read', '80020000', hex(FINAL + US), 'kernel'],           // S read: U/S is 1 all the same
      ['VMEXIT_NPF', 'write', '80022000', hex(FINAL + US + RW), 'kernel'],     // S write
      ['VMEXIT_NPF', 'read', '10000005', hex(FINAL + US), 'vmm'],              // UART, not present: MMIO entry made
      ['VMEXIT_NPF', 'write', '10000007', hex(FINAL + P + RW + US + RSVD), 'vmm'], // the MMIO entry: present, reserved bits
      ['VMEXIT_NPF', 'fetch', '80001000', hex(FINAL + US + ID), 'kernel'],     // U fetch
      ['VMEXIT_NPF', 'read', '80021000', hex(FINAL + US), 'kernel'],           // U read
      ['VMEXIT_NPF', 'write', '100000', hex(FINAL + US + RW), 'vmm'],          // M (paging off) writes the finisher
    ]);
    assert.strictEqual(npfExitInfoText(FINAL + P + RW + US + RSVD), 'P, RW, US, RSVD, final translation');
    assert.strictEqual(npfExitInfoText(GUEST_PAGE + US + RW), 'not present, RW, US, guest page-table walk');
  });

  it('installs x86-64 format entries: P/RW/US with A/D for RAM, reserved bits 51:48 for MMIO', () => {
    const g = bootToS();
    g.run();
    const paging = g.machine.vm.paging;
    assert.strictEqual(paging.mode, 'npt');
    if (paging.mode !== 'npt') return;
    const ram = paging.npt.leafEntry(0x80020000)!;
    assert.strictEqual(ram & 0x7n, 0x7n);                            // P, RW, US
    assert.strictEqual(ram & (3n << 5n), 3n << 5n);                  // A, D
    assert.strictEqual(ram >> 63n, 0n);                              // NX clear: executable
    assert.strictEqual(ram & 0xffff_ffff_f000n, 0x20000n);           // memslot offset 0x20000
    const mmio = paging.npt.leafEntry(0x10000000)!;
    assert.strictEqual(mmio & 1n, 1n);                               // present …
    assert.strictEqual((mmio >> 48n) & 0xfn, 0xfn);                  // … with reserved bits 51:48
    const steps = paging.npt.describe(0x80020000);
    assert.deepStrictEqual(steps.map((s) => [s.level, s.index, s.present]), [[3, 0, true], [2, 2, true], [1, 0, true], [0, 0x20, true]]);
    assert.strictEqual(steps[0].tableHpa, paging.npt.ncr3);
  });

  it('counts exits under SVM names only', () => {
    const g = bootToS();
    g.run();
    const byReason = g.machine.vm.exitsByReason;
    assert.deepStrictEqual([...byReason.keys()].sort(),
      ['VMEXIT_HLT', 'VMEXIT_INTR', 'VMEXIT_NPF', 'VMEXIT_SHUTDOWN', 'VMEXIT_VINTR', 'VMEXIT_VMMCALL']);
    assert.strictEqual(byReason.get('VMEXIT_NPF'), g.machine.vm.stats.exits);
  });

  it('gives the vCPU a fresh ASID where KVM would flush: old entries stay, unreachable', () => {
    const g = boot(GUEST, { mmu: 'npt' });
    g.run();
    const v = g.machine.vcpus[0];
    const asid = v.vpid, flushes = v.tlb.stats.flushes;
    const stale = v.tlb.entries().length;
    assert.ok(stale > 0);
    g.machine.vm.resetMmu();
    assert.strictEqual(v.vpid, asid + 1);
    assert.strictEqual(v.tlb.stats.flushes, flushes, 'no flush');
    assert.strictEqual(v.tlb.entries().filter((e) => e.vpid === asid).length, stale);
    assert.strictEqual(v.tlb.lookup(v.vpid, 1, 0x80000), -1);
  });

  it('the vmexit and ept-violation breakpoint filters fire for VMEXIT_NPF', () => {
    const hits = filterHits({ kind: 'exit', cycle: 1, vcpu: 0, reason: 'VMEXIT_NPF', gpa: 0x80000000, gva: 0x80000000, access: 'read', handledIn: 'kernel', pc: 0 },
      () => undefined);
    assert.deepStrictEqual(hits.map((h) => h.filter), ['vmexit', 'ept-violation']);
    assert.strictEqual(hits[0].fields.reason, 'VMEXIT_NPF');
  });
});

function hex(n: number): string {
  return n.toString(16);
}
