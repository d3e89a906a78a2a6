# Macros, repetition and conditional assembly (gas macro.c semantics).
    .equ    DEBUG, 1
    .equ    NSAVE, 3

    .macro  SAVE base=sp, n:req
    .irp    r, 1, 5, 6, 7
    sw      x\r, (\r * 4 + \n)(\base)
    .endr
    .endm

    .macro  PUSH regs:vararg
    .irp    r, \regs
    addi    sp, sp, -4
    sw      \r, 0(sp)
    .endr
    .endm

    .macro  CHECK name, reg, want
    mv      a1, \reg
    li      a2, \want
    la      a0, .Lname\@
    .pushsection .rodata
.Lname\@:
    .asciz  "\name"
    .popsection
    .endm

    .macro  BRANCH op, a, b
    li      t0, \a
    li      t1, \b
    \op     t0, t1, .Ltaken\@
    j       .Ldone\@
.Ltaken\@:
    li      s1, 1
.Ldone\@:
    CHECK   "\op \a, \b", s1, 1
    .endm

    .macro  COUNTDOWN n
    .if \n
    addi    t1, t1, \n
    COUNTDOWN "(\n - 1)"
    .endif
    .endm

    .macro  EARLY
    nop
    .exitm
    ebreak
    .endm

    .macro  LABEL
lbl\@\():
    nop
    .endm

    .text
    .globl  _start
_start:
    SAVE    n=8
    SAVE    t0, 16
    PUSH    a0, a1, a2
    BRANCH  beq, 5, 5
    BRANCH  bltu, -1, 1
    COUNTDOWN 3
    EARLY
    LABEL
    LABEL
    .if DEBUG
    ebreak
    .else
    nop
    .endif
    .ifdef NSAVE
    .rept NSAVE
    addi    a0, a0, 1
    .endr
    .endif
    .ifndef UNDEFINED
    li      a1, 7
    .endif
    .ifc "abc", "abc"
    li      a2, 1
    .endif
    .ifnc abc, abd
    li      a2, 2
    .endif
    .ifb
    li      a3, 3
    .endif
    .ifnb x
    li      a3, 4
    .endif
    .if NSAVE > 5
    li      a4, 4
    .elseif NSAVE == 3
    li      a4, 5
    .else
    li      a4, 6
    .endif
    .ifeq NSAVE - 3
    li      a5, 1
    .endif
    .irpc   c, 0123
    addi    a6, a6, \c
    .endr
    .rept 2
1:  bnez    a7, 1b
    .endr
    ret
