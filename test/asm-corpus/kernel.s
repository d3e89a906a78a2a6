# A small machine-mode program of the kind Hyperstep runs: trap vector,
# hart-local stacks, a UART write loop and the test finisher.
    .equ    UART_BASE, 0x10000000
    .equ    FINISHER, 0x100000
    .equ    STACK_SIZE, 4096
    .section .text.init, "ax", @progbits
    .globl  _start
_start:
    csrr    t0, mhartid
    la      sp, stacks + STACK_SIZE
    slli    t1, t0, 12
    add     sp, sp, t1
    la      t2, trap_vector
    csrw    mtvec, t2
    li      t3, (1 << 11) | (1 << 7)
    csrs    mie, t3
    csrsi   mstatus, 8
    bnez    t0, park
    call    main
    li      a0, 0x5555
    li      t4, FINISHER
    sw      a0, 0(t4)
park:
    wfi
    j       park

    .text
    .globl  main
    .type   main, @function
main:
    addi    sp, sp, -16
    sw      ra, 12(sp)
    sw      s0, 8(sp)
    la      s0, greeting
1:  lbu     a0, 0(s0)
    beqz    a0, 2f
    call    putc
    addi    s0, s0, 1
    j       1b
2:  lw      s0, 8(sp)
    lw      ra, 12(sp)
    addi    sp, sp, 16
    ret
    .size   main, . - main

putc:
    li      t0, UART_BASE
1:  lbu     t1, 5(t0)
    andi    t1, t1, 0x20
    beqz    t1, 1b
    sb      a0, 0(t0)
    ret

    .align  2
trap_vector:
    csrrw   sp, mscratch, sp
    addi    sp, sp, -8
    sw      t0, 0(sp)
    sw      t1, 4(sp)
    csrr    t0, mcause
    bltz    t0, interrupt
    csrr    t1, mepc
    addi    t1, t1, 4
    csrw    mepc, t1
    j       trap_return
interrupt:
    csrr    t1, mtval
    la      t0, last_vector
    amoswap.w.aqrl zero, t1, (t0)
trap_return:
    lw      t1, 4(sp)
    lw      t0, 0(sp)
    addi    sp, sp, 8
    csrrw   sp, mscratch, sp
    mret

    .section .rodata
greeting:
    .asciz  "hello from the guest\n"

    .data
    .align  2
last_vector:
    .word   -1

    .bss
    .align  4
stacks:
    .space  STACK_SIZE * 4
