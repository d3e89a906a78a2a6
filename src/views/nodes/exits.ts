// The VM Exits view: counts by reason as kvm_stat shows them (with the increase since the previous
// stop), the exits that reached the VMM, MMIO by device, interrupt statistics, and the recent exit
// log — clicking an exit reveals the guest instruction that caused it.
import * as vscode from 'vscode';
import type { ExitSnapshot, StateSnapshot } from '../../protocol';
import { hex, hex8 } from '../format';
import { FieldNode, GroupNode, NoteNode, type RenderContext, ViewNode } from '../node';

/** What a click on an exit passes to the reveal command. */
export interface RevealExitArgs {
  sessionId: string;
  exit: ExitSnapshot;
}

export function exitRoots(s: StateSnapshot, ctx: RenderContext): ViewNode[] {
  const e = s.exits;
  if (!e) return [new NoteNode('exits/none', ctx, 'No exit statistics yet')];
  const total = Object.values(e.byReason).reduce((a, b) => a + b, 0);
  const toVmm = Object.values(e.vmm).reduce((a, b) => a + b, 0);
  const roots: ViewNode[] = [
    new GroupNode('exits/byReason', ctx, 'Exits', (c) => counts('exits/byReason', e.byReason, c),
      { description: `${total} · cycle ${s.cycles}`, icon: 'graph', expanded: true, tooltip: `${total} VM exits by reason (as kvm_stat counts them), at cycle ${s.cycles}` }),
    new GroupNode('exits/vmm', ctx, 'Exits to the VMM', (c) => counts('exits/vmm', e.vmm, c),
      { description: String(toVmm), icon: 'arrow-up', tooltip: 'KVM_RUN returned to userspace (KVM_EXIT_*)' }),
    new GroupNode('exits/kvm', ctx, 'Hypervisor statistics', (c) => counts('exits/kvm', e.kvm, c),
      { icon: 'dashboard', tooltip: "KVM's per-VM and per-vCPU counters (debugfs /sys/kernel/debug/kvm)" }),
    new GroupNode('exits/mmio', ctx, 'MMIO by device', (c) => e.mmio.map((m) =>
      new FieldNode(`exits/mmio/${m.device}/${m.handledIn}`, c, m.device, `${m.reads} rd · ${m.writes} wr · ${m.handledIn === 'kernel' ? 'KVM' : 'VMM'}`,
        `${m.device}: ${m.reads} reads and ${m.writes} writes, handled in ${m.handledIn === 'kernel' ? 'the hypervisor (KVM)' : 'the VMM (QEMU)'}`, m.reads + m.writes === 0)), { icon: 'symbol-variable' }),
  ];
  if (s.interrupts) {
    const i = s.interrupts;
    roots.push(new GroupNode('exits/interrupts', ctx, 'Interrupts', (c) => [
      new FieldNode('exits/interrupts/asserted', c, 'Lines asserted', String(i.asserted)),
      new FieldNode('exits/interrupts/delivered', c, 'Delivered', String(i.delivered), 'Vectors delivered to a LAPIC'),
      new FieldNode('exits/interrupts/taken', c, 'Taken', String(i.taken), 'Interrupts the guest took (entered its handler)'),
      new FieldNode('exits/interrupts/latency', c, 'Latency', `mean ${Math.round(i.latencyCycles.mean)} · max ${i.latencyCycles.max}`,
        `Cycles from the line's assertion to the handler's first instruction: mean ${i.latencyCycles.mean.toFixed(1)}, max ${i.latencyCycles.max}`),
    ], { icon: 'zap', description: `${i.taken} taken` }));
  }
  const recent = e.recent.slice(-ctx.recentExits).reverse();
  roots.push(new GroupNode('exits/recent', ctx, 'Recent exits', (c) => {
    const seen = new Map<string, number>();
    return recent.map((x) => {
      const key = `${x.cycle}/${x.vcpu ?? 0}/${x.reason}`;
      const n = seen.get(key) ?? 0;
      seen.set(key, n + 1);
      return new ExitNode(x, `exits/recent/${key}${n ? `#${n}` : ''}`, c);
    });
  }, { description: `${recent.length}, newest first`, icon: 'history', expanded: true }));
  return roots;
}

/** kvm_stat's table: counters in decreasing order; the value compared is the count itself. */
function counts(prefix: string, table: Record<string, number>, ctx: RenderContext): ViewNode[] {
  return Object.entries(table).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([name, n]) => new CountNode(`${prefix}/${name}`, name, n, ctx));
}

class CountNode extends ViewNode {
  constructor(id: string, private readonly name: string, readonly count: number, ctx: RenderContext) {
    super(id, ctx);
  }
  label(): string {
    return this.name;
  }
  override value(): string {
    return String(this.count);
  }
  override description(): string {
    const before = this.ctx.baseline?.get(this.id);
    const delta = before === undefined ? 0 : this.count - Number(before);
    return delta > 0 ? `${this.count}  (+${delta})` : String(this.count);
  }
  override idle(): boolean {
    return this.count === 0;
  }
}

class ExitNode extends ViewNode {
  constructor(readonly exit: ExitSnapshot, id: string, ctx: RenderContext) {
    super(id, ctx);
  }
  label(): string {
    return this.exit.reason;
  }
  /**
   * What the exit touched, short enough for a 300 px side bar: "uart THR", a PCI configuration
   * register by its name ("BAR0", "INTERRUPT_PIN"; the function is the tooltip's), "GPA 0x80010000".
   * Where it was handled is the icon (into the hypervisor, or out to the VMM); the access, value,
   * cycle, pc and PCI function are the tooltip's.
   */
  override description(): string {
    const x = this.exit;
    const what = x.device
      ? x.device === 'pci-ecam' ? (x.register ?? 'ECAM').split(' ').pop() : [x.device, x.register].filter(Boolean).join(' ')
      : x.gpa !== undefined ? `GPA ${hex8(x.gpa)}` : `pc ${hex8(x.pc)}`;
    return [...(x.vcpu !== undefined && x.vcpu > 0 ? [`vCPU ${x.vcpu}`] : []), what].join(' · ');
  }
  override tooltip(): vscode.MarkdownString {
    const x = this.exit;
    const rows: [string, string | undefined][] = [
      ['reason', x.reason], ['vCPU', x.vcpu?.toString()], ['cycle', String(x.cycle)], ['guest pc', hex8(x.pc)],
      ['GVA', x.gva === undefined ? undefined : hex8(x.gva)], ['GPA', x.gpa === undefined ? undefined : hex8(x.gpa)],
      ['access', x.access], ['size', x.size?.toString()], ['value', x.value === undefined ? undefined : hex(x.value)],
      ['device', [x.device, x.register].filter(Boolean).join(' ') || undefined],
      ['qualification', x.qualification === undefined ? undefined : hex(x.qualification)],
      ['handled', x.handledIn === 'kernel' ? 'in the hypervisor' : `in the VMM${x.vmmExit ? ` (${x.vmmExit})` : ''}`],
    ];
    const md = new vscode.MarkdownString('| | |\n|---|---|\n' + rows.filter((r) => r[1] !== undefined).map(([k, v]) => `| ${k} | \`${v}\` |`).join('\n'));
    md.appendMarkdown(`\n\n${x.handledIn === 'kernel' ? 'Handled in the hypervisor' : 'Handled in the VMM'}. Click to show the guest instruction.`);
    return md;
  }
  override icon(): vscode.ThemeIcon {
    return new vscode.ThemeIcon(this.exit.handledIn === 'kernel' ? 'debug-step-into' : 'debug-step-out');
  }
  override command(): vscode.Command {
    const args: RevealExitArgs = { sessionId: this.ctx.sessionId, exit: this.exit };
    return { command: this.ctx.revealExitCommand, title: 'Show the guest instruction', arguments: [args] };
  }
}
