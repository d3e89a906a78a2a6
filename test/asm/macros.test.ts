/** .macro, .rept, .irp, .irpc and conditional assembly. */
import { strict as assert } from 'assert';
import { dataBytes, listing, ok } from './helpers';

describe('macros and conditional assembly', () => {
  it('substitutes parameters, defaults, keyword arguments and \\()', () => {
    const src = '.macro M a, b=7, c\n.byte \\a, \\b, \\c\n.endm\n.data\nM 1,,3\nM 1 2 3\nM a=4, c=6\n.macro N x\n.byte 0x\\x\\()f\n.endm\nN 1';
    assert.deepEqual(dataBytes(src), [1, 7, 3, 1, 2, 3, 4, 7, 6, 0x1f]);
  });

  it('strips the quotes of a quoted argument, which may contain commas', () => {
    assert.deepEqual(dataBytes('.macro S s\n.ascii "\\s"\n.endm\n.data\nS "a, b"'), [97, 44, 32, 98]);
  });

  it('numbers expansions with \\@ across all macros', () => {
    assert.deepEqual(dataBytes('.macro A\n.byte \\@\n.endm\n.macro B\n.byte \\@\nA\n.endm\n.data\nA\nB\nA'), [0, 1, 2, 3]);
  });

  it('gathers the rest of the arguments in a :vararg parameter', () => {
    assert.deepEqual(dataBytes('.macro V first, rest:vararg\n.byte \\first\n.irp x, \\rest\n.byte \\x * 2\n.endr\n.endm\n.data\nV 1, 2, 3'), [1, 4, 6]);
  });

  it('lets a macro use a mnemonic from its arguments and call itself', () => {
    assert.deepEqual(listing('.macro OP op, n\n.if \\n\n\\op a0, a0, \\n\nOP \\op, "(\\n-1)"\n.endif\n.endm\nOP addi, 2'), [
      'addi a0,a0,2', 'addi a0,a0,1',
    ]);
  });

  it('stops an expansion at .exitm and forgets a macro at .purgem', () => {
    assert.deepEqual(listing('.macro E\nnop\n.exitm\nebreak\n.endm\nE\n.purgem E\n.macro E\nret\n.endm\nE'), ['addi zero,zero,0', 'jalr zero,0(ra)']);
  });

  it('repeats with .rept, .irp and .irpc; numeric labels work inside', () => {
    assert.deepEqual(dataBytes('.equ N, 2\n.data\n.rept N\n.byte 9\n.endr\n.irp r, 1, 2\n.byte \\r\n.endr\n.irpc c, 45\n.byte \\c\n.endr'), [9, 9, 1, 2, 4, 5]);
    assert.deepEqual(listing('.rept 2\n1: j 1b\n.endr'), ['jal zero,80000000', 'jal zero,80000004']);
  });

  it('assembles the taken branch of .if/.elseif/.else with equates defined before', () => {
    const pick = (n: number): number[] => dataBytes(`.equ N, ${n}\n.data\n.if N > 5\n.byte 1\n.elseif N == 3\n.byte 2\n.else\n.byte 3\n.endif`);
    assert.deepEqual([pick(9), pick(3), pick(0)], [[1], [2], [3]]);
  });

  it('tests definitions, strings and blanks with .ifdef, .ifndef, .ifc, .ifnc, .ifb, .ifnb and .ifeq…', () => {
    const src = '.equ K, 0\nlbl:\n.data\n.ifdef K\n.byte 1\n.endif\n.ifdef lbl\n.byte 2\n.endif\n.ifndef none\n.byte 3\n.endif\n' +
      '.ifc a,a\n.byte 4\n.endif\n.ifnc a,b\n.byte 5\n.endif\n.ifb\n.byte 6\n.endif\n.ifnb x\n.byte 7\n.endif\n' +
      '.ifeq K\n.byte 8\n.endif\n.ifne K\n.byte 99\n.endif\n.iflt K - 1\n.byte 9\n.endif';
    assert.deepEqual(dataBytes(src), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('skips nested conditionals inside a false branch', () => {
    assert.deepEqual(dataBytes('.data\n.if 0\n.if 1\n.byte 1\n.endif\n.else\n.byte 2\n.endif'), [2]);
  });

  it('maps the instructions of a macro to the line that invokes it', () => {
    const r = ok('.macro TWO\nnop\nnop\n.endm\nTWO\n.rept 2\nret\n.endr');
    assert.deepEqual(r.lines.map((l) => l.line), [5, 5, 7, 7]);
  });
});
