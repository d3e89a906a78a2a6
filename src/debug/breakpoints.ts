// Breakpoint models: source lines, functions (guest symbols), instructions, data (guest memory and
// device registers) and event filters — each with a condition, a hit count and a log message
// (docs/debugging.md "Breakpoints"). Deciding whether a hit stops, logs or passes is one function
// for every kind.
import type { EventFilterId } from '../protocol';
import { EvalContext, Expression, ExprError, interpolate, parseExpression, truthy, evaluate } from './expr';

interface HitCondition {
  op: '>=' | '>' | '==' | '<=' | '<' | '%';
  n: number;
  text: string;
}

/** `N` (stop from the N-th hit on), `>N`, `>=N`, `==N`, `<N`, `<=N`, `%N` (every N-th hit). */
function parseHitCondition(text: string): HitCondition {
  const m = /^\s*(>=|>|==|=|<=|<|%)?\s*(\d+)\s*$/.exec(text);
  if (!m) throw new ExprError(`hit count '${text}': expected N, >N, >=N, ==N, <N, <=N or %N`);
  const op = (m[1] === '=' ? '==' : m[1] ?? '>=') as HitCondition['op'];
  const n = Number(m[2]);
  if (op === '%' && n === 0) throw new ExprError(`hit count '${text}': %0 never matches`);
  return { op, n, text };
}

function hitMatches(h: HitCondition, hits: number): boolean {
  switch (h.op) {
    case '>=': return hits >= h.n;
    case '>': return hits > h.n;
    case '==': return hits === h.n;
    case '<=': return hits <= h.n;
    case '<': return hits < h.n;
    case '%': return hits % h.n === 0;
  }
}

export interface BreakpointSpec {
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
}

/** What every breakpoint kind shares. */
export class BreakpointBase {
  private static nextId = 1;
  readonly id = BreakpointBase.nextId++;
  verified = true;
  message: string | undefined;
  readonly condition: Expression | undefined;
  readonly hitCondition: HitCondition | undefined;
  readonly logMessage: string | undefined;
  hits = 0;
  readonly logCache = new Map<string, Expression>();

  constructor(spec: BreakpointSpec) {
    const bad: string[] = [];
    let cond: Expression | undefined, hit: HitCondition | undefined;
    if (typeof spec.condition === 'string' && spec.condition.trim() !== '') {
      try { cond = parseExpression(spec.condition); } catch (e) { bad.push(`condition: ${(e as Error).message}`); }
    }
    if (typeof spec.hitCondition === 'string' && spec.hitCondition.trim() !== '') {
      try { hit = parseHitCondition(spec.hitCondition); } catch (e) { bad.push((e as Error).message); }
    }
    this.condition = cond;
    this.hitCondition = hit;
    this.logMessage = typeof spec.logMessage === 'string' && spec.logMessage !== '' ? spec.logMessage : undefined;
    if (bad.length) { this.verified = false; this.message = bad.join('; '); }
  }
}

type Decision = { action: 'pass' } | { action: 'stop'; conditionError?: string } | { action: 'log'; text: string };

/**
 * A hit of `bp` in context `ctx`: the condition first (an error stops, saying so), then the hit
 * count (counted only when the condition holds), then a log message instead of a stop.
 * `counting` false evaluates without touching the hit count (reverse scans).
 */
export function decide(bp: BreakpointBase, ctx: EvalContext, counting = true): Decision {
  if (!bp.verified) return { action: 'pass' };
  if (bp.condition) {
    try {
      if (!truthy(evaluate(bp.condition, ctx))) return { action: 'pass' };
    } catch (e) {
      return { action: 'stop', conditionError: `condition '${bp.condition.text}' failed: ${(e as Error).message}` };
    }
  }
  if (counting) bp.hits++;
  if (bp.hitCondition && counting && !hitMatches(bp.hitCondition, bp.hits)) return { action: 'pass' };
  if (bp.logMessage !== undefined) return { action: 'log', text: interpolate(bp.logMessage, ctx, bp.logCache) };
  return { action: 'stop' };
}

type CodeBreakpointKind = 'source' | 'function' | 'instruction';

export class CodeBreakpoint extends BreakpointBase {
  constructor(readonly kind: CodeBreakpointKind, spec: BreakpointSpec, readonly address: number | undefined,
    readonly where: { file?: string; line?: number; name?: string; reference?: string }) {
    super(spec);
    if (address === undefined) this.verified = false;
  }
}

export type DataAccess = 'read' | 'write' | 'readWrite';

/** Parsed data breakpoint id: guest memory by virtual or physical address, or a device register (MMIO). */
interface DataTarget {
  space: 'gva' | 'gpa' | 'mmio';
  address: number;
  size: number;
}

export function formatDataId(t: DataTarget): string {
  return `${t.space}:0x${(t.address >>> 0).toString(16)}:${t.size}`;
}

export function parseDataId(id: string): DataTarget | undefined {
  const m = /^(gva|gpa|mmio):0x([0-9a-f]{1,8}):(\d+)$/.exec(String(id));
  if (!m) return undefined;
  const size = Number(m[3]);
  if (size < 1 || size > 4096) return undefined;
  return { space: m[1] as DataTarget['space'], address: parseInt(m[2], 16), size };
}

export class DataBreakpoint extends BreakpointBase {
  /** Resolved guest-physical range [gpa, gpa + size) the breakpoint watches. */
  gpa: number | undefined;
  /** Host offset watched (RAM only). */
  host: number | undefined;

  constructor(readonly target: DataTarget, readonly access: DataAccess, spec: BreakpointSpec) {
    super(spec);
  }

  matches(gpa: number, size: number, write: boolean): boolean {
    if (this.gpa === undefined || !this.verified) return false;
    if (this.access === 'read' && write) return false;
    if (this.access === 'write' && !write) return false;
    return gpa < this.gpa + this.target.size && this.gpa < gpa + size;
  }
}

export class EventFilterBreakpoint extends BreakpointBase {
  constructor(readonly filter: EventFilterId, spec: BreakpointSpec) {
    super(spec);
  }
}
