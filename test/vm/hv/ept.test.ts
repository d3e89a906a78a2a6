// The EPT path of docs/machine.md, exit by exit: "kvm only knows memslots; an access to an unmapped GPA is
// an EPT violation; is it RAM? else emulate, in-kernel device? else exit to qemu".
import * as assert from 'assert';
import { boot, exitTrace, POWER_OFF } from './boot';

const TOUCH_RAM_THEN_UART = `
        .text
        .globl _start
_start:
        li      t0, 0x80002000
        lw      t1, 0(t0)              # first touch of a second RAM page
        lw      t1, 4(t0)              # same page again: no exit
        li      t2, 0x10000000
        lbu     t3, 5(t2)              # first UART access (LSR)
        sb      t3, 7(t2)              # second UART access (SCR)
        lbu     t3, 7(t2)              # third
${POWER_OFF}
`;

describe('hypervisor: EPT exits', () => {
  it('gives the exact exit sequence of RAM and MMIO first touches', () => {
    const g = boot(TOUCH_RAM_THEN_UART);
    assert.deepStrictEqual(g.run(), { kind: 'poweroff', code: 0 });
    assert.deepStrictEqual(exitTrace(g.exits), [
      'EPT_VIOLATION fetch 0x80000000 kernel',        // the code page: RAM, fixed in kernel
      'EPT_VIOLATION read 0x80002000 kernel',         // the data page: RAM, fixed in kernel
      'EPT_VIOLATION read 0x10000005 vmm/KVM_EXIT_MMIO',  // not RAM: MMIO SPTE installed, exit to the VMM
      'EPT_MISCONFIG write 0x10000007 vmm/KVM_EXIT_MMIO', // MMIO SPTE: misconfig, no memslot lookup
      'EPT_MISCONFIG read 0x10000007 vmm/KVM_EXIT_MMIO',
      'EPT_VIOLATION write 0x100000 vmm/KVM_EXIT_MMIO',   // the finisher's page
    ]);
    const vm = g.machine.vm;
    assert.strictEqual(vm.stats.pf_fixed, 2);
    assert.strictEqual(vm.stats.pf_mmio_spte_created, 2);
    assert.strictEqual(vm.stats.mmio_exits, 4);
    assert.strictEqual(vm.vmmExits.get('KVM_EXIT_MMIO'), 4);
  });

  it('records the exit qualification of an EPT violation (SDM table 28-7)', () => {
    const g = boot(TOUCH_RAM_THEN_UART);
    g.run();
    const rec = g.machine.vm.exitLog.find((e) => e.gpa === 0x10000005)!;
    // read access (bit 0), entry not present (bits 5:3 = 0), guest-linear address valid (bit 7), translated access (bit 8)
    assert.strictEqual(rec.qualification, 0x1 | 0x80 | 0x100);
    assert.strictEqual(rec.gva, 0x10000005);
    assert.strictEqual(rec.device, 'uart');
    assert.strictEqual(rec.register, 'LSR');
  });

  it('installs Intel-format leaves: R/W/X for RAM, a misconfigured write+execute entry for MMIO', () => {
    const g = boot(TOUCH_RAM_THEN_UART);
    g.run();
    const paging = g.machine.vm.paging;
    assert.strictEqual(paging.mode, 'ept');
    if (paging.mode !== 'ept') return;
    const ram = paging.ept.leafEntry(0x80002000)!;
    assert.strictEqual(Number(ram & 7n), 7);                  // R/W/X
    assert.strictEqual(Number((ram >> 3n) & 7n), 6);          // write-back memory type
    assert.strictEqual(Number(ram & ~0xfffn), 0x2000);        // host frame: memslot offset 0x2000
    const mmio = paging.ept.leafEntry(0x10000000)!;
    assert.strictEqual(Number(mmio & 7n), 0b110);             // W+X without R: EPT misconfiguration
    assert.deepStrictEqual(paging.ept.leaves().map((l) => [l.gpa.toString(16), l.mmio]),
      [['100000', true], ['10000000', true], ['80000000', false], ['80002000', false]]);
  });

  it('charges the cost model: an in-kernel fix is cheaper than an exit to the VMM', () => {
    const g = boot(TOUCH_RAM_THEN_UART);
    g.run();
    const cost = g.machine.vm.cost;
    const log = g.machine.vm.exitLog;
    // cycles between two consecutive exits include the handler of the first
    const kernelToNext = log[2].cycle - log[1].cycle;
    const vmmToNext = log[4].cycle - log[3].cycle;
    assert.ok(kernelToNext >= cost.exitRoundTrip + cost.eptFault, `kernel fix cost ${kernelToNext}`);
    assert.ok(vmmToNext >= cost.exitRoundTrip + cost.vmmExit, `vmm exit cost ${vmmToNext}`);
    assert.ok(vmmToNext > kernelToNext);
  });

  it('flushes the TLB on every VM exit and entry when VPIDs are off', () => {
    const on = boot(TOUCH_RAM_THEN_UART);
    on.run();
    const off = boot(TOUCH_RAM_THEN_UART, { vpid: false });
    off.run();
    assert.strictEqual(on.machine.vm.stats.tlb_flush, 0);
    assert.strictEqual(on.machine.vcpus[0].vpid, 1);
    assert.strictEqual(off.machine.vcpus[0].vpid, 0);
    assert.strictEqual(off.machine.vm.stats.tlb_flush, 2 * off.machine.vm.stats.exits);
    assert.ok(off.machine.vcpus[0].tlb.stats.misses > on.machine.vcpus[0].tlb.stats.misses);
  });

  it('with strictMmio, fails with a clear message on an access no device claims', () => {
    const g = boot(`
        .text
        .globl _start
_start: li t0, 0x20000000
        lw t1, 0(t0)
${POWER_OFF}`, { strictMmio: true });
    const r = g.run();
    assert.strictEqual(r.kind, 'failure');
    assert.match((r as { message: string }).message, /no device at GPA 0x20000000: read \(4 bytes\) by vCPU 0 at pc 0x80000004/);
  });

  it('with strictMmio, fails (KVM_EXIT_INTERNAL_ERROR) on an instruction fetch from a GPA that is not RAM', () => {
    const g = boot(`
        .text
        .globl _start
_start: li t0, 0x20000000
        jr t0`, { strictMmio: true });
    const r = g.run();
    assert.strictEqual(r.kind, 'failure');
    assert.match((r as { message: string }).message, /instruction fetch from GPA 0x20000000/);
    assert.strictEqual(g.machine.vm.vmmExits.get('KVM_EXIT_INTERNAL_ERROR'), 1);
  });
});
