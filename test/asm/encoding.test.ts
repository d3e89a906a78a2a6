/**
 * Instruction encoding, one table per instruction class: source line in,
 * word out. Expected words are what GNU as 2.40 produces for the same line.
 */
import { strict as assert } from 'assert';
import { INSTRUCTIONS, PSEUDO_INSTRUCTIONS, allMnemonics, describeEncoding } from '../../src/asm';
import { instructionForms } from '../../src/asm/isa';
import { hexWords, words } from './helpers';

type Case = readonly [source: string, word: number];

function check(cases: readonly Case[]): void {
  for (const [source, word] of cases) {
    it(source, () => assert.deepEqual(hexWords(source), [word.toString(16).padStart(8, '0')]));
  }
}

describe('encoding', () => {
  describe('R-type (OP)', () => check([
    ['add a0, a1, a2', 0x00c58533],
    ['sub t0, t1, t2', 0x407302b3],
    ['sll s0, s1, s2', 0x01249433],
    ['slt a3, a4, a5', 0x00f726b3],
    ['sltu a6, a7, t3', 0x01c8b833],
    ['xor t4, t5, t6', 0x01ff4eb3],
    ['srl x1, x2, x3', 0x003150b3],
    ['sra x31, x30, x29', 0x41df5fb3],
    ['or zero, ra, sp', 0x0020e033],
    ['and gp, tp, fp', 0x008271b3],
  ]));

  describe('I-type (OP-IMM) and shifts', () => check([
    ['addi a0, a1, -1', 0xfff58513],
    ['addi sp, sp, 2047', 0x7ff10113],
    ['slti a0, a1, -2048', 0x8005a513],
    ['sltiu a0, a1, 1', 0x0015b513],
    ['xori a0, a1, 0x555', 0x5555c513],
    ['ori a0, a1, 0', 0x0005e513],
    ['andi a0, a1, 0xff', 0x0ff5f513],
    ['slli a0, a1, 31', 0x01f59513],
    ['srli a0, a1, 7', 0x0075d513],
    ['srai a0, a1, 1', 0x4015d513],
  ]));

  describe('loads and stores', () => check([
    ['lb a0, -1(a1)', 0xfff58503],
    ['lh a0, 2(sp)', 0x00211503],
    ['lw ra, 12(sp)', 0x00c12083],
    ['lbu t0, 2047(t1)', 0x7ff34283],
    ['lhu t0, -2048(t1)', 0x80035283],
    ['sb a0, 0(a1)', 0x00a58023],
    ['sh a0, -2(a1)', 0xfea59f23],
    ['sw ra, 12(sp)', 0x00112623],
    ['sw s11, -2048(t6)', 0x81bfa023],
  ]));

  describe('U-type and jalr', () => check([
    ['lui a0, 0x12345', 0x12345537],
    ['lui t0, 0xfffff', 0xfffff2b7],
    ['auipc ra, 0', 0x00000097],
    ['auipc a0, 0x80000', 0x80000517],
    ['jalr ra, 0(a0)', 0x000500e7],
    ['jalr zero, -4(t0)', 0xffc28067],
  ]));

  describe('MISC-MEM and SYSTEM', () => check([
    ['fence iorw, iorw', 0x0ff0000f],
    ['fence rw, w', 0x0310000f],
    ['fence.tso', 0x8330000f],
    ['fence.i', 0x0000100f],
    ['ecall', 0x00000073],
    ['ebreak', 0x00100073],
    ['mret', 0x30200073],
    ['sret', 0x10200073],
    ['wfi', 0x10500073],
    ['sfence.vma a0, a1', 0x12b50073],
    ['unimp', 0xc0001073],
  ]));

  describe('Zicsr', () => check([
    ['csrrw a0, mstatus, a1', 0x30059573],
    ['csrrs a0, mepc, zero', 0x34102573],
    ['csrrc zero, mie, t0', 0x3042b073],
    ['csrrwi a0, mtvec, 31', 0x305fd573],
    ['csrrsi zero, mstatus, 8', 0x30046073],
    ['csrrci a0, 0x7c0, 1', 0x7c00f573],
  ]));

  describe('A extension', () => check([
    ['lr.w a0, (a1)', 0x1005a52f],
    ['sc.w.rl a0, a2, (a1)', 0x1ac5a52f],
    ['amoswap.w.aq a0, a2, (a1)', 0x0cc5a52f],
    ['amoadd.w.aqrl t0, t1, (sp)', 0x066122af],
    ['amomaxu.w a0, a1, (a2)', 0xe0b6252f],
    ['amoadd.w a0, a1, 0(a2)', 0x00b6252f],
  ]));

  describe('M extension', () => check([
    ['mul a0, a1, a2', 0x02c58533],
    ['mulh a0, a1, a2', 0x02c59533],
    ['mulhsu a0, a1, a2', 0x02c5a533],
    ['mulhu a0, a1, a2', 0x02c5b533],
    ['div a0, a1, a2', 0x02c5c533],
    ['divu a0, a1, a2', 0x02c5d533],
    ['rem a0, a1, a2', 0x02c5e533],
    ['remu a0, a1, a2', 0x02c5f533],
  ]));

  describe('vmcall (custom-0, the Hyperstep hypercall)', () => check([['vmcall', 0x0000000b]]));

  describe('branches and jumps (B and J immediates, chapter 2.5)', () => {
    it('encodes backward and forward branch offsets', () => {
      assert.deepEqual(hexWords('1: beq a0, a1, 1b\n bne a0, a1, 1b\n blt a0, a1, 2f\n nop\n2: bgeu a0, a1, 2b'), [
        '00b50063', 'feb51ee3', '00b54463', '00000013', '00b57063',
      ]);
    });

    it('reaches the far end of the branch range (-4096)', () => {
      const w = words('top: .skip 4096\n beq a0, a1, top');
      assert.equal(w[1024].toString(16), '80b50063');
    });

    it('encodes jal with the J-type bit scramble', () => {
      const w = words('start: jal ra, start\n jal zero, end\n .skip 2048\nend: nop\n j start');
      assert.deepEqual([w[0], w[1], w[w.length - 1]].map((x) => x.toString(16)), ['ef', '50006f', 'ff4ff06f']);
    });

    it('relaxes a conditional branch beyond ±4 KiB into an inverted branch over jal, as GNU as', () => {
      const w = words('beq a0, a1, far\n .skip 5000\nfar: nop');
      assert.deepEqual([w[0], w[1]].map((x) => x.toString(16)), ['b51463', '38c0106f']);
    });
  });

  describe('register names', () => {
    it('accepts numeric, ABI and fp names alike', () => {
      assert.deepEqual(hexWords('add x10, x11, x12\nadd a0, a1, a2\nadd s0, fp, x8'), ['00c58533', '00c58533', '00840433']);
    });

    it('accepts mnemonics in upper case, as GNU as does', () => {
      assert.deepEqual(hexWords('ADDI a0, a0, 1\nFence.I'), ['00150513', '0000100f']);
    });
  });

  describe('the instruction table (isa.ts)', () => {
    it('renders encodings for hover, fixed fields with their bits', () => {
      assert.equal(describeEncoding(instructionForms('add')[0]), 'funct7=0000000 rs2 rs1 funct3=000 rd opcode=0110011');
      assert.equal(describeEncoding(instructionForms('lw')[0]), 'imm[11:0] rs1 funct3=010 rd opcode=0000011');
      assert.equal(describeEncoding(instructionForms('vmcall')[0]), 'funct12=000000000000 rs1=00000 funct3=000 rd=00000 opcode=0001011');
    });

    it('gives every instruction and pseudo-instruction a description, and lists every mnemonic', () => {
      assert.ok(INSTRUCTIONS.every((d) => d.semantics.length > 0 && (d.match & ~d.mask) === 0));
      assert.ok(PSEUDO_INSTRUCTIONS.every((p) => p.description.length > 0 && p.expansion.length > 0));
      const all = allMnemonics();
      for (const m of ['li', 'la', 'call', 'csrr', 'amoswap.w.aqrl', 'vmcall', 'sfence.vma']) assert.ok(all.includes(m), m);
    });
  });
});
