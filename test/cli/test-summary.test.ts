// `npm test` ends with one line over every suite (scripts/test.mjs): the counts it reads from the
// suites' own output, mocha's summary lines (also the extension host's, prefixed "[vscode]") and
// one test per browser end-to-end result.
import { strict as assert } from 'assert';
import * as path from 'path';
import { pathToFileURL } from 'url';

interface Counts { passed: number; failed: number; pending?: number }
type Summary = { mochaCounts(text: string): Counts; endToEndCounts(text: string): Counts };

describe('npm test: the summary line', () => {
  let summary: Summary;
  before(async () => {
    summary = await import(pathToFileURL(path.join(__dirname, '..', '..', 'scripts', 'test-summary.mjs')).href) as Summary;
  });

  it("reads mocha's summary lines, in any duration format, and not test titles that mention passing", () => {
    const out = [
      '  hyperstep run', '    ✔ keeps 5 passing lines whole', '', '  1714 passing (3m)', '  2 pending', '  3 failing', '',
      '  1) hyperstep run', '       fails: 7 failing things',
    ].join('\n');
    assert.deepStrictEqual(summary.mochaCounts(out), { passed: 1714, failed: 3, pending: 2 });
    const host = '▶ extension-host\n  [vscode]   ✔ opens the views\n  [vscode] 14 passing (21s)\n✔ extension host (mocha in code-server): codeAutomationExit(0) (40.1 s)\n';
    assert.deepStrictEqual(summary.mochaCounts(host), { passed: 14, failed: 0, pending: 0 });
    assert.deepStrictEqual(summary.mochaCounts('  12 passing (900ms)\n'), { passed: 12, failed: 0, pending: 0 });
  });

  it('counts each browser end-to-end result once, passed or failed, and nothing else', () => {
    const out = [
      '✔ extension host (mocha in code-server): codeAutomationExit(0) (40.1 s)',
      '✔ end to end (installed .vsix in code-server): screenshots a.png (60.2 s)',
      '✘ e2e-timeline: timeout waiting for the webview (90.0 s)',
      '✔ VS Code tests passed in 200.1 s',
    ].join('\n');
    assert.deepStrictEqual(summary.endToEndCounts(out), { passed: 1, failed: 1 });
  });
});
