// The block compiler's code for loads and stores inside a looping trace (docs/block-compiler.md
// "Loads and stores inside a compiled loop"), against the interpreter in lockstep (lockstep.ts): every case is a small
// loop whose accesses do what could make a remembered page wrong — share a fast-table slot with
// another access of the loop, lose their page to a walk's slow paths (a fast-table slot or a TLB
// set evicted), cross into the next page, become misaligned, run an in-kernel MMIO read (a slow
// path that stays in the trace), meet a watchpoint armed on their page, or a TLB flush — under
// every mmu, at compile thresholds 1 (short traces) and 3 (the whole loop decoded first).
import * as assert from 'node:assert/strict';
import { DebugPort } from '../../../src/vm/debug-port';
import { Machine, MachineConfig, ProgramImage } from '../../../src/vm/vmm/machine';
import * as E from './encode';
import { CODE, DATA, wordsToBytes } from './harness';
import { lockstep, LockstepOptions } from './lockstep';

const MMUS = ['ept', 'npt', 'shadow'] as const;
const LAPIC_BASE = 0xfee0_0000;
/** x12 counts the passes up to x13. */
const COUNT = 12, LIMIT = 13;

function image(words: readonly number[]): ProgramImage {
  const data = wordsToBytes(words);
  return { entry: CODE, segments: [{ paddr: CODE, data, memSize: data.length }] };
}

/** `setup`, then `body` as a loop of `passes` passes (the back-edge is added), then a spin. */
function loop(setup: number[], body: number[], passes: number): number[] {
  const words = [...setup, ...E.li(LIMIT, passes)];
  const head = words.length;
  words.push(...body, E.addi(COUNT, COUNT, 1));
  words.push(E.bne(COUNT, LIMIT, (head - words.length) * 4), E.jal(0, 0));
  return words;
}

interface Case {
  name: string;
  words: number[];
  config?: Partial<MachineConfig>;
  between?: LockstepOptions['between'];
  /** What some compiled block's source must contain (the code shape the case is about). */
  shape?: RegExp;
}

const CASES: Case[] = [
  {
    // DATA and DATA + 1 MiB are 256 pages apart: the same slot of the direct-mapped fast tables,
    // so each access's slow path evicts the other's page every pass (and the stores' slow paths
    // end the trace).
    name: 'two loads whose pages share a fast-table slot (each evicts the other every pass)',
    words: loop([...E.li(5, DATA), ...E.li(6, DATA + 0x10_0000)],
      [E.lw(11, 5, 0), E.lw(14, 6, 4), E.add(15, 15, 11), E.add(15, 15, 14), E.sw(15, 5, 8), E.addi(11, 11, 1), E.sw(11, 6, 12)], 300),
  },
  {
    // A page walk (one page a pass, over 600) beside a fixed page read and written every pass:
    // the walk's slow paths evict the fixed page from the fast tables now and then (its slot at
    // pass 7, its TLB set every 64 passes; the fixed page sits 7 sets away from the code page, so
    // these evictions fall in the middle of a compiled run, not at its start), so the fixed page's
    // accesses hit, then miss once, then hit again: a page remembered across that slow path would
    // count hits the interpreter does not have (this case fails if slow paths keep the caches).
    name: 'a page walk whose slow paths evict the page the other accesses of the loop remembered',
    words: loop([...E.li(5, DATA + 0x8000), ...E.li(6, DATA + 0x1000)],
      [E.lw(11, 5, 0), E.sw(11, 5, 4), E.lw(14, 6, 0), E.lbu(15, 5, 9), E.add(16, 11, 14), E.addi(11, 11, 1), E.sw(11, 5, 0),
        E.lui(17, 1), E.add(6, 6, 17)], 600),
  },
  {
    // A word walk over three pages and a store walk with a stride of 12 over nine: page changes
    // in the middle of the loop, at different passes for each access.
    name: 'loads and stores that walk across pages',
    words: loop([...E.li(5, DATA + 0x800), ...E.li(6, DATA + 0x8000)],
      [E.lw(11, 5, 0), E.lbu(14, 5, 1), E.add(11, 11, 14), E.sw(11, 6, 0), E.sh(14, 6, 4), E.addi(5, 5, 4), E.addi(6, 6, 12)], 3000),
  },
  {
    // The base moves by 1 byte a pass: the word and halfword loads go misaligned, aligned again,
    // and straddle the page boundary at DATA + 0x1000 (the loop's store stays aligned, so the
    // trace goes on past the misaligned loads' slow paths).
    name: 'loads that become misaligned mid-loop (and straddle a page)',
    words: loop([...E.li(5, DATA + 0xf00), ...E.li(7, DATA + 0x4000)],
      [E.lw(11, 5, 0), E.lh(14, 5, 2), E.lhu(15, 5, 1), E.add(16, 11, 14), E.add(16, 16, 15), E.sw(16, 7, 0), E.addi(5, 5, 1), E.addi(7, 7, 4)], 600),
  },
  {
    // The same for stores: a word and a halfword store whose base moves by 1 byte a pass (a
    // misaligned store's slow path ends the trace; the aligned passes in between run compiled).
    name: 'stores that become misaligned mid-loop (and straddle a page)',
    words: loop([...E.li(6, DATA + 0x2f00)],
      [E.addi(11, 11, 0x111), E.sw(11, 6, 0), E.sh(11, 6, 6), E.lw(14, 6, 0), E.add(15, 15, 14), E.addi(6, 6, 1)], 600),
  },
  {
    // The LAPIC's ID register: an MMIO read the in-kernel irqchip serves inside the slow path,
    // which then goes on in the trace (the pages the loop's other accesses remembered must be
    // looked up again, as the interpreter does after a slow path).
    name: 'an in-kernel LAPIC read inside the loop (a slow path that stays in the trace)',
    words: loop([...E.li(5, DATA), ...E.li(9, LAPIC_BASE)],
      [E.lw(11, 5, 0), E.lw(14, 9, 0x20), E.lw(15, 5, 4), E.add(16, 11, 15), E.sw(16, 5, 8), E.addi(5, 5, 4)], 400),
  },
  {
    // Every 8th pass leaves the trace (a side exit) for an sfence.vma, which empties the fast tables.
    name: 'a TLB flush (sfence.vma) every 8th pass',
    words: (() => {
      const words = [...E.li(5, DATA), ...E.li(6, DATA + 0x4000), ...E.li(LIMIT, 500)];
      const head = words.length;
      words.push(E.lw(11, 5, 0), E.sw(11, 6, 0), E.addi(5, 5, 4), E.addi(6, 6, 4), E.andi(16, COUNT, 7), E.addi(COUNT, COUNT, 1));
      const branch = words.length;
      words.push(E.beq(16, 0, 12), E.bne(COUNT, LIMIT, (head - branch - 1) * 4), E.jal(0, 0));
      words.push(E.sfence_vma(), E.jal(0, (head - words.length) * 4)); // branch + 12: flush, back to the head
      return words;
    })(),
  },
  {
    // A trace with two ways back to its start, of different lengths and loads: entered at `t`
    // (the target of the beq), it runs t → jal → top → beq; the beq taken is one pass, not taken
    // it runs the skipped load and falls through into `t` again (the last instruction's
    // fallthrough is the other way back). Found by the random programs: counting the hits of
    // whole passes must know both.
    name: 'a trace with two ways back to its start (a branch, and the fallthrough of its last instruction)',
    words: (() => {
      const words = [...E.li(5, DATA), ...E.li(LIMIT, 700)];
      const top = words.length;
      words.push(E.andi(16, COUNT, 3), E.beq(16, 0, 8), E.lw(15, 5, 8)); // top: every 4th pass skips the load
      words.push(E.addi(COUNT, COUNT, 1), E.lw(11, 5, 0), E.add(14, 14, 11), E.beq(COUNT, LIMIT, 8)); // t
      words.push(E.jal(0, (top - words.length) * 4), E.jal(0, 0));
      return words;
    })(),
  },
  {
    // matmul's shape: an inner loop (a dot product over a row and a column) whose way out goes on
    // in the same trace, with a store, a load and an outer loop's branch after it; the trace is
    // generated as the loop then the rest, and the rest's accesses (and their slow paths, the
    // store's first touch of each page of C) run once per inner loop.
    name: 'an inner loop whose way out goes on in the trace (a store and a load after the loop)',
    words: (() => {
      // Rows of 3 words, so that the way out is decoded before the inner loop's head compiles.
      const words = [...E.li(5, DATA), ...E.li(6, DATA + 0x4000), ...E.li(7, DATA + 0xc000), ...E.li(8, 0), ...E.li(9, 300), ...E.li(17, -764)];
      const outer = words.length;
      words.push(E.addi(10, 5, 12), E.addi(14, 0, 0)); // outer: the row ends 3 words on
      const inner = words.length;
      words.push(E.lw(11, 5, 0), E.lw(15, 6, 0), E.addi(5, 5, 4), E.addi(6, 6, 256), E.mul(11, 11, 15), E.add(14, 14, 11));
      words.push(E.bne(5, 10, (inner - words.length) * 4)); // the inner loop's only way back
      words.push(E.sw(14, 7, 0), E.lw(16, 7, -4), E.addi(7, 7, 36), E.add(6, 6, 17), E.addi(8, 8, 1));
      words.push(E.bne(8, 9, (outer - words.length) * 4), E.jal(0, 0));
      return words;
    })(),
    shape: /out: \{\s*for \(;;\) \{[^]*break;\s*\}[^]*const v = r14;/,
  },
  {
    // The debugger watches the walked page between slices (and stops watching later): the loop's
    // accesses to it must report from then on, exactly as interpreted.
    name: 'a watchpoint armed on the loop\'s page mid-loop',
    words: loop([...E.li(5, DATA + 0x800), ...E.li(6, DATA + 0x8000)],
      [E.lw(11, 5, 0), E.sw(11, 6, 0), E.addi(5, 5, 4), E.addi(6, 6, 4)], 3000),
    between: (m, k) => {
      const port = new DebugPort(m);
      if (k === 2) port.watch(m.vm.gpaToHost(DATA + 0x1000), 4, true);
      if (k === 2 || k === 4) port.watch(m.vm.gpaToHost(DATA + 0x9400), 4, k === 2);
      if (k === 2 || k === 4) port.flushFastPaths();
    },
  },
];

/** Whether some compiled block of the machine's vCPU 0 matches `shape` after `steps`. */
function hasBlock(words: number[], config: Partial<MachineConfig>, steps: number, shape: RegExp): boolean {
  const m = new Machine({ memoryMiB: 4, ...config }, { consoleOutput: () => undefined });
  m.load(image(words));
  m.run(Infinity, steps);
  return [...m.vcpus[0].cpu.blocks!.map.values()].some((b) => b.fn !== null && shape.test(String(b.fn)));
}

describe('block compiler: loads and stores in compiled loops, in lockstep with the interpreter', function () {
  this.timeout(300_000);
  for (const c of CASES) {
    describe(c.name, () => {
      for (const mmu of MMUS) {
        for (const threshold of [1, 3]) {
          it(`${mmu}, threshold ${threshold}`, () => {
            const config = { memoryMiB: 4, mmu, compileThreshold: threshold, ...c.config };
            const r = lockstep(image(c.words), { config, maxSteps: 20_000, between: c.between, slices: [1, 3, 17, 1000, 2, 499, 64, 65, 2345, 7, 31] });
            assert.ok(r.compiled > 0);
            assert.ok(hasBlock(c.words, config, 5000, /s0p = va & -4096/), 'the loop runs as a compiled loop with per-site page caches');
            if (c.shape && threshold > 1) assert.ok(hasBlock(c.words, config, 5000, c.shape), `a compiled block looks like ${c.shape}`);
          });
        }
      }
    });
  }
});
