// The IOAPIC view: the chip, then its 24 redirection entries (82093AA §3.2.4) decoded, with the raw
// 64 bits and their fields in the tooltip.
import * as vscode from 'vscode';
import type { IoapicPinSnapshot, IoapicSnapshot, RedirectionEntrySnapshot, RouteSnapshot, StateSnapshot } from '../../protocol';
import { SEGMENT_SEPARATOR } from '../changes';
import { field, hex, hex64, hex8, RTE_LOW_FIELDS, vec } from '../format';
import { FieldNode, NoteNode, type RenderContext, ViewNode } from '../node';

export function ioapicRoots(s: StateSnapshot, ctx: RenderContext): ViewNode[] {
  if (!s.ioapic) return [new NoteNode('ioapic/none', ctx, 'This machine has no IOAPIC')];
  const users = new Map<number, string[]>();
  for (const r of s.routing ?? []) users.set(r.gsi, [...(users.get(r.gsi) ?? []), routeSource(r)]);
  return [new IoapicChipNode(s.ioapic, ctx), ...s.ioapic.pins.map((p) => new PinNode(p, users.get(p.gsi) ?? [], ctx))];
}

/** "nic INTA", "uart": who drives a GSI. */
function routeSource(r: RouteSnapshot): string {
  return r.pin ? `${r.device} ${r.pin}` : r.device;
}

/** The entry in words, short: "0x31 level low → 0 · remote IRR" (delivery mode when not fixed, logical destinations). */
export function entryText(e: RedirectionEntrySnapshot): string {
  const dest = `→ ${e.destMode === 'logical' ? `logical ${hex(e.destination, 2)}` : e.destination}`;
  const parts = [[vec(e.vector), ...(e.deliveryMode === 'fixed' ? [] : [e.deliveryMode]), e.trigMode, e.polarity, dest].join(' ')];
  if (e.remoteIrr) parts.push('remote IRR');
  if (e.masked) parts.push('masked');
  return parts.join(SEGMENT_SEPARATOR);
}

class IoapicChipNode extends ViewNode {
  constructor(private readonly io: IoapicSnapshot, ctx: RenderContext) {
    super('ioapic/chip', ctx);
  }
  label(): string {
    return 'IOAPIC';
  }
  override description(): string {
    // Short for the side bar (300 px): the version and ID are in the tooltip.
    const where = this.io.placement === 'kernel' ? 'KVM' : 'QEMU';
    return [where, `IOREGSEL ${hex(this.io.ioRegSel, 2)}`].join(SEGMENT_SEPARATOR);
  }
  override tooltip(): string {
    const io = this.io;
    return `${io.placement === 'kernel' ? 'KVM\'s in-kernel IOAPIC (kernel irqchip)' : 'QEMU\'s IOAPIC in the VMM'}: version ${hex(io.version, 2)}, ID ${io.id}, IOREGSEL ${hex(io.ioRegSel, 2)}`;
  }
  override icon(): vscode.ThemeIcon {
    return new vscode.ThemeIcon('circuit-board');
  }
}

export class PinNode extends ViewNode {
  constructor(readonly pin: IoapicPinSnapshot, private readonly sources: string[], ctx: RenderContext) {
    super(`ioapic/pin/${pin.gsi}`, ctx);
  }
  label(): string {
    return `GSI ${this.pin.gsi}`;
  }
  override description(): string {
    // Short for the side bar: the destination and delivery mode are the children's.
    const e = this.pin.entry;
    // The vector and what holds it; the source ("Driven by"), trigger, polarity and the line are in
    // the children and the tooltip, the line's level also in the icon (a row fits a 300 px side bar).
    const bits = [vec(e.vector)];
    if (e.remoteIrr) bits.push('remote IRR');
    if (e.masked) bits.push('masked');
    if (this.pin.blockedBy) bits.push('blocked');
    return bits.join(SEGMENT_SEPARATOR);
  }
  override contextValue(): string {
    return 'hyperstep.ioapicPin';
  }
  override idle(): boolean {
    const e = this.pin.entry;
    return e.masked && !this.pin.line && !e.remoteIrr && this.sources.length === 0;
  }
  override icon(): vscode.ThemeIcon {
    if (this.pin.line) return new vscode.ThemeIcon('circle-filled', new vscode.ThemeColor('debugIcon.breakpointForeground'));
    return new vscode.ThemeIcon(this.pin.entry.masked ? 'circle-slash' : 'circle-outline');
  }
  override tooltip(): vscode.MarkdownString {
    const e = this.pin.entry;
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**IOREDTBL[${this.pin.gsi}]** (registers ${hex(0x10 + 2 * this.pin.gsi, 2)}/${hex(0x11 + 2 * this.pin.gsi, 2)})\n\n`);
    md.appendCodeblock(`high ${hex8(e.high)}  low ${hex8(e.low)}\n${bits64(e.high, e.low)}`, 'text');
    md.appendMarkdown('\n| bits | field | value |\n|---|---|---|\n');
    for (const f of RTE_LOW_FIELDS) {
      const range = f.bits === 1 ? `${f.shift}` : `${f.shift + f.bits - 1}:${f.shift}`;
      md.appendMarkdown(`| ${range} | ${f.name} | ${hex(field(e.low, f.shift, f.bits))} |\n`);
    }
    md.appendMarkdown(`| 63:56 | DEST (destination) | ${hex(e.high >>> 24)} |\n`);
    return md;
  }
  protected override buildChildren(): ViewNode[] {
    const e = this.pin.entry, id = this.id, c = this.ctx;
    // As cortex-debug shows registers: the raw value first, then each field with its bits.
    const nodes = [
      new FieldNode(`${id}/raw`, c, 'Raw', hex64(e.high, e.low), `IOREDTBL[${this.pin.gsi}], registers ${hex(0x10 + 2 * this.pin.gsi, 2)} (low) and ${hex(0x11 + 2 * this.pin.gsi, 2)} (high)`),
      new FieldNode(`${id}/vector`, c, 'Vector [7:0]', vec(e.vector)),
      new FieldNode(`${id}/delivery`, c, 'Delivery mode [10:8]', e.deliveryMode),
      new FieldNode(`${id}/destMode`, c, 'Dest. mode [11]', e.destMode),
      new FieldNode(`${id}/deliveryStatus`, c, 'Delivery status [12]', e.deliveryStatus ? '1 (pending)' : '0 (idle)',
        e.deliveryStatus ? 'DELIVS: a message waits to be sent to the APIC bus' : 'DELIVS: nothing waits to be sent'),
      new FieldNode(`${id}/polarity`, c, 'Polarity [13]', e.polarity === 'low' ? 'active low' : 'active high'),
      new FieldNode(`${id}/remoteIrr`, c, 'Remote IRR [14]', e.remoteIrr ? '1 (accepted)' : '0',
        e.remoteIrr ? 'A LAPIC accepted the level-triggered interrupt; the bit clears at its EOI' : 'Clear: no level-triggered interrupt awaits an EOI'),
      new FieldNode(`${id}/trigger`, c, 'Trigger mode [15]', e.trigMode),
      new FieldNode(`${id}/mask`, c, 'Mask [16]', e.masked ? 'masked' : 'not masked'),
      new FieldNode(`${id}/destination`, c, 'Destination [63:56]', hex(e.destination, 2), e.destMode === 'physical' ? `The APIC ID ${e.destination}` : 'A logical set of LAPICs (matched against their LDR)'),
      new FieldNode(`${id}/line`, c, 'Line', this.pin.line ? 'asserted' : 'not asserted'),
    ];
    if (this.sources.length) nodes.push(new FieldNode(`${id}/sources`, c, 'Driven by', this.sources.join(', ')));
    if (this.pin.blockedBy) nodes.push(new FieldNode(`${id}/blocked`, c, 'Blocked by', blockedText(this.pin.blockedBy), 'What keeps the asserted line from sending its vector now'));
    if (this.pin.note) nodes.push(new FieldNode(`${id}/note`, c, 'Now', this.pin.note));
    return nodes;
  }
}

/** What keeps an asserted pin from delivering, in words. */
function blockedText(reason: string): string {
  if (reason === 'remote-irr') return 'remote IRR';
  if (reason === 'masked') return 'masked';
  return reason;
}

/** The 64 bits in groups of four, most significant first. */
function bits64(high: number, low: number): string {
  const b = (high >>> 0).toString(2).padStart(32, '0') + (low >>> 0).toString(2).padStart(32, '0');
  return b.replace(/(.{4})(?=.)/g, '$1 ');
}
