/**
 * The GNU comparison: every file of test/asm-corpus is assembled by us and by
 * GNU as + ld (same layout through a linker script); the loaded bytes, the
 * symbols and the disassembly of every instruction must be identical.
 */
import { strict as assert } from 'assert';
import { readFileSync, readdirSync } from 'fs';
import { join } from 'path';
import { assemble, disassemble, formatDiagnostic } from '../../src/asm';
import { TestElf, readElf } from './elf-file';
import { gnuBuild, gnuBuildDefault, gnuDisassembleHalves, gnuDisassembleWords, objdumpInstructions, readelfComplaints, requireToolchain } from './gnu-toolchain';

const CORPUS = join(__dirname, '..', 'asm-corpus');
/** Our output sections, and the GNU sections each stands for (ld keeps small data apart). */
const LOADED: readonly [ours: string, gnu: readonly string[]][] = [
  ['.text', ['.text']], ['.rodata', ['.rodata']], ['.data', ['.data', '.sdata']], ['.bss', ['.sbss', '.bss']],
];
const STT_SECTION = 3;
const STT_FILE = 4;

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

function firstDifference(a: Uint8Array, b: Uint8Array): string {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return `byte ${hex(i)}: ours ${hex(a[i])}, GNU ${hex(b[i])}`;
  return `sizes differ: ours ${a.length}, GNU ${b.length}`;
}

/** GNU's sections `names` (the non-empty ones) as one span: address, size, type and bytes (gaps zero). */
function gnuSpan(gnu: TestElf, names: readonly string[]): { address: number; size: number; type: number; data: Uint8Array } | undefined {
  const parts = gnu.sections.filter((s) => names.includes(s.name) && s.size > 0).sort((x, y) => x.address - y.address);
  if (parts.length === 0) return undefined;
  const address = parts[0].address, end = Math.max(...parts.map((s) => s.address + s.size));
  const data = new Uint8Array(end - address);
  for (const s of parts) data.set(s.data, s.address - address);
  return { address, size: end - address, type: parts.every((s) => s.type === 8) ? 8 : 1, data };
}

function compareSections(ours: TestElf, gnu: TestElf): void {
  for (const [name, gnuNames] of LOADED) {
    const a = ours.sections.find((s) => s.name === name);
    const b = gnuSpan(gnu, gnuNames);
    assert.equal(Boolean(a), Boolean(b), `${name}: present in ours ${Boolean(a)}, in GNU ${Boolean(b)}`);
    if (!a || !b) continue;
    assert.equal(hex(a.address), hex(b.address), `${name} address`);
    assert.equal(a.size, b.size, `${name} size`);
    if (b.type !== 8) assert.ok(Buffer.from(a.data).equals(Buffer.from(b.data)), `${name}: ${firstDifference(a.data, b.data)}`);
  }
}

/** GNU's named symbols (not mapping symbols `$x`, not section or file symbols) must match ours. */
function compareSymbols(ours: TestElf, gnu: TestElf): void {
  const mine = new Map(ours.symbols.map((s) => [s.name, s]));
  for (const g of gnu.symbols) {
    if (g.name === '' || g.name.startsWith('$') || g.type === STT_SECTION || g.type === STT_FILE || g.shndx === 0) continue;
    const o = mine.get(g.name);
    assert.ok(o, `symbol ${g.name} missing`);
    assert.deepEqual(
      { value: hex(o.value), size: o.size, type: o.type, bind: o.bind },
      { value: hex(g.value), size: g.size, type: g.type, bind: g.bind },
      `symbol ${g.name}`,
    );
  }
}

/**
 * What a loader puts in RAM: every PT_LOAD segment's file bytes and zero fill, from the lowest
 * address at or above the text base (ld's first segment also maps the ELF headers below it).
 */
function loadedImage(file: Uint8Array, elf: TestElf, base = 0x80000000): { base: number; bytes: Uint8Array } {
  const loads = elf.segments.filter((s) => s.type === 1 && s.memsz > 0);
  const lo = Math.max(base, Math.min(...loads.map((s) => s.vaddr)));
  const hi = Math.max(...loads.map((s) => s.vaddr + s.memsz));
  const bytes = new Uint8Array(Math.max(0, hi - lo));
  for (const s of loads) {
    const data = file.subarray(s.offset, s.offset + s.filesz);
    for (let k = 0; k < data.length; k++) {
      const at = s.vaddr + k - lo;
      if (at >= 0) bytes[at] = data[k];
    }
  }
  return { base: lo, bytes };
}

describe('GNU comparison (test/asm-corpus)', function () {
  this.timeout(60000);
  before(() => requireToolchain());

  const files = readdirSync(CORPUS).filter((f) => f.endsWith('.s')).sort();

  it('has a corpus', () => assert.ok(files.length >= 8, `only ${files.length} corpus files`));

  for (const file of files) {
    describe(file, () => {
      const source = readFileSync(join(CORPUS, file), 'utf8');
      let ours: TestElf;
      let ourBytes: Uint8Array;
      let gnu: TestElf;
      let disassembly: string;

      before(() => {
        const result = assemble(source, file);
        assert.ok(result.ok && result.elf, result.diagnostics.map(formatDiagnostic).join('\n'));
        assert.deepEqual(result.diagnostics.map(formatDiagnostic), [], 'no warnings either');
        const built = gnuBuild(source, file.replace(/\.s$/, ''));
        ourBytes = result.elf;
        ours = readElf(result.elf);
        gnu = readElf(built.elf);
        disassembly = built.disassembly;
      });

      it('loads the same bytes at the same addresses', () => compareSections(ours, gnu));

      it('loads the same bytes at the same addresses as `ld -Ttext=0x80000000` with its default script', () => {
        const theirBytes = gnuBuildDefault(source, file.replace(/\.s$/, ''));
        const a = loadedImage(ourBytes, ours), b = loadedImage(theirBytes, readElf(theirBytes));
        assert.equal(hex(a.base), hex(b.base), 'first loaded address');
        assert.equal(a.bytes.length, b.bytes.length, 'loaded extent');
        assert.ok(Buffer.from(a.bytes).equals(Buffer.from(b.bytes)), firstDifference(a.bytes, b.bytes));
      });

      it('writes an ELF that GNU readelf reads without complaint', () => assert.equal(readelfComplaints(ourBytes), ''));

      it('has the same entry point, ELF flags (EF_RISCV_RVC) and symbols', () => {
        assert.equal(hex(ours.entry), hex(gnu.entry), 'entry');
        assert.equal(hex(ours.flags), hex(gnu.flags), 'e_flags');
        compareSymbols(ours, gnu);
      });

      it('disassembles every instruction as objdump -M no-aliases', () => {
        const lines = objdumpInstructions(disassembly);
        assert.ok(lines.length > 0, 'objdump printed no instructions');
        const wrong = lines
          .map((l) => ({ ...l, ours: disassemble(l.word, l.address) }))
          .filter((l) => l.ours !== l.text)
          .map((l) => `${hex(l.address)} ${hex(l.word)}: objdump "${l.text}", ours "${l.ours}"`);
        assert.deepEqual(wrong, []);
      });
    });
  }
});

/** A deterministic generator (xorshift32), so a failure always reproduces. */
function randomWords(count: number, seed: number): number[] {
  let x = seed >>> 0 || 1;
  const next = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  const majors = [0x03, 0x0f, 0x13, 0x17, 0x23, 0x2f, 0x33, 0x37, 0x63, 0x67, 0x6f, 0x73, 0x07, 0x27, 0x3b, 0x53];
  return Array.from({ length: count }, (_, i) => {
    const w = next();
    // Half keep random high bits with a major opcode, half also clear register fields to hit exact encodings.
    const high = i % 2 === 0 ? w : w & 0xfe00707f;
    return ((high & ~0x7f) | majors[next() % majors.length]) >>> 0;
  });
}

describe('disassembler against objdump on random words', function () {
  this.timeout(60000);
  before(() => requireToolchain());

  it('prints 6000 random 32-bit words exactly as objdump -M no-aliases (vmcall aside)', () => {
    const words = [...randomWords(6000, 0x5eed), 0x0000000b];
    const wrong = gnuDisassembleWords(words)
      .filter((l) => l.word !== 0x0000000b)
      .map((l) => ({ ...l, ours: disassemble(l.word, l.address) }))
      .filter((l) => l.ours !== l.text)
      .map((l) => `${hex(l.word)}: objdump "${l.text}", ours "${l.ours}"`);
    assert.deepEqual(wrong.slice(0, 20), []);
  });

  it('prints every 16-bit halfword (the C extension) exactly as objdump -M no-aliases for rv32imac', () => {
    const halves: number[] = [];
    for (let h = 1; h < 0x10000; h++) if ((h & 3) !== 3) halves.push(h);
    const lines = gnuDisassembleHalves(halves);
    assert.ok(lines.length > 40000, `objdump printed only ${lines.length} halfwords`);
    const wrong = lines
      .map((l) => ({ ...l, ours: disassemble(l.half, l.address) }))
      .filter((l) => l.ours !== l.text)
      .map((l) => `${hex(l.half)}: objdump "${l.text}", ours "${l.ours}"`);
    assert.deepEqual(wrong.slice(0, 20), []);
  });

  it('differs from objdump only for vmcall, which objdump shows as .4byte', () => {
    const [line] = gnuDisassembleWords([0x0000000b]);
    assert.equal(line.text, '.4byte\t0xb');
    assert.equal(disassemble(0x0000000b, line.address), 'vmcall');
  });
});
