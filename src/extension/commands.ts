// Every command in one table (docs/style.md habit 4, after rust-analyzer's commands.ts); the id prefix
// is written once, here. package.json `contributes.commands` lists the same names.
import * as vscode from 'vscode';
import { injectRequest, type InjectArguments, type InjectResult } from '../protocol';
import { type Detail, type EnteredAddress, PinNode, type RevealExitArgs, type RunToCycleArgs } from '../views';
import type { Ctx, SessionScope } from './ctx';
import { openExample } from './examples';
import { runToCycle } from './provenance';
import { DisassemblyDocuments, DISASSEMBLY_SCHEME, revealExit } from './reveal';
import { type ReverseToWriteArgs, reverseToWrite, showStoppedAccess, translateAddress } from './translation';

const PREFIX = 'hyperstep.';

/** The arguments a caller (a keybinding, a test, the IOAPIC view's item menu) may pass to injectIrq. */
type InjectIrqArgs = { gsi?: number; level?: boolean | 0 | 1 } | PinNode;

const COMMANDS = {
  injectIrq: (ctx: Ctx) => async (args?: InjectIrqArgs): Promise<InjectResult | undefined> => {
    const s = requireSession(ctx);
    if (!s) return undefined;
    const given = args instanceof PinNode ? { gsi: args.pin.gsi } : args ?? {};
    const gsi = given.gsi ?? await pickGsi(ctx);
    if (gsi === undefined) return undefined;
    const level = given.level ?? await pickLevel(gsi);
    if (level === undefined) return undefined;
    return inject(ctx, s, { kind: 'irq', gsi, level });
  },

  sendNicPacket: (ctx: Ctx) => async (data?: string): Promise<InjectResult | undefined> => {
    const s = requireSession(ctx);
    if (!s) return undefined;
    const text = data ?? await vscode.window.showInputBox({
      title: 'Hyperstep: send a packet to the NIC',
      prompt: 'The payload: text, or hex bytes after "0x" (0x48656c6c6f)',
      value: 'hello',
      validateInput: (v) => (v.length === 0 ? 'A packet needs at least one byte'
        : /^0x/i.test(v) && !/^0x([0-9a-f]{2})+$/i.test(v.replace(/\s+/g, '')) ? 'Hex bytes: an even number of hex digits after 0x' : undefined),
    });
    if (text === undefined) return undefined;
    const hex = /^0x/i.test(text);
    return inject(ctx, s, hex ? { kind: 'nic', data: text.replace(/^0x/i, '').replace(/\s+/g, ''), encoding: 'hex' } : { kind: 'nic', data: text });
  },

  switchViewDetail: (ctx: Ctx) => async (detail?: Detail): Promise<Detail> => {
    const next = detail ?? (ctx.config.viewDetail === 'compact' ? 'full' : 'compact');
    await ctx.config.setViewDetail(next);
    return next;
  },

  openExample: (ctx: Ctx) => (name?: string, options?: { debug?: boolean }) => openExample(ctx, name, options),

  revealExit: (ctx: Ctx) => {
    const docs = new DisassemblyDocuments();
    ctx.push(vscode.workspace.registerTextDocumentContentProvider(DISASSEMBLY_SCHEME, docs));
    return (args: RevealExitArgs) => revealExit(ctx, docs, args);
  },

  refreshViews: (ctx: Ctx) => () => ctx.feed.invalidate('change'),

  showInterruptTimeline: (ctx: Ctx) => () => ctx.provenance.timeline.show(),

  runToCycle: (ctx: Ctx) => (args: RunToCycleArgs) => runToCycle(ctx, args),

  translateAddress: (ctx: Ctx) => (address?: string | EnteredAddress) => translateAddress(ctx, address),

  showStoppedAccess: (ctx: Ctx) => () => showStoppedAccess(ctx),

  reverseToWrite: (ctx: Ctx) => (args: ReverseToWriteArgs) => reverseToWrite(ctx, args),
};

export type CommandName = keyof typeof COMMANDS;

export function commandId(name: CommandName): string {
  return PREFIX + name;
}

export function registerCommands(ctx: Ctx): void {
  for (const [name, create] of Object.entries(COMMANDS) as [CommandName, (ctx: Ctx) => (...args: never[]) => unknown][]) {
    ctx.push(vscode.commands.registerCommand(commandId(name), create(ctx) as (...args: unknown[]) => unknown));
  }
}

function requireSession(ctx: Ctx): SessionScope | undefined {
  const s = ctx.activeSession;
  if (!s) void vscode.window.showErrorMessage('Hyperstep: start a Hyperstep debug session first.');
  return s;
}

async function inject(ctx: Ctx, s: SessionScope, args: InjectArguments): Promise<InjectResult> {
  const result = await s.request(injectRequest, args);
  void vscode.window.setStatusBarMessage(`Hyperstep: ${result.message}`, 5000);
  if (ctx.feed.sessionId === s.id) ctx.feed.invalidate('change');
  return result;
}

/** GSI 0–23, each described by what the IOAPIC view knows of it. */
async function pickGsi(ctx: Ctx): Promise<number | undefined> {
  const pins = await ctx.views.ioapic.roots().then((nodes) => nodes.filter((n): n is PinNode => n instanceof PinNode)).catch(() => []);
  const items = Array.from({ length: 24 }, (_, gsi) => {
    const pin = pins.find((p) => p.pin.gsi === gsi);
    return { label: `GSI ${gsi}`, description: pin?.description(), gsi };
  });
  const pick = await vscode.window.showQuickPick(items, { title: 'Hyperstep: drive an IOAPIC input (KVM_IRQ_LINE)', placeHolder: 'GSI', matchOnDescription: true });
  return pick?.gsi;
}

async function pickLevel(gsi: number): Promise<boolean | undefined> {
  const pick = await vscode.window.showQuickPick([
    { label: 'Assert', description: 'level 1', level: true },
    { label: 'Release', description: 'level 0', level: false },
  ], { title: `Hyperstep: GSI ${gsi} level` });
  return pick?.level;
}
