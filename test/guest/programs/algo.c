/* algo.c — ordinary compiled C, the code a compiler really emits at -O2:
 * recursion, function pointers (an insertion sort with a comparator),
 * switch jump tables, struct copies (memcpy), 64-bit arithmetic done in
 * 32-bit registers (add/sub/shift/multiply; no division, which would need
 * libgcc), strings, and CRC-32 of "123456789" (check value 0xcbf43926). */
#include "guest.h"

struct point { int32_t x, y; uint8_t tag; char name[11]; };

static uint32_t crc32(const uint8_t *p, uint32_t n) {
  uint32_t c = 0xffffffffu;
  while (n--) {
    c ^= *p++;
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
  }
  return ~c;
}

static int cmp_desc(const void *a, const void *b) { return *(const int32_t *)b - *(const int32_t *)a; }
static int cmp_asc(const void *a, const void *b) { return *(const int32_t *)a - *(const int32_t *)b; }

static void sort(int32_t *v, int n, int (*cmp)(const void *, const void *)) {
  for (int i = 1; i < n; i++) {
    int32_t x = v[i];
    int j = i - 1;
    while (j >= 0 && cmp(&v[j], &x) > 0) { v[j + 1] = v[j]; j--; }
    v[j + 1] = x;
  }
}

__attribute__((noinline)) static uint32_t ackermann(uint32_t m, uint32_t n) {
  if (m == 0) return n + 1;
  if (n == 0) return ackermann(m - 1, 1);
  return ackermann(m - 1, ackermann(m, n - 1));
}

__attribute__((noinline)) static int classify(int op, int a, int b) {
  switch (op) {
    case 0: return a + b;
    case 1: return a - b;
    case 2: return a * b;
    case 3: return a & b;
    case 4: return a | b;
    case 5: return a ^ b;
    case 6: return a << (b & 31);
    case 7: return a >> (b & 31);
    case 8: return a < b;
    default: return -1;
  }
}

int main(void) {
  printf("== algo ==\n");
  check("crc32(\"123456789\")", crc32((const uint8_t *)"123456789", 9), 0xcbf43926);

  int32_t v[32];
  uint32_t seed = 12345;
  for (int i = 0; i < 32; i++) { seed = seed * 1103515245u + 12345u; v[i] = (int32_t)(seed >> 8) % 1000 - 500; }
  sort(v, 32, cmp_asc);
  int ordered = 1;
  for (int i = 1; i < 32; i++) ordered &= v[i - 1] <= v[i];
  check("insertion sort ascending (comparator pointer)", ordered, 1);
  printf("   smallest %d, largest %d\n", v[0], v[31]);
  sort(v, 32, cmp_desc);
  ordered = 1;
  for (int i = 1; i < 32; i++) ordered &= v[i - 1] >= v[i];
  check("sorted descending", ordered, 1);
  check("crc32 of the sorted array", crc32((const uint8_t *)v, sizeof v), crc32((const uint8_t *)v, sizeof v));
  printf("   crc32 of the sorted array: 0x%08x\n", crc32((const uint8_t *)v, sizeof v));

  check("ackermann(2, 3)", ackermann(2, 3), 9);
  int acc = 0;
  for (int op = 0; op < 10; op++) acc = acc * 31 + classify(op, 1000 + op, 7 - op);
  printf("   switch-table accumulator: %d\n", acc);
  check("switch table", (uint32_t)classify(2, -6, 7), (uint32_t)-42);

  struct point a = { 3, -4, 9, "origin" }, b;
  b = a;
  b.x += 10;
  check("struct copy", (uint32_t)(b.x * 100 + b.y), 1300u - 4u);
  check("struct copy keeps the string", strcmp(b.name, "origin"), 0);

  uint64_t x = 0x123456789abcdef0ull, y = 0x0fedcba987654321ull;
  uint64_t s = x + y, d = x - y, m = (x >> 4) * 3u, sh = x << 12;
  check("u64 add hi", (uint32_t)(s >> 32), 0x22222222);
  check("u64 add lo", (uint32_t)s, 0x22222211);
  check("u64 sub hi", (uint32_t)(d >> 32), 0x02468acf);
  check("u64 sub lo", (uint32_t)d, 0x13579bcf);
  check("u64 mul lo", (uint32_t)m, (uint32_t)(0x89abcdefu * 3u));
  check("u64 mul hi", (uint32_t)(m >> 32), 0x0369d036);
  check("u64 shl hi", (uint32_t)(sh >> 32), 0x456789ab);
  int64_t neg = -(int64_t)x;
  check("s64 negate, arithmetic shift", (uint32_t)(neg >> 40), 0xffedcba9);
  return report("algo");
}
