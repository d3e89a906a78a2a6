	.file	"gcc-source.c"
	.option nopic
	.attribute arch, "rv32i2p1_m2p0_a2p1_c2p0_zicsr2p0_zifencei2p0"
	.attribute unaligned_access, 0
	.attribute stack_align, 16
	.text
.Ltext0:
	.cfi_sections	.debug_frame
	.file 0 "/work/wt/h14asm/test/asm-corpus" "gcc-source.c"
	.align	1
	.globl	puts
	.type	puts, @function
puts:
.LFB1:
	.file 1 "gcc-source.c"
	.loc 1 25 26
	.cfi_startproc
.LVL0:
	.loc 1 26 3
	.loc 1 26 10
	lbu	a3,0(a0)
	beq	a3,zero,.L1
.LBB17:
.LBB18:
	.loc 1 21 16 is_stmt 0
	li	a4,268435456
.L4:
.LBE18:
.LBE17:
	.loc 1 26 14 is_stmt 1 discriminator 2
	.loc 1 26 21 is_stmt 0 discriminator 2
	addi	a0,a0,1
.LVL1:
.LBB20:
.LBB19:
	.loc 1 21 3 is_stmt 1 discriminator 2
.L3:
	.loc 1 21 31
	.loc 1 21 10
	.loc 1 21 16 is_stmt 0
	lbu	a5,5(a4)
	.loc 1 21 10
	andi	a5,a5,32
	beq	a5,zero,.L3
	.loc 1 22 3 is_stmt 1
	.loc 1 22 11 is_stmt 0
	sb	a3,0(a4)
.LVL2:
.LBE19:
.LBE20:
	.loc 1 26 10 is_stmt 1
	lbu	a3,0(a0)
	bne	a3,zero,.L4
.L1:
	.loc 1 27 1 is_stmt 0
	ret
	.cfi_endproc
.LFE1:
	.size	puts, .-puts
	.align	1
	.globl	push
	.type	push, @function
push:
.LFB2:
	.loc 1 29 47 is_stmt 1
	.cfi_startproc
.LVL3:
	.loc 1 30 3
	.loc 1 30 12 is_stmt 0
	lui	a2,%hi(used)
	lw	a4,%lo(used)(a2)
	.loc 1 30 6
	li	a5,15
	.loc 1 29 47
	mv	a3,a0
	.loc 1 30 6
	bgt	a4,a5,.L14
	.loc 1 31 3 is_stmt 1
	.loc 1 31 16 is_stmt 0
	lui	a5,%hi(.LANCHOR0)
	slli	a0,a4,3
.LVL4:
	addi	a5,a5,%lo(.LANCHOR0)
	add	a0,a5,a0
.LVL5:
	.loc 1 32 3 is_stmt 1
	.loc 1 31 30 is_stmt 0
	addi	a4,a4,1
	sw	a4,%lo(used)(a2)
	.loc 1 32 10
	sw	a1,0(a0)
	.loc 1 33 3 is_stmt 1
	.loc 1 33 11 is_stmt 0
	sw	a3,4(a0)
	.loc 1 34 3 is_stmt 1
	.loc 1 34 10 is_stmt 0
	ret
.LVL6:
.L14:
	.loc 1 35 1
	ret
	.cfi_endproc
.LFE2:
	.size	push, .-push
	.align	1
	.globl	sum
	.type	sum, @function
sum:
.LFB3:
	.loc 1 37 31 is_stmt 1
	.cfi_startproc
.LVL7:
	.loc 1 38 3
	.loc 1 39 3
	.loc 1 37 31 is_stmt 0
	mv	a5,a0
	.loc 1 39 10 is_stmt 1
	.loc 1 38 7 is_stmt 0
	li	a0,0
.LVL8:
	.loc 1 39 10
	beq	a5,zero,.L18
.LVL9:
.L17:
	.loc 1 39 26 is_stmt 1 discriminator 2
	.loc 1 39 28 is_stmt 0 discriminator 2
	lw	a4,0(a5)
	.loc 1 39 15 discriminator 2
	lw	a5,4(a5)
.LVL10:
	.loc 1 39 28 discriminator 2
	add	a0,a0,a4
.LVL11:
	.loc 1 39 15 is_stmt 1 discriminator 2
	.loc 1 39 10 discriminator 2
	bne	a5,zero,.L17
	ret
.LVL12:
.L18:
	.loc 1 40 3
	.loc 1 41 1 is_stmt 0
	ret
	.cfi_endproc
.LFE3:
	.size	sum, .-sum
	.align	1
	.globl	sort
	.type	sort, @function
sort:
.LFB4:
	.loc 1 43 26 is_stmt 1
	.cfi_startproc
.LVL13:
	.loc 1 44 3
.LBB21:
	.loc 1 44 8
	.loc 1 44 21
	li	a5,1
	ble	a1,a5,.L20
	slli	a1,a1,2
.LVL14:
	addi	a7,a0,4
	add	t3,a0,a1
	li	t1,0
.LBB22:
	.loc 1 46 19 is_stmt 0
	li	a6,-1
.LVL15:
.L25:
	.loc 1 45 5 is_stmt 1
	.loc 1 45 9 is_stmt 0
	lw	a1,0(a7)
.LVL16:
	.loc 1 45 19
	mv	a4,t1
.LVL17:
	.loc 1 46 5 is_stmt 1
	.loc 1 46 19
	.loc 1 45 19 is_stmt 0
	mv	a5,a7
	j	.L22
.LVL18:
.L24:
	.loc 1 46 43 discriminator 3
	sw	a3,0(a5)
	.loc 1 46 51 is_stmt 1 discriminator 3
.LVL19:
	.loc 1 46 19 discriminator 3
	addi	a5,a2,-4
	beq	a4,a6,.L27
.L22:
	.loc 1 46 34 discriminator 2
	.loc 1 46 23 is_stmt 0 discriminator 2
	lw	a3,-4(a5)
	.loc 1 46 52 discriminator 2
	addi	a4,a4,-1
.LVL20:
	mv	a2,a5
	.loc 1 46 19 discriminator 2
	bgt	a3,a1,.L24
	.loc 1 47 5 is_stmt 1 discriminator 2
	.loc 1 47 14 is_stmt 0 discriminator 2
	sw	a1,0(a2)
.LBE22:
	.loc 1 44 27 is_stmt 1 discriminator 2
.LVL21:
	.loc 1 44 21 discriminator 2
	addi	a7,a7,4
	addi	t1,t1,1
.LVL22:
	bne	t3,a7,.L25
.LVL23:
.L20:
.LBE21:
	.loc 1 49 1 is_stmt 0
	ret
.LVL24:
.L27:
.LBB24:
.LBB23:
	mv	a2,a0
	.loc 1 47 5 is_stmt 1
	.loc 1 47 14 is_stmt 0
	sw	a1,0(a2)
.LBE23:
	.loc 1 44 27 is_stmt 1
.LVL25:
	.loc 1 44 21
	addi	a7,a7,4
	addi	t1,t1,1
.LVL26:
	bne	t3,a7,.L25
	j	.L20
.LBE24:
	.cfi_endproc
.LFE4:
	.size	sort, .-sort
	.align	1
	.globl	mix
	.type	mix, @function
mix:
.LFB5:
	.loc 1 51 23
	.cfi_startproc
.LVL27:
	.loc 1 52 3
	.loc 1 52 49 is_stmt 0
	ori	a5,a1,1
	.loc 1 52 44
	divu	a5,a0,a5
	.loc 1 52 13
	li	a4,-1640529920
	addi	a4,a4,-1615
	.loc 1 52 33
	srli	a3,a1,7
	.loc 1 52 13
	mul	a4,a0,a4
	.loc 1 52 89
	mulhu	a0,a0,a1
.LVL28:
	.loc 1 52 39
	xor	a5,a5,a4
	xor	a5,a5,a3
	.loc 1 53 1
	xor	a0,a5,a0
	ret
	.cfi_endproc
.LFE5:
	.size	mix, .-mix
	.align	1
	.globl	classify
	.type	classify, @function
classify:
.LFB6:
	.loc 1 55 21 is_stmt 1
	.cfi_startproc
.LVL29:
	.loc 1 56 3
	li	a5,6
	bgtu	a0,a5,.L32
	slli	a5,a0,1
	add	a5,a5,a0
	slli	a5,a5,2
	sub	a0,a5,a0
.LVL30:
	addi	a0,a0,10
	ret
.LVL31:
.L32:
	.loc 1 55 21 is_stmt 0
	li	a0,-1
.LVL32:
	.loc 1 66 1
	ret
	.cfi_endproc
.LFE6:
	.size	classify, .-classify
	.align	1
	.globl	read_cycle
	.type	read_cycle, @function
read_cycle:
.LFB7:
	.loc 1 68 22 is_stmt 1
	.cfi_startproc
	.loc 1 69 3
	.loc 1 70 3
 #APP
# 70 "gcc-source.c" 1
	csrr a0, cycle
# 0 "" 2
.LVL33:
	.loc 1 71 3
	.loc 1 72 1 is_stmt 0
 #NO_APP
	ret
	.cfi_endproc
.LFE7:
	.size	read_cycle, .-read_cycle
	.align	1
	.globl	atomic_inc
	.type	atomic_inc, @function
atomic_inc:
.LFB8:
	.loc 1 74 24 is_stmt 1
	.cfi_startproc
.LVL34:
	.loc 1 75 3
	.loc 1 74 24 is_stmt 0
	mv	a5,a0
	.loc 1 75 10
	li	a4,1
	fence iorw,ow; amoadd.w.aq a0,a4,0(a5)
.LVL35:
	.loc 1 76 1
	ret
	.cfi_endproc
.LFE8:
	.size	atomic_inc, .-atomic_inc
	.align	1
	.globl	_start
	.type	_start, @function
_start:
.LFB9:
	.loc 1 78 19 is_stmt 1
	.cfi_startproc
	.loc 1 79 3
	.loc 1 78 19 is_stmt 0
	addi	sp,sp,-48
	.cfi_def_cfa_offset 48
	sw	s0,40(sp)
	.cfi_offset 8, -8
	.loc 1 79 7
	lui	s0,%hi(.LANCHOR1)
	addi	s0,s0,%lo(.LANCHOR1)
	lw	a7,0(s0)
	lw	a6,4(s0)
	lw	a2,8(s0)
	lw	a3,12(s0)
	lw	a5,20(s0)
	lw	a4,16(s0)
	.loc 1 81 3
	li	a1,6
	addi	a0,sp,8
	.loc 1 79 7
	sw	a7,8(sp)
	sw	a6,12(sp)
	sw	a2,16(sp)
	sw	a3,20(sp)
	sw	a5,28(sp)
	.loc 1 80 3 is_stmt 1
.LVL36:
	.loc 1 81 3
	.loc 1 78 19 is_stmt 0
	sw	ra,44(sp)
	.cfi_offset 1, -4
	.loc 1 79 7
	sw	a4,24(sp)
	.loc 1 81 3
	call	sort
.LVL37:
	.loc 1 82 3 is_stmt 1
.LBB25:
	.loc 1 82 8
	.loc 1 82 21
	lui	t1,%hi(used)
	lw	a2,%lo(used)(t1)
	lui	a1,%hi(.LANCHOR0)
	addi	a3,sp,8
	addi	a7,sp,32
.LBE25:
	.loc 1 81 3 is_stmt 0
	li	a0,0
	.loc 1 80 16
	li	a5,0
	addi	a1,a1,%lo(.LANCHOR0)
.LBB30:
.LBB26:
.LBB27:
	.loc 1 30 6
	li	a6,15
.LVL38:
.L37:
.LBE27:
.LBE26:
	.loc 1 82 31 is_stmt 1 discriminator 3
.LBB29:
.LBB28:
	.loc 1 30 3 discriminator 3
	.loc 1 31 3 discriminator 3
	.loc 1 31 16 is_stmt 0 discriminator 3
	slli	a4,a2,3
	add	a4,a1,a4
.LVL39:
	.loc 1 32 3 is_stmt 1 discriminator 3
	.loc 1 30 6 is_stmt 0 discriminator 3
	bgt	a2,a6,.L36
	.loc 1 32 10
	lw	a0,0(a3)
	.loc 1 33 11
	sw	a5,4(a4)
	.loc 1 31 30
	addi	a2,a2,1
	.loc 1 32 10
	sw	a0,0(a4)
	.loc 1 33 3 is_stmt 1
	.loc 1 34 3
	.loc 1 34 10 is_stmt 0
	mv	a5,a4
.LVL40:
	li	a0,1
.LVL41:
.L36:
.LBE28:
.LBE29:
	.loc 1 82 27 is_stmt 1
	.loc 1 82 21
	addi	a3,a3,4
	bne	a3,a7,.L37
	beq	a0,zero,.L38
	sw	a2,%lo(used)(t1)
.L38:
.LVL42:
.LBE30:
.LBB31:
.LBB32:
	.loc 1 39 10
	.loc 1 38 7 is_stmt 0
	li	a4,0
.LVL43:
	.loc 1 39 10
	beq	a5,zero,.L39
.LVL44:
.L40:
	.loc 1 39 26 is_stmt 1
	.loc 1 39 28 is_stmt 0
	lw	a3,0(a5)
	.loc 1 39 15
	lw	a5,4(a5)
.LVL45:
	.loc 1 39 28
	add	a4,a4,a3
.LVL46:
	.loc 1 39 15 is_stmt 1
	.loc 1 39 10
	bne	a5,zero,.L40
.LVL47:
.L39:
	.loc 1 40 3
.LBE32:
.LBE31:
	.loc 1 83 23 is_stmt 0
	lui	a3,%hi(counter)
	lw	a2,%lo(counter)(a3)
	li	a1,6
	li	a5,-1
	bgtu	a2,a1,.L41
	li	a5,11
	mul	a2,a2,a5
	addi	a5,a2,10
.L41:
.LVL48:
	.loc 1 83 48
	lui	a2,%hi(ticks)
	lw	a2,%lo(ticks)(a2)
.LBB33:
.LBB34:
	.loc 1 69 3 is_stmt 1
	.loc 1 70 3
 #APP
# 70 "gcc-source.c" 1
	csrr a0, cycle
# 0 "" 2
.LVL49:
	.loc 1 71 3
 #NO_APP
.LBE34:
.LBE33:
.LBB35:
.LBB36:
	.loc 1 52 3
.LBE36:
.LBE35:
.LBB40:
.LBB41:
	.loc 1 75 3
	.loc 1 75 10 is_stmt 0
	li	a1,1
	addi	a6,a3,%lo(counter)
	fence iorw,ow; amoadd.w.aq a7,a1,0(a6)
.LVL50:
.LBE41:
.LBE40:
.LBB42:
.LBB37:
	.loc 1 52 49
	ori	a1,a0,1
	.loc 1 52 44
	divu	a1,a2,a1
.LBE37:
.LBE42:
	.loc 1 83 21
	add	a4,a5,a4
.LBB43:
.LBB38:
	.loc 1 52 13
	li	a5,-1640529920
	addi	a5,a5,-1615
	.loc 1 52 33
	srli	t1,a0,7
.LBE38:
.LBE43:
	.loc 1 83 11
	lw	a6,%lo(counter)(a3)
.LBB44:
.LBB39:
	.loc 1 52 13
	mul	a5,a2,a5
	.loc 1 52 89
	mulhu	a2,a2,a0
	.loc 1 52 28
	xor	a5,a5,t1
	.loc 1 52 39
	xor	a5,a5,a1
	.loc 1 52 55
	xor	a5,a5,a2
.LBE39:
.LBE44:
	.loc 1 83 41
	add	a5,a5,a4
	.loc 1 83 73
	add	a5,a5,a7
	.loc 1 83 11
	add	a5,a5,a6
	.loc 1 84 22
	andi	a4,a5,3
	.loc 1 84 13
	slli	a4,a4,2
	add	s0,s0,a4
	.loc 1 84 3
	lw	a0,24(s0)
	.loc 1 83 11
	sw	a5,%lo(counter)(a3)
	.loc 1 84 3 is_stmt 1
	call	puts
.LVL51:
.L42:
	.loc 1 85 3 discriminator 1
	.loc 1 85 14 discriminator 1
 #APP
# 85 "gcc-source.c" 1
	wfi
# 0 "" 2
	.loc 1 85 3 discriminator 1
	.loc 1 85 3 discriminator 1
	.loc 1 85 14 discriminator 1
# 85 "gcc-source.c" 1
	wfi
# 0 "" 2
	.loc 1 85 3 discriminator 1
 #NO_APP
	j	.L42
	.cfi_endproc
.LFE9:
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
	.text
.Letext0:
	.section	.debug_info,"",@progbits
.Ldebug_info0:
	.4byte	0x48d
	.2byte	0x5
	.byte	0x1
	.byte	0x4
	.4byte	.Ldebug_abbrev0
	.byte	0x18
	.4byte	.LASF20
	.byte	0x1d
	.4byte	.LASF0
	.4byte	.LASF1
	.4byte	.Ltext0
	.4byte	.Letext0-.Ltext0
	.4byte	.Ldebug_line0
	.byte	0x19
	.string	"u32"
	.byte	0x1
	.byte	0x7
	.byte	0x16
	.4byte	0x37
	.byte	0x1a
	.4byte	0x26
	.byte	0xd
	.byte	0x4
	.byte	0x7
	.4byte	.LASF3
	.byte	0x1b
	.4byte	.LASF21
	.byte	0x8
	.byte	0x1
	.byte	0xb
	.byte	0x8
	.4byte	0x66
	.byte	0x1c
	.string	"key"
	.byte	0x1
	.byte	0xb
	.byte	0x13
	.4byte	0x6b
	.byte	0
	.byte	0x1d
	.4byte	.LASF2
	.byte	0x1
	.byte	0xb
	.byte	0x25
	.4byte	0x72
	.byte	0x4
	.byte	0
	.byte	0x5
	.4byte	0x3e
	.byte	0x1e
	.byte	0x4
	.byte	0x5
	.string	"int"
	.byte	0x6
	.4byte	0x3e
	.byte	0x7
	.4byte	0x3e
	.4byte	0x87
	.byte	0x8
	.4byte	0x37
	.byte	0xf
	.byte	0
	.byte	0x13
	.4byte	.LASF4
	.byte	0xd
	.byte	0x14
	.4byte	0x77
	.byte	0x5
	.byte	0x3
	.4byte	pool
	.byte	0x13
	.4byte	.LASF5
	.byte	0xe
	.byte	0xc
	.4byte	0x6b
	.byte	0x5
	.byte	0x3
	.4byte	used
	.byte	0x9
	.4byte	.LASF7
	.byte	0xf
	.byte	0x5
	.4byte	0x6b
	.byte	0x5
	.byte	0x3
	.4byte	counter
	.byte	0x7
	.4byte	0xca
	.4byte	0xca
	.byte	0x8
	.4byte	0x37
	.byte	0x3
	.byte	0
	.byte	0xd
	.byte	0x2
	.byte	0x5
	.4byte	.LASF6
	.byte	0x9
	.4byte	.LASF8
	.byte	0x10
	.byte	0x7
	.4byte	0xba
	.byte	0x5
	.byte	0x3
	.4byte	small_table
	.byte	0x7
	.4byte	0xfc
	.4byte	0xf2
	.byte	0x8
	.4byte	0x37
	.byte	0x4
	.byte	0
	.byte	0x5
	.4byte	0xe2
	.byte	0x6
	.4byte	0x108
	.byte	0x5
	.4byte	0xf7
	.byte	0xd
	.byte	0x1
	.byte	0x8
	.4byte	.LASF9
	.byte	0x5
	.4byte	0x101
	.byte	0x9
	.4byte	.LASF10
	.byte	0x11
	.byte	0x13
	.4byte	0xf2
	.byte	0x5
	.byte	0x3
	.4byte	names
	.byte	0x9
	.4byte	.LASF11
	.byte	0x12
	.byte	0xe
	.4byte	0x32
	.byte	0x5
	.byte	0x3
	.4byte	ticks
	.byte	0xe
	.4byte	.LASF15
	.byte	0x4e
	.4byte	.LFB9
	.4byte	.LFE9-.LFB9
	.byte	0x1
	.byte	0x9c
	.4byte	0x240
	.byte	0x1f
	.string	"a"
	.byte	0x1
	.byte	0x4f
	.byte	0x7
	.4byte	0x240
	.byte	0x2
	.byte	0x91
	.byte	0x58
	.byte	0x3
	.string	"l"
	.byte	0x50
	.byte	0x10
	.4byte	0x72
	.4byte	.LLST16
	.byte	0x20
	.4byte	.LLRL17
	.4byte	0x19d
	.byte	0x3
	.string	"i"
	.byte	0x52
	.byte	0xc
	.4byte	0x6b
	.4byte	.LLST18
	.byte	0x14
	.4byte	0x347
	.4byte	.LBB26
	.4byte	.LLRL19
	.byte	0x52
	.byte	0x23
	.byte	0xa
	.4byte	0x362
	.byte	0xa
	.4byte	0x356
	.byte	0xf
	.4byte	.LLRL19
	.byte	0xb
	.4byte	0x36d
	.4byte	.LLST20
	.byte	0
	.byte	0
	.byte	0
	.byte	0x10
	.4byte	0x321
	.4byte	.LBB31
	.4byte	.LBE31-.LBB31
	.byte	0xe
	.4byte	0x1c2
	.byte	0x1
	.4byte	0x32f
	.4byte	.LLST21
	.byte	0xb
	.4byte	0x338
	.4byte	.LLST22
	.byte	0
	.byte	0x10
	.4byte	0x26e
	.4byte	.LBB33
	.4byte	.LBE33-.LBB33
	.byte	0x30
	.4byte	0x1da
	.byte	0x21
	.4byte	0x27d
	.byte	0
	.byte	0x22
	.4byte	0x2a0
	.4byte	.LBB35
	.4byte	.LLRL23
	.byte	0x1
	.byte	0x53
	.byte	0x30
	.4byte	0x1f9
	.byte	0xa
	.4byte	0x2b7
	.byte	0xa
	.4byte	0x2ae
	.byte	0
	.byte	0x10
	.4byte	0x250
	.4byte	.LBB40
	.4byte	.LBE40-.LBB40
	.byte	0x4b
	.4byte	0x215
	.byte	0x1
	.4byte	0x25f
	.4byte	.LLST24
	.byte	0
	.byte	0x23
	.4byte	.LVL37
	.4byte	0x2c1
	.4byte	0x22e
	.byte	0x11
	.byte	0x1
	.byte	0x5a
	.byte	0x2
	.byte	0x91
	.byte	0x58
	.byte	0x11
	.byte	0x1
	.byte	0x5b
	.byte	0x1
	.byte	0x36
	.byte	0
	.byte	0x24
	.4byte	.LVL51
	.4byte	0x377
	.byte	0x11
	.byte	0x1
	.byte	0x5a
	.byte	0x3
	.byte	0x78
	.byte	0x18
	.byte	0x6
	.byte	0
	.byte	0
	.byte	0x7
	.4byte	0x6b
	.4byte	0x250
	.byte	0x8
	.4byte	0x37
	.byte	0x5
	.byte	0
	.byte	0xc
	.4byte	.LASF12
	.byte	0x4a
	.byte	0x5
	.4byte	0x6b
	.4byte	0x269
	.byte	0x2
	.string	"p"
	.byte	0x4a
	.byte	0x15
	.4byte	0x269
	.byte	0
	.byte	0x6
	.4byte	0x6b
	.byte	0xc
	.4byte	.LASF13
	.byte	0x44
	.byte	0x5
	.4byte	0x26
	.4byte	0x287
	.byte	0x12
	.string	"v"
	.byte	0x45
	.byte	0x7
	.4byte	0x26
	.byte	0
	.byte	0xc
	.4byte	.LASF14
	.byte	0x37
	.byte	0x5
	.4byte	0x6b
	.4byte	0x2a0
	.byte	0x2
	.string	"c"
	.byte	0x37
	.byte	0x12
	.4byte	0x6b
	.byte	0
	.byte	0x15
	.string	"mix"
	.byte	0x33
	.4byte	0x26
	.4byte	0x2c1
	.byte	0x2
	.string	"x"
	.byte	0x33
	.byte	0xd
	.4byte	0x26
	.byte	0x2
	.string	"y"
	.byte	0x33
	.byte	0x14
	.4byte	0x26
	.byte	0
	.byte	0xe
	.4byte	.LASF16
	.byte	0x2b
	.4byte	.LFB4
	.4byte	.LFE4-.LFB4
	.byte	0x1
	.byte	0x9c
	.4byte	0x321
	.byte	0x25
	.string	"a"
	.byte	0x1
	.byte	0x2b
	.byte	0x10
	.4byte	0x269
	.byte	0x1
	.byte	0x5a
	.byte	0x16
	.string	"n"
	.byte	0x2b
	.4byte	0x6b
	.4byte	.LLST7
	.byte	0xf
	.4byte	.LLRL8
	.byte	0x3
	.string	"i"
	.byte	0x2c
	.byte	0xc
	.4byte	0x6b
	.4byte	.LLST9
	.byte	0xf
	.4byte	.LLRL10
	.byte	0x3
	.string	"v"
	.byte	0x2d
	.byte	0x9
	.4byte	0x6b
	.4byte	.LLST11
	.byte	0x3
	.string	"j"
	.byte	0x2d
	.byte	0x13
	.4byte	0x6b
	.4byte	.LLST12
	.byte	0
	.byte	0
	.byte	0
	.byte	0x15
	.string	"sum"
	.byte	0x25
	.4byte	0x6b
	.4byte	0x342
	.byte	0x2
	.string	"n"
	.byte	0x25
	.byte	0x1c
	.4byte	0x342
	.byte	0x12
	.string	"s"
	.byte	0x26
	.byte	0x7
	.4byte	0x6b
	.byte	0
	.byte	0x6
	.4byte	0x66
	.byte	0xc
	.4byte	.LASF17
	.byte	0x1d
	.byte	0xe
	.4byte	0x72
	.4byte	0x377
	.byte	0x26
	.4byte	.LASF18
	.byte	0x1
	.byte	0x1d
	.byte	0x20
	.4byte	0x72
	.byte	0x2
	.string	"key"
	.byte	0x1d
	.byte	0x2a
	.4byte	0x6b
	.byte	0x12
	.string	"n"
	.byte	0x1f
	.byte	0x10
	.4byte	0x72
	.byte	0
	.byte	0xe
	.4byte	.LASF19
	.byte	0x19
	.4byte	.LFB1
	.4byte	.LFE1-.LFB1
	.byte	0x1
	.byte	0x9c
	.4byte	0x3b1
	.byte	0x16
	.string	"s"
	.byte	0x19
	.4byte	0xf7
	.4byte	.LLST0
	.byte	0x14
	.4byte	0x3b1
	.4byte	.LBB17
	.4byte	.LLRL1
	.byte	0x1a
	.byte	0xe
	.byte	0x1
	.4byte	0x3be
	.4byte	.LLST2
	.byte	0
	.byte	0
	.byte	0x27
	.4byte	.LASF22
	.byte	0x1
	.byte	0x14
	.byte	0xd
	.byte	0x1
	.4byte	0x3c8
	.byte	0x2
	.string	"c"
	.byte	0x14
	.byte	0x17
	.4byte	0x101
	.byte	0
	.byte	0x4
	.4byte	0x347
	.4byte	.LFB2
	.4byte	.LFE2-.LFB2
	.byte	0x1
	.byte	0x9c
	.4byte	0x3f5
	.byte	0x1
	.4byte	0x356
	.4byte	.LLST3
	.byte	0x17
	.4byte	0x362
	.byte	0x1
	.byte	0x5b
	.byte	0xb
	.4byte	0x36d
	.4byte	.LLST4
	.byte	0
	.byte	0x4
	.4byte	0x321
	.4byte	.LFB3
	.4byte	.LFE3-.LFB3
	.byte	0x1
	.byte	0x9c
	.4byte	0x41b
	.byte	0x1
	.4byte	0x32f
	.4byte	.LLST5
	.byte	0xb
	.4byte	0x338
	.4byte	.LLST6
	.byte	0
	.byte	0x4
	.4byte	0x2a0
	.4byte	.LFB5
	.4byte	.LFE5-.LFB5
	.byte	0x1
	.byte	0x9c
	.4byte	0x43f
	.byte	0x1
	.4byte	0x2ae
	.4byte	.LLST13
	.byte	0x17
	.4byte	0x2b7
	.byte	0x1
	.byte	0x5b
	.byte	0
	.byte	0x4
	.4byte	0x287
	.4byte	.LFB6
	.4byte	.LFE6-.LFB6
	.byte	0x1
	.byte	0x9c
	.4byte	0x45c
	.byte	0x1
	.4byte	0x296
	.4byte	.LLST14
	.byte	0
	.byte	0x4
	.4byte	0x26e
	.4byte	.LFB7
	.4byte	.LFE7-.LFB7
	.byte	0x1
	.byte	0x9c
	.4byte	0x477
	.byte	0x28
	.4byte	0x27d
	.byte	0x1
	.byte	0x5a
	.byte	0
	.byte	0x29
	.4byte	0x250
	.4byte	.LFB8
	.4byte	.LFE8-.LFB8
	.byte	0x1
	.byte	0x9c
	.byte	0x1
	.4byte	0x25f
	.4byte	.LLST15
	.byte	0
	.byte	0
	.section	.debug_abbrev,"",@progbits
.Ldebug_abbrev0:
	.byte	0x1
	.byte	0x5
	.byte	0
	.byte	0x31
	.byte	0x13
	.byte	0x2
	.byte	0x17
	.byte	0
	.byte	0
	.byte	0x2
	.byte	0x5
	.byte	0
	.byte	0x3
	.byte	0x8
	.byte	0x3a
	.byte	0x21
	.byte	0x1
	.byte	0x3b
	.byte	0xb
	.byte	0x39
	.byte	0xb
	.byte	0x49
	.byte	0x13
	.byte	0
	.byte	0
	.byte	0x3
	.byte	0x34
	.byte	0
	.byte	0x3
	.byte	0x8
	.byte	0x3a
	.byte	0x21
	.byte	0x1
	.byte	0x3b
	.byte	0xb
	.byte	0x39
	.byte	0xb
	.byte	0x49
	.byte	0x13
	.byte	0x2
	.byte	0x17
	.byte	0
	.byte	0
	.byte	0x4
	.byte	0x2e
	.byte	0x1
	.byte	0x31
	.byte	0x13
	.byte	0x11
	.byte	0x1
	.byte	0x12
	.byte	0x6
	.byte	0x40
	.byte	0x18
	.byte	0x7a
	.byte	0x19
	.byte	0x1
	.byte	0x13
	.byte	0
	.byte	0
	.byte	0x5
	.byte	0x26
	.byte	0
	.byte	0x49
	.byte	0x13
	.byte	0
	.byte	0
	.byte	0x6
	.byte	0xf
	.byte	0
	.byte	0xb
	.byte	0x21
	.byte	0x4
	.byte	0x49
	.byte	0x13
	.byte	0
	.byte	0
	.byte	0x7
	.byte	0x1
	.byte	0x1
	.byte	0x49
	.byte	0x13
	.byte	0x1
	.byte	0x13
	.byte	0
	.byte	0
	.byte	0x8
	.byte	0x21
	.byte	0
	.byte	0x49
	.byte	0x13
	.byte	0x2f
	.byte	0xb
	.byte	0
	.byte	0
	.byte	0x9
	.byte	0x34
	.byte	0
	.byte	0x3
	.byte	0xe
	.byte	0x3a
	.byte	0x21
	.byte	0x1
	.byte	0x3b
	.byte	0xb
	.byte	0x39
	.byte	0xb
	.byte	0x49
	.byte	0x13
	.byte	0x3f
	.byte	0x19
	.byte	0x2
	.byte	0x18
	.byte	0
	.byte	0
	.byte	0xa
	.byte	0x5
	.byte	0
	.byte	0x31
	.byte	0x13
	.byte	0
	.byte	0
	.byte	0xb
	.byte	0x34
	.byte	0
	.byte	0x31
	.byte	0x13
	.byte	0x2
	.byte	0x17
	.byte	0
	.byte	0
	.byte	0xc
	.byte	0x2e
	.byte	0x1
	.byte	0x3f
	.byte	0x19
	.byte	0x3
	.byte	0xe
	.byte	0x3a
	.byte	0x21
	.byte	0x1
	.byte	0x3b
	.byte	0xb
	.byte	0x39
	.byte	0xb
	.byte	0x27
	.byte	0x19
	.byte	0x49
	.byte	0x13
	.byte	0x20
	.byte	0x21
	.byte	0x1
	.byte	0x1
	.byte	0x13
	.byte	0
	.byte	0
	.byte	0xd
	.byte	0x24
	.byte	0
	.byte	0xb
	.byte	0xb
	.byte	0x3e
	.byte	0xb
	.byte	0x3
	.byte	0xe
	.byte	0
	.byte	0
	.byte	0xe
	.byte	0x2e
	.byte	0x1
	.byte	0x3f
	.byte	0x19
	.byte	0x3
	.byte	0xe
	.byte	0x3a
	.byte	0x21
	.byte	0x1
	.byte	0x3b
	.byte	0xb
	.byte	0x39
	.byte	0x21
	.byte	0x6
	.byte	0x27
	.byte	0x19
	.byte	0x11
	.byte	0x1
	.byte	0x12
	.byte	0x6
	.byte	0x40
	.byte	0x18
	.byte	0x7a
	.byte	0x19
	.byte	0x1
	.byte	0x13
	.byte	0
	.byte	0
	.byte	0xf
	.byte	0xb
	.byte	0x1
	.byte	0x55
	.byte	0x17
	.byte	0
	.byte	0
	.byte	0x10
	.byte	0x1d
	.byte	0x1
	.byte	0x31
	.byte	0x13
	.byte	0x11
	.byte	0x1
	.byte	0x12
	.byte	0x6
	.byte	0x58
	.byte	0x21
	.byte	0x1
	.byte	0x59
	.byte	0x21
	.byte	0xd3,0
	.byte	0x57
	.byte	0xb
	.byte	0x1
	.byte	0x13
	.byte	0
	.byte	0
	.byte	0x11
	.byte	0x49
	.byte	0
	.byte	0x2
	.byte	0x18
	.byte	0x7e
	.byte	0x18
	.byte	0
	.byte	0
	.byte	0x12
	.byte	0x34
	.byte	0
	.byte	0x3
	.byte	0x8
	.byte	0x3a
	.byte	0x21
	.byte	0x1
	.byte	0x3b
	.byte	0xb
	.byte	0x39
	.byte	0xb
	.byte	0x49
	.byte	0x13
	.byte	0
	.byte	0
	.byte	0x13
	.byte	0x34
	.byte	0
	.byte	0x3
	.byte	0xe
	.byte	0x3a
	.byte	0x21
	.byte	0x1
	.byte	0x3b
	.byte	0xb
	.byte	0x39
	.byte	0xb
	.byte	0x49
	.byte	0x13
	.byte	0x2
	.byte	0x18
	.byte	0
	.byte	0
	.byte	0x14
	.byte	0x1d
	.byte	0x1
	.byte	0x31
	.byte	0x13
	.byte	0x52
	.byte	0x1
	.byte	0x55
	.byte	0x17
	.byte	0x58
	.byte	0x21
	.byte	0x1
	.byte	0x59
	.byte	0xb
	.byte	0x57
	.byte	0xb
	.byte	0
	.byte	0
	.byte	0x15
	.byte	0x2e
	.byte	0x1
	.byte	0x3f
	.byte	0x19
	.byte	0x3
	.byte	0x8
	.byte	0x3a
	.byte	0x21
	.byte	0x1
	.byte	0x3b
	.byte	0xb
	.byte	0x39
	.byte	0x21
	.byte	0x5
	.byte	0x27
	.byte	0x19
	.byte	0x49
	.byte	0x13
	.byte	0x20
	.byte	0x21
	.byte	0x1
	.byte	0x1
	.byte	0x13
	.byte	0
	.byte	0
	.byte	0x16
	.byte	0x5
	.byte	0
	.byte	0x3
	.byte	0x8
	.byte	0x3a
	.byte	0x21
	.byte	0x1
	.byte	0x3b
	.byte	0xb
	.byte	0x39
	.byte	0x21
	.byte	0x17
	.byte	0x49
	.byte	0x13
	.byte	0x2
	.byte	0x17
	.byte	0
	.byte	0
	.byte	0x17
	.byte	0x5
	.byte	0
	.byte	0x31
	.byte	0x13
	.byte	0x2
	.byte	0x18
	.byte	0
	.byte	0
	.byte	0x18
	.byte	0x11
	.byte	0x1
	.byte	0x25
	.byte	0xe
	.byte	0x13
	.byte	0xb
	.byte	0x3
	.byte	0x1f
	.byte	0x1b
	.byte	0x1f
	.byte	0x11
	.byte	0x1
	.byte	0x12
	.byte	0x6
	.byte	0x10
	.byte	0x17
	.byte	0
	.byte	0
	.byte	0x19
	.byte	0x16
	.byte	0
	.byte	0x3
	.byte	0x8
	.byte	0x3a
	.byte	0xb
	.byte	0x3b
	.byte	0xb
	.byte	0x39
	.byte	0xb
	.byte	0x49
	.byte	0x13
	.byte	0
	.byte	0
	.byte	0x1a
	.byte	0x35
	.byte	0
	.byte	0x49
	.byte	0x13
	.byte	0
	.byte	0
	.byte	0x1b
	.byte	0x13
	.byte	0x1
	.byte	0x3
	.byte	0xe
	.byte	0xb
	.byte	0xb
	.byte	0x3a
	.byte	0xb
	.byte	0x3b
	.byte	0xb
	.byte	0x39
	.byte	0xb
	.byte	0x1
	.byte	0x13
	.byte	0
	.byte	0
	.byte	0x1c
	.byte	0xd
	.byte	0
	.byte	0x3
	.byte	0x8
	.byte	0x3a
	.byte	0xb
	.byte	0x3b
	.byte	0xb
	.byte	0x39
	.byte	0xb
	.byte	0x49
	.byte	0x13
	.byte	0x38
	.byte	0xb
	.byte	0
	.byte	0
	.byte	0x1d
	.byte	0xd
	.byte	0
	.byte	0x3
	.byte	0xe
	.byte	0x3a
	.byte	0xb
	.byte	0x3b
	.byte	0xb
	.byte	0x39
	.byte	0xb
	.byte	0x49
	.byte	0x13
	.byte	0x38
	.byte	0xb
	.byte	0
	.byte	0
	.byte	0x1e
	.byte	0x24
	.byte	0
	.byte	0xb
	.byte	0xb
	.byte	0x3e
	.byte	0xb
	.byte	0x3
	.byte	0x8
	.byte	0
	.byte	0
	.byte	0x1f
	.byte	0x34
	.byte	0
	.byte	0x3
	.byte	0x8
	.byte	0x3a
	.byte	0xb
	.byte	0x3b
	.byte	0xb
	.byte	0x39
	.byte	0xb
	.byte	0x49
	.byte	0x13
	.byte	0x2
	.byte	0x18
	.byte	0
	.byte	0
	.byte	0x20
	.byte	0xb
	.byte	0x1
	.byte	0x55
	.byte	0x17
	.byte	0x1
	.byte	0x13
	.byte	0
	.byte	0
	.byte	0x21
	.byte	0x34
	.byte	0
	.byte	0x31
	.byte	0x13
	.byte	0
	.byte	0
	.byte	0x22
	.byte	0x1d
	.byte	0x1
	.byte	0x31
	.byte	0x13
	.byte	0x52
	.byte	0x1
	.byte	0x55
	.byte	0x17
	.byte	0x58
	.byte	0xb
	.byte	0x59
	.byte	0xb
	.byte	0x57
	.byte	0xb
	.byte	0x1
	.byte	0x13
	.byte	0
	.byte	0
	.byte	0x23
	.byte	0x48
	.byte	0x1
	.byte	0x7d
	.byte	0x1
	.byte	0x7f
	.byte	0x13
	.byte	0x1
	.byte	0x13
	.byte	0
	.byte	0
	.byte	0x24
	.byte	0x48
	.byte	0x1
	.byte	0x7d
	.byte	0x1
	.byte	0x7f
	.byte	0x13
	.byte	0
	.byte	0
	.byte	0x25
	.byte	0x5
	.byte	0
	.byte	0x3
	.byte	0x8
	.byte	0x3a
	.byte	0xb
	.byte	0x3b
	.byte	0xb
	.byte	0x39
	.byte	0xb
	.byte	0x49
	.byte	0x13
	.byte	0x2
	.byte	0x18
	.byte	0
	.byte	0
	.byte	0x26
	.byte	0x5
	.byte	0
	.byte	0x3
	.byte	0xe
	.byte	0x3a
	.byte	0xb
	.byte	0x3b
	.byte	0xb
	.byte	0x39
	.byte	0xb
	.byte	0x49
	.byte	0x13
	.byte	0
	.byte	0
	.byte	0x27
	.byte	0x2e
	.byte	0x1
	.byte	0x3
	.byte	0xe
	.byte	0x3a
	.byte	0xb
	.byte	0x3b
	.byte	0xb
	.byte	0x39
	.byte	0xb
	.byte	0x27
	.byte	0x19
	.byte	0x20
	.byte	0xb
	.byte	0x1
	.byte	0x13
	.byte	0
	.byte	0
	.byte	0x28
	.byte	0x34
	.byte	0
	.byte	0x31
	.byte	0x13
	.byte	0x2
	.byte	0x18
	.byte	0
	.byte	0
	.byte	0x29
	.byte	0x2e
	.byte	0x1
	.byte	0x31
	.byte	0x13
	.byte	0x11
	.byte	0x1
	.byte	0x12
	.byte	0x6
	.byte	0x40
	.byte	0x18
	.byte	0x7a
	.byte	0x19
	.byte	0
	.byte	0
	.byte	0
	.section	.debug_loclists,"",@progbits
	.4byte	.Ldebug_loc3-.Ldebug_loc2
.Ldebug_loc2:
	.2byte	0x5
	.byte	0x4
	.byte	0
	.4byte	0
.Ldebug_loc0:
.LLST16:
	.byte	0x7
	.4byte	.LVL36
	.4byte	.LVL38
	.byte	0x2
	.byte	0x30
	.byte	0x9f
	.byte	0x7
	.4byte	.LVL38
	.4byte	.LVL40
	.byte	0x1
	.byte	0x5f
	.byte	0x7
	.4byte	.LVL40
	.4byte	.LVL41
	.byte	0x2
	.byte	0x7e
	.byte	0x4
	.byte	0x7
	.4byte	.LVL41
	.4byte	.LVL44
	.byte	0x1
	.byte	0x5f
	.byte	0
.LLST18:
	.byte	0x7
	.4byte	.LVL37
	.4byte	.LVL38
	.byte	0x2
	.byte	0x30
	.byte	0x9f
	.byte	0
.LLST20:
	.byte	0x7
	.4byte	.LVL39
	.4byte	.LVL43
	.byte	0x1
	.byte	0x5e
	.byte	0
.LLST21:
	.byte	0x7
	.4byte	.LVL42
	.4byte	.LVL45
	.byte	0x1
	.byte	0x5f
	.byte	0x7
	.4byte	.LVL46
	.4byte	.LVL47
	.byte	0x1
	.byte	0x5f
	.byte	0
.LLST22:
	.byte	0x7
	.4byte	.LVL42
	.4byte	.LVL44
	.byte	0x2
	.byte	0x30
	.byte	0x9f
	.byte	0x7
	.4byte	.LVL44
	.4byte	.LVL47
	.byte	0x1
	.byte	0x5e
	.byte	0
.LLST24:
	.byte	0x7
	.4byte	.LVL49
	.4byte	.LVL50
	.byte	0x6
	.byte	0x3
	.4byte	counter
	.byte	0x9f
	.byte	0
.LLST7:
	.byte	0x7
	.4byte	.LVL13
	.4byte	.LVL14
	.byte	0x1
	.byte	0x5b
	.byte	0x7
	.4byte	.LVL14
	.4byte	.LFE4
	.byte	0x4
	.byte	0xa3
	.byte	0x1
	.byte	0x5b
	.byte	0x9f
	.byte	0
.LLST9:
	.byte	0x7
	.4byte	.LVL13
	.4byte	.LVL15
	.byte	0x2
	.byte	0x31
	.byte	0x9f
	.byte	0x7
	.4byte	.LVL15
	.4byte	.LVL21
	.byte	0x3
	.byte	0x76
	.byte	0x1
	.byte	0x9f
	.byte	0x7
	.4byte	.LVL21
	.4byte	.LVL22
	.byte	0x3
	.byte	0x76
	.byte	0x2
	.byte	0x9f
	.byte	0x7
	.4byte	.LVL22
	.4byte	.LVL23
	.byte	0x3
	.byte	0x76
	.byte	0x1
	.byte	0x9f
	.byte	0x7
	.4byte	.LVL24
	.4byte	.LVL25
	.byte	0x3
	.byte	0x76
	.byte	0x1
	.byte	0x9f
	.byte	0x7
	.4byte	.LVL25
	.4byte	.LVL26
	.byte	0x3
	.byte	0x76
	.byte	0x2
	.byte	0x9f
	.byte	0x7
	.4byte	.LVL26
	.4byte	.LFE4
	.byte	0x3
	.byte	0x76
	.byte	0x1
	.byte	0x9f
	.byte	0
.LLST11:
	.byte	0x7
	.4byte	.LVL16
	.4byte	.LVL23
	.byte	0x1
	.byte	0x5b
	.byte	0x7
	.4byte	.LVL24
	.4byte	.LFE4
	.byte	0x1
	.byte	0x5b
	.byte	0
.LLST12:
	.byte	0x7
	.4byte	.LVL17
	.4byte	.LVL18
	.byte	0x1
	.byte	0x56
	.byte	0x7
	.4byte	.LVL18
	.4byte	.LVL19
	.byte	0x3
	.byte	0x7e
	.byte	0x1
	.byte	0x9f
	.byte	0x7
	.4byte	.LVL19
	.4byte	.LVL20
	.byte	0x1
	.byte	0x5e
	.byte	0x7
	.4byte	.LVL20
	.4byte	.LVL23
	.byte	0x3
	.byte	0x7e
	.byte	0x1
	.byte	0x9f
	.byte	0x7
	.4byte	.LVL24
	.4byte	.LFE4
	.byte	0x1
	.byte	0x5e
	.byte	0
.LLST0:
	.byte	0x7
	.4byte	.LVL0
	.4byte	.LVL1
	.byte	0x1
	.byte	0x5a
	.byte	0x7
	.4byte	.LVL1
	.4byte	.LFE1
	.byte	0x1
	.byte	0x5a
	.byte	0
.LLST2:
	.byte	0x7
	.4byte	.LVL1
	.4byte	.LVL2
	.byte	0x1
	.byte	0x5d
	.byte	0
.LLST3:
	.byte	0x7
	.4byte	.LVL3
	.4byte	.LVL4
	.byte	0x1
	.byte	0x5a
	.byte	0x7
	.4byte	.LVL4
	.4byte	.LVL6
	.byte	0x1
	.byte	0x5d
	.byte	0x7
	.4byte	.LVL6
	.4byte	.LFE2
	.byte	0x1
	.byte	0x5a
	.byte	0
.LLST4:
	.byte	0x7
	.4byte	.LVL5
	.4byte	.LVL6
	.byte	0x1
	.byte	0x5a
	.byte	0
.LLST5:
	.byte	0x7
	.4byte	.LVL7
	.4byte	.LVL8
	.byte	0x1
	.byte	0x5a
	.byte	0x7
	.4byte	.LVL8
	.4byte	.LVL10
	.byte	0x1
	.byte	0x5f
	.byte	0x7
	.4byte	.LVL11
	.4byte	.LFE3
	.byte	0x1
	.byte	0x5f
	.byte	0
.LLST6:
	.byte	0x7
	.4byte	.LVL7
	.4byte	.LVL9
	.byte	0x2
	.byte	0x30
	.byte	0x9f
	.byte	0x7
	.4byte	.LVL9
	.4byte	.LVL12
	.byte	0x1
	.byte	0x5a
	.byte	0x7
	.4byte	.LVL12
	.4byte	.LFE3
	.byte	0x2
	.byte	0x30
	.byte	0x9f
	.byte	0
.LLST13:
	.byte	0x7
	.4byte	.LVL27
	.4byte	.LVL28
	.byte	0x1
	.byte	0x5a
	.byte	0x7
	.4byte	.LVL28
	.4byte	.LFE5
	.byte	0x4
	.byte	0xa3
	.byte	0x1
	.byte	0x5a
	.byte	0x9f
	.byte	0
.LLST14:
	.byte	0x7
	.4byte	.LVL29
	.4byte	.LVL30
	.byte	0x1
	.byte	0x5a
	.byte	0x7
	.4byte	.LVL30
	.4byte	.LVL31
	.byte	0x4
	.byte	0xa3
	.byte	0x1
	.byte	0x5a
	.byte	0x9f
	.byte	0x7
	.4byte	.LVL31
	.4byte	.LVL32
	.byte	0x1
	.byte	0x5a
	.byte	0x7
	.4byte	.LVL32
	.4byte	.LFE6
	.byte	0x4
	.byte	0xa3
	.byte	0x1
	.byte	0x5a
	.byte	0x9f
	.byte	0
.LLST15:
	.byte	0x7
	.4byte	.LVL34
	.4byte	.LVL35
	.byte	0x1
	.byte	0x5a
	.byte	0x7
	.4byte	.LVL35
	.4byte	.LFE8
	.byte	0x1
	.byte	0x5f
	.byte	0
.Ldebug_loc3:
	.section	.debug_aranges,"",@progbits
	.4byte	0x1c
	.2byte	0x2
	.4byte	.Ldebug_info0
	.byte	0x4
	.byte	0
	.2byte	0
	.2byte	0
	.4byte	.Ltext0
	.4byte	.Letext0-.Ltext0
	.4byte	0
	.4byte	0
	.section	.debug_rnglists,"",@progbits
.Ldebug_ranges0:
	.4byte	.Ldebug_ranges3-.Ldebug_ranges2
.Ldebug_ranges2:
	.2byte	0x5
	.byte	0x4
	.byte	0
	.4byte	0
.LLRL1:
	.byte	0x6
	.4byte	.LBB17
	.4byte	.LBE17
	.byte	0x6
	.4byte	.LBB20
	.4byte	.LBE20
	.byte	0
.LLRL8:
	.byte	0x6
	.4byte	.LBB21
	.4byte	.LBE21
	.byte	0x6
	.4byte	.LBB24
	.4byte	.LBE24
	.byte	0
.LLRL10:
	.byte	0x6
	.4byte	.LBB22
	.4byte	.LBE22
	.byte	0x6
	.4byte	.LBB23
	.4byte	.LBE23
	.byte	0
.LLRL17:
	.byte	0x6
	.4byte	.LBB25
	.4byte	.LBE25
	.byte	0x6
	.4byte	.LBB30
	.4byte	.LBE30
	.byte	0
.LLRL19:
	.byte	0x6
	.4byte	.LBB26
	.4byte	.LBE26
	.byte	0x6
	.4byte	.LBB29
	.4byte	.LBE29
	.byte	0
.LLRL23:
	.byte	0x6
	.4byte	.LBB35
	.4byte	.LBE35
	.byte	0x6
	.4byte	.LBB42
	.4byte	.LBE42
	.byte	0x6
	.4byte	.LBB43
	.4byte	.LBE43
	.byte	0x6
	.4byte	.LBB44
	.4byte	.LBE44
	.byte	0
.Ldebug_ranges3:
	.section	.debug_line,"",@progbits
.Ldebug_line0:
	.section	.debug_str,"MS",@progbits,1
.LASF8:
	.string	"small_table"
.LASF20:
	.string	"GNU C17 12.2.0 -mabi=ilp32 -mcmodel=medlow -misa-spec=20191213 -march=rv32imac_zicsr_zifencei -g -O2 -ffreestanding"
.LASF10:
	.string	"names"
.LASF3:
	.string	"unsigned int"
.LASF14:
	.string	"classify"
.LASF18:
	.string	"head"
.LASF13:
	.string	"read_cycle"
.LASF16:
	.string	"sort"
.LASF17:
	.string	"push"
.LASF9:
	.string	"char"
.LASF22:
	.string	"putc"
.LASF11:
	.string	"ticks"
.LASF21:
	.string	"node"
.LASF7:
	.string	"counter"
.LASF15:
	.string	"_start"
.LASF6:
	.string	"short int"
.LASF12:
	.string	"atomic_inc"
.LASF4:
	.string	"pool"
.LASF5:
	.string	"used"
.LASF2:
	.string	"next"
.LASF19:
	.string	"puts"
	.section	.debug_line_str,"MS",@progbits,1
.LASF0:
	.string	"gcc-source.c"
.LASF1:
	.string	"/work/wt/h14asm/test/asm-corpus"
	.ident	"GCC: (12.2.0-14+deb12u1+11+b2) 12.2.0"
