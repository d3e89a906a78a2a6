# hello.s — the smallest Hyperstep guest: print a line on the UART, then power off.
#
# What to watch (hyperstep run examples/hello.s --trace exits,mmio):
#   * the first fetch from RAM is an EPT violation the hypervisor fixes in kernel (pf_fixed);
#   * the first UART access is an EPT violation that becomes KVM_EXIT_MMIO to the VMM;
#   * every later UART access is an EPT misconfiguration (KVM's MMIO SPTE) → KVM_EXIT_MMIO;
#   * the finisher write powers the machine off with exit status 0.

        .equ UART, 0x10000000          # 16550A: THR at +0, LSR at +5 (bit 5 = THR empty, 6 = all sent)
        .equ FINISHER, 0x00100000      # sifive_test: 0x5555 = pass

        .text
        .globl _start
_start:
        la      a0, message
        li      t0, UART
1:      lbu     a1, 0(a0)              # next character
        beqz    a1, 3f
2:      lbu     t1, 5(t0)              # wait for THR empty (LSR.THRE)
        andi    t1, t1, 0x20
        beqz    t1, 2b
        sb      a1, 0(t0)              # THR
        addi    a0, a0, 1
        j       1b
3:      lbu     t1, 5(t0)              # before powering off, wait until the last byte has left
        andi    t1, t1, 0x40           # (LSR.TEMT: THRE only means THR took it)
        beqz    t1, 3b
        li      t0, FINISHER
        li      t1, 0x5555
        sw      t1, 0(t0)              # power off, exit 0
4:      wfi
        j       4b

        .data
message:
        .asciz  "Hello from a RISC-V guest under Hyperstep!\n"
