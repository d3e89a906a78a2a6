// Counts read from the suites' output for `npm test`'s last line (scripts/test.mjs).

/** Sums mocha's summary lines ("  1714 passing", "  2 failing"), also when prefixed ("[vscode] 14 passing"). */
export function mochaCounts(text) {
  const sum = (word) => [...text.matchAll(new RegExp(`^\\s*(?:\\[vscode\\]\\s*)?(\\d+) ${word}(?: \\([^)]*\\))?\\s*$`, 'gm'))]
    .reduce((n, m) => n + Number(m[1]), 0);
  return { passed: sum('passing'), failed: sum('failing'), pending: sum('pending') };
}

/** The browser end-to-end results: one line each, "✔ end to end …: detail" or "✘ …". */
export function endToEndCounts(text) {
  const lines = [...text.matchAll(/^(✔|✘) (end to end[^:]*|e2e[\w-]*): /gm)];
  return { passed: lines.filter((m) => m[1] === '✔').length, failed: lines.filter((m) => m[1] === '✘').length };
}

