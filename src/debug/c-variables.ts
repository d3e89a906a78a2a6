// C scopes of a stopped frame (docs/debugging.md "C debugging"): Locals (parameters and local
// variables visible at the frame's pc) and Globals, as C values with expandable structs, arrays and
// pointers; setVariable on them; and the C environment of expressions evaluated in a frame.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Vcpu } from '../vm';
import type { DebugRuntime } from './runtime';
import type { Container, MakeRef } from './variables';
import { CVal, type CEnv } from './dwarf/cexpr';
import { assign, CAccess, children, CObject, show } from './dwarf/cvalue';
import { cAccess, cEnv, frameAccess, FrameState, lookupPc, objectOf } from './dwarf/frame';
import { sizeOf, typeName } from './dwarf/types';
import { ExprError, type Value } from './expr';

/** The machine state of frame `index` of a vCPU (0: the vCPU itself; callers: unwound). */
function frameState(rt: DebugRuntime, vc: Vcpu, index: number): FrameState | undefined {
  // Frame 0 is the innermost of any inlined calls at the pc (scopeAt's default level).
  const frames = index === 0 ? [] : rt.frames(vc.id);
  const f = frames[index];
  if (index === 0 || f?.innermost) {
    // The vCPU's own registers (also for the functions calls at the pc were inlined into).
    return { pc: rt.port.pc(vc.id), regs: Array.from({ length: 32 }, (_, i) => rt.port.reg(vc.id, i)), top: true, caller: false, inlineLevel: f?.inlineLevel };
  }
  if (!f || f.kind === 'trap') return undefined;
  return { pc: f.pc, regs: f.regs.slice(), top: false, caller: f.caller ?? frames[index - 1]?.kind !== 'trap', inlineLevel: f.inlineLevel };
}

function accessOf(rt: DebugRuntime, vc: Vcpu, frame: FrameState): CAccess {
  return cAccess(rt.inspector, vc, frame, (a) => rt.program.describe(a), (r, value) => rt.port.setReg(vc.id, r, value));
}

/** The C environment of an expression in frame `index` (casts work without DWARF too). */
export function cEnvironment(rt: DebugRuntime, vc: Vcpu, index = 0): CEnv {
  const frame = frameState(rt, vc, index) ?? frameState(rt, vc, 0)!;
  return cEnv(rt.program.dwarf, accessOf(rt, vc, frame), frame);
}

/** A C variable by name as an expression value, or undefined. */
export function cLookup(env: CEnv | undefined, name: string): Value | undefined {
  const o = env?.variable(name);
  return o ? new CVal(o.type, env!.access, o) : undefined;
}

/** Locals (when the frame's pc is in a function with DWARF) and Globals (when the program has any). */
export function cScopes(rt: DebugRuntime, vcpu: number, frameIndex: number, ref: MakeRef): DebugProtocol.Scope[] {
  const info = rt.program.dwarf;
  const vc = rt.vcpu(vcpu);
  if (!info || !vc) return [];
  const out: DebugProtocol.Scope[] = [];
  const frame = frameState(rt, vc, frameIndex);
  const scope = frame ? info.scopeAt(lookupPc(frame), frame.inlineLevel) : undefined;
  if (scope) out.push({ name: 'Locals', presentationHint: 'locals', variablesReference: ref({ kind: 'c-locals', vcpu, frame: frameIndex }), expensive: false, namedVariables: scope.vars.length });
  if (info.globals.length) out.push({ name: 'Globals', variablesReference: ref({ kind: 'c-globals', vcpu }), expensive: false, namedVariables: info.globals.length });
  return out;
}

type CContainer = Extract<Container, { kind: 'c-locals' | 'c-globals' | 'c-object' }>;

function variable(name: string, o: CObject, a: CAccess, evaluateName: string, c: { vcpu: number; frame: number }, ref: MakeRef): DebugProtocol.Variable {
  const s = show(o, a);
  return {
    name, value: s.value, type: typeName(o.type), evaluateName,
    variablesReference: s.expandable ? ref({ kind: 'c-object', vcpu: c.vcpu, frame: c.frame, obj: o, expr: evaluateName }) : 0,
    ...(s.memoryReference ? { memoryReference: s.memoryReference } : {}),
    ...(s.indexed !== undefined ? { indexedVariables: s.indexed } : {}),
    ...(s.named !== undefined ? { namedVariables: s.named } : {}),
  };
}

/** The objects a C container lists: [name, object, evaluateName]. */
function entries(rt: DebugRuntime, c: CContainer, frame: FrameState, a: CAccess): { name: string; obj: CObject; evaluateName: string }[] {
  const info = rt.program.dwarf!;
  switch (c.kind) {
    case 'c-locals': {
      const scope = info.scopeAt(lookupPc(frame), frame.inlineLevel);
      if (!scope) return [];
      const fa = frameAccess(info, scope.fn, frame, a);
      return scope.vars.map((v) => ({ name: v.name, obj: objectOf(info, v, frame, fa), evaluateName: v.name }));
    }
    case 'c-globals': {
      const fa = frameAccess(info, undefined, frame, a);
      return info.globals.map((g) => ({ name: g.name, obj: objectOf(info, g, frame, fa), evaluateName: g.name }));
    }
    case 'c-object': return children(c.obj, a, c.expr);
  }
}

function frameOf(rt: DebugRuntime, c: CContainer): { vc: Vcpu; frame: FrameState; index: number } | undefined {
  const vc = rt.vcpu(c.vcpu);
  if (!vc || !rt.program.dwarf) return undefined;
  const index = c.kind === 'c-globals' ? 0 : c.frame;
  const frame = frameState(rt, vc, index);
  return frame ? { vc, frame, index } : undefined;
}

export function cVariables(rt: DebugRuntime, c: CContainer, ref: MakeRef): DebugProtocol.Variable[] {
  const f = frameOf(rt, c);
  if (!f) return [];
  const a = accessOf(rt, f.vc, f.frame);
  return entries(rt, c, f.frame, a).map((e) => variable(e.name, e.obj, a, e.evaluateName, { vcpu: c.vcpu, frame: f.index }, ref));
}

/** setVariable on a C variable or member: `value` is an expression (numbers, enum names, other variables). */
export function setCVariable(rt: DebugRuntime, c: CContainer, name: string, value: Value, valueText: string): string {
  const f = frameOf(rt, c);
  if (!f) throw new ExprError('no C variables here');
  const a = accessOf(rt, f.vc, f.frame);
  const e = entries(rt, c, f.frame, a).find((x) => x.name === name);
  if (!e) throw new ExprError(`no variable '${name}' here`);
  let n: number;
  if (value instanceof CVal) n = value.value();
  else if (typeof value === 'number') n = value;
  else if (typeof value === 'boolean') n = value ? 1 : 0;
  else throw new ExprError(`'${valueText}' is not a number`);
  assign(e.obj, n, a);
  return show(e.obj, a).value;
}

/** An evaluate result that is a C value: its text and, when it has children, a container for them. */
export function showCValue(v: CVal, vcpu: number, frame: number, expr: string, ref: MakeRef): { result: string; variablesReference: number; type: string; memoryReference?: string } {
  if (!v.obj) return { result: v.text(), variablesReference: 0, type: typeName(v.type) };
  const s = show(v.obj, v.access);
  return {
    result: s.value, type: typeName(v.type),
    variablesReference: s.expandable ? ref({ kind: 'c-object', vcpu, frame, obj: v.obj, expr }) : 0,
    ...(s.memoryReference ? { memoryReference: s.memoryReference } : {}),
  };
}


/** Where a C variable (or member, element) of a container lives, for a data breakpoint on it. */
export function cVariableStorage(rt: DebugRuntime, c: CContainer, name: string): { address: number; size: number } | { error: string } {
  const f = frameOf(rt, c);
  if (!f) return { error: 'no C variables here' };
  const e = entries(rt, c, f.frame, accessOf(rt, f.vc, f.frame)).find((x) => x.name === name);
  if (!e) return { error: `no variable '${name}' here` };
  return storageOf(e.obj, name);
}

/** The memory an lvalue occupies, or why it has none. */
export function storageOf(o: CObject, name: string): { address: number; size: number } | { error: string } {
  if (o.loc.kind !== 'memory') return { error: `${name} cannot be watched: it is ${o.loc.kind === 'register' ? 'in a register' : o.loc.kind === 'optimized' ? 'optimized out' : 'not in memory'} here` };
  return { address: o.loc.address, size: Math.min(4096, Math.max(1, sizeOf(o.type))) };
}
