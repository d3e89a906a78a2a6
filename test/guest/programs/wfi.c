/* wfi.c — wfi and software interrupts, with no timer:
 *   wfi in M-mode with mstatus.MIE = 0 and an enabled interrupt pending
 *     (mie.SSIE, mip.SSIP) just continues, no trap (the privileged spec's
 *     "resume when an interrupt is pending, even if disabled globally"),
 *   wfi in S-mode with the pending SSIP delegated and sstatus.SIE = 0
 *     continues too,
 *   wfi in U-mode is an illegal instruction on QEMU (mstatus.TW = 0),
 *   setting mstatus.MIE with SSIP pending takes the interrupt right after
 *     the csrs: mcause 0x80000001, mepc = the next instruction.
 * QEMU's wfi with nothing pending and enabled (mip & mie = 0) waits forever,
 * so no program here does that. */
#include "guest.h"

__attribute__((noinline)) static uint32_t do_wfi(uint32_t a) {
  __asm__ volatile("wfi" ::: "memory");
  return a + 1;
}

static int m_hook(struct trap_frame *f) {
  if (f->cause == 0x80000001u) {
    csr_clear(mip, 2);
    return 1;
  }
  return 0;
}

int main(void) {
  printf("== wfi ==\n");
  trap_reset();
  csr_write(mie, 0x2);
  csr_set(mip, 0x2);
  __asm__ volatile("wfi" ::: "memory");
  check("M wfi, MIE = 0, SSIP pending and enabled: continues", m_trap.count, 0);
  check("  SSIP still pending", csr_read(mip) & 2, 2);
  check("  mstatus.MIE still 0", csr_read(mstatus) & MSTATUS_MIE, 0);

  csr_write(mideleg, 0x2);
  trap_reset();
  expect_trap();
  uint32_t r = run_in_mode(PRV_S, do_wfi, 1);
  check("S wfi, SSIP delegated and pending, SIE = 0: continues", r, 2);
  check("  no trap", m_trap.count + s_trap.count, 0);
  csr_write(mideleg, 0);
  csr_clear(mip, 0x2);
  csr_write(mie, 0);

  trap_reset();
  expect_trap();
  run_in_mode(PRV_U, do_wfi, 1);
  check("U wfi (TW = 0): traps", m_trap.count, 1);
  check("  mcause (QEMU: illegal instruction)", m_trap.cause, 2);
  check("  mtval = wfi", m_trap.tval, 0x10500073);

  m_trap_hook = m_hook;
  trap_reset();
  expect_trap();
  csr_write(mie, 0x2);
  csr_set(mip, 0x2);
  uint32_t next;
  __asm__ volatile(
      "csrs mstatus, %1\n\t"
      "2: nop\n\t"
      "csrc mstatus, %1\n\t"
      "la %0, 2b"
      : "=r"(next) : "r"(MSTATUS_MIE) : "memory");
  check("M sets mstatus.MIE with SSIP pending: interrupt taken", m_trap.count, 1);
  check("  mcause", m_trap.cause, 0x80000001u);
  check("  mepc = the instruction after csrs", m_trap.epc - next, 0);
  check("  SSIP cleared by the handler", csr_read(mip) & 2, 0);
  csr_write(mie, 0);
  m_trap_hook = 0;
  return report("wfi");
}
