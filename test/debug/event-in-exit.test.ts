// Event breakpoints that fire inside a VM exit stop at the phase where the event happens, with the
// same stack and scopes stepIn shows there (docs/debugging.md "Event breakpoints inside an exit");
// continue and stepOut go on from there without stopping on the same event again. Black-box DAP
// sessions over exits.s.
import * as assert from 'assert';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { fixture, frames, launch, lineOf, pc, startClient, stopAfter, topFrame } from './helpers';
import { exitSteps, isGuest } from './exit-steps';

const EXITS = fixture('exits.s');

describe('debug adapter: event breakpoints inside a VM exit', function () {
  this.timeout(120_000);
  let dc: DebugClient;
  beforeEach(async () => { dc = await startClient(); });
  afterEach(async () => { await dc.stop(); });

  const filters = (filterOptions: DebugProtocol.ExceptionFilterOptions[]) => (): Promise<unknown> =>
    dc.setExceptionBreakpointsRequest({ filters: [], filterOptions });
  const names = async (): Promise<string[]> => (await frames(dc)).map((f) => f.name);

  async function scopeNames(frame: DebugProtocol.StackFrame): Promise<string[]> {
    return (await dc.scopesRequest({ frameId: frame.id })).body.scopes.map((s) => s.name);
  }

  const { scope } = exitSteps(() => dc, EXITS);

  /** The phase frames of the stack now, top first (VMM, then KVM). */
  async function phaseNames(): Promise<string[]> {
    const all = await names();
    return all.slice(0, all.findIndex((n) => n.startsWith('VM exit')));
  }

  it('mmio on the UART: stops in serial_write THR with the VMM and KVM frames, kvm_run and the UART registers', async () => {
    await launch(dc, { program: EXITS }, filters([{ filterId: 'mmio', condition: "device == 'uart'" }]));
    const s = await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
    assert.strictEqual(s.reason, 'breakpoint');
    assert.match(s.description!, /MMIO write 0x48 to UART THR/);
    assert.deepStrictEqual(await phaseNames(), [
      '[VMM] serial_write THR', '[VMM] memory_region_dispatch_write', '[VMM] kvm_cpu_exec: KVM_EXIT_MMIO',
      '[KVM] kvm_io_bus_write', '[KVM] handle_ept_violation', '[KVM] vmx_handle_exit: EPT_VIOLATION',
    ]);
    const all = await frames(dc);
    const sep = all.findIndex((f) => f.name.startsWith('VM exit'));
    assert.strictEqual(all[sep].name, 'VM exit: EPT_VIOLATION');
    assert.strictEqual(all[sep + 1].line, lineOf(EXITS, 'first UART store'));
    const top = all[0];
    assert.deepStrictEqual((await scopeNames(top)).slice(0, 3), ['Exit', 'kvm_run', 'UART registers']);
    const run = await scope(top, 'kvm_run');
    assert.strictEqual(run['mmio.phys_addr'], '0x10000000');
    assert.strictEqual(run['mmio.data'], '0x48');
    // The guest frame below keeps the event's own scope first.
    assert.strictEqual((await scopeNames(all[sep + 1]))[0], 'Event');
  });

  it('the stop is the state stepIn shows at that phase: the instruction has not completed, the next steps walk on', async () => {
    await launch(dc, { program: EXITS }, filters([{ filterId: 'mmio', condition: "device == 'uart'" }]));
    await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
    const storePc = await pc(dc);
    const line = (await frames(dc)).find((f) => isGuest(f.name))!.line;
    assert.strictEqual(line, lineOf(EXITS, 'first UART store'));
    const rest: string[] = [];
    for (let i = 0; i < 10; i++) {
      await stopAfter(dc, dc.stepInRequest({ threadId: 1 }));
      const t = (await topFrame(dc)).name;
      if (isGuest(t)) break;
      rest.push(t);
    }
    assert.deepStrictEqual(rest, ['[VMM] KVM_RUN', '[KVM] vmx_vcpu_run']);
    assert.strictEqual(await pc(dc), storePc + 4);
  });

  it('continue goes on to the next event, not the same one again; stepOut leaves to the guest', async () => {
    await launch(dc, { program: EXITS }, filters([{ filterId: 'mmio', condition: "device == 'uart'" }]));
    await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
    const firstPc = await pc(dc);
    await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
    // the second UART store, now an EPT misconfig
    assert.strictEqual(await pc(dc), firstPc + 4);
    assert.deepStrictEqual((await phaseNames()).slice(-3), ['[KVM] kvm_io_bus_write', '[KVM] handle_ept_misconfig', '[KVM] vmx_handle_exit: EPT_MISCONFIG']);
    assert.strictEqual((await topFrame(dc)).name, '[VMM] serial_write THR');
    await stopAfter(dc, dc.stepOutRequest({ threadId: 1 }));
    const top = await topFrame(dc);
    assert.ok(isGuest(top.name), top.name);
    assert.strictEqual(top.line, lineOf(EXITS, 'after the UART store'));
  });

  it('vmexit stops at the dispatcher, as stepIn does; an in-kernel LAPIC access stops in apic_mmio_write', async () => {
    await launch(dc, { program: EXITS }, filters([{ filterId: 'vmexit', condition: "reason == 'EPT_VIOLATION' && gpa == 0x80200000" }]));
    let s = await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
    assert.match(s.description!, /VM exit EPT_VIOLATION/);
    assert.deepStrictEqual(await phaseNames(), ['[KVM] vmx_handle_exit: EPT_VIOLATION']);
    assert.strictEqual((await scope(await topFrame(dc), 'Exit')).GPA, '0x80200000');
    await dc.setExceptionBreakpointsRequest({ filters: [], filterOptions: [{ filterId: 'mmio', condition: "device == 'lapic'" }] });
    s = await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
    assert.match(s.description!, /LAPIC EOI/);
    assert.deepStrictEqual(await phaseNames(), ['[KVM] apic_mmio_write', '[KVM] kvm_io_bus_write', '[KVM] handle_ept_violation', '[KVM] vmx_handle_exit: EPT_VIOLATION']);
    assert.ok((await scopeNames(await topFrame(dc))).includes('LAPIC registers'));
    await stopAfter(dc, dc.stepOutRequest({ threadId: 1 }));
    assert.strictEqual((await topFrame(dc)).line, lineOf(EXITS, 'after the EOI'));
  });

  it('an exit on an instruction fetch (the code page touched first) stops inside it too; stepOut returns to the guest', async () => {
    await launch(dc, { program: EXITS }, () => dc.setExceptionBreakpointsRequest({ filters: ['vmexit'] }));
    await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
    assert.deepStrictEqual(await phaseNames(), ['[KVM] vmx_handle_exit: EPT_VIOLATION']);
    const exit = await scope(await topFrame(dc), 'Exit');
    assert.strictEqual(exit.access, 'fetch');
    assert.strictEqual(exit.GPA, '0x80000000');
    assert.strictEqual(await pc(dc), 0x80000000, 'before the first instruction');
    await dc.setExceptionBreakpointsRequest({ filters: [] });
    await stopAfter(dc, dc.stepOutRequest({ threadId: 1 }));
    assert.ok(isGuest((await topFrame(dc)).name));
    assert.strictEqual(await pc(dc), 0x80000004);
  });
});
