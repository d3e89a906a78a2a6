/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The Interrupt timeline's webview script (bundled by esbuild into dist/webview/timeline.js, loaded
// under a nonce CSP; no remote content). It draws what layout.ts computes as plain SVG: lanes,
// one arrow per hop, chain brackets, VM exit ticks, the axis and the "now" marker; the wheel zooms
// around the pointer, a drag pans, the toolbar fits, zooms and toggles the comparison. Colours are
// VS Code's theme variables (--vscode-*), so the picture follows light, dark and high-contrast
// themes. Why plain SVG and not a chart library: docs/extension.md.
import {
  type CycleRange, DEFAULT_FRAME, defaultCompareMode, fitRange, type Frame, latestRange, type Layout, layoutTimeline, pan, pathRange,
  type TimelineModel, zoom,
} from './layout';
import type { CompareState, DrawnPicture, FromWebview, ToWebview } from './messages';
import type { IrqchipMode } from '../../protocol';

interface VsCodeApi {
  postMessage(message: FromWebview): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const SVG = 'http://www.w3.org/2000/svg';
const vscodeApi = acquireVsCodeApi();

interface State {
  model: TimelineModel | undefined;
  compare: CompareState;
  range: CycleRange | undefined;
  /** Until the user zooms or pans, every stop refits the picture. */
  follow: 'fit' | 'latest' | 'user';
  running: boolean;
  dropped: number;
  empty: string | undefined;
}

const state: State = { model: undefined, compare: { status: 'off' }, range: undefined, follow: 'fit', running: false, dropped: 0, empty: 'Waiting for a Hyperstep debug session…' };

const $ = <T extends HTMLElement>(id: string): T => {
  const e = document.getElementById(id);
  if (!e) throw new Error(`#${id} missing from the timeline page`);
  return e as T;
};

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>, parent?: Element): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  parent?.appendChild(e);
  return e;
}

function text(parent: Element, x: number, y: number, content: string, cls: string, anchor: 'start' | 'middle' | 'end' = 'start'): SVGTextElement {
  const t = el('text', { x, y, class: cls, 'text-anchor': anchor }, parent);
  t.textContent = content;
  return t;
}

function title(parent: Element, content: string): void {
  el('title', {}, parent).textContent = content;
}

function frame(): Frame {
  const width = Math.max(480, $('pictures').clientWidth - 4);
  return { ...DEFAULT_FRAME, width };
}

/** The range every picture shares, chosen by the follow mode unless the user zoomed. */
function currentRange(): CycleRange {
  const m = state.model;
  if (!m) return { start: 0, end: 1000 };
  const all = state.compare.status === 'ready' ? [...m.chains, ...state.compare.model.chains] : m.chains;
  if (state.follow === 'fit' || !state.range) state.range = fitRange(all, m.current);
  else if (state.follow === 'latest') state.range = latestRange(m.chains, m.current);
  return state.range;
}

function render(): void {
  const drawn: DrawnPicture[] = [];
  draw(drawn);
  vscodeApi.postMessage({ type: 'drawn', pictures: drawn });
}

function draw(drawn: DrawnPicture[]): void {
  const pictures = $('pictures');
  pictures.replaceChildren();
  const status = $('status');
  if (!state.model) {
    status.textContent = state.empty ?? '';
    $('range').textContent = '';
    return;
  }
  const range = currentRange();
  const m = state.model;
  status.textContent = `${state.running ? 'Running — as of the last stop · ' : ''}${m.chains.length} ${m.chains.length === 1 ? 'chain' : 'chains'}`
    + `${state.dropped ? ` (+${state.dropped} older, summarised)` : ''} · now at cycle ${m.current ?? '?'}`;
  $('range').textContent = `cycles ${Math.round(range.start)} – ${Math.round(range.end)}`;
  const f = frame();
  drawn.push(drawPicture(pictures, m, range, f, `irqchip ${m.irqchip ?? 'kernel'} (this session)`, 'main'));
  const c = state.compare;
  if (c.status === 'ready') {
    drawn.push(drawPicture(pictures, c.model, range, f, `irqchip ${c.model.irqchip ?? 'kernel'} (same program, batch run to cycle ${c.model.current ?? '?'})`, 'compare'));
    if (c.note) note(pictures, c.note);
  } else if (c.status === 'loading') {
    note(pictures, `Running the same program under irqchip ${c.irqchip}…`);
  } else if (c.status === 'error') {
    note(pictures, `Cannot compare with irqchip ${c.irqchip}: ${c.message}`, true);
  }
}

function note(parent: HTMLElement, message: string, error = false): void {
  const p = document.createElement('p');
  p.className = error ? 'note error' : 'note';
  p.textContent = message;
  parent.appendChild(p);
}

function drawPicture(parent: HTMLElement, model: TimelineModel, range: CycleRange, f: Frame, heading: string, role: 'main' | 'compare'): DrawnPicture {
  const section = document.createElement('section');
  section.className = `picture ${role}`;
  section.dataset.role = role;
  section.dataset.irqchip = model.irqchip ?? 'kernel';
  const h = document.createElement('h2');
  h.textContent = heading;
  section.appendChild(h);
  const layout = layoutTimeline(model, range, f);
  const svg = el('svg', { width: f.width, height: layout.height, viewBox: `0 0 ${f.width} ${layout.height}`, class: 'timeline', role: 'img' });
  title(svg, `${heading}: ${layout.arrows.length} hops of ${layout.chains.length} chains`);
  drawDefs(svg, role);
  drawLanes(svg, layout, f);
  drawAxis(svg, layout, f);
  drawExits(svg, layout);
  drawChains(svg, layout);
  drawArrows(svg, layout, role);
  if (layout.now !== undefined && model.current !== undefined) {
    const g = el('g', { class: 'now-marker', 'data-cycle': model.current }, svg);
    el('line', { x1: layout.now, x2: layout.now, y1: f.top - 12, y2: layout.lanesBottom, class: 'now' }, g);
    const right = layout.now > f.width - 120;
    text(g, layout.now + (right ? -4 : 4), f.top - 4, `now · ${model.current}`, 'now-label', right ? 'end' : 'start');
  }
  attachZoom(svg, layout);
  section.appendChild(svg);
  parent.appendChild(section);
  return {
    role, irqchip: model.irqchip ?? 'kernel', lanes: layout.lanes.map((l) => l.label), hops: layout.arrows.length,
    chains: layout.chains.length, exits: layout.exits.length, range: { start: range.start, end: range.end },
  };
}

const LAYERS = ['device', 'vmm', 'kernel', 'guest'] as const;

function drawDefs(svg: SVGSVGElement, role: string): void {
  const defs = el('defs', {}, svg);
  for (const layer of LAYERS) {
    const marker = el('marker', { id: `head-${role}-${layer}`, viewBox: '0 0 8 8', refX: 7, refY: 4, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, defs);
    el('path', { d: 'M0,0 L8,4 L0,8 z', class: `head layer-${layer}` }, marker);
  }
}

function drawLanes(svg: SVGSVGElement, layout: Layout, f: Frame): void {
  const g = el('g', { class: 'lanes' }, svg);
  layout.lanes.forEach((lane, i) => {
    const y0 = lane.y - f.laneHeight / 2;
    const row = el('g', { class: 'lane', 'data-lane': lane.key }, g);
    el('rect', { x: 0, y: y0, width: f.width, height: f.laneHeight, class: i % 2 ? 'band odd' : 'band' }, row);
    el('line', { x1: f.labelWidth, x2: f.width, y1: lane.y, y2: lane.y, class: 'lane-line' }, row);
    // The name in the theme's foreground (it reads on light, dark and high-contrast themes); where the
    // chip is emulated (KVM or the VMM) is also a swatch in that layer's colour before it.
    if (lane.placement) el('rect', { x: 4, y: lane.y - 5, width: 4, height: 10, rx: 1, class: `lane-swatch placement-${lane.placement.toLowerCase()}` }, row);
    text(row, lane.placement ? 12 : 8, lane.y + 4, lane.label, 'lane-label');
  });
}

function drawAxis(svg: SVGSVGElement, layout: Layout, f: Frame): void {
  const g = el('g', { class: 'axis' }, svg);
  const bottom = layout.lanesBottom;
  for (const t of layout.ticks) {
    el('line', { x1: t.x, x2: t.x, y1: f.top - 2, y2: bottom + 4, class: 'tick' }, g);
    const edge = t.x > f.width - 30 ? 'end' : 'middle';
    text(g, edge === 'end' ? f.width - 2 : t.x, bottom + 15, String(t.cycle), 'tick-label', edge);
  }
}

function drawExits(svg: SVGSVGElement, layout: Layout): void {
  const g = el('g', { class: 'exits' }, svg);
  for (const e of layout.exits) {
    const mark = el('line', { x1: e.x, x2: e.x, y1: e.y + 3, y2: e.y + 12, class: `exit exit-${e.handledIn}`, 'data-cycle': e.cycle }, g);
    title(mark, `VM exit ${e.reason} at cycle ${e.cycle} on vCPU ${e.vcpu}, handled ${e.handledIn === 'kernel' ? 'in the hypervisor' : 'in the VMM'}`);
  }
}

function drawChains(svg: SVGSVGElement, layout: Layout): void {
  const g = el('g', { class: 'chains' }, svg);
  layout.chains.forEach((c, i) => {
    const y = 13 + (i % 2) * 13;
    const bracket = el('g', { class: `chain outcome-${c.outcome}`, 'data-chain': c.id }, g);
    const x2 = Math.max(c.x2, c.x1 + 2);
    el('path', { d: `M${c.x1},${y + 8} v-4 H${x2} v4`, class: 'bracket' }, bracket);
    // Keep the title inside the picture: right-aligned to the edge when it would run past it (≈ 6.2 px a character at 11 px).
    const right = layout.scale.left + layout.scale.width;
    const fits = c.x1 + c.title.length * 6.2 <= right;
    text(bracket, fits ? c.x1 : right, y, c.title, 'chain-label', fits ? 'start' : 'end');
    title(bracket, `${c.title}\nClick: zoom to its path to the handler`);
    bracket.addEventListener('click', () => {
      // The chain's path to its handler, and the same interrupt's in the other picture, if any.
      const pictures = [state.model, state.compare.status === 'ready' ? state.compare.model : undefined];
      const paths = pictures.map((m) => m?.chains.find((x) => x.id === c.id)).filter((x) => x !== undefined).map(pathRange);
      if (paths.length === 0) return;
      state.range = { start: Math.min(...paths.map((r) => r.start)), end: Math.max(...paths.map((r) => r.end)) };
      state.follow = 'user';
      render();
    });
  });
}

function drawArrows(svg: SVGSVGElement, layout: Layout, role: string): void {
  const g = el('g', { class: 'hops' }, svg);
  for (const a of layout.arrows) {
    const hop = el('g', {
      class: `hop layer-${a.layer}`, 'data-chain': a.chainId, 'data-hop': a.hopIndex, 'data-kind': a.kind,
      'data-cycle': a.cycle, 'data-from': a.from, 'data-to': a.to, tabindex: 0, role: 'button',
    }, g);
    title(hop, `#${a.chainId} ${a.kind} at cycle ${a.cycle}${a.vcpu >= 0 ? `, vCPU ${a.vcpu}` : ''} (${a.layer}): ${a.text}${role === 'main' ? '\nClick: run to this cycle' : ''}`);
    if (a.from === a.to) {
      el('circle', { cx: a.x, cy: a.y1, r: 4, class: 'dot' }, hop);
    } else {
      // Stop short of the lane line so the head sits on it.
      const dir = a.y2 > a.y1 ? 1 : -1;
      el('line', { x1: a.x, x2: a.x, y1: a.y1 + dir * 3, y2: a.y2 - dir * 2, class: 'arrow', 'marker-end': `url(#head-${role}-${a.layer})` }, hop);
    }
    el('rect', { x: a.x - 4, y: Math.min(a.y1, a.y2) - 5, width: 8, height: Math.abs(a.y2 - a.y1) + 10, class: 'hit' }, hop);
    if (a.labelled) {
      const right = a.x > layout.scale.left + layout.scale.width - 90;
      text(hop, a.x + (right ? -6 : 6), (a.from === a.to ? a.y1 : a.y2) - 6, a.kind, 'hop-label', right ? 'end' : 'start');
    }
    if (role === 'main') {
      const go = (): void => vscodeApi.postMessage({ type: 'goto', cycle: a.cycle, ...(a.vcpu >= 0 ? { vcpu: a.vcpu } : {}) });
      hop.addEventListener('click', go);
      hop.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') go(); });
    }
  }
}

/** Wheel: zoom around the pointer's cycle; drag: pan. Both set the shared range and redraw. */
function attachZoom(svg: SVGSVGElement, layout: Layout): void {
  const scale = layout.scale;
  const cycleAt = (clientX: number): number => scale.cycle(clientX - svg.getBoundingClientRect().left);
  svg.addEventListener('wheel', (e) => {
    e.preventDefault();
    if (!state.range) return;
    state.follow = 'user';
    state.range = zoom(state.range, e.deltaY > 0 ? 1.25 : 0.8, cycleAt(e.clientX));
    render();
  }, { passive: false });
  let dragFrom: { x: number; range: CycleRange } | undefined;
  svg.addEventListener('pointerdown', (e) => {
    if ((e.target as Element).closest('.hop, .chain')) return;
    dragFrom = { x: e.clientX, range: state.range ?? scale.range };
    svg.setPointerCapture(e.pointerId);
  });
  svg.addEventListener('pointermove', (e) => {
    if (!dragFrom) return;
    const cyclesPerPixel = (dragFrom.range.end - dragFrom.range.start) / scale.width;
    const moved = e.clientX - dragFrom.x;
    if (Math.abs(moved) < 3) return;
    state.follow = 'user';
    state.range = pan(dragFrom.range, -moved * cyclesPerPixel);
    const from = dragFrom;
    render();
    dragFrom = from;
  });
  const end = (): void => { dragFrom = undefined; };
  svg.addEventListener('pointerup', end);
  svg.addEventListener('pointercancel', end);
}

function wireToolbar(): void {
  const zoomBy = (factor: number): void => {
    state.range = zoom(currentRange(), factor);
    state.follow = 'user';
    render();
  };
  $('zoom-in').addEventListener('click', () => zoomBy(0.5));
  $('zoom-out').addEventListener('click', () => zoomBy(2));
  $('fit').addEventListener('click', () => { state.follow = 'fit'; render(); });
  $('latest').addEventListener('click', () => { state.follow = 'latest'; render(); });
  const toggle = $<HTMLInputElement>('compare-toggle');
  const mode = $<HTMLSelectElement>('compare-mode');
  const send = (): void => vscodeApi.postMessage({ type: 'compare', irqchip: toggle.checked ? mode.value as IrqchipMode : null });
  toggle.addEventListener('change', send);
  mode.addEventListener('change', () => { if (toggle.checked) send(); });
  window.addEventListener('resize', () => render());
}

/** The compare menu offers the two modes other than the session's; the default is the one that differs most. */
function updateCompareMenu(): void {
  const mode = $<HTMLSelectElement>('compare-mode');
  const own = state.model?.irqchip ?? 'kernel';
  const others = (['kernel', 'split', 'userspace'] as const).filter((m) => m !== own);
  if ([...mode.options].map((o) => o.value).join() === others.join()) return;
  const wanted = defaultCompareMode(own);
  mode.replaceChildren(...others.map((m) => {
    const o = document.createElement('option');
    o.value = m;
    o.textContent = m;
    o.selected = m === wanted;
    return o;
  }));
}

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  const msg = event.data;
  switch (msg.type) {
    case 'model':
      state.model = msg.model;
      state.running = msg.running;
      state.dropped = msg.dropped;
      state.empty = undefined;
      updateCompareMenu();
      break;
    case 'empty':
      state.model = undefined;
      state.empty = msg.message;
      break;
    case 'compare':
      state.compare = msg.compare;
      $<HTMLInputElement>('compare-toggle').checked = msg.compare.status !== 'off';
      break;
  }
  render();
});

wireToolbar();
render();
vscodeApi.postMessage({ type: 'ready' });
