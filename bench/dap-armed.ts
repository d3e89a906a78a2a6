// The debugger's cost on the CPU-bound bench programs, and "continue to a breakpoint 10⁹
// instructions away", measured as a DAP client sees them, over stdio against dist/debugAdapter.js
// (docs/cost-model.md "Speed under the debugger"). Figures only: nothing here asserts a time.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { loadProgram } from '../src/cli/program';
import { countingLoop, session } from './dap';

/** One bench program with what the machine-alone table measured (instructions retired, QEMU's MIPS). */
export interface ArmedInput { file: string; name: string; instructions: number; qemu: number | null | undefined }

const geomean = (xs: number[]): number => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);

/**
 * The address of an instruction of `_start` that a passing bench program never runs: the one after
 * `beqz a0, 3f` (crt0.S), which builds the failure code when main returns non-zero.
 */
function neverRun(file: string): number {
  const p = loadProgram(file);
  if ('error' in p) throw new Error(p.error);
  const start = p.symbols.find((s) => s.name === '_start');
  if (!start) throw new Error(`${file}: no _start`);
  for (const seg of p.image.segments) {
    const off = (start.value >>> 0) - (seg.paddr >>> 0);
    if (off < 0 || off >= seg.data.length) continue;
    const view = new DataView(seg.data.buffer, seg.data.byteOffset, seg.data.byteLength);
    for (let at = off; at + 8 <= seg.data.length && at < off + 256; at += 4) {
      if ((view.getUint32(at, true) & 0x01fff07f) === 0x00050063) return (seg.paddr + at + 4) >>> 0; // beq a0, zero, …
    }
  }
  throw new Error(`${file}: no 'beqz a0' in _start (bench/programs/crt0.S changed?)`);
}

/** From `continue` at the entry to the program's exit, in ms; `arm` sets breakpoints first. */
async function toExit(file: string, arm: (dc: DebugClient) => Promise<void>): Promise<{ ms: number; stopped?: string }> {
  const dc = await session(file);
  try {
    await arm(dc);
    // Whichever comes first: the exit, or a stop (which would make the figure meaningless).
    const end = new Promise<string | undefined>((resolve) => {
      dc.once('exited', () => resolve(undefined));
      dc.once('stopped', (e: DebugProtocol.StoppedEvent) => resolve(e.body.reason));
    });
    const t0 = performance.now();
    await dc.continueRequest({ threadId: 1 });
    const stopped = await end;
    return { ms: performance.now() - t0, stopped };
  } finally {
    await dc.stop();
  }
}

/**
 * Each bench program under the debug adapter, EPT + VPID: run to its exit with nothing armed, then
 * with an instruction breakpoint (on an instruction it never runs) and an event filter with a
 * condition (a VM exit whose reason is HLT: evaluated on every exit, never true) armed. Alternating,
 * best of `rounds` each (other load on the machine only ever slows a run down).
 */
export async function armedBench(inputs: ArmedInput[], rounds = 2): Promise<void> {
  console.log('\nEPT + VPID under the debug adapter (continue from the entry to the exit; DAP over stdio)');
  const rows: { name: string; plain: number; armed: number; qemu: number | null | undefined }[] = [];
  for (const p of inputs) {
    const at = neverRun(p.file);
    const plain: number[] = [], armed: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const a = await toExit(p.file, async () => undefined);
      const b = await toExit(p.file, async (dc) => {
        await dc.customRequest('setInstructionBreakpoints', { breakpoints: [{ instructionReference: '0x' + at.toString(16) }] });
        await dc.setExceptionBreakpointsRequest({ filters: [], filterOptions: [{ filterId: 'vmexit', condition: "reason == 'HLT'" }] });
      });
      for (const [r, into] of [[a, plain], [b, armed]] as const) {
        if (r.stopped) console.log(`  (${p.name}: stopped (${r.stopped}) before the exit: the figure is not valid)`);
        into.push(p.instructions / r.ms / 1e3);
      }
    }
    rows.push({ name: p.name, plain: Math.max(...plain), armed: Math.max(...armed), qemu: p.qemu });
  }
  const cost = (plain: number, armed: number): string => `${((1 - armed / plain) * 100).toFixed(1).padStart(5)}%`;
  const ratio = (mips: number, qemu: number | null | undefined): string => (qemu ? `  QEMU ${qemu.toFixed(1).padStart(7)}  ratio ${(mips / qemu).toFixed(2)}` : '');
  console.log(`  ${'program'.padEnd(12)} ${'unarmed'.padStart(9)} ${'armed'.padStart(9)}  armed cost (target ≤ 10%)`);
  for (const r of rows) {
    console.log(`  ${r.name.padEnd(12)} ${r.plain.toFixed(1).padStart(9)} ${r.armed.toFixed(1).padStart(9)}  ${cost(r.plain, r.armed)}${ratio(r.armed, r.qemu)}  (MIPS)`);
  }
  const gp = geomean(rows.map((r) => r.plain)), ga = geomean(rows.map((r) => r.armed));
  const qs = rows.map((r) => r.qemu).filter((q): q is number => typeof q === 'number');
  console.log(`  ${'geomean'.padEnd(12)} ${gp.toFixed(1).padStart(9)} ${ga.toFixed(1).padStart(9)}  ${cost(gp, ga)}${qs.length === rows.length ? ratio(ga, geomean(qs)) : ''}  (MIPS)`);
  console.log('  armed: an instruction breakpoint (never hit) and the VM-exit event filter with a condition (evaluated on every exit)');
}

/** 10⁷ instructions to `warm`, then 10⁹ (5×10⁸ passes of two) to `target`. */
const BILLION = countingLoop(500_000_000);

/**
 * "Continue to a breakpoint 10⁹ instructions away": line breakpoints on `warm` and `target`; the
 * figure is the wall time from the `continue` at `warm` to the `stopped` event at `target`, and the
 * MIPS it implies (instret at the stop minus instret at `warm`).
 */
export async function billionBench(runs = 2): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hyperstep-billion-'));
  const file = path.join(dir, 'billion.s');
  fs.writeFileSync(file, BILLION);
  const lines = BILLION.split('\n');
  const lineOf = (label: string): number => lines.findIndex((l) => l.startsWith(`${label}:`)) + 1;
  try {
    const figures: { ms: number; mips: number }[] = [];
    for (let i = 0; i < runs; i++) {
      const dc = await session(file);
      try {
        await dc.setBreakpointsRequest({ source: { path: file }, breakpoints: [{ line: lineOf('warm') }, { line: lineOf('target') }] });
        const instret = async (): Promise<number> => Number((await dc.evaluateRequest({ expression: '$instret', context: 'watch' })).body.result.split(' ')[0]);
        const top = async (): Promise<number> => ((await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0] as DebugProtocol.StackFrame).line;
        let stopped = dc.waitForEvent('stopped');
        await dc.continueRequest({ threadId: 1 });
        await stopped;
        if (await top() !== lineOf('warm')) console.log('  (did not stop at warm)');
        const before = await instret();
        stopped = dc.waitForEvent('stopped');
        const t0 = performance.now();
        await dc.continueRequest({ threadId: 1 });
        await stopped;
        const ms = performance.now() - t0;
        const line = await top();
        const ran = (await instret()) - before;
        if (line !== lineOf('target')) console.log(`  (stopped at line ${line}, not at target)`);
        figures.push({ ms, mips: ran / ms / 1e3 });
      } finally {
        await dc.stop();
      }
    }
    const best = figures.reduce((a, b) => (b.ms < a.ms ? b : a));
    console.log(`  continue to a line breakpoint 10⁹ instructions away (best of ${runs}): ${(best.ms / 1000).toFixed(2)} s from continue to stopped = ` +
      `${best.mips.toFixed(0)} MIPS (all runs: ${figures.map((f) => `${(f.ms / 1000).toFixed(2)} s`).join(', ')})`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
