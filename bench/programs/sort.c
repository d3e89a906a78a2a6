/* sort.c — quicksort (median of three, insertion sort below 16 elements) of
 * 100,000 pseudo-random ints, 7 rounds with fresh data; branchy code with
 * data-dependent control flow and recursion. Checks the order, prints a
 * position-weighted checksum. */
#include "bench.h"

#define N 100000
#define ROUNDS 7

static int32_t a[N];

static void insertion(int32_t *v, int n) {
  for (int i = 1; i < n; i++) {
    int32_t x = v[i];
    int j = i - 1;
    while (j >= 0 && v[j] > x) { v[j + 1] = v[j]; j--; }
    v[j + 1] = x;
  }
}

static void quicksort(int32_t *v, int n) {
  while (n > 16) {
    int m = n / 2;
    if (v[m] < v[0]) { int32_t t = v[m]; v[m] = v[0]; v[0] = t; }
    if (v[n - 1] < v[0]) { int32_t t = v[n - 1]; v[n - 1] = v[0]; v[0] = t; }
    if (v[n - 1] < v[m]) { int32_t t = v[n - 1]; v[n - 1] = v[m]; v[m] = t; }
    int32_t pivot = v[m];
    int i = 0, j = n - 1;
    for (;;) {
      while (v[i] < pivot) i++;
      while (v[j] > pivot) j--;
      if (i >= j) break;
      int32_t t = v[i]; v[i] = v[j]; v[j] = t;
      i++; j--;
    }
    /* Recurse into the smaller half, loop on the larger. */
    if (j + 1 < n - j - 1) { quicksort(v, j + 1); v += j + 1; n -= j + 1; }
    else { quicksort(v + j + 1, n - j - 1); n = j + 1; }
  }
  insertion(v, n);
}

int main(void) {
  uint32_t x = 88172645u, sum = 0;
  int ordered = 1;
  for (int r = 0; r < ROUNDS; r++) {
    for (int i = 0; i < N; i++) {
      x ^= x << 13; x ^= x >> 17; x ^= x << 5;
      a[i] = (int32_t)(x >> 1) - 0x20000000;
    }
    quicksort(a, N);
    for (int i = 1; i < N; i++) ordered &= a[i - 1] <= a[i];
    for (int i = 0; i < N; i += 97) sum = sum * 31u + (uint32_t)a[i] * (uint32_t)(i + 1);
  }
  print("sort: ");
  print_dec(ROUNDS);
  print(" x quicksort of 100000 ints, ordered ");
  print_dec((uint32_t)ordered);
  print(", checksum ");
  print_hex(sum);
  print("\n");
  report_instret();
  return ordered ? 0 : 1;
}
