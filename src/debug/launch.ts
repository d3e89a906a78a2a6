// Launch-configuration validation (docs/contracts.md: "Invalid configurations are refused before the VM
// starts, with a message naming the field"). The JSON schema is the one package.json contributes to
// VS Code — imported here at build time, so the editor's completion/validation and the adapter's
// check are one schema. ajv checks it; its errors are turned into one sentence naming the field.
import Ajv, { ErrorObject } from 'ajv';
import packageJson from '../../package.json';
import type { IrqchipMode, LaunchArguments, MmuMode } from '../protocol';
import { CacheGeometry, CostModel, DEFAULT_GPA_CACHE, DEFAULT_TLB, geometryError, makeCostModel, decodeText } from '../vm';

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
  [key: string]: unknown;
}

/** The schema of `configurationAttributes.launch` in package.json. */
export const LAUNCH_SCHEMA: JsonSchema = findSchema();

function findSchema(): JsonSchema {
  const debuggers = (packageJson as { contributes?: { debuggers?: { type: string; configurationAttributes?: { launch?: JsonSchema } }[] } })
    .contributes?.debuggers ?? [];
  const schema = debuggers.find((d) => d.type === 'hyperstep')?.configurationAttributes?.launch;
  if (!schema) throw new Error('package.json has no launch schema for the hyperstep debugger');
  return schema;
}

/** Attributes VS Code itself adds to or allows in every launch configuration. */
const VSCODE_ATTRIBUTES = new Set([
  'type', 'request', 'name', 'preLaunchTask', 'postDebugTask', 'internalConsoleOptions', 'debugServer', 'noDebug',
  'presentation', 'suppressMultipleSessionWarning', 'serverReadyAction', 'windows', 'osx', 'linux', 'env', 'console',
]);

const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addVocabulary(['markdownDescription', 'enumDescriptions', 'deprecationMessage', 'defaultSnippets', 'doNotSuggest']);
const validate = ajv.compile(LAUNCH_SCHEMA);

interface ScheduledLaunchEvent {
  atCycle: number;
  kind: 'nic-rx' | 'irq' | 'uart-rx';
  data?: Uint8Array;
  gsi?: number;
  level?: boolean;
}

/** A launch configuration after validation: every field present, in the machine's terms. */
export interface LaunchConfig {
  program: string;
  vcpus: number;
  memoryMiB: number;
  mmu: MmuMode;
  vpid: boolean;
  /** Hot code through the block compiler (docs/block-compiler.md). */
  compiler: boolean;
  irqchip: IrqchipMode;
  stopOnEntry: boolean;
  nic: { slot: number; msi: boolean } | false;
  events: ScheduledLaunchEvent[];
  cost: CostModel;
  /** Cache geometries (docs/translation.md). */
  tlb: CacheGeometry;
  gpaCache: CacheGeometry;
  historyBytes: number;
  interruptChains: number;
  /** An access to a GPA no device claims stops the VM instead of faulting in the guest. */
  strictMmio: boolean;
}

/** Validates raw launch arguments; returns the configuration or one message naming the bad field. */
export function parseLaunchArguments(raw: unknown): LaunchConfig | { error: string } {
  if (raw === undefined) raw = {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { error: 'launch configuration: expected an object' };
  const args: Record<string, unknown> = {};
  const known = LAUNCH_SCHEMA.properties ?? {};
  for (const [k, v] of Object.entries(raw)) {
    if (k.startsWith('__') || VSCODE_ATTRIBUTES.has(k)) continue;
    if (!(k in known)) return { error: `launch configuration: ${k} is not a known field (known: ${Object.keys(known).join(', ')})` };
    args[k] = v;
  }
  if (!validate(args)) return { error: `launch configuration: ${describeErrors(validate.errors ?? [])}` };
  const a = args as unknown as LaunchArguments;
  const cost = makeCostModel(a.costModel ?? {});
  if ('error' in cost) return { error: `launch configuration: ${cost.error}` };
  const tlb = { entries: a.tlb?.entries ?? DEFAULT_TLB.entries, ways: a.tlb?.ways ?? DEFAULT_TLB.ways };
  const gpaCache = { entries: a.gpaCache?.entries ?? DEFAULT_GPA_CACHE.entries, ways: a.gpaCache?.ways ?? DEFAULT_GPA_CACHE.ways };
  const badGeometry = geometryError('tlb', tlb) ?? geometryError('gpaCache', gpaCache);
  if (badGeometry) return { error: `launch configuration: ${badGeometry}` };
  const nicArg = a.devices?.nic;
  const nic = nicArg === false ? false : { slot: nicArg?.slot ?? 3, msi: nicArg?.msi ?? true };
  const events: ScheduledLaunchEvent[] = [];
  for (const [i, e] of (a.events ?? []).entries()) {
    if ('nic' in e) {
      if (!nic) return { error: `launch configuration: events[${i}] sends a NIC packet but devices.nic is false` };
      // Text takes the command line's escapes (\n, \xNN), so a header's --event means the same here.
      const data = e.encoding === 'hex' ? encodeData(e.data, 'hex') : decodeText(e.data);
      if (typeof data === 'string') return { error: `launch configuration: events[${i}].data ${data}` };
      events.push({ atCycle: e.atCycle, kind: 'nic-rx', data });
    } else if ('irq' in e) {
      events.push({ atCycle: e.atCycle, kind: 'irq', gsi: e.irq, level: e.level === true || e.level === 1 });
    } else {
      events.push({ atCycle: e.atCycle, kind: 'uart-rx', data: decodeText(e.uart) });
    }
  }
  return {
    program: a.program,
    vcpus: a.vcpus ?? 1,
    memoryMiB: a.memoryMiB ?? 64,
    mmu: a.mmu ?? 'ept',
    vpid: a.vpid ?? true,
    compiler: a.compiler ?? true,
    irqchip: a.irqchip ?? 'kernel',
    stopOnEntry: a.stopOnEntry ?? true,
    nic,
    events,
    cost,
    tlb,
    gpaCache,
    historyBytes: (a.historyMiB ?? 512) * 1024 * 1024,
    interruptChains: a.interruptChains ?? 1024,
    strictMmio: a.strictMmio ?? false,
  };
}

/** Text or hex digits to bytes; a string is the reason it cannot be. */
export function encodeData(data: string, encoding: 'utf8' | 'hex'): Uint8Array | string {
  if (encoding === 'utf8') return new TextEncoder().encode(data);
  const digits = data.replace(/[\s:]/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(digits)) return 'must be pairs of hex digits';
  return Uint8Array.from(digits.match(/../g) ?? [], (h) => parseInt(h, 16));
}

// ---- error messages ---------------------------------------------------------------------------------

/** '/events/0/atCycle' → 'events[0].atCycle'. */
function fieldName(instancePath: string, extra?: string): string {
  const parts = instancePath.split('/').filter(Boolean);
  if (extra !== undefined) parts.push(extra);
  let out = '';
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : (out ? '.' : '') + p;
  return out || 'the configuration';
}

function schemaAt(instancePath: string): JsonSchema | undefined {
  let s: JsonSchema | undefined = LAUNCH_SCHEMA;
  for (const p of instancePath.split('/').filter(Boolean)) {
    if (!s) return undefined;
    s = /^\d+$/.test(p) ? s.items : s.properties?.[p] ?? s.anyOf?.find((alt) => alt.properties?.[p])?.properties?.[p];
  }
  return s;
}

function describeAlternative(s: JsonSchema): string {
  if (s.required) return s.required.join(' + ');
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' or ');
  if (s.properties) return `an object {${Object.keys(s.properties).join(', ')}}`;
  return String(s.type ?? 'a value');
}

function describeError(e: ErrorObject): string {
  const field = fieldName(e.instancePath);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required': return `${fieldName(e.instancePath, String(p.missingProperty))} is required`;
    case 'enum': return `${field} must be one of ${(p.allowedValues as unknown[]).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ')}`;
    case 'type': return `${field} must be ${String(p.type) === 'integer' ? 'an integer' : `a ${String(p.type)}`}`;
    case 'minimum': return `${field} must be at least ${String(p.limit)}`;
    case 'maximum': return `${field} must be at most ${String(p.limit)}`;
    case 'minLength': return `${field} must not be empty`;
    case 'additionalProperties': {
      const known = Object.keys(schemaAt(e.instancePath)?.properties ?? {});
      return `${fieldName(e.instancePath, String(p.additionalProperty))} is not a known field${known.length ? ` (known: ${known.join(', ')})` : ''}`;
    }
    case 'anyOf': case 'oneOf': {
      const s = schemaAt(e.instancePath);
      const alts = (e.keyword === 'anyOf' ? s?.anyOf : s?.oneOf) ?? (s?.items?.oneOf) ?? [];
      return `${field} must be ${e.keyword === 'oneOf' ? 'exactly one of' : 'one of'}: ${alts.map(describeAlternative).join('; ')}`;
    }
    default: return `${field} ${e.message ?? 'is invalid'}`;
  }
}

/**
 * One sentence for ajv's errors: the deepest concrete error wins (it names the field closest to
 * the mistake); a bare anyOf/oneOf is reported with its alternatives.
 */
function describeErrors(errors: ErrorObject[]): string {
  if (errors.length === 0) return 'invalid';
  const depth = (e: ErrorObject): number => e.instancePath.split('/').length + (e.keyword === 'required' || e.keyword === 'additionalProperties' ? 1 : 0);
  const composite = (e: ErrorObject): boolean => e.keyword === 'anyOf' || e.keyword === 'oneOf';
  const maxDepth = Math.max(...errors.map(depth));
  const deepest = errors.filter((e) => depth(e) === maxDepth);
  // Alternatives of an anyOf/oneOf each fail at the same path: name the composite, not one branch.
  const compositeAtSamePath = errors.find((e) => composite(e) && deepest.every((d) => d.instancePath === e.instancePath || d.keyword === 'required'));
  const chosen = compositeAtSamePath ?? deepest.find((e) => !composite(e)) ?? deepest[0];
  return describeError(chosen);
}
