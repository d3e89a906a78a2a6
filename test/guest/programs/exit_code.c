/* exit_code.c — the finisher's failure path: main returns 42, crt0 writes
 * (42 << 16) | 0x3333 to 0x0010_0000, and QEMU (like `hyperstep run`) exits
 * with status 42. */
#include "guest.h"

int main(void) {
  printf("== exit_code ==\n");
  check("finisher at 0x00100000 is writable only (not read here)", 1, 1);
  printf("PASS exit_code (exiting with 42)\n");
  return 42;
}
