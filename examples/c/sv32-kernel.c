/* sv32-kernel.c — a tiny kernel in C: it builds Sv32 page tables for a user task, enters it in
 * U-mode with mret, serves its system calls (ecall → the trap handler) and kills it on a page fault.
 * The task's code and data live in the page-aligned .user.text / .user.data sections
 * (runtime/link.ld), mapped at the same virtual addresses with the U bit; nothing else is.
 *
 *   hyperstep run examples/c/sv32-kernel.elf --mmu shadow     (watch the satp write and the #PF exits)
 *
 * Break in syscall() and look at `tf` (the user's registers) and `pt` (the page tables); in the
 * user task, the Translation scope shows the walk through them. Built by `npm run examples`. */
#include "hs.h"

#define PTE_V (1u << 0)
#define PTE_R (1u << 1)
#define PTE_W (1u << 2)
#define PTE_X (1u << 3)
#define PTE_U (1u << 4)
#define PTE_A (1u << 6)
#define PTE_D (1u << 7)
#define PAGE  4096u
#define SATP_SV32 (1u << 31)

enum syscall_nr { SYS_WRITE = 1, SYS_GETPID = 2, SYS_EXIT = 93 };
enum cause { CAUSE_ECALL_U = 8, CAUSE_LOAD_PAGE_FAULT = 13, CAUSE_STORE_PAGE_FAULT = 15 };

typedef uint32_t pte_t;

struct page_tables {
  pte_t root[1024];     /* level 1: 4 MiB per entry */
  pte_t leaf[1024];     /* level 0: the 4 MiB at 0x80000000 */
};

struct task {
  const char *name;
  uint32_t pid;
  uint32_t syscalls;
  int exit_code;
};

extern char __user_text[], __user_text_end[], __user_data[], __user_data_end[];
static struct page_tables pt __attribute__((aligned(PAGE)));
struct task current = { .name = "init", .pid = 1 };

/* ---- the user task: only .user.text and .user.data are mapped for it ---- */

#define USER_TEXT __attribute__((section(".user.text"), noinline))
#define USER_DATA __attribute__((section(".user.data")))

static uint8_t user_stack[1024] USER_DATA __attribute__((aligned(16)));
static char hello[] USER_DATA = "hello from U-mode through a system call\n";
static char pid_is_1[] USER_DATA = "getpid() = 1\n";
static volatile uint32_t *kernel_word USER_DATA = (volatile uint32_t *)0x80000000;

USER_TEXT static long sys(long nr, long a0, long a1) {
  register long r_a0 __asm__("a0") = a0;
  register long r_a1 __asm__("a1") = a1;
  register long r_a7 __asm__("a7") = nr;
  __asm__ volatile("ecall" : "+r"(r_a0) : "r"(r_a1), "r"(r_a7) : "memory");
  return r_a0;
}

USER_TEXT static void user_main(void) {
  sys(SYS_WRITE, (long)hello, sizeof hello - 1);
  long pid = sys(SYS_GETPID, 0, 0);
  if (pid == 1) sys(SYS_WRITE, (long)pid_is_1, sizeof pid_is_1 - 1);
  (void)*kernel_word;                       /* the kernel's page is not mapped for the task: a page fault */
  sys(SYS_EXIT, 7, 0);
}

/* ---- the kernel ---- */

static void map(uint32_t va, uint32_t pa, uint32_t flags) {
  pt.leaf[(va >> 12) & 0x3ff] = ((pa >> 12) << 10) | flags | PTE_V | PTE_A | PTE_D;
}

static void map_user(void) {
  pt.root[0x80000000u >> 22] = (((uint32_t)(uintptr_t)pt.leaf >> 12) << 10) | PTE_V;   /* a pointer to the level-0 table */
  for (uint32_t a = (uint32_t)(uintptr_t)__user_text; a < (uint32_t)(uintptr_t)__user_text_end; a += PAGE) map(a, a, PTE_R | PTE_X | PTE_U);
  for (uint32_t a = (uint32_t)(uintptr_t)__user_data; a < (uint32_t)(uintptr_t)__user_data_end; a += PAGE) map(a, a, PTE_R | PTE_W | PTE_U);
}

static long syscall(struct trap_frame *tf) {
  uint32_t nr = tf->x[17], a0 = tf->x[10], a1 = tf->x[11];
  current.syscalls++;
  switch (nr) {
    case SYS_WRITE: {
      /* M-mode loads are not translated, and the task's pages are identity-mapped: its pointer is the PA. */
      const char *s = (const char *)(uintptr_t)a0;
      for (uint32_t i = 0; i < a1; i++) uart_putc(s[i]);
      return (long)a1;
    }
    case SYS_GETPID: return (long)current.pid;
    case SYS_EXIT:
      printf("sv32-kernel: task %s exited with %d after %u system calls\n", current.name, (int)a0, current.syscalls);
      exit(0);
    default: return -38; /* -ENOSYS */
  }
}

void trap(struct trap_frame *tf) {
  switch (tf->cause) {
    case CAUSE_ECALL_U:
      tf->x[10] = (uint32_t)syscall(tf);
      tf->epc += 4;
      return;
    case CAUSE_LOAD_PAGE_FAULT: case CAUSE_STORE_PAGE_FAULT:
      printf("sv32-kernel: page fault in task %s: %s at 0x%x (pc 0x%x); the page is not mapped for U-mode\n",
        current.name, tf->cause == CAUSE_LOAD_PAGE_FAULT ? "load" : "store", tf->tval, tf->epc);
      tf->epc += (*(uint16_t *)(uintptr_t)tf->epc & 3) == 3 ? 4 : 2;   /* skip the access (4 or 2 bytes) and go on */
      return;
    default:
      printf("sv32-kernel: unexpected trap, mcause 0x%x mepc 0x%x mtval 0x%x\n", tf->cause, tf->epc, tf->tval);
      exit(99);
  }
}

int main(void) {
  printf("sv32-kernel: mapping %u user code and %u user data pages\n",
    (uint32_t)(__user_text_end - __user_text) / PAGE, (uint32_t)(__user_data_end - __user_data) / PAGE);
  map_user();
  csr_write(satp, SATP_SV32 | ((uint32_t)(uintptr_t)pt.root >> 12));
  __asm__ volatile("sfence.vma" ::: "memory");
  printf("sv32-kernel: satp = 0x%x, entering the task in U-mode\n", csr_read(satp));
  csr_clear(mstatus, MSTATUS_MPP);           /* MPP = U */
  csr_write(mepc, (uintptr_t)user_main);
  __asm__ volatile("mv sp, %0\n\tmret" :: "r"(user_stack + sizeof user_stack) : "memory");
  __builtin_unreachable();
}
