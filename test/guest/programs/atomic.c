/* atomic.c — the A extension on one hart: every AMO (swap, add, and, or, xor,
 * min, max, minu, maxu) returns the old value and stores the new one, with
 * rd = x0 and with the aq/rl bits; lr/sc success, sc failure on a different
 * address, sc without a reservation (at start, and after a successful sc),
 * lr moving the reservation, and an lr/sc increment loop.
 * (Misaligned AMO and lr/sc are in traps.c.) */
#include "guest.h"

static volatile uint32_t cell[4] __attribute__((aligned(16)));

#define AMO(op, addr, val) ({ uint32_t r_; __asm__ volatile(op " %0, %2, (%1)" : "=r"(r_) : "r"(addr), "r"((uint32_t)(val)) : "memory"); r_; })

static void join(char *out, const char *a, const char *b) {
  while (*a) *out++ = *a++;
  while (*b) *out++ = *b++;
  *out = 0;
}

static void amo(const char *op_name, uint32_t old_r, uint32_t mem_after, uint32_t want_old, uint32_t want_mem) {
  char what[48];
  join(what, op_name, ": old value");
  check(what, old_r, want_old);
  join(what, op_name, ": memory");
  check(what, mem_after, want_mem);
}

#define AMO_CASE(op, init, val, want_mem) do { \
    cell[0] = (init); \
    uint32_t old_ = AMO(op, &cell[0], val); \
    amo(op, old_, cell[0], (init), (want_mem)); \
  } while (0)

static uint32_t lr(volatile uint32_t *a) {
  uint32_t v;
  __asm__ volatile("lr.w %0, (%1)" : "=r"(v) : "r"(a) : "memory");
  return v;
}

static uint32_t sc(volatile uint32_t *a, uint32_t v) {
  uint32_t r;
  __asm__ volatile("sc.w %0, %2, (%1)" : "=&r"(r) : "r"(a), "r"(v) : "memory");
  return r;
}

int main(void) {
  printf("== atomic ==\n");
  /* Before any lr: an sc has no reservation to use. */
  cell[1] = 0x11;
  check("sc.w without any lr fails (rd != 0)", sc(&cell[1], 0x22) != 0, 1);
  check("sc.w without any lr: rd", sc(&cell[1], 0x22), 1);
  check("  ... memory unchanged", cell[1], 0x11);

  AMO_CASE("amoswap.w", 5, 7, 7);
  AMO_CASE("amoadd.w", 0xffffffff, 2, 1);
  AMO_CASE("amoand.w", 0xff00ff00, 0x0ff00ff0, 0x0f000f00);
  AMO_CASE("amoor.w", 0xff00ff00, 0x0ff00ff0, 0xfff0fff0);
  AMO_CASE("amoxor.w", 0xff00ff00, 0x0ff00ff0, 0xf0f0f0f0);
  AMO_CASE("amomin.w", 0xffffffff, 1, 0xffffffff);
  AMO_CASE("amomin.w", 0x7fffffff, 0x80000000, 0x80000000);
  AMO_CASE("amomax.w", 0xffffffff, 1, 1);
  AMO_CASE("amomax.w", 0x80000000, 0x7fffffff, 0x7fffffff);
  AMO_CASE("amominu.w", 0xffffffff, 1, 1);
  AMO_CASE("amominu.w", 0x80000000, 0x7fffffff, 0x7fffffff);
  AMO_CASE("amomaxu.w", 0xffffffff, 1, 0xffffffff);
  AMO_CASE("amomaxu.w", 0x7fffffff, 0x80000000, 0x80000000);
  AMO_CASE("amoadd.w.aq", 40, 2, 42);
  AMO_CASE("amoswap.w.rl", 1, 2, 2);
  AMO_CASE("amoor.w.aqrl", 0x10, 0x01, 0x11);

  cell[0] = 100;
  __asm__ volatile("amoadd.w x0, %1, (%0)" :: "r"(&cell[0]), "r"(5) : "memory");
  check("amoadd.w rd = x0 still writes memory", cell[0], 105);
  uint32_t v = 3;
  cell[0] = 9;
  __asm__ volatile("amoswap.w %0, %0, (%1)" : "+r"(v) : "r"(&cell[0]) : "memory");
  check("amoswap.w rd = rs2: rd gets the old value", v, 9);
  check("  ... memory gets the old rs2", cell[0], 3);

  cell[0] = 1;
  check("lr.w reads the value", lr(&cell[0]), 1);
  check("sc.w after lr.w succeeds (rd = 0)", sc(&cell[0], 2), 0);
  check("  ... and stores", cell[0], 2);
  check("a second sc.w (reservation used up) fails", sc(&cell[0], 3), 1);
  check("  ... memory unchanged", cell[0], 2);

  cell[1] = 0xaa;
  lr(&cell[0]);
  check("sc.w to another address than lr.w fails", sc(&cell[1], 0xbb), 1);
  check("  ... memory unchanged", cell[1], 0xaa);

  lr(&cell[0]);
  lr(&cell[1]);
  check("lr.w moves the reservation: sc.w to the first fails", sc(&cell[0], 5), 1);
  lr(&cell[1]);
  check("sc.w to the latest lr.w succeeds", sc(&cell[1], 6), 0);
  check("  ... and stores", cell[1], 6);

  /* The canonical lr/sc retry loop. */
  cell[2] = 0;
  for (int i = 0; i < 100; i++) {
    uint32_t tmp, fail;
    __asm__ volatile(
        "1: lr.w.aq %0, (%2)\n\t"
        "addi %0, %0, 3\n\t"
        "sc.w.rl %1, %0, (%2)\n\t"
        "bnez %1, 1b"
        : "=&r"(tmp), "=&r"(fail) : "r"(&cell[2]) : "memory");
  }
  check("lr/sc loop: 100 x 3", cell[2], 300);
  return report("atomic");
}
