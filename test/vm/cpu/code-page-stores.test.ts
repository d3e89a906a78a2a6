// Slow-path guest stores into a page that holds compiled code (HostMemory.guestStored,
// docs/block-compiler.md "Invalidation"): as after a fast-path store, only a store into a line that
// holds compiled code drops the page's blocks; data beside code (a misaligned store, always a slow
// path, into another line of the code page) leaves them compiled. In lockstep with the interpreter.
import * as assert from 'node:assert/strict';
import { Machine, ProgramImage } from '../../../src/vm/vmm/machine';
import * as E from './encode';
import { CODE, wordsToBytes } from './harness';
import { lockstep } from './lockstep';

function program(words: readonly number[]): ProgramImage {
  const data = wordsToBytes(words);
  return { entry: CODE, segments: [{ paddr: CODE, data, memSize: data.length }] };
}

/** A counting loop that stores x10 misaligned at CODE + `offset` on every pass. */
function storingLoop(offset: number): number[] {
  return [
    ...E.li(6, CODE),       // 0, 4
    E.addi(10, 10, 1),      // 8: loop
    E.sw(10, 6, offset),    // 12: misaligned: the slow path every time
    E.addi(11, 11, 3),      // 16
    E.jal(0, -12),          // 20: to loop
  ];
}

function blocksAfter(words: number[], steps: number): { compiled: number; dropped: number; x10: number } {
  const m = new Machine({ memoryMiB: 4, compileThreshold: 1 }, { consoleOutput: () => undefined });
  m.load(program(words));
  m.run(Infinity, steps);
  const b = m.vcpus[0].cpu.blocks!;
  return { compiled: b.compiled, dropped: b.dropped, x10: m.vcpus[0].cpu.x[10] };
}

describe('slow-path stores into a page with compiled code', () => {
  it('a store into a line without code leaves the page compiled', () => {
    const r = blocksAfter(storingLoop(0x701), 4000);
    assert.equal(r.dropped, 0, 'no block dropped');
    assert.ok(r.compiled > 0 && r.compiled <= 8, `${r.compiled} compilations (a few entries: the loop and after its exits at the store)`);
    assert.ok(r.x10 > 900, 'the loop ran');
  });

  it('a store into the line that holds the loop still drops it (until the line is taken for data)', () => {
    const r = blocksAfter(storingLoop(0x61), 4000); // line 0: the loop's own line, past its last instruction
    assert.ok(r.dropped >= 1, 'the page was dropped');
  });

  for (const offset of [0x701, 0x61, 0x7f]) {
    it(`agrees with the interpreter, misaligned stores at code + ${offset.toString(16)}`, () => {
      lockstep(program(storingLoop(offset)), { config: { memoryMiB: 4, compileThreshold: 1 }, maxSteps: 3000, slices: [1, 2, 5, 7, 100, 3, 1000] });
    });
  }
});
