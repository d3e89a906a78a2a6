# msi.s — the NIC's interrupt as an MSI: a memory write straight to the LAPIC, no IOAPIC on the way.
#
#   hyperstep run examples/msi.s --trace irq
#   hyperstep run examples/msi.s --trace irq --event 20000:nic:rx:hi     (a real packet as well)
#   hyperstep compare examples/msi.s
#
# What to watch:
#   * the driver finds the NIC in slot 3 through ECAM, sizes and programs BAR0, sets COMMAND =
#     MEM | MASTER (an MSI is a memory write by the device: without MASTER it is lost);
#   * it walks the capability list from CAPABILITY_LIST (0x34) to the MSI capability (ID 0x05),
#     writes Message Address = 0xfee00000 (destination LAPIC 0, physical) and Message Data = 0x41
#     (vector 0x41, fixed, edge), then sets Message Control bit 0 (MSI enable): from now on INTx is
#     never asserted (no pci-intx / irq-line 19 at all);
#   * no packet needs to arrive: the driver writes ISR_SET (BAR0 + 0x18) = 1, ISR.RX rises with
#     IMR.RX enabled, the request rises, and the NIC sends one MSI: 'pci-msi' (the device's write)
#     -> 'msi' (KVM_SIGNAL_MSI, or the VMM's APIC bus in userspace mode) -> 'lapic-accept' on
#     apic 0 -> the hart takes mcause 0x8000000b with mtval 0x41. There is no 'irq-line' and no
#     'ioapic-deliver': the IOAPIC is bypassed, in every irqchip mode;
#   * in the handler, ISR_SET is written again while ISR.RX is still set: the request is already
#     high, so no second MSI (one message per rising edge) — the LAPIC's IRR bit for 0x41 stays 0;
#     then ISR is cleared (write-1-to-clear) and EOI written: an edge vector (TMR clear), so no EOI
#     broadcast and, with --irqchip split, no KVM_EXIT_IOAPIC_EOI;
#   * a packet injected with --event is received too (it waits in the VMM's queue until the driver
#     turns the receiver on) and reported by the same handler.

        .equ UART, 0x10000000
        .equ FINISHER, 0x00100000
        .equ NIC_CFG, 0x30018000        # ECAM: bus 0, device 3, function 0
        .equ NIC, 0x40000000            # where this driver puts BAR0
        .equ LAPIC, 0xfee00000
        .equ LAPIC_EOI, 0x0b0
        .equ LAPIC_SVR, 0x0f0
        .equ LAPIC_IRR, 0x200           # IRR0..7 at 0x200 + 0x10 * (vector / 32)
        .equ VECTOR, 0x41
        .equ MSI_ADDRESS, 0xfee00000    # 0xFEE | destination ID 0 << 12 | physical
        .equ NIC_ISR, 0x10
        .equ NIC_IMR, 0x14
        .equ NIC_ISR_SET, 0x18
        .equ NIC_RX_HEAD, 0x28
        .equ NIC_RX_TAIL, 0x2c
        .equ RX_RING, 0x80010000        # 4 descriptors of 16 bytes
        .equ RX_BUF, 0x80011000         # one 256-byte buffer per descriptor
        .equ RX_SIZE, 4

        .text
        .globl _start
_start:
        csrr    t0, mhartid
        bnez    t0, park                # one hart is enough: any other waits forever
        la      sp, stack_top
        la      t0, trap
        csrw    mtvec, t0
        la      a0, msg_start
        call    puts

# --- PCI: find the NIC, program BAR0 and COMMAND ------------------------------------------------
        li      s0, NIC_CFG
        lw      t0, 0(s0)               # vendor (15:0) and device (31:16) IDs
        li      t1, 0x00014853
        bne     t0, t1, no_nic
        li      t0, -1
        sw      t0, 0x10(s0)            # BAR0 sizing: all-ones ...
        lw      t0, 0x10(s0)            # ... reads back 0xfffff000 (4 KiB)
        li      t0, NIC
        sw      t0, 0x10(s0)            # BAR0 = 0x40000000
        li      t0, 6
        sh      t0, 4(s0)               # COMMAND = MEM | MASTER

# --- the capability list: find MSI (ID 0x05) ------------------------------------------------------
        lhu     t0, 6(s0)               # STATUS
        andi    t0, t0, 0x10            # CAP_LIST
        beqz    t0, no_msi
        lbu     t0, 0x34(s0)            # CAPABILITY_LIST: config offset of the first capability
1:      andi    t0, t0, 0xfc
        beqz    t0, no_msi
        add     s5, s0, t0              # ECAM address of this capability
        lbu     t1, 0(s5)               # capability ID
        li      t2, 0x05
        beq     t1, t2, 2f
        lbu     t0, 1(s5)               # next pointer
        j       1b
2:      sub     s6, s5, s0              # its config offset
        lhu     s7, 2(s5)               # Message Control
        la      a0, msg_cap
        call    puts
        mv      a0, s6
        call    puthex
        la      a0, msg_cap2
        call    puts
        mv      a0, s7
        call    puthex
        li      a0, '\n'
        call    putc

# --- program and enable MSI ----------------------------------------------------------------------
        li      t0, MSI_ADDRESS
        sw      t0, 4(s5)               # Message Address
        addi    s2, s5, 8               # Message Data at +8 (32-bit capability) ...
        andi    t2, s7, 0x80            # ... or at +0xc after the upper address (64-bit capable)
        beqz    t2, 3f
        sw      zero, 8(s5)             # Message Upper Address = 0
        addi    s2, s5, 12
3:      li      t0, VECTOR              # vector 0x41, delivery mode fixed, edge
        sh      t0, 0(s2)
        andi    t2, s7, 0x100           # per-vector masking: make sure the vector is unmasked
        beqz    t2, 4f
        sw      zero, 4(s2)             # Mask Bits (right after the data)
4:      ori     t0, s7, 1
        sh      t0, 2(s5)               # Message Control: ENABLE
        la      a0, msg_msi
        call    puts
        lw      a0, 4(s5)
        call    puthex
        la      a0, msg_msi2
        call    puts
        lhu     a0, 0(s2)
        call    puthex
        la      a0, msg_msi3
        call    puts
        lhu     a0, 2(s5)
        call    puthex
        li      a0, '\n'
        call    putc

# --- LAPIC: software enable (a disabled LAPIC refuses fixed messages) ------------------------------
        li      s3, LAPIC
        li      t0, 0x1ff
        sw      t0, LAPIC_SVR(s3)       # SVR: enabled, spurious vector 0xff

# --- NIC: an RX ring of 4 descriptors, 3 posted (as nic-irq.s) ------------------------------------
        li      t0, RX_RING
        li      t1, RX_BUF
        li      t2, RX_SIZE
5:      sw      t1, 0(t0)               # buffer GPA
        li      t3, 256 | (1 << 16)     # capacity 256, flags OWN
        sw      t3, 4(t0)
        sw      zero, 8(t0)
        addi    t0, t0, 16
        addi    t1, t1, 256
        addi    t2, t2, -1
        bnez    t2, 5b
        li      s4, NIC
        li      t0, RX_RING
        sw      t0, 0x20(s4)            # RX_BASE
        li      t0, RX_SIZE
        sw      t0, 0x24(s4)            # RX_SIZE
        li      t0, RX_SIZE - 1
        sw      t0, NIC_RX_TAIL(s4)     # RX_TAIL
        li      t0, 1
        sw      t0, NIC_IMR(s4)         # IMR: RX
        li      t0, 3
        sw      t0, 0x08(s4)            # CTRL: EN | RXEN (a packet the VMM held arrives now)

        li      t0, 1 << 11
        csrs    mie, t0                 # MEIE
        csrsi   mstatus, 8              # MIE: an MSI already in IRR is taken here

# --- no traffic needed: raise ISR.RX by hand -------------------------------------------------------
        la      a0, msg_raise
        call    puts
        li      t0, 1
        sw      t0, NIC_ISR_SET(s4)     # ISR.RX rises, IMR.RX is set: one MSI, taken right after
        la      a0, msg_summary
        call    puts
        la      t0, interrupts
        lw      a0, 0(t0)
        call    putdec
        la      a0, msg_summary2
        call    puts
        lw      a0, NIC_ISR(s4)
        call    puthex
        li      a0, '\n'
        call    putc
        li      t0, FINISHER
        li      t1, 0x5555
        sw      t1, 0(t0)               # power off, exit 0
6:      j       6b

# --- the interrupt handler --------------------------------------------------------------------------
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
        sw      s8, 36(sp)
        sw      s9, 40(sp)
        sw      s10, 44(sp)
        csrr    t0, mcause
        li      t1, 0x8000000b          # machine external interrupt
        bne     t0, t1, unexpected
        csrr    s8, mtval               # the vector: the MSI's data
        li      t0, VECTOR
        bne     s8, t0, unexpected
        la      t0, interrupts
        lw      t1, 0(t0)
        addi    t1, t1, 1
        sw      t1, 0(t0)
        li      t0, NIC
        lw      s9, NIC_ISR(t0)         # what the NIC has to say
        la      a0, msg_vector
        call    puts
        mv      a0, s8
        call    puthex
        la      a0, msg_isr
        call    puts
        mv      a0, s9
        call    puthex
        li      a0, '\n'
        call    putc

        li      t0, NIC                 # raise ISR.RX again while it is still set:
        li      t1, 1                   # the request is already high, no new edge, no MSI
        sw      t1, NIC_ISR_SET(t0)
        li      t0, LAPIC
        lw      s10, LAPIC_IRR + 0x10 * (VECTOR / 32)(t0)
        srli    s10, s10, VECTOR % 32
        andi    s10, s10, 1
        la      a0, msg_again
        call    puts
        mv      a0, s10
        call    putdec
        la      a0, msg_again2
        call    puts

        call    rx_packets              # a real packet, if one came
        li      t0, NIC
        lw      t1, NIC_ISR(t0)
        sw      t1, NIC_ISR(t0)         # write-1-to-clear: the request falls
        li      t0, LAPIC
        sw      zero, LAPIC_EOI(t0)     # EOI: edge vector, nothing to broadcast
        lw      ra, 0(sp)
        lw      a0, 4(sp)
        lw      t0, 8(sp)
        lw      t1, 12(sp)
        lw      t2, 16(sp)
        lw      t3, 20(sp)
        lw      t4, 24(sp)
        lw      t5, 28(sp)
        lw      t6, 32(sp)
        lw      s8, 36(sp)
        lw      s9, 40(sp)
        lw      s10, 44(sp)
        addi    sp, sp, 48
        mret

# rx_packets: prints every descriptor the NIC has completed since the last call, re-posts it.
rx_packets:
        addi    sp, sp, -16
        sw      ra, 0(sp)
        sw      s8, 4(sp)
        sw      s9, 8(sp)
        sw      s10, 12(sp)
        la      t0, rx_next
        lw      s8, 0(t0)               # the driver's index
        li      t0, NIC
        lw      t1, NIC_RX_HEAD(t0)
        bne     s8, t1, 1f
        la      a0, msg_no_packet
        call    puts
        j       4f
1:      li      t0, NIC
        lw      t1, NIC_RX_HEAD(t0)
        beq     s8, t1, 4f              # caught up with the device
        slli    t0, s8, 4
        li      t1, RX_RING
        add     s9, t1, t0              # the descriptor
        lw      s10, 8(s9)              # status: bytes received in 15:0
        slli    s10, s10, 16
        srli    s10, s10, 16
        la      a0, msg_rx
        call    puts
        mv      a0, s10
        call    putdec
        la      a0, msg_bytes
        call    puts
        lw      t2, 0(s9)               # buffer
2:      beqz    s10, 3f
        lbu     a0, 0(t2)
        call    putc                    # putc clobbers only t0, t1
        addi    t2, t2, 1
        addi    s10, s10, -1
        j       2b
3:      la      a0, msg_quote
        call    puts
        li      t0, 256 | (1 << 16)
        sw      t0, 4(s9)               # re-post: capacity 256, OWN
        sw      zero, 8(s9)
        li      t0, NIC
        sw      s8, NIC_RX_TAIL(t0)     # give it back: the tail is one behind the driver's index
        addi    s8, s8, 1
        andi    s8, s8, RX_SIZE - 1
        la      t0, rx_next
        sw      s8, 0(t0)
        j       1b
4:      lw      ra, 0(sp)
        lw      s8, 4(sp)
        lw      s9, 8(sp)
        lw      s10, 12(sp)
        addi    sp, sp, 16
        ret

no_nic:
        la      a0, msg_no_nic
        call    puts
        li      a0, 2
        j       fail
no_msi:
        la      a0, msg_no_msi
        call    puts
        li      a0, 4
        j       fail
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
        li      a0, 3
fail:   slli    a0, a0, 16
        li      t1, 0x3333
        or      a0, a0, t1
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
msg_start:      .asciz "msi: driver starting\n"
msg_cap:        .asciz "msi: MSI capability (ID 0x05) at config offset "
msg_cap2:       .asciz ", message control "
msg_msi:        .asciz "msi: MSI enabled: address "
msg_msi2:       .asciz " (LAPIC 0, physical), data "
msg_msi3:       .asciz " (vector 0x41, fixed, edge), message control "
msg_raise:      .asciz "msi: ISR_SET = 0x1 (ISR.RX, IMR.RX enabled): the NIC signals its MSI\n"
msg_vector:     .asciz "msi: interrupt, vector "
msg_isr:        .asciz ", NIC ISR "
msg_again:      .asciz "msi: ISR_SET again while ISR.RX is set: LAPIC IRR bit 0x41 = "
msg_again2:     .asciz " (no second MSI)\n"
msg_no_packet:  .asciz "msi: no packet in the RX ring (raised by ISR_SET)\n"
msg_rx:         .asciz "msi: received "
msg_bytes:      .asciz " bytes: \""
msg_quote:      .asciz "\"\n"
msg_summary:    .asciz "msi: "
msg_summary2:   .asciz " interrupt(s), all by MSI; NIC ISR now "
msg_no_nic:     .asciz "msi: no NIC in slot 3\n"
msg_no_msi:     .asciz "msi: the NIC has no MSI capability\n"
msg_unexpected: .asciz "msi: unexpected trap, mcause "
msg_mtval:      .asciz ", mtval "

        .align 2
interrupts:     .word 0
rx_next:        .word 0

        .bss
        .align 4
        .space 4096
stack_top:
