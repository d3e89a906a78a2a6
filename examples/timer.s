# timer.s — the Local APIC timer: five periodic ticks, then one one-shot.
#
#   hyperstep run examples/timer.s --trace irq
#   hyperstep run examples/timer.s --irqchip userspace --trace exits,irq
#   hyperstep compare examples/timer.s
#
# What to watch:
#   * the LAPIC is software-enabled through SVR (0xf0); until then every LVT write is forced masked;
#   * divide configuration (0x3e0) = 0b0011: the count drops once every 16 bus clocks (one bus clock
#     is one guest cycle), so an initial count (0x380) of 25000 is a period of 400000 cycles;
#   * LVT timer (0x320) = vector 0x40 | periodic (bit 17): each expiry is a 'timer-fire' event
#     (periodic=true) whose deadlines are exactly 400000 cycles apart (start + k * period), then the
#     LAPIC sets IRR 0x40 -> MEIP -> the hart takes mcause 0x8000000b with mtval = 0x40;
#   * the handler counts the tick, reads the current count (0x390: computed from the clock, it has
#     already reloaded, so 0 < count <= 25000) and writes EOI (edge vector: no EOI broadcast);
#   * after five ticks the LVT is masked (bit 16): no more 'timer-fire';
#   * then one one-shot (LVT bit 17 clear, initial count 1000 = 16000 cycles): one expiry, after
#     which the current count stays 0;
#   * between ticks the hart sleeps in wfi (an HLT exit) with interrupts enabled; the handler
#     closes the check-then-sleep race by returning past the wfi when it interrupted the hart there;
#   * the timer lives in the hypervisor's LAPIC with --irqchip kernel and split (no exit for the
#     LAPIC registers, the interrupt is injected in kernel); with --irqchip userspace it lives in the
#     VMM: every LAPIC access is a KVM_EXIT_MMIO and the expiry is injected with KVM_INTERRUPT.

        .equ UART, 0x10000000
        .equ FINISHER, 0x00100000
        .equ LAPIC, 0xfee00000          # this vCPU's Local APIC (xAPIC MMIO layout)
        .equ LAPIC_TPR, 0x080
        .equ LAPIC_EOI, 0x0b0
        .equ LAPIC_SVR, 0x0f0
        .equ LAPIC_LVTT, 0x320          # LVT timer: vector 7:0, mask 16, periodic 17
        .equ LAPIC_TMICT, 0x380         # initial count
        .equ LAPIC_TMCCT, 0x390         # current count (read-only)
        .equ LAPIC_TDCR, 0x3e0          # divide configuration
        .equ VECTOR, 0x40
        .equ PERIODIC, 1 << 17
        .equ MASKED, 1 << 16
        .equ COUNT, 25000               # x 16 = 400000 cycles a period
        .equ ONESHOT_COUNT, 1000
        .equ TICKS, 5

        .text
        .globl _start
_start:
        csrr    t0, mhartid
        bnez    t0, park                # one hart is enough: any other waits forever
        la      sp, stack_top
        la      t0, trap
        csrw    mtvec, t0
        li      s0, LAPIC

# --- LAPIC: software enable, then the timer -------------------------------------------------------
        li      t0, 0x1ff
        sw      t0, LAPIC_SVR(s0)       # SVR: APIC enabled (bit 8), spurious vector 0xff
        sw      zero, LAPIC_TPR(s0)     # TPR = 0
        li      t0, 3
        sw      t0, LAPIC_TDCR(s0)      # divide by 16
        li      t0, VECTOR | PERIODIC
        sw      t0, LAPIC_LVTT(s0)      # periodic, vector 0x40, unmasked

        la      a0, msg_setup1
        call    puts
        lw      a0, LAPIC_SVR(s0)
        call    puthex
        la      a0, msg_setup2
        call    puts
        lw      a0, LAPIC_TDCR(s0)
        call    puthex
        la      a0, msg_setup3
        call    puts
        lw      a0, LAPIC_LVTT(s0)
        call    puthex
        la      a0, msg_setup4
        call    puts
        li      a0, COUNT
        call    putdec
        li      a0, '\n'
        call    putc

        li      t0, 1 << 11
        csrs    mie, t0                 # MEIE: the LAPIC's line
        li      t0, COUNT
        sw      t0, LAPIC_TMICT(s0)     # initial count: the timer starts now

# --- main loop: print one line per tick -----------------------------------------------------------
        csrsi   mstatus, 8              # MIE: from here on the handler may run at any instruction
        li      s1, 0                   # ticks printed
1:      mv      a0, s1
        call    wait_tick               # until the handler has counted more than s1 ticks
        addi    s1, s1, 1
        la      a0, msg_tick
        call    puts
        mv      a0, s1
        call    putdec
        li      a0, '\n'
        call    putc
        li      t0, TICKS
        blt     s1, t0, 1b

# --- mask the periodic timer ----------------------------------------------------------------------
        li      t0, VECTOR | PERIODIC | MASKED
        sw      t0, LAPIC_LVTT(s0)
        la      a0, msg_masked
        call    puts
        lw      a0, LAPIC_LVTT(s0)
        call    puthex
        la      a0, msg_masked2
        call    puts
        la      t0, ticks
        lw      a0, 0(t0)
        call    putdec
        la      a0, msg_masked3
        call    puts
        la      t0, bad_counts
        lw      t0, 0(t0)
        la      a0, msg_always
        beqz    t0, 3f
        la      a0, msg_not_always
3:      call    puts
        la      a0, msg_range
        call    puts

# --- one one-shot ---------------------------------------------------------------------------------
        li      t0, VECTOR              # one-shot (bit 17 clear), unmasked
        sw      t0, LAPIC_LVTT(s0)
        la      a0, msg_oneshot
        call    puts
        li      a0, ONESHOT_COUNT
        call    putdec
        li      a0, '\n'
        call    putc
        la      t0, ticks
        lw      s1, 0(t0)               # ticks so far
        li      t0, ONESHOT_COUNT
        sw      t0, LAPIC_TMICT(s0)     # starts the one-shot
        mv      a0, s1
        call    wait_tick
        la      a0, msg_fired
        call    puts
        la      t0, last_vector
        lw      a0, 0(t0)
        call    puthex
        la      a0, msg_fired2
        call    puts
        lw      a0, LAPIC_TMCCT(s0)     # a one-shot that ran out stays at 0
        call    putdec
        li      a0, '\n'
        call    putc
        sw      zero, LAPIC_TMICT(s0)   # stop the timer (it is already stopped: tidy)
        la      a0, msg_done
        call    puts
        li      t0, FINISHER
        li      t1, 0x5555
        sw      t1, 0(t0)               # power off, exit 0
6:      j       6b

# --- wait_tick(a0 = ticks seen): sleeps until the handler has counted more ----------------------
# Interrupts stay enabled (mstatus.MIE = 1). A tick that lands between the check and the wfi would
# let the wfi sleep through it; the handler closes that window: if it interrupted the hart right at
# `idle_wfi`, it returns past the wfi, so the loop checks again instead of sleeping.
wait_tick:
        la      t0, ticks
1:      lw      t1, 0(t0)
        bne     t1, a0, 2f
idle_wfi:
        wfi                             # HLT: the vCPU blocks until the next timer expiry
        j       1b
2:      ret

# --- the interrupt handler: count, read the current count, EOI ------------------------------------
# It interrupts the printing code, so it saves every register it uses.
trap:
        csrw    mscratch, t0
        la      t0, trap_save
        sw      t1, 0(t0)
        sw      t2, 4(t0)
        sw      t3, 8(t0)
        csrr    t1, mcause
        li      t2, 0x8000000b          # machine external interrupt: the LAPIC's INTA
        bne     t1, t2, unexpected
        csrr    t1, mtval               # the vector
        la      t2, last_vector
        sw      t1, 0(t2)
        li      t2, VECTOR
        bne     t1, t2, unexpected
        la      t2, ticks
        lw      t3, 0(t2)
        addi    t3, t3, 1
        sw      t3, 0(t2)
        li      t2, LAPIC
        lw      t1, LAPIC_TMCCT(t2)     # current count
        lw      t3, LAPIC_LVTT(t2)
        li      t0, PERIODIC
        and     t3, t3, t0
        beqz    t3, 1f                  # the one-shot's count is 0 by now: only check periodic ticks
        beqz    t1, 2f                  # periodic: reloaded, so 0 < count <= initial count
        li      t3, COUNT
        bleu    t1, t3, 1f
2:      la      t3, bad_counts
        lw      t0, 0(t3)
        addi    t0, t0, 1
        sw      t0, 0(t3)
1:      sw      zero, LAPIC_EOI(t2)     # EOI: ISR bit 0x40 cleared (edge: no broadcast)
        csrr    t1, mepc
        la      t2, idle_wfi
        bne     t1, t2, 3f
        addi    t1, t1, 4               # interrupted just before the wfi: skip it (see wait_tick)
        csrw    mepc, t1
3:      la      t0, trap_save
        lw      t1, 0(t0)
        lw      t2, 4(t0)
        lw      t3, 8(t0)
        csrr    t0, mscratch
        mret

unexpected:
        la      a0, msg_unexpected
        call    puts
        csrr    a0, mcause
        call    puthex
        la      a0, msg_mtval
        call    puts
        csrr    a0, mtval
        call    puthex
        li      a0, '\n'
        call    putc
        li      a0, (3 << 16) | 0x3333  # exit 3
        li      t0, FINISHER
        sw      a0, 0(t0)
7:      j       7b

park:   csrw    mie, zero
1:      wfi
        j       1b

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
1:      srli    t5, t2, 28              # skip leading zero digits (keep the last one)
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
msg_setup1:     .asciz "timer: LAPIC SVR "
msg_setup2:     .asciz ", divide configuration "
msg_setup3:     .asciz " (by 16), LVT timer "
msg_setup4:     .asciz " (periodic, vector 0x40), initial count "
msg_tick:       .asciz "tick "
msg_masked:     .asciz "timer: LVT timer masked ("
msg_masked2:    .asciz ") after "
msg_masked3:    .asciz " ticks; the current count read in the handler was "
msg_always:     .asciz "always"
msg_not_always: .asciz "NOT always"
msg_range:      .asciz " in (0, 25000]\n"
msg_oneshot:    .asciz "timer: one-shot, initial count "
msg_fired:      .asciz "timer: one-shot fired, vector "
msg_fired2:     .asciz ", current count now "
msg_done:       .asciz "timer: done\n"
msg_unexpected: .asciz "timer: unexpected trap, mcause "
msg_mtval:      .asciz ", mtval "

        .align 2
ticks:          .word 0
last_vector:    .word 0
bad_counts:     .word 0
trap_save:      .word 0, 0, 0, 0

        .bss
        .align 4
        .space 4096
stack_top:
