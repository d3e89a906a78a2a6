// The command line as a terminal shows it (issue 16): the guest's UART lines and the trace lines
// stay whole when stdout and stderr are merged, `--trace-file` takes the trace elsewhere, a guest
// left waiting in wfi gets the `--event` its header documents, the packet's queueing explains its
// cycle, `run --help` lists every event form, and `compare` fits 100 columns or speaks JSON/CSV.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { compareCommand, CompareRecord } from '../../src/cli/compare';
import { haltHint } from '../../src/cli/run';

const REPO = path.join(__dirname, '..', '..');
const NIC_IRQ = 'examples/nic-irq.s';
const NIC_IRQ_OUTPUT = [
  'nic-irq: driver starting',
  'nic-irq: NIC in slot 3, INTA -> GSI 19',
  'nic-irq: interrupt, vector 0x00000031, NIC ISR 0x00000001',
  'nic-irq: received 5 bytes: "hello"',
  'nic-irq: EOI written, done',
];

/** `hyperstep ARGS 2>&1`: one pipe for both streams, as a terminal shows them. */
function merged(args: string[]): { status: number | null; text: string } {
  const quoted = args.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const r = spawnSync('sh', ['-c', `"${process.execPath}" --import tsx src/cli/main.ts ${quoted} 2>&1`], { cwd: REPO, encoding: 'utf8' });
  return { status: r.status, text: r.stdout };
}

function hyperstep(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: REPO, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('hyperstep run and compare in a terminal', function () {
  this.timeout(120_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hyperstep-demo-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('guest output and per-event trace lines stay whole with stdout and stderr merged', () => {
    const r = merged(['run', NIC_IRQ, '--event', '20000:nic:rx:hello', '--trace', 'exits,mmio,irq']);
    assert.strictEqual(r.status, 0, r.text.slice(-2000));
    const lines = r.text.split('\n').filter((l) => l !== '');
    const guest = lines.filter((l) => l.startsWith('nic-irq:'));
    assert.deepStrictEqual(guest, NIC_IRQ_OUTPUT, 'every guest line whole and in order');
    // Every other line is a whole trace line: a per-event line, a chain header or hop, or a packet line.
    const traceLine = /^(\s+\d+ vcpu[-\d]+ (exit|mmio) |#\d+ |\s+\d+ (vcpu\d+| {5}) (device|vmm|kernel|guest) |packet \(\d+ bytes\) at cycle \d+: |\s+\(scheduled for cycle \d+)/;
    const other = lines.filter((l) => !l.startsWith('nic-irq:'));
    assert.ok(other.length > 100, `trace lines: ${other.length}`);
    for (const l of other) assert.match(l, traceLine);
  });

  it('--trace-file takes every trace line; stderr keeps only diagnostics, stdout the guest', () => {
    const file = path.join(dir, 'trace.txt');
    const r = hyperstep(['run', NIC_IRQ, '--event', '20000:nic:rx:hello', '--trace', 'exits,irq', '--trace-file', file]);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.strictEqual(r.stdout, NIC_IRQ_OUTPUT.join('\n') + '\n');
    assert.strictEqual(r.stderr, '');
    const trace = fs.readFileSync(file, 'utf8');
    assert.match(trace, /^\s+0 vcpu0 exit EPT_VIOLATION gpa=0x80000000/m);
    assert.match(trace, /^#1 handled GSI 19 vector 0x31 from nic/m);
    const bad = hyperstep(['run', NIC_IRQ, '--trace', 'exits', '--trace-file', path.join(dir, 'no', 'such', 'dir', 't.txt')]);
    assert.strictEqual(bad.status, 2);
    assert.match(bad.stderr, /--trace-file: cannot write .*t\.txt: ENOENT/);
  });

  it("the chain starts at its packet: scheduled for 20000, held by the VMM, then taken by the NIC as INTA rises", () => {
    const r = hyperstep(['run', NIC_IRQ, '--event', '20000:nic:rx:hello', '--trace', 'irq']);
    assert.strictEqual(r.status, 0, r.stderr);
    const lines = r.stderr.split('\n');
    const head = lines.findIndex((l) => /^#1 handled GSI 19 vector 0x31/.test(l));
    assert.ok(head >= 0, r.stderr);
    assert.match(lines[head + 1], /^\s+\d+\s+vmm\s+nic\s+packet #1 \(5 bytes\) held in the VMM's net queue, the nic cannot receive: receiver off \(CTRL\.EN\/RXEN\) \(scheduled for cycle 20000: taken at the first instruction boundary after it\)$/);
    const rx = /^\s+(\d+)\s+device\s+nic\s+nic writes packet #1 \(5 bytes\) to RX descriptor 0 and raises ISR\.RX$/.exec(lines[head + 2]);
    assert.ok(rx, lines[head + 2]);
    // The interrupt starts at the cycle the NIC took the packet.
    assert.match(lines[head + 3], new RegExp(`^\\s+${rx[1]}\\s+device pci-intx`));
    assert.ok(!lines.some((l) => /^packet /.test(l)), 'no packet line outside the chain');
  });

  it('a guest left waiting in wfi gets the --event its header documents', () => {
    const r = hyperstep(['run', NIC_IRQ]);
    assert.strictEqual(r.status, 125);
    assert.match(r.stderr, /every vCPU is halted in wfi and no interrupt can arrive/);
    assert.match(r.stderr, /its header suggests:\n {2}hyperstep run examples\/nic-irq\.s --event 20000:nic:rx:hello --trace irq\n$/);
    // An ELF: the header of the C source beside it.
    assert.match(haltHint('examples/c/nic-driver.elf', [], 0) ?? '', /hyperstep run examples\/c\/nic-driver\.elf --event 5000000:nic:rx:hello --event 20000000:nic:rx:world$/);
    // No documented event: the forms; events given and all fired: says so.
    const plain = path.join(dir, 'wait.s');
    fs.writeFileSync(plain, '_start: wfi\n  j _start\n');
    assert.match(haltHint(plain, [], 0) ?? '', /give it one with --event CYCLE:nic:rx:TEXT, CYCLE:irq:GSI:LEVEL or CYCLE:uart:TEXT/);
    assert.match(haltHint(plain, [{ atCycle: 500, kind: 'irq', gsi: 10, level: true }], 900) ?? '',
      /the scheduled event has fired \(the last at cycle 500; the run ended at cycle 900\)/);
  });

  it('run --help lists every event form with an example', () => {
    const r = hyperstep(['run', '--help']);
    assert.strictEqual(r.status, 0);
    for (const form of ['CYCLE:nic:rx:TEXT', 'CYCLE:irq:GSI:LEVEL', 'CYCLE:uart:TEXT']) assert.match(r.stdout, new RegExp(`^  ${form}\\s`, 'm'));
    for (const example of ['--event 20000:nic:rx:hello', '--event 50000:irq:10:1', '--event 1000:uart:']) assert.ok(r.stdout.includes(example), example);
    assert.match(r.stdout, /--trace-file <file>/);
  });

  describe('compare', () => {
    function compare(format?: 'text' | 'json' | 'csv' | 'yaml'): { code: number; out: string; err: string } {
      let out = '', err = '';
      const code = compareCommand(path.join(REPO, NIC_IRQ), { vcpus: 1, memory: 64, event: ['20000:nic:rx:hello'], format: format as 'text' }, {
        stdout: (b) => { out += typeof b === 'string' ? b : Buffer.from(b).toString(); },
        stderr: (t) => { err += t; },
      });
      return { code, out, err };
    }

    it('the text table fits 100 columns and keeps every figure: a summary, then exits by reason per MMU', () => {
      const r = compare();
      assert.strictEqual(r.code, 0, r.err);
      const lines = r.out.trimEnd().split('\n');
      for (const l of lines) assert.ok(l.length <= 100, `${l.length} columns: ${l}`);
      assert.match(lines[0], /^config\s+outcome\s+instructions\s+cycles\s+exits\s+to VMM\s+tlb hit%\s+irq latency$/);
      const row = (config: string): string[] => lines.find((l) => l.startsWith(config + ' '))!.trim().split(/\s{2,}/);
      const json = JSON.parse(compare('json').out) as CompareRecord[];
      for (const rec of json) {
        const cells = row(rec.config);
        assert.deepStrictEqual(cells.slice(1, 6), [rec.outcome, String(rec.instructions), String(rec.cycles),
          String(Object.values(rec.exits).reduce((a, b) => a + b, 0)), String(Object.values(rec.vmmExits).reduce((a, b) => a + b, 0))]);
      }
      // The per-MMU blocks: irqchip modes side by side, each reason's counts as in the JSON.
      const ept = lines.indexOf(lines.find((l) => /^exits under ept\s+kernel\s+split\s+userspace$/.test(l))!);
      assert.ok(ept > 0, r.out);
      const misconfig = lines.slice(ept).find((l) => /^\s+EPT_MISCONFIG\s/.test(l))!.trim().split(/\s+/).slice(1).map(Number);
      assert.deepStrictEqual(misconfig, ['kernel', 'split', 'userspace'].map((ic) => json.find((j) => j.config === `ept/${ic}`)!.exits.EPT_MISCONFIG));
      assert.ok(lines.some((l) => /^exits under npt/.test(l)) && lines.some((l) => /^\s+VMEXIT_NPF\s/.test(l)));
      assert.ok(lines.some((l) => /^\s+→ VMM KVM_EXIT_IOAPIC_EOI\s+0\s+1\s+0$/.test(l)), 'split mode exits to the VMM for the level EOI');
    });

    it('--format json and csv carry the same figures; a bad --format is refused', () => {
      const json = JSON.parse(compare('json').out) as CompareRecord[];
      assert.strictEqual(json.length, 9);
      assert.deepStrictEqual(json.map((j) => j.config), ['ept', 'npt', 'shadow'].flatMap((m) => ['kernel', 'split', 'userspace'].map((i) => `${m}/${i}`)));
      assert.ok(json.every((j) => j.output === NIC_IRQ_OUTPUT.join('\n') + '\n'));
      // The userspace irqchip adds the interrupt-window round trip; the MMU does not change latency.
      const latency = (c: string): number => json.find((j) => j.config === c)!.irqLatency.meanCycles!;
      for (const mmu of ['ept', 'npt', 'shadow']) {
        assert.strictEqual(latency(`${mmu}/kernel`), latency(`${mmu}/split`));
        assert.ok(latency(`${mmu}/userspace`) > latency(`${mmu}/kernel`));
        assert.strictEqual(latency(`${mmu}/kernel`), latency('ept/kernel'));
      }
      const csv = compare('csv').out.trimEnd().split('\n').map((l) => l.split(','));
      assert.strictEqual(csv.length, 10);
      const col = (name: string): number => csv[0].indexOf(name);
      for (const [i, rec] of json.entries()) {
        assert.strictEqual(csv[i + 1][col('config')], rec.config);
        assert.strictEqual(Number(csv[i + 1][col('cycles')]), rec.cycles);
        assert.strictEqual(Number(csv[i + 1][col('KVM_EXIT_MMIO')]), rec.vmmExits.KVM_EXIT_MMIO);
        assert.strictEqual(Number(csv[i + 1][col('tlb_misses')]), rec.tlb.misses);
      }
      const bad = compare('yaml');
      assert.strictEqual(bad.code, 2);
      assert.match(bad.err, /--format: expected text, json or csv, got 'yaml'/);
    });
  });
});
