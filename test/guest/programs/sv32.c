/* sv32.c — Sv32 paging in S- and U-mode:
 *   4 KiB pages and 4 MiB superpages (and a misaligned superpage, which
 *   faults), read/write/execute permissions, execute-only pages and MXR, the
 *   reserved W-without-R encoding, a non-leaf PTE at the last level, invalid
 *   PTEs; load / store / fetch page faults with mtval and, delegated, stval;
 *   the U bit (U-mode needs it, S-mode needs SUM to read U pages and can never
 *   execute them); accessed / dirty bits set by the hardware walker (QEMU
 *   sets A and D itself, it does not fault on A = 0 or D = 0; the test prints
 *   the PTE bits it sees); sfence.vma by address, by ASID and global; two
 *   address spaces told apart by ASID with no fence when switching satp; and
 *   M-mode loads through MPRV.
 * The page tables are built by M-mode; S- and U-mode code runs on an identity
 * 4 MiB superpage over the program. No stale-TLB behaviour is tested: after
 * every PTE change there is the sfence.vma the ISA requires. */
#include "guest.h"

#define PTE_V 0x01u
#define PTE_R 0x02u
#define PTE_W 0x04u
#define PTE_X 0x08u
#define PTE_U 0x10u
#define PTE_A 0x40u
#define PTE_D 0x80u
#define PTE_AD (PTE_A | PTE_D)

#define PAGE __attribute__((aligned(4096)))
static uint32_t root_s[1024] PAGE, l0_s[1024] PAGE, l0_x[1024] PAGE;
static uint32_t root_b[1024] PAGE, l0_b[1024] PAGE;
static uint32_t root_u[1024] PAGE, l0_u[1024] PAGE;
static uint32_t pages[7][1024] PAGE;   /* P0 .. P6 */

#define VA(n) (0x00400000u + (n) * 0x1000u)   /* through l0_s / l0_b / l0_u */
#define VA_SUPER 0xc0000000u                   /* 4 MiB alias of the program */
#define VA_SUPER_MISALIGNED 0xc0400000u
#define VA_NONLEAF_L0 0x00800000u

static uint32_t pa(const void *p) { return (uint32_t)(uintptr_t)p; }
static uint32_t pte(const void *target, uint32_t flags) { return (pa(target) >> 12) << 10 | flags; }
static uint32_t satp_of(const uint32_t *root, uint32_t asid) { return 0x80000000u | asid << 22 | pa(root) >> 12; }

static volatile uint32_t g_val;
static volatile uint32_t super_probe = 0x5afe5afe;

/* ---- code run in S- or U-mode (no printing there) ---- */
__attribute__((noinline)) static uint32_t load(uint32_t va) { return *(volatile uint32_t *)(uintptr_t)va; }
__attribute__((noinline)) static uint32_t store(uint32_t va) { *(volatile uint32_t *)(uintptr_t)va = g_val; return 0; }
__attribute__((noinline)) static uint32_t call(uint32_t va) { return ((uint32_t (*)(uint32_t))(uintptr_t)va)(5); }
__attribute__((noinline)) static uint32_t fence_va_then_load(uint32_t va) {
  __asm__ volatile("sfence.vma %0, zero" :: "r"(va) : "memory");
  return load(va);
}
__attribute__((noinline)) static uint32_t load_with_mxr(uint32_t va) {
  __asm__ volatile("csrs sstatus, %0" :: "r"(MSTATUS_MXR) : "memory");
  uint32_t v = load(va);
  __asm__ volatile("csrc sstatus, %0" :: "r"(MSTATUS_MXR) : "memory");
  return v;
}
__attribute__((noinline)) static uint32_t load_with_sum(uint32_t va) {
  __asm__ volatile("csrs sstatus, %0" :: "r"(MSTATUS_SUM) : "memory");
  uint32_t v = load(va);
  __asm__ volatile("csrc sstatus, %0" :: "r"(MSTATUS_SUM) : "memory");
  return v;
}
__attribute__((noinline)) static uint32_t call_with_sum(uint32_t va) {
  __asm__ volatile("csrs sstatus, %0" :: "r"(MSTATUS_SUM) : "memory");
  uint32_t v = call(va);
  __asm__ volatile("csrc sstatus, %0" :: "r"(MSTATUS_SUM) : "memory");
  return v;
}

/* Switches satp between the two address spaces (ASID 1 and 2) and reads
 * VA(0) in each: no sfence is needed, the ASIDs tell the mappings apart. */
static volatile uint32_t g_satp_a, g_satp_b, g_seen[4];
__attribute__((noinline)) static uint32_t asid_switch(uint32_t va) {
  uint32_t a = g_satp_a, b = g_satp_b;
  __asm__ volatile("csrw satp, %0" :: "r"(b) : "memory");
  g_seen[0] = load(va);
  __asm__ volatile("csrw satp, %0" :: "r"(a) : "memory");
  g_seen[1] = load(va);
  __asm__ volatile("csrw satp, %0" :: "r"(b) : "memory");
  g_seen[2] = load(va);
  __asm__ volatile("csrw satp, %0" :: "r"(a) : "memory");
  g_seen[3] = load(va);
  return 0;
}
__attribute__((noinline)) static uint32_t fence_asid_then_switch(uint32_t asid) {
  __asm__ volatile("sfence.vma zero, %0" :: "r"(asid) : "memory");
  return asid_switch(VA(0));
}
__attribute__((noinline)) static uint32_t fence_va_asid_then_load(uint32_t va) {
  __asm__ volatile("sfence.vma %0, %1" :: "r"(va), "r"(1) : "memory");
  return load(va);
}

/* ---- M-mode helpers ---- */
static void fault(const char *what, uint32_t cause, uint32_t tval) {
  printf("-- %s\n", what);
  check("  one trap to M", m_trap.count, 1);
  check("  mcause", m_trap.cause, cause);
  check("  mtval", m_trap.tval, tval);
}

static uint32_t in_s(uint32_t (*fn)(uint32_t), uint32_t arg) {
  trap_reset();
  expect_trap();
  return run_in_mode(PRV_S, fn, arg);
}

static uint32_t in_u(uint32_t (*fn)(uint32_t), uint32_t arg) {
  trap_reset();
  expect_trap();
  return run_in_mode(PRV_U, fn, arg);
}

static void no_fault(const char *what, uint32_t got, uint32_t want) {
  check(what, got, want);
  if (m_trap.count != 0 || s_trap.count != 0)
    printf("     (unexpected trap: cause 0x%x tval 0x%x)\n", m_trap.count ? m_trap.cause : s_trap.cause,
           m_trap.count ? m_trap.tval : s_trap.tval);
}

static void ad_bits(const char *what, uint32_t entry, uint32_t want) {
  printf("     %s: A=%u D=%u\n", what, (entry >> 6) & 1, (entry >> 7) & 1);
  check(what, entry & PTE_AD, want);
}

static void build_tables(void) {
  /* Code for the executable pages: addi a0, a0, 1; ret. */
  for (int p = 2; p <= 5; p += 3) {
    pages[p][0] = 0x00150513;
    pages[p][1] = 0x00008067;
  }
  for (int p = 0; p < 7; p++)
    if (p != 2 && p != 5) pages[p][0] = 0xa0a00000u + (uint32_t)p * 0x1111u;
  fence_i();

  uint32_t kernel = (0x80000000u >> 12) << 10 | PTE_V | PTE_R | PTE_W | PTE_X | PTE_AD;
  root_s[0x200] = kernel;
  root_s[1] = pte(l0_s, PTE_V);
  root_s[VA_SUPER >> 22] = (0x80000000u >> 12) << 10 | PTE_V | PTE_R | PTE_W | PTE_AD;
  root_s[VA_SUPER_MISALIGNED >> 22] = ((0x80000000u >> 12) + 1) << 10 | PTE_V | PTE_R | PTE_W | PTE_AD;
  root_s[VA_NONLEAF_L0 >> 22] = pte(l0_x, PTE_V);
  l0_x[0] = pte(pages[1], PTE_V);                            /* non-leaf at level 0 */
  l0_s[0] = pte(pages[0], PTE_V | PTE_R | PTE_W | PTE_AD);
  l0_s[1] = pte(pages[0], PTE_V | PTE_R | PTE_A);           /* read-only alias */
  l0_s[2] = pte(pages[2], PTE_V | PTE_X | PTE_A);           /* execute-only */
  l0_s[3] = pte(pages[3], PTE_V | PTE_R | PTE_W);           /* A = D = 0 */
  l0_s[4] = pte(pages[4], PTE_V | PTE_R | PTE_W | PTE_U | PTE_AD);
  l0_s[5] = 0;                                               /* invalid */
  l0_s[6] = pte(pages[1], PTE_V | PTE_W | PTE_AD);           /* reserved: W without R */
  l0_s[7] = pte(pages[5], PTE_V | PTE_R | PTE_X | PTE_U | PTE_A);
  l0_s[8] = pte(pages[5], PTE_V | PTE_R | PTE_X);           /* A = 0, fetched */
  l0_s[9] = pte(pages[3], PTE_V | PTE_R | PTE_W);           /* A = D = 0, stored first */

  for (int i = 0; i < 1024; i++) root_b[i] = root_s[i];
  root_b[1] = pte(l0_b, PTE_V);
  l0_b[0] = pte(pages[1], PTE_V | PTE_R | PTE_W | PTE_AD);

  root_u[0x200] = kernel | PTE_U;
  root_u[1] = pte(l0_u, PTE_V);
  l0_u[0] = pte(pages[0], PTE_V | PTE_R | PTE_W | PTE_U | PTE_AD);
  l0_u[1] = pte(pages[0], PTE_V | PTE_R | PTE_W | PTE_AD);   /* no U */
  l0_u[2] = pte(pages[4], PTE_V | PTE_R | PTE_W | PTE_U);   /* A = D = 0 */
  l0_u[3] = pte(pages[2], PTE_V | PTE_X | PTE_A);           /* supervisor code */
  l0_u[4] = pte(pages[5], PTE_V | PTE_X | PTE_U | PTE_A);   /* user code */
}

static void s_mode_basics(void) {
  csr_write(satp, satp_of(root_s, 1));
  sfence_vma_all();
  no_fault("S reads a 4 KiB page", in_s(load, VA(0)), pages[0][0]);
  g_val = 0x2222;
  in_s(store, VA(0) + 4);
  no_fault("S writes a 4 KiB page", pages[0][1], 0x2222);
  no_fault("S reads a read-only alias of it", in_s(load, VA(1) + 4), 0x2222);
  in_s(store, VA(1) + 8);
  fault("S writes the read-only alias", 15, VA(1) + 8);
  no_fault("S reads through a 4 MiB superpage", in_s(load, VA_SUPER + (pa((const void *)&super_probe) - 0x80000000u)), 0x5afe5afe);
  in_s(load, VA_SUPER_MISALIGNED + 0x10);
  fault("S reads a misaligned superpage (PPN[0] != 0)", 13, VA_SUPER_MISALIGNED + 0x10);
  in_s(load, VA(5) + 8);
  fault("S reads an invalid PTE", 13, VA(5) + 8);
  in_s(store, VA(5) + 12);
  fault("S writes an invalid PTE", 15, VA(5) + 12);
  in_s(call, VA(5));
  fault("S jumps to an invalid PTE", 12, VA(5));
  check("  mepc = the target", m_trap.epc, VA(5));
  in_s(load, VA_NONLEAF_L0);
  fault("S reads through a non-leaf PTE at level 0", 13, VA_NONLEAF_L0);
  in_s(load, VA(6));
  fault("S reads a W-without-R PTE (reserved)", 13, VA(6));
  in_s(store, VA(6));
  fault("S writes a W-without-R PTE (reserved)", 15, VA(6));
  no_fault("S calls code on an execute-only page", in_s(call, VA(2)), 6);
  in_s(load, VA(2));
  fault("S reads an execute-only page (MXR = 0)", 13, VA(2));
  no_fault("S reads an execute-only page with MXR = 1", in_s(load_with_mxr, VA(2)), 0x00150513);
  in_s(call, VA(0));
  fault("S jumps to a page without X", 12, VA(0));
}

static void s_mode_user_pages(void) {
  pages[4][0] = 0x44444444;
  in_s(load, VA(4));
  fault("S reads a U page with SUM = 0", 13, VA(4));
  no_fault("S reads a U page with SUM = 1", in_s(load_with_sum, VA(4)), 0x44444444);
  in_s(call_with_sum, VA(7));
  fault("S jumps to a U page (even with SUM = 1)", 12, VA(7));
}

static void accessed_dirty(void) {
  printf("-- accessed / dirty bits set by the walker\n");
  ad_bits("PTE before any access", l0_s[3], 0);
  no_fault("S reads the A = 0 page (no fault)", in_s(load, VA(3)), pages[3][0]);
  ad_bits("after a load", l0_s[3], PTE_A);
  g_val = 0x3333;
  in_s(store, VA(3) + 4);
  no_fault("S writes it (no fault)", pages[3][1], 0x3333);
  ad_bits("after a store", l0_s[3], PTE_AD);
  in_s(store, VA(9) + 8);
  ad_bits("store first to an A = D = 0 page", l0_s[9], PTE_AD);
  no_fault("S calls code on an A = 0 page", in_s(call, VA(8)), 6);
  ad_bits("after a fetch", l0_s[8], PTE_A);
}

static void fences_and_asids(void) {
  printf("-- sfence.vma\n");
  no_fault("VA(0) maps P0", in_s(load, VA(0)), pages[0][0]);
  l0_s[0] = pte(pages[6], PTE_V | PTE_R | PTE_W | PTE_AD);
  no_fault("after remap + sfence.vma VA, x0: P6", in_s(fence_va_then_load, VA(0)), pages[6][0]);
  l0_s[0] = pte(pages[0], PTE_V | PTE_R | PTE_W | PTE_AD);
  no_fault("after remap + sfence.vma VA, ASID 1: P0", in_s(fence_va_asid_then_load, VA(0)), pages[0][0]);

  printf("-- two address spaces: ASID 1 maps VA(0) to P0, ASID 2 to P1\n");
  g_satp_a = satp_of(root_s, 1);
  g_satp_b = satp_of(root_b, 2);
  sfence_vma_all();
  in_s(asid_switch, VA(0));
  check("  ASID 2 sees P1", g_seen[0], pages[1][0]);
  check("  ASID 1 sees P0", g_seen[1], pages[0][0]);
  check("  ASID 2 again", g_seen[2], pages[1][0]);
  check("  ASID 1 again", g_seen[3], pages[0][0]);
  check("  no trap", m_trap.count, 0);
  l0_b[0] = pte(pages[6], PTE_V | PTE_R | PTE_W | PTE_AD);
  in_s(fence_asid_then_switch, 2);
  check("  after remapping ASID 2 + sfence.vma x0, 2: ASID 2 sees P6", g_seen[0], pages[6][0]);
  check("  ASID 1 still sees P0", g_seen[1], pages[0][0]);
  csr_write(satp, satp_of(root_s, 1));

  printf("-- M-mode load through MPRV (MPP = S)\n");
  uint32_t v, mpp_s = PRV_S << 11;
  csr_clear(mstatus, MSTATUS_MPP);
  __asm__ volatile(
      "csrs mstatus, %2\n\t"
      "csrs mstatus, %3\n\t"
      "lw %0, 0(%1)\n\t"
      "csrc mstatus, %3"
      : "=&r"(v) : "r"(VA(0)), "r"(mpp_s), "r"(MSTATUS_MPRV) : "memory");
  csr_clear(mstatus, MSTATUS_MPP);
  check("  lw VA(0) with MPRV = 1 reads P0", v, pages[0][0]);
}

static void user_mode(void) {
  csr_write(satp, satp_of(root_u, 3));
  sfence_vma_all();
  no_fault("U reads a U page", in_u(load, VA(0)), pages[0][0]);
  in_u(load, VA(1));
  fault("U reads a page without U", 13, VA(1));
  check("  from U", m_trap.from, PRV_U);
  in_u(store, VA(1) + 4);
  fault("U writes a page without U", 15, VA(1) + 4);
  in_u(call, VA(3));
  fault("U jumps to a page without U", 12, VA(3));
  no_fault("U calls code on a U page", in_u(call, VA(4)), 6);
  g_val = 0x5555;
  in_u(store, VA(2));
  no_fault("U writes an A = D = 0 U page (no fault)", pages[4][0], 0x5555);
  ad_bits("its PTE", l0_u[2], PTE_AD);
}

/* Page faults delegated to S: the S handler (on the identity superpage)
 * records scause / stval / sepc. */
static void delegated(void) {
  csr_write(satp, satp_of(root_s, 1));
  sfence_vma_all();
  s_trap_install();
  csr_write(medeleg, (1u << 12) | (1u << 13) | (1u << 15));
  printf("-- page faults delegated to S\n");
  in_s(load, VA(5) + 0x10);
  check("  load: to S", s_trap.count - m_trap.count, 1);
  check("  scause", s_trap.cause, 13);
  check("  stval", s_trap.tval, VA(5) + 0x10);
  in_s(store, VA(1) + 0x20);
  check("  store: scause", s_trap.cause, 15);
  check("  stval", s_trap.tval, VA(1) + 0x20);
  in_s(call, VA(5) + 0x40);
  check("  fetch: scause", s_trap.cause, 12);
  check("  stval", s_trap.tval, VA(5) + 0x40);
  check("  sepc", s_trap.epc, VA(5) + 0x40);
  check("  SPP = S", s_trap.from, 1);
  check("  nothing reached M", m_trap.count, 0);
  csr_write(medeleg, 0);
}

int main(void) {
  printf("== sv32 ==\n");
  build_tables();
  s_mode_basics();
  s_mode_user_pages();
  accessed_dirty();
  fences_and_asids();
  user_mode();
  delegated();
  csr_write(satp, 0);
  sfence_vma_all();
  return report("sv32");
}
