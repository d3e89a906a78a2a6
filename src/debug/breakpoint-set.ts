// The breakpoints a debug session holds, and where they are planted in the machine (one of the
// three pieces of the runtime over the debug port: run control in runtime.ts, breakpoints here,
// reverse execution in reverse.ts; docs/debugging.md "Inside the runtime").
//
// Code breakpoints are by guest-virtual address; the port plants them on the host "word" (the host
// byte offset of the instruction, any halfword with the C extension) each vCPU's translation maps
// that address to, so a breakpoint reaches every vCPU whatever its page tables.
// A word can be wanted by several owners at once: the user, a temporary breakpoint of a step, the
// entry of an interrupt handler, an "as soon as possible" stop. It stays planted while any wants it.
import type { EventFilterId } from '../protocol';
import type { DebugPort } from '../vm/debug-port';
import { CodeBreakpoint, DataBreakpoint, EventFilterBreakpoint } from './breakpoints';
import { hex } from './format';

type PlantOwner = 'user' | 'temp' | 'handler' | 'asap';

export class BreakpointSet {
  readonly code = { source: new Map<string, CodeBreakpoint[]>(), function: [] as CodeBreakpoint[], instruction: [] as CodeBreakpoint[] };
  data: DataBreakpoint[] = [];
  readonly filters = new Map<EventFilterId, EventFilterBreakpoint>();
  /** Host words (instruction offsets) with a breakpoint planted, and who wants each. */
  private readonly planted = new Map<number, Set<PlantOwner>>();

  constructor(private readonly port: DebugPort) {}

  allCode(): CodeBreakpoint[] {
    return [...[...this.code.source.values()].flat(), ...this.code.function, ...this.code.instruction];
  }

  /** The host word vCPU `vcpu` fetches `address` from now, or -1. */
  wordOf(vcpu: number, address: number): number {
    return vcpu >= 0 && vcpu < this.port.vcpuCount ? this.port.wordOf(vcpu, address) : -1;
  }

  /** Is a breakpoint (any owner's) planted on this word? */
  isPlanted(word: number): boolean {
    return this.planted.has(word);
  }

  plant(word: number, owner: PlantOwner): void {
    let owners = this.planted.get(word);
    if (!owners) {
      owners = new Set();
      this.planted.set(word, owners);
      this.port.insertBreakpoint(word);
    }
    owners.add(owner);
  }

  unplant(word: number, owner: PlantOwner): void {
    const owners = this.planted.get(word);
    if (!owners) return;
    owners.delete(owner);
    if (owners.size === 0) {
      this.planted.delete(word);
      this.port.removeBreakpoint(word);
    }
  }

  /** Plants exactly the user's code breakpoints (after any change, and before running: translations may have changed). */
  syncCode(): void {
    const want = new Set<number>();
    for (const bp of this.allCode()) {
      if (bp.address === undefined) continue;
      for (let id = 0; id < this.port.vcpuCount; id++) {
        const w = this.port.wordOf(id, bp.address);
        if (w >= 0) want.add(w);
      }
    }
    for (const [w, owners] of [...this.planted]) if (owners.has('user') && !want.has(w)) this.unplant(w, 'user');
    for (const w of want) this.plant(w, 'user');
  }

  /** Resolves and watches data breakpoints' RAM (device registers are matched on MMIO events). */
  syncData(): void {
    const port = this.port;
    let changed = false;
    for (const bp of this.data) {
      if (bp.host !== undefined) { port.watch(bp.host, bp.target.size, false); bp.host = undefined; changed = true; }
    }
    for (const bp of this.data) {
      const t = bp.target;
      if (t.space === 'mmio') { bp.gpa = t.address; continue; }
      const gpa = t.space === 'gpa' ? t.address : port.translate(0, t.address, 'read').gpa;
      bp.gpa = gpa;
      const h = gpa === undefined ? -1 : port.hostOf(gpa);
      if (h < 0 || port.hostOf(gpa! + t.size - 1) !== h + t.size - 1) {
        bp.verified = false;
        bp.message = gpa === undefined ? `${hex(t.address)} does not translate now` : `GPA ${hex(gpa)} is not RAM`;
        continue;
      }
      bp.host = h;
      port.watch(h, t.size, true);
      changed = true;
    }
    // Watched pages must leave the CPUs' fast tables so their accesses take the reporting path.
    if (changed) port.flushFastPaths();
  }

  /** Runs `f` with the breakpoint on `word` lifted (if one is planted there). */
  withoutWord<T>(word: number, f: () => T): T {
    const owners = this.planted.get(word);
    if (owners) this.port.removeBreakpoint(word);
    try {
      return f();
    } finally {
      if (owners) this.port.insertBreakpoint(word);
    }
  }

  /** Lifts every planted word while `f` re-executes (reverse scans must not stop on them). */
  lifted<T>(f: () => T): T {
    const words = [...this.planted.keys()];
    for (const w of words) this.port.removeBreakpoint(w);
    try {
      return f();
    } finally {
      for (const w of words) this.port.insertBreakpoint(w);
    }
  }
}
