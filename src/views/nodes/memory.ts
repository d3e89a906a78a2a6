// The Memory view: KVM memslots (GPA → host ranges), the second stage — EPT leaves or shadow page
// tables — and each vCPU's TLB with its counters.
import * as vscode from 'vscode';
import type { StateSnapshot, TlbSnapshot } from '../../protocol';
import { eptFlags, hex, hex8, nptLeafFlags, range, size, tlbFlags } from '../format';
import { FieldNode, GroupNode, NoteNode, type RenderContext, ViewNode } from '../node';

export function memoryRoots(s: StateSnapshot, ctx: RenderContext): ViewNode[] {
  const roots: ViewNode[] = [];
  const m = s.memory;
  if (m) {
    roots.push(new GroupNode('memory/memslots', ctx, 'Memslots', (c) => m.memslots.map((slot) =>
      new FieldNode(`memory/memslots/${slot.slot}`, c, `slot ${slot.slot}`,
        `GPA ${hex8(slot.guestPhysAddr)} · ${size(slot.memorySize)} → ${hex8(slot.userspaceAddr)}`,
        `KVM_SET_USER_MEMORY_REGION: guest_phys_addr, memory_size, userspace_addr: GPA ${range(slot.guestPhysAddr, slot.memorySize)} → host ${hex8(slot.userspaceAddr)}`)),
    { description: String(m.memslots.length), icon: 'database', expanded: true }));
    const p = m.paging;
    if (p.mode === 'ept' || p.mode === 'npt') {
      const leaves = p.eptLeaves ?? [];
      const npt = p.mode === 'npt';
      roots.push(new GroupNode(`memory/${p.mode}`, ctx, npt ? 'NPT' : 'EPT', (c) => {
        const out: ViewNode[] = leaves.map((l) => new FieldNode(`memory/${p.mode}/${hex8(l.gpa)}`, c, `GPA ${hex8(l.gpa)}`,
          l.mmio ? `MMIO (${npt ? 'reserved bits' : 'misconfigured'}: every access exits)` : `→ HPA ${hex8(l.hpa)} ${npt ? nptLeafFlags(l.flags) : eptFlags(l.flags)}`));
        const total = p.eptLeafCount ?? leaves.length;
        if (p.truncated || total > leaves.length) out.push(new NoteNode('memory/ept/more', c, `… ${total - leaves.length} more leaves`));
        return out;
      }, { description: `${p.eptLeafCount ?? leaves.length} leaves${s.vpid ? ` · ${npt ? 'ASID' : 'VPID'} on` : ` · ${npt ? 'ASID' : 'VPID'} off`}`, icon: 'type-hierarchy' }));
    } else {
      const roots2 = p.shadowRoots ?? [];
      roots.push(new GroupNode('memory/shadow', ctx, 'Shadow page tables', (c) => roots2.map((r) =>
        new FieldNode(`memory/shadow/${hex8(r.root)}`, c, `guest root ${hex8(r.root)}`, `${r.entries} entries`, 'One shadow table per guest satp root')),
      { description: `${roots2.length} roots`, icon: 'type-hierarchy' }));
    }
  }
  for (const t of s.tlb ?? []) roots.push(new TlbNode(t, ctx));
  if (roots.length === 0) roots.push(new NoteNode('memory/none', ctx, 'No memory state yet'));
  return roots;
}

export class TlbNode extends ViewNode {
  constructor(readonly tlb: TlbSnapshot, ctx: RenderContext) {
    super(`memory/tlb/${tlb.vcpu}`, ctx);
  }
  label(): string {
    return `TLB ${this.tlb.vcpu}`;
  }
  override description(): string {
    const t = this.tlb;
    return `VPID ${t.vpid} · ${t.entries.length}/${t.size} · ${t.stats.hits} hits`;
  }
  override tooltip(): string {
    const t = this.tlb;
    return `vCPU ${t.vcpu}'s TLB: VPID ${t.vpid}, ${t.entries.length} of ${t.size} entries valid, ${t.stats.hits} hits, ${t.stats.misses} misses`;
  }
  override icon(): vscode.ThemeIcon {
    return new vscode.ThemeIcon('table');
  }
  protected override buildChildren(): ViewNode[] {
    const t = this.tlb, id = this.id, c = this.ctx;
    return [
      new GroupNode(`${id}/stats`, c, 'Counters', (gc) => [
        new FieldNode(`${id}/stats/hits`, gc, 'Hits', String(t.stats.hits)),
        new FieldNode(`${id}/stats/misses`, gc, 'Misses', String(t.stats.misses)),
        new FieldNode(`${id}/stats/flushes`, gc, 'Flushes', String(t.stats.flushes)),
        new FieldNode(`${id}/stats/walks`, gc, 'Page walks', `${t.stats.walks} (${t.stats.walkRefs} memory references)`),
        // The caches behind the TLB (docs/translation.md): guest-physical mappings, INVEPT, INVVPID.
        new FieldNode(`${id}/stats/gpa`, gc, 'Guest-physical cache', `${t.stats.gpaHits} hits · ${t.stats.gpaMisses} misses`),
        new FieldNode(`${id}/stats/invept`, gc, 'INVEPT', `${t.stats.invept} (${t.stats.inveptSingle} single-context · ${t.stats.inveptGlobal} global)`),
        new FieldNode(`${id}/stats/invvpid`, gc, 'INVVPID', String(t.stats.invvpid)),
      ]),
      ...(t.gpaCache ? [new GroupNode(`${id}/gpa`, c, `Guest-physical mappings (${t.gpaCache.entries.length}/${t.gpaCache.size})`, (gc) =>
        t.gpaCache!.entries.map((e) => new FieldNode(`${id}/gpa/${e.index}`, gc, `GPA ${hex8(e.gpa)}`, `→ HPA ${hex8(e.hpa)}`, `tag ${hex(e.tag)} · index ${e.index}`)))] : []),
      ...t.entries.map((e) => new FieldNode(`${id}/entry/${e.index}`, c, `GVA ${hex8(e.gva)}`,
        `→ HPA ${hex8(e.hpa)} · ${tlbFlags(e.flags)}`, `GPA ${hex8(e.gpa)} · ASID ${hex(e.asid)} · VPID ${e.vpid} · way/set index ${e.index}`)),
    ];
  }
}
