// Instruction breakpoints planted in the decode cache (HostMemory.setBreakpoint) and resuming over them.
import * as assert from 'assert';
import { boot, POWER_OFF } from '../hv/boot';

const PROGRAM = `
        .text
        .globl _start
_start: li      a0, 1
        addi    a0, a0, 1               # +4: the breakpoint
        addi    a0, a0, 1
${POWER_OFF}`;

describe('CPU: instruction breakpoints', () => {
  it('stops before the instruction, and resumes over it even with nothing cached (right after reset)', () => {
    const g = boot(PROGRAM);
    const m = g.machine;
    m.host.setBreakpoint(4); // host offset of 0x80000004
    assert.deepStrictEqual(m.run(), { kind: 'stopped', reason: 'breakpoint', vcpu: 0 });
    const cpu = m.vcpus[0].cpu;
    assert.strictEqual(cpu.pc >>> 0, 0x80000004);
    assert.strictEqual(cpu.x[10], 1, 'the breakpointed instruction has not run');
    cpu.flushTranslations(); // as a checkpoint or a data breakpoint would: the pc's page is no longer cached
    cpu.resumeFromBreakpoint = true;
    assert.deepStrictEqual(m.run(), { kind: 'poweroff', code: 0 });
    assert.strictEqual(cpu.x[10], 3, 'both increments ran, the breakpoint once stepped over');
    assert.ok(m.host.breakpoints.has(4), 'the breakpoint is still armed');
  });

  it('stops again at the same breakpoint the next time through', () => {
    const g = boot(`
        .text
        .globl _start
_start: li      s0, 3
1:      addi    s0, s0, -1              # +4: the breakpoint, in a loop
        bnez    s0, 1b
${POWER_OFF}`);
    const m = g.machine;
    m.host.setBreakpoint(4);
    let stops = 0;
    for (;;) {
      const r = m.run();
      if (r.kind !== 'stopped') { assert.deepStrictEqual(r, { kind: 'poweroff', code: 0 }); break; }
      stops++;
      m.vcpus[0].cpu.resumeFromBreakpoint = true;
    }
    assert.strictEqual(stops, 3);
  });
});
