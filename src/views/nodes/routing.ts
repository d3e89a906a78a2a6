// The Interrupt Routing view: for each interrupt source, the hops its interrupt takes —
// PCI device → pin → PIRQ (the INTx swizzle) → GSI → IOAPIC redirection entry → destination LAPICs
// → their IRR/ISR — and what blocks it now.
import * as vscode from 'vscode';
import type { LapicSnapshot, RouteSnapshot, StateSnapshot } from '../../protocol';
import { hex, hex8, vec, vectorSet } from '../format';
import { FieldNode, GroupNode, NoteNode, type RenderContext, ViewNode } from '../node';
import { entryText } from './ioapic';

export function routingRoots(s: StateSnapshot, ctx: RenderContext): ViewNode[] {
  if (!s.routing || s.routing.length === 0) return [new NoteNode('routing/none', ctx, 'No interrupt sources are wired')];
  const seen = new Map<string, number>();
  return s.routing.map((r) => {
    const key = [r.device, r.bdf ?? '', r.pin ?? '', r.gsi].join(':');
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    return new RouteNode(r, s.lapics ?? [], `routing/${key}${n ? `#${n}` : ''}`, ctx);
  });
}

export class RouteNode extends ViewNode {
  constructor(readonly route: RouteSnapshot, private readonly lapics: readonly LapicSnapshot[], id: string, ctx: RenderContext) {
    super(id, ctx);
  }
  label(): string {
    const r = this.route;
    return [r.device, r.bdf, r.pin].filter(Boolean).join(' ');
  }
  /** The chain in one line: "PIRQ 3 → GSI 19 → 0x31 → LAPIC 0 · asserted". */
  override description(): string {
    const r = this.route;
    const hops: string[] = [];
    if (r.msi?.enabled) hops.push(`MSI ${vec(r.msi.vector)} → APIC ${r.msi.destination}`);
    else {
      if (r.pirq !== undefined) hops.push(`PIRQ ${r.pirq}`);
      hops.push(`GSI ${r.gsi}`);
      if (r.entry) hops.push(vec(r.entry.vector));
      hops.push(r.destinations.length ? r.destinations.map((d) => `LAPIC ${this.apicId(d)}`).join(', ') : 'no LAPIC');
    }
    const state = r.blockedBy ? `blocked: ${r.blockedBy}` : r.asserted ? 'asserted' : 'idle';
    return `${hops.join(' → ')} · ${state}`;
  }
  override icon(): vscode.ThemeIcon {
    const red = new vscode.ThemeColor('debugIcon.breakpointForeground');
    // Delivered and not yet EOIed (its vector in a destination's IRR or ISR) counts as in flight,
    // even though remote IRR now blocks the line; asserted and stopped on the way is blocked.
    if (this.inFlight() || (this.route.asserted && !this.route.blockedBy)) return new vscode.ThemeIcon('zap', red);
    if (this.route.asserted) return new vscode.ThemeIcon('circle-slash', red);
    return new vscode.ThemeIcon(this.route.bdf ? 'plug' : 'symbol-event');
  }
  private vector(): number | undefined {
    return this.route.msi?.enabled ? this.route.msi.vector : this.route.entry?.vector;
  }
  private inFlight(): boolean {
    const v = this.vector();
    if (v === undefined) return false;
    return this.route.destinations.some((d) => {
      const l = this.lapics.find((x) => x.vcpu === d);
      return l !== undefined && (l.irr.includes(v) || l.isr.includes(v));
    });
  }
  override expanded(): boolean {
    return this.route.bdf !== undefined || this.route.asserted;
  }
  private apicId(vcpu: number): number {
    return this.lapics.find((l) => l.vcpu === vcpu)?.id ?? vcpu;
  }

  protected override buildChildren(): ViewNode[] {
    const r = this.route, id = this.id, c = this.ctx;
    const out: ViewNode[] = [];
    const where = r.bdf ? `PCI ${r.bdf}${r.slot !== undefined ? `, slot ${r.slot}` : ''}` : 'platform device';
    out.push(new FieldNode(`${id}/device`, c, 'Device', `${r.device} (${where}) · ${r.asserted ? 'asserting its line' : 'line idle'}`));
    if (r.pin) out.push(new FieldNode(`${id}/pin`, c, 'Pin', r.pin));
    if (r.pirq !== undefined) {
      out.push(new FieldNode(`${id}/pirq`, c, 'PIRQ', String(r.pirq), 'The host bridge swizzle: PIRQ = (slot + pin − 1) mod 4 (PCI-to-PCI Bridge Architecture §9.1)'));
    }
    out.push(new FieldNode(`${id}/gsi`, c, 'GSI', `${r.gsi} · line ${r.lineAsserted ? 'asserted' : 'low'}`));
    out.push(new FieldNode(`${id}/entry`, c, 'Redirection entry', r.entry ? entryText(r.entry) : 'none',
      r.entry ? `IOREDTBL[${r.gsi}] = ${hex8(r.entry.high)}:${hex8(r.entry.low)}` : undefined));
    if (r.msi) {
      const m = r.msi;
      out.push(new FieldNode(`${id}/msi`, c, 'MSI', `${m.enabled ? 'enabled' : 'disabled'} · address ${hex8(m.address)} data ${hex(m.data, 4)} → vector ${vec(m.vector)}, APIC ${m.destination}${m.masked ? ' · masked' : ''}${m.pending ? ' · pending' : ''}`,
        'The function\'s MSI capability: while enabled, its interrupts are messages to the APIC bus and INTx is unused', !m.enabled && !m.pending));
    }
    out.push(new GroupNode(`${id}/destinations`, c, 'Destination LAPICs', (gc) => r.destinations.map((vcpu) => this.destination(vcpu, gc)),
      { description: r.destinations.length ? undefined : 'none', expanded: true }));
    if (r.blockedBy) out.push(new FieldNode(`${id}/blocked`, c, 'Blocked by', r.blockedBy));
    return out;
  }

  /** One destination LAPIC: where the route's vector is (IRR pending, ISR in service) and its sets. */
  private destination(vcpu: number, ctx: RenderContext): ViewNode {
    const lapic = this.lapics.find((l) => l.vcpu === vcpu);
    const vector = this.vector();
    const id = `${this.id}/lapic/${vcpu}`;
    if (!lapic) return new FieldNode(id, ctx, `LAPIC of vCPU ${vcpu}`, '');
    let where = '';
    if (vector !== undefined) {
      if (lapic.isr.includes(vector)) where = `${vec(vector)} in service (ISR)`;
      else if (lapic.irr.includes(vector)) where = `${vec(vector)} pending (IRR)`;
      else where = `${vec(vector)} not pending`;
    }
    return new GroupNode(id, ctx, `LAPIC ${lapic.id} (vCPU ${vcpu})`, (gc) => [
      new FieldNode(`${id}/irr`, gc, 'IRR', vectorSet(lapic.irr)),
      new FieldNode(`${id}/isr`, gc, 'ISR', vectorSet(lapic.isr)),
      new FieldNode(`${id}/ppr`, gc, 'TPR / PPR', `${hex(lapic.tpr, 2)} / ${hex(lapic.ppr, 2)}`),
    ], { description: where, icon: 'chip', expanded: true });
  }
}
