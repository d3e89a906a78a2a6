/* crc32.c — table-driven CRC-32 (IEEE 802.3, reflected, poly 0xedb88320)
 * over a 64 KiB pseudo-random buffer, 200 times, each pass chained to the
 * previous CRC. Byte loads, table lookups, shifts and xors in a tight loop. */
#include "bench.h"

#define SIZE (64 * 1024)
#define PASSES 200

static uint8_t buf[SIZE];
static uint32_t table[256];

int main(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
    table[i] = c;
  }
  uint32_t x = 2463534242u;
  for (uint32_t i = 0; i < SIZE; i++) {
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    buf[i] = (uint8_t)x;
  }
  uint32_t crc = 0;
  for (int pass = 0; pass < PASSES; pass++) {
    uint32_t c = ~crc;
    for (uint32_t i = 0; i < SIZE; i++) c = table[(c ^ buf[i]) & 0xff] ^ (c >> 8);
    crc = ~c;
  }
  print("crc32: ");
  print_dec(PASSES);
  print(" passes over 64 KiB, crc ");
  print_hex(crc);
  print("\n");
  report_instret();
  return 0;
}
