// docs/machine.md "Inspection has no side effects": from any reachable state, any sequence of peeks (any
// offset in the page, 1/2/4 bytes) changes no state of the IOAPIC or any LAPIC and emits no event.
// The state is compared field by field, private fields included.
import * as assert from 'assert';
import fc from 'fast-check';
import {
  APIC_EOI, APIC_ICR_HIGH, APIC_ICR_LOW, APIC_ID, APIC_LDR, APIC_DFR, APIC_LVT_LINT0, APIC_LVT_TIMER, APIC_SVR,
  APIC_TIMER_DIVIDE, APIC_TIMER_INITIAL, APIC_TPR, IOAPIC_EOI, IOREGSEL, IOWIN,
} from '../../../src/vm/irq';
import { Rig } from './rig';

type Op =
  | { op: 'io-write'; offset: number; value: number }
  | { op: 'set-irq'; pin: number; level: boolean; source: number }
  | { op: 'lapic-write'; vcpu: number; offset: number; value: number }
  | { op: 'ack'; vcpu: number }
  | { op: 'eoi'; vcpu: number }
  | { op: 'advance'; cycles: number }
  | { op: 'msi'; dest: number; data: number };

const VCPUS = 3;
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const LAPIC_WRITABLE = [APIC_ID, APIC_TPR, APIC_EOI, APIC_LDR, APIC_DFR, APIC_SVR, APIC_ICR_LOW, APIC_ICR_HIGH, APIC_LVT_TIMER, APIC_LVT_LINT0, APIC_TIMER_INITIAL, APIC_TIMER_DIVIDE];

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('io-write' as const), offset: fc.constant(IOREGSEL), value: fc.integer({ min: 0, max: 0x3f }) }),
  fc.record({ op: fc.constant('io-write' as const), offset: fc.constantFrom(IOWIN, IOAPIC_EOI), value: fc.oneof(u32, fc.integer({ min: 0, max: 0x1ffff })) }),
  fc.record({ op: fc.constant('set-irq' as const), pin: fc.integer({ min: 0, max: 23 }), level: fc.boolean(), source: fc.integer({ min: 0, max: 3 }) }),
  fc.record({
    op: fc.constant('lapic-write' as const), vcpu: fc.integer({ min: 0, max: VCPUS - 1 }), offset: fc.constantFrom(...LAPIC_WRITABLE),
    value: fc.oneof(u32, fc.integer({ min: 0, max: 0x3ff })),
  }),
  fc.record({ op: fc.constant('ack' as const), vcpu: fc.integer({ min: 0, max: VCPUS - 1 }) }),
  fc.record({ op: fc.constant('eoi' as const), vcpu: fc.integer({ min: 0, max: VCPUS - 1 }) }),
  fc.record({ op: fc.constant('advance' as const), cycles: fc.integer({ min: 0, max: 5000 }) }),
  fc.record({ op: fc.constant('msi' as const), dest: fc.integer({ min: 0, max: 0xff }), data: fc.integer({ min: 0, max: 0xffff }) }),
);

const peekArb = fc.record({
  target: fc.integer({ min: -1, max: VCPUS - 1 }),   // -1 = the IOAPIC
  offset: fc.oneof(fc.integer({ min: 0, max: 0xfff }), fc.constantFrom(0x00, 0x10, 0x40, 0x390, 0xa0, 0x200, 0x100)),
  size: fc.constantFrom(1, 2, 4),
});

function apply(rig: Rig, op: Op): void {
  switch (op.op) {
    case 'io-write': rig.ioapic.write(op.offset, 4, op.value); break;
    case 'set-irq': rig.ioapic.setIrq(op.pin, op.level, { id: op.source }); break;
    case 'lapic-write': rig.lapics[op.vcpu].write(op.offset, 4, op.value); break;
    case 'ack': rig.lapics[op.vcpu].acknowledge(); break;
    case 'eoi': rig.lapics[op.vcpu].write(APIC_EOI, 4, 0); break;
    case 'advance': rig.clock.advance(op.cycles); for (const l of rig.lapics) l.tick(); break;
    case 'msi': rig.router.deliverMsi(0xfee0_0000 | (op.dest << 12), op.data); break;
  }
}

/** Every own data field of a model: numbers, booleans, typed arrays and the timer's state. */
function fields(model: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(model)) {
    if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string' || value === undefined) out[key] = value;
    else if (ArrayBuffer.isView(value)) out[key] = Array.from(value as Uint32Array);
    else if (key === 'timer') out[key] = fields(value as object);
  }
  return out;
}

function snapshot(rig: Rig): unknown {
  return {
    ioapic: fields(rig.ioapic),
    lapics: rig.lapics.map((l) => ({ ...fields(l), state: l.state() })),
    meip: rig.meip.slice(),
  };
}

describe('peek has no side effects', () => {
  it('random peeks from random reachable states never change any state or emit events', () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 60 }), fc.array(peekArb, { minLength: 1, maxLength: 40 }), (ops, peeks) => {
      const rig = new Rig({ vcpus: VCPUS });
      for (const op of ops) apply(rig, op);
      const before = snapshot(rig);
      rig.clearLog();
      for (const p of peeks) {
        const model = p.target < 0 ? rig.ioapic : rig.lapics[p.target];
        const value = model.peek(p.offset, p.size);
        assert.ok(Number.isInteger(value) && value >= 0 && value < 2 ** (8 * p.size), `peek value ${value}`);
      }
      assert.deepStrictEqual(snapshot(rig), before);
      assert.deepStrictEqual(rig.log, []);
    }), { numRuns: 300 });
  });

  it('on these models a guest read returns what a peek returns (reads have no side effects either)', () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 40 }), fc.array(peekArb, { minLength: 1, maxLength: 20 }), (ops, peeks) => {
      const rig = new Rig({ vcpus: VCPUS });
      for (const op of ops) apply(rig, op);
      for (const p of peeks) {
        const model = p.target < 0 ? rig.ioapic : rig.lapics[p.target];
        assert.strictEqual(model.read(p.offset, p.size), model.peek(p.offset, p.size));
      }
    }), { numRuns: 200 });
  });
});
