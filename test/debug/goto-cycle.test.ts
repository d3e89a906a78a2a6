// hyperstep/runToCycle and `goto cycle N` (docs/interrupt-provenance.md): forwards and backwards to
// the first instruction boundary at or after a cycle, landing bit-exact where a forward run
// stepped one instruction at a time stops; at an interrupt-taken hop's cycle, on the handler's
// first instruction; bad cycles refused with the machine left where it was.
import * as assert from 'assert';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { InterruptsResult, RunToCycleResult } from '../../src/protocol';
import { EXAMPLES, fingerprint, launch, pc, rejects, repl, request, startClient, stopAfter, value } from './helpers';

const NIC_IRQ = `${EXAMPLES}/nic-irq.s`;
const LAUNCH = { program: NIC_IRQ, devices: { nic: { slot: 3, msi: false } }, events: [{ atCycle: 20000, nic: 'rx', data: 'hello' }] };
/** The driver's stack and RX ring/buffers: the RAM the program writes. */
const RAM = [{ address: 0x80010000, length: 64 }, { address: 0x80011000, length: 16 }];

describe('debug adapter: run to any cycle (hyperstep/runToCycle, goto cycle N)', function () {
  this.timeout(180_000);
  let dc: DebugClient;
  beforeEach(async () => { dc = await startClient(); });
  afterEach(async () => { await dc.stop(); });

  const goto = async (cycle: number): Promise<{ r: RunToCycleResult; reason: string; description?: string }> => {
    const stopped = dc.waitForEvent('stopped');
    const r = await request<RunToCycleResult>(dc, 'hyperstep/runToCycle', { cycle });
    const s = (await stopped).body as { reason: string; description?: string };
    return { r, reason: s.reason, description: s.description };
  };

  it('lands bit-exact both ways, where instruction steps stop first at or after the cycle', async () => {
    // The reference: a forward run stepped one instruction at a time.
    await launch(dc, LAUNCH);
    // A cycle inside an EPT-violation exit's cost: no instruction boundary sits exactly on it.
    const target = 3000;
    let before = await value(dc, '$cycles');
    while ((await value(dc, '$cycles')) < target) {
      before = await value(dc, '$cycles');
      await stopAfter(dc, dc.stepInRequest({ threadId: 1, granularity: 'instruction' }));
    }
    const reference = await fingerprint(dc, RAM);
    const refCycles = await value(dc, '$cycles');
    assert.ok(before < target && refCycles > target, `the reference straddles the cycle (${before} < ${target} < ${refCycles})`);
    await dc.stop();

    dc = await startClient();
    await launch(dc, LAUNCH);
    const fwd = await goto(target);
    assert.deepStrictEqual([fwd.reason, fwd.description], ['goto', `cycle ${target}`]);
    assert.deepStrictEqual([fwd.r.cycle, fwd.r.vcpu, fwd.r.pc], [refCycles, 0, await pc(dc)]);
    assert.strictEqual(await fingerprint(dc, RAM), reference, 'forwards');
    // Far ahead (past the packet's interrupt), then back.
    const far = await goto(1_000_000);
    assert.ok(far.r.cycle >= 1_000_000);
    const back = await goto(target);
    assert.deepStrictEqual([back.reason, back.description, back.r.cycle], ['goto', `cycle ${target}`, refCycles]);
    assert.strictEqual(await fingerprint(dc, RAM), reference, 'backwards');
    // The console form lands on the same place.
    await goto(4000);
    const stopped = dc.waitForEvent('stopped');
    assert.match(await repl(dc, `goto cycle ${target}`), new RegExp(`^cycle ${target}: vCPU 0 at pc 0x[0-9a-f]+ \\(clock ${refCycles}\\)$`));
    assert.strictEqual(((await stopped).body as { reason: string }).reason, 'goto');
    assert.strictEqual(await fingerprint(dc, RAM), reference, 'goto cycle');
  });

  it("at an interrupt-taken hop's cycle, stops on the handler's first instruction", async () => {
    await launch(dc, LAUNCH);
    await dc.setExceptionBreakpointsRequest({ filters: ['eoi'] });
    await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
    const chain = (await request<InterruptsResult>(dc, 'hyperstep/interrupts', {})).chains[0];
    const taken = chain.hops.find((h) => h.kind === 'interrupt-taken')!;
    await dc.setExceptionBreakpointsRequest({ filters: [] });
    const g = await goto(taken.cycle);
    assert.strictEqual(g.r.cycle, taken.cycle);
    assert.strictEqual(await pc(dc), await value(dc, 'trap'));
    assert.strictEqual(await value(dc, 'mtval'), 0x31);
    // And the chain there is the one of that moment: taken, not yet ended.
    const now = (await request<InterruptsResult>(dc, 'hyperstep/interrupts', {})).chains[0];
    assert.strictEqual(now.outcome, 'in-service');
    assert.strictEqual(now.hops[now.hops.length - 1].kind, 'interrupt-taken');
  });

  it('refuses a negative cycle and one beyond the end of the run, leaving the machine where it was', async () => {
    await launch(dc, LAUNCH);
    await goto(5000);
    const here = await fingerprint(dc, RAM);
    assert.match(await rejects(request(dc, 'hyperstep/runToCycle', { cycle: -1 })), /cycle -1 does not exist: cycles are whole numbers from 0/);
    assert.match(await rejects(request(dc, 'hyperstep/runToCycle', { cycle: 'soon' })), /cycle must be a number/);
    assert.match(await rejects(request(dc, 'hyperstep/runToCycle', { cycle: 10, vcpu: 3 })), /vCPU 3 does not exist/);
    assert.match(await rejects(dc.evaluateRequest({ expression: 'goto cycle -1', context: 'repl' })), /cycle -1 does not exist/);
    assert.match(await rejects(dc.evaluateRequest({ expression: 'goto 5', context: 'repl' })), /usage: goto cycle N/);
    assert.match(await rejects(request(dc, 'hyperstep/runToCycle', { cycle: 1e12 })),
      /cycle 1000000000000 is beyond the end of the run: the guest powered off \(exit code 0\) at cycle \d+ of vCPU 0/);
    assert.strictEqual(await fingerprint(dc, RAM), here);
    // Still usable.
    assert.strictEqual((await goto(6000)).reason, 'goto');
  });
});
