// `info tlb`: each vCPU's TLB (the combined mappings) and the caches behind it — the guest-physical
// mappings the walk of guest PTEs uses — with the INVEPT and INVVPID the hypervisor executed
// (docs/translation.md "Paging-structure caches").
import type { TlbSnapshot } from '../protocol';
import { hex32 } from './format';
import type { DebugRuntime } from './runtime';
import { tlbSnapshots } from './state';

const FLAG_LETTERS = ['R', 'W', 'X', 'U', 'G', 'A', 'D'];

/** A guest-physical cache tag as the console shows it: the EPTP, or nCR3 and ASID under NPT. */
function gpaCacheTag(mmu: string, tag: number): string {
  return mmu === 'npt' ? `nCR3 ${hex32(Math.floor(tag / 0x10000))} ASID ${tag % 0x10000}` : `EPTP ${hex32(tag)}`;
}

export function infoTlb(rt: DebugRuntime): string {
  const mmu = rt.machine.vm.config.mmu;
  return tlbSnapshots(rt).map((t) => [
    `vCPU ${t.vcpu} TLB (${mmu === 'npt' ? 'ASID' : 'VPID'} ${t.vpid}, ${t.size} entries): ${t.stats.hits} hits, ${t.stats.misses} misses, ${t.stats.flushes} flushes, ${t.stats.walks} walks`,
    ...t.entries.map((e) => `  [${String(e.index).padStart(2)}] GVA ${hex32(e.gva)} -> GPA ${hex32(e.gpa)} -> HPA ${hex32(e.hpa)} VPID ${e.vpid} ASID ${e.asid === 0x200 ? 'bare' : e.asid} ` +
      `${FLAG_LETTERS.map((f, i) => (e.flags & (2 << i) ? f : '-')).join('')}`),
    ...gpaCacheLines(mmu, t),
    `  INVEPT ${t.stats.invept} (${t.stats.inveptSingle} single-context, ${t.stats.inveptGlobal} global), INVVPID ${t.stats.invvpid}`,
  ].join('\n')).join('\n');
}

function gpaCacheLines(mmu: string, t: TlbSnapshot): string[] {
  const c = t.gpaCache;
  if (!c) return ['  guest-physical mappings: none (shadow paging: the processor walks the shadow tables directly)'];
  return [
    `  guest-physical mappings (${c.size} entries, ${c.ways}-way): ${t.stats.gpaHits} hits, ${t.stats.gpaMisses} misses`,
    ...c.entries.map((e) => `  [${String(e.index).padStart(2)}] GPA ${hex32(e.gpa)} -> HPA ${hex32(e.hpa)} ${gpaCacheTag(mmu, e.tag)}`),
  ];
}
