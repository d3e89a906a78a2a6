/* lib.c — the C examples' tiny libc: polled 16550A output, printf (%d %u %x %p %s %c, width and
 * the '0' and '-' flags), mem*, exit through the test finisher, and weak defaults for trap() and
 * secondary_main(). */
#include "hs.h"

#define UART_THR 0
#define UART_LSR 5
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

void uart_putc(char c) {
  while (!(MMIO8(UART_BASE + UART_LSR) & LSR_THRE)) {
  }
  MMIO8(UART_BASE + UART_THR) = (uint8_t)c;
}

int puts(const char *s) {
  while (*s) uart_putc(*s++);
  uart_putc('\n');
  return 0;
}

static void emit(const char *s, int len, int width, int left, char padc) {
  for (int n = width - len; !left && n > 0; n--) uart_putc(padc);
  for (int i = 0; i < len; i++) uart_putc(s[i]);
  for (int n = width - len; left && n > 0; n--) uart_putc(' ');
}

static int number(char *end, uint32_t u, unsigned base) {
  int len = 0;
  do { *--end = "0123456789abcdef"[u % base]; u /= base; len++; } while (u);
  return len;
}

static void vprintf_(const char *fmt, va_list ap) {
  char buf[16];
  char *end = buf + sizeof buf;
  for (; *fmt; fmt++) {
    if (*fmt != '%') { uart_putc(*fmt); continue; }
    fmt++;
    int left = 0, width = 0;
    char padc = ' ';
    for (;; fmt++) {
      if (*fmt == '-') left = 1;
      else if (*fmt == '0') padc = '0';
      else break;
    }
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    switch (*fmt) {
      case 'd': {
        int32_t v = va_arg(ap, int32_t);
        int len = number(end, v < 0 ? 0u - (uint32_t)v : (uint32_t)v, 10);
        if (v < 0) end[-++len] = '-';
        emit(end - len, len, width, left, padc);
        break;
      }
      case 'u': { int len = number(end, va_arg(ap, uint32_t), 10); emit(end - len, len, width, left, padc); break; }
      case 'p': uart_putc('0'); uart_putc('x'); /* fall through */
      case 'x': { int len = number(end, va_arg(ap, uint32_t), 16); emit(end - len, len, width, left, padc); break; }
      case 's': {
        const char *s = va_arg(ap, const char *);
        int len = 0;
        if (!s) s = "(null)";
        while (s[len]) len++;
        emit(s, len, width, left, ' ');
        break;
      }
      case 'c': { char c = (char)va_arg(ap, int); emit(&c, 1, width, left, ' '); break; }
      case 0: return;
      default: uart_putc(*fmt);
    }
  }
}

int printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vprintf_(fmt, ap);
  va_end(ap);
  return 0;
}

void *memset(void *d, int c, __SIZE_TYPE__ n) {
  uint8_t *p = d;
  while (n--) *p++ = (uint8_t)c;
  return d;
}

void *memcpy(void *d, const void *s, __SIZE_TYPE__ n) {
  uint8_t *p = d;
  const uint8_t *q = s;
  while (n--) *p++ = *q++;
  return d;
}

/* exit(0) powers off (0x5555); exit(n) exits with n ((n << 16) | 0x3333), as QEMU's sifive_test.
 * It waits for the UART's transmitter to be empty first (LSR.TEMT): THRE only says the holding
 * register took the last byte, which may still be on its way out. QEMU's 16550 keeps a byte its
 * stdio could not take at once and sends it later, and sifive_test ends QEMU at once on a failure
 * code: without the wait, one run in a hundred lost the last byte of the output (the test
 * programs' runtime, test/guest/runtime/crt0.S, waits the same way). */
void exit(int code) {
  while (!(MMIO8(UART_BASE + UART_LSR) & LSR_TEMT)) {
  }
  MMIO32(FINISHER_BASE) = code ? ((uint32_t)code << 16) | 0x3333 : 0x5555;
  for (;;) {
  }
}

__attribute__((weak)) void trap(struct trap_frame *tf) {
  printf("unexpected trap: mcause 0x%x mepc 0x%x mtval 0x%x\n", tf->cause, tf->epc, tf->tval);
  exit(99);
}

__attribute__((weak)) void secondary_main(uint32_t id) {
  (void)id;
  for (;;) wfi();
}
