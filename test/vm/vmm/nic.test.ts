import * as assert from 'assert';
import * as fc from 'fast-check';
import {
  CTRL_EN, CTRL_RST, CTRL_RXEN, CTRL_TXEN, DESC_DONE, DESC_EOP, DESC_ERR_BUFFER_NOT_RAM, DESC_ERR_BUFFER_TOO_SHORT,
  DESC_ERR_NOT_OWNED, DESC_ERROR, DESC_OWN, INT_ALL, INT_RX, INT_RX_ERR, INT_RX_NOBUF, INT_TX, INT_TX_ERR, NIC_BAD_DESC,
  NIC_CTRL, NIC_ID, NIC_ID_VALUE, NIC_IMR, NIC_ISR, NIC_ISR_SET, NIC_MAC_HI, NIC_MAC_LO, NIC_RX_BASE, NIC_RX_DROPPED,
  NIC_RX_HEAD, NIC_RX_PACKETS, NIC_RX_SIZE, NIC_RX_TAIL, NIC_STATUS, NIC_TX_BASE, NIC_TX_DOORBELL, NIC_TX_HEAD,
  NIC_TX_PACKETS, NIC_TX_SIZE, NIC_TX_TAIL, NIC_VERSION, NIC_VERSION_VALUE, Nic, NIC_REGISTERS,
} from '../../../src/vm/vmm/nic';
import { PCI_COMMAND, PCI_COMMAND_MASTER, PCI_COMMAND_MEMORY, PCI_STATUS_REC_MASTER_ABORT } from '../../../src/vm/vmm/pci/config';
import { ecamOffset } from '../../../src/vm/vmm/pci/ecam';
import { FakePlatform, FakeRam, RAM_BASE } from './pci/fakes';

const SLOT = 3;                          // INTA -> PIRQD -> GSI 19
const GSI = 19;
const RX_RING = RAM_BASE + 0x1000, TX_RING = RAM_BASE + 0x2000;
const RX_BUF = RAM_BASE + 0x4000, TX_BUF = RAM_BASE + 0x8000;
const NOT_RAM = 0x2000_0000;

/** A NIC on a bus, BAR0 at 0x4000_0000, reached as a guest would: through the PCI window and ECAM. */
class Rig {
  readonly p = new FakePlatform();
  readonly ram = new FakeRam();
  readonly sent: Uint8Array[] = [];
  readonly bus = this.p.bus();
  readonly nic: Nic;

  constructor(opts: { msiPerVectorMasking?: boolean; master?: boolean } = {}) {
    this.nic = new Nic({ dma: this.ram, transmit: (b) => this.sent.push(b) }, { msiPerVectorMasking: opts.msiPerVectorMasking });
    this.bus.attach(this.nic, SLOT);
    this.bus.assignBars();
    if (opts.master ?? true) this.cfg(PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
  }

  rd(off: number, size = 4): number { return this.bus.window.read(off, size); }
  wr(off: number, value: number, size = 4): void { this.bus.window.write(off, size, value); }
  cfg(reg: number, size: number, value: number): void { this.bus.ecam.write(ecamOffset(0, SLOT, 0, reg), size, value); }

  /** Ring of `size` descriptors with `posted` RX buffers handed to the device. */
  startRx(size = 4, posted = 3, bufLen = 0x100): void {
    for (let i = 0; i < posted; i++) this.desc(RX_RING, i, RX_BUF + i * 0x100, bufLen, DESC_OWN);
    this.wr(NIC_RX_BASE, RX_RING);
    this.wr(NIC_RX_SIZE, size);
    this.wr(NIC_RX_HEAD, 0);
    this.wr(NIC_RX_TAIL, posted);
    this.wr(NIC_IMR, INT_ALL);
    this.wr(NIC_CTRL, CTRL_EN | CTRL_RXEN | CTRL_TXEN);
  }

  startTx(size = 8): void {
    this.wr(NIC_TX_BASE, TX_RING);
    this.wr(NIC_TX_SIZE, size);
    this.wr(NIC_IMR, INT_ALL);
    this.wr(NIC_CTRL, CTRL_EN | CTRL_RXEN | CTRL_TXEN);
  }

  desc(ring: number, i: number, buffer: number, length: number, flags: number): void {
    const a = ring + 16 * i;
    this.ram.set32(a, buffer);
    this.ram.set16(a + 4, length);
    this.ram.set16(a + 6, flags);
    this.ram.set32(a + 8, 0);
  }

  flags(ring: number, i: number): number { return this.ram.u16(ring + 16 * i + 6); }
  status(ring: number, i: number): number { return this.ram.u32(ring + 16 * i + 8); }

  /** Queues a TX packet from `fragments` at TX_TAIL (EOP on the last) and advances TX_TAIL, without the doorbell. */
  queueTx(...fragments: string[]): void {
    // Not through the window (the fuzz may have turned memory decoding off), and kept in the ring.
    const size = Math.max(1, Math.min(this.nic.txSize, 8));
    let tail = this.nic.txTail % size;
    fragments.forEach((text, k) => {
      const buf = TX_BUF + 0x100 * tail;
      this.ram.bytes.set(Buffer.from(text), buf - RAM_BASE);
      this.desc(TX_RING, tail, buf, text.length, DESC_OWN | (k === fragments.length - 1 ? DESC_EOP : 0));
      tail = (tail + 1) % size;
    });
    this.nic.write(NIC_TX_TAIL, 4, tail);
  }
}

const text = (b: Uint8Array): string => Buffer.from(b).toString();

describe('NIC', () => {
  it('identifies itself in config space and BAR0', () => {
    const r = new Rig();
    assert.strictEqual(r.bus.ecam.read(ecamOffset(0, SLOT, 0, 0), 4), 0x0001_4853);
    assert.strictEqual(r.bus.ecam.read(ecamOffset(0, SLOT, 0, 8), 4), 0x0200_0001, 'Ethernet controller, revision 1');
    assert.strictEqual(r.bus.ecam.read(ecamOffset(0, SLOT, 0, 0x3d), 1), 1, 'INTA');
    assert.strictEqual(r.rd(NIC_ID), NIC_ID_VALUE);
    assert.strictEqual(Buffer.from(Uint32Array.of(r.rd(NIC_ID)).buffer).toString(), 'HNIC');
    assert.strictEqual(r.rd(NIC_VERSION), NIC_VERSION_VALUE);
    assert.strictEqual(r.rd(NIC_MAC_LO), 0x1200_5452);
    assert.strictEqual(r.rd(NIC_MAC_HI), 0x5634);
    assert.strictEqual(r.rd(NIC_STATUS), 1, 'link up, rings off');
    assert.strictEqual(r.nic.registerName(NIC_ISR), 'ISR');
    assert.strictEqual(r.bus.window.registerName(NIC_TX_DOORBELL, true), 'nic TX_DOORBELL');
    const w = r.bus.window.resolve(0)!;
    assert.strictEqual(w.device, r.nic);
  });

  it('receives a packet into the next device-owned RX descriptor', () => {
    const r = new Rig();
    r.startRx();
    r.p.now = 500;
    assert.strictEqual(r.nic.receive(Buffer.from('hello')), 'delivered');
    assert.strictEqual(text(r.ram.read(RX_BUF, 5)!), 'hello');
    assert.strictEqual(r.flags(RX_RING, 0), DESC_DONE | DESC_EOP, 'OWN handed back, DONE and EOP set');
    assert.strictEqual(r.status(RX_RING, 0), 5, 'length written back');
    assert.strictEqual(r.rd(NIC_RX_HEAD), 1);
    assert.strictEqual(r.rd(NIC_ISR), INT_RX);
    assert.strictEqual(r.rd(NIC_RX_PACKETS), 1);
    assert.deepStrictEqual(r.p.gsiCalls, [{ gsi: GSI, level: true, device: 'nic' }]);
    const ev = r.p.eventsOf('nic')[0];
    assert.deepStrictEqual({ ...ev }, { kind: 'nic', cycle: 500, vcpu: -1, device: 'nic', action: 'rx', ring: 'rx', length: 5, descriptor: 0 });
    // The descriptor's flags are written only after the buffer.
    const order = r.ram.writes.map((w) => w.gpa);
    assert.deepStrictEqual(order, [RX_BUF, RX_RING + 6]);
  });

  it('drops a packet when the ring is full, counting it and raising RX_NOBUF', () => {
    const r = new Rig();
    r.startRx(4, 3);
    for (const s of ['a', 'b', 'c']) assert.strictEqual(r.nic.receive(Buffer.from(s)), 'delivered');
    assert.strictEqual(r.rd(NIC_RX_HEAD), 3);
    assert.strictEqual(r.nic.receive(Buffer.from('d')), 'ring-full');
    assert.strictEqual(r.rd(NIC_RX_DROPPED), 1);
    assert.strictEqual(r.rd(NIC_ISR), INT_RX | INT_RX_NOBUF);
    assert.strictEqual(r.rd(NIC_RX_PACKETS), 3);
    assert.strictEqual(r.p.eventsOf('nic').at(-1)!.action, 'rx-drop');
    // The guest recycles descriptor 3 and 0 and moves TAIL: the ring wraps.
    r.desc(RX_RING, 3, RX_BUF + 0x300, 0x100, DESC_OWN);
    r.desc(RX_RING, 0, RX_BUF, 0x100, DESC_OWN);
    r.wr(NIC_RX_TAIL, 1);
    assert.strictEqual(r.nic.receive(Buffer.from('e')), 'delivered');
    assert.strictEqual(r.nic.receive(Buffer.from('f')), 'delivered');
    assert.strictEqual(r.rd(NIC_RX_HEAD), 1);
    assert.strictEqual(text(r.ram.read(RX_BUF, 1)!), 'f');
  });

  it('refuses a packet while the receiver or bus mastering is off, without counting a drop', () => {
    const r = new Rig({ master: false });
    r.startRx();
    assert.strictEqual(r.nic.receive(Buffer.from('x')), 'disabled', 'COMMAND.MASTER clear: no DMA');
    r.cfg(PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    r.wr(NIC_CTRL, CTRL_EN);
    assert.strictEqual(r.nic.receive(Buffer.from('x')), 'disabled');
    assert.strictEqual(r.rd(NIC_RX_DROPPED), 0);
    assert.strictEqual(r.rd(NIC_ISR), 0);
    assert.strictEqual(r.ram.writes.length, 0);
  });

  describe('bad RX descriptors', () => {
    const cases: [string, (r: Rig) => void, number][] = [
      ['buffer not in RAM', (r) => r.desc(RX_RING, 0, NOT_RAM, 0x100, DESC_OWN), DESC_ERR_BUFFER_NOT_RAM],
      ['buffer too short', (r) => r.desc(RX_RING, 0, RX_BUF, 3, DESC_OWN), DESC_ERR_BUFFER_TOO_SHORT],
      ['OWN clear', (r) => r.desc(RX_RING, 0, RX_BUF, 0x100, 0), DESC_ERR_NOT_OWNED],
    ];
    for (const [name, spoil, code] of cases) {
      it(`${name}: ERROR flag, error code, BAD_DESC, RX_ERR, descriptor consumed`, () => {
        const r = new Rig();
        r.startRx();
        spoil(r);
        assert.strictEqual(r.nic.receive(Buffer.from('hello')), 'bad-descriptor');
        assert.strictEqual(r.flags(RX_RING, 0), DESC_DONE | DESC_ERROR | DESC_EOP);
        assert.strictEqual(r.status(RX_RING, 0), code << 16);
        assert.strictEqual(r.rd(NIC_BAD_DESC), 1);
        assert.strictEqual(r.rd(NIC_ISR), INT_RX_ERR);
        assert.strictEqual(r.rd(NIC_RX_HEAD), 1);
        assert.strictEqual(r.rd(NIC_RX_PACKETS), 0);
        assert.strictEqual(r.p.level(GSI), true);
        const masterAbort = (r.nic.status & PCI_STATUS_REC_MASTER_ABORT) !== 0;
        assert.strictEqual(masterAbort, code === DESC_ERR_BUFFER_NOT_RAM, 'a DMA to no memory is a master abort');
        assert.strictEqual(r.nic.receive(Buffer.from('next')), 'delivered', 'the next descriptor is fine');
      });
    }

    it('a ring outside RAM: the packet is lost and HEAD stays', () => {
      const r = new Rig();
      r.startRx();
      r.wr(NIC_CTRL, 0);
      r.wr(NIC_RX_BASE, NOT_RAM);
      r.wr(NIC_CTRL, CTRL_EN | CTRL_RXEN);
      assert.strictEqual(r.nic.receive(Buffer.from('x')), 'bad-descriptor');
      assert.strictEqual(r.rd(NIC_RX_HEAD), 0);
      assert.strictEqual(r.rd(NIC_BAD_DESC), 1);
      assert.ok(r.nic.status & PCI_STATUS_REC_MASTER_ABORT);
    });
  });

  it('transmits the queued descriptors when the doorbell rings, joining fragments up to EOP', () => {
    const r = new Rig();
    r.startTx();
    r.queueTx('ping');
    r.queueTx('hel', 'lo');
    assert.deepStrictEqual(r.sent, [], 'TAIL alone does not transmit');
    r.wr(NIC_TX_DOORBELL, 1);
    assert.deepStrictEqual(r.sent.map(text), ['ping', 'hello']);
    for (let i = 0; i < 3; i++) assert.strictEqual(r.flags(TX_RING, i) & (DESC_OWN | DESC_DONE), DESC_DONE);
    assert.strictEqual(r.status(TX_RING, 1), 3);
    assert.strictEqual(r.rd(NIC_TX_HEAD), 3);
    assert.strictEqual(r.rd(NIC_TX_PACKETS), 2);
    assert.strictEqual(r.rd(NIC_ISR), INT_TX);
    assert.strictEqual(r.p.level(GSI), true);
    assert.deepStrictEqual(r.p.eventsOf('nic').map((e) => [e.action, e.length, e.descriptor]), [['tx', 4, 0], ['tx', 5, 2]]);
    r.wr(NIC_TX_DOORBELL, 1);
    assert.strictEqual(r.sent.length, 2, 'nothing new to send');
  });

  it('keeps a packet whose EOP has not been queued yet until it is', () => {
    const r = new Rig();
    r.startTx(4);
    r.desc(TX_RING, 0, TX_BUF, 2, DESC_OWN);
    r.ram.bytes.set(Buffer.from('ab'), TX_BUF - RAM_BASE);
    r.wr(NIC_TX_TAIL, 1);
    r.wr(NIC_TX_DOORBELL, 0);
    assert.deepStrictEqual(r.sent, []);
    assert.strictEqual(r.nic.txPendingBytes, 2);
    r.desc(TX_RING, 1, TX_BUF + 2, 1, DESC_OWN | DESC_EOP);
    r.ram.bytes.set(Buffer.from('c'), TX_BUF + 2 - RAM_BASE);
    r.wr(NIC_TX_TAIL, 2);
    r.wr(NIC_TX_DOORBELL, 0);
    assert.deepStrictEqual(r.sent.map(text), ['abc']);
  });

  it('drops a TX packet with a bad fragment and goes on with the next one', () => {
    const r = new Rig();
    r.startTx();
    r.queueTx('bad', 'packet');
    r.desc(TX_RING, 0, NOT_RAM, 3, DESC_OWN);
    r.queueTx('good');
    r.wr(NIC_TX_DOORBELL, 1);
    assert.deepStrictEqual(r.sent.map(text), ['good']);
    assert.strictEqual(r.flags(TX_RING, 0) & DESC_ERROR, DESC_ERROR);
    assert.strictEqual(r.status(TX_RING, 0), DESC_ERR_BUFFER_NOT_RAM << 16);
    assert.strictEqual(r.flags(TX_RING, 1) & (DESC_DONE | DESC_ERROR), DESC_DONE, 'the rest of the bad packet is consumed');
    assert.strictEqual(r.rd(NIC_BAD_DESC), 1);
    assert.strictEqual(r.rd(NIC_TX_PACKETS), 1);
    assert.strictEqual(r.rd(NIC_ISR), INT_TX | INT_TX_ERR);
  });

  it('ignores the doorbell while the transmitter is off', () => {
    const r = new Rig();
    r.startTx();
    r.wr(NIC_CTRL, CTRL_EN);
    r.queueTx('x');
    r.wr(NIC_TX_DOORBELL, 1);
    assert.deepStrictEqual(r.sent, []);
    assert.strictEqual(r.rd(NIC_TX_HEAD), 0);
    assert.strictEqual(r.p.eventsOf('nic').at(-1)!.action, 'tx-ignored');
  });

  it('clears ISR bits only by writing 1s to them', () => {
    const r = new Rig();
    r.wr(NIC_ISR_SET, INT_RX | INT_TX | INT_RX_ERR);
    assert.strictEqual(r.rd(NIC_ISR), INT_RX | INT_TX | INT_RX_ERR);
    for (let i = 0; i < 3; i++) r.rd(NIC_ISR);
    assert.strictEqual(r.rd(NIC_ISR), INT_RX | INT_TX | INT_RX_ERR, 'reading does not clear');
    r.wr(NIC_ISR, 0);
    assert.strictEqual(r.rd(NIC_ISR), INT_RX | INT_TX | INT_RX_ERR, 'writing 0 clears nothing');
    r.wr(NIC_ISR, INT_TX);
    assert.strictEqual(r.rd(NIC_ISR), INT_RX | INT_RX_ERR);
    r.wr(NIC_ISR, INT_RX_ERR, 1); // a byte write
    assert.strictEqual(r.rd(NIC_ISR), INT_RX);
    r.wr(NIC_ISR + 1, 0xff, 1); // a byte write to the upper lanes clears nothing below
    assert.strictEqual(r.rd(NIC_ISR), INT_RX);
    r.wr(NIC_ISR, 0xffffffff);
    assert.strictEqual(r.rd(NIC_ISR), 0);
  });

  it('asserts INTA only for unmasked status bits, and drops it when they are cleared', () => {
    const r = new Rig();
    r.startRx();
    r.wr(NIC_IMR, INT_TX);
    r.nic.receive(Buffer.from('x'));
    assert.strictEqual(r.rd(NIC_ISR), INT_RX);
    assert.strictEqual(r.p.gsiCalls.length, 0, 'RX is masked');
    r.wr(NIC_IMR, INT_TX | INT_RX);
    assert.strictEqual(r.p.level(GSI), true, 'unmasking a pending bit asserts the line');
    r.wr(NIC_IMR, INT_TX);
    assert.strictEqual(r.p.level(GSI), false, 'masking it again lowers it');
    r.wr(NIC_IMR, INT_RX);
    r.wr(NIC_ISR, INT_RX);
    assert.strictEqual(r.p.level(GSI), false, 'W1C lowers it');
    assert.deepStrictEqual(r.p.gsiCalls.map((c) => c.level), [true, false, true, false]);
  });

  it('with MSI enabled sends one message per rising edge of (ISR & IMR) != 0', () => {
    const r = new Rig({ msiPerVectorMasking: false });
    r.cfg(0x44, 4, 0xfee0_0000);
    r.cfg(0x48, 2, 0x0031);
    r.cfg(0x42, 2, 1);
    r.startRx(8, 7);
    r.nic.receive(Buffer.from('1'));
    r.nic.receive(Buffer.from('2'));
    assert.deepStrictEqual(r.p.msis, [{ address: 0xfee0_0000, data: 0x31, device: 'nic' }], 'ISR still set: no new edge');
    r.wr(NIC_ISR, INT_RX);
    r.nic.receive(Buffer.from('3'));
    assert.strictEqual(r.p.msis.length, 2);
    assert.deepStrictEqual(r.p.gsiCalls, [], 'INTx never used');
  });

  it('keeps RX_HEAD and TX_HEAD for the device while the ring runs', () => {
    const r = new Rig();
    r.startRx();
    r.startTx();
    r.wr(NIC_RX_HEAD, 2);
    r.wr(NIC_TX_HEAD, 2);
    assert.strictEqual(r.rd(NIC_RX_HEAD), 0);
    assert.strictEqual(r.rd(NIC_TX_HEAD), 0);
    r.wr(NIC_CTRL, CTRL_EN);
    r.wr(NIC_RX_HEAD, 2);
    r.wr(NIC_TX_HEAD, 2);
    assert.strictEqual(r.rd(NIC_RX_HEAD), 2);
    assert.strictEqual(r.rd(NIC_TX_HEAD), 2);
  });

  it('merges narrow writes and returns narrow reads of the 32-bit registers', () => {
    const r = new Rig();
    r.wr(NIC_RX_BASE, 0x8000_1234);
    assert.strictEqual(r.rd(NIC_RX_BASE), 0x8000_1230, 'ring base is 16-byte aligned');
    r.wr(NIC_RX_BASE + 2, 0x8001, 2);
    assert.strictEqual(r.rd(NIC_RX_BASE), 0x8001_1230);
    assert.strictEqual(r.rd(NIC_RX_BASE + 2, 2), 0x8001);
    assert.strictEqual(r.rd(NIC_RX_BASE + 1, 1), 0x12);
    r.wr(NIC_MAC_LO, 0x02, 1);
    assert.strictEqual(r.rd(NIC_MAC_LO), 0x1200_5402);
    r.wr(NIC_RX_PACKETS, 55);
    assert.strictEqual(r.rd(NIC_RX_PACKETS), 0, 'counters are read-only');
    assert.strictEqual(r.rd(0x800), 0, 'unassigned offsets read 0');
  });

  it('resets its registers on CTRL.RST, keeping the PCI configuration', () => {
    const r = new Rig();
    r.startRx();
    r.nic.receive(Buffer.from('x'));
    r.wr(NIC_MAC_LO, 0);
    assert.strictEqual(r.p.level(GSI), true);
    r.wr(NIC_CTRL, CTRL_RST | CTRL_EN);
    assert.strictEqual(r.rd(NIC_CTRL), 0, 'RST self-clears and the rest resets');
    for (const reg of [NIC_ISR, NIC_IMR, NIC_RX_BASE, NIC_RX_SIZE, NIC_RX_HEAD, NIC_RX_TAIL, NIC_RX_PACKETS, NIC_BAD_DESC]) {
      assert.strictEqual(r.rd(reg), 0, `register 0x${reg.toString(16)}`);
    }
    assert.strictEqual(r.rd(NIC_MAC_LO), 0x1200_5452);
    assert.strictEqual(r.p.level(GSI), false, 'the line drops with ISR');
    assert.ok(r.nic.memoryEnabled, 'BAR0 still decodes');
    assert.strictEqual(r.p.eventsOf('nic').at(-1)!.action, 'reset');
    r.bus.reset();
    assert.strictEqual(r.nic.barAddress(0), 0, 'a system reset does clear the configuration');
  });

  it('peek never changes state, whatever the state (fast-check)', () => {
    const op = fc.oneof(
      fc.record({ k: fc.constant('rx' as const), len: fc.integer({ min: 0, max: 0x140 }) }),
      fc.record({ k: fc.constant('w' as const), reg: fc.constantFrom(...NIC_REGISTERS.map((x) => x.offset)), v: fc.integer({ min: 0, max: 0xffffffff }) }),
      fc.record({ k: fc.constant('tx' as const), n: fc.integer({ min: 1, max: 3 }) }),
      fc.record({ k: fc.constant('cfg' as const), reg: fc.constantFrom(0x04, 0x42, 0x4c), v: fc.integer({ min: 0, max: 0xffff }) }),
    );
    const peek = fc.record({ where: fc.constantFrom('nic', 'window', 'ecam'), off: fc.integer({ min: 0, max: 0xfff }), size: fc.constantFrom(1, 2, 4) });
    fc.assert(fc.property(fc.array(op, { maxLength: 25 }), fc.array(peek, { minLength: 1, maxLength: 40 }), (ops, peeks) => {
      const r = new Rig();
      r.startRx(4, 3, 0x100);
      r.startTx(4);
      for (const o of ops) {
        if (o.k === 'rx') r.nic.receive(new Uint8Array(o.len).fill(0x5a));
        else if (o.k === 'tx') { for (let i = 0; i < o.n; i++) r.queueTx('p'); r.wr(NIC_TX_DOORBELL, 0); }
        else if (o.k === 'cfg') r.cfg(o.reg, 2, o.v);
        else if (o.reg !== NIC_CTRL || !(o.v & CTRL_RST)) r.wr(o.reg, o.v);
      }
      const snap = (): unknown => ({
        regs: r.nic.registers(), cfg: Array.from(r.nic.config.bytes), ram: Buffer.from(r.ram.bytes).toString('hex'),
        pending: r.nic.txPendingBytes, intx: r.nic.intxAsserted,
        calls: [r.p.gsiCalls.length, r.p.msis.length, r.sent.length, r.ram.writes.length, r.p.seen.length],
      });
      const before = snap();
      const win = r.nic.barAddress(0) - 0x4000_0000;
      for (const p of peeks) {
        if (p.where === 'nic') r.nic.peek(p.off, p.size);
        else if (p.where === 'window') r.bus.window.peek(win + p.off, p.size);
        else r.bus.ecam.peek(ecamOffset(0, SLOT, 0, p.off), p.size);
      }
      assert.deepStrictEqual(snap(), before);
    }), { numRuns: 150 });
  });
});
