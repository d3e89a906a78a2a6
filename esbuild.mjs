// Bundles the five entry points into dist/. Everything (including node_modules) is bundled,
// except `vscode`, which the extension host provides.
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  external: ['vscode'],
  logLevel: 'warning',
};
const entries = [
  { in: 'src/extension/main.ts', out: 'dist/extension.js' },
  { in: 'src/debug/stdio.ts', out: 'dist/debugAdapter.js' },
  { in: 'src/lsp/server/main.ts', out: 'dist/languageServer.js' },
  { in: 'src/cli/main.ts', out: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  // The Interrupt timeline's webview script runs in the webview's browser context.
  { in: 'src/views/timeline/webview.ts', out: 'dist/webview/timeline.js', browser: true },
];

const contexts = await Promise.all(entries.map((e) => esbuild.context({
  ...common, entryPoints: [e.in], outfile: e.out, ...(e.banner ? { banner: e.banner } : {}),
  ...(e.browser ? { platform: 'browser', target: 'chrome120', format: 'iife', external: [] } : {}),
})));
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
