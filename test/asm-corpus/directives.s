# Directives: sections, data, strings, alignment, space, symbols, equates, options.
    .file   "directives.s"
    .ident  "hyperstep test corpus"
    .option push
    .option norvc
    .option norelax
    .option pop
    .attribute stack_align, 16
    .equ    FOUR, 4
    .set    EIGHT, FOUR * 2
    NINE = EIGHT + 1
    .set    EIGHT, 8
    .text
    .globl  _start
    .type   _start, @function
_start:
    la      a0, bytes
    la      a1, buffer
    la      a2, rodata_start
    li      a3, NINE
    .byte   0x13, 0, 0, 0
    .align  3
    nop
    .balign 16
    nop
    .p2align 4,,4
    nop
    .p2align 5,,32
    ret
    .balign 8, 0
    .size   _start, . - _start

    .section .text.helpers, "ax", @progbits
    .globl  helper
    .type   helper, %function
helper:
    addi    a0, a0, 1
    ret
    .size   helper, . - helper

    .section .rodata
rodata_start:
    .ascii  "abc", "def"
    .asciz  "nul"
    .string "esc\t\n\r\\\"\x41\101\0end"
    .string "\b\f\v\x7f\xff\377"
    .align  2
    .half   1, -1, 0xffff
    .short  0x1234
    .2byte  0x5678
    .4byte  0xdeadbeef
    .long   -2
    .int    3
    .quad   0x1122334455667788
    .8byte  -1
    .dword  1
    .word   'a', '\n', '\\', '\''
    .word   1 + 2 * 3, (1 + 2) * 3, 10 / 3, -10 / 3, 10 % 3, -10 % 3
    .word   1 << 4, 0x80 >> 4, 0xff >> 4, 6 & 3, 6 | 3, 6 ^ 3, ~6, -6, !0, !6
    .word   1 - 1 | 1, 2 == 2, 2 != 2, 1 < 2, 2 <= 1, 3 > 2, 3 >= 4, 1 <> 2
    .word   1 && 0, 1 || 0, 5 ! 1
    .word   010, 0b101, 0x7fffffff, 0xffffffff
    .word   FOUR, EIGHT, NINE
    .word   rodata_start, . , . - rodata_start
    .byte   255, -128, 'z'
    .skip   3
    .skip   2, 0xaa
    .space  4, 0x55
    .zero   5
    .fill   2, 4, 0x01020304
    .fill   3, 1, 0x7f
    .fill   1, 8, -1
    .fill   2
    .balign 4, 0xcc
    .org    . + 3, 0x11
    .org    rodata_start + 0x200
    .size   rodata_start, 7
    .type   rodata_start, @object

    .data
    .globl  bytes
    .type   bytes, @object
bytes:
    .byte   1, 2, 3
    .size   bytes, . - bytes
    .local  counter
counter:
    .word   0
    .section .sdata, "aw"
small:
    .word   small
    .section .data.extra
    .word   bytes, counter, small

    .bss
    .align  4
buffer:
    .space  64
    .zero   16
    .section .sbss, "aw", @nobits
flag:
    .skip   4
    .pushsection .data
    .word   flag
    .popsection
    .skip   8
    .text
    .word   FOUR
    .previous
    .skip   4
