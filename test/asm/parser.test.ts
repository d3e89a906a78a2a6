/** Lexing and parsing: comments, separators, positions, and the outline the language server uses. */
import { strict as assert } from 'assert';
import { parseAssembly } from '../../src/asm';
import { dataBytes, listing } from './helpers';

describe('lexer and parser', () => {
  it('treats # as a comment, ; as a statement separator and /* */ as a comment across lines', () => {
    assert.deepEqual(listing('nop # comment; not a statement\nret; nop /* a\nlong ; comment */ ; ebreak'), [
      'addi zero,zero,0', 'jalr zero,0(ra)', 'addi zero,zero,0', 'ebreak',
    ]);
  });

  it('keeps # and ; inside strings and character literals', () => {
    assert.deepEqual(dataBytes(".data\n.ascii \"#;\"\n.byte '#', ';'"), [35, 59, 35, 59]);
  });

  it('allows several labels on a line and labels on their own lines', () => {
    const r = parseAssembly('a: b: nop\nc:\n  d: .word 1', 'p.s');
    assert.deepEqual(r.statements.flatMap((s) => s.labels.map((l) => [l.name, l.pos.line, l.pos.column])), [
      ['a', 1, 1], ['b', 1, 4], ['c', 2, 1], ['d', 3, 3],
    ]);
  });

  it('reports symbol references with their positions, and columns in UTF-16 units', () => {
    const r = parseAssembly('/* é */ j target\n.word target + 4', 'p.s');
    assert.deepEqual(r.references, [{ name: 'target', pos: r.references[0].pos }, { name: 'target', pos: r.references[1].pos }]);
    assert.deepEqual(r.references.map((x) => [x.pos.line, x.pos.column]), [[1, 11], [2, 7]]);
    assert.deepEqual(r.diagnostics, []);
  });

  it('returns syntax errors without assembling', () => {
    assert.deepEqual(parseAssembly('addi a0, , 1', 'p.s').diagnostics.map((d) => d.message), ['missing operand']);
  });
});
