// hyperstep/compareInterrupts (src/debug/compare.ts): the Interrupt timeline's comparison — the
// session's program and launch configuration run headless under another irqchip mode up to a cycle.
// Black box over the stdio adapter, on examples/nic-irq.s with its packet at cycle 20000.
import * as assert from 'assert';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { CompareInterruptsResult, InterruptsResult, StateSnapshot } from '../../src/protocol';
import { EXAMPLES, launch, rejects, request, startClient, stopAfter } from './helpers';

const NIC = { program: `${EXAMPLES}/nic-irq.s`, devices: { nic: { slot: 3, msi: false } }, events: [{ atCycle: 20000, nic: 'rx', data: 'hello' }] };

describe('debug adapter: hyperstep/compareInterrupts', function () {
  this.timeout(120_000);
  let dc: DebugClient;
  beforeEach(async () => { dc = await startClient(); });
  afterEach(async () => { await dc.stop(); });

  const compare = (args: object): Promise<CompareInterruptsResult> => request<CompareInterruptsResult>(dc, 'hyperstep/compareInterrupts', args);

  it('runs the same program under userspace to the session\'s cycle: the same chain, placed in the VMM, with its exits', async () => {
    await launch(dc, { ...NIC, irqchip: 'kernel' });
    await dc.setExceptionBreakpointsRequest({ filters: ['eoi'] });
    await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
    const own = (await request<InterruptsResult>(dc, 'hyperstep/interrupts', {})).chains;
    const state = await request<StateSnapshot>(dc, 'hyperstep/state', { parts: ['vcpus'] });
    const until = state.cycles;
    const r = await compare({ irqchip: 'userspace', untilCycle: until });
    assert.strictEqual(r.irqchip, 'userspace');
    assert.strictEqual(r.vcpus, 1);
    // At or after the cycle asked for (a guest halted in wfi lets time jump to its next wake-up).
    assert.ok(r.cycles >= until, `stopped at ${r.cycles}, asked for ${until}`);
    assert.strictEqual(r.note, undefined);
    const early = r.chains.find((c) => c.gsi === 19);
    assert.ok(early, 'the NIC chain');
    assert.deepStrictEqual([early.vector, early.source], [0x31, own[0].source]);
    // userspace: the IOAPIC's and LAPIC's hops are the VMM's.
    assert.ok(early.hops.filter((h) => ['irq-line', 'ioapic-deliver', 'lapic-accept', 'lapic-ack'].includes(h.kind)).every((h) => h.layer === 'vmm'));
    // The session itself is kernel: only the packet's wait in the VMM's net queue (the NIC is the
    // VMM's in every mode) is a VMM hop.
    assert.deepStrictEqual(own[0].hops.filter((h) => h.layer === 'vmm').map((h) => h.kind), ['nic']);
    // Run to the end: the guest powers off first (said in the note); the chain is handled, with an
    // interrupt-window exit to the VMM and a longer latency than the kernel irqchip's.
    const whole = await compare({ irqchip: 'userspace', untilCycle: 40_000_000 });
    assert.match(whole.note ?? '', /^the guest powered off at cycle \d+/);
    const nic = whole.chains.find((c) => c.gsi === 19);
    assert.strictEqual(nic?.outcome, 'handled');
    assert.ok(nic.hops.some((h) => h.kind === 'exit' && h.layer === 'vmm'));
    assert.ok((nic.latencyCycles ?? 0) > (own[0].latencyCycles ?? Infinity), `userspace latency ${nic.latencyCycles} > kernel ${own[0].latencyCycles}`);
    assert.ok(r.exits.length > 0 && r.exits.every((x) => x.cycle <= r.cycles));
    assert.ok(r.exits.some((x) => x.handledIn === 'vmm'));
    // Deterministic, and the session is untouched: asking again gives the same; the session's own chains are as they were.
    assert.deepStrictEqual(await compare({ irqchip: 'userspace', untilCycle: until }), r);
    assert.deepStrictEqual((await request<InterruptsResult>(dc, 'hyperstep/interrupts', {})).chains, own);
    assert.strictEqual((await request<StateSnapshot>(dc, 'hyperstep/state', { parts: ['vcpus'] })).cycles, state.cycles);
  });

  it('stops early with a note when the guest stops first, and limits to the last N chains', async () => {
    await launch(dc, { program: `${EXAMPLES}/hello.s` });
    const r = await compare({ irqchip: 'split', untilCycle: 10_000_000, last: 1 });
    assert.ok(r.cycles < 10_000_000);
    assert.match(r.note ?? '', /powered off|stopped|halted/);
    assert.ok(r.chains.length <= 1);
  });

  it('refuses bad arguments with a message naming the field', async () => {
    await launch(dc, { ...NIC });
    assert.match(await rejects(compare({ irqchip: 'qemu', untilCycle: 100 })), /irqchip must be kernel, split or userspace/);
    assert.match(await rejects(compare({ irqchip: 'split', untilCycle: -1 })), /untilCycle must be a cycle ≥ 0/);
    assert.match(await rejects(compare({ irqchip: 'split', untilCycle: 1e12 })), /untilCycle .* beyond/);
    assert.match(await rejects(request(dc, 'hyperstep/compareInterrupts', {})), /irqchip must be/);
  });
});
