// The server's features in-process, on text: the document model (what is a definition, a
// reference, a section), hover on memory operands through known base registers, diagnostics
// ranges in odd documents, and fast-check fuzzing of every feature on random text and random
// edits of the examples (nothing may throw).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as fc from 'fast-check';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Analysis } from '../../src/lsp/server/analysis';
import { assembleNow } from '../../src/lsp/server/assembler-runner';
import { completionAt } from '../../src/lsp/server/completion';
import { toLspDiagnostics } from '../../src/lsp/server/diagnostics';
import { buildModel, commentSpans } from '../../src/lsp/server/document-model';
import { hoverAt } from '../../src/lsp/server/hover';
import { definitionsAt, highlightsAt, outline, referencesAt } from '../../src/lsp/server/navigation';

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');
const FIXTURES = path.join(__dirname, 'fixtures');

function analyse(text: string): Analysis {
  return new Analysis(buildModel(text), assembleNow(text, 'test.s'));
}

function hover(text: string, needle: string, delta = 0): string | undefined {
  return hoverAt(analyse(text), text.indexOf(needle) + delta)?.markdown;
}

function programs(): { name: string; text: string }[] {
  const dirs = [EXAMPLES, FIXTURES].filter((d) => fs.existsSync(d));
  return dirs.flatMap((d) => fs.readdirSync(d).filter((f) => /\.(s|asm)$/.test(f)).map((f) => ({ name: f, text: fs.readFileSync(path.join(d, f), 'utf8') })));
}

describe('lsp: features in-process', () => {
  describe('the document model', () => {
    it('defines labels, numeric labels (one key per instance), equates and assignments', () => {
      const m = buildModel('a: b: nop\n1: j 1b\n1: j 1b; j 1f\n1:\n.equ X, 1\n.set Y, X\nZ = 3\n');
      assert.deepStrictEqual([...m.definitions.keys()], ['a', 'b', '1^1', '1^2', '1^3', 'X', 'Y', 'Z']);
      assert.deepStrictEqual(m.references.map((r) => `${r.text}->${r.key}`), ['1b->1^1', '1b->1^2', '1f->1^3', 'X->X']);
    });

    it('does not take registers, CSR names in a CSR operand, fence sets or @types for symbols', () => {
      const m = buildModel('csrrw a0, mstatus, a1\nfence rw, iorw\n.type f, @function\nlw t0, mstatus\nj time\n');
      assert.deepStrictEqual(m.references.map((r) => r.text), ['f', 'mstatus', 'time']);
    });

    it('marks a `1b` with no `1:` before it as unresolved', () => {
      assert.deepStrictEqual(buildModel('j 1b\n1: nop').references.map((r) => r.unresolved), [true]);
    });

    it('tracks sections through .section, .pushsection/.popsection and .previous', () => {
      const m = buildModel('.data\nx: .word 1\n.pushsection .rodata\ny: .word 2\n.popsection\nz: .word 3\n.text\n.previous\nw: nop\n');
      const sectionOf = (name: string): string => m.definitions.get(name)![0].statement.section;
      assert.deepStrictEqual(['x', 'y', 'z', 'w'].map(sectionOf), ['.data', '.rodata', '.data', '.data']);
    });

    it('finds comments as the lexer does: not inside strings or character literals', () => {
      const text = '.ascii "#no" # yes\nli a0, \'#\' /* b\nc */ nop';
      assert.deepStrictEqual(commentSpans(text).map((s) => text.slice(s.start, s.end)), ['# yes', '/* b\nc */']);
    });
  });

  describe('hover through known base registers', () => {
    const driver = [
      '        .equ NIC_CFG, 0x30018000',
      '        .equ IOAPIC, 0xfec00000',
      '        li      s0, NIC_CFG',
      '        sw      t0, 0x10(s0)',
      '        sh      t0, 4(s0)',
      '        li      s2, IOAPIC',
      '        sw      t1, 0x10(s2)',
      '        lui     s3, 0xfee00',
      '        sw      t0, 0xf0(s3)',
      '        mv      s4, s3',
      '        sw      zero, 0xb0(s4)',
      '        call    f',
      '        sw      zero, 0(s3)',
      '        li      s0, 0x80000000',
      '        sw      zero, 4(s0)',
      '        lui     t0, %hi(0x10000005)',
      '        sb      a0, %lo(0x10000005)(t0)',
    ].join('\n');

    it('follows li, lui, mv and %hi/%lo to the register an access reaches', () => {
      assert.match(hover(driver, '0x10(s0)')!, /PCI config 00:03.0 BAR0/);
      assert.match(hover(driver, '4(s0)')!, /PCI config 00:03.0 COMMAND/);
      assert.match(hover(driver, '0x10(s2)')!, /I\/O APIC IOWIN \(register window\)/);
      assert.match(hover(driver, '0xf0(s3)')!, /Local APIC SVR/);
      assert.match(hover(driver, '0xb0(s4)')!, /Local APIC EOI/);
      assert.match(hover(driver, '%lo(0x10000005)(t0)', 16)!, /UART 16550A LSR/);
    });

    it('forgets a callee-saved register only when it is written: s3 survives the call', () => {
      assert.match(hover(driver, '0(s3)')!, /Local APIC/);
    });

    it('says RAM for an access to RAM, and nothing device-like for an unknown base', () => {
      assert.match(hover(driver, '4(s0)', 0)!, /COMMAND/);
      const ram = driver.lastIndexOf('4(s0)');
      assert.match(hoverAt(analyse(driver), ram)!.markdown, /RAM \+ 0x4/);
      assert.doesNotMatch(hover('sw zero, 4(a5)', '4(a5)') ?? '', /guest-physical|GPA/);
    });

    it('names the device in the hover of `li` and of an .equ constant', () => {
      assert.match(hover(driver, 'li      s2')!, /Here: `s2` = 0xFEC0_0000 — \*\*I\/O APIC IOREGSEL/);
      assert.match(hover(driver, 'IOAPIC', 0)!, /= 0xFEC0_0000.*I\/O APIC/s);
      assert.match(hover('.equ A, 0x10000000\n.equ B, A + 5\nli t0, B', 'B', 0)!, /= 0x1000_0005 .*UART 16550A LSR/s);
    });

    it('evaluates cycles of equates to nothing instead of looping', () => {
      const text = '.equ A, B\n.equ B, A\nli t0, A';
      assert.doesNotMatch(hover(text, 'A', 0) ?? '', /=/);
    });
  });

  describe('diagnostic ranges', () => {
    const ranges = (text: string): string[] => {
      const doc = TextDocument.create('file:///t.s', 'hyperstep-asm', 1, text);
      const model = buildModel(text);
      return toLspDiagnostics(doc, model, assembleNow(text, 't.s')).map((d) => {
        const s = doc.offsetAt(d.range.start), e = doc.offsetAt(d.range.end);
        return `${d.range.start.line}:${text.slice(s, e)}`;
      });
    };

    it('hold in a CRLF document', () => {
      assert.deepStrictEqual(ranges('nop\r\n  bogus a0\r\n  li a0, 0x1q\r\n'), ['1:bogus', '2:0x1q']);
    });

    it('cover an unterminated string to the end of its line', () => {
      assert.deepStrictEqual(ranges('.ascii "abc\nnop\n')[0], '0:"abc');
    });

    it('point at the last token when the error is at the end of the line', () => {
      const d = ranges('addi a0, a0,\n');
      assert.ok(d.length >= 1 && d.every((x) => x.startsWith('0:')), JSON.stringify(d));
    });

    it('say why there are none when the assembler gave up', () => {
      const text = 'nop\n';
      const doc = TextDocument.create('file:///t.s', 'hyperstep-asm', 1, text);
      const [d] = toLspDiagnostics(doc, buildModel(text), { diagnostics: [], symbols: [], sections: [], failure: 'out of time' });
      assert.strictEqual(d.message, 'No diagnostics for this version: out of time.');
      assert.strictEqual(d.severity, 2);
    });
  });

  describe('on every example program', () => {
    for (const { name, text } of programs()) {
      it(`${name}: every label use goes to a definition, and the outline lists the named labels`, () => {
        const a = analyse(text);
        for (const r of a.model.references) {
          const defs = definitionsAt(a, r.start);
          const known = a.model.definitions.has(r.key);
          assert.strictEqual(defs.length > 0, known, `${name}: ${r.text} at ${r.start}`);
        }
        const names = outline(a).flatMap((e) => [e, ...e.children]).map((e) => e.name);
        for (const [key, defs] of a.model.definitions) if (defs[0].kind !== 'local-label') assert.ok(names.includes(key), key);
      });
    }
  });

  describe('fuzzing (fast-check): no feature throws on any text', () => {
    const all = (text: string, ...offsets: number[]): void => {
      const outcome = assembleNow(text, 'f.s');
      const a = new Analysis(buildModel(text), outcome);
      const doc = TextDocument.create('file:///f.s', 'hyperstep-asm', 1, text);
      toLspDiagnostics(doc, a.model, outcome);
      outline(a);
      for (const offset of offsets) {
        hoverAt(a, offset);
        completionAt(a, offset, { snippets: true });
        definitionsAt(a, offset);
        referencesAt(a, offset, true);
        highlightsAt(a, offset);
      }
    };
    const asmAlphabet = fc.constantFrom(...'abcdeilrstwx0123456789 ,.:;()%#/*\'"\\\n\t-+<>=@$_fbq'.split(''));
    const asmLike = fc.array(fc.oneof(asmAlphabet, fc.constantFrom('addi', 'csrr', 'mstatus', '1:', '1b', '2f', '.equ', '.section', '.pushsection', '.popsection', 'li', 'a0', 'sp', '0x10000005', '%hi(', '%pcrel_lo(', '/*', '*/', '\r', '\u{1F600}')), { maxLength: 120 }).map((xs) => xs.join(''));

    it('random strings', () => {
      fc.assert(fc.property(fc.string({ maxLength: 400 }), fc.nat(), (text, n) => all(text, n % (text.length + 1))), { numRuns: 300 });
    });

    it('random assembly-like token soup', () => {
      fc.assert(fc.property(asmLike, fc.nat(), (text, n) => all(text, n % (text.length + 1))), { numRuns: 500 });
    });

    it('random edits of the examples', () => {
      const texts = programs().map((p) => p.text);
      const edited = fc.constantFrom(...texts).chain((t) => fc.tuple(fc.nat(t.length), fc.nat(30), fc.oneof(fc.string({ maxLength: 20 }), asmLike)).map(([at, cut, insert]) =>
        t.slice(0, at) + insert + t.slice(Math.min(t.length, at + cut))));
      fc.assert(fc.property(edited, fc.nat(), (text, n) => {
        all(text, ...[7, 8, 9, 10, 11].map((k) => (n * k) % (text.length + 1)));
      }), { numRuns: 120 });
    });

    it('every offset of the fixture', () => {
      const text = fs.readFileSync(path.join(FIXTURES, 'constructs.s'), 'utf8');
      const a = analyse(text);
      for (let offset = 0; offset <= text.length; offset++) {
        hoverAt(a, offset);
        completionAt(a, offset, { snippets: false });
        definitionsAt(a, offset);
        referencesAt(a, offset, false);
      }
    });
  });
});
