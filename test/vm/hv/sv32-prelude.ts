// The M-mode start of the guests that test translation under a hypervisor (EPT, NPT, shadow paging):
// write Sv32 tables with stores (L1 at 0x80010000, L0 at 0x80011000, L1[0x200] pointing at L0), load
// satp and mret to `s_entry` in S. Privileged spec 1.12 §4.3: two levels of 1024 four-byte PTEs; a
// level-1 leaf is a 4 MiB megapage.
import { PTE_A, PTE_D, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X, pte, satpOf } from '../mmu/pagetable';

export const SV32_L1 = 0x80010000, SV32_L0 = 0x80011000;
/** The L1 index whose 4 MiB the L0 table maps: 0x80000000–0x803fffff. */
const L0_SPAN = 0x200;

/** A leaf: `va` → `pa` with permissions like 'rx', 'rw', 'rwx', 'rxu'; A and D set. */
export interface Sv32Leaf {
  va: number;
  pa?: number;
  perms: string;
  /** A 4 MiB megapage (in L1) rather than a 4 KiB page (in L0, which covers 0x80000000–0x803fffff). */
  mega?: boolean;
  /** What the page is, for the line's comment. */
  what?: string;
}

export interface Sv32PreludeOptions {
  asid?: number;
  /** M-mode code that runs after the tables are written and before satp is loaded. */
  beforeSatp?: string;
}

const PERM_BITS: Record<string, number> = { r: PTE_R, w: PTE_W, x: PTE_X, u: PTE_U };
const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;
const line = (op: string, args: string, comment?: string): string =>
  `        ${op.padEnd(8)}${comment ? `${args.padEnd(24)}# ${comment}` : args}`.trimEnd();

function leafPte(leaf: Sv32Leaf): number {
  const bits = [...leaf.perms].reduce((acc, c) => {
    const bit = PERM_BITS[c];
    if (bit === undefined) throw new Error(`Sv32Leaf ${hex(leaf.va)}: unknown permission '${c}' in '${leaf.perms}'`);
    return acc | bit;
  }, PTE_V | PTE_A | PTE_D);
  return pte(leaf.pa ?? leaf.va, bits);
}

/** Stores `value` at `offset` from the table base in t0 (t2 carries an offset past sw's 12 bits). */
function store(table: number, offset: number, value: number, comment: string): string[] {
  const out = [line('li', `t1, ${hex(value)}`, comment)];
  if (offset < 2048) return [...out, line('sw', `t1, ${hex(offset)}(t0)`)];
  return [...out, line('li', `t2, ${hex(table + offset)}`), line('sw', 't1, 0(t2)')];
}

/** M-mode code writing the tables: the megapages and the L0 pointer in L1, then the pages in L0. */
export function sv32Tables(leaves: readonly Sv32Leaf[]): string {
  const out = [line('li', `t0, ${hex(SV32_L1)}`)];
  const l1 = [...leaves.filter((l) => l.mega).map((l) => ({ index: l.va >>> 22, value: leafPte(l), l })),
    { index: L0_SPAN, value: pte(SV32_L0, PTE_V), l: undefined }].sort((a, b) => a.index - b.index);
  for (const { index, value, l } of l1) {
    const comment = l ? `L1[${hex(index)}]: megapage at ${hex(l.pa ?? l.va)}${l.what ? ` (${l.what})` : ''}, ${l.perms.toUpperCase()}`
      : `L1[${hex(index)}]: pointer to the L0 table`;
    out.push(...store(SV32_L1, index * 4, value, comment));
  }
  out.push(line('li', `t0, ${hex(SV32_L0)}`));
  for (const l of leaves.filter((x) => !x.mega)) {
    if (l.va >>> 22 !== L0_SPAN) throw new Error(`Sv32Leaf ${hex(l.va)}: outside the 4 MiB the L0 table maps`);
    const index = (l.va >>> 12) & 0x3ff;
    out.push(...store(SV32_L0, index * 4, leafPte(l), `L0[${hex(index)}]: ${l.what ?? hex(l.pa ?? l.va)}, ${l.perms.toUpperCase()}`));
  }
  return out.join('\n');
}

/** The tables, then satp (Sv32, `asid`, root L1), mstatus.MPP = S and mret to `s_entry`. */
export function sv32Prelude(leaves: readonly Sv32Leaf[], options: Sv32PreludeOptions = {}): string {
  const asid = options.asid ?? 0;
  return [
    sv32Tables(leaves),
    ...(options.beforeSatp ? [options.beforeSatp.replace(/^\n+|\n+$/g, '')] : []),
    line('li', `t0, ${hex(satpOf(SV32_L1, asid))}`, `Sv32, ASID ${asid}, root ${hex(SV32_L1)}`),
    line('csrw', 'satp, t0'),
    line('li', 't0, 1 << 11', 'mstatus.MPP = S'),
    line('csrw', 'mstatus, t0'),
    line('la', 't0, s_entry'),
    line('csrw', 'mepc, t0'),
    line('mret', ''),
  ].join('\n');
}
