/* bare.S — a program with no runtime at all: its own _start, a UART loop and
 * the finisher, linked with -Ttext=0x80000000. It checks the boot contract
 * (entry at 0x8000_0000 in M-mode, a0 = mhartid = 0) the way a first
 * assembly program would, and prints "PASS bare". */
  .section .text
  .globl _start
_start:
  csrr t0, mhartid
  bne a0, t0, fail              /* a0 = mhartid at entry */
  bnez a0, fail                 /* one hart: 0 */
  la t1, _start                 /* pc-relative: where we really run */
  li t2, 0x80000000
  bne t1, t2, fail              /* we run at 0x8000_0000 */
  csrr t0, mstatus
  srli t0, t0, 3
  andi t0, t0, 1
  bnez t0, fail                 /* mstatus.MIE = 0 */
  la a0, hello
  call print
  la a0, pass
  call print
  li t0, 0x100000
  li t1, 0x5555
  sw t1, 0(t0)
1:
  j 1b

fail:
  la a0, failed
  call print
  li t0, 0x100000
  li t1, (1 << 16) | 0x3333
  sw t1, 0(t0)
2:
  j 2b

/* print(a0 = NUL-terminated string), polling LSR.THRE. */
print:
  li t0, 0x10000000
3:
  lbu t1, 0(a0)
  beqz t1, 5f
4:
  lbu t2, 5(t0)
  andi t2, t2, 0x20
  beqz t2, 4b
  sb t1, 0(t0)
  addi a0, a0, 1
  j 3b
5:
  ret

  .section .rodata
hello:
  .asciz "== bare ==\nhello from bare assembly: pc = 0x80000000, a0 = mhartid = 0, MIE = 0\n"
pass:
  .asciz "PASS bare\n"
failed:
  .asciz "FAIL bare: boot contract not met\n"
