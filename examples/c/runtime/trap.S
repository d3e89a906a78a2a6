/* trap.S — trap_entry (mtvec, direct mode): switch to this hart's trap stack (mscratch), save every
 * register into a struct trap_frame (hs.h), call trap(frame), restore (with the possibly changed
 * epc) and mret. mscratch holds the trap stack's top again before the C handler runs. */
#include "hs.h"
  .file "trap.S"

  .text
  .align 4
  .globl trap_entry
  .type trap_entry, @function
trap_entry:
  csrrw sp, mscratch, sp
  addi sp, sp, -TF_SIZE
  sw x1, 4(sp)
  sw x3, 12(sp)
  sw x4, 16(sp)
  sw x5, 20(sp)
  sw x6, 24(sp)
  sw x7, 28(sp)
  sw x8, 32(sp)
  sw x9, 36(sp)
  sw x10, 40(sp)
  sw x11, 44(sp)
  sw x12, 48(sp)
  sw x13, 52(sp)
  sw x14, 56(sp)
  sw x15, 60(sp)
  sw x16, 64(sp)
  sw x17, 68(sp)
  sw x18, 72(sp)
  sw x19, 76(sp)
  sw x20, 80(sp)
  sw x21, 84(sp)
  sw x22, 88(sp)
  sw x23, 92(sp)
  sw x24, 96(sp)
  sw x25, 100(sp)
  sw x26, 104(sp)
  sw x27, 108(sp)
  sw x28, 112(sp)
  sw x29, 116(sp)
  sw x30, 120(sp)
  sw x31, 124(sp)
  csrr t0, mscratch
  sw t0, 8(sp)                  /* the interrupted sp */
  addi t0, sp, TF_SIZE
  csrw mscratch, t0
  csrr t0, mepc
  sw t0, TF_EPC(sp)
  csrr t0, mcause
  sw t0, TF_CAUSE(sp)
  csrr t0, mtval
  sw t0, TF_TVAL(sp)
  mv a0, sp
  call trap
  lw t0, TF_EPC(sp)
  csrw mepc, t0
  lw x1, 4(sp)
  lw x3, 12(sp)
  lw x4, 16(sp)
  lw x5, 20(sp)
  lw x6, 24(sp)
  lw x7, 28(sp)
  lw x8, 32(sp)
  lw x9, 36(sp)
  lw x10, 40(sp)
  lw x11, 44(sp)
  lw x12, 48(sp)
  lw x13, 52(sp)
  lw x14, 56(sp)
  lw x15, 60(sp)
  lw x16, 64(sp)
  lw x17, 68(sp)
  lw x18, 72(sp)
  lw x19, 76(sp)
  lw x20, 80(sp)
  lw x21, 84(sp)
  lw x22, 88(sp)
  lw x23, 92(sp)
  lw x24, 96(sp)
  lw x25, 100(sp)
  lw x26, 104(sp)
  lw x27, 108(sp)
  lw x28, 112(sp)
  lw x29, 116(sp)
  lw x30, 120(sp)
  lw x31, 124(sp)
  lw sp, 8(sp)
  mret
  .size trap_entry, . - trap_entry
