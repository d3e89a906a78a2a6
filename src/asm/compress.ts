/**
 * The compressed (RVC) forms the assembler writes: the `c.*` mnemonics, and
 * under `.option rvc` the 16-bit form of an ordinary instruction, chosen as
 * GNU as 2.40 chooses it. gas keeps, for some mnemonics, compressed entries
 * ahead of the 32-bit ones in its opcode table (binutils opcodes/riscv-opc.c)
 * and takes the first entry whose operand constraints hold
 * (gas/config/tc-riscv.c riscv_ip). The choice therefore depends on the
 * mnemonic as written, not on the instruction it means: `addi a0, a0, 0`
 * becomes `c.mv a0, a0` but `add a0, a0, 0` becomes `c.addi a0, 0`.
 * Compressed immediates must be constants known at that line (a label or a
 * later `.equ` keeps the 32-bit form), as with gas. Branch and jump targets
 * are left to relaxation (gas-relax.ts). See docs/assembler.md, "The C extension".
 */
import { SourcePos } from './diagnostics';
import { Expr } from './expr';
import { Operand } from './parser';
import { registerName } from './registers';
import { COMPRESSED, CSlot, slotBits } from './rvc';

/**
 * Operand constraints, named after gas's operand letters (tc-riscv.c):
 *  d   any register, into rd (bits 11:7)
 *  CU  a register equal to rd          CV  any register, into rs2 (bits 6:2)
 *  Cs  x8–x15, into rs1' (bits 9:7)    Cw  equal to that rs1'
 *  Ct  x8–x15, into rs2'/rd' (4:2)     Cc  sp               Cz  zero
 *  Co  -32..31     Cj  -32..31, not 0  C>  shift 0..31      z   the number 0
 *  Cu  c.lui's 1..31 or 0xfffe0..0xfffff   Cv  li's value that c.lui makes
 *  CK  c.addi4spn 4..1020, ×4, not 0   CL  c.addi16sp -512..496, ×16, not 0
 *  Ck(Cs) c.lw offset 0..124, ×4       Cm(Cc) c.lwsp 0..252, ×4    CM(Cc) c.swsp 0..252, ×4
 *  Cp  branch target (±256 B)          Ca  jump target (±2 KiB)
 */
type Letter = 'd' | 'CU' | 'CV' | 'Cs' | 'Cw' | 'Ct' | 'Cc' | 'Cz' | 'Co' | 'Cj' | 'C>' | 'z' | 'Cu' | 'Cv'
  | 'CK' | 'CL' | 'Ck(Cs)' | 'Cm(Cc)' | 'CM(Cc)' | 'Cp' | 'Ca';

/** The extra checks gas's match functions make once every operand fits (riscv-opc.c match_*). */
type Check = 'none' | 'rdNonzero' | 'add' | 'addHint' | 'nop' | 'lui' | 'luiHint' | 'shiftNonzero' | 'slli';

interface Pattern {
  readonly letters: readonly Letter[];
  /** The compressed mnemonic it encodes as. */
  readonly c: string;
  readonly check: Check;
  /** Fixed bits beyond the form's match (`ret` is c.jr with rd = ra). */
  readonly extra?: number;
}

const p = (letters: string, c: string, check: Check = 'none', extra?: number): Pattern => ({
  letters: letters === '' ? [] : (letters.split(',') as Letter[]), c, check, extra,
});

/** What each compressed mnemonic encodes as: its match bits (c.nop is c.addi zero, 0). */
const MATCH = new Map<string, number>([...COMPRESSED.map((d): [string, number] => [d.mnemonic, d.match]), ['c.nop', 0x0001]]);

/** The `c.*` mnemonics and their operands, as gas accepts them for RV32C. */
export const EXPLICIT: ReadonlyMap<string, readonly Pattern[]> = new Map([
  ['c.unimp', [p('', 'c.unimp')]],
  ['c.ebreak', [p('', 'c.ebreak')]],
  ['c.nop', [p('', 'c.nop'), p('Cj', 'c.nop')]],
  ['c.addi4spn', [p('Ct,Cc,CK', 'c.addi4spn')]],
  ['c.lw', [p('Ct,Ck(Cs)', 'c.lw')]],
  ['c.sw', [p('Ct,Ck(Cs)', 'c.sw')]],
  ['c.addi', [p('d,Co', 'c.addi')]],
  ['c.jal', [p('Ca', 'c.jal')]],
  ['c.j', [p('Ca', 'c.j')]],
  ['c.li', [p('d,Co', 'c.li')]],
  ['c.addi16sp', [p('Cc,CL', 'c.addi16sp')]],
  ['c.lui', [p('d,Cu', 'c.lui', 'luiHint')]],
  ['c.srli', [p('Cs,C>', 'c.srli', 'shiftNonzero')]],
  ['c.srai', [p('Cs,C>', 'c.srai', 'shiftNonzero')]],
  ['c.andi', [p('Cs,Co', 'c.andi')]],
  ['c.sub', [p('Cs,Ct', 'c.sub')]],
  ['c.xor', [p('Cs,Ct', 'c.xor')]],
  ['c.or', [p('Cs,Ct', 'c.or')]],
  ['c.and', [p('Cs,Ct', 'c.and')]],
  ['c.beqz', [p('Cs,Cp', 'c.beqz')]],
  ['c.bnez', [p('Cs,Cp', 'c.bnez')]],
  ['c.slli', [p('d,C>', 'c.slli', 'shiftNonzero')]],
  ['c.slli64', [p('d', 'c.slli64')]],
  ['c.srli64', [p('Cs', 'c.srli64')]],
  ['c.srai64', [p('Cs', 'c.srai64')]],
  ['c.lwsp', [p('d,Cm(Cc)', 'c.lwsp', 'rdNonzero')]],
  ['c.swsp', [p('CV,CM(Cc)', 'c.swsp')]],
  ['c.jr', [p('d', 'c.jr', 'rdNonzero')]],
  ['c.jalr', [p('d', 'c.jalr', 'rdNonzero')]],
  ['c.mv', [p('d,CV', 'c.mv', 'addHint')]],
  ['c.add', [p('d,CV', 'c.add', 'addHint')]],
]);

const RA_RD = 1 << 7;

/**
 * Ordinary mnemonics with compressed entries ahead of their 32-bit ones, in gas 2.40's order.
 * (2.40 has no `jal` → `c.jal` entry: `jal label` stays 32-bit there.)
 */
const ALIASES: ReadonlyMap<string, readonly Pattern[]> = new Map([
  ['unimp', [p('', 'c.unimp')]],
  ['ebreak', [p('', 'c.ebreak')]],
  ['sbreak', [p('', 'c.ebreak')]],
  ['ret', [p('', 'c.jr', 'none', RA_RD)]],
  ['jr', [p('d', 'c.jr', 'rdNonzero')]],
  ['jalr', [p('d', 'c.jalr', 'rdNonzero')]],
  ['j', [p('Ca', 'c.j')]],
  ['nop', [p('', 'c.nop')]],
  ['lui', [p('d,Cu', 'c.lui', 'lui')]],
  ['li', [p('d,Cv', 'c.lui', 'lui'), p('d,Co', 'c.li', 'rdNonzero')]],
  ['mv', [p('d,CV', 'c.mv', 'add')]],
  ['move', [p('d,CV', 'c.mv', 'add')]],
  ['andi', [p('Cs,Cw,Co', 'c.andi')]],
  ['and', [p('Cs,Cw,Ct', 'c.and'), p('Cs,Ct,Cw', 'c.and'), p('Cs,Cw,Co', 'c.andi')]],
  ['beqz', [p('Cs,Cp', 'c.beqz')]],
  ['beq', [p('Cs,Cz,Cp', 'c.beqz')]],
  ['bnez', [p('Cs,Cp', 'c.bnez')]],
  ['bne', [p('Cs,Cz,Cp', 'c.bnez')]],
  ['addi', [
    p('Ct,Cc,CK', 'c.addi4spn'), p('d,CU,Cj', 'c.addi', 'rdNonzero'), p('d,CU,z', 'c.nop', 'nop'),
    p('Cc,Cc,CL', 'c.addi16sp'), p('d,Cz,Co', 'c.li', 'rdNonzero'), p('d,CV,z', 'c.mv', 'add'),
  ]],
  ['add', [
    p('d,CU,CV', 'c.add', 'add'), p('d,CV,CU', 'c.add', 'add'), p('d,CU,Co', 'c.addi', 'rdNonzero'),
    p('Ct,Cc,CK', 'c.addi4spn'), p('Cc,Cc,CL', 'c.addi16sp'), p('d,Cz,CV', 'c.mv', 'add'),
  ]],
  ['slli', [p('d,CU,C>', 'c.slli', 'slli')]],
  ['sll', [p('d,CU,C>', 'c.slli', 'slli')]],
  ['srli', [p('Cs,Cw,C>', 'c.srli', 'shiftNonzero')]],
  ['srl', [p('Cs,Cw,C>', 'c.srli', 'shiftNonzero')]],
  ['srai', [p('Cs,Cw,C>', 'c.srai', 'shiftNonzero')]],
  ['sra', [p('Cs,Cw,C>', 'c.srai', 'shiftNonzero')]],
  ['sub', [p('Cs,Cw,Ct', 'c.sub')]],
  ['lw', [p('d,Cm(Cc)', 'c.lwsp', 'rdNonzero'), p('Ct,Ck(Cs)', 'c.lw')]],
  ['or', [p('Cs,Cw,Ct', 'c.or'), p('Cs,Ct,Cw', 'c.or')]],
  ['sw', [p('CV,CM(Cc)', 'c.swsp'), p('Ct,Ck(Cs)', 'c.sw')]],
  ['xor', [p('Cs,Cw,Ct', 'c.xor'), p('Cs,Ct,Cw', 'c.xor')]],
]);

/** A compressed instruction: its halfword without the target, and the target of a branch or jump. */
export interface Compressed {
  readonly mnemonic: string;
  readonly half: number;
  readonly target?: { readonly expr: Expr; readonly slot: 'cj' | 'cb' };
}

/** Why an operand does not fit a compressed form (for `c.*` mnemonics, where it is an error). */
interface Mismatch {
  readonly pos: SourcePos;
  readonly message: string;
}

/** The value of an expression if it is an absolute constant at this line (gas's O_constant). */
type ConstantNow = (expr: Expr) => bigint | undefined;

interface Fields {
  rd: number;
  rs2: number;
  rs1c: number;
  rs2c: number;
  imm: number;
  immSlot?: CSlot;
  target?: { expr: Expr; slot: 'cj' | 'cb' };
}

const CREGS = "x8–x15 (s0, s1, a0–a5)";

const rangeText: Readonly<Partial<Record<Letter, string>>> = {
  Co: '-32..31', Cj: '-32..31, not 0', 'C>': '0..31', Cu: '1..31 or 0xfffe0..0xfffff',
  CK: 'a multiple of 4 in 4..1020', CL: 'a multiple of 16 in -512..496, not 0',
  'Ck(Cs)': 'a multiple of 4 in 0..124', 'Cm(Cc)': 'a multiple of 4 in 0..252', 'CM(Cc)': 'a multiple of 4 in 0..252',
};

const isLui = (v: bigint): boolean => v > 0n && v < 1n << 20n && (v < 32n || v >= (1n << 20n) - 32n);

/** Whether a constant fits the immediate of a letter; the value to encode. */
function immediate(letter: Letter, v: bigint): number | undefined {
  const n = Number(v);
  const multiple = (k: number, lo: number, hi: number): boolean => v >= BigInt(lo) && v <= BigInt(hi) && n % k === 0;
  switch (letter) {
    case 'Co': return v >= -32n && v <= 31n ? n : undefined;
    case 'Cj': return v >= -32n && v <= 31n && v !== 0n ? n : undefined;
    case 'C>': return v >= 0n && v < 32n ? n : undefined;
    case 'z': return v === 0n ? 0 : undefined;
    case 'Cu': return isLui(v) ? n & 0x3f : undefined;
    case 'Cv': {
      if ((v & 0xfffn) !== 0n || BigInt.asIntN(32, v) !== v) return undefined;
      const upper = BigInt.asUintN(32, v) >> 12n;
      return isLui(upper) ? Number(upper) & 0x3f : undefined;
    }
    case 'CK': return multiple(4, 4, 1020) ? n : undefined;
    case 'CL': return multiple(16, -512, 496) && n !== 0 ? n : undefined;
    case 'Ck(Cs)': return multiple(4, 0, 124) ? n : undefined;
    case 'Cm(Cc)': case 'CM(Cc)': return multiple(4, 0, 252) ? n : undefined;
    default: return undefined;
  }
}

const IMM_SLOT: Readonly<Partial<Record<Letter, CSlot>>> = {
  Co: 'imm6', Cj: 'imm6', 'C>': 'shamt', Cu: 'luiimm', Cv: 'luiimm', CK: 'addi4spn', CL: 'addi16sp',
  'Ck(Cs)': "lw(rs1')", 'Cm(Cc)': 'lwsp(sp)', 'CM(Cc)': 'swsp(sp)',
};

/** Matches one pattern; a Mismatch says which operand failed and why. */
function matchPattern(pat: Pattern, mnemonic: string, ops: readonly Operand[], pos: SourcePos, constantNow: ConstantNow): Fields | Mismatch {
  if (ops.length !== pat.letters.length) {
    const want = pat.letters.length;
    return { pos: ops[want]?.pos ?? pos, message: `${mnemonic} takes ${want} operand${want === 1 ? '' : 's'}, found ${ops.length}` };
  }
  const f: Fields = { rd: 0, rs2: 0, rs1c: 8, rs2c: 8, imm: 0 };
  for (let i = 0; i < ops.length; i++) {
    const miss = matchOperand(pat.letters[i], ops[i], f, mnemonic, constantNow);
    if (miss) return miss;
  }
  const failed = failedCheck(pat.check, f);
  return failed ? { pos, message: `${mnemonic}: ${failed}` } : f;
}

function register(op: Operand, mnemonic: string): number | Mismatch {
  return op.kind === 'reg' ? op.reg : { pos: op.pos, message: `${mnemonic}: expected a register` };
}

function matchOperand(letter: Letter, op: Operand, f: Fields, mnemonic: string, constantNow: ConstantNow): Mismatch | undefined {
  const bad = (message: string): Mismatch => ({ pos: op.pos, message: `${mnemonic}: ${message}` });
  switch (letter) {
    case 'd': case 'CU': case 'CV': case 'Cs': case 'Cw': case 'Ct': case 'Cc': case 'Cz': {
      const r = register(op, mnemonic);
      if (typeof r !== 'number') return r;
      return registerOperand(letter, r, f, bad);
    }
    case 'Cp': case 'Ca':
      if (op.kind !== 'expr') return bad('expected a branch target');
      f.target = { expr: op.expr, slot: letter === 'Cp' ? 'cb' : 'cj' };
      return undefined;
    case 'Ck(Cs)': case 'Cm(Cc)': case 'CM(Cc)': {
      if (op.kind !== 'mem') return bad('expected offset(register)');
      const baseMiss = registerOperand(letter === 'Ck(Cs)' ? 'Cs' : 'Cc', op.base, f, (m) => ({ pos: op.pos, message: `${mnemonic}: ${m}` }));
      if (baseMiss) return baseMiss;
      return immediateOperand(letter, op.offset, op.pos, f, bad, constantNow);
    }
    default:
      if (op.kind !== 'expr') return bad(`expected an immediate (${rangeText[letter] ?? '0'})`);
      return immediateOperand(letter, op.expr, op.pos, f, bad, constantNow);
  }
}

function registerOperand(letter: Letter, r: number, f: Fields, bad: (m: string) => Mismatch): Mismatch | undefined {
  const compressedReg = r >= 8 && r <= 15;
  switch (letter) {
    case 'd': f.rd = r; return undefined;
    case 'CU': return r === f.rd ? undefined : bad(`the source register must be the destination ${registerName(f.rd)}`);
    case 'CV': f.rs2 = r; return undefined;
    case 'Cs': if (!compressedReg) return bad(`${registerName(r)} is not one of ${CREGS}`); f.rs1c = r; return undefined;
    case 'Cw': return r === f.rs1c ? undefined : bad(`the source register must be the destination ${registerName(f.rs1c)}`);
    case 'Ct': if (!compressedReg) return bad(`${registerName(r)} is not one of ${CREGS}`); f.rs2c = r; return undefined;
    case 'Cc': return r === 2 ? undefined : bad(`expected sp, found ${registerName(r)}`);
    case 'Cz': return r === 0 ? undefined : bad(`expected zero, found ${registerName(r)}`);
    default: return bad('expected a register');
  }
}

function immediateOperand(letter: Letter, e: Expr | null, pos: SourcePos, f: Fields, bad: (m: string) => Mismatch, constantNow: ConstantNow): Mismatch | undefined {
  const v = e === null ? 0n : e.kind === 'reloc' ? undefined : constantNow(e);
  if (v === undefined) return bad('the immediate must be a constant known at this line');
  const n = immediate(letter, v);
  if (n === undefined) return { pos: e?.pos ?? pos, message: bad(`immediate ${v} out of range (${rangeText[letter] ?? '0'})`).message };
  f.imm = n;
  f.immSlot = IMM_SLOT[letter];
  return undefined;
}

function failedCheck(check: Check, f: Fields): string | undefined {
  const luiImm = f.imm & 0x3f;
  switch (check) {
    case 'none': return undefined;
    case 'rdNonzero': return f.rd !== 0 ? undefined : 'the destination register must not be zero';
    case 'add': return f.rd !== 0 && f.rs2 !== 0 ? undefined : 'neither register may be zero';
    case 'addHint': return f.rs2 !== 0 ? undefined : 'the source register must not be zero';
    case 'nop': return f.rd === 0 ? undefined : 'not a nop';
    case 'lui': return f.rd !== 0 && f.rd !== 2 && luiImm !== 0 ? undefined : 'the destination must not be zero or sp';
    case 'luiHint': return f.rd !== 2 && luiImm !== 0 ? undefined : 'the destination must not be sp (that is c.addi16sp)';
    case 'shiftNonzero': return f.imm !== 0 ? undefined : 'the shift amount must not be 0';
    case 'slli': return f.rd !== 0 && f.imm !== 0 ? undefined : 'the shift amount and the register must not be 0';
  }
}

function build(pat: Pattern, f: Fields): Compressed {
  const regs = letterSet(pat);
  let half = MATCH.get(pat.c)! | (pat.extra ?? 0);
  if (regs.has('d')) half |= f.rd << 7;
  if (regs.has('CV')) half |= f.rs2 << 2;
  if (regs.has('Cs') || regs.has('Ck(Cs)')) half |= (f.rs1c - 8) << 7;
  if (regs.has('Ct')) half |= (f.rs2c - 8) << 2;
  if (f.immSlot) half |= slotBits(f.immSlot, f.imm);
  return { mnemonic: pat.c, half: half & 0xffff, target: f.target };
}

const letterCache = new Map<Pattern, Set<Letter>>();
function letterSet(pat: Pattern): Set<Letter> {
  let s = letterCache.get(pat);
  if (!s) letterCache.set(pat, (s = new Set(pat.letters)));
  return s;
}

/**
 * The compressed form of an ordinary instruction under `.option rvc`, or undefined when gas keeps
 * the 32-bit one (no compressed entry fits).
 */
export function compressAlias(mnemonic: string, ops: readonly Operand[], pos: SourcePos, constantNow: ConstantNow): Compressed | undefined {
  for (const pat of ALIASES.get(mnemonic) ?? []) {
    const f = matchPattern(pat, mnemonic, ops, pos, constantNow);
    if (!('message' in f)) return build(pat, f);
  }
  return undefined;
}

/** A `c.*` mnemonic's encoding; throws nothing, a Mismatch names the operand at fault. */
export function compressExplicit(mnemonic: string, ops: readonly Operand[], pos: SourcePos, constantNow: ConstantNow): Compressed | Mismatch {
  const pats = EXPLICIT.get(mnemonic) ?? [];
  let first: Mismatch | undefined;
  let sameCount: Mismatch | undefined;
  for (const pat of pats) {
    const f = matchPattern(pat, mnemonic, ops, pos, constantNow);
    if (!('message' in f)) return build(pat, f);
    first ??= f;
    // Prefer the complaint of a form with the right operand count.
    if (pat.letters.length === ops.length) sameCount ??= f;
  }
  return sameCount ?? first ?? { pos, message: `unknown instruction '${mnemonic}'` };
}

/** The compressed mnemonics an ordinary mnemonic may become under `.option rvc` (for hover). */
export function compressedFormsOf(mnemonic: string): string[] {
  return [...new Set((ALIASES.get(mnemonic) ?? []).map((pat) => pat.c))];
}

/** The operand syntax of a `c.*` mnemonic for completion and hover (`rd', sp, nzuimm`). */
export function explicitSyntax(mnemonic: string): string[] {
  return (EXPLICIT.get(mnemonic) ?? []).map((pat) => pat.letters.map((l) => letterText(l, mnemonic)).join(', '));
}

function letterText(l: Letter, mnemonic: string): string {
  switch (l) {
    case 'd': return 'rd';
    case 'CV': return 'rs2';
    case 'Cs': return mnemonic === 'c.beqz' || mnemonic === 'c.bnez' ? "rs1'" : "rd'";
    case 'Ct': return mnemonic === 'c.addi4spn' || mnemonic === 'c.lw' ? "rd'" : "rs2'";
    case 'Cc': return 'sp';
    case 'Co': case 'Cj': return 'imm6';
    case 'C>': return 'shamt';
    case 'Cu': case 'CL': return 'nzimm';
    case 'CK': return 'nzuimm';
    case 'Ck(Cs)': return "uimm(rs1')";
    case 'Cm(Cc)': case 'CM(Cc)': return 'uimm(sp)';
    case 'Cp': case 'Ca': return 'target';
    default: return l;
  }
}
