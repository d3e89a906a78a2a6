/* bench.h — the bench programs' tiny runtime (crt0.S, bench.c). */
#ifndef BENCH_H
#define BENCH_H
#include <stdint.h>

void print(const char *s);
void print_hex(uint32_t v);
void print_dec(uint32_t v);
/* Prints "instret: N" — only in builds made with -DREPORT_INSTRET, to
 * measure a program's length under QEMU -icount shift=0. */
void report_instret(void);
#endif
