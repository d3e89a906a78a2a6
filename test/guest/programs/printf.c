/* printf.c — the runtime itself: boot protocol (a0 = mhartid at entry), the
 * UART output path and every printf conversion the corpus relies on. */
#include "guest.h"

static char bss_probe[64];
static volatile int data_probe = 0x1234;

int main(void) {
  printf("== printf ==\n");
  check("a0 at entry (mhartid)", entry_a0, csr_read(mhartid));
  check("a0 at entry", entry_a0, 0);
  uint32_t nonzero = 0;
  for (unsigned i = 0; i < sizeof bss_probe; i++) nonzero |= (uint8_t)bss_probe[i];
  check(".bss cleared", nonzero, 0);
  check(".data loaded", (uint32_t)data_probe, 0x1234);
  check("_start at 0x80000000", (uint32_t)(uintptr_t)&main >= 0x80000000u, 1);

  printf("%%d: [%d] [%d] [%d] [%d] [%d]\n", 0, 42, -42, 2147483647, (int32_t)0x80000000);
  printf("%%u: [%u] [%u]\n", 0u, 4294967295u);
  printf("%%x: [%x] [%x] [%08x] [%8x]\n", 0u, 0xdeadbeefu, 0xabcu, 0xabcu);
  printf("%%s: [%s] [%5s] [%-5s] [%s]\n", "str", "ab", "ab", "");
  printf("%%c: [%c%c%c] %%%% [%%]\n", 'x', 'y', 'z');
  printf("%%d width: [%5d] [%-5d] [%05d]\n", -12, 34, 56);
  puts("puts adds a newline");
  return report("printf");
}
