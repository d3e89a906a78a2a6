/* crt0.S — start-up code of the guest corpus.
 *
 * The hart arrives here in M-mode at 0x8000_0000 with a0 = mhartid (QEMU `virt`
 * with -bios none, and Hyperstep, docs/machine.md). We:
 *   1. set gp and sp (the stack is in .stack, see link.ld),
 *   2. clear .bss,
 *   3. open PMP entry 0 to the whole address space (NAPOT, RWX): QEMU denies
 *      S/U-mode accesses when no PMP entry is programmed, Hyperstep accepts
 *      PMP as WARL — so this makes both behave the same for S/U tests,
 *   4. install the M-mode trap vector (trap.S) with its own stack in mscratch,
 *   5. call main(), then exit(main's return value) through the test finisher.
 */
#include "guest.h"

  .section .text.init, "ax", @progbits
  .globl _start
_start:
  .option push
  .option norelax
  la gp, __global_pointer$
  .option pop
  la sp, __stack_top
  mv s0, a0                     /* keep mhartid from the boot protocol */

  la t0, __bss_start
  la t1, __bss_end
1:
  bgeu t0, t1, 2f
  sw zero, 0(t0)
  addi t0, t0, 4
  j 1b
2:
  la t0, entry_a0
  sw s0, 0(t0)

  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x1f                   /* A=NAPOT, X, W, R */
  csrw pmpcfg0, t0

  la t0, __mtrap_stack_top
  csrw mscratch, t0
  la t0, m_trap_entry
  csrw mtvec, t0

  call main
  /* fall through: exit(a0) */

/* void exit(int code): 0 -> 0x5555 (pass), else (code << 16) | 0x3333. */
  .globl exit
  .type exit, @function
exit:
  /* Drain the UART before powering off: wait for LSR.TEMT (transmitter empty), not only THRE.
   * QEMU's 16550 retries a byte its chardev could not write yet and keeps TEMT clear until it is
   * out; powering off before that loses the last bytes of output when the host is loaded. */
  li t0, UART_BASE
1:
  lbu t1, 5(t0)                 /* LSR */
  andi t1, t1, 0x40             /* TEMT */
  beqz t1, 1b
  li t0, FINISHER_BASE
  beqz a0, 3f
  slli a0, a0, 16
  li t1, FINISHER_FAIL
  or a0, a0, t1
  sw a0, 0(t0)
  j 4f
3:
  li t1, FINISHER_PASS
  sw t1, 0(t0)
4:
  j 4b                          /* the finisher never returns */
  .size exit, . - exit

  .section .bss
  .align 2
  .globl entry_a0
entry_a0:
  .word 0
