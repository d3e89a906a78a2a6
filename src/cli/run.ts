// `hyperstep run`: one machine, no editor. UART output to stdout, diagnostics to stderr, the
// finisher's code as the exit status (docs/contracts.md).
import * as fs from 'fs';
import { Machine } from '../vm/vmm/machine';
import { collectStatistics } from '../vm/vmm/statistics';
import { isAssemblySource, LoadedProgram, loadProgram } from './program';
import { attachChainTrace, attachTrace, parseTraceKinds, TraceKind } from './trace';
import { parseEventSpec } from '../vm/vmm/schedule';
import type { ScheduledEvent } from '../vm/vmm/machine';
import { CacheFlags, CacheGeometries, parseCacheFlags } from './geometry';

export const EXIT_LIMIT = 124;
export const EXIT_GUEST_FAILED = 125;
export const EXIT_USAGE = 2;

export interface RunOptions extends CacheFlags {
  mmu: string;
  irqchip: string;
  vcpus: number;
  memory: number;
  vpid: boolean;
  /** --no-compiler: interpret every instruction. */
  compiler?: boolean;
  maxInsns?: number;
  /** An access to a GPA no device claims stops the VM (exit 125) instead of faulting in the guest. */
  strictMmio?: boolean;
  event: string[];
  trace?: string;
  /** Where trace lines go instead of stderr (`--trace-file`). */
  traceFile?: string;
  stats?: string;
}

export interface CliIo {
  stdout(bytes: Uint8Array | string): void;
  stderr(text: string): void;
}

/** The second-stage MMUs `--mmu` takes (docs/npt.md compares them). */
export const MMU_MODES = ['ept', 'npt', 'shadow'] as const;
export type MmuMode = typeof MMU_MODES[number];

/** Flags that are parsed but belong to features not built yet: refused with a clear message. */
export function checkModes(o: Pick<RunOptions, 'mmu' | 'irqchip'>): string | undefined {
  if (!(MMU_MODES as readonly string[]).includes(o.mmu)) return `--mmu: expected ept, npt or shadow, got '${o.mmu}'`;
  if (!['kernel', 'split', 'userspace'].includes(o.irqchip)) return `--irqchip: expected kernel, split or userspace, got '${o.irqchip}'`;
  return undefined;
}

/** Parses every --event; the first bad one comes back as an error. */
export function parseEvents(specs: string[]): ScheduledEvent[] | { error: string } {
  const out: ScheduledEvent[] = [];
  for (const s of specs) {
    const e = parseEventSpec(s);
    if ('error' in e) return e;
    out.push(e);
  }
  return out;
}

/** --vcpus, --memory and --max-insns, shared by run and compare: what is wrong, or undefined. */
export function checkMachineFlags(o: { vcpus: number; memory: number; maxInsns?: number }): string | undefined {
  if (!Number.isInteger(o.vcpus) || o.vcpus < 1 || o.vcpus > 64) return `--vcpus: expected 1..64, got ${o.vcpus}`;
  if (!Number.isInteger(o.memory) || o.memory < 1 || o.memory > 2048) return `--memory: expected 1..2048 MiB, got ${o.memory}`;
  if (o.maxInsns !== undefined && !(o.maxInsns > 0)) return '--max-insns: expected a positive number';
  return undefined;
}

export function runCommand(file: string, o: RunOptions, io: CliIo): number {
  const refused = checkModes(o);
  if (refused) { io.stderr(`hyperstep: ${refused}\n`); return EXIT_USAGE; }
  const events = parseEvents(o.event);
  if ('error' in events) { io.stderr(`hyperstep: ${events.error}\n`); return EXIT_USAGE; }
  const flags = checkMachineFlags(o);
  if (flags) { io.stderr(`hyperstep: ${flags}\n`); return EXIT_USAGE; }
  const geometries = parseCacheFlags(o);
  if ('error' in geometries) { io.stderr(`hyperstep: ${geometries.error}\n`); return EXIT_USAGE; }
  const trace = o.trace === undefined ? undefined : parseTraceKinds(o.trace);
  if (trace && 'error' in trace) { io.stderr(`hyperstep: ${trace.error}\n`); return EXIT_USAGE; }
  const program = loadProgram(file);
  if ('error' in program) { io.stderr(`${program.error}\n`); return EXIT_USAGE; }
  let traceOut: (text: string) => void = io.stderr;
  let traceFd: number | undefined;
  if (o.traceFile !== undefined) {
    try {
      traceFd = fs.openSync(o.traceFile, 'w');
    } catch (e) {
      io.stderr(`hyperstep: --trace-file: cannot write ${o.traceFile}: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
      return EXIT_USAGE;
    }
    const fd = traceFd;
    traceOut = (text) => { fs.writeSync(fd, text); };
  }
  try {
    return runMachine({ file, options: o, io, program, events, trace, traceOut, geometries });
  } finally {
    if (traceFd !== undefined) fs.closeSync(traceFd);
  }
}

/** What `runCommand` checked and opened for one run. */
interface RunSetup {
  file: string;
  options: RunOptions;
  io: CliIo;
  program: LoadedProgram;
  events: ScheduledEvent[];
  /** --trace's kinds, if given. */
  trace: Set<TraceKind> | undefined;
  /** Where trace lines go: stderr, or --trace-file. */
  traceOut: (text: string) => void;
  geometries: CacheGeometries;
}

function runMachine({ file, options: o, io, program, events, trace, traceOut, geometries }: RunSetup): number {
  // The guest's UART bytes are held until their line ends, and a trace line never flushes a
  // partial guest line: in a terminal (stdout and stderr merged) both stay whole lines.
  const out: number[] = [];
  const flush = (): void => { if (out.length) { io.stdout(Uint8Array.from(out)); out.length = 0; } };
  const machine = new Machine({
    vcpus: o.vcpus, memoryMiB: o.memory, mmu: o.mmu as MmuMode, vpid: o.vpid, compiler: o.compiler ?? true, irqchip: o.irqchip as 'kernel' | 'split' | 'userspace',
    ...geometries,
    strictMmio: o.strictMmio === true,
  }, {
    consoleOutput: (b) => { out.push(b); if (b === 10 || out.length >= 4096) flush(); },
    nicTransmit: (p) => { io.stderr(`nic tx (${p.length} bytes): ${JSON.stringify(Buffer.from(p).toString('latin1'))}\n`); },
  });
  for (const e of events) machine.scheduleEvent(e);
  const loaded = machine.load(program.image);
  for (const w of loaded.warnings) io.stderr(`${file}: warning: ${w}\n`);
  if (loaded.error) { io.stderr(`${file}: ${loaded.error}\n`); return EXIT_USAGE; }
  // Exits and MMIO accesses are traced as they happen; interrupts as chains once the run is over.
  const perEvent = trace ? new Set([...trace].filter((k) => k !== 'irq')) : undefined;
  if (perEvent?.size) attachTrace(machine.events, perEvent, traceOut);
  const chains = trace?.has('irq') ? attachChainTrace(machine) : undefined;
  const outcome = machine.run(o.maxInsns ?? Infinity);
  flush();
  chains?.finish(traceOut);
  if (o.stats !== undefined) {
    try {
      fs.writeFileSync(o.stats, JSON.stringify(collectStatistics(machine), null, 2) + '\n');
    } catch (e) {
      io.stderr(`hyperstep: --stats: cannot write ${o.stats}: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
      return EXIT_USAGE;
    }
  }
  switch (outcome.kind) {
    case 'poweroff': return outcome.code;
    case 'limit':
      io.stderr(`hyperstep: stopped after ${machine.instructions()} instructions (--max-insns)\n`);
      return EXIT_LIMIT;
    case 'halted': {
      io.stderr(`hyperstep: the guest cannot go on: ${outcome.message}\n`);
      const hint = haltHint(file, events, machine.cycles());
      if (hint) io.stderr(`hyperstep: ${hint}\n`);
      return EXIT_GUEST_FAILED;
    }
    case 'failure':
      io.stderr(`hyperstep: the guest cannot go on: ${outcome.message}\n`);
      return EXIT_GUEST_FAILED;
    case 'stopped':
      return EXIT_GUEST_FAILED;
  }
}

/**
 * Every vCPU waits in `wfi` and nothing is scheduled: the guest is waiting for the outside world.
 * Suggests the `--event` its source's header documents (examples/nic-irq.s, examples/c/*.c), or
 * the event forms, or says that the scheduled events have all fired.
 */
export function haltHint(file: string, events: readonly ScheduledEvent[], cycles: number): string | undefined {
  if (events.length) {
    const last = Math.max(...events.map((e) => e.atCycle));
    return `the ${events.length === 1 ? 'scheduled event has' : `${events.length} scheduled events have all`} fired ` +
      `(the last at cycle ${last}; the run ended at cycle ${cycles}): the guest waits for one more`;
  }
  const documented = documentedEvents(file);
  if (documented) return `nothing was scheduled and this guest waits for an interrupt; its header suggests:\n  ${documented}`;
  return 'nothing was scheduled and this guest waits for an interrupt: give it one with --event ' +
    'CYCLE:nic:rx:TEXT, CYCLE:irq:GSI:LEVEL or CYCLE:uart:TEXT (hyperstep run --help)';
}

/** The first `hyperstep run … --event …` line in the header comment of the program's source. */
function documentedEvents(file: string): string | undefined {
  const sources = isAssemblySource(file) ? [file] : [file.replace(/\.elf$/i, '.c'), file.replace(/\.elf$/i, '.s')];
  for (const src of sources) {
    let head: string;
    try {
      const fd = fs.openSync(src, 'r');
      try {
        const buf = Buffer.alloc(8192);
        head = buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, 0)).toString('utf8');
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      continue;
    }
    const line = head.split('\n').find((l) => /^\s*(#|\/\/|\*|\/\*)/.test(l) && /hyperstep run .*--event /.test(l));
    if (line) return line.replace(/^\s*(#|\/\/|\/\*|\*)\s*/, '').replace(/\s+\(.*\)\s*$/, '').trim();
  }
  return undefined;
}
