// The Local APIC model: xAPIC MMIO layout (SDM Table 11-1), priorities (§11.8.3), ISR nesting and
// EOI (§11.8.4–5), SVR (§11.4.7.2), destinations (§11.6.2), IPIs (§11.6.1), the timer (§11.5.4).
import * as assert from 'assert';
import {
  APIC_APR, APIC_DFR, APIC_EOI, APIC_ESR, APIC_ICR_HIGH, APIC_ICR_LOW, APIC_ID, APIC_IRR, APIC_ISR, APIC_LDR, APIC_LVR,
  APIC_LVT_ERROR, APIC_LVT_LINT0, APIC_LVT_LINT1, APIC_LVT_PERF, APIC_LVT_THERMAL, APIC_LVT_TIMER, APIC_PPR, APIC_SVR,
  APIC_TIMER_CURRENT, APIC_TIMER_DIVIDE, APIC_TIMER_INITIAL, APIC_TMR, APIC_TPR, ApicMessage, Lapic, testVector,
} from '../../../src/vm/irq';
import { ManualClock, Rig } from './rig';

const MASKED = 1 << 16;
const PERIODIC = 1 << 17;

function fixed(vector: number, trigMode = 0): ApicMessage {
  return { vector, deliveryMode: 0, destMode: 0, destination: 0, trigMode, level: true, shorthand: 0, sourceApic: -1, source: 'test' };
}

describe('LAPIC registers', () => {
  it('reads its reset values through MMIO', () => {
    const rig = new Rig({ vcpus: 2, enable: false });
    const [bsp, ap] = rig.lapics;
    assert.strictEqual(ap.read(APIC_ID, 4), 0x0100_0000, 'ID = vCPU index in bits 31:24');
    assert.strictEqual(bsp.read(APIC_LVR, 4), 0x0005_0014, 'version 0x14, 6 LVTs');
    assert.strictEqual(bsp.read(APIC_DFR, 4), 0xffff_ffff, 'flat model');
    for (const reg of [APIC_TPR, APIC_APR, APIC_PPR, APIC_LDR, APIC_ESR, APIC_ICR_LOW, APIC_ICR_HIGH, APIC_TIMER_INITIAL, APIC_TIMER_CURRENT, APIC_TIMER_DIVIDE]) {
      assert.strictEqual(bsp.read(reg, 4), 0, `register 0x${reg.toString(16)}`);
    }
    for (const reg of [APIC_LVT_TIMER, APIC_LVT_THERMAL, APIC_LVT_PERF, APIC_LVT_LINT1, APIC_LVT_ERROR]) assert.strictEqual(ap.read(reg, 4), MASKED);
    assert.strictEqual(ap.read(APIC_LVT_LINT0, 4), MASKED);
    assert.strictEqual(bsp.read(APIC_LVT_LINT0, 4), 0x700, "KVM's BSP quirk: LINT0 ExtINT, unmasked");
  });

  it('reads bytes and halves within a register; misaligned, wide and write-only reads give 0', () => {
    const lapic = new Rig({ vcpus: 4 }).lapics[3];
    lapic.write(APIC_LDR, 4, 0xa500_0000);
    assert.strictEqual(lapic.read(APIC_LDR + 3, 1), 0xa5);
    assert.strictEqual(lapic.read(APIC_LDR + 2, 2), 0xa500);
    assert.strictEqual(lapic.read(APIC_LDR + 3, 2), 0, 'crosses the 32-bit register');
    assert.strictEqual(lapic.read(APIC_LDR + 4, 4), 0);
    assert.strictEqual(lapic.read(APIC_EOI, 4), 0, 'EOI is write-only');
    assert.strictEqual(lapic.read(0x400, 4), 0);
    assert.strictEqual(lapic.read(APIC_ID + 0x1000, 4), 0x0300_0000, 'offsets wrap within the 4 KiB page');
  });

  it('ignores writes that are not aligned 32-bit accesses, and writes to read-only registers', () => {
    const lapic = new Rig().lapic;
    lapic.write(APIC_TPR, 1, 0x20);
    lapic.write(APIC_TPR + 4, 4, 0x20);
    assert.strictEqual(lapic.read(APIC_TPR, 4), 0);
    lapic.write(APIC_LVR, 4, 0);
    lapic.write(APIC_PPR, 4, 0xff);
    lapic.write(APIC_IRR, 4, 0xffff_ffff);
    lapic.write(APIC_ESR, 4, 0xff);
    assert.deepStrictEqual([lapic.read(APIC_LVR, 4), lapic.read(APIC_PPR, 4), lapic.read(APIC_IRR, 4), lapic.read(APIC_ESR, 4)], [0x0005_0014, 0, 0, 0]);
  });

  it('applies the write masks: ID 31:24, TPR 7:0, LDR 31:24, DFR 31:28, SVR 9:0, ICR high 31:24', () => {
    const lapic = new Rig().lapic;
    for (const reg of [APIC_ID, APIC_TPR, APIC_LDR, APIC_DFR, APIC_SVR, APIC_ICR_HIGH]) lapic.write(reg, 4, 0x1234_5678);
    assert.deepStrictEqual(
      [APIC_ID, APIC_TPR, APIC_LDR, APIC_DFR, APIC_SVR, APIC_ICR_HIGH].map((r) => lapic.read(r, 4)),
      [0x1200_0000, 0x78, 0x1200_0000, 0x1fff_ffff, 0x278, 0x1200_0000]);
  });

  it("applies KVM's LVT masks: the timer keeps its mode bit, LINTs their trigger bits, the rest vector and mask", () => {
    const lapic = new Rig().lapic;
    const all = 0xffff_ffff;
    for (const reg of [APIC_LVT_TIMER, APIC_LVT_THERMAL, APIC_LVT_PERF, APIC_LVT_LINT0, APIC_LVT_LINT1, APIC_LVT_ERROR]) lapic.write(reg, 4, all);
    assert.deepStrictEqual(
      [APIC_LVT_TIMER, APIC_LVT_THERMAL, APIC_LVT_PERF, APIC_LVT_LINT0, APIC_LVT_LINT1, APIC_LVT_ERROR].map((r) => lapic.read(r, 4)),
      [0x0003_10ff, 0x0001_17ff, 0x0001_17ff, 0x0001_f7ff, 0x0001_f7ff, 0x0001_10ff]);
  });

  it('names its registers', () => {
    const lapic = new Rig().lapic;
    assert.deepStrictEqual([APIC_TPR, APIC_EOI, APIC_ISR + 0x30, APIC_IRR + 0x70, APIC_ICR_LOW, APIC_TIMER_CURRENT, 0x3f0].map((o) => lapic.registerName(o)),
      ['TPR', 'EOI', 'ISR3', 'IRR7', 'ICR_LOW', 'TIMER_CURRENT_COUNT', undefined]);
  });
});

describe('LAPIC priorities, ISR and EOI', () => {
  it('shows IRR, ISR and TMR as 256-bit bitmaps in eight registers', () => {
    const lapic = new Rig().lapic;
    lapic.acceptInterrupt(0x20, false);
    lapic.acceptInterrupt(0xff, true);
    assert.strictEqual(lapic.read(APIC_IRR + 0x10, 4), 1);
    assert.strictEqual(lapic.read(APIC_IRR + 0x70, 4), 0x8000_0000);
    assert.strictEqual(lapic.read(APIC_TMR + 0x70, 4), 0x8000_0000);
    assert.strictEqual(lapic.read(APIC_TMR + 0x10, 4), 0);
    assert.strictEqual(lapic.acknowledge(), 0xff);
    assert.strictEqual(lapic.read(APIC_ISR + 0x70, 4), 0x8000_0000);
    assert.strictEqual(lapic.read(APIC_IRR + 0x70, 4), 0);
  });

  it('sets TMR for a level-triggered acceptance and clears it for an edge one', () => {
    const lapic = new Rig().lapic;
    lapic.receive(fixed(0x55, 1));
    assert.ok(testVector(lapic.tmr, 0x55));
    lapic.acknowledge();
    lapic.receive(fixed(0x55, 0));
    assert.ok(!testVector(lapic.tmr, 0x55));
  });

  it('a higher class preempts the one in service; EOI retires the highest first', () => {
    const rig = new Rig();
    const lapic = rig.lapic;
    lapic.acceptInterrupt(0x40, false);
    assert.strictEqual(lapic.acknowledge(), 0x40);
    assert.strictEqual(rig.meip[0], false);
    lapic.acceptInterrupt(0x45, false);
    assert.strictEqual(lapic.blockedBy(0x45), 'isr', 'same class as the one in service');
    lapic.acceptInterrupt(0x60, false);
    assert.strictEqual(rig.meip[0], true);
    assert.strictEqual(lapic.acknowledge(), 0x60, 'nested');
    assert.deepStrictEqual(lapic.isrVectors(), [0x40, 0x60]);
    assert.strictEqual(lapic.read(APIC_PPR, 4), 0x60);
    lapic.write(APIC_EOI, 4, 0);
    assert.deepStrictEqual(lapic.isrVectors(), [0x40], 'EOI retired 0x60, the highest');
    assert.strictEqual(lapic.highestDeliverable(), -1, '0x45 still waits for 0x40');
    lapic.write(APIC_EOI, 4, 0);
    assert.strictEqual(lapic.highestDeliverable(), 0x45);
    assert.strictEqual(rig.meip[0], true);
    assert.deepStrictEqual(rig.of('lapic-eoi').map((e) => e.vector), [0x60, 0x40]);
  });

  it('an EOI with nothing in service changes nothing and broadcasts nothing', () => {
    const rig = new Rig();
    rig.lapic.write(APIC_EOI, 4, 0);
    assert.deepStrictEqual(rig.of('lapic-eoi').map((e) => [e.vector, e.level]), [[-1, false]]);
    assert.strictEqual(rig.of('eoi-broadcast').length, 0);
  });

  it('broadcasts the EOI only for vectors whose TMR bit is set', () => {
    const broadcasts: number[] = [];
    const lapic = new Lapic({ index: 0, bus: { deliver: () => 0 }, clock: new ManualClock(), eoiBroadcast: (v) => broadcasts.push(v) });
    lapic.write(APIC_SVR, 4, 0x100);
    lapic.receive(fixed(0x31, 0));
    lapic.receive(fixed(0x41, 1));
    lapic.acknowledge();
    lapic.acknowledge();
    lapic.write(APIC_EOI, 4, 0);
    lapic.write(APIC_EOI, 4, 0);
    assert.deepStrictEqual(broadcasts, [0x41]);
  });

  it('INTA with nothing deliverable returns the spurious vector and changes nothing', () => {
    const rig = new Rig();
    rig.lapic.write(APIC_SVR, 4, 0x1e7);
    rig.lapic.write(APIC_TPR, 4, 0xf0);
    rig.lapic.acceptInterrupt(0x80, false);
    assert.strictEqual(rig.lapic.acknowledge(), 0xe7);
    assert.deepStrictEqual([rig.lapic.irrVectors(), rig.lapic.isrVectors()], [[0x80], []]);
    assert.strictEqual(rig.of('lapic-ack')[0].spurious, true);
  });

  it('signals MEIP on changes only: accept, INTA, TPR and EOI', () => {
    const seen: boolean[] = [];
    const lapic = new Lapic({ index: 0, bus: { deliver: () => 0 }, clock: new ManualClock(), onInterruptChange: (h) => seen.push(h) });
    lapic.write(APIC_SVR, 4, 0x100);
    lapic.acceptInterrupt(0x50, false);
    lapic.acceptInterrupt(0x51, false);
    lapic.write(APIC_TPR, 4, 0x50);
    lapic.write(APIC_TPR, 4, 0);
    lapic.acknowledge();
    lapic.write(APIC_EOI, 4, 0);
    assert.deepStrictEqual(seen, [true, false, true, false, true]);
  });

  it('blockedBy explains a pending vector: TPR, ISR, or a higher one first', () => {
    const lapic = new Rig().lapic;
    assert.strictEqual(lapic.blockedBy(0x33), 'not-pending');
    lapic.acceptInterrupt(0x33, false);
    lapic.acceptInterrupt(0x90, false);
    assert.strictEqual(lapic.blockedBy(0x33), 'higher-pending');
    assert.strictEqual(lapic.blockedBy(0x90), undefined);
    lapic.write(APIC_TPR, 4, 0x9f);
    assert.strictEqual(lapic.blockedBy(0x90), 'tpr');
  });

  it('computes the arbitration priority from TPR, IRR and ISR (SDM §11.6.2.4); APR reads 0 as on KVM', () => {
    const lapic = new Rig().lapic;
    lapic.write(APIC_TPR, 4, 0x25);
    assert.strictEqual(lapic.arbitrationPriority(), 0x25);
    lapic.acceptInterrupt(0x47, false);
    assert.strictEqual(lapic.arbitrationPriority(), 0x40, 'IRR class above TPR');
    lapic.acknowledge();
    assert.strictEqual(lapic.arbitrationPriority(), 0x40, 'ISR class above TPR');
    assert.strictEqual(lapic.read(APIC_APR, 4), 0);
  });
});

describe('LAPIC software enable (SVR)', () => {
  it('a software-disabled LAPIC refuses fixed interrupts (as KVM) but keeps what IRR already holds', () => {
    const rig = new Rig();
    rig.lapic.acceptInterrupt(0x61, false);
    rig.lapic.write(APIC_SVR, 4, 0x0ff);
    assert.strictEqual(rig.lapic.acceptInterrupt(0x62, false), false);
    assert.deepStrictEqual(rig.lapic.irrVectors(), [0x61]);
    assert.strictEqual(rig.lapic.acknowledge(), 0x61, 'pending IRR is still delivered (SDM §11.4.7.2)');
    assert.strictEqual(rig.of('lapic-accept').at(-1)?.reason, 'apic-disabled');
  });

  it('disabling masks every LVT and keeps them masked until re-enabled', () => {
    const lapic = new Rig().lapic;
    lapic.write(APIC_LVT_TIMER, 4, 0x30);
    lapic.write(APIC_LVT_LINT1, 4, 0x400);
    lapic.write(APIC_SVR, 4, 0x0ff);
    assert.strictEqual(lapic.read(APIC_LVT_TIMER, 4), MASKED | 0x30);
    assert.strictEqual(lapic.read(APIC_LVT_LINT1, 4), MASKED | 0x400);
    lapic.write(APIC_LVT_TIMER, 4, 0x31);
    assert.strictEqual(lapic.read(APIC_LVT_TIMER, 4), MASKED | 0x31, 'the mask cannot be cleared');
    lapic.write(APIC_SVR, 4, 0x1ff);
    assert.strictEqual(lapic.read(APIC_LVT_TIMER, 4), MASKED | 0x31, 'enabling does not unmask');
    lapic.write(APIC_LVT_TIMER, 4, 0x31);
    assert.strictEqual(lapic.read(APIC_LVT_TIMER, 4), 0x31);
  });

  it('still accepts NMI, INIT and STARTUP while disabled and hands them to the vCPU', () => {
    const special: number[] = [];
    const lapic = new Lapic({ index: 0, bus: { deliver: () => 0 }, clock: new ManualClock(), onSpecialMessage: (m) => special.push(m.deliveryMode) });
    for (const mode of [4, 5, 6]) assert.ok(lapic.receive({ ...fixed(0x10), deliveryMode: mode }));
    assert.ok(!lapic.receive({ ...fixed(0), deliveryMode: 5, trigMode: 1, level: false }), 'INIT level de-assert');
    assert.ok(!lapic.receive({ ...fixed(0x10), deliveryMode: 7 }), 'ExtINT: no 8259');
    assert.deepStrictEqual(special, [4, 5, 6]);
    assert.deepStrictEqual(lapic.irrVectors(), []);
  });
});

describe('LAPIC destinations', () => {
  it('physical: its APIC ID or the 0xFF broadcast, and the ID is writable', () => {
    const lapic = new Rig({ vcpus: 3 }).lapics[2];
    assert.ok(lapic.matchDestination(0, 2, 0, -1) && lapic.matchDestination(0, 0xff, 0, -1) && !lapic.matchDestination(0, 1, 0, -1));
    lapic.write(APIC_ID, 4, 0x0700_0000);
    assert.ok(lapic.matchDestination(0, 7, 0, -1) && !lapic.matchDestination(0, 2, 0, -1));
  });

  it('logical cluster: cluster in bits 7:4 must be equal, members in 3:0 must share a bit', () => {
    const lapic = new Rig().lapic;
    lapic.write(APIC_DFR, 4, 0x0fff_ffff);
    lapic.write(APIC_LDR, 4, 0x32 << 24);
    assert.ok(lapic.matchDestination(1, 0x32, 0, -1));
    assert.ok(lapic.matchDestination(1, 0x3f, 0, -1));
    assert.ok(!lapic.matchDestination(1, 0x31, 0, -1));
    assert.ok(!lapic.matchDestination(1, 0x22, 0, -1));
    assert.ok(lapic.matchDestination(1, 0xff, 0, -1), '0xFF is a broadcast in either model');
  });

  it('a DFR model other than flat or cluster matches no logical destination', () => {
    const lapic = new Rig().lapic;
    lapic.write(APIC_DFR, 4, 0x5000_0000);
    lapic.write(APIC_LDR, 4, 0x01 << 24);
    assert.ok(!lapic.matchDestination(1, 0x01, 0, -1));
  });

  it('shorthands: self, all including self, all excluding self', () => {
    const lapic = new Rig({ vcpus: 2 }).lapics[1];
    assert.deepStrictEqual([1, 2, 3].map((s) => [lapic.matchDestination(0, 0, s, 1), lapic.matchDestination(0, 0, s, 0)]),
      [[true, false], [true, true], [false, true]]);
  });
});

describe('LAPIC IPIs', () => {
  function sendIpi(rig: Rig, from: number, low: number, dest = 0): void {
    rig.lapics[from].write(APIC_ICR_HIGH, 4, dest << 24);
    rig.lapics[from].write(APIC_ICR_LOW, 4, low);
  }
  const vectorsIn = (rig: Rig, v: number): boolean[] => rig.lapics.map((l) => testVector(l.irr, v));

  it('fixed, physical: reaches the destination APIC ID only', () => {
    const rig = new Rig({ vcpus: 3 });
    sendIpi(rig, 0, 0x50, 2);
    assert.deepStrictEqual(vectorsIn(rig, 0x50), [false, false, true]);
    const ipi = rig.of('ipi')[0];
    assert.deepStrictEqual([ipi.apic, ipi.vcpu, ipi.destination, ipi.shorthand], [0, 0, 2, 'none']);
    assert.deepStrictEqual(rig.of('apic-route')[0].targets, [2]);
  });

  it('shorthand self', () => {
    const rig = new Rig({ vcpus: 3 });
    sendIpi(rig, 1, 0x51 | (1 << 18), 2);
    assert.deepStrictEqual(vectorsIn(rig, 0x51), [false, true, false]);
  });

  it('shorthand all including self', () => {
    const rig = new Rig({ vcpus: 3 });
    sendIpi(rig, 1, 0x52 | (2 << 18));
    assert.deepStrictEqual(vectorsIn(rig, 0x52), [true, true, true]);
    assert.deepStrictEqual(rig.of('apic-route')[0].targets, [0, 1, 2]);
  });

  it('shorthand all excluding self', () => {
    const rig = new Rig({ vcpus: 3 });
    sendIpi(rig, 1, 0x53 | (3 << 18));
    assert.deepStrictEqual(vectorsIn(rig, 0x53), [true, false, true]);
  });

  it('logical flat destination mask', () => {
    const rig = new Rig({ vcpus: 3 });
    rig.lapics.forEach((l, i) => l.write(APIC_LDR, 4, (1 << i) << 24));
    sendIpi(rig, 0, 0x54 | (1 << 11), 0b110);
    assert.deepStrictEqual(vectorsIn(rig, 0x54), [false, true, true]);
  });

  it('level-triggered IPIs set TMR; a level de-assert is not delivered', () => {
    const rig = new Rig({ vcpus: 2 });
    sendIpi(rig, 0, 0x55 | (1 << 15) | (1 << 14), 1);
    assert.ok(testVector(rig.lapics[1].tmr, 0x55));
    sendIpi(rig, 0, 0x56 | (1 << 15), 1);
    assert.ok(!testVector(rig.lapics[1].irr, 0x56));
  });

  it('an IPI to a software-disabled LAPIC is not accepted', () => {
    const rig = new Rig({ vcpus: 2 });
    rig.lapics[1].write(APIC_SVR, 4, 0xff);
    sendIpi(rig, 0, 0x57, 1);
    const accept = rig.of('lapic-accept')[0];
    assert.deepStrictEqual([accept.apic, accept.vector, accept.accepted, accept.reason, accept.source], [1, 0x57, false, 'apic-disabled', 'ipi apic 0']);
  });

  it('INIT and STARTUP IPIs are accepted and handed to onSpecialMessage', () => {
    const rig = new Rig({ vcpus: 2 });
    const got: string[] = [];
    rig.lapics[1].onSpecialMessage = (m) => got.push(`${m.deliveryMode}:${m.vector.toString(16)}`);
    sendIpi(rig, 0, 0x500 | (1 << 14), 1);
    sendIpi(rig, 0, 0x600 | 0x9a, 1);
    assert.deepStrictEqual(got, ['5:0', '6:9a']);
    assert.deepStrictEqual(rig.lapics[1].irrVectors(), []);
  });
});

describe('LAPIC timer', () => {
  function timerRig(): { rig: Rig; lapic: Lapic } {
    const rig = new Rig();
    return { rig, lapic: rig.lapic };
  }

  it('one-shot: fires once after initial count × divisor cycles', () => {
    const { rig, lapic } = timerRig();
    lapic.write(APIC_TIMER_DIVIDE, 4, 0b0001);   // ÷4
    lapic.write(APIC_LVT_TIMER, 4, 0xec);
    const start = rig.clock.t;
    lapic.write(APIC_TIMER_INITIAL, 4, 100);
    assert.strictEqual(lapic.nextTimerDeadline(), start + 400);
    assert.strictEqual(lapic.tick(start + 399), false);
    assert.strictEqual(lapic.tick(start + 400), true);
    assert.deepStrictEqual(lapic.irrVectors(), [0xec]);
    assert.strictEqual(lapic.nextTimerDeadline(), undefined);
    assert.strictEqual(lapic.tick(start + 10_000), false);
    const fire = rig.of('timer-fire')[0];
    assert.deepStrictEqual([fire.vector, fire.deadline, fire.periodic, fire.masked], [0xec, start + 400, false, false]);
  });

  it('the current count counts down from the initial count and stays 0 after a one-shot', () => {
    const { rig, lapic } = timerRig();
    lapic.write(APIC_TIMER_DIVIDE, 4, 0b0001);   // ÷4
    lapic.write(APIC_LVT_TIMER, 4, 0xec);
    lapic.write(APIC_TIMER_INITIAL, 4, 100);
    assert.strictEqual(lapic.read(APIC_TIMER_CURRENT, 4), 100);
    rig.clock.advance(4);
    assert.strictEqual(lapic.read(APIC_TIMER_CURRENT, 4), 99);
    rig.clock.advance(5);
    assert.strictEqual(lapic.read(APIC_TIMER_CURRENT, 4), 97, '391 cycles left / 4');
    assert.strictEqual(lapic.read(APIC_TIMER_CURRENT, 4), 97, 'reading does not change it');
    rig.clock.advance(1000);
    assert.strictEqual(lapic.read(APIC_TIMER_CURRENT, 4), 0, 'expired, even before tick()');
    lapic.tick();
    assert.strictEqual(lapic.read(APIC_TIMER_CURRENT, 4), 0);
    assert.strictEqual(lapic.read(APIC_TIMER_INITIAL, 4), 100);
  });

  it('periodic: fires every period, reloads, and keeps its phase when tick() comes late', () => {
    const { rig, lapic } = timerRig();
    lapic.write(APIC_TIMER_DIVIDE, 4, 0b1011);   // ÷1
    lapic.write(APIC_LVT_TIMER, 4, PERIODIC | 0xed);
    const t0 = rig.clock.t;
    lapic.write(APIC_TIMER_INITIAL, 4, 50);
    for (let k = 1; k <= 3; k++) {
      assert.strictEqual(lapic.nextTimerDeadline(), t0 + 50 * k);
      assert.ok(lapic.tick(t0 + 50 * k));
      lapic.acknowledge();
      lapic.write(APIC_EOI, 4, 0);
    }
    rig.clock.t = t0 + 160;
    assert.strictEqual(lapic.read(APIC_TIMER_CURRENT, 4), 40, 'reloaded: 10 cycles into the 4th period');
    assert.ok(lapic.tick(t0 + 330), 'late by 3 periods: one interrupt');
    assert.strictEqual(rig.of('timer-fire').at(-1)?.missed, 2);
    assert.strictEqual(lapic.nextTimerDeadline(), t0 + 350);
  });

  it('decodes every divide configuration (SDM Figure 11-10) and reads TDCR back masked to 0xB', () => {
    const lapic = timerRig().lapic;
    const table: [number, number][] = [[0b0000, 2], [0b0001, 4], [0b0010, 8], [0b0011, 16], [0b1000, 32], [0b1001, 64], [0b1010, 128], [0b1011, 1]];
    for (const [config, divisor] of table) {
      lapic.write(APIC_TIMER_DIVIDE, 4, config | 0xfffffff4);
      assert.strictEqual(lapic.read(APIC_TIMER_DIVIDE, 4), config);
      assert.strictEqual(lapic.timer.divisor(), divisor, `TDCR ${config.toString(2)}`);
    }
  });

  it('a new divisor mid-count rescales the time left (KVM update_target_expiration)', () => {
    const { rig, lapic } = timerRig();
    lapic.write(APIC_TIMER_DIVIDE, 4, 0b0000);   // ÷2
    lapic.write(APIC_LVT_TIMER, 4, 0xee);
    const t0 = rig.clock.t;
    lapic.write(APIC_TIMER_INITIAL, 4, 100);      // 200 cycles
    rig.clock.advance(100);                        // count 50 left
    lapic.write(APIC_TIMER_DIVIDE, 4, 0b0011);   // ÷16
    assert.strictEqual(lapic.read(APIC_TIMER_CURRENT, 4), 50);
    assert.strictEqual(lapic.nextTimerDeadline(), t0 + 100 + 50 * 16);
  });

  it('writing 0 to the initial count stops the timer', () => {
    const { rig, lapic } = timerRig();
    lapic.write(APIC_LVT_TIMER, 4, 0xef);
    lapic.write(APIC_TIMER_INITIAL, 4, 10);
    lapic.write(APIC_TIMER_INITIAL, 4, 0);
    assert.strictEqual(lapic.nextTimerDeadline(), undefined);
    assert.strictEqual(lapic.tick(rig.clock.t + 1000), false);
  });

  it('counts in guest cycles per bus clock when configured', () => {
    const lapic = new Lapic({ index: 0, bus: { deliver: () => 0 }, clock: new ManualClock(0), cyclesPerBusClock: 3 });
    lapic.write(APIC_SVR, 4, 0x100);
    lapic.write(APIC_LVT_TIMER, 4, 0x40);
    lapic.write(APIC_TIMER_INITIAL, 4, 10);
    assert.strictEqual(lapic.nextTimerDeadline(), 10 * 2 * 3);
  });

  it('a masked timer counts but raises nothing, and expiries while masked are lost on unmask', () => {
    const { rig, lapic } = timerRig();
    lapic.write(APIC_LVT_TIMER, 4, MASKED | 0xe0);
    const t0 = rig.clock.t;
    lapic.write(APIC_TIMER_INITIAL, 4, 10);       // ÷2: 20 cycles
    assert.strictEqual(lapic.nextTimerDeadline(), undefined, 'nothing for the run loop to wait for');
    rig.clock.t = t0 + 25;
    assert.strictEqual(lapic.read(APIC_TIMER_CURRENT, 4), 0, 'it ran out anyway');
    lapic.write(APIC_LVT_TIMER, 4, 0xe0);
    assert.strictEqual(lapic.tick(), false);
    assert.deepStrictEqual(lapic.irrVectors(), []);
  });

  it('tick() on a masked timer consumes the expiry with a masked event', () => {
    const { rig, lapic } = timerRig();
    lapic.write(APIC_LVT_TIMER, 4, MASKED | 0xe1);
    lapic.write(APIC_TIMER_INITIAL, 4, 10);
    assert.strictEqual(lapic.tick(rig.clock.t + 20), false);
    assert.strictEqual(rig.of('timer-fire')[0].masked, true);
  });

  it('tells the run loop when its deadline changes', () => {
    const deadlines: (number | undefined)[] = [];
    const clock = new ManualClock(0);
    const lapic = new Lapic({ index: 0, bus: { deliver: () => 0 }, clock, onTimerDeadlineChange: (d) => deadlines.push(d) });
    lapic.write(APIC_SVR, 4, 0x100);
    lapic.write(APIC_LVT_TIMER, 4, 0x40);
    lapic.write(APIC_TIMER_INITIAL, 4, 10);
    lapic.tick(20);
    assert.deepStrictEqual(deadlines.slice(-3), [undefined, 20, undefined]);
  });

  it('disabling the APIC masks the timer: no interrupt at the deadline', () => {
    const { rig, lapic } = timerRig();
    lapic.write(APIC_LVT_TIMER, 4, 0xe2);
    lapic.write(APIC_TIMER_INITIAL, 4, 10);
    lapic.write(APIC_SVR, 4, 0xff);
    assert.strictEqual(lapic.nextTimerDeadline(), undefined);
    assert.strictEqual(lapic.tick(rig.clock.t + 20), false);
  });
});
