/* hs.h — the tiny C runtime shared by the C examples (examples/c/): the machine's addresses
 * (README "The machine"), CSR access, printf over the UART, the trap frame. docs/examples.md. */
#ifndef HS_H
#define HS_H

#define FINISHER_BASE 0x00100000
#define UART_BASE     0x10000000
#define ECAM_BASE     0x30000000
#define PCI_WINDOW    0x40000000
#define IOAPIC_BASE   0xfec00000
#define LAPIC_BASE    0xfee00000

/* struct trap_frame, in bytes (trap.S fills it). */
#define TF_SIZE  144
#define TF_EPC   128
#define TF_CAUSE 132
#define TF_TVAL  136

#define HART_STACK 0x2000   /* per-hart stack (crt0.S) */
#define TRAP_STACK 0x1000   /* per-hart trap stack (trap.S) */

#ifndef __ASSEMBLER__
#include <stdint.h>
#include <stdarg.h>

#define csr_read(csr) ({ uint32_t v_; __asm__ volatile("csrr %0, " #csr : "=r"(v_) :: "memory"); v_; })
#define csr_write(csr, val) __asm__ volatile("csrw " #csr ", %0" :: "rK"((uint32_t)(val)) : "memory")
#define csr_set(csr, val) __asm__ volatile("csrs " #csr ", %0" :: "rK"((uint32_t)(val)) : "memory")
#define csr_clear(csr, val) __asm__ volatile("csrc " #csr ", %0" :: "rK"((uint32_t)(val)) : "memory")

#define MSTATUS_MIE  (1u << 3)
#define MSTATUS_MPP  (3u << 11)
#define MIE_MEIE     (1u << 11)
#define MCAUSE_MEI   0x8000000bu

#define MMIO8(addr)  (*(volatile uint8_t *)(uintptr_t)(addr))
#define MMIO16(addr) (*(volatile uint16_t *)(uintptr_t)(addr))
#define MMIO32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

struct trap_frame {
  uint32_t x[32];   /* x[2] is the interrupted sp */
  uint32_t epc, cause, tval, pad;
};

/* The program's trap handler (a weak default in lib.c reports the trap and exits with 99).
 * Returning resumes at tf->epc. */
void trap(struct trap_frame *tf);
/* Harts other than 0 call this once hart 0 has cleared .bss (weak default: wfi forever). */
void secondary_main(uint32_t hartid);

void uart_putc(char c);
int puts(const char *s);
int printf(const char *fmt, ...);
void *memset(void *d, int c, __SIZE_TYPE__ n);
void *memcpy(void *d, const void *s, __SIZE_TYPE__ n);
__attribute__((noreturn)) void exit(int code);

static inline uint32_t hartid(void) { return csr_read(mhartid); }
static inline void wfi(void) { __asm__ volatile("wfi" ::: "memory"); }
#endif
#endif
