// Stepping into the hypervisor (docs/debugging.md "Inside a VM exit"): stepIn on an instruction that
// exits stops at `vmx_handle_exit: REASON`, further steps walk the exit's phases in the order KVM and
// QEMU run them, the last one returns to the guest after the instruction, and stepping back walks
// the same phases in reverse onto the same states. Black-box DAP sessions over exits.s.
import * as assert from 'assert';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { fingerprint, fixture, frames, launch, lineOf, pc, startClient, stopAfter, topFrame } from './helpers';
import { exitSteps, isGuest } from './exit-steps';

const EXITS = fixture('exits.s');

describe('debug adapter: stepping into VM exits', function () {
  this.timeout(120_000);
  let dc: DebugClient;
  beforeEach(async () => { dc = await startClient(); });
  afterEach(async () => { await dc.stop(); });

  const { stepIn, runTo, scope, walk } = exitSteps(() => dc, EXITS);
  const stepBack = (): Promise<unknown> => stopAfter(dc, dc.stepBackRequest({ threadId: 1 }));

  it('a UART store under ept/kernel: EPT_MISCONFIG → KVM (not claimed) → KVM_EXIT_MMIO → serial_write THR → the next instruction', async () => {
    await launch(dc, { program: EXITS, mmu: 'ept', irqchip: 'kernel' });
    await runTo('second UART store');
    const storePc = await pc(dc);
    await stepIn();
    const stack = await frames(dc);
    assert.strictEqual(stack[0].name, '[KVM] vmx_handle_exit: EPT_MISCONFIG');
    // the VM exit separator, then the guest frame at the store
    const sep = stack.findIndex((f) => f.name.startsWith('VM exit'));
    assert.ok(sep > 0, stack.map((f) => f.name).join(', '));
    assert.strictEqual(stack[sep].presentationHint, 'label');
    assert.ok(isGuest(stack[sep + 1].name));
    assert.strictEqual(stack[sep + 1].line, lineOf(EXITS, 'second UART store'));
    assert.strictEqual(await pc(dc), storePc, 'inside the exit the instruction has not completed');
    const exit = await scope(stack[0], 'Exit');
    assert.strictEqual(exit.reason, 'EPT_MISCONFIG');
    assert.strictEqual(exit.GPA, '0x10000000');
    assert.match(exit.instruction, /sb/);

    const names = ['[KVM] vmx_handle_exit: EPT_MISCONFIG', ...await walk()];
    assert.deepStrictEqual(names, [
      '[KVM] vmx_handle_exit: EPT_MISCONFIG', '[KVM] handle_ept_misconfig', '[KVM] kvm_io_bus_write',
      '[VMM] kvm_cpu_exec: KVM_EXIT_MMIO', '[VMM] memory_region_dispatch_write', '[VMM] serial_write THR',
      '[VMM] KVM_RUN', '[KVM] vmx_vcpu_run',
    ]);
    const top = await topFrame(dc);
    assert.strictEqual(top.line, lineOf(EXITS, 'after the UART store'));
    assert.strictEqual(await pc(dc), storePc + 4);
  });

  it('shows kvm_run in the VMM frame and the UART registers in the device frame; the bus says "not claimed"', async () => {
    await launch(dc, { program: EXITS });
    await runTo('second UART store');
    await stepIn(); // vmx_handle_exit
    await stepIn(); // handle_ept_misconfig
    await stepIn(); // kvm_io_bus_write
    const bus = await topFrame(dc);
    assert.strictEqual(bus.name, '[KVM] kvm_io_bus_write');
    assert.match((await scope(bus, 'Exit')).phase, /not claimed/);
    await stepIn();
    const vmm = await topFrame(dc);
    assert.strictEqual(vmm.name, '[VMM] kvm_cpu_exec: KVM_EXIT_MMIO');
    const run = await scope(vmm, 'kvm_run');
    assert.strictEqual(run.exit_reason, 'KVM_EXIT_MMIO');
    assert.strictEqual(run['mmio.phys_addr'], '0x10000000');
    assert.strictEqual(run['mmio.data'], '0x48');
    assert.strictEqual(run['mmio.len'], '1');
    assert.strictEqual(run['mmio.is_write'], 'true');
    // the stack: VMM frames above KVM frames above the separator
    const names = (await frames(dc)).map((f) => f.name);
    assert.deepStrictEqual(names.slice(0, 5), ['[VMM] kvm_cpu_exec: KVM_EXIT_MMIO', '[KVM] kvm_io_bus_write', '[KVM] handle_ept_misconfig', '[KVM] vmx_handle_exit: EPT_MISCONFIG', 'VM exit: EPT_MISCONFIG']);
    await stepIn();
    await stepIn();
    const dev = await topFrame(dc);
    assert.strictEqual(dev.name, '[VMM] serial_write THR');
    const regs = await scope(dev, 'UART registers');
    assert.ok('LSR' in regs, Object.keys(regs).join(','));
  });

  it('stepOut returns to the guest after the instruction; next walks the phases like stepIn', async () => {
    await launch(dc, { program: EXITS });
    await runTo('second UART store');
    const storePc = await pc(dc);
    await stepIn();
    await stopAfter(dc, dc.nextRequest({ threadId: 1 }));
    assert.strictEqual((await topFrame(dc)).name, '[KVM] handle_ept_misconfig');
    await stopAfter(dc, dc.stepOutRequest({ threadId: 1 }));
    const top = await topFrame(dc);
    assert.ok(isGuest(top.name), top.name);
    assert.strictEqual(await pc(dc), storePc + 4);
  });

  it('a first touch of RAM: EPT_VIOLATION fixed in KVM (pf_fixed), no VMM frame', async () => {
    await launch(dc, { program: EXITS });
    await runTo('first touch of a RAM page');
    await stepIn();
    const first = await topFrame(dc);
    const exit = await scope(first, 'Exit');
    assert.strictEqual(exit.reason, 'EPT_VIOLATION');
    assert.strictEqual(exit.GPA, '0x80200000');
    assert.strictEqual(exit.access, 'write');
    assert.match(exit['handled in'], /kernel/);
    const names = [first.name, ...await walk()];
    assert.deepStrictEqual(names, ['[KVM] vmx_handle_exit: EPT_VIOLATION', '[KVM] handle_ept_violation', '[KVM] kvm_tdp_page_fault', '[KVM] vmx_vcpu_run']);
    assert.strictEqual((await topFrame(dc)).line, lineOf(EXITS, 'after the RAM store'));
  });

  for (const irqchip of ['kernel', 'userspace'] as const) {
    it(`a LAPIC EOI under ${irqchip}: ${irqchip === 'kernel' ? 'handled in KVM (apic_mmio_write), no VMM frame' : 'KVM_EXIT_MMIO to the VMM LAPIC (apic_mem_write)'}`, async () => {
      await launch(dc, { program: EXITS, irqchip });
      await runTo('LAPIC EOI');
      await stepIn();
      const first = (await topFrame(dc)).name;
      const names = [first, ...await walk()];
      assert.strictEqual(names[0], '[KVM] vmx_handle_exit: EPT_VIOLATION');
      if (irqchip === 'kernel') {
        assert.deepStrictEqual(names, ['[KVM] vmx_handle_exit: EPT_VIOLATION', '[KVM] handle_ept_violation', '[KVM] kvm_io_bus_write', '[KVM] apic_mmio_write', '[KVM] vmx_vcpu_run']);
      } else {
        assert.deepStrictEqual(names, [
          '[KVM] vmx_handle_exit: EPT_VIOLATION', '[KVM] handle_ept_violation', '[KVM] kvm_io_bus_write',
          '[VMM] kvm_cpu_exec: KVM_EXIT_MMIO', '[VMM] memory_region_dispatch_write', '[VMM] apic_mem_write EOI',
          '[VMM] KVM_RUN', '[KVM] vmx_vcpu_run',
        ]);
      }
      assert.strictEqual((await topFrame(dc)).line, lineOf(EXITS, 'after the EOI'));
    });
  }

  for (const irqchip of ['kernel', 'split', 'userspace'] as const) {
    it(`wfi under ${irqchip}: HLT ${irqchip === 'userspace' ? 'goes to the VMM (KVM_EXIT_HLT)' : 'blocks in the kernel'}`, async () => {
      await launch(dc, { program: EXITS, irqchip });
      await runTo('HLT');
      await stepIn();
      const names = [(await topFrame(dc)).name, ...await walk()];
      assert.strictEqual(names[0], '[KVM] vmx_handle_exit: HLT');
      assert.strictEqual(names[1], '[KVM] handle_halt');
      if (irqchip === 'userspace') assert.ok(names.includes('[VMM] kvm_cpu_exec: KVM_EXIT_HLT'), names.join(', '));
      else assert.ok(names.every((n) => n.startsWith('[KVM]')) && names.includes('[KVM] kvm_vcpu_halt'), names.join(', '));
    });
  }

  it('stepBack walks back through every phase onto the same states as going forward', async () => {
    await launch(dc, { program: EXITS });
    await runTo('second UART store');
    const ram = [{ address: 0x80000000, length: 0x100 }];
    const state = async (): Promise<string> => `${(await topFrame(dc)).name} ${await fingerprint(dc, ram)}`;
    const forward = [await state()];
    for (;;) {
      await stepIn();
      forward.push(await state());
      if (isGuest((await topFrame(dc)).name)) break;
    }
    assert.ok(forward.length >= 9, `${forward.length} stops`);
    for (let i = forward.length - 2; i >= 0; i--) {
      await stepBack();
      assert.strictEqual(await state(), forward[i], `step back to stop ${i}`);
    }
  });
});
