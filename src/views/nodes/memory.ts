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
        `${hex8(slot.guestPhysAddr)} · ${size(slot.memorySize)}`,
        `KVM_SET_USER_MEMORY_REGION: guest_phys_addr, memory_size, userspace_addr: GPA ${range(slot.guestPhysAddr, slot.memorySize)} → host ${hex8(slot.userspaceAddr)}`)),
    { description: String(m.memslots.length), icon: 'database', expanded: true }));
    const p = m.paging;
    if (p.mode === 'ept' || p.mode === 'npt') {
      const leaves = p.eptLeaves ?? [];
      const npt = p.mode === 'npt';
      roots.push(new GroupNode(`memory/${p.mode}`, ctx, npt ? 'NPT' : 'EPT', (c) => {
        // The group says GPA → HPA; a row is "0x80000000 → 0x00000000 rwx" (300 px), the words in the tooltip.
        const out: ViewNode[] = leaves.map((l) => new FieldNode(`memory/${p.mode}/${hex8(l.gpa)}`, c, hex8(l.gpa),
          l.mmio ? 'MMIO' : `→ ${hex8(l.hpa)} ${npt ? nptLeafFlags(l.flags) : eptFlags(l.flags)}`,
          l.mmio ? `GPA ${hex8(l.gpa)}: MMIO, ${npt ? 'reserved bits set' : 'misconfigured'} so that every access exits`
            : `GPA ${hex8(l.gpa)} → HPA ${hex8(l.hpa)}, ${npt ? nptLeafFlags(l.flags) : eptFlags(l.flags)}`));
        const total = p.eptLeafCount ?? leaves.length;
        if (p.truncated || total > leaves.length) out.push(new NoteNode('memory/ept/more', c, `… ${total - leaves.length} more leaves`));
        return out;
      }, {
        description: `${p.eptLeafCount ?? leaves.length} leaves${s.vpid ? ` · ${npt ? 'ASID' : 'VPID'} on` : ` · ${npt ? 'ASID' : 'VPID'} off`}`, icon: 'type-hierarchy',
        tooltip: `The ${npt ? 'nested page table' : 'EPT'}'s leaves: guest-physical (GPA) → host-physical (HPA) address and permissions`,
      }));
    } else {
      const roots2 = p.shadowRoots ?? [];
      roots.push(new GroupNode('memory/shadow', ctx, 'Shadow page tables', (c) => roots2.map((r) =>
        new FieldNode(`memory/shadow/${hex8(r.root)}`, c, hex8(r.root), `${r.entries} entries`, `The shadow table of the guest root ${hex8(r.root)} (satp): ${r.entries} entries`)),
      { description: `${roots2.length} roots`, icon: 'type-hierarchy', tooltip: 'One shadow table per guest page-table root (satp), by the root\'s address' }));
    }
  }
  for (const t of s.tlb ?? []) roots.push(new TlbNode(t, ctx));
  if (roots.length === 0) roots.push(new NoteNode('memory/none', ctx, 'No memory state yet'));
  return roots;
}

class TlbNode extends ViewNode {
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
        new FieldNode(`${id}/stats/walks`, gc, 'Page walks', `${t.stats.walks} · ${t.stats.walkRefs} refs`, `${t.stats.walks} page walks, ${t.stats.walkRefs} memory references`),
        // The caches behind the TLB (docs/translation.md): guest-physical mappings, INVEPT, INVVPID.
        new FieldNode(`${id}/stats/gpa`, gc, 'GPA cache', `${t.stats.gpaHits} hits · ${t.stats.gpaMisses} misses`, 'The guest-physical mappings cache (GPA → HPA)'),
        new FieldNode(`${id}/stats/invept`, gc, 'INVEPT', `${t.stats.inveptSingle} single · ${t.stats.inveptGlobal} global`,
          `${t.stats.invept} INVEPT: ${t.stats.inveptSingle} single-context, ${t.stats.inveptGlobal} global`),
        new FieldNode(`${id}/stats/invvpid`, gc, 'INVVPID', String(t.stats.invvpid)),
      ]),
      ...(t.gpaCache ? [new GroupNode(`${id}/gpa`, c, 'GPA mappings', (gc) =>
        t.gpaCache!.entries.map((e) => new FieldNode(`${id}/gpa/${e.index}`, gc, hex8(e.gpa), `→ ${hex8(e.hpa)}`, `GPA ${hex8(e.gpa)} → HPA ${hex8(e.hpa)} · tag ${hex(e.tag)} · index ${e.index}`)),
      { description: `${t.gpaCache.entries.length}/${t.gpaCache.size}`, tooltip: 'Guest-physical mappings (GPA → HPA) cached by EPT/NPT tag' })] : []),
      // An entry's row is "GVA → HPA flags" (the TLB's own heading); the words are the tooltip's.
      ...t.entries.map((e) => new FieldNode(`${id}/entry/${e.index}`, c, hex8(e.gva),
        `→ ${hex8(e.hpa)} ${tlbFlags(e.flags)}`, `GVA ${hex8(e.gva)} → HPA ${hex8(e.hpa)} (GPA ${hex8(e.gpa)}) · ${tlbFlags(e.flags)} · ASID ${hex(e.asid)} · VPID ${e.vpid} · way/set index ${e.index}`)),
    ];
  }
}
