// The Interrupt timeline's page (no vscode import, so unit tests and previews build it too): the
// toolbar, the status line, the pictures' container, the theme-aware style and the script tag.
// Security (VS Code's webview guidance): default-src 'none'; script and style only with the page's
// nonce; images only from the webview's own source; nothing remote.

/** 32 random letters and digits (Web Crypto, in the extension host and in tests): a fresh nonce for every page. */
export function nonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(globalThis.crypto.getRandomValues(new Uint8Array(32)), (b) => chars[b % chars.length]).join('');
}

interface PageOptions {
  /** The webview's own source (webview.cspSource), the only origin images may come from. */
  readonly cspSource: string;
  /** The script's webview URI (webview.asWebviewUri of dist/webview/timeline.js). */
  readonly script: string;
  readonly nonce?: string;
}

/** The page: a CSP that allows only the nonce'd script and style (no remote content, no inline handlers). */
export function timelineHtml(o: PageOptions): string {
  const n = o.nonce ?? nonce();
  const csp = [`default-src 'none'`, `img-src ${o.cspSource}`, `style-src 'nonce-${n}'`, `script-src 'nonce-${n}'`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Interrupt Timeline</title>
<style nonce="${n}">${STYLE}</style>
</head>
<body>
<header id="toolbar">
  <button id="fit" title="Show every chain and the current cycle">Fit</button>
  <button id="latest" title="Zoom to the most recent chain">Latest</button>
  <button id="zoom-out" title="Zoom out (or scroll down on the picture)">−</button>
  <button id="zoom-in" title="Zoom in (or scroll up on the picture)">+</button>
  <span id="range"></span>
  <label title="Run the same program under another irqchip mode and draw it below"><input type="checkbox" id="compare-toggle"> Compare with</label>
  <select id="compare-mode"><option value="userspace">userspace</option></select>
  <span id="legend">
    <span class="key layer-device">device</span><span class="key layer-vmm">VMM</span><span class="key layer-kernel">kernel</span><span class="key layer-guest">guest</span>
    <span class="key exit-kernel">exit in kernel</span><span class="key exit-vmm">exit to VMM</span>
  </span>
</header>
<div id="status" role="status"></div>
<main id="pictures"></main>
<script nonce="${n}" src="${o.script}"></script>
</body>
</html>`;
}

/** Theme colours only (--vscode-*): the same page reads on light, dark and high-contrast themes. */
const STYLE = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 0 12px; }
/* The VMM layer's colour. VS Code's default themes derive charts.orange from the find-match
   highlight colour at a third of full opacity: pale on light themes, dim on dark ones. Drawn opaque
   (the theme's hue, alpha 1) where the webview knows relative colours, the theme's colour as is elsewhere. */
body { --layer-vmm: var(--vscode-charts-orange); }
@supports (color: rgb(from red r g b)) { body { --layer-vmm: rgb(from var(--vscode-charts-orange) r g b / 1); } }
#toolbar { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; padding: 8px 0; border-bottom: 1px solid var(--vscode-panel-border); }
button { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); border: 1px solid var(--vscode-button-border, transparent); border-radius: 2px; padding: 2px 10px; cursor: pointer; min-width: 28px; }
button:hover { background: var(--vscode-button-secondaryHoverBackground); }
select { background: var(--vscode-dropdown-background); color: var(--vscode-dropdown-foreground); border: 1px solid var(--vscode-dropdown-border); }
#range { color: var(--vscode-descriptionForeground); margin: 0 8px; font-variant-numeric: tabular-nums; }
#legend { margin-left: auto; display: flex; gap: 10px; color: var(--vscode-descriptionForeground); }
.key::before { content: ''; display: inline-block; width: 14px; height: 3px; margin-right: 4px; vertical-align: middle; background: currentColor; }
.key.layer-device::before { background: var(--vscode-charts-purple); }
.key.layer-vmm::before { background: var(--layer-vmm); }
.key.layer-kernel::before { background: var(--vscode-charts-blue); }
.key.layer-guest::before { background: var(--vscode-charts-green); }
.key.exit-kernel::before { width: 2px; height: 10px; background: var(--vscode-charts-blue); }
.key.exit-vmm::before { width: 2px; height: 10px; background: var(--vscode-charts-red); }
#status { color: var(--vscode-descriptionForeground); padding: 6px 0; }
h2 { font-size: 1em; font-weight: 600; margin: 10px 0 2px; }
.note { color: var(--vscode-descriptionForeground); font-style: italic; }
.note.error { color: var(--vscode-errorForeground); }
svg.timeline { display: block; user-select: none; cursor: grab; }
.band { fill: transparent; }
.band.odd { fill: var(--vscode-editor-lineHighlightBackground, rgba(128,128,128,0.07)); }
.lane-line { stroke: var(--vscode-editorIndentGuide-background1, var(--vscode-panel-border)); stroke-width: 1; }
.lane-label { fill: var(--vscode-foreground); font-size: 12px; }
.lane-swatch.placement-vmm { fill: var(--layer-vmm); }
.lane-swatch.placement-kernel { fill: var(--vscode-charts-blue); }
.tick { stroke: var(--vscode-editorIndentGuide-background1, var(--vscode-panel-border)); stroke-dasharray: 2 3; }
.tick-label { fill: var(--vscode-descriptionForeground); font-size: 10px; font-variant-numeric: tabular-nums; }
.now { stroke: var(--vscode-debugIcon-breakpointCurrentStackframeForeground, var(--vscode-charts-yellow)); stroke-width: 2; stroke-dasharray: 5 3; }
.now-label { fill: var(--vscode-debugIcon-breakpointCurrentStackframeForeground, var(--vscode-charts-yellow)); font-size: 11px; font-weight: 600; }
.bracket { stroke: var(--vscode-descriptionForeground); stroke-width: 1; fill: none; }
.chain { cursor: zoom-in; }
.chain-label { fill: var(--vscode-foreground); font-size: 11px; }
.chain.outcome-lost .chain-label, .chain.outcome-blocked .chain-label { fill: var(--vscode-errorForeground); }
.hop { cursor: pointer; outline: none; }
.hop .arrow { stroke-width: 2; }
.hop .hit { fill: transparent; }
.hop:hover .arrow, .hop:focus .arrow { stroke-width: 3.5; }
.hop:hover .dot, .hop:focus .dot { r: 6; }
.hop-label { font-size: 10px; fill: var(--vscode-descriptionForeground); }
.layer-device .arrow { stroke: var(--vscode-charts-purple); } .layer-device .dot, .head.layer-device { fill: var(--vscode-charts-purple); }
.layer-vmm .arrow { stroke: var(--layer-vmm); } .layer-vmm .dot, .head.layer-vmm { fill: var(--layer-vmm); }
.layer-kernel .arrow { stroke: var(--vscode-charts-blue); } .layer-kernel .dot, .head.layer-kernel { fill: var(--vscode-charts-blue); }
.layer-guest .arrow { stroke: var(--vscode-charts-green); } .layer-guest .dot, .head.layer-guest { fill: var(--vscode-charts-green); }
.exit { stroke-width: 1; opacity: 0.8; }
.exit-kernel { stroke: var(--vscode-charts-blue); }
.exit-vmm { stroke: var(--vscode-charts-red); }
section.picture.compare { border-top: 1px dashed var(--vscode-panel-border); margin-top: 8px; }
`;
