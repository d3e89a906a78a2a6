// `hyperstep compare PROGRAM`: the same program under every mmu × irqchip combination, one table,
// so shadow paging vs EPT vs NPT and QEMU's IOAPIC vs KVM's become numbers (docs/contracts.md).
import { Machine, RunOutcome } from '../vm/vmm/machine';
import { collectStatistics, MachineStatistics } from '../vm/vmm/statistics';
import { loadProgram } from './program';
import { CacheFlags, parseCacheFlags } from './geometry';
import { checkMachineFlags, CliIo, EXIT_LIMIT, EXIT_USAGE, MMU_MODES, parseEvents } from './run';

export const IRQCHIP_MODES = ['kernel', 'split', 'userspace'] as const;

interface CompareOptions extends CacheFlags {
  maxInsns?: number;
  vcpus: number;
  memory: number;
  /** --no-compiler: interpret every instruction in every row. */
  compiler?: boolean;
  event: string[];
  format?: CompareFormat;
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
const DEFAULT_ROW_BUDGET = 100_000_000;
/** Instructions run between two looks at the clock (a progress line at most every PROGRESS_MS). */
const SLICE = 1_000_000;
const PROGRESS_MS = 2000;

export function compareCommand(file: string, o: CompareOptions, io: CliIo, now: () => number = Date.now): number {
  const flags = checkMachineFlags(o);
  if (flags) { io.stderr(`hyperstep: ${flags}\n`); return EXIT_USAGE; }
  if (o.format !== undefined && !(COMPARE_FORMATS as readonly string[]).includes(o.format)) {
    io.stderr(`hyperstep: --format: expected text, json or csv, got '${o.format}'\n`);
    return EXIT_USAGE;
  }
  const program = loadProgram(file);
  if ('error' in program) { io.stderr(`${program.error}\n`); return EXIT_USAGE; }
  const events = parseEvents(o.event ?? []);
  if ('error' in events) { io.stderr(`hyperstep: ${events.error}\n`); return EXIT_USAGE; }
  const geometries = parseCacheFlags(o);
  if ('error' in geometries) { io.stderr(`hyperstep: ${geometries.error}\n`); return EXIT_USAGE; }
  const budget = o.maxInsns ?? DEFAULT_ROW_BUDGET;
  const total = MMU_MODES.length * IRQCHIP_MODES.length;
  const rows: Row[] = [];
  for (const mmu of MMU_MODES) {
    for (const irqchip of IRQCHIP_MODES) {
      const config = `${mmu}/${irqchip}`;
      let output = '';
      const m = new Machine({ mmu, irqchip, vcpus: o.vcpus, memoryMiB: o.memory, compiler: o.compiler ?? true, ...geometries }, { consoleOutput: (b) => { output += String.fromCharCode(b); } });
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
  const format = o.format ?? 'text';
  io.stdout((format === 'json' ? JSON.stringify(toRecords(rows), null, 2) : format === 'csv' ? formatCsv(rows) : formatTable(rows)) + '\n');
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

/** `--format`: a table for people (fits 100 columns), or the same figures for scripts. */
const COMPARE_FORMATS = ['text', 'json', 'csv'] as const;
type CompareFormat = typeof COMPARE_FORMATS[number];

/** What `--format json` prints for one configuration: every figure of the text form, exact. */
export interface CompareRecord {
  config: string;
  mmu: string;
  irqchip: string;
  outcome: string;
  instructions: number;
  cycles: number;
  /** VM exits by reason (non-zero ones), and the exits that reached the VMM by KVM_EXIT_* name. */
  exits: Record<string, number>;
  vmmExits: Record<string, number>;
  tlb: { hits: number; misses: number; hitRate: number | null };
  irqLatency: { measured: number; meanCycles: number | null };
  /** What the guest printed on its UART. */
  output: string;
}

function toRecords(rows: Row[]): CompareRecord[] {
  const nonZero = (o: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(o).filter(([, n]) => n > 0));
  return rows.map((r) => {
    const t = r.stats.tlb;
    const lat = r.stats.interrupts.latencyCycles;
    const [mmu, irqchip] = r.config.split('/');
    return {
      config: r.config, mmu, irqchip, outcome: r.outcome,
      instructions: r.stats.instructions, cycles: r.stats.cycles,
      exits: nonZero(r.stats.exits), vmmExits: nonZero(r.stats.vmmExits),
      tlb: { hits: t.hits, misses: t.misses, hitRate: t.hits + t.misses ? t.hits / (t.hits + t.misses) : null },
      irqLatency: { measured: lat.measured, meanCycles: lat.measured ? lat.mean : null },
      output: r.output,
    };
  });
}

const sum = (o: Record<string, number>): number => Object.values(o).reduce((a, b) => a + b, 0);
const hitRate = (r: CompareRecord): string => (r.tlb.hitRate === null ? '-' : (100 * r.tlb.hitRate).toFixed(2));
const latency = (r: CompareRecord): string => (r.irqLatency.meanCycles === null ? '-' : r.irqLatency.meanCycles.toFixed(0));

/**
 * Columns padded to their widest cell (the first `left` columns left-aligned, numbers
 * right-aligned), with a rule of dashes under the header row.
 */
function columns(rows: string[][], left: number): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < left ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)];
}

/**
 * The text form, two tables that each fit 100 columns (issue 16): a summary row per
 * configuration, then the exits by reason with the irqchip modes side by side, one block per MMU
 * (each MMU has reasons of its own: EPT_*, VMEXIT_NPF, the shadow #PF intercept).
 */
function formatTable(rows: Row[]): string {
  const recs = toRecords(rows);
  const summary = columns([
    ['config', 'outcome', 'instructions', 'cycles', 'exits', 'to VMM', 'tlb hit%', 'irq latency'],
    ...recs.map((r) => [r.config, r.outcome, String(r.instructions), String(r.cycles), String(sum(r.exits)),
      String(sum(r.vmmExits)), hitRate(r), latency(r)]),
  ], 2);
  const out = [...summary];
  const mmus = [...new Set(recs.map((r) => r.mmu))];
  const irqchips = [...new Set(recs.map((r) => r.irqchip))];
  for (const mmu of mmus) {
    const of = irqchips.map((ic) => recs.find((r) => r.mmu === mmu && r.irqchip === ic));
    const names = (pick: (r: CompareRecord) => Record<string, number>): string[] =>
      [...new Set(of.flatMap((r) => (r ? Object.keys(pick(r)) : [])))];
    const table: string[][] = [[`exits under ${mmu}`, ...irqchips]];
    for (const k of names((r) => r.exits)) table.push([`  ${k}`, ...of.map((r) => String(r?.exits[k] ?? 0))]);
    for (const k of names((r) => r.vmmExits)) table.push([`  → VMM ${k}`, ...of.map((r) => String(r?.vmmExits[k] ?? 0))]);
    if (table.length === 1) table.push(['  (none)', ...irqchips.map(() => '')]);
    out.push('', ...columns(table, 1));
  }
  return out.join('\n');
}

/** `--format csv`: a header and a row per configuration, every exit reason a column. */
function formatCsv(rows: Row[]): string {
  const recs = toRecords(rows);
  const reasons = [...new Set(recs.flatMap((r) => Object.keys(r.exits)))];
  const vmm = [...new Set(recs.flatMap((r) => Object.keys(r.vmmExits)))];
  const header = ['config', 'mmu', 'irqchip', 'outcome', 'instructions', 'cycles', ...reasons, ...vmm, 'tlb_hits', 'tlb_misses',
    'irq_latency_mean', 'irq_latency_measured'];
  const body = recs.map((r) => [r.config, r.mmu, r.irqchip, r.outcome, r.instructions, r.cycles,
    ...reasons.map((k) => r.exits[k] ?? 0), ...vmm.map((k) => r.vmmExits[k] ?? 0), r.tlb.hits, r.tlb.misses,
    r.irqLatency.meanCycles ?? '', r.irqLatency.measured].join(','));
  return [header.join(','), ...body].join('\n');
}
