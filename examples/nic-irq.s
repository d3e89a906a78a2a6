# nic-irq.s — the seed scenario: a packet arrives at a PCI NIC and its interrupt travels
# pci device -> pci host bridge (INTx swizzle) -> IOAPIC -> LAPIC -> the guest's handler.
#
#   hyperstep run examples/nic-irq.s --event 20000:nic:rx:hello --trace irq
#   hyperstep compare examples/nic-irq.s --event 20000:nic:rx:hello
#
# What to watch:
#   * the driver finds the NIC in slot 3 through ECAM, sizes and programs BAR0, sets MEM|MASTER;
#   * INTA of slot 3 swizzles to PIRQ (3 + 0) mod 4 = 3, which is GSI 19: the driver computes it
#     from the interrupt pin register and programs IOAPIC redirection entry 19 (vector 0x31, level,
#     active-low, physical destination LAPIC 0), then software-enables its LAPIC (SVR);
#   * the packet is DMAed into the RX ring, ISR.RX rises, the INTx line is asserted: irq-line GSI 19,
#     the IOAPIC delivers vector 0x31 (remote IRR set: level-triggered), the LAPIC sets IRR, MEIP;
#   * the hart takes the interrupt: mcause 0x8000000b, mtval = 0x31 (the LAPIC moved it IRR -> ISR);
#   * the handler reads ISR, writes it back (W1C: the line drops), prints the packet, writes EOI:
#     the LAPIC broadcasts the EOI of a level vector to the IOAPIC, which clears remote IRR;
#   * with --irqchip kernel the IOAPIC and LAPIC accesses never leave the hypervisor; with split the
#     IOAPIC accesses exit to the VMM and the EOI exits as KVM_EXIT_IOAPIC_EOI; with userspace every
#     LAPIC access (the EOI too) is a KVM_EXIT_MMIO.

        .equ UART, 0x10000000
        .equ FINISHER, 0x00100000
        .equ NIC_CFG, 0x30018000        # ECAM: bus 0, device 3, function 0
        .equ NIC, 0x40000000            # where this driver puts BAR0
        .equ IOAPIC, 0xfec00000         # IOREGSEL +0x00, IOWIN +0x10
        .equ LAPIC, 0xfee00000          # SVR +0xf0, TPR +0x80, EOI +0xb0
        .equ VECTOR, 0x31
        .equ RX_RING, 0x80010000        # 4 descriptors of 16 bytes
        .equ RX_BUF, 0x80011000         # one 256-byte buffer per descriptor

        .text
        .globl _start
_start:
        la      sp, stack_top
        la      t0, trap
        csrw    mtvec, t0
        la      a0, msg_start
        call    puts

# --- PCI: find the NIC, program BAR0 and COMMAND ------------------------------------------------
        li      s0, NIC_CFG
        lw      t0, 0(s0)               # vendor (bits 15:0) and device (31:16) IDs
        li      t1, 0x00014853
        bne     t0, t1, no_nic
        li      t0, -1
        sw      t0, 0x10(s0)            # BAR0 sizing: write all-ones ...
        lw      t0, 0x10(s0)            # ... read back the size mask (0xfffff000: 4 KiB)
        li      t0, NIC
        sw      t0, 0x10(s0)            # BAR0 = 0x40000000
        li      t0, 6
        sh      t0, 4(s0)               # COMMAND = MEM | MASTER
        lbu     t0, 0x3d(s0)            # interrupt pin: 1 = INTA
        addi    t0, t0, -1
        addi    t0, t0, 3               # the swizzle: PIRQ = (slot + pin) mod 4
        andi    t0, t0, 3
        addi    s1, t0, 16              # GSI = 16 + PIRQ

# --- IOAPIC: redirection entry for that GSI ----------------------------------------------------
        li      s2, IOAPIC
        slli    t0, s1, 1
        addi    t0, t0, 0x10            # IOREDTBL[gsi] low dword is register 0x10 + 2 * gsi
        sw      t0, 0(s2)               # IOREGSEL
        li      t1, VECTOR | (1 << 13) | (1 << 15)   # fixed, physical, active-low, level, unmasked
        sw      t1, 0x10(s2)            # IOWIN
        addi    t0, t0, 1
        sw      t0, 0(s2)
        sw      zero, 0x10(s2)          # destination: LAPIC 0

# --- LAPIC: software enable ------------------------------------------------------------------------
        li      s3, LAPIC
        li      t0, 0x1ff
        sw      t0, 0xf0(s3)            # SVR: enabled, spurious vector 0xff
        sw      zero, 0x80(s3)          # TPR = 0: every class may interrupt

# --- NIC: an RX ring of 4 descriptors, 3 posted -------------------------------------------------
        li      t0, RX_RING
        li      t1, RX_BUF
        li      t2, 4
1:      sw      t1, 0(t0)               # buffer GPA
        li      t3, 256 | (1 << 16)     # capacity 256, flags OWN
        sw      t3, 4(t0)
        sw      zero, 8(t0)
        addi    t0, t0, 16
        addi    t1, t1, 256
        addi    t2, t2, -1
        bnez    t2, 1b
        li      s4, NIC
        li      t0, RX_RING
        sw      t0, 0x20(s4)            # RX_BASE
        li      t0, 4
        sw      t0, 0x24(s4)            # RX_SIZE
        li      t0, 3
        sw      t0, 0x2c(s4)            # RX_TAIL
        li      t0, 1
        sw      t0, 0x14(s4)            # IMR: RX
        li      t0, 3
        sw      t0, 0x08(s4)            # CTRL: EN | RXEN

# --- wait for the interrupt ----------------------------------------------------------------------
        li      t0, 1 << 11
        csrs    mie, t0                 # MEIE
        csrsi   mstatus, 8              # MIE
idle:   wfi
        j       idle

# --- the interrupt handler ----------------------------------------------------------------------
trap:
        csrr    t0, mcause
        li      t1, 0x8000000b          # machine external interrupt
        bne     t0, t1, unexpected
        csrr    s5, mtval               # the vector the LAPIC delivered
        lw      s6, 0x10(s4)            # NIC ISR
        sw      s6, 0x10(s4)            # write-1-to-clear: the INTx line drops
        la      a0, msg_wait
        call    puts
        mv      a0, s1
        call    putdec
        li      a0, '\n'
        call    putc
        la      a0, msg_vector
        call    puts
        mv      a0, s5
        call    puthex
        la      a0, msg_isr
        call    puts
        mv      a0, s6
        call    puthex
        li      a0, '\n'
        call    putc
        li      t0, RX_RING
        lw      s7, 8(t0)               # status of descriptor 0: bytes received
        li      t0, 0xffff
        and     s7, s7, t0
        la      a0, msg_rx
        call    puts
        mv      a0, s7
        call    putdec
        la      a0, msg_bytes
        call    puts
        li      s8, RX_BUF
2:      beqz    s7, 3f
        lbu     a0, 0(s8)
        call    putc
        addi    s8, s8, 1
        addi    s7, s7, -1
        j       2b
3:      la      a0, msg_quote
        call    puts
        sw      zero, 0xb0(s3)          # EOI: the IOAPIC hears it (level vector) and clears remote IRR
        la      a0, msg_eoi
        call    puts
        li      t0, FINISHER
        li      t1, 0x5555
        sw      t1, 0(t0)               # power off, exit 0
4:      j       4b

no_nic:
        la      a0, msg_no_nic
        call    puts
        li      a0, 2
        j       fail
unexpected:
        la      a0, msg_unexpected
        call    puts
        csrr    a0, mcause
        call    puthex
        li      a0, '\n'
        call    putc
        li      a0, 3
fail:   slli    a0, a0, 16
        li      t1, 0x3333
        or      a0, a0, t1
        li      t0, FINISHER
        sw      a0, 0(t0)
5:      j       5b

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

puthex: mv      t2, a0                  # "0x" and 8 hex digits
        mv      t3, ra
        li      a0, '0'
        call    putc
        li      a0, 'x'
        call    putc
        li      t4, 8
1:      srli    a0, t2, 28
        slli    t2, t2, 4
        addi    a0, a0, '0'
        li      t5, '9'
        ble     a0, t5, 2f
        addi    a0, a0, 'a' - '0' - 10
2:      call    putc
        addi    t4, t4, -1
        bnez    t4, 1b
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
msg_start:      .asciz "nic-irq: driver starting\n"
msg_wait:       .asciz "nic-irq: NIC in slot 3, INTA -> GSI "
msg_vector:     .asciz "nic-irq: interrupt, vector "
msg_isr:        .asciz ", NIC ISR "
msg_rx:         .asciz "nic-irq: received "
msg_bytes:      .asciz " bytes: \""
msg_quote:      .asciz "\"\n"
msg_eoi:        .asciz "nic-irq: EOI written, done\n"
msg_no_nic:     .asciz "nic-irq: no NIC in slot 3\n"
msg_unexpected: .asciz "nic-irq: unexpected trap, mcause "

        .bss
        .align 4
        .space 4096
stack_top:
