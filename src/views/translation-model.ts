// The Translation view's tree as plain data (docs/translation.md "The Translation view"): what one
// `hyperstep/translate` answer shows, row by row, without VS Code (unit-tested in
// test/views/translation-model.test.ts; nodes/translation.ts turns rows into tree items). Labels
// stay short, so a row fits VS Code's default side bar; the rest is in descriptions, children and
// tooltips. Row ids are paths that stay the same from stop to stop ("translation/guest/L1/stage2"),
// so the change marks compare a level with the same level at the previous stop.
import type { AccessKind, GuestLevel, LastWrite, Stage2Level, Stage2Walk, StoppedAccess, TranslateResult } from '../protocol';
import { hex8 } from './format';

export interface TranslationRow {
  readonly id: string;
  readonly label: string;
  readonly description?: string;
  readonly tooltip?: string;
  /** A codicon name. */
  readonly icon?: string;
  readonly expanded?: boolean;
  /** A guest PTE (its row and its "last write" row): what "Reverse to Last Write" runs back to. */
  readonly pte?: { readonly gpa: number; readonly lastWrite?: LastWrite };
  readonly children: readonly TranslationRow[];
}

/** An address the user entered: a GVA and the kind of access to explain. */
export interface EnteredAddress {
  readonly gva: number;
  readonly access: AccessKind;
}

/** What the view explains: the access of the stopped instruction, or an address the user entered. */
export type TranslationTarget =
  | { readonly source: 'stopped'; readonly access: StoppedAccess }
  | { readonly source: 'entered'; readonly gva: number; readonly access: AccessKind };

const ACCESS_WORD: Record<AccessKind, string> = { read: 'read', write: 'write', fetch: 'fetch' };
const ROOT = 'translation';

const row = (id: string, label: string, description?: string, more: Partial<TranslationRow> = {}): TranslationRow =>
  ({ id, label, ...(description !== undefined ? { description } : {}), children: [], ...more });

/** The rows of one answer, top to bottom in the order the hardware does the work. */
export function translationRows(r: TranslateResult, target: TranslationTarget): TranslationRow[] {
  const rows: TranslationRow[] = [accessRow(r, target)];
  if (!r.paging) rows.push(row(`${ROOT}/paging`, 'Guest paging', 'off: GPA = GVA', { tooltip: pagingOffWhy(r) }));
  rows.push(...r.levels.map((l) => levelRow(l)));
  if (r.fault) rows.push(row(`${ROOT}/fault`, 'Guest fault', r.fault, { icon: 'warning', tooltip: `The guest walk raises ${r.fault}: the guest's own handler runs (no VM exit for the fault itself).` }));
  if (r.gpa !== undefined) rows.push(gpaRow(r));
  if (r.shadow) rows.push(shadowRow(r));
  rows.push(tlbRow(r));
  rows.push(row(`${ROOT}/refs`, 'Memory refs', String(r.memoryReferences), {
    tooltip: 'Memory references a TLB miss makes for this access: the guest PTEs plus every stage-2 entry read to reach them and the final GPA (0 on a TLB hit).',
  }));
  rows.push(exitsRow(r));
  return rows;
}

function accessRow(r: TranslateResult, target: TranslationTarget): TranslationRow {
  const children: TranslationRow[] = [];
  let tooltip: string;
  if (target.source === 'stopped') {
    const a = target.access;
    if (a.instruction) children.push(row(`${ROOT}/access/insn`, 'Instruction', a.instruction.replace(/\t/g, ' ')));
    children.push(row(`${ROOT}/access/pc`, 'pc', hex8(a.pc)));
    tooltip = a.access === 'fetch'
      ? `The fetch of the instruction at pc ${hex8(a.pc)}, where vCPU ${a.vcpu} is stopped${a.instruction ? ` (${a.instruction.replace(/\t/g, ' ')}: no data access)` : ''}.`
      : `The ${a.size}-byte ${a.access} of the instruction at pc ${hex8(a.pc)} (${a.instruction?.replace(/\t/g, ' ')}), where vCPU ${a.vcpu} is stopped; its address from the registers now.`;
  } else {
    tooltip = `An address entered with "Hyperstep: Translate an Address…"; "Show the Stopped Access" goes back to the access of the stopped instruction.`;
  }
  children.push(row(`${ROOT}/access/satp`, 'satp', `${hex8(r.satp)}${r.paging ? '' : ' · paging off'}`));
  children.push(row(`${ROOT}/access/mmu`, 'Stage 2', r.mmu === 'shadow' ? 'shadow page tables' : r.mmu.toUpperCase()));
  return row(`${ROOT}/access`, `GVA ${hex8(r.gva)}`, `${ACCESS_WORD[r.access]} · vCPU ${r.vcpu}${target.source === 'entered' ? ' · entered' : ''}`, {
    icon: target.source === 'entered' ? 'edit' : 'debug-stackframe', tooltip, children,
  });
}

function pagingOffWhy(r: TranslateResult): string {
  return (r.satp >>> 31) === 0 ? 'satp.MODE is Bare: the guest does not translate.' : 'The access is made in M-mode, which does not translate (privileged spec §3.1.6.3).';
}

function levelRow(l: GuestLevel): TranslationRow {
  const id = `${ROOT}/guest/L${l.level}`;
  const pte = { gpa: l.pteGpa, ...(l.lastWrite ? { lastWrite: l.lastWrite } : {}) };
  const children: TranslationRow[] = [
    row(`${id}/gpa`, 'at GPA', hex8(l.pteGpa), { tooltip: `The PTE's guest-physical address: the level-${l.level} table + 4 × VPN[${l.level}].` }),
    row(`${id}/kind`, 'kind', l.kind === 'pointer' ? 'pointer to the next table' : l.kind),
  ];
  if (l.writeProtected !== undefined) {
    children.push(row(`${id}/wp`, 'write-protected', l.writeProtected ? 'yes' : 'no', {
      tooltip: 'Shadow paging: the hypervisor withholds W on pages that hold guest page tables, so a guest store to them exits (mmu_pte_write).',
    }));
  }
  if (l.stage2) children.push(stage2Row(`${id}/stage2`, l.stage2, `the PTE's own GPA ${hex8(l.pteGpa)}`));
  const w = l.lastWrite;
  children.push(w
    ? row(`${id}/written`, 'written', `cycle ${w.cycle}, pc ${hex8(w.pc)}`, {
      tooltip: `vCPU ${w.vcpu} stored ${hex8(w.value)} to GPA ${hex8(l.pteGpa)} at cycle ${w.cycle} (pc ${hex8(w.pc)}). Right-click: Reverse to Last Write.`, pte, icon: 'history',
    })
    : row(`${id}/written`, 'written', 'not in history', { tooltip: 'No guest store to this PTE in the recorded history: it came with the loaded image, or before the oldest checkpoint.' }));
  return row(id, `L${l.level} PTE`, `${hex8(l.pte)} · ${l.flags}`, {
    icon: l.kind === 'invalid' ? 'error' : l.kind === 'leaf' ? 'symbol-field' : 'arrow-down',
    tooltip: `Guest Sv32 level-${l.level} PTE at GPA ${hex8(l.pteGpa)} = ${hex8(l.pte)} (${l.flags}, ${l.kind})${w ? `; last written at cycle ${w.cycle} by pc ${hex8(w.pc)}` : ''}`,
    pte, children, expanded: true,
  });
}

/** A stage-2 walk (EPT or NPT) as a heading with one child per table level. */
function stage2Row(id: string, w: Stage2Walk, of: string): TranslationRow {
  const name = w.mmu.toUpperCase();
  const result = w.hpa !== undefined ? `→ HPA ${hex8(w.hpa)}` : w.outcome;
  const levels = w.levels.map((l) => stage2LevelRow(`${id}/${l.name}`, l, w.mmu));
  const children = [...levels];
  if (w.hpa !== undefined && w.outcome !== 'mapped') children.push(row(`${id}/outcome`, 'outcome', w.outcome));
  if (w.hpa === undefined && w.outcome) children.push(row(`${id}/outcome`, 'outcome', w.outcome, { icon: 'warning' }));
  return row(id, `${name} walk`, `${result}${w.cached ? ' · cached' : ''}`, {
    tooltip: `${name} walk of ${of} from ${w.mmu === 'npt' ? 'nCR3' : 'EPTP'} ${hex8(w.root)}: ${w.outcome}${w.hpa !== undefined ? ` → HPA ${hex8(w.hpa)}` : ''}` +
      `${w.cached ? '. Served by the guest-physical mappings cache: no table references.' : ''}`,
    children,
  });
}

function stage2LevelRow(id: string, l: Stage2Level, mmu: 'ept' | 'npt'): TranslationRow {
  const what = l.present ? l.flags : 'not present';
  // The entry without its leading zeros (a 300 px row); the tooltip has all 64 bits.
  return row(id, `${l.name}[${l.index}]`, `${l.entry.replace(/^0x0+(?=[0-9a-f])/i, '0x')} ${what}`, {
    icon: l.mmio ? 'plug' : l.present ? undefined : 'circle-slash',
    tooltip: `${mmu.toUpperCase()} ${l.name} table at HPA ${hex8(l.table)}, index ${l.index}: the entry at HPA ${hex8(l.entryAddress)} = ${l.entry}` +
      ` (${what}${l.memoryType !== undefined ? `, memory type ${l.memoryType}` : ''}${l.mmio ? ', KVM\'s MMIO entry' : ''})`,
  });
}

function gpaRow(r: TranslateResult): TranslationRow {
  const hpa = r.hpa !== undefined ? `→ ${hex8(r.hpa)}` : r.final ? r.final.outcome : r.shadow ? 'no shadow entry' : undefined;
  return row(`${ROOT}/gpa`, `GPA ${hex8(r.gpa ?? 0)}`, hpa, {
    icon: 'arrow-right',
    tooltip: `The guest-physical address${r.hpa !== undefined ? ` and the host-physical address it maps to, HPA ${hex8(r.hpa)}` : ''}${r.final ? `; inside, the ${r.final.mmu.toUpperCase()} walk that maps it` : ''}.`,
    children: r.final ? stage2Row(`${ROOT}/gpa/stage2`, r.final, `GPA ${hex8(r.final.gpa)}`).children : [],
    expanded: false,
  });
}

function shadowRow(r: TranslateResult): TranslationRow {
  const s = r.shadow!;
  const e = s.entry;
  const children: TranslationRow[] = [
    row(`${ROOT}/shadow/root`, 'shadow root', s.root < 0 ? 'identity (paging off)' : `of guest root ${hex8(s.root)}`),
  ];
  if (e) children.push(row(`${ROOT}/shadow/entry`, 'shadow entry', `${hex8(e.gpaPage)} ${e.flags}`, { tooltip: `GPA page ${hex8(e.gpaPage)} → ${e.hostPage < 0 ? 'MMIO' : `HPA page ${hex8(e.hostPage)}`}, ${e.flags}; built from the guest PTEs at ${e.fromPtes.map(hex8).join(', ')}` }));
  if (s.guestLeaf) children.push(row(`${ROOT}/shadow/guest`, 'guest leaf', `${hex8(s.guestLeaf.pteGpa)} ${s.guestLeaf.flags}`, { tooltip: `The guest leaf PTE the shadow entry stands for, at GPA ${hex8(s.guestLeaf.pteGpa)}.` }));
  children.push(row(`${ROOT}/shadow/note`, 'note', s.note, { tooltip: s.note }));
  const desc = e ? `${e.hostPage < 0 ? 'MMIO' : `→ ${hex8(e.hostPage)}`} ${e.flags}` : 'no entry';
  return row(`${ROOT}/shadow`, 'Shadow', desc, {
    icon: 'mirror', children, expanded: true,
    tooltip: `The hypervisor's shadow entry for this page beside the guest leaf it shadows: ${s.note}`,
  });
}

function tlbRow(r: TranslateResult): TranslationRow {
  const t = r.tlb;
  return row(`${ROOT}/tlb`, 'TLB', `${t.hit ? 'hit' : 'miss'} · set ${t.set} way ${t.way}`, {
    icon: t.hit ? 'pass' : 'circle-outline',
    tooltip: `${t.hit ? 'A TLB hit: the combined mapping is cached' : `A TLB miss: a fill would replace way ${t.way} of set ${t.set}`} (tag ${t.tagName} ${t.tag}, guest ASID ${t.guestAsid}).`,
    children: [
      row(`${ROOT}/tlb/tag`, t.tagName, String(t.tag)),
      row(`${ROOT}/tlb/asid`, 'guest ASID', String(t.guestAsid)),
      row(`${ROOT}/tlb/set`, 'set', String(t.set)),
      row(`${ROOT}/tlb/way`, 'way', `${t.way}${t.hit ? '' : ' (next fill)'}`),
    ],
  });
}

/**
 * An exit's text (src/vm/hv/explain.ts) as a short row: the reason as label ("EPT_VIOLATION"), what
 * the hypervisor finds as description ("RAM", "not RAM", "MMIO at GPA 0x10000000"); the whole text
 * is the row's tooltip.
 */
export function splitExit(text: string): { reason: string; rest: string } {
  const t = text.trim();
  const reason = /^[A-Z_]+/.exec(t)?.[0] ?? t.split(':')[0];
  // What follows the reason's own parenthesis (the exit information) and its colon.
  let after = t.slice(reason.length).trimStart();
  if (after.startsWith('(')) {
    let depth = 0, i = 0;
    for (; i < after.length; i++) {
      if (after[i] === '(') depth++;
      else if (after[i] === ')' && --depth === 0) break;
    }
    after = after.slice(i + 1);
  }
  after = after.replace(/^[^:]*?:\s*/, '');
  // The first clause when it is short ("RAM", "not RAM"), and the KVM function that handles it.
  const clause = after.split(/[,;]/)[0].trim();
  const handler = /\(([a-z_]+)\)\s*$/.exec(after)?.[1];
  const parts = [clause.length <= 24 ? clause : undefined, handler].filter(Boolean);
  return { reason, rest: parts.length ? parts.join(' · ') : clause };
}

function exitsRow(r: TranslateResult): TranslationRow {
  // "none for the guest fault itself: …" says why a faulting access exits nowhere.
  const exits = r.exits.filter((e) => !/^none\b/.test(e));
  if (exits.length === 0) {
    return row(`${ROOT}/exits`, 'VM exits', r.exits.length ? 'none (guest fault)' : 'none', {
      tooltip: r.exits.length ? r.exits.join('\n') : 'The access completes in the guest: no VM exit.',
    });
  }
  const children = exits.map((e, i) => {
    const { reason, rest } = splitExit(e);
    return row(`${ROOT}/exits/${i}`, reason, rest || undefined, { tooltip: e, icon: 'debug-disconnect' });
  });
  return row(`${ROOT}/exits`, 'VM exits', exits.length === 1 ? splitExit(exits[0]).reason : `${exits.length}`, {
    icon: 'debug-disconnect', tooltip: exits.join('\n'), children, expanded: true,
  });
}

/**
 * What the user types in the "Translate an Address" box: a GVA (hex with 0x, or decimal) and
 * optionally r, w or x, as the console's `translate GVA [r|w|x]`. An error names what is wrong.
 */
export function parseAddressInput(text: string): EnteredAddress | { error: string } {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return { error: 'Enter a guest-virtual address, e.g. 0x00402000 (optionally followed by r, w or x)' };
  if (words.length > 2) return { error: `Too many words: an address and at most one of r, w, x (got "${text.trim()}")` };
  const [addr, kind] = words;
  if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(addr.replace(/_/g, ''))) return { error: `"${addr}" is not an address: write it in hex (0x00402000) or decimal` };
  const gva = Number(addr.replace(/_/g, ''));
  if (!Number.isSafeInteger(gva) || gva >= 2 ** 32) return { error: `${addr} is beyond the 32-bit guest-virtual space (at most 0xffffffff)` };
  if (kind !== undefined && !/^[rwx]$/i.test(kind)) return { error: `"${kind}" is not an access kind: r (read), w (write) or x (fetch)` };
  const access: AccessKind = kind === undefined || /^r$/i.test(kind) ? 'read' : /^w$/i.test(kind) ? 'write' : 'fetch';
  return { gva, access };
}

