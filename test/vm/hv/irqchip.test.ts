// The irqchip placements (docs/machine.md): behaviour that must not depend on where the IOAPIC and LAPIC
// live, and the exits that do.
import * as assert from 'assert';
import { boot, POWER_OFF } from './boot';
import { IRQCHIP_MODES } from '../../../src/vm/hv/irqchip';

/**
 * wfi with mstatus.MIE = 0 but mie.MEIE = 1 must resume when the LAPIC has an interrupt (RISC-V
 * privileged spec §3.3.3), whichever side the LAPIC is on; the interrupt is then not taken.
 */
const WFI_WAKE = `
        .text
        .globl _start
_start: li      t0, 0xfee00000
        li      t1, 0x1ff
        sw      t1, 0xf0(t0)            # LAPIC SVR: enabled
        li      t1, 1 << 11
        csrs    mie, t1                 # MEIE, but MIE stays 0
        li      t0, 0xfec00000
        li      t1, 0x24                # IOREDTBL10 low
        sw      t1, 0(t0)
        li      t1, 0x51                # vector 0x51, edge, unmasked, LAPIC 0
        sw      t1, 0x10(t0)
        li      t0, 0x101000
        li      t1, (1 << 31) | 10      # raise GSI 10 through the test device
        sw      t1, 0(t0)
        wfi
        csrr    a0, mip
        srli    a0, a0, 11
        andi    a0, a0, 1               # MEIP must be set now (pending, not taken)
        li      t0, 0x100000
        slli    a0, a0, 16
        li      t1, 0x3333
        or      a0, a0, t1
        sw      a0, 0(t0)               # exit code = MEIP
1:      j       1b
`;

describe('hypervisor: irqchip placements', () => {
  for (const irqchip of IRQCHIP_MODES) {
    it(`${irqchip}: wfi resumes for a pending, MEIE-enabled interrupt while MIE is clear`, () => {
      const g = boot(WFI_WAKE, { irqchip });
      const r = g.run();
      // kernel/split: MEIP is the LAPIC's line (exit 1); userspace: the VMM woke the vCPU and holds
      // the interrupt for its window, so MEIP is not injected yet (exit 0). Both resumed.
      assert.deepStrictEqual(r, { kind: 'poweroff', code: irqchip === 'userspace' ? 0 : 1 });
      assert.strictEqual(g.machine.vm.irqStats.taken, 0);
    });
  }

  it('split: an EOI of a level vector is one VMX exit that continues to the VMM as KVM_EXIT_IOAPIC_EOI', () => {
    const g = boot(`
        .text
        .globl _start
_start: li      t0, 0xfee00000
        li      t1, 0x1ff
        sw      t1, 0xf0(t0)
        li      t0, 0xfec00000
        li      t1, 0x24
        sw      t1, 0(t0)
        li      t1, 0x51 | (1 << 15)    # level-triggered
        sw      t1, 0x10(t0)
        la      t1, handler
        csrw    mtvec, t1
        li      t1, 1 << 11
        csrs    mie, t1
        csrsi   mstatus, 8
        li      t0, 0x101000
        li      t1, (1 << 31) | 10
        sw      t1, 0(t0)               # assert GSI 10
1:      wfi
        j       1b
handler:
        li      t0, 0x101000
        li      t1, 10
        sw      t1, 0(t0)               # deassert
        li      t0, 0xfee00000
        sw      zero, 0xb0(t0)          # EOI
${POWER_OFF}`, { irqchip: 'split' });
    assert.deepStrictEqual(g.run(), { kind: 'poweroff', code: 0 });
    assert.strictEqual(g.machine.vm.vmmExits.get('KVM_EXIT_IOAPIC_EOI'), 1);
    const eoi = g.exits.filter((e) => e.gpa === 0xfee000b0);
    assert.strictEqual(eoi.length, 1, 'one exit for the EOI store');
    assert.strictEqual(eoi[0].reason, 'EPT_MISCONFIG');
    const rec = g.machine.vm.exitLog.find((e) => e.gpa === 0xfee000b0)!;
    assert.strictEqual(rec.handledIn, 'vmm');
    assert.strictEqual(rec.vmmExit, 'KVM_EXIT_IOAPIC_EOI');
    assert.strictEqual(g.machine.ioapic.entry(10).remoteIrr, 0, 'the VMM IOAPIC heard the EOI');
  });
});

describe('the memory-region tree per irqchip mode', () => {
  it('shows the in-kernel IOAPIC and LAPIC as kernel regions, and the VMM ones as devices', () => {
    const tree = (irqchip: 'kernel' | 'split' | 'userspace'): string => boot(POWER_OFF.replace('99:', '_start: nop\n99:'), { irqchip }).machine.mtree.format();
    assert.match(tree('kernel'), /00000000fec00000-00000000fec00fff \(prio 0, i\/o, in kernel\): kvm-ioapic/);
    assert.match(tree('kernel'), /00000000fee00000-00000000fee00fff \(prio 0, i\/o, in kernel\): kvm-apic/);
    assert.match(tree('split'), /00000000fec00000-00000000fec00fff \(prio 0, i\/o\): ioapic/);
    assert.match(tree('split'), /\(prio 0, i\/o, in kernel\): kvm-apic/);
    assert.match(tree('userspace'), /\(prio 0, i\/o\): lapic/);
    assert.doesNotMatch(tree('userspace'), /in kernel/);
  });
});
