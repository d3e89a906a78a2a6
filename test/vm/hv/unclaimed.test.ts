// A load, store or fetch at a GPA that no RAM and no device claims (docs/exits.md "An access no
// device claims"): as on QEMU's virt machine the guest takes an access fault (cause 5 / 7 / 1,
// mtval = the address) and goes on. Across the KVM_RUN boundary: the access exits to the VMM
// (KVM_EXIT_MMIO, or KVM_EXIT_INTERNAL_ERROR for a fetch), the VMM finds no region and sets an
// external abort pending (KVM_SET_VCPU_EVENTS), and the next KVM_RUN delivers the fault instead of
// completing the access. strictMmio stops the VM instead.
import * as assert from 'assert';
import { collectStatistics } from '../../../src/vm/vmm/statistics';
import type { ExitPhaseEvent } from '../../../src/vm/events';
import { boot, exitTrace, POWER_OFF } from './boot';

/**
 * The body runs with a handler that counts traps in s0 and records mcause / mtval / mepc in s1 /
 * s2 / s3, then resumes after the faulting instruction (or, for a fetch fault, at ra).
 */
const guest = (body: string): string => `
        .text
        .globl _start
_start: la      t0, handler
        csrw    mtvec, t0
${body}
        li      a5, 77
${POWER_OFF}
handler:
        addi    s0, s0, 1
        csrr    s1, mcause
        csrr    s2, mtval
        csrr    s3, mepc
        li      t3, 1
        beq     s1, t3, 1f
        addi    t3, s3, 4
        csrw    mepc, t3
        mret
1:      csrw    mepc, ra
        mret
`;

const LOAD = `        li      t1, 0x20000000
        li      t2, 0x1234
        lw      t2, 4(t1)`;
const STORE = `        li      t1, 0x20000000
        sw      t2, 8(t1)`;
const FETCH = `        li      t1, 0x28000000
        jalr    ra, 0(t1)`;

const S0 = 8, S1 = 9, S2 = 18, S3 = 19, T2 = 7, A5 = 15;

function runGuest(body: string, mmu: 'ept' | 'npt' | 'shadow' = 'ept'): ReturnType<typeof boot> {
  const g = boot(guest(body), { mmu });
  assert.deepStrictEqual(g.run(), { kind: 'poweroff', code: 0 });
  return g;
}

describe('an access to a GPA no device claims', () => {
  for (const mmu of ['ept', 'npt', 'shadow'] as const) {
    it(`a load (${mmu}): access fault (cause 5), mtval = the address, mepc = the load, rd untouched; the guest goes on`, () => {
      const g = runGuest(LOAD, mmu);
      const x = g.machine.vcpus[0].cpu.x;
      assert.strictEqual(x[S0], 1, 'one trap');
      assert.strictEqual(x[S1], 5);
      assert.strictEqual(x[S2] >>> 0, 0x20000004);
      // _start: la (2 insns), csrw, li t1 (lui), li t2 (lui+addi) → the lw is the 7th instruction.
      assert.strictEqual(x[S3] >>> 0, 0x80000018);
      assert.strictEqual(x[T2], 0x1234, 'the load did not complete');
      assert.strictEqual(x[A5], 77, 'ran on after the handler');
    });
  }

  it('a store: access fault (cause 7), mtval = the address', () => {
    const x = runGuest(STORE).machine.vcpus[0].cpu.x;
    assert.strictEqual(x[S1], 7);
    assert.strictEqual(x[S2] >>> 0, 0x20000008);
    assert.strictEqual(x[A5], 77);
  });

  for (const mmu of ['ept', 'shadow'] as const) {
    it(`a fetch (${mmu}): instruction access fault (cause 1), mtval = mepc = the address`, () => {
      const x = runGuest(FETCH, mmu).machine.vcpus[0].cpu.x;
      assert.strictEqual(x[S1], 1);
      assert.strictEqual(x[S2] >>> 0, 0x28000000);
      assert.strictEqual(x[S3] >>> 0, 0x28000000);
      assert.strictEqual(x[A5], 77);
    });
  }

  it('a load leaves KVM_RUN as KVM_EXIT_MMIO; the VMM sets the abort pending and the next KVM_RUN delivers the fault', () => {
    const g = runGuest(LOAD);
    assert.deepStrictEqual(exitTrace(g.exits).filter((e) => e.includes('0x20000004')), ['EPT_VIOLATION read 0x20000004 vmm/KVM_EXIT_MMIO']);
    const phases = g.events.filter((e): e is ExitPhaseEvent => e.kind === 'exit-phase').map((e) => `${e.layer} ${e.name}`);
    const from = phases.indexOf('vmm kvm_cpu_exec: KVM_EXIT_MMIO');
    assert.ok(from > 0, phases.join('\n'));
    assert.deepStrictEqual(phases.slice(from - 1, from + 5), [
      'kvm kvm_io_bus_read', 'vmm kvm_cpu_exec: KVM_EXIT_MMIO', 'vmm memory_region_dispatch_read', 'vmm KVM_SET_VCPU_EVENTS',
      'vmm KVM_RUN', 'kvm vmx_vcpu_run',
    ]);
    // The trap comes after the VMM's answer, at the load, and the handler runs next.
    const trap = g.events.findIndex((e) => e.kind === 'guest-trap');
    const entry = g.events.findIndex((e) => e.kind === 'exit-phase' && e.name === 'KVM_SET_VCPU_EVENTS');
    assert.ok(trap > entry);
    const t = g.events[trap];
    assert.ok(t.kind === 'guest-trap' && t.cause === 5 && t.tval === 0x20000004 && t.epc === 0x80000018);
    assert.strictEqual(g.machine.vm.vmmExits.get('KVM_EXIT_MMIO'), 2, 'the load and the finisher store');
  });

  it('a fetch leaves KVM_RUN as KVM_EXIT_INTERNAL_ERROR (emulation failure), answered the same way', () => {
    const g = runGuest(FETCH);
    assert.deepStrictEqual(exitTrace(g.exits).filter((e) => e.includes('0x28000000')), ['EPT_VIOLATION fetch 0x28000000 vmm/KVM_EXIT_INTERNAL_ERROR']);
    const phases = g.events.filter((e): e is ExitPhaseEvent => e.kind === 'exit-phase').map((e) => e.name);
    const from = phases.indexOf('kvm_cpu_exec: KVM_EXIT_INTERNAL_ERROR');
    assert.deepStrictEqual(phases.slice(from, from + 4), ['kvm_cpu_exec: KVM_EXIT_INTERNAL_ERROR', 'memory_region_dispatch_read', 'KVM_SET_VCPU_EVENTS', 'KVM_RUN']);
    assert.strictEqual(g.machine.vm.failure, undefined);
  });

  it('the faulting step counts as a step and retires nothing', () => {
    const plain = runGuest('        nop');
    const faulted = runGuest(LOAD);
    // LOAD retires lui, lui + addi and not the lw, against the 1 nop; the handler retires 9 (the mret included).
    const handler = 9;
    assert.strictEqual(faulted.machine.instructions() - plain.machine.instructions(), 3 - 1 + handler);
    assert.strictEqual(faulted.machine.steps - plain.machine.steps, 3 - 1 + handler + 1, 'the lw is one step that trapped');
  });

  it('is counted in the statistics and kept in the exit log as an access to "unclaimed"', () => {
    const g = runGuest(`${LOAD}\n${STORE}\n${FETCH}`);
    const s = collectStatistics(g.machine).unclaimedMmio;
    assert.deepStrictEqual([s.reads, s.writes, s.fetches], [1, 1, 1]);
    assert.deepStrictEqual(s.first.map((u) => [u.access, u.gpa, u.gva]), [
      ['read', '0x20000004', '0x20000004'], ['write', '0x20000008', '0x20000008'], ['fetch', '0x28000000', '0x28000000'],
    ]);
    const logged = g.machine.vm.exitLog.filter((r) => r.device === 'unclaimed').map((r) => [r.reason, r.access, r.gpa]);
    // The store is the second access to that page: KVM installed an MMIO SPTE at the first (misconfig).
    assert.deepStrictEqual(logged, [['EPT_VIOLATION', 'read', 0x20000004], ['EPT_MISCONFIG', 'write', 0x20000008], ['EPT_VIOLATION', 'fetch', 0x28000000]]);
    assert.strictEqual(g.events.filter((e) => e.kind === 'mmio' && e.device === 'unclaimed').length, 3);
    assert.strictEqual(s.first.length, 3);
  });

  it('a handler that is itself where nothing answers ends in a triple fault, not a hang', () => {
    const g = boot(`
        .text
        .globl _start
_start: li      t0, 0x90000000
        csrw    mtvec, t0
        ecall
`);
    const out = g.run(100_000);
    assert.strictEqual(out.kind, 'failure');
    assert.match(out.kind === 'failure' ? out.message : '', /triple fault on vCPU 0: traps at pc 0x90000000 keep faulting \(mcause 1, mtval 0x90000000/);
    assert.strictEqual(g.machine.vm.failure?.exit, 'KVM_EXIT_SHUTDOWN');
    assert.strictEqual(collectStatistics(g.machine).unclaimedMmio.fetches, 8);
  });

  it('with strictMmio the VM stops instead, naming the GPA', () => {
    for (const [body, message, exit] of [
      [LOAD, /no device at GPA 0x20000004: read \(4 bytes\) by vCPU 0 at pc 0x80000018/, 'VMM'],
      [STORE, /no device at GPA 0x20000008: write of 0x0 \(4 bytes\)/, 'VMM'],
      [FETCH, /instruction fetch from GPA 0x28000000/, 'KVM_EXIT_INTERNAL_ERROR'],
    ] as const) {
      const g = boot(guest(body), { strictMmio: true });
      const out = g.run();
      assert.strictEqual(out.kind, 'failure');
      assert.match(out.kind === 'failure' ? out.message : '', message);
      assert.strictEqual(g.machine.vm.failure?.exit, exit);
      assert.strictEqual(g.machine.vcpus[0].cpu.x[S0], 0, 'no trap in the guest');
      assert.strictEqual(collectStatistics(g.machine).unclaimedMmio.reads, 0);
    }
  });

  it('a fetch from a device that is there (the UART) still stops the VM: KVM cannot run code from MMIO', () => {
    const g = boot(guest(`        li      t1, 0x10000000
        jalr    ra, 0(t1)`));
    const out = g.run();
    assert.strictEqual(out.kind, 'failure');
    assert.match(out.kind === 'failure' ? out.message : '', /instruction fetch from GPA 0x10000000/);
    assert.strictEqual(g.machine.vm.failure?.exit, 'KVM_EXIT_INTERNAL_ERROR');
  });
});
