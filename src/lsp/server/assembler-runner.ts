/**
 * Runs the real assembler for diagnostics and symbol addresses. In the server it runs in a child
 * process: some inputs make the assembler allocate without bound (`.space 0x7fffffff`) and V8
 * aborts the whole process on heap exhaustion (a worker thread does not contain every such abort),
 * so a separate process with its own heap limit and a time limit is what keeps the language server
 * alive. Tests use the in-process runner.
 */
import { ChildProcess, fork } from 'child_process';
import { assemble } from '../../asm';
import type { AsmDiagnostic, AsmSymbol } from '../../asm';
import { REAL_TIMERS, Timers } from './timers';

export interface AssemblyOutcome {
  readonly diagnostics: readonly AsmDiagnostic[];
  readonly symbols: readonly AsmSymbol[];
  readonly sections: readonly { readonly name: string; readonly address: number; readonly size: number }[];
  /** Set when the assembler could not finish (out of memory, out of time); no diagnostics then. */
  readonly failure?: string;
}

export interface AssemblerRunner {
  /**
   * Assembles `text`. A job with the same `key` (the document), waiting or running, is
   * superseded first (`cancel`), so fast typing in a large file never queues one assembly per
   * pause behind another.
   */
  assemble(text: string, file: string, key?: string): Promise<AssemblyOutcome>;
  /** Answers the jobs of `key` with a "superseded" failure at once, stopping the one running. */
  cancel(key: string): void;
  dispose(): void;
}

/** What a runner did, for tests and the log. */
interface RunnerStats {
  /** Jobs handed to the assembler. */
  started: number;
  /** Jobs answered "superseded" before they ran. */
  dropped: number;
  /** Running jobs stopped because a newer version of their document came. */
  killed: number;
}

export const SUPERSEDED = 'superseded by a newer version';

export function assembleNow(text: string, file: string): AssemblyOutcome {
  const r = assemble(text, file);
  return { diagnostics: r.diagnostics, symbols: r.symbols, sections: r.sections };
}

/** The argument that makes the server's own script act as the assembler process. */
export const ASSEMBLER_CHILD_FLAG = '--hyperstep-assembler-child';

interface Request { readonly id: number; readonly text: string; readonly file: string }
interface Reply { readonly id: number; readonly outcome: AssemblyOutcome }

interface Job extends Request {
  readonly key: string | undefined;
  readonly resolve: (o: AssemblyOutcome) => void;
}

interface ChildAssemblerOptions {
  /** The script to fork (the server's own bundle); it must call `runAssemblerChild` on ASSEMBLER_CHILD_FLAG. */
  readonly script: string;
  readonly timeoutMs?: number;
  readonly maxHeapMb?: number;
  /** Where to say that the child died (the LSP console). */
  readonly log?: (message: string) => void;
  /** The clock of the time limit; tests give one they advance by hand. */
  readonly timers?: Timers;
}

function failed(message: string): AssemblyOutcome {
  return { diagnostics: [], symbols: [], sections: [], failure: message };
}

/**
 * One child at a time, one job at a time: the job in flight is the only one a crash or a timeout
 * can be blamed on, so that one gets the failure and the queue goes on in a fresh child.
 */
export class ChildProcessAssembler implements AssemblerRunner {
  private child: ChildProcess | undefined;
  private readonly queue: Job[] = [];
  private current: Job | undefined;
  private timer: unknown;
  private nextId = 1;
  private disposed = false;
  readonly stats: RunnerStats = { started: 0, dropped: 0, killed: 0 };

  constructor(private readonly options: ChildAssemblerOptions) {}

  assemble(text: string, file: string, key?: string): Promise<AssemblyOutcome> {
    if (this.disposed) return Promise.resolve(failed('the language server is shutting down'));
    if (key !== undefined) this.cancel(key);
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, text, file, key, resolve });
      this.pump();
    });
  }

  /**
   * The assembler runs to its end once started (it is synchronous, in its own process), so a
   * running job of `key` is stopped by killing its child; the next job starts a fresh one.
   */
  cancel(key: string): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (this.queue[i].key !== key) continue;
      this.queue.splice(i, 1)[0].resolve(failed(SUPERSEDED));
      this.stats.dropped++;
    }
    const job = this.current;
    if (job?.key !== key) return;
    this.clock.clear(this.timer);
    this.kill();
    this.current = undefined;
    this.stats.killed++;
    job.resolve(failed(SUPERSEDED));
    this.pump();
  }

  dispose(): void {
    this.disposed = true;
    this.kill();
    for (const job of [...(this.current ? [this.current] : []), ...this.queue]) job.resolve(failed('the language server is shutting down'));
    this.current = undefined;
    this.queue.length = 0;
  }

  private pump(): void {
    if (this.current || this.disposed) return;
    const job = this.queue.shift();
    if (!job) return;
    this.current = job;
    this.stats.started++;
    try {
      const child = this.ensureChild();
      child.send({ id: job.id, text: job.text, file: job.file } satisfies Request);
      this.timer = this.clock.set(() => this.giveUp(`the assembler did not finish within ${this.timeoutMs / 1000} s`), this.timeoutMs);
    } catch (e) {
      this.giveUp(`the assembler could not be started: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private get clock(): Timers {
    return this.options.timers ?? REAL_TIMERS;
  }

  private get timeoutMs(): number {
    return this.options.timeoutMs ?? 10_000;
  }

  private ensureChild(): ChildProcess {
    if (this.child) return this.child;
    const child = fork(this.options.script, [ASSEMBLER_CHILD_FLAG], {
      // The server's own flags minus its heap size and its debugger port (which the child could not bind).
      execArgv: [...process.execArgv.filter((a) => !/^--(max-old-space-size|inspect|debug)/.test(a)), `--max-old-space-size=${this.options.maxHeapMb ?? 512}`],
      // Never the server's stdout: in stdio mode that is the LSP channel.
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    child.stderr?.on('data', () => undefined); // V8's out-of-memory report; the exit says enough
    child.on('message', (m: Reply) => this.finish(m));
    child.on('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      if (this.current) this.giveUp(`the assembler stopped (${signal ?? `exit code ${code}`}), probably out of memory`);
    });
    child.on('error', (e) => this.options.log?.(`assembler process: ${e.message}`));
    this.child = child;
    return child;
  }

  private finish(reply: Reply): void {
    if (!this.current || reply.id !== this.current.id) return;
    this.clock.clear(this.timer);
    const job = this.current;
    this.current = undefined;
    job.resolve(reply.outcome);
    this.pump();
  }

  private giveUp(message: string): void {
    this.clock.clear(this.timer);
    this.options.log?.(message);
    this.kill();
    const job = this.current;
    this.current = undefined;
    job?.resolve(failed(message));
    this.pump();
  }

  private kill(): void {
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null) child.kill('SIGKILL');
  }
}

/** The child's side: assemble what arrives, answer, and exit when the server goes away. */
export function runAssemblerChild(): void {
  process.on('message', (m: Request) => {
    let outcome: AssemblyOutcome;
    try {
      outcome = assembleNow(m.text, m.file);
    } catch (e) {
      outcome = failed(`the assembler failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    process.send?.({ id: m.id, outcome } satisfies Reply);
  });
  process.on('disconnect', () => process.exit(0));
}
