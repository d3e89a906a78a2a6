/* selfmod.c — self-modifying code with fence.i: code written into RAM with
 * word and byte stores, made visible by fence.i, patched while it is "hot"
 * (after being run many times, so a decode cache or a JIT has seen it), code
 * sharing its page with data that is written constantly, and code copied
 * with memcpy to another place. Never runs modified code without fence.i. */
#include "guest.h"

static uint32_t code[64] __attribute__((aligned(4096)));
static volatile uint32_t neighbour[64];
static uint32_t copy[16] __attribute__((aligned(64)));

typedef uint32_t (*fn_t)(uint32_t);

/* addi a0, a0, imm */
static uint32_t addi_a0(int32_t imm) { return ((uint32_t)imm & 0xfff) << 20 | 10 << 15 | 10 << 7 | 0x13; }
#define RET 0x00008067u

int main(void) {
  printf("== selfmod ==\n");
  fn_t f = (fn_t)(uintptr_t)code;
  code[0] = addi_a0(1);
  code[1] = RET;
  fence_i();
  check("generated addi a0, a0, 1; ret", f(10), 11);

  code[0] = addi_a0(100);
  fence_i();
  check("patched to addi 100", f(10), 110);

  uint32_t sum = 0;
  for (int i = 0; i < 2000; i++) sum += f((uint32_t)i);
  check("hot loop of 2000 calls", sum, 2000u * 1999u / 2u + 2000u * 100u);
  code[0] = addi_a0(-7);
  fence_i();
  check("patched while hot to addi -7", f(10), 3);

  /* Byte stores: change only the immediate's top byte (imm 0x7f0 -> 0x0f0). */
  code[0] = addi_a0(0x7f0);
  fence_i();
  check("addi 0x7f0", f(0), 0x7f0);
  ((volatile uint8_t *)code)[3] = 0x0f;
  fence_i();
  check("one byte patched: addi 0x0f0", f(0), 0x0f0);

  /* A loop body that rewrites its successor's code each round. */
  code[0] = addi_a0(0);
  fence_i();
  sum = 0;
  for (int i = 1; i <= 20; i++) {
    code[0] = addi_a0(i);
    neighbour[i] = (uint32_t)i;   /* data written in the same .bss */
    fence_i();
    sum += f(0);
  }
  check("20 rounds of patch + fence.i + call", sum, 210);

  /* Code placed next to data on one page, data written between calls. */
  code[8] = addi_a0(3);
  code[9] = RET;
  fence_i();
  fn_t g = (fn_t)(uintptr_t)&code[8];
  sum = 0;
  for (int i = 0; i < 100; i++) {
    code[32 + (i & 15)] = (uint32_t)i;   /* data stores on the code's page */
    sum += g(0);
  }
  check("code page shared with data", sum, 300);

  memcpy(copy, code, 8);
  fence_i();
  check("memcpy'd code runs", ((fn_t)(uintptr_t)copy)(1), 1 + 20);
  (void)neighbour;
  return report("selfmod");
}
