// The Interrupt timeline's geometry, as pure functions (no DOM, no vscode), so the webview script
// draws what these compute and unit tests check it (docs/extension.md, "Interrupt timeline").
//
// The picture: one horizontal swimlane per place an interrupt passes through — the devices, the
// PCI host bridge, the IOAPIC (labelled "kernel" or "VMM" by irqchip mode), each LAPIC and each
// vCPU (docs/interrupt-provenance.md) — and, for every hop of every chain, one vertical arrow at
// the hop's cycle from the lane the interrupt was in to the lane the hop brings it to. A hop that
// stays in its lane (an IRR bit set, a handler entered) is a dot on that lane.
import type { HopLayer, InterruptChain, InterruptHop, IrqchipMode } from '../../protocol';

type LaneKey = 'device' | 'bridge' | 'ioapic' | `lapic:${number}` | `vcpu:${number}`;

interface Lane {
  readonly key: LaneKey;
  readonly label: string;
  /** Where the model lives in this irqchip mode ("kernel" | "VMM"), for the IOAPIC and LAPICs. */
  readonly placement?: 'kernel' | 'VMM';
}

/** The lanes of a machine with `vcpus` vCPUs under `irqchip` (in path order: device → vCPU). */
export function lanesFor(irqchip: IrqchipMode | undefined, vcpus: number): Lane[] {
  const mode = irqchip ?? 'kernel';
  // kernel: IOAPIC and LAPICs in the hypervisor; split: IOAPIC in the VMM, LAPICs in the
  // hypervisor; userspace: both in the VMM (docs/interrupt-controllers.md).
  const ioapic = mode === 'kernel' ? 'kernel' : 'VMM';
  const lapic = mode === 'userspace' ? 'VMM' : 'kernel';
  const lanes: Lane[] = [
    { key: 'device', label: 'Devices' },
    { key: 'bridge', label: 'PCI host bridge' },
    { key: 'ioapic', label: `IOAPIC · ${ioapic}`, placement: ioapic },
  ];
  const n = Math.max(1, Math.floor(vcpus));
  for (let i = 0; i < n; i++) lanes.push({ key: `lapic:${i}`, label: `LAPIC ${i} · ${lapic}`, placement: lapic });
  for (let i = 0; i < n; i++) lanes.push({ key: `vcpu:${i}`, label: `vCPU ${i}` });
  return lanes;
}

/** The vCPU count the lanes need: the machine's, or more if a hop names a higher vCPU. */
export function vcpuCount(chains: readonly InterruptChain[], machineVcpus = 1): number {
  let n = Math.max(1, machineVcpus);
  for (const c of chains) for (const h of c.hops) n = Math.max(n, h.vcpu + 1);
  return n;
}

type Place = 'device' | 'bridge' | 'ioapic' | 'lapic' | 'vcpu';

/**
 * Where each hop kind takes the interrupt from and to (the event names of
 * docs/interrupt-provenance.md): 'here' is wherever the previous hop left it. A hop whose two
 * ends are one place is drawn as a dot on that lane.
 */
const FLOW: Readonly<Record<string, readonly [Place | 'here', Place]>> = {
  'nic': ['device', 'device'],
  'pci-intx': ['device', 'bridge'],
  'pci-msi': ['device', 'bridge'],
  'irq-line': ['here', 'ioapic'],
  'ioapic-entry': ['ioapic', 'ioapic'],
  'ioapic-deliver': ['ioapic', 'ioapic'],
  'msi': ['here', 'lapic'],
  'apic-route': ['here', 'lapic'],
  'ipi': ['vcpu', 'lapic'],
  'timer-fire': ['lapic', 'lapic'],
  'lapic-accept': ['lapic', 'lapic'],
  'lapic-ack': ['lapic', 'vcpu'],
  'interrupt-taken': ['vcpu', 'vcpu'],
  'lapic-eoi': ['vcpu', 'lapic'],
  'eoi-broadcast': ['lapic', 'ioapic'],
  'exit': ['vcpu', 'vcpu'],
};

/** Where a chain starts, by its source kind, before its first hop. */
function sourcePlace(chain: InterruptChain): Place {
  switch (chain.sourceKind) {
    case 'timer': return 'lapic';
    case 'ipi': return 'vcpu';
    default: return 'device';
  }
}

function flowOf(hop: InterruptHop, here: Place): readonly [Place | 'here', Place] {
  const known = FLOW[hop.kind];
  if (known) {
    // A line rises from the host bridge for a PCI INTx, straight from the device otherwise.
    if (hop.kind === 'irq-line' && here !== 'bridge') return ['device', 'ioapic'];
    return known;
  }
  // An event this table does not name: a device-side hop is at the device, a guest one at the
  // vCPU; a VMM or kernel hop leaves the interrupt where it was.
  return ['here', hop.layer === 'device' ? 'device' : hop.layer === 'guest' ? 'vcpu' : here];
}

/**
 * The vCPU a LAPIC/vCPU lane of hop `i` refers to: its own, else the nearest hop after (then
 * before) it that names one, else 0. An APIC bus route is stamped with the sender's vCPU, so its
 * destination comes from the hops after it.
 */
function vcpuOf(hops: readonly InterruptHop[], i: number, skipSelf = false): number {
  for (let j = skipSelf ? i + 1 : i; j < hops.length; j++) if (hops[j].vcpu >= 0 && hops[j].kind !== 'apic-route') return hops[j].vcpu;
  for (let j = i - 1; j >= 0; j--) if (hops[j].vcpu >= 0) return hops[j].vcpu;
  return 0;
}

function laneKey(place: Place, vcpu: number): LaneKey {
  return place === 'lapic' ? `lapic:${vcpu}` : place === 'vcpu' ? `vcpu:${vcpu}` : place;
}

/** One hop as drawn: from a lane to a lane at its cycle. */
interface HopArrow {
  readonly chainId: number;
  readonly hopIndex: number;
  readonly cycle: number;
  readonly vcpu: number;
  readonly from: LaneKey;
  readonly to: LaneKey;
  readonly layer: HopLayer;
  readonly kind: string;
  readonly text: string;
}

/** Every hop of `chain` as an arrow (one per hop, in hop order). */
export function chainArrows(chain: InterruptChain): HopArrow[] {
  let place = sourcePlace(chain);
  let lane = laneKey(place, vcpuOf(chain.hops, 0));
  return chain.hops.map((hop, i) => {
    const [fromPlace, toPlace] = flowOf(hop, place);
    const from = fromPlace === 'here' ? lane : laneKey(fromPlace, vcpuOf(chain.hops, i));
    const to = laneKey(toPlace, vcpuOf(chain.hops, i, hop.kind === 'apic-route'));
    place = toPlace;
    lane = to;
    return { chainId: chain.id, hopIndex: i, cycle: hop.cycle, vcpu: hop.vcpu, from, to, layer: hop.layer, kind: hop.kind, text: hop.text };
  });
}

/** A half-open range of cycles [start, end), the part of time the picture shows. */
export interface CycleRange {
  readonly start: number;
  readonly end: number;
}

/** The smallest range the view allows (zooming in further shows nothing more). */
export const MIN_SPAN = 20;

/** Every hop of `chains` and the current cycle, with a margin on both sides. */
export function fitRange(chains: readonly InterruptChain[], current?: number): CycleRange {
  let lo = Infinity, hi = -Infinity;
  for (const c of chains) for (const h of c.hops) {
    lo = Math.min(lo, h.cycle);
    hi = Math.max(hi, h.cycle);
  }
  if (current !== undefined) {
    lo = Math.min(lo, current);
    hi = Math.max(hi, current);
  }
  if (!Number.isFinite(lo)) return { start: 0, end: 1000 };
  return padded(lo, hi);
}

/** The most recent chain's hops (and the current cycle when it is near them). */
export function latestRange(chains: readonly InterruptChain[], current?: number): CycleRange {
  const last = [...chains].reverse().find((c) => c.hops.length > 0);
  if (!last) return fitRange([], current);
  const r = fitRange([last]);
  // Keep the "now" marker in the picture when it is within one span of the chain's end.
  if (current !== undefined && current >= r.start && current - r.end < r.end - r.start) return fitRange([last], current);
  return r;
}

/**
 * A chain's path to the handler's first instruction (its whole span if never taken), from the
 * packet the device took — not from the time the packet waited in the VMM's net queue before, which
 * can be far longer than the path itself.
 */
export function pathRange(chain: InterruptChain): CycleRange {
  const taken = chain.hops.findIndex((h) => h.kind === 'interrupt-taken');
  const hops = taken >= 0 ? chain.hops.slice(0, taken + 1) : chain.hops;
  let first = 0;
  while (first + 1 < hops.length && hops[first].kind === 'nic' && hops[first + 1].kind === 'nic') first++;
  return fitRange([{ ...chain, hops: hops.slice(first) }]);
}

function padded(lo: number, hi: number): CycleRange {
  const span = Math.max(hi - lo, MIN_SPAN);
  const margin = Math.max(Math.round(span * 0.06), 2);
  const mid = (lo + hi) / 2;
  const start = Math.max(0, Math.floor(mid - span / 2 - margin));
  return { start, end: Math.ceil(start + span + 2 * margin) };
}

/** Zooms around `at` (a cycle): factor < 1 zooms in, > 1 out. Never narrower than MIN_SPAN, never before 0. */
export function zoom(r: CycleRange, factor: number, at = (r.start + r.end) / 2): CycleRange {
  const span = Math.max(MIN_SPAN, (r.end - r.start) * factor);
  const share = r.end > r.start ? (at - r.start) / (r.end - r.start) : 0.5;
  let start = at - share * span;
  if (start < 0) start = 0;
  return { start, end: start + span };
}

/** Shifts the range by `cycles` (negative: earlier), never before 0. */
export function pan(r: CycleRange, cycles: number): CycleRange {
  const span = r.end - r.start;
  const start = Math.max(0, r.start + cycles);
  return { start, end: start + span };
}

/** A linear map from cycles to pixels over [left, left + width). */
interface XScale {
  readonly range: CycleRange;
  readonly left: number;
  readonly width: number;
  x(cycle: number): number;
  cycle(x: number): number;
}

export function xScale(range: CycleRange, left: number, width: number): XScale {
  const span = Math.max(range.end - range.start, 1e-9);
  return {
    range, left, width,
    x: (cycle) => left + ((cycle - range.start) / span) * width,
    cycle: (x) => range.start + ((x - left) / width) * span,
  };
}

/** Round tick positions (1, 2 or 5 × 10^k apart), about `count` of them, inside the range. */
export function ticks(range: CycleRange, count = 8): number[] {
  const span = range.end - range.start;
  if (!(span > 0)) return [];
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let t = Math.ceil(range.start / step) * step; t < range.end; t += step) out.push(Math.round(t));
  return out;
}

/** What the picture of one irqchip mode shows. */
export interface TimelineModel {
  readonly irqchip: IrqchipMode | undefined;
  readonly vcpus: number;
  readonly chains: readonly InterruptChain[];
  /** The cycle the machine is stopped at (the "now" marker), if known. */
  readonly current?: number;
  /** VM exits to draw as ticks on the vCPU lanes (the extra exits of `userspace` show there). */
  readonly exits?: readonly TimelineExit[];
}

export interface TimelineExit {
  readonly cycle: number;
  readonly vcpu: number;
  readonly reason: string;
  readonly handledIn: 'kernel' | 'vmm';
}

/** Pixel geometry of the picture. */
export interface Frame {
  /** Width of the lane labels on the left. */
  readonly labelWidth: number;
  readonly width: number;
  readonly laneHeight: number;
  /** Room above the first lane (chain brackets and the axis). */
  readonly top: number;
}

export const DEFAULT_FRAME: Frame = { labelWidth: 150, width: 900, laneHeight: 34, top: 46 };

/** The smallest distance, in pixels, between two hops of a chain drawn side by side. */
export const HOP_GAP = 7;

interface PlacedLane extends Lane {
  readonly y: number;
}

interface PlacedArrow extends HopArrow {
  /** x where it is drawn: the hop's cycle, nudged right when it would sit on the previous hop. */
  readonly x: number;
  readonly y1: number;
  readonly y2: number;
  /** Whether there is room for its kind as a label. */
  readonly labelled: boolean;
}

interface PlacedChain {
  readonly id: number;
  readonly x1: number;
  readonly x2: number;
  readonly title: string;
  readonly outcome: InterruptChain['outcome'];
}

interface PlacedExit extends TimelineExit {
  readonly x: number;
  readonly y: number;
}

export interface Layout {
  readonly lanes: PlacedLane[];
  readonly arrows: PlacedArrow[];
  readonly chains: PlacedChain[];
  readonly exits: PlacedExit[];
  readonly ticks: { cycle: number; x: number }[];
  /** x of the current cycle, when it is in range. */
  readonly now?: number;
  /** y of the lanes' bottom edge (the axis labels go below it). */
  readonly lanesBottom: number;
  readonly height: number;
  readonly scale: XScale;
}

/** "#3 nic (00:03.0 INTA) · GSI 19 → 0x31 · handled · 412 cycles". */
export function chainTitle(c: InterruptChain): string {
  const route = [c.gsi !== undefined ? `GSI ${c.gsi}` : undefined, c.vector !== undefined ? `0x${c.vector.toString(16).padStart(2, '0')}` : undefined]
    .filter(Boolean).join(' → ');
  const parts = [`#${c.id} ${c.source}`, route, c.outcome, c.latencyCycles !== undefined ? `${c.latencyCycles} cycles` : undefined];
  return parts.filter(Boolean).join(' · ');
}

/** Lanes, arrows, chain brackets, exit ticks and the axis of `model` over `range`. */
export function layoutTimeline(model: TimelineModel, range: CycleRange, frame: Frame = DEFAULT_FRAME): Layout {
  const lanes = lanesFor(model.irqchip, vcpuCount(model.chains, model.vcpus));
  const placed: PlacedLane[] = lanes.map((l, i) => ({ ...l, y: frame.top + frame.laneHeight * (i + 0.5) }));
  const yOf = new Map(placed.map((l) => [l.key, l.y] as const));
  const scale = xScale(range, frame.labelWidth, frame.width - frame.labelWidth);
  const inView = (x: number): boolean => x >= scale.left - HOP_GAP && x <= scale.left + scale.width + HOP_GAP;
  const arrows: PlacedArrow[] = [];
  const chains: PlacedChain[] = [];
  for (const c of model.chains) {
    const drawn = nudged(chainArrows(c), scale);
    const visible = drawn.filter((a) => inView(a.x));
    if (visible.length === 0) continue;
    visible.forEach((a, i) => {
      const next = visible[i + 1];
      arrows.push({ ...a, y1: yOf.get(a.from) ?? 0, y2: yOf.get(a.to) ?? 0, labelled: next === undefined || next.x - a.x >= 64 });
    });
    chains.push({ id: c.id, x1: visible[0].x, x2: visible[visible.length - 1].x, title: chainTitle(c), outcome: c.outcome });
  }
  const exits = (model.exits ?? []).map((e) => ({ ...e, x: scale.x(e.cycle), y: yOf.get(`vcpu:${e.vcpu}`) ?? 0 }))
    .filter((e) => inView(e.x) && e.y > 0);
  const now = model.current !== undefined && inView(scale.x(model.current)) ? scale.x(model.current) : undefined;
  return {
    lanes: placed, arrows, chains, exits, now, scale,
    ticks: ticks(range).map((cycle) => ({ cycle, x: scale.x(cycle) })),
    lanesBottom: frame.top + frame.laneHeight * lanes.length,
    height: frame.top + frame.laneHeight * lanes.length + 22,
  };
}

/** x of each hop: its cycle, but at least HOP_GAP right of the previous hop, so that hops of one cycle do not overlap. */
function nudged(arrows: HopArrow[], scale: XScale): (HopArrow & { x: number })[] {
  let last = -Infinity;
  return arrows.map((a) => {
    const x = Math.max(scale.x(a.cycle), last + HOP_GAP);
    last = x;
    return { ...a, x };
  });
}

/** The other irqchip mode a comparison shows by default: `userspace` against `kernel`, anything else against `userspace`. */
export function defaultCompareMode(irqchip: IrqchipMode | undefined): IrqchipMode {
  return irqchip === 'userspace' ? 'kernel' : 'userspace';
}
