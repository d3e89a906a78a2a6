# Every pseudo-instruction and alternative operand form GNU as accepts for
# rv32ima_zicsr_zifencei (binutils riscv-opc.c), in GNU's expansions.
    .equ    CONST, 0x12345678
    .equ    SMALL, -5
    .text
    .globl  _start
_start:
    nop
    li      a0, 0
    li      a0, 1
    li      a0, -1
    li      a0, 2047
    li      a0, 2048
    li      a0, -2048
    li      a0, -2049
    li      a0, 0x7fffffff
    li      a0, 0x80000000
    li      a0, -0x80000000
    li      a0, 0xffffffff
    li      a0, 0xfffff800
    li      a0, 0xfffff7ff
    li      a0, 0x12345678
    li      a0, 0x12345000
    li      a0, 0x800
    li      a0, 0xfff
    li      a0, 0x1000
    li      a0, 0x7ffff800
    li      a0, 0x7ffff7ff
    li      a0, 0x100000000
    li      a0, -0x80000001
    li      t0, CONST
    li      t1, SMALL
    li      t2, 'a'
    li      t3, (1 << 31)
    li      t4, 3 * 4 + 1
    li      zero, 5
    la      a0, data_word
    la      a1, data_word + 8
    la      a2, _start
    la      a3, CONST
    la      a4, 0x10000000
    lla     a5, data_word
    lla     a6, 0x800
    mv      a0, a1
    move    a2, a3
    not     a4, a5
    neg     a6, a7
    seqz    s0, s1
    snez    s2, s3
    sltz    s4, s5
    sgtz    s6, s7
    sgt     t0, t1, t2
    sgtu    t3, t4, t5
    zext.b  a0, a1
    add     a0, a1, 5
    and     a0, a1, -1
    or      a0, a1, 0x7ff
    xor     a0, a1, -2048
    slt     a0, a1, 100
    sltu    a0, a1, 1
    sll     a0, a1, 3
    srl     a0, a1, 31
    sra     a0, a1, 0
loop:
    beqz    a0, loop
    bnez    a1, done
    blez    a2, loop
    bgez    a3, done
    bltz    a4, loop
    bgtz    a5, done
    bgt     a0, a1, loop
    ble     a2, a3, done
    bgtu    a4, a5, loop
    bleu    a6, a7, done
    j       loop
    jal     done
    jr      a0
    jr      8(a0)
    jr      a0, -4
    jalr    a1
    jalr    12(a1)
    jalr    a1, 16
    jalr    t0, a1
    jalr    t0, a1, -16
    ret
    call    func
    call    t0, func
    tail    func
    call    func@plt
    tail    func@plt
    jump    func, t2
    lb      a0, data_byte
    lh      a1, data_half
    lw      a2, data_word
    lbu     a3, data_byte
    lhu     a4, data_half
    sb      a0, data_byte, t0
    sh      a1, data_half, t1
    sw      a2, data_word, t2
    fence
    sfence.vma
    sfence.vma a0
    scall
    sbreak
done:
    csrr    a0, cycle
    ret
func:
    ret

    .data
data_byte:  .byte 1
data_half:  .half 2
    .align 2
data_word:  .word 3, 4, 5
