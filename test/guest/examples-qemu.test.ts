// Which examples also run under QEMU (README "The command line", docs/examples.md): the ones that
// use only RAM, the UART and the test finisher print the same lines and exit with the same status
// under `qemu-system-riscv32 -M virt` as under `hyperstep run`. The others need Hyperstep's PCI NIC,
// IOAPIC or LAPIC, which QEMU's virt machine does not have; for those the test checks they say so
// cleanly under QEMU instead of hanging.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { assemble } from '../../src/asm';
import qemuArgs from './qemu-args.json';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');

/** Examples that run the same under QEMU. */
const UNDER_QEMU = ['hello.s', 'paging.s', 'c/sv32-kernel.elf'];
/** Examples that need Hyperstep's devices, and the line each prints under QEMU before it stops. */
const HYPERSTEP_ONLY: Record<string, RegExp> = {
  'nic-irq.s': /^nic-irq: no NIC in slot 3$/m,
  'msi.s': /^msi: no NIC in slot 3$/m,
  'c/nic-driver.elf': /^nic-driver: no NIC in slot 3$/m,
};

describe('examples under QEMU', function () {
  this.timeout(180_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hyperstep-examples-qemu-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** The example as an ELF: assembled with Hyperstep's assembler when it is a source. */
  function elf(example: string): string {
    const file = path.join(ROOT, 'examples', example);
    if (!example.endsWith('.s')) return file;
    const r = assemble(fs.readFileSync(file, 'utf8'), file);
    assert.ok(r.ok && r.elf, r.diagnostics.map((d) => d.message).join('\n'));
    const out = path.join(dir, path.basename(example, '.s') + '.elf');
    fs.writeFileSync(out, r.elf);
    return out;
  }
  const qemu = (file: string): { status: number | null; stdout: string; error?: Error } =>
    spawnSync('qemu-system-riscv32', [...qemuArgs.args, '-kernel', file], { encoding: 'utf8', timeout: 20_000 });

  for (const example of UNDER_QEMU) {
    it(`${example}: the same output and exit status as hyperstep run, under every mmu × irqchip`, () => {
      assert.ok(fs.existsSync(CLI), 'dist/cli.js: run npm run build first');
      const file = elf(example);
      const q = qemu(file);
      assert.ifError(q.error);
      assert.ok(q.stdout.trim().length > 0, 'QEMU printed nothing');
      for (const mmu of ['ept', 'npt', 'shadow']) {
        for (const irqchip of ['kernel', 'split', 'userspace']) {
          const h = spawnSync(process.execPath, [CLI, 'run', file, '--mmu', mmu, '--irqchip', irqchip], { encoding: 'utf8', timeout: 60_000 });
          assert.equal(h.stdout, q.stdout, `${mmu}/${irqchip}`);
          assert.equal(h.status, q.status, `${mmu}/${irqchip}: ${h.stderr}`);
        }
      }
    });
  }

  for (const [example, says] of Object.entries(HYPERSTEP_ONLY)) {
    it(`${example} needs Hyperstep's NIC: under QEMU it says so and exits`, () => {
      const q = qemu(elf(example));
      assert.ifError(q.error);
      assert.match(q.stdout, says);
    });
  }
});
