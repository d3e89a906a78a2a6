// The TextMate grammar, tokenized by vscode-textmate + Oniguruma as VS Code would: scopes of
// specific tokens in a fixture that has every construct, and sanity over every example program.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { IGrammar } from 'vscode-textmate';
import { CSRS } from '../../src/asm/csr-names';
import { INSTRUCTIONS, PSEUDO_INSTRUCTIONS } from '../../src/asm/isa';
import { allRegisterNames } from '../../src/asm/registers';
import { grammarText } from '../../src/lsp/grammar/write';
import { GRAMMAR_FILE, Token, loadGrammar, tokenize } from './textmate';

const FIXTURE = path.join(__dirname, 'fixtures', 'constructs.s');
const EXAMPLES = path.join(__dirname, '..', '..', 'examples');

/** The scopes of the token whose text is exactly `text`, the `nth` such token on lines containing `onLine`. */
function scopesOf(tokens: readonly Token[], source: string, onLine: string, text: string, nth = 0): readonly string[] {
  const lines = source.split(/\r?\n/);
  const lineNo = lines.findIndex((l) => l.includes(onLine));
  assert.ok(lineNo >= 0, `no line contains ${JSON.stringify(onLine)}`);
  const found = tokens.filter((t) => t.line === lineNo && t.text.trim() === text);
  assert.ok(found[nth], `no token ${JSON.stringify(text)} on line ${lineNo + 1}: ${JSON.stringify(tokens.filter((t) => t.line === lineNo).map((t) => t.text))}`);
  return found[nth].scopes;
}

function hasScope(scopes: readonly string[], prefix: string): boolean {
  return scopes.some((s) => s === prefix || s.startsWith(`${prefix}.`));
}

describe('lsp: TextMate grammar', () => {
  let grammar: IGrammar;
  let source: string;
  let tokens: Token[];

  before(async () => {
    grammar = await loadGrammar();
    source = fs.readFileSync(FIXTURE, 'utf8');
    tokens = tokenize(grammar, source);
  });

  it('is the file generated from the assembler tables (run `node --import tsx src/lsp/grammar/write.ts` after changing them)', () => {
    assert.strictEqual(fs.readFileSync(GRAMMAR_FILE, 'utf8'), grammarText());
  });

  const cases: readonly (readonly [line: string, text: string, scope: string, nth?: number])[] = [
    ['# constructs.s', '#', 'punctuation.definition.comment'],
    ['# constructs.s', 'constructs.s — one of each thing the grammar and the language server know about.', 'comment.line.number-sign'],
    ['/* a block comment', '/*', 'comment.block'],
    ['over two lines */', 'over two lines', 'comment.block'],
    ['.equ UART', '.equ', 'support.function.directive'],
    ['.equ UART', 'UART', 'entity.name.constant'],
    ['.equ UART', '0x10000000', 'constant.numeric.hex'],
    ['.equ UART', 'UART base', 'comment.line.number-sign'],
    ['.equiv FINISHER', '.equiv', 'support.function.directive'],
    ['.equiv FINISHER', 'FINISHER', 'entity.name.constant'],
    ['PASS = 0x5555', 'PASS', 'entity.name.constant'],
    ['PASS = 0x5555', '=', 'keyword.operator.assignment'],
    ['.section .text.init', '.section', 'support.function.directive'],
    ['.section .text.init', '.text.init', 'entity.name.section'],
    ['.section .text.init', 'ax', 'string.quoted.double'],
    ['.section .text.init', '@progbits', 'support.constant.symbol-type'],
    ['.globl _start', '.globl', 'support.function.directive'],
    ['.globl _start', '_start', 'variable.other.symbol'],
    ['_start:', '_start', 'entity.name.function.label'],
    ['_start:', ':', 'punctuation.separator.label'],
    ['csrr    t0, mhartid', 'csrr', 'keyword.other.instruction.pseudo'],
    ['csrr    t0, mhartid', 't0', 'variable.language.register'],
    ['csrr    t0, mhartid', 'mhartid', 'variable.language.csr'],
    ['csrrw   zero, mscratch', 'csrrw', 'keyword.other.instruction'],
    ['csrrw   zero, mscratch', 'zero', 'variable.language.register'],
    ['csrrw   zero, mscratch', 'mscratch', 'variable.language.csr'],
    ['csrrw   zero, mscratch', 'sp', 'variable.language.register'],
    ['csrwi   mie, 0', 'mie', 'variable.language.csr'],
    ['csrwi   mie, 0', '0', 'constant.numeric.decimal'],
    ['bnez    t0, park', 'bnez', 'keyword.other.instruction.pseudo'],
    ['bnez    t0, park', 'park', 'variable.other.symbol'],
    ['la      a0, message', 'la', 'keyword.other.instruction.pseudo'],
    ['1:      lbu', '1', 'entity.name.function.label.local'],
    ['1:      lbu', 'lbu', 'keyword.other.instruction'],
    ['1:      lbu', '(', 'punctuation.section.parens.begin'],
    ['beqz    a1, 3f', '3f', 'variable.other.label.local'],
    ['beqz    t1, 2b', '2b', 'variable.other.label.local'],
    ['2:      lbu', 'LSR_OFFSET', 'variable.other.symbol'],
    ['sb      a1, 0(t0); addi', ';', 'punctuation.terminator.statement'],
    ['sb      a1, 0(t0); addi', 'addi', 'keyword.other.instruction'],
    ['3:      lui', '%hi', 'support.function.relocation'],
    ['addi    t2, t2, %lo', '%lo', 'support.function.relocation'],
    ['park:   wfi', 'park', 'entity.name.function.label'],
    ['park:   wfi', 'wfi', 'keyword.other.instruction'],
    ['.size _start', '.', 'variable.language.location-counter'],
    ['.size _start', '-', 'keyword.operator'],
    ['helper: ADDI', 'ADDI', 'keyword.other.instruction'],
    ['helper: ADDI', 'x10', 'variable.language.register'],
    ['helper: ADDI', '0b101', 'constant.numeric.binary'],
    ['helper: ADDI', '017', 'constant.numeric.octal'],
    ['helper: ADDI', "'A'", 'constant.character'],
    ['helper: ADDI', '>>', 'keyword.operator'],
    ['helper: ADDI', '*', 'keyword.operator'],
    ['auipc   ra, %pcrel_hi', '%pcrel_hi', 'support.function.relocation'],
    ['jalr    ra, %pcrel_lo', '%pcrel_lo', 'support.function.relocation'],
    ['jalr    ra, %pcrel_lo', '1b', 'variable.other.label.local'],
    ['amoadd.w.aqrl', 'amoadd.w.aqrl', 'keyword.other.instruction'],
    ['fence   iorw', 'fence', 'keyword.other.instruction'],
    ['.asciz', '.asciz', 'support.function.directive'],
    ['.asciz', '\\t', 'constant.character.escape'],
    ['.asciz', '\\x41', 'constant.character.escape'],
    ['.asciz', '\\101', 'constant.character.escape'],
    ['.asciz', '\\"', 'constant.character.escape'],
    ['.asciz', 'Hello', 'string.quoted.double'],
    ['table:  .word', "'\\n'", 'constant.character'],
    ['table:  .word', '0x10000005', 'constant.numeric.hex'],
    ['buffer: .space', 'buffer', 'entity.name.function.label'],
    ['buffer: .space', '64', 'constant.numeric.decimal'],
  ];
  for (const [line, text, scope, nth] of cases) {
    it(`${JSON.stringify(text)} on "${line}" is ${scope}`, () => {
      const scopes = scopesOf(tokens, source, line, text, nth);
      assert.ok(hasScope(scopes, scope), `${JSON.stringify(text)}: ${scopes.join(' ')}`);
      assert.ok(scopes.every((s) => s === 'source.hyperstep-asm' || s.endsWith('.hyperstep-asm')), scopes.join(' '));
    });
  }

  it('keeps a string that is not closed on its line from running into the next line', () => {
    const t = tokenize(grammar, '.ascii "open\nnop');
    assert.ok(hasScope(t.find((x) => x.text === 'nop')!.scopes, 'keyword.other.instruction'));
  });

  it('does not take `//` for a comment (GNU as for RISC-V has none) nor a CSR name outside a CSR instruction', () => {
    const t = tokenize(grammar, 'li a0, 8 // 2\nj time');
    assert.ok(!t.some((x) => hasScope(x.scopes, 'comment')));
    assert.ok(hasScope(t.find((x) => x.text === 'time')!.scopes, 'variable.other.symbol'));
  });

  it('marks a malformed number', () => {
    const t = tokenize(grammar, 'li a0, 08');
    assert.ok(hasScope(t.find((x) => x.text === '08')!.scopes, 'invalid.illegal.numeric'));
  });

  it('scopes every mnemonic at the head of a statement as an instruction, every register and CSR as such', () => {
    for (const m of new Set([...INSTRUCTIONS, ...PSEUDO_INSTRUCTIONS].map((i) => i.mnemonic))) {
      const t = tokenize(grammar, `  ${m} a0`).find((x) => x.text === m);
      assert.ok(t && hasScope(t.scopes, 'keyword.other.instruction') && !hasScope(t.scopes, 'keyword.other.instruction.unknown'), m);
    }
    for (const r of allRegisterNames()) {
      const t = tokenize(grammar, `add ${r}, a0, a1`).find((x) => x.text === r);
      assert.ok(t && hasScope(t.scopes, 'variable.language.register'), r);
    }
    for (const c of CSRS) {
      const t = tokenize(grammar, `csrr a0, ${c.name}`).find((x) => x.text === c.name);
      assert.ok(t && hasScope(t.scopes, 'variable.language.csr'), c.name);
    }
  });

  const examples = fs.existsSync(EXAMPLES) ? fs.readdirSync(EXAMPLES).filter((f) => /\.(s|asm)$/.test(f)) : [];
  for (const file of examples) {
    it(`tokenizes examples/${file}: labels, mnemonics and comments where the assembler sees them`, () => {
      const text = fs.readFileSync(path.join(EXAMPLES, file), 'utf8');
      const t = tokenize(grammar, text);
      assert.strictEqual(t.map((x) => x.text).join(''), text.split(/\r?\n/).join(''), 'tokens cover the text');
      for (const x of t) {
        if (/^[A-Za-z_.$][A-Za-z0-9_.$]*$/.test(x.text) && hasScope(x.scopes, 'keyword.other.instruction.unknown')) {
          assert.fail(`${file}:${x.line + 1}: '${x.text}' is not a known mnemonic`);
        }
      }
      const lines = text.split(/\r?\n/);
      lines.forEach((line, i) => {
        const label = /^\s*([A-Za-z_.$][A-Za-z0-9_.$]*|[0-9]+):/.exec(line);
        if (!label) return;
        const tok = t.find((x) => x.line === i && x.text === label[1]);
        assert.ok(tok && hasScope(tok.scopes, 'entity.name.function.label'), `${file}:${i + 1}: label ${label[1]}`);
      });
    });
  }
});

describe('lsp: language configuration', () => {
  const config = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'language-configuration.json'), 'utf8'));

  it('has the assembler\'s comments and a word pattern that keeps numbers, local references and dotted names whole', () => {
    assert.strictEqual(config.comments.lineComment, '#');
    assert.deepStrictEqual(config.comments.blockComment, ['/*', '*/']);
    const words = 'li a0, 0b101 + 0x1F; j 1b; .word UART.LSR'.match(new RegExp(config.wordPattern, 'g'));
    assert.deepStrictEqual(words, ['li', 'a0', '0b101', '0x1F', 'j', '1b', '.word', 'UART.LSR']);
  });
});
