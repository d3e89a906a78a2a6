/* branch.S — control transfer, written in assembly: the six conditional
 * branches taken and not taken at the signed/unsigned boundaries, forward and
 * backward, jal (link = pc + 4, rd = x0), jalr (offset, odd targets lose bit 0,
 * rd = rs1 uses the old rs1, negative offsets), and a counted loop.
 * Each result goes through check(what, got, want) from the runtime. */
#include "guest.h"

/* CHECK name, reg, want: check("name", reg, want) — clobbers caller-saved. */
  .macro CHECK name, reg, want
  mv a1, \reg
  li a2, \want
  la a0, .Lname\@
  call check
  .pushsection .rodata.str, "aMS", @progbits, 1
.Lname\@:
  .asciz "\name"
  .popsection
  .endm

/* BRANCH op, a, b, taken: runs "op a, b" and checks whether it was taken. */
  .macro BRANCH op, a, b, taken
  li t0, \a
  li t1, \b
  li s1, 0
  \op t0, t1, .Ltaken\@
  j .Ldone\@
.Ltaken\@:
  li s1, 1
.Ldone\@:
  CHECK "\op \a, \b", s1, \taken
  .endm

  .text
  .globl main
  .type main, @function
main:
  addi sp, sp, -16
  sw ra, 12(sp)
  sw s0, 8(sp)
  sw s1, 4(sp)
  la a0, banner
  call puts

  BRANCH beq, 5, 5, 1
  BRANCH beq, 5, 6, 0
  BRANCH bne, 5, 6, 1
  BRANCH bne, -1, -1, 0
  BRANCH blt, -1, 1, 1
  BRANCH blt, 1, -1, 0
  BRANCH blt, 0x80000000, 0x7fffffff, 1
  BRANCH blt, 3, 3, 0
  BRANCH bge, 3, 3, 1
  BRANCH bge, -1, 1, 0
  BRANCH bge, 0x7fffffff, 0x80000000, 1
  BRANCH bltu, 1, -1, 1
  BRANCH bltu, -1, 1, 0
  BRANCH bltu, 0x7fffffff, 0x80000000, 1
  BRANCH bgeu, -1, 1, 1
  BRANCH bgeu, 0, 0, 1
  BRANCH bgeu, 0x7fffffff, 0x80000000, 0

  /* Backward branch: sum 1..10 with bnez. */
  li t0, 10
  li s1, 0
1:
  add s1, s1, t0
  addi t0, t0, -1
  bnez t0, 1b
  CHECK "backward loop sum 1..10", s1, 55

  /* jal: the link is the address of the next instruction. */
  jal t0, 2f
3:
  j 4f
2:
  la t1, 3b
  sub s1, t0, t1
  CHECK "jal link = pc + 4", s1, 0
4:
  /* jal with rd = x0 does not link. */
  li t0, 0
  mv s0, zero
  jal zero, 5f
  li s0, 1                      /* skipped */
5:
  CHECK "j skips the next instruction", s0, 0

  /* jalr: target = (rs1 + imm) & ~1, link = pc + 4. */
  la t0, target_plus_8
  addi t0, t0, -8
  jalr ra, 8(t0)
  mv s1, a0
  CHECK "jalr 8(rs1) reaches its target", s1, 0x1234
  la t0, target_plus_8
  addi t0, t0, 16
  jalr ra, -16(t0)
  mv s1, a0
  CHECK "jalr -16(rs1)", s1, 0x1234
  la t0, target_plus_8
  addi t0, t0, 1                /* odd: bit 0 is cleared */
  jalr ra, 0(t0)
  mv s1, a0
  CHECK "jalr to an odd address clears bit 0", s1, 0x1234
  la t0, target_link
  jalr t0, 0(t0)                /* rd = rs1: jumps to the old value */
6:
  la t1, 6b
  sub s1, t0, t1
  CHECK "jalr rd = rs1 links pc + 4", s1, 0
  la t0, 7f
  jalr zero, 0(t0)
  li s0, 99                     /* skipped */
7:
  CHECK "jalr with rd = x0 (indirect jump)", s0, 0

  /* Recursion through jal/jalr: fib(15). */
  li a0, 15
  call fib
  mv s1, a0
  CHECK "recursive fib(15)", s1, 610

  la a0, name
  call report
  lw ra, 12(sp)
  lw s0, 8(sp)
  lw s1, 4(sp)
  addi sp, sp, 16
  ret
  .size main, . - main

target_plus_8:
  li a0, 0x1234
  ret

target_link:
  jr t0                         /* returns to the link left in t0 */

  .type fib, @function
fib:
  li t0, 2
  blt a0, t0, 1f
  addi sp, sp, -16
  sw ra, 12(sp)
  sw s0, 8(sp)
  sw a0, 4(sp)
  addi a0, a0, -1
  call fib
  mv s0, a0
  lw a0, 4(sp)
  addi a0, a0, -2
  call fib
  add a0, a0, s0
  lw ra, 12(sp)
  lw s0, 8(sp)
  addi sp, sp, 16
1:
  ret
  .size fib, . - fib

  .section .rodata
banner:
  .asciz "== branch =="
name:
  .asciz "branch"
