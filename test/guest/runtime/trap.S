/* trap.S — trap vectors and privilege-mode switching for the guest corpus.
 *
 * m_trap_entry (mtvec, direct mode) and s_trap_entry (stvec) save every
 * register into a struct trap_frame (guest.h) on their own stack, whose top
 * lives in mscratch / sscratch, call the C handler (trap.c) with a pointer to
 * the frame, and return with mret / sret to the (possibly changed) frame.
 * The scratch register is restored to the stack top right after entry, so a
 * frame may be abandoned (see lower_return) without breaking the next trap.
 */
#include "guest.h"

  .macro SAVE_REGS
  sw x1, TF_X(1)(sp)
  sw x3, TF_X(3)(sp)
  sw x4, TF_X(4)(sp)
  sw x5, TF_X(5)(sp)
  sw x6, TF_X(6)(sp)
  sw x7, TF_X(7)(sp)
  sw x8, TF_X(8)(sp)
  sw x9, TF_X(9)(sp)
  sw x10, TF_X(10)(sp)
  sw x11, TF_X(11)(sp)
  sw x12, TF_X(12)(sp)
  sw x13, TF_X(13)(sp)
  sw x14, TF_X(14)(sp)
  sw x15, TF_X(15)(sp)
  sw x16, TF_X(16)(sp)
  sw x17, TF_X(17)(sp)
  sw x18, TF_X(18)(sp)
  sw x19, TF_X(19)(sp)
  sw x20, TF_X(20)(sp)
  sw x21, TF_X(21)(sp)
  sw x22, TF_X(22)(sp)
  sw x23, TF_X(23)(sp)
  sw x24, TF_X(24)(sp)
  sw x25, TF_X(25)(sp)
  sw x26, TF_X(26)(sp)
  sw x27, TF_X(27)(sp)
  sw x28, TF_X(28)(sp)
  sw x29, TF_X(29)(sp)
  sw x30, TF_X(30)(sp)
  sw x31, TF_X(31)(sp)
  .endm

  .macro RESTORE_REGS
  lw x1, TF_X(1)(sp)
  lw x3, TF_X(3)(sp)
  lw x4, TF_X(4)(sp)
  lw x5, TF_X(5)(sp)
  lw x6, TF_X(6)(sp)
  lw x7, TF_X(7)(sp)
  lw x8, TF_X(8)(sp)
  lw x9, TF_X(9)(sp)
  lw x10, TF_X(10)(sp)
  lw x11, TF_X(11)(sp)
  lw x12, TF_X(12)(sp)
  lw x13, TF_X(13)(sp)
  lw x14, TF_X(14)(sp)
  lw x15, TF_X(15)(sp)
  lw x16, TF_X(16)(sp)
  lw x17, TF_X(17)(sp)
  lw x18, TF_X(18)(sp)
  lw x19, TF_X(19)(sp)
  lw x20, TF_X(20)(sp)
  lw x21, TF_X(21)(sp)
  lw x22, TF_X(22)(sp)
  lw x23, TF_X(23)(sp)
  lw x24, TF_X(24)(sp)
  lw x25, TF_X(25)(sp)
  lw x26, TF_X(26)(sp)
  lw x27, TF_X(27)(sp)
  lw x28, TF_X(28)(sp)
  lw x29, TF_X(29)(sp)
  lw x30, TF_X(30)(sp)
  lw x31, TF_X(31)(sp)
  lw x2, TF_X(2)(sp)
  .endm

  .text
  .align 4
  .globl m_trap_entry
  .type m_trap_entry, @function
m_trap_entry:
  csrrw sp, mscratch, sp        /* sp = M trap stack top, mscratch = old sp */
  addi sp, sp, -TF_SIZE
  SAVE_REGS
  csrr t0, mscratch
  sw t0, TF_X(2)(sp)
  addi t0, sp, TF_SIZE
  csrw mscratch, t0             /* ready for the next trap */
  csrr t0, mepc
  sw t0, TF_EPC(sp)
  csrr t0, mcause
  sw t0, TF_CAUSE(sp)
  csrr t0, mtval
  sw t0, TF_TVAL(sp)
  csrr t0, mstatus
  sw t0, TF_STATUS(sp)
  mv a0, sp
  call m_trap_handler
  lw t0, TF_EPC(sp)
  csrw mepc, t0
  lw t0, TF_STATUS(sp)
  csrw mstatus, t0
  RESTORE_REGS
  mret
  .size m_trap_entry, . - m_trap_entry

  .align 4
  .globl s_trap_entry
  .type s_trap_entry, @function
s_trap_entry:
  csrrw sp, sscratch, sp
  addi sp, sp, -TF_SIZE
  SAVE_REGS
  csrr t0, sscratch
  sw t0, TF_X(2)(sp)
  addi t0, sp, TF_SIZE
  csrw sscratch, t0
  csrr t0, sepc
  sw t0, TF_EPC(sp)
  csrr t0, scause
  sw t0, TF_CAUSE(sp)
  csrr t0, stval
  sw t0, TF_TVAL(sp)
  csrr t0, sstatus
  sw t0, TF_STATUS(sp)
  mv a0, sp
  call s_trap_handler
  lw t0, TF_EPC(sp)
  csrw sepc, t0
  lw t0, TF_STATUS(sp)
  csrw sstatus, t0
  RESTORE_REGS
  sret
  .size s_trap_entry, . - s_trap_entry

  .globl s_trap_install
  .type s_trap_install, @function
s_trap_install:
  la t0, __strap_stack_top
  csrw sscratch, t0
  la t0, s_trap_entry
  csrw stvec, t0
  ret
  .size s_trap_install, . - s_trap_install

/* uint32_t run_in_mode(uint32_t mode, uint32_t (*fn)(uint32_t), uint32_t arg)
 * Saves the callee-saved registers, then mret to fn in `mode` with ra =
 * lower_return. lower_return's ecall (a7 = LOWER_RETURN_MAGIC) is turned by
 * m_trap_handler into a jump to run_in_mode_resume in M-mode, on the stack
 * saved here. */
  .globl run_in_mode
  .type run_in_mode, @function
run_in_mode:
  addi sp, sp, -64
  sw ra, 0(sp)
  sw s0, 4(sp)
  sw s1, 8(sp)
  sw s2, 12(sp)
  sw s3, 16(sp)
  sw s4, 20(sp)
  sw s5, 24(sp)
  sw s6, 28(sp)
  sw s7, 32(sp)
  sw s8, 36(sp)
  sw s9, 40(sp)
  sw s10, 44(sp)
  sw s11, 48(sp)
  sw gp, 52(sp)
  sw tp, 56(sp)
  la t0, run_in_mode_saved_sp
  sw sp, 0(t0)
  li t0, MSTATUS_MPP_BITS
  csrc mstatus, t0
  andi a0, a0, 3
  slli a0, a0, 11
  csrs mstatus, a0
  csrw mepc, a1
  mv a0, a2
  la ra, lower_return
  mret
  .size run_in_mode, . - run_in_mode

  .globl lower_return
  .type lower_return, @function
lower_return:
  li a7, LOWER_RETURN_MAGIC
  ecall
  j lower_return
  .size lower_return, . - lower_return

  .globl run_in_mode_resume
  .type run_in_mode_resume, @function
run_in_mode_resume:
  lw ra, 0(sp)
  lw s0, 4(sp)
  lw s1, 8(sp)
  lw s2, 12(sp)
  lw s3, 16(sp)
  lw s4, 20(sp)
  lw s5, 24(sp)
  lw s6, 28(sp)
  lw s7, 32(sp)
  lw s8, 36(sp)
  lw s9, 40(sp)
  lw s10, 44(sp)
  lw s11, 48(sp)
  lw gp, 52(sp)
  lw tp, 56(sp)
  addi sp, sp, 64
  ret
  .size run_in_mode_resume, . - run_in_mode_resume

  .section .bss
  .align 2
  .globl run_in_mode_saved_sp
run_in_mode_saved_sp:
  .word 0

/* void lower_return_from_s(uint32_t value, uint32_t via_unimp): an S-mode
 * trap handler's way to finish run_in_mode when lower_return's ecall was
 * delegated to S (see trap.c). */
  .text
  .globl lower_return_from_s
  .type lower_return_from_s, @function
lower_return_from_s:
  li a7, LOWER_RETURN_MAGIC
  bnez a1, 1f
  ecall
1:
  unimp
  j lower_return_from_s
  .size lower_return_from_s, . - lower_return_from_s
