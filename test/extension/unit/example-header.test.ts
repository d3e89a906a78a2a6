// The launch configuration an example's header describes (src/extension/example-header.ts): the
// machine and scheduled events of its `hyperstep run` line.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { launchOptionsFromHeader, parseEvent, parseRunOptions } from '../../../src/extension/example-header';

const EXAMPLES = path.join(__dirname, '..', '..', '..', 'examples');

describe('example headers → launch configuration', () => {
  it('nic-irq.s schedules the NIC packet at cycle 20000', () => {
    const text = fs.readFileSync(path.join(EXAMPLES, 'nic-irq.s'), 'utf8');
    assert.deepStrictEqual(launchOptionsFromHeader(text), { events: [{ atCycle: 20000, nic: 'rx', data: 'hello' }] });
  });

  it('hello.s has a run line without machine options', () => {
    const text = fs.readFileSync(path.join(EXAMPLES, 'hello.s'), 'utf8');
    assert.deepStrictEqual(launchOptionsFromHeader(text), {});
  });

  it('every bundled example yields options the launch schema accepts', () => {
    for (const f of fs.readdirSync(EXAMPLES).filter((n) => n.endsWith('.s'))) {
      const o = launchOptionsFromHeader(fs.readFileSync(path.join(EXAMPLES, f), 'utf8'));
      for (const key of Object.keys(o)) assert.ok(['vcpus', 'memoryMiB', 'mmu', 'vpid', 'irqchip', 'events'].includes(key), `${f}: ${key}`);
    }
  });

  it('reads only the leading comment block', () => {
    assert.deepStrictEqual(launchOptionsFromHeader('# x\n  li a0, 1\n# hyperstep run x.s --vcpus 2\n'), {});
    assert.deepStrictEqual(launchOptionsFromHeader('\n# demo\n#   hyperstep run x.s --vcpus 2 --irqchip split\n'), { vcpus: 2, irqchip: 'split' });
  });

  it('maps the CLI options and ignores the rest', () => {
    assert.deepStrictEqual(parseRunOptions(['--mmu', 'shadow', '--no-vpid', '--memory=128', '--trace', 'exits,irq', '--irqchip', 'userspace', '--event', '5:irq:3:1']), {
      mmu: 'shadow', vpid: false, memoryMiB: 128, irqchip: 'userspace', events: [{ atCycle: 5, irq: 3, level: 1 }],
    });
    assert.deepStrictEqual(parseRunOptions(['--mmu', 'paging', '--vcpus', '0']), {});
  });

  it('parses the three event forms and refuses malformed ones', () => {
    assert.deepStrictEqual(parseEvent('100:nic:rx:a:b'), { atCycle: 100, nic: 'rx', data: 'a:b' });
    assert.deepStrictEqual(parseEvent('7:uart:hi'), { atCycle: 7, uart: 'hi' });
    assert.deepStrictEqual(parseEvent('9:irq:23:0'), { atCycle: 9, irq: 23, level: 0 });
    for (const bad of ['x:nic:rx:a', '1:irq:24:1', '1:irq:3:2', '1:nic:tx:a', '1:disk:a']) assert.strictEqual(parseEvent(bad), undefined, bad);
  });
});
