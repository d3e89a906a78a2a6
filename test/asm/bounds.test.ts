// The assembler bounds its own work (docs/assembler.md, "Bounds"): a directive that asks for a
// huge image, a nest of repeats, or an expression thousands of levels deep is refused on its line,
// quickly and without allocating what it asks for.
import { strict as assert } from 'assert';
import { assemble } from '../../src/asm';
import { MAX_EXPR_DEPTH } from '../../src/asm/expr';
import { MAX_EXPANDED_LINES } from '../../src/asm/macros';

function firstError(source: string): { line: number; message: string } {
  const r = assemble(source, 'b.s');
  assert.strictEqual(r.ok, false, 'refused');
  const d = r.diagnostics.find((x) => x.severity === 'error')!;
  return { line: d.line, message: d.message };
}

describe('assembler: bounded work', () => {
  it('.fill of 800 MB is refused by the image limit without building it', () => {
    const before = process.memoryUsage().rss;
    const e = firstError('_start: nop\n.fill 100000000, 8, 0\n');
    assert.strictEqual(e.line, 2);
    assert.match(e.message, /section \.text would grow to 800000004 bytes, more than the 256 MiB/);
    // One item, not 10^8 of them (each was an object): the process did not grow by hundreds of MB.
    assert.ok(process.memoryUsage().rss - before < 200 * 2 ** 20);
  });

  it('.fill is one item of its pattern, however many repeats', () => {
    const r = assemble('.data\nd: .fill 300000, 4, 0x01020304\n.fill 2, 8, 0xaabbccdd\n.fill 3, 1, 7\n', 'f.s');
    assert.ok(r.ok, r.diagnostics.map((d) => d.message).join());
    const data = r.sections.find((s) => s.name === '.data')!;
    assert.strictEqual(data.size, 1_200_000 + 16 + 3);
  });

  it('the image limit counts every section with contents together', () => {
    const e = firstError('.text\n.space 0x6000000\n.data\n.space 0x6000000\n.section .rodata\n.space 0x6000000\n');
    assert.strictEqual(e.line, 6);
    assert.match(e.message, /the sections with contents would grow to \d+ bytes, more than the 256 MiB/);
  });

  it('nested .rept is stopped while it expands, on the line that crosses the bound', () => {
    const e = firstError('_start:\n.rept 1500\n.rept 1500\nnop\n.endr\n.endr\n');
    assert.strictEqual(e.line, 3);
    assert.match(e.message, new RegExp(`more than ${MAX_EXPANDED_LINES} lines; nothing is assembled`));
  });

  it('repeats that produce nothing still end (the work is counted, not only the lines)', () => {
    const e = firstError('.rept 100000\n.rept 100000\n.endr\n.endr\n');
    assert.match(e.message, /expansion went over \d+ steps/);
  });

  it('a macro that calls itself twice stops at the nesting limit at once, not once per leaf', () => {
    const r = assemble('.macro r\nnop\nr\nr\n.endm\nr\n', 'r.s');
    assert.deepStrictEqual(r.diagnostics.map((d) => `${d.line}: ${d.message}`), ['6: macro r expanded more than 64 deep']);
  });

  for (const [what, expr] of [
    ['5000 nested parentheses', '('.repeat(5000) + '1' + ')'.repeat(5000)],
    ['5000 terms', Array(5000).fill('1').join(' + ')],
    ['5000 unary operators', '-'.repeat(5000) + '1'],
    ['5000 nested %hi', '%hi('.repeat(5000) + 'x' + ')'.repeat(5000)],
  ] as const) {
    it(`${what}: "expression too deep" on its line`, () => {
      const e = firstError(`_start: nop\nnop\n  .word ${expr}\nnop\n`);
      assert.strictEqual(e.line, 3);
      assert.match(e.message, /expression too deep/);
    });
  }

  it('an expression within the depth limit still assembles', () => {
    const deep = '('.repeat(MAX_EXPR_DEPTH - 2) + '1' + ')'.repeat(MAX_EXPR_DEPTH - 2);
    const long = Array(MAX_EXPR_DEPTH - 1).fill('1').join('+');
    const r = assemble(`.data\n.word ${deep}\n.word ${long}\n.if ${deep}\n.word 3\n.endif\n`, 'ok.s');
    assert.ok(r.ok, r.diagnostics.map((d) => d.message).join());
    assert.strictEqual(r.sections.find((s) => s.name === '.data')!.size, 12);
  });

  it('a deep expression in .if or .rept is refused on its line too', () => {
    assert.strictEqual(firstError(`nop\n.if ${'('.repeat(5000)}1${')'.repeat(5000)}\nnop\n.endif\n`).line, 2);
    assert.strictEqual(firstError(`nop\nnop\n.rept ${Array(5000).fill('1').join('+')}\nnop\n.endr\n`).line, 3);
  });
});

// The source is parsed as a stream, twice (docs/assembler.md, "Memory"): what one pass would have seen
// of the whole file must still hold.
describe('assembler: streamed passes', () => {
  it('a runaway expansion refuses the file whole: errors of lines before it are not reported', () => {
    const r = assemble('bogus a0\nnop\n.rept 1500\n.rept 1500\nnop\n.endr\n.endr\naddi a0\n', 's.s');
    assert.deepStrictEqual(r.diagnostics.map((d) => d.line), [4]);
    assert.match(r.diagnostics[0].message, /nothing is assembled/);
  });

  it('errors are reported once, though relaxation and pass 2 parse the file again', () => {
    const far = `beq a0, a1, far\n.space 8192\nfar: nop\n`;
    const r = assemble(`bogus\n${far}.word 1/0\n'x\n`, 'e.s');
    const lines = r.diagnostics.map((d) => `${d.line}: ${d.message}`);
    assert.deepStrictEqual(lines, [...new Set(lines)], 'no duplicates');
    assert.ok(lines.some((l) => l.startsWith("1: unknown instruction 'bogus'")));
    assert.ok(lines.some((l) => l.startsWith('5: division by zero')));
  });

  it('a %pcrel_lo before its auipc, a relaxed branch and .set values agree with their places', () => {
    const r = assemble([
      '_start: beq a0, a1, far',          // relaxed: far is beyond ±4 KiB
      '  j 2f',
      '1: addi a0, a0, %pcrel_lo(3f)',    // refers forward to the auipc below
      '  .set v, 7',
      '  .word v',
      '  .set v, 9',
      '  .word v',
      '3: auipc a0, %pcrel_hi(sym)',
      '2: nop',
      '  .space 8192',
      'far: nop',
      '  .data',
      'sym: .word 0',
    ].join('\n'), 'p.s');
    assert.ok(r.ok, r.diagnostics.map((d) => d.message).join());
    const text = r.sections.find((s) => s.name === '.text')!;
    // beq as bne + jal (8), j, addi, two words, auipc, nop, space, nop
    assert.strictEqual(text.size, 8 + 4 + 4 + 8 + 4 + 4 + 8192 + 4);
    const line = (address: number): number | undefined => r.lines.find((l) => l.address === address)?.line;
    assert.deepStrictEqual([line(text.address), line(text.address + 4), line(text.address + 8), line(text.address + 12)], [1, 1, 2, 3]);
  });
});
