/**
 * The disassembler: objdump's `-M no-aliases` text (checked against objdump
 * itself in gnu.test.ts), and the round trip assemble → disassemble →
 * assemble for random valid instructions (fast-check).
 */
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { CSRS, INSTRUCTIONS, InstructionDef, csrByAddress, decodeWord, disassemble } from '../../src/asm';
import { FENCE_SETS, syntaxSlots } from '../../src/asm/isa';
import { GPR_ABI_NAMES } from '../../src/asm/registers';
import { BASE, words } from './helpers';

describe('disassembler', () => {
  const cases: readonly [word: number, pc: number, text: string][] = [
    [0x12345537, BASE, 'lui\ta0,0x12345'],
    [0x67850513, BASE, 'addi\ta0,a0,1656'],
    [0xfff00593, BASE, 'addi\ta1,zero,-1'],
    [0x01f59513, BASE, 'slli\ta0,a1,0x1f'],
    [0x42005013, BASE, 'srai\tzero,zero,0x20'],
    [0x00c12083, BASE, 'lw\tra,12(sp)'],
    [0xfea59f23, BASE, 'sh\ta0,-2(a1)'],
    [0xfeb50ee3, 0x800000c0, 'beq\ta0,a1,800000bc'],
    [0x8000006f, 0x80000074, 'jal\tzero,7ff00074'],
    [0x000500e7, BASE, 'jalr\tra,0(a0)'],
    [0x30002573, BASE, 'csrrs\ta0,mstatus,zero'],
    [0x7c00f573, BASE, 'csrrci\ta0,0x7c0,1'],
    [0x3042d073, BASE, 'csrrwi\tzero,mie,5'],
    [0x0ff0000f, BASE, 'fence\tiorw,iorw'],
    [0x0100000f, BASE, 'fence\tw,unknown'],
    [0x8330000f, BASE, 'fence.tso'],
    [0x0000100f, BASE, 'fence.i'],
    [0x1605a52f, BASE, 'lr.w.aqrl\ta0,(a1)'],
    [0x0ac5a52f, BASE, 'amoswap.w.rl\ta0,a2,(a1)'],
    [0x12b50073, BASE, 'sfence.vma\ta0,a1'],
    [0x30200073, BASE, 'mret'],
    [0x10500073, BASE, 'wfi'],
    [0xc0001073, BASE, 'unimp'],
    [0x0000000b, BASE, 'vmcall'],
    [0xffffffff, BASE, '.4byte\t0xffffffff'],
    [0x00000000, BASE, 'c.unimp'], // the all-zero halfword
    [0x00014501, BASE, 'c.li\ta0,0'], // a 16-bit instruction: its low half only
    [0x1141, BASE, 'c.addi\tsp,-16'],
    [0xc606, BASE, 'c.swsp\tra,12(sp)'],
    [0x8082, BASE, 'c.jr\tra'],
    [0xa001, 0x80000010, 'c.j\t80000010'],
    [0xd101, 0x80000126, 'c.beqz\ta0,80000026'],
    [0x9002, BASE, 'c.ebreak'],
    [0x4002, BASE, '.2byte\t0x4002'], // c.lwsp with rd = zero: reserved
    [0x0000007f, BASE, '.4byte\t0x7f'], // a longer-than-32-bit encoding
    [0x00001067, BASE, '.4byte\t0x1067'], // jalr with funct3 != 0
    [0x00000873, BASE, '.4byte\t0x873'], // ecall with rd != 0
  ];

  for (const [word, pc, text] of cases) {
    it(`0x${word.toString(16).padStart(8, '0')} → ${text.replace('\t', ' ')}`, () => assert.equal(disassemble(word, pc), text));
  }

  it('prints every CSR by its objdump name', () => {
    for (const c of CSRS) assert.equal(disassemble(0x00002573 | (c.address << 20), BASE), `csrrs\ta0,${c.name},zero`);
  });

  describe('round trip (fast-check)', () => {
    interface Operand {
      readonly source: string;
      readonly printed: string;
    }

    const register = fc.tuple(fc.integer({ min: 0, max: 31 }), fc.boolean()).map(([n, numeric]): Operand => ({
      source: numeric ? `x${n}` : GPR_ABI_NAMES[n], printed: GPR_ABI_NAMES[n],
    }));
    const imm12 = fc.integer({ min: -2048, max: 2047 });
    const number = (min: number, max: number, print: (v: number) => string): fc.Arbitrary<Operand> =>
      fc.integer({ min, max }).map((v) => ({ source: String(v), printed: print(v) }));
    const hex = (v: number): string => `0x${v.toString(16)}`;

    /** A target is a symbol set to start + offset (an even offset in a span of `limit` bytes), so it stays in .text. */
    function target(limit: number): fc.Arbitrary<Operand & { offset: number }> {
      return fc.integer({ min: -limit / 4, max: limit / 4 - 1 }).map((half) => ({
        source: 'T', printed: ((BASE + 2 * half) >>> 0).toString(16), offset: 2 * half,
      }));
    }

    function slot(name: string, d: InstructionDef): fc.Arbitrary<Operand & { offset?: number }> {
      switch (name) {
        case 'rd': case 'rs1': case 'rs2': return register;
        case 'imm': return imm12.map((v) => ({ source: String(v), printed: String(v) }));
        case 'offset(rs1)': return fc.tuple(imm12, register).map(([v, r]) => ({ source: `${v}(${r.source})`, printed: `${v}(${r.printed})` }));
        case '(rs1)': return register.map((r) => ({ source: `(${r.source})`, printed: `(${r.printed})` }));
        case 'shamt': return number(0, 31, hex);
        case 'zimm': return number(0, 31, String);
        case 'uimm20': return number(0, 0xfffff, hex);
        case 'target': return target(d.format === 'B' ? 4096 * 2 : 2 ** 21);
        case 'csr': return fc.integer({ min: 0, max: 4095 }).map((a) => ({
          source: csrByAddress(a)?.name ?? String(a), printed: csrByAddress(a)?.name ?? hex(a),
        }));
        case 'pred': case 'succ': return fc.integer({ min: 1, max: 15 }).map((v) => ({ source: FENCE_SETS[v], printed: FENCE_SETS[v] }));
        default: throw new Error(`no generator for ${name}`);
      }
    }

    const instruction = fc.constantFrom(...INSTRUCTIONS).chain((d) =>
      fc.tuple(...syntaxSlots(d.syntax).map((s) => slot(s, d))).map((ops) => ({ def: d, ops })));

    function assembleOne(mnemonic: string, operands: readonly string[], offset: number): number {
      return words(`.set T, start + ${offset}\nstart: ${mnemonic} ${operands.join(', ')}`)[0];
    }

    it('disassemble(encode(instruction)) prints its operands, and assembling that text gives the same word', () => {
      fc.assert(
        fc.property(instruction, ({ def, ops }) => {
          const offset = ops.find((o) => 'offset' in o && o.offset !== undefined)?.offset ?? 0;
          const word = assembleOne(def.mnemonic, ops.map((o) => o.source), offset);
          fc.pre(decodeWord(word) === def); // e.g. csrrw zero, cycle, zero is printed as unimp
          const text = disassemble(word, BASE);
          const printed = ops.map((o) => o.printed);
          assert.equal(text, printed.length ? `${def.mnemonic}\t${printed.join(',')}` : def.mnemonic);
          const [mnemonic, operandText = ''] = text.split('\t');
          const again = operandText === '' ? [] : operandText.split(',').map((o, i) => (ops[i].source === 'T' ? 'T' : o));
          assert.equal(assembleOne(mnemonic, again, offset), word);
        }),
        { numRuns: 1500 },
      );
    });
  });
});
