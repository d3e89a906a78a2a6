// Interrupt provenance for the debugger (docs/interrupt-provenance.md): hyperstep/interrupts and
// hyperstep/why over the chain recorder (vm/provenance), their console forms `info interrupts [N]`,
// `why irq GSI`, `why vector V [cpu N]`, and the checks that turn bad input into clear errors.
import type {
  HopLayer, InterruptChain, InterruptOutcome, InterruptSource, InterruptsArguments, InterruptsResult, WhyArguments, WhyKeyword, WhyResult,
} from '../protocol';
import {
  B_APIC_DISABLED, B_EDGE_LOST, B_INTERRUPTS_OFF, B_IN_SERVICE, B_LINE_LOW, B_MASKED, B_NO_DESTINATION, B_NO_SOURCE, B_PRIORITY,
  B_REMOTE_IRR, B_TPR, ChainRecorder, L_DEVICE, L_GUEST, L_KERNEL, L_VMM, O_BLOCKED, O_COALESCED, O_HANDLED, O_IN_SERVICE, O_LOST,
  O_PENDING, SK_DEBUGGER, SK_DEVICE, SK_INTX, SK_IPI, SK_MSI, SK_TESTDEV, SK_TIMER, testVector, whyIrq, whyVector,
  type RecordedChain, type WhyFinding,
} from '../vm';
import { lastEnableClear, type EnableClear } from './enables-history';
import type { WriteHistory } from './last-write';
import type { Machine } from '../vm';
import { ExprError } from './expr';

const hx = (v: number): string => '0x' + (v >>> 0).toString(16);

// The machine layer records codes; the names are the protocol's (src/protocol is their one
// declaration). Each table is keyed by the protocol's union, so the compiler insists on a code for
// every name; `nameOf` inverts it.
const LAYER_CODES: Record<HopLayer, number> = { device: L_DEVICE, vmm: L_VMM, kernel: L_KERNEL, guest: L_GUEST };
const OUTCOME_CODES: Record<InterruptOutcome, number> = {
  handled: O_HANDLED, 'in-service': O_IN_SERVICE, pending: O_PENDING, blocked: O_BLOCKED, coalesced: O_COALESCED, lost: O_LOST,
};
const SOURCE_CODES: Record<InterruptSource, number> = {
  intx: SK_INTX, msi: SK_MSI, testdev: SK_TESTDEV, ipi: SK_IPI, timer: SK_TIMER, debugger: SK_DEBUGGER, device: SK_DEVICE,
};
const KEYWORD_CODES: Record<WhyKeyword, number> = {
  'no-source': B_NO_SOURCE, 'line-low': B_LINE_LOW, masked: B_MASKED, 'edge-lost': B_EDGE_LOST, 'remote-irr': B_REMOTE_IRR,
  'no-destination': B_NO_DESTINATION, 'apic-disabled': B_APIC_DISABLED, 'in-service': B_IN_SERVICE, priority: B_PRIORITY, tpr: B_TPR,
  'interrupts-off': B_INTERRUPTS_OFF,
};
function nameOf<N extends string>(codes: Record<N, number>): (code: number) => N {
  const names: N[] = [];
  for (const [name, code] of Object.entries(codes) as [N, number][]) names[code] = name;
  return (code) => names[code];
}
const layerName = nameOf(LAYER_CODES), outcomeName = nameOf(OUTCOME_CODES), sourceName = nameOf(SOURCE_CODES), keywordName = nameOf(KEYWORD_CODES);

function recorderOf(m: Machine): ChainRecorder {
  const r = ChainRecorder.of(m);
  if (!r) throw new ExprError('interrupt chains are not being recorded in this session');
  return r;
}

function optionalInt(x: unknown, what: string, min: number, max: number): number | undefined {
  if (x === undefined || x === null) return undefined;
  if (typeof x !== 'number' || !Number.isInteger(x)) throw new ExprError(`${what} must be an integer, got ${JSON.stringify(x)}`);
  if (x < min || x > max) throw new ExprError(`${what} ${x} is out of range (${min}–${max === Infinity ? '∞' : max})`);
  return x;
}

export function checkGsi(gsi: number): number {
  if (!Number.isInteger(gsi) || gsi < 0 || gsi > 23) throw new ExprError(`GSI ${gsi} does not exist: the IOAPIC has pins 0–23`);
  return gsi;
}

export function checkVector(vector: number): number {
  if (!Number.isInteger(vector) || vector < 0 || vector > 255) throw new ExprError(`vector ${vector} does not exist: vectors are 0–255`);
  return vector;
}

function checkVcpu(m: Machine, vcpu: number): number {
  if (!Number.isInteger(vcpu) || vcpu < 0 || vcpu >= m.vcpus.length) {
    throw new ExprError(`vCPU ${vcpu} does not exist (this machine has vCPU 0${m.vcpus.length > 1 ? `–${m.vcpus.length - 1}` : ''})`);
  }
  return vcpu;
}

/** A chain as the protocol shows it; a pending one the LAPIC or the hart holds back reads 'blocked'. */
export function toProtocol(m: Machine, c: RecordedChain): InterruptChain {
  let outcome = outcomeName(c.outcome);
  if (outcome === 'pending' && c.apic >= 0 && c.vector !== undefined && testVector(m.lapics[c.apic].irr, c.vector)) {
    if (whyVector(m, recorderOf(m), c.vector, c.apic).blocker !== null) outcome = 'blocked';
  }
  const out: InterruptChain = {
    id: c.id, source: c.source, sourceKind: sourceName(c.sourceKind), outcome,
    hops: c.hops.map((h) => ({ cycle: h.cycle, vcpu: h.vcpu, layer: layerName(h.layer), kind: h.kind, ...(h.action ? { action: h.action } : {}), text: h.text })),
  };
  if (c.gsi !== undefined) out.gsi = c.gsi;
  if (c.vector !== undefined) out.vector = c.vector;
  if (c.latencyCycles !== undefined) out.latencyCycles = c.latencyCycles;
  return out;
}

/** hyperstep/interrupts. */
export function interrupts(m: Machine, args: InterruptsArguments): InterruptsResult {
  const last = optionalInt(args.last, 'last', 1, Infinity);
  const gsi = optionalInt(args.gsi, 'gsi', 0, 255);
  const vector = optionalInt(args.vector, 'vector', 0, 255);
  if (gsi !== undefined) checkGsi(gsi);
  const rec = recorderOf(m);
  const chains = rec.query({ last, gsi, vector }).map((c) => toProtocol(m, c));
  const result: InterruptsResult = { chains };
  const dropped: Partial<Record<InterruptOutcome, number>> = {};
  rec.dropped.forEach((n, code) => { if (n > 0) dropped[outcomeName(code)] = n; });
  if (Object.keys(dropped).length) result.dropped = dropped;
  return result;
}

/**
 * hyperstep/why. With the reverse-execution history (`past`), an `interrupts-off` whose bit was
 * cleared by an instruction rather than a trap entry gets that instruction as `setAt`.
 */
export function why(m: Machine, args: WhyArguments, defaultVcpu: number, past?: WriteHistory): WhyResult {
  const a = args as { gsi?: unknown; vector?: unknown; vcpu?: unknown };
  let answer: WhyFinding;
  if (a.gsi !== undefined) {
    if (typeof a.gsi !== 'number') throw new ExprError(`gsi must be a number, got ${JSON.stringify(a.gsi)}`);
    answer = whyIrq(m, recorderOf(m), checkGsi(a.gsi));
  } else if (a.vector !== undefined) {
    if (typeof a.vector !== 'number') throw new ExprError(`vector must be a number, got ${JSON.stringify(a.vector)}`);
    const vcpu = a.vcpu === undefined ? defaultVcpu : typeof a.vcpu === 'number' ? a.vcpu : NaN;
    answer = whyVector(m, recorderOf(m), checkVector(a.vector), checkVcpu(m, vcpu));
  } else {
    throw new ExprError('arguments required: { gsi } or { vector, vcpu? }');
  }
  return toWhyResult(answer.enable && past ? withEnableClear(answer, past, answer.enable) : answer);
}

/** A finding as the protocol answers it: the keyword first, the register, where it was set, the rest. */
function toWhyResult(f: WhyFinding): WhyResult {
  const keyword = f.blocker === null ? null : keywordName(f.blocker);
  const lines = [keyword ? `${keyword}: ${f.first}` : f.first];
  if (f.register !== undefined && keyword) lines.push(`register: ${f.register}`);
  if (f.setAt) lines.push(`set at: cycle ${f.setAt.cycle}, pc ${hx(f.setAt.pc)}, vCPU ${f.setAt.vcpu}`);
  lines.push(...f.more ?? []);
  const r: WhyResult = { blocker: keyword, detail: lines.join('\n') };
  if (f.register !== undefined) r.register = f.register;
  if (f.setAt) r.setAt = { ...f.setAt };
  if (f.delivered) r.delivered = { ...f.delivered };
  return r;
}

const CLEARED_BY: Record<EnableClear['how'], (csr: string) => string> = {
  csr: (csr) => `cleared by the CSR instruction at that cycle (a write to ${csr}); it stays clear until the guest sets it again`,
  mret: () => 'cleared by the mret at that cycle: it restored MIE from MPIE, which was 0',
  sret: () => 'cleared by the sret at that cycle: it restored SIE from SPIE, which was 0',
  trap: () => 'cleared by the trap entry at that cycle (the handler\'s first instruction)',
};

/** interrupts-off: the instruction that cleared the bit, from the history (enables-history.ts). */
function withEnableClear(f: WhyFinding, past: WriteHistory, bit: NonNullable<WhyFinding['enable']>): WhyFinding {
  const search = lastEnableClear(past, bit.vcpu, bit);
  if (search.found) {
    const w = search.found;
    return { ...f, setAt: { cycle: w.cycle, pc: w.pc, vcpu: w.vcpu }, more: [CLEARED_BY[w.how](bit.csr)] };
  }
  const why = search.sinceReset
    ? 'clear since reset: no instruction in the recorded history (which starts at reset) has set it'
    : `the history does not reach back to the instruction that cleared it: it was already clear at cycle ${search.floorCycle}, ` +
      'the oldest position re-execution can start from (older checkpoints were dropped, or the debugger changed the machine there)';
  return { ...f, more: [why] };
}

// ---- console ------------------------------------------------------------------------------------------

/** One chain as the console prints it: a header line, then a line per hop. */
export function formatChain(c: InterruptChain): string {
  const head = `#${c.id} ${c.outcome}` +
    `${c.gsi !== undefined ? ` GSI ${c.gsi}` : ''}${c.vector !== undefined ? ` vector ${hx(c.vector)}` : ''} from ${c.source}` +
    `${c.latencyCycles !== undefined ? `, latency ${c.latencyCycles} cycles` : ''}`;
  const hops = c.hops.map((h) => `  ${String(h.cycle).padStart(10)} ${h.vcpu < 0 ? '     ' : `vcpu${h.vcpu}`} ${h.layer.padEnd(6)} ${h.kind.padEnd(15)} ${h.text}`);
  return [head, ...hops].join('\n');
}

/** `info interrupts [N]`: the last N chains (default 10), most recent last. */
export function infoInterrupts(m: Machine, rest: string): string {
  const t = rest.trim();
  let last = 10;
  if (t) {
    if (!/^\d+$/.test(t) || Number(t) < 1) throw new ExprError(`usage: info interrupts [N] (N a positive count, got '${t}')`);
    last = Number(t);
  }
  const r = interrupts(m, { last });
  const rec = recorderOf(m);
  if (r.chains.length === 0) return 'no interrupt chain recorded yet';
  const older = rec.total - r.chains.length;
  const dropped = r.dropped ? Object.entries(r.dropped).map(([k, n]) => `${n} ${k}`).join(', ') : '';
  return [
    ...r.chains.map(formatChain),
    ...(older > 0 ? [`(${older} older chain${older === 1 ? '' : 's'}${dropped ? `; dropped from the ring of ${rec.capacity}: ${dropped}` : ''})`] : []),
  ].join('\n');
}

function parseNumberWord(s: string, what: string): number {
  const t = s.trim();
  if (/^-?0x[0-9a-f]+$/i.test(t)) return t.startsWith('-') ? -parseInt(t.slice(3), 16) : parseInt(t.slice(2), 16);
  if (/^-?\d+$/.test(t)) return Number(t);
  throw new ExprError(`${what}: expected a number, got '${t}'`);
}

/** Formats a why answer for the console: the detail, then a hint to go to `setAt`. */
export function formatWhy(r: WhyResult): string {
  return r.setAt ? `${r.detail}\n(goto cycle ${r.setAt.cycle} runs there)` : r.detail;
}

/** `why irq GSI` | `why vector V [cpu N]`. */
export function whyCommand(m: Machine, rest: string, vcpu: number, past?: WriteHistory): string {
  const usage = 'usage: why irq GSI | why vector V [cpu N]';
  const irq = /^irq\s+(\S+)$/.exec(rest.trim());
  if (irq) return formatWhy(why(m, { gsi: parseNumberWord(irq[1], 'why irq') }, vcpu, past));
  const vec = /^vector\s+(\S+)(?:\s+cpu\s+(\S+))?$/.exec(rest.trim());
  if (vec) {
    const args = { vector: parseNumberWord(vec[1], 'why vector'), vcpu: vec[2] !== undefined ? parseNumberWord(vec[2], 'cpu') : vcpu };
    return formatWhy(why(m, args, vcpu, past));
  }
  throw new ExprError(usage);
}
