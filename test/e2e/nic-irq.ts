// Suite (b), end to end as a user: install the .vsix into a fresh code-server, open
// examples/nic-irq.s, press F5 (no launch.json: the extension debugs the active file with the
// packet its header schedules), tick the "IRQ line asserted" event breakpoint, continue, and see
// the IOAPIC view show entry 19 → vector 0x31. Screenshots go to test-results/.
import * as fs from 'fs';
import * as path from 'path';
import type { Locator, Page } from 'playwright-core';
import { launchBrowser } from './browser';
import { CodeServer, installExtension, tail } from './code-server';
import type { Tools } from './tools';
import { copyExamples, type SuiteResult } from './workspace';

export async function runNicIrqEndToEnd(tools: Tools, repo: string, vsix: string, root: string, results: string, log: (line: string) => void): Promise<SuiteResult> {
  const extensions = path.join(root, 'extensions');
  const installed = installExtension(tools, vsix, extensions, path.join(root, 'user'));
  log(`  ${installed.split('\n').pop()}`);
  const workspace = copyExamples(repo, path.join(root, 'workspace'));
  const server = await CodeServer.start(tools, { root, extensionsDir: extensions });
  const browser = await launchBrowser(tools);
  const consoleLines: string[] = [];
  const shots: string[] = [];
  let page: Page | undefined;
  const shot = async (name: string): Promise<void> => {
    if (!page) return;
    const file = path.join(results, `e2e-${name}.png`);
    await page.screenshot({ path: file });
    shots.push(path.relative(repo, file));
  };
  try {
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const p = page;
    p.on('console', (m) => consoleLines.push(m.text()));
    p.setDefaultTimeout(30_000);
    await p.goto(`${server.base}/?folder=${encodeURIComponent(workspace)}`, { timeout: 60_000 });
    await p.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await step(log, 'open examples/nic-irq.s with Quick Open', async () => {
      await p.locator('.part.editor').click({ position: { x: 400, y: 300 } });
      await p.keyboard.press('Control+P');
      const input = p.locator('.quick-input-widget input');
      await input.waitFor();
      await input.fill('nic-irq.s');
      await p.locator('.quick-input-widget .monaco-list-row', { hasText: 'nic-irq.s' }).first().waitFor();
      await p.keyboard.press('Enter');
      await p.locator('.tab.active', { hasText: 'nic-irq.s' }).waitFor();
      await p.locator('.view-lines', { hasText: 'nic-irq.s' }).first().waitFor();
      await p.locator('.statusbar-item', { hasText: 'Hyperstep Assembly' }).first().waitFor();
    });
    await step(log, 'F5 in the editor: the session stops on entry', async () => {
      await clickInEditor(p);
      await p.keyboard.press('F5');
      await pausedOn(p, /on entry/i, 60_000);
    });
    await step(log, 'tick the "IRQ line asserted" event breakpoint', async () => {
      const row = p.locator('.debug-breakpoints .monaco-list-row', { hasText: 'IRQ line asserted' });
      await expandPane(p, 'Breakpoints');
      await row.waitFor();
      const box = row.getByRole('checkbox').first();
      if (!(await box.isChecked())) await box.click();
      await p.waitForTimeout(300);
      if (!(await box.isChecked())) throw new Error('the checkbox did not stay ticked');
    });
    // Room for the views in the screenshot: the built-in panes folded, the side bar at 560 px (the
    // rows fit VS Code's default of 300 px too: the last step measures them there). The IOAPIC and
    // routing views are read at this stop, so the next stop marks what changed.
    for (const pane of ['Variables', 'Watch', 'Breakpoints']) await collapsePane(p, pane);
    await widenSideBar(p, 560);
    await step(log, 'at entry the IOAPIC view shows entry 19 masked', async () => {
      for (const pane of ['Interrupt Routing', 'IOAPIC']) await expandPane(p, pane);
      await paneRows(p, 'IOAPIC').filter({ hasText: 'GSI 19' }).filter({ hasText: 'masked' }).first().waitFor();
    });
    await step(log, 'continue (F5): the NIC packet at cycle 20000 raises GSI 19', async () => {
      await clickInEditor(p);
      await p.keyboard.press('F5');
      await pausedOn(p, /Paused on IRQ line asserted: GSI 19 asserted by NIC/, 60_000);
    });
    await step(log, 'the event stop is no exception: no exception widget; the Event scope shows gsi 19, vector 0x31', async () => {
      if (await p.locator('.exception-widget').count()) throw new Error('an exception widget is shown for an event stop');
      // Room for the Event scope's rows (the list draws only the rows it has room for).
      for (const pane of ['Call Stack', 'Interrupt Routing', 'IOAPIC']) await collapsePane(p, pane);
      await expandPane(p, 'Variables');
      const scope = paneRows(p, 'Variables').filter({ hasText: /^Event$/ }).first();
      await scope.waitFor();
      if ((await scope.getAttribute('aria-expanded')) === 'false') await scope.click();
      await paneRows(p, 'Variables').filter({ hasText: 'gsi' }).filter({ hasText: '19' }).first().waitFor();
      await paneRows(p, 'Variables').filter({ hasText: 'vector' }).filter({ hasText: '0x31' }).first().waitFor();
    });
    await settle(p);
    await shot('nic-irq-event');
    await collapsePane(p, 'Variables');
    await collapsePane(p, 'Call Stack');
    // The stop is inside the VM exit of the driver's store (docs/debugging.md "Event breakpoints
    // inside an exit"): Step Out completes the store, so the views show its effect.
    await step(log, 'Step Out (Shift+F11) leaves the VM exit: the driver\'s store completes', () => stepOutOfExit(p));
    let ioapicRow = '';
    await step(log, 'the IOAPIC view shows entry 19: nic INTA, vector 0x31, level, active-low → LAPIC 0, line asserted', async () => {
      await expandPane(p, 'IOAPIC');
      const row = paneRows(p, 'IOAPIC').filter({ hasText: 'GSI 19' }).filter({ hasText: '0x31 · remote IRR' }).first();
      await row.waitFor({ timeout: 30_000 });
      ioapicRow = ((await row.textContent()) ?? '').trim();
    });
    log(`  IOAPIC row: ${ioapicRow}`);
    await step(log, 'the Interrupt Routing view shows nic INTA → PIRQ D (3) → GSI 19 → 0x31, pending, and the hart with interrupts off', async () => {
      await expandPane(p, 'Interrupt Routing');
      await paneRows(p, 'Interrupt Routing').filter({ hasText: 'nic INTA' }).filter({ hasText: '→ 0x31 · CPU off' }).first().waitFor();
      await growPaneAbove(p, 'IOAPIC', 520);
      await paneRows(p, 'Interrupt Routing').filter({ hasText: /PIRQ D \(3\)\s*= \(3 \+ 0\) mod 4/ }).first().waitFor();
      await paneRows(p, 'Interrupt Routing').filter({ hasText: 'vCPU 0 interrupts' }).filter({ hasText: 'off' }).first().waitFor();
    });
    await settle(p);
    await shot('nic-irq-views');
    await step(log, 'expanding entry 19 shows its decoded fields', async () => {
      await collapsePane(p, 'Interrupt Routing');
      await paneRows(p, 'IOAPIC').filter({ hasText: 'GSI 19' }).first().click();
      await paneRows(p, 'IOAPIC').filter({ hasText: 'Vector [7:0]' }).filter({ hasText: '0x31' }).first().waitFor();
      await paneRows(p, 'IOAPIC').filter({ hasText: 'Raw' }).filter({ hasText: '0x00000000_0000e031' }).first().waitFor();
      await paneRows(p, 'IOAPIC').filter({ hasText: 'Remote IRR [14]' }).filter({ hasText: '1 (accepted)' }).first().waitFor();
    });
    await settle(p);
    await shot('nic-irq-ioapic');
    await step(log, 'clicking a VM exit selects its guest instruction in nic-irq.s', async () => {
      await collapsePane(p, 'IOAPIC');
      await expandPane(p, 'VM Exits');
      const exit = paneRows(p, 'VM Exits').filter({ hasText: /EPT_(MISCONFIG|VIOLATION)\s*(nic|uart|ioapic|lapic|ECAM|GPA)\b/ }).first();
      await exit.click();
      await p.locator('.statusbar-item', { hasText: /Ln \d+, Col \d+ \(\d+ selected\)/ }).first().waitFor({ timeout: 15_000 });
    });
    await settle(p);
    await shot('nic-irq-exits');
    await step(log, 'the Local APICs and Memory views show LAPIC 0 and the memslots', async () => {
      await collapsePane(p, 'VM Exits');
      await expandPane(p, 'Local APICs');
      await paneRows(p, 'Local APICs').filter({ hasText: 'LAPIC 0' }).filter({ hasText: 'IRR {0x31}' }).first().waitFor();
      await paneRows(p, 'Local APICs').filter({ hasText: 'vCPU 0 interrupts' }).filter({ hasText: 'off' }).first().waitFor();
      await expandPane(p, 'Memory');
      await paneRows(p, 'Memory').filter({ hasText: 'slot 0' }).first().waitFor();
    });
    await settle(p);
    await shot('nic-irq-lapic-memory');
    await step(log, 'at VS Code\'s default side bar width (300 px) no row of any Hyperstep view, unfolded to every depth, is cut off', async () => {
      await collapsePane(p, 'Local APICs');
      await collapsePane(p, 'Memory');
      await setSideBarWidth(p, DEFAULT_SIDE_BAR);
      const cut: string[] = [];
      const measured: string[] = [];
      for (const view of HYPERSTEP_VIEWS) {
        await expandPane(p, view);
        await paneRows(p, view).first().waitFor();
        const m = await cutRows(p, view);
        if (m.measured === 0) throw new Error(`no row of ${view} was measured`);
        measured.push(`${view} ${m.measured}`);
        cut.push(...m.cut.map((r) => `${view}: ${r}`));
        await settle(p);
        await shot(`width-${view.toLowerCase().replace(/\s+/g, '-')}`);
        await collapsePane(p, view);
      }
      log(`  rows measured at ${DEFAULT_SIDE_BAR} px, every one unfolded: ${measured.join(', ')}; cut off: ${cut.length}`);
      if (cut.length) throw new Error(`rows cut off at ${DEFAULT_SIDE_BAR} px:\n${cut.join('\n')}`);
    });
    await step(log, 'stop debugging', async () => {
      await clickInEditor(p);
      await p.keyboard.press('Shift+F5');
      await p.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 15_000 });
    });
    return { name: 'end to end (installed .vsix in code-server)', ok: true, detail: `screenshots ${shots.join(', ')}` };
  } catch (e) {
    await shot('failure').catch(() => undefined);
    throw new Error(`${e instanceof Error ? e.message : String(e)}\nscreenshots: ${shots.join(', ')}\ncode-server log:\n${tail(server.log)}`);
  } finally {
    fs.writeFileSync(path.join(root, 'browser-console.log'), consoleLines.join('\n'));
    await browser.close().catch(() => undefined);
    await server.stop();
  }
}

export async function step(log: (line: string) => void, what: string, f: () => Promise<void>): Promise<void> {
  const t0 = Date.now();
  try {
    await f();
  } catch (e) {
    throw new Error(`step "${what}" failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  log(`  ✔ ${what} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

/** A key press goes to the focused part: focus the editor first (VSCODE-TESTING.md) by clicking in it. */
export async function clickInEditor(p: Page): Promise<void> {
  const box = await p.locator('.editor-instance').first().boundingBox();
  if (!box) throw new Error('no editor is open');
  await p.mouse.click(box.x + Math.min(300, box.width / 2), box.y + Math.min(120, box.height / 2));
}

/**
 * Step Out (Shift+F11) from a stop inside a VM exit: the guest's instruction completes, the editor's
 * current-line arrow moves to the next one, and the Call Stack's header reads "Paused on step", not
 * the event's sentence (docs/debugging.md "What a stop says"). VS Code redraws that header only while
 * the pane is open, so it is opened to read it and folded again if it was folded.
 */
export async function stepOutOfExit(p: Page): Promise<void> {
  const arrow = p.locator('.editor-instance .codicon-debug-stackframe').first();
  await arrow.waitFor({ timeout: 30_000 });
  const before = await arrow.boundingBox();
  await clickInEditor(p);
  await p.keyboard.press('Shift+F11');
  let moved = false;
  for (const t0 = Date.now(); !moved && Date.now() - t0 < 30_000; await p.waitForTimeout(200)) {
    const now = await arrow.boundingBox().catch(() => null);
    moved = !!now && !!before && Math.abs(now.y - before.y) >= 1;
  }
  if (!moved) throw new Error('Step Out did not move the current line within 30 s');
  const folded = (await paneHeader(p, 'Call Stack').getAttribute('aria-expanded')) === 'false';
  await expandPane(p, 'Call Stack');
  await callStackHeader(p, /^Paused on step$/);
  if (folded) await collapsePane(p, 'Call Stack');
}

/** Waits until the Call Stack's header message matches `want` and returns it (what it last read on a timeout). */
export async function callStackHeader(p: Page, want: RegExp, timeout = 15_000): Promise<string> {
  const label = paneHeader(p, 'Call Stack').locator('.call-stack-state-message');
  let text = '';
  for (const t0 = Date.now(); Date.now() - t0 < timeout; await p.waitForTimeout(200)) {
    text = ((await label.textContent().catch(() => '')) ?? '').trim();
    if (want.test(text)) return text;
  }
  throw new Error(`the Call Stack header reads "${text}", not ${String(want)}`);
}

export async function pausedOn(p: Page, reason: RegExp, timeout: number): Promise<void> {
  // The stop's description shows in the Call Stack's header ("Stopped on entry at …", "Paused on IRQ
  // line asserted: …") or, expanded, on its thread's row.
  await p.locator('.pane-header:has(h3.title:text-is("Call Stack")), .debug-call-stack .monaco-list-row').filter({ hasText: reason }).first().waitFor({ timeout });
}

function paneHeader(p: Page, title: string): Locator {
  return p.locator('.split-view-view .pane-header', { has: p.locator('h3.title', { hasText: new RegExp(`^${title}$`) }) }).first();
}

/** Lets the change marks (file decorations, fetched asynchronously) paint before a screenshot. */
export async function settle(p: Page): Promise<void> {
  await p.waitForTimeout(1200);
}

/** The rows of the tree in pane `title`. */
export function paneRows(p: Page, title: string): Locator {
  return paneHeader(p, title).locator('xpath=following-sibling::div[contains(@class, "pane-body")]').locator('.monaco-list-row');
}

export async function expandPane(p: Page, title: string): Promise<void> {
  const header = paneHeader(p, title);
  if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
  await p.waitForTimeout(200);
}

export async function collapsePane(p: Page, title: string): Promise<void> {
  const header = paneHeader(p, title);
  if ((await header.count()) && (await header.getAttribute('aria-expanded')) === 'true') await header.click();
}

/** The Hyperstep views, as their pane titles read. */
const HYPERSTEP_VIEWS = ['Interrupt Routing', 'IOAPIC', 'Local APICs', 'VM Exits', 'Memory', 'Interrupts', 'Translation'];
/** VS Code's side bar when nobody has resized it. */
const DEFAULT_SIDE_BAR = 300;

/**
 * The rows of pane `title`, at every depth, whose label or description does not fit (VS Code ends
 * them with "…"), each with the pixels it lacks, scrolling through the whole list (it draws only the
 * rows in view). Every folded row is unfolded on the way, so nested rows are measured too.
 */
async function cutRows(p: Page, title: string): Promise<{ cut: string[]; measured: number }> {
  const list = paneHeader(p, title).locator('xpath=following-sibling::div[contains(@class, "pane-body")]').locator('.monaco-list').first();
  const cut = new Map<string, string>();
  const seen = new Set<string>();
  for (let i = 0; i < 120; i++) {
    // Unfold what is in view first (clicking the twistie toggles a row without running its command).
    const folded = list.locator('.monaco-list-row .monaco-tl-twistie.collapsible.collapsed').first();
    if (await folded.count()) {
      await folded.click();
      await p.waitForTimeout(150);
      continue;
    }
    const found = await list.evaluate((el) => {
      const out: [string, string][] = [];
      const ids: string[] = [];
      // VS Code ends a row that does not fit with an ellipsis on one of these boxes (which one depends
      // on whether a change mark joined the description to the label).
      const boxes = '.monaco-icon-label, .monaco-icon-label-container, .monaco-icon-name-container, .label-name, .label-description';
      for (const row of el.querySelectorAll('.monaco-list-row')) {
        const lack = Math.max(0, ...[...row.querySelectorAll(boxes)].map((c) => c.scrollWidth - c.clientWidth));
        const text = (row.querySelector('.monaco-icon-label')?.textContent ?? '').trim();
        ids.push(`${row.getAttribute('aria-level')}/${row.getAttribute('data-index')}/${text}`);
        if (lack > 1) out.push([text, `level ${row.getAttribute('aria-level')}, ${lack} px short: "${text}"`]);
      }
      const rows = el.querySelector('.monaco-list-rows') as HTMLElement | null;
      return { out, ids, top: `${rows?.style.top} ${rows?.style.transform}` };
    });
    found.out.forEach(([k, v]) => cut.set(k, v));
    found.ids.forEach((r) => seen.add(r));
    const box = await list.boundingBox();
    if (!box) break;
    await p.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await p.mouse.wheel(0, box.height * 0.8);
    await p.waitForTimeout(150);
    const after = await list.evaluate((el) => {
      const rows = el.querySelector('.monaco-list-rows') as HTMLElement | null;
      return `${rows?.style.top} ${rows?.style.transform}`;
    });
    if (after === found.top && !(await list.locator('.monaco-list-row .monaco-tl-twistie.collapsible.collapsed').count())) break;
  }
  // Back to the top for the screenshot, and the pointer off the list (no hover over a row).
  const box = await list.boundingBox();
  if (box) {
    await p.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    for (let i = 0; i < 20; i++) {
      await p.mouse.wheel(0, -box.height * 4);
      await p.waitForTimeout(100);
    }
  }
  await p.mouse.move(1, 1);
  return { cut: [...cut.values()], measured: seen.size };
}

/** Drags the sash between the side bar and the editor until the side bar is `width` pixels wide. */
export async function setSideBarWidth(p: Page, width: number): Promise<void> {
  const bar = await p.locator('.part.sidebar').boundingBox();
  if (!bar || Math.abs(bar.width - width) < 2) return;
  const edge = bar.x + bar.width;
  for (const sash of await p.locator('.monaco-sash.vertical').all()) {
    const box = await sash.boundingBox();
    if (!box || Math.abs(box.x + box.width / 2 - edge) > 4 || box.height < bar.height / 2) continue;
    const y = box.y + box.height / 2;
    await p.mouse.move(box.x + box.width / 2, y);
    await p.mouse.down();
    await p.mouse.move(bar.x + width, y, { steps: 10 });
    await p.mouse.up();
    return;
  }
}

/** Widens the side bar to `width` pixels (a wider one stays). */
export async function widenSideBar(p: Page, width: number): Promise<void> {
  const bar = await p.locator('.part.sidebar').boundingBox();
  if (bar && bar.width < width) await setSideBarWidth(p, width);
}

/** Drags the sash above pane `title` down until the pane above it is `height` pixels tall. */
async function growPaneAbove(p: Page, title: string, height: number): Promise<void> {
  const header = await paneHeader(p, title).boundingBox();
  const bar = await p.locator('.part.sidebar').boundingBox();
  if (!header || !bar) return;
  for (const sash of await p.locator('.part.sidebar .monaco-sash.horizontal').all()) {
    const box = await sash.boundingBox();
    if (!box || Math.abs(box.y + box.height / 2 - header.y) > 4) continue;
    const x = bar.x + bar.width / 2;
    await p.mouse.move(x, box.y + box.height / 2);
    await p.mouse.down();
    await p.mouse.move(x, box.y + box.height / 2 + height, { steps: 10 });
    await p.mouse.up();
    return;
  }
}
