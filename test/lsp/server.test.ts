// The language server as a black box over stdio (the way VS Code and any other editor run it):
// LSP JSON-RPC in, diagnostics, hovers, completions, locations and symbols out.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import * as fc from 'fast-check';
import type {
  CompletionItem, CompletionList, Diagnostic, DocumentSymbol, Hover, Location, MarkupContent,
} from 'vscode-languageserver';
import { assemble } from '../../src/asm';
import { LspClient, bundleServer, positionOf } from './lsp-client';

const ROOT = path.join(__dirname, '..', '..');
const FIXTURE = fs.readFileSync(path.join(__dirname, 'fixtures', 'constructs.s'), 'utf8');
const FIXTURE_URI = 'file:///work/constructs.s';

const ERRORS = [
  '_start:',
  '        addi a0, a0',
  '        lw   t0, 0(q9)',
  '        foo  a0',
  '        li   a0, 0x12x',
  '        j    nowhere',
  '        csrr a0, mstatus, 1',
  '',
].join('\n');

function hoverText(h: Hover | null): string {
  assert.ok(h, 'expected a hover');
  return (h.contents as MarkupContent).value;
}

function itemsOf(r: CompletionList | CompletionItem[] | null): CompletionItem[] {
  if (!r) return [];
  return Array.isArray(r) ? r : r.items;
}

function textOf(text: string, range: { start: { line: number; character: number }; end: { line: number; character: number } }): string {
  const lines = text.split('\n');
  if (range.start.line !== range.end.line) return '<multi-line>';
  return lines[range.start.line].slice(range.start.character, range.end.character);
}

describe('lsp: the language server over stdio', function () {
  this.timeout(60_000);
  let client: LspClient;

  before(async () => {
    client = await LspClient.start(await bundleServer());
    await client.open(FIXTURE_URI, FIXTURE);
  });

  after(async () => {
    await client?.stop();
  });

  const hover = (uri: string, text: string, needle: string, delta = 0, nth = 0): Promise<Hover | null> =>
    client.request('textDocument/hover', { textDocument: { uri }, position: positionOf(text, needle, delta, nth) });
  const complete = async (uri: string, text: string, needle: string, delta = 0): Promise<CompletionItem[]> =>
    itemsOf(await client.request('textDocument/completion', { textDocument: { uri }, position: positionOf(text, needle, delta) }));

  describe('diagnostics', () => {
    const uri = 'file:///work/errors.s';
    let diags: Diagnostic[];

    before(async () => {
      await client.open(uri, ERRORS, 3);
      diags = await client.diagnostics(uri, 3);
    });

    it('are the assembler\'s messages, one for one', () => {
      const expected = assemble(ERRORS, 'errors.s').diagnostics.map((d) => d.message);
      assert.deepStrictEqual(diags.map((d) => d.message), expected);
      assert.ok(diags.every((d) => d.source === 'hyperstep-asm' && d.severity === 1));
    });

    it('cover the token the assembler points at', () => {
      const at = (message: string): string => {
        const d = diags.find((x) => x.message.includes(message));
        assert.ok(d, message);
        return textOf(ERRORS, d.range);
      };
      assert.strictEqual(at('too few operands for addi'), 'addi');
      assert.strictEqual(at("unknown instruction 'foo'"), 'foo');
      assert.strictEqual(at("bad number '0x12x'"), '0x12x');
      assert.strictEqual(at("undefined symbol 'nowhere'"), 'nowhere');
      assert.strictEqual(at('too many operands for csrr'), '1');
      assert.strictEqual(at("unexpected '('"), '(');
      const d = diags.find((x) => x.message.includes('foo'))!;
      assert.deepStrictEqual(d.range, { start: { line: 3, character: 8 }, end: { line: 3, character: 11 } });
    });

    it('follow edits, and an edit that fixes everything clears them', async () => {
      await client.change(uri, '_start: addi a0, a0, 1\n        lw t0, 0(t9)\n', 4);
      const d4 = await client.diagnostics(uri, 4);
      assert.strictEqual(d4.length, 1);
      assert.strictEqual(textOf('_start: addi a0, a0, 1\n        lw t0, 0(t9)\n', d4[0].range), '(');
      await client.change(uri, '_start: addi a0, a0, 1\n', 5);
      assert.deepStrictEqual(await client.diagnostics(uri, 5), []);
    });

    it('are warnings where the assembler warns', async () => {
      const u = 'file:///work/warn.s';
      const text = '.ascii "\\q"\n';
      await client.open(u, text);
      const d = await client.diagnostics(u, 1);
      assert.strictEqual(d[0].severity, 2, JSON.stringify(d));
    });

    it('survive an input that asks the assembler for millions of lines, and come back on the next edit', async () => {
      const u = 'file:///work/oom.s';
      await client.open(u, '.rept 40000000\nnop\n.endr\n', 1);
      const d = await client.diagnostics(u, 1, 40_000);
      assert.strictEqual(d.length, 1);
      assert.match(d[0].message, /would expand to more than 1000000 lines/);
      assert.ok(hoverText(await hover(FIXTURE_URI, FIXTURE, 'wfi')).includes('wait for interrupt'), 'the server still answers');
      await client.change(u, 'nop\nbogus\n', 2);
      assert.deepStrictEqual((await client.diagnostics(u, 2)).map((x) => x.message), ["unknown instruction 'bogus'"]);
    });

    it('of the fixture: none (it is a valid program)', async () => {
      assert.deepStrictEqual(await client.diagnostics(FIXTURE_URI), []);
    });
  });

  describe('hover', () => {
    it('on a mnemonic: syntax, semantics, format, extension and encoding', async () => {
      const h = await hover(FIXTURE_URI, FIXTURE, 'andi');
      const text = hoverText(h);
      assert.match(text, /\*\*andi\*\* `andi rd, rs1, imm` — RV32I, I-type/);
      assert.match(text, /rd = rs1 & imm/);
      assert.match(text, /funct3=111/);
      assert.strictEqual(textOf(FIXTURE, h!.range!), 'andi');
    });

    it('on a pseudo-instruction: its expansion', async () => {
      const text = hoverText(await hover(FIXTURE_URI, FIXTURE, 'beqz'));
      assert.match(text, /pseudo-instruction `beqz rs1, target` → `beq rs1, zero, target`/);
    });

    it('on a register: its number and ABI names', async () => {
      const text = hoverText(await hover(FIXTURE_URI, FIXTURE, 'x10,'));
      assert.match(text, /`x10` = `a0`/);
      assert.match(text, /argument/);
      assert.match(hoverText(await hover(FIXTURE_URI, FIXTURE, 'sp      #')), /`x2` = `sp`: stack pointer/);
    });

    it('on a CSR: its address and description', async () => {
      const text = hoverText(await hover(FIXTURE_URI, FIXTURE, 'mhartid'));
      assert.match(text, /\*\*mhartid\*\* — CSR 0xf14: Hart ID/);
      assert.match(text, /M-mode, read-only/);
      assert.match(hoverText(await hover(FIXTURE_URI, FIXTURE, 'mscratch')), /CSR 0x340/);
    });

    it('on an MMIO address: the device and the register', async () => {
      const h = await hover(FIXTURE_URI, FIXTURE, '0x10000005');
      assert.match(hoverText(h), /UART 16550A LSR \(line status\)/);
      assert.strictEqual(textOf(FIXTURE, h!.range!), '0x10000005');
    });

    it('on an .equ symbol that is an MMIO address, where it is used', async () => {
      const text = hoverText(await hover(FIXTURE_URI, FIXTURE, 'UART', 0, 2)); // `li t0, UART`
      assert.match(text, /\*\*UART\*\* = 0x1000_0000/);
      assert.match(text, /UART 16550A RBR\/THR\/DLL/);
      assert.match(text, /`\.equ`, line 4/);
    });

    it('on `li rX, CONST`: the device the constant names', async () => {
      assert.match(hoverText(await hover(FIXTURE_URI, FIXTURE, 'li      t0, UART')), /Here: `t0` = 0x1000_0000 — \*\*UART 16550A/);
    });

    it('on `off(base)` whose base holds a known address: the register reached', async () => {
      const h = await hover(FIXTURE_URI, FIXTURE, 'LSR_OFFSET(t0)', 10);
      assert.match(hoverText(h), /UART 16550A LSR \(line status\).*t0 = 0x1000_0000/);
      assert.strictEqual(textOf(FIXTURE, h!.range!), 'LSR_OFFSET(t0)');
      const symbol = hoverText(await hover(FIXTURE_URI, FIXTURE, 'LSR_OFFSET(t0)'));
      assert.match(symbol, /\*\*LSR_OFFSET\*\* = 0x0000_0005/);
      assert.match(symbol, /Here: .*UART 16550A LSR/s);
      const finisher = await hover(FIXTURE_URI, FIXTURE, '0(t2)');
      assert.match(hoverText(finisher), /test finisher FINISHER/);
    });

    it('on a label: where it is defined', async () => {
      const text = hoverText(await hover(FIXTURE_URI, FIXTURE, 'park', 0, 0)); // `bnez t0, park`
      assert.match(text, /\*\*park\*\* — label, line 31/);
      assert.match(text, /park: {3}wfi/);
      assert.match(hoverText(await hover(FIXTURE_URI, FIXTURE, '_start', 0, 0)), /Global/);
    });

    it('on a numeric local label reference: the instance it means', async () => {
      assert.match(hoverText(await hover(FIXTURE_URI, FIXTURE, '2b')), /line 22/);
      assert.match(hoverText(await hover(FIXTURE_URI, FIXTURE, '%pcrel_lo(1b)', 10)), /line 37/);
    });

    it('on a directive and a relocation', async () => {
      assert.match(hoverText(await hover(FIXTURE_URI, FIXTURE, '.balign')), /align to a byte count/);
      assert.match(hoverText(await hover(FIXTURE_URI, FIXTURE, '%hi')), /upper 20 bits/);
    });

    it('in a comment or on blank space: nothing', async () => {
      assert.strictEqual(await hover(FIXTURE_URI, FIXTURE, 'UART base'), null);
      assert.strictEqual(await hover(FIXTURE_URI, FIXTURE, '\n\n', 1), null);
    });
  });

  describe('completion', () => {
    const uri = 'file:///work/complete.s';
    const text = [
      '        .equ UART, 0x10000000',
      'start:  ad',
      '        .wo',
      '        csrr    t0, ms',
      '        sw      t1, 0(t',
      '        li      t0, U',
      '        beqz    a0, 1',
      '1:      addi    a0, a0, %p',
      '        .section .t',
      '        # nothing in a comment',
      '        j       ',
      '        ',
    ].join('\n');
    before(() => client.open(uri, text));

    it('at the head of a statement: mnemonics with their syntax, and directives', async () => {
      const items = await complete(uri, text, 'ad', 2);
      const add = items.find((i) => i.label === 'addi');
      assert.ok(add, 'addi');
      assert.strictEqual(add.detail, 'addi rd, rs1, imm');
      assert.strictEqual(add.insertTextFormat, 2, 'a snippet: nothing follows on the line');
      assert.strictEqual((add.textEdit as { newText: string }).newText, 'addi ${1:rd}, ${2:rs1}, ${3:imm}');
      assert.deepStrictEqual((add.textEdit as { range: unknown }).range, { start: { line: 1, character: 8 }, end: { line: 1, character: 10 } });
      assert.ok(items.some((i) => i.label === 'li' && /pseudo/.test(i.detail ?? '')));
      assert.ok(items.some((i) => i.label === '.word'));
    });

    it('after a dot: directives only', async () => {
      const items = await complete(uri, text, '.wo', 3);
      assert.ok(items.length > 20 && items.every((i) => i.label.startsWith('.')));
      assert.ok(items.some((i) => i.label === '.word' && /32-bit/.test(i.detail ?? '')));
    });

    it('in the CSR operand of a csr instruction: CSR names first', async () => {
      const items = await complete(uri, text, 't0, ms', 6);
      const mstatus = items.find((i) => i.label === 'mstatus');
      assert.ok(mstatus && /^0x300/.test(mstatus.detail ?? ''));
      const first = [...items].sort((a, b) => (a.sortText ?? a.label).localeCompare(b.sortText ?? b.label))[0];
      assert.strictEqual(first.kind, 10, 'a CSR (Property) sorts first');
    });

    it('inside a memory operand\'s parentheses: registers', async () => {
      const items = await complete(uri, text, '0(t', 3);
      assert.ok(items.length > 0 && items.every((i) => i.kind === 6), 'only registers (Variable)');
      assert.ok(items.some((i) => i.label === 't1' && /x6/.test(i.detail ?? '')));
    });

    it('in an immediate: symbols and device registers, which insert their address', async () => {
      const items = await complete(uri, text, 'li      t0, U', 13);
      const uart = items.find((i) => i.label === 'UART');
      assert.ok(uart && /0x1000_0000/.test(uart.detail ?? ''));
      const lsr = items.find((i) => i.label === 'UART.LSR');
      assert.ok(lsr, 'UART.LSR');
      assert.strictEqual((lsr.textEdit as { newText: string }).newText, '0x10000005');
      assert.match(lsr.detail ?? '', /0x1000_0005 — line status/);
      for (const name of ['LAPIC.EOI', 'IOAPIC.IOWIN', 'NIC.ISR', 'FINISHER', 'TESTDEV.IRQ_LINE']) assert.ok(items.some((i) => i.label === name), name);
    });

    it('in a branch target: labels and numeric label references first', async () => {
      const items = await complete(uri, text, 'beqz    a0, 1', 13);
      assert.ok(items.some((i) => i.label === 'start'));
      assert.ok(items.some((i) => i.label === '1f' && /line 8/.test(i.detail ?? '')));
      assert.ok(!items.some((i) => i.label === '1b'), 'no 1: before this line');
      const sorted = [...items].sort((a, b) => (a.sortText ?? a.label).localeCompare(b.sortText ?? b.label));
      assert.ok(sorted[0].kind !== 6, 'labels before registers');
      const jump = await complete(uri, text, 'j       ', 8);
      assert.ok(jump.some((i) => i.label === '1b'));
    });

    it('after %: relocation operators', async () => {
      const items = await complete(uri, text, '%p', 2);
      assert.deepStrictEqual(items.map((i) => i.label).sort(), ['%hi', '%lo', '%pcrel_hi', '%pcrel_lo']);
    });

    it('in a .section name: section names', async () => {
      const items = await complete(uri, text, '.section .t', 11);
      assert.ok(items.some((i) => i.label === '.text'));
    });

    it('in a comment: nothing', async () => {
      const items = await complete(uri, text, 'nothing in', 3);
      assert.deepStrictEqual(items, []);
    });
  });

  describe('definition and references', () => {
    const def = async (needle: string, delta = 0, nth = 0): Promise<string[]> => {
      const locs: Location[] = await client.request('textDocument/definition', { textDocument: { uri: FIXTURE_URI }, position: positionOf(FIXTURE, needle, delta, nth) });
      return locs.map((l) => `${l.range.start.line + 1}:${textOf(FIXTURE, l.range)}`);
    };

    it('go from a label use to its definition', async () => {
      assert.deepStrictEqual(await def('park', 0, 0), ['31:park']);
      assert.deepStrictEqual(await def('message', 0, 0), ['45:message']);
    });

    it('resolve `1b`/`1f` to the right numeric label, as the assembler does', async () => {
      assert.deepStrictEqual(await def('3f'), ['27:3']);
      assert.deepStrictEqual(await def('2b'), ['22:2']);
      assert.deepStrictEqual(await def('j       1b', 8), ['20:1'], 'the first 1:, before the second is defined');
      assert.deepStrictEqual(await def('%pcrel_lo(1b)', 10), ['37:1'], 'the second 1:');
    });

    it('go from an .equ/.set/= symbol use to its definition', async () => {
      assert.deepStrictEqual(await def('LSR_OFFSET(t0)'), ['5:LSR_OFFSET']);
      assert.deepStrictEqual(await def('PASS', 0, 1), ['7:PASS']);
      assert.deepStrictEqual(await def('%hi(FINISHER)', 4), ['6:FINISHER']);
    });

    it('find every reference of a label, with and without its declaration', async () => {
      const refs = async (includeDeclaration: boolean): Promise<string[]> => {
        const locs: Location[] = await client.request('textDocument/references', {
          textDocument: { uri: FIXTURE_URI }, position: positionOf(FIXTURE, '_start:'), context: { includeDeclaration },
        });
        return locs.map((l) => `${l.range.start.line + 1}:${textOf(FIXTURE, l.range)}`);
      };
      assert.deepStrictEqual(await refs(false), ['11:_start', '12:_start', '33:_start', '33:_start']);
      assert.deepStrictEqual(await refs(true), ['11:_start', '12:_start', '13:_start', '33:_start', '33:_start']);
    });

    it('find the references of one numeric label instance only', async () => {
      const locs: Location[] = await client.request('textDocument/references', {
        textDocument: { uri: FIXTURE_URI }, position: positionOf(FIXTURE, '1:      lbu'), context: { includeDeclaration: true },
      });
      assert.deepStrictEqual(locs.map((l) => `${l.range.start.line + 1}:${textOf(FIXTURE, l.range)}`), ['20:1', '26:1b']);
    });

    it('highlight a symbol\'s definition (write) and uses (read)', async () => {
      const hs: { range: Location['range']; kind: number }[] = await client.request('textDocument/documentHighlight', {
        textDocument: { uri: FIXTURE_URI }, position: positionOf(FIXTURE, 'UART', 0, 2),
      });
      assert.deepStrictEqual(hs.map((h) => `${h.range.start.line + 1}:${h.kind}`), ['4:3', '19:2']);
    });
  });

  it('document symbols: sections as namespaces, labels as functions or fields, constants, .globl marked', async () => {
    await client.diagnostics(FIXTURE_URI, 1, 40_000); // addresses come from the assembled program
    const symbols: DocumentSymbol[] = await client.request('textDocument/documentSymbol', { textDocument: { uri: FIXTURE_URI } });
    const shape = symbols.map((s) => `${s.name}:${s.kind}[${(s.children ?? []).map((c) => `${c.name}:${c.kind}${c.detail ? `(${c.detail})` : ''}`).join(' ')}]`);
    assert.deepStrictEqual(shape.slice(0, 4), [
      'UART:14[]', 'LSR_OFFSET:14[]', 'FINISHER:14[]', 'PASS:14[]',
    ]);
    const init = symbols.find((s) => s.name === '.text.init')!;
    assert.strictEqual(init.kind, 3);
    assert.deepStrictEqual(init.children!.map((c) => [c.name, c.kind]), [['_start', 12], ['park', 12]]);
    assert.match(init.children![0].detail ?? '', /^global 0x8/);
    const data = symbols.find((s) => s.name === '.data')!;
    assert.deepStrictEqual(data.children!.map((c) => [c.name, c.kind]), [['message', 8], ['table', 8]]);
    assert.deepStrictEqual(symbols.find((s) => s.name === '.bss')!.children!.map((c) => c.name), ['buffer']);
    assert.ok(symbols.some((s) => s.name === '.text' && s.children!.some((c) => c.name === 'helper' && c.kind === 12)));
  });

  describe('bad requests', () => {
    it('a request with malformed params gets an InvalidParams error, and the server keeps answering', async () => {
      await assert.rejects(client.request('textDocument/hover', {}), (e: { code: number }) => e.code === -32602);
      await assert.rejects(client.request('textDocument/completion', { textDocument: { uri: FIXTURE_URI }, position: { line: 'x' } }),
        (e: { code: number }) => e.code === -32602);
      await assert.rejects(client.request('textDocument/documentSymbol', null), (e: { code: number }) => e.code === -32602);
      assert.ok(hoverText(await hover(FIXTURE_URI, FIXTURE, 'wfi')).includes('wfi'));
    });

    it('an unknown method gets MethodNotFound', async () => {
      await assert.rejects(client.request('hyperstep/nonsense', {}), (e: { code: number }) => e.code === -32601);
    });

    it('a document that is not open, or a position outside it, is answered with nothing', async () => {
      assert.strictEqual(await client.request('textDocument/hover', { textDocument: { uri: 'file:///nowhere.s' }, position: { line: 0, character: 0 } }), null);
      assert.strictEqual(await client.request('textDocument/hover', { textDocument: { uri: FIXTURE_URI }, position: { line: 9999, character: -5 } }), null);
    });

    it('random documents and edits never break it (fast-check)', async () => {
      const uri = 'file:///work/fuzz.s';
      let version = 1;
      await client.open(uri, '', version);
      const methods = ['textDocument/hover', 'textDocument/completion', 'textDocument/definition', 'textDocument/references', 'textDocument/documentHighlight'];
      await fc.assert(fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 300 }), fc.stringMatching(/^[ -~\n\t]{0,300}$/), editOf(FIXTURE)),
        fc.nat(), fc.nat(), fc.constantFrom(...methods),
        async (text, line, character, method) => {
          await client.change(uri, text, ++version);
          const position = { line: line % (text.split('\n').length + 1), character: character % 80 };
          await client.request(method, { textDocument: { uri }, position, context: { includeDeclaration: true } });
          await client.request('textDocument/documentSymbol', { textDocument: { uri } });
        },
      ), { numRuns: 60 });
      await client.diagnostics(uri, version);
      assert.ok(hoverText(await hover(FIXTURE_URI, FIXTURE, 'wfi')).includes('wfi'));
    });
  });

  it('the built dist/languageServer.js answers too (when `npm run build` has made it)', async function () {
    const dist = path.join(ROOT, 'dist', 'languageServer.js');
    const sources = ['src/lsp/server', 'src/asm'].flatMap((d) => fs.readdirSync(path.join(ROOT, d)).map((f) => path.join(ROOT, d, f)));
    if (!fs.existsSync(dist) || sources.some((f) => fs.statSync(f).mtimeMs > fs.statSync(dist).mtimeMs)) {
      const r = spawnSync(process.execPath, [path.join(ROOT, 'esbuild.mjs')], { cwd: ROOT, encoding: 'utf8' });
      assert.strictEqual(r.status, 0, `building dist failed:\n${r.stderr}`);
    }
    const other = await LspClient.start(dist);
    try {
      await other.open('file:///x.s', 'nop\nbogus\n');
      assert.deepStrictEqual((await other.diagnostics('file:///x.s', 1)).map((d) => d.message), ["unknown instruction 'bogus'"]);
    } finally {
      await other.stop();
    }
  });
});

/** A random edit of a real program: a slice deleted and random text inserted. */
export function editOf(text: string): fc.Arbitrary<string> {
  return fc.tuple(fc.nat(text.length), fc.nat(40), fc.string({ maxLength: 20 })).map(([at, cut, insert]) =>
    text.slice(0, at) + insert + text.slice(Math.min(text.length, at + cut)));
}
