// The command line's interrupt provenance (docs/interrupt-provenance.md): `hyperstep run --trace
// irq` prints the hops grouped by chain; `hyperstep why PROGRAM --at CYCLE --irq GSI | --vector V`
// answers from a batch run as the debug console does; bad input is refused with a clear message.
import * as assert from 'assert';
import * as path from 'path';
import { runCommand } from '../../src/cli/run';
import { whyCliCommand, WhyOptions } from '../../src/cli/why';
import { capture } from './capture';

const ROOT = path.join(__dirname, '..', '..');
const NIC_IRQ = path.join(ROOT, 'examples', 'nic-irq.s');
const RX = ['20000:nic:rx:hello'];

const base: WhyOptions = { mmu: 'ept', irqchip: 'kernel', vcpus: 1, memory: 64, vpid: true, event: RX };

describe('cli: interrupt chains and why', function () {
  this.timeout(60_000);

  for (const irqchip of ['kernel', 'split', 'userspace']) {
    it(`run --trace irq groups the NIC interrupt's hops under its chain (${irqchip})`, () => {
      const c = capture();
      const code = runCommand(NIC_IRQ, { mmu: 'ept', irqchip, vcpus: 1, memory: 64, vpid: true, event: RX, trace: 'irq' }, c.io);
      assert.strictEqual(code, 0);
      const all = c.err().trimEnd().split('\n');
      // One chain, and no packet line of its own: the packet is the chain's first hops (held by the
      // VMM until the driver can receive, then taken by the NIC).
      const lines = all;
      assert.ok(!lines.some((l) => /^packet /.test(l)), all.join('\n'));
      assert.match(lines[0], /^#1 handled GSI 19 vector 0x31 from nic \(00:03\.0 (INTA|MSI)\)/);
      assert.match(lines[1], /^ +\d+ {7}vmm +nic +packet #1 \(5 bytes\) held in the VMM's net queue/);
      assert.match(lines[2], /^ +\d+ {7}device nic +nic writes packet #1 \(5 bytes\) to RX descriptor 0/);
      // Every other line is a hop of that chain, indented under it, in time order.
      const hops = lines.slice(1);
      assert.ok(hops.length >= 8, lines.join('\n'));
      for (const h of hops) assert.match(h, /^ +\d+ (vcpu\d| {5}) (device|kernel|vmm|guest) +\S+ +\S/);
      const ioapicLayer = irqchip === 'kernel' ? 'kernel' : 'vmm';
      assert.ok(hops.some((h) => new RegExp(` ${ioapicLayer} +ioapic-deliver `).test(h)) || hops.some((h) => / msi /.test(h)), lines.join('\n'));
      assert.ok(hops.some((h) => / guest +interrupt-taken /.test(h)));
    });
  }

  it('why --irq answers line-low before the packet and delivered after it', async () => {
    let c = capture();
    assert.strictEqual(await whyCliCommand(NIC_IRQ, { ...base, at: 10_000, irq: 19 }, c.io), 0);
    assert.match(c.out(), /^line-low: GSI 19 is low/);
    c = capture();
    assert.strictEqual(await whyCliCommand(NIC_IRQ, { ...base, at: 1_000_000, irq: 19 }, c.io), 0);
    assert.match(c.out(), /^delivered at cycle \d+: GSI 19/);
    c = capture();
    assert.strictEqual(await whyCliCommand(NIC_IRQ, { ...base, at: 1_000_000, vector: 0x31, cpu: 0 }, c.io), 0);
    assert.match(c.out(), /^delivered at cycle \d+: vector 0x31/);
    c = capture();
    assert.strictEqual(await whyCliCommand(NIC_IRQ, { ...base, event: [], at: 10_000, vector: 0x31 }, c.io), 0);
    assert.match(c.out(), /^apic-disabled: LAPIC 0 is software-disabled/, 'before the driver enables its LAPIC');
  });

  it('refuses bad input with a message naming it', async () => {
    const cases: [WhyOptions, RegExp, number][] = [
      [{ ...base, at: 100, irq: 99 }, /GSI 99 does not exist: the IOAPIC has pins 0–23/, 2],
      [{ ...base, at: 100, vector: 300 }, /vector 300 does not exist: vectors are 0–255/, 2],
      [{ ...base, at: -1, irq: 4 }, /cycle -1 does not exist/, 2],
      [{ ...base, at: 100 }, /give one of --irq GSI or --vector V/, 2],
      [{ ...base, at: 100, vector: 0x31, cpu: 2 }, /--cpu 2 does not exist/, 2],
      [{ ...base, at: 1e12, irq: 19 }, /cycle 1000000000000 is beyond the end of the run: the guest powered off \(exit code 0\)/, 125],
    ];
    for (const [o, message, exit] of cases) {
      const c = capture();
      assert.strictEqual(await whyCliCommand(NIC_IRQ, o, c.io), exit, c.err());
      assert.match(c.err(), message);
      assert.strictEqual(c.out(), '');
    }
  });
});
