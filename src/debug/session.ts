// The Debug Adapter Protocol session over the machine (docs/debugging.md). Only this file speaks DAP: it
// validates requests, asks the runtime (runtime.ts) to run, step and inspect, and turns the
// runtime's results into responses and events. The host (file access, clock) is injected, so the
// same session runs inside the extension host, on stdio (dist/debugAdapter.js, `hyperstep dap`)
// and under test. A malformed request gets an error response; nothing a client sends may crash it.
import {
  Event, Handles, InitializedEvent, InvalidatedEvent, LoggingDebugSession, MemoryEvent, OutputEvent, TerminatedEvent, ExitedEvent,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { PassThrough } from 'stream';
import {
  EVENT_FILTER_IDS, EventFilterId, InjectArguments, injectRequest, StateArguments, StateChangedBody, stateChangedEvent, stateRequest, stoppedAccessRequest, translateRequest,
  interruptsRequest, InterruptsArguments, whyRequest, WhyArguments, runToCycleRequest, RunToCycleResult,
  compareInterruptsRequest, CompareInterruptsArguments,
} from '../protocol';
import { disassemble } from '../asm';
import { walkBack, walkForward } from './disassembly';
import type { DebugHost } from './host';
import { parseLaunchArguments, encodeData } from './launch';
import { loadProgram, ProgramInfo } from './program';
import { DebugRuntime, RunResult, StopInfo } from './runtime';
import { CodeBreakpoint, DataBreakpoint, EventFilterBreakpoint, formatDataId, parseDataId, BreakpointSpec, DataAccess } from './breakpoints';
import { EVENT_FILTERS } from './event-filters';
import { checkMessage, FrameReader, Incoming, readBody, unreadable } from './frames';
import { CVal, evaluate, ExprError, formatValue, parseExpression, parseNumber, toNumber, Value } from './expr';
import { cVariableStorage, setCVariable, showCValue, storageOf } from './c-variables';
import { assign as assignC, CError } from './dwarf/cvalue';
import { hex32, hex } from './format';
import { complete, isMonitorCommand, runMonitor } from './monitor';
import { buildState } from './state';
import { interrupts, why } from './provenance';
import { checkCycle, parseGoto } from './goto-cycle';
import { compareRun } from './compare';
import { exitFrames, phaseScopes } from './exit-phases';
import { answerTranslate } from './translate';
import { stoppedAccess } from './stopped-access';
import { Container, deviceRegisterAddress, scopes, setRegisterOrCsr, stackWordAddress, variables } from './variables';

/** An error the client sees as the response's message (a bad request, not a bug). */
class RequestError extends Error {}

const MAX_READ = 1 << 20;
const MAX_DISASSEMBLE = 4096;

function fail(message: string): never {
  throw new RequestError(message);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

function arrayArg<T>(x: unknown, what: string): T[] {
  if (x === undefined || x === null) return [];
  if (!Array.isArray(x)) fail(`${what} must be an array`);
  return x as T[];
}

function intArg(x: unknown, what: string, fallback?: number): number {
  if (x === undefined && fallback !== undefined) return fallback;
  if (typeof x !== 'number' || !Number.isFinite(x) || !Number.isInteger(x)) fail(`${what} must be an integer`);
  return x;
}

export class HyperstepSession extends LoggingDebugSession {
  private runtime: DebugRuntime | undefined;
  private program: ProgramInfo | undefined;
  private stopOnEntry = true;
  private configured = false;
  private started = false;
  private terminated = false;
  private readonly containers = new Handles<Container>(1000);
  /** Frames by id: guest frames by index, or a phase of the VM exit the vCPU is stopped in. */
  private readonly frames = new Handles<{ vcpu: number; index: number; phase?: number }>(1);

  constructor(private readonly host: DebugHost) {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
    // A malformed message (bad JSON, a broken header) is reported, never thrown.
    this.on('error', (e: unknown) => {
      const text = e instanceof Error ? e.message : isObject(e) && typeof e.body === 'string' ? e.body : String(e);
      this.sendEvent(new OutputEvent(`hyperstep: ${text}\n`, 'stderr'));
    });
  }

  // ---- plumbing ---------------------------------------------------------------------------------------

  /**
   * Reads the client's stream with our own framing (frames.ts) instead of @vscode/debugadapter's
   * ProtocolServer._handleData, which goes deaf after a bad Content-Length. The library still
   * owns the output stream; it is handed an input that never speaks, and ends when ours does.
   */
  public override start(inStream: NodeJS.ReadableStream, outStream: NodeJS.WritableStream): void {
    const idle = new PassThrough();
    super.start(idle, outStream);
    const reader = new FrameReader({
      message: (text) => this.incoming(readBody(text)),
      error: (text, dropped) => this.incoming(dropped === undefined ? { kind: 'note', why: text } : unreadable(dropped, text)),
    });
    inStream.on('data', (d: Buffer | string) => reader.push(typeof d === 'string' ? Buffer.from(d) : d));
    inStream.on('error', (e: Error) => idle.destroy(e));
    inStream.on('close', () => idle.destroy());
    inStream.resume();
  }

  /** Every message, from the stream or in-process (the extension host's inline adapter), is checked first. */
  public override handleMessage(msg: DebugProtocol.ProtocolMessage): void {
    this.incoming(checkMessage(msg));
  }

  private incoming(m: Incoming): void {
    try {
      if (m.kind === 'message') super.handleMessage(m.message as unknown as DebugProtocol.ProtocolMessage);
      else if (m.kind === 'note') this.output(`hyperstep: ${m.why}\n`, 'stderr');
      else {
        const response: DebugProtocol.Response = {
          type: 'response', seq: 0, request_seq: m.seq, command: m.command, success: false, message: m.why,
          body: { error: { id: 3000, format: m.why.replace(/[{}]/g, (c) => c + c), showUser: false } },
        };
        this.sendResponse(response);
      }
    } catch (e) {
      this.output(`hyperstep: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`, 'stderr');
    }
  }

  protected override dispatchRequest(request: DebugProtocol.Request): void {
    if (!isObject(request.arguments)) request.arguments = {};
    // DAP's default path format is 'path'; a client that leaves it out means that.
    if (request.command === 'initialize' && request.arguments.pathFormat === undefined) request.arguments.pathFormat = 'path';
    super.dispatchRequest(request);
  }

  /** Runs a handler; any exception becomes the error response's message. */
  private handle<R extends DebugProtocol.Response>(response: R, f: () => void | Promise<void>): void {
    const onError = (e: unknown): void => {
      const bug = !(e instanceof RequestError || e instanceof ExprError || e instanceof CError);
      // A bug still gets an answer (and the session goes on), marked so it is recognised and reported.
      const message = (bug ? 'internal error: ' : '') + (e instanceof Error ? e.message : String(e));
      this.sendErrorResponse(response, { id: bug ? 3001 : 3000, format: message.replace(/[{}]/g, (c) => c + c), showUser: bug });
    };
    try {
      const r = f();
      if (r instanceof Promise) r.catch(onError);
    } catch (e) {
      onError(e);
    }
  }

  private rt(): DebugRuntime {
    if (!this.runtime || this.terminated) fail(this.terminated ? 'the debug session has ended' : 'not launched yet');
    return this.runtime;
  }

  private stoppedRt(): DebugRuntime {
    const rt = this.rt();
    if (rt.running) fail('the machine is running: pause it first');
    return rt;
  }

  private vcpuOfThread(threadId: unknown): number {
    const rt = this.rt();
    const id = intArg(threadId, 'threadId') - 1;
    if (!rt.vcpu(id)) fail(`no thread ${String(threadId)} (threads are vCPUs 1..${rt.vcpus.length})`);
    return id;
  }

  private vcpuOfFrame(frameId: unknown): number {
    if (frameId === undefined) return this.runtime?.lastStop?.vcpu ?? 0;
    const f = this.frames.get(intArg(frameId, 'frameId'));
    if (!f) fail(`no frame ${String(frameId)} (frames are valid while the machine is stopped)`);
    return f.vcpu;
  }

  /** The frame index (0 = innermost) of a frameId, 0 without one. */
  private frameIndexOf(frameId: unknown): number {
    if (frameId === undefined) return 0;
    return Math.max(0, this.frames.get(intArg(frameId, 'frameId'))?.index ?? 0); // a VM exit's frames sit on guest frame 0
  }

  private output(text: string, category: 'stdout' | 'console' | 'stderr' | 'important'): void {
    this.sendEvent(new OutputEvent(text, category));
  }

  private stateChanged(reason: StateChangedBody['reason']): void {
    const m = this.runtime?.machine;
    const body: StateChangedBody = { reason, steps: m?.steps ?? 0, cycles: m?.cycles() ?? 0 };
    this.sendEvent(new Event(stateChangedEvent.event, body));
  }

  private clientPath(file: string): string {
    return this.convertDebuggerPathToClient(file);
  }

  private source(file: string): DebugProtocol.Source {
    return { name: file.replace(/^.*[\\/]/, ''), path: this.clientPath(file) };
  }

  // ---- lifecycle --------------------------------------------------------------------------------------

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsFunctionBreakpoints: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsEvaluateForHovers: true,
      supportsStepBack: true,
      supportsSetVariable: true,
      supportsSetExpression: true,
      supportsCompletionsRequest: true,
      completionTriggerCharacters: [' ', '/'],
      supportsExceptionInfoRequest: true,
      supportsExceptionFilterOptions: true,
      exceptionBreakpointFilters: EVENT_FILTERS.map((f) => ({
        filter: f.id, label: f.label, description: f.description, default: false, supportsCondition: true,
        conditionDescription: `An expression over ${f.fields.join(', ')} (and registers, CSRs, memory), e.g. ${exampleCondition(f.id)}`,
      })),
      supportsTerminateRequest: true,
      supportTerminateDebuggee: true,
      supportsDelayedStackTraceLoading: true,
      supportsLoadedSourcesRequest: true,
      supportsDataBreakpoints: true,
      supportsDataBreakpointBytes: true,
      supportsReadMemoryRequest: true,
      supportsWriteMemoryRequest: true,
      supportsDisassembleRequest: true,
      supportsInstructionBreakpoints: true,
      supportsSteppingGranularity: true,
      supportsBreakpointLocationsRequest: true,
      supportsClipboardContext: true,
      supportsValueFormattingOptions: false,
      supportsRestartRequest: false,
      supportsGotoTargetsRequest: false,
      supportsStepInTargetsRequest: false,
      supportsCancelRequest: false,
    };
    this.sendResponse(response);
  }

  protected override launchRequest(response: DebugProtocol.LaunchResponse, args: DebugProtocol.LaunchRequestArguments): void {
    this.handle(response, async () => {
      if (this.runtime) fail('already launched');
      const config = parseLaunchArguments(args);
      if ('error' in config) fail(config.error);
      const a = args as { cwd?: unknown };
      const file = this.host.resolvePath(config.program, typeof a.cwd === 'string' ? a.cwd : undefined);
      const program = await loadProgram(this.host, file);
      if ('error' in program) fail(program.error);
      let rt: DebugRuntime;
      try {
        rt = new DebugRuntime(program, { ...config, program: file }, this.host, { output: (t, c) => this.output(t, c) });
      } catch (e) {
        // e.g. guest RAM (and its decode cache) larger than this process can allocate
        fail(`cannot build the machine (${config.memoryMiB} MiB, ${config.vcpus} vCPUs): ${e instanceof Error ? e.message : String(e)}`);
      }
      const loaded = rt.load();
      if (loaded.error) fail(`${file}: ${loaded.error}`);
      for (const w of [...program.warnings, ...loaded.warnings]) this.output(`${file}: warning: ${w}\n`, 'console');
      this.runtime = rt;
      this.program = program;
      this.stopOnEntry = config.stopOnEntry;
      this.output(`Hyperstep: ${file} on ${config.vcpus} vCPU${config.vcpus > 1 ? 's' : ''}, ${config.memoryMiB} MiB, ` +
        `${config.mmu.toUpperCase()}${config.vpid ? (config.mmu === 'npt' ? ' + ASID' : ' + VPID') : ''}, ${config.irqchip} irqchip; entry ${hex32(program.image.entry)}\n`, 'console');
      this.sendResponse(response);
      this.sendEvent(new InitializedEvent());
      this.stateChanged('launch');
    });
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.handle(response, () => {
      this.sendResponse(response);
      if (this.configured) return;
      this.configured = true;
      const rt = this.runtime;
      if (!rt || this.started) return;
      this.started = true;
      if (this.stopOnEntry) {
        this.reportStop({ kind: 'stop', reason: 'entry', vcpu: 0, description: `Stopped on entry at ${rt.where(0)}` });
      } else {
        void this.run(() => rt.continue());
      }
    });
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    this.runtime?.pause();
    this.runtime?.releaseHistory();
    this.terminated = true;
    this.sendResponse(response);
    this.shutdown();
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.runtime?.pause();
    this.sendResponse(response);
    if (!this.terminated) {
      this.terminated = true;
      this.sendEvent(new TerminatedEvent());
    }
  }

  // ---- running -----------------------------------------------------------------------------------------

  /** Starts an operation; the response has been sent; the stop (or exit) is reported when it ends. */
  private async run(op: () => Promise<RunResult>): Promise<void> {
    this.invalidateHandles();
    let r: RunResult;
    try {
      r = await op();
    } catch (e) {
      r = { kind: 'stop', reason: 'exception', vcpu: 0, description: 'Internal error', text: e instanceof Error ? e.message : String(e) };
    }
    if (this.terminated) return;
    if (r.kind === 'exit') {
      this.output(r.message + '\n', 'console');
      this.terminated = true;
      this.sendEvent(new ExitedEvent(r.code));
      this.sendEvent(new TerminatedEvent());
      return;
    }
    this.reportStop(r);
  }

  private reportStop(s: StopInfo): void {
    this.invalidateHandles();
    const body: DebugProtocol.StoppedEvent['body'] = {
      reason: s.reason, threadId: s.vcpu + 1, allThreadsStopped: true,
      ...stopWords(s), ...(s.breakpointIds?.length ? { hitBreakpointIds: s.breakpointIds } : {}),
    };
    if (this.runtime) this.runtime.lastStop = s;
    if (s.reason === 'exception' || s.reason === 'data breakpoint' || s.event) {
      // An event stop's text starts with its sentence, which the description already holds.
      const more = s.text && s.event ? s.text.split('\n').slice(1).join('\n') : s.text;
      this.output(`${s.description}${more && more !== s.description && !more.endsWith(s.description) ? `\n${more}` : ''}\n`, 'console');
    }
    this.sendEvent(new Event('stopped', body));
    this.stateChanged('stopped');
  }

  private invalidateHandles(): void {
    this.containers.reset();
    this.frames.reset();
  }

  private startRun(response: DebugProtocol.Response, op: (rt: DebugRuntime) => Promise<RunResult>, body?: object): void {
    this.handle(response, () => {
      const rt = this.stoppedRt();
      if (!this.started) fail('the machine has not started: send configurationDone first');
      if (body) response.body = body;
      this.sendResponse(response);
      void this.run(() => op(rt));
    });
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    this.startRun(response, (rt) => rt.continue(), { allThreadsContinued: true });
  }

  protected override nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void {
    const id = this.safeThread(response, args);
    if (id === undefined) return;
    this.startRun(response, (rt) => rt.step(id, true, args.granularity === 'instruction' ? 'instruction' : 'line'));
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    const id = this.safeThread(response, args);
    if (id === undefined) return;
    this.startRun(response, (rt) => rt.step(id, false, args.granularity === 'instruction' ? 'instruction' : 'line'));
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse, args: DebugProtocol.StepOutArguments): void {
    const id = this.safeThread(response, args);
    if (id === undefined) return;
    this.startRun(response, (rt) => rt.stepOut(id));
  }

  protected override stepBackRequest(response: DebugProtocol.StepBackResponse, args: DebugProtocol.StepBackArguments): void {
    const id = this.safeThread(response, args);
    if (id === undefined) return;
    this.startRun(response, (rt) => rt.stepBack(id, args.granularity === 'instruction' ? 'instruction' : 'line'));
  }

  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse, args: DebugProtocol.ReverseContinueArguments): void {
    const id = this.safeThread(response, args);
    if (id === undefined) return;
    this.startRun(response, (rt) => rt.reverseContinue(id));
  }

  /** The vCPU of a stepping request's thread, or undefined after answering with an error. */
  private safeThread(response: DebugProtocol.Response, args: unknown): number | undefined {
    let id: number | undefined;
    this.handle(response, () => { id = this.vcpuOfThread(isObject(args) ? args.threadId : undefined); });
    return id;
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    this.handle(response, () => {
      this.rt().pause();
      this.sendResponse(response);
    });
  }

  // ---- threads, stack, scopes, variables ----------------------------------------------------------------

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    const rt = this.runtime;
    response.body = { threads: (rt?.vcpus ?? []).map((v) => ({ id: v.id + 1, name: `vCPU ${v.id}` })) };
    this.sendResponse(response);
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    this.handle(response, () => {
      const rt = this.stoppedRt();
      const vcpu = this.vcpuOfThread(args.threadId);
      const all = rt.frames(vcpu);
      // Inside a VM exit: the exit's phases (VMM, then KVM frames) and a separator sit on the guest's.
      const view = rt.exitView?.vcpu === vcpu ? rt.exitView : undefined;
      const top = view ? exitFrames(view) : [];
      const start = intArg(args.startFrame, 'startFrame', 0);
      const levels = intArg(args.levels, 'levels', 0);
      const end = levels > 0 ? Math.max(0, start) + levels : Infinity;
      const program = this.program!;
      const exitPc = view?.phases.find((p) => p.exit)?.exit?.pc;
      const topFrames = top.slice(Math.max(0, start), end).map((f) => ({
        id: this.frames.create({ vcpu, index: -1, phase: f.phase }),
        name: f.name, line: 0, column: 0,
        presentationHint: f.phase === undefined ? 'label' as const : 'subtle' as const,
        ...(exitPc !== undefined ? { instructionPointerReference: hex32(exitPc) } : {}),
      }));
      const skip = Math.max(0, start - top.length);
      const chosen = all.slice(skip, Number.isFinite(end) ? Math.max(skip, end - top.length) : undefined);
      response.body = {
        totalFrames: top.length + all.length,
        stackFrames: [...topFrames, ...chosen.map((f, k) => {
          const index = skip + k;
          const id = this.frames.create({ vcpu, index });
          if (f.kind === 'trap') {
            return { id, name: f.name, line: 0, column: 0, presentationHint: 'label' as const, instructionPointerReference: hex32(f.pc) };
          }
          // A caller frame's pc is a return address: its line is the call's (pc - 1: inside the call, be it
          // 4 bytes or a compressed 2, as GDB looks it up). A function a call was inlined into is at that call.
          const at = program.lineAt(f.caller ?? (index > 0 && all[index - 1]?.kind !== 'trap') ? f.pc - 1 : f.pc);
          const row = f.callSite && at ? { ...at, file: f.callSite.file ?? at.file, line: f.callSite.line } : at;
          return {
            id, name: row ? f.name : program.describe(f.pc) ?? f.name,
            line: row?.line ?? 0, column: row ? 1 : 0, ...(row ? { source: this.source(row.file) } : {}),
            instructionPointerReference: hex32(f.pc),
            ...(row ? {} : { presentationHint: 'subtle' as const }),
          };
        })],
      };
      this.sendResponse(response);
    });
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    this.handle(response, () => {
      const rt = this.stoppedRt();
      const vcpu = this.vcpuOfFrame(args.frameId);
      const f = this.frames.get(intArg(args.frameId, 'frameId'));
      const view = rt.exitView?.vcpu === vcpu ? rt.exitView : undefined;
      const make = (c: Container): number => this.containers.create(c);
      const phase = view && f?.phase !== undefined ? view.phases[f.phase] : undefined;
      response.body = { scopes: [...(phase ? phaseScopes(phase, make) : []), ...scopes(rt, vcpu, make, this.frameIndexOf(args.frameId))] };
      this.sendResponse(response);
    });
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    this.handle(response, () => {
      const rt = this.stoppedRt();
      const c = this.containers.get(intArg(args.variablesReference, 'variablesReference'));
      if (!c) fail(`no variables for reference ${String(args.variablesReference)} (stale after the machine ran?)`);
      let vars = variables(rt, c, (x) => this.containers.create(x));
      const start = intArg(args.start, 'start', 0), count = intArg(args.count, 'count', 0);
      if (start > 0 || count > 0) vars = vars.slice(start, count > 0 ? start + count : undefined);
      response.body = { variables: vars };
      this.sendResponse(response);
    });
  }

  protected override setVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): void {
    this.handle(response, () => {
      const rt = this.stoppedRt();
      const c = this.containers.get(intArg(args.variablesReference, 'variablesReference'));
      if (typeof args.name !== 'string' || typeof args.value !== 'string') fail('name and value must be strings');
      if (c && (c.kind === 'c-locals' || c.kind === 'c-globals' || c.kind === 'c-object')) {
        const value = evaluate(parseExpression(args.value), rt.context(c.vcpu, undefined, c.kind === 'c-globals' ? 0 : c.frame));
        response.body = { value: setCVariable(rt, c, args.name, value, args.value) };
        this.afterWrite(rt);
        this.sendResponse(response);
        return;
      }
      if (!c || (c.kind !== 'registers' && c.kind !== 'csrs' && c.kind !== 'stack')) fail('only registers, CSRs, stack memory and C variables can be set here (other memory: setExpression or writeMemory)');
      const vc = rt.vcpu(c.vcpu)!;
      const value = toNumber(evaluate(parseExpression(args.value), rt.context(c.vcpu)));
      const word = stackWordAddress(c, args.name);
      if (c.kind === 'stack') {
        if (word === undefined) fail(`no stack word '${args.name}'`);
        const bytes = Uint8Array.of(value, value >>> 8, value >>> 16, value >>> 24);
        if (rt.inspector.writeBytes(vc, word, bytes) < 4) fail(`${hex(word)} is not RAM`);
        this.afterWrite(rt, { memoryReference: hex32(word), offset: 0, count: 4 });
        response.body = { value: hex32(value) };
        this.sendResponse(response);
        return;
      }
      const r = setRegisterOrCsr(rt.port, c.vcpu, args.name, value);
      if ('error' in r) fail(r.error);
      this.afterWrite(rt);
      response.body = { value: r.value };
      this.sendResponse(response);
    });
  }

  protected override setExpressionRequest(response: DebugProtocol.SetExpressionResponse, args: DebugProtocol.SetExpressionArguments): void {
    this.handle(response, () => {
      const rt = this.stoppedRt();
      if (typeof args.expression !== 'string' || typeof args.value !== 'string') fail('expression and value must be strings');
      const vcpu = this.vcpuOfFrame(args.frameId);
      const frame = this.frameIndexOf(args.frameId);
      const target = rt.program.dwarf || /[[\].]|->|\(\s*\w[\w\s]*\*+\s*\)/.test(args.expression) ? tryEvaluate(args.expression, rt.context(vcpu, undefined, frame)) : undefined;
      if (target instanceof CVal && target.obj) {
        const n = toNumber(evaluate(parseExpression(args.value), rt.context(vcpu, undefined, frame)));
        assignC(target.obj, n, target.access);
        this.afterWrite(rt);
        response.body = { value: target.text() };
        this.sendResponse(response);
        return;
      }
      const value = toNumber(evaluate(parseExpression(args.value), rt.context(vcpu))) >>> 0;
      const e = args.expression.trim();
      const mem = /^(?:\*\s*(.+)|([ui](8|16|32)|p(8|16|32))\((.+)\))$/.exec(e);
      if (mem) {
        const physical = mem[2]?.startsWith('p') ?? false;
        const size = mem[1] !== undefined ? 4 : Number(mem[3] ?? mem[4]) / 8;
        const address = toNumber(evaluate(parseExpression(mem[1] ?? mem[5]), rt.context(vcpu))) >>> 0;
        const bytes = Uint8Array.from({ length: size }, (_, k) => (value >>> (8 * k)) & 0xff);
        const n = rt.inspector.writeBytes(physical ? undefined : rt.vcpu(vcpu), address, bytes);
        if (n < size) fail(`${hex(address)} is not RAM: only RAM can be written from the debugger`);
        this.afterWrite(rt, { memoryReference: hex32(address), offset: 0, count: size });
        response.body = { value: formatValue(value) };
      } else {
        const r = setRegisterOrCsr(rt.port, vcpu, e, value);
        if ('error' in r) fail(r.error);
        this.afterWrite(rt);
        response.body = { value: r.value };
      }
      this.sendResponse(response);
    });
  }

  /** After the user changed the machine: history, and the views. */
  private afterWrite(rt: DebugRuntime, memory?: { memoryReference: string; offset: number; count: number }): void {
    rt.noteExternalChange();
    if (memory) this.sendEvent(new MemoryEvent(memory.memoryReference, memory.offset, memory.count));
    this.sendEvent(new InvalidatedEvent(['variables']));
    this.stateChanged('write');
  }

  // ---- breakpoints --------------------------------------------------------------------------------------

  private breakpointOf(bp: CodeBreakpoint): DebugProtocol.Breakpoint {
    const out: DebugProtocol.Breakpoint = { id: bp.id, verified: bp.verified };
    if (bp.message) out.message = bp.message;
    if (bp.address !== undefined) out.instructionReference = hex32(bp.address);
    if (bp.where.line !== undefined && bp.where.file) { out.line = bp.where.line; out.source = this.source(bp.where.file); }
    return out;
  }

  private specOf(b: unknown): BreakpointSpec {
    if (!isObject(b)) fail('a breakpoint must be an object');
    const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
    const spec: BreakpointSpec = { condition: str(b.condition), hitCondition: str(b.hitCondition), logMessage: str(b.logMessage) };
    // Data and event breakpoints have no logMessage in DAP: `log: text {expr}` as the condition makes one.
    if (spec.condition && /^\s*log:/.test(spec.condition)) { spec.logMessage = spec.condition.replace(/^\s*log:\s?/, ''); spec.condition = undefined; }
    return spec;
  }

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    this.handle(response, () => {
      const rt = this.rt();
      if (!isObject(args.source) || typeof args.source.path !== 'string') fail('source.path is required');
      const clientPath = args.source.path;
      const file = this.program!.resolveSource(this.convertClientPathToDebugger(clientPath));
      const list = arrayArg<DebugProtocol.SourceBreakpoint>(args.breakpoints, 'breakpoints');
      const previous = rt.codeBreakpoints.source.get(file ?? clientPath) ?? [];
      const bps = list.map((b) => {
        const spec = this.specOf(b);
        const line = intArg(b.line, 'line');
        const at = file ? this.program!.lineWithCode(file, line) : undefined;
        const same = previous.find((p) => p.where.line === (at?.line ?? line) && p.condition?.text === spec.condition && p.hitCondition?.text === spec.hitCondition && p.logMessage === spec.logMessage);
        if (same) return same;
        const bp = new CodeBreakpoint('source', spec, at?.address, { file: file ?? clientPath, line: at?.line ?? line });
        if (!at) bp.message = file ? `no code at or after line ${line}` : `${clientPath} is not part of the program`;
        return bp;
      });
      rt.codeBreakpoints.source.set(file ?? clientPath, bps);
      rt.syncCodeBreakpoints(); // also while running: requests are served between run slices
      response.body = { breakpoints: bps.map((bp) => this.breakpointOf(bp)) };
      this.sendResponse(response);
    });
  }

  protected override breakpointLocationsRequest(response: DebugProtocol.BreakpointLocationsResponse, args: DebugProtocol.BreakpointLocationsArguments): void {
    this.handle(response, () => {
      this.rt();
      if (!isObject(args.source) || typeof args.source.path !== 'string') fail('source.path is required');
      const file = this.program!.resolveSource(this.convertClientPathToDebugger(args.source.path));
      const line = intArg(args.line, 'line');
      const end = intArg(args.endLine, 'endLine', line);
      response.body = { breakpoints: file ? this.program!.linesWithCode(file, line, end).map((l) => ({ line: l })) : [] };
      this.sendResponse(response);
    });
  }

  protected override setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): void {
    this.handle(response, () => {
      const rt = this.rt();
      const bps = arrayArg<DebugProtocol.FunctionBreakpoint>(args.breakpoints, 'breakpoints').map((b) => {
        const spec = this.specOf(b);
        const name = isObject(b) && typeof b.name === 'string' ? b.name.trim() : '';
        let address: number | undefined = this.program!.symbol(name)?.address;
        let message: string | undefined;
        if (address === undefined && name) {
          try { address = toNumber(evaluate(parseExpression(name), rt.context(0))) >>> 0; } catch { message = `no symbol '${name}'`; }
        }
        const bp = new CodeBreakpoint('function', spec, address, { name });
        if (message) bp.message = message;
        if (address !== undefined) {
          const row = this.program!.lineAt(address);
          if (row) { bp.where.file = row.file; bp.where.line = row.line; }
        }
        return bp;
      });
      rt.codeBreakpoints.function = bps;
      rt.syncCodeBreakpoints(); // also while running: requests are served between run slices
      response.body = { breakpoints: bps.map((bp) => this.breakpointOf(bp)) };
      this.sendResponse(response);
    });
  }

  protected override setInstructionBreakpointsRequest(response: DebugProtocol.SetInstructionBreakpointsResponse, args: DebugProtocol.SetInstructionBreakpointsArguments): void {
    this.handle(response, () => {
      const rt = this.rt();
      const bps = arrayArg<DebugProtocol.InstructionBreakpoint>(args.breakpoints, 'breakpoints').map((b) => {
        const spec = this.specOf(b);
        const ref = typeof b.instructionReference === 'string' ? parseNumber(b.instructionReference) : undefined;
        const offset = typeof b.offset === 'number' && Number.isInteger(b.offset) ? b.offset : 0;
        const address = ref === undefined ? undefined : (ref + offset) >>> 0;
        // IALIGN = 16 (the C extension): any halfword may start an instruction.
        const bp = new CodeBreakpoint('instruction', spec, address !== undefined && address % 2 === 0 ? address : undefined, { reference: String(b.instructionReference) });
        if (ref === undefined) bp.message = `bad instruction reference '${String(b.instructionReference)}'`;
        else if (address! % 2 !== 0) bp.message = `${hex(address!)} is not a 2-byte aligned instruction address`;
        return bp;
      });
      rt.codeBreakpoints.instruction = bps;
      rt.syncCodeBreakpoints(); // also while running: requests are served between run slices
      response.body = { breakpoints: bps.map((bp) => this.breakpointOf(bp)) };
      this.sendResponse(response);
    });
  }

  protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    this.handle(response, () => {
      const rt = this.rt();
      const ids = arrayArg<string>(args.filters, 'filters');
      const options = arrayArg<DebugProtocol.ExceptionFilterOptions>(args.filterOptions, 'filterOptions');
      const out: DebugProtocol.Breakpoint[] = [];
      rt.filters.clear();
      const add = (id: unknown, spec: BreakpointSpec): void => {
        if (typeof id !== 'string' || !(EVENT_FILTER_IDS as readonly string[]).includes(id)) {
          out.push({ verified: false, message: `unknown filter '${String(id)}' (known: ${EVENT_FILTER_IDS.join(', ')})` });
          return;
        }
        const bp = new EventFilterBreakpoint(id as EventFilterId, spec);
        if (bp.verified) rt.filters.set(id as EventFilterId, bp);
        out.push({ id: bp.id, verified: bp.verified, ...(bp.message ? { message: bp.message } : {}) });
      };
      for (const id of ids) add(id, {});
      for (const o of options) add(isObject(o) ? o.filterId : undefined, this.specOf(o));
      response.body = { breakpoints: out };
      this.sendResponse(response);
    });
  }

  protected override dataBreakpointInfoRequest(response: DebugProtocol.DataBreakpointInfoResponse, args: DebugProtocol.DataBreakpointInfoArguments): void {
    this.handle(response, () => {
      const rt = this.rt();
      const accessTypes: DebugProtocol.DataBreakpointAccessType[] = ['read', 'write', 'readWrite'];
      if (typeof args.name !== 'string') fail('name must be a string');
      const size = args.bytes === undefined ? 4 : intArg(args.bytes, 'bytes');
      if (size < 1 || size > 4096) fail('bytes must be 1–4096');
      if (args.variablesReference !== undefined && !args.asAddress) {
        const c = this.containers.get(intArg(args.variablesReference, 'variablesReference'));
        if (c && (c.kind === 'c-locals' || c.kind === 'c-globals' || c.kind === 'c-object')) {
          const st = cVariableStorage(rt, c, args.name);
          response.body = 'error' in st ? { dataId: null, description: st.error }
            : { dataId: formatDataId({ space: 'gva', address: st.address, size: st.size }), description: `${args.name} (${st.size} byte${st.size > 1 ? 's' : ''} at ${hex(st.address)})`, accessTypes, canPersist: false };
          this.sendResponse(response);
          return;
        }
        const gpa = c ? deviceRegisterAddress(c, args.name) : undefined;
        if (gpa === undefined) {
          response.body = { dataId: null, description: `${args.name} cannot be watched: data breakpoints watch guest memory (an address) or a device register` };
        } else {
          response.body = { dataId: formatDataId({ space: 'mmio', address: gpa, size: 4 }), description: `LAPIC ${args.name} (MMIO ${hex(gpa)})`, accessTypes, canPersist: true };
        }
        this.sendResponse(response);
        return;
      }
      // An address expression; "gpa 0x…" (or "phys 0x…") names a guest-physical address.
      const m = /^\s*(gpa|phys)\s+(.+)$/.exec(args.name);
      const vcpu = this.vcpuOfFrame(args.frameId);
      const v = evaluate(parseExpression(m ? m[2] : args.name), rt.context(vcpu, undefined, this.frameIndexOf(args.frameId)));
      if (v instanceof CVal && v.obj && !m) {
        // A C lvalue (`counter`, `p->len`): watch its storage, its size by default.
        const st = storageOf(v.obj, args.name);
        const n = args.bytes === undefined && !('error' in st) ? st.size : size;
        response.body = 'error' in st ? { dataId: null, description: st.error }
          : { dataId: formatDataId({ space: 'gva', address: st.address, size: n }), description: `${args.name} (${n} byte${n > 1 ? 's' : ''} at ${hex(st.address)})`, accessTypes, canPersist: false };
        this.sendResponse(response);
        return;
      }
      const address = toNumber(v) >>> 0;
      const gpa = m ? address : rt.inspector.translate(rt.vcpu(vcpu)!, address).gpa;
      const what = gpa === undefined ? undefined : rt.inspector.describeGpa(gpa, vcpu);
      if (gpa === undefined || what === undefined) {
        response.body = { dataId: null, description: `${hex(address)}: no RAM or device there` };
      } else if (what === 'RAM') {
        const space = m ? 'gpa' : 'gva';
        response.body = { dataId: formatDataId({ space, address, size }), description: `${size} byte${size > 1 ? 's' : ''} at ${m ? 'GPA ' : ''}${hex(address)}`, accessTypes, canPersist: true };
      } else {
        response.body = { dataId: formatDataId({ space: 'mmio', address: gpa, size }), description: `${what} (MMIO ${hex(gpa)})`, accessTypes, canPersist: true };
      }
      this.sendResponse(response);
    });
  }

  protected override setDataBreakpointsRequest(response: DebugProtocol.SetDataBreakpointsResponse, args: DebugProtocol.SetDataBreakpointsArguments): void {
    this.handle(response, () => {
      const rt = this.rt();
      const list = arrayArg<DebugProtocol.DataBreakpoint>(args.breakpoints, 'breakpoints');
      const out: DebugProtocol.Breakpoint[] = [];
      const bps: DataBreakpoint[] = [];
      for (const b of list) {
        const target = isObject(b) && typeof b.dataId === 'string' ? parseDataId(b.dataId) : undefined;
        if (!target) { out.push({ verified: false, message: `bad dataId '${isObject(b) ? String(b.dataId) : ''}'` }); continue; }
        const access = (isObject(b) && typeof b.accessType === 'string' && ['read', 'write', 'readWrite'].includes(b.accessType) ? b.accessType : 'write') as DataAccess;
        const bp = new DataBreakpoint(target, access, this.specOf(b));
        bps.push(bp);
      }
      rt.dataBreakpoints = bps;
      rt.syncDataBreakpoints();
      rt.noteExternalChange();
      for (const bp of bps) out.push({ id: bp.id, verified: bp.verified, ...(bp.message ? { message: bp.message } : {}) });
      response.body = { breakpoints: out };
      this.sendResponse(response);
    });
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse, args: DebugProtocol.ExceptionInfoArguments): void {
    this.handle(response, () => {
      const rt = this.rt();
      this.vcpuOfThread(args.threadId);
      const s = rt.lastStop;
      if (!s || (s.reason !== 'exception' && !s.filter)) fail('the machine did not stop on an event or an exception');
      const label = s.filter ? EVENT_FILTERS.find((f) => f.id === s.filter)?.label ?? s.filter : 'Guest failure';
      response.body = {
        exceptionId: s.filter ?? 'guest-failure', description: s.description, breakMode: s.filter ? 'always' : 'unhandled',
        details: { message: s.text ?? s.description, typeName: label },
      };
      this.sendResponse(response);
    });
  }

  // ---- memory and disassembly -----------------------------------------------------------------------------

  private addressOf(reference: unknown, offset: unknown): number {
    if (typeof reference !== 'string') fail('memoryReference must be a string');
    const base = parseNumber(reference.trim());
    if (base === undefined) fail(`bad memoryReference '${reference}'`);
    return (base + intArg(offset, 'offset', 0)) >>> 0;
  }

  protected override readMemoryRequest(response: DebugProtocol.ReadMemoryResponse, args: DebugProtocol.ReadMemoryArguments): void {
    this.handle(response, () => {
      const rt = this.stoppedRt();
      const address = this.addressOf(args.memoryReference, args.offset);
      const count = intArg(args.count, 'count');
      if (count < 0 || count > MAX_READ) fail(`count must be 0–${MAX_READ}`);
      const r = rt.inspector.readBytes(rt.vcpu(rt.lastStop?.vcpu ?? 0), address, count);
      response.body = { address: hex32(address), data: Buffer.from(r.bytes).toString('base64'), ...(r.unreadable ? { unreadableBytes: r.unreadable } : {}) };
      this.sendResponse(response);
    });
  }

  protected override writeMemoryRequest(response: DebugProtocol.WriteMemoryResponse, args: DebugProtocol.WriteMemoryArguments): void {
    this.handle(response, () => {
      const rt = this.stoppedRt();
      const address = this.addressOf(args.memoryReference, args.offset);
      if (typeof args.data !== 'string') fail('data must be a base64 string');
      const bytes = new Uint8Array(Buffer.from(args.data, 'base64'));
      if (bytes.length > MAX_READ) fail(`at most ${MAX_READ} bytes at once`);
      const vc = rt.vcpu(rt.lastStop?.vcpu ?? 0);
      if (!args.allowPartial && rt.inspector.readBytes(vc, address, bytes.length).unreadable) fail(`${hex(address)}+${bytes.length}: not all of it is RAM`);
      const n = rt.inspector.writeBytes(vc, address, bytes);
      this.afterWrite(rt, { memoryReference: hex32(address), offset: 0, count: n });
      response.body = { bytesWritten: n, offset: 0 };
      this.sendResponse(response);
    });
  }

  protected override disassembleRequest(response: DebugProtocol.DisassembleResponse, args: DebugProtocol.DisassembleArguments): void {
    this.handle(response, () => {
      const rt = this.stoppedRt();
      const program = this.program!;
      const count = intArg(args.instructionCount, 'instructionCount');
      if (count < 0 || count > MAX_DISASSEMBLE) fail(`instructionCount must be 0–${MAX_DISASSEMBLE}`);
      const ref = this.addressOf(args.memoryReference, args.offset) >>> 0;
      const skip = intArg(args.instructionOffset, 'instructionOffset', 0);
      const vc = rt.vcpu(rt.lastStop?.vcpu ?? 0)!;
      // Code is in RAM: device registers are not disassembled (a peek is not an instruction fetch).
      const read = (address: number): number | undefined => {
        const b = rt.inspector.readBytes(vc, address, 2);
        return b.unreadable ? undefined : b.bytes[0] | (b.bytes[1] << 8);
      };
      // Instructions are 2 or 4 bytes long (the C extension): walk the stream, backwards from a known start.
      const before = skip < 0 ? walkBack(read, ref, -skip, program.functionAt((ref - 4 * -skip) >>> 0)?.address) : [];
      const padding = skip < 0 ? -skip - before.length : 0;
      const after = walkForward(read, ref, Math.max(0, count + skip));
      const fetched = [...before, ...after.slice(Math.max(0, skip))].slice(0, Math.max(0, count - padding));
      const instructions: DebugProtocol.DisassembledInstruction[] = [];
      for (let k = 0; k < Math.min(padding, count); k++) instructions.push({ address: hex32((ref - 4 * (padding - k)) >>> 0), instruction: '??', presentationHint: 'invalid' });
      let lastRow: string | undefined;
      for (const f of fetched) {
        const a = f.address, word = f.word;
        if (word === undefined) { instructions.push({ address: hex32(a), instruction: '??', presentationHint: 'invalid' }); continue; }
        const sym = program.functionAt(a);
        const i: DebugProtocol.DisassembledInstruction = {
          address: hex32(a), instructionBytes: [0, 8, 16, 24].slice(0, f.length).map((s) => ((word >>> s) & 0xff).toString(16).padStart(2, '0')).join(' '),
          instruction: disassemble(word, a).replace('\t', ' '),
        };
        if (sym && sym.address === a) i.symbol = sym.name;
        const row = program.lineAt(a);
        if (row) {
          const key = `${row.file}:${row.line}`;
          if (key !== lastRow) { i.location = this.source(row.file); i.line = row.line; }
          lastRow = key;
        }
        instructions.push(i);
      }
      response.body = { instructions };
      this.sendResponse(response);
    });
  }

  protected override loadedSourcesRequest(response: DebugProtocol.LoadedSourcesResponse): void {
    response.body = { sources: (this.program?.sources ?? []).map((f) => this.source(f)) };
    this.sendResponse(response);
  }

  protected override sourceRequest(response: DebugProtocol.SourceResponse): void {
    this.sendErrorResponse(response, { id: 3000, format: 'sources are files on disk: open them by path', showUser: false });
  }

  // ---- evaluate, completions ---------------------------------------------------------------------------------

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    this.handle(response, () => {
      const rt = this.stoppedRt();
      if (typeof args.expression !== 'string') fail('expression must be a string');
      const vcpu = this.vcpuOfFrame(args.frameId);
      const rtw = /^\s*reverse-to-write(?:\s+(.*))?$/s.exec(args.expression);
      if ((args.context === 'repl' || args.context === undefined) && rtw) {
        // Runs like reverse-continue: answered now, the stop follows as a stopped event (src/debug/last-write.ts).
        if (!rtw[1]) fail('usage: reverse-to-write GPA');
        const gpa = toNumber(evaluate(parseExpression(rtw[1]), rt.context(vcpu))) >>> 0;
        if (!this.started) fail('the machine has not started: send configurationDone first');
        if (rt.inspector.hostOf(gpa) < 0) fail(`reverse-to-write: GPA ${hex32(gpa)} is not RAM`);
        response.body = { result: `running back to the last store to GPA ${hex32(gpa)}`, variablesReference: 0 };
        this.sendResponse(response);
        void this.run(() => rt.reverseToWrite(gpa, vcpu));
        return;
      }
      if ((args.context === 'repl' || args.context === undefined) && /^\s*goto(\s|$)/.test(args.expression)) {
        const cycle = parseGoto(args.expression);
        return this.goto(rt, vcpu, cycle, (r) => { response.body = { result: `cycle ${cycle}: vCPU ${r.vcpu} at pc 0x${r.pc.toString(16)} (clock ${r.cycle})`, variablesReference: 0 }; this.sendResponse(response); });
      }
      if ((args.context === 'repl' || args.context === undefined) && isMonitorCommand(args.expression)) {
        const r = runMonitor(rt, args.expression, vcpu);
        response.body = { result: r.output, variablesReference: 0 };
        this.sendResponse(response);
        if (r.changed) {
          this.sendEvent(new InvalidatedEvent(['variables']));
          this.stateChanged('inject');
        }
        return;
      }
      const frame = this.frameIndexOf(args.frameId);
      const value = evaluate(parseExpression(args.expression), rt.context(vcpu, undefined, frame));
      if (value instanceof CVal) {
        response.body = showCValue(value, vcpu, frame, args.expression.trim(), (c) => this.containers.create(c));
        this.sendResponse(response);
        return;
      }
      let result = formatValue(value);
      if (typeof value === 'number' && args.context !== 'clipboard') {
        const sym = rt.program.describe(value);
        if (value > 9) result += ` (${value}${sym ? `, <${sym}>` : ''})`;
      }
      const t = typeof value === 'number' ? rt.inspector.translate(rt.vcpu(vcpu)!, value) : undefined;
      const ref = t?.gpa !== undefined && rt.inspector.hostOf(t.gpa) >= 0 ? hex32(value as number) : undefined;
      response.body = { result, variablesReference: 0, type: typeof value, ...(ref ? { memoryReference: ref } : {}) };
      this.sendResponse(response);
    });
  }

  protected override completionsRequest(response: DebugProtocol.CompletionsResponse, args: DebugProtocol.CompletionsArguments): void {
    this.handle(response, () => {
      const rt = this.rt();
      if (typeof args.text !== 'string') fail('text must be a string');
      const column = intArg(args.column, 'column');
      const col1 = this.convertClientColumnToDebugger(column);
      const r = complete(rt, args.text, col1);
      const length = col1 - 1 - r.start;
      response.body = {
        targets: r.items.map((i) => ({ label: i.label, type: i.type, start: this.convertDebuggerColumnToClient(r.start + 1), length })),
      };
      this.sendResponse(response);
    });
  }

  // ---- run to a cycle ------------------------------------------------------------------------------------------

  /** Runs to `cycle` of vCPU `vcpu`; answers (`reply`) once there, then reports the stop (reason 'goto'). */
  private async goto(rt: DebugRuntime, vcpu: number, cycle: number, reply: (r: RunToCycleResult) => void): Promise<void> {
    this.invalidateHandles();
    const stop = await rt.runToCycle(vcpu, cycle);
    const cpu = rt.vcpus[stop.vcpu].cpu;
    reply({ cycle: cpu.cycles(), vcpu: stop.vcpu, pc: cpu.pc >>> 0 });
    if (!this.terminated) this.reportStop(stop);
  }

  // ---- custom requests ---------------------------------------------------------------------------------------

  protected override customRequest(command: string, response: DebugProtocol.Response, args: unknown): void {
    this.handle(response, () => {
      switch (command) {
        case stateRequest.command: {
          const rt = this.rt(); // also while running: requests are served between run slices, on a consistent machine
          const a = (isObject(args) ? args : {}) as StateArguments;
          if (a.parts !== undefined && !Array.isArray(a.parts)) fail('parts must be an array');
          response.body = buildState(rt, a.parts);
          this.sendResponse(response);
          return;
        }
        case translateRequest.command: {
          const rt = this.rt();
          response.body = answerTranslate(rt, args);
          this.sendResponse(response);
          return;
        }
        case stoppedAccessRequest.command: {
          response.body = stoppedAccess(this.rt(), args);
          this.sendResponse(response);
          return;
        }
        case injectRequest.command: {
          const rt = this.rt();
          if (!isObject(args)) fail('arguments required: { kind: "irq" | "nic" | "uart", … }');
          const a = args as unknown as InjectArguments;
          let message: string;
          switch (a.kind) {
            case 'irq': {
              const gsi = intArg(a.gsi, 'gsi');
              if (typeof a.level !== 'boolean' && a.level !== 0 && a.level !== 1) fail('level must be true/false or 0/1');
              message = rt.injectIrq(gsi, a.level === true || a.level === 1);
              break;
            }
            case 'nic': {
              if (typeof a.data !== 'string') fail('data must be a string');
              const bytes = encodeData(a.data, a.encoding === 'hex' ? 'hex' : 'utf8');
              if (typeof bytes === 'string') fail(`data ${bytes}`);
              message = rt.injectNic(bytes);
              break;
            }
            case 'uart':
              if (typeof a.text !== 'string') fail('text must be a string');
              message = rt.injectUart(new TextEncoder().encode(a.text));
              break;
            default:
              fail(`kind must be irq, nic or uart, got ${JSON.stringify((a as { kind?: unknown }).kind)}`);
          }
          response.body = { message };
          this.sendResponse(response);
          this.output(message + '\n', 'console');
          this.sendEvent(new InvalidatedEvent(['variables']));
          this.stateChanged('inject');
          return;
        }
        case interruptsRequest.command: {
          const rt = this.rt();
          response.body = interrupts(rt.machine, (isObject(args) ? args : {}) as InterruptsArguments);
          this.sendResponse(response);
          return;
        }
        case compareInterruptsRequest.command: {
          const rt = this.rt();
          if (!isObject(args)) fail('arguments required: { irqchip, untilCycle, last? }');
          response.body = compareRun(rt.program, rt.config, args as unknown as CompareInterruptsArguments);
          this.sendResponse(response);
          return;
        }
        case whyRequest.command: {
          const rt = this.rt();
          if (!isObject(args)) fail('arguments required: { gsi } or { vector, vcpu? }');
          response.body = why(rt.machine, args as unknown as WhyArguments, rt.lastStop?.vcpu ?? 0, rt.running ? undefined : rt); // the history is searched only while the machine stands still
          this.sendResponse(response);
          return;
        }
        case runToCycleRequest.command: {
          const rt = this.stoppedRt();
          if (!this.started) fail('the machine has not started: send configurationDone first');
          const a = (isObject(args) ? args : {}) as { cycle?: unknown; vcpu?: unknown };
          const cycle = checkCycle(a.cycle);
          const vcpu = a.vcpu === undefined ? rt.lastStop?.vcpu ?? 0 : intArg(a.vcpu, 'vcpu');
          if (!rt.vcpu(vcpu)) fail(`vCPU ${vcpu} does not exist (this machine has ${rt.vcpus.length})`);
          return this.goto(rt, vcpu, cycle, (r) => { response.body = r; this.sendResponse(response); });
        }
        default:
          fail(`unknown request '${command}'`);
      }
    });
  }
}

function exampleCondition(id: EventFilterId): string {
  switch (id) {
    case 'vmexit': return "reason == 'EPT_MISCONFIG' && write";
    case 'mmio': return "device == 'ioapic' && write";
    case 'mmio-vmm': return "device == 'uart'";
    case 'ept-violation': return 'gpa >= 0x80100000';
    case 'irq-assert': return 'gsi == 19';
    case 'msi': return 'vector == 0x41';
    case 'lapic-deliver': return 'vector == 0x31 && apic == 0';
    case 'interrupt-taken': return 'vector == 0x31';
    case 'eoi': return 'vector == 0x31';
    case 'guest-trap': return 'cause == 2';
    case 'triple-fault': return 'vcpu == 0';
  }
}

/** An expression's value, or undefined when it does not evaluate (for "is this a C lvalue?"). */
function tryEvaluate(text: string, ctx: ReturnType<DebugRuntime['context']>): Value | undefined {
  try {
    return evaluate(parseExpression(text), ctx);
  } catch {
    return undefined;
  }
}

/**
 * The stopped event's words. VS Code shows `description` as is in the Call Stack's header (and the
 * thread's row), `text` as its hover. A step stops with no description, so the header reads "Paused
 * on step" like every other debugger's, and never a sentence of an earlier stop; where the step
 * ended ("Back in the guest at …", "Stepped into the VM exit: …") is the hover. A step that could not
 * go where it was asked (a notice: no caller, the start of the history) keeps its sentence
 * (docs/debugging.md "What a stop says").
 */
function stopWords(s: StopInfo): { description?: string; text?: string } {
  if (s.reason === 'step' && !s.notice) return s.description ? { text: s.description } : {};
  return { description: s.description, ...(s.text ? { text: s.text } : {}) };
}
