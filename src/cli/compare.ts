// `hyperstep compare PROGRAM`: the same program under every mmu × irqchip combination, one table,
// so shadow paging vs EPT vs NPT and QEMU's IOAPIC vs KVM's become numbers (docs/contracts.md).
import { Machine, RunOutcome } from '../vm/vmm/machine';
import { collectStatistics, MachineStatistics } from '../vm/vmm/statistics';
import { loadProgram } from './program';
import { checkMachineFlags, CliIo, EXIT_LIMIT, EXIT_USAGE, MMU_MODES, parseEvents } from './run';

export const IRQCHIP_MODES = ['kernel', 'split', 'userspace'] as const;

export interface CompareOptions {
  maxInsns?: number;
  vcpus: number;
  memory: number;
  event: string[];
}

interface Row {
  config: string;
  outcome: string;
  stats: MachineStatistics;
  output: string;
}

/**
 * Instructions each row may run when --max-insns is not given: a guest that never ends (a server
 * loop, a missing poweroff) costs six times this, a few seconds each, not forever.
 */
export const DEFAULT_ROW_BUDGET = 100_000_000;
/** Instructions run between two looks at the clock (a progress line at most every PROGRESS_MS). */
const SLICE = 1_000_000;
const PROGRESS_MS = 2000;

export function compareCommand(file: string, o: CompareOptions, io: CliIo, now: () => number = Date.now): number {
  const flags = checkMachineFlags(o);
  if (flags) { io.stderr(`hyperstep: ${flags}\n`); return EXIT_USAGE; }
  const program = loadProgram(file);
  if ('error' in program) { io.stderr(`${program.error}\n`); return EXIT_USAGE; }
  const events = parseEvents(o.event ?? []);
  if ('error' in events) { io.stderr(`hyperstep: ${events.error}\n`); return EXIT_USAGE; }
  const budget = o.maxInsns ?? DEFAULT_ROW_BUDGET;
  const total = MMU_MODES.length * IRQCHIP_MODES.length;
  const rows: Row[] = [];
  for (const mmu of MMU_MODES) {
    for (const irqchip of IRQCHIP_MODES) {
      const config = `${mmu}/${irqchip}`;
      let output = '';
      const m = new Machine({ mmu, irqchip, vcpus: o.vcpus, memoryMiB: o.memory }, { consoleOutput: (b) => { output += String.fromCharCode(b); } });
      const loaded = m.load(program.image);
      if (loaded.error) { io.stderr(`${file}: ${loaded.error}\n`); return EXIT_USAGE; }
      for (const e of events) m.scheduleEvent(e);
      // A progress line per row, and more while a row runs long: never a silent wait.
      const row = `[${rows.length + 1}/${total}] ${config}`;
      io.stderr(`hyperstep compare: ${row}\n`);
      let outcome: RunOutcome;
      let said = now();
      for (;;) {
        outcome = m.run(Math.min(budget, m.instructions() + SLICE));
        if (outcome.kind !== 'limit' || m.instructions() >= budget) break;
        if (now() - said >= PROGRESS_MS) {
          said = now();
          io.stderr(`hyperstep compare: ${row}: ${m.instructions()} of ${budget} instructions\n`);
        }
      }
      if (outcome.kind === 'limit') {
        io.stderr(`hyperstep compare: ${row}: stopped after ${m.instructions()} instructions, the budget per row` +
          `${o.maxInsns === undefined ? ' (the default; --max-insns N to change it)' : ' (--max-insns)'}\n`);
      }
      rows.push({ config, outcome: describe(outcome), stats: collectStatistics(m), output });
    }
  }
  io.stdout(formatTable(rows) + '\n');
  const outputs = new Set(rows.map((r) => r.output));
  if (outputs.size > 1) {
    io.stderr('hyperstep: the guest printed different output under different configurations\n');
    return 1;
  }
  // Like `run`: a guest that did not finish within its budget is not a success.
  return rows.some((r) => r.outcome === 'max-insns') ? EXIT_LIMIT : 0;
}

function describe(o: RunOutcome): string {
  switch (o.kind) {
    case 'poweroff': return `exit ${o.code}`;
    case 'limit': return 'max-insns';
    case 'stopped': return 'stopped';
    default: return 'failed';
  }
}

/** Rows are configurations; columns the counters that are non-zero somewhere, then the totals. */
export function formatTable(rows: Row[]): string {
  const reasons = [...new Set(rows.flatMap((r) => Object.entries(r.stats.exits).filter(([, n]) => n > 0).map(([k]) => k)))];
  const vmmExits = [...new Set(rows.flatMap((r) => Object.entries(r.stats.vmmExits).filter(([, n]) => n > 0).map(([k]) => k)))];
  const header = ['config', 'outcome', 'instructions', 'cycles', ...reasons, ...vmmExits, 'tlb hit%', 'irq latency'];
  const body = rows.map((r) => {
    const t = r.stats.tlb;
    const lookups = t.hits + t.misses;
    return [
      r.config, r.outcome, String(r.stats.instructions), String(r.stats.cycles),
      ...reasons.map((k) => String(r.stats.exits[k] ?? 0)),
      ...vmmExits.map((k) => String(r.stats.vmmExits[k] ?? 0)),
      lookups ? (100 * t.hits / lookups).toFixed(2) : '-',
      r.stats.interrupts.latencyCycles.measured ? r.stats.interrupts.latencyCycles.mean.toFixed(0) : '-',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
