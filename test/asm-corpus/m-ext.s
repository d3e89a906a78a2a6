# The M extension (unprivileged spec chapter 7).
    .text
    mul     a0, a1, a2
    mulh    a3, a4, a5
    mulhsu  a6, a7, s0
    mulhu   s1, s2, s3
    div     t0, t1, t2
    divu    t3, t4, t5
    rem     t6, zero, ra
    remu    sp, gp, tp
    mul     x31, x30, x29
    div     zero, zero, zero
