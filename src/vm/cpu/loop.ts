// The interpreter's run loop, generated from the op table (ops.ts) so that the interpreter and the
// block compiler share one description of every hot instruction (docs/block-compiler.md).
//
// Two variants come out of the same template: the plain interpreter, and the dispatcher that also
// enters compiled blocks (blocks.ts) at block boundaries. Everything else is the same text: the
// fetch-page cache, the per-access fast tables, the slow paths, the trap bookkeeping. The loop's
// contract is Cpu.execute's: run up to `budget` steps, return how many were taken, leave the
// architectural state (pc, instret, fastHits) in the Cpu.
import { CODE_LINE_SHIFT, DECODE_BIAS } from '../mem/host-memory';
import { Op, OP_MASK, OP_SHIFT_RD, OP_SHIFT_RS1, OP_SHIFT_RS2, RD_MASK } from './decode';
import { EVT_ABORT, EVT_TRAP } from './port';
import { ALU, BRANCH, HELPERS, LOAD, Operands, STORE } from './ops';

/** Fast-table geometry, shared by the CPU, the loop and the compiled blocks. */
export const FAST_BITS = 8;
export const FAST_MASK = (1 << FAST_BITS) - 1;
export const NO_PAGE = -1;
/** Consecutive traps without progress before the hart is declared stuck. */
export const TRAP_LOOP_LIMIT = 8;
/** StopReason values the loop sets (cpu.ts's const enum, which generated code cannot import). */
const STOP_BREAKPOINT = 3;
const STOP_TRAP_LOOP = 5;

/** The loop as the Cpu calls it (`cpu` is the Cpu: the loop reads its fields by name). */
type ExecuteFn = (cpu: unknown, budget: number) => number;

/**
 * The test a store makes after writing host byte `h` (an aligned access: it stays in one line):
 * true when the line holds compiled code (HostMemory.codeLines), whose page then loses its blocks.
 */
export function writesCode(h: string): string {
  return `((codeLines[${h} >>> 12] >>> ((${h} >>> ${CODE_LINE_SHIFT}) & 31)) & 1) !== 0`;
}

function interpreterOperands(): Operands {
  return { rs1: `x[(d >>> ${OP_SHIFT_RS1}) & 31]`, rs2: `x[(d >>> ${OP_SHIFT_RS2}) & 31]`, imm: 'imm', pc: 'pc', next: 'next' };
}

function cases(withBlocks: boolean): string {
  const o = interpreterOperands();
  const entry = withBlocks ? 'entry = true; ' : '';
  const out: string[] = [];
  out.push(`case ${Op.NOP}: pc = next; continue;`);
  for (const [op, value] of ALU) out.push(`case ${op}: x[rd] = ${value(o)}; pc = next; continue;`);
  out.push(`case ${Op.JAL}: x[rd] = next; pc = (pc + imm) | 0; ${entry}continue;`);
  out.push(`case ${Op.JALR}: { const target = (${o.rs1} + imm) & ~1; x[rd] = next; pc = target; ${entry}continue; }`);
  for (const [op, cond] of BRANCH) out.push(`case ${op}: pc = ${cond(o)} ? (pc + imm) | 0 : next; ${entry}continue;`);
  for (const [op, l] of LOAD) {
    const aligned = l.size === 1 ? '' : ` && (va & ${l.size - 1}) === 0`;
    out.push(`case ${op}: {
      const va = (${o.rs1} + imm) | 0, vpn = (va >>> 12) | dtag, i = vpn & ${FAST_MASK};
      if (readTag[i] === vpn${aligned}) { hits++; x[rd] = ${l.read('(readHost[i] + (va & 0xfff))')}; pc = next; continue; }
      ${entry}cpu.atInsn(pc, base + n - trapped); const v = cpu.loadSlow(va, ${l.size}, ${l.signed});
      if (epoch !== cpu.xlateEpoch) fetchPage = ${NO_PAGE};
      if ((cpu.evt & ${EVT_TRAP | EVT_ABORT}) === 0) { x[rd] = v; pc = next; if (cpu.evt === 0) continue; }
      break;
    }`);
  }
  for (const [op, s] of STORE) {
    const aligned = s.size === 1 ? '' : ` && (va & ${s.size - 1}) === 0`;
    out.push(`case ${op}: {
      const va = (${o.rs1} + imm) | 0, vpn = (va >>> 12) | dtag, i = vpn & ${FAST_MASK};
      const v = ${o.rs2};
      if (writeTag[i] === vpn${aligned}) {
        hits++;
        const h = writeHost[i] + (va & 0xfff);
        ${s.write('h', 'v')}; ${s.clear('h')};
        if (${writesCode('h')}) mem.codeWritten(h);
        pc = next; continue;
      }
      ${entry}cpu.atInsn(pc, base + n - trapped); cpu.storeSlow(va, ${s.size}, v);
      if (epoch !== cpu.xlateEpoch) fetchPage = ${NO_PAGE};
      if ((cpu.evt & ${EVT_TRAP | EVT_ABORT}) === 0) { pc = next; if (cpu.evt === 0) continue; }
      break;
    }`);
  }
  out.push(`case ${Op.FETCH_FAULT}: break;`); // the trap (or abort) is already taken: handled below
  out.push(`case ${Op.BREAKPOINT}:
      cpu.pc = pc; cpu.instret = base + n - trapped; cpu.fastHits += hits;
      cpu.stopReason = ${STOP_BREAKPOINT};
      return n;`);
  // Everything else is rare: run it out of line with the architectural state in the Cpu.
  out.push(`default:
      ${entry}cpu.atInsn(pc, base + n - trapped);
      cpu.executeSlow(d, imm);
      pc = cpu.pc;
      if (epoch !== cpu.xlateEpoch) fetchPage = ${NO_PAGE};
      if (cpu.evt !== 0) break;
      continue;`);
  return out.join('\n');
}

/**
 * Block dispatch, at a block boundary (after a jump, a branch, a slow path, a block): a compiled
 * block runs when the budget left covers one pass of it; a block boundary not yet compiled counts
 * towards its compilation. A block that retired nothing (its first load or store missed the fast
 * tables) leaves that instruction to the interpreter below.
 *
 * Chaining: a block remembers the two blocks that followed it last (`succ`, `succ2`: a branch's
 * two ways); while the next pc stays in the fetch page (its translation is still the loop's) and
 * that successor is still compiled (dropped blocks lose `fn`) and fits the budget, it runs at once,
 * without the map. An event already raised before the instruction (a fetch translation whose exit
 * carried the clock past the deadline: EVT_BREAK) lets one instruction run, as in the interpreter:
 * no block then.
 */
function dispatch(): string {
  const ran = `hits += bo[1]; n += k; pc = bo[0];
          if (epoch !== cpu.xlateEpoch) fetchPage = ${NO_PAGE};
          if (cpu.evt !== 0) break step;`;
  return `if (entry && cpu.evt === 0) {
      entry = false;
      let b = bmap.get(slot);
      if (b === undefined) blocks.enter(slot);
      else if (b.fn !== null) {
        if (b.len <= budget - n) {
          let k = b.fn(bargs, pc, budget - n, base + n - trapped);
          ${ran}
          if (k !== 0) {
            while ((pc >>> 12) === fetchPage) {
              const s = fetchHost + (pc & 0xfff);
              let c;
              if (b.succSlot === s) c = b.succ;
              else if (b.succSlot2 === s) c = b.succ2;
              else {
                c = bmap.get(s);
                if (c === undefined) break;
                b.succSlot2 = b.succSlot; b.succ2 = b.succ; b.succSlot = s; b.succ = c;
              }
              if (c.fn === null || c.len > budget - n) break;
              k = c.fn(bargs, pc, budget - n, base + n - trapped);
              ${ran}
              if (k === 0) break;
              b = c;
            }
            n--; entry = true; continue;
          }
        }
      } else if (b.count >= 0 && ++b.count >= blocks.threshold) blocks.compile(b, slot);
    }`;
}

function source(withBlocks: boolean): string {
  return `return function execute(cpu, budget) {
  const x = cpu.x, mem = cpu.mem, dc = mem.decoded, i32 = mem.i32, u16 = mem.u16, i16 = mem.i16;
  const u8 = mem.u8, i8 = mem.i8, codeLines = mem.codeLines;
  const readTag = cpu.readTag, readHost = cpu.readHost, writeTag = cpu.writeTag, writeHost = cpu.writeHost;
  ${withBlocks ? 'const blocks = cpu.blocks, bmap = blocks.map, bo = blocks.out, bargs = blocks.args; let entry = true;' : ''}
  let pc = cpu.pc;
  // dtag: the data context of the fast-table tags (Cpu.dataTag); it changes only with the epoch.
  let fetchPage = ${NO_PAGE}, fetchHost = 0, epoch = cpu.xlateEpoch, dtag = cpu.dataTag;
  // n counts steps (bounded by budget); trapped the steps that trapped instead of retiring.
  let n = 0, trapped = 0, lastTrapStep = -2, trapStreak = 0;
  // Translations served by the fast tables (TLB hits that never reach the port).
  let hits = 0;
  const base = cpu.instret;
  for (; n < budget; n++) {
    if ((pc >>> 12) !== fetchPage) {
      epoch = cpu.xlateEpoch; dtag = cpu.dataTag;
      // A fetch translation can exit too: what the port sees (the exit's cycle, the deadline
      // check) must not depend on where this run slice began.
      cpu.atInsn(pc, base + n - trapped);
      const host = cpu.fetchPageHost(pc);
      if (host < 0) {
        if (cpu.evt & ${EVT_TRAP}) {
          cpu.evt &= ~${EVT_TRAP}; pc = cpu.pc; fetchPage = ${NO_PAGE}; trapped++;
          trapStreak = n === lastTrapStep + 1 ? trapStreak + 1 : 0; lastTrapStep = n;
          if (trapStreak >= ${TRAP_LOOP_LIMIT}) { cpu.stopReason = ${STOP_TRAP_LOOP}; n++; break; }
          ${withBlocks ? 'entry = true;' : ''}
          if (cpu.evt === 0) continue;
          n++; break; // the walk raised an event too (a stall past the deadline): leave after the trap
        }
        break;
      }
      fetchPage = pc >>> 12;
      fetchHost = host + ${DECODE_BIAS};
      // The fetch's walk or exit raised an event (a stall past the deadline, a stop): this
      // instruction is the slice's last, as if the event came from its own slow path.
      if (cpu.evt !== 0) budget = n + 1;
    }
    // pc is even (IALIGN = 16), so this is the instruction's halfword slot (see DECODE_BIAS).
    const slot = fetchHost + (pc & 0xfff);
    step: {
    ${withBlocks ? dispatch() : ''}
    let d = dc[slot], imm = dc[slot + 1];
    if (d === 0) {
      d = cpu.decodeAt(pc, slot - ${DECODE_BIAS}, base + n - trapped);
      imm = cpu.decodedImm;
    }
    const next = (pc + 4 - ((d >>> 6) & 2)) | 0; // pc + the instruction's length
    const rd = (d >>> ${OP_SHIFT_RD}) & ${RD_MASK};
    switch (d & ${OP_MASK}) {
      ${cases(withBlocks)}
    }
    }
    // Reached by \`break\`: instructions that raised an event. Every case has done its work by
    // now: pc is past an instruction that completed, at one that did not.
    ${withBlocks ? 'entry = true;' : ''}
    if (cpu.evt === 0) continue;
    if (cpu.evt & ${EVT_TRAP}) {
      cpu.evt &= ~${EVT_TRAP};
      pc = cpu.pc;
      fetchPage = ${NO_PAGE};
      trapped++; // the trapping instruction did not retire
      trapStreak = n === lastTrapStep + 1 ? trapStreak + 1 : 0; lastTrapStep = n;
      if (trapStreak >= ${TRAP_LOOP_LIMIT}) { cpu.stopReason = ${STOP_TRAP_LOOP}; n++; break; }
      if (cpu.evt === 0) continue;
    }
    if (cpu.evt & ${EVT_ABORT}) break;
    // EVT_BREAK: leave after the instruction, so the caller re-checks interrupts and stop requests.
    n++;
    break;
  }
  cpu.pc = pc;
  cpu.instret = base + n - trapped;
  cpu.fastHits += hits;
  return n;
};`;
}

function build(withBlocks: boolean): ExecuteFn {
  const names = Object.keys(HELPERS);
  const values = names.map((k) => HELPERS[k as keyof typeof HELPERS]);
  return new Function(...names, source(withBlocks))(...values) as ExecuteFn;
}

/** The plain interpreter: single steps, cold code, and the reference the compiler is tested against. */
export const interpret: ExecuteFn = build(false);
/** The interpreter that also runs compiled blocks at block boundaries. */
export const interpretWithBlocks: ExecuteFn = build(true);
