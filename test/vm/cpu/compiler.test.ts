// The block compiler against the interpreter, in lockstep (lockstep.ts): seeded random programs
// (valid instruction mixes with branches, loops, loads/stores, MMIO, CSRs, traps, self-modifying
// stores, fence.i), the guest corpus, the bench programs and every example under every mmu ×
// irqchip mode. Plus the debugger's hooks with compiled code present: breakpoints planted inside
// compiled blocks, data breakpoints, single steps, and writes to memory through the debug port.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { loadProgram } from '../../../src/cli/program';
import { parseEventSpec } from '../../../src/vm/vmm/schedule';
import { Machine, ProgramImage } from '../../../src/vm/vmm/machine';
import { ensureCorpusElf } from '../../guest/corpus-build';
import corpus from '../../guest/corpus.json';
import * as E from './encode';
import { CODE, DATA, wordsToBytes } from './harness';
import { lockstep } from './lockstep';

const ROOT = path.join(__dirname, '..', '..', '..');

function image(words: readonly number[]): ProgramImage {
  const data = wordsToBytes(words);
  return { entry: CODE, segments: [{ paddr: CODE, data, memSize: data.length }] };
}

// ---- seeded random programs ------------------------------------------------------------------

const BASE = 5;      // x5: DATA + 0x800, loads and stores are relative to it
const CODEREG = 6;   // x6: the body's first instruction, self-modifying stores are relative to it
const INSN = 7;      // x7: an instruction word the self-modifying stores write
const UART = 9;      // x9: the UART (MMIO: exits to the VMM)
const SCRATCH = 31;  // x31: the trap handler's
const FREE = [1, 2, 3, 4, 8, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30];
const BODY_AT = 0x100; // bytes from CODE
const HANDLER_AT = 0xc00;

/** One body instruction: built once the body's length is known (branch targets are body indexes). */
type Item = (index: number, length: number) => number;

const reg = fc.integer({ min: 0, max: 31 });
const rd = fc.constantFrom(...FREE);
const imm12 = fc.integer({ min: -2048, max: 2047 });
const target = fc.nat();
const ALU_R = [E.add, E.sub, E.sll, E.slt, E.sltu, E.xor, E.srl, E.sra, E.or, E.and, E.mul, E.mulh, E.mulhsu, E.mulhu, E.div, E.divu, E.rem, E.remu];
const ALU_I = [E.addi, E.slti, E.sltiu, E.xori, E.ori, E.andi];
const SHIFT_I = [E.slli, E.srli, E.srai];
const BRANCHES = [E.beq, E.bne, E.blt, E.bge, E.bltu, E.bgeu];
const LOADS = [E.lb, E.lh, E.lw, E.lbu, E.lhu];
const STORES = [E.sb, E.sh, E.sw];
const CSRS = [0xb00, 0xb02, 0xc00, 0xc01, 0xc02, 0xc80, 0xc82, 0x340, 0x300];

const item: fc.Arbitrary<Item> = fc.oneof(
  { weight: 20, arbitrary: fc.tuple(fc.constantFrom(...ALU_R), rd, reg, reg).map(([f, d, a, b]) => () => f(d, a, b)) },
  { weight: 15, arbitrary: fc.tuple(fc.constantFrom(...ALU_I), rd, reg, imm12).map(([f, d, a, i]) => () => f(d, a, i)) },
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...SHIFT_I), rd, reg, fc.integer({ min: 0, max: 31 })).map(([f, d, a, s]) => () => f(d, a, s)) },
  { weight: 2, arbitrary: fc.tuple(rd, fc.integer({ min: 0, max: 0xfffff })).map(([d, i]) => () => E.lui(d, i)) },
  { weight: 2, arbitrary: fc.tuple(rd, fc.integer({ min: 0, max: 0xfffff })).map(([d, i]) => () => E.auipc(d, i)) },
  { weight: 12, arbitrary: fc.tuple(fc.constantFrom(...LOADS), rd, imm12).map(([f, d, i]) => () => f(d, BASE, i)) },
  { weight: 12, arbitrary: fc.tuple(fc.constantFrom(...STORES), reg, imm12).map(([f, s, i]) => () => f(s, BASE, i)) },
  { weight: 10, arbitrary: fc.tuple(fc.constantFrom(...BRANCHES), reg, reg, target).map(([f, a, b, t]) => (i: number, n: number) => f(a, b, ((t % n) - i) * 4)) },
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom(0, 1, ...FREE.slice(0, 3)), target).map(([d, t]) => (i: number, n: number) => E.jal(d, ((t % n) - i) * 4)) },
  // A computed jump: jalr through the body's base register to a body index.
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(0, 1), target).map(([d, t]) => (_i: number, n: number) => E.jalr(d, CODEREG, (t % n) * 4)) },
  { weight: 3, arbitrary: fc.tuple(rd, fc.constantFrom(...CSRS)).map(([d, c]) => () => E.csrr(d, c)) },
  { weight: 1, arbitrary: reg.map((s) => () => E.csrw(0x340, s)) },
  { weight: 1, arbitrary: reg.map((s) => () => E.csrw(0xb02, s)) }, // minstret: counters written mid-run
  { weight: 1, arbitrary: fc.constant(() => E.ecall()) },
  { weight: 1, arbitrary: fc.constant(() => 0xffffffff) }, // illegal instruction
  { weight: 2, arbitrary: fc.constant(() => E.fence_i()) },
  // Self-modifying code: write an instruction word over a body instruction.
  { weight: 3, arbitrary: target.map((t) => (_i: number, n: number) => E.sw(INSN, CODEREG, (t % n) * 4)) },
  { weight: 2, arbitrary: rd.map((d) => () => E.lbu(d, UART, 5)) },            // UART LSR: an MMIO read
  { weight: 1, arbitrary: reg.map((s) => () => E.sb(s, UART, 7)) },            // UART scratch: an MMIO write
  { weight: 1, arbitrary: fc.tuple(rd, reg).map(([d, s]) => () => E.amoadd_w(d, s, BASE)) },
  { weight: 1, arbitrary: rd.map((d) => () => E.lr_w(d, BASE)) },
  { weight: 1, arbitrary: fc.tuple(rd, reg).map(([d, s]) => () => E.sc_w(d, s, BASE)) },
);

function randomProgram(items: Item[], patch: number): number[] {
  const prologue = [
    ...E.li(BASE, DATA + 0x800), ...E.li(CODEREG, CODE + BODY_AT), ...E.li(INSN, patch), ...E.li(UART, 0x1000_0000),
    ...E.li(SCRATCH, CODE + HANDLER_AT), E.csrw(0x305, SCRATCH),
  ];
  const words = new Array<number>(HANDLER_AT / 4 + 8).fill(E.nop());
  prologue.forEach((w, i) => { words[i] = w; });
  words[prologue.length] = E.jal(0, BODY_AT - prologue.length * 4);
  const body = items.map((f, i) => f(i, items.length));
  body.push(E.jal(0, -items.length * 4)); // round and round
  body.forEach((w, i) => { words[BODY_AT / 4 + i] = w; });
  // The handler skips the instruction that trapped.
  [E.csrr(SCRATCH, 0x341), E.addi(SCRATCH, SCRATCH, 4), E.csrw(0x341, SCRATCH), E.mret()]
    .forEach((w, i) => { words[HANDLER_AT / 4 + i] = w; });
  return words;
}

const PATCHES = [E.addi(8, 8, 1), E.xor(10, 10, 11), E.nop(), E.ecall()];

describe('block compiler: lockstep with the interpreter', function () {
  this.timeout(600_000);

  it('agrees on seeded random programs (branches, loops, loads/stores, MMIO, CSRs, traps, self-modifying code, fence.i)', () => {
    let compiled = 0;
    // Threshold 1 compiles at the first visit (short traces: only what was decoded); 4 lets the
    // interpreter decode the body first (traces across jumps, side exits in their middle).
    fc.assert(fc.property(fc.array(item, { minLength: 4, maxLength: 40 }), fc.constantFrom(...PATCHES), fc.constantFrom('ept', 'npt', 'shadow'), fc.constantFrom(1, 4),
      (items, patch, mmu, threshold) => {
        const r = lockstep(image(randomProgram(items, patch)), {
          config: { memoryMiB: 4, mmu, compileThreshold: threshold }, maxSteps: 6000, slices: [1, 5, 37, 2, 250, 64, 999, 3],
        });
        compiled += r.compiled;
      }), { seed: 0x13c0de, numRuns: 80 });
    assert.ok(compiled > 300, `the compiled side compiled only ${compiled} blocks`);
  });

  it('agrees on a hot self-modifying loop: a store rewrites the running block (per-page invalidation)', () => {
    // x8 counts; the loop's second instruction is rewritten from addi x8,x8,1 to addi x8,x8,2
    // by a store after every 50 passes (the same word each time, so the page keeps being dropped).
    const loop = CODE + 24;
    const words = [
      ...E.li(6, loop), ...E.li(7, E.addi(8, 8, 2)), ...E.li(12, 50),
      E.addi(13, 13, 1),    // loop:
      E.addi(8, 8, 1),      //   rewritten
      E.bne(13, 12, -8),    //   50 passes at a time
      E.sw(7, 6, 4),        // patch loop + 4
      E.addi(12, 12, 50),
      E.jal(0, -20),        // back to loop
    ];
    const r = lockstep(image(words), { config: { memoryMiB: 4 }, maxSteps: 5000 });
    assert.ok(r.compiled > 0);
  });

  it('agrees on traces across direct jumps, with side exits and slow paths in the middle of a trace', () => {
    // One loop whose body is laid out out of order: the trace from `loop` follows the forward jal
    // to `fwd` and the backward jal to `back`, and loops back to `loop`. In the middle of it: a
    // branch that leaves the trace every other pass, a store whose page goes in and out of the
    // fast table (the UART read between exits to the VMM), and an MMIO read (a slow path that exits).
    const words = [
      ...E.li(5, DATA), ...E.li(9, 0x1000_0000), ...E.li(12, 400), // 0..
    ];
    words.push( // at = the loop's first byte:

      E.addi(13, 13, 1),     // at + 0: loop
      E.jal(0, 24),          // at + 4: to fwd (at + 28)
      E.lw(11, 5, 0),        // at + 8: back
      E.lbu(14, 9, 5),       // at + 12: UART LSR (MMIO)
      E.add(15, 15, 11),     // at + 16
      E.bne(13, 12, -20),    // at + 20: to loop
      E.jal(0, 0),           // at + 24: done: spin here
      E.addi(8, 8, 3),       // at + 28: fwd
      E.andi(16, 13, 1),     // at + 32
      E.bne(16, 0, 8),       // at + 36: odd passes skip the store (a side exit)
      E.sw(8, 5, 0),         // at + 40
      E.jal(0, -36),         // at + 44: to back (at + 8)
    );
    // Threshold 3: the interpreter has decoded the whole loop before it compiles, so traces are long.
    const r = lockstep(image(words), { config: { memoryMiB: 4, compileThreshold: 3 }, maxSteps: 8000, slices: [1, 2, 3, 5, 7, 11, 13, 100, 9, 1000] });
    assert.ok(r.compiled > 0);
    // The trace really spans both jumps: some compiled block runs at least loop..fwd..back (9 instructions).
    const m = new Machine({ memoryMiB: 4, compileThreshold: 3 }, { consoleOutput: () => undefined });
    m.load(image(words));
    m.run(Infinity, 3000);
    const lens = [...m.vcpus[0].cpu.blocks!.map.values()].filter((b) => b.fn !== null).map((b) => b.len);
    assert.ok(Math.max(...lens) >= 9, `longest compiled trace: ${Math.max(...lens)} instructions`);
    assert.equal(m.vcpus[0].cpu.x[15] !== 0, true);
  });

  describe('the guest corpus (QEMU comparison programs)', () => {
    for (const p of (corpus as { programs: { name: string }[] }).programs) {
      it(p.name, () => {
        const file = ensureCorpusElf(`${p.name}.elf`);
        const prog = loadProgram(file);
        if ('error' in prog) throw new Error(prog.error);
        const r = lockstep(prog.image, { maxSteps: 3_000_000, slices: [100_003, 1, 9999, 77, 250_000], ramEvery: 4 });
        assert.ok(r.outcome.kind === 'poweroff', `${p.name}: ${JSON.stringify(r.outcome)}`);
        assert.ok(r.compiled > 0);
      });
    }
  });

  describe('the bench programs', () => {
    const dir = path.join(ROOT, 'bench', 'programs');
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.elf'))) {
      it(f, () => {
        const prog = loadProgram(path.join(dir, f));
        if ('error' in prog) throw new Error(prog.error);
        const r = lockstep(prog.image, { maxSteps: 2_000_000, slices: [333_333, 1, 4096, 12_345], ramEvery: 4 });
        assert.ok(r.compiled > 0);
      });
    }
  });

  describe('every example under every mmu × irqchip mode', () => {
    const EXAMPLES: [string, { vcpus?: number; events?: string[] }][] = [
      ['hello.s', {}], ['nic-irq.s', { events: ['20000:nic:rx:hello'] }], ['timer.s', {}], ['smp-ipi.s', { vcpus: 2 }],
      ['msi.s', {}], ['paging.s', {}],
    ];
    for (const [name, o] of EXAMPLES) {
      for (const mmu of ['ept', 'npt', 'shadow'] as const) {
        for (const irqchip of ['kernel', 'split', 'userspace'] as const) {
          it(`${name} ${mmu}/${irqchip}`, () => {
            const prog = loadProgram(path.join(ROOT, 'examples', name));
            if ('error' in prog) throw new Error(prog.error);
            const r = lockstep(prog.image, {
              config: { mmu, irqchip, vcpus: o.vcpus ?? 1 }, maxSteps: 5_000_000, slices: [50_000, 1, 313, 20_011], ramEvery: 16,
              prepare: (m) => { for (const spec of o.events ?? []) { const e = parseEventSpec(spec); if ('error' in e) throw new Error(e.error); m.scheduleEvent(e); } },
            });
            assert.deepStrictEqual(r.outcome, { kind: 'poweroff', code: 0 });
          });
        }
      }
    }
  });
});

describe('block compiler: debugging hooks stay exact', () => {
  /** A counting loop: x10 += 1 forever, with a store and a load in it. */
  function loopMachine(compiler: boolean): Machine {
    const words = [
      ...E.li(5, DATA), // 0, 4
      E.addi(10, 10, 1), // 8: loop
      E.sw(10, 5, 0), // 12
      E.lw(11, 5, 0), // 16
      E.addi(12, 12, 3), // 20
      E.jal(0, -16), // 24
    ];
    const m = new Machine({ memoryMiB: 4, compiler, compileThreshold: 1 }, { consoleOutput: () => undefined });
    const loaded = m.load(image(words));
    if (loaded.error) throw new Error(loaded.error);
    return m;
  }

  it('a breakpoint planted inside a compiled block stops there, at the same step as the interpreter', () => {
    const results = [true, false].map((compiler) => {
      const m = loopMachine(compiler);
      m.run(Infinity, 1000); // the loop is compiled (and looping in JavaScript) by now
      if (compiler) assert.ok(m.vcpus[0].cpu.blocks!.compiled > 0);
      m.host.setBreakpoint(m.vm.gpaToHost(CODE + 20));
      const outcome = m.run(Infinity, 10_000);
      return { outcome, steps: m.steps, pc: m.vcpus[0].cpu.pc >>> 0, x10: m.vcpus[0].cpu.x[10] };
    });
    assert.deepStrictEqual(results[0].outcome, { kind: 'stopped', reason: 'breakpoint', vcpu: 0 });
    assert.equal(results[0].pc, (CODE + 20) >>> 0);
    assert.deepStrictEqual(results[0], results[1]);
  });

  it('single steps through compiled code retire one instruction each, as the interpreter does', () => {
    const trace = (compiler: boolean): number[] => {
      const m = loopMachine(compiler);
      m.run(Infinity, 500);
      const pcs: number[] = [];
      for (let i = 0; i < 40; i++) { m.run(Infinity, m.steps + 1); pcs.push(m.vcpus[0].cpu.pc >>> 0, m.vcpus[0].cpu.instret); }
      return pcs;
    };
    assert.deepStrictEqual(trace(true), trace(false));
  });

  it('a data breakpoint armed while the loop runs compiled reports the same accesses', () => {
    const accesses = (compiler: boolean): string[] => {
      const m = loopMachine(compiler);
      m.run(Infinity, 700);
      const seen: string[] = [];
      const v = m.vcpus[0];
      const host = m.vm.gpaToHost(DATA);
      m.host.watch(host, 4, true);
      for (const o of m.vcpus) o.cpu.flushTranslations();
      m.events.subscribe((e) => { if (e.kind === 'mem-access') seen.push(JSON.stringify(e)); });
      m.run(Infinity, 1400);
      seen.push(`pc ${v.cpu.pc} instret ${v.cpu.instret} hits ${v.cpu.fastHits}`);
      return seen;
    };
    const compiled = accesses(true);
    assert.deepStrictEqual(compiled, accesses(false));
  });

  it('a debugger write to memory drops the compiled blocks of that page: the new instruction runs', () => {
    const m = loopMachine(true);
    m.run(Infinity, 1000);
    const before = m.vcpus[0].cpu.x[12];
    // Rewrite `addi x12, x12, 3` into `addi x12, x12, 100` through the host memory (as the debug port does).
    m.host.writeU32(m.vm.gpaToHost(CODE + 20), E.addi(12, 12, 100));
    m.run(Infinity, 1000 + 500);
    const after = m.vcpus[0].cpu.x[12];
    assert.equal(after - before, 100 * 100, 'every one of the 100 passes after the write adds 100');
  });

  it('fails when an op template differs from the interpreter (the lockstep can fail)', () => {
    // A program whose only difference would be x12's low bits: compare against a broken block.
    const m = loopMachine(true);
    m.run(Infinity, 100);
    const cpu = m.vcpus[0].cpu;
    const b = [...cpu.blocks!.map.values()].find((k) => k.fn !== null);
    assert.ok(b, 'a compiled block');
    const fn = b.fn!;
    b.fn = (args, pc, left, ret) => { const k = fn(args, pc, left, ret); cpu.x[12] ^= 1; return k; };
    assert.throws(() => lockstepOf(m, loopMachine(false), 200), /x12|state/);
  });
});

/** Compares two machines already built, for the can-fail check above. */
function lockstepOf(a: Machine, b: Machine, steps: number): void {
  b.run(Infinity, a.steps);
  for (let k = 0; k < 10; k++) {
    a.run(Infinity, a.steps + steps);
    b.run(Infinity, b.steps + steps);
    assert.deepStrictEqual({ state: [...a.vcpus[0].cpu.x] }, { state: [...b.vcpus[0].cpu.x] });
  }
}

