	.file	"gcc-source.c"
	.option nopic
	.attribute arch, "rv32i2p1_m2p0_a2p1_c2p0_zicsr2p0_zifencei2p0"
	.attribute unaligned_access, 0
	.attribute stack_align, 16
	.text
	.align	1
	.globl	puts
	.type	puts, @function
puts:
	lbu	a3,0(a0)
	beq	a3,zero,.L1
	li	a4,268435456
.L4:
	addi	a0,a0,1
.L3:
	lbu	a5,5(a4)
	andi	a5,a5,32
	beq	a5,zero,.L3
	sb	a3,0(a4)
	lbu	a3,0(a0)
	bne	a3,zero,.L4
.L1:
	ret
	.size	puts, .-puts
	.align	1
	.globl	push
	.type	push, @function
push:
	lla	a2,used
	lw	a4,0(a2)
	li	a5,15
	mv	a3,a0
	bgt	a4,a5,.L14
	slli	a0,a4,3
	lla	a5,.LANCHOR0
	add	a0,a5,a0
	addi	a4,a4,1
	sw	a4,0(a2)
	sw	a1,0(a0)
	sw	a3,4(a0)
	ret
.L14:
	ret
	.size	push, .-push
	.align	1
	.globl	sum
	.type	sum, @function
sum:
	mv	a5,a0
	li	a0,0
	beq	a5,zero,.L18
.L17:
	lw	a4,0(a5)
	lw	a5,4(a5)
	add	a0,a0,a4
	bne	a5,zero,.L17
	ret
.L18:
	ret
	.size	sum, .-sum
	.align	1
	.globl	sort
	.type	sort, @function
sort:
	li	a5,1
	ble	a1,a5,.L20
	slli	a1,a1,2
	addi	a7,a0,4
	add	t3,a0,a1
	li	t1,0
	li	a6,-1
.L25:
	lw	a1,0(a7)
	mv	a4,t1
	mv	a5,a7
	j	.L22
.L24:
	sw	a3,0(a5)
	addi	a5,a2,-4
	beq	a4,a6,.L27
.L22:
	lw	a3,-4(a5)
	addi	a4,a4,-1
	mv	a2,a5
	bgt	a3,a1,.L24
	sw	a1,0(a2)
	addi	a7,a7,4
	addi	t1,t1,1
	bne	t3,a7,.L25
.L20:
	ret
.L27:
	mv	a2,a0
	sw	a1,0(a2)
	addi	a7,a7,4
	addi	t1,t1,1
	bne	t3,a7,.L25
	j	.L20
	.size	sort, .-sort
	.align	1
	.globl	mix
	.type	mix, @function
mix:
	ori	a5,a1,1
	divu	a5,a0,a5
	li	a4,-1640529920
	addi	a4,a4,-1615
	srli	a3,a1,7
	mul	a4,a0,a4
	mulhu	a0,a0,a1
	xor	a5,a5,a4
	xor	a5,a5,a3
	xor	a0,a5,a0
	ret
	.size	mix, .-mix
	.align	1
	.globl	classify
	.type	classify, @function
classify:
	li	a5,6
	bgtu	a0,a5,.L32
	slli	a5,a0,1
	add	a5,a5,a0
	slli	a5,a5,2
	sub	a0,a5,a0
	addi	a0,a0,10
	ret
.L32:
	li	a0,-1
	ret
	.size	classify, .-classify
	.align	1
	.globl	read_cycle
	.type	read_cycle, @function
read_cycle:
 #APP
# 70 "gcc-source.c" 1
	csrr a0, cycle
# 0 "" 2
 #NO_APP
	ret
	.size	read_cycle, .-read_cycle
	.align	1
	.globl	atomic_inc
	.type	atomic_inc, @function
atomic_inc:
	mv	a5,a0
	li	a4,1
	fence iorw,ow; amoadd.w.aq a0,a4,0(a5)
	ret
	.size	atomic_inc, .-atomic_inc
	.align	1
	.globl	_start
	.type	_start, @function
_start:
	addi	sp,sp,-48
	sw	s0,40(sp)
	lla	s0,.LANCHOR1
	lw	a7,0(s0)
	lw	a6,4(s0)
	lw	a2,8(s0)
	lw	a3,12(s0)
	lw	a5,20(s0)
	lw	a4,16(s0)
	li	a1,6
	addi	a0,sp,8
	sw	a7,8(sp)
	sw	a6,12(sp)
	sw	a2,16(sp)
	sw	a3,20(sp)
	sw	a5,28(sp)
	sw	ra,44(sp)
	sw	a4,24(sp)
	call	sort
	lla	t1,used
	lw	a2,0(t1)
	addi	a3,sp,8
	addi	a7,sp,32
	li	a1,0
	li	a5,0
	lla	a6,.LANCHOR0
	li	a0,15
.L37:
	slli	a4,a2,3
	add	a4,a6,a4
	bgt	a2,a0,.L36
	lw	a1,0(a3)
	sw	a5,4(a4)
	addi	a2,a2,1
	sw	a1,0(a4)
	mv	a5,a4
	li	a1,1
.L36:
	addi	a3,a3,4
	bne	a3,a7,.L37
	beq	a1,zero,.L38
	sw	a2,0(t1)
.L38:
	li	a4,0
	beq	a5,zero,.L39
.L40:
	lw	a3,0(a5)
	lw	a5,4(a5)
	add	a4,a4,a3
	bne	a5,zero,.L40
.L39:
	lla	a3,counter
	lw	a2,0(a3)
	li	a1,6
	li	a5,-1
	bgtu	a2,a1,.L41
	li	a5,11
	mul	a2,a2,a5
	addi	a5,a2,10
.L41:
	lw	a2,ticks
 #APP
# 70 "gcc-source.c" 1
	csrr a0, cycle
# 0 "" 2
 #NO_APP
	li	a1,1
	fence iorw,ow; amoadd.w.aq a7,a1,0(a3)
	ori	a1,a0,1
	divu	a1,a2,a1
	add	a4,a5,a4
	li	a5,-1640529920
	addi	a5,a5,-1615
	srli	t1,a0,7
	lw	a6,0(a3)
	mul	a5,a2,a5
	mulhu	a2,a2,a0
	xor	a5,a5,t1
	xor	a5,a5,a1
	xor	a5,a5,a2
	add	a5,a5,a4
	add	a5,a5,a7
	add	a5,a5,a6
	andi	a4,a5,3
	slli	a4,a4,2
	add	s0,s0,a4
	lw	a0,24(s0)
	sw	a5,0(a3)
	call	puts
.L42:
 #APP
# 85 "gcc-source.c" 1
	wfi
# 0 "" 2
# 85 "gcc-source.c" 1
	wfi
# 0 "" 2
 #NO_APP
	j	.L42
	.size	_start, .-_start
	.globl	ticks
	.globl	names
	.section	.rodata.str1.4,"aMS",@progbits,1
	.align	2
.LC1:
	.string	"zero"
	.align	2
.LC2:
	.string	"one"
	.align	2
.LC3:
	.string	"two"
	.align	2
.LC4:
	.string	"three"
	.align	2
.LC5:
	.string	"four"
	.globl	small_table
	.globl	counter
	.section	.rodata
	.align	2
	.set	.LANCHOR1,. + 0
.LC0:
	.word	5
	.word	3
	.word	9
	.word	1
	.word	7
	.word	2
	.type	names, @object
	.size	names, 20
names:
	.word	.LC1
	.word	.LC2
	.word	.LC3
	.word	.LC4
	.word	.LC5
	.bss
	.align	2
	.set	.LANCHOR0,. + 0
	.type	pool, @object
	.size	pool, 128
pool:
	.zero	128
	.section	.sbss,"aw",@nobits
	.align	2
	.type	ticks, @object
	.size	ticks, 4
ticks:
	.zero	4
	.type	used, @object
	.size	used, 4
used:
	.zero	4
	.section	.sdata,"aw"
	.align	2
	.type	small_table, @object
	.size	small_table, 8
small_table:
	.half	1
	.half	-2
	.half	3
	.half	-4
	.type	counter, @object
	.size	counter, 4
counter:
	.word	3
	.ident	"GCC: (12.2.0-14+deb12u1+11+b2) 12.2.0"
