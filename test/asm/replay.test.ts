/**
 * Pass 2 lays a file out again over pass 1's labels instead of keeping its items
 * (docs/assembler.md, "Memory"): `relayout` must make exactly the items a fresh layout
 * with the same branch sizes makes, and a replaying symbol table must answer as pass 1
 * did at each point.
 */
import { strict as assert } from 'assert';
import { readFileSync, readdirSync } from 'fs';
import { join } from 'path';
import { assemble } from '../../src/asm';
import { Diagnostics } from '../../src/asm/diagnostics';
import { Item } from '../../src/asm/items';
import { StatementSource, layout, layoutRelaxed, relayout } from '../../src/asm/layout';
import { streamStatements } from '../../src/asm/parser';
import { SymbolTable } from '../../src/asm/symbols';
import { ok, sectionBytes } from './helpers';

const CORPUS = join(__dirname, '..', 'asm-corpus');

function source(text: string, file: string): StatementSource {
  return (each) => streamStatements(text, new Diagnostics(file), each);
}

/** Labels, forward and backward references (a constant not known yet), `.ifdef` both ways, `.set` redefined, relaxed branches, RVC, errors. */
const TRICKY = `
  .text
  .globl _start
_start:
  .ifdef later
  addi a0, a0, 1
  .else
  addi a0, a0, 2
  .endif
  .set n, 1
  .rept 3
  addi a1, a1, n
  .endr
  .set n, 2
  li a2, n
  beq a0, a1, far
  .equ size, end_of_text - _start
dup: nop
dup: nop
  .space 5000
far:
  bne a0, a1, _start
  .option rvc
  beqz a0, near
  addi a0, a0, fwd_b - fwd_a  # not known yet: the 4-byte addi, in both passes
  j far2
  .fill 3000, 1, 0
near: nop
fwd_a: nop
fwd_b:
far2:
1: addi a0, a0, -1
  bnez a0, 1b
  la a1, later
  .balign 16
end_of_text:
  .size _start, .-_start
  .data
  .word size, n, far
later: .word 0
`;

describe('pass 2 laid out again (relayout)', () => {
  const cases: [string, string][] = [
    ['tricky.s', TRICKY],
    ...readdirSync(CORPUS).filter((f) => f.endsWith('.s')).map((f): [string, string] => [f, readFileSync(join(CORPUS, f), 'utf8')]),
  ];
  for (const [file, text] of cases) {
    it(`${file}: the same items and messages as a fresh layout with pass 1's branch sizes`, () => {
      const pass1 = layoutRelaxed(source(text, file), new Diagnostics(file), () => undefined);
      const fresh: Item[] = [];
      const freshDiags = new Diagnostics(file);
      layout(source(text, file), freshDiags, pass1.lengths, (item) => fresh.push(item));
      const again: Item[] = [];
      const againDiags = new Diagnostics(file);
      relayout(source(text, file), pass1, againDiags, (item) => again.push(item));
      assert.ok(fresh.length > 0, `${file}: ${fresh.length} items`);
      assert.deepStrictEqual(again, fresh);
      assert.deepStrictEqual(againDiags.list, freshDiags.list);
    });
  }

  it('the tricky file says what it said before: a duplicate label, and nothing else', () => {
    const r = assemble(TRICKY, 'tricky.s');
    assert.deepStrictEqual(r.diagnostics.map((d) => `${d.line}: ${d.message}`), ["19: symbol 'dup' is already defined (line 18)"]);
  });
});

describe('SymbolTable.replaying', () => {
  const at = (line: number): { line: number; column: number } => ({ line, column: 1 });

  function pass1(): SymbolTable {
    const t = SymbolTable.empty();
    assert.notStrictEqual(typeof t.defineLabel('a', '.text', 0, at(1)), 'string');
    assert.notStrictEqual(typeof t.defineLabel('b', '.text', 4, at(2)), 'string');
    assert.strictEqual(t.defineLabel('a', '.text', 8, at(3)), "symbol 'a' is already defined (line 1)");
    return t;
  }

  it('knows each label of pass 1 only from its definition on, as pass 1 did', () => {
    const first = pass1();
    const replay = SymbolTable.replaying(first);
    assert.strictEqual(replay.label('a'), undefined);
    assert.strictEqual(replay.defineEquate('a', { expr: { kind: 'num', value: 1n, pos: at(1) }, pos: at(1), dotSection: '.text', dotOffset: 0 }, true), undefined,
      'an equate before the label is no clash yet');
    const replay2 = SymbolTable.replaying(first);
    assert.strictEqual(replay2.defineLabel('a', '.text', 0, at(1)), first.labels.get('a'), 'the same label object, not a copy');
    assert.strictEqual(replay2.label('b'), undefined, 'b comes later');
    assert.deepStrictEqual(replay2.definitionPos('a'), at(1));
    assert.strictEqual(replay2.defineLabel('b', '.text', 4, at(2)), first.labels.get('b'));
    assert.strictEqual(replay2.defineLabel('a', '.text', 8, at(3)), "symbol 'a' is already defined (line 1)", 'the clash pass 1 reported');
    assert.strictEqual(first.labels.size, 2);
  });

  it('refuses a replay that strays from pass 1 (an internal error, never a silent difference)', () => {
    const replay = SymbolTable.replaying(pass1());
    assert.throws(() => replay.defineLabel('a', '.text', 2, at(1)), /laid out again at \.text\+2, not at \.text\+0/);
    assert.throws(() => SymbolTable.replaying(pass1()).defineLabel('c', '.text', 0, at(1)), /defined when laid out again/);
    assert.throws(() => SymbolTable.replaying(pass1()).defineLabel('b', '.text', 4, at(2)), /defined when laid out again/, 'b before a');
  });

  it('leaves the attributes of pass 1 alone', () => {
    const first = pass1();
    first.attributesOf('a').binding = 'global';
    SymbolTable.replaying(first).attributesOf('a').binding = 'weak';
    assert.strictEqual(first.attributes.get('a')?.binding, 'global');
  });
});

describe('pass 2 notes %pcrel_hi targets as it goes', () => {
  it('a %pcrel_lo that names an auipc further on gets the same bytes as one that names it behind', () => {
    const forward = ok('_start: j 2f\n1: addi t0, t0, %pcrel_lo(2f)\n2: auipc t0, %pcrel_hi(v)\naddi t1, t1, %pcrel_lo(2b)\n.space 3000\nv: nop');
    const text = sectionBytes(forward, '.text');
    const word = (i: number): number => text[i] | (text[i + 1] << 8) | (text[i + 2] << 16) | (text[i + 3] << 24);
    // auipc at +8, v at +16+3000: both addi carry the low 12 bits of that distance
    const lo = (3008 << 20) >> 20;
    assert.strictEqual(word(4) >> 20, lo);
    assert.strictEqual(word(12) >> 20, lo);
    assert.strictEqual(forward.lines.length, 5, 'one line entry per instruction, the waiting one too');
  });

  it('with a .set symbol redefined further on, the auipc and its %pcrel_lo agree on the target (as GNU as: 0x00c50513)', () => {
    const r = ok('_start: .set t, v1\n1: auipc a0, %pcrel_hi(t)\naddi a0, a0, %pcrel_lo(1b)\n.set t, v2\nnop\n.data\nv1: .word 0\n.space 0x3800\nv2: .word 0');
    const text = sectionBytes(r, '.text');
    const word = (i: number): number => (text[i] | (text[i + 1] << 8) | (text[i + 2] << 16) | (text[i + 3] << 24)) >>> 0;
    const v1 = r.symbols.find((s) => s.name === 'v1')!.value;
    const pc = r.sections.find((s) => s.name === '.text')!.address;
    assert.strictEqual(((word(0) >>> 12) << 12) + (word(4) >> 20), v1 - pc, 'auipc + addi reach v1');
    assert.strictEqual(word(4), 0x00c50513);
  });

  it('a %pcrel_lo whose auipc failed says so once, at the %pcrel_hi', () => {
    const r = assemble('addi t0, t0, %pcrel_lo(1f)\n1: auipc t0, %pcrel_hi(nowhere)\naddi t0, t0, %pcrel_lo(1b)', 'f.s');
    assert.deepStrictEqual(r.diagnostics.map((d) => `${d.line}:${d.column}: ${d.message}`), ["2:24: undefined symbol 'nowhere'"]);
  });
});
