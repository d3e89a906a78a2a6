// Sv32 stage-1 translation (RISC-V privileged spec 1.12 §4.3): GVA → GPA through the guest's page
// tables. The walker is an object with preallocated result fields so a walk allocates nothing, and
// the last walk stays observable (the debugger's Translation scope, docs/machine.md).
import { Access } from '../cpu/port';
import { Cause, Priv } from '../cpu/csr';

export const PTE_V = 1 << 0, PTE_R = 1 << 1, PTE_W = 1 << 2, PTE_X = 1 << 3, PTE_U = 1 << 4,
  PTE_G = 1 << 5, PTE_A = 1 << 6, PTE_D = 1 << 7;

/** How the walker reaches guest-physical memory for page-table entries. */
export interface PteMemory {
  /**
   * Host byte offset of the 32-bit word at guest-physical `gpa`, or -1 when `gpa` is not RAM
   * (an access fault for the walk). Under EPT this is where a walk's own accesses go through stage 2.
   */
  pteHost(gpa: number): number;
  readonly i32: Int32Array;
  /** The walker sets A/D: write `pte` at host offset `host`, keeping checkpoints and caches coherent. */
  pteWrite(host: number, pte: number): void;
}

const FAULT_FOR = [Cause.LoadPageFault, Cause.StorePageFault, Cause.InsnPageFault];
const ACCESS_FAULT_FOR = [Cause.LoadAccessFault, Cause.StoreAccessFault, Cause.InsnAccessFault];

export class Sv32Walker {
  /** Result of the last successful walk. */
  gpa = 0;
  /** PTE permission bits of the leaf (R/W/X/U/G/A/D). */
  leafFlags = 0;
  /** 4 KiB page (0) or 4 MiB megapage (1). */
  leafLevel = 0;
  /** Exception cause of the last failed walk. */
  cause = 0;
  /** The steps of the last walk: guest-physical PTE address and PTE value at each level. */
  readonly stepPteGpa = new Float64Array(2);
  readonly stepPte = new Int32Array(2);
  steps = 0;
  /** Statistics: walks and PTE references (for the cost model). */
  walks = 0;
  pteRefs = 0;

  /**
   * Walks `va`. Returns true with `gpa` set, or false with `cause` set.
   * `priv` is the effective privilege (MPRV applied), `sum` and `mxr` the mstatus bits.
   */
  walk(mem: PteMemory, satp: number, va: number, access: Access, priv: Priv, sum: boolean, mxr: boolean): boolean {
    this.walks++;
    return this.levels(mem, satp, va, access, priv, sum, mxr, false);
  }

  /**
   * The same walk without side effects, for a debugger (KVM_TRANSLATE): no A/D update, no
   * counters, no permission check (the leaf's flags say what the guest may do). On failure
   * `fault` says why: the PTE is not in RAM, not valid, or a misaligned or too-high superpage.
   */
  probe(mem: PteMemory, satp: number, va: number): boolean {
    return this.levels(mem, satp, va, Access.Read, Priv.S, true, true, true);
  }

  /** Why the last probe failed. */
  fault: 'not-ram' | 'invalid' | 'permission' | 'misaligned' | 'beyond' | 'no-leaf' | undefined;

  private levels(mem: PteMemory, satp: number, va: number, access: Access, priv: Priv, sum: boolean, mxr: boolean, probe: boolean): boolean {
    this.steps = 0;
    this.fault = undefined;
    let table = (satp & 0x3fffff) * 4096; // PPN × PAGESIZE; up to 34 bits, so a float
    for (let level = 1; level >= 0; level--) {
      const vpn = level === 1 ? va >>> 22 : (va >>> 12) & 0x3ff;
      const pteGpa = table + vpn * 4;
      const host = pteGpa < 2 ** 32 ? mem.pteHost(pteGpa) : -1;
      if (!probe) this.pteRefs++;
      if (host < 0) { this.fault = 'not-ram'; this.cause = ACCESS_FAULT_FOR[access]; return false; }
      let pte = mem.i32[host >> 2];
      this.stepPteGpa[this.steps] = pteGpa;
      this.stepPte[this.steps] = pte;
      this.steps++;
      if (!(pte & PTE_V) || (!(pte & PTE_R) && (pte & PTE_W))) return this.pageFault(access, 'invalid');
      if (!(pte & (PTE_R | PTE_X))) { // pointer to the next level
        table = (pte >>> 10) * 4096;
        continue;
      }
      if (!probe && !permitted(pte, access, priv, sum, mxr)) return this.pageFault(access, 'permission');
      const ppn = pte >>> 10;
      if (level === 1 && (ppn & 0x3ff) !== 0) return this.pageFault(access, 'misaligned'); // misaligned superpage (§4.3.2 step 6)
      // A/D are updated by the walker, as QEMU does (§4.3.2 step 7, the hardware-update option).
      const ad = PTE_A | (access === Access.Write ? PTE_D : 0);
      if ((pte & ad) !== ad && !probe) {
        pte |= ad;
        mem.pteWrite(host, pte);
      }
      const page = level === 1 ? (ppn & ~0x3ff) | ((va >>> 12) & 0x3ff) : ppn;
      if (page >= 1 << 20) { this.fault = 'beyond'; this.cause = ACCESS_FAULT_FOR[access]; return false; } // beyond 32-bit physical space
      this.gpa = ((page << 12) | (va & 0xfff)) >>> 0;
      this.leafFlags = pte & 0xff;
      this.leafLevel = level;
      return true;
    }
    return this.pageFault(access, 'no-leaf');
  }

  private pageFault(access: Access, why: Sv32Walker['fault']): boolean {
    this.fault = why;
    this.cause = FAULT_FOR[access];
    return false;
  }
}

/** Leaf permission check (§4.3.1, §4.3.2 step 5). */
function permitted(pte: number, access: Access, priv: Priv, sum: boolean, mxr: boolean): boolean {
  if (priv === Priv.U) {
    if (!(pte & PTE_U)) return false;
  } else if (pte & PTE_U) {
    // S-mode may read/write user pages only with SUM, and may never execute them.
    if (access === Access.Fetch || !sum) return false;
  }
  switch (access) {
    case Access.Fetch: return (pte & PTE_X) !== 0;
    case Access.Write: return (pte & PTE_W) !== 0;
    default: return (pte & PTE_R) !== 0 || (mxr && (pte & PTE_X) !== 0);
  }
}
