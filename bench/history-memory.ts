// `npm run bench:history [MiB] [instructions]`: what a long reverse-debugging session costs
// (docs/debugging.md, "Reverse execution"). Runs bench/programs/memwalk.elf (it walks and writes a
// large buffer, so every checkpoint saves pages) under History with a budget of historyMiB (default
// 512, the launch default) for 10^8 instructions by default, then prints what the history accounts
// for, what the heap and array buffers grew by, and the process's peak RSS. Figures only.
import * as path from 'path';
import * as v8 from 'v8';
import * as vm from 'vm';
import { History } from '../src/vm';
import { Machine } from '../src/vm/vmm/machine';
import { loadProgram } from '../src/cli/program';

const mib = (n: number): string => `${(n / 2 ** 20).toFixed(0)} MiB`;

/** A full collection, so "grew by" is what is alive, not garbage V8 has not collected yet. */
function collect(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

function main(): void {
  const budgetMiB = Number(process.argv[2] ?? 512);
  const instructions = Number(process.argv[3] ?? 1e8);
  const p = loadProgram(path.join(__dirname, '..', 'bench', 'programs', 'memwalk.elf'));
  if ('error' in p) throw new Error(p.error);
  collect();
  const before = process.memoryUsage();
  let ran = 0;
  let runs = 0;
  const t0 = process.hrtime.bigint();
  let history: History | undefined;
  while (ran < instructions) {
    // memwalk ends after about 4×10^7 instructions: it is run again (a new session each time) on one
    // history budget, as a user restarting a program would, until the count is reached.
    const m = new Machine({}, { consoleOutput: () => undefined });
    const loaded = m.load(p.image);
    if (loaded.error) throw new Error(loaded.error);
    history = new History(m, budgetMiB * 2 ** 20);
    for (;;) {
      const outcome = history.run(Infinity, m.steps + 10_000_000);
      if (outcome.kind !== 'stopped' || m.steps >= instructions - ran) break;
    }
    ran += m.steps;
    runs++;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  collect();
  const after = process.memoryUsage();
  const grown = after.heapUsed - before.heapUsed + after.arrayBuffers - before.arrayBuffers;
  console.log(`reverse-execution history: ${(ran / 1e6).toFixed(0)} M instructions of memwalk (${runs} run${runs > 1 ? 's' : ''}), historyMiB ${budgetMiB}, ${seconds.toFixed(0)} s`);
  console.log(`  last history: ${history!.count} checkpoints, back to step ${history!.oldestStep}, accounted ${mib(history!.bytes)}`);
  console.log(`  heap + array buffers grew ${mib(grown)} (alive after a full collection), peak RSS ${mib(process.resourceUsage().maxRSS * 1024)}`);
}

main();
