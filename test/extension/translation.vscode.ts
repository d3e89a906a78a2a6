// The Translation view in the real extension host, on a debug session of examples/paging.s: at a
// stop in the kernel's page-fault handler it explains the access of the stopped instruction; an
// entered address (the command's argument skips the input box) is explained from then on and
// compared stop to stop (the heap's leaf PTE the kernel just wrote is marked); "Reverse to Last
// Write" on that PTE runs back to the store. Nodes are read through the extension's provider.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { HyperstepApi } from '../../src/extension/api';
import { itemText, type ViewNode } from '../../src/views';
import { eventually, Stops } from './extension.vscode';

const textOf = (n: ViewNode): string => itemText(n.getTreeItem());

function lineOf(doc: vscode.TextDocument, text: string): number {
  const i = doc.getText().split('\n').findIndex((l) => l.includes(text));
  assert.ok(i >= 0, `${text} in ${doc.uri.fsPath}`);
  return i;
}

export function defineTranslationViewTests(): void {
  suite('Translation view', () => {
    test('contributes the view, its title buttons and the PTE context menu', () => {
      const pkg = vscode.extensions.getExtension('hyperstep.hyperstep')?.packageJSON;
      const view = (pkg.contributes.views.debug as { id: string }[]).find((v) => v.id === 'hyperstep.translation');
      assert.deepStrictEqual(view, { id: 'hyperstep.translation', name: 'Translation', when: "debugType == 'hyperstep'", visibility: 'collapsed' });
      const item = (pkg.contributes.menus['view/item/context'] as { command: string; when: string }[]).filter((m) => m.command === 'hyperstep.reverseToWrite');
      assert.ok(item.length > 0 && item.every((m) => m.when === 'view == hyperstep.translation && viewItem == hyperstep.translationPte'));
      const title = (pkg.contributes.menus['view/title'] as { command: string; when: string }[]).filter((m) => m.when === 'view == hyperstep.translation').map((m) => m.command);
      assert.deepStrictEqual(title, ['hyperstep.translateAddress', 'hyperstep.showStoppedAccess']);
    });

    test('on paging.s: the stopped access, an entered GVA marked when its PTE changes, and Reverse to Last Write', async () => {
      const api = await vscode.extensions.getExtension<HyperstepApi>('hyperstep.hyperstep')!.activate();
      const stops = new Stops();
      const folder = vscode.workspace.workspaceFolders?.[0];
      assert.ok(folder);
      const uri = vscode.Uri.joinPath(folder.uri, 'examples/paging.s');
      const doc = await vscode.workspace.openTextDocument(uri);
      const loadLine = lineOf(doc, 'csrr    s1, stval') + 2; // lw t1, 0(t0): the fault counter
      const sfenceLine = lineOf(doc, 'sfence.vma t0, t1');
      const bps = [loadLine, sfenceLine].map((l) => new vscode.SourceBreakpoint(new vscode.Location(uri, new vscode.Position(l, 0))));
      vscode.debug.addBreakpoints(bps);
      let session: vscode.DebugSession | undefined;
      /** Waits for the feed to see a stop after `before`, then for the view to show `ok`. */
      const atStop = async (before: number, what: string, ok: (roots: ViewNode[]) => boolean): Promise<ViewNode[]> => {
        await eventually(`the feed to see ${what}`, async () => (api.feed.stopCount > before ? true : undefined));
        return eventually(what, async () => {
          const roots = await api.translation.roots();
          return ok(roots) ? roots : undefined;
        });
      };
      try {
        assert.ok(await vscode.debug.startDebugging(folder, {
          type: 'hyperstep', request: 'launch', name: 'paging (translation test)', program: uri.fsPath, mmu: 'ept', stopOnEntry: false,
        }));
        await stops.next('the stop in the page-fault handler');
        session = vscode.debug.activeDebugSession;
        assert.ok(session);
        const t0 = Number((await session.customRequest('evaluate', { expression: 't0', context: 'watch' })).result.split(' ')[0]);
        const roots = await atStop(0, 'the stopped load in the view', (r) => r.length > 0 && /^GVA /.test(textOf(r[0])));
        const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;
        assert.strictEqual(textOf(roots[0]), `GVA ${hex(t0)} read · vCPU 0`);
        assert.strictEqual(textOf(roots[0].allChildren()[0]), 'Instruction lw t1,0(t0)');
        assert.deepStrictEqual(roots.map((n) => n.label()), ['GVA ' + hex(t0), 'L1 PTE', `GPA ${hex(t0)}`, 'TLB', 'Memory refs', 'VM exits'], 'the kernel\'s superpage: one guest level');
        assert.match(textOf(roots.find((n) => n.label() === 'L1 PTE')!.allChildren().find((c) => c.label() === 'EPT walk')!), /^EPT walk → HPA 0x/);

        // The heap page the task faulted on: not mapped yet (the handler has only just started).
        const entered = await vscode.commands.executeCommand<{ gva: number; access: string }>('hyperstep.translateAddress', '0x00402000 w');
        assert.deepStrictEqual(entered, { gva: 0x402000, access: 'write' });
        const heap = await eventually('the entered address', async () => {
          const r = await api.translation.roots();
          return r.length && textOf(r[0]) === 'GVA 0x00402000 write · vCPU 0 · entered' ? r : undefined;
        });
        assert.strictEqual(textOf(heap.find((n) => n.label() === 'L0 PTE')!), 'L0 PTE 0x00000000 · --------');
        assert.match(textOf(heap.find((n) => n.label() === 'Guest fault')!), /^Guest fault store\/AMO page fault$/);

        // Next stop, at the sfence.vma after the kernel mapped it: the leaf is new and marked.
        const before = api.feed.stopCount;
        await session.customRequest('continue', { threadId: 1 });
        await stops.next('the stop at sfence.vma');
        const mapped = await atStop(before, 'the mapped heap page', (r) => r.some((n) => n.label() === 'L0 PTE' && /VRW-U/.test(textOf(n))));
        const leaf = mapped.find((n) => n.label() === 'L0 PTE')!;
        assert.strictEqual(textOf(leaf), 'L0 PTE 0x20080817 · VRW-U---');
        assert.strictEqual(leaf.getTreeItem().resourceUri?.query, 'changed', 'the PTE the kernel wrote is marked');
        assert.notStrictEqual(mapped.find((n) => n.label() === 'L1 PTE')!.getTreeItem().resourceUri?.query, 'changed', 'the level-1 pointer did not change');
        assert.strictEqual(leaf.getTreeItem().contextValue, 'hyperstep.translationPte');
        const written = leaf.allChildren().find((c) => c.label() === 'written')!;
        const storePc = Number(/pc (0x[0-9a-f]+)/.exec(textOf(written))?.[1]);

        // Reverse to Last Write: back to the kernel's store of the leaf (a data breakpoint stop).
        const result = await vscode.commands.executeCommand<string>('hyperstep.reverseToWrite', leaf);
        assert.match(result ?? '', /running back to the last store to GPA 0x80103008/);
        const back = await stops.next('the reverse-to-write stop');
        assert.strictEqual(back.reason, 'data breakpoint');
        const pcNow = Number((await session.customRequest('evaluate', { expression: 'pc', context: 'watch' })).result.split(' ')[0]);
        assert.strictEqual(pcNow, storePc);

        // Back to the stopped access.
        await vscode.commands.executeCommand('hyperstep.showStoppedAccess');
        await eventually('the stopped access again', async () => {
          const r = await api.translation.roots();
          return r.length && / read · vCPU 0$| write · vCPU 0$/.test(textOf(r[0])) ? r : undefined;
        });
      } finally {
        vscode.debug.removeBreakpoints(bps);
        if (session) await vscode.debug.stopDebugging(session);
        stops.dispose();
      }
    });
  });
}
