// The C examples (examples/c/, built by `npm run examples`, ELFs checked in): each one runs
// in-process as `hyperstep run` does, under every mmu × irqchip combination, powers off with exit
// 0, prints exactly the text below in every configuration, and shows in the event stream the thing
// it exists to show (docs/examples.md "C examples").
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadProgram } from '../src/cli/program';
import { Machine, RunOutcome } from '../src/vm/vmm/machine';
import { parseEventSpec } from '../src/vm/vmm/schedule';
import type { VmEvent } from '../src/vm/events';

const DIR = path.join(__dirname, '..', 'examples', 'c');
const CONFIGS = (['ept', 'shadow'] as const).flatMap((mmu) => (['kernel', 'split', 'userspace'] as const).map((irqchip) => ({ mmu, irqchip })));

function run(name: string, o: { mmu: 'ept' | 'shadow'; irqchip: 'kernel' | 'split' | 'userspace'; vcpus?: number; events?: string[] }):
  { outcome: RunOutcome; output: string; events: VmEvent[] } {
  const p = loadProgram(path.join(DIR, name));
  if ('error' in p) throw new Error(p.error);
  let output = '';
  const m = new Machine({ mmu: o.mmu, irqchip: o.irqchip, vcpus: o.vcpus ?? 1 }, { consoleOutput: (b) => { output += String.fromCharCode(b); } });
  for (const spec of o.events ?? []) {
    const e = parseEventSpec(spec);
    if ('error' in e) throw new Error(e.error);
    m.scheduleEvent(e);
  }
  assert.strictEqual(m.load(p.image).error, undefined);
  const events: VmEvent[] = [];
  m.events.subscribe((e) => events.push(e));
  return { outcome: m.run(50_000_000), output, events };
}

function everywhere(name: string, expected: string | RegExp, extra: { vcpus?: number; events?: string[] } = {}): Map<string, ReturnType<typeof run>> {
  const runs = new Map<string, ReturnType<typeof run>>();
  for (const c of CONFIGS) {
    const r = run(name, { ...c, ...extra });
    const where = `${name} ${c.mmu}/${c.irqchip}`;
    assert.deepStrictEqual(r.outcome, { kind: 'poweroff', code: 0 }, `${where}: ${JSON.stringify(r.outcome)}\n${r.output}`);
    if (typeof expected === 'string') assert.strictEqual(r.output, expected, where);
    else assert.match(r.output, expected, where);
    runs.set(`${c.mmu}/${c.irqchip}`, r);
  }
  return runs;
}

describe('C examples', function () {
  this.timeout(120_000);

  it('the checked-in ELFs are what `npm run examples` builds from the sources (byte for byte)', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-examples-'));
    const root = path.join(__dirname, '..');
    const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-examples.mjs'), '--out', out], { encoding: 'utf8' });
    assert.strictEqual(r.status, 0, r.stderr);
    const built = r.stdout.split('\n').filter((l) => l.startsWith('built ')).map((l) => path.resolve(l.slice(6)));
    assert.strictEqual(built.length, 8, r.stdout); // every TARGET of scripts/build-examples.mjs
    for (const f of built) {
      const checkedIn = path.join(root, path.relative(out, f));
      assert.ok(fs.readFileSync(f).equals(fs.readFileSync(checkedIn)), `${path.relative(root, checkedIn)} is stale: run npm run examples`);
    }
  });

  it('nic-driver.elf: rings, the first packet by INTx (GSI 19), the second and the transmit by MSI', () => {
    const runs = everywhere('nic-driver.elf', [
      'nic-driver: starting',
      'nic-driver: NIC in slot 3, BAR0 0x40000000 (4096 bytes), INTA -> GSI 19',
      'nic-driver: waiting for packets',
      'nic-driver: interrupt 0x31 (INTx), ISR 0x1',
      'nic-driver: received 5 bytes: "hello" (descriptor 0, flags 0xa)',
      'nic-driver: MSI enabled, vector 0x41',
      'nic-driver: interrupt 0x41 (MSI), ISR 0x1',
      'nic-driver: received 5 bytes: "world" (descriptor 1, flags 0xa)',
      'nic-driver: interrupt 0x41 (MSI), ISR 0x2',
      'nic-driver: sent packet 1',
      'nic-driver: done: 2 received, 1 sent, 2 wakeups',
      '',
    ].join('\n'), { events: ['5000000:nic:rx:hello', '20000000:nic:rx:world'] });
    for (const [config, r] of runs) {
      const taken = r.events.filter((e): e is Extract<VmEvent, { kind: 'interrupt-taken' }> => e.kind === 'interrupt-taken').map((e) => e.vector);
      assert.deepStrictEqual(taken, [0x31, 0x41, 0x41], config);
      assert.ok(r.events.some((e) => e.kind === 'irq-line' && e.gsi === 19 && e.device === 'nic'), `${config}: INTx on GSI 19`);
      assert.strictEqual(r.events.filter((e) => e.kind === 'msi' && e.vector === 0x41).length, 2, `${config}: two MSIs`);
    }
  });

  it('sv32-kernel.elf: a U-mode task on Sv32 page tables, its system calls and a page fault', () => {
    const p = loadProgram(path.join(DIR, 'sv32-kernel.elf'));
    assert.ok(!('error' in p));
    const userText = p.symbols.find((s) => s.name === '__user_text')!.value >>> 0;
    const runs = everywhere('sv32-kernel.elf', new RegExp('^' + [
      'sv32-kernel: mapping 1 user code and 1 user data pages',
      'sv32-kernel: satp = 0x80080004, entering the task in U-mode',
      'hello from U-mode through a system call',
      'getpid\\(\\) = 1',
      'sv32-kernel: page fault in task init: load at 0x80000000 \\(pc 0x(?<pc>[0-9a-f]+)\\); the page is not mapped for U-mode',
      'sv32-kernel: task init exited with 7 after 4 system calls',
      '',
    ].join('\n') + '$'));
    for (const [config, r] of runs) {
      const pc = parseInt(/\(pc 0x([0-9a-f]+)\)/.exec(r.output)![1], 16);
      assert.ok(pc >= userText && pc < userText + 4096, `${config}: the fault is in the task's code page (pc 0x${pc.toString(16)})`);
    }
    const shadow = runs.get('shadow/kernel')!;
    assert.ok(shadow.events.some((e) => e.kind === 'exit' && e.reason === 'CR_ACCESS'), 'shadow paging: the satp write exits');
  });

  it('smp.elf: four harts, IPIs through the LAPIC ICR, an atomic total', () => {
    const runs = everywhere('smp.elf', [
      'smp: hart 0 waiting for 3 harts',
      ...[1, 2, 3].map((id) => `smp: hart ${id} is waiting in wfi; IPI vector 0x50 to APIC ${id}`),
      'smp: hart 0 summed 1240 (0 IPIs)',
      'smp: hart 1 summed 9176 (1 IPIs)',
      'smp: hart 2 summed 25304 (1 IPIs)',
      'smp: hart 3 summed 49624 (1 IPIs)',
      'smp: total 85344 (expected 85344)',
      '',
    ].join('\n'), { vcpus: 4 });
    for (const [config, r] of runs) {
      const ipis = r.events.filter((e): e is Extract<VmEvent, { kind: 'ipi' }> => e.kind === 'ipi').map((e) => `${e.apic}->${e.destination}:${e.vector}`);
      assert.deepStrictEqual(ipis, ['0->1:80', '0->2:80', '0->3:80'], config);
    }
  });
});
