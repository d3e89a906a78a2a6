// The QEMU comparison harness (docs/guest-corpus.md): builds the guest corpus
// with the RISC-V toolchain, runs every ELF under qemu-system-riscv32 and under
// `node dist/cli.js run`, and requires the same UART output and the same exit
// status. Each program's QEMU output must also carry its own "PASS <name>"
// sentinel, so a broken program is caught even when both machines agree.
//
// Missing tools are a failure, never a skip: the corpus is how Hyperstep
// proves it runs what QEMU runs.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import qemuArgs from './qemu-args.json';

const ROOT = path.resolve(__dirname, '..', '..');
const GUEST = __dirname;
const CLI = path.join(ROOT, 'dist', 'cli.js');
const MAX_INSNS = 200_000_000;
const QEMU_TIMEOUT_MS = 10_000;
const CLI_TIMEOUT_MS = 60_000;
const PARALLEL = 3;

const PACKAGES = 'gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf qemu-system-misc';

/**
 * QEMU's virt machine as close to Hyperstep's as its options go: RV32IMAC
 * without F, D, H, bit-manipulation and Sstc (so misa and illegal
 * instructions agree), 64 MiB of RAM, one hart, the UART
 * on stdio and nothing else on the terminal. sifive_test makes QEMU exit with
 * the guest's code.
 */
const QEMU_ARGS: readonly string[] = qemuArgs.args;

interface CorpusEntry {
  name: string;
  sources: string[];
  /** Extra compiler flags (build.mjs): the C-compiled programs give -march=rv32imac_zicsr_zifencei and an -O level. */
  cflags?: string[];
  /** The name in the program's "PASS name" line, when it is not the entry's name (a variant of a program). */
  sentinel?: string;
  exitCode?: number;
  runtime?: boolean;
  expect?: string;
}

interface Corpus {
  programs: CorpusEntry[];
  negative: CorpusEntry[];
}

interface Run {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  spawnError?: string;
}

interface NegativeExpectation {
  /** What `hyperstep run ARGS` does (--strict-mmio: the VM stops where QEMU faults in the guest). */
  cli: { args?: string[]; exitCode: number; stdout: string; stderrMatches: string[] };
  qemu: { exitCode: number; stdout: string };
}

const corpus = JSON.parse(fs.readFileSync(path.join(GUEST, 'corpus.json'), 'utf8')) as Corpus;
const elfOf = (name: string): string => path.join(GUEST, 'build', `${name}.elf`);
const negativeExpectation = (p: CorpusEntry): NegativeExpectation =>
  JSON.parse(fs.readFileSync(path.join(GUEST, p.expect ?? ''), 'utf8')) as NegativeExpectation;
/** `hyperstep run` of a negative guest with the flags of its expectation. */
const strictKey = (p: CorpusEntry): string => `${p.name} ${(negativeExpectation(p).cli.args ?? []).join(' ')}`;

function run(cmd: string, args: string[], timeoutMs: number, cwd = ROOT): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ stdout: '', stderr: '', code: null, signal: null, timedOut: false, spawnError: e.message });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        stdout: Buffer.concat(out).toString('latin1'),
        stderr: Buffer.concat(err).toString('utf8'),
        code, signal, timedOut,
      });
    });
  });
}

async function pool<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

const runQemu = (elf: string): Promise<Run> => run('qemu-system-riscv32', [...QEMU_ARGS, '-kernel', elf], QEMU_TIMEOUT_MS);
const runCli = (elf: string, extra: string[] = []): Promise<Run> =>
  run(process.execPath, [CLI, 'run', elf, '--max-insns', String(MAX_INSNS), ...extra], CLI_TIMEOUT_MS);

/** The other memory-virtualization configurations the corpus must run identically under (docs/machine.md). */
const MMU_CONFIGS: { name: string; args: string[] }[] = [
  { name: 'shadow paging', args: ['--mmu', 'shadow'] },
  { name: 'AMD nested paging (NPT)', args: ['--mmu', 'npt'] },
  { name: 'EPT without VPID', args: ['--no-vpid'] },
  { name: 'shadow paging without VPID', args: ['--mmu', 'shadow', '--no-vpid'] },
];

/**
 * Programs built with the C extension run under every mmu × irqchip combination (docs/machine.md) on top
 * of MMU_CONFIGS: compressed code, its decode cache and its fetches across pages must not depend on
 * how guest memory or interrupts are virtualized.
 */
function configsFor(p: CorpusEntry): { name: string; args: string[] }[] {
  if (!p.cflags) return MMU_CONFIGS;
  const more: { name: string; args: string[] }[] = [];
  for (const mmu of ['ept', 'npt', 'shadow']) {
    for (const irqchip of ['split', 'userspace']) more.push({ name: `${mmu} with irqchip ${irqchip}`, args: ['--mmu', mmu, '--irqchip', irqchip] });
  }
  return [...MMU_CONFIGS, ...more];
}

/** Every mmu × irqchip combination but the defaults (ept, kernel), and EPT without VPID. */
const EVERY_MODE: { name: string; args: string[] }[] = [{ name: 'EPT without VPID', args: ['--no-vpid'] }];
for (const mmu of ['ept', 'npt', 'shadow']) {
  for (const irqchip of ['kernel', 'split', 'userspace']) {
    if (mmu !== 'ept' || irqchip !== 'kernel') EVERY_MODE.push({ name: `${mmu} with irqchip ${irqchip}`, args: ['--mmu', mmu, '--irqchip', irqchip] });
  }
}

function describeExit(r: Run): string {
  if (r.spawnError) return `could not start: ${r.spawnError}`;
  if (r.timedOut) return 'timed out (killed)';
  if (r.signal) return `killed by ${r.signal}`;
  return `exit ${r.code}`;
}

/** Where two outputs part, with a few lines of context from each side. */
function outputDiff(expected: string, actual: string, expectedLabel: string, actualLabel: string): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const show = (lines: string[], from: number): string =>
    lines.slice(from, from + 8).map((l, k) => `    ${String(from + k + 1).padStart(4)} | ${JSON.stringify(l).slice(1, -1)}`).join('\n') ||
    '    (nothing: output ends here)';
  const context = a.slice(Math.max(0, i - 3), i).map((l, k) => `    ${String(Math.max(0, i - 3) + k + 1).padStart(4)} | ${l}`).join('\n');
  return [
    `outputs differ at line ${i + 1} (${a.length} lines from ${expectedLabel}, ${b.length} from ${actualLabel})`,
    context ? `  common lines before it:\n${context}` : '  (the very first line differs)',
    `  ${expectedLabel}:\n${show(a, i)}`,
    `  ${actualLabel}:\n${show(b, i)}`,
  ].join('\n');
}

function tail(s: string, max = 2000): string {
  return s.length <= max ? s : `…${s.slice(-max)}`;
}

async function requireTools(): Promise<void> {
  const missing: string[] = [];
  for (const [tool, args] of [['riscv64-unknown-elf-gcc', ['--version']], ['qemu-system-riscv32', ['--version']]] as const) {
    const r = await run(tool, [...args], 20_000);
    if (r.spawnError || r.code !== 0) missing.push(tool);
  }
  if (missing.length) {
    throw new Error(`${missing.join(' and ')} not found: the guest corpus needs the RISC-V toolchain and QEMU.\n` +
      `On Debian/Ubuntu: apt-get install ${PACKAGES}`);
  }
}

async function buildCorpus(): Promise<void> {
  const r = await run(process.execPath, [path.join(GUEST, 'build.mjs')], 120_000);
  if (r.code !== 0) throw new Error(`building the guest corpus failed (${describeExit(r)}):\n${r.stderr}${r.stdout}`);
}

function requireCli(): void {
  if (!fs.existsSync(CLI)) {
    throw new Error(`${path.relative(ROOT, CLI)} does not exist: build it first (npm run build; npm test does).`);
  }
}

describe('guest corpus: QEMU and `hyperstep run` agree', function () {
  this.timeout(600_000); // ~150 runs of QEMU and the CLI on a machine that may be shared
  const qemu = new Map<string, Run>();
  const cli = new Map<string, Run>();
  /** Runs under MMU_CONFIGS, keyed by `${config} ${program}`. */
  const cliMmu = new Map<string, Run>();
  let setupError: Error | undefined;

  before(async function () {
    this.timeout(600_000); // ~150 runs of QEMU and the CLI on a machine that may be shared
    try {
      await requireTools();
      await buildCorpus();
      requireCli();
      const jobs: (() => Promise<void>)[] = [];
      for (const p of corpus.programs) {
        jobs.push(async () => { qemu.set(p.name, await runQemu(elfOf(p.name))); });
        jobs.push(async () => { cli.set(p.name, await runCli(elfOf(p.name))); });
        for (const c of configsFor(p)) jobs.push(async () => { cliMmu.set(`${c.name} ${p.name}`, await runCli(elfOf(p.name), c.args)); });
      }
      for (const p of corpus.negative) {
        const args = negativeExpectation(p).cli.args ?? [];
        jobs.push(async () => { qemu.set(p.name, await runQemu(elfOf(p.name))); });
        jobs.push(async () => { cli.set(strictKey(p), await runCli(elfOf(p.name), args)); });
        if (args.length > 0) {
          // Without those flags the guest must do what it does under QEMU, in every configuration.
          jobs.push(async () => { cli.set(p.name, await runCli(elfOf(p.name))); });
          for (const c of EVERY_MODE) jobs.push(async () => { cliMmu.set(`${c.name} ${p.name}`, await runCli(elfOf(p.name), c.args)); });
        }
      }
      await pool(jobs, PARALLEL);
    } catch (e) {
      setupError = e as Error;
    }
  });

  const ready = (): void => {
    if (setupError) throw setupError;
  };

  for (const p of corpus.programs) {
    const exitCode = p.exitCode ?? 0;
    const sentinel = p.sentinel ?? p.name;
    describe(p.name, () => {
      it(`QEMU prints "PASS ${sentinel}" and exits ${exitCode}`, () => {
        ready();
        const q = qemu.get(p.name);
        assert.ok(q, 'not run');
        assert.ok(q.stdout.split('\n').some((l) => l.startsWith(`PASS ${sentinel}`)),
          `QEMU's output has no "PASS ${sentinel}" line (${describeExit(q)}):\n${tail(q.stdout)}${q.stderr ? `\nstderr: ${tail(q.stderr)}` : ''}`);
        assert.equal(q.code, exitCode, `QEMU: ${describeExit(q)}, expected exit ${exitCode}`);
      });

      it('hyperstep run: same output and exit status as QEMU', () => {
        ready();
        const q = qemu.get(p.name);
        const h = cli.get(p.name);
        assert.ok(q && h, 'not run');
        const problems: string[] = [];
        if (h.stdout !== q.stdout) problems.push(outputDiff(q.stdout, h.stdout, 'QEMU', 'hyperstep'));
        if (h.code !== q.code || h.timedOut || h.signal) {
          problems.push(`exit status: QEMU ${describeExit(q)}, hyperstep ${describeExit(h)}`);
        }
        if (problems.length) {
          if (h.stderr) problems.push(`hyperstep stderr:\n${tail(h.stderr)}`);
          assert.fail(`${p.name}: hyperstep run differs from QEMU\n${problems.join('\n')}`);
        }
      });

      for (const c of configsFor(p)) {
        it(`hyperstep run under ${c.name}: same output and exit status as QEMU`, () => {
          ready();
          const q = qemu.get(p.name);
          const h = cliMmu.get(`${c.name} ${p.name}`);
          assert.ok(q && h, 'not run');
          if (h.stdout !== q.stdout) assert.fail(`${p.name} (${c.args.join(' ')}):\n${outputDiff(q.stdout, h.stdout, 'QEMU', 'hyperstep')}`);
          assert.equal(h.code, q.code, `${p.name} (${c.args.join(' ')}): QEMU ${describeExit(q)}, hyperstep ${describeExit(h)}\n${tail(h.stderr)}`);
        });
      }
    });
  }

  for (const p of corpus.negative) {
    const expectation = negativeExpectation(p);
    const args = expectation.cli.args ?? [];
    describe(`${p.name} (negative guest)`, () => {
      it(`hyperstep run ${args.join(' ')} exits ${expectation.cli.exitCode} and names the GPA on stderr`, () => {
        ready();
        const h = cli.get(strictKey(p));
        assert.ok(h, 'not run');
        assert.equal(h.code, expectation.cli.exitCode,
          `hyperstep: ${describeExit(h)}, expected exit ${expectation.cli.exitCode}\nstdout:\n${tail(h.stdout)}\nstderr:\n${tail(h.stderr)}`);
        assert.equal(h.stdout, expectation.cli.stdout, outputDiff(expectation.cli.stdout, h.stdout, 'expected', 'hyperstep'));
        for (const pattern of expectation.cli.stderrMatches) {
          assert.match(h.stderr, new RegExp(pattern, 'i'), `hyperstep's stderr should match /${pattern}/i`);
        }
      });

      if (args.length > 0) {
        for (const c of [{ name: 'the defaults', args: [] as string[] }, ...EVERY_MODE]) {
          it(`hyperstep run without ${args.join(' ')}, under ${c.name}: same output and exit status as QEMU`, () => {
            ready();
            const q = qemu.get(p.name);
            const h = c.args.length ? cliMmu.get(`${c.name} ${p.name}`) : cli.get(p.name);
            assert.ok(q && h, 'not run');
            assert.equal(h.stdout, q.stdout, outputDiff(q.stdout, h.stdout, 'QEMU', 'hyperstep'));
            assert.equal(h.code, q.code, `QEMU ${describeExit(q)}, hyperstep ${describeExit(h)}\n${tail(h.stderr)}`);
          });
        }
      }

      it('QEMU still behaves as recorded (instruction access fault)', () => {
        ready();
        const q = qemu.get(p.name);
        assert.ok(q, 'not run');
        assert.equal(q.stdout, expectation.qemu.stdout, outputDiff(expectation.qemu.stdout, q.stdout, 'recorded', 'QEMU'));
        assert.equal(q.code, expectation.qemu.exitCode, `QEMU: ${describeExit(q)}`);
      });
    });
  }
});
