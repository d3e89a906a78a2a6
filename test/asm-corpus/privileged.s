# Privileged instructions (privileged spec 1.12, chapter 3.3 and 4.2.1).
    .text
    mret
    sret
    wfi
    sfence.vma
    sfence.vma a0
    sfence.vma a0, a1
    sfence.vma zero, t0
    ecall
    ebreak
