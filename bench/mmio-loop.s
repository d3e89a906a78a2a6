# MMIO-heavy loop for the exits/s benchmark: every iteration reads the UART's scratch register,
# so every iteration is one EPT_MISCONFIG exit (after the first EPT_VIOLATION) and one MMIO access.
        .equ UART, 0x10000000
        .equ FINISHER, 0x00100000
        .text
        .globl _start
_start:
        li      t0, UART
        li      t2, 200000             # iterations
1:      lbu     t1, 7(t0)              # SCR
        addi    t2, t2, -1
        bnez    t2, 1b
        li      t0, FINISHER
        li      t1, 0x5555
        sw      t1, 0(t0)
2:      j       2b
