// Launch configurations (docs/contracts.md): the schema package.json contributes is the one the adapter
// checks; bad fields are named; defaults fill the rest.
import * as assert from 'assert';
import packageJson from '../../package.json';
import { LAUNCH_SCHEMA, parseLaunchArguments } from '../../src/debug/launch';
import { DEFAULT_COST_MODEL } from '../../src/vm/hv/cost-model';

const err = (args: unknown): string => {
  const r = parseLaunchArguments(args);
  assert.ok('error' in r, `accepted ${JSON.stringify(args)}`);
  return r.error;
};

describe('debug adapter: launch configuration', () => {
  it('validates against the schema package.json contributes, which documents every field', () => {
    const dbg = (packageJson as { contributes: { debuggers: { type: string; configurationAttributes: { launch: unknown } }[] } }).contributes.debuggers.find((d) => d.type === 'hyperstep')!;
    assert.strictEqual(LAUNCH_SCHEMA, dbg.configurationAttributes.launch);
    const props = LAUNCH_SCHEMA.properties!;
    for (const f of ['program', 'vcpus', 'memoryMiB', 'mmu', 'vpid', 'irqchip', 'stopOnEntry', 'devices', 'events', 'costModel']) {
      assert.ok(props[f], f);
      assert.ok(typeof props[f].description === 'string' && (props[f].description as string).length > 10, `${f} has a description`);
    }
    assert.deepStrictEqual(props.irqchip.enum, ['kernel', 'split', 'userspace']);
    assert.deepStrictEqual(Object.keys(props.costModel.properties!), Object.keys(DEFAULT_COST_MODEL));
  });

  it('fills the defaults of docs/contracts.md', () => {
    const r = parseLaunchArguments({ type: 'hyperstep', request: 'launch', name: 'x', program: 'a.s', __sessionId: 'abc', noDebug: false });
    assert.ok(!('error' in r));
    assert.deepStrictEqual({ ...r, cost: undefined }, {
      program: 'a.s', vcpus: 1, memoryMiB: 64, mmu: 'ept', vpid: true, compiler: true, irqchip: 'kernel', stopOnEntry: true, nic: { slot: 3, msi: true },
      events: [], cost: undefined, tlb: { entries: 64, ways: 4 }, gpaCache: { entries: 16, ways: 4 }, historyBytes: 512 * 1024 * 1024, interruptChains: 1024, strictMmio: false,
    });
  });

  it('takes strictMmio (an access no device claims stops the VM) and refuses a non-boolean', () => {
    const r = parseLaunchArguments({ program: 'a.s', strictMmio: true });
    assert.ok(!('error' in r));
    assert.strictEqual(r.strictMmio, true);
    assert.strictEqual(err({ program: 'a.s', strictMmio: 'yes' }), 'launch configuration: strictMmio must be a boolean');
  });

  it('takes the example of docs/contracts.md', () => {
    const r = parseLaunchArguments({
      type: 'hyperstep', request: 'launch', name: 'NIC interrupt', program: 'examples/nic-irq.s', vcpus: 1, memoryMiB: 64, mmu: 'ept', vpid: true,
      irqchip: 'kernel', stopOnEntry: true, devices: { nic: { slot: 3, msi: false } }, events: [{ atCycle: 20000, nic: 'rx', data: 'hello' }], costModel: { vmmExit: 9000 },
    });
    assert.ok(!('error' in r));
    assert.deepStrictEqual(r.nic, { slot: 3, msi: false });
    assert.deepStrictEqual(r.events, [{ atCycle: 20000, kind: 'nic-rx', data: new TextEncoder().encode('hello') }]);
    assert.strictEqual(r.cost.vmmExit, 9000);
    assert.strictEqual(r.cost.exitRoundTrip, DEFAULT_COST_MODEL.exitRoundTrip);
  });

  it('takes cache geometries, partly given, for the TLB and the guest-physical mappings cache', () => {
    const r = parseLaunchArguments({ program: 'a.s', tlb: { entries: 128 }, gpaCache: { entries: 2, ways: 1 } });
    assert.ok(!('error' in r));
    assert.deepStrictEqual([r.tlb, r.gpaCache], [{ entries: 128, ways: 4 }, { entries: 2, ways: 1 }]);
  });

  it('names the field of every mistake', () => {
    assert.strictEqual(err({ program: 'a.s', irqchip: 'qemu' }), 'launch configuration: irqchip must be one of kernel, split, userspace');
    assert.strictEqual(err({ program: 'a.s', mmu: 'rvi' }), 'launch configuration: mmu must be one of ept, npt, shadow');
    assert.strictEqual(err({}), 'launch configuration: program is required');
    assert.strictEqual(err({ program: '' }), 'launch configuration: program must not be empty');
    assert.strictEqual(err({ program: 'a.s', vcpus: 65 }), 'launch configuration: vcpus must be at most 64');
    assert.strictEqual(err({ program: 'a.s', vcpus: 1.5 }), 'launch configuration: vcpus must be an integer');
    assert.strictEqual(err({ program: 'a.s', vpid: 'yes' }), 'launch configuration: vpid must be a boolean');
    assert.strictEqual(err({ program: 'a.s', devices: { nic: true } }), 'launch configuration: devices.nic must be one of: false; an object {slot, msi}');
    assert.strictEqual(err({ program: 'a.s', devices: { nic: { slot: 0 } } }), 'launch configuration: devices.nic.slot must be at least 1');
    assert.strictEqual(err({ program: 'a.s', devices: { disk: {} } }), 'launch configuration: devices.disk is not a known field (known: nic)');
    assert.strictEqual(err({ program: 'a.s', events: [{ atCycle: 1, nic: 'tx', data: 'x' }] }), 'launch configuration: events[0].nic must be one of rx');
    assert.strictEqual(err({ program: 'a.s', events: [{ atCycle: -1, uart: 'x' }] }), 'launch configuration: events[0].atCycle must be at least 0');
    assert.strictEqual(err({ program: 'a.s', events: [{ atCycle: 1, irq: 30, level: 1 }] }), 'launch configuration: events[0].irq must be at most 23');
    assert.match(err({ program: 'a.s', events: [{ atCycle: 1 }] }), /^launch configuration: events\[0\] must be exactly one of: nic \+ data; irq \+ level; uart$/);
    assert.strictEqual(err({ program: 'a.s', events: [{ atCycle: 1, nic: 'rx', data: 'zz', encoding: 'hex' }] }), 'launch configuration: events[0].data must be pairs of hex digits');
    assert.strictEqual(err({ program: 'a.s', devices: { nic: false }, events: [{ atCycle: 1, nic: 'rx', data: 'x' }] }), 'launch configuration: events[0] sends a NIC packet but devices.nic is false');
    assert.match(err({ program: 'a.s', costModel: { ioctl: 'fast' } }), /^launch configuration: costModel\.ioctl must be an integer$/);
    assert.match(err({ program: 'a.s', stopOnEntri: true }), /^launch configuration: stopOnEntri is not a known field \(known: program, /);
    assert.strictEqual(err({ program: 'a.s', tlb: { entries: 48, ways: 4 } }), 'launch configuration: tlb: the number of sets (12) must be a power of two');
    assert.strictEqual(err({ program: 'a.s', gpaCache: { entries: 10, ways: 4 } }), 'launch configuration: gpaCache: entries (10) must be a positive multiple of ways (4)');
    assert.strictEqual(err({ program: 'a.s', gpaCache: { ways: 0 } }), 'launch configuration: gpaCache.ways must be at least 1');
    assert.strictEqual(err(null), 'launch configuration: expected an object');
    assert.strictEqual(err([1]), 'launch configuration: expected an object');
  });
});
