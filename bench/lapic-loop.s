# In-kernel MMIO loop for the exits/s benchmark: every iteration reads the LAPIC's TPR, which the
# in-kernel irqchip emulates without leaving the hypervisor (EPT_MISCONFIG → kernel I/O bus).
        .equ LAPIC, 0xfee00000
        .equ FINISHER, 0x00100000
        .text
        .globl _start
_start:
        li      t0, LAPIC
        li      t2, 500000             # iterations
1:      lw      t1, 0x80(t0)           # TPR
        addi    t2, t2, -1
        bnez    t2, 1b
        li      t0, FINISHER
        li      t1, 0x5555
        sw      t1, 0(t0)
2:      j       2b
