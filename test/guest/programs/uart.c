/* uart.c — the 16550A at 0x1000_0000 as a firmware drives it: LSR (THRE and
 * TEMT set while idle, DR clear with no input), IIR "no interrupt", the
 * OpenSBI-style initialisation (LCR.DLAB, DLL/DLM, 8N1, FCR, MCR), the
 * scratch register, IER readback, and the THR-empty interrupt identification
 * (IIR = 0x2 when IER.ETBEI is set, cleared by reading IIR). Interrupts stay
 * off at the CPU, and on QEMU the PLIC is never programmed, so nothing is
 * delivered. */
#include "guest.h"

#define RBR 0
#define THR 0
#define DLL 0
#define IER 1
#define DLM 1
#define IIR 2
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define SCR 7
#define REG(r) MMIO8(UART_BASE + (r))

int main(void) {
  printf("== uart ==\n");
  check("LSR THRE|TEMT while idle", REG(LSR) & 0x60, 0x60);
  check("LSR DR = 0 (no input)", REG(LSR) & 0x01, 0);
  check("IIR: no interrupt pending", REG(IIR) & 0x0f, 0x01);

  /* OpenSBI's uart8250_init, with a divisor of 1. */
  REG(LCR) = 0x80;
  REG(DLL) = 0x01;
  REG(DLM) = 0x00;
  check("DLL reads back with DLAB = 1", REG(DLL), 0x01);
  check("DLM reads back with DLAB = 1", REG(DLM), 0x00);
  REG(LCR) = 0x03;
  check("LCR = 8N1", REG(LCR), 0x03);
  REG(FCR) = 0x01;
  REG(MCR) = 0x00;
  (void)REG(LSR);
  (void)REG(RBR);
  REG(SCR) = 0xa5;
  check("SCR reads back", REG(SCR), 0xa5);
  REG(SCR) = 0x00;
  printf("output still works after init\n");

  REG(IER) = 0x00;
  check("IER = 0", REG(IER), 0x00);
  /* No output between these reads: every transmitted byte re-arms THRE. */
  REG(IER) = 0x02;
  uint32_t ier = REG(IER), iir1 = REG(IIR), iir2 = REG(IIR);
  REG(IER) = 0x00;
  check("IER.ETBEI reads back", ier & 0x0f, 0x02);
  check("IIR: THR empty interrupt identified", iir1 & 0x0f, 0x02);
  check("IIR: reading IIR cleared it", iir2 & 0x0f, 0x01);
  check("IIR: no interrupt with IER = 0", REG(IIR) & 0x0f, 0x01);
  return report("uart");
}
