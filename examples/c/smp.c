/* smp.c — four harts in C (run with 4 vCPUs): every hart boots through the same crt0 with
 * a0 = mhartid; hart 0 wakes the others with IPIs through its Local APIC's ICR, each sums its
 * quarter of an array, adds it to a shared total with an atomic (amoadd.w), and hart 0 prints the
 * result once all have checked in.
 *
 *   hyperstep run examples/c/smp.elf --vcpus 4
 *
 * Break in secondary_main() and switch threads (vCPU 0–3): each has its own `id` and `part`; the
 * Local APIC scope shows the IPI in IRR/ISR. Built by `npm run examples`. */
#include "hs.h"

#define NHARTS     4
#define IPI_VECTOR 0x50
#define N          64

enum hart_state { OFFLINE, WAITING, WOKEN, DONE };

struct hart {
  enum hart_state state;
  uint32_t part;          /* this hart's partial sum */
  uint32_t ipis;
};

volatile struct hart harts[NHARTS];
volatile uint32_t total;
volatile uint32_t checked_in;
uint32_t data[N];

static void lapic_enable(void) {
  MMIO32(LAPIC_BASE + 0xf0) = 0x1ff;                       /* SVR: enabled, spurious 0xff */
  MMIO32(LAPIC_BASE + 0x80) = 0;                           /* TPR */
  csr_set(mie, MIE_MEIE);
  csr_set(mstatus, MSTATUS_MIE);
}

static void send_ipi(uint32_t apic, uint32_t vector) {
  MMIO32(LAPIC_BASE + 0x310) = apic << 24;                 /* ICR high: destination */
  MMIO32(LAPIC_BASE + 0x300) = vector | (1u << 14);        /* ICR low: fixed, physical, assert */
}

static uint32_t sum(uint32_t id) {
  uint32_t part = 0;
  for (uint32_t i = id * (N / NHARTS); i < (id + 1) * (N / NHARTS); i++) part += data[i];
  return part;
}

static void work(uint32_t id) {
  uint32_t part = sum(id);
  harts[id].part = part;
  __atomic_fetch_add(&total, part, __ATOMIC_SEQ_CST);
  harts[id].state = DONE;
  __atomic_fetch_add(&checked_in, 1, __ATOMIC_SEQ_CST);
}

void trap(struct trap_frame *tf) {
  uint32_t id = hartid();
  if (tf->cause == MCAUSE_MEI && tf->tval == IPI_VECTOR) {
    harts[id].ipis++;
    harts[id].state = WOKEN;
    MMIO32(LAPIC_BASE + 0xb0) = 0;                         /* EOI */
    return;
  }
  printf("smp: hart %u: unexpected trap, mcause 0x%x mepc 0x%x\n", id, tf->cause, tf->epc);
  exit(99);
}

void secondary_main(uint32_t id) {
  if (id >= NHARTS) for (;;) wfi();
  lapic_enable();
  harts[id].state = WAITING;
  while (harts[id].state != WOKEN) wfi();
  work(id);
  for (;;) wfi();
}

int main(void) {
  for (uint32_t i = 0; i < N; i++) data[i] = i * i;
  lapic_enable();
  printf("smp: hart 0 waiting for %d harts\n", NHARTS - 1);
  for (uint32_t id = 1; id < NHARTS; id++) {
    while (harts[id].state != WAITING) {
    }
    printf("smp: hart %u is waiting in wfi; IPI vector 0x%x to APIC %u\n", id, IPI_VECTOR, id);
    send_ipi(id, IPI_VECTOR);
  }
  work(0);
  while (checked_in != NHARTS) {
  }
  for (uint32_t id = 0; id < NHARTS; id++) printf("smp: hart %u summed %u (%u IPIs)\n", id, harts[id].part, harts[id].ipis);
  printf("smp: total %u (expected %u)\n", total, (uint32_t)((N - 1) * N * (2 * N - 1) / 6));
  return total == (N - 1) * N * (2 * N - 1) / 6 ? 0 : 1;
}
