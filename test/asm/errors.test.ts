/**
 * Every diagnostic, with its place: `file:line:column: message`. Bad input
 * never throws, and one run reports every error of a file.
 */
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { assemble, formatDiagnostic } from '../../src/asm';
import { errors, expectOneError, warnings } from './helpers';

const ERRORS: readonly [title: string, source: string, expected: string][] = [
  ['unknown instruction', 'foo a0, a1', "test.s:1:1: unknown instruction 'foo'"],
  ['bad register', 'addi a9, a0, 1', "test.s:1:6: bad register 'a9' for rd of addi"],
  ['register case (GNU: A0 is not a register)', 'add A0, a1, a2', "test.s:1:5: bad register 'A0' for rd of add"],
  ['register where an immediate belongs', 'slli a0, a0, a1', 'test.s:1:14: slli: expected an immediate or symbol for shamt, found register a1'],
  ['immediate out of range (I-type)', 'addi a0, a0, 5000', 'test.s:1:14: immediate 5000 out of range for addi (-2048..2047)'],
  ['immediate out of range (store offset)', 'sw a0, -2049(sp)', 'test.s:1:8: immediate -2049 out of range for sw (-2048..2047)'],
  ['immediate out of range (U-type)', 'lui a0, 0x100000', 'test.s:1:9: immediate 1048576 out of range for lui (0..1048575)'],
  ['shift amount out of range', 'slli a0, a0, 32', 'test.s:1:14: shift amount 32 out of range for slli (0..31)'],
  ['CSR immediate out of range', 'csrrwi a0, mstatus, 32', 'test.s:1:21: CSR immediate 32 out of range for csrrwi (0..31)'],
  ['CSR immediate out of range in a pseudo', 'csrw mstatus, 40', 'test.s:1:15: CSR immediate 40 out of range for csrw (0..31)'],
  ['unknown CSR', 'csrr a0, notacsr', "test.s:1:10: unknown CSR 'notacsr'"],
  ['CSR number out of range', 'csrr a0, 4096', 'test.s:1:10: CSR number 4096 out of range (0..4095)'],
  ['undefined symbol', 'j nowhere', "test.s:1:3: undefined symbol 'nowhere'"],
  ['undefined symbol reported once for la', 'la a0, nowhere', "test.s:1:8: undefined symbol 'nowhere'"],
  ['duplicate label', 'x: nop\nx: nop', "test.s:2:1: symbol 'x' is already defined (line 1)"],
  ['label clashing with an equate', 'x: nop\n.equ x, 1', "test.s:2:6: symbol 'x' is already defined as a label (line 1)"],
  ['.equiv redefinition', '.equiv K, 1\n.equiv K, 2', "test.s:2:8: symbol 'K' is already defined (line 1)"],
  ['bad directive', '.frobnicate 1', "test.s:1:1: unknown or unsupported directive '.frobnicate'"],
  ['misaligned branch target', 'j x\n.byte 0\nx:', 'test.s:1:3: misaligned branch target 0x80000005: offset 5 is odd'],
  ['jal out of range', 'jal far\n.skip 0x100000\nfar: nop', 'test.s:1:5: branch target 0x80100004 out of range for jal: offset 1048580 (±1 MiB)'],
  ['unterminated string', '.data\n.ascii "abc', 'test.s:2:8: unterminated string: missing closing "'],
  ['unterminated character literal', "li a0, '", 'test.s:1:8: unterminated character literal'],
  ['unterminated comment', 'nop /* never closed', 'test.s:1:5: unterminated comment: missing */'],
  ['too few operands', 'addi a0, a0', 'test.s:1:1: too few operands for addi (expected addi rd, rs1, imm)'],
  ['too many operands', 'addi a0, a0, 1, 2', 'test.s:1:17: too many operands for addi (expected addi rd, rs1, imm)'],
  ['operand count with several forms', 'jalr a0, a1, 4, 5', 'test.s:1:17: too many operands for jalr (expected one of: jalr rd, offset(rs1) | jalr rs1 | jalr offset(rs1) | jalr rs1, imm | jalr rd, rs1 | jalr rd, rs1, imm)'],
  ['missing operand', 'addi a0, , 1', 'test.s:1:10: missing operand'],
  ['bad expression: unexpected operator', 'addi a0, a0, 1 +* 2', "test.s:1:17: bad expression: unexpected '*'"],
  ['bad expression: cut short', 'addi a0, a0, (1 +', 'test.s:1:18: expected an expression'],
  ['bad expression: string', '.byte "s"', 'test.s:1:7: bad expression: unexpected string'],
  ['bad number', '.data\n.word 09', "test.s:2:7: bad number '09'"],
  ['number too large', '.data\n.word 0x1ffffffffffffffff', 'test.s:2:7: number 0x1ffffffffffffffff does not fit in 64 bits'],
  ['unexpected character', 'nop `', "test.s:1:5: unexpected character '`'"],
  ['not a statement', ', nop', "test.s:1:1: expected an instruction or directive, found ','"],
  ['division by zero', '.data\n.word 1 / 0', 'test.s:2:9: division by zero'],
  ['adding two addresses', '.data\n.word x + y\nx: y:', 'test.s:2:9: cannot add two addresses'],
  ['circular equates', '.equ a, a + 1\n.data\n.word a', "test.s:1:6: symbol 'a' is defined in terms of itself"],
  ['undefined local label forward', 'j 1f', 'test.s:1:3: undefined local label 1f'],
  ['undefined local label backward', 'j 1b', "test.s:1:3: undefined local label 1b: no '1:' before it"],
  ['li of a value not known yet', 'li a0, later\n.equ later, 1', 'test.s:1:8: li needs a constant known at this point; use la for an address'],
  ['an address as an immediate', 'addi a0, a0, lbl\nlbl:', "test.s:1:14: addi: 'lbl' is an address, not a constant; use %lo(lbl)"],
  ['an address as an upper immediate', 'lui a0, lbl\nlbl:', "test.s:1:9: lui: 'lbl' is an address, not a constant; use %hi(lbl)"],
  ['%hi in a 12-bit immediate', 'addi a0, a0, %hi(x)\nx:', 'test.s:1:14: %hi gives the upper 20 bits (for lui/auipc); use %lo here'],
  ['%lo in lui', 'lui a0, %lo(x)\nx:', 'test.s:1:9: %lo gives the low 12 bits; use %hi with lui'],
  ['%pcrel_lo without its auipc', 'addi a0, a0, %pcrel_lo(x)\nx: nop', 'test.s:1:24: %pcrel_lo(x): no auipc with %pcrel_hi at that label'],
  ['unknown relocation operator', 'addi a0, a0, %got(x)', 'test.s:1:14: unknown relocation operator %got (supported: %hi %lo %pcrel_hi %pcrel_lo)'],
  ['relocation operator inside an expression', '.word %hi(x) + 1\nx:', 'test.s:1:7: %hi(...) must be a whole instruction operand'],
  ['bad fence set', 'fence rwio, w', 'test.s:1:7: bad fence operand: expected a non-empty subset of i, o, r, w in that order (e.g. rw)'],
  ['AMO offset other than 0', 'lr.w a0, 4(a1)', 'test.s:1:10: lr.w: the address offset must be 0, found 4'],
  ['instruction in .bss', '.bss\nnop', 'test.s:2:1: instruction in .bss, which holds no data (NOBITS)'],
  ['data in .bss', '.bss\n.word 1', 'test.s:2:1: non-zero data in .bss, which holds no data (NOBITS)'],
  ['compressed mnemonic without .option rvc', 'nop\n  c.addi a0, 1', 'test.s:2:3: c.addi is a compressed instruction: write .option rvc (or .option arch, +c) before it'],
  ['c.addi immediate out of range', '.option rvc\nc.addi a0, 32', 'test.s:2:12: c.addi: immediate 32 out of range (-32..31)'],
  ['c.lw register outside x8-x15', '.option rvc\nc.lw a6, 0(a0)', 'test.s:2:6: c.lw: a6 is not one of x8–x15 (s0, s1, a0–a5)'],
  ['c.lwsp offset not a multiple of 4', '.option rvc\nc.lwsp a0, 6(sp)', 'test.s:2:12: c.lwsp: immediate 6 out of range (a multiple of 4 in 0..252)'],
  ['c.addi4spn with 0', '.option rvc\nc.addi4spn a0, sp, 0', 'test.s:2:20: c.addi4spn: immediate 0 out of range (a multiple of 4 in 4..1020)'],
  ['c.jr zero', '.option rvc\nc.jr zero', 'test.s:2:1: c.jr: the destination register must not be zero'],
  ['c.srli by 0', '.option rvc\nc.srli a0, 0', 'test.s:2:1: c.srli: the shift amount must not be 0'],
  ['c.lui to sp', '.option rvc\nc.lui sp, 1', 'test.s:2:1: c.lui: the destination must not be sp (that is c.addi16sp)'],
  ['.attribute arch after an instruction', 'nop\n.attribute arch, "rv32imac"', 'test.s:2:18: .attribute arch must come before any instruction (as in GNU as)'],
  ['c.mv operand count', '.option rvc\nc.mv a0', 'test.s:2:1: c.mv takes 2 operands, found 1'],
  ['.option pic refused', '.option pic', 'test.s:1:9: .option pic: position-independent code is not supported; la is always pc-relative'],
  ['unknown .option', '.option frob', "test.s:1:9: unknown .option 'frob'"],
  ['.option pop without push', '.option pop', 'test.s:1:9: .option pop without .option push'],
  ['.popsection without push', '.popsection', 'test.s:1:1: .popsection without .pushsection'],
  ['.previous without a previous section', '.previous', 'test.s:1:1: .previous: no previous section'],
  ['directive with too many arguments', '.align 3, 0, 1, 2', 'test.s:1:17: too many arguments for .align'],
  ['directive with too few arguments', '.equ K', 'test.s:1:1: too few arguments for .equ'],
  ['alignment too large', '.align 20', 'test.s:1:8: .align: alignment 2^20 too large (at most 2^16)'],
  ['alignment not a power of two', '.balign 3', 'test.s:1:9: .balign: alignment 3 is not a power of 2'],
  ['size not known yet', '.skip later\nlater:', "test.s:1:7: .skip size must be a constant known at this point ('later' is not defined before this line)"],
  ['string expected', '.ascii 5', 'test.s:1:8: expected a string in double quotes'],
  ['symbol name expected', '.globl 5', 'test.s:1:8: expected a symbol name'],
  ['unsupported symbol type', '.type x, @weird', "test.s:1:10: unsupported symbol type 'weird' (use @function, @object or @notype)"],
  ['unsupported section type', '.section .x, "a", @note', 'test.s:1:19: unsupported section type @note (use @progbits or @nobits)'],
  ['.org backwards', '.data\n.word 1\n.org 2', 'test.s:3:6: .org 0x2 would move backwards (already at 0x4 in .data)'],
  ['.org to another section', 'x: nop\n.data\n.org x', 'test.s:3:6: .org offset must be a constant known at this point'],
  ['.fill with a negative count', '.fill -1', 'test.s:1:1: .fill needs a non-negative count and size'],
  ['missing .endm', '.macro M\nnop', 'test.s:1:1: missing .endm for .macro M'],
  ['missing .endr', '.rept 2\nnop', 'test.s:1:1: missing .endr for .rept'],
  ['.endm without .macro', '.endm', 'test.s:1:1: .endm without a matching .macro'],
  ['.endif without .if', '.endif', 'test.s:1:1: .endif without .if'],
  ['missing .endif', '.if 1\nnop', 'test.s:2:4: missing .endif'],
  ['.exitm outside a macro', '.exitm', 'test.s:1:1: .exitm outside a macro'],
  ['too many macro arguments', '.macro M a\n.endm\nM 1, 2', 'test.s:3:1: too many arguments for macro M (it takes 1)'],
  ['missing required macro argument', '.macro M a:req\n.endm\nM', "test.s:3:1: missing value for required parameter 'a' of macro M"],
  ['macro recursion without end', '.macro R\nR\n.endm\nR', 'test.s:4:1: macro R expanded more than 64 deep'],
  ['.rept count not constant', '.rept n\n.endr', "test.s:1:7: .rept count must be a constant: undefined symbol 'n'"],
  ['error inside a macro, at the invocation', '.macro M\nbogus\n.endm\nnop\nM', "test.s:5:1: unknown instruction 'bogus'"],
  ['bad \\x escape', '.data\n.ascii "\\xg"', 'test.s:2:9: bad escape: \\x needs hex digits'],
];

const WARNINGS: readonly [title: string, source: string, expected: string][] = [
  ['branch target not 4-byte aligned', 'beq a0, a1, x\n.half 0\nx: ret',
    'test.s:1:13: warning: branch target 0x80000006 is not 4-byte aligned: it traps without the C extension'],
  ['value truncated', '.data\n.byte 256', 'test.s:2:7: warning: value 0x100 truncated to 0x0'],
  ['unknown escape', '.data\n.ascii "\\q"', "test.s:2:9: warning: unknown escape '\\q', taken as 'q'"],
  ['negative .space', '.space -4', 'test.s:1:1: warning: .space with negative size -4 ignored'],
  ['.fill size above 8', '.data\n.fill 1, 9, 1', 'test.s:2:1: warning: .fill size 9 reduced to 8'],
  ['.option arch ignored', '.option arch, +zifencei, +f', 'test.s:1:9: warning: .option arch +f ignored: only C can be switched (the ISA is rv32ima_zicsr_zifencei)'],
];

describe('diagnostics', () => {
  describe('errors', () => {
    for (const [title, source, expected] of ERRORS) it(title, () => expectOneError(source, expected));
  });

  describe('warnings', () => {
    for (const [title, source, expected] of WARNINGS) {
      it(title, () => assert.ok(warnings(source).includes(expected), warnings(source).join('\n')));
    }

    it('an instruction at a misaligned address', () => {
      assert.deepEqual(warnings('.byte 1\nnop'), [
        'test.s:2:1: warning: instruction at 0x80000001 is not 4-byte aligned: it traps without the C extension',
      ]);
    });
  });

  it('reports every error of a file in one run, in source order', () => {
    assert.deepEqual(errors('foo\naddi a0, a0, 9999\nj nowhere\n.bogus\nx: nop\nx: nop\nlui a0, -1'), [
      "test.s:1:1: unknown instruction 'foo'",
      'test.s:2:14: immediate 9999 out of range for addi (-2048..2047)',
      "test.s:3:3: undefined symbol 'nowhere'",
      "test.s:4:1: unknown or unsupported directive '.bogus'",
      "test.s:6:1: symbol 'x' is already defined (line 5)",
      'test.s:7:9: immediate -1 out of range for lui (0..1048575)',
    ]);
  });

  it('formats a diagnostic as file:line:column: message', () => {
    const [d] = assemble('nop\n  bad', 'dir/prog.s').diagnostics;
    assert.deepEqual(d, { file: 'dir/prog.s', line: 2, column: 3, severity: 'error', message: "unknown instruction 'bad'" });
    assert.equal(formatDiagnostic(d), "dir/prog.s:2:3: unknown instruction 'bad'");
  });

  it('never fails internally on random token soup (fast-check)', () => {
    const pieces = ['addi', 'la', 'li', 'call', 'beqz', 'lw', 'sw', 'csrr', 'fence', 'j', 'a0', 'sp', 'x5', 'zero', 'mstatus',
      '1:', '1b', '1f', 'x:', 'x', '.word', '.byte', '.align', '.section', '.data', '.text', '.bss', '.equ', '.set', '.macro',
      '.endm', '.rept', '.endr', '.irp', '.if', '.else', '.endif', '.org', '.skip', '%hi(x)', '%lo(x)', '%pcrel_lo(1b)',
      '%pcrel_hi(x)', '(', ')', ',', '+', '-', '*', '/', '<<', '0', '-1', '4096', '0x7ff', '"s"', "'c'", '\\', '\\@', ';', '\n', '#'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 40 }), (parts) => {
        const r = assemble(parts.join(' '), 'fuzz.s');
        const internal = r.diagnostics.filter((d) => d.message.startsWith('internal'));
        assert.deepEqual(internal, []);
      }),
      { numRuns: 400 },
    );
  });

  it('never throws, whatever the input', () => {
    for (const src of ['\0\0\0', '"', "'", '(((((', '.section', '.word', 'x:'.repeat(100), '\u{1F600}: nop', '.equ', '%hi(']) {
      const r = assemble(src, 'fuzz.s');
      assert.equal(typeof r.ok, 'boolean');
    }
  });
});

describe('assembler: size limits', () => {
  it('refuses a section larger than a guest image may be, without allocating it', () => {
    const r = assemble('.text\n_start: nop\n  .space 0x7fffffff\n  nop\n', 'big.s');
    assert.strictEqual(r.ok, false);
    const d = r.diagnostics.find((x) => x.severity === 'error')!;
    assert.strictEqual(d.line, 3);
    assert.match(d.message, /section \.text would grow to \d+ bytes, more than the 256 MiB a guest image may hold/);
    const bss = assemble('.bss\n  .space 0x10000000\n.text\n_start: nop\n', 'bss.s');
    assert.strictEqual(bss.ok, true, 'a 256 MiB .bss is fine: it costs nothing to assemble');
  });
});

describe('assembler: expansion limits', () => {
  it('refuses a .rept that would expand to millions of lines, naming the line', () => {
    const r = assemble('_start:\n.rept 40000000\nnop\n.endr\n', 'rept.s');
    assert.strictEqual(r.ok, false);
    const d = r.diagnostics.find((x) => x.severity === 'error')!;
    assert.strictEqual(d.line, 2);
    assert.match(d.message, /\.rept 40000000 of 1 line would expand to more than 1000000 lines/);
  });
});
