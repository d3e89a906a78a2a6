/** Directives: sections and their layout, data, strings, alignment, space, symbols, options. */
import { strict as assert } from 'assert';
import { assemble } from '../../src/asm';
import { BASE, dataBytes, hexWords, listing, ok, sectionBytes } from './helpers';

describe('directives', () => {
  describe('sections and layout', () => {
    it('places .text at textBase, .rodata after it, and .data on the next page at the same offset, as ld -Ttext does', () => {
      const r = ok('.text\nnop\n.section .rodata\n.byte 1\n.data\n.byte 2, 3\n.bss\n.skip 8');
      assert.deepEqual(r.sections, [
        { name: '.text', address: BASE, size: 4 },
        { name: '.rodata', address: BASE + 4, size: 1 },
        // DATA_SEGMENT_ALIGN: ALIGN(0x1000) + (0x80000005 & 0xfff)
        { name: '.data', address: BASE + 0x1005, size: 2 },
        // right after .data, its end rounded up to 4 (ld's `. = ALIGN(. != 0 ? 4 : 1)` in .bss)
        { name: '.bss', address: BASE + 0x1007, size: 9 },
      ]);
    });

    it('starts .data at the next page boundary when .rodata ends on one', () => {
      const r = ok('.text\nnop\n.section .rodata\n.skip 4092\n.data\n.word 1');
      assert.equal(r.sections.find((s) => s.name === '.data')?.address, BASE + 0x1000);
    });

    it('honours options.textBase', () => {
      assert.deepEqual(ok('nop', { textBase: 0x1000 }).sections, [{ name: '.text', address: 0x1000, size: 4 }]);
    });

    it('gathers .text.*, .sdata, .sbss … into the standard output sections, in order of appearance', () => {
      const r = ok('.section .text.b, "ax"\nb: ret\n.text\na: nop\n.section .sdata, "aw"\ns: .word 1\n.section .sbss, "aw", @nobits\nz: .skip 4');
      assert.deepEqual(r.sections.map((s) => s.name), ['.text', '.data', '.bss']);
      const at = (n: string): number => r.symbols.find((s) => s.name === n)!.value;
      assert.deepEqual([at('a'), at('b'), at('s'), at('z')], [BASE, BASE + 4, BASE + 0x1008, BASE + 0x100c]);
    });

    it('accepts .rodata as a directive (an extension: GNU as needs .section .rodata)', () => {
      assert.deepEqual(ok('.rodata\n.byte 7').sections.map((s) => s.name), ['.rodata']);
    });

    it('places other allocated sections after .data and before .bss', () => {
      const r = ok('nop\n.bss\n.skip 4\n.section .vectors, "aw"\n.word 1\n.data\n.word 2');
      assert.deepEqual(r.sections.map((s) => s.name), ['.text', '.data', '.vectors', '.bss']);
    });

    it('switches back with .previous and .pushsection / .popsection', () => {
      const r = ok('.data\n.byte 1\n.text\nnop\n.previous\n.byte 2\n.pushsection .rodata\n.byte 3\n.popsection\n.byte 4');
      assert.deepEqual([...sectionBytes(r, '.data')], [1, 2, 4]);
      assert.deepEqual([...sectionBytes(r, '.rodata')], [3]);
    });

    it('keeps .bss out of the file (NOBITS) but gives it its size', () => {
      const r = ok('.bss\nbuf: .space 100\n.zero 28');
      assert.deepEqual(r.sections, [{ name: '.bss', address: BASE, size: 128 }]);
    });

    it('stops at .end', () => {
      assert.deepEqual(hexWords('nop\n.end\nthis is not assembled'), ['00000013']);
    });
  });

  describe('data', () => {
    it('writes .byte, .half/.short/.2byte, .word/.long/.int/.4byte, .quad/.dword/.8byte little-endian', () => {
      assert.deepEqual(dataBytes('.data\n.byte 1, -1\n.half 0x1234\n.short -2\n.2byte 3\n.word 0x11223344\n.long 5\n.int 6\n.4byte 7'), [
        1, 255, 0x34, 0x12, 0xfe, 0xff, 3, 0, 0x44, 0x33, 0x22, 0x11, 5, 0, 0, 0, 6, 0, 0, 0, 7, 0, 0, 0,
      ]);
      assert.deepEqual(dataBytes('.data\n.quad 0x0102030405060708\n.dword -1\n.8byte 9').slice(0, 9), [8, 7, 6, 5, 4, 3, 2, 1, 255]);
    });

    it('does not align .word by itself', () => {
      assert.deepEqual(dataBytes('.data\n.byte 1\n.word 2'), [1, 2, 0, 0, 0]);
    });

    it('writes addresses of labels', () => {
      const r = ok('.data\nhere: .word here, there\nthere:');
      assert.deepEqual([...sectionBytes(r, '.data')], [0, 0, 0, 0x80, 8, 0, 0, 0x80]);
    });

    it('writes strings with C escapes; .asciz and .string add a NUL, .ascii does not', () => {
      assert.deepEqual(dataBytes('.data\n.ascii "ab", "c"\n.asciz "d"\n.string "\\t\\n\\\\\\"\\x41\\101\\0"'), [
        97, 98, 99, 100, 0, 9, 10, 92, 34, 65, 65, 0, 0,
      ]);
    });

    it('encodes non-ASCII characters as UTF-8', () => {
      assert.deepEqual(dataBytes('.data\n.ascii "é"'), [0xc3, 0xa9]);
    });
  });

  describe('space and fill', () => {
    it('reserves with .space/.skip (optional fill byte) and .zero', () => {
      assert.deepEqual(dataBytes('.data\n.space 2\n.skip 2, 0xaa\n.zero 1\n.byte 9'), [0, 0, 0xaa, 0xaa, 0, 9]);
    });

    it('repeats values with .fill repeat, size, value', () => {
      assert.deepEqual(dataBytes('.data\n.fill 2, 2, 0x0102\n.fill 1, 8, -1\n.fill 2'), [
        2, 1, 2, 1, 255, 255, 255, 255, 0, 0, 0, 0, 0, 0,
      ]);
    });
  });

  describe('.org', () => {
    it('moves forward to an offset or a label of the section, filling', () => {
      assert.deepEqual(dataBytes('.data\nstart: .byte 1\n.org 3, 0xee\n.byte 2\n.org start + 6\n.byte 3'), [1, 0xee, 0xee, 2, 0, 0, 3]);
    });
  });

  describe('alignment', () => {
    it('.align takes a power of two and pads data with zeros', () => {
      assert.deepEqual(dataBytes('.data\n.byte 1\n.align 2\n.byte 2'), [1, 0, 0, 0, 2]);
    });

    it('.balign takes bytes and an optional fill byte; .p2align a power', () => {
      assert.deepEqual(dataBytes('.data\n.byte 1\n.balign 4, 0xee\n.byte 2\n.p2align 3\n.byte 3'), [1, 0xee, 0xee, 0xee, 2, 0, 0, 0, 3]);
    });

    it('skips the padding when it would exceed the maximum', () => {
      assert.deepEqual(dataBytes('.data\n.byte 1\n.p2align 4,,8\n.byte 2\n.p2align 2,,3\n.byte 3'), [1, 2, 0, 0, 3]);
    });

    it('pads code with nops, a c.nop and a zero byte as gas does (riscv_make_nops)', () => {
      assert.deepEqual(hexWords('nop\n.byte 1\n.align 3\nnop'), ['00000013', '00010001', '00000013', '00000013']);
    });

    it('does not pad code for alignments up to 4 bytes without a fill (riscv_frag_align_code)', () => {
      const r = ok('.byte 1\n.align 2\nnop');
      assert.deepEqual([...sectionBytes(r, '.text')], [1, 0x13, 0, 0, 0, 0, 0x01, 0]);
    });

    it('pads the end of a code section to its alignment', () => {
      assert.deepEqual(ok('.balign 16\nnop').sections, [{ name: '.text', address: BASE, size: 16 }]);
    });
  });

  describe('symbols', () => {
    it('records type, size and binding from .globl, .type and .size, before or after the label', () => {
      const r = ok('.globl f\n.type f, @function\nf: nop\nret\n.size f, . - f\n.data\n.type v, %object\nv: .word 1\n.size v, 4\n.weak w\nw:');
      const f = r.symbols.find((s) => s.name === 'f');
      const v = r.symbols.find((s) => s.name === 'v');
      assert.deepEqual(f, { name: 'f', value: BASE, size: 8, type: 'func', global: true, section: '.text' });
      assert.deepEqual(v, { name: 'v', value: BASE + 0x1008, size: 4, type: 'object', global: false, section: '.data' });
      assert.equal(r.symbols.find((s) => s.name === 'w')?.global, true);
    });

    it('lists equates as absolute symbols and leaves .L labels out', () => {
      const r = ok('.equ K, 42\n.Lhidden: nop\n1: nop');
      assert.deepEqual(r.symbols.filter((s) => s.type !== 'section'), [
        { name: 'K', value: 42, size: 0, type: 'notype', global: false, section: '*ABS*' },
      ]);
    });

    it('defines equates with .equ, .set, = and .equiv', () => {
      assert.deepEqual(dataBytes('.equ A, 1\n.set B, 2\nC = 3\n.equiv D, 4\n.data\n.byte A, B, C, D'), [1, 2, 3, 4]);
    });

    it('reads a symbol in its own .set as its value before that line, as GNU as does', () => {
      assert.deepEqual(dataBytes('.set n, 1\n.set n, n + 1\nm = n * 3\n.set n, n + m\n.data\n.byte n, m'), [8, 6]);
      // A counter kept in a loop: 200,000 definitions, each read once, in bounded time and stack.
      const r = ok('.set n, 0\n.rept 200000\n.set n, n + 1\n.endr\nli a0, n');
      assert.deepEqual(r.symbols.find((s) => s.name === 'n')?.value, 200000);
    });
  });

  describe('accepted for compatibility', () => {
    it('ignores .file, .ident, .attribute, .cfi_*, .loc and .option push/pop/norvc/relax/norelax/nopic', () => {
      const src = '.file "x.c"\n.ident "GCC"\n.attribute arch, "rv32i2p1"\n.option push\n.option norvc\n.option norelax\n.option relax\n.option nopic\n.option pop\n.cfi_startproc\n.cfi_def_cfa_offset 16\n.loc 1 2 3\nnop\n.cfi_endproc';
      assert.deepEqual(listing(src), ['addi zero,zero,0']);
    });

    it('skips DWARF sections that gcc -g emits', () => {
      const r = ok('nop\n.section .debug_info,"",@progbits\n.Ldebug: .4byte .Lend - .Ldebug\n.uleb128 3\n.text\nnop');
      assert.deepEqual(r.sections.map((s) => s.name), ['.text']);
    });

    it('warns that .option arch is ignored except for C', () => {
      const r = assemble('.option arch, +zicsr, +v\nnop', 'test.s');
      assert.deepEqual(r.diagnostics.map((d) => d.message), ['.option arch +v ignored: only C can be switched (the ISA is rv32ima_zicsr_zifencei)']);
      assert.ok(r.ok);
    });
  });
});
