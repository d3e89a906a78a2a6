// Call stacks of a guest (docs/debugging.md "Threads, stack, scopes"): where the ELF has call frame
// information (.debug_frame/.eh_frame, src/debug/dwarf/cfi.ts) the caller's registers come from it;
// elsewhere each frame's function comes from the symbols and a prologue scan
// from the function's start to the pc finds `addi sp, sp, -N` and `sw ra, off(sp)` (as GDB's RISC-V
// prologue analyzer does), which give the caller's sp and return address. Inside a trap handler a
// synthetic frame names the trap — "interrupt 0x31 (NIC, GSI 19)" — and unwinding goes on at the
// interrupted pc (mepc/sepc). Where DWARF says GCC inlined a call at the pc, the frame is shown as
// GDB shows it: the inlined function on top at its line, the function it was inlined into below at
// the call's line (DW_TAG_inlined_subroutine; docs/debugging.md "Inlined calls").
import { CAUSE_NAMES, Priv, expandCompressed } from '../vm';
import type { Vcpu } from '../vm';
import type { Inspector } from './inspect';
import type { ProgramInfo } from './program';
import { hex } from './format';
import { unwindRegisters } from './dwarf/cfi';
import type { Die } from './dwarf/info';

export interface StackFrame {
  kind: 'code' | 'trap';
  pc: number;
  sp: number;
  name: string;
  /** For trap frames: what was taken. */
  trap?: { cause: number; tval: number; epc: number; interrupt: boolean; mode: 'M' | 'S' };
  /** x0–x31 as they were in this frame (undefined: not recovered), for C variables in registers. */
  regs: (number | undefined)[];
  /** The pc is a return address (a caller's frame): its line and scopes are looked up at pc - 1. */
  caller?: boolean;
  /** Part of the innermost frame the hardware has (its registers are the vCPU's, writable). */
  innermost?: boolean;
  /** With calls inlined at the pc: 0 for the function itself, k for the k-th inlined call (DwarfInfo.inlineChainAt). */
  inlineLevel?: number;
  /** The inlined call this frame is the body of (DW_TAG_inlined_subroutine). */
  inlineDie?: Die;
  /** The frame's line when a call inlined into it is the frame above: the call's file and line. */
  callSite?: { file: string | undefined; line: number };
}

const SP = 2, RA = 1;
const MAX_FRAMES = 64;
const MAX_PROLOGUE = 48;

const IRQ_NAMES: Record<number, string> = {
  1: 'supervisor software', 3: 'machine software', 5: 'supervisor timer', 7: 'machine timer', 9: 'supervisor external', 11: 'machine external',
};

/** The trap handler entry a trap with `cause` would reach through `tvec`. */
function trapTarget(tvec: number, cause: number): number {
  const base = (tvec & ~3) >>> 0;
  return cause < 0 && (tvec & 3) === 1 ? (base + 4 * (cause & 0x7fffffff)) >>> 0 : base;
}

interface Prologue {
  frameSize: number;
  /** ra saved on the stack at sp + raOffset. */
  raOffset: number | undefined;
  /** ra copied into another register (`mv t3, ra`, as leaf-calling assembly routines do). */
  raRegister: number | undefined;
}

/**
 * The instruction at guest-virtual `address`: `raw` as in memory (16 bits for a compressed one),
 * `word` its 32-bit form (a compressed one expanded, see vm/cpu/rvc.ts), and its length in bytes;
 * undefined where nothing can be read.
 */
export function readInstruction(inspector: Inspector, vcpu: Vcpu, address: number): { raw: number; word: number; length: 2 | 4 } | undefined {
  let lo: number;
  try { lo = inspector.readVirt(vcpu, address >>> 0, 2); } catch { return undefined; }
  if ((lo & 3) !== 3) return { raw: lo, word: expandCompressed(lo), length: 2 };
  let hi: number;
  try { hi = inspector.readVirt(vcpu, (address + 2) >>> 0, 2); } catch { return undefined; }
  const word = (lo | (hi << 16)) >>> 0;
  return { raw: word, word, length: 4 };
}

function analyzePrologue(inspector: Inspector, vcpu: Vcpu, start: number, pc: number): Prologue {
  let frameSize = 0, raOffset: number | undefined, raRegister: number | undefined;
  for (let a = start, n = 0, length = 4; a < pc && n < MAX_PROLOGUE; a += length, n++) {
    const insn = readInstruction(inspector, vcpu, a);
    if (!insn) break;
    const w = insn.word;
    length = insn.length;
    const opcode = w & 0x7f, rd = (w >>> 7) & 31, funct3 = (w >>> 12) & 7, rs1 = (w >>> 15) & 31, rs2 = (w >>> 20) & 31;
    if (opcode === 0x13 && funct3 === 0 && rd === SP && rs1 === SP) {
      const imm = w >> 20;
      if (imm < 0) frameSize -= imm; else break; // an epilogue's addi sp, sp, +N ends the prologue
    } else if (opcode === 0x23 && funct3 === 2 && rs1 === SP && rs2 === RA) {
      raOffset = ((w >> 25) << 5) | ((w >>> 7) & 0x1f);
    } else if (opcode === 0x13 && funct3 === 0 && rs1 === RA && (w >> 20) === 0 && rd !== 0 && rd !== RA) {
      raRegister = rd;
    } else if (opcode === 0x63 || opcode === 0x6f || opcode === 0x67 || opcode === 0x73) {
      break; // a branch, jump, call, return or system instruction: past the prologue
    }
  }
  return { frameSize, raOffset, raRegister };
}

/** Is `ret` the return address of a call into `fn` (a jal to it, or a jalr, just before; 4 or 2 bytes long)? */
function returnsFrom(inspector: Inspector, vcpu: Vcpu, ret: number, fnAddress: number | undefined): boolean {
  for (const length of [4, 2]) {
    const at = (ret - length) >>> 0;
    const insn = readInstruction(inspector, vcpu, at);
    if (!insn || insn.length !== length || !isCall(insn.word)) continue;
    const w = insn.word;
    if ((w & 0x7f) !== 0x6f || fnAddress === undefined) return true;
    const imm = ((w >> 31) << 20) | (((w >>> 12) & 0xff) << 12) | (((w >>> 20) & 1) << 11) | (((w >>> 21) & 0x3ff) << 1);
    return ((at + imm) >>> 0) === fnAddress;
  }
  return false;
}

interface TrapLabel { (vector: number): string | undefined }

/** The frames of `vcpu`, innermost first, with a frame for each call inlined at a frame's pc. */
export function unwind(program: ProgramInfo, inspector: Inspector, vcpu: Vcpu, label: TrapLabel): StackFrame[] {
  const frames = unwindPhysical(program, inspector, vcpu, label);
  const dwarf = program.dwarf;
  if (!dwarf) return frames;
  const out: StackFrame[] = [];
  frames.forEach((f, i) => {
    const caller = i > 0 && frames[i - 1].kind !== 'trap';
    if (f.kind !== 'code') { out.push(f); return; }
    const chain = dwarf.inlineChainAt(caller ? (f.pc - 1) >>> 0 : f.pc);
    const physical = { ...f, caller, innermost: i === 0 };
    for (let k = chain.length; k >= 1; k--) {
      const below = chain[k]; // the call inlined into this one, if any: this frame is at its call site
      out.push({ ...physical, name: chain[k - 1].name, inlineLevel: k, inlineDie: chain[k - 1].die,
        ...(below ? { callSite: { file: below.callFile, line: below.callLine } } : {}) });
    }
    out.push(chain.length ? { ...physical, inlineLevel: 0, callSite: { file: chain[0].callFile, line: chain[0].callLine } } : physical);
  });
  return out;
}

/** The frames the registers and the stack hold, innermost first (no inlined calls). */
function unwindPhysical(program: ProgramInfo, inspector: Inspector, vcpu: Vcpu, label: TrapLabel): StackFrame[] {
  const cpu = vcpu.cpu;
  const frames: StackFrame[] = [];
  let pc = cpu.pc >>> 0, sp = cpu.x[SP] >>> 0;
  let ra: number | undefined = cpu.x[RA] >>> 0;
  let regs: (number | undefined)[] = Array.from(cpu.x, (x, i) => (i === 0 ? 0 : x >>> 0));
  const cfi = program.dwarf?.cfi;
  const usedTraps = new Set<string>();
  const mHandler = program.functionAt(trapTarget(cpu.mtvec, 0))?.address ?? trapTarget(cpu.mtvec, 0);
  const mHandlerIrq = program.functionAt(trapTarget(cpu.mtvec, 0x8000000b | 0))?.address ?? trapTarget(cpu.mtvec, 0x8000000b | 0);
  const sHandler = program.functionAt(trapTarget(cpu.stvec, 0))?.address ?? trapTarget(cpu.stvec, 0);
  for (let depth = 0; depth < MAX_FRAMES; depth++) {
    const fn = program.functionAt(pc);
    frames.push({ kind: 'code', pc, sp, name: fn ? fn.name : hex(pc), regs });
    const callerFrame = depth > 0 && frames[frames.length - 2]?.kind !== 'trap';
    const row = cfi?.rowAt(callerFrame ? (pc - 1) >>> 0 : pc);
    const isHandler = (fn?.address ?? pc) === mHandler || (fn?.address ?? pc) === mHandlerIrq || (fn?.address ?? pc) === sHandler;
    const read = (a: number): number | undefined => { try { return inspector.readVirt(vcpu, a, 4); } catch { return undefined; } };
    const u = row && !isHandler ? unwindRegisters(row, regs, read) : undefined;
    if (u) {
      const ret = u.returnAddress;
      if (ret === undefined || ret === 0 || (ret === pc && u.cfa === sp)) break;
      if (!returnsFrom(inspector, vcpu, ret >>> 0, fn?.address)) break;
      if (!program.functionAt(ret >>> 0) && !program.lineAt(ret >>> 0)) break;
      if (fn && (fn.name === '_start' || fn.address === program.image.entry)) break;
      pc = ret >>> 0;
      sp = u.cfa;
      regs = u.regs;
      ra = undefined;
      continue;
    }
    const prologue: Prologue = fn ? analyzePrologue(inspector, vcpu, fn.address, pc) : { frameSize: 0, raOffset: undefined, raRegister: undefined };
    const callerSp = (sp + prologue.frameSize) >>> 0;
    let savedRa: number | undefined;
    if (prologue.raOffset !== undefined) {
      try { savedRa = inspector.readVirt(vcpu, sp + prologue.raOffset, 4); } catch { savedRa = undefined; }
    } else if (prologue.raRegister !== undefined) {
      savedRa = cpu.x[prologue.raRegister] >>> 0;
    }
    // Inside a trap handler: the frame below is the trap, then the interrupted code.
    const fnStart = fn?.address ?? pc;
    const mode: 'M' | 'S' | undefined = (fnStart === mHandler || fnStart === mHandlerIrq || pc === mHandler) && !usedTraps.has('M') && (depth > 0 || cpu.priv === Priv.M)
      ? 'M' : (fnStart === sHandler || pc === sHandler) && cpu.stvec !== 0 && !usedTraps.has('S') ? 'S' : undefined;
    if (mode) {
      usedTraps.add(mode);
      const cause = mode === 'M' ? cpu.mcause : cpu.scause;
      const tval = (mode === 'M' ? cpu.mtval : cpu.stval) >>> 0;
      const epc = (mode === 'M' ? cpu.mepc : cpu.sepc) >>> 0;
      const interrupt = cause < 0;
      // The interrupted code's registers are in the handler's save area: where its CFI says (the C
      // runtime's trap.S describes it, examples/c/runtime), else unknown rather than guessed.
      const saved = row ? unwindRegisters(row, regs, read) : undefined;
      regs = saved ? saved.regs : regs.map((_, i) => (i === 0 ? 0 : undefined));
      const interruptedSp = saved?.regs[SP];
      frames.push({ kind: 'trap', pc: epc, sp: interruptedSp ?? callerSp, name: trapName(cause, tval, mode, label), trap: { cause: cause >>> 0, tval, epc, interrupt, mode }, regs });
      // The handler's saved ra (if it saved one) is the interrupted code's ra.
      ra = saved ? saved.regs[RA] : savedRa ?? (depth === 0 ? ra : undefined);
      pc = epc;
      sp = interruptedSp ?? callerSp;
      continue;
    }
    const ret = savedRa ?? (depth === 0 ? ra : undefined);
    if (ret === undefined || ret === 0 || (ret >>> 0) === pc && callerSp === sp) break;
    if (!returnsFrom(inspector, vcpu, ret >>> 0, fn?.address)) break; // ra is stale: this code was not called
    const retFn = program.functionAt(ret >>> 0);
    if (!retFn && !program.lineAt(ret >>> 0)) break; // not code we know: stop rather than invent frames
    if (fn && (fn.name === '_start' || fn.address === program.image.entry)) break;
    pc = ret >>> 0;
    sp = callerSp;
    regs = regs.slice();
    regs[SP] = callerSp;
    regs[RA] = undefined;
    ra = undefined;
  }
  return frames;
}

function trapName(cause: number, tval: number, mode: 'M' | 'S', label: TrapLabel): string {
  const code = cause & 0x7fffffff;
  if (cause < 0) {
    if (code === 11 || code === 9) {
      const l = label(tval & 0xff);
      return `interrupt ${hex(tval & 0xff)}${l ? ` (${l})` : ''}`;
    }
    return `interrupt: ${IRQ_NAMES[code] ?? `cause ${code}`} (${mode.toLowerCase()}cause ${hex(cause >>> 0)})`;
  }
  return `exception: ${CAUSE_NAMES[code] ?? `cause ${code}`} (${mode.toLowerCase()}cause ${code}, ${mode.toLowerCase()}tval ${hex(tval >>> 0)})`;
}

/** Is the instruction word a call (jal/jalr linking ra or t0)? A 16-bit one is expanded first (c.jal, c.jalr). */
export function isCall(word: number): boolean {
  if ((word & 3) !== 3) word = expandCompressed(word);
  const opcode = word & 0x7f, rd = (word >>> 7) & 31;
  return (opcode === 0x6f || opcode === 0x67) && (rd === 1 || rd === 5);
}
