/**
 * The instruction set Hyperstep assembles and disassembles: RV32I, M, A, Zicsr,
 * Zifencei, the privileged instructions, and the `vmcall` hypercall. One table
 * serves the assembler (mnemonic and operand syntax), the disassembler
 * (match/mask, in objdump's order) and the language server (hover, completion).
 *
 * match/mask follow binutils' riscv-opc.c: a word is this instruction when
 * `(word & mask) === match`.
 */

type Extension = 'RV32I' | 'M' | 'A' | 'Zicsr' | 'Zifencei' | 'Privileged' | 'Legacy' | 'Hyperstep';

/** The base format of the spec (chapter 2.2), refined where operands differ. */
type InstructionFormat =
  | 'R' | 'I' | 'S' | 'B' | 'U' | 'J'
  | 'shift' | 'csr' | 'csr-imm' | 'fence' | 'atomic' | 'system';

export interface InstructionDef {
  readonly mnemonic: string;
  readonly format: InstructionFormat;
  /** Operand syntax as written in assembly, e.g. `rd, offset(rs1)`. */
  readonly syntax: string;
  readonly match: number;
  readonly mask: number;
  readonly extension: Extension;
  /** One line of semantics for hover. */
  readonly semantics: string;
}

/*
 * Operand slots that appear in `syntax`:
 * - `rd`, `rs1`, `rs2`: integer registers
 * - `imm`: 12-bit signed immediate (I-type), `%lo`/`%pcrel_lo` allowed
 * - `offset(rs1)`: a memory operand, offset as `imm` (I-type for loads and jalr, S-type for stores)
 * - `(rs1)`: an atomic's address register, written `(rs1)` or `0(rs1)`
 * - `shamt`: shift amount 0–31
 * - `uimm20`: 20-bit upper immediate, `%hi`/`%pcrel_hi` allowed
 * - `target`: a pc-relative branch or jump target
 * - `csr`: a CSR name or number 0–4095
 * - `zimm`: 5-bit unsigned immediate of the CSR*I forms
 * - `pred`, `succ`: fence sets (`iorw` subsets)
 */

const OPCODE = {
  LOAD: 0x03, CUSTOM0: 0x0b, MISC_MEM: 0x0f, OP_IMM: 0x13, AUIPC: 0x17, STORE: 0x23,
  AMO: 0x2f, OP: 0x33, LUI: 0x37, BRANCH: 0x63, JALR: 0x67, JAL: 0x6f, SYSTEM: 0x73,
} as const;

const MASK_OPCODE = 0x7f;
const MASK_FUNCT3 = 0x707f;
const MASK_FUNCT7 = 0xfe00707f;
const MASK_FUNCT6 = 0xfc00707f;
const MASK_RS2 = 0x1f00000;
const MASK_AMO_FUNCT5 = 0xf800707f;
const MASK_AQRL = 0x06000000;
const EXACT = 0xffffffff;

function def(
  mnemonic: string, format: InstructionFormat, syntax: string,
  match: number, mask: number, extension: Extension, semantics: string,
): InstructionDef {
  return { mnemonic, format, syntax, match: match >>> 0, mask: mask >>> 0, extension, semantics };
}

function f3(opcode: number, funct3: number): number {
  return opcode | (funct3 << 12);
}

function f7(opcode: number, funct3: number, funct7: number): number {
  return opcode | (funct3 << 12) | (funct7 << 25);
}

function rType(mn: string, funct3: number, funct7: number, ext: Extension, sem: string): InstructionDef {
  return def(mn, 'R', 'rd, rs1, rs2', f7(OPCODE.OP, funct3, funct7), MASK_FUNCT7, ext, sem);
}

function opImm(mn: string, funct3: number, sem: string): InstructionDef {
  return def(mn, 'I', 'rd, rs1, imm', f3(OPCODE.OP_IMM, funct3), MASK_FUNCT3, 'RV32I', sem);
}

/** Shifts by immediate: objdump matches a 6-bit shamt field (funct6), as on RV64. */
function shiftImm(mn: string, funct3: number, funct6: number, sem: string): InstructionDef {
  return def(mn, 'shift', 'rd, rs1, shamt', f3(OPCODE.OP_IMM, funct3) | (funct6 << 26), MASK_FUNCT6, 'RV32I', sem);
}

function load(mn: string, funct3: number, sem: string): InstructionDef {
  return def(mn, 'I', 'rd, offset(rs1)', f3(OPCODE.LOAD, funct3), MASK_FUNCT3, 'RV32I', sem);
}

function store(mn: string, funct3: number, sem: string): InstructionDef {
  return def(mn, 'S', 'rs2, offset(rs1)', f3(OPCODE.STORE, funct3), MASK_FUNCT3, 'RV32I', sem);
}

function branch(mn: string, funct3: number, sem: string): InstructionDef {
  return def(mn, 'B', 'rs1, rs2, target', f3(OPCODE.BRANCH, funct3), MASK_FUNCT3, 'RV32I', sem);
}

function csr(mn: string, funct3: number, sem: string): InstructionDef {
  const imm = funct3 >= 5;
  return def(mn, imm ? 'csr-imm' : 'csr', imm ? 'rd, csr, zimm' : 'rd, csr, rs1',
    f3(OPCODE.SYSTEM, funct3), MASK_FUNCT3, 'Zicsr', sem);
}

function system(mn: string, word: number, ext: Extension, sem: string): InstructionDef {
  return def(mn, 'system', '', word, EXACT, ext, sem);
}

const AMO_ORDERINGS: readonly [suffix: string, bits: number][] = [
  ['', 0], ['.aq', 2], ['.rl', 1], ['.aqrl', 3],
];

/** One entry per ordering suffix, as binutils lists them (chapter 8.4 "Atomic Memory Operations"). */
function atomic(base: string, funct5: number, sem: string): InstructionDef[] {
  const isLr = base === 'lr.w';
  const syntax = isLr ? 'rd, (rs1)' : 'rd, rs2, (rs1)';
  const mask = MASK_AMO_FUNCT5 | MASK_AQRL | (isLr ? MASK_RS2 : 0);
  return AMO_ORDERINGS.map(([suffix, bits]) =>
    def(`${base}${suffix}`, 'atomic', syntax, f3(OPCODE.AMO, 2) | (funct5 << 27) | (bits << 25), mask, 'A',
      suffix ? `${sem} (${suffix.slice(1)} ordering)` : sem));
}

/**
 * In binutils order within each major opcode, which is what objdump's
 * first-match decoding (with -M no-aliases) depends on.
 */
export const INSTRUCTIONS: readonly InstructionDef[] = [
  def('lui', 'U', 'rd, uimm20', OPCODE.LUI, MASK_OPCODE, 'RV32I', 'rd = uimm20 << 12'),
  def('auipc', 'U', 'rd, uimm20', OPCODE.AUIPC, MASK_OPCODE, 'RV32I', 'rd = pc + (uimm20 << 12)'),
  def('jal', 'J', 'rd, target', OPCODE.JAL, MASK_OPCODE, 'RV32I', 'rd = pc + 4; pc = target (±1 MiB)'),
  def('jalr', 'I', 'rd, offset(rs1)', OPCODE.JALR, MASK_FUNCT3, 'RV32I',
    'rd = pc + 4; pc = (rs1 + offset) & ~1'),
  branch('beq', 0, 'if (rs1 == rs2) pc = target (±4 KiB)'),
  branch('bne', 1, 'if (rs1 != rs2) pc = target (±4 KiB)'),
  branch('blt', 4, 'if (rs1 < rs2, signed) pc = target (±4 KiB)'),
  branch('bge', 5, 'if (rs1 >= rs2, signed) pc = target (±4 KiB)'),
  branch('bltu', 6, 'if (rs1 < rs2, unsigned) pc = target (±4 KiB)'),
  branch('bgeu', 7, 'if (rs1 >= rs2, unsigned) pc = target (±4 KiB)'),
  load('lb', 0, 'rd = sign-extend(mem8[rs1 + offset])'),
  load('lh', 1, 'rd = sign-extend(mem16[rs1 + offset])'),
  load('lw', 2, 'rd = mem32[rs1 + offset]'),
  load('lbu', 4, 'rd = zero-extend(mem8[rs1 + offset])'),
  load('lhu', 5, 'rd = zero-extend(mem16[rs1 + offset])'),
  store('sb', 0, 'mem8[rs1 + offset] = rs2[7:0]'),
  store('sh', 1, 'mem16[rs1 + offset] = rs2[15:0]'),
  store('sw', 2, 'mem32[rs1 + offset] = rs2'),
  opImm('addi', 0, 'rd = rs1 + imm'),
  opImm('slti', 2, 'rd = (rs1 < imm, signed) ? 1 : 0'),
  opImm('sltiu', 3, 'rd = (rs1 < imm, unsigned) ? 1 : 0'),
  opImm('xori', 4, 'rd = rs1 ^ imm'),
  opImm('ori', 6, 'rd = rs1 | imm'),
  opImm('andi', 7, 'rd = rs1 & imm'),
  shiftImm('slli', 1, 0x00, 'rd = rs1 << shamt'),
  shiftImm('srli', 5, 0x00, 'rd = rs1 >> shamt (logical)'),
  shiftImm('srai', 5, 0x10, 'rd = rs1 >> shamt (arithmetic)'),
  rType('add', 0, 0x00, 'RV32I', 'rd = rs1 + rs2'),
  rType('sub', 0, 0x20, 'RV32I', 'rd = rs1 - rs2'),
  rType('sll', 1, 0x00, 'RV32I', 'rd = rs1 << rs2[4:0]'),
  rType('slt', 2, 0x00, 'RV32I', 'rd = (rs1 < rs2, signed) ? 1 : 0'),
  rType('sltu', 3, 0x00, 'RV32I', 'rd = (rs1 < rs2, unsigned) ? 1 : 0'),
  rType('xor', 4, 0x00, 'RV32I', 'rd = rs1 ^ rs2'),
  rType('srl', 5, 0x00, 'RV32I', 'rd = rs1 >> rs2[4:0] (logical)'),
  rType('sra', 5, 0x20, 'RV32I', 'rd = rs1 >> rs2[4:0] (arithmetic)'),
  rType('or', 6, 0x00, 'RV32I', 'rd = rs1 | rs2'),
  rType('and', 7, 0x00, 'RV32I', 'rd = rs1 & rs2'),
  rType('mul', 0, 0x01, 'M', 'rd = (rs1 * rs2)[31:0]'),
  rType('mulh', 1, 0x01, 'M', 'rd = (rs1 * rs2)[63:32], signed × signed'),
  rType('mulhsu', 2, 0x01, 'M', 'rd = (rs1 * rs2)[63:32], signed × unsigned'),
  rType('mulhu', 3, 0x01, 'M', 'rd = (rs1 * rs2)[63:32], unsigned × unsigned'),
  rType('div', 4, 0x01, 'M', 'rd = rs1 / rs2 (signed; /0 gives -1)'),
  rType('divu', 5, 0x01, 'M', 'rd = rs1 / rs2 (unsigned; /0 gives 2^32-1)'),
  rType('rem', 6, 0x01, 'M', 'rd = rs1 % rs2 (signed; %0 gives rs1)'),
  rType('remu', 7, 0x01, 'M', 'rd = rs1 % rs2 (unsigned; %0 gives rs1)'),
  // Chapter 2.7 "Memory Ordering Instructions": fm, rd and rs1 must be zero except for fence.tso.
  def('fence', 'fence', 'pred, succ', OPCODE.MISC_MEM, 0xf00fffff, 'RV32I',
    'order the pred accesses (i, o, r, w) before the succ accesses'),
  def('fence.tso', 'fence', '', 0x8330000f, EXACT, 'RV32I', 'fence rw,rw with total store ordering'),
  def('fence.i', 'system', '', f3(OPCODE.MISC_MEM, 1), EXACT, 'Zifencei',
    'synchronize instruction fetch with earlier stores of this hart'),
  ...atomic('lr.w', 0x02, 'rd = mem32[rs1]; reserve rs1'),
  ...atomic('sc.w', 0x03, 'if reserved: mem32[rs1] = rs2, rd = 0; else rd = 1'),
  ...atomic('amoswap.w', 0x01, 'rd = mem32[rs1]; mem32[rs1] = rs2'),
  ...atomic('amoadd.w', 0x00, 'rd = mem32[rs1]; mem32[rs1] += rs2'),
  ...atomic('amoxor.w', 0x04, 'rd = mem32[rs1]; mem32[rs1] ^= rs2'),
  ...atomic('amoand.w', 0x0c, 'rd = mem32[rs1]; mem32[rs1] &= rs2'),
  ...atomic('amoor.w', 0x08, 'rd = mem32[rs1]; mem32[rs1] |= rs2'),
  ...atomic('amomin.w', 0x10, 'rd = mem32[rs1]; mem32[rs1] = min(that, rs2), signed'),
  ...atomic('amomax.w', 0x14, 'rd = mem32[rs1]; mem32[rs1] = max(that, rs2), signed'),
  ...atomic('amominu.w', 0x18, 'rd = mem32[rs1]; mem32[rs1] = min(that, rs2), unsigned'),
  ...atomic('amomaxu.w', 0x1c, 'rd = mem32[rs1]; mem32[rs1] = max(that, rs2), unsigned'),
  // `unimp` is csrrw zero, cycle, zero: a write to a read-only CSR, so always illegal.
  system('unimp', 0xc0001073, 'RV32I', 'illegal instruction (csrrw zero, cycle, zero)'),
  system('ecall', 0x00000073, 'RV32I', 'environment call: trap to the next more privileged mode'),
  system('ebreak', 0x00100073, 'RV32I', 'breakpoint trap (under the debugger: stop here)'),
  csr('csrrw', 1, 'rd = csr; csr = rs1'),
  csr('csrrs', 2, 'rd = csr; csr |= rs1'),
  csr('csrrc', 3, 'rd = csr; csr &= ~rs1'),
  csr('csrrwi', 5, 'rd = csr; csr = zimm'),
  csr('csrrsi', 6, 'rd = csr; csr |= zimm'),
  csr('csrrci', 7, 'rd = csr; csr &= ~zimm'),
  system('uret', 0x00200073, 'Legacy', 'return from a U-mode trap (N extension, not supported)'),
  system('sret', 0x10200073, 'Privileged', 'return from an S-mode trap: pc = sepc, mode = sstatus.SPP'),
  system('hret', 0x20200073, 'Legacy', 'obsolete H-mode return (not supported)'),
  system('mret', 0x30200073, 'Privileged', 'return from an M-mode trap: pc = mepc, mode = mstatus.MPP'),
  system('dret', 0x7b200073, 'Legacy', 'return from debug mode (not supported)'),
  system('sfence.vm', 0x10400073, 'Legacy', 'obsolete priv-1.9 TLB flush (not supported)'),
  def('sfence.vm', 'system', 'rs1', 0x10400073, 0xfff07fff, 'Legacy', 'obsolete priv-1.9 TLB flush (not supported)'),
  def('sfence.vma', 'R', 'rs1, rs2', 0x12000073, 0xfe007fff, 'Privileged',
    'flush TLB entries for address rs1 (zero: all) and ASID rs2 (zero: all)'),
  system('wfi', 0x10500073, 'Privileged', 'wait for interrupt (the guest\'s HLT)'),
  system('vmcall', 0x0000000b, 'Hyperstep',
    'hypercall: exit to the hypervisor; number in a7, arguments a0–a3, result in a0'),
];

/** Fence sets as objdump prints them (riscv-opc.c riscv_pred_succ): bit 3 = i, 2 = o, 1 = r, 0 = w. */
export const FENCE_SETS: readonly string[] = [
  'unknown', 'w', 'r', 'rw', 'o', 'ow', 'or', 'orw', 'i', 'iw', 'ir', 'irw', 'io', 'iow', 'ior', 'iorw',
];

export type MacroKind = 'li' | 'la' | 'call' | 'tail' | 'jump' | 'load' | 'store';

/**
 * Pseudo-instructions and the alternative operand forms GNU as accepts.
 * A template expansion (`macro` absent) is the real instruction(s) the form
 * becomes, written with the slot names of `syntax`; the assembler executes it
 * as written. A macro's `expansion` documents code in pseudo.ts.
 */
export interface PseudoDef {
  readonly mnemonic: string;
  readonly syntax: string;
  readonly expansion: string;
  readonly description: string;
  readonly macro?: MacroKind;
}

function pseudo(mnemonic: string, syntax: string, expansion: string, description: string): PseudoDef {
  return { mnemonic, syntax, expansion, description };
}

function macro(mnemonic: string, syntax: string, kind: MacroKind, expansion: string, description: string): PseudoDef {
  return { mnemonic, syntax, expansion, description, macro: kind };
}

const ALU_IMM_ALIASES: readonly [string, string][] = [
  ['add', 'addi'], ['and', 'andi'], ['or', 'ori'], ['xor', 'xori'], ['slt', 'slti'], ['sltu', 'sltiu'],
];
const SHIFT_ALIASES: readonly [string, string][] = [['sll', 'slli'], ['srl', 'srli'], ['sra', 'srai']];
const COUNTERS = ['cycle', 'time', 'instret', 'cycleh', 'timeh', 'instreth'];
const LOADS = ['lb', 'lh', 'lw', 'lbu', 'lhu'];
const STORES = ['sb', 'sh', 'sw'];

function csrAccessForms(): PseudoDef[] {
  const out: PseudoDef[] = [pseudo('csrr', 'rd, csr', 'csrrs rd, csr, zero', 'read a CSR')];
  for (const [op, verb] of [['w', 'write'], ['s', 'set bits in'], ['c', 'clear bits in']]) {
    out.push(pseudo(`csr${op}`, 'csr, rs1', `csrr${op} zero, csr, rs1`, `${verb} a CSR`));
    out.push(pseudo(`csr${op}`, 'csr, zimm', `csrr${op}i zero, csr, zimm`, `${verb} a CSR (immediate)`));
    out.push(pseudo(`csr${op}i`, 'csr, zimm', `csrr${op}i zero, csr, zimm`, `${verb} a CSR (immediate)`));
    out.push(pseudo(`csrr${op}`, 'rd, csr, zimm', `csrr${op}i rd, csr, zimm`, `csrr${op}i written without the i`));
  }
  return out;
}

export const PSEUDO_INSTRUCTIONS: readonly PseudoDef[] = [
  pseudo('nop', '', 'addi zero, zero, 0', 'no operation'),
  macro('li', 'rd, imm', 'li', 'addi rd, zero, imm | lui rd, %hi(imm) [; addi rd, rd, %lo(imm)]',
    'load a 32-bit constant (one or two instructions, as GNU as)'),
  macro('la', 'rd, symbol', 'la',
    '1: auipc rd, %pcrel_hi(symbol); addi rd, rd, %pcrel_lo(1b)', 'load an address, pc-relative (non-PIC); li for a constant'),
  macro('lla', 'rd, symbol', 'la',
    '1: auipc rd, %pcrel_hi(symbol); addi rd, rd, %pcrel_lo(1b)', 'load a local address, pc-relative; li for a constant'),
  pseudo('mv', 'rd, rs1', 'addi rd, rs1, 0', 'copy a register'),
  pseudo('move', 'rd, rs1', 'addi rd, rs1, 0', 'copy a register'),
  pseudo('not', 'rd, rs1', 'xori rd, rs1, -1', 'one\'s complement'),
  pseudo('neg', 'rd, rs2', 'sub rd, zero, rs2', 'two\'s complement'),
  pseudo('seqz', 'rd, rs1', 'sltiu rd, rs1, 1', 'rd = (rs1 == 0)'),
  pseudo('snez', 'rd, rs2', 'sltu rd, zero, rs2', 'rd = (rs2 != 0)'),
  pseudo('sltz', 'rd, rs1', 'slt rd, rs1, zero', 'rd = (rs1 < 0)'),
  pseudo('sgtz', 'rd, rs2', 'slt rd, zero, rs2', 'rd = (rs2 > 0)'),
  pseudo('sgt', 'rd, rs1, rs2', 'slt rd, rs2, rs1', 'rd = (rs1 > rs2, signed)'),
  pseudo('sgtu', 'rd, rs1, rs2', 'sltu rd, rs2, rs1', 'rd = (rs1 > rs2, unsigned)'),
  pseudo('zext.b', 'rd, rs1', 'andi rd, rs1, 255', 'zero-extend a byte'),
  ...ALU_IMM_ALIASES.map(([mn, real]) => pseudo(mn, 'rd, rs1, imm', `${real} rd, rs1, imm`, `${real} written without the i`)),
  ...SHIFT_ALIASES.map(([mn, real]) => pseudo(mn, 'rd, rs1, shamt', `${real} rd, rs1, shamt`, `${real} written without the i`)),
  pseudo('beqz', 'rs1, target', 'beq rs1, zero, target', 'branch if rs1 == 0'),
  pseudo('bnez', 'rs1, target', 'bne rs1, zero, target', 'branch if rs1 != 0'),
  pseudo('blez', 'rs2, target', 'bge zero, rs2, target', 'branch if rs2 <= 0'),
  pseudo('bgez', 'rs1, target', 'bge rs1, zero, target', 'branch if rs1 >= 0'),
  pseudo('bltz', 'rs1, target', 'blt rs1, zero, target', 'branch if rs1 < 0'),
  pseudo('bgtz', 'rs2, target', 'blt zero, rs2, target', 'branch if rs2 > 0'),
  pseudo('bgt', 'rs1, rs2, target', 'blt rs2, rs1, target', 'branch if rs1 > rs2, signed'),
  pseudo('ble', 'rs1, rs2, target', 'bge rs2, rs1, target', 'branch if rs1 <= rs2, signed'),
  pseudo('bgtu', 'rs1, rs2, target', 'bltu rs2, rs1, target', 'branch if rs1 > rs2, unsigned'),
  pseudo('bleu', 'rs1, rs2, target', 'bgeu rs2, rs1, target', 'branch if rs1 <= rs2, unsigned'),
  pseudo('j', 'target', 'jal zero, target', 'jump (±1 MiB)'),
  pseudo('jal', 'target', 'jal ra, target', 'call (±1 MiB), return address in ra'),
  pseudo('jr', 'rs1', 'jalr zero, 0(rs1)', 'jump to register'),
  pseudo('jr', 'offset(rs1)', 'jalr zero, offset(rs1)', 'jump to register plus offset'),
  pseudo('jr', 'rs1, imm', 'jalr zero, imm(rs1)', 'jump to register plus offset'),
  pseudo('jalr', 'rs1', 'jalr ra, 0(rs1)', 'call register'),
  pseudo('jalr', 'offset(rs1)', 'jalr ra, offset(rs1)', 'call register plus offset'),
  pseudo('jalr', 'rs1, imm', 'jalr ra, imm(rs1)', 'call register plus offset'),
  pseudo('jalr', 'rd, rs1', 'jalr rd, 0(rs1)', 'jump to register, link in rd'),
  pseudo('jalr', 'rd, rs1, imm', 'jalr rd, imm(rs1)', 'jump to register plus offset, link in rd'),
  pseudo('ret', '', 'jalr zero, 0(ra)', 'return'),
  macro('call', 'symbol', 'call', 'auipc ra, %pcrel_hi(symbol); jalr ra, %pcrel_lo(...)(ra)', 'call anywhere (±2 GiB)'),
  macro('call', 'rd, symbol', 'call', 'auipc t1, %pcrel_hi(symbol); jalr rd, %pcrel_lo(...)(t1)', 'call anywhere, link in rd'),
  macro('tail', 'symbol', 'tail', 'auipc t1, %pcrel_hi(symbol); jalr zero, %pcrel_lo(...)(t1)', 'tail call anywhere'),
  macro('jump', 'symbol, rs1', 'jump', 'auipc rs1, %pcrel_hi(symbol); jalr zero, %pcrel_lo(...)(rs1)', 'jump anywhere using rs1 as scratch'),
  ...LOADS.map((mn) => macro(mn, 'rd, symbol', 'load', `auipc rd, %pcrel_hi(symbol); ${mn} rd, %pcrel_lo(...)(rd)`, 'load from a symbol')),
  ...STORES.map((mn) => macro(mn, 'rs2, symbol, rs1', 'store',
    `auipc rs1, %pcrel_hi(symbol); ${mn} rs2, %pcrel_lo(...)(rs1)`, 'store to a symbol using rs1 as scratch')),
  ...csrAccessForms(),
  ...COUNTERS.map((c) => pseudo(`rd${c}`, 'rd', `csrrs rd, ${c}, zero`, `read the ${c} counter`)),
  pseudo('fence', '', 'fence iorw, iorw', 'full memory fence'),
  pseudo('sfence.vma', '', 'sfence.vma zero, zero', 'flush the whole TLB'),
  pseudo('sfence.vma', 'rs1', 'sfence.vma rs1, zero', 'flush the TLB entries for one address, all ASIDs'),
  pseudo('scall', '', 'ecall', 'old name of ecall'),
  pseudo('sbreak', '', 'ebreak', 'old name of ebreak'),
];

function groupByMnemonic<T extends { mnemonic: string }>(list: readonly T[]): ReadonlyMap<string, readonly T[]> {
  const map = new Map<string, T[]>();
  for (const item of list) {
    const group = map.get(item.mnemonic);
    if (group) group.push(item);
    else map.set(item.mnemonic, [item]);
  }
  return map;
}

const BASE_BY_MNEMONIC = groupByMnemonic(INSTRUCTIONS);
const PSEUDO_BY_MNEMONIC = groupByMnemonic(PSEUDO_INSTRUCTIONS);

/** The real instruction forms of a mnemonic (usually one). */
export function instructionForms(mnemonic: string): readonly InstructionDef[] {
  return BASE_BY_MNEMONIC.get(mnemonic) ?? [];
}

/** The pseudo and alias forms of a mnemonic. */
export function pseudoForms(mnemonic: string): readonly PseudoDef[] {
  return PSEUDO_BY_MNEMONIC.get(mnemonic) ?? [];
}

/** Every mnemonic the assembler knows, for completion. */
export function allMnemonics(): string[] {
  return [...new Set([...BASE_BY_MNEMONIC.keys(), ...PSEUDO_BY_MNEMONIC.keys()])].sort();
}

const slotCache = new Map<string, readonly string[]>();

/** The operand slots of a syntax string. */
export function syntaxSlots(syntax: string): readonly string[] {
  let slots = slotCache.get(syntax);
  if (!slots) {
    slots = syntax === '' ? [] : syntax.split(',').map((s) => s.trim());
    slotCache.set(syntax, slots);
  }
  return slots;
}

interface FieldLayout {
  readonly name: string;
  readonly hi: number;
  readonly lo: number;
}

const FORMAT_FIELDS: Record<InstructionFormat, readonly FieldLayout[]> = {
  R: [f('funct7', 31, 25), f('rs2', 24, 20), f('rs1', 19, 15), f('funct3', 14, 12), f('rd', 11, 7), f('opcode', 6, 0)],
  I: [f('imm[11:0]', 31, 20), f('rs1', 19, 15), f('funct3', 14, 12), f('rd', 11, 7), f('opcode', 6, 0)],
  S: [f('imm[11:5]', 31, 25), f('rs2', 24, 20), f('rs1', 19, 15), f('funct3', 14, 12), f('imm[4:0]', 11, 7), f('opcode', 6, 0)],
  B: [f('imm[12|10:5]', 31, 25), f('rs2', 24, 20), f('rs1', 19, 15), f('funct3', 14, 12), f('imm[4:1|11]', 11, 7), f('opcode', 6, 0)],
  U: [f('imm[31:12]', 31, 12), f('rd', 11, 7), f('opcode', 6, 0)],
  J: [f('imm[20|10:1|11|19:12]', 31, 12), f('rd', 11, 7), f('opcode', 6, 0)],
  shift: [f('funct6', 31, 26), f('shamt', 25, 20), f('rs1', 19, 15), f('funct3', 14, 12), f('rd', 11, 7), f('opcode', 6, 0)],
  csr: [f('csr', 31, 20), f('rs1', 19, 15), f('funct3', 14, 12), f('rd', 11, 7), f('opcode', 6, 0)],
  'csr-imm': [f('csr', 31, 20), f('zimm', 19, 15), f('funct3', 14, 12), f('rd', 11, 7), f('opcode', 6, 0)],
  fence: [f('fm', 31, 28), f('pred', 27, 24), f('succ', 23, 20), f('rs1', 19, 15), f('funct3', 14, 12), f('rd', 11, 7), f('opcode', 6, 0)],
  atomic: [f('funct5', 31, 27), f('aq', 26, 26), f('rl', 25, 25), f('rs2', 24, 20), f('rs1', 19, 15), f('funct3', 14, 12), f('rd', 11, 7), f('opcode', 6, 0)],
  system: [f('funct12', 31, 20), f('rs1', 19, 15), f('funct3', 14, 12), f('rd', 11, 7), f('opcode', 6, 0)],
};

function f(name: string, hi: number, lo: number): FieldLayout {
  return { name, hi, lo };
}

/**
 * The encoding as hover shows it, most significant field first: fixed fields
 * with their bits (`opcode=0110011`), operand fields by name (`rs1`).
 */
export function describeEncoding(d: InstructionDef): string {
  return FORMAT_FIELDS[d.format]
    .map(({ name, hi, lo }) => {
      const width = hi - lo + 1;
      const fieldMask = width === 32 ? EXACT : ((1 << width) - 1) << lo;
      if (((d.mask & fieldMask) >>> 0) !== fieldMask >>> 0) return name;
      const bits = ((d.match >>> lo) & ((1 << width) - 1)) >>> 0;
      return `${name}=${bits.toString(2).padStart(width, '0')}`;
    })
    .join(' ');
}
