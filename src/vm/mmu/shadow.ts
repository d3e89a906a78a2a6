// Shadow page tables (docs/machine.md "Two-stage translation"; KVM's arch/x86/kvm/mmu/mmu.c and paging_tmpl.h are
// the model): the hypervisor keeps GVA → HPA tables per guest root, filled on intercepted page
// faults. Each shadow entry remembers which guest PTEs it was derived from, so a guest write to one
// of them zaps exactly the entries it invalidates, and which guest page it maps, so that page can be
// write-protected when it turns out to hold page tables (KVM's rmap and gfn write tracking).

/** Root key for guests running with paging off: the identity shadow map. */
export const BARE_ROOT = -1;

interface ShadowEntry {
  root: number;
  vpn: number;
  gpaPage: number;
  /** Host page, or -1 for an MMIO page (every access exits). */
  hostPage: number;
  /** Leaf permission bits as installed (R/W/X/U/G/A/D); W is withheld for write-protected or clean pages. */
  flags: number;
  /** Guest-physical addresses of the guest PTEs this entry was derived from (empty for the identity map). */
  ptes: number[];
}

interface ShadowStats {
  /** Shadow entries dropped because what they derive from changed (KVM: mmu_shadow_zapped). */
  zapped: number;
  /** Guest writes to write-protected page-table pages that were emulated (KVM: mmu_pte_write). */
  pteWrites: number;
  /** Shadow entries installed (KVM: pf_fixed counts these too). */
  installed: number;
}

export class ShadowTables {
  /** Shadow tables by root: the guest root table's GPA (satp.PPN × 4096), or BARE_ROOT. */
  private readonly roots = new Map<number, Map<number, ShadowEntry>>();
  /** Guest pages known to hold page tables: their writes are intercepted. */
  private readonly protectedPages = new Set<number>();
  /** Reverse maps: guest PTE address → entries derived from it; guest page → entries mapping it. */
  private readonly byPte = new Map<number, Set<ShadowEntry>>();
  private readonly byGpaPage = new Map<number, Set<ShadowEntry>>();
  readonly stats: ShadowStats = { zapped: 0, pteWrites: 0, installed: 0 };

  constructor(private readonly onDrop: (vpn: number) => void) {}

  /** The processor's walk of the shadow table of `root`: the entry or undefined (a #PF exit). */
  lookup(root: number, vpn: number): ShadowEntry | undefined {
    return this.roots.get(root)?.get(vpn);
  }

  install(e: ShadowEntry): void {
    let table = this.roots.get(e.root);
    if (!table) { table = new Map(); this.roots.set(e.root, table); }
    const old = table.get(e.vpn);
    if (old) this.unlink(old);
    if (this.protectedPages.has(e.gpaPage)) e.flags &= ~4; // never writable while it holds page tables
    table.set(e.vpn, e);
    for (const p of e.ptes) addTo(this.byPte, p, e);
    addTo(this.byGpaPage, e.gpaPage, e);
    this.stats.installed++;
  }

  /** Marks guest page `gpaPage` as holding page tables: drops write access from entries mapping it. */
  protect(gpaPage: number): void {
    if (this.protectedPages.has(gpaPage)) return;
    this.protectedPages.add(gpaPage);
    for (const e of this.byGpaPage.get(gpaPage) ?? []) {
      if (e.flags & 4) { e.flags &= ~4; this.onDrop(e.vpn); }
    }
  }

  isProtected(gpaPage: number): boolean {
    return this.protectedPages.has(gpaPage);
  }

  /** A guest write to the PTE at `pteGpa` was emulated: zap every entry derived from it. */
  pteWritten(pteGpa: number): number {
    this.stats.pteWrites++;
    const derived = this.byPte.get(pteGpa);
    if (!derived) return 0;
    let n = 0;
    for (const e of [...derived]) { this.zap(e); n++; }
    return n;
  }

  /** INVLPG: drop the entry of `vpn` in `root`, or every entry of `root` when vpn is undefined. */
  invalidate(root: number, vpn: number | undefined): number {
    const table = this.roots.get(root);
    if (!table) return 0;
    const victims = vpn === undefined ? [...table.values()] : [table.get(vpn)].filter((e): e is ShadowEntry => !!e);
    for (const e of victims) this.zap(e);
    return victims.length;
  }

  /** Drops everything (reset, memslot change). */
  clear(): void {
    for (const table of this.roots.values()) for (const e of table.values()) this.onDrop(e.vpn);
    this.roots.clear();
    this.protectedPages.clear();
    this.byPte.clear();
    this.byGpaPage.clear();
  }

  /** Roots and their entry counts, for views. */
  summary(): { root: number; entries: number }[] {
    return [...this.roots].map(([root, t]) => ({ root, entries: t.size }));
  }

  entries(root: number): ShadowEntry[] {
    return [...(this.roots.get(root)?.values() ?? [])].sort((a, b) => a.vpn - b.vpn);
  }

  get protectedPageCount(): number { return this.protectedPages.size; }

  private zap(e: ShadowEntry): void {
    this.roots.get(e.root)?.delete(e.vpn);
    this.unlink(e);
    this.stats.zapped++;
    this.onDrop(e.vpn);
  }

  private unlink(e: ShadowEntry): void {
    for (const p of e.ptes) this.byPte.get(p)?.delete(e);
    this.byGpaPage.get(e.gpaPage)?.delete(e);
  }
}

function addTo<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  let s = m.get(k);
  if (!s) { s = new Set(); m.set(k, s); }
  s.add(v);
}
