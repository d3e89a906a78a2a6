// Issue 5's "done when", on examples/nic-irq.s: stop on entry, break on irq-assert for the NIC's GSI,
// then on lapic-deliver, step into the handler, read the IOAPIC table from hyperstep/state and
// `info ioapic`, step back to before the EOI, and continue to the end — under each irqchip mode.
import * as assert from 'assert';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { StateSnapshot } from '../../src/protocol';
import { EXAMPLES, fingerprint, frames, launch, lineOf, pc, repl, startClient, stopAfter, value } from './helpers';

const NIC_IRQ = `${EXAMPLES}/nic-irq.s`;

describe('debug adapter: the NIC interrupt, hop by hop (examples/nic-irq.s)', function () {
  this.timeout(120_000);
  let dc: DebugClient;
  beforeEach(async () => { dc = await startClient(); });
  afterEach(async () => { await dc.stop(); });

  const state = async (): Promise<StateSnapshot> => (await dc.customRequest('hyperstep/state')).body as StateSnapshot;
  /** The innermost guest frame (below the phases of an exit the machine is stopped in). */
  const guestFrame = async (): Promise<DebugProtocol.StackFrame> => (await frames(dc)).find((f) => !/^(\[(KVM|VMM)\] |VM exit)/.test(f.name))!;

  for (const irqchip of ['kernel', 'split', 'userspace'] as const) {
    it(`walks the interrupt from the device to the handler and back (${irqchip} irqchip)`, async () => {
      const out: string[] = [];
      dc.on('output', (e: DebugProtocol.OutputEvent) => out.push(e.body.output));
      const entry = await launch(dc, { program: NIC_IRQ, irqchip, events: [{ atCycle: 20000, nic: 'rx', data: 'hello' }] });
      assert.strictEqual(entry.reason, 'entry');

      // 1. the NIC's INTA, swizzled to GSI 19, is asserted
      await dc.setExceptionBreakpointsRequest({ filters: [], filterOptions: [{ filterId: 'irq-assert', condition: 'gsi == 19 && vector == 0x31' }] });
      let s = await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
      assert.strictEqual(s.reason, 'breakpoint');
      assert.match(s.description!, /^Paused on IRQ line asserted: GSI 19 asserted by NIC/);
      // The line rose inside the exit of the driver's store (docs/debugging.md "Event breakpoints
      // inside an exit"): the stack shows the exit's phases; the guest frame under them carries the
      // event's fields in an Event scope, shown first.
      assert.match((await frames(dc))[0].name, /^\[(KVM|VMM)\] /);
      const scopes = (await dc.scopesRequest({ frameId: (await guestFrame()).id })).body.scopes;
      assert.strictEqual(scopes[0].name, 'Event');
      const ev = Object.fromEntries((await dc.variablesRequest({ variablesReference: scopes[0].variablesReference })).body.variables.map((x) => [x.name, x.value]));
      assert.deepStrictEqual(
        [ev.event, ev.gsi, ev.device, ev.level, ev.vector, ev.destination, ev.trigMode],
        ['IRQ line asserted (irq-assert)', '19', '"nic"', 'true', '0x31', '0', '"level"'],
      );
      // 2. the vector reaches the LAPIC's IRR
      await dc.setExceptionBreakpointsRequest({ filters: ['lapic-deliver'] });
      s = await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
      assert.match(s.description!, /^Paused on LAPIC delivery: LAPIC 0 accepted vector 0x31 into IRR/);
      const evScope = (await dc.scopesRequest({ frameId: (await guestFrame()).id })).body.scopes[0];
      const lapicEvent = (await dc.variablesRequest({ variablesReference: evScope.variablesReference })).body.variables;
      assert.deepStrictEqual(lapicEvent.filter((x) => ['vector', 'apic', 'gsi'].includes(x.name)).map((x) => `${x.name}=${x.value}`), ['vector=0x31', 'apic=0', 'gsi=19']);
      assert.strictEqual(evScope.name, 'Event');
      // Out of the exit, the store completes: the vector is in IRR.
      await stopAfter(dc, dc.stepOutRequest({ threadId: 1 }));
      assert.deepStrictEqual((await state()).lapics![0].irr, [0x31]);

      // The routing after the store, now that it has completed.
      let st = await state();
      const nic = st.routing!.find((r) => r.device === 'nic')!;
      assert.deepStrictEqual([nic.bdf, nic.pin, nic.pirq, nic.gsi, nic.asserted], ['00:03.0', 'INTA', 3, 19, true]);
      assert.strictEqual(nic.entry!.vector, 0x31);
      assert.deepStrictEqual(nic.destinations, [0]);
      // The routing tells the truth at this moment: the vector was accepted and is pending in IRR, so the
      // remote IRR the acceptance set is the interrupt in flight, not a block; the hart still has
      // external interrupts off (the driver enables them after this store), and says so.
      assert.strictEqual(nic.status, 'pending');
      assert.strictEqual(nic.blockedBy, undefined);
      assert.strictEqual(nic.note, 'delivered, awaiting EOI');
      assert.strictEqual(st.ioapic!.pins[19].blockedBy, undefined);
      assert.strictEqual(st.ioapic!.pins[19].note, 'delivered, awaiting EOI');
      const hart = st.vcpus![0].interrupts!;
      assert.deepStrictEqual([hart.mstatusMIE, hart.mieMEIE, hart.delegated, hart.externalEnabled], [false, false, false, false]);
      // The in-kernel LAPIC drives mip.MEIP at once; QEMU's (userspace) injects only into an open window.
      assert.strictEqual(hart.mipMEIP, irqchip !== 'userspace');
      assert.strictEqual(hart.closedBy, 'mie.MEIE = 0, mstatus.MIE = 0');
      assert.strictEqual(nic.waitsFor, 'mie.MEIE = 0, mstatus.MIE = 0');
      assert.strictEqual(hart.handler, await value(dc, 'trap'));
      assert.strictEqual(hart.handlerMode, 'direct');


      // 3. step into the handler: the first stop inside it is its first instruction
      await dc.setExceptionBreakpointsRequest({ filters: [] });
      const trap = await value(dc, 'trap');
      for (let i = 0; i < 20 && (await pc(dc)) !== trap; i++) await stopAfter(dc, dc.stepInRequest({ threadId: 1 }));
      assert.strictEqual(await pc(dc), trap);
      assert.strictEqual(await value(dc, 'mcause'), 0x8000000b);
      assert.strictEqual(await value(dc, 'mtval'), 0x31);
      const f = await frames(dc);
      assert.strictEqual(f[0].name, 'trap');
      assert.strictEqual(f[1].name, 'interrupt 0x31 (NIC, GSI 19)');

      // 4. the IOAPIC table, from the views' request and from the monitor
      st = await state();
      const pin = st.ioapic!.pins[19];
      assert.strictEqual(st.ioapic!.placement, irqchip === 'kernel' ? 'kernel' : 'vmm');
      assert.strictEqual(st.ioapic!.version, irqchip === 'kernel' ? 0x11 : 0x20);
      assert.deepStrictEqual([pin.line, pin.entry.vector, pin.entry.trigMode, pin.entry.masked, pin.entry.remoteIrr], [true, 0x31, 'level', false, true]);
      assert.deepStrictEqual([st.lapics![0].isr, st.lapics![0].irr], [[0x31], []]);
      const inHandler = st.routing!.find((r) => r.device === 'nic')!;
      assert.deepStrictEqual([inHandler.status, inHandler.blockedBy], ['in-service', undefined]);
      assert.strictEqual(st.vcpus![0].interrupts!.closedBy, 'mstatus.MIE = 0', 'the trap entry cleared MIE; MEIE stays set');
      const table = await repl(dc, 'info ioapic');
      assert.match(table, /^ioapic0: ver=0x(11|20)/);
      assert.match(table, /pin 19 +0x000000000000e031 dest=0 vec=49 +active-lo level +fixed +physical remote-irr line-high/);

      // 5. to the EOI, over it, and back before it: the LAPIC and IOAPIC states come back too
      await dc.setBreakpointsRequest({ source: { path: NIC_IRQ }, breakpoints: [{ line: lineOf(NIC_IRQ, 'sw      zero, 0xb0(s3)') }] });
      await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
      const ram = [{ address: 0x80010000, length: 64 }];
      const beforeEoi = await fingerprint(dc, ram);
      const stateBefore = await state();
      assert.deepStrictEqual(stateBefore.lapics![0].isr, [0x31]);
      await stopAfter(dc, dc.nextRequest({ threadId: 1, granularity: 'instruction' }));
      const after = await state();
      assert.deepStrictEqual(after.lapics![0].isr, []);
      assert.strictEqual(after.ioapic!.pins[19].entry.remoteIrr, false);
      await stopAfter(dc, dc.stepBackRequest({ threadId: 1, granularity: 'instruction' }));
      assert.strictEqual(await fingerprint(dc, ram), beforeEoi);
      const back = await state();
      assert.deepStrictEqual(back.lapics![0].isr, [0x31]);
      assert.deepStrictEqual(back.ioapic, stateBefore.ioapic);
      assert.deepStrictEqual(back.exits!.byReason, stateBefore.exits!.byReason);

      // 6. to the end
      await dc.setBreakpointsRequest({ source: { path: NIC_IRQ }, breakpoints: [] });
      const exited = dc.waitForEvent('exited');
      await dc.continueRequest({ threadId: 1 });
      assert.strictEqual((await exited).body.exitCode, 0);
      const text = out.join('');
      assert.match(text, /nic-irq: received 5 bytes: "hello"/);
      assert.strictEqual(text.split('nic-irq: driver starting').length, 2, 'output replayed by reverse execution is not shown twice');
    });
  }

  it('stops on the hops of one interrupt in order: line, LAPIC, handler entry, EOI', async () => {
    await launch(dc, { program: NIC_IRQ, events: [{ atCycle: 20000, nic: 'rx', data: 'hello' }] },
      () => dc.setExceptionBreakpointsRequest({ filters: ['irq-assert', 'lapic-deliver', 'interrupt-taken', 'eoi'] }));
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) seen.push((await stopAfter(dc, dc.continueRequest({ threadId: 1 }))).description!);
    assert.match(seen[0], /^Paused on IRQ line asserted: GSI 19 asserted by NIC/);
    assert.match(seen[1], /^Paused on LAPIC delivery: LAPIC 0 accepted vector 0x31/);
    assert.match(seen[2], /^Paused on Interrupt taken: vCPU 0 took interrupt 0x31 \(NIC, GSI 19\), \d+ cycles after it was raised/);
    assert.match(seen[3], /^Paused on EOI of vector 0x31 on LAPIC 0 \(level-triggered: broadcast to the IOAPIC\)/);
    // interrupt-taken lands on the handler's first instruction
    await stopAfter(dc, dc.reverseContinueRequest({ threadId: 1 }));
    assert.strictEqual(await pc(dc), await value(dc, 'trap'));
  });
});
