// The Interrupt timeline's comparison (docs/extension.md "Interrupt timeline"): the session's own
// program and launch configuration run headless under another irqchip mode, up to the session's
// current cycle, with the interrupt chain recorder attached; its chains and VM exits are what the
// timeline draws beside the session's. A separate Machine: the session's machine, its history and
// its breakpoints are untouched. The machine is deterministic, so the same request gives the same
// picture.
import type { CompareInterruptsArguments, CompareInterruptsResult, ExitSnapshot, IrqchipMode } from '../protocol';
import { ChainRecorder, Machine, type MachineConfig } from '../vm';
import type { LaunchConfig } from './launch';
import type { ProgramInfo } from './program';
import { interrupts } from './provenance';
import { ExprError } from './expr';

const MODES: readonly IrqchipMode[] = ['kernel', 'split', 'userspace'];
/** At most this many instructions per slice while closing in on the target cycle. */
const SLICE = 20_000;
/** The exits kept for the picture (the most recent ones before the target cycle). */
const EXIT_LIMIT = 2_000;
/** A bound on the batch, so a request never runs for long: 50 M cycles. */
const COMPARE_MAX_CYCLES = 50_000_000;

export function compareRun(program: ProgramInfo, config: LaunchConfig, args: CompareInterruptsArguments): CompareInterruptsResult {
  if (!MODES.includes(args.irqchip)) throw new ExprError(`irqchip must be kernel, split or userspace, got ${JSON.stringify(args.irqchip)}`);
  const until = args.untilCycle;
  if (typeof until !== 'number' || !Number.isInteger(until) || until < 0) throw new ExprError(`untilCycle must be a cycle ≥ 0, got ${JSON.stringify(until)}`);
  if (until > COMPARE_MAX_CYCLES) throw new ExprError(`untilCycle ${until} is beyond what a comparison runs (${COMPARE_MAX_CYCLES} cycles)`);
  const cfg: Partial<MachineConfig> = {
    vcpus: config.vcpus, memoryMiB: config.memoryMiB, mmu: config.mmu, vpid: config.vpid, compiler: config.compiler, cost: config.cost,
    tlb: config.tlb, gpaCache: config.gpaCache,
    irqchip: args.irqchip, devices: { nic: config.nic },
  };
  const m = new Machine(cfg, { consoleOutput: () => undefined });
  ChainRecorder.attach(m);
  const exits: ExitSnapshot[] = [];
  m.events.subscribe((e) => {
    if (e.kind !== 'exit') return;
    if (exits.length >= EXIT_LIMIT) exits.shift();
    exits.push({ vcpu: e.vcpu, reason: e.reason, cycle: e.cycle, pc: e.pc >>> 0, handledIn: e.handledIn, ...(e.vmmExit ? { vmmExit: e.vmmExit } : {}) });
  });
  const loaded = m.load(program.image);
  if (loaded.error) throw new ExprError(`cannot load the program for the comparison: ${loaded.error}`);
  for (const e of config.events) {
    if (e.kind === 'irq') m.scheduleEvent({ atCycle: e.atCycle, kind: 'irq', gsi: e.gsi ?? 0, level: e.level ?? false });
    else m.scheduleEvent({ atCycle: e.atCycle, kind: e.kind, data: e.data ?? new Uint8Array() });
  }
  let note: string | undefined;
  let slice = 1;
  while (m.cycles() < until) {
    // Instructions cost from one cycle to thousands (an exit to the VMM), so slices start at one
    // instruction and at most double, aiming at half the distance left at twice the average cost
    // so far: near the target it runs one instruction at a time. (A vCPU halted in wfi lets time
    // jump to its next wake-up: the batch may end past the target.)
    const cpi = m.instructions() > 0 ? Math.max(1, m.cycles() / m.instructions()) : 1;
    slice = Math.max(1, Math.min(SLICE, 2 * slice, Math.floor((until - m.cycles()) / (2 * cpi))));
    const before = m.steps;
    const r = m.run(m.instructions() + slice);
    if ((r.kind === 'limit' || (r.kind === 'stopped' && r.reason !== 'pause')) && m.steps > before) continue;
    note = r.kind === 'poweroff' ? `the guest powered off at cycle ${m.cycles()} (code 0x${r.code.toString(16)})`
      : r.kind === 'failure' || r.kind === 'halted' ? `the guest stopped at cycle ${m.cycles()}: ${r.message}` : `the batch stopped at cycle ${m.cycles()}`;
    break;
  }
  const chains = interrupts(m, args.last !== undefined ? { last: args.last } : {});
  return {
    irqchip: args.irqchip, cycles: m.cycles(), vcpus: m.vcpus.length, chains: chains.chains,
    exits: exits.filter((x) => x.cycle <= m.cycles()), ...(note ? { note } : {}),
  };
}
