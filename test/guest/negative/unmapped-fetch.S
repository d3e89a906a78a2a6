/* unmapped-fetch.S — a negative guest: it jumps to GPA 0x2800_0000, where
 * neither QEMU's virt machine nor Hyperstep has anything.
 *
 * QEMU 7.2: an instruction access fault (mcause 1, mtval = mepc =
 * 0x28000000). With mtvec = 0 (its reset value) QEMU would then fetch from 0,
 * fault again, and loop forever; so this guest installs a handler that prints
 * the trap and exits with code 3.
 *
 * Hyperstep: the fetch is an EPT violation on a GPA that is neither RAM nor
 * a device — "a guest that cannot go on": `hyperstep run` must exit with 125
 * and name the GPA on stderr (docs/contracts.md). The expectation is in
 * unmapped-fetch.expect.json; the harness checks it against our CLI only. */
  .section .text
  .globl _start
_start:
  la t0, handler
  csrw mtvec, t0
  la a0, msg
  call print
  li t0, 0x28000000
  jalr ra, 0(t0)
  /* not reached on either machine */
  li t0, 0x100000
  li t1, 0x5555
  sw t1, 0(t0)
1:
  j 1b

handler:
  la a0, trapped
  call print
  csrr a0, mcause
  call hex
  csrr a0, mtval
  call hex
  li t0, 0x100000
  li t1, (3 << 16) | 0x3333
  sw t1, 0(t0)
2:
  j 2b

print:
  li t0, 0x10000000
3:
  lbu t1, 0(a0)
  beqz t1, 4f
  sb t1, 0(t0)
  addi a0, a0, 1
  j 3b
4:
  ret

/* hex(a0): eight hex digits and a newline. */
hex:
  li t0, 0x10000000
  li t1, 28
  la t3, digits
5:
  srl t2, a0, t1
  andi t2, t2, 15
  add t2, t2, t3
  lbu t2, 0(t2)
  sb t2, 0(t0)
  addi t1, t1, -4
  bgez t1, 5b
  li t2, '\n'
  sb t2, 0(t0)
  ret

  .section .rodata
msg:
  .asciz "jumping to unmapped GPA 0x28000000\n"
trapped:
  .asciz "trap (mcause, mtval):\n"
digits:
  .ascii "0123456789abcdef"
