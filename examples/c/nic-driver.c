/* nic-driver.c — a driver for the Hyperstep NIC in C (docs/devices.md "Hyperstep NIC"): PCI probe
 * through ECAM, BAR0 and COMMAND, a receive ring and a transmit ring in guest RAM, and its interrupt
 * first as INTx (pin A → the PCI swizzle → IOAPIC → LAPIC) then as an MSI (a memory write straight
 * to the LAPIC). Two packets arrive from the launch configuration's `events`; the driver answers
 * the second with a packet of its own.
 *
 *   hyperstep run examples/c/nic-driver.elf --event 5000000:nic:rx:hello --event 20000000:nic:rx:world
 *
 * Break in nic_interrupt() and look at Locals: `isr`, `d` (a descriptor through a pointer), the
 * `nic` global's rings. Built by `npm run examples`. */
#include "hs.h"

#define NIC_SLOT    3
#define NIC_CFG     (ECAM_BASE + (NIC_SLOT << 15))   /* bus 0, device 3, function 0 */
#define NIC_BAR     PCI_WINDOW                       /* where this driver puts BAR0 */
#define VECTOR_INTX 0x31
#define VECTOR_MSI  0x41
#define RING        4
#define BUF_SIZE    256

/* BAR0 registers (docs/devices.md "BAR0 registers"). */
enum nic_reg {
  NIC_ID = 0x00, NIC_CTRL = 0x08, NIC_ISR = 0x10, NIC_IMR = 0x14,
  NIC_RX_BASE = 0x20, NIC_RX_SIZE = 0x24, NIC_RX_HEAD = 0x28, NIC_RX_TAIL = 0x2c,
  NIC_TX_BASE = 0x30, NIC_TX_SIZE = 0x34, NIC_TX_HEAD = 0x38, NIC_TX_TAIL = 0x3c, NIC_TX_DOORBELL = 0x40,
};
enum nic_irq { IRQ_RX = 1 << 0, IRQ_TX = 1 << 1, IRQ_RX_NOBUF = 1 << 2, IRQ_RX_ERR = 1 << 3, IRQ_TX_ERR = 1 << 4 };
enum desc_flag { DESC_OWN = 1 << 0, DESC_DONE = 1 << 1, DESC_ERROR = 1 << 2, DESC_EOP = 1 << 3 };
enum irq_mode { MODE_INTX, MODE_MSI };

struct nic_desc {
  uint32_t addr;
  uint16_t len;
  uint16_t flags;
  uint32_t status;
  uint32_t reserved;
};

struct nic {
  volatile uint8_t *regs;
  struct nic_desc *rx, *tx;
  uint32_t rx_next;      /* the next RX descriptor the driver reads */
  uint32_t tx_tail;
  enum irq_mode mode;
  uint32_t gsi;
  volatile uint32_t received, sent;   /* counted by the interrupt handler */
};

static struct nic_desc rx_ring[RING] __attribute__((aligned(16)));
static struct nic_desc tx_ring[RING] __attribute__((aligned(16)));
static uint8_t rx_buf[RING][BUF_SIZE];
static uint8_t tx_buf[BUF_SIZE];
struct nic nic;

static inline uint32_t nic_read(enum nic_reg r) { return *(volatile uint32_t *)(nic.regs + r); }
static inline void nic_write(enum nic_reg r, uint32_t v) { *(volatile uint32_t *)(nic.regs + r) = v; }

static void ioapic_write(uint32_t reg, uint32_t value) {
  MMIO32(IOAPIC_BASE) = reg;
  MMIO32(IOAPIC_BASE + 0x10) = value;
}

static void lapic_eoi(void) { MMIO32(LAPIC_BASE + 0xb0) = 0; }

/* PCI: find the NIC, place BAR0, enable memory decoding and bus mastering; the INTx route. */
static int nic_probe(void) {
  if (MMIO32(NIC_CFG) != 0x00014853) return -1;        /* vendor 0x4853, device 0x0001 */
  MMIO32(NIC_CFG + 0x10) = 0xffffffff;                   /* BAR0 sizing */
  uint32_t size = ~(MMIO32(NIC_CFG + 0x10) & ~0xfu) + 1;
  MMIO32(NIC_CFG + 0x10) = NIC_BAR;
  MMIO16(NIC_CFG + 0x04) = 0x6;                          /* COMMAND = MEM | MASTER */
  uint8_t pin = MMIO8(NIC_CFG + 0x3d);                   /* 1 = INTA */
  nic.gsi = 16 + (NIC_SLOT + pin - 1) % 4;               /* the swizzle: PIRQ = (slot + pin) mod 4 */
  nic.regs = (volatile uint8_t *)NIC_BAR;
  printf("nic-driver: NIC in slot %d, BAR0 %p (%u bytes), INT%c -> GSI %u\n", NIC_SLOT, NIC_BAR, size, 'A' + pin - 1, nic.gsi);
  return 0;
}

static void rings_init(void) {
  for (int i = 0; i < RING; i++) {
    rx_ring[i] = (struct nic_desc){ .addr = (uint32_t)(uintptr_t)rx_buf[i], .len = BUF_SIZE, .flags = DESC_OWN };
    tx_ring[i] = (struct nic_desc){ 0 };
  }
  nic.rx = rx_ring;
  nic.tx = tx_ring;
  nic_write(NIC_RX_BASE, (uint32_t)(uintptr_t)rx_ring);
  nic_write(NIC_RX_SIZE, RING);
  nic_write(NIC_RX_TAIL, RING - 1);                      /* a ring of n holds n - 1 posted buffers */
  nic_write(NIC_TX_BASE, (uint32_t)(uintptr_t)tx_ring);
  nic_write(NIC_TX_SIZE, RING);
  nic_write(NIC_IMR, IRQ_RX | IRQ_TX | IRQ_RX_NOBUF | IRQ_RX_ERR | IRQ_TX_ERR);
  nic_write(NIC_CTRL, 0x7);                              /* EN | RXEN | TXEN */
}

static void intx_init(void) {
  /* IOREDTBL[gsi]: vector, fixed, physical, active-low, level, unmasked; destination LAPIC 0. */
  ioapic_write(0x10 + 2 * nic.gsi, VECTOR_INTX | (1 << 13) | (1 << 15));
  ioapic_write(0x11 + 2 * nic.gsi, 0);
  nic.mode = MODE_INTX;
}

/* From INTx to MSI: mask the IOAPIC pin, program the MSI capability (at 0x40), enable it. */
static void msi_init(void) {
  ioapic_write(0x10 + 2 * nic.gsi, 1 << 16);
  uint32_t cap = MMIO8(NIC_CFG + 0x34);
  MMIO32(NIC_CFG + cap + 4) = LAPIC_BASE;                 /* destination LAPIC 0, physical */
  MMIO16(NIC_CFG + cap + 8) = VECTOR_MSI;                 /* fixed, edge */
  MMIO16(NIC_CFG + cap + 2) |= 1;                         /* MSI enable: INTx is off from now on */
  nic.mode = MODE_MSI;
  printf("nic-driver: MSI enabled, vector 0x%x\n", VECTOR_MSI);
}

static void transmit(const char *text) {
  int len = 0;
  while (text[len] && len < BUF_SIZE) { tx_buf[len] = (uint8_t)text[len]; len++; }
  struct nic_desc *d = &nic.tx[nic.tx_tail];
  *d = (struct nic_desc){ .addr = (uint32_t)(uintptr_t)tx_buf, .len = (uint16_t)len, .flags = DESC_OWN | DESC_EOP };
  nic.tx_tail = (nic.tx_tail + 1) % RING;
  nic_write(NIC_TX_TAIL, nic.tx_tail);
  nic_write(NIC_TX_DOORBELL, 1);
}

/* Every received packet: print it, give the buffer back to the device. */
static void rx_poll(void) {
  uint32_t head = nic_read(NIC_RX_HEAD);
  while (nic.rx_next != head) {
    struct nic_desc *d = &nic.rx[nic.rx_next];
    uint32_t len = d->status & 0xffff;
    printf("nic-driver: received %u bytes: \"", len);
    for (uint32_t i = 0; i < len; i++) uart_putc((char)rx_buf[nic.rx_next][i]);
    printf("\" (descriptor %u, flags 0x%x)\n", nic.rx_next, d->flags);
    d->flags = DESC_OWN;
    d->status = 0;
    nic_write(NIC_RX_TAIL, nic.rx_next);                 /* repost it: the tail follows the consumer */
    nic.rx_next = (nic.rx_next + 1) % RING;
    nic.received++;
  }
}

static void nic_interrupt(uint32_t vector) {
  uint32_t isr = nic_read(NIC_ISR);
  nic_write(NIC_ISR, isr);                               /* write 1 to clear: the INTx line drops */
  printf("nic-driver: interrupt 0x%x (%s), ISR 0x%x\n", vector, nic.mode == MODE_MSI ? "MSI" : "INTx", isr);
  if (isr & IRQ_RX) rx_poll();
  if (isr & IRQ_TX) {
    nic.sent++;
    printf("nic-driver: sent packet %u\n", nic.sent);
  }
  lapic_eoi();                                           /* a level vector: the IOAPIC hears this EOI */
}

void trap(struct trap_frame *tf) {
  if (tf->cause == MCAUSE_MEI && (tf->tval == VECTOR_INTX || tf->tval == VECTOR_MSI)) {
    nic_interrupt(tf->tval);
    return;
  }
  printf("nic-driver: unexpected trap, mcause 0x%x mepc 0x%x\n", tf->cause, tf->epc);
  exit(99);
}

int main(void) {
  printf("nic-driver: starting\n");
  if (nic_probe() < 0) {
    printf("nic-driver: no NIC in slot %d\n", NIC_SLOT);
    return 1;
  }
  MMIO32(LAPIC_BASE + 0xf0) = 0x1ff;                     /* SVR: software-enable the LAPIC */
  MMIO32(LAPIC_BASE + 0x80) = 0;                         /* TPR */
  intx_init();
  rings_init();
  csr_set(mie, MIE_MEIE);
  csr_set(mstatus, MSTATUS_MIE);
  printf("nic-driver: waiting for packets\n");
  unsigned wakeups = 0;                                  /* kept in a register: see it in main's frame from the handler */
  for (; nic.received < 1; wakeups++) wfi();
  msi_init();
  for (; nic.received < 2; wakeups++) wfi();
  transmit("pong");
  for (; nic.sent < 1; wakeups++) wfi();
  printf("nic-driver: done: %u received, %u sent, %u wakeups\n", nic.received, nic.sent, wakeups);
  return 0;
}
