// Interrupt provenance for the debugger (docs/interrupt-provenance.md): hyperstep/interrupts and
// hyperstep/why over the chain recorder (vm/provenance), their console forms `info interrupts [N]`,
// `why irq GSI`, `why vector V [cpu N]`, and the checks that turn bad input into clear errors.
import type { InterruptChain, InterruptsArguments, InterruptsResult, WhyArguments, WhyResult } from '../protocol';
import { Chain, ChainRecorder, testVector, whyIrq, whyVector } from '../vm';
import type { Machine } from '../vm';
import { ExprError } from './expr';

const hx = (v: number): string => '0x' + (v >>> 0).toString(16);

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
export function toProtocol(m: Machine, c: Chain): InterruptChain {
  let outcome = c.outcome;
  if (outcome === 'pending' && c.apic >= 0 && c.vector !== undefined && testVector(m.lapics[c.apic].irr, c.vector)) {
    if (whyVector(m, recorderOf(m), c.vector, c.apic).blocker) outcome = 'blocked';
  }
  const out: InterruptChain = { id: c.id, source: c.source, sourceKind: c.sourceKind, outcome, hops: c.hops.map((h) => ({ ...h })) };
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
  if (Object.keys(rec.dropped).length) result.dropped = { ...rec.dropped };
  return result;
}

/** hyperstep/why. */
export function why(m: Machine, args: WhyArguments, defaultVcpu: number): WhyResult {
  const a = args as { gsi?: unknown; vector?: unknown; vcpu?: unknown };
  if (a.gsi !== undefined) {
    if (typeof a.gsi !== 'number') throw new ExprError(`gsi must be a number, got ${JSON.stringify(a.gsi)}`);
    return whyIrq(m, recorderOf(m), checkGsi(a.gsi));
  }
  if (a.vector !== undefined) {
    if (typeof a.vector !== 'number') throw new ExprError(`vector must be a number, got ${JSON.stringify(a.vector)}`);
    const vcpu = a.vcpu === undefined ? defaultVcpu : typeof a.vcpu === 'number' ? a.vcpu : NaN;
    return whyVector(m, recorderOf(m), checkVector(a.vector), checkVcpu(m, vcpu));
  }
  throw new ExprError('arguments required: { gsi } or { vector, vcpu? }');
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
export function whyCommand(m: Machine, rest: string, vcpu: number): string {
  const usage = 'usage: why irq GSI | why vector V [cpu N]';
  const irq = /^irq\s+(\S+)$/.exec(rest.trim());
  if (irq) return formatWhy(why(m, { gsi: parseNumberWord(irq[1], 'why irq') }, vcpu));
  const vec = /^vector\s+(\S+)(?:\s+cpu\s+(\S+))?$/.exec(rest.trim());
  if (vec) {
    const args = { vector: parseNumberWord(vec[1], 'why vector'), vcpu: vec[2] !== undefined ? parseNumberWord(vec[2], 'cpu') : vcpu };
    return formatWhy(why(m, args, vcpu));
  }
  throw new ExprError(usage);
}
