// Stepping into the hypervisor (docs/debugging.md "Inside a VM exit"): the phases of a VM exit as
// stop points. The machine reports each phase of an exit's handling on its event stream as the code
// runs it (the hypervisor's dispatcher and handlers, the kernel's I/O bus, the VMM's run loop and
// device handlers, the way back in). The runtime records the phases of one instruction of one vCPU,
// puts the machine back before that instruction (inside the exit, the instruction has not completed)
// and shows one phase at a time; leaving the last phase runs the instruction to its end.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { ExitPhaseEvent, ExitRecord, Machine } from '../vm';
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
}

/** Is this phase the exit dispatcher (`vmx_handle_exit: REASON`, `svm_handle_exit: VMEXIT_…`), where an exit starts? */
export function isExitDispatch(name: string): boolean {
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
export function exitScope(stop: PhaseStop): DebugProtocol.Variable[] {
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
export function kvmRunScope(p: ExitPhaseEvent): DebugProtocol.Variable[] {
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
