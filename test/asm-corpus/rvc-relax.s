# Branch and jump sizes under .option rvc where two sizes are both consistent
# (the longer form pushes its own target out of the shorter form's reach).
# GNU as settles these from its first estimate, in which a label further on
# counts as its offset in its own frag: short near the start of a section,
# long deeper in (gas-relax.ts).
    .text
    .globl _start
_start:
    .option rvc
    beqz a0, 1f          # near the start: c.beqz (val 254 either way)
    .space 252
1:  j 2f                 # c.j
    .space 2044
2:  nop
    .space 1000
    beqz a0, 3f          # deep: beq (the estimate saw -0x... )
    .space 252
3:  j 4f                 # deep: jal
    .space 2044
4:  bnez s1, 5f          # deep: c.beqz over jal (6 bytes)
    .space 4090
5:  beqz a1, 6f          # a label right after a call: the call's jalr ends gas's frag
    call 7f
6:  nop
    .option norvc
    beqz a0, 7f          # 32-bit relaxable branches keep their 4/8 rule
    .space 4088
7:  nop
    .option rvc
    .section .text.other, "ax"
    beqz a0, _start      # another section: 8 bytes
    j _start             # another section: 4 bytes
    ret
