/* priv.c — privilege modes and delegation:
 *   medeleg: U-mode ecall / ebreak / illegal and S-mode ecall / illegal go to
 *     the S-mode handler (stvec) with scause, sepc, stval and sstatus.SPP;
 *     M-mode traps never go down even when their bit is delegated;
 *     undelegated U-mode traps go to M,
 *   mideleg: a supervisor software interrupt (mip.SSIP, set by M or by S in
 *     sip) is taken in S-mode when sstatus.SIE is set, always from U-mode, and
 *     by M-mode from S-mode when it is not delegated (whatever mstatus.MIE),
 *   mret / sret: MPP/SPP, MPIE/SPIE after the return, sret into U-mode,
 *   illegal from below: M CSRs and mret in S, sret / S CSRs / sfence.vma in
 *     U, and the trap bits TSR (sret), TVM (satp, sfence.vma), TW (wfi),
 *   counter enables: mcounteren and scounteren gate cycle / time / instret
 *     below M-mode.
 * The software interrupt is raised by writing mip/sip: no timer is used. */
#include "guest.h"

#define LOWER(fname, text) \
  __attribute__((noinline)) static uint32_t fname(uint32_t a) { \
    __asm__ volatile(text ::: "t0", "memory"); \
    return a + 1; \
  }

LOWER(do_ecall, "ecall")
LOWER(do_ebreak, "ebreak")
LOWER(do_illegal, ".word 0xffffffff")
LOWER(read_mstatus, "csrr t0, mstatus")
LOWER(do_mret, "mret")
LOWER(do_sret_trapped, "sret")
LOWER(read_sstatus, "csrr t0, sstatus")
LOWER(do_sfence, "sfence.vma")
LOWER(read_satp, "csrr t0, satp")
LOWER(do_wfi, "wfi")
LOWER(read_cycle, "csrr t0, cycle")
LOWER(read_time, "csrr t0, time")
LOWER(read_instret, "csrr t0, instret")
LOWER(read_sip, "csrr t0, sip")

/* Runs fn in `mode` and checks how many traps went to M and to S, and the
 * cause of the last one. Returns fn's value. */
static uint32_t expect(const char *what, uint32_t mode, uint32_t (*fn)(uint32_t),
                       uint32_t m_count, uint32_t s_count, uint32_t cause) {
  trap_reset();
  expect_trap();
  uint32_t r = run_in_mode(mode, fn, 0);
  printf("-- %s\n", what);
  check("  traps to M", m_trap.count, m_count);
  check("  traps to S", s_trap.count, s_count);
  if (m_count + s_count > 0) check("  cause", s_count ? s_trap.cause : m_trap.cause, cause);
  return r;
}

/* The handlers clear the software interrupt they took, and resume. */
static int s_hook(struct trap_frame *f) {
  if (f->cause == 0x80000001u) {
    csr_clear(sip, 2);
    return 1;
  }
  return 0;
}
static int m_hook(struct trap_frame *f) {
  if (f->cause == 0x80000001u) {
    csr_clear(mip, 2);
    return 1;
  }
  return 0;
}

/* S-mode: look at sip, then enable interrupts; the pending SSIP is taken
 * right after the csrs, so sepc is the label after it. */
__attribute__((noinline)) static uint32_t s_enable_sie(uint32_t a) {
  uint32_t pending;
  __asm__ volatile(
      "csrr %0, sip\n\t"
      "csrs sstatus, %1\n\t"
      ".globl after_sie\n"
      "after_sie: nop\n\t"
      "csrc sstatus, %1"
      : "=&r"(pending) : "r"(MSTATUS_SIE) : "memory");
  return pending + a;
}
extern char after_sie[];

/* S-mode: raise SSIP itself through sip with SIE on. */
__attribute__((noinline)) static uint32_t s_self_ipi(uint32_t a) {
  __asm__ volatile(
      "csrs sstatus, %0\n\t"
      "csrs sip, %1\n\t"
      "nop\n\t"
      "csrc sstatus, %0" :: "r"(MSTATUS_SIE), "r"(2) : "memory");
  return a;
}

__attribute__((noinline)) static uint32_t plain(uint32_t a) { return a + 7; }

/* S-mode: sret to the next label, still in S, with SPIE = 1. */
__attribute__((noinline)) static uint32_t s_sret_to_s(uint32_t a) {
  uint32_t st;
  __asm__ volatile(
      "la t0, 1f\n\t"
      "csrw sepc, t0\n\t"
      "li t0, 0x120\n\t"            /* SPP = S, SPIE = 1 */
      "csrs sstatus, t0\n\t"
      "li t0, 0x2\n\t"              /* SIE = 0 */
      "csrc sstatus, t0\n\t"
      "sret\n"
      "1: csrr %0, sstatus\n\t"     /* legal only in S */
      "li t0, 0x2\n\t"
      "csrc sstatus, t0"
      : "=r"(st) :: "t0", "memory");
  return st + a;
}

/* S-mode: sret into U-mode at read_sstatus (which traps to M from U). */
__attribute__((noinline)) static uint32_t s_sret_to_u(uint32_t a) {
  __asm__ volatile(
      "csrw sepc, %0\n\t"
      "li t0, 0x100\n\t"
      "csrc sstatus, t0\n\t"        /* SPP = U */
      "mv a0, %1\n\t"
      "la ra, lower_return\n\t"
      "sret"
      :: "r"(read_sstatus), "r"(a) : "t0", "a0", "ra", "memory");
  return 0;
}

static void delegation(void) {
  s_trap_install();
  csr_write(medeleg, (1u << 8) | (1u << 3) | (1u << 2));
  expect("U ecall, delegated", PRV_U, do_ecall, 0, 1, 8);
  check("  stval", s_trap.tval, 0);
  check("  sstatus.SPP = U", s_trap.from, 0);
  check("  sepc is inside do_ecall", s_trap.epc - (uint32_t)(uintptr_t)do_ecall < 16, 1);
  expect("U ebreak, delegated", PRV_U, do_ebreak, 0, 1, 3);
  expect("U illegal instruction, delegated", PRV_U, do_illegal, 0, 1, 2);
  check("  stval = the instruction", s_trap.tval, 0xffffffff);
  expect("S illegal instruction, delegated", PRV_S, do_illegal, 0, 1, 2);
  check("  sstatus.SPP = S", s_trap.from, 1);

  trap_reset();
  expect_trap();
  __asm__ volatile(".word 0xffffffff" ::: "memory");
  printf("-- M illegal instruction with medeleg[2] set stays in M\n");
  check("  traps to M", m_trap.count, 1);
  check("  traps to S", s_trap.count, 0);

  csr_write(medeleg, 1u << 9);
  expect("S ecall, delegated to S itself", PRV_S, do_ecall, 0, 1, 9);
  check("  sstatus.SPP = S", s_trap.from, 1);

  csr_write(medeleg, 0);
  expect("U ecall, not delegated", PRV_U, do_ecall, 1, 0, 8);
  check("  MPP = U", m_trap.from, 0);
  check("medeleg = 0", csr_read(medeleg), 0);
}

static void interrupts(void) {
  s_trap_hook = s_hook;
  m_trap_hook = m_hook;
  csr_write(mideleg, 0x2);
  csr_write(mie, 0x2);
  csr_set(mip, 0x2);
  uint32_t r = expect("SSIP delegated, pending, taken in S when sstatus.SIE is set", PRV_S, s_enable_sie, 0, 1, 0x80000001u);
  check("  sip.SSIP was visible before", r & 2, 2);
  check("  sepc = the instruction after csrs sstatus", s_trap.epc - (uint32_t)(uintptr_t)after_sie, 0);
  check("  SPP = S", s_trap.from, 1);
  check("  sip.SSIP cleared by the handler", csr_read(mip) & 2, 0);

  expect("S raises SSIP itself through sip", PRV_S, s_self_ipi, 0, 1, 0x80000001u);

  csr_set(mip, 0x2);
  expect("SSIP delegated, taken on entry to U even with sstatus.SIE = 0", PRV_U, plain, 0, 1, 0x80000001u);
  check("  sepc = the first U instruction", s_trap.epc - (uint32_t)(uintptr_t)plain, 0);
  check("  SPP = U", s_trap.from, 0);

  csr_write(mideleg, 0);
  csr_set(mip, 0x2);
  check("mstatus.MIE = 0 in M", csr_read(mstatus) & MSTATUS_MIE, 0);
  expect("SSIP not delegated: taken by M from S although mstatus.MIE = 0", PRV_S, plain, 1, 0, 0x80000001u);
  check("  mepc = the first S instruction", m_trap.epc - (uint32_t)(uintptr_t)plain, 0);
  check("  MPP = S", m_trap.from, 1);
  csr_write(mie, 0);
  s_trap_hook = 0;
  m_trap_hook = 0;
}

static void returns(void) {
  printf("-- after run_in_mode (mret to U, trap, mret to M)\n");
  run_in_mode(PRV_U, plain, 0);
  uint32_t ms = csr_read(mstatus);
  check("  mstatus.MPP = U after mret", (ms >> 11) & 3, 0);
  check("  mstatus.MPIE = 1 after mret", (ms & MSTATUS_MPIE) != 0, 1);
  uint32_t st = expect("sret from S to S", PRV_S, s_sret_to_s, 0, 0, 0);
  check("  sstatus.SIE = old SPIE (1)", (st & MSTATUS_SIE) != 0, 1);
  check("  sstatus.SPIE = 1", (st & MSTATUS_SPIE) != 0, 1);
  check("  sstatus.SPP = U", (st & MSTATUS_SPP) != 0, 0);
  expect("sret from S into U: U cannot read sstatus", PRV_S, s_sret_to_u, 1, 0, 2);
  check("  MPP = U", m_trap.from, 0);
}

#define ILLEGAL_BELOW(what, mode, fn, insn) do { \
    expect(what, mode, fn, 1, 0, 2); \
    check("  mtval = the instruction", m_trap.tval, insn); \
    check("  from", m_trap.from, mode); \
  } while (0)

static void restrictions(void) {
  ILLEGAL_BELOW("S reads mstatus", PRV_S, read_mstatus, 0x300022f3);
  ILLEGAL_BELOW("S executes mret", PRV_S, do_mret, 0x30200073);
  ILLEGAL_BELOW("U executes sret", PRV_U, do_sret_trapped, 0x10200073);
  ILLEGAL_BELOW("U reads sstatus", PRV_U, read_sstatus, 0x100022f3);
  ILLEGAL_BELOW("U executes sfence.vma", PRV_U, do_sfence, 0x12000073);
  expect("S reads satp (TVM = 0)", PRV_S, read_satp, 0, 0, 0);
  expect("S executes sfence.vma (TVM = 0)", PRV_S, do_sfence, 0, 0, 0);
  csr_set(mstatus, MSTATUS_TVM);
  ILLEGAL_BELOW("S reads satp with TVM = 1", PRV_S, read_satp, 0x180022f3);
  ILLEGAL_BELOW("S executes sfence.vma with TVM = 1", PRV_S, do_sfence, 0x12000073);
  csr_clear(mstatus, MSTATUS_TVM);
  csr_set(mstatus, MSTATUS_TSR);
  ILLEGAL_BELOW("S executes sret with TSR = 1", PRV_S, do_sret_trapped, 0x10200073);
  csr_clear(mstatus, MSTATUS_TSR);
  csr_set(mstatus, MSTATUS_TW);
  ILLEGAL_BELOW("S executes wfi with TW = 1", PRV_S, do_wfi, 0x10500073);
  csr_clear(mstatus, MSTATUS_TW);
  expect("S reads sip", PRV_S, read_sip, 0, 0, 0);
}

static void counters(void) {
  csr_write(mcounteren, 0);
  csr_write(scounteren, 0);
  ILLEGAL_BELOW("S reads cycle, mcounteren = 0", PRV_S, read_cycle, 0xc00022f3);
  ILLEGAL_BELOW("U reads time, mcounteren = 0", PRV_U, read_time, 0xc01022f3);
  csr_write(mcounteren, 7);
  expect("S reads cycle, mcounteren = 7", PRV_S, read_cycle, 0, 0, 0);
  expect("S reads time, mcounteren = 7", PRV_S, read_time, 0, 0, 0);
  ILLEGAL_BELOW("U reads instret, mcounteren = 7, scounteren = 0", PRV_U, read_instret, 0xc02022f3);
  csr_write(scounteren, 5);
  expect("U reads cycle, both = CY|IR", PRV_U, read_cycle, 0, 0, 0);
  expect("U reads instret, both = CY|IR", PRV_U, read_instret, 0, 0, 0);
  ILLEGAL_BELOW("U reads time, scounteren.TM = 0", PRV_U, read_time, 0xc01022f3);
  csr_write(mcounteren, 0);
  csr_write(scounteren, 0);
}

int main(void) {
  printf("== priv ==\n");
  delegation();
  interrupts();
  returns();
  restrictions();
  counters();
  return report("priv");
}
