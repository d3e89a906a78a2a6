// The Interrupts view: every interrupt as one chain (docs/interrupt-provenance.md), newest first,
// its line giving id, source, GSI/vector, outcome and latency; its hops as children (cycle, vCPU,
// layer, kind, text). Clicking a hop runs the machine to the hop's cycle (hyperstep/runToCycle),
// forwards or backwards.
import * as vscode from 'vscode';
import type { InterruptChain, InterruptHop, InterruptOutcome, InterruptsResult } from '../../protocol';
import { vec } from '../format';
import { NoteNode, type RenderContext, ViewNode } from '../node';

/** What a click on a hop passes to the run-to-cycle command. */
export interface RunToCycleArgs {
  sessionId: string;
  cycle: number;
  vcpu?: number;
}

export interface InterruptsRenderContext extends RenderContext {
  /** The command a hop runs when clicked (owned by the extension, passed down). */
  readonly runToCycleCommand: string;
}

const OUTCOME_ICON: Record<InterruptOutcome, string> = {
  'handled': 'pass',
  'in-service': 'debug-stackframe-focused',
  'pending': 'clock',
  'blocked': 'circle-slash',
  'coalesced': 'merge',
  'lost': 'warning',
};

const OUTCOME_WORDS: Record<InterruptOutcome, string> = {
  'handled': 'handled (EOI done)',
  'in-service': 'in service (handler running, no EOI yet)',
  'pending': 'pending (waiting in IRR)',
  'blocked': 'blocked on its path',
  'coalesced': 'coalesced with an interrupt already pending',
  'lost': 'lost (edge while masked)',
};

/** The chains newest first, then a note of what the ring dropped. */
export function interruptRoots(result: InterruptsResult, ctx: InterruptsRenderContext): ViewNode[] {
  if (result.chains.length === 0 && !droppedCount(result)) return [new NoteNode('interrupts/none', ctx, 'No interrupt yet')];
  const roots: ViewNode[] = [...result.chains].reverse().map((c) => new ChainNode(c, ctx));
  const dropped = droppedCount(result);
  if (dropped > 0) {
    const by = Object.entries(result.dropped ?? {}).filter(([, n]) => (n ?? 0) > 0).map(([o, n]) => `${n} ${o}`).join(', ');
    roots.push(new NoteNode('interrupts/dropped', ctx, `${dropped} older ${dropped === 1 ? 'chain' : 'chains'} summarised: ${by}`));
  }
  return roots;
}

function droppedCount(result: InterruptsResult): number {
  return Object.values(result.dropped ?? {}).reduce<number>((a, n) => a + (n ?? 0), 0);
}

class ChainNode extends ViewNode {
  constructor(readonly chain: InterruptChain, protected override readonly ctx: InterruptsRenderContext) {
    super(`interrupts/chain/${chain.id}`, ctx);
  }
  label(): string {
    // The source's device only ("nic"); its function and pin are in the tooltip.
    return `#${this.chain.id} ${this.chain.source.split(' ')[0]}`;
  }
  override description(): string {
    const c = this.chain;
    // Short for the side bar (300 px): the outcome and the latency; GSI and vector in the tooltip.
    const parts = [c.outcome, c.latencyCycles !== undefined ? `${c.latencyCycles} cycles` : undefined];
    return parts.filter(Boolean).join(' · ');
  }
  override tooltip(): vscode.MarkdownString {
    const c = this.chain;
    const first = c.hops[0], last = c.hops[c.hops.length - 1];
    const rows: [string, string | undefined][] = [
      ['chain', `#${c.id}`], ['source', c.source], ['GSI', c.gsi?.toString()], ['vector', c.vector === undefined ? undefined : vec(c.vector)],
      ['outcome', OUTCOME_WORDS[c.outcome]], ['latency', c.latencyCycles === undefined ? undefined : `${c.latencyCycles} cycles (line → handler's first instruction)`],
      ['hops', first ? `${c.hops.length}, cycles ${first.cycle}–${last.cycle}` : '0'],
    ];
    const md = new vscode.MarkdownString('| | |\n|---|---|\n' + rows.filter((r) => r[1] !== undefined).map(([k, v]) => `| ${k} | ${v} |`).join('\n'));
    md.appendMarkdown('\n\nExpand for the hops; click a hop to run to its cycle.');
    return md;
  }
  override icon(): vscode.ThemeIcon {
    return new vscode.ThemeIcon(OUTCOME_ICON[this.chain.outcome] ?? 'circle-outline');
  }
  override contextValue(): string {
    return 'hyperstep.interruptChain';
  }
  protected override buildChildren(): ViewNode[] {
    return this.chain.hops.map((h, i) => new HopNode(h, `${this.id}/hop/${i}`, this.ctx));
  }
}

class HopNode extends ViewNode {
  constructor(readonly hop: InterruptHop, id: string, protected override readonly ctx: InterruptsRenderContext) {
    super(id, ctx);
  }
  label(): string {
    // The two hops of a packet are both 'nic': the action tells them apart ('nic rx-queued', 'nic rx').
    return this.hop.action ? `${this.hop.kind} ${this.hop.action}` : this.hop.kind;
  }
  override description(): string {
    const h = this.hop;
    // The cycle and the layer; what happened is the tooltip's (a row fits the default side bar).
    return `${h.cycle} · ${h.layer}`;
  }
  override tooltip(): string {
    return `${this.label()} at cycle ${this.hop.cycle}${this.hop.vcpu >= 0 ? ` on vCPU ${this.hop.vcpu}` : ''}, in the ${this.hop.layer} layer: ${this.hop.text}\nClick to run to cycle ${this.hop.cycle}.`;
  }
  override icon(): vscode.ThemeIcon {
    return new vscode.ThemeIcon(LAYER_ICON[this.hop.layer] ?? 'circle-small');
  }
  override command(): vscode.Command {
    const args: RunToCycleArgs = { sessionId: this.ctx.sessionId, cycle: this.hop.cycle, ...(this.hop.vcpu >= 0 ? { vcpu: this.hop.vcpu } : {}) };
    return { command: this.ctx.runToCycleCommand, title: `Run to cycle ${this.hop.cycle}`, arguments: [args] };
  }
}

const LAYER_ICON: Record<string, string> = {
  device: 'plug',
  vmm: 'server-process',
  kernel: 'server-environment',
  guest: 'vm',
};
