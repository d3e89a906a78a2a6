// `hyperstep/state` (docs/debugging.md): one JSON snapshot of the machine for the extension's views — the
// interrupt routing hop by hop, the IOAPIC table, every LAPIC, exit statistics and the recent exit
// log, memslots, EPT/shadow summary, TLBs. Built from the models' state()/entry()/routes() views
// only: taking a snapshot never changes a device.
import type {
  ExitSnapshot, IoapicSnapshot, LapicSnapshot, PagingSnapshot, RedirectionEntrySnapshot, RouteSnapshot, StatePart, StateSnapshot, TlbSnapshot,
} from '../protocol';
import { parseRedirectionEntry, NestedPaging, ShadowPaging, KVM_STAT_NAMES, collectStatistics } from '../vm';
import type { Ioapic, ExitRecord } from '../vm';
import type { DebugRuntime } from './runtime';
import { privName } from './format';
import { hartInterrupts, routeVerdict, vectorPlace } from './route-status';

const DELIVERY_NAMES = ['fixed', 'lowest', 'smi', 'reserved', 'nmi', 'init', 'startup', 'extint'];
const EPT_LEAF_LIMIT = 512;

function entrySnapshot(low: number, high: number): RedirectionEntrySnapshot {
  const e = parseRedirectionEntry(low >>> 0, high >>> 0);
  return {
    low: low >>> 0, high: high >>> 0, vector: e.vector, deliveryMode: DELIVERY_NAMES[e.deliveryMode] ?? String(e.deliveryMode),
    destMode: e.destMode ? 'logical' : 'physical', deliveryStatus: e.deliveryStatus, polarity: e.polarity ? 'low' : 'high',
    remoteIrr: e.remoteIrr === 1, trigMode: e.trigMode ? 'level' : 'edge', masked: e.mask === 1, destination: e.destination,
  };
}

function exitSnapshot(r: ExitRecord, vcpu?: number): ExitSnapshot {
  return { ...(vcpu !== undefined ? { vcpu } : {}), ...r };
}

/** The vCPUs a redirection entry addresses now (the APIC bus's own destination logic). */
function destinationsOf(rt: DebugRuntime, ioapic: Ioapic, gsi: number): number[] {
  const router = rt.view.router;
  if (!router) return [];
  const e = ioapic.entry(gsi);
  const targets = router.targets({
    vector: e.vector, deliveryMode: e.deliveryMode, destMode: e.destMode, destination: e.destination, trigMode: e.trigMode,
    level: true, shorthand: 0, sourceApic: -1, source: `ioapic pin ${gsi}`, gsi,
  });
  return targets.map((l) => l.state().index);
}

/** A fixed-delivery vector below 16 is reserved (SDM Vol. 3A §11.5.2): the LAPIC rejects it. */
function reservedVector(entry: RedirectionEntrySnapshot | undefined): string | undefined {
  return entry && entry.deliveryMode === 'fixed' && entry.vector < 16 ? `vector ${entry.vector} is reserved (< 16)` : undefined;
}

export function routing(rt: DebugRuntime): RouteSnapshot[] {
  const ioapic = rt.view.ioapic;
  const out: RouteSnapshot[] = [];
  const pins = ioapic?.state().pins;
  const lapics = lapicSnapshots(rt);
  const add = (r: Omit<RouteSnapshot, 'entry' | 'destinations' | 'blockedBy' | 'status'>, configBlock?: string): void => {
    const pin = pins?.[r.gsi];
    const entry = pin ? entrySnapshot(pin.low, pin.high) : undefined;
    const destinations = ioapic ? destinationsOf(rt, ioapic, r.gsi) : [];
    const msi = r.msi?.enabled ? r.msi : undefined;
    const vector = msi ? msi.vector : entry?.vector;
    const dests = msi ? lapics.filter((l) => l.id === msi.destination).map((l) => l.vcpu) : destinations;
    const place = vectorPlace(vector, dests, lapics);
    const closed = dests.map((d) => rt.machine.vcpus[d]).filter((v) => v !== undefined).map((v) => hartInterrupts(v).closedBy).find((c) => c !== undefined);
    const ioBlock = ioapic?.blockedBy(r.gsi);
    const verdict = routeVerdict({
      lineAsserted: msi ? r.msi?.pending === true : r.lineAsserted, ioapicBlock: msi ? undefined : ioBlock, configBlock: msi ? undefined : configBlock,
      reservedVector: msi ? undefined : reservedVector(entry), place, hartClosed: closed,
    });
    const note = [r.note, verdict.note].filter(Boolean).join('; ');
    out.push({ ...r, ...(entry ? { entry } : {}), destinations, ...verdict, ...(note ? { note } : {}) });
  };
  for (const p of rt.view.pci?.routes() ?? []) {
    const msi = p.msi ? {
      ...p.msi, vector: p.msi.data & 0xff, destination: (p.msi.address >>> 12) & 0xff,
    } : undefined;
    const blockedBy = p.intxDisabled && !p.msi?.enabled ? 'INTx disabled' : undefined;
    const note = p.msi?.enabled ? 'MSI enabled: INTx not used' : undefined;
    add({ device: p.device, bdf: p.bdf, slot: p.slot, pin: p.pin, pirq: p.pirq, gsi: p.gsi, asserted: p.asserted, lineAsserted: p.lineAsserted, ...(msi ? { msi } : {}), ...(note ? { note } : {}) }, blockedBy);
  }
  if (ioapic) {
    const line = (gsi: number): boolean => ioapic.lineLevel(gsi);
    add({ device: 'uart', gsi: 4, asserted: line(4), lineAsserted: line(4) });
    // Any other GSI that is asserted now (the IRQ test device, the console's `irq` command).
    for (let gsi = 0; gsi < 24; gsi++) {
      if (gsi === 4 || out.some((r) => r.gsi === gsi) || !line(gsi)) continue;
      add({ device: 'testdev/console', gsi, asserted: true, lineAsserted: true });
    }
  }
  return out;
}

export function ioapicSnapshot(rt: DebugRuntime): IoapicSnapshot | undefined {
  const ioapic = rt.view.ioapic;
  if (!ioapic) return undefined;
  const s = ioapic.state();
  let lapicCache: LapicSnapshot[] | undefined;
  const lapics = (): LapicSnapshot[] => (lapicCache ??= lapicSnapshots(rt));
  return {
    placement: rt.view.irqchip === 'kernel' || rt.view.irqchip === undefined ? 'kernel' : 'vmm', version: s.version, id: s.id, ioRegSel: s.ioRegSel,
    pins: s.pins.map((p) => {
      const entry = entrySnapshot(p.low, p.high);
      let blocked = ioapic.blockedBy(p.gsi);
      let note: string | undefined;
      if (blocked === 'remote-irr' && vectorPlace(entry.vector, destinationsOf(rt, ioapic, p.gsi), lapics())) {
        blocked = undefined;
        note = 'delivered, awaiting EOI';
      }
      return { gsi: p.gsi, line: p.line, entry, ...(blocked && blocked !== 'line-low' ? { blockedBy: blocked } : {}), ...(note ? { note } : {}) };
    }),
  };
}

export function lapicSnapshots(rt: DebugRuntime): LapicSnapshot[] {
  const placement = rt.view.irqchip === 'userspace' ? 'vmm' : 'kernel';
  return (rt.view.lapics ?? []).map((l, i) => {
    const s = l.state();
    return {
      vcpu: i, placement, id: s.id, tpr: s.tpr, ppr: s.ppr, ldr: s.ldr, dfr: s.dfr, svr: s.svr, softwareEnabled: s.softwareEnabled,
      irr: s.irr, isr: s.isr, tmr: s.tmr, icrLow: s.icrLow, icrHigh: s.icrHigh, lvt: s.lvt, highestDeliverable: s.highestDeliverable,
      timer: {
        initialCount: s.timer.initialCount, currentCount: s.timer.currentCount, divideConfig: s.timer.divideConfig, periodic: s.timer.periodic,
        ...(s.timer.nextDeadline !== undefined ? { nextDeadline: s.timer.nextDeadline } : {}),
      },
    };
  });
}

export function pagingSnapshot(rt: DebugRuntime, limit = EPT_LEAF_LIMIT): PagingSnapshot {
  const p = rt.machine.vm.paging;
  if (p instanceof NestedPaging) {
    const leaves = p.tables.leaves();
    return { mode: p.mode, eptLeaves: leaves.slice(0, limit), eptLeafCount: leaves.length, truncated: leaves.length > limit };
  }
  return { mode: 'shadow', shadowRoots: (p as ShadowPaging).tables.summary() };
}

export function tlbSnapshots(rt: DebugRuntime): TlbSnapshot[] {
  return rt.machine.vcpus.map((v) => ({
    vcpu: v.id, vpid: v.vpid, size: v.tlb.size, entries: v.tlb.entries(),
    stats: { ...v.tlb.stats, hits: v.tlb.stats.hits + v.cpu.fastHits },
    ...(rt.machine.vm.config.mmu === 'shadow' ? {} : { gpaCache: { size: v.gpaCache.size, ways: v.gpaCache.ways, entries: v.gpaCache.entries() } }),
  }));
}

export function buildState(rt: DebugRuntime, parts?: readonly StatePart[]): StateSnapshot {
  const m = rt.machine, vm = m.vm;
  const want = (p: StatePart): boolean => !parts || parts.length === 0 || parts.includes(p);
  const s: StateSnapshot = {
    steps: m.steps, cycles: m.cycles(), instructions: m.instructions(), mmu: vm.config.mmu, vpid: vm.config.vpid,
    ...(rt.view.irqchip ? { irqchip: rt.view.irqchip } : {}),
  };
  if (want('routing')) s.routing = routing(rt);
  if (want('ioapic')) { const io = ioapicSnapshot(rt); if (io) s.ioapic = io; }
  if (want('lapics')) s.lapics = lapicSnapshots(rt);
  const stats = collectStatistics(m);
  if (want('exits')) {
    const kvm: Record<string, number> = {};
    for (const n of KVM_STAT_NAMES) kvm[n] = vm.stats[n];
    s.exits = { byReason: stats.exits, vmm: stats.vmmExits, kvm, recent: vm.exitLog.map((r) => exitSnapshot(r)), mmio: stats.mmio };
  }
  if (want('memory')) s.memory = { memslots: vm.memslots.map((x) => ({ ...x })), paging: pagingSnapshot(rt) };
  if (want('tlb')) s.tlb = tlbSnapshots(rt);
  if (want('vcpus')) {
    s.vcpus = m.vcpus.map((v) => ({
      id: v.id, pc: v.cpu.pc >>> 0, priv: privName(v.cpu.priv), halted: v.cpu.halted, instret: v.cpu.instret, cycles: v.cpu.cycles(),
      ...(v.lastExit ? { lastExit: exitSnapshot(v.lastExit, v.id) } : {}), interrupts: hartInterrupts(v),
    }));
  }
  if (want('interrupts')) s.interrupts = stats.interrupts;
  return s;
}
