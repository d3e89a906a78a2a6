/*
 * Source of gcc-medany.s, gcc-medlow-g.s and their compressed (rv32imac) twins gcc-rvc-*.s:
 * real compiler output in the GNU comparison corpus. Regenerate with
 *   riscv64-unknown-elf-gcc -S -O2 -march=rv32ima_zicsr_zifencei -mabi=ilp32 -mcmodel=medany -ffreestanding gcc-source.c -o gcc-medany.s
 *   riscv64-unknown-elf-gcc -S -O2 -g -march=rv32ima_zicsr_zifencei -mabi=ilp32 -mcmodel=medlow -ffreestanding gcc-source.c -o gcc-medlow-g.s
 *   riscv64-unknown-elf-gcc -S -O2 -march=rv32imac_zicsr_zifencei -mabi=ilp32 -mcmodel=medany -ffreestanding gcc-source.c -o gcc-rvc-medany.s
 *   riscv64-unknown-elf-gcc -S -O2 -g -march=rv32imac_zicsr_zifencei -mabi=ilp32 -mcmodel=medlow -ffreestanding gcc-source.c -o gcc-rvc-medlow-g.s
 * (the rv32imac ones say `.attribute arch, "…c2p0…"`, which turns compression on as in gas).
 */
typedef unsigned int u32;

#define UART ((volatile unsigned char *)0x10000000)

struct node { int key; struct node *next; };

static struct node pool[16];
static int used;
int counter = 3;
short small_table[4] = { 1, -2, 3, -4 };
const char *const names[] = { "zero", "one", "two", "three", "four" };
volatile u32 ticks;

static void putc(char c) {
  while (!(UART[5] & 0x20)) { }
  UART[0] = c;
}

void puts(const char *s) {
  while (*s) putc(*s++);
}

struct node *push(struct node *head, int key) {
  if (used >= 16) return head;
  struct node *n = &pool[used++];
  n->key = key;
  n->next = head;
  return n;
}

int sum(const struct node *n) {
  int s = 0;
  for (; n; n = n->next) s += n->key;
  return s;
}

void sort(int *a, int n) {
  for (int i = 1; i < n; i++) {
    int v = a[i], j = i - 1;
    while (j >= 0 && a[j] > v) { a[j + 1] = a[j]; j--; }
    a[j + 1] = v;
  }
}

u32 mix(u32 x, u32 y) {
  return (x * 2654435761u) ^ (y >> 7) ^ (x / (y | 1)) ^ (u32)((unsigned long long)x * y >> 32);
}

int classify(int c) {
  switch (c) {
    case 0: return 10;
    case 1: return 21;
    case 2: return 32;
    case 3: return 43;
    case 4: return 54;
    case 5: return 65;
    case 6: return 76;
    default: return -1;
  }
}

u32 read_cycle(void) {
  u32 v;
  __asm__ volatile ("csrr %0, cycle" : "=r"(v));
  return v;
}

int atomic_inc(int *p) {
  return __atomic_fetch_add(p, 1, __ATOMIC_SEQ_CST);
}

void _start(void) {
  int a[6] = { 5, 3, 9, 1, 7, 2 };
  struct node *l = 0;
  sort(a, 6);
  for (int i = 0; i < 6; i++) l = push(l, a[i]);
  counter += sum(l) + classify(counter) + (int)mix(ticks, read_cycle()) + atomic_inc(&counter);
  puts(names[counter & 3]);
  for (;;) { __asm__ volatile ("wfi"); }
}
