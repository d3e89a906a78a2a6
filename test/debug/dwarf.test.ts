// DWARF .debug_line (GCC and GNU as -g): the rows agree with GNU objdump's decoded line table.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { readElf, ElfImage } from '../../src/asm/elf-reader';
import { readDebugLine } from '../../src/debug/dwarf-line';
import { ensureCorpusElf } from '../guest/corpus-build';

const ELF = path.join(__dirname, '..', 'guest', 'build', 'printf.elf');
const OBJDUMP = 'riscv64-unknown-elf-objdump';
const hasObjdump = spawnSync('sh', ['-c', `command -v ${OBJDUMP}`]).status === 0;

function load(): ElfImage {
  const elf = readElf(fs.readFileSync(ELF), ELF);
  assert.ok(!(elf instanceof Error));
  return elf as ElfImage;
}

describe('debug adapter: DWARF line tables', () => {
  before(function () {
    this.timeout(120_000);
    if (!hasObjdump) throw new Error(`${OBJDUMP} is missing: apt-get install binutils-riscv64-unknown-elf`);
    ensureCorpusElf('printf.elf');
  });

  it('maps every statement address of a GCC-built ELF to the line objdump gives', function () {
    const elf = load();
    const r = readDebugLine(elf.sectionData('.debug_line')!, elf.sectionData('.debug_line_str'), elf.sectionData('.debug_str'));
    assert.ok(!('error' in r), 'error' in r ? r.error : '');
    const dump = spawnSync(OBJDUMP, ['--dwarf=decodedline', ELF], { encoding: 'utf8' }).stdout;
    const expected = new Map<number, string>();
    for (const m of dump.matchAll(/^(\S+)\s+(\d+)\s+0x([0-9a-f]+)(?:\s+\d+)?\s+x\s*$/gm)) {
      // several rows at one address (views of inlined code): the last one is where the pc is, as GDB takes it
      expected.set(parseInt(m[3], 16), `${m[1]}:${m[2]}`);
    }
    assert.ok(expected.size > 50, `objdump gave ${expected.size} rows`);
    const lineAt = (a: number): string | undefined => {
      const row = r.rows.find((x) => a >= x.address && a < x.end);
      return row && `${row.file.replace(/^.*\//, '')}:${row.line}`;
    };
    let compared = 0;
    for (const [address, where] of expected) {
      const got = lineAt(address);
      if (got === undefined) continue; // an end-of-sequence address
      assert.strictEqual(got, where, `address 0x${address.toString(16)}`);
      compared++;
    }
    assert.ok(compared > 50);
  });

  it('reports a truncated section instead of throwing', () => {
    const elf = load();
    const data = elf.sectionData('.debug_line')!;
    for (const cut of [3, 10, 40, 100, data.length - 7]) {
      const r = readDebugLine(data.subarray(0, cut));
      assert.ok('error' in r || r.rows.length >= 0);
    }
    const r = readDebugLine(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 1, 2, 3));
    assert.ok('error' in r);
  });
});
