/* bench.c — UART output for the bench programs. */
#include "bench.h"

#define UART ((volatile uint8_t *)0x10000000)

static void putc_(char c) {
  while (!(UART[5] & 0x20)) {
  }
  UART[0] = (uint8_t)c;
}

void print(const char *s) {
  while (*s) putc_(*s++);
}

void print_hex(uint32_t v) {
  print("0x");
  for (int s = 28; s >= 0; s -= 4) putc_("0123456789abcdef"[(v >> s) & 15]);
}

void print_dec(uint32_t v) {
  char buf[12];
  int n = 0;
  do { buf[n++] = (char)('0' + v % 10); v /= 10; } while (v);
  while (n) putc_(buf[--n]);
}

void report_instret(void) {
#ifdef REPORT_INSTRET
  uint32_t hi, lo, hi2;
  do {
    __asm__ volatile("csrr %0, minstreth" : "=r"(hi));
    __asm__ volatile("csrr %0, minstret" : "=r"(lo));
    __asm__ volatile("csrr %0, minstreth" : "=r"(hi2));
  } while (hi != hi2);
  print("instret: ");
  print_hex(hi);
  print(" ");
  print_hex(lo);
  print("\n");
#endif
}
