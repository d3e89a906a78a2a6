/** The ELF32 executable we write, and the .hyperstep.lines address → line map inside it. */
import { strict as assert } from 'assert';
import { LINE_SECTION_NAME, assemble, decodeLineTable, encodeLineTable } from '../../src/asm';
import { readElf } from './elf-file';
import { BASE, ok } from './helpers';

const PROGRAM = `
    .globl _start
    .type _start, @function
_start:
    la   a0, msg
    li   a1, 0x12345678
    call helper
    j    _start
    .size _start, . - _start
helper:
    ret
    .section .rodata
msg: .string "hi"
    .data
    .globl counter
    .type counter, @object
counter: .word 0
    .size counter, 4
    .bss
buf: .skip 64
`;

describe('ELF writer', () => {
  const r = ok(PROGRAM);
  const elf = readElf(r.elf!);

  it('writes an ELF32 little-endian RISC-V executable: EM_RISCV, ET_EXEC, e_flags 0', () => {
    assert.deepEqual([elf.machine, elf.type, elf.flags], [243, 2, 0]);
  });

  it('enters at _start, or at the start of .text without one', () => {
    assert.equal(elf.entry, r.entry);
    assert.equal(r.entry, BASE);
    assert.equal(ok('nop\nmain: nop').entry, BASE);
    assert.equal(ok('nop\n_start: nop').entry, BASE + 4);
  });

  it('has one PT_LOAD per allocated section, file offsets congruent to addresses mod 4 KiB', () => {
    const loads = elf.segments.filter((s) => s.type === 1);
    // .data on the next page at .rodata's end offset, as ld's DATA_SEGMENT_ALIGN puts it
    assert.deepEqual(loads.map((s) => [s.vaddr, s.flags]), [[BASE, 5], [BASE + 0x20, 4], [BASE + 0x1023, 6], [BASE + 0x1027, 6]]);
    for (const s of loads) assert.equal(s.offset % 0x1000, s.vaddr % 0x1000);
    const bss = loads[3];
    assert.deepEqual([bss.filesz, bss.memsz], [0, 65]); // 64, its end rounded up to 4 as ld's default script does
  });

  it('has section headers for the loaded sections, the line map and the symbol tables', () => {
    assert.deepEqual(elf.sections.map((s) => s.name), ['', '.text', '.rodata', '.data', '.bss', LINE_SECTION_NAME, '.symtab', '.strtab', '.shstrtab']);
    const text = elf.sections[1];
    assert.deepEqual([text.type, text.flags, text.address, text.size], [1, 6, BASE, 0x20]);
    assert.equal(elf.sections[4].type, 8); // SHT_NOBITS
  });

  it('lists local symbols before globals, with types and sizes', () => {
    const symtab = elf.sections.find((s) => s.name === '.symtab')!;
    const firstGlobal = elf.symbols.findIndex((s) => s.bind !== 0) + 1;
    assert.equal(symtab.info, firstGlobal);
    const byName = new Map(elf.symbols.map((s) => [s.name, s]));
    assert.deepEqual(byName.get('_start'), { name: '_start', value: BASE, size: 0x1c, type: 2, bind: 1, shndx: 1 });
    assert.deepEqual(byName.get('counter'), { name: 'counter', value: BASE + 0x1023, size: 4, type: 1, bind: 1, shndx: 3 });
    assert.deepEqual(byName.get('buf'), { name: 'buf', value: BASE + 0x1027, size: 0, type: 0, bind: 0, shndx: 4 });
    assert.equal(elf.symbols.filter((s) => s.type === 3).length, 4); // one section symbol per loaded section
  });

  it('returns the same symbols and sections in memory', () => {
    assert.deepEqual(r.symbols.find((s) => s.name === 'helper'), {
      name: 'helper', value: BASE + 0x1c, size: 0, type: 'notype', global: false, section: '.text',
    });
    assert.deepEqual(r.sections.map((s) => s.name), ['.text', '.rodata', '.data', '.bss']);
  });

  it('produces no ELF when there are errors', () => {
    const bad = assemble('bogus', 'x.s');
    assert.equal(bad.elf, undefined);
    assert.equal(bad.ok, false);
  });
});

describe('address → line map (.hyperstep.lines)', () => {
  const r = ok(PROGRAM);

  it('maps every instruction word, both words of a pseudo-instruction to its line', () => {
    assert.deepEqual(r.lines.map((l) => [l.address - BASE, l.line]), [
      [0, 5], [4, 5], [8, 6], [12, 6], [16, 7], [20, 7], [24, 8], [28, 11],
    ]);
    assert.ok(r.lines.every((l) => l.file === 'test.s'));
  });

  it('is stored in the ELF and decodes to the same entries', () => {
    const section = readElf(r.elf!).sections.find((s) => s.name === LINE_SECTION_NAME)!;
    assert.deepEqual(decodeLineTable(section.data), r.lines);
  });

  it('round-trips several files and keeps entries sorted by address', () => {
    const entries = [
      { address: 0x80000008, file: 'b.s', line: 3 },
      { address: 0x80000000, file: 'a.s', line: 1 },
      { address: 0x80000004, file: 'a.s', line: 2 },
    ];
    assert.deepEqual(decodeLineTable(encodeLineTable(entries)), [entries[1], entries[2], entries[0]]);
  });

  it('rejects malformed tables instead of throwing', () => {
    const good = encodeLineTable([{ address: 1, file: 'a.s', line: 1 }]);
    assert.equal(decodeLineTable(new Uint8Array(3)), undefined);
    assert.equal(decodeLineTable(good.subarray(0, good.length - 1)), undefined);
    const badFile = good.slice();
    new DataView(badFile.buffer).setUint32(24 + 4, 7, true); // file index out of range
    assert.equal(decodeLineTable(badFile), undefined);
  });
});
