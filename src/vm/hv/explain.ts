// The two-stage translation explorer's machine side (docs/translation.md): what the processor and
// the hypervisor would do to translate one guest-virtual address for one vCPU now — the guest's Sv32
// walk level by level with each PTE's own stage-2 walk inside it, the final stage-2 walk (EPT or NPT)
// or the shadow entry beside the guest entry it shadows, the TLB's state, the memory references a
// miss makes and the fault and exits the access would take. It reads only: no A/D bit set, no TLB
// or EPT fill, no counter moved (a throwaway walker over a memory that refuses writes; the tables'
// describe()). The debug port offers it (debug-port.ts `explain`); the wire types that mirror these
// are in src/protocol (hyperstep/translate).
import { Access } from '../cpu/port';
import { CAUSE_NAMES, Priv } from '../cpu/csr';
import { eptQualification, NestedPaging, shadowPermits, ShadowPaging } from './paging';
import { npfExitInfo1 } from './npt-paging';
import { tlbPermits, type Vcpu } from './vcpu';
import { eptRwx } from '../mmu/ept';
import { npfExitInfoText, nptFlags } from '../mmu/npt';
import { BARE_ROOT } from '../mmu/shadow';
import { PTE_D, PTE_R, PTE_V, PTE_W, PTE_X, Sv32Walker, type PteMemory } from '../mmu/sv32';
import { ASID_BARE } from '../mmu/tlb';
import type { Vm } from './vm';

type AccessKind = 'read' | 'write' | 'fetch';

interface Stage2Level {
  name: string; table: number; index: number; entryAddress: number; entry: string; present: boolean; flags: string;
  memoryType?: number; mmio?: boolean;
}
interface Stage2Walk { mmu: 'ept' | 'npt'; gpa: number; root: number; levels: Stage2Level[]; hpa?: number; cached?: boolean; outcome: string }
interface LastWrite { cycle: number; pc: number; vcpu: number; value: number; step: number }
interface GuestLevel {
  level: number; pteGpa: number; pte: number; flags: string; kind: 'pointer' | 'leaf' | 'invalid';
  stage2?: Stage2Walk; writeProtected?: boolean; lastWrite?: LastWrite;
}
interface ShadowSide {
  root: number;
  entry?: { gpaPage: number; hostPage: number; flags: string; fromPtes: number[] };
  guestLeaf?: { pteGpa: number; flags: string };
  note: string;
}
interface TlbState { hit: boolean; tagName: 'VPID' | 'ASID'; tag: number; guestAsid: number | 'bare'; set: number; way: number }
export interface TranslationExplained {
  gva: number; vcpu: number; access: AccessKind; mmu: 'ept' | 'npt' | 'shadow'; paging: boolean; satp: number; levels: GuestLevel[];
  gpa?: number; final?: Stage2Walk; shadow?: ShadowSide; hpa?: number; tlb: TlbState; memoryReferences: number; fault?: string; exits: string[];
}

const hex = (v: number): string => '0x' + (v < 0 ? v >>> 0 : v).toString(16); // EXITINFO1 has bits above 31

const ACCESS_OF: Record<AccessKind, Access> = { read: Access.Read, write: Access.Write, fetch: Access.Fetch };
const LEVEL_NAMES = ['PT', 'PD', 'PDPT', 'PML4'];

/** The explorer's answer for `gva` on `vcpu` (lastWrite is filled in by the caller, from history). */
export function explainTranslation(vm: Vm, vcpu: Vcpu, gva: number, accessKind: AccessKind = 'read'): TranslationExplained {
  const cpu = vcpu.cpu, va = gva >>> 0, access = ACCESS_OF[accessKind];
  const priv = access === Access.Fetch ? cpu.priv : cpu.dataPriv();
  const paging = (cpu.satp >>> 31) !== 0 && priv !== Priv.M;
  const asid = paging ? (cpu.satp >>> 22) & 0x1ff : ASID_BARE;
  const nested = vm.paging instanceof NestedPaging ? vm.paging : undefined;
  const exits: string[] = [];
  const levels: GuestLevel[] = [];
  let refs = 0;

  // Stage 1, with a walker of our own over memory that reads RAM and writes nothing.
  const walker = new Sv32Walker();
  const stage2OfPte: Stage2Walk[] = [];
  const gpaCache = nested ? vcpu.gpaCache.clone() : undefined;
  const mem: PteMemory = {
    i32: vm.host.i32,
    pteHost: (gpa) => {
      if (nested) {
        const w = stage2Walk(nested, gpa);
        stage2OfPte.push(w);
        // A guest-physical mapping in the cache spares the stage-2 walk (the levels are still shown).
        // The walk runs on a copy of the cache, so a fill by the first PTE is seen by the second.
        const tag = nested.cacheTag(vcpu), page = gpa >>> 12;
        if (gpaCache!.lookup(tag, page) >= 0) w.cached = true;
        else {
          refs += w.levels.length;
          if (w.hpa !== undefined) gpaCache!.insert(tag, page, w.hpa - (w.hpa % 4096));
        }
        if (w.outcome !== 'mapped') exits.push(stage2Exit(vm, vcpu, nested, w, access, va, false));
      }
      return vm.gpaToHost(gpa);
    },
    pteWrite: () => { /* the explorer sets no A/D bit */ },
  };
  let gpa: number | undefined = va;
  let fault: string | undefined;
  if (paging) {
    const ok = walker.walk(mem, cpu.satp, va, access, priv, cpu.sum, cpu.mxr);
    refs += walker.steps;
    for (let i = 0; i < walker.steps; i++) {
      const pte = walker.stepPte[i] >>> 0, pteGpa = walker.stepPteGpa[i];
      levels.push({
        level: 1 - i, pteGpa, pte, flags: pteFlags(pte),
        kind: !(pte & PTE_V) || (!(pte & PTE_R) && (pte & PTE_W)) ? 'invalid' : pte & (PTE_R | PTE_X) ? 'leaf' : 'pointer',
        ...(stage2OfPte[i] ? { stage2: stage2OfPte[i] } : {}),
        ...(vm.paging instanceof ShadowPaging ? { writeProtected: vm.paging.tables.isProtected(pteGpa - (pteGpa % 4096)) } : {}),
      });
    }
    if (ok) gpa = walker.gpa;
    else { gpa = undefined; fault = CAUSE_NAMES[walker.cause] ?? `cause ${walker.cause}`; }
  }

  const result: TranslationExplained = {
    gva: va, vcpu: vcpu.id, access: accessKind, mmu: vm.paging.mode, paging, satp: cpu.satp >>> 0, levels,
    tlb: tlbState(vm, vcpu, va, asid, access, priv), memoryReferences: 0, exits,
  };
  if (gpa !== undefined) result.gpa = gpa;
  if (nested && gpa !== undefined) {
    const w = stage2Walk(nested, gpa);
    refs += w.levels.length;
    result.final = w;
    if (w.hpa !== undefined) result.hpa = w.hpa;
    if (w.outcome !== 'mapped') exits.push(stage2Exit(vm, vcpu, nested, w, access, va, true));
  }
  if (vm.paging instanceof ShadowPaging) {
    const s = shadowSide(vm.paging, vcpu, va, access, priv, paging, walker, fault, gpa);
    result.shadow = s.side;
    refs = 2; // the processor walks the two-level shadow table; the guest's tables only in software
    exits.push(...s.exits);
    if (s.hpa !== undefined) result.hpa = s.hpa;
    else if (gpa !== undefined && vm.gpaToHost(gpa) >= 0) result.hpa = vm.gpaToHost(gpa); // where the entry it builds will point
  }
  if (fault) {
    result.fault = fault;
    if (nested) exits.push(`none for the guest fault itself: the guest takes ${fault} directly (no #PF intercept under ${nested.mode.toUpperCase()})`);
  }
  if (result.tlb.hit) {
    result.memoryReferences = 0;
    result.exits = [];
    delete result.fault;
  } else {
    result.memoryReferences = refs;
  }
  return result;
}

/** A stage-2 walk as the processor would do it, without counting it or touching the memo. */
function stage2Walk(p: NestedPaging, gpa: number): Stage2Walk {
  const t = p.tables, npt = p.mode === 'npt';
  const steps = t.describe(gpa);
  const levels: Stage2Level[] = steps.map((s) => {
    const lo = Number(s.entry & 0xffffffffn), hi = Number(s.entry >> 32n);
    const leaf = s.level === 0 && s.present;
    const mmio = leaf && t.format.mmio(lo, hi);
    const flags = t.format.flags(lo, hi);
    return {
      name: LEVEL_NAMES[s.level], table: s.tableHpa, index: s.index, entryAddress: s.entryHpa,
      entry: '0x' + s.entry.toString(16).padStart(16, '0'), present: s.present,
      flags: npt ? nptFlags(flags) : eptRwx(flags),
      ...(leaf && !npt && !mmio ? { memoryType: (lo >>> 3) & 7 } : {}),
      ...(mmio ? { mmio: true } : {}),
    };
  });
  const last = levels[levels.length - 1];
  const mapped = levels.length === 4 && last.present && !last.mmio;
  const w: Stage2Walk = {
    mmu: p.mode, gpa, root: t.tableBase, levels,
    outcome: mapped ? 'mapped' : last.mmio ? 'mmio' : 'not present',
  };
  if (mapped) w.hpa = (Number(BigInt(last.entry) & 0xffffffff000n) + (gpa & 0xfff));
  return w;
}

/** The exit a stage-2 outcome takes, and what KVM then does (docs/npt.md, docs/architecture.md). */
function stage2Exit(vm: Vm, vcpu: Vcpu, p: NestedPaging, w: Stage2Walk, access: Access, gva: number, translated: boolean): string {
  const npt = p.mode === 'npt', mmio = w.outcome === 'mmio';
  const walkAccess = translated ? access : Access.Read;
  let head: string;
  if (npt) {
    const info1 = npfExitInfo1(walkAccess, translated, mmio, mmio);
    head = `VMEXIT_NPF (EXITINFO1 ${hex(info1)}: ${npfExitInfoText(info1)}; EXITINFO2 ${hex(w.gpa)})`;
  } else if (mmio) {
    head = `EPT_MISCONFIG at GPA ${hex(w.gpa)}`;
  } else {
    head = `EPT_VIOLATION (qualification ${hex(eptQualification(walkAccess, 0, true, translated))}; GPA ${hex(w.gpa)}, GVA ${hex(gva)})`;
  }
  const what = translated ? '' : ' on the guest page-table read';
  if (vm.gpaToHost(w.gpa) >= 0) return `${head}${what}: RAM, the hypervisor maps it and resumes (pf_fixed)`;
  if (!translated) return `${head}${what}: not RAM, the walk fails (access fault)`;
  const dev = vm.kernelDevice(vcpu, w.gpa);
  const then = dev ? `emulated by the in-kernel ${dev.name}` : 'KVM_EXIT_MMIO to the VMM';
  return `${head}: not RAM, ${mmio ? 'the MMIO entry skips the memslot lookup' : 'an MMIO entry is installed'}; ${then}`;
}

function shadowSide(p: ShadowPaging, vcpu: Vcpu, va: number, access: Access, priv: Priv, paging: boolean,
  walker: Sv32Walker, fault: string | undefined, gpa: number | undefined): { side: ShadowSide; exits: string[]; hpa?: number } {
  const root = paging ? (vcpu.cpu.satp & 0x3fffff) * 4096 : BARE_ROOT;
  const e = p.tables.lookup(root, va >>> 12);
  const exits: string[] = [];
  const leafIndex = walker.steps - 1;
  const side: ShadowSide = { root, note: '' };
  if (paging && !fault && leafIndex >= 0) side.guestLeaf = { pteGpa: walker.stepPteGpa[leafIndex], flags: pteFlags(walker.stepPte[leafIndex] >>> 0) };
  let hpa: number | undefined;
  if (e) {
    side.entry = { gpaPage: e.gpaPage, hostPage: e.hostPage, flags: pteFlags(e.flags | PTE_V), fromPtes: [...e.ptes] };
    if (e.hostPage >= 0) hpa = e.hostPage + (va & 0xfff);
  }
  const ctx = { va, access, priv, paging, asid: 0 };
  const usable = e && shadowPermits(e.flags, ctx, vcpu) && !(access === Access.Write && !(e.flags & PTE_W));
  const guestWritable = side.guestLeaf ? (walker.stepPte[leafIndex] & PTE_W) !== 0 : true;
  if (!e) side.note = 'no shadow entry yet: the next access takes a #PF exit and the hypervisor builds it';
  else if (e.hostPage < 0) side.note = 'MMIO: every access exits and is emulated';
  else if (!(e.flags & PTE_W) && guestWritable) {
    side.note = p.tables.isProtected(e.gpaPage) ? 'W withheld: the page holds guest page tables (writes exit, mmu_pte_write)'
      : (walker.stepPte[leafIndex] & PTE_D) ? 'W withheld' : 'W withheld until the guest dirties the page (D clear)';
  } else side.note = 'same permissions as the guest entry';
  if (!usable) {
    if (fault) exits.push(`EXCEPTION_NMI (#PF intercepted): the guest walk faults, ${fault} re-injected (pf_guest)`);
    else if (e && e.hostPage >= 0 && p.tables.isProtected(e.gpaPage) && access === Access.Write) exits.push('EXCEPTION_NMI (#PF on a write-protected page-table page): the store is emulated, derived shadow entries zapped (mmu_pte_write)');
    else exits.push(`EXCEPTION_NMI (#PF intercepted): the hypervisor walks the guest tables in software and installs the shadow entry (pf_fixed)`);
  } else if (e && e.hostPage < 0) {
    exits.push(`EXCEPTION_NMI: MMIO at GPA ${hex(gpa ?? 0)}, emulated`);
  }
  return { side, exits, ...(hpa !== undefined ? { hpa } : {}) };
}

function tlbState(vm: Vm, vcpu: Vcpu, va: number, asid: number, access: Access, priv: Priv): TlbState {
  const tlb = vcpu.tlb, vpn = va >>> 12, set = vpn & (tlb.sets - 1);
  const cpu = vcpu.cpu;
  const e = tlb.lookup(vcpu.vpid, asid, vpn);
  const paging = asid !== ASID_BARE;
  const hit = e >= 0 && tlbPermits(tlb.flags[e], access, priv, paging, cpu.sum, cpu.mxr);
  const index = e >= 0 ? e : tlb.peekVictim(vcpu.vpid, asid, vpn);
  return {
    hit, tagName: vm.paging.mode === 'npt' ? 'ASID' : 'VPID', tag: vcpu.vpid, guestAsid: paging ? asid : 'bare',
    set, way: index - set * tlb.ways,
  };
}

/** "VRWXUGAD" letters of a PTE, '-' for a clear bit. */
function pteFlags(pte: number): string {
  return ['V', 'R', 'W', 'X', 'U', 'G', 'A', 'D'].map((f, i) => (pte & (1 << i) ? f : '-')).join('');
}

