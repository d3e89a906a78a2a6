# Every RV32I instruction (unprivileged spec chapter 2), with operands at the
# edges of their ranges.
    .text
    .globl _start
_start:
    lui     a0, 0
    lui     t6, 0xfffff
    lui     x31, 1048575
    auipc   sp, 0x12345
    auipc   zero, 0
back:
    jal     ra, back
    jal     zero, fwd
    jal     t0, _start
    jalr    ra, 0(a0)
    jalr    zero, -2048(t1)
    jalr    s11, 2047(x31)
    jalr    a1, (a2)
    beq     a0, a1, back
    bne     s0, s1, fwd
    blt     t0, t1, back
    bge     t2, t3, fwd
    bltu    a6, a7, back
    bgeu    fp, sp, fwd
fwd:
    lb      a0, 0(a1)
    lh      a2, -1(a3)
    lw      a4, 2047(a5)
    lbu     a6, -2048(a7)
    lhu     s2, (s3)
    sb      s4, 0(s5)
    sh      s6, -1(s7)
    sw      s8, 2047(s9)
    sw      s10, -2048(s11)
    sw      zero, (sp)
    addi    a0, a1, -2048
    addi    a0, a1, 2047
    addi    a0, a1, 0xfffff800
    slti    t0, t1, -1
    sltiu   t2, t3, 1
    xori    t4, t5, 0x7ff
    ori     t6, a0, -0x800
    andi    gp, tp, 255
    slli    a0, a0, 0
    slli    a1, a1, 31
    srli    a2, a2, 1
    srai    a3, a3, 31
    add     a0, a1, a2
    sub     a3, a4, a5
    sll     a6, a7, s0
    slt     s1, s2, s3
    sltu    s4, s5, s6
    xor     s7, s8, s9
    srl     s10, s11, t3
    sra     t4, t5, t6
    or      x1, x2, x3
    and     x4, x5, x6
    fence   iorw, iorw
    fence   rw, rw
    fence   r, w
    fence   w, r
    fence   i, o
    fence   io, ir
    fence   iow, orw
    fence.tso
    fence.i
    ecall
    ebreak
    unimp
