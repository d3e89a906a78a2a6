# Relocation operators, numeric local labels and expressions in operands.
    .equ    ADDR, 0x80001234
    .equ    OFF, 16
    .text
    .globl  _start
_start:
    lui     a0, %hi(msg)
    addi    a0, a0, %lo(msg)
    lw      a1, %lo(msg)(a0)
    sw      a1, %lo(msg + 4)(a0)
    lui     a2, %hi(ADDR)
    addi    a2, a2, %lo(ADDR)
    lui     a3, %hi(0x12345fff)
    addi    a3, a3, %lo(0x12345fff)
    lui     a4, %hi(-1)
    addi    a4, a4, %lo(-1)
1:  auipc   t0, %pcrel_hi(msg)
    addi    t0, t0, %pcrel_lo(1b)
2:  auipc   t1, %pcrel_hi(table + OFF)
    lw      t2, %pcrel_lo(2b)(t1)
    sw      t2, %pcrel_lo(2b)(t1)
    jalr    ra, %pcrel_lo(2b)(t1)
.Lhi:
    auipc   t3, %pcrel_hi(far)
    addi    t3, t3, %pcrel_lo(.Lhi)
1:  addi    a0, a0, -1
    bnez    a0, 1b
    beqz    a0, 1f
    j       2f
1:  nop
2:  j       1b
    addi    a5, zero, OFF * 2 - 1
    addi    a6, zero, (OFF << 4) | 3
    addi    a7, zero, -(OFF + 1)
    addi    s0, zero, ~0
    addi    s1, zero, 'A' + 1
    jal     zero, . + 8
    nop

    .section .rodata
msg:    .string "hello"
    .p2align 2
table:  .word 1, 2, 3, 4, 5, 6
table_end:
    .data
    .space 64
far:    .word far, msg, table_end - table, 2b - 1b, far - .
