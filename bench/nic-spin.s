# nic-spin.s — examples/nic-irq.s's driver under a guest that never stops computing: the NIC load of
# the interrupt-chain recorder's cost (bench/provenance.ts). The bench sends a packet every 20 000
# cycles; each one takes the whole path (NIC, INTx, IOAPIC, LAPIC, handler, EOI). The handler
# acknowledges the NIC's ISR, gives the RX descriptors back (OWN, RX_TAIL) and writes the EOI.
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

# --- compute forever; the packets interrupt it --------------------------------------------------
        li      t0, 1 << 11
        csrs    mie, t0                 # MEIE
        csrsi   mstatus, 8              # MIE
        li      a0, 0
loop:   addi    a0, a0, 1
        andi    a1, a0, 7
        add     a2, a2, a1
        j       loop

# --- the interrupt handler: acknowledge, give the descriptors back, EOI --------------------------
trap:   lw      t0, 0x10(s4)            # NIC ISR
        sw      t0, 0x10(s4)            # write-1-to-clear: the INTx line drops
        li      t0, RX_RING
        li      t1, 256 | (1 << 16)     # capacity 256, flags OWN
        sw      t1, 4(t0)
        sw      t1, 20(t0)
        sw      t1, 36(t0)
        sw      t1, 52(t0)
        lw      t0, 0x28(s4)            # RX_HEAD
        addi    t0, t0, 3
        andi    t0, t0, 3
        sw      t0, 0x2c(s4)            # RX_TAIL = RX_HEAD - 1: three descriptors free again
        addi    s6, s6, 1
        sw      zero, 0xb0(s3)          # EOI
        mret

no_nic: li      t0, FINISHER
        li      t1, 0x23333             # exit code 2
        sw      t1, 0(t0)
1:      j       1b

        .bss
        .align 4
        .space 256
stack_top:
