// The Local APICs view: one node per vCPU's LAPIC (SDM Vol. 3A ch. 11): identity, priorities, the
// IRR/ISR/TMR vector sets, ICR, the local vector table and the timer.
import * as vscode from 'vscode';
import type { LapicSnapshot, StateSnapshot, VcpuSnapshot } from '../../protocol';
import { hex, hex8, LVT_NAMES, lvtText, vec, vectorSet } from '../format';
import { SEGMENT_SEPARATOR } from '../changes';
import { FieldNode, GroupNode, NoteNode, type RenderContext, ViewNode } from '../node';
import { hartNodes } from './routing';

export function lapicRoots(s: StateSnapshot, ctx: RenderContext): ViewNode[] {
  if (!s.lapics || s.lapics.length === 0) return [new NoteNode('lapic/none', ctx, 'This machine has no local APICs')];
  return s.lapics.map((l) => new LapicNode(l, s.vcpus?.find((v) => v.id === l.vcpu), ctx));
}

/** The LVT registers' full names, for the tooltips. */
const LVT_LONG = ['timer', 'thermal sensor', 'performance monitoring counters', 'LINT0', 'LINT1', 'error'];

class LapicNode extends ViewNode {
  constructor(readonly lapic: LapicSnapshot, private readonly vcpu: VcpuSnapshot | undefined, ctx: RenderContext) {
    super(`lapic/${lapic.vcpu}`, ctx);
  }
  label(): string {
    return `LAPIC ${this.lapic.id}`;
  }
  override description(): string {
    const l = this.lapic;
    // TPR and PPR are the children's and the tooltip's (a row fits the default side bar).
    const parts = [`IRR ${vectorSet(l.irr)}`, `ISR ${vectorSet(l.isr)}`];
    if (!l.softwareEnabled) parts.push('disabled');
    return parts.join(SEGMENT_SEPARATOR);
  }
  override tooltip(): string {
    const l = this.lapic;
    return `LAPIC ${l.id} of vCPU ${l.vcpu}: IRR ${vectorSet(l.irr)}, ISR ${vectorSet(l.isr)}, TPR ${hex(l.tpr, 2)}, PPR ${hex(l.ppr, 2)}`;
  }
  override icon(): vscode.ThemeIcon {
    return new vscode.ThemeIcon('chip');
  }
  override expanded(): boolean {
    return this.ctx.detail === 'full' || this.lapic.vcpu === 0;
  }
  protected override buildChildren(): ViewNode[] {
    const l = this.lapic, id = this.id, c = this.ctx;
    const nodes: ViewNode[] = [];
    if (this.vcpu) {
      const v = this.vcpu;
      nodes.push(
        new FieldNode(`${id}/vcpu`, c, `vCPU ${v.id}`, v.halted ? 'halted (wfi)' : 'running', `vCPU ${v.id}: pc ${hex8(v.pc)}, ${v.instret} instructions retired`),
        new FieldNode(`${id}/pc`, c, 'pc', hex8(v.pc)),
        new FieldNode(`${id}/instret`, c, 'instret', String(v.instret), 'Instructions retired'),
      );
      nodes.push(...hartNodes(`${id}/hart`, c, v));
    }
    nodes.push(
      new FieldNode(`${id}/placement`, c, 'Model', l.placement === 'kernel' ? 'KVM (kernel)' : 'QEMU (VMM)',
        l.placement === 'kernel' ? 'Emulated in the hypervisor (KVM\'s in-kernel LAPIC)' : 'Emulated in the VMM (QEMU\'s LAPIC)'),
      new FieldNode(`${id}/svr`, c, 'SVR', `${hex8(l.svr)}${SEGMENT_SEPARATOR}${l.softwareEnabled ? 'enabled' : 'disabled'}`,
        `Spurious-interrupt vector register: APIC software ${l.softwareEnabled ? 'enabled' : 'disabled'} (bit 8), spurious vector ${vec(l.svr)}`),
      new FieldNode(`${id}/tpr`, c, 'TPR', hex(l.tpr, 2)),
      new FieldNode(`${id}/ppr`, c, 'PPR', hex(l.ppr, 2)),
      new FieldNode(`${id}/irr`, c, 'IRR', vectorSet(l.irr), 'Interrupt Request Register: accepted, not yet taken'),
      new FieldNode(`${id}/isr`, c, 'ISR', vectorSet(l.isr), 'In-Service Register: taken, awaiting EOI'),
      new FieldNode(`${id}/tmr`, c, 'TMR', vectorSet(l.tmr), 'Trigger Mode Register: level-triggered vectors (their EOI is broadcast to the IOAPIC)'),
      new FieldNode(`${id}/next`, c, 'Next vector', l.highestDeliverable < 0 ? 'none'
        : `${vec(l.highestDeliverable)}${this.vcpu?.interrupts?.closedBy ? `${SEGMENT_SEPARATOR}CPU off` : ''}`,
      `The highest IRR vector above PPR: what the LAPIC offers the hart (mip.MEIP); the hart takes it when its interrupts are on${this.vcpu?.interrupts?.closedBy ? ` (now: ${this.vcpu.interrupts.closedBy})` : ''}`),
      new FieldNode(`${id}/ldr`, c, 'LDR', hex8(l.ldr), 'Logical destination register', l.ldr === 0),
      new FieldNode(`${id}/dfr`, c, 'DFR', hex8(l.dfr), 'Destination format register', l.ldr === 0),
      new FieldNode(`${id}/icr`, c, 'ICR', `${hex8(l.icrHigh)}:${hex8(l.icrLow)}`, undefined, l.icrLow === 0 && l.icrHigh === 0),
      new GroupNode(`${id}/lvt`, c, 'Local vector table', (gc) => l.lvt.map((raw, i) =>
        new FieldNode(`${id}/lvt/${i}`, gc, LVT_NAMES[i] ?? `LVT ${i}`, lvtText(i, raw), `LVT ${LVT_LONG[i] ?? i} entry: ${hex8(raw)} (register ${hex(0x320 + 0x10 * i, 3)})`, ((raw >>> 16) & 1) === 1))),
      new GroupNode(`${id}/timer`, c, 'Timer', (gc) => {
        const t = l.timer;
        const out = [
          new FieldNode(`${id}/timer/initial`, gc, 'Initial count', String(t.initialCount)),
          new FieldNode(`${id}/timer/current`, gc, 'Current count', String(t.currentCount)),
          new FieldNode(`${id}/timer/divide`, gc, 'Divide configuration', hex(t.divideConfig)),
          new FieldNode(`${id}/timer/mode`, gc, 'Mode', t.periodic ? 'periodic' : 'one-shot'),
        ];
        if (t.nextDeadline !== undefined) out.push(new FieldNode(`${id}/timer/deadline`, gc, 'Next expiry', `cycle ${t.nextDeadline}`));
        return out;
      }, { description: l.timer.initialCount === 0 ? 'stopped' : `${l.timer.currentCount} / ${l.timer.initialCount}`, idle: l.timer.initialCount === 0 }),
    );
    return nodes;
  }
}
