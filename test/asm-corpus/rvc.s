# The C extension: every RV32C mnemonic at its operand limits, the ordinary
# instructions GNU as compresses under .option rvc (and those it keeps 32-bit),
# branch and jump sizes around the compressed ranges, c.nop alignment padding,
# and .option push/pop/norvc/arch.
    .text
    .globl _start
_start:
    .option rvc
    # c.* mnemonics, boundary operands
    c.addi4spn s0, sp, 4
    c.addi4spn a5, sp, 1020
    c.lw s0, 0(s1)
    c.lw a5, 124(a4)
    c.lw a0, (a1)
    c.sw s1, 0(s0)
    c.sw a3, 124(a2)
    c.nop
    c.nop 31
    c.nop -32
    c.addi a0, 1
    c.addi t6, -32
    c.addi ra, 31
    c.addi a0, 0
    c.li a0, -32
    c.li s11, 31
    c.li zero, 1
    c.addi16sp sp, -512
    c.addi16sp sp, 496
    c.addi16sp sp, 16
    c.lui a0, 1
    c.lui t6, 31
    c.lui a1, 0xfffe0
    c.lui a2, 0xfffff
    c.srli s0, 1
    c.srli a5, 31
    c.srai s1, 1
    c.srai a4, 31
    c.andi a0, -32
    c.andi a1, 31
    c.andi a2, 0
    c.sub s0, a5
    c.xor a0, a1
    c.or s1, s0
    c.and a5, a4
    c.slli a0, 1
    c.slli t6, 31
    c.slli64 a0
    c.srli64 s0
    c.srai64 a5
    c.lwsp ra, 0(sp)
    c.lwsp t6, 252(sp)
    c.lwsp a0, (sp)
    c.swsp zero, 0(sp)
    c.swsp t6, 252(sp)
    c.jr ra
    c.jr t6
    c.jalr a0
    c.mv a0, a1
    c.mv t6, ra
    c.add a0, a1
    c.add s11, t6
    c.ebreak
    c.unimp
    c.beqz s0, back
    c.bnez a5, fwd
    c.j back
    c.jal fwd
back:
    # ordinary instructions that compress (gas's compressed aliases)
    addi a0, a0, 1
    addi a0, a0, 0
    addi zero, zero, 0
    addi sp, sp, -512
    addi sp, sp, 0
    addi a0, sp, 1020
    addi a0, zero, -32
    addi a0, a0, 32
    add a0, a0, a1
    add a0, a1, a0
    add a0, a0, -1
    add a0, zero, a1
    add sp, sp, 32
    add a2, sp, 8
    mv a0, t6
    move s0, s1
    li a0, 31
    li a0, 32
    li a0, 4096
    li a0, -4096
    li a0, 0x1f000
    li a0, 0x20000
    li a0, 0x10001
    li zero, 1
    la a0, 0x1000
    lui a0, 1
    lui sp, 1
    lui a0, 0x80000
    andi a0, a0, 5
    andi a0, a1, 5
    and a0, a0, a1
    and a0, a1, a0
    and a0, a0, -3
    or a0, a1, a0
    xor s0, s0, s1
    sub a0, a0, a1
    sub a0, a1, a0
    slli a0, a0, 3
    slli a0, a1, 3
    sll a0, a0, 0
    srli s0, s0, 5
    srai a5, a5, 31
    srl a0, a0, 7
    sra a0, a0, 7
    lw a0, 0(sp)
    lw a0, 256(sp)
    lw a0, 124(a1)
    lw a0, 128(a1)
    lw zero, 4(sp)
    sw a0, 252(sp)
    sw a0, 4(a1)
    sw t0, 4(a1)
    jr t0
    jalr t0
    jalr ra, 0(t0)
    ret
    nop
    ebreak
    unimp
    # kept 32-bit: no compressed form, or an operand that does not fit
    ori a0, a0, 1
    xori a0, a0, 1
    addi t0, t0, 100
    lw a0, %lo(data_word)(a1)
    auipc a0, 0
    call fwd
    tail fwd
    la a1, data_word
    jal fwd
    jal ra, fwd
    # branches and jumps around the compressed ranges
    beqz a0, near
    bnez s1, near
    beq a0, zero, near
    bne a5, zero, near
    beq zero, a0, near
    beqz t0, near
    blt a0, a1, near
    j near
    .space 200
near:
    c.beqz a0, mid
    beqz a0, mid
    j mid
    c.j mid
    .space 300
mid:
    beqz a0, far
    bnez a0, back
    j far
    jal far
    .space 2100
    j back
    .space 2000
far:
    beqz a0, veryfar
    bnez a0, near
    .space 4100
veryfar:
    nop
    # alignment in compressed code: c.nop, then nops
    c.nop
    .align 2
    c.nop
    .align 3
    c.nop
    .balign 16
    c.nop
    .p2align 1
    .option push
    .option norvc
    addi a0, a0, 1
    .option pop
    addi a0, a0, 1
    .option arch, -c
    addi a0, a0, 1
    .align 3
    .option arch, +c
    addi a0, a0, 1
fwd:
    ret
    .data
data_word:
    .word 1
