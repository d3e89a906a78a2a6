# smp-ipi.s — two vCPUs: an IPI through the ICR, then an IOAPIC interrupt routed to the other LAPIC.
#
#   hyperstep run examples/smp-ipi.s --vcpus 2 --trace irq
#   hyperstep run examples/smp-ipi.s --vcpus 2 --irqchip userspace --trace exits,irq
#   hyperstep compare examples/smp-ipi.s --vcpus 2
#
# Every hart starts here with a0 = mhartid (= vCPU index = LAPIC ID). vCPU 0 drives; vCPU 1
# software-enables its own LAPIC (same MMIO address, its own registers: its ID register reads
# 0x01000000) and sleeps in wfi. What to watch:
#   * vCPU 0 writes ICR high (0x310) = 1 << 24, then ICR low (0x300) = 0x4050: vector 0x50, fixed,
#     physical, edge, level = assert. The write of ICR low sends it: an 'ipi' event from apic 0, an
#     'apic-route' to target 1, 'lapic-accept' on apic 1, and vCPU 1 (in wfi) is woken: it takes
#     mcause 0x8000000b with mtval 0x50 ('interrupt-taken' on vcpu 1), prints, writes EOI;
#   * vCPU 0 then programs IOAPIC redirection entry 10 (an ISA GSI: edge, active-high, fixed,
#     physical destination 1: register 0x25 = 0x01000000, then 0x24 = 0x51, unmasked last) and raises
#     GSI 10 with the IRQ test device (0x00101000: (1 << 31) | 10, then 10 to lower it): irq-line 10
#     -> ioapic-deliver vector 0x51 to destination 1 -> lapic-accept on apic 1 -> vCPU 1's handler;
#     edge-triggered, so its EOI is not broadcast to the IOAPIC (no eoi-broadcast, no remote IRR);
#   * the harts hand over through a shared `stage` word (amoadd.w.aqrl), vCPU 1 announces itself
#     with an lr.w/sc.w increment of `online`, and every line is printed under a spinlock taken with
#     amoswap.w.aq, so lines never interleave and the output is the same in every mode;
#   * with --irqchip kernel the ICR write and the IOAPIC accesses stay in the hypervisor; with split
#     the IOAPIC accesses exit to the VMM and its message comes back as KVM_SIGNAL_MSI; with
#     userspace every LAPIC access exits too, and the VMM injects into vCPU 1 with KVM_INTERRUPT.
# Started with one vCPU, vCPU 0 gives up waiting for vCPU 1, says so and exits with status 1.

        .equ UART, 0x10000000
        .equ FINISHER, 0x00100000
        .equ TESTDEV, 0x00101000        # IRQ_LINE: (level << 31) | gsi
        .equ IOAPIC, 0xfec00000         # IOREGSEL +0x00, IOWIN +0x10
        .equ LAPIC, 0xfee00000
        .equ LAPIC_ID, 0x020
        .equ LAPIC_TPR, 0x080
        .equ LAPIC_EOI, 0x0b0
        .equ LAPIC_SVR, 0x0f0
        .equ LAPIC_ICR_LO, 0x300
        .equ LAPIC_ICR_HI, 0x310
        .equ IPI_VECTOR, 0x50
        .equ GSI, 10
        .equ GSI_VECTOR, 0x51
        .equ TIMEOUT, 200000            # spins vCPU 0 waits for vCPU 1 to come up
        .equ STACK_SIZE, 4096

        .text
        .globl _start
_start:
        csrr    s11, mhartid            # = a0
        li      t0, 2
        bgeu    s11, t0, park           # a third vCPU and beyond have nothing to do
        la      sp, stacks              # per-hart stack: stacks + (hartid + 1) * STACK_SIZE
        addi    t0, s11, 1
        li      t1, STACK_SIZE
        mul     t0, t0, t1
        add     sp, sp, t0
        la      t0, trap
        csrw    mtvec, t0
        bnez    s11, hart1

# ================================ vCPU 0 ==========================================================
        la      a0, msg_start
        call    print
        la      t0, boot
        li      t1, 1
        amoswap.w.aqrl zero, t1, (t0)   # let vCPU 1 go

# --- wait for vCPU 1 to come up (or give up) -------------------------------------------------------
        li      s1, TIMEOUT
        la      s2, online
1:      lw      t0, 0(s2)
        bnez    t0, 2f
        addi    s1, s1, -1
        bnez    s1, 1b
        la      a0, msg_alone
        call    print
        li      a0, (1 << 16) | 0x3333  # exit status 1
        j       finish

# --- an IPI to vCPU 1 ---------------------------------------------------------------------------------
2:      la      a0, msg_ipi
        call    print
        li      s0, LAPIC
        li      t0, 1 << 24
        sw      t0, LAPIC_ICR_HI(s0)    # destination: APIC ID 1
        li      t0, IPI_VECTOR | (1 << 14)   # fixed (10:8 = 0), physical (11 = 0), assert (14), edge (15 = 0)
        sw      t0, LAPIC_ICR_LO(s0)    # the write of ICR low sends the IPI
        li      a0, 1
        call    wait_stage

# --- IOAPIC pin 10 -> vector 0x51 on LAPIC 1, raised by the test device ----------------------------------
        la      a0, msg_ioapic
        call    print
        li      s2, IOAPIC
        li      t0, 0x10 + 2 * GSI + 1
        sw      t0, 0(s2)               # IOREGSEL: IOREDTBL10[63:32]
        li      t0, 1 << 24
        sw      t0, 0x10(s2)            # destination: APIC ID 1
        li      t0, 0x10 + 2 * GSI
        sw      t0, 0(s2)               # IOREGSEL: IOREDTBL10[31:0]
        li      t0, GSI_VECTOR          # fixed, physical, active-high, edge, unmasked
        sw      t0, 0x10(s2)
        li      s3, TESTDEV
        li      t0, (1 << 31) | GSI
        sw      t0, 0(s3)               # GSI 10 high: the rising edge is delivered
        li      t0, GSI
        sw      t0, 0(s3)               # and low again
        li      a0, 2
        call    wait_stage

        la      a0, msg_done
        call    print
        li      a0, 0x5555              # power off, exit 0
finish: li      t0, FINISHER
        sw      a0, 0(t0)
3:      j       3b

# wait_stage(a0): spins until vCPU 1's handler has advanced `stage` to a0.
wait_stage:
        la      t0, stage
1:      lw      t1, 0(t0)
        blt     t1, a0, 1b
        fence   r, rw                   # acquire: what vCPU 1 wrote before its amoadd is visible
        ret

# ================================ vCPU 1 ==========================================================
hart1:
        la      t0, boot
1:      lw      t1, 0(t0)               # wait until vCPU 0 has printed its banner
        beqz    t1, 1b
        li      s0, LAPIC
        li      t0, 0x1ff
        sw      t0, LAPIC_SVR(s0)       # software-enable this vCPU's LAPIC, spurious vector 0xff
        sw      zero, LAPIC_TPR(s0)
        li      t0, 1 << 11
        csrs    mie, t0                 # MEIE
        csrsi   mstatus, 8              # MIE
        la      a0, msg_up
        call    print_lock
        call    puts
        lw      a0, LAPIC_ID(s0)        # this vCPU's LAPIC: ID in bits 31:24
        call    puthex
        la      a0, msg_up2
        call    puts
        call    print_unlock
        la      t0, online              # announce: lr/sc increment
2:      lr.w.aq t1, (t0)
        addi    t1, t1, 1
        sc.w.rl t2, t1, (t0)
        bnez    t2, 2b
3:      wfi                             # everything else happens in the handler
        j       3b

# --- vCPU 1's interrupt handler ----------------------------------------------------------------------
trap:
        addi    sp, sp, -48
        sw      ra, 0(sp)
        sw      a0, 4(sp)
        sw      t0, 8(sp)
        sw      t1, 12(sp)
        sw      t2, 16(sp)
        sw      t3, 20(sp)
        sw      t4, 24(sp)
        sw      t5, 28(sp)
        sw      t6, 32(sp)
        sw      s0, 36(sp)
        csrr    t0, mcause
        li      t1, 0x8000000b          # machine external interrupt (the LAPIC)
        bne     t0, t1, unexpected
        csrr    s0, mtval               # the vector
        call    print_lock
        csrr    a0, mhartid
        beqz    a0, unexpected_locked   # vCPU 0 never enables interrupts
        la      a0, msg_irq1
        call    puts
        csrr    a0, mhartid
        call    putdec
        la      a0, msg_irq2
        call    puts
        mv      a0, s0
        call    puthex
        la      a0, msg_from_ipi
        li      t0, IPI_VECTOR
        beq     s0, t0, 1f
        la      a0, msg_from_ioapic
        li      t0, GSI_VECTOR
        bne     s0, t0, unexpected_locked
1:      call    puts
        call    print_unlock
        li      t0, LAPIC
        sw      zero, LAPIC_EOI(t0)     # EOI (edge: nothing is broadcast to the IOAPIC)
        la      t0, stage
        li      t1, 1
        amoadd.w.aqrl zero, t1, (t0)    # tell vCPU 0
        lw      ra, 0(sp)
        lw      a0, 4(sp)
        lw      t0, 8(sp)
        lw      t1, 12(sp)
        lw      t2, 16(sp)
        lw      t3, 20(sp)
        lw      t4, 24(sp)
        lw      t5, 28(sp)
        lw      t6, 32(sp)
        lw      s0, 36(sp)
        addi    sp, sp, 48
        mret

unexpected:
        call    print_lock
unexpected_locked:
        la      a0, msg_unexpected
        call    puts
        csrr    a0, mhartid
        call    putdec
        la      a0, msg_mcause
        call    puts
        csrr    a0, mcause
        call    puthex
        la      a0, msg_mtval
        call    puts
        csrr    a0, mtval
        call    puthex
        li      a0, '\n'
        call    putc
        li      a0, (3 << 16) | 0x3333  # exit status 3
        j       finish

park:   csrw    mie, zero
1:      wfi
        j       1b

# --- printing under a spinlock -----------------------------------------------------------------------
print_lock:                             # clobbers t0, t1
        la      t0, lock
        li      t1, 1
1:      amoswap.w.aq t1, t1, (t0)
        bnez    t1, 1b
        ret
print_unlock:                           # clobbers t0
        la      t0, lock
        amoswap.w.rl zero, zero, (t0)
        ret
print:                                  # puts(a0) under the lock
        addi    sp, sp, -16
        sw      ra, 0(sp)
        sw      a0, 4(sp)
        call    print_lock
        lw      a0, 4(sp)
        call    puts
        call    print_unlock
        lw      ra, 0(sp)
        addi    sp, sp, 16
        ret

# --- UART output (16550A: THR at +0, LSR at +5, bit 5 = THR empty) ------------------------------
putc:   li      t0, UART
1:      lbu     t1, 5(t0)
        andi    t1, t1, 0x20
        beqz    t1, 1b
        sb      a0, 0(t0)
        ret

puts:   mv      t2, a0
        mv      t3, ra
1:      lbu     a0, 0(t2)
        beqz    a0, 2f
        call    putc
        addi    t2, t2, 1
        j       1b
2:      mv      ra, t3
        ret

puthex: mv      t2, a0                  # "0x" and the hex digits, without leading zeros
        mv      t3, ra
        li      a0, '0'
        call    putc
        li      a0, 'x'
        call    putc
        li      t4, 8
1:      srli    t5, t2, 28
        bnez    t5, 2f
        li      t5, 1
        beq     t4, t5, 2f
        slli    t2, t2, 4
        addi    t4, t4, -1
        j       1b
2:      srli    a0, t2, 28
        slli    t2, t2, 4
        addi    a0, a0, '0'
        li      t5, '9'
        ble     a0, t5, 3f
        addi    a0, a0, 'a' - '0' - 10
3:      call    putc
        addi    t4, t4, -1
        bnez    t4, 2b
        mv      ra, t3
        ret

putdec: mv      t2, a0                  # unsigned decimal
        mv      t3, ra
        addi    sp, sp, -16
        mv      t4, sp
        li      t5, 10
1:      remu    t6, t2, t5
        addi    t6, t6, '0'
        sb      t6, 0(t4)
        addi    t4, t4, 1
        divu    t2, t2, t5
        bnez    t2, 1b
2:      addi    t4, t4, -1
        lbu     a0, 0(t4)
        call    putc
        bne     t4, sp, 2b
        addi    sp, sp, 16
        mv      ra, t3
        ret

        .data
msg_start:      .asciz "smp-ipi: vCPU 0 up, waiting for vCPU 1\n"
msg_alone:      .asciz "smp-ipi: vCPU 1 did not come up: run with --vcpus 2\n"
msg_up:         .asciz "smp-ipi: vCPU 1 up, LAPIC ID register "
msg_up2:        .asciz ", LAPIC enabled, waiting in wfi\n"
msg_ipi:        .asciz "smp-ipi: vCPU 0 sends IPI vector 0x50 to APIC 1 (ICR high 0x1000000, ICR low 0x4050)\n"
msg_ioapic:     .asciz "smp-ipi: vCPU 0 routes IOAPIC pin 10 (edge, active-high) to vector 0x51 on APIC 1 and raises GSI 10\n"
msg_irq1:       .asciz "smp-ipi: vCPU "
msg_irq2:       .asciz " took vector "
msg_from_ipi:   .asciz " (the IPI from vCPU 0), EOI\n"
msg_from_ioapic: .asciz " (IOAPIC pin 10, from the test device), EOI\n"
msg_done:       .asciz "smp-ipi: done\n"
msg_unexpected: .asciz "smp-ipi: unexpected trap on vCPU "
msg_mcause:     .asciz ", mcause "
msg_mtval:      .asciz ", mtval "

        .align 2
lock:   .word 0                         # print spinlock (amoswap)
boot:   .word 0                         # vCPU 0 has printed its banner
online: .word 0                         # vCPUs other than 0 that came up (lr/sc)
stage:  .word 0                         # interrupts vCPU 1 has handled (amoadd)

        .bss
        .align 4
stacks: .space 2 * STACK_SIZE
