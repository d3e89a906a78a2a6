/* matmul.c — 128 x 128 integer matrix multiply (int32, wrapping), 10 times,
 * each product fed back as the next left operand. mul-heavy inner loop with
 * a strided column walk. Prints a checksum of the final matrix. */
#include "bench.h"

#define N 128
#define ROUNDS 10

static int32_t A[N][N], B[N][N], C[N][N];

int main(void) {
  uint32_t x = 123456789u;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      x = x * 1664525u + 1013904223u;
      A[i][j] = (int32_t)(x >> 24) - 128;
      x = x * 1664525u + 1013904223u;
      B[i][j] = (int32_t)(x >> 24) - 128;
    }
  for (int r = 0; r < ROUNDS; r++) {
    for (int i = 0; i < N; i++)
      for (int j = 0; j < N; j++) {
        int32_t s = 0;
        for (int k = 0; k < N; k++) s += A[i][k] * B[k][j];
        C[i][j] = s;
      }
    for (int i = 0; i < N; i++)
      for (int j = 0; j < N; j++) A[i][j] = C[i][j] >> 7;
  }
  uint32_t sum = 0;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) sum = sum * 33u + (uint32_t)C[i][j];
  print("matmul: ");
  print_dec(ROUNDS);
  print(" x 128x128 int32 products, checksum ");
  print_hex(sum);
  print("\n");
  report_instret();
  return 0;
}
