// The in-VS-Code test entry, written the @vscode/test-electron way: VS Code loads this module (its
// bundle, out/test/extension/index.js) in the extension host as `extensionTestsPath` and awaits
// run(). Here it runs in code-server (scripts/vscode/test.mjs, docs/extension.md); where a network
// exists, @vscode/test-electron's runTests({ extensionDevelopmentPath, extensionTestsPath }) runs
// the same bundle. Output goes through console.log, which both hosts forward.
import Mocha from 'mocha';
import { format } from 'util';
import { defineExtensionTests } from './extension.vscode';
import { defineInterruptViewTests } from './interrupts.vscode';
import { defineTranslationViewTests } from './translation.vscode';

export function run(): Promise<void> {
  // One formatted string per line: a browser console shows format strings ("%s") unformatted.
  Mocha.reporters.Base.consoleLog = (...args: unknown[]) => console.log(format(...args));
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 120_000, reporter: 'spec' });
  // The suites are bundled with this file rather than loaded from disk: bind mocha's tdd globals
  // (suite, test, …) as `mocha.addFile` + `run` would, then let the suites register themselves.
  mocha.suite.emit('pre-require', globalThis, 'extension.vscode', mocha);
  defineExtensionTests();
  defineInterruptViewTests();
  defineTranslationViewTests();
  return new Promise((resolve, reject) => {
    mocha.run((failures) => {
      console.log(`[hyperstep-tests] done: ${failures} failing`);
      if (failures > 0) reject(new Error(`${failures} test(s) failed`));
      else resolve();
    });
  });
}
