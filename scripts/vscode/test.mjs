#!/usr/bin/env node
// `npm run test:vscode`: the extension tested in a real VS Code (code-server 4.139.1 = VS Code
// 1.139.1, on Node 24, driven by playwright-core and Debian's chromium; docs/extension.md).
//   1. install the tools when missing (ensure-tools.sh: apt chromium + libkrb5-dev, Node 24 and
//      code-server from npm, cached in ${HYPERSTEP_TOOLS:-~/.cache/hyperstep-tools});
//   2. build dist/ and package the .vsix (`npm run package`);
//   3. bundle the test code (out/test/extension/index.js runs in the extension host,
//      out/test/e2e/main.js drives the browser);
//   4. run (a) the mocha suite in the extension host and (b) the browser end-to-end test.
// Anything missing or failing fails the run (exit code ≠ 0); nothing is skipped.
//   node scripts/vscode/test.mjs [--suite host|e2e|all]
/* global process, console */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const suite = args.includes('--suite') ? args[args.indexOf('--suite') + 1] : 'all';
const started = Date.now();
const seconds = (t0) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

function run(what, command, argv, { timeoutMs, env, capture } = {}) {
  const t0 = Date.now();
  console.log(`▶ ${what}`);
  const r = spawnSync(command, argv, {
    cwd: repo, env: { ...process.env, ...env }, timeout: timeoutMs, killSignal: 'SIGKILL',
    stdio: capture ? ['ignore', 'pipe', 'inherit'] : 'inherit', encoding: 'utf8',
  });
  if (r.status !== 0) {
    console.error(`✘ ${what} failed (${r.error?.message ?? (r.signal ? `signal ${r.signal}` : `exit ${r.status}`)})`);
    process.exit(1);
  }
  console.log(`✔ ${what} (${seconds(t0)})`);
  return r.stdout ?? '';
}

// 1. tools
const found = Object.fromEntries(run('ensure tools (chromium, Node 24, code-server 4.139.1)', 'bash', [path.join(repo, 'scripts/vscode/ensure-tools.sh')], { timeoutMs: 15 * 60_000, capture: true })
  .split('\n').filter((l) => l.includes('=')).map((l) => l.split(/=(.*)/s, 2)));
for (const key of ['NODE24', 'CODE_SERVER', 'CHROMIUM']) {
  if (!found[key] || !fs.existsSync(found[key])) {
    console.error(`✘ ensure-tools.sh did not report ${key}`);
    process.exit(1);
  }
}

// 2. build and package
run('build and package the .vsix (npm run package)', 'npm', ['run', '--silent', 'package'], { timeoutMs: 5 * 60_000 });
const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
const vsix = path.join(repo, `${pkg.name}-${pkg.version}.vsix`);
if (!fs.existsSync(vsix)) {
  console.error(`✘ ${vsix} was not produced`);
  process.exit(1);
}
console.log(`  ${path.basename(vsix)}: ${(fs.statSync(vsix).size / 1024).toFixed(0)} KiB`);

// 3. test bundles
await bundleTests();

// 4. the suites
run(`VS Code suites (${suite})`, process.execPath, [path.join(repo, 'out/test/e2e/main.js'), '--suite', suite, '--vsix', vsix], {
  timeoutMs: 10 * 60_000,
  env: { HYPERSTEP_NODE24: found.NODE24, HYPERSTEP_CODE_SERVER: found.CODE_SERVER, HYPERSTEP_CHROMIUM: found.CHROMIUM },
});
console.log(`✔ VS Code tests passed in ${seconds(started)}`);

/** The in-VS-Code suite (mocha and vscode come from the host) and the browser driver. */
async function bundleTests() {
  const t0 = Date.now();
  const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: 'inline', logLevel: 'warning', absWorkingDir: repo };
  await esbuild.build({ ...common, entryPoints: ['test/extension/index.ts'], outfile: 'out/test/extension/index.js', external: ['vscode', 'mocha'] });
  await esbuild.build({ ...common, entryPoints: ['test/e2e/main.ts'], outfile: 'out/test/e2e/main.js', external: ['playwright-core'] });
  console.log(`✔ bundle the test code (${seconds(t0)})`);
}
