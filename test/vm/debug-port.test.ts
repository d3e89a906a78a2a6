// The machine's debug port (src/vm/debug-port.ts): translation without side effects on the MMU's
// own walker (MPRV honoured for data), breakpoints by GVA on every vCPU, registers.
import * as assert from 'assert';
import { Csr, MSTATUS_MPRV, Priv } from '../../src/vm/cpu/csr';
import { DebugPort } from '../../src/vm/debug-port';
import { CODE, MachineRig } from './cpu/harness';
import { addi, nop } from './cpu/encode';
import { PageTables, PTE_A, PTE_R, PTE_W, PTE_X } from './mmu/pagetable';

const ROOT = 0x80100000, ROOT2 = 0x80101000, TABLES = 0x80102000;
const V = 0x40001000, P1 = 0x80200000, P2 = 0x80201000;

describe('debug port', () => {
  it('translates without side effects: no A bit set, the vCPU walker and TLB untouched', () => {
    const r = new MachineRig([nop(), nop()], { memoryMiB: 8 });
    const pt = new PageTables(r, ROOT, TABLES);
    pt.map4k(V, P1, PTE_R | PTE_W);
    const port = new DebugPort(r.machine);
    port.setCsr(0, Csr.satp, pt.satp());
    r.cpu.priv = Priv.S;
    const walks = r.vcpu.walker.walks, misses = r.vcpu.tlb.stats.misses;
    const t = port.translate(0, V + 0x10, 'read');
    assert.strictEqual(t.gpa, P1 + 0x10);
    assert.strictEqual(t.paging, true);
    assert.deepStrictEqual(t.levels.map((l) => l.level), [1, 0]);
    assert.strictEqual(t.levels[1].pteGpa, pt.l0Addr(V));
    assert.strictEqual(r.read32(pt.l0Addr(V)) & PTE_A, 0, 'a probe sets no accessed bit');
    assert.strictEqual(r.vcpu.walker.walks, walks);
    assert.strictEqual(r.vcpu.tlb.stats.misses, misses);
    assert.match(port.translate(0, 0x50000000).error ?? '', /level-1 PTE 0x00000000 is not valid/);
  });

  it('honours MPRV for loads and stores but not for fetches (privileged spec §3.1.6.3)', () => {
    const r = new MachineRig([nop()], { memoryMiB: 8 });
    const pt = new PageTables(r, ROOT, TABLES);
    pt.map4k(V, P1, PTE_R);
    const port = new DebugPort(r.machine);
    port.setCsr(0, Csr.satp, pt.satp());
    // M-mode with MPRV and MPP = S: data accesses are translated, fetches are not.
    port.setCsr(0, Csr.mstatus, MSTATUS_MPRV | (Priv.S << 11));
    assert.strictEqual(port.translate(0, V, 'read').gpa, P1);
    assert.strictEqual(port.translate(0, V, 'fetch').gpa, V);
    assert.strictEqual(port.translate(0, V, 'fetch').paging, false);
  });

  it('plants a code breakpoint on the page each vCPU maps the GVA to', () => {
    const r = new MachineRig([nop()], { memoryMiB: 8, vcpus: 2 });
    const pt1 = new PageTables(r, ROOT, TABLES), pt2 = new PageTables(r, ROOT2, TABLES + 0x4000);
    pt1.map4k(V, P1, PTE_R | PTE_X);
    pt2.map4k(V, P2, PTE_R | PTE_X);
    const port = new DebugPort(r.machine);
    port.setCsr(0, Csr.satp, pt1.satp());
    port.setCsr(1, Csr.satp, pt2.satp());
    for (const v of r.machine.vcpus) v.cpu.priv = Priv.S;
    const h1 = r.machine.vm.gpaToHost(P1), h2 = r.machine.vm.gpaToHost(P2);
    // The host byte offset of the instruction (any halfword may start one: the C extension).
    assert.strictEqual(port.wordOf(0, V + 8), h1 + 8);
    assert.strictEqual(port.wordOf(1, V + 10), h2 + 10);
    port.insertBreakpoint(port.wordOf(1, V + 8));
    assert.ok(r.machine.host.breakpoints.has(h2 + 8));
    assert.ok(!r.machine.host.breakpoints.has(h1 + 8));
    port.removeBreakpoint(port.wordOf(1, V + 8));
    assert.ok(!r.machine.host.breakpoints.has(h2 + 8));
  });

  it('reads and writes registers and CSRs (KVM_GET_REGS / KVM_SET_REGS)', () => {
    const r = new MachineRig([addi(5, 0, 7)]);
    const port = new DebugPort(r.machine);
    port.setReg(0, 6, -1);
    port.setReg(0, 0, 5);
    port.setPc(0, CODE + 8);
    const regs = port.regs(0);
    assert.strictEqual(regs.x[6], 0xffffffff);
    assert.strictEqual(regs.x[0], 0);
    assert.strictEqual(regs.pc, CODE + 8);
    assert.strictEqual(port.setCsr(0, 0x7ff, 1), false);
    assert.strictEqual(port.csr(0, Csr.mscratch), 0);
    assert.ok(port.setCsr(0, Csr.mscratch, 0x1234));
    assert.strictEqual(port.csr(0, Csr.mscratch), 0x1234);
  });
});
