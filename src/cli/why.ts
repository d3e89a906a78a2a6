// `hyperstep why PROGRAM --at CYCLE --irq GSI | --vector V [--cpu N]`: "why didn't it arrive?"
// from a batch run (docs/interrupt-provenance.md). The program runs with the chain recorder to the
// first instruction boundary at or after CYCLE on the vCPU's clock (the debugger's goto, over the
// same History), then prints the answer as the debug console does: the keyword first.
import { History, Machine } from '../vm';
import { ChainRecorder } from '../vm';
import { DebugPort } from '../vm/debug-port';
import { checkGsi, checkVector, formatWhy, why } from '../debug/provenance';
import { checkCycle, gotoCycle } from '../debug/goto-cycle';
import { ExprError } from '../debug/expr';
import { loadProgram } from './program';
import { parseEvents, CliIo, EXIT_USAGE, EXIT_GUEST_FAILED, RunOptions, checkModes, MmuMode } from './run';

export interface WhyOptions extends Pick<RunOptions, 'mmu' | 'irqchip' | 'vcpus' | 'memory' | 'vpid' | 'compiler' | 'event'> {
  at?: number;
  irq?: number;
  vector?: number;
  cpu?: number;
}

export async function whyCliCommand(file: string, o: WhyOptions, io: CliIo): Promise<number> {
  const usage = (m: string): number => { io.stderr(`hyperstep why: ${m}\n`); return EXIT_USAGE; };
  const refused = checkModes(o);
  if (refused) return usage(refused);
  if ((o.irq === undefined) === (o.vector === undefined)) return usage('give one of --irq GSI or --vector V');
  if (o.at === undefined) return usage('--at CYCLE is required');
  try {
    checkCycle(o.at);
    if (o.irq !== undefined) checkGsi(o.irq);
    if (o.vector !== undefined) checkVector(o.vector);
  } catch (e) {
    return usage((e as Error).message);
  }
  const events = parseEvents(o.event);
  if ('error' in events) return usage(events.error);
  const program = loadProgram(file);
  if ('error' in program) { io.stderr(`${program.error}\n`); return EXIT_USAGE; }
  const machine = new Machine({
    vcpus: o.vcpus, memoryMiB: o.memory, mmu: o.mmu as MmuMode, vpid: o.vpid, compiler: o.compiler ?? true, irqchip: o.irqchip as 'kernel' | 'split' | 'userspace',
  }, { consoleOutput: () => undefined });
  const cpu = o.cpu ?? 0;
  if (!Number.isInteger(cpu) || cpu < 0 || cpu >= machine.vcpus.length) return usage(`--cpu ${cpu} does not exist (this machine has ${machine.vcpus.length} vCPU${machine.vcpus.length > 1 ? 's' : ''})`);
  for (const e of events) machine.scheduleEvent(e);
  const loaded = machine.load(program.image);
  if (loaded.error) { io.stderr(`${file}: ${loaded.error}\n`); return EXIT_USAGE; }
  ChainRecorder.attach(machine);
  const history = new History(machine);
  history.take();
  try {
    await gotoCycle({
      machine,
      oldestStep: () => history.oldestStep,
      seek: (step) => history.seek(step),
      advance: (untilStep) => history.run(Infinity, untilStep),
      // A batch run stops at instruction boundaries only: at an interrupt's entry cycle it is the
      // boundary after the handler's first instruction.
      stepIntoHandler: () => false,
      breathe: () => Promise.resolve(false),
    }, cpu, o.at);
  } catch (e) {
    if (e instanceof ExprError) { io.stderr(`hyperstep why: ${e.message}\n`); return EXIT_GUEST_FAILED; }
    throw e;
  }
  const v = machine.vcpus[cpu].cpu;
  const past = { machine, history, port: new DebugPort(machine), historyFloor: history.oldestStep };
  const answer = why(machine, o.irq !== undefined ? { gsi: o.irq } : { vector: o.vector!, vcpu: cpu }, cpu, past);
  io.stdout(`${formatWhy(answer)}\n`);
  io.stderr(`(at cycle ${v.cycles()} of vCPU ${cpu}, pc 0x${(v.pc >>> 0).toString(16)})\n`);
  return 0;
}
