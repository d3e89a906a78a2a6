// Stepping into the hypervisor (docs/debugging.md "Inside a VM exit"): the phases of a VM exit as
// stop points. The machine reports each phase of an exit's handling on its event stream as the code
// runs it (the hypervisor's dispatcher and handlers, the kernel's I/O bus, the VMM's run loop and
// device handlers, the way back in). The runtime records the phases of one instruction of one vCPU,
// puts the machine back before that instruction (inside the exit, the instruction has not completed)
// and shows one phase at a time; leaving the last phase runs the instruction to its end.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { EventFilterId } from '../protocol';
import type { ExitPhaseEvent, ExitRecord, Machine, VmEvent } from '../vm';
import type { Value } from './expr';
import { disassemble } from '../asm';
import { hex } from './format';
import type { MachineIrqView } from './machine-view';
import type { MakeRef } from './variables';

/** A phase as recorded: the event, the exit it belongs to, and the device's registers at that moment. */
export interface PhaseStop {
  phase: ExitPhaseEvent;
  exit: ExitRecord | undefined;
  /** The instruction word that exited (for the Exit scope). */
  instruction: number | undefined;
  registers?: { name: string; value: number }[];
}

/** Being stopped inside a VM exit of vCPU `vcpu`: its phases and the one shown now. */
export interface ExitView {
  vcpu: number;
  /** The machine's position before the exiting instruction (where it is while inside the exit). */
  steps: number;
  phases: PhaseStop[];
  index: number;
  /** Entered by a line step: leaving the exit goes on to the end of this line. */
  line?: { file: string; line: number };
  /** Every machine event of the step, in order: the phase (index in `phases`) it belongs to. */
  events?: number[];
  /** Entered by an event breakpoint: the ordinal (in `events`) of the event it stopped on. */
  shown?: number;
}

/**
 * Recording one step of vCPU `vcpu`: its exit phases, where each machine event falls among them, and
 * (for an event breakpoint's stop) which event to find again.
 */
export interface PhaseSink {
  vcpu: number;
  phases: PhaseStop[];
  /** The step entered an interrupt handler instead of running its instruction. */
  interrupted?: boolean;
  events: number[];
  match?: { filter: EventFilterId; fields: Record<string, Value>; ordinal: number };
}

export function phaseSink(vcpu: number, match?: PhaseSink['match']): PhaseSink {
  return { vcpu, phases: [], events: [], ...(match ? { match } : {}) };
}

/** Starts the sink over (a step attempt that ran another vCPU). */
export function resetSink(s: PhaseSink): void {
  s.phases = [];
  s.events = [];
  s.interrupted = false;
}

/**
 * The phase (index into the sink's phases) event `e` belongs to, noted before a phase event is
 * captured: an exit belongs to its dispatcher (the phase that follows it), a phase to itself, anything
 * else (an MMIO access, a line raised by a device, an EOI) to the phase that was running when it happened.
 */
export function notePhaseOf(s: PhaseSink, e: VmEvent): void {
  const own = e.kind === 'exit' || (e.kind === 'exit-phase' && e.vcpu === s.vcpu);
  s.events.push(own ? s.phases.length : s.phases.length - 1);
}

/**
 * The view of a recorded step from its first exit on (a way back in left from an earlier exit is not
 * this one's), or undefined when the step took no exit.
 */
export function viewOfSink(s: PhaseSink, steps: number): ExitView | undefined {
  const first = s.phases.findIndex((p) => isExitDispatch(p.phase.name));
  if (first < 0) return undefined;
  return { vcpu: s.vcpu, steps, phases: s.phases.slice(first), index: 0, events: s.events.map((b) => b - first) };
}

/** Does a filter hit carry the same fields as the stop being looked for (fields added at stop time aside)? */
export function sameHit(hitFields: Record<string, Value>, wanted: Record<string, Value>): boolean {
  for (const k of Object.keys(hitFields)) if (hitFields[k] !== wanted[k]) return false;
  return true;
}

/**
 * How many of the step's events a run resuming from `view` has already passed: those of the phases
 * before the one shown, and, while the event the view was entered by is still shown (or passed),
 * that event and the ones before it. A run that resumes does not stop on them again.
 */
export function eventsPassed(view: ExitView): number {
  const ev = view.events;
  if (!ev) return 0;
  const shown = view.shown !== undefined && view.index >= ev[view.shown] ? view.shown : -1;
  let k = 0;
  while (k < ev.length && (ev[k] < view.index || k <= shown)) k++;
  return k;
}

/** Is this phase the exit dispatcher (`vmx_handle_exit: REASON`, `svm_handle_exit: VMEXIT_…`), where an exit starts? */
function isExitDispatch(name: string): boolean {
  return name.startsWith('vmx_handle_exit: ') || name.startsWith('svm_handle_exit: ');
}

/** The frame name of a phase, with its layer's prefix. */
export function phaseFrameName(p: ExitPhaseEvent): string {
  return `${p.layer === 'kvm' ? '[KVM]' : '[VMM]'} ${p.name}`;
}

/** Frames of a stop inside an exit, top first: the phases so far (newest first), then the separator. */
export function exitFrames(view: ExitView): { name: string; phase?: number; detail?: string }[] {
  const out: { name: string; phase?: number; detail?: string }[] = [];
  for (let i = view.index; i >= 0; i--) out.push({ name: phaseFrameName(view.phases[i].phase), phase: i, detail: view.phases[i].phase.detail });
  const first = view.phases.find((p) => p.exit)?.exit;
  out.push({ name: `VM exit${first ? `: ${first.reason}` : ''}` });
  return out;
}

/** The registers of a device as they are now (peeked, so nothing changes), for a device frame. */
export function deviceRegisters(m: Machine, view: MachineIrqView, device: string, vcpu: number): { name: string; value: number }[] {
  const out: { name: string; value: number }[] = [];
  if (device === 'lapic' && view.lapics?.[vcpu]) {
    const l = view.lapics[vcpu];
    for (let off = 0; off < 0x400; off += 0x10) {
      const name = l.registerName(off);
      if (name) out.push({ name, value: l.peek(off, 4) >>> 0 });
    }
    return out;
  }
  if (device === 'ioapic' && view.ioapic) {
    const io = view.ioapic;
    for (const off of [0x00, 0x10]) {
      const name = io.registerName(off);
      if (name) out.push({ name, value: io.peek(off, 4) >>> 0 });
    }
    return out;
  }
  for (const r of m.mtree.regions()) {
    if (r.kind !== 'io' || r.device.name !== device) continue;
    const d = r.device, w = d.registerWidth;
    for (let off = 0; off < Math.min(r.size, 0x100); off += w) {
      const name = d.registerName(off, false);
      if (name) out.push({ name, value: d.peek(off, w) >>> 0 });
    }
  }
  return out;
}

const v = (name: string, value: string): DebugProtocol.Variable => ({ name, value, variablesReference: 0 });

/** The "Exit" scope: reason, qualification, GPA, GVA, instruction, where it was handled. */
function exitScope(stop: PhaseStop): DebugProtocol.Variable[] {
  const e = stop.exit;
  const phase = v('phase', `${stop.phase.name}${stop.phase.detail ? `: ${stop.phase.detail}` : ''}`);
  if (!e) return [phase, v('reason', '(none)')];
  const out = [phase, v('reason', e.reason)];
  if (e.qualification !== undefined) out.push(v('qualification', hex(e.qualification >>> 0)));
  if (e.gpa !== undefined) out.push(v('GPA', hex(e.gpa >>> 0)));
  if (e.gva !== undefined) out.push(v('GVA', hex(e.gva >>> 0)));
  if (e.access) out.push(v('access', e.access));
  out.push(v('instruction', `${hex(e.pc >>> 0)}${stop.instruction !== undefined ? `: ${disassemble(stop.instruction, e.pc >>> 0).replace('\t', ' ')}` : ''}`));
  out.push(v('handled in', e.handledIn === 'kernel' ? 'kernel (KVM)' : `VMM (${e.vmmExit ?? 'KVM_EXIT_MMIO'})`));
  return out;
}

/** The "kvm_run" scope of a VMM frame. */
function kvmRunScope(p: ExitPhaseEvent): DebugProtocol.Variable[] {
  const r = p.run;
  if (!r) return [];
  const out = [v('exit_reason', r.exitReason)];
  if (r.mmio) {
    out.push(v('mmio.phys_addr', hex(r.mmio.physAddr >>> 0)), v('mmio.data', hex(r.mmio.data >>> 0)), v('mmio.len', String(r.mmio.len)), v('mmio.is_write', String(r.mmio.isWrite)));
  }
  if (r.eoiVector !== undefined) out.push(v('eoi.vector', hex(r.eoiVector)));
  out.push(v('ready_for_interrupt_injection', String(r.readyForInterruptInjection)), v('if_flag', String(r.ifFlag)));
  return out;
}

/** Scopes of a phase frame: Exit, then kvm_run (VMM frames) and the device's registers (device frames). */
export function phaseScopes(stop: PhaseStop, ref: MakeRef): DebugProtocol.Scope[] {
  const out: DebugProtocol.Scope[] = [{ name: 'Exit', variablesReference: ref({ kind: 'static', vars: exitScope(stop) }), expensive: false }];
  const p = stop.phase;
  if (p.layer === 'vmm' && p.run) out.push({ name: 'kvm_run', variablesReference: ref({ kind: 'static', vars: kvmRunScope(p) }), expensive: false });
  if (p.device && stop.registers) {
    const vars = stop.registers.map((r) => v(r.name, hex(r.value)));
    out.push({ name: `${p.device.toUpperCase()} registers`, presentationHint: 'registers', variablesReference: ref({ kind: 'static', vars }), expensive: false });
  }
  return out;
}
