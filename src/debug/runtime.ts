// The debugger's runtime (after mock-debug's mockRuntime.ts): it owns the machine, its history and
// every breakpoint, runs the guest in slices that yield to the event loop (so pause always works,
// SPEC §5, §9), steps by instruction or source line in both directions, and says why it stopped.
// It knows nothing of DAP: the session (session.ts) turns its results into protocol messages.
//
// Determinism (SPEC §1) makes reverse execution exact: History keeps checkpoints and re-executes
// from the nearest one. Anything the user changes (registers, memory, injected interrupts, a pc
// moved past an ebreak) is an input from outside the guest, so the runtime takes a checkpoint right
// after it: going back to a later step replays with the change, going back before it undoes it.
import type { EventFilterId } from '../protocol';
import { Machine, MachineConfig, RunOutcome } from '../vm/vmm/machine';
import { History } from '../vm/vmm/history';
import { ChainRecorder } from '../vm/provenance';
import type { VmEvent } from '../vm/events';
import type { Vcpu } from '../vm/hv/vcpu';
import { registerNumber } from '../asm/registers';
import { csrByName } from '../asm/csr-names';
import {
  BreakpointBase, CodeBreakpoint, DataBreakpoint, decide, EventFilterBreakpoint,
} from './breakpoints';
import { EvalContext, ExprError, Value } from './expr';
import { filterHits, FilterHit } from './event-filters';
import { hex, privName, quoteBytes } from './format';
import { Inspector } from './inspect';
import { irqView, MachineIrqView } from './machine-view';
import type { LaunchConfig } from './launch';
import type { ProgramInfo } from './program';
import { isCall, StackFrame, unwind } from './stack';
import type { DebugHost } from './host';

export type StopReason = 'entry' | 'step' | 'breakpoint' | 'function breakpoint' | 'instruction breakpoint' | 'data breakpoint' | 'exception' | 'pause' | 'goto';

export interface StopInfo {
  kind: 'stop';
  reason: StopReason;
  vcpu: number;
  /** What happened, in words (shown as "Paused on …"). */
  description: string;
  /** Longer text (an exception's message). */
  text?: string;
  breakpointIds?: number[];
  /** For event breakpoints: the filter that fired. */
  filter?: EventFilterId;
}

export interface ExitInfo {
  kind: 'exit';
  code: number;
  message: string;
}

export type RunResult = StopInfo | ExitInfo;

export interface RuntimeSink {
  /** Guest console output and adapter messages. */
  output(text: string, category: 'stdout' | 'console' | 'stderr' | 'important'): void;
}

export type Granularity = 'instruction' | 'line';

/** Wall-clock budget of one run slice before yielding to the event loop. */
const SLICE_MS = 15;
const MAX_SLICE_STEPS = 5_000_000;
/** Steps a vCPU runs per turn (machine.ts QUANTUM), for windows of multi-vCPU reverse steps. */
const QUANTUM = 10_000;

interface TempBreak { address: number; vcpu: number; cond: () => boolean }

/** A trap seen while stepping a vCPU. */
interface TrapSeen { cause: number; interrupt: boolean; epc: number; handler: number; fromPriv: number }

/** What onBreakpoint found at a breakpoint word. */
const TEMP_HIT = Symbol('temp');
const HANDLER_ENTRY = Symbol('handler');
type SliceResult = RunResult | typeof TEMP_HIT | typeof HANDLER_ENTRY | undefined;

interface ScanHit { steps: number; stop: StopInfo; handlerEntry?: { vcpu: number } }

/** A stop decided by an event: its sentence is written when it is reported. */
type PendingStop = StopInfo & { awaitHandler?: number; describe?: () => string };

/** Writes a pending stop's sentence and drops the bookkeeping fields. */
function finish(p: PendingStop): StopInfo {
  if (p.describe) {
    const d = p.describe();
    p.description = d;
    p.text = p.text ? `${d}\n${p.text}` : d;
    delete p.describe;
  }
  delete p.awaitHandler;
  return p;
}

export class DebugRuntime {
  readonly machine: Machine;
  readonly history: History;
  readonly inspector: Inspector;
  readonly view: MachineIrqView;
  private maxEmitted = 0;
  private maxSent = 0;
  private outBuffer: number[] = [];

  readonly codeBreakpoints = { source: new Map<string, CodeBreakpoint[]>(), function: [] as CodeBreakpoint[], instruction: [] as CodeBreakpoint[] };
  dataBreakpoints: DataBreakpoint[] = [];
  readonly filters = new Map<EventFilterId, EventFilterBreakpoint>();
  /** Host words with a breakpoint planted, and who wants each (user, temp, handler). */
  private readonly planted = new Map<number, Set<string>>();
  private tempBreaks: TempBreak[] = [];
  private handlerBreak: { word: number; vcpu: number; address: number } | undefined;
  /**
   * A stop was decided while no vCPU was inside KVM_RUN (a scheduled event or a timer fired between
   * runs): the machine would run the next vCPU before looking at the request, so every vCPU's next
   * instruction (or the handler an interrupt enters first) gets a breakpoint instead.
   */
  private asap: number[] | undefined;

  running = false;
  private pauseRequested = false;
  private pendingStop: PendingStop | undefined;
  /**
   * The events that followed the one that stopped the machine, within the same instruction: one
   * interrupt's hops happen in one instruction (line asserted, IOAPIC delivery, LAPIC IRR). `continue`
   * first looks through them with the breakpoints armed then, so it stops at the next hop the user
   * asks for; anything else that moves the machine drops them.
   */
  private tail: { steps: number; events: VmEvent[] } = { steps: -1, events: [] };
  /** Evaluating the tail: a stop needs no machine request. */
  private inTail = false;
  private scanning: ScanHit[] | undefined;
  /** Re-executing to record positions: events change nothing. */
  private quiet = false;
  /** Set while one vCPU is being stepped: traps it takes are noted, interrupts stop at the handler's entry. */
  private stepWatch: { vcpu: number; trap?: TrapSeen } | undefined;
  private ebreakAt: { vcpu: number; pc: number } | undefined;
  private readonly resumedAt = new Map<number, { pc: number; steps: number }>();
  /**
   * Steps at which the user changed the machine (each has a checkpoint taken right after the
   * change). Re-executing across one would not redo the change, so reverse searches never scan a
   * window that contains one: they go back before it only to a position that undoes it.
   */
  private changes: number[] = [];
  private sliceSteps = 100_000;
  /** GSI → the device that last drove it (for "interrupt 0x31 (NIC, GSI 19)"). */
  private readonly gsiDevice = new Map<number, string>();
  private readonly hasTrapEvents: boolean;
  lastStop: StopInfo | undefined;

  constructor(readonly program: ProgramInfo, readonly config: LaunchConfig, private readonly host: DebugHost, private readonly sink: RuntimeSink) {
    // The io object is part of the machine's snapshotted graph: `emitted` rewinds with it, so
    // output already shown once is not shown again when reverse execution replays it.
    const io = {
      emitted: 0,
      sent: 0,
      consoleOutput: (b: number): void => {
        io.emitted++;
        if (io.emitted <= this.maxEmitted) return;
        this.maxEmitted = io.emitted;
        this.outBuffer.push(b);
        if (b === 10 || this.outBuffer.length >= 4096) this.flushOutput();
      },
      nicTransmit: (p: Uint8Array): void => {
        io.sent++;
        if (io.sent <= this.maxSent) return;
        this.maxSent = io.sent;
        this.flushOutput();
        this.sink.output(`NIC transmitted ${p.length} bytes: ${quoteBytes(p)}\n`, 'console');
      },
    };
    const cfg: Partial<MachineConfig> = {
      vcpus: config.vcpus, memoryMiB: config.memoryMiB, mmu: config.mmu, vpid: config.vpid, cost: config.cost,
      irqchip: config.irqchip, devices: { nic: config.nic },
    };
    this.machine = new Machine(cfg, io);
    this.machine.vm.debuggerAttached = true;
    this.history = new History(this.machine, config.historyBytes);
    this.inspector = new Inspector(this.machine);
    this.view = irqView(this.machine);
    this.hasTrapEvents = typeof (this.machine.vcpus[0] as unknown as { trapTaken?: unknown }).trapTaken === 'function';
    this.machine.events.subscribe((e) => this.onEvent(e));
    ChainRecorder.attach(this.machine); // interrupt chains, rewound with the machine (debug/provenance.ts)
  }

  /** Loads the program; returns an error or warnings. */
  load(): { error?: string; warnings: string[] } {
    const r = this.machine.load(this.program.image);
    if (r.error) return r;
    for (const e of this.config.events) {
      if (e.kind === 'irq') this.view.scheduleEvent({ atCycle: e.atCycle, kind: 'irq', gsi: e.gsi ?? 0, level: e.level ?? false });
      else this.view.scheduleEvent({ atCycle: e.atCycle, kind: e.kind, data: e.data ?? new Uint8Array() });
    }
    this.history.take();
    return r;
  }

  get vcpus(): readonly Vcpu[] { return this.machine.vcpus; }

  vcpu(id: number): Vcpu | undefined {
    return Number.isInteger(id) ? this.machine.vcpus[id] : undefined;
  }

  flushOutput(): void {
    if (this.outBuffer.length === 0) return;
    const text = new TextDecoder().decode(Uint8Array.from(this.outBuffer));
    this.outBuffer = [];
    this.sink.output(text, 'stdout');
  }

  // ---- expression context -----------------------------------------------------------------------

  /** Names in expressions: `fields` first (an event's), then registers, CSRs, $-variables, symbols. */
  context(vcpuId: number, fields?: Record<string, Value>): EvalContext {
    const v = this.vcpu(vcpuId) ?? this.machine.vcpus[0];
    return {
      lookup: (name) => {
        if (fields && name in fields) return fields[name];
        if (name === 'pc') return v.cpu.pc >>> 0;
        const r = registerNumber(name);
        if (r !== undefined) return v.cpu.x[r] >>> 0;
        const csr = csrByName(name);
        if (csr) { const val = v.cpu.csrRead(csr.address); if (val !== undefined) return val >>> 0; }
        switch (name) {
          case '$vcpu': return v.id;
          case '$steps': return this.machine.steps;
          case '$cycles': return v.cpu.cycles();
          case '$instret': return v.cpu.instret;
          case '$priv': return privName(v.cpu.priv);
        }
        const s = this.program.symbol(name);
        return s ? s.address : undefined;
      },
      read: (address, size, physical) => (physical ? this.inspector.readPhys(address, size, v.id) : this.inspector.readVirt(v, address, size)),
    };
  }

  /** A label for an interrupt vector from the routing it can reach: "NIC, GSI 19". */
  vectorLabel = (vector: number): string | undefined => {
    const ioapic = this.view.ioapic;
    if (ioapic) {
      for (let gsi = 0; gsi < 24; gsi++) {
        const e = ioapic.entry(gsi);
        if (e.vector !== vector || e.mask) continue;
        const dev = this.gsiDevice.get(gsi) ?? this.view.pci?.routes().find((r) => r.gsi === gsi)?.device ?? (gsi === 4 ? 'uart' : undefined);
        return dev ? `${dev.toUpperCase()}, GSI ${gsi}` : `GSI ${gsi}`;
      }
    }
    for (const r of this.view.pci?.routes() ?? []) {
      if (r.msi?.enabled && (r.msi.data & 0xff) === vector) return `${r.device.toUpperCase()}, MSI`;
    }
    return undefined;
  };

  // ---- breakpoints --------------------------------------------------------------------------------

  allCodeBreakpoints(): CodeBreakpoint[] {
    return [...[...this.codeBreakpoints.source.values()].flat(), ...this.codeBreakpoints.function, ...this.codeBreakpoints.instruction];
  }

  /** The host word a guest-virtual code address lives in (as vCPU 0 translates it now), or -1. */
  private wordOf(address: number): number {
    const t = this.inspector.translate(this.machine.vcpus[0], address);
    if (t.gpa === undefined) return -1;
    const host = this.inspector.hostOf(t.gpa);
    return host < 0 ? -1 : host >>> 2;
  }

  private plant(word: number, owner: string): void {
    let owners = this.planted.get(word);
    if (!owners) {
      owners = new Set();
      this.planted.set(word, owners);
      this.machine.host.setBreakpoint(word << 2);
    }
    owners.add(owner);
  }

  private unplant(word: number, owner: string): void {
    const owners = this.planted.get(word);
    if (!owners) return;
    owners.delete(owner);
    if (owners.size === 0) {
      this.planted.delete(word);
      this.machine.host.clearBreakpoint(word << 2);
    }
  }

  /** Plants exactly the user's code breakpoints (after any change, and before running: translations may have changed). */
  syncCodeBreakpoints(): void {
    const want = new Set<number>();
    for (const bp of this.allCodeBreakpoints()) {
      if (bp.address === undefined) continue;
      const w = this.wordOf(bp.address);
      if (w >= 0) want.add(w);
    }
    for (const [w, owners] of [...this.planted]) if (owners.has('user') && !want.has(w)) this.unplant(w, 'user');
    for (const w of want) this.plant(w, 'user');
  }

  /** Resolves and watches data breakpoints' RAM (device registers are matched on MMIO events). */
  syncDataBreakpoints(): void {
    const host = this.machine.host;
    let changed = false;
    for (const bp of this.dataBreakpoints) {
      if (bp.host !== undefined) { host.watch(bp.host, bp.target.size, false); bp.host = undefined; changed = true; }
    }
    for (const bp of this.dataBreakpoints) {
      const t = bp.target;
      if (t.space === 'mmio') { bp.gpa = t.address; continue; }
      const gpa = t.space === 'gpa' ? t.address : this.inspector.translate(this.machine.vcpus[0], t.address).gpa;
      bp.gpa = gpa;
      const h = gpa === undefined ? -1 : this.inspector.hostOf(gpa);
      if (h < 0 || this.inspector.hostOf(gpa! + t.size - 1) !== h + t.size - 1) {
        bp.verified = false;
        bp.message = gpa === undefined ? `${hex(t.address)} does not translate now` : `GPA ${hex(gpa)} is not RAM`;
        continue;
      }
      bp.host = h;
      host.watch(h, t.size, true);
      changed = true;
    }
    // Watched pages must leave the CPUs' fast tables so their accesses take the reporting path.
    if (changed) for (const v of this.machine.vcpus) v.cpu.flushTranslations();
  }

  // ---- events from the machine ----------------------------------------------------------------------

  private onEvent(e: VmEvent): void {
    if (this.history.replaying) return;
    if (e.kind === 'irq-line') this.gsiDevice.set(e.gsi, e.device);
    if ((e.kind as string) === 'guest-trap') this.onTrap(e as unknown as { vcpu: number; cause: number; interrupt: boolean; epc: number; handler: number; fromPriv: number });
    if (!this.running || this.quiet) return;
    if (this.pendingStop && !this.scanning) {
      if (this.tail.events.length < 1024) this.tail.events.push(e);
      return;
    }
    this.evaluateEvent(e);
  }

  /** Data and event breakpoints for one event. */
  private evaluateEvent(e: VmEvent): void {
    if (e.kind === 'mem-access' || e.kind === 'mmio') this.checkData(e);
    if (this.filters.size) {
      for (const hit of filterHits(e, this.vectorLabel, this.hasTrapEvents, this.exitDetails)) {
        const bp = this.filters.get(hit.filter);
        if (bp) this.checkFilter(bp, hit);
      }
    }
  }

  private exitDetails = (vcpu: number, cycle: number, reason: string): { device?: string; register?: string; value?: number } | undefined => {
    const r = this.vcpu(vcpu)?.lastExit;
    if (!r || r.cycle !== cycle || r.reason !== reason || r.device === undefined) return undefined;
    return { device: r.device, register: r.register, value: r.value };
  };

  private onTrap(t: { vcpu: number; cause: number; interrupt: boolean; epc: number; handler: number; fromPriv: number }): void {
    const w = this.stepWatch;
    const stepping = w !== undefined && w.vcpu === t.vcpu;
    if (stepping) w.trap = { cause: t.cause, interrupt: t.interrupt, epc: t.epc, handler: t.handler, fromPriv: t.fromPriv };
    // An interrupt is entered before the step's instruction runs: a breakpoint at the handler's
    // first instruction makes the stop land exactly there (an exception's step ends there anyway).
    const awaiting = this.pendingStop?.awaitHandler === t.vcpu;
    if (t.interrupt && (stepping || awaiting || this.asap) && !this.handlerBreak) {
      const word = this.wordOfFor(t.vcpu, t.handler);
      if (word >= 0) {
        this.handlerBreak = { word, vcpu: t.vcpu, address: t.handler >>> 0 };
        this.plant(word, 'handler');
      }
      if (awaiting || this.asap) this.machine.requestStop();
    }
  }

  private wordOfFor(vcpu: number, address: number): number {
    const v = this.vcpu(vcpu);
    if (!v) return -1;
    const t = this.inspector.translate(v, address);
    const h = t.gpa === undefined ? -1 : this.inspector.hostOf(t.gpa);
    return h < 0 ? -1 : h >>> 2;
  }

  private clearHandlerBreak(): void {
    if (!this.handlerBreak) return;
    this.unplant(this.handlerBreak.word, 'handler');
    this.handlerBreak = undefined;
  }

  private checkData(e: Extract<VmEvent, { kind: 'mem-access' | 'mmio' }>): void {
    for (const bp of this.dataBreakpoints) {
      if ((bp.target.space === 'mmio') !== (e.kind === 'mmio')) continue;
      if (!bp.matches(e.gpa >>> 0, e.size, e.write)) continue;
      const fields: Record<string, Value> = { gpa: e.gpa >>> 0, value: e.value >>> 0, size: e.size, write: e.write, pc: e.pc >>> 0 };
      if (e.kind === 'mem-access') fields.gva = e.gva >>> 0;
      const what = `${e.write ? `write ${hex(e.value >>> 0)} to` : `read ${hex(e.value >>> 0)} from`}`;
      const where = e.kind === 'mmio'
        ? `${e.device.toUpperCase()}${e.register ? ' ' + e.register : ''} (GPA ${hex(e.gpa >>> 0)})`
        : `${hex(e.gva >>> 0)}${e.gva >>> 0 !== e.gpa >>> 0 ? ` (GPA ${hex(e.gpa >>> 0)})` : ''}`;
      this.onHit(bp, this.context(e.vcpu, fields), {
        kind: 'stop', reason: 'data breakpoint', vcpu: Math.max(e.vcpu, 0), breakpointIds: [bp.id],
        description: `Data breakpoint: ${what} ${where}, ${e.size} byte${e.size > 1 ? 's' : ''}, by the instruction at ${hex(e.pc >>> 0)}`,
      });
    }
  }

  private checkFilter(bp: EventFilterBreakpoint, hit: FilterHit): void {
    const vcpu = hit.vcpu >= 0 ? hit.vcpu : this.machine.currentVcpu;
    // The sentence is written when the stop is reported: the access has completed by then (an
    // exit's device register and value are known only after the device handled it).
    const stop: PendingStop = { kind: 'stop', reason: 'exception', vcpu, description: '', filter: hit.filter, describe: hit.describe };
    if (hit.awaitsHandler && this.hasTrapEvents) stop.awaitHandler = hit.vcpu;
    this.onHit(bp, this.context(vcpu, hit.fields), stop);
  }

  /** A data or event breakpoint fired: log, stop (the machine stops after the current instruction), or pass. */
  private onHit(bp: BreakpointBase, ctx: EvalContext, stop: PendingStop): void {
    const d = decide(bp, ctx, this.scanning === undefined);
    if (d.action === 'pass') return;
    if (d.action === 'log') {
      if (!this.scanning) this.sink.output(d.text + '\n', 'console');
      return;
    }
    if (d.conditionError) stop.text = stop.text ? `${stop.text}\n${d.conditionError}` : d.conditionError;
    if (this.pendingStop) return;
    this.pendingStop = stop;
    if (this.inTail) return;
    // An interrupt-taken stop waits for the trap into the handler (onTrap) to land on its entry.
    if (stop.awaitHandler !== undefined) return;
    this.machine.requestStop();
    if (!this.machine.vm.running && !this.asap) {
      this.asap = [];
      for (const v of this.machine.vcpus) {
        const w = this.wordOfFor(v.id, v.cpu.pc);
        if (w >= 0) { this.plant(w, 'asap'); this.asap.push(w); }
      }
    }
  }

  private clearAsap(): void {
    for (const w of this.asap ?? []) this.unplant(w, 'asap');
    this.asap = undefined;
  }

  // ---- running --------------------------------------------------------------------------------------

  /** Asks a running operation to stop at the next slice boundary. */
  pause(): void {
    if (this.running) this.pauseRequested = true;
  }

  private pauseStop(vcpu = this.machine.currentVcpu): StopInfo {
    return { kind: 'stop', reason: 'pause', vcpu, description: `Paused at ${this.where(vcpu)}` };
  }

  where(vcpu: number): string {
    const pc = this.vcpu(vcpu)?.cpu.pc ?? 0;
    const line = this.program.lineAt(pc >>> 0);
    const name = this.program.describe(pc >>> 0);
    return `${hex(pc >>> 0)}${name ? ` <${name}>` : ''}${line ? ` (${line.file.replace(/^.*[\\/]/, '')}:${line.line})` : ''}`;
  }

  /** Runs one operation with the running flag and bookkeeping around it. */
  private async operate(op: () => Promise<RunResult>): Promise<RunResult> {
    if (this.running) throw new Error('the machine is already running');
    this.tail = { steps: -1, events: [] };
    this.running = true;
    this.pauseRequested = false;
    this.pendingStop = undefined;
    let r: RunResult;
    try {
      this.prepareResume();
      r = await op();
    } catch (e) {
      r = { kind: 'stop', reason: 'exception', vcpu: 0, description: 'Internal error in the debugger', text: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) };
    } finally {
      this.running = false;
      this.stepWatch = undefined;
      this.clearTemps();
      this.clearHandlerBreak();
      this.clearAsap();
      this.flushOutput();
    }
    if (r.kind === 'stop') this.lastStop = r;
    // The events after the stop belong to this position only.
    if (r.kind === 'stop') this.tail.steps = this.machine.steps;
    // Going back before a change undid it (its checkpoint is gone with the newer ones).
    this.changes = this.changes.filter((c) => c <= this.machine.steps);
    return r;
  }

  /**
   * Lets vCPU `v` execute the instruction under a breakpoint word at its pc when it resumes (the
   * CPU's resumeFromBreakpoint), remembering where, so a resume that did not step can be redone.
   */
  private resumeOver(v: Vcpu): void {
    const at = this.planted.has(this.wordOfFor(v.id, v.cpu.pc));
    v.cpu.resumeFromBreakpoint = at;
    if (at) this.resumedAt.set(v.id, { pc: v.cpu.pc >>> 0, steps: this.machine.steps });
    else this.resumedAt.delete(v.id);
  }

  /** Before running: user breakpoints follow the translations, and a vCPU stopped on one steps over it. */
  private prepareResume(): void {
    this.syncCodeBreakpoints();
    if (this.ebreakAt) {
      // Resuming from an ebreak skips it (as GDB's "compiled-in breakpoint"): an input from outside.
      const v = this.vcpu(this.ebreakAt.vcpu);
      if (v && (v.cpu.pc >>> 0) === this.ebreakAt.pc) { v.cpu.pc = (v.cpu.pc + 4) | 0; this.noteExternalChange(); }
      this.ebreakAt = undefined;
    }
    for (const v of this.machine.vcpus) this.resumeOver(v);
  }

  /** Runs `chunk` until it returns a result, yielding to the event loop every SLICE_MS; pause ends it. */
  private async loop(chunk: () => RunResult | undefined): Promise<RunResult> {
    for (;;) {
      const t0 = this.host.now();
      do {
        const r = chunk();
        if (r) return r;
      } while (!this.pauseRequested && this.host.now() - t0 < SLICE_MS);
      this.flushOutput();
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.pauseRequested) return this.pauseStop();
    }
  }

  /** One History.run to `untilStep`, sized adaptively; classifies what it returned. */
  private runTo(untilStep: number): SliceResult {
    const t0 = this.host.now();
    const before = this.machine.steps;
    const outcome = this.history.run(Infinity, untilStep);
    const dt = this.host.now() - t0, n = this.machine.steps - before;
    if (n > 1000 && dt > 0) this.sliceSteps = Math.max(10_000, Math.min(MAX_SLICE_STEPS, Math.round(n * (SLICE_MS / 3) / dt)));
    return this.classify(outcome);
  }

  private classify(outcome: RunOutcome): SliceResult {
    // A stop decided before the machine powered off, failed or halted is reported first.
    if (outcome.kind !== 'stopped' && outcome.kind !== 'limit') {
      const pending = this.takePending();
      if (pending) return pending;
    }
    switch (outcome.kind) {
      case 'poweroff':
        this.flushOutput();
        return { kind: 'exit', code: outcome.code, message: `The guest powered off (exit code ${outcome.code}) after ${this.machine.instructions()} instructions, ${this.machine.cycles()} cycles` };
      case 'failure': {
        const pending = this.takePending();
        if (pending) return pending;
        return { kind: 'stop', reason: 'exception', vcpu: this.machine.currentVcpu, description: 'The guest cannot go on', text: outcome.message };
      }
      case 'halted':
        return { kind: 'stop', reason: 'exception', vcpu: 0, description: 'Every vCPU is halted', text: outcome.message };
      case 'limit':
        return undefined;
      case 'stopped':
        if (outcome.reason === 'breakpoint') return this.onBreakpoint(outcome.vcpu);
        if (outcome.reason === 'ebreak') {
          const pc = this.machine.vcpus[outcome.vcpu].cpu.pc >>> 0;
          this.ebreakAt = { vcpu: outcome.vcpu, pc };
          return { kind: 'stop', reason: 'breakpoint', vcpu: outcome.vcpu, description: `ebreak at ${this.where(outcome.vcpu)}` };
        }
        return this.takePending();
    }
  }

  private takePending(): StopInfo | undefined {
    const p = this.pendingStop;
    if (!p || p.awaitHandler !== undefined) return undefined;
    this.pendingStop = undefined;
    return finish(p);
  }

  /** A vCPU reached a planted word: the handler entry, a temporary breakpoint, or the user's. */
  private onBreakpoint(vcpuId: number): SliceResult {
    const v = this.machine.vcpus[vcpuId];
    const pc = v.cpu.pc >>> 0;
    if (this.asap) {
      this.clearAsap();
      if (this.handlerBreak?.address === pc) this.clearHandlerBreak();
      const p = this.takePending();
      if (p) return p;
    }
    const hb = this.handlerBreak;
    if (hb && hb.vcpu === vcpuId && hb.address === pc) {
      this.clearHandlerBreak();
      const p = this.pendingStop;
      if (p && p.awaitHandler === vcpuId) { this.pendingStop = undefined; return finish(p); }
      const pending = this.takePending();
      if (pending) return pending;
      if (this.stepWatch?.vcpu === vcpuId) return HANDLER_ENTRY;
      this.resumeOver(v);
      return undefined;
    }
    // The CPU steps over a breakpoint only when pc's page is in its fetch table (not right after a
    // reset or a flush): when a resume did not move, step over it here with the word lifted.
    const resumed = this.resumedAt.get(vcpuId);
    if (resumed && resumed.pc === pc && resumed.steps === this.machine.steps) {
      this.resumedAt.delete(vcpuId);
      const r = this.stepOverLifted(vcpuId);
      return r === 'done' ? undefined : r;
    }
    const pending = this.takePending();
    if (pending) return pending;
    const ids: number[] = [];
    let kind: StopReason = 'breakpoint';
    let text: string | undefined;
    const hits = this.allCodeBreakpoints().filter((bp) => bp.address === pc);
    const ctx = this.context(vcpuId);
    for (const bp of hits) {
      const d = decide(bp, ctx, this.scanning === undefined);
      if (d.action === 'log') { if (!this.scanning) this.sink.output(d.text + '\n', 'console'); continue; }
      if (d.action === 'pass') continue;
      ids.push(bp.id);
      if (d.conditionError) text = d.conditionError;
      kind = bp.kind === 'function' ? 'function breakpoint' : bp.kind === 'instruction' ? 'instruction breakpoint' : 'breakpoint';
    }
    if (ids.length) {
      const description = `${kind === 'function breakpoint' ? 'Function breakpoint' : kind === 'instruction breakpoint' ? 'Instruction breakpoint' : 'Breakpoint'} at ${this.where(vcpuId)}`;
      return { kind: 'stop', reason: kind, vcpu: vcpuId, description, breakpointIds: ids, ...(text ? { text } : {}) };
    }
    if (this.tempBreaks.some((t) => t.vcpu === vcpuId && t.address === pc && t.cond())) return TEMP_HIT;
    this.resumeOver(v);
    return undefined;
  }

  private clearTemps(): void {
    for (const t of this.tempBreaks) {
      const w = this.wordOfFor(t.vcpu, t.address);
      if (w >= 0) this.unplant(w, 'temp');
    }
    this.tempBreaks = [];
  }

  /** Runs freely until a stop; with temporary breakpoints, their hit ends the run (undefined). */
  private async runFree(temps: TempBreak[] = []): Promise<RunResult | undefined> {
    this.clearTemps();
    for (const t of temps) {
      const w = this.wordOfFor(t.vcpu, t.address);
      if (w >= 0) { this.plant(w, 'temp'); this.tempBreaks.push(t); }
    }
    let tempHit = false;
    const r = await this.loop(() => {
      const s = this.runTo(this.machine.steps + this.sliceSteps);
      if (s === TEMP_HIT) { tempHit = true; return this.pauseStop(); }
      if (s === HANDLER_ENTRY) return undefined;
      return s;
    });
    this.clearTemps();
    if (tempHit) {
      // Leave the vCPU able to step over the word if the user also has a breakpoint there.
      for (const v of this.machine.vcpus) this.resumeOver(v);
      return undefined;
    }
    return r;
  }

  /** The vCPU the scheduler runs next (the machine skips halted ones without a pending interrupt). */
  private whoRunsNext(): number {
    const vs = this.machine.vcpus;
    for (let k = 0; k < vs.length; k++) {
      const i = (this.machine.currentVcpu + k) % vs.length;
      const c = vs[i].cpu;
      if (!(c.halted && (c.mip() & c.mie) === 0)) return i;
    }
    return this.machine.currentVcpu;
  }

  /**
   * Runs until vCPU `id` has taken one step (other vCPUs run as scheduled meanwhile). Returns a stop,
   * or undefined with `stepWatch.trap` set if the step entered a trap handler.
   */
  private stepOne(id: number): RunResult | undefined {
    const v = this.machine.vcpus[id];
    this.stepWatch = { vcpu: id };
    for (let guard = 0; guard < 4 * QUANTUM * this.machine.vcpus.length; guard++) {
      const next = this.whoRunsNext();
      const pc = v.cpu.pc, steps = this.machine.steps;
      const s = this.runTo(steps + 1);
      if (s === HANDLER_ENTRY) return undefined;
      if (s === TEMP_HIT) continue;
      if (s) return s;
      if (next === id) {
        if (this.machine.steps > steps) return undefined;
        // No progress at a breakpoint word: step over it with the word lifted.
        if ((v.cpu.pc >>> 0) === (pc >>> 0)) { const r = this.stepOverLifted(id); if (r !== 'done') return r; return undefined; }
      }
    }
    return { kind: 'stop', reason: 'exception', vcpu: id, description: `vCPU ${id} did not get to run`, text: 'the other vCPUs kept running without giving it a turn' };
  }

  private stepOverLifted(id: number): RunResult | undefined | 'done' {
    const word = this.wordOfFor(id, this.machine.vcpus[id].cpu.pc);
    const owners = this.planted.get(word);
    if (owners) this.machine.host.clearBreakpoint(word << 2);
    try {
      const s = this.runTo(this.machine.steps + 1);
      return s === undefined || s === TEMP_HIT || s === HANDLER_ENTRY ? 'done' : s;
    } finally {
      if (owners) this.machine.host.setBreakpoint(word << 2);
    }
  }

  private stepStop(id: number): StopInfo {
    return { kind: 'stop', reason: 'step', vcpu: id, description: `Stepped to ${this.where(id)}` };
  }

  continue(): Promise<RunResult> {
    const next = this.nextInTail();
    if (next) {
      this.lastStop = next;
      return Promise.resolve(next);
    }
    return this.operate(async () => (await this.runFree()) ?? this.pauseStop());
  }

  /** The first stop among the events after the last stop (same instruction), with today's breakpoints. */
  private nextInTail(): StopInfo | undefined {
    const t = this.tail;
    if (t.steps !== this.machine.steps || this.running) return undefined;
    this.inTail = true;
    this.running = true;
    this.pendingStop = undefined;
    try {
      while (t.events.length) {
        this.evaluateEvent(t.events.shift()!);
        const p = this.pendingStop as PendingStop | undefined;
        if (p) { this.pendingStop = undefined; return finish(p); }
      }
    } finally {
      this.inTail = false;
      this.running = false;
    }
    return undefined;
  }

  /** Step in / over by instruction or by source line. */
  step(id: number, over: boolean, granularity: Granularity): Promise<RunResult> {
    return this.operate(async () => {
      const v = this.machine.vcpus[id];
      const start = granularity === 'line' ? this.program.lineAt(v.cpu.pc >>> 0) : undefined;
      const sp0 = v.cpu.x[2] >>> 0;
      let interruptsStepped = 0;
      let t0 = this.host.now();
      for (;;) {
        const pc = v.cpu.pc >>> 0;
        let word = 0;
        try { word = this.inspector.readVirt(v, pc, 4); } catch { /* not code we can read: just step */ }
        if (over && isCall(word)) {
          const r = await this.runFree([{ address: (pc + 4) >>> 0, vcpu: id, cond: () => (v.cpu.x[2] >>> 0) >= sp0 }]);
          if (r) return r;
        } else {
          const r = this.stepOne(id);
          if (r) return r;
          const trap = this.stepWatch?.trap;
          if (trap?.interrupt && over) {
            // `next` does not stop in an interrupt handler: run until it returns to where it interrupted.
            if (++interruptsStepped > 100) return this.stepStop(id);
            const epc = trap.epc >>> 0, priv = trap.fromPriv;
            const back = await this.runFree([{ address: epc, vcpu: id, cond: () => v.cpu.priv === priv }]);
            if (back) return back;
            continue;
          }
          if (trap) return this.stepStop(id);
        }
        if (!start) return this.stepStop(id);
        const now = this.program.lineAt(v.cpu.pc >>> 0);
        if (!now || now.file !== start.file || now.line !== start.line || ((v.cpu.pc >>> 0) === now.address && (v.cpu.pc >>> 0) !== (pc + 4) >>> 0)) {
          return this.stepStop(id);
        }
        if (this.host.now() - t0 > SLICE_MS) {
          this.flushOutput();
          await new Promise<void>((resolve) => setImmediate(resolve));
          if (this.pauseRequested) return this.pauseStop(id);
          t0 = this.host.now();
        }
      }
    });
  }

  /** Step out of the current function, or out of a trap handler back to the interrupted code. */
  stepOut(id: number): Promise<RunResult> {
    return this.operate(async () => {
      const v = this.machine.vcpus[id];
      const frames = this.frames(id);
      const caller = frames[1];
      if (!caller) return { kind: 'stop', reason: 'step', vcpu: id, description: `No caller to step out to from ${this.where(id)}` };
      const sp0 = v.cpu.x[2] >>> 0, pc0 = v.cpu.pc >>> 0;
      // Out of a handler: back at the interrupted pc once no trap frame is left; out of a function:
      // at the return address with the stack popped (recursion re-enters the same address deeper).
      const target: TempBreak = caller.kind === 'trap'
        ? { address: caller.pc, vcpu: id, cond: () => !this.inHandler(id) }
        : { address: caller.pc, vcpu: id, cond: () => (v.cpu.x[2] >>> 0) >= sp0 && (v.cpu.pc >>> 0) !== pc0 };
      return (await this.runFree([target])) ?? this.stepStop(id);
    });
  }

  /** Is vCPU `id` inside a trap handler (its innermost frames include a trap frame)? */
  private inHandler(id: number): boolean {
    return this.frames(id).some((f) => f.kind === 'trap');
  }

  frames(id: number): StackFrame[] {
    const v = this.vcpu(id);
    if (!v) return [];
    return unwind(this.program, this.inspector, v, this.vectorLabel);
  }

  // ---- reverse ----------------------------------------------------------------------------------------

  private atHistoryStart(id: number): StopInfo {
    return { kind: 'stop', reason: 'step', vcpu: id, description: `Reached the start of the recorded history at ${this.where(id)}` };
  }

  /** Lifts every planted word while `f` re-executes (reverse scans must not stop on them). */
  private lifted<T>(f: () => T): T {
    const words = [...this.planted.keys()];
    for (const w of words) this.machine.host.clearBreakpoint(w << 2);
    try {
      return f();
    } finally {
      for (const w of words) this.machine.host.setBreakpoint(w << 2);
    }
  }

  /** The steps (machine positions) before each step vCPU `id` took in [from, to), with its pc and sp there. */
  private async recordSteps(id: number, from: number, to: number): Promise<{ step: number; pc: number; sp: number }[]> {
    const out: { step: number; pc: number; sp: number }[] = [];
    const v = this.machine.vcpus[id];
    this.history.seek(from);
    this.quiet = true;
    try {
      let t0 = this.host.now();
      while (this.machine.steps < to) {
        const next = this.whoRunsNext();
        const rec = { step: this.machine.steps, pc: v.cpu.pc >>> 0, sp: v.cpu.x[2] >>> 0 };
        const before = this.machine.steps;
        const outcome = this.lifted(() => this.history.run(Infinity, before + 1));
        if (next === id && this.machine.steps > before) out.push(rec);
        if (this.machine.steps === before) break; // halted or failed: nothing further
        if (outcome.kind === 'poweroff' || outcome.kind === 'failure') break;
        if (this.host.now() - t0 > SLICE_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          t0 = this.host.now();
        }
      }
    } finally {
      this.quiet = false;
      this.pendingStop = undefined;
    }
    return out;
  }

  /** Goes back one instruction (of vCPU `id`) or to the start of the previous source line. */
  stepBack(id: number, granularity: Granularity): Promise<RunResult> {
    return this.operate(async () => {
      const m = this.machine, h = this.history;
      const target = m.steps;
      if (target <= h.oldestStep) return this.atHistoryStart(id);
      const v = m.vcpus[id];
      const curLine = granularity === 'line' ? this.program.lineAt(v.cpu.pc >>> 0) : undefined;
      const sp0 = v.cpu.x[2] >>> 0;
      if (m.vcpus.length === 1 && !curLine) {
        h.seek(target - 1);
        return this.stepStop(id);
      }
      let window = m.vcpus.length === 1 ? 64 : m.vcpus.length * QUANTUM + 1;
      const floor = this.floor(target);
      if (target <= floor && m.vcpus.length > 1) return this.atHistoryStart(id);
      for (;;) {
        const from = Math.max(floor, target - window);
        const recs = await this.recordSteps(id, from, target);
        if (this.pauseRequested) return this.pauseStop(id);
        let chosen: number | undefined;
        if (!curLine) {
          chosen = recs.length ? recs[recs.length - 1].step : undefined;
        } else {
          let i = recs.length - 1;
          const lineOf = (k: number): string => { const l = this.program.lineAt(recs[k].pc); return l ? `${l.file}:${l.line}` : `@${recs[k].pc}`; };
          const cur = `${curLine.file}:${curLine.line}`;
          // A callee's instructions (deeper stack, another function) belong to the line that called it.
          const fnOf = (pcv: number): number | undefined => this.program.functionAt(pcv)?.address;
          const inCallee = (k: number, sp: number, fn: number | undefined): boolean => recs[k].sp < sp && fnOf(recs[k].pc) !== fn;
          const fn0 = fnOf(v.cpu.pc >>> 0);
          while (i >= 0 && (lineOf(i) === cur || inCallee(i, sp0, fn0))) i--;
          if (i >= 0) {
            const prev = lineOf(i);
            const fnPrev = fnOf(recs[i].pc);
            let j = i;
            while (j - 1 >= 0 && (lineOf(j - 1) === prev || inCallee(j - 1, recs[i].sp, fnPrev))) j--;
            if (j > 0 || from === floor) chosen = recs[j].step;
          }
        }
        if (chosen !== undefined) { h.seek(chosen); return this.stepStop(id); }
        if (from === floor || window >= 1 << 24) {
          h.seek(recs.length ? recs[0].step : from);
          return recs.length ? this.stepStop(id) : this.atHistoryStart(id);
        }
        window *= 4;
      }
    });
  }

  /** Runs backwards to the most recent point where a breakpoint (of any kind) would have stopped. */
  reverseContinue(id: number): Promise<RunResult> {
    return this.operate(async () => {
      const m = this.machine, h = this.history;
      let end = m.steps;
      const windowSize = Math.max(h.interval, 100_000);
      while (end > h.oldestStep) {
        const start = Math.max(this.floor(end), end - windowSize);
        const hits = await this.scanWindow(start, end);
        if (this.pauseRequested) return this.pauseStop(id); // somewhere in the window searched
        const last = hits.filter((x) => x.steps < end).pop();
        if (last) {
          h.seek(last.steps);
          if (last.handlerEntry) this.enterHandler(last.handlerEntry.vcpu);
          return last.stop;
        }
        end = start;
      }
      h.seek(h.oldestStep);
      return this.atHistoryStart(id);
    });
  }

  /** Re-executes [start, end) with every breakpoint armed, recording where each would stop. */
  private async scanWindow(start: number, end: number): Promise<ScanHit[]> {
    const hits: ScanHit[] = [];
    this.history.seek(start);
    this.scanning = hits;
    try {
      // A breakpoint exactly at `start` counts here (the window after this one stops before it).
      for (const v of this.machine.vcpus) v.cpu.resumeFromBreakpoint = false;
      let t0 = this.host.now();
      while (this.machine.steps < end) {
        this.pendingStop = undefined;
        const before = this.machine.steps;
        const outcome = this.history.run(Infinity, end);
        const p = this.pendingStop as PendingStop | undefined;
        const awaited = p?.awaitHandler;
        if (outcome.kind === 'stopped' && outcome.reason === 'breakpoint') {
          const r = this.onBreakpoint(outcome.vcpu);
          if (awaited !== undefined && p) {
            hits.push({ steps: this.machine.steps, stop: finish(p), handlerEntry: { vcpu: outcome.vcpu } });
          } else if (r && typeof r === 'object' && r.kind === 'stop') {
            hits.push({ steps: this.machine.steps, stop: r });
          }
          const v = this.machine.vcpus[outcome.vcpu];
          this.resumeOver(v);
        } else if (outcome.kind === 'stopped' && outcome.reason === 'ebreak') {
          break;
        } else if (p && p.awaitHandler === undefined) {
          hits.push({ steps: this.machine.steps, stop: finish(p) });
        } else if (outcome.kind !== 'stopped') {
          break;
        }
        this.clearHandlerBreak();
        if (this.machine.steps === before && !(outcome.kind === 'stopped' && outcome.reason === 'breakpoint')) break;
        if (this.host.now() - t0 > SLICE_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          if (this.pauseRequested) break;
          t0 = this.host.now();
        }
      }
    } finally {
      this.scanning = undefined;
      this.pendingStop = undefined;
      this.clearHandlerBreak();
    }
    return hits;
  }

  /** From the step before an interrupt is taken, re-enters the handler and stops on its entry. */
  private enterHandler(id: number): void {
    this.stepWatch = { vcpu: id };
    try {
      this.runTo(this.machine.steps + 1);
    } finally {
      this.stepWatch = undefined;
      this.clearHandlerBreak();
    }
  }

  // ---- changes from outside the guest -------------------------------------------------------------------

  /** After the user changed the machine: a checkpoint here makes the change part of history. */
  noteExternalChange(): void {
    this.history.take();
    const at = this.machine.steps;
    if (this.changes[this.changes.length - 1] !== at) this.changes.push(at);
  }

  /** The earliest step a reverse search ending at `end` may re-execute from (see `changes`). */
  private floor(end: number): number {
    let f = this.history.oldestStep;
    for (const c of this.changes) if (c < end && c > f) f = c;
    return f;
  }

  /** GSI level from the user (KVM_IRQ_LINE from the debug console). */
  injectIrq(gsi: number, level: boolean): string {
    if (!Number.isInteger(gsi) || gsi < 0 || gsi > 23) throw new ExprError(`GSI ${gsi} is not 0–23`);
    const r = this.view.setGsi(gsi, level, 'console');
    this.noteExternalChange();
    return `GSI ${gsi} ${level ? 'asserted' : 'released'} (KVM_IRQ_LINE returned ${r})`;
  }

  injectNic(bytes: Uint8Array): string {
    const r = this.view.nicReceive(bytes);
    this.noteExternalChange();
    return r === 'no-nic' ? 'no NIC on this machine (devices.nic is false)' : `NIC receive of ${bytes.length} bytes: ${r}`;
  }

  injectUart(bytes: Uint8Array): string {
    const n = this.view.uartInput(bytes);
    this.noteExternalChange();
    return n === bytes.length ? `UART received ${n} byte${n === 1 ? '' : 's'}` : `UART received ${n} of ${bytes.length} bytes (receive FIFO full)`;
  }
}
