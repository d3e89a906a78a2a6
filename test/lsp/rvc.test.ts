// The language server on compressed code: hover and completion know every c.* mnemonic (from the
// assembler's RVC table, so they never disagree), say which compressed forms an ordinary
// mnemonic takes under `.option rvc`, explain the `.option` words, and diagnostics come from the
// assembler with the C extension's own messages and positions.
import * as assert from 'assert';
import { Analysis } from '../../src/lsp/server/analysis';
import { assembleNow } from '../../src/lsp/server/assembler-runner';
import { completionAt } from '../../src/lsp/server/completion';
import { buildModel } from '../../src/lsp/server/document-model';
import { hoverAt } from '../../src/lsp/server/hover';
import { EXPLICIT } from '../../src/asm/compress';

function analyse(text: string): Analysis {
  return new Analysis(buildModel(text), assembleNow(text, 'test.s'));
}

function hover(text: string, needle: string, delta = 0): string | undefined {
  return hoverAt(analyse(text), text.indexOf(needle) + delta)?.markdown;
}

function complete(text: string): { label: string; detail?: string; documentation?: string }[] {
  return [...(completionAt(analyse(text), text.length, { snippets: false })?.items ?? [])];
}

describe('lsp: the C extension', () => {
  it('hovers a c.* mnemonic with its operands, expansion, encoding and the .option it needs', () => {
    const md = hover('.option rvc\nc.addi4spn a0, sp, 16\n', 'c.addi4spn', 2);
    assert.ok(md, 'no hover');
    assert.match(md, /\*\*c\.addi4spn\*\* `c\.addi4spn rd', sp, nzuimm` — C \(RV32C\), 16-bit/);
    assert.match(md, /`addi rd', sp, nzuimm`/);
    assert.match(md, /match 0x0000, mask 0xe003/);
    assert.match(md, /\.option rvc/);
  });

  it('hovers c.nop with both of its forms', () => {
    const md = hover('.option rvc\nc.nop\n', 'c.nop');
    assert.ok(md?.includes('`c.nop` or `c.nop imm6`'), md);
  });

  it('says under which compressed forms an ordinary mnemonic is written with .option rvc', () => {
    assert.match(hover('addi a0, a0, 1\n', 'addi')!, /Under `\.option rvc`: written as `c\.addi4spn` or `c\.addi` or `c\.nop` or `c\.addi16sp` or `c\.li` or `c\.mv`/);
    assert.ok(!hover('ori a0, a0, 1\n', 'ori')!.includes('.option rvc'), 'ori has no compressed form');
  });

  it('completes every c.* mnemonic at the head of a statement, marked RVC', () => {
    const items = complete('.option rvc\n  c.');
    for (const m of EXPLICIT.keys()) {
      const item = items.find((i) => i.label === m);
      assert.ok(item, `${m} missing`);
      assert.match(item.detail ?? '', /\(RVC\)$/, `${m}: ${item.detail}`);
      assert.ok(item.documentation?.includes('16-bit'), `${m} has no documentation`);
    }
    assert.equal(items.find((i) => i.label === 'c.lw')?.detail, "c.lw rd', uimm(rs1') (RVC)");
  });

  it('completes and hovers the .option words', () => {
    const items = complete('.option ');
    for (const w of ['rvc', 'norvc', 'push', 'pop', 'arch', 'relax', 'norelax']) {
      assert.ok(items.some((i) => i.label === w && i.detail), `.option ${w} missing`);
    }
    assert.deepStrictEqual(complete('.option arch, ').map((i) => i.label), ['+c', '-c']);
    assert.match(hover('.option rvc\n', 'rvc')!, /\*\*\.option rvc\*\* — allow compressed/);
    assert.match(hover('.option push\n', 'push')!, /save the current options/);
  });

  it('reports compressed-instruction errors where they are', () => {
    const a = analyse('.option rvc\nc.lw a6, 0(a0)\n.option norvc\nc.nop\n');
    const messages = (a.outcome?.diagnostics ?? []).map((d) => `${d.line}:${d.column}: ${d.message}`);
    assert.deepStrictEqual(messages, [
      '2:6: c.lw: a6 is not one of x8–x15 (s0, s1, a0–a5)',
      '4:1: c.nop is a compressed instruction: write .option rvc (or .option arch, +c) before it',
    ]);
  });
});
