// The Interrupts view and the Interrupt timeline in the real extension host. First over a fake
// session (a StateFeed following a fake source, chains given by the test), so the nodes, the change
// marks, the click command and the webview's drawing are checked exactly; then on a real debug
// session of examples/nic-irq.s (hyperstep/interrupts from the adapter).
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { HyperstepApi } from '../../src/extension/api';
import type { CompareInterruptsArguments, InterruptChain, InterruptsResult, StateSnapshot } from '../../src/protocol';
import { InterruptsTreeProvider, type ProvenanceSource, type RunToCycleArgs, StateFeed, TimelinePanel } from '../../src/views';
import { eventually, Stops, within } from './extension.vscode';

const hop = (cycle: number, vcpu: number, layer: 'device' | 'vmm' | 'kernel' | 'guest', kind: string, text = kind) => ({ cycle, vcpu, layer, kind, text });

function nicChain(id: number, at: number, outcome: InterruptChain['outcome'] = 'handled'): InterruptChain {
  return {
    id, gsi: 19, vector: 0x31, source: 'nic (00:03.0 INTA)', sourceKind: 'intx', outcome, latencyCycles: outcome === 'pending' ? undefined : 140,
    hops: [
      hop(at, -1, 'device', 'pci-intx', 'nic 00:03.0 asserts INTA → PIRQ D (3) → GSI 19'), hop(at, -1, 'kernel', 'irq-line'), hop(at, -1, 'kernel', 'ioapic-deliver'),
      hop(at, -1, 'kernel', 'apic-route'), hop(at, 0, 'kernel', 'lapic-accept'),
      ...(outcome === 'pending' ? [] : [hop(at + 140, 0, 'kernel', 'lapic-ack'), hop(at + 140, 0, 'guest', 'interrupt-taken', 'vCPU 0 entered its handler')]),
    ],
  };
}

/** A session the test scripts: its chains, its snapshot and the compare batches it was asked for. */
class FakeSession implements ProvenanceSource {
  readonly sessionId = 'fake-session';
  result: InterruptsResult = { chains: [] };
  cycles = 1000;
  compared: CompareInterruptsArguments[] = [];
  interrupts(): Thenable<InterruptsResult> {
    return Promise.resolve(this.result);
  }
  compare(args: CompareInterruptsArguments): Thenable<import('../../src/protocol').CompareInterruptsResult> {
    this.compared.push(args);
    const c = nicChain(1, 20_000);
    const user = { ...c, latencyCycles: 2300, hops: [...c.hops.slice(0, 5), hop(20_900, 0, 'vmm', 'exit', 'VM exit INTERRUPT_WINDOW'), hop(22_300, 0, 'vmm', 'lapic-ack'), hop(22_300, 0, 'guest', 'interrupt-taken')] };
    return Promise.resolve({ irqchip: args.irqchip, cycles: args.untilCycle, vcpus: 1, chains: [user], exits: [{ reason: 'INTERRUPT_WINDOW', cycle: 20_900, pc: 0x80000010, handledIn: 'vmm', vcpu: 0 }] });
  }
  state(): Thenable<StateSnapshot> {
    return Promise.resolve({ steps: this.cycles, cycles: this.cycles, instructions: this.cycles, mmu: 'ept', vpid: true, irqchip: 'kernel',
      vcpus: [{ id: 0, pc: 0x80000000, priv: 'M', halted: false, instret: this.cycles, cycles: this.cycles }],
      exits: { byReason: {}, vmm: {}, kvm: {}, recent: [{ reason: 'EPT_MISCONFIG', cycle: 20_010, pc: 0x80000020, handledIn: 'kernel', vcpu: 0 }], mmio: [] } });
  }
}

/** What a node shows (label, then description); a change mark may move the description into a highlighted label. */
function textOf(item: vscode.TreeItem): string {
  const l = item.label;
  const label = typeof l === 'string' ? l : l?.label ?? '';
  return typeof item.description === 'string' && item.description ? `${label} ${item.description}` : label;
}

export function defineInterruptViewTests(): void {
  suite('Interrupts view and Interrupt timeline', () => {
    suiteSetup(async () => {
      const ext = vscode.extensions.getExtension<HyperstepApi>('hyperstep.hyperstep');
      assert.ok(ext);
      await ext.activate();
    });

    test('contributes the Interrupts view, the timeline command and its button on the view', () => {
      const pkg = vscode.extensions.getExtension('hyperstep.hyperstep')?.packageJSON;
      const view = (pkg.contributes.views.debug as { id: string; name: string; when: string }[]).find((v) => v.id === 'hyperstep.interrupts');
      // Folded at first, like Local APICs, VM Exits and Memory: the Variables and Call Stack keep their room.
      assert.deepStrictEqual(view, { id: 'hyperstep.interrupts', name: 'Interrupts', when: "debugType == 'hyperstep'", visibility: 'collapsed' });
      const cmd = (pkg.contributes.commands as { command: string; title: string }[]).find((c) => c.command === 'hyperstep.showInterruptTimeline');
      assert.strictEqual(cmd?.title, 'Show Interrupt Timeline');
      const button = (pkg.contributes.menus['view/title'] as { command: string; when: string }[]).find((m) => m.command === 'hyperstep.showInterruptTimeline');
      assert.strictEqual(button?.when, 'view == hyperstep.interrupts');
    });

    test('lists chains newest first with their hops; marks new chains and changed outcomes at the next stop', async () => {
      const fake = new FakeSession();
      const feed = new StateFeed();
      const provider = new InterruptsTreeProvider(feed, (id) => (id === fake.sessionId ? fake : undefined), {
        detail: () => 'compact', recentExits: () => 32, revealExitCommand: 'hyperstep.revealExit', runToCycleCommand: 'hyperstep.runToCycle',
      });
      try {
        assert.deepStrictEqual(await provider.roots(), [], 'no session, no chains');
        feed.follow({ sessionId: fake.sessionId, state: () => fake.state() });
        assert.deepStrictEqual((await provider.roots()).map((n) => textOf(n.getTreeItem())), ['No interrupt yet']);

        fake.result = { chains: [nicChain(1, 20_000), nicChain(2, 60_000, 'pending')] };
        feed.invalidate('stop');
        const roots = await provider.roots();
        assert.deepStrictEqual(roots.map((n) => n.id), ['interrupts/chain/2', 'interrupts/chain/1'], 'newest first');
        assert.strictEqual(textOf(roots[1].getTreeItem()), '#1 nic handled · 140 cycles');
        assert.strictEqual(textOf(roots[0].getTreeItem()), '#2 nic pending');
        assert.strictEqual(roots[1].getTreeItem().resourceUri?.query, 'changed', 'new since the previous stop');
        const hops = roots[1].getChildren();
        assert.deepStrictEqual(hops.map((h) => h.label()), ['pci-intx', 'irq-line', 'ioapic-deliver', 'apic-route', 'lapic-accept', 'lapic-ack', 'interrupt-taken']);
        assert.strictEqual(textOf(hops[0].getTreeItem()), 'pci-intx 20000 · device');
        assert.match(String(hops[0].getTreeItem().tooltip), /nic 00:03\.0 asserts INTA → PIRQ D \(3\) → GSI 19/, 'what happened is in the tooltip');
        assert.strictEqual(textOf(hops[6].getTreeItem()), 'interrupt-taken 20140 · guest');
        const click = hops[6].getTreeItem().command;
        assert.strictEqual(click?.command, 'hyperstep.runToCycle');
        assert.deepStrictEqual(click?.arguments, [{ sessionId: 'fake-session', cycle: 20_140, vcpu: 0 } satisfies RunToCycleArgs]);
        assert.deepStrictEqual(hops[0].getTreeItem().command?.arguments, [{ sessionId: 'fake-session', cycle: 20_000 }], 'a device-side hop names no vCPU');

        // Next stop: chain 2 got handled, chain 3 is new, chain 1 is as it was.
        fake.result = { chains: [nicChain(1, 20_000), nicChain(2, 60_000), nicChain(3, 90_000, 'pending')], dropped: { handled: 4, lost: 1 } };
        feed.invalidate('stop');
        const next = await provider.roots();
        const mark = (id: string): string | undefined => next.find((n) => n.id === id)?.getTreeItem().resourceUri?.query;
        assert.strictEqual(mark('interrupts/chain/3'), 'changed', 'a new chain is marked');
        assert.strictEqual(mark('interrupts/chain/2'), 'changed', 'pending → handled is marked');
        assert.strictEqual(mark('interrupts/chain/1'), '', 'an unchanged chain is not');
        assert.strictEqual(textOf(next[next.length - 1].getTreeItem()), '5 older chains summarised: 4 handled, 1 lost');
      } finally {
        provider.dispose();
        feed.dispose();
      }
    });

    test('the timeline webview draws the lanes and one arrow per hop, redraws on a stop, and compares with userspace', async () => {
      const fake = new FakeSession();
      const feed = new StateFeed();
      const gotos: RunToCycleArgs[] = [];
      const ext = vscode.extensions.getExtension('hyperstep.hyperstep');
      assert.ok(ext);
      const panel = new TimelinePanel(ext.extensionUri, feed, (id) => (id === fake.sessionId ? fake : undefined), async (a) => { gotos.push(a); });
      const drawnWith = (what: string, ok: (p: NonNullable<TimelinePanel['status']['drawn']>) => boolean) => within(new Promise<void>((resolve) => {
        if (panel.status.drawn && ok(panel.status.drawn)) return resolve();
        const sub = panel.onDidDraw((p) => { if (ok(p)) { sub.dispose(); resolve(); } });
      }), 30_000, what);
      try {
        fake.result = { chains: [nicChain(1, 20_000)] };
        fake.cycles = 21_000;
        feed.follow({ sessionId: fake.sessionId, state: () => fake.state() });
        panel.show();
        await drawnWith('the first drawing', (p) => p.length === 1 && p[0].hops === 7);
        const main = panel.status.drawn?.[0];
        assert.deepStrictEqual(main?.lanes, ['Devices', 'PCI host bridge', 'IOAPIC · kernel', 'LAPIC 0 · kernel', 'vCPU 0']);
        assert.strictEqual(main?.chains, 1);
        assert.strictEqual(main?.exits, 1);
        assert.ok(main && main.range.start <= 20_000 && main.range.end >= 21_000, 'fits the chain and "now"');

        fake.result = { chains: [nicChain(1, 20_000), nicChain(2, 40_000, 'pending')] };
        fake.cycles = 41_000;
        feed.invalidate('stop');
        await drawnWith('the redraw at the next stop', (p) => p[0].hops === 12 && p[0].chains === 2);

        await panel.setCompare('userspace');
        await drawnWith('the comparison', (p) => p.length === 2);
        assert.deepStrictEqual(fake.compared.at(-1), { irqchip: 'userspace', untilCycle: 41_000, last: 200 });
        const other = panel.status.drawn?.[1];
        assert.strictEqual(other?.irqchip, 'userspace');
        assert.deepStrictEqual(other?.lanes, ['Devices', 'PCI host bridge', 'IOAPIC · VMM', 'LAPIC 0 · VMM', 'vCPU 0']);
        assert.strictEqual(other?.hops, 8);
        await panel.setCompare(null);
        await drawnWith('the comparison gone', (p) => p.length === 1);
      } finally {
        panel.dispose();
        feed.dispose();
      }
    });
    test('on nic-irq.s: the NIC chain in the view, and a click on its interrupt-taken hop runs back to that cycle (goto)', async () => {
      const api = await vscode.extensions.getExtension<HyperstepApi>('hyperstep.hyperstep')!.activate();
      const stops = new Stops();
      let session: vscode.DebugSession | undefined;
      try {
        const folder = vscode.workspace.workspaceFolders?.[0];
        assert.ok(folder);
        assert.ok(await vscode.debug.startDebugging(folder, {
          type: 'hyperstep', request: 'launch', name: 'nic-irq (interrupts test)', program: `${folder.uri.fsPath}/examples/nic-irq.s`, stopOnEntry: true,
          devices: { nic: { slot: 3, msi: false } }, events: [{ atCycle: 20000, nic: 'rx', data: 'hello' }],
        }));
        await stops.next('the stop on entry');
        session = vscode.debug.activeDebugSession;
        assert.ok(session);
        await session.customRequest('setExceptionBreakpoints', { filters: ['eoi'] });
        await session.customRequest('continue', { threadId: 1 });
        await stops.next('the EOI stop');
        // Inside the EOI write's exit the write has not happened yet: leave the exit.
        await session.customRequest('stepOut', { threadId: 1 });
        await stops.next('out of the EOI\'s exit');
        const chain = await eventually('the NIC chain in the Interrupts view', async () => (await api.provenance.interrupts.roots()).find((n) => n.id === 'interrupts/chain/1'));
        assert.match(textOf(chain.getTreeItem()), /^#1 nic handled · \d+ cycles$/);
        // The packet's two hops are both 'nic' events: each row says which step it is.
        const first = chain.allChildren().slice(0, 3);
        assert.deepStrictEqual(first.map((h) => h.label()), ['nic rx-queued', 'nic rx', 'pci-intx']);
        assert.match(textOf(first[0].getTreeItem()), /^nic rx-queued \d+ · vmm$/);
        assert.match(String(first[1].getTreeItem().tooltip), /^nic rx at cycle \d+, in the device layer: nic writes packet #1/);
        const taken = chain.allChildren().find((h) => h.label() === 'interrupt-taken');
        assert.ok(taken);
        const click = taken.getTreeItem().command;
        assert.ok(click && click.command === 'hyperstep.runToCycle');
        const target = (click.arguments?.[0] as RunToCycleArgs).cycle;
        const landed = await vscode.commands.executeCommand<{ cycle: number; vcpu: number; pc: number }>(click.command, ...(click.arguments ?? []));
        const stop = await stops.next('the goto stop');
        assert.strictEqual(stop.reason, 'goto');
        assert.ok(landed && landed.cycle >= target && landed.vcpu === 0, JSON.stringify(landed));
        // Back at the handler's entry, the chain is in service: the view re-read it at the stop.
        await eventually('the chain in service after going back', async () => {
          const c = (await api.provenance.interrupts.roots()).find((n) => n.id === 'interrupts/chain/1');
          return c && / in-service/.test(textOf(c.getTreeItem())) ? c : undefined;
        });
      } finally {
        if (session) await vscode.debug.stopDebugging(session);
        stops.dispose();
      }
    });
  });
}
