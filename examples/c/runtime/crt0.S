/* crt0.S — start-up of the C examples. Every hart arrives at 0x8000_0000 in M-mode with
 * a0 = mhartid (README "The machine"). Hart 0 clears .bss and calls main(); the others wait for
 * it, then call secondary_main(hartid). Each hart has its own stack (HART_STACK bytes) and its
 * own trap stack (TRAP_STACK bytes, its top in mscratch, see trap.S). */
#include "hs.h"
  .file "crt0.S"

  .section .text.init, "ax", @progbits
  .globl _start
_start:
  .option push
  .option norelax
  la gp, __global_pointer$
  .option pop
  mv s0, a0                      /* mhartid */
  la sp, __stack_top
  li t0, HART_STACK
  mul t0, t0, s0
  sub sp, sp, t0
  la t1, __trap_stack_top
  li t0, TRAP_STACK
  mul t0, t0, s0
  sub t1, t1, t0
  csrw mscratch, t1
  la t0, trap_entry
  csrw mtvec, t0
  /* PMP, per hart: one NAPOT entry over the whole address space, R/W/X. With PMP implemented and
   * no entry, S- and U-mode accesses fail (privileged spec, "Physical Memory Protection"); QEMU's
   * virt enforces it, so the U-mode task of sv32-kernel needs this there. */
  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x1f                    /* A = NAPOT, X, W, R */
  csrw pmpcfg0, t0
  bnez s0, secondary

  la t0, __bss_start
  la t1, __bss_end
1:
  bgeu t0, t1, 2f
  sw zero, 0(t0)
  addi t0, t0, 4
  j 1b
2:
  fence
  li t0, 1
  la t1, boot_done
  sw t0, 0(t1)
  call main
  call exit

secondary:
  la t1, boot_done
3:
  lw t0, 0(t1)
  beqz t0, 3b
  fence
  mv a0, s0
  call secondary_main
4:
  wfi
  j 4b

  .section .data
  .align 2
boot_done:
  .word 0
