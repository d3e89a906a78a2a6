/* memwalk.c — a strided read-modify-write walk over a 16 MiB buffer (4096
 * pages of 4 KiB): the stride (4 KiB + 68 bytes) crosses a page on almost
 * every access, so TLB and second-stage translation are exercised, not only
 * the ALU. Prints a checksum. Fits in 64 MiB of RAM. */
#include "bench.h"

#define WORDS (16u * 1024u * 1024u / 4u)
#define STRIDE ((4096u + 68u) / 4u)
#define STEPS 12000000u

static uint32_t buf[WORDS];

int main(void) {
  for (uint32_t i = 0; i < WORDS; i += 1024) buf[i] = i;
  uint32_t idx = 0, sum = 0;
  for (uint32_t s = 0; s < STEPS; s++) {
    idx += STRIDE;
    if (idx >= WORDS) idx -= WORDS;
    uint32_t v = buf[idx] + s;
    buf[idx] = v;
    sum += v;
  }
  print("memwalk: ");
  print_dec(STEPS);
  print(" strided steps over 16 MiB, checksum ");
  print_hex(sum);
  print("\n");
  report_instret();
  return 0;
}
