// `hyperstep compare PROGRAM`: the same program under every mmu × irqchip combination, one table,
// so shadow paging vs EPT and QEMU's IOAPIC vs KVM's become numbers (SPEC §8).
import { Machine, RunOutcome } from '../vm/vmm/machine';
import { collectStatistics, MachineStatistics } from '../vm/vmm/statistics';
import { loadProgram } from './program';
import { CliIo, EXIT_USAGE, parseEvents } from './run';

export const MMU_MODES = ['ept', 'shadow'] as const;
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

export function compareCommand(file: string, o: CompareOptions, io: CliIo): number {
  const program = loadProgram(file);
  if ('error' in program) { io.stderr(`${program.error}\n`); return EXIT_USAGE; }
  const events = parseEvents(o.event ?? []);
  if ('error' in events) { io.stderr(`hyperstep: ${events.error}\n`); return EXIT_USAGE; }
  const rows: Row[] = [];
  for (const mmu of MMU_MODES) {
    for (const irqchip of IRQCHIP_MODES) {
      let output = '';
      const m = new Machine({ mmu, irqchip, vcpus: o.vcpus, memoryMiB: o.memory }, { consoleOutput: (b) => { output += String.fromCharCode(b); } });
      const loaded = m.load(program.image);
      if (loaded.error) { io.stderr(`${file}: ${loaded.error}\n`); return EXIT_USAGE; }
      for (const e of events) m.scheduleEvent(e);
      const outcome = m.run(o.maxInsns ?? 1e9);
      rows.push({ config: `${mmu}/${irqchip}`, outcome: describe(outcome), stats: collectStatistics(m), output });
    }
  }
  io.stdout(formatTable(rows) + '\n');
  const outputs = new Set(rows.map((r) => r.output));
  if (outputs.size > 1) {
    io.stderr('hyperstep: the guest printed different output under different configurations\n');
    return 1;
  }
  return 0;
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
