// Builds Sv32 page tables in guest RAM for tests (privileged spec 1.12 §4.3: two levels of 1024
// four-byte PTEs; a leaf at level 1 is a 4 MiB megapage).
import { PTE_V } from '../../../src/vm/mmu/sv32';
import type { Rig } from '../cpu/harness';

export { PTE_A, PTE_D, PTE_G, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X } from '../../../src/vm/mmu/sv32';

/** satp for Sv32 with `root` (a guest-physical page address) and `asid`. */
export function satpOf(root: number, asid = 0): number {
  return (0x80000000 | ((asid & 0x1ff) << 22) | (root >>> 12)) >>> 0;
}

/** A PTE pointing at guest-physical `pa` with `flags` (V is not implied). */
export function pte(pa: number, flags: number): number {
  return (((pa >>> 12) << 10) | flags) >>> 0;
}

export class PageTables {
  private next: number;

  /** `root` and the tables allocated after `tableArea` are zeroed as they are taken. */
  constructor(private readonly rig: Rig, readonly root: number, tableArea: number) {
    this.next = tableArea;
    this.zero(root);
  }

  satp(asid = 0): number { return satpOf(this.root, asid); }

  /** A 4 MiB leaf at level 1 (V added). */
  mapMega(va: number, pa: number, flags: number): void {
    this.rig.write32(this.l1Addr(va), pte(pa, flags | PTE_V));
  }

  /** A 4 KiB leaf at level 0 (V added), allocating the level-0 table if needed. */
  map4k(va: number, pa: number, flags: number): void {
    this.rig.write32(this.l0Addr(va), pte(pa, flags | PTE_V));
  }

  /** Writes a raw level-0 entry (for reserved encodings and invalid entries). */
  setL0(va: number, raw: number): void {
    this.rig.write32(this.l0Addr(va), raw);
  }

  /** Guest-physical address of the level-1 entry of `va`. */
  l1Addr(va: number): number { return this.root + (va >>> 22) * 4; }

  /** Guest-physical address of the level-0 entry of `va` (allocating its table). */
  l0Addr(va: number): number {
    const l1 = this.l1Addr(va);
    let e = this.rig.read32(l1);
    if (!(e & PTE_V)) {
      const table = this.next;
      this.next += 4096;
      this.zero(table);
      e = pte(table, PTE_V);
      this.rig.write32(l1, e);
    }
    return (e >>> 10) * 4096 + ((va >>> 12) & 0x3ff) * 4;
  }

  /** The leaf PTE of `va` as it is now in memory (a megapage's level-1 entry, else level 0). */
  leaf(va: number): number {
    const e = this.rig.read32(this.l1Addr(va));
    if (e & 0xe) return e;
    return this.rig.read32((e >>> 10) * 4096 + ((va >>> 12) & 0x3ff) * 4);
  }

  private zero(page: number): void {
    for (let i = 0; i < 4096; i += 4) this.rig.write32(page + i, 0);
  }
}
