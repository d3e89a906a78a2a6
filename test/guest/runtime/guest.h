/* guest.h — shared definitions of the guest corpus runtime (C and assembly).
 * Machine: QEMU `virt`-compatible subset described in docs/guest-corpus.md. */
#ifndef GUEST_H
#define GUEST_H

#define FINISHER_BASE 0x00100000
#define FINISHER_PASS 0x5555
#define FINISHER_FAIL 0x3333
#define UART_BASE     0x10000000

/* Marker in a7 for the ecall that lower_return (trap.S) uses to go back to
 * run_in_mode's caller in M-mode. */
#define LOWER_RETURN_MAGIC 0x5EC0DE

/* struct trap_frame layout, in bytes (trap.S fills it). */
#define TF_X(n)    ((n) * 4)
#define TF_EPC     128
#define TF_CAUSE   132
#define TF_TVAL    136
#define TF_STATUS  140
#define TF_SIZE    144

#define MSTATUS_MPP_BITS 0x1800

#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

#ifndef __ASSEMBLER__
#include <stdint.h>
#include <stdarg.h>

/* ---- CSR access ---- */
#define csr_read(csr) ({ uint32_t v_; __asm__ volatile("csrr %0, " #csr : "=r"(v_) :: "memory"); v_; })
#define csr_write(csr, val) __asm__ volatile("csrw " #csr ", %0" :: "rK"((uint32_t)(val)) : "memory")
#define csr_set(csr, val) __asm__ volatile("csrs " #csr ", %0" :: "rK"((uint32_t)(val)) : "memory")
#define csr_clear(csr, val) __asm__ volatile("csrc " #csr ", %0" :: "rK"((uint32_t)(val)) : "memory")
#define csr_swap(csr, val) ({ uint32_t v_; __asm__ volatile("csrrw %0, " #csr ", %1" : "=r"(v_) : "r"((uint32_t)(val)) : "memory"); v_; })

#define MSTATUS_SIE  (1u << 1)
#define MSTATUS_MIE  (1u << 3)
#define MSTATUS_SPIE (1u << 5)
#define MSTATUS_MPIE (1u << 7)
#define MSTATUS_SPP  (1u << 8)
#define MSTATUS_MPP  (3u << 11)
#define MSTATUS_MPRV (1u << 17)
#define MSTATUS_SUM  (1u << 18)
#define MSTATUS_MXR  (1u << 19)
#define MSTATUS_TVM  (1u << 20)
#define MSTATUS_TW   (1u << 21)
#define MSTATUS_TSR  (1u << 22)

/* ---- devices ---- */
#define MMIO8(addr) (*(volatile uint8_t *)(uintptr_t)(addr))
#define MMIO32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

/* ---- tiny libc (libc.c) ---- */
void uart_putc(char c);
int puts(const char *s);
int printf(const char *fmt, ...);
int vprintf(const char *fmt, va_list ap);
void *memset(void *d, int c, __SIZE_TYPE__ n);
void *memcpy(void *d, const void *s, __SIZE_TYPE__ n);
void *memmove(void *d, const void *s, __SIZE_TYPE__ n);
int memcmp(const void *a, const void *b, __SIZE_TYPE__ n);
__SIZE_TYPE__ strlen(const char *s);
int strcmp(const char *a, const char *b);
__attribute__((noreturn)) void exit(int code);

/* ---- self-checks (libc.c) ----
 * check() prints "ok   WHAT = 0x…" or "FAIL WHAT = 0x… (want 0x…)";
 * report() prints the sentinel "PASS NAME (N checks)" the QEMU harness looks
 * for, or "FAIL NAME: K of N checks failed", and returns main's exit code. */
void check(const char *what, uint32_t got, uint32_t want);
void check_true(const char *what, int cond);
int report(const char *name);

/* ---- traps (trap.S, trap.c) ---- */
struct trap_frame {
  uint32_t x[32];
  uint32_t epc, cause, tval, status;
};

/* The last trap taken, as recorded by the default handlers. */
struct trap_record {
  uint32_t count;   /* traps taken since trap_reset() */
  uint32_t cause;
  uint32_t tval;
  uint32_t epc;
  uint32_t from;    /* privilege mode the trap came from (MPP / SPP) */
};
extern volatile struct trap_record m_trap, s_trap;
extern uint32_t entry_a0;

/* A trap that nobody expects prints "UNEXPECTED TRAP …" and exits with 99.
 * expect_trap() allows the next trap(s) until trap_reset() is called again.
 * After an exception the handler resumes:
 *   - at the instruction after the faulting one (epc + 2 or + 4, by the
 *     length of the instruction there: the C extension), except
 *   - for instruction access / page faults (cause 1, 12): at ra, i.e. the
 *     test jumped there with jalr ra and comes back as from a call.
 * A test may install its own handler instead (m_trap_hook / s_trap_hook):
 * return nonzero to say "handled, resume as the frame now says". */
void trap_reset(void);
void expect_trap(void);
typedef int (*trap_hook_t)(struct trap_frame *f);
extern trap_hook_t m_trap_hook, s_trap_hook;

/* Run fn(arg) in privilege mode `mode` (PRV_U or PRV_S) from M-mode, with
 * satp as it is now. Returns fn's return value; fn must not print (the UART
 * may be unmapped). Traps taken meanwhile go through the handlers above. */
uint32_t run_in_mode(uint32_t mode, uint32_t (*fn)(uint32_t), uint32_t arg);
void m_trap_entry(void);
void s_trap_entry(void);
void lower_return(void);
/* Install s_trap_entry in stvec with its own stack in sscratch. */
void s_trap_install(void);

static inline void fence_i(void) { __asm__ volatile("fence.i" ::: "memory"); }
static inline void sfence_vma_all(void) { __asm__ volatile("sfence.vma" ::: "memory"); }
#endif /* __ASSEMBLER__ */

#endif /* GUEST_H */
