// The Interrupt timeline's page follows VS Code's webview security guidance
// (src/views/timeline/html.ts): a strict CSP with a nonce, nothing remote, no inline handlers.
import * as assert from 'assert';
import { nonce, timelineHtml } from '../../src/views/timeline/html';

describe('views/timeline page', () => {
  const html = timelineHtml({ cspSource: 'https://file+.vscode-resource.vscode-cdn.net', script: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/timeline.js', nonce: 'N0nce123' });
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';

  it('denies everything by default and allows script and style only by the page\'s nonce', () => {
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    assert.deepStrictEqual(directives.get('default-src'), ["'none'"]);
    assert.deepStrictEqual(directives.get('script-src'), ["'nonce-N0nce123'"]);
    assert.deepStrictEqual(directives.get('style-src'), ["'nonce-N0nce123'"]);
    assert.deepStrictEqual(directives.get('img-src'), ['https://file+.vscode-resource.vscode-cdn.net']);
    assert.ok(!/unsafe-(inline|eval)/.test(csp));
  });

  it('loads one script, the bundled one, with the nonce; no inline script, no handler attribute, nothing remote', () => {
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.strictEqual(scripts.length, 1);
    assert.match(scripts[0][1], /nonce="N0nce123" src="https:\/\/file\+\.vscode-resource\.vscode-cdn\.net\/ext\/dist\/webview\/timeline\.js"/);
    assert.strictEqual(scripts[0][2], '');
    assert.ok(!/\son[a-z]+=/i.test(html), 'no inline event handlers');
    const urls = [...html.matchAll(/https?:\/\/[^\s"')]+/g)].map((m) => m[0]).filter((u) => !u.startsWith('https://file+.vscode-resource'));
    assert.deepStrictEqual(urls, [], 'only the webview\'s own resources');
    assert.match(html, /<style nonce="N0nce123">/);
  });

  it('colours with theme variables only', () => {
    const style = /<style[^>]*>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    const colours = style.match(/#[0-9a-f]{3,8}\b|rgb\(/gi) ?? [];
    assert.deepStrictEqual(colours.filter((c) => c !== 'rgb('), [], 'no fixed hex colour');
    assert.ok((style.match(/var\(--vscode-/g) ?? []).length > 20);
  });

  it('makes a fresh 32-character nonce each time', () => {
    const a = nonce(), b = nonce();
    assert.match(a, /^[A-Za-z0-9]{32}$/);
    assert.notStrictEqual(a, b);
    assert.notStrictEqual(/nonce="([^"]+)"/.exec(timelineHtml({ cspSource: 'x', script: 'y' }))?.[1], /nonce="([^"]+)"/.exec(timelineHtml({ cspSource: 'x', script: 'y' }))?.[1]);
  });
});
