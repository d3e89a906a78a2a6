// The Interrupt Routing view: for each interrupt source, the hops its interrupt takes —
// PCI device → pin → PIRQ (the INTx swizzle) → GSI → IOAPIC redirection entry → destination LAPICs
// → their IRR/ISR → the hart's interrupt enables and handler — and where the interrupt is now.
import * as vscode from 'vscode';
import type { LapicSnapshot, RouteSnapshot, StateSnapshot, VcpuSnapshot } from '../../protocol';
import { SEGMENT_SEPARATOR } from '../changes';
import { hex, hex64, hex8, pinNumber, pirqName, vec, vectorSet } from '../format';
import { FieldNode, GroupNode, NoteNode, type RenderContext, ViewNode } from '../node';
import { entryText } from './ioapic';

export function routingRoots(s: StateSnapshot, ctx: RenderContext): ViewNode[] {
  if (!s.routing || s.routing.length === 0) return [new NoteNode('routing/none', ctx, 'No interrupt sources are wired')];
  const seen = new Map<string, number>();
  return s.routing.map((r) => {
    const key = [r.device, r.bdf ?? '', r.pin ?? '', r.gsi].join(':');
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    return new RouteNode(r, s.lapics ?? [], s.vcpus ?? [], `routing/${key}${n ? `#${n}` : ''}`, ctx);
  });
}

export class RouteNode extends ViewNode {
  constructor(readonly route: RouteSnapshot, private readonly lapics: readonly LapicSnapshot[], private readonly vcpus: readonly VcpuSnapshot[], id: string, ctx: RenderContext) {
    super(id, ctx);
  }
  label(): string {
    const r = this.route;
    return r.pin ? `${r.device} ${r.pin}` : r.device;
  }
  /** The chain's ends and where the interrupt is, short enough for the side bar: "GSI 19 → 0x31 · pending (IRR)". */
  override description(): string {
    const r = this.route;
    const v = this.vector();
    // The GSI is the children's (a row fits the default side bar of 300 px).
    const path = r.msi?.enabled ? `MSI → ${v === undefined ? '?' : vec(v)}` : `→ ${v === undefined ? 'no entry' : vec(v)}`;
    return `${path}${SEGMENT_SEPARATOR}${headlineStatus(r)}`;
  }
  override tooltip(): string {
    const r = this.route;
    const hops = r.msi?.enabled ? [`MSI ${vec(r.msi.vector)}`, `APIC ${r.msi.destination}`]
      : [...(r.pirq !== undefined ? [pirqName(r.pirq)] : []), `GSI ${r.gsi}`, r.entry ? vec(r.entry.vector) : 'no entry', ...r.destinations.map((d) => `LAPIC ${this.apicId(d)}`)];
    return [`${[r.device, r.bdf, r.pin].filter(Boolean).join(' ')}: ${hops.join(' → ')}`, statusText(r), r.note, r.waitsFor && `waits: ${r.waitsFor}`].filter(Boolean).join('\n');
  }
  override icon(): vscode.ThemeIcon {
    const red = new vscode.ThemeColor('debugIcon.breakpointForeground');
    const s = this.route.status;
    if (s === 'pending' || s === 'in-service' || s === 'asserted') return new vscode.ThemeIcon('zap', red);
    if (s === 'blocked') return new vscode.ThemeIcon('circle-slash', red);
    return new vscode.ThemeIcon(this.route.bdf ? 'plug' : 'symbol-event');
  }
  private vector(): number | undefined {
    return this.route.msi?.enabled ? this.route.msi.vector : this.route.entry?.vector;
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
    out.push(new FieldNode(`${id}/device`, c, 'Device', `${where}${SEGMENT_SEPARATOR}${r.asserted ? 'asserting' : 'idle'}`));
    if (r.pin) out.push(new FieldNode(`${id}/pin`, c, 'Pin', `${r.pin} (${pinNumber(r.pin)})`));
    if (r.pirq !== undefined) {
      const rule = r.slot !== undefined && r.pin ? ` = (${r.slot} + ${pinNumber(r.pin)}) mod 4` : '';
      out.push(new FieldNode(`${id}/pirq`, c, 'PIRQ', `${pirqName(r.pirq)}${rule}`,
        'The host bridge swizzle: PIRQ = (slot + pin) mod 4, pin INTA = 0 … INTD = 3 (PCI-to-PCI Bridge Architecture §9.1); PIRQ A–D are GSI 16–19 (as Q35 wires them)'));
    }
    const gsiRule = r.pirq !== undefined ? ` = 16 + ${r.pirq}` : '';
    out.push(new FieldNode(`${id}/gsi`, c, 'GSI', `${r.gsi}${gsiRule}${SEGMENT_SEPARATOR}line ${r.lineAsserted ? 'asserted' : 'low'}`));
    if (r.entry) {
      out.push(new FieldNode(`${id}/entry`, c, 'IOREDTBL', entryText(r.entry),
        `Redirection entry ${r.gsi} (82093AA §3.2.4) = ${hex64(r.entry.high, r.entry.low)}; its fields in the IOAPIC view`));
    } else {
      out.push(new FieldNode(`${id}/entry`, c, 'IOREDTBL', 'none'));
    }
    if (r.msi) {
      const m = r.msi;
      out.push(new FieldNode(`${id}/msi`, c, 'MSI', `${m.enabled ? 'enabled' : 'disabled'} · address ${hex8(m.address)} data ${hex(m.data, 4)} → vector ${vec(m.vector)}, APIC ${m.destination}${m.masked ? ' · masked' : ''}${m.pending ? ' · pending' : ''}`,
        'The function\'s MSI capability: while enabled, its interrupts are messages to the APIC bus and INTx is unused', !m.enabled && !m.pending));
    }
    out.push(new GroupNode(`${id}/destinations`, c, 'Destination LAPICs', (gc) => r.destinations.map((vcpu) => this.destination(vcpu, gc)),
      { description: r.destinations.length ? undefined : 'none', expanded: true }));
    if (r.note) out.push(new FieldNode(`${id}/note`, c, 'Now', r.note));
    if (r.blockedBy) out.push(new FieldNode(`${id}/blocked`, c, 'Blocked by', r.blockedBy));
    return out;
  }

  /** One destination LAPIC: where the route's vector is (IRR pending, ISR in service), its sets, and its hart. */
  private destination(vcpu: number, ctx: RenderContext): ViewNode {
    const lapic = this.lapics.find((l) => l.vcpu === vcpu);
    const vector = this.vector();
    const id = `${this.id}/lapic/${vcpu}`;
    if (!lapic) return new FieldNode(id, ctx, `LAPIC of vCPU ${vcpu}`, '');
    let where = '';
    if (vector !== undefined) {
      if (lapic.isr.includes(vector)) where = `${vec(vector)} in service`;
      else if (lapic.irr.includes(vector)) where = `${vec(vector)} pending`;
      else where = `${vec(vector)} not pending`;
    }
    const hart = this.vcpus.find((v) => v.id === vcpu);
    return new GroupNode(id, ctx, `LAPIC ${lapic.id}`, (gc) => [
      new FieldNode(`${id}/irr`, gc, 'IRR', vectorSet(lapic.irr)),
      new FieldNode(`${id}/isr`, gc, 'ISR', vectorSet(lapic.isr)),
      new FieldNode(`${id}/ppr`, gc, 'TPR / PPR', `${hex(lapic.tpr, 2)} / ${hex(lapic.ppr, 2)}`),
      ...(hart ? hartNodes(`${id}/hart`, gc, hart) : []),
    ], { description: where, icon: 'chip', expanded: true });
  }
}

/** The end of the chain: the hart's interrupt window and the handler it enters (shared with the Local APICs view). */
export function hartNodes(id: string, ctx: RenderContext, v: VcpuSnapshot): ViewNode[] {
  const h = v.interrupts;
  if (!h) return [];
  const enables = h.delegated
    ? `sstatus.SIE ${Number(h.mstatusSIE)} · mie.MEIE ${Number(h.mieMEIE)} (delegated to S)`
    : `mstatus.MIE ${Number(h.mstatusMIE)} · mie.MEIE ${Number(h.mieMEIE)}`;
  return [
    new FieldNode(`${id}/window`, ctx, `vCPU ${v.id} interrupts`, `${h.externalEnabled ? 'on' : 'off'}${SEGMENT_SEPARATOR}${v.priv}-mode`,
      h.closedBy ? `Closed by ${h.closedBy}: a pending vector waits in IRR until the guest enables interrupts` : 'The hart takes a pending external interrupt at its next instruction'),
    new FieldNode(`${id}/enables`, ctx, 'Enables', `${enables} · mip.MEIP ${Number(h.mipMEIP)}`,
      `mstatus ${hex8(h.mstatus)} · mie ${hex8(h.mie)} · mip ${hex8(h.mip)} · mideleg ${hex8(h.mideleg)}`),
    new FieldNode(`${id}/handler`, ctx, 'Handler', `${h.delegated ? 'stvec' : 'mtvec'} → ${hex8(h.handler)} (${h.handlerMode})`,
      `mtvec ${hex8(h.mtvec)} · stvec ${hex8(h.stvec)}`),
  ];
}

/**
 * The headline's status, short enough for the default side bar (300 px): pending while the hart
 * cannot take it reads "CPU off" (the hart's rows say why); the tooltip has the long form.
 */
function headlineStatus(r: RouteSnapshot): string {
  switch (r.status) {
    case 'pending': return r.waitsFor ? 'CPU off' : 'pending';
    case 'in-service': return 'in service';
    case 'blocked': return 'blocked';
    default: return r.status === 'asserted' ? 'asserted' : 'idle';
  }
}

/** Where the route's interrupt is, in words. */
function statusText(r: RouteSnapshot): string {
  switch (r.status) {
    case 'pending': return r.waitsFor ? 'pending (IRR) · CPU off' : 'pending (IRR)';
    case 'in-service': return 'in service (ISR)';
    case 'blocked': return `blocked: ${r.blockedBy ?? '?'}`;
    case 'asserted': return 'asserted';
    default: return 'idle';
  }
}
