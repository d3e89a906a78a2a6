/* csr.c — Zicsr and the machine CSRs a QEMU firmware touches: misa, mhartid,
 * the id registers, mstatus fields and the sstatus view of it, mscratch /
 * sscratch, mepc, mtvec, medeleg / mideleg (the standard bits are writable),
 * mie and the sie view (gated by mideleg), mip.SSIP, satp's ASID width,
 * PMP (WARL), the counters (cycle, time, instret and their h halves increase;
 * no values are printed), the CSR instruction forms (csrrw/s/c and the
 * immediate forms, rd = x0, rs1 = x0), and the traps: an unknown CSR and a
 * write to a read-only CSR are illegal instructions with mtval = the
 * instruction word (QEMU behaviour, docs/machine.md). */
#include "guest.h"

#define EXPECT_ILLEGAL(desc, insn_word, asm_text) do { \
    trap_reset(); expect_trap(); \
    __asm__ volatile(asm_text ::: "t0", "memory"); \
    check(desc ": traps", m_trap.count, 1); \
    check(desc ": mcause = illegal instruction", m_trap.cause, 2); \
    check(desc ": mtval = the instruction", m_trap.tval, insn_word); \
    trap_reset(); \
  } while (0)

#define NO_TRAP(desc, asm_text) do { \
    trap_reset(); expect_trap(); \
    __asm__ volatile(asm_text ::: "t0", "memory"); \
    check(desc ": no trap", m_trap.count, 0); \
    trap_reset(); \
  } while (0)

int main(void) {
  printf("== csr ==\n");
  check("misa (MXL=1, A C I M S U)", csr_read(misa), 0x40141105);
  check("mhartid", csr_read(mhartid), 0);
  NO_TRAP("mvendorid, marchid, mimpid are readable", "csrr t0, mvendorid\n\tcsrr t0, marchid\n\tcsrr t0, mimpid");

  uint32_t ms = csr_read(mstatus);
  check("mstatus.MIE = 0 at reset", ms & MSTATUS_MIE, 0);
  check("mstatus.MPRV = 0 at reset", ms & MSTATUS_MPRV, 0);
  static const struct { const char *name; uint32_t bit; } fields[] = {
    { "mstatus.SIE", MSTATUS_SIE },   { "mstatus.MIE", MSTATUS_MIE },   { "mstatus.SPIE", MSTATUS_SPIE },
    { "mstatus.MPIE", MSTATUS_MPIE }, { "mstatus.SPP", MSTATUS_SPP },   { "mstatus.MPRV", MSTATUS_MPRV },
    { "mstatus.SUM", MSTATUS_SUM },   { "mstatus.MXR", MSTATUS_MXR },   { "mstatus.TVM", MSTATUS_TVM },
    { "mstatus.TW", MSTATUS_TW },     { "mstatus.TSR", MSTATUS_TSR },
  };
  for (unsigned i = 0; i < sizeof fields / sizeof fields[0]; i++) {
    /* mie = 0, so setting mstatus.MIE cannot take an interrupt. */
    csr_set(mstatus, fields[i].bit);
    uint32_t on = csr_read(mstatus) & fields[i].bit;
    csr_clear(mstatus, fields[i].bit);
    uint32_t off = csr_read(mstatus) & fields[i].bit;
    check(fields[i].name, (on ? 2 : 0) | (off ? 1 : 0), 2);
  }
  for (uint32_t mpp = 0; mpp < 4; mpp += 3) {
    csr_clear(mstatus, MSTATUS_MPP);
    csr_set(mstatus, mpp << 11);
    check(mpp ? "mstatus.MPP = M" : "mstatus.MPP = U", (csr_read(mstatus) >> 11) & 3, mpp);
  }
  csr_clear(mstatus, MSTATUS_MPP);
  csr_set(mstatus, PRV_S << 11);
  check("mstatus.MPP = S", (csr_read(mstatus) >> 11) & 3, PRV_S);
  check("sstatus does not show MPP", csr_read(sstatus) & MSTATUS_MPP, 0);
  csr_set(sstatus, MSTATUS_SUM | MSTATUS_SPP);
  check("sstatus writes reach mstatus (SUM, SPP)", csr_read(mstatus) & (MSTATUS_SUM | MSTATUS_SPP), MSTATUS_SUM | MSTATUS_SPP);
  csr_clear(sstatus, MSTATUS_SUM | MSTATUS_SPP);
  csr_write(mstatus, ms);

  uint32_t saved = csr_swap(mscratch, 0x12345678);
  check("mscratch", csr_read(mscratch), 0x12345678);
  csr_write(mscratch, saved);
  csr_write(sscratch, 0x9abcdef0);
  check("sscratch", csr_read(sscratch), 0x9abcdef0);
  csr_write(mepc, 0x80001234);
  check("mepc", csr_read(mepc), 0x80001234);
  csr_write(sepc, 0x80004320);
  check("sepc", csr_read(sepc), 0x80004320);
  csr_write(stvec, 0x80002000);
  check("stvec", csr_read(stvec), 0x80002000);
  uint32_t mtvec = csr_read(mtvec);
  check("mtvec = the runtime's vector", mtvec, (uint32_t)(uintptr_t)m_trap_entry);
  csr_write(mcause, 0x8000000b);
  check("mcause is writable", csr_read(mcause), 0x8000000b);
  csr_write(mtval, 0xdead);
  check("mtval is writable", csr_read(mtval), 0xdead);
  csr_write(scause, 0xd);
  check("scause is writable", csr_read(scause), 0xd);
  csr_write(stval, 0xbeef);
  check("stval is writable", csr_read(stval), 0xbeef);

  csr_write(medeleg, 0xffffffff);
  check("medeleg: exceptions 0-9, 12, 13, 15 are delegable", csr_read(medeleg) & 0xb3ff, 0xb3ff);
  csr_write(medeleg, 0);
  check("medeleg cleared", csr_read(medeleg), 0);
  csr_write(mideleg, 0xffffffff);
  /* Only the S bits are compared: Hyperstep also lets M delegate MEIP (its
   * LAPIC interrupt, docs/machine.md); QEMU 7.2 does not. */
  check("mideleg: SSIP, STIP, SEIP are delegable", csr_read(mideleg) & 0x222, 0x222);
  csr_write(mideleg, 0);

  csr_write(mie, 0xaaa);
  check("mie: SSIE STIE SEIE MSIE MTIE MEIE writable", csr_read(mie) & 0xaaa, 0xaaa);
  check("sie with mideleg = 0 reads 0", csr_read(sie), 0);
  csr_write(mideleg, 0x222);
  check("sie with mideleg = S bits shows mie's S bits", csr_read(sie), 0x222);
  csr_clear(sie, 0x2);
  check("sie writes reach mie", csr_read(mie) & 0xaaa, 0xaa8);
  csr_write(mie, 0);
  csr_write(mideleg, 0);
  csr_set(mip, 0x2);
  check("mip.SSIP is writable by M-mode", csr_read(mip) & 0x222, 0x2);
  csr_clear(mip, 0x2);
  check("mip.SSIP cleared", csr_read(mip) & 0x222, 0);

  csr_write(satp, 0x80000000u | (0x1ffu << 22));
  check("satp ASID field is 9 bits (ASIDLEN = 9)", (csr_read(satp) >> 22) & 0x1ff, 0x1ff);
  check("satp MODE = Sv32 reads back", csr_read(satp) >> 31, 1);
  csr_write(satp, 0);
  check("satp = 0 (Bare)", csr_read(satp), 0);

  check("pmpcfg0 (written by crt0)", csr_read(pmpcfg0) & 0xff, 0x1f);
  check("pmpaddr0 (written by crt0)", csr_read(pmpaddr0), 0xffffffff);
  csr_write(pmpaddr3, 0x20000000);
  check("pmpaddr3 is writable", csr_read(pmpaddr3), 0x20000000);
  csr_write(pmpaddr3, 0);

  /* Counters: only relations, never values (QEMU's are host time). */
  uint32_t c0 = csr_read(mcycle), i0 = csr_read(minstret), t0 = csr_read(time);
  uint32_t u0 = csr_read(cycle), r0 = csr_read(instret);
  volatile uint32_t spin = 0;
  for (int i = 0; i < 1000; i++) spin += i;
  uint32_t c1 = csr_read(mcycle), i1 = csr_read(minstret), t1 = csr_read(time);
  uint32_t u1 = csr_read(cycle), r1 = csr_read(instret);
  check("mcycle increased", c1 - c0 > 0, 1);
  check("minstret increased", i1 - i0 > 0, 1);
  check("cycle increased", u1 - u0 > 0, 1);
  check("instret increased", r1 - r0 > 0, 1);
  check("time did not go backwards", (int32_t)(t1 - t0) >= 0, 1);
  NO_TRAP("cycleh, timeh, instreth, mcycleh, minstreth are readable",
          "csrr t0, cycleh\n\tcsrr t0, timeh\n\tcsrr t0, instreth\n\tcsrr t0, mcycleh\n\tcsrr t0, minstreth");
  /* The 64-bit read idiom of rv32 terminates and agrees with itself. */
  uint32_t hi, lo, hi2;
  do {
    hi = csr_read(cycleh);
    lo = csr_read(cycle);
    hi2 = csr_read(cycleh);
  } while (hi != hi2);
  check("64-bit cycle read idiom", hi == hi2 && (lo | 1), 1);

  /* The six instruction forms, on mscratch. */
  uint32_t old, r;
  saved = csr_read(mscratch);
  csr_write(mscratch, 0xf0);
  __asm__ volatile("csrrs %0, mscratch, %1" : "=r"(old) : "r"(0x0f));
  check("csrrs returns the old value", old, 0xf0);
  check("csrrs sets bits", csr_read(mscratch), 0xff);
  __asm__ volatile("csrrc %0, mscratch, %1" : "=r"(old) : "r"(0x3c));
  check("csrrc returns the old value", old, 0xff);
  check("csrrc clears bits", csr_read(mscratch), 0xc3);
  __asm__ volatile("csrrwi %0, mscratch, 31" : "=r"(old));
  check("csrrwi returns the old value", old, 0xc3);
  check("csrrwi writes a 5-bit immediate", csr_read(mscratch), 31);
  __asm__ volatile("csrrci %0, mscratch, 0x11" : "=r"(old));
  check("csrrci clears", csr_read(mscratch), 0x0e);
  __asm__ volatile("csrrsi %0, mscratch, 0x10" : "=r"(old));
  check("csrrsi sets", csr_read(mscratch), 0x1e);
  __asm__ volatile("csrrw x0, mscratch, %0" :: "r"(0x77));
  check("csrrw rd = x0 writes", csr_read(mscratch), 0x77);
  __asm__ volatile("li %0, 0x55\n\tcsrrw %0, mscratch, %0" : "=&r"(r));
  check("csrrw rd = rs1 swaps", r, 0x77);
  check("  ... and writes the old rs1", csr_read(mscratch), 0x55);
  csr_write(mscratch, saved);

  /* Reads of read-only CSRs are fine when nothing is written. */
  NO_TRAP("csrrs t0, mhartid, x0 (no write)", "csrrs t0, mhartid, x0");
  NO_TRAP("csrrsi t0, mvendorid, 0 (no write)", "csrrsi t0, mvendorid, 0");
  NO_TRAP("csrrc t0, cycle, x0 (no write)", "csrrc t0, cycle, x0");
  EXPECT_ILLEGAL("csrw mhartid", 0xf1401073, "csrw mhartid, zero");
  EXPECT_ILLEGAL("csrw mvendorid", 0xf1129073, "csrw mvendorid, t0");
  EXPECT_ILLEGAL("csrw cycle (user read-only)", 0xc0001073, "csrw cycle, zero");
  EXPECT_ILLEGAL("csrrwi x0, instret, 1", 0xc020d073, "csrrwi x0, instret, 1");
  EXPECT_ILLEGAL("csrrsi t0, mimpid, 1", 0xf130e2f3, "csrrsi t0, mimpid, 1");
  EXPECT_ILLEGAL("unknown CSR 0x7c0", 0x7c0022f3, "csrr t0, 0x7c0");
  EXPECT_ILLEGAL("unknown CSR 0x3ff", 0x3ff022f3, "csrr t0, 0x3ff");
  EXPECT_ILLEGAL("fcsr without the F extension", 0x003022f3, "csrr t0, 0x003");
  return report("csr");
}
