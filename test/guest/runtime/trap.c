/* trap.c — default M- and S-mode trap handlers of the guest corpus (see guest.h). */
#include "guest.h"

volatile struct trap_record m_trap, s_trap;
trap_hook_t m_trap_hook, s_trap_hook;
static volatile int trap_allowed;

extern uint32_t run_in_mode_saved_sp;
void run_in_mode_resume(void);
void lower_return_from_s(uint32_t value, uint32_t via_unimp);

/* unimp (csrrw x0, cycle, x0): illegal in every mode. */
#define UNIMP 0xc0001073u

void trap_reset(void) {
  m_trap.count = m_trap.cause = m_trap.tval = m_trap.epc = m_trap.from = 0;
  s_trap.count = s_trap.cause = s_trap.tval = s_trap.epc = s_trap.from = 0;
  trap_allowed = 0;
}

void expect_trap(void) { trap_allowed = 1; }

static int is_ecall(uint32_t cause) { return cause == 8 || cause == 9 || cause == 11; }

/* Where an exception resumes by default: see guest.h. */
static void skip_faulting(struct trap_frame *f) {
  if (f->cause & 0x80000000u) return;          /* interrupt: resume where it hit */
  if (f->cause == 1 || f->cause == 12) f->epc = f->x[1];
  else f->epc += (*(volatile uint16_t *)(uintptr_t)f->epc & 3) == 3 ? 4 : 2; /* a 16-bit (C) instruction */
}

static void unexpected(const char *level, struct trap_frame *f) {
  printf("UNEXPECTED TRAP (%s) cause=0x%x epc=0x%x tval=0x%x\n", level, f->cause, f->epc, f->tval);
  exit(99);
}

void m_trap_handler(struct trap_frame *f) {
  uint32_t from = (f->status >> 11) & 3;
  if ((is_ecall(f->cause) || (f->cause == 2 && f->tval == UNIMP)) && f->x[17] == LOWER_RETURN_MAGIC) {
    /* lower_return: back to run_in_mode's caller, in M-mode with
     * mstatus.MIE = 0 as it was (mret copies MPIE into MIE), a0 kept. */
    f->epc = (uint32_t)(uintptr_t)run_in_mode_resume;
    f->x[2] = run_in_mode_saved_sp;
    f->status |= MSTATUS_MPP_BITS;
    f->status &= ~MSTATUS_MPIE;
    return;
  }
  if (f->cause == 9 && f->x[17] == 0xBAD) {
    printf("UNEXPECTED TRAP (S) cause=0x%x\n", f->x[10]);
    exit(99);
  }
  m_trap.count++;
  m_trap.cause = f->cause;
  m_trap.tval = f->tval;
  m_trap.epc = f->epc;
  m_trap.from = from;
  if (m_trap_hook && m_trap_hook(f)) return;
  if (!trap_allowed) unexpected("M", f);
  skip_faulting(f);
}

void s_trap_handler(struct trap_frame *f) {
  if ((f->cause == 8 || f->cause == 9) && f->x[17] == LOWER_RETURN_MAGIC) {
    /* lower_return's ecall was delegated to S: forward it to M, by an S-mode
     * ecall, or by unimp when S-mode ecalls are delegated too. (So
     * run_in_mode cannot return if medeleg delegates both 9 and 2.) */
    lower_return_from_s(f->x[10], f->cause == 9);
  }
  s_trap.count++;
  s_trap.cause = f->cause;
  s_trap.tval = f->tval;
  s_trap.epc = f->epc;
  s_trap.from = (f->status >> 8) & 1;
  if (s_trap_hook && s_trap_hook(f)) return;
  if (!trap_allowed) {
    /* S-mode cannot print safely (the UART may be unmapped): ask M to. */
    __asm__ volatile("mv a0, %0; li a7, 0xBAD; ecall" :: "r"(f->cause) : "a0", "a7");
  }
  skip_faulting(f);
}
