# paging.s — an S-mode kernel on Sv32 with a U-mode task: shadow paging versus EPT.
#
#   hyperstep run examples/paging.s --mmu shadow --trace exits
#   hyperstep run examples/paging.s --mmu ept --trace exits
#   hyperstep compare examples/paging.s
#
# Three privilege levels, one program:
#   M-mode (paging off) builds the Sv32 tables: a 4 MiB superpage mapping the kernel's RAM
#   (0x80000000-0x803fffff, identity, R W X, not U), 4 KiB pages for the UART and the finisher
#   (identity, R W, kernel only), and at a separate VA range the user task: text at 0x00400000
#   (R X U), data at 0x00401000 and stack at 0x0040f000 (R W U). It delegates ecall-from-U and the
#   three page faults to S (medeleg), writes satp = Sv32 | ASID 1 | root PPN, and mrets to S.
#   The S-mode kernel sets sstatus.SUM (it reads the task's strings), points sscratch at its
#   stack and srets to U at 0x00400000.
#   The user task prints through syscalls (ecall: a7 = 1 putchar, 2 puts, 3 exit), uses its data
#   page and its stack, stores to 0x00402000 and loads from 0x00403000 — both unmapped: page faults
#   (scause 15, then 13) the kernel handles by mapping a zeroed frame there (a PTE write into the
#   task's level-0 table) and `sfence.vma va, asid`, before returning to retry the access. Then it
#   exits, and the kernel prints a summary (with the PTEs, whose A and D bits the walker set) and
#   powers off.
#
# What to watch:
#   * --mmu shadow: the satp write is a CR_ACCESS exit (the hypervisor switches shadow roots); every
#     first touch of a page is a #PF intercept (EXCEPTION_NMI) the hypervisor fixes by walking the
#     guest's tables (pf_fixed); the task's two faults on unmapped pages are intercepted too and
#     re-injected into the guest (pf_guest); the kernel's PTE writes hit write-protected page-table
#     pages and are emulated (mmu_pte_write); each sfence.vma is an INVLPG exit.
#   * --mmu ept: none of these exit. The guest walks its own tables in hardware; the only exits on
#     RAM are EPT violations the first time a guest-physical page is touched (pf_fixed), and the
#     task's page faults go straight from U to the S kernel without the hypervisor noticing.
#   * ecall from U and the page faults are delegated to S: they never reach M (nor the hypervisor
#     under EPT); the UART accesses exit to the VMM in both modes (KVM_EXIT_MMIO).

        .equ UART, 0x10000000
        .equ FINISHER, 0x00100000
        .equ ROOT, 0x80100000           # level-1 table; level-0 tables follow it
        .equ PT_POOL, 0x80101000
        .equ FRAME_POOL, 0x80200000     # frames for the task (inside the kernel superpage)
        .equ ASID, 1
        .equ SATP, (1 << 31) | (ASID << 22) | (ROOT >> 12)
        .equ PTE_V, 0x01
        .equ PTE_R, 0x02
        .equ PTE_W, 0x04
        .equ PTE_X, 0x08
        .equ PTE_U, 0x10
        .equ PTE_A, 0x40
        .equ PTE_D, 0x80
        .equ U_TEXT, 0x00400000
        .equ U_DATA, 0x00401000
        .equ U_HEAP, 0x00402000         # not mapped: the kernel maps on demand
        .equ U_STACK, 0x0040f000
        .equ U_STACK_TOP, 0x00410000
        .equ DEMAND_LO, 0x00402000      # the range the kernel maps on demand
        .equ DEMAND_HI, 0x0040f000
        .equ SYS_PUTCHAR, 1
        .equ SYS_PUTS, 2
        .equ SYS_EXIT, 3
        .equ FRAME, 4 * 32

        .text
        .globl _start
# ================================ M-mode: tables, delegation, satp =================================
_start:
        csrr    t0, mhartid
        bnez    t0, park                # one hart is enough: any other waits forever
        la      sp, m_stack_top
        la      t0, m_trap
        csrw    mtvec, t0
        la      a0, msg_m
        call    puts

        li      t0, ROOT + 4 * (0x80000000 >> 22)
        li      t1, ((0x80000000 >> 12) << 10) | PTE_V | PTE_R | PTE_W | PTE_X
        sw      t1, 0(t0)               # the kernel's RAM: one 4 MiB superpage (a level-1 leaf)
        li      a0, UART
        li      a1, UART
        li      a2, PTE_V | PTE_R | PTE_W
        call    map4k                   # the UART, for the kernel
        li      a0, FINISHER
        li      a1, FINISHER
        li      a2, PTE_V | PTE_R | PTE_W
        call    map4k                   # the finisher, for the kernel
        li      a0, U_TEXT
        la      a1, user_text
        li      a2, PTE_V | PTE_R | PTE_X | PTE_U
        call    map4k                   # the task's code (and its strings)
        call    alloc_frame
        mv      a1, a0
        li      a0, U_DATA
        li      a2, PTE_V | PTE_R | PTE_W | PTE_U
        call    map4k                   # its data
        call    alloc_frame
        mv      a1, a0
        li      a0, U_STACK
        li      a2, PTE_V | PTE_R | PTE_W | PTE_U
        call    map4k                   # its stack

        li      t0, -1
        csrw    pmpaddr0, t0            # PMP entry 0: NAPOT over everything, R W X, so S and U
        li      t0, 0x1f                # may access memory (as on QEMU, which enforces PMP)
        csrw    pmpcfg0, t0
        li      t0, (1 << 8) | (1 << 12) | (1 << 13) | (1 << 15)
        csrw    medeleg, t0             # ecall from U, instruction/load/store page faults -> S
        csrw    mideleg, zero
        la      t0, s_trap
        csrw    stvec, t0
        li      t0, SATP
        csrw    satp, t0                # Sv32, ASID 1 (shadow: CR_ACCESS)
        la      a0, msg_m2
        call    puts
        csrr    a0, satp
        call    puthex
        la      a0, msg_m3
        call    puts
        li      t0, 3 << 11
        csrc    mstatus, t0
        li      t0, 1 << 11
        csrs    mstatus, t0             # MPP = S
        la      t0, s_entry
        csrw    mepc, t0
        mret

m_trap:                                 # nothing should reach M-mode
        la      a0, msg_m_trap
        call    puts
        csrr    a0, mcause
        call    puthex
        la      a0, msg_mtval
        call    puts
        csrr    a0, mtval
        call    puthex
        li      a0, '\n'
        call    putc
        li      a0, (3 << 16) | 0x3333  # exit status 3 (the finisher's GPA: paging is off in M)
        li      t0, FINISHER
        sw      a0, 0(t0)
1:      j       1b

# ================================ S-mode: the kernel ===============================================
s_entry:
        la      sp, k_stack_top
        csrw    sscratch, sp            # the stack trap entry switches to
        li      t0, 1 << 18
        csrs    sstatus, t0             # SUM: the kernel may read the task's memory (its strings)
        la      a0, msg_k
        call    puts
        csrr    a0, satp
        call    puthex
        la      a0, msg_k2
        call    puts
        li      t0, U_TEXT
        csrw    sepc, t0
        li      t0, 1 << 8
        csrc    sstatus, t0             # SPP = U
        sret                            # to the task

# --- the kernel's trap entry: every trap here comes from U -----------------------------------------
s_trap:
        csrrw   sp, sscratch, sp        # kernel stack; sscratch holds the task's sp
        addi    sp, sp, -FRAME
        .irp r, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
        sw      x\r, (\r * 4)(sp)
        .endr
        csrr    s0, scause
        li      t0, 8
        beq     s0, t0, syscall
        li      t0, 15
        beq     s0, t0, page_fault
        li      t0, 13
        beq     s0, t0, page_fault
        li      t0, 12
        beq     s0, t0, page_fault
        la      a0, msg_k_trap          # anything else: the kernel gives up
        call    puts
        mv      a0, s0
        call    puthex
        la      a0, msg_stval
        call    puts
        csrr    a0, stval
        call    puthex
        li      a0, '\n'
        call    putc
        li      a0, 4
        j       poweroff
s_return:
        .irp r, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
        lw      x\r, (\r * 4)(sp)
        .endr
        addi    sp, sp, FRAME
        csrrw   sp, sscratch, sp        # back to the task's stack
        sret

# --- syscalls: a7 = number, a0 = argument, a0 = result -----------------------------------------------
syscall:
        csrr    t0, sepc
        addi    t0, t0, 4               # return past the ecall
        csrw    sepc, t0
        la      t0, n_syscalls
        lw      t1, 0(t0)
        addi    t1, t1, 1
        sw      t1, 0(t0)
        lw      a0, 10 * 4(sp)          # the task's a0
        lw      t0, 17 * 4(sp)          # the task's a7
        li      t1, SYS_PUTCHAR
        beq     t0, t1, sys_putchar
        li      t1, SYS_PUTS
        beq     t0, t1, sys_puts
        li      t1, SYS_EXIT
        beq     t0, t1, sys_exit
        li      a0, -38                 # ENOSYS
        j       sys_done
sys_putchar:
        call    putc
        li      a0, 0
        j       sys_done
sys_puts:
        li      t0, U_TEXT              # the string must lie in the task's range
        bltu    a0, t0, 1f
        li      t0, U_STACK_TOP
        bgeu    a0, t0, 1f
        call    puts                    # reads user memory: needs sstatus.SUM
        li      a0, 0
        j       sys_done
1:      li      a0, -14                 # EFAULT
sys_done:
        sw      a0, 10 * 4(sp)
        j       s_return

sys_exit:
        mv      s1, a0
        la      a0, msg_exit
        call    puts
        mv      a0, s1
        call    putdec
        la      a0, msg_exit2
        call    puts
        la      t0, n_syscalls
        lw      a0, 0(t0)
        call    putdec
        la      a0, msg_exit3
        call    puts
        la      t0, n_faults
        lw      a0, 0(t0)
        call    putdec
        la      a0, msg_exit4
        call    puts
        li      a0, U_HEAP
        call    show_pte
        li      a0, U_HEAP + 0x1000
        call    show_pte
        li      a0, U_STACK
        call    show_pte
        mv      a0, s1                  # the task's status is ours
        j       poweroff

# show_pte(a0 = VA): "kernel: PTE for VA = value (flags)"
show_pte:
        addi    sp, sp, -16
        sw      ra, 0(sp)
        sw      s2, 4(sp)
        sw      s3, 8(sp)
        mv      s2, a0
        call    pte_of
        lw      s3, 0(a0)
        la      a0, msg_pte
        call    puts
        mv      a0, s2
        call    puthex
        la      a0, msg_pte2
        call    puts
        mv      a0, s3
        call    puthex
        la      a0, msg_pte3
        call    puts
        la      s2, flag_names          # "VRWXUGAD", bit 0 first
1:      lbu     a0, 0(s2)
        beqz    a0, 3f
        andi    t0, s3, 1
        bnez    t0, 2f
        li      a0, '-'
2:      call    putc
        srli    s3, s3, 1
        addi    s2, s2, 1
        j       1b
3:      la      a0, msg_pte4
        call    puts
        lw      ra, 0(sp)
        lw      s2, 4(sp)
        lw      s3, 8(sp)
        addi    sp, sp, 16
        ret

# --- demand paging -----------------------------------------------------------------------------------
page_fault:
        csrr    s1, stval               # the faulting VA
        la      t0, n_faults
        lw      t1, 0(t0)
        addi    t1, t1, 1
        sw      t1, 0(t0)
        la      a0, msg_pf
        call    puts
        la      a0, msg_pf_load
        li      t0, 13
        beq     s0, t0, 1f
        la      a0, msg_pf_store
        li      t0, 15
        beq     s0, t0, 1f
        la      a0, msg_pf_fetch
1:      call    puts
        la      a0, msg_pf2
        call    puts
        mv      a0, s1
        call    puthex
        li      t0, DEMAND_LO           # only the heap range is mapped on demand
        bltu    s1, t0, segv
        li      t0, DEMAND_HI
        bgeu    s1, t0, segv
        call    alloc_frame
        mv      s2, a0
        srli    a0, s1, 12
        slli    a0, a0, 12              # the page
        mv      a1, s2
        li      a2, PTE_V | PTE_R | PTE_W | PTE_U
        call    map4k                   # a PTE write into a page-table page (shadow: emulated)
        srli    t0, s1, 12
        slli    t0, t0, 12
        li      t1, ASID
        sfence.vma t0, t1               # forget any stale translation of it (shadow: INVLPG)
        la      a0, msg_pf3
        call    puts
        mv      a0, s2
        call    puthex
        li      a0, '\n'
        call    putc
        j       s_return                # retry the access

segv:
        la      a0, msg_segv
        call    puts
        li      a0, 5
        j       poweroff

poweroff:                               # a0 = status: 0 powers off, else exits with it
        li      t1, UART                # first the UART's last byte must be out: LSR.TEMT, not
3:      lbu     t0, 5(t1)               # only THRE (QEMU sends a byte its stdio could not take
        andi    t0, t0, 0x40            # later, and powering off before that loses it)
        beqz    t0, 3b
        li      t0, 0x5555
        beqz    a0, 1f
        slli    a0, a0, 16
        li      t0, 0x3333
        or      t0, t0, a0
1:      li      t1, FINISHER            # mapped for the kernel (identity, R W)
        sw      t0, 0(t1)
2:      j       2b

# ================================ shared by M and S (identity-mapped for S) ========================
# map4k(a0 = VA, a1 = PA, a2 = PTE flags): a 4 KiB leaf in the level-0 table under ROOT, allocating
# the level-0 table on first use. Clobbers t0-t5.
map4k:
        li      t0, ROOT
        srli    t1, a0, 22
        slli    t1, t1, 2
        add     t0, t0, t1              # &root[VPN[1]]
        lw      t2, 0(t0)
        andi    t3, t2, PTE_V
        bnez    t3, 1f
        la      t4, pt_next             # a new level-0 table (the pool is zeroed RAM)
        lw      t3, 0(t4)
        li      t5, 4096
        add     t5, t3, t5
        sw      t5, 0(t4)
        srli    t2, t3, 12
        slli    t2, t2, 10
        ori     t2, t2, PTE_V           # V with R = W = X = 0: a pointer to the next level
        sw      t2, 0(t0)
1:      srli    t2, t2, 10
        slli    t2, t2, 12              # the level-0 table
        srli    t1, a0, 12
        andi    t1, t1, 0x3ff
        slli    t1, t1, 2
        add     t2, t2, t1              # &table[VPN[0]]
        srli    t3, a1, 12
        slli    t3, t3, 10
        or      t3, t3, a2
        sw      t3, 0(t2)               # the leaf
        ret

# pte_of(a0 = VA) -> a0 = address of its level-0 PTE (the table must exist)
pte_of:
        li      t0, ROOT
        srli    t1, a0, 22
        slli    t1, t1, 2
        add     t0, t0, t1
        lw      t2, 0(t0)
        srli    t2, t2, 10
        slli    t2, t2, 12
        srli    t1, a0, 12
        andi    t1, t1, 0x3ff
        slli    t1, t1, 2
        add     a0, t2, t1
        ret

# alloc_frame() -> a0 = PA of a zeroed 4 KiB frame. Clobbers t0-t2.
alloc_frame:
        la      t0, frame_next
        lw      a0, 0(t0)
        li      t1, 4096
        add     t1, a0, t1
        sw      t1, 0(t0)
        mv      t2, a0
1:      sw      zero, 0(t2)
        addi    t2, t2, 4
        bne     t2, t1, 1b
        ret

park:   csrw    mie, zero
1:      wfi
        j       1b

# --- UART output (16550A: THR at +0, LSR at +5, bit 5 = THR empty) ------------------------------
putc:   li      t0, UART
1:      lbu     t1, 5(t0)
        andi    t1, t1, 0x20
        beqz    t1, 1b
        sb      a0, 0(t0)
        ret

puts:   mv      t2, a0
        mv      t3, ra
1:      lbu     a0, 0(t2)
        beqz    a0, 2f
        call    putc
        addi    t2, t2, 1
        j       1b
2:      mv      ra, t3
        ret

puthex: mv      t2, a0                  # "0x" and the hex digits, without leading zeros
        mv      t3, ra
        li      a0, '0'
        call    putc
        li      a0, 'x'
        call    putc
        li      t4, 8
1:      srli    t5, t2, 28
        bnez    t5, 2f
        li      t5, 1
        beq     t4, t5, 2f
        slli    t2, t2, 4
        addi    t4, t4, -1
        j       1b
2:      srli    a0, t2, 28
        slli    t2, t2, 4
        addi    a0, a0, '0'
        li      t5, '9'
        ble     a0, t5, 3f
        addi    a0, a0, 'a' - '0' - 10
3:      call    putc
        addi    t4, t4, -1
        bnez    t4, 2b
        mv      ra, t3
        ret

putdec: mv      t2, a0                  # unsigned decimal
        mv      t3, ra
        addi    sp, sp, -16
        mv      t4, sp
        li      t5, 10
1:      remu    t6, t2, t5
        addi    t6, t6, '0'
        sb      t6, 0(t4)
        addi    t4, t4, 1
        divu    t2, t2, t5
        bnez    t2, 1b
2:      addi    t4, t4, -1
        lbu     a0, 0(t4)
        call    putc
        bne     t4, sp, 2b
        addi    sp, sp, 16
        mv      ra, t3
        ret

# ================================ U-mode: the task (mapped at 0x00400000) ==========================
# Position-independent: `la` and `call` are pc-relative, so this page runs at its user VA. Its
# strings live in the same page; data, heap and stack are reached by their user VAs.
        .balign 4096
user_text:
        li      sp, U_STACK_TOP
        la      a0, u_hello
        call    u_puts
        li      s0, U_DATA              # the data page: mapped from the start
        lw      t0, 0(s0)
        addi    t0, t0, 42
        sw      t0, 0(s0)
        la      a0, u_data
        call    u_puts
        lw      a0, 0(s0)
        call    u_puthex
        call    u_newline

        li      s1, U_HEAP              # not mapped: a store page fault, the kernel maps it
        li      t0, 0x1234abcd
        sw      t0, 0(s1)               # faults once, then retried by the kernel's sret
        lw      s2, 0(s1)
        la      a0, u_heap
        call    u_puts
        mv      a0, s2
        call    u_puthex
        call    u_newline

        li      s1, U_HEAP + 0x1000     # a load from an unmapped page: a load page fault
        lw      s2, 0(s1)
        la      a0, u_heap2
        call    u_puts
        mv      a0, s2
        call    u_puthex
        call    u_newline

        li      a0, 10                  # the stack: a recursive sum 10 + 9 + ... + 1
        call    u_sum
        mv      s2, a0
        la      a0, u_stack
        call    u_puts
        mv      a0, s2
        call    u_puthex
        call    u_newline

        la      a0, u_bye
        call    u_puts
        li      a0, 0
        li      a7, SYS_EXIT
        ecall
1:      j       1b                      # not reached

u_sum:  beqz    a0, 1f                  # a0 + u_sum(a0 - 1), on the stack
        addi    sp, sp, -16
        sw      ra, 0(sp)
        sw      a0, 4(sp)
        addi    a0, a0, -1
        call    u_sum
        lw      t0, 4(sp)
        add     a0, a0, t0
        lw      ra, 0(sp)
        addi    sp, sp, 16
1:      ret

u_puts: li      a7, SYS_PUTS
        ecall
        ret

u_newline:
        li      a0, '\n'
        li      a7, SYS_PUTCHAR
        ecall
        ret

u_puthex:                               # "0x" and 8 hex digits, one putchar syscall each
        mv      t2, a0
        li      a0, '0'
        li      a7, SYS_PUTCHAR
        ecall
        li      a0, 'x'
        ecall
        li      t3, 8
1:      srli    a0, t2, 28
        slli    t2, t2, 4
        addi    a0, a0, '0'
        li      t4, '9'
        ble     a0, t4, 2f
        addi    a0, a0, 'a' - '0' - 10
2:      ecall
        addi    t3, t3, -1
        bnez    t3, 1b
        ret

u_hello:        .asciz "user: hello from U-mode at 0x00400000\n"
u_data:         .asciz "user: data page 0x00401000 holds "
u_heap:         .asciz "user: stored to 0x00402000 (was unmapped), read back "
u_heap2:        .asciz "user: loaded from 0x00403000 (was unmapped): "
u_stack:        .asciz "user: 10 + 9 + ... + 1 on the stack = "
u_bye:          .asciz "user: exiting\n"
        .balign 4096                    # nothing of the kernel shares the task's page

        .data
msg_m:          .asciz "paging: M-mode builds the Sv32 tables (kernel superpage, UART, finisher, task)\n"
msg_m2:         .asciz "paging: M-mode: satp = "
msg_m3:         .asciz " (Sv32, ASID 1), medeleg = ecall-from-U | page faults, mret to S\n"
msg_m_trap:     .asciz "paging: unexpected trap to M-mode, mcause "
msg_mtval:      .asciz ", mtval "
msg_k:          .asciz "kernel: S-mode, paging on, satp "
msg_k2:         .asciz "; starting the user task at 0x00400000\n"
msg_k_trap:     .asciz "kernel: unexpected trap from the task, scause "
msg_stval:      .asciz ", stval "
msg_pf:         .asciz "kernel: "
msg_pf_load:    .asciz "load"
msg_pf_store:   .asciz "store"
msg_pf_fetch:   .asciz "instruction"
msg_pf2:        .asciz " page fault at "
msg_pf3:        .asciz ": mapped a zeroed frame at "
msg_segv:       .asciz ": outside the task's heap, killing it\n"
msg_exit:       .asciz "kernel: the task exited with status "
msg_exit2:      .asciz " after "
msg_exit3:      .asciz " syscalls and "
msg_exit4:      .asciz " page faults\n"
msg_pte:        .asciz "kernel: PTE for "
msg_pte2:       .asciz " = "
msg_pte3:       .asciz " ("
msg_pte4:       .asciz ")\n"
flag_names:     .asciz "VRWXUGAD"

        .align 2
pt_next:        .word PT_POOL
frame_next:     .word FRAME_POOL
n_syscalls:     .word 0
n_faults:       .word 0

        .bss
        .align 4
        .space 1024
m_stack_top:
        .space 4096
k_stack_top:
