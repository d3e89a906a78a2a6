# Conditional branches beyond ±4 KiB, or into another section, become the
# inverted branch over a jal (GNU as's branch relaxation, also with -mno-relax).
    .text
    .globl  _start
_start:
    beq     a0, a1, far_forward
    bne     a0, a1, far_forward
    blt     a0, a1, far_forward
    bge     a0, a1, near
    bltu    a0, a1, far_forward
    bgeu    a0, a1, far_forward
    beqz    a2, far_forward
    bgt     a3, a4, elsewhere
near:
    j       far_forward
    .skip   4000
middle:
    bnez    a0, far_forward
    .skip   2000
far_forward:
    blez    a5, _start
    bleu    a6, a7, middle
    bgtu    t0, t1, near
    ret

    .section .text.other, "ax", @progbits
elsewhere:
    bltz    t2, _start
    ret
