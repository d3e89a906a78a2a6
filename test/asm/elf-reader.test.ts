// The ELF reader against a real executable built by the GNU toolchain
// (test/fixtures/elf/tiny.S, rebuilt by build.sh there) and against every way
// of breaking it: the reader must return an image or an ElfError, never throw.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { readElf, ElfError, ElfImage } from '../../src/asm/elf-reader';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'elf');
const load = (name: string): Uint8Array => new Uint8Array(fs.readFileSync(path.join(FIXTURES, name)));
const tiny = load('tiny.elf');

function ok(bytes: Uint8Array, file = 'tiny.elf'): ElfImage {
  const r = readElf(bytes, file);
  if (r instanceof ElfError) assert.fail(`expected an image, got: ${r.message}`);
  return r;
}

function error(bytes: Uint8Array, file = 'prog.elf'): ElfError {
  const r = readElf(bytes, file);
  assert.ok(r instanceof ElfError, 'expected an ElfError');
  return r;
}

/** A copy of tiny.elf with little-endian fields patched. */
function patched(edit: (v: DataView, b: Uint8Array) => void, base = tiny): Uint8Array {
  const b = base.slice();
  edit(new DataView(b.buffer), b);
  return b;
}

const E = { phoff: 28, shoff: 32, flags: 36, phentsize: 42, phnum: 44, shentsize: 46, shnum: 48, shstrndx: 50 };
const phdr = (v: DataView, i: number): number => v.getUint32(E.phoff, true) + i * 32;
const shdr = (v: DataView, i: number): number => v.getUint32(E.shoff, true) + i * 40;
/** Section header index (1-based, as in the file) of a section of tiny.elf. */
const sectionIndex = (name: string): number => ok(tiny).sections.findIndex((s) => s.name === name) + 1;
/** Program header index of tiny.elf's PT_LOAD. */
const loadIndex = (v: DataView): number => (v.getUint32(phdr(v, 0), true) === 1 ? 0 : 1);

describe('ELF reader', () => {
  describe('a valid executable (tiny.elf)', () => {
    const image = ok(tiny);

    it('has the entry point and the one PT_LOAD segment readelf shows', () => {
      assert.equal(image.entry, 0x8000_0000);
      assert.equal(image.segments.length, 1);
      const [s] = image.segments;
      assert.equal(s.vaddr, 0x8000_0000);
      assert.equal(s.paddr, 0x8000_0000);
      assert.equal(s.data.length, 0x4e);
      assert.equal(s.memSize, 0x1054);
      assert.equal(s.flags, 7);
      assert.deepEqual([...s.data.subarray(0, 4)], [...tiny.subarray(0x74, 0x78)]);
    });

    it('copies segment bytes, so the image does not alias the input', () => {
      const bytes = tiny.slice();
      const img = ok(bytes);
      bytes[0x74] ^= 0xff;
      assert.equal(img.segments[0].data[0], tiny[0x74]);
    });

    it('reads the symbols with their type, size and binding', () => {
      const sym = (name: string) => image.symbols.find((s) => s.name === name);
      assert.deepEqual(sym('_start'), { name: '_start', value: 0x8000_0000, size: 0x48, type: 'func', global: true });
      assert.deepEqual(sym('counter'), { name: 'counter', value: 0x8000_1050, size: 4, type: 'object', global: true });
      assert.deepEqual(sym('message'), { name: 'message', value: 0x8000_0048, size: 6, type: 'object', global: false });
      assert.ok(image.symbols.some((s) => s.type === 'file' && s.name.endsWith('.o')));
    });

    it('reads the sections and their contents', () => {
      const text = image.sections.find((s) => s.name === '.text');
      assert.deepEqual(text, { name: '.text', address: 0x8000_0000, size: 0x48, offset: 0x74, type: 1, flags: 6 });
      assert.equal(image.sections.find((s) => s.name === '.bss')?.type, 8);
      assert.equal(Buffer.from(image.sectionData('.rodata') ?? []).toString('latin1'), 'tiny\n\0');
      assert.equal(image.sectionData('.bss')?.length, 0);
      assert.equal(image.sectionData('.nothing'), undefined);
    });
  });

  it('reads a C-extension build (real rv32imac build, EF_RISCV_RVC set): the C extension is executed', () => {
    const image = ok(load('tiny-rvc.elf'));
    assert.equal(image.entry, 0x8000_0000);
    assert.ok(image.segments.length > 0);
  });

  it('loads a segment with no file bytes whose offset lies past the end of the file (an aligned .bss)', () => {
    const bytes = patched((v) => {
      const other = phdr(v, 1 - loadIndex(v));
      v.setUint32(other, 1, true);                 // the attributes header becomes an empty PT_LOAD
      v.setUint32(other + 4, 0x10_0000, true);     // p_offset far past the end of the file
      v.setUint32(other + 8, 0x8000_4000, true);
      v.setUint32(other + 12, 0x8000_4000, true);
      v.setUint32(other + 16, 0, true);            // p_filesz 0
      v.setUint32(other + 20, 0x40, true);         // p_memsz
    });
    const image = ok(bytes);
    const bss = image.segments.find((s) => s.vaddr === 0x8000_4000);
    assert.deepEqual({ memSize: bss?.memSize, data: bss?.data.length }, { memSize: 0x40, data: 0 });
  });

  describe('refuses, naming the problem', () => {
    const cases: [string, Uint8Array, RegExp][] = [
      ['an empty file', new Uint8Array(0), /^prog\.elf: not an ELF file \(bad magic\)$/],
      ['a text file', new TextEncoder().encode('hello, world\n'), /not an ELF file \(bad magic\)/],
      ['an ELF64 file (real rv64 build)', load('tiny64.elf'), /ELF64 \(an RV64 build\?\) is not supported, expected ELF32/],
      ['a relocatable object (real .o)', load('tiny.o'), /relocatable object file \(ET_REL\)/],
      ['an invalid class', patched((_v, b) => { b[4] = 3; }), /invalid ELF class 3/],
      ['big-endian data', patched((_v, b) => { b[5] = 2; }), /big-endian ELF is not supported, expected little-endian/],
      ['an invalid data encoding', patched((_v, b) => { b[5] = 0; }), /invalid ELF data encoding 0/],
      ['a bad identification version', patched((_v, b) => { b[6] = 0; }), /identification version 0/],
      ['a header cut short', tiny.slice(0, 40), /truncated ELF header \(40 bytes, expected 52\)/],
      ['x86-64', patched((v) => v.setUint16(18, 62, true)), /built for x86-64 \(e_machine 62\), expected RISC-V \(e_machine 243\)/],
      ['AArch64', patched((v) => v.setUint16(18, 183, true)), /built for AArch64 \(e_machine 183\)/],
      ['an unknown machine', patched((v) => v.setUint16(18, 9999, true)), /an unknown machine \(e_machine 9999\)/],
      ['a shared object', patched((v) => v.setUint16(16, 3, true)), /\(ET_DYN\) is not supported/],
      ['a core dump', patched((v) => v.setUint16(16, 4, true)), /core dump/],
      ['ELF version 2', patched((v) => v.setUint32(20, 2, true)), /unsupported ELF version 2/],
      ['the double-float ABI', patched((v) => v.setUint32(E.flags, 4, true)), /double-float \(ilp32d\) ABI/],
      ['the single-float ABI (F)', patched((v) => v.setUint32(E.flags, 2 | 1, true)), /single-float \(ilp32f\) ABI .*no F or D extension/],
      ['RV32E', patched((v) => v.setUint32(E.flags, 8, true)), /built for RV32E/],
      ['a small e_ehsize', patched((v) => v.setUint16(40, 20, true)), /e_ehsize = 20/],
      ['no program headers', patched((v) => v.setUint16(E.phnum, 0, true)), /no program headers/],
      ['PN_XNUM', patched((v) => v.setUint16(E.phnum, 0xffff, true)), /extended program header numbering/],
      ['a bad e_phentsize', patched((v) => v.setUint16(E.phentsize, 56, true)), /e_phentsize = 56, expected 32/],
      ['program headers past the end', patched((v) => v.setUint32(E.phoff, 0xffff_fff0, true)),
        /program header table \(2 entries at offset 0xfffffff0\) extends past the end of the file/],
      ['a segment past the end of the file', patched((v) => v.setUint32(phdr(v, loadIndex(v)) + 4, 0x10_0000, true)),
        /segment 1 \(PT_LOAD at 0x80000000\): its file bytes 0x100000\.\.0x10004e lie past the end of the file/],
      ['file size above memory size', patched((v) => v.setUint32(phdr(v, loadIndex(v)) + 16, 0x2000, true)),
        /file size 0x2000 exceeds memory size 0x1054/],
      ['a segment wrapping around 4 GiB', patched((v) => v.setUint32(phdr(v, loadIndex(v)) + 8, 0xffff_f000, true)),
        /wraps around the 32-bit address space/],
      ['overlapping segments', patched((v) => {
        const other = phdr(v, 1 - loadIndex(v));
        v.setUint32(other, 1, true);            // the attributes header becomes a PT_LOAD
        v.setUint32(other + 8, 0x8000_1000, true);
        v.setUint32(other + 12, 0x8000_1000, true);
        v.setUint32(other + 20, 0x100, true);
      }), /segments 0 and 1 overlap at address 0x80001000/],
      ['overlapping physical addresses only', patched((v) => {
        const other = phdr(v, 1 - loadIndex(v));
        v.setUint32(other, 1, true);
        v.setUint32(other + 8, 0x9000_0000, true);
        v.setUint32(other + 12, 0x8000_0040, true);
        v.setUint32(other + 20, 0x100, true);
      }), /overlap at physical address 0x80000040/],
      ['an entry point outside the segments', patched((v) => v.setUint32(24, 0x9000_0000, true)),
        /entry point 0x90000000 is outside every loadable segment/],
      ['section headers past the end', patched((v) => v.setUint32(E.shoff, tiny.length - 8, true)), /section header table .* extends past the end/],
      ['a bad e_shentsize', patched((v) => v.setUint16(E.shentsize, 64, true)), /e_shentsize = 64, expected 40/],
      ['extended section numbering', patched((v) => v.setUint16(E.shnum, 0, true)), /extended section numbering/],
      ['a section name table index out of range', patched((v) => v.setUint16(E.shstrndx, 42, true)),
        /section name table index 42 is out of range \(8 sections\)/],
      ['a name table that is not a string table', patched((v) => v.setUint16(E.shstrndx, sectionIndex('.text'), true)),
        /is not a string table/],
      ['a section name outside the table', patched((v) => v.setUint32(shdr(v, 1), 0x7fff, true)),
        /name of section 1: offset 0x7fff is outside its string table/],
      ['an unterminated section name', patched((v, b) => {
        const s = shdr(v, sectionIndex('.shstrtab'));
        b[v.getUint32(s + 16, true) + v.getUint32(s + 20, true) - 1] = 0x41;
      }), /is not NUL-terminated/],
      ['section bytes past the end', patched((v) => v.setUint32(shdr(v, sectionIndex('.text')) + 16, 0xffff_0000, true)),
        /section 1: its bytes 0xffff0000\.\.0xffff0048 lie past the end of the file/],
      ['a symbol table with a bad entry size', patched((v) => v.setUint32(shdr(v, sectionIndex('.symtab')) + 36, 12, true)),
        /symbol table \(section 5 \.symtab\): entry size 12, expected 16/],
      ['a symbol table of a partial entry', patched((v) => {
        const s = shdr(v, sectionIndex('.symtab')) + 20;
        v.setUint32(s, v.getUint32(s, true) - 4, true);
      }), /is not a multiple of 16/],
      ['a symbol table linked to a non-string table', patched((v) => v.setUint32(shdr(v, sectionIndex('.symtab')) + 24, 1, true)),
        /sh_link 1 is not a string table/],
      ['a symbol name outside its table', patched((v) => {
        const s = shdr(v, sectionIndex('.symtab'));
        v.setUint32(v.getUint32(s + 16, true) + 16, 0xffff, true);
      }), /name of symbol 1: offset 0xffff is outside its string table/],
    ];
    for (const [what, bytes, message] of cases) {
      it(what, () => assert.match(error(bytes).message, message));
    }

    it('puts the file name first and keeps the bare reason', () => {
      const e = error(new Uint8Array([1, 2, 3]), 'dir/x.elf');
      assert.equal(e.file, 'dir/x.elf');
      assert.equal(e.message, 'dir/x.elf: not an ELF file (bad magic)');
      assert.equal(e.reason, 'not an ELF file (bad magic)');
      assert.ok(e instanceof Error);
    });
  });

  describe('never throws', () => {
    /** What any image the reader returns must satisfy. */
    function sane(r: ElfImage | ElfError): void {
      if (r instanceof ElfError) {
        assert.match(r.message, /^f\.elf: ./);
        return;
      }
      for (const s of r.segments) {
        assert.ok(s.data.length <= s.memSize);
        assert.ok(s.vaddr + s.memSize <= 2 ** 32 && s.paddr + s.memSize <= 2 ** 32);
      }
      assert.ok(r.segments.some((s) => r.entry >= s.vaddr && r.entry < s.vaddr + s.memSize));
      for (const s of r.sections) r.sectionData(s.name);
    }

    it('on every prefix of tiny.elf (each one is an error but the whole file)', () => {
      for (let n = 0; n < tiny.length; n++) {
        const r = readElf(tiny.subarray(0, n), 'f.elf');
        assert.ok(r instanceof ElfError, `prefix of ${n} bytes was accepted`);
        sane(r);
      }
      sane(readElf(tiny, 'f.elf'));
    });

    it('on prefixes of the other fixtures', () => {
      for (const name of ['tiny64.elf', 'tiny-rvc.elf', 'tiny.o']) {
        const bytes = load(name);
        // The whole of tiny-rvc.elf is valid (RVC is accepted): every shorter prefix is not.
        const last = name === 'tiny-rvc.elf' ? bytes.length - 1 : bytes.length;
        for (let n = 0; n <= last; n++) assert.ok(readElf(bytes.subarray(0, n), 'f.elf') instanceof ElfError, `${name}: prefix of ${n} bytes was accepted`);
      }
    });

    it('on tiny.elf with random bytes overwritten (fast-check)', () => {
      fc.assert(
        fc.property(fc.array(fc.tuple(fc.nat(tiny.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 12 }),
          (edits) => {
            const b = tiny.slice();
            for (const [at, value] of edits) b[at] = value;
            sane(readElf(b, 'f.elf'));
          }),
        { numRuns: 3000 },
      );
    });

    it('on header fields set to extreme values (fast-check)', () => {
      const fields = [16, 18, 20, 24, 28, 32, 36, 40, 42, 44, 46, 48, 50];
      fc.assert(
        fc.property(fc.constantFrom(...fields), fc.constantFrom(0, 1, 0x7fff_ffff, 0xffff_ffff, 0xffff, 0x34, tiny.length),
          (field, value) => {
            const b = tiny.slice();
            const v = new DataView(b.buffer);
            if (field >= 40 || field === 16 || field === 18) v.setUint16(field, value & 0xffff, true);
            else v.setUint32(field, value >>> 0, true);
            sane(readElf(b, 'f.elf'));
          }),
      );
    });

    it('on arbitrary bytes behind a valid ELF32 RISC-V identification (fast-check)', () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 0, maxLength: 600 }), (tail) => {
          const b = new Uint8Array(52 + tail.length);
          b.set(tiny.subarray(0, 52));
          b.set(tail.subarray(0, Math.max(0, tail.length)), 52);
          sane(readElf(b, 'f.elf'));
          const c = tiny.slice();
          c.set(tail.subarray(0, Math.min(tail.length, c.length - 52)), 52);
          sane(readElf(c, 'f.elf'));
        }),
        { numRuns: 2000 },
      );
    });
  });
});
