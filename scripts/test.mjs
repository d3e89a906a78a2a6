#!/usr/bin/env node
// `npm test`: every suite, then one plain line over all of them, `N passed, N failed` (issue 16).
//   1. typecheck, lint (eslint and scripts/unused-exports.mjs) and build (a failure here stops the
//      run: a red lint must not land any more than a red test);
//   2. the mocha suite (unit, integration, the QEMU and GNU comparisons, DAP and LSP sessions);
//   3. the VS Code suites (scripts/vscode/test.mjs: the extension host's mocha suite and the
//      browser end-to-end tests), run even when step 2 failed, so the count covers every suite.
// Each step's output is shown as it comes; the counts are read from it (mocha's "N passing" /
// "N failing" lines, the extension host's own mocha summary, one test per end-to-end result).
// The exit status is 0 only when every step ran and nothing failed.
/* global process, console */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { endToEndCounts, mochaCounts } from './test-summary.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Runs a command with its output passed through; resolves to its exit code and what it printed. */
function step(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    const take = (stream, to) => stream.on('data', (chunk) => { to.write(chunk); text += chunk.toString('utf8'); });
    take(child.stdout, process.stdout);
    take(child.stderr, process.stderr);
    child.on('error', (e) => { text += `\n${e.message}\n`; resolve({ code: 127, text }); });
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), text }));
  });
}

const parts = [];
let passed = 0, failed = 0, pending = 0;
function count(name, c) {
  passed += c.passed;
  failed += c.failed;
  pending += c.pending ?? 0;
  parts.push(`${name} ${c.passed}${c.failed ? ` + ${c.failed} failed` : ''}`);
}

for (const [name, script] of [['typecheck', 'typecheck'], ['lint', 'lint'], ['build', 'build']]) {
  const r = await step(npm, ['run', '--silent', script]);
  if (r.code !== 0) {
    console.log(`\n${passed} passed, 1 failed (${name} failed: no suite ran)`);
    process.exit(1);
  }
}

const mocha = await step(process.execPath, [path.join(repo, 'node_modules', 'mocha', 'bin', 'mocha.js'), 'test/**/*.test.ts']);
const unit = mochaCounts(mocha.text);
// A crash before mocha's summary is a failure even when no test was counted as failing.
if (mocha.code !== 0 && unit.failed === 0) unit.failed = 1;
count('mocha', unit);

const vscode = await step(process.execPath, [path.join(repo, 'scripts', 'vscode', 'test.mjs')]);
const host = mochaCounts(vscode.text);
const e2e = endToEndCounts(vscode.text);
let vscodeFailed = host.failed + e2e.failed;
if (vscode.code !== 0 && vscodeFailed === 0) { host.failed = 1; vscodeFailed = 1; }
count('VS Code extension host', host);
count('end to end', e2e);

const ok = mocha.code === 0 && vscode.code === 0 && failed === 0;
console.log(`\n${parts.join(', ')}${pending ? `; ${pending} pending` : ''}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(ok ? 0 : 1);
