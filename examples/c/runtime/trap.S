/* trap.S — trap_entry (mtvec, direct mode): switch to this hart's trap stack (mscratch), save every
 * register into a struct trap_frame (hs.h), call trap(frame), restore (with the possibly changed
 * epc) and mret. mscratch holds the trap stack's top again before the C handler runs. */
#include "hs.h"
  .file "trap.S"

  /* Call frame information (in .debug_frame, with the C code's) describes the save area, so a
   * debugger unwinding through trap_entry finds the interrupted code's registers: after the
   * csrrw the interrupted sp is only in mscratch (DWARF register 4096 + 0x340), then the CFA is the
   * trap stack's top and x1–x31 are at CFA − TF_SIZE + 4·n. */
  .cfi_sections .debug_frame

  .macro SAVE n
  sw x\n, (\n * 4)(sp)
  .cfi_offset \n, (\n * 4) - TF_SIZE
  .endm

  .text
  .align 4
  .globl trap_entry
  .type trap_entry, @function
trap_entry:
  .cfi_startproc
  .cfi_remember_state
  csrrw sp, mscratch, sp
  .cfi_register sp, 4096 + 0x340
  addi sp, sp, -TF_SIZE
  .cfi_def_cfa_offset TF_SIZE
  SAVE 1
  SAVE 3
  SAVE 4
  SAVE 5
  SAVE 6
  SAVE 7
  SAVE 8
  SAVE 9
  SAVE 10
  SAVE 11
  SAVE 12
  SAVE 13
  SAVE 14
  SAVE 15
  SAVE 16
  SAVE 17
  SAVE 18
  SAVE 19
  SAVE 20
  SAVE 21
  SAVE 22
  SAVE 23
  SAVE 24
  SAVE 25
  SAVE 26
  SAVE 27
  SAVE 28
  SAVE 29
  SAVE 30
  SAVE 31
  csrr t0, mscratch
  sw t0, 8(sp)                  /* the interrupted sp */
  .cfi_offset sp, 8 - TF_SIZE
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
  .cfi_restore_state
  mret
  .cfi_endproc
  .size trap_entry, . - trap_entry
