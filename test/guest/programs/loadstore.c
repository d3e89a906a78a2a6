/* loadstore.c — RV32I loads and stores: every width and signedness (lb, lbu,
 * lh, lhu, lw, sb, sh, sw), little-endian byte order, sign extension from
 * bit 7 / bit 15, negative and maximal offsets, stores that touch only their
 * own bytes, and loads into x0. (Misaligned accesses are in traps.c.) */
#include "guest.h"

static uint8_t mem[64] __attribute__((aligned(16)));

#define LOAD(op, base, off) ({ uint32_t r_; __asm__ volatile(op " %0, %2(%1)" : "=r"(r_) : "r"(base), "i"(off) : "memory"); r_; })
#define STORE(op, val, base, off) __asm__ volatile(op " %0, %2(%1)" :: "r"((uint32_t)(val)), "r"(base), "i"(off) : "memory")

static uint32_t word_at(unsigned off) {
  return mem[off] | (uint32_t)mem[off + 1] << 8 | (uint32_t)mem[off + 2] << 16 | (uint32_t)mem[off + 3] << 24;
}

int main(void) {
  printf("== loadstore ==\n");
  for (unsigned i = 0; i < sizeof mem; i++) mem[i] = (uint8_t)(0x80 + i * 0x11);
  uint8_t *p = mem;
  /* mem[0..7] = 80 91 a2 b3 c4 d5 e6 f7 */
  check("lb 0x80 sign-extends", LOAD("lb", p, 0), 0xffffff80);
  check("lbu 0x80 zero-extends", LOAD("lbu", p, 0), 0x80);
  check("lb 0x91 at +1", LOAD("lb", p, 1), 0xffffff91);
  mem[8] = 0x7f;
  check("lb 0x7f stays positive", LOAD("lb", p, 8), 0x7f);
  check("lh little-endian, sign-extends", LOAD("lh", p, 0), 0xffff9180);
  check("lhu zero-extends", LOAD("lhu", p, 0), 0x9180);
  check("lh at +2", LOAD("lh", p, 2), 0xffffb3a2);
  mem[10] = 0xff; mem[11] = 0x7f;
  check("lh 0x7fff stays positive", LOAD("lh", p, 10), 0x7fff);
  check("lw little-endian", LOAD("lw", p, 0), 0xb3a29180);
  check("lw at +4", LOAD("lw", p, 4), 0xf7e6d5c4);
  uint8_t *q = mem + 32;
  check("lw negative offset -32", LOAD("lw", q, -32), 0xb3a29180);
  check("lbu negative offset -1", LOAD("lbu", q, -1), mem[31]);

  memset(mem, 0xee, sizeof mem);
  STORE("sb", 0x12345678, p, 16);
  check("sb writes one byte", word_at(16), 0xeeeeee78);
  STORE("sb", 0xab, p, 19);
  check("sb at +3", word_at(16), 0xabeeee78);
  STORE("sh", 0xcafef00d, p, 20);
  check("sh writes two bytes", word_at(20), 0xeeeef00d);
  STORE("sh", 0xbeef, p, 22);
  check("sh at +2", word_at(20), 0xbeeff00d);
  STORE("sw", 0x01020304, p, 24);
  check("sw writes four bytes, LSB first", mem[24] | mem[25] << 8 | mem[26] << 16 | mem[27] << 24, 0x01020304);
  check("sw leaves its neighbours", word_at(28), 0xeeeeeeee);
  STORE("sw", 0x55aa55aa, q, -4);
  check("sw negative offset", word_at(28), 0x55aa55aa);
  STORE("sw", 0xdeadbeef, p, 0);
  check("lb of a stored word, byte 3", LOAD("lb", p, 3), 0xffffffde);
  check("lhu of a stored word, half 1", LOAD("lhu", p, 2), 0xdead);

  /* 12-bit offsets at both ends. */
  uintptr_t mid = (uintptr_t)mem + 2048;
  __asm__ volatile("sw %0, -2048(%1)" :: "r"(0x600d600d), "r"(mid) : "memory");
  check("sw -2048(base)", word_at(0), 0x600d600d);
  uintptr_t low = (uintptr_t)mem + 40 - 2047;
  __asm__ volatile("sb %0, 2047(%1)" :: "r"(0x5a), "r"(low) : "memory");
  check("sb 2047(base)", mem[40], 0x5a);

  uint32_t z;
  __asm__ volatile("lw x0, 0(%1)\n\tmv %0, x0" : "=r"(z) : "r"(p) : "memory");
  check("load into x0 is discarded", z, 0);
  /* A load whose destination is its own base register. */
  uint32_t b = (uint32_t)(uintptr_t)p;
  __asm__ volatile("lw %0, 0(%0)" : "+r"(b) :: "memory");
  check("lw rd = rs1", b, 0x600d600d);
  return report("loadstore");
}
