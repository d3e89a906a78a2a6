# Zicsr (unprivileged spec chapter 9) and its pseudo-instructions.
    .text
    csrrw   a0, mstatus, a1
    csrrs   a0, mie, a1
    csrrc   a0, mip, a1
    csrrwi  a0, mtvec, 0
    csrrsi  a0, mscratch, 31
    csrrci  zero, sstatus, 17
    csrrw   t0, 0x300, t1
    csrrs   t0, 0xfff, zero
    csrrw   a0, satp, 5
    csrrs   a0, satp, 1
    csrrc   a0, satp, 2
    csrr    a0, mhartid
    csrw    mepc, a0
    csrs    mstatus, t0
    csrc    mstatus, t0
    csrw    mie, 8
    csrs    mie, 0x10
    csrc    mie, 31
    csrwi   stvec, 1
    csrsi   sie, 2
    csrci   sip, 3
    rdcycle a0
    rdtime  a1
    rdinstret a2
    rdcycleh a3
    rdtimeh a4
    rdinstreth a5
    csrr    s0, pmpcfg0
    csrw    pmpaddr15, s1
    csrr    s2, mhpmcounter31h
    csrr    s3, hpmcounter3
    csrw    mhpmevent17, s4
    csrr    s5, mcountinhibit
    csrr    s6, mconfigptr
    csrr    s7, menvcfg
    csrr    s8, senvcfg
    csrr    s9, mstatush
    csrr    s10, medeleg
    csrr    s11, mideleg
    csrr    t3, mcounteren
    csrr    t4, scounteren
    csrr    t5, mcycleh
    csrr    t6, minstreth
