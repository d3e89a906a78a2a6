# `.set` naming its own symbol: the value before the line (GNU as evaluates a `.set` where it is
# written). A counter in a `.rept`, an equate of a counter, and an `li` whose size depends on the
# count.
    .option norvc
    .set    count, 0
    .set    count, count + 1
    .set    count, count + 1
    .set    twice, count * 2
    .set    count, count + twice
    .set    n, 0
    .rept   3000
    .set    n, n + 1
    .endr
    .text
    .globl  _start
_start:
    li      a0, count
    li      a1, n
    li      a2, twice
end:
    j       end
    .data
table:
    .set    i, 0
    .rept   5
    .word   i * i
    .set    i, i + 1
    .endr
    .word   count, n, twice, i
