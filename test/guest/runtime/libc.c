/* libc.c — the guest corpus's tiny libc: polled 16550A output, printf with
 * %d %u %x %s %c (width, '0' and '-' flags), mem* and the self-check helpers. */
#include "guest.h"

#define UART_THR 0
#define UART_LSR 5
#define LSR_THRE 0x20

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

static void pad(int n, char c) {
  while (n-- > 0) uart_putc(c);
}

static void emit(const char *s, int len, int width, int left, char padc) {
  if (!left) pad(width - len, padc);
  for (int i = 0; i < len; i++) uart_putc(s[i]);
  if (left) pad(width - len, ' ');
}

int vprintf(const char *fmt, va_list ap) {
  char buf[16];
  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      uart_putc(*fmt);
      continue;
    }
    fmt++;
    int left = 0;
    char padc = ' ';
    for (;; fmt++) {
      if (*fmt == '-') left = 1;
      else if (*fmt == '0') padc = '0';
      else break;
    }
    int width = 0;
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    int len = 0;
    switch (*fmt) {
      case 'd': {
        int32_t v = va_arg(ap, int32_t);
        uint32_t u = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
        do { buf[sizeof buf - 1 - len++] = (char)('0' + u % 10); u /= 10; } while (u);
        if (v < 0) buf[sizeof buf - 1 - len++] = '-';
        emit(buf + sizeof buf - len, len, width, left, padc);
        break;
      }
      case 'u': {
        uint32_t u = va_arg(ap, uint32_t);
        do { buf[sizeof buf - 1 - len++] = (char)('0' + u % 10); u /= 10; } while (u);
        emit(buf + sizeof buf - len, len, width, left, padc);
        break;
      }
      case 'x': {
        uint32_t u = va_arg(ap, uint32_t);
        do { buf[sizeof buf - 1 - len++] = "0123456789abcdef"[u & 15]; u >>= 4; } while (u);
        emit(buf + sizeof buf - len, len, width, left, padc);
        break;
      }
      case 's': {
        const char *s = va_arg(ap, const char *);
        if (!s) s = "(null)";
        emit(s, (int)strlen(s), width, left, ' ');
        break;
      }
      case 'c': {
        char c = (char)va_arg(ap, int);
        emit(&c, 1, width, left, ' ');
        break;
      }
      case '%':
        uart_putc('%');
        break;
      case 0:
        return 0;
      default:
        uart_putc('%');
        uart_putc(*fmt);
    }
  }
  return 0;
}

int printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
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

void *memmove(void *d, const void *s, __SIZE_TYPE__ n) {
  uint8_t *p = d;
  const uint8_t *q = s;
  if (p < q) {
    while (n--) *p++ = *q++;
  } else {
    while (n--) p[n] = q[n];
  }
  return d;
}

int memcmp(const void *a, const void *b, __SIZE_TYPE__ n) {
  const uint8_t *p = a, *q = b;
  for (; n; n--, p++, q++)
    if (*p != *q) return *p - *q;
  return 0;
}

__SIZE_TYPE__ strlen(const char *s) {
  __SIZE_TYPE__ n = 0;
  while (s[n]) n++;
  return n;
}

int strcmp(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return (uint8_t)*a - (uint8_t)*b;
}

static uint32_t checks, failures;

void check(const char *what, uint32_t got, uint32_t want) {
  checks++;
  if (got == want) {
    printf("ok   %s = 0x%08x\n", what, got);
  } else {
    failures++;
    printf("FAIL %s = 0x%08x (want 0x%08x)\n", what, got, want);
  }
}

void check_true(const char *what, int cond) {
  checks++;
  if (cond) {
    printf("ok   %s\n", what);
  } else {
    failures++;
    printf("FAIL %s\n", what);
  }
}

int report(const char *name) {
  if (failures == 0) {
    printf("PASS %s (%u checks)\n", name, checks);
    return 0;
  }
  printf("FAIL %s: %u of %u checks failed\n", name, failures, checks);
  return 1;
}
