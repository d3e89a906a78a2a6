// The extension in a real VS Code extension host (code-server here, @vscode/test-electron where a
// network exists): activation, contributions, commands, the language client, and a debug session on
// examples/nic-irq.s that stops on the irq-assert event breakpoint, read through the views' own
// data providers. Nodes are checked as VS Code sees them (ids and tree items), because this bundle
// has its own copy of the view classes.
import * as assert from 'assert';
import * as path from 'path';
import * as vscode from 'vscode';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { HyperstepApi } from '../../src/extension/api';
import { type StateSnapshot, stateRequest } from '../../src/protocol';
import { highlightedText, itemText, type ViewNode } from '../../src/views';

const EXTENSION_ID = 'hyperstep.hyperstep';
type StoppedBody = DebugProtocol.StoppedEvent['body'];

/** Stops reported by the adapter, in order, through a tracker of the test's own. */
export class Stops implements vscode.Disposable {
  private readonly seen: StoppedBody[] = [];
  private readonly waiting: ((b: StoppedBody) => void)[] = [];
  private readonly tracker: vscode.Disposable;
  terminated = false;

  constructor() {
    this.tracker = vscode.debug.registerDebugAdapterTrackerFactory('hyperstep', {
      createDebugAdapterTracker: () => ({
        onDidSendMessage: (m: DebugProtocol.ProtocolMessage) => {
          if (m.type !== 'event') return;
          const e = m as DebugProtocol.Event;
          if (e.event === 'terminated') this.terminated = true;
          if (e.event !== 'stopped') return;
          const body = e.body as StoppedBody;
          const w = this.waiting.shift();
          if (w) w(body);
          else this.seen.push(body);
        },
      }),
    });
  }

  next(what: string, ms = 60_000): Promise<StoppedBody> {
    const ready = this.seen.shift();
    if (ready) return Promise.resolve(ready);
    return within(new Promise<StoppedBody>((resolve) => this.waiting.push(resolve)), ms, what);
  }

  dispose(): void {
    this.tracker.dispose();
  }
}

export function within<T>(p: Thenable<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms); });
  return Promise.race([Promise.resolve(p), timeout]).finally(() => clearTimeout(timer));
}

/** Polls `probe` until it returns a value (not undefined). */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms: ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Label and description as the row shows them (a change mark moves the description into the label). */
function textOf(node: ViewNode): string {
  return itemText(node.getTreeItem());
}

/** Every node of a view's tree (shown or hidden by compact detail), depth first. */
function allNodes(roots: readonly ViewNode[]): ViewNode[] {
  return roots.flatMap((n) => [n, ...allNodes(n.allChildren())]);
}

/** The rows a view marks as changed, by id, with the parts their mark highlights. */
function marks(roots: readonly ViewNode[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const n of allNodes(roots)) {
    const item = n.getTreeItem();
    if (item.resourceUri?.query === 'changed') out.set(n.id, highlightedText(item));
  }
  return out;
}

async function findNode(roots: ViewNode[], id: string): Promise<ViewNode | undefined> {
  for (const n of roots) {
    if (n.id === id) return n;
    const inner = await findNode(n.allChildren(), id);
    if (inner) return inner;
  }
  return undefined;
}

function workspaceFile(rel: string): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test window opens a folder (the workspace with the examples)');
  return path.join(folder.uri.fsPath, rel);
}

async function endSession(session: vscode.DebugSession): Promise<void> {
  const ended = new Promise<void>((resolve) => {
    const sub = vscode.debug.onDidTerminateDebugSession((s) => {
      if (s.id === session.id) {
        sub.dispose();
        resolve();
      }
    });
  });
  await vscode.debug.stopDebugging(session);
  await within(ended, 15_000, 'the debug session to end');
}

export function defineExtensionTests(): void {
  suite('Hyperstep extension in VS Code', () => {
    let api: HyperstepApi;
    let extension: vscode.Extension<HyperstepApi>;

    suiteSetup(async () => {
      const ext = vscode.extensions.getExtension<HyperstepApi>(EXTENSION_ID);
      assert.ok(ext, `${EXTENSION_ID} is installed in this extension host`);
      extension = ext;
      api = await ext.activate();
    });

    test('activates and measures its activation', () => {
      assert.ok(extension.isActive);
      assert.ok(api.activationMs > 0 && api.activationMs < 2000, `activation took ${api.activationMs} ms`);
      console.log(`      activation time: ${api.activationMs.toFixed(1)} ms (activate() start to return)`);
      console.log(`      VS Code ${vscode.version}, ${vscode.env.appName}, extension host ${process.version}`);
    });

    test('registers every contributed command', async () => {
      const registered = new Set(await vscode.commands.getCommands(true));
      const contributed = (extension.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
      assert.ok(contributed.length >= 6);
      for (const id of contributed) assert.ok(registered.has(id), `${id} is registered`);
      assert.strictEqual(api.commandId('injectIrq'), 'hyperstep.injectIrq');
    });

    test('contributes the language, the grammar and seven views shown only in a Hyperstep session', async () => {
      const c = extension.packageJSON.contributes;
      assert.ok((await vscode.languages.getLanguages()).includes('hyperstep-asm'));
      assert.strictEqual(c.grammars[0].scopeName, 'source.hyperstep-asm');
      const views = c.views.debug as { id: string; when: string }[];
      assert.deepStrictEqual(views.map((v) => v.id), ['hyperstep.routing', 'hyperstep.ioapic', 'hyperstep.lapics', 'hyperstep.exits', 'hyperstep.memory', 'hyperstep.interrupts', 'hyperstep.translation']);
      for (const v of views) assert.strictEqual(v.when, "debugType == 'hyperstep'");
    });

    test('runs the language server on hyperstep-asm documents (hover names the device register)', async () => {
      const doc = await vscode.workspace.openTextDocument(workspaceFile('examples/nic-irq.s'));
      assert.strictEqual(doc.languageId, 'hyperstep-asm');
      await vscode.window.showTextDocument(doc);
      assert.strictEqual(await within(api.languageClientReady, 30_000, 'the language client'), true);
      const line = doc.getText().split('\n').findIndex((l) => /^\s+li\s+s2, IOAPIC/.test(l));
      assert.ok(line >= 0);
      const hovers = await eventually('a hover on the IOAPIC constant', async () => {
        const h = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(line, doc.lineAt(line).text.indexOf('IOAPIC') + 2));
        return h.length ? h : undefined;
      });
      const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      assert.match(text, /IOAPIC|0xfec00000/i);
    });

    test('debugs nic-irq.s to the NIC interrupt: the views show GSI 19 → vector 0x31', async () => {
      const stops = new Stops();
      let session: vscode.DebugSession | undefined;
      try {
        const program = workspaceFile('examples/nic-irq.s');
        const started = await vscode.debug.startDebugging(vscode.workspace.workspaceFolders?.[0], {
          type: 'hyperstep', request: 'launch', name: 'nic-irq (extension test)', program, stopOnEntry: true,
          devices: { nic: { slot: 3, msi: false } }, events: [{ atCycle: 20000, nic: 'rx', data: 'hello' }],
        });
        assert.ok(started, 'startDebugging');
        const entry = await stops.next('the stop on entry');
        assert.strictEqual(entry.reason, 'entry');
        session = vscode.debug.activeDebugSession;
        assert.ok(session && session.type === 'hyperstep');

        // At entry the IOAPIC is as reset: entry 19 masked. Reading it seeds the change baseline.
        const atEntry = await eventually('the IOAPIC view at entry', async () => findNode(await api.views.ioapic.roots(), 'ioapic/pin/19'));
        assert.match(textOf(atEntry), /masked/);
        // Every view is read at entry: that is what the next stop's change marks compare with.
        for (const view of Object.values(api.views)) assert.ok((await view.roots()).length > 0);

        // The irq-assert event breakpoint (docs/debugging.md), then run until the NIC's packet raises GSI 19.
        await session.customRequest('setExceptionBreakpoints', { filters: ['irq-assert'] });
        await session.customRequest('continue', { threadId: entry.threadId ?? 1 });
        const irq = await stops.next('the irq-assert stop');
        console.log(`      stopped: ${irq.reason}: ${irq.description ?? ''}`);
        assert.strictEqual(irq.reason, 'breakpoint', 'an event stop is not an exception');
        assert.match(`${irq.description} ${irq.text ?? ''}`, /GSI 19/);
        // The stop is inside the exit of the driver's store (docs/debugging.md "Event breakpoints
        // inside an exit"): leave it, so the store completes and the views show its effect.
        await session.customRequest('stepOut', { threadId: irq.threadId ?? 1 });
        await stops.next('out of the store\'s exit');

        // IOAPIC: redirection entry 19 programmed by the driver, line asserted, marked as changed.
        const pin = await eventually('IOAPIC entry 19 programmed', async () => {
          const n = await findNode(await api.views.ioapic.roots(), 'ioapic/pin/19');
          return n && /^GSI 19 0x31 · remote IRR$/.test(textOf(n)) ? n : undefined;
        });
        const pinItem = pin.getTreeItem();
        console.log(`      IOAPIC view: ${textOf(pin)}`);
        // The line's level: the icon (filled red) and the Line child; the row itself stays short.
        assert.strictEqual((pinItem.iconPath as vscode.ThemeIcon).id, 'circle-filled');
        assert.strictEqual(textOf(pin.allChildren().find((c) => c.id === 'ioapic/pin/19/line')!), 'Line asserted');
        assert.strictEqual(pinItem.resourceUri?.query, 'changed', 'entry 19 is marked as changed since the entry stop');
        const vector = pin.allChildren().find((c) => c.id === 'ioapic/pin/19/vector');
        assert.ok(vector);
        assert.match(textOf(vector), /0x31$/);
        assert.strictEqual(vector.getTreeItem().resourceUri?.query, 'changed', 'the vector changed from 0x00 since the entry stop');
        assert.deepStrictEqual(highlightedText(vector.getTreeItem()), ['0x31'], 'the mark highlights the value itself');
        const destination = pin.allChildren().find((c) => c.id === 'ioapic/pin/19/destination');
        assert.strictEqual(destination?.getTreeItem().resourceUri?.query, '', 'the destination stayed 0');
        const tooltip = pinItem.tooltip;
        // Raw bits: vector 0x31 | active-low (bit 13) | level (bit 15), plus remote IRR (bit 14) once accepted.
        assert.match(typeof tooltip === 'string' ? tooltip : tooltip?.value ?? '', /high 0x00000000 {2}low 0x0000[ae]031/, 'raw bits in the tooltip');
        assert.strictEqual((await api.views.ioapic.roots()).filter((n) => n.id.startsWith('ioapic/pin/')).length, 24);

        // Interrupt Routing: nic INTA → PIRQ D (3) → GSI 19 → 0x31 → LAPIC 0.
        const route = await eventually('the NIC route', async () => (await api.views.routing.roots()).find((n) => /^nic/.test(textOf(n))));
        const routeText = textOf(route);
        console.log(`      Interrupt Routing view: ${routeText}`);
        assert.match(routeText, /^nic INTA → 0x31 · CPU off$/);
        // The truth at this moment: delivered and pending, not blocked; the chain ends at the hart.
        assert.doesNotMatch(textOf(pin), /blocked/, 'remote IRR set by the acceptance is no block while 0x31 is pending');
        const routeRows = new Map(allNodes([route]).map((n) => [n.id.slice(route.id.length + 1), textOf(n)]));
        // Value first where a row would not fit 300 px otherwise (docs/extension.md "Rows at 300 px").
        assert.strictEqual(routeRows.get('device'), 'Device 00:03.0 · slot 3');
        assert.strictEqual(routeRows.get('pin'), 'Pin INTA (0) · asserting');
        assert.strictEqual(routeRows.get('pirq'), 'PIRQ D (3) = (3 + 0) mod 4');
        assert.strictEqual(routeRows.get('gsi'), 'GSI 19 = 16 + 3 · asserted');
        assert.strictEqual(routeRows.get('entry'), 'IOREDTBL 0x31 · remote IRR');
        assert.strictEqual(routeRows.get('note'), 'Now delivered, awaiting EOI');
        assert.ok(!routeRows.has('blocked'));
        assert.strictEqual(routeRows.get('lapic/0'), 'LAPIC 0 0x31 pending');
        assert.strictEqual(routeRows.get('lapic/0/hart/window'), 'vCPU 0 interrupts off');
        assert.deepStrictEqual(['status', 'meie', 'meip'].map((k) => routeRows.get(`lapic/0/hart/${k}`)), ['mstatus.MIE 0', 'mie.MEIE 0', 'mip.MEIP 1']);
        assert.match(routeRows.get('lapic/0/hart/handler') ?? '', /^Handler 0x800001[0-9a-f]{2} · mtvec$/);
        // Every row the compact views show fits VS Code's default side bar (300 px): about 31
        // characters at the top, one fewer per level of indentation. A rough guard by characters; the
        // end-to-end test measures the drawn rows, unfolded to every depth, at that width.
        const tooWideAt300: string[] = [];
        const walk = (nodes: readonly ViewNode[], depth: number): void => {
          for (const n of nodes) {
            if (textOf(n).length > 32 - depth) tooWideAt300.push(`${n.id} (level ${depth}): ${textOf(n)}`);
            walk(n.getChildren(), depth + 1);
          }
        };
        for (const view of [...Object.values(api.views), api.provenance.interrupts, api.translation]) walk(await view.roots(), 1);
        assert.deepStrictEqual(tooWideAt300, [], 'every row fits a 300 px side bar');

        // Local APICs, VM Exits and Memory have content too.
        const lapic = (await api.views.lapics.roots())[0];
        assert.match(textOf(lapic), /^LAPIC 0 IRR \{0x31\} · ISR \{\}$/);
        assert.strictEqual(textOf(lapic.allChildren().find((n) => n.id === 'lapic/0/next')!), 'Next vector 0x31 · CPU off');
        assert.strictEqual(textOf(lapic.allChildren().find((n) => n.id === 'lapic/0/hart/window')!), 'vCPU 0 interrupts off');
        const exitRoots = await api.views.exits.roots();
        const byReason = exitRoots.find((n) => n.id === 'exits/byReason');
        assert.ok(byReason && byReason.allChildren().length > 0, 'exit counts by reason');
        const recent = exitRoots.find((n) => n.id === 'exits/recent')?.allChildren() ?? [];
        assert.ok(recent.length > 0, 'recent exits');
        const memory = await api.views.memory.roots();
        assert.ok(memory.some((n) => n.id === 'memory/memslots' && n.allChildren().length > 0), 'memslots');
        assert.ok(memory.some((n) => n.id === 'memory/ept'), 'EPT');

        // Change marks, the same in every view: the changed value itself is highlighted.
        const changed = {
          routing: marks(await api.views.routing.roots()), ioapic: marks(await api.views.ioapic.roots()),
          lapics: marks(await api.views.lapics.roots()), exits: marks(exitRoots), memory: marks(memory),
        };
        for (const [view, m] of Object.entries(changed)) {
          console.log(`      ${view}: ${m.size} marked, e.g. ${[...m].slice(0, 3).map(([id, h]) => `${id} [${h.join(', ')}]`).join('; ')}`);
          assert.ok(m.size > 0, `the ${view} view marks what changed since the entry stop`);
          for (const [id, h] of m) assert.ok(h.length > 0 && h.every((t) => t.trim().length > 0), `${view} ${id}: a mark highlights some text`);
        }
        // IRR {} → {0x31}: the same value marked the same way wherever it is shown.
        const irrRows = [...changed.routing, ...changed.lapics].filter(([id]) => /^(routing\/nic:|lapic\/)/.test(id) && id.endsWith('/irr'));
        assert.deepStrictEqual(irrRows.map(([id]) => id.split('/')[0]).sort(), ['lapic', 'routing'], `IRR marked in both views: ${JSON.stringify(irrRows)}`);
        for (const [, h] of irrRows) assert.deepStrictEqual(h, ['{0x31}']);
        assert.ok(changed.lapics.get('lapic/0')?.includes('{0x31}'), 'the LAPIC headline highlights IRR {0x31}');
        assert.ok(!changed.ioapic.has('ioapic/pin/19/destination'), 'an unchanged field is not marked');
        // A counter marks its count: "EPT_MISCONFIG 12 (+3)" highlights "12 (+3)".
        assert.ok([...changed.exits].some(([id, h]) => id.startsWith('exits/byReason/') && /^\d+ {2}\(\+\d+\)$/.test(h[0])), 'an exit count marks its increase');
        // A folded parent with a changed child carries the "inside" mark when it is not changed itself.
        const inner = allNodes(await api.views.ioapic.roots()).find((n) => n.getTreeItem().resourceUri?.query === 'inner');
        const fullyMarked = allNodes(await api.views.ioapic.roots()).filter((n) => n.changed && n.getTreeItem().resourceUri?.query === '');
        assert.deepStrictEqual(fullyMarked.map((n) => n.id), [], 'every changed node carries a mark');
        if (inner) assert.ok(inner.allChildren().some((c) => c.changed));

        // Clicking an exit reveals its guest instruction: the source line in nic-irq.s.
        const click = recent[0].getTreeItem().command;
        assert.ok(click);
        const revealed = await vscode.commands.executeCommand<{ kind: string; uri: string; line: number }>(click.command, ...(click.arguments ?? []));
        console.log(`      VM exit ${textOf(recent[0])} revealed at ${revealed.uri.split('/').pop()}:${revealed.line} (${revealed.kind})`);
        assert.ok(revealed.line > 0);

        // Inject: drive GSI 5 (masked: delivered nowhere) through the command, as the quick pick would.
        const injected = await vscode.commands.executeCommand<{ message: string }>('hyperstep.injectIrq', { gsi: 5, level: true });
        console.log(`      inject: ${injected.message}`);
        await eventually('GSI 5 line asserted in the IOAPIC view', async () => {
          const n = await findNode(await api.views.ioapic.roots(), 'ioapic/pin/5');
          return n?.allChildren().some((c) => c.id === 'ioapic/pin/5/line' && textOf(c) === 'Line asserted') ? n : undefined;
        });
        const sent = await vscode.commands.executeCommand<{ message: string }>('hyperstep.sendNicPacket', 'world');
        console.log(`      NIC packet: ${sent.message}`);
      } finally {
        if (session) await endSession(session);
        stops.dispose();
      }
    });

    test('F5 without a launch.json debugs the active file with its header\'s events', async () => {
      const stops = new Stops();
      let session: vscode.DebugSession | undefined;
      try {
        const doc = await vscode.workspace.openTextDocument(workspaceFile('examples/nic-irq.s'));
        await vscode.window.showTextDocument(doc);
        // F5 with no launch.json: VS Code picks the debugger from the editor's language and asks the
        // extension's configuration provider to fill in the rest.
        await vscode.commands.executeCommand('workbench.action.debug.start');
        await stops.next('the stop on entry');
        session = vscode.debug.activeDebugSession;
        assert.ok(session);
        assert.strictEqual(session.configuration.program, doc.uri.fsPath);
        assert.deepStrictEqual(session.configuration.events, [{ atCycle: 20000, nic: 'rx', data: 'hello' }]);
      } finally {
        if (session) await endSession(session);
        stops.dispose();
      }
    });

    test('the walkthrough\'s Start Debugging link opens nic-irq.s and debugs it', async () => {
      const steps = (extension.packageJSON.contributes.walkthroughs[0].steps as { id: string; description: string }[]);
      const link = /\(command:(hyperstep\.openExample)\?([^)]+)\)/.exec(steps.find((st) => st.id === 'debug')?.description ?? '');
      assert.ok(link, 'the debug step links to hyperstep.openExample');
      const args = JSON.parse(decodeURIComponent(link[2])) as unknown[];
      const stops = new Stops();
      let session: vscode.DebugSession | undefined;
      try {
        await vscode.commands.executeCommand(link[1], ...args);
        assert.match(vscode.window.activeTextEditor?.document.uri.path ?? '', /\/examples\/nic-irq\.s$/);
        await stops.next('the stop on entry');
        session = vscode.debug.activeDebugSession;
        assert.ok(session);
        assert.deepStrictEqual(session.configuration.events, [{ atCycle: 20000, nic: 'rx', data: 'hello' }]);
      } finally {
        if (session) await endSession(session);
        stops.dispose();
      }
    });

    test('runs the adapter as a separate process when hyperstep.debugAdapter.runMode is "process"', async () => {
      const config = vscode.workspace.getConfiguration('hyperstep');
      await config.update('debugAdapter.runMode', 'process', vscode.ConfigurationTarget.Global);
      const stops = new Stops();
      let session: vscode.DebugSession | undefined;
      try {
        assert.ok(await vscode.debug.startDebugging(undefined, {
          type: 'hyperstep', request: 'launch', name: 'hello (process adapter)', program: workspaceFile('examples/hello.s'), stopOnEntry: true,
        }));
        await stops.next('the stop on entry');
        session = vscode.debug.activeDebugSession;
        assert.ok(session);
        const state = await session.customRequest(stateRequest.command, { parts: ['vcpus'] }) as StateSnapshot;
        assert.strictEqual((state.vcpus?.[0].pc ?? 0) >>> 0, 0x8000_0000);
        const lapics = await api.views.lapics.roots();
        assert.match(textOf(lapics[0]), /^LAPIC 0/);
      } finally {
        if (session) await endSession(session);
        stops.dispose();
        await config.update('debugAdapter.runMode', undefined, vscode.ConfigurationTarget.Global);
      }
    });

    test('switches the views between compact and full detail', async () => {
      const config = () => vscode.workspace.getConfiguration('hyperstep').get<string>('views.detail');
      const before = config();
      const next = await vscode.commands.executeCommand<string>('hyperstep.switchViewDetail');
      assert.notStrictEqual(next, before);
      assert.strictEqual(config(), next);
      await vscode.commands.executeCommand('hyperstep.switchViewDetail', before);
      assert.strictEqual(config(), before);
    });

    test('opens a bundled example', async () => {
      const uri = await vscode.commands.executeCommand<vscode.Uri>('hyperstep.openExample', 'hello');
      assert.ok(uri && uri.path.endsWith('/examples/hello.s'));
      assert.strictEqual(vscode.window.activeTextEditor?.document.uri.toString(), uri.toString());
    });
  });
}
