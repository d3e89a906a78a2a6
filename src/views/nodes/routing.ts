// The Interrupt Routing view: for each interrupt source, the hops its interrupt takes —
// PCI device → pin → PIRQ (the INTx swizzle) → GSI → IOAPIC redirection entry → destination LAPICs
// → their IRR/ISR → the hart's interrupt enables and handler — and where the interrupt is now.
import * as vscode from 'vscode';
import type { LapicSnapshot, RedirectionEntrySnapshot, RouteSnapshot, StateSnapshot, VcpuSnapshot } from '../../protocol';
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

class RouteNode extends ViewNode {
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

  // Every row fits VS Code's default side bar (300 px) at its depth: the value comes first or right
  // after a short name, the long forms are the tooltips (docs/extension.md "Rows at 300 px").
  protected override buildChildren(): ViewNode[] {
    const r = this.route, id = this.id, c = this.ctx;
    const out: ViewNode[] = [];
    const where = r.bdf ? `${r.bdf}${r.slot !== undefined ? `${SEGMENT_SEPARATOR}slot ${r.slot}` : ''}` : 'platform';
    out.push(new FieldNode(`${id}/device`, c, 'Device', where,
      r.bdf ? `PCI function ${r.bdf} (bus:device.function)${r.slot !== undefined ? ` in slot ${r.slot}` : ''}` : 'A platform device wired straight to an IOAPIC pin'));
    if (r.pin) {
      out.push(new FieldNode(`${id}/pin`, c, 'Pin', `${r.pin} (${pinNumber(r.pin)})${SEGMENT_SEPARATOR}${r.asserted ? 'asserting' : 'idle'}`,
        `The function's interrupt pin (config register INTERRUPT_PIN); ${r.asserted ? 'the device asserts it now' : 'the device does not assert it now'}`));
    }
    if (r.pirq !== undefined) {
      // Value first: "PIRQ D (3) = (3 + 0) mod 4", the swizzle rule as the description.
      const rule = r.slot !== undefined && r.pin ? `= (${r.slot} + ${pinNumber(r.pin)}) mod 4` : '';
      out.push(new FieldNode(`${id}/pirq`, c, pirqName(r.pirq), rule,
        'The host bridge swizzle: PIRQ = (slot + pin) mod 4, pin INTA = 0 … INTD = 3 (PCI-to-PCI Bridge Architecture §9.1); PIRQ A–D are GSI 16–19 (as Q35 wires them)'));
    }
    const gsiRule = r.pirq !== undefined ? `= 16 + ${r.pirq}${SEGMENT_SEPARATOR}` : '';
    out.push(new FieldNode(`${id}/gsi`, c, `GSI ${r.gsi}`, `${gsiRule}${r.lineAsserted ? 'asserted' : 'low'}`,
      `The IOAPIC input (global system interrupt) ${r.gsi}${r.pirq !== undefined ? ` = 16 + PIRQ ${r.pirq}` : ''}: its line is ${r.lineAsserted ? 'asserted' : 'low'}`));
    if (r.entry) {
      out.push(new FieldNode(`${id}/entry`, c, 'IOREDTBL', entryShort(r.entry),
        `Redirection entry ${r.gsi} (82093AA §3.2.4) = ${hex64(r.entry.high, r.entry.low)}: ${entryText(r.entry)}; every field in the IOAPIC view`));
    } else {
      out.push(new FieldNode(`${id}/entry`, c, 'IOREDTBL', 'none'));
    }
    if (r.msi) {
      const m = r.msi;
      const state = [...(m.masked ? ['masked'] : []), ...(m.pending ? ['pending'] : [])];
      out.push(new FieldNode(`${id}/msi`, c, 'MSI', [m.enabled ? `${vec(m.vector)} → APIC ${m.destination}` : 'off', ...state].join(SEGMENT_SEPARATOR),
        `The function's MSI capability (address ${hex8(m.address)}, data ${hex(m.data, 4)}): while enabled, its interrupts are messages to the APIC bus and INTx is unused`, !m.enabled && !m.pending));
    }
    // The destination LAPICs straight under the route (one level less to indent).
    if (r.destinations.length) out.push(...r.destinations.map((vcpu) => this.destination(vcpu, c)));
    else out.push(new FieldNode(`${id}/destinations`, c, 'Destination', 'none'));
    if (r.note) out.push(new FieldNode(`${id}/note`, c, 'Now', r.note));
    if (r.blockedBy) out.push(new FieldNode(`${id}/blocked`, c, 'Blocked', r.blockedBy, `What keeps the interrupt from its destination now: ${r.blockedBy}`));
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

/**
 * The end of the chain: the hart's interrupt window, each enable bit as its own row (as a register
 * view shows fields), and the handler it enters (shared with the Local APICs view).
 */
export function hartNodes(id: string, ctx: RenderContext, v: VcpuSnapshot): ViewNode[] {
  const h = v.interrupts;
  if (!h) return [];
  const status = h.delegated ? 'sstatus.SIE' : 'mstatus.MIE';
  const tvec = h.delegated ? 'stvec' : 'mtvec';
  return [
    new FieldNode(`${id}/window`, ctx, `vCPU ${v.id} interrupts`, h.externalEnabled ? 'on' : 'off',
      `vCPU ${v.id} runs in ${v.priv}-mode. ${h.closedBy ? `Closed by ${h.closedBy}: a pending vector waits in IRR until the guest enables interrupts` : 'The hart takes a pending external interrupt at its next instruction'}`),
    new FieldNode(`${id}/status`, ctx, status, String(Number(h.delegated ? h.mstatusSIE : h.mstatusMIE)),
      `The global interrupt enable of ${h.delegated ? 'S' : 'M'}-mode (mstatus ${hex8(h.mstatus)})${h.delegated ? '; external interrupts are delegated to S-mode (mideleg)' : ''}`),
    new FieldNode(`${id}/meie`, ctx, 'mie.MEIE', String(Number(h.mieMEIE)), `Machine external interrupt enable (mie ${hex8(h.mie)})`),
    new FieldNode(`${id}/meip`, ctx, 'mip.MEIP', String(Number(h.mipMEIP)), `Machine external interrupt pending: the LAPIC offers a vector (mip ${hex8(h.mip)}, mideleg ${hex8(h.mideleg)})`),
    new FieldNode(`${id}/handler`, ctx, 'Handler', `${hex8(h.handler)}${SEGMENT_SEPARATOR}${tvec}`,
      `${tvec} in ${h.handlerMode} mode: the hart enters ${hex8(h.handler)} (mtvec ${hex8(h.mtvec)} · stvec ${hex8(h.stvec)})`),
  ];
}

/** A redirection entry in a few words for a 300 px row: "0x31 · remote IRR" (the long form is entryText). */
function entryShort(e: RedirectionEntrySnapshot): string {
  return [vec(e.vector), ...(e.deliveryMode === 'fixed' ? [] : [e.deliveryMode]), ...(e.remoteIrr ? ['remote IRR'] : []), ...(e.masked ? ['masked'] : [])].join(SEGMENT_SEPARATOR);
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
