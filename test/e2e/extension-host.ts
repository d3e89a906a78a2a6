// Suite (a): the mocha suite of test/extension in the real extension host. code-server has no
// --extensionTestsPath, but its workbench takes the test paths from the `payload` URL parameter
// when the server runs with `--vscode-option enable-smoke-test-driver`; when mocha ends, the
// extension host calls window.codeAutomationExit(code) in the page (0 = all passed).
import * as fs from 'fs';
import * as path from 'path';
import { launchBrowser } from './browser';
import { CodeServer, tail } from './code-server';
import type { Tools } from './tools';
import { copyExamples, type SuiteResult } from './workspace';

export async function runExtensionHostSuite(tools: Tools, repo: string, root: string, log: (line: string) => void): Promise<SuiteResult> {
  const testsBundle = path.join(repo, 'out', 'test', 'extension', 'index.js');
  if (!fs.existsSync(testsBundle)) throw new Error(`${testsBundle} is missing: build it first (scripts/vscode/test.mjs does)`);
  const workspace = copyExamples(repo, path.join(root, 'workspace'));
  const server = await CodeServer.start(tools, { root, args: ['--vscode-option', 'enable-smoke-test-driver'] });
  const browser = await launchBrowser(tools);
  const lines: string[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const exit = new Promise<number>((resolve) => {
      void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code));
    });
    page.on('console', (m) => {
      // The extension host's console reaches the page as "%c INFO color: #33f <text>".
      const text = m.text().replace(/^%c\s*\w+\s+color:\s*\S+\s?/, '');
      lines.push(text);
      // The reporter's lines and the suite's own notes (the workbench adds its own noise).
      if (/^\s*(✔|✓|\d+\)|\d+ passing|\d+ failing|\d+ pending|Hyperstep extension|\s{4,}\S)|\[hyperstep|activation time|stopped:|view:|revealed|inject:/.test(text)) log(`  [vscode] ${text.replace(/\s+$/, '')}`);
    });
    const authority = `127.0.0.1:${server.port}`;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', `vscode-remote://${authority}${repo}`],
      ['extensionTestsPath', `vscode-remote://${authority}${testsBundle}`],
    ]);
    await page.goto(`${server.base}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`, { timeout: 60_000 });
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      exit,
      new Promise<number>((_, reject) => { timer = setTimeout(() => reject(new Error('the extension tests did not finish within 5 minutes')), 300_000); }),
    ]).finally(() => clearTimeout(timer));
    fs.writeFileSync(path.join(root, 'browser-console.log'), lines.join('\n'));
    return { name: 'extension host (mocha in code-server)', ok: code === 0, detail: `codeAutomationExit(${code})` };
  } catch (e) {
    fs.writeFileSync(path.join(root, 'browser-console.log'), lines.join('\n'));
    throw new Error(`${e instanceof Error ? e.message : String(e)}\ncode-server log (${server.log}):\n${tail(server.log)}`);
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
  }
}
