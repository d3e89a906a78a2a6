// Bad program files are refused before they cost anything (docs/assembler.md, "Bounds"): files
// too large or not files at all, ELFs whose entry point or segments cannot run; bad input exits 2.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { assemble } from '../../src/asm';
import { readElf, ElfError } from '../../src/asm/elf-reader';
import { asmCommand } from '../../src/cli/asm';
import { runCommand, EXIT_USAGE, RunOptions } from '../../src/cli/run';
import { MAX_SOURCE_BYTES, readInputFile } from '../../src/debug/read-input';
import { Machine } from '../../src/vm/vmm/machine';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hyperstep-input-'));
const RUN: RunOptions = { mmu: 'ept', irqchip: 'kernel', vcpus: 1, memory: 64, vpid: true, event: [], maxInsns: 1000 };

function capture(): { io: { stdout: (b: Uint8Array | string) => void; stderr: (t: string) => void }; err: () => string } {
  let err = '';
  return { io: { stdout: () => undefined, stderr: (t) => { err += t; } }, err: () => err };
}

describe('program files: bounded reading, exit 2 for bad input', () => {
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('hyperstep asm exits 2 for an assembly error and names the line', () => {
    const src = path.join(dir, 'bad.s');
    fs.writeFileSync(src, 'nop\nbogus a0\n');
    const c = capture();
    assert.strictEqual(asmCommand(src, { output: path.join(dir, 'bad.elf'), textBase: 0x8000_0000 }, c.io), EXIT_USAGE);
    assert.match(c.err(), /bad\.s:2:1: error: unknown instruction 'bogus'/);
    assert.ok(!fs.existsSync(path.join(dir, 'bad.elf')));
  });

  it('hyperstep asm exits 2 for a runaway .rept and a too-deep expression', () => {
    for (const [name, text, message] of [
      ['rept.s', '.rept 1500\n.rept 1500\nnop\n.endr\n.endr\n', /rept\.s:2:1: error: .*nothing is assembled/],
      ['deep.s', `nop\n.word ${'('.repeat(5000)}1${')'.repeat(5000)}\n`, /deep\.s:2:\d+: error: expression too deep/],
    ] as const) {
      const src = path.join(dir, name);
      fs.writeFileSync(src, text);
      const c = capture();
      assert.strictEqual(asmCommand(src, { output: path.join(dir, 'x.elf'), textBase: 0x8000_0000 }, c.io), EXIT_USAGE, name);
      assert.match(c.err(), message);
    }
  });

  it('run /dev/zero is refused at once (a device, not a program file)', () => {
    const c = capture();
    const before = process.memoryUsage().rss;
    assert.strictEqual(runCommand('/dev/zero', RUN, c.io), EXIT_USAGE);
    assert.match(c.err(), /\/dev\/zero: is a character device, not a program file/);
    assert.ok(process.memoryUsage().rss - before < 64 * 2 ** 20);
  });

  it('a file larger than the limit is refused from its size, before reading it', () => {
    const big = path.join(dir, 'huge.s');
    fs.closeSync(fs.openSync(big, 'w'));
    fs.truncateSync(big, MAX_SOURCE_BYTES + 1);   // sparse: costs no disk
    assert.throws(() => readInputFile(big, MAX_SOURCE_BYTES), /huge\.s: 64 MiB is larger than the 64 MiB a program file may be/);
    const c = capture();
    assert.strictEqual(asmCommand(big, { output: path.join(dir, 'x.elf'), textBase: 0x8000_0000 }, c.io), EXIT_USAGE);
    assert.match(c.err(), /larger than the 64 MiB/);
  });

  it('a directory and a missing file are refused with their names', () => {
    assert.throws(() => readInputFile(dir, 100), /is a directory/);
    assert.throws(() => readInputFile(path.join(dir, 'nope.elf'), 100), /nope\.elf: cannot read: ENOENT/);
  });
});

describe('loading an ELF: refused unless it can run as built', () => {
  function image(source: string): { entry: number; segments: { paddr: number; data: Uint8Array; memSize: number }[] } {
    const r = assemble(source, 'g.s');
    assert.ok(r.ok && r.elf, r.diagnostics.map((d) => d.message).join());
    const elf = readElf(r.elf!, 'g.elf');
    if (elf instanceof ElfError) throw elf;
    return { entry: elf.entry, segments: elf.segments.map((s) => ({ paddr: s.paddr, data: s.data, memSize: s.memSize })) };
  }
  const machine = (): Machine => new Machine({ memoryMiB: 1 }, { consoleOutput: () => undefined });

  it('an entry point that is not 2-byte aligned (IALIGN with the C extension) names e_entry', () => {
    const img = image('nop\nnop\n');
    assert.strictEqual(machine().load({ ...img, entry: img.entry + 2 }).error, undefined, 'a halfword entry is fine with C');
    const r = machine().load({ ...img, entry: img.entry + 1 });
    assert.match(r.error ?? '', /entry point e_entry 0x80000001 is not 2-byte aligned/);
  });

  it('a PT_LOAD partly outside RAM is refused, naming p_paddr and p_memsz', () => {
    const img = image('nop\n');
    const inside = img.segments[0];
    // RAM is 1 MiB from 0x80000000: a segment that runs 4 KiB past its end.
    const seg = { paddr: 0x8010_0000 - 0x1000, data: new Uint8Array(0x2000), memSize: 0x2000 };
    const r = machine().load({ entry: img.entry, segments: [inside, seg] });
    assert.match(r.error ?? '', /PT_LOAD segment at p_paddr 0x800ff000 \(p_memsz 8192\): 4096 bytes lie outside RAM/);
  });

  it('still loads a first segment whose only bytes below RAM are the ELF header (gcc -Ttext)', () => {
    const img = image('nop\n');
    const code = img.segments[0];
    const header = new Uint8Array(0x1000 + code.data.length);
    header.set([0x7f, 0x45, 0x4c, 0x46]);
    header.set(code.data, 0x1000);
    const r = machine().load({ entry: img.entry, segments: [{ paddr: 0x8000_0000 - 0x1000, data: header, memSize: header.length }] });
    assert.strictEqual(r.error, undefined);
  });
});
