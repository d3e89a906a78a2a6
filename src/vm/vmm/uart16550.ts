// A 16550A UART (National Semiconductor PC16550D datasheet; behaviour checked against QEMU's
// hw/char/serial.c where the datasheet leaves room). Byte registers at offsets 0–7, DLAB in LCR
// bit 7 selects DLL/DLM at 0/1. Transmission is instantaneous: THR is always empty again by the
// time the guest looks, so THRE and TEMT read 1 and the THRE interrupt re-arms after each write.
import { MmioDevice } from './device';

const UART_RBR = 0, UART_THR = 0, UART_IER = 1, UART_IIR = 2, UART_FCR = 2, UART_LCR = 3,
  UART_MCR = 4, UART_LSR = 5, UART_MSR = 6; // 7 is SCR, the scratch register: the switches' default

const IER_RDI = 0x01, IER_THRI = 0x02, IER_RLSI = 0x04, IER_MSI = 0x08;
const IIR_NO_INT = 0x01, IIR_RLSI = 0x06, IIR_RDI = 0x04, IIR_THRI = 0x02, IIR_MSI = 0x00, IIR_FIFO = 0xc0;
const LSR_DR = 0x01, LSR_OE = 0x02, LSR_BI = 0x10, LSR_THRE = 0x20, LSR_TEMT = 0x40;
const LCR_DLAB = 0x80;
const MCR_LOOP = 0x10;
// FCR bit 2 clears the transmit FIFO: always empty here (transmission is instantaneous).
const FCR_ENABLE = 0x01, FCR_CLEAR_RX = 0x02;
/** Modem status with a terminal attached: DCD, DSR, CTS (as QEMU reports for a chardev). */
const MSR_IDLE = 0xb0;
const FIFO_SIZE = 16;
const REG_NAMES_READ = ['RBR', 'IER', 'IIR', 'LCR', 'MCR', 'LSR', 'MSR', 'SCR'];
const REG_NAMES_WRITE = ['THR', 'IER', 'FCR', 'LCR', 'MCR', 'LSR', 'MSR', 'SCR'];

interface UartSink {
  /** A byte the guest transmitted. */
  output(byte: number): void;
  /** The interrupt output changed (wired to GSI 4 by the machine). */
  irq(level: boolean): void;
}

export class Uart16550 implements MmioDevice {
  readonly name = 'uart';
  readonly registerWidth = 1;
  ier = 0;
  lcr = 0;
  mcr = 0;
  lsr = LSR_THRE | LSR_TEMT;
  msr = MSR_IDLE;
  scr = 0;
  fcr = 0;
  divisor = 0;
  /** THRE interrupt pending: set when THR empties, cleared by reading IIR (as that source) or writing THR. */
  private thrPending = false;
  private readonly rx: number[] = [];
  private irqLevel = false;

  constructor(private readonly sink: UartSink) {}

  /** Bytes typed into the guest's console. Returns how many fit in the receive FIFO. */
  input(bytes: Uint8Array): number {
    let taken = 0;
    for (const b of bytes) {
      if (this.rx.length >= this.rxCapacity()) { this.lsr |= LSR_OE; break; }
      this.rx.push(b);
      taken++;
    }
    if (this.rx.length) this.lsr |= LSR_DR;
    this.update();
    return taken;
  }

  /** Receive FIFO occupancy, for views. */
  get rxCount(): number { return this.rx.length; }

  read(offset: number): number {
    switch (offset & 7) {
      case UART_RBR: {
        if (this.lcr & LCR_DLAB) return this.divisor & 0xff;
        const b = this.rx.length ? this.rx.shift()! : 0;
        if (this.rx.length === 0) this.lsr &= ~LSR_DR;
        this.update();
        return b;
      }
      case UART_IIR: {
        const iir = this.iir();
        if ((iir & 0x0f) === IIR_THRI) { this.thrPending = false; this.update(); }
        return iir;
      }
      case UART_LSR: {
        const v = this.lsr;
        this.lsr &= ~(LSR_OE | LSR_BI); // error bits clear on read
        this.update();
        return v;
      }
      case UART_MSR: {
        const v = this.msr;
        this.msr &= 0xf0; // delta bits clear on read
        this.update();
        return v;
      }
      default: return this.peek(offset);
    }
  }

  peek(offset: number): number {
    switch (offset & 7) {
      case UART_RBR: return this.lcr & LCR_DLAB ? this.divisor & 0xff : (this.rx.length ? this.rx[0] : 0);
      case UART_IER: return this.lcr & LCR_DLAB ? (this.divisor >>> 8) & 0xff : this.ier;
      case UART_IIR: return this.iir();
      case UART_LCR: return this.lcr;
      case UART_MCR: return this.mcr;
      case UART_LSR: return this.lsr;
      case UART_MSR: return this.msr;
      default: return this.scr;
    }
  }

  write(offset: number, _size: number, value: number): void {
    value &= 0xff;
    switch (offset & 7) {
      case UART_THR:
        if (this.lcr & LCR_DLAB) { this.divisor = (this.divisor & 0xff00) | value; return; }
        if (this.mcr & MCR_LOOP) this.input(Uint8Array.of(value));
        else this.sink.output(value);
        this.thrPending = true; // the byte left at once: THR is empty again
        this.update();
        return;
      case UART_IER:
        if (this.lcr & LCR_DLAB) { this.divisor = (this.divisor & 0xff) | (value << 8); return; }
        // Enabling THRI while THR is empty raises the interrupt at once (datasheet §8.6, as QEMU).
        if ((value & IER_THRI) && !(this.ier & IER_THRI)) this.thrPending = true;
        this.ier = value & 0x0f;
        this.update();
        return;
      case UART_FCR:
        if (value & FCR_CLEAR_RX) { this.rx.length = 0; this.lsr &= ~LSR_DR; }
        this.fcr = value & 0xc9;
        this.update();
        return;
      case UART_LCR: this.lcr = value; return;
      case UART_MCR: this.mcr = value & 0x1f; this.msr = this.mcr & MCR_LOOP ? loopbackMsr(this.mcr) : MSR_IDLE; return;
      case UART_LSR: return; // factory test register: writes ignored
      case UART_MSR: return;
      default: this.scr = value;
    }
  }

  registerName(offset: number, isWrite: boolean): string | undefined {
    const o = offset & 7;
    if (this.lcr & LCR_DLAB && o < 2) return o === 0 ? 'DLL' : 'DLM';
    return (isWrite ? REG_NAMES_WRITE : REG_NAMES_READ)[o];
  }

  /** Interrupt identification, highest priority first (datasheet table 4). */
  private iir(): number {
    const fifo = this.fcr & FCR_ENABLE ? IIR_FIFO : 0;
    if ((this.ier & IER_RLSI) && (this.lsr & (LSR_OE | LSR_BI))) return fifo | IIR_RLSI;
    if ((this.ier & IER_RDI) && (this.lsr & LSR_DR)) return fifo | IIR_RDI;
    if ((this.ier & IER_THRI) && this.thrPending) return fifo | IIR_THRI;
    if ((this.ier & IER_MSI) && (this.msr & 0x0f)) return fifo | IIR_MSI;
    return fifo | IIR_NO_INT;
  }

  private rxCapacity(): number {
    return this.fcr & FCR_ENABLE ? FIFO_SIZE : 1;
  }

  private update(): void {
    const level = (this.iir() & IIR_NO_INT) === 0;
    if (level !== this.irqLevel) {
      this.irqLevel = level;
      this.sink.irq(level);
    }
  }
}

/** In loopback, the modem inputs follow the modem outputs: CTS=RTS, DSR=DTR, RI=OUT1, DCD=OUT2. */
function loopbackMsr(mcr: number): number {
  return ((mcr & 0x02) << 3) | ((mcr & 0x01) << 5) | ((mcr & 0x04) << 4) | ((mcr & 0x08) << 4);
}
