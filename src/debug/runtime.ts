// The debugger's runtime (after mock-debug's mockRuntime.ts): it owns the machine, its history and
// the session's breakpoints, runs the guest in slices that yield to the event loop (so pause always
// works, docs/debugging.md), steps by instruction or source line in both directions, and says why
// it stopped. It knows nothing of DAP: the session (session.ts) turns its results into protocol
// messages.
//
// It is run control, one of three pieces over the machine's debug port (src/vm/debug-port.ts):
// breakpoints live in breakpoint-set.ts, reverse execution in reverse.ts (docs/debugging.md
// "Inside the runtime"). Nothing here writes a vCPU's fields: changes go through the port.
import type { EventFilterId } from '../protocol';
import { ChainRecorder, History, Machine } from '../vm';
import type { MachineConfig, RunOutcome, Vcpu, VmEvent } from '../vm';
import { DebugPort } from '../vm/debug-port';
import { lastWriteOf, wordGpa } from './last-write';
import { registerNumber } from '../asm/registers';
import { csrByName } from '../asm/csr-names';
import { BreakpointBase, CodeBreakpoint, DataBreakpoint, decide, EventFilterBreakpoint } from './breakpoints';
import { BreakpointSet } from './breakpoint-set';
import { deviceRegisters, eventsPassed, ExitView, notePhaseOf, phaseFrameName, PhaseSink, phaseSink, PhaseStop, resetSink, sameHit, viewOfSink } from './exit-phases';
import { ReverseExecution, ScanHit as ReverseScanHit } from './reverse';
import { EvalContext, ExprError, Value } from './expr';
import type { CEnv } from './dwarf/cexpr';
import { cEnvironment, cLookup } from './c-variables';
import { filterHits, FilterHit } from './event-filters';
import { eventStopDescription, eventStopReason, irqEntryFields, type StopEvent } from './event-stop';
import { hex, privName, quoteBytes } from './format';
import { Inspector } from './inspect';
import { irqView, MachineIrqView } from './machine-view';
import type { LaunchConfig } from './launch';
import type { LineRow, ProgramInfo } from './program';
import { isCall, readInstruction, StackFrame, unwind } from './stack';
import { CyclePort, gotoCycle, GotoPaused } from './goto-cycle';
import type { DebugHost } from './host';
import { processHistory } from './history-budget';

type StopReason = 'entry' | 'step' | 'breakpoint' | 'function breakpoint' | 'instruction breakpoint' | 'data breakpoint' | 'exception' | 'pause' | 'goto';

export interface StopInfo {
  kind: 'stop';
  reason: StopReason;
  vcpu: number;
  /** What happened, in words (shown as "Paused on …"). */
  description: string;
  /** Longer text (an exception's message). */
  text?: string;
  /**
   * A step that could not go where it was asked (no caller, the start of the history): its
   * description is news, shown even though steps otherwise carry none (docs/debugging.md "What a stop says").
   */
  notice?: boolean;
  breakpointIds?: number[];
  /** For event breakpoints: the filter that fired. */
  filter?: EventFilterId;
  /** For event breakpoints: the event's fields (the Event scope; event-stop.ts). */
  event?: StopEvent;
}

interface ExitInfo {
  kind: 'exit';
  code: number;
  message: string;
}

export type RunResult = StopInfo | ExitInfo;

interface RuntimeSink {
  /** Guest console output and adapter messages. */
  output(text: string, category: 'stdout' | 'console' | 'stderr' | 'important'): void;
}

type Granularity = 'instruction' | 'line';

/** Wall-clock budget of one run slice before yielding to the event loop. */
const SLICE_MS = 15;
const MAX_SLICE_STEPS = 5_000_000;
/** Steps a vCPU runs per turn (machine.ts QUANTUM): how long a step may wait for its vCPU's turn. */
const QUANTUM = 10_000;

interface TempBreak { address: number; vcpu: number; cond: () => boolean }

/** The event filters whose events can happen inside a VM exit (docs/debugging.md "Event breakpoints inside an exit"). */
const IN_EXIT_FILTERS: ReadonlySet<EventFilterId> = new Set<EventFilterId>(['vmexit', 'ept-violation', 'mmio', 'mmio-vmm', 'irq-assert', 'msi', 'lapic-deliver', 'eoi']);

/** A trap seen while stepping a vCPU. */
interface TrapSeen { cause: number; interrupt: boolean; epc: number; handler: number; fromPriv: number }

/** What onBreakpoint found at a breakpoint word. */
const TEMP_HIT = Symbol('temp');
const HANDLER_ENTRY = Symbol('handler');
type SliceResult = RunResult | typeof TEMP_HIT | typeof HANDLER_ENTRY | undefined;

type ScanHit = ReverseScanHit<StopInfo>;

/** A stop decided by an event: its sentence is written when it is reported. */
type PendingStop = StopInfo & { awaitHandler?: number; describe?: () => string };

/** Writes a pending stop's sentence and drops the bookkeeping fields. */
function finish(p: PendingStop): StopInfo {
  if (p.describe) {
    const d = p.describe();
    p.description = p.filter ? eventStopDescription(p.filter, d) : d;
    p.text = p.text ? `${d}\n${p.text}` : d;
    delete p.describe;
  }
  delete p.awaitHandler;
  return p;
}

export class DebugRuntime {
  readonly machine: Machine;
  readonly history: History;
  /** Every change the debugger makes to the machine goes through this port. */
  readonly port: DebugPort;
  readonly breakpoints: BreakpointSet;
  private readonly reverse: ReverseExecution<StopInfo>;
  readonly inspector: Inspector;
  readonly view: MachineIrqView;
  private maxEmitted = 0;
  private maxSent = 0;
  private outBuffer: number[] = [];

  private tempBreaks: TempBreak[] = [];
  private handlerBreak: { word: number; vcpu: number; address: number } | undefined;
  /**
   * A stop was decided while no vCPU was inside KVM_RUN (a scheduled event or a timer fired between
   * runs): the machine would run the next vCPU before looking at the request, so every vCPU's next
   * instruction (or the handler an interrupt enters first) gets a breakpoint instead.
   */
  private asap: number[] | undefined;

  running = false;
  /** Set by pause(): the running operation ends at its next slice boundary. */
  pauseRequested = false;
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
  quiet = false;
  /** Set while one vCPU is being stepped: traps it takes are noted, interrupts stop at the handler's entry. */
  private stepWatch: { vcpu: number; trap?: TrapSeen } | undefined;
  private ebreakAt: { vcpu: number; pc: number } | undefined;
  private readonly resumedAt = new Map<number, { pc: number; steps: number }>();
  private sliceSteps = 100_000;
  /** GSI → the device that last drove it (for "interrupt 0x31 (NIC, GSI 19)"). */
  private readonly gsiDevice = new Map<number, string>();
  lastStop: StopInfo | undefined;
  /** Stopped inside a VM exit (exit-phases.ts): the exit's phases and the one shown. */
  exitView: ExitView | undefined;
  /** Recording the exit phases of one vCPU's instruction (set while stepping it). */
  private phaseSink: PhaseSink | undefined;
  /**
   * Events a run resuming from inside an exit has already shown or stepped past (the first ones of
   * the step it re-executes): they do not stop it again.
   */
  private skipEvents = 0;
  /** The pending stop's event happened while its vCPU was in KVM_RUN or its exit was in the VMM. */
  private stopInKvmRun = false;
  /** Instructions the pending stop's vCPU had retired when its event happened. */
  private stopInstret = 0;
  /** The machine position before the last instruction stepOne ran for its vCPU. */
  private stepStart = 0;

  constructor(readonly program: ProgramInfo, readonly config: LaunchConfig, readonly host: DebugHost, private readonly sink: RuntimeSink) {
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
      vcpus: config.vcpus, memoryMiB: config.memoryMiB, mmu: config.mmu, vpid: config.vpid, compiler: config.compiler, cost: config.cost,
      tlb: config.tlb, gpaCache: config.gpaCache,
      irqchip: config.irqchip, devices: { nic: config.nic }, strictMmio: config.strictMmio,
    };
    this.machine = new Machine(cfg, io);
    this.history = new History(this.machine, config.historyBytes);
    processHistory.join(this.history); // historyMiB bounds the sessions of the process together
    this.port = new DebugPort(this.machine);
    this.port.enable();
    this.breakpoints = new BreakpointSet(this.port);
    this.reverse = new ReverseExecution<StopInfo>(this);
    this.inspector = new Inspector(this.machine, this.port);
    this.view = irqView(this.machine);
    this.machine.events.subscribe((e) => this.onEvent(e));
    ChainRecorder.attach(this.machine, { capacity: config.interruptChains }); // interrupt chains, rewound with the machine (debug/provenance.ts)
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

  /** Names in expressions: `fields` first (an event's), then registers, CSRs, $-variables, C variables of `frame`, symbols. */
  context(vcpuId: number, fields?: Record<string, Value>, frame = 0): EvalContext {
    const v = this.vcpu(vcpuId) ?? this.machine.vcpus[0];
    let c: CEnv | undefined;
    const cenv = (): CEnv => (c ??= cEnvironment(this, v, frame));
    return {
      get c() { return cenv(); },
      lookup: (name) => {
        if (fields && name in fields) return fields[name];
        if (name === 'pc') return this.port.pc(v.id);
        const r = registerNumber(name);
        if (r !== undefined) return this.port.reg(v.id, r);
        const csr = csrByName(name);
        if (csr) { const val = this.port.csr(v.id, csr.address); if (val !== undefined) return val; }
        switch (name) {
          case '$vcpu': return v.id;
          case '$steps': return this.machine.steps;
          case '$cycles': return this.port.regs(v.id).cycles;
          case '$instret': return this.port.regs(v.id).instret;
          case '$priv': return privName(this.port.priv(v.id));
        }
        const cv = this.program.dwarf ? cLookup(cenv(), name) : undefined;
        if (cv !== undefined) return cv;
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

  // ---- breakpoints (breakpoint-set.ts) ------------------------------------------------------------

  get codeBreakpoints(): BreakpointSet['code'] { return this.breakpoints.code; }
  get dataBreakpoints(): DataBreakpoint[] { return this.breakpoints.data; }
  set dataBreakpoints(bps: DataBreakpoint[]) { this.breakpoints.data = bps; }
  get filters(): Map<EventFilterId, EventFilterBreakpoint> { return this.breakpoints.filters; }

  allCodeBreakpoints(): CodeBreakpoint[] {
    return this.breakpoints.allCode();
  }

  /** Plants exactly the user's code breakpoints (after any change, and before running: translations may have changed). */
  syncCodeBreakpoints(): void {
    this.breakpoints.syncCode();
  }

  /** Resolves and watches data breakpoints' RAM (device registers are matched on MMIO events). */
  syncDataBreakpoints(): void {
    this.breakpoints.syncData();
  }

  // ---- events from the machine ----------------------------------------------------------------------

  private onEvent(e: VmEvent): void {
    if (this.history.replaying) return;
    if (e.kind === 'irq-line') this.gsiDevice.set(e.gsi, e.device);
    if (e.kind === 'guest-trap') this.onTrap(e);
    const sink = this.phaseSink;
    if (sink) {
      if (sink.match && sink.match.ordinal < 0) {
        const m = sink.match;
        if (filterHits(e, this.vectorLabel).some((h) => h.filter === m.filter && sameHit(h.fields, m.fields))) m.ordinal = sink.events.length;
      }
      notePhaseOf(sink, e);
      if (e.kind === 'exit-phase' && sink.vcpu === e.vcpu) this.capturePhase(e);
      if (e.kind === 'guest-trap' && e.interrupt && sink.vcpu === e.vcpu) sink.interrupted = true;
    }
    const skipped = this.skipEvents > 0;
    if (skipped) this.skipEvents--;
    if (!this.running || this.quiet || skipped) return;
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
      for (const hit of filterHits(e, this.vectorLabel, this.exitDetails)) {
        const bp = this.filters.get(hit.filter);
        if (bp) this.checkFilter(bp, hit);
      }
    }
  }

  /** Records a phase with the exit it belongs to and its device's registers as they are now. */
  private capturePhase(e: Extract<VmEvent, { kind: 'exit-phase' }>): void {
    const v = this.vcpu(e.vcpu);
    const exit = v?.lastExit ? { ...v.lastExit } : undefined;
    let instruction: number | undefined;
    if (v && exit) { try { instruction = this.inspector.readVirt(v, exit.pc >>> 0, 4); } catch { /* not readable */ } }
    const stop: PhaseStop = { phase: e, exit, instruction };
    if (e.device) stop.registers = deviceRegisters(this.machine, this.view, e.device, e.vcpu);
    this.phaseSink!.phases.push(stop);
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
      const word = this.breakpoints.wordOf(t.vcpu, t.handler);
      if (word >= 0) {
        this.handlerBreak = { word, vcpu: t.vcpu, address: t.handler >>> 0 };
        this.breakpoints.plant(word, 'handler');
      }
      if (awaiting || this.asap) this.machine.requestStop();
    }
  }

  private clearHandlerBreak(): void {
    if (!this.handlerBreak) return;
    this.breakpoints.unplant(this.handlerBreak.word, 'handler');
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
    const fields = hit.filter === 'irq-assert' ? { ...hit.fields, ...irqEntryFields(this.machine.ioapic, Number(hit.fields.gsi)) } : hit.fields;
    const stop: PendingStop = {
      kind: 'stop', reason: eventStopReason(hit.filter), vcpu, description: '', filter: hit.filter, describe: hit.describe,
      event: { filter: hit.filter, fields },
    };
    if (hit.awaitsHandler) stop.awaitHandler = hit.vcpu;
    this.onHit(bp, this.context(vcpu, fields), stop);
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
    // Inside KVM_RUN or the VMM's handling of an exit of this vCPU: the stop can be moved into the exit.
    const vm = this.machine.vm;
    this.stopInKvmRun = vm.running?.id === stop.vcpu || vm.inUserspace?.id === stop.vcpu;
    this.stopInstret = this.vcpu(stop.vcpu)?.instructions ?? 0;
    if (this.inTail) return;
    // An interrupt-taken stop waits for the trap into the handler (onTrap) to land on its entry.
    if (stop.awaitHandler !== undefined) return;
    this.machine.requestStop();
    if (!this.machine.vm.running && !this.asap) {
      this.asap = [];
      for (const v of this.machine.vcpus) {
        const w = this.breakpoints.wordOf(v.id, this.port.pc(v.id));
        if (w >= 0) { this.breakpoints.plant(w, 'asap'); this.asap.push(w); }
      }
    }
  }

  private clearAsap(): void {
    for (const w of this.asap ?? []) this.breakpoints.unplant(w, 'asap');
    this.asap = undefined;
  }

  // ---- running --------------------------------------------------------------------------------------

  /** The session is over: its history no longer counts against the process's (it is dropped with the runtime). */
  releaseHistory(): void {
    processHistory.leave(this.history);
  }

  /** Asks a running operation to stop at the next slice boundary. */
  pause(): void {
    if (this.running) this.pauseRequested = true;
  }

  pauseStop(vcpu = this.machine.currentVcpu): StopInfo {
    return { kind: 'stop', reason: 'pause', vcpu, description: `Paused at ${this.where(vcpu)}` };
  }

  where(vcpu: number): string {
    const pc = this.vcpu(vcpu) ? this.port.pc(vcpu) : 0;
    const line = this.program.lineAt(pc >>> 0);
    const name = this.program.describe(pc >>> 0);
    return `${hex(pc >>> 0)}${name ? ` <${name}>` : ''}${line ? ` (${line.file.replace(/^.*[\\/]/, '')}:${line.line})` : ''}`;
  }

  /** Runs one operation with the running flag and bookkeeping around it. */
  private async operate(op: () => Promise<RunResult>): Promise<RunResult> {
    if (this.running) throw new Error('the machine is already running');
    this.tail = { steps: -1, events: [] };
    this.exitView = undefined;
    this.running = true;
    this.pauseRequested = false;
    this.pendingStop = undefined;
    this.stopInKvmRun = false;
    let r: RunResult;
    try {
      this.prepareResume();
      r = await op();
      // An event breakpoint that fired inside a VM exit stops at the phase where it happened.
      if (r.kind === 'stop' && r.event && !this.exitView) r = this.stopInExit(r) ?? r;
    } catch (e) {
      r = { kind: 'stop', reason: 'exception', vcpu: 0, description: 'Internal error in the debugger', text: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) };
    } finally {
      this.running = false;
      this.stepWatch = undefined;
      this.phaseSink = undefined;
      this.skipEvents = 0;
      this.clearTemps();
      this.clearHandlerBreak();
      this.clearAsap();
      this.flushOutput();
    }
    if (r.kind === 'stop') this.lastStop = r;
    // The events after the stop belong to this position only.
    if (r.kind === 'stop') this.tail.steps = this.machine.steps;
    this.reverse.forgetUndoneChanges();
    return r;
  }

  /**
   * Lets vCPU `v` execute the instruction under a breakpoint word at its pc when it resumes (the
   * CPU's resumeFromBreakpoint), remembering where, so a resume that did not step can be redone.
   */
  private resumeOver(v: Vcpu): void {
    const pc = this.port.pc(v.id);
    const at = this.breakpoints.isPlanted(this.breakpoints.wordOf(v.id, pc));
    this.port.stepOverBreakpoint(v.id, at);
    if (at) this.resumedAt.set(v.id, { pc, steps: this.machine.steps });
    else this.resumedAt.delete(v.id);
  }

  /** Before running: user breakpoints follow the translations, and a vCPU stopped on one steps over it. */
  private prepareResume(): void {
    this.syncCodeBreakpoints();
    if (this.ebreakAt) {
      // Resuming from an ebreak skips it (as GDB's "compiled-in breakpoint"): an input from outside.
      const v = this.vcpu(this.ebreakAt.vcpu);
      if (v && this.port.pc(v.id) === this.ebreakAt.pc) {
        const length = readInstruction(this.inspector, v, this.ebreakAt.pc)?.length ?? 4; // ebreak or c.ebreak
        this.port.setPc(v.id, this.ebreakAt.pc + length);
        this.noteExternalChange();
      }
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
          const pc = this.port.pc(outcome.vcpu);
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
    const pc = this.port.pc(vcpuId);
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
      const w = this.breakpoints.wordOf(t.vcpu, t.address);
      if (w >= 0) this.breakpoints.unplant(w, 'temp');
    }
    this.tempBreaks = [];
  }

  /** Runs freely until a stop; with temporary breakpoints, their hit ends the run (undefined). */
  private async runFree(temps: TempBreak[] = []): Promise<RunResult | undefined> {
    this.clearTemps();
    for (const t of temps) {
      const w = this.breakpoints.wordOf(t.vcpu, t.address);
      if (w >= 0) { this.breakpoints.plant(w, 'temp'); this.tempBreaks.push(t); }
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
  whoRunsNext(): number {
    const n = this.port.vcpuCount;
    for (let k = 0; k < n; k++) {
      const i = (this.machine.currentVcpu + k) % n;
      if (!this.port.waitsInWfi(i)) return i;
    }
    return this.machine.currentVcpu;
  }

  /**
   * Runs until vCPU `id` has taken one step (other vCPUs run as scheduled meanwhile). Returns a stop,
   * or undefined with `stepWatch.trap` set if the step entered a trap handler.
   */
  private stepOne(id: number): RunResult | undefined {
    this.stepWatch = { vcpu: id };
    for (let guard = 0; guard < 4 * QUANTUM * this.machine.vcpus.length; guard++) {
      const next = this.whoRunsNext();
      const pc = this.port.pc(id), steps = this.machine.steps;
      this.stepStart = steps;
      if (this.phaseSink) resetSink(this.phaseSink);
      const s = this.runTo(steps + 1);
      if (s === HANDLER_ENTRY) return undefined;
      if (s === TEMP_HIT) continue;
      if (s) return s;
      if (next === id) {
        if (this.machine.steps > steps) return undefined;
        // No progress at a breakpoint word: step over it with the word lifted.
        if ((this.port.pc(id)) === (pc >>> 0)) { const r = this.stepOverLifted(id); if (r !== 'done') return r; return undefined; }
      }
    }
    return { kind: 'stop', reason: 'exception', vcpu: id, description: `vCPU ${id} did not get to run`, text: 'the other vCPUs kept running without giving it a turn' };
  }

  private stepOverLifted(id: number): RunResult | undefined | 'done' {
    const word = this.breakpoints.wordOf(id, this.port.pc(id));
    return this.breakpoints.withoutWord(word, () => {
      const s = this.runTo(this.machine.steps + 1);
      return s === undefined || s === TEMP_HIT || s === HANDLER_ENTRY ? 'done' : s;
    });
  }

  stepStop(id: number): StopInfo {
    return { kind: 'stop', reason: 'step', vcpu: id, description: `Stepped to ${this.where(id)}` };
  }

  continue(): Promise<RunResult> {
    const next = this.nextInTail();
    if (next) {
      this.lastStop = next;
      return Promise.resolve(next);
    }
    const view = this.exitView;
    return this.operate(async () => {
      if (view) this.skipEvents = eventsPassed(view); // the exit's instruction runs again from its start
      return (await this.runFree()) ?? this.pauseStop();
    });
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
    const view = this.exitView?.vcpu === id ? this.exitView : undefined;
    if (view) return this.operate(async () => this.walkPhases(view, 1));
    return this.operate(() => this.stepLoop(id, over, granularity === 'line' ? this.program.lineAt(this.port.pc(id)) : undefined));
  }

  /**
   * Steps vCPU `id` by one instruction, or to the end of source line `start`, or, with `until`, until
   * it holds. A stepIn whose first instruction exits stops inside the exit; `resumed` continues a
   * line after leaving one. A line step over (`next`) also steps over calls GCC inlined: code of a
   * call inlined deeper than where the step began is the callee's (docs/debugging.md "Inlined calls").
   */
  private async stepLoop(id: number, over: boolean, start: Pick<LineRow, 'file' | 'line'> | undefined, resumed = false,
    until?: () => boolean): Promise<RunResult> {
    {
      const v = this.machine.vcpus[id];
      const dwarf = this.program.dwarf;
      const startChain = over && start && dwarf ? dwarf.inlineChainAt(this.port.pc(id)).map((c) => c.die) : undefined;
      const inInlinedCallee = (): boolean => {
        if (!startChain || !dwarf) return false;
        const chain = dwarf.inlineChainAt(this.port.pc(id));
        return chain.length > startChain.length && startChain.every((d, i) => chain[i].die === d);
      };
      const sp0 = this.port.reg(id, 2);
      let first = !resumed;
      let interruptsStepped = 0;
      let t0 = this.host.now();
      for (;;) {
        const pc = this.port.pc(id);
        const insn = readInstruction(this.inspector, v, pc); // undefined: not code we can read, just step
        const next = (pc + (insn?.length ?? 4)) >>> 0;
        if (over && insn && isCall(insn.word)) {
          const r = await this.runFree([{ address: next, vcpu: id, cond: () => (this.port.reg(id, 2)) >= sp0 }]);
          if (r) return r;
        } else {
          // stepIn records the exits of its first instruction: one makes the step stop inside it.
          if (!over && first) this.phaseSink = phaseSink(id);
          const r = this.stepOne(id);
          if (r) return r;
          const inside = first ? this.enterExit(id, start) : undefined;
          if (inside) return inside;
          first = false;
          const trap = this.stepWatch?.trap;
          if (trap?.interrupt && over) {
            // `next` does not stop in an interrupt handler: run until it returns to where it interrupted.
            if (++interruptsStepped > 100) return this.stepStop(id);
            const epc = trap.epc >>> 0, priv = trap.fromPriv;
            const back = await this.runFree([{ address: epc, vcpu: id, cond: () => this.port.priv(id) === priv }]);
            if (back) return back;
            continue;
          }
          if (trap) return this.stepStop(id);
        }
        if (until ? until() : !start || (!inInlinedCallee() && this.lineEnded(id, start, next))) return this.stepStop(id);
        if (this.host.now() - t0 > SLICE_MS) {
          this.flushOutput();
          await new Promise<void>((resolve) => setImmediate(resolve));
          if (this.pauseRequested) return this.pauseStop(id);
          t0 = this.host.now();
        }
      }
    }
  }

  /** After an instruction at `prevPc`: is vCPU `id` off line `start` (another line, or its start again)? */
  /** `fallThrough`: the address after the instruction just stepped (pc + 2 or + 4: the C extension). */
  private lineEnded(id: number, start: Pick<LineRow, 'file' | 'line'>, fallThrough: number): boolean {
    const pc = this.port.pc(id);
    const now = this.program.lineAt(pc);
    // A line step ends on another line's statement (not inside -O2 code interleaved with this line).
    return !now || (now.stmt !== false && (now.file !== start.file || now.line !== start.line || (pc === now.address && pc !== fallThrough)));
  }

  // ---- inside a VM exit (exit-phases.ts) ------------------------------------------------------------

  /**
   * After stepping vCPU `id` with phases recorded: if its instruction exited, goes back before it
   * and stops at the exit's first phase.
   */
  private enterExit(id: number, line: Pick<LineRow, 'file' | 'line'> | undefined): StopInfo | undefined {
    const sink = this.phaseSink;
    this.phaseSink = undefined;
    // An exit at an interrupt boundary (the interrupt window) belongs to the interrupt's entry,
    // where a step stops anyway; only an instruction that ran is stepped into.
    const view = sink && !sink.interrupted && this.machine.steps > this.stepStart ? viewOfSink(sink, this.stepStart) : undefined;
    if (!view) return undefined;
    this.history.seek(this.stepStart);
    this.exitView = { ...view, ...(line ? { line } : {}) };
    return { kind: 'stop', reason: 'step', vcpu: id, description: `Stepped into the VM exit: ${phaseFrameName(view.phases[0].phase)}` };
  }

  /** One phase forwards or backwards; past the last, the instruction completes; before the first, the guest. */
  private async walkPhases(view: ExitView, dir: 1 | -1): Promise<RunResult> {
    const i = view.index + dir, id = view.vcpu;
    if (i >= view.phases.length) return this.leaveExit(view);
    if (i < 0) return { kind: 'stop', reason: 'step', vcpu: id, description: `Stepped back out of the VM exit to ${this.where(id)}` };
    this.exitView = { ...view, index: i };
    return { kind: 'stop', reason: 'step', vcpu: id, description: `Stepped to ${phaseFrameName(view.phases[i].phase)}` };
  }

  /**
   * Out of the exit: the instruction completes (VM entry) and the guest goes on at the next one; a
   * line step that entered the exit goes on to the end of its line.
   */
  private async leaveExit(view: ExitView): Promise<RunResult> {
    const id = view.vcpu, pc0 = this.port.pc(id);
    const v = this.vcpu(id);
    const fallThrough = (pc0 + ((v && readInstruction(this.inspector, v, pc0)?.length) || 4)) >>> 0;
    this.skipEvents = eventsPassed(view); // the instruction runs again from its start
    const r = this.stepOne(id);
    if (r) return r;
    if (view.line && !this.stepWatch?.trap && !this.lineEnded(id, view.line, fallThrough)) return this.stepLoop(id, false, view.line, true);
    return { kind: 'stop', reason: 'step', vcpu: id, description: `Back in the guest at ${this.where(id)}` };
  }

  /**
   * Reverse stepping landed before an instruction of vCPU `id`: if that instruction exits, the stop
   * is at the exit's last phase (what stepping forward through it showed last).
   */
  landInExit(id: number, byLine: boolean): StopInfo | undefined {
    const at = this.machine.steps;
    this.phaseSink = phaseSink(id);
    this.quiet = true;
    try {
      this.breakpoints.lifted(() => {
        for (let guard = 0; guard < 4 * QUANTUM * this.machine.vcpus.length; guard++) {
          const next = this.whoRunsNext(), before = this.machine.steps;
          resetSink(this.phaseSink!);
          const outcome = this.history.run(Infinity, before + 1);
          if (this.machine.steps === before || outcome.kind === 'poweroff' || outcome.kind === 'failure') return;
          if (next === id) return;
        }
      });
    } finally {
      this.quiet = false;
      this.pendingStop = undefined;
    }
    const view = this.phaseSink.interrupted ? undefined : viewOfSink(this.phaseSink, at);
    this.phaseSink = undefined;
    this.history.seek(at);
    if (!view) return undefined;
    const line = byLine ? this.program.lineAt(this.port.pc(id)) : undefined;
    const last = view.phases.length - 1;
    this.exitView = { ...view, index: last, ...(line ? { line } : {}) };
    return { kind: 'stop', reason: 'step', vcpu: id, description: `Stepped back to ${phaseFrameName(view.phases[last].phase)}` };
  }

  /**
   * An event breakpoint stopped the machine after an instruction of vCPU `stop.vcpu`: if the event
   * happened inside a VM exit of that instruction, the stop moves to the phase where it happened
   * (docs/debugging.md "Event breakpoints inside an exit"), as stepIn would show it there. The step
   * is re-executed quietly to record its phases and find the event again among them.
   */
  private stopInExit(stop: StopInfo): StopInfo | undefined {
    const ev = stop.event, id = stop.vcpu, end = this.machine.steps;
    // Only events that happen inside an exit's handling: an interrupt taken, a guest trap or a triple
    // fault are at an instruction boundary (where the stop already is).
    if (!ev || !IN_EXIT_FILTERS.has(ev.filter) || !this.stopInKvmRun || !this.vcpu(id) || this.scanning || this.machine.vm.failure) return undefined;
    // The step the event happened in: as many steps back as the vCPU retired instructions since
    // (the run stops after the instruction, or a little later after a fetch's exit); else the last
    // step, or the one that starts at the stop (an exit before the instruction retired).
    const back = (this.vcpu(id)?.instructions ?? 0) - this.stopInstret;
    const candidates = [...new Set([end - back, end - 1, end])].filter((s) => s >= 0 && s <= end);
    for (const start of candidates) {
      const view = this.recordStep(id, start, { filter: ev.filter, fields: ev.fields, ordinal: -1 });
      if (!view) continue;
      this.exitView = view;
      this.tail = { steps: -1, events: [] }; // the rest of the step's events are met again when it runs on
      return stop;
    }
    this.history.seek(end);
    return undefined;
  }

  /**
   * Re-executes vCPU `id`'s step at machine position `start` quietly and returns the view of its
   * exit at the phase where the `match` event happened (the machine left back at `start`), or
   * undefined when that step does not take the event inside an exit.
   */
  private recordStep(id: number, start: number, match: NonNullable<PhaseSink['match']>): ExitView | undefined {
    this.history.seek(start);
    if (this.whoRunsNext() !== id) return undefined;
    const sink = phaseSink(id, match);
    this.phaseSink = sink;
    this.quiet = true;
    try {
      this.breakpoints.lifted(() => { this.history.run(Infinity, start + 1); });
    } finally {
      this.quiet = false;
      this.phaseSink = undefined;
      this.pendingStop = undefined;
    }
    const view = this.machine.steps === start + 1 && !sink.interrupted && match.ordinal >= 0 ? viewOfSink(sink, start) : undefined;
    const index = view?.events?.[match.ordinal] ?? -1;
    if (!view || index < 0 || index >= view.phases.length) return undefined;
    this.history.seek(start);
    return { ...view, index, shown: match.ordinal };
  }

  /** Step out of the current function, or out of a trap handler back to the interrupted code. */
  stepOut(id: number): Promise<RunResult> {
    const view = this.exitView?.vcpu === id ? this.exitView : undefined;
    if (view) return this.operate(async () => this.leaveExit({ ...view, line: undefined }));
    return this.operate(async () => {
      const frames = this.frames(id);
      const inlined = frames[0]?.inlineDie, dwarf = this.program.dwarf;
      if (inlined && dwarf) {
        // Out of a call GCC inlined: step (over real calls) until the pc leaves the inlined code.
        return this.stepLoop(id, true, undefined, false, () => !dwarf.inlineChainAt(this.port.pc(id)).some((c) => c.die === inlined));
      }
      const caller = frames[1];
      if (!caller) return { kind: 'stop', reason: 'step', vcpu: id, description: `No caller to step out to from ${this.where(id)}`, notice: true };
      const sp0 = this.port.reg(id, 2), pc0 = this.port.pc(id);
      // Out of a handler: back at the interrupted pc once no trap frame is left; out of a function:
      // at the return address with the stack popped (recursion re-enters the same address deeper).
      const target: TempBreak = caller.kind === 'trap'
        ? { address: caller.pc, vcpu: id, cond: () => !this.inHandler(id) }
        : { address: caller.pc, vcpu: id, cond: () => (this.port.reg(id, 2)) >= sp0 && (this.port.pc(id)) !== pc0 };
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

  // ---- reverse (reverse.ts) -------------------------------------------------------------------------

  atHistoryStart(id: number): StopInfo {
    return { kind: 'stop', reason: 'step', vcpu: id, description: `Reached the start of the recorded history at ${this.where(id)}`, notice: true };
  }

  /** Goes back one instruction (of vCPU `id`) or to the start of the previous source line. */
  stepBack(id: number, granularity: Granularity): Promise<RunResult> {
    const view = this.exitView?.vcpu === id ? this.exitView : undefined;
    if (view) return this.operate(async () => this.walkPhases(view, -1));
    return this.operate(() => this.reverse.stepBack(id, granularity === 'line'));
  }

  /** Runs backwards to the most recent point where a breakpoint (of any kind) would have stopped. */
  reverseContinue(id: number): Promise<RunResult> {
    return this.operate(() => this.reverse.reverseContinue(id));
  }

  dropPending(): void {
    this.pendingStop = undefined;
  }

  /**
   * When a reverse search last yielded to the event loop (scanWindow). Kept across windows: on an
   * idle machine a window takes less than a slice, so a clock restarted per window never yielded.
   */
  private scanYieldedAt = 0;

  /** Re-executes [start, end) with every breakpoint armed, recording where each would stop. */
  async scanWindow(start: number, end: number): Promise<ScanHit[]> {
    const hits: ScanHit[] = [];
    this.history.seek(start);
    this.scanning = hits;
    try {
      // A breakpoint exactly at `start` counts here (the window after this one stops before it).
      for (let id = 0; id < this.port.vcpuCount; id++) this.port.stepOverBreakpoint(id, false);
      while (this.machine.steps < end) {
        this.pendingStop = undefined;
        const before = this.machine.steps;
        // In slices, like continue: a window is millions of steps, and pause, threads and
        // disconnect must be answered while it is searched (docs/debugging.md, "Reverse execution").
        const t1 = this.host.now();
        const outcome = this.history.run(Infinity, Math.min(end, before + this.sliceSteps));
        const dt = this.host.now() - t1, n = this.machine.steps - before;
        if (n > 1000 && dt > 0) this.sliceSteps = Math.max(10_000, Math.min(MAX_SLICE_STEPS, Math.round(n * (SLICE_MS / 3) / dt)));
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
        if (this.host.now() - this.scanYieldedAt > SLICE_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          if (this.pauseRequested) break;
          this.scanYieldedAt = this.host.now();
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
  enterHandler(id: number): void {
    this.stepWatch = { vcpu: id };
    try {
      this.runTo(this.machine.steps + 1);
    } finally {
      this.stepWatch = undefined;
      this.clearHandlerBreak();
    }
  }

  // ---- run to a cycle (goto-cycle.ts) ----------------------------------------------------------------------

  /**
   * Runs forwards or backwards to the first instruction boundary at or after `cycle` on vCPU `id`'s
   * clock. Throws an ExprError, leaving the machine where it was, when the cycle cannot be reached.
   */
  async runToCycle(id: number, cycle: number): Promise<StopInfo> {
    const before = this.lastStop;
    let failure: unknown;
    const r = await this.operate(async () => {
      try {
        return await gotoCycle(this.cyclePort(), id, cycle);
      } catch (e) {
        if (e instanceof GotoPaused) return this.pauseStop(id);
        failure = e;
        return before ?? this.pauseStop(id);
      }
    });
    if (failure !== undefined) { this.lastStop = before; throw failure; }
    if (r.kind !== 'stop') throw new ExprError(r.message);
    return r;
  }

  private cyclePort(): CyclePort {
    const quietly = <T>(f: () => T): T => {
      this.quiet = true;
      try { return this.breakpoints.lifted(f); } finally { this.quiet = false; this.pendingStop = undefined; }
    };
    return {
      machine: this.machine,
      oldestStep: () => this.history.oldestStep,
      seek: (step) => this.history.seek(step),
      advance: (untilStep) => quietly(() => this.history.run(Infinity, untilStep)),
      stepIntoHandler: (vcpu) => {
        let entry: { handler: number; cycle: number } | undefined;
        const off = this.machine.events.subscribe((e) => {
          if (e.kind === 'guest-trap' && e.interrupt && e.vcpu === vcpu) entry = { handler: e.handler >>> 0, cycle: e.cycle };
        });
        try {
          quietly(() => this.enterHandler(vcpu));
        } finally {
          off();
        }
        const cpu = this.machine.vcpus[vcpu].cpu;
        return entry !== undefined && (cpu.pc >>> 0) === entry.handler && cpu.cycles() === entry.cycle;
      },
      breathe: async () => {
        this.flushOutput();
        await new Promise<void>((resolve) => setImmediate(resolve));
        return this.pauseRequested;
      },
    };
  }

  /** The earliest step a reverse search from the present may re-execute from. */
  get historyFloor(): number {
    return this.reverse.floor(this.machine.steps);
  }

  /** Runs back to the guest store that last wrote the word at `gpa` and stops before it (last-write.ts). */
  reverseToWrite(gpa: number, id: number): Promise<RunResult> {
    return this.operate(async () => {
      const w = lastWriteOf(this, gpa);
      if (typeof w === 'string') return { kind: 'stop', reason: 'data breakpoint', vcpu: id, description: `reverse-to-write: ${w}; stayed at ${this.where(id)}` };
      this.history.seek(w.step);
      return {
        kind: 'stop', reason: 'data breakpoint', vcpu: w.vcpu,
        description: `Last write to GPA ${hex(wordGpa(gpa))}: ${hex(w.value)} stored by the instruction at ${this.where(w.vcpu)}, vCPU ${w.vcpu}, cycle ${w.cycle}`,
      };
    });
  }

  // ---- changes from outside the guest -------------------------------------------------------------------

  /** After the user changed the machine: a checkpoint here makes the change part of history. */
  noteExternalChange(): void {
    this.reverse.noteExternalChange();
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
