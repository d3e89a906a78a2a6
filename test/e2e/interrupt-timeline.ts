// End to end as a user: the Interrupts view and the Interrupt timeline on examples/nic-irq.s
// (the packet at cycle 20000 its header schedules). F5, tick the EOI event breakpoint, continue:
// the handler's EOI completes the NIC's chain. The Interrupts view lists it; "Hyperstep: Show
// Interrupt Timeline" opens the webview, whose DOM (inside VS Code's webview iframes) must have the
// five lanes with the IOAPIC labelled "kernel" and one arrow per hop; the compare toggle adds the
// same program under userspace. Screenshots go to test-results/.
import * as fs from 'fs';
import * as path from 'path';
import type { FrameLocator, Page } from 'playwright-core';
import { launchBrowser } from './browser';
import { CodeServer, installExtension, tail } from './code-server';
import { clickInEditor, collapsePane, expandPane, paneRows, pausedOn, settle, step, stepOutOfExit, widenSideBar } from './nic-irq';
import type { Tools } from './tools';
import { copyExamples, type SuiteResult } from './workspace';

export async function runInterruptTimelineEndToEnd(tools: Tools, repo: string, vsix: string, root: string, results: string, log: (line: string) => void): Promise<SuiteResult> {
  const extensions = path.join(root, 'extensions');
  installExtension(tools, vsix, extensions, path.join(root, 'user'));
  const workspace = copyExamples(repo, path.join(root, 'workspace'));
  const server = await CodeServer.start(tools, { root, extensionsDir: extensions });
  const browser = await launchBrowser(tools);
  const consoleLines: string[] = [];
  const shots: string[] = [];
  let page: Page | undefined;
  const shot = async (name: string, what?: { screenshot(o: { path: string }): Promise<unknown> }): Promise<void> => {
    if (!page) return;
    const file = path.join(results, `e2e-${name}.png`);
    await (what ?? page).screenshot({ path: file });
    shots.push(path.relative(repo, file));
  };
  const facts: string[] = [];
  try {
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const p = page;
    p.on('console', (m) => consoleLines.push(m.text()));
    p.setDefaultTimeout(30_000);
    await p.goto(`${server.base}/?folder=${encodeURIComponent(workspace)}`, { timeout: 60_000 });
    await p.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await step(log, 'open examples/nic-irq.s and press F5: stopped on entry', async () => {
      await p.locator('.part.editor').click({ position: { x: 400, y: 300 } });
      await p.keyboard.press('Control+P');
      await p.locator('.quick-input-widget input').fill('nic-irq.s');
      await p.locator('.quick-input-widget .monaco-list-row', { hasText: 'nic-irq.s' }).first().waitFor();
      await p.keyboard.press('Enter');
      await p.locator('.tab.active', { hasText: 'nic-irq.s' }).waitFor();
      await p.locator('.statusbar-item', { hasText: 'Hyperstep Assembly' }).first().waitFor();
      await clickInEditor(p);
      await p.keyboard.press('F5');
      await pausedOn(p, /on entry/i, 60_000);
    });
    await step(log, 'tick the "EOI" event breakpoint and continue: the NIC interrupt is handled', async () => {
      await expandPane(p, 'Breakpoints');
      const row = p.locator('.debug-breakpoints .monaco-list-row', { hasText: /^EOI/ }).first();
      await row.waitFor();
      const box = row.getByRole('checkbox').first();
      if (!(await box.isChecked())) await box.click();
      await p.waitForTimeout(300);
      await clickInEditor(p);
      await p.keyboard.press('F5');
      await pausedOn(p, /EOI|0x31/i, 60_000);
    });
    // The EOI stop is inside the exit of the handler's EOI write, before the write: Step Out
    // completes it (docs/debugging.md "Event breakpoints inside an exit").
    await step(log, 'Step Out (Shift+F11) leaves the EOI write\'s VM exit', () => stepOutOfExit(p));
    for (const pane of ['Variables', 'Watch', 'Breakpoints', 'Call Stack', 'Interrupt Routing', 'IOAPIC']) await collapsePane(p, pane);
    await widenSideBar(p, 560);
    await step(log, 'the Interrupts view lists the NIC chain: #1 nic · handled', async () => {
      await expandPane(p, 'Interrupts');
      const chain = paneRows(p, 'Interrupts').filter({ hasText: '#1 nic' }).filter({ hasText: 'handled' }).first();
      await chain.waitFor({ timeout: 30_000 });
      facts.push(`chain row "${((await chain.textContent()) ?? '').trim()}"`);
      await chain.click();
      await paneRows(p, 'Interrupts').filter({ hasText: 'interrupt-taken' }).first().waitFor();
    });
    let frame: FrameLocator | undefined;
    await step(log, '"Hyperstep: Show Interrupt Timeline" draws five lanes, the IOAPIC "kernel", one arrow per hop', async () => {
      await runCommand(p, 'Hyperstep: Show Interrupt Timeline');
      frame = webviewFrame(p);
      const main = frame.locator('section.picture.main');
      await main.locator('g.hop').first().waitFor({ timeout: 30_000 });
      const lanes = await main.locator('g.lane .lane-label').allTextContents();
      if (lanes.join('|') !== 'Devices|PCI host bridge|IOAPIC · kernel|LAPIC 0 · kernel|vCPU 0') throw new Error(`lanes: ${lanes.join(', ')}`);
      const hops = await main.locator('g.hop').count();
      const chainHops = await main.locator('g.hop[data-chain="1"]').count();
      // The kernel-mode NIC chain to its EOI broadcast has 13 hops (test/debug/interrupts.test.ts).
      if (chainHops < 10 || hops !== chainHops) throw new Error(`${hops} hop arrows, ${chainHops} of chain #1`);
      const arrows = await main.locator('g.hop line.arrow').count();
      const kinds = await main.locator('g.hop').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-kind')));
      for (const k of ['pci-intx', 'irq-line', 'apic-route', 'lapic-ack', 'interrupt-taken', 'lapic-eoi', 'eoi-broadcast']) {
        if (!kinds.includes(k)) throw new Error(`no ${k} hop drawn (kinds: ${kinds.join(', ')})`);
      }
      await main.locator('.now-marker').waitFor();
      facts.push(`timeline: ${lanes.length} lanes, ${hops} hops (${arrows} arrows between lanes)`);
    });
    await step(log, 'compare with userspace: the same program below, the IOAPIC and LAPIC lanes "VMM", more hops', async () => {
      if (!frame) throw new Error('no timeline frame');
      await frame.locator('#compare-mode').selectOption('userspace');
      await frame.locator('#compare-toggle').check();
      const other = frame.locator('section.picture.compare');
      await other.locator('g.hop').first().waitFor({ timeout: 60_000 });
      const lanes = await other.locator('g.lane .lane-label').allTextContents();
      if (!lanes.includes('IOAPIC · VMM') || !lanes.includes('LAPIC 0 · VMM')) throw new Error(`compare lanes: ${lanes.join(', ')}`);
      const mainHops = await frame.locator('section.picture.main g.hop').count();
      const userHops = await other.locator('g.hop').count();
      const vmmExits = await other.locator('g.hop.layer-vmm[data-kind="exit"]').count();
      if (vmmExits < 1) throw new Error('no VM exit to the VMM among the userspace hops');
      facts.push(`compare: kernel ${mainHops} hops, userspace ${userHops} hops (${vmmExits} exits to the VMM)`);
    });
    await step(log, 'room for the picture: the panel closed, the timeline\'s editor group maximized', async () => {
      await runCommand(p, 'View: Hide Panel');
      await p.locator('.tab', { hasText: 'Interrupt Timeline' }).first().click();
      await runCommand(p, 'View: Toggle Maximize Editor Group', false);
      await p.waitForTimeout(800);
    });
    await step(log, 'a click on the chain\'s title zooms to its path up to the handler', async () => {
      if (!frame) throw new Error('no timeline frame');
      const before = await frame.locator('#range').textContent();
      await frame.locator('section.picture.main g.chain[data-chain="1"] text.chain-label').click();
      await frame.locator('#range').filter({ hasNotText: before ?? '' }).waitFor();
      facts.push(`zoomed: ${await frame.locator('#range').textContent()}`);
    });
    await settle(p);
    await shot('interrupt-timeline');
    await shot('interrupt-timeline-webview', p.locator('iframe.webview').first());
    await step(log, 'on the light theme (Default Light Modern, set in the user settings) the picture redraws in its colours, dark text on light', async () => {
      if (!frame) throw new Error('no timeline frame');
      // Written to the settings file, as a user's settings.json edit: the workbench applies it live
      // (switching through the theme picker opens the Marketplace here).
      const settings = path.join(root, 'user', 'User', 'settings.json');
      const now = JSON.parse(fs.readFileSync(settings, 'utf8')) as Record<string, unknown>;
      fs.writeFileSync(settings, JSON.stringify({ ...now, 'workbench.colorTheme': 'Default Light Modern' }, null, 2));
      const light = p.locator('.monaco-workbench.vs');
      try {
        await light.waitFor({ timeout: 15_000 });
      } catch {
        // The file watcher of a loaded machine may not report the write in time: pick the theme in
        // the theme picker as a user would, clicking the row itself (not "Browse Additional Color Themes").
        // Click the command's own row: Enter may take "Browse Color Themes in Marketplace" (offline here).
        await p.keyboard.press('F1');
        await p.locator('.quick-input-widget input').fill('>Preferences: Color Theme');
        await p.locator('.quick-input-widget .monaco-list-row').filter({ has: p.locator('.label-name', { hasText: /^Preferences: Color Theme$/ }) }).first().click();
        await p.locator('.quick-input-widget .monaco-list-row', { hasText: /Dark Modern/ }).first().waitFor();
        await p.locator('.quick-input-widget input').fill('Light Modern');
        const row = p.locator('.quick-input-widget .monaco-list-row', { hasText: /Light Modern/ }).filter({ hasNotText: /Browse/ }).first();
        await row.waitFor();
        await row.click();
        await light.waitFor({ timeout: 30_000 });
      }
      const colours = async (): Promise<{ background: number; label: number; chain: number; labels: [string, number][]; vmm: string }> => frame!.locator('body').evaluate((body) => {
        const luminance = (css: string): number => {
          const m = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(css);
          if (!m) return NaN;
          const [r, g, b] = [m[1], m[2], m[3]].map((v) => {
            const c = Number(v) / 255;
            return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
          });
          return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        };
        const fill = (sel: string): number => {
          const el = body.querySelector(sel);
          return el ? luminance(getComputedStyle(el).fill) : NaN;
        };
        // Every lane's label, in both pictures: the IOAPIC and LAPIC lanes say where the chip runs.
        const labels = [...body.querySelectorAll('g.lane .lane-label')].map((el): [string, number] => [el.textContent ?? '', luminance(getComputedStyle(el).fill)]);
        // A VMM hop's dot (the userspace picture has them), as the browser computed its colour.
        const vmmDot = body.querySelector('g.hop.layer-vmm .dot');
        return {
          background: luminance(getComputedStyle(body).backgroundColor), label: fill('g.lane .lane-label'), chain: fill('g.chain text.chain-label'), labels,
          vmm: vmmDot ? getComputedStyle(vmmDot).fill : '',
        };
      });
      let c = await colours();
      for (let i = 0; i < 50 && !(c.background > 0.7); i++) {
        await p.waitForTimeout(200);
        c = await colours();
      }
      // WCAG contrast ratio (L1 + 0.05) / (L2 + 0.05): 4.5 is what normal text needs.
      const contrast = (a: number, b: number): number => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      if (!(c.background > 0.7)) throw new Error(`the webview background did not turn light (luminance ${c.background})`);
      if (!c.labels.some(([t]) => t === 'IOAPIC · VMM')) throw new Error(`no "IOAPIC · VMM" lane among ${c.labels.map(([t]) => t).join(', ')}`);
      const checked: [string, number][] = [['lane label', c.label], ['chain label', c.chain], ...c.labels.map(([t, l]): [string, number] => [`lane label "${t}"`, l])];
      for (const [what, l] of checked) {
        if (!(contrast(c.background, l) >= 4.5)) throw new Error(`${what}: contrast ${contrast(c.background, l).toFixed(2)} on the light background`);
      }
      // The VMM layer's marks are drawn opaque, and as graphics need 3:1 (WCAG 1.4.11).
      const vmm = parseColour(c.vmm);
      if (!vmm) throw new Error(`no VMM hop dot to measure (fill "${c.vmm}")`);
      if (vmm.alpha < 0.99) throw new Error(`the VMM layer's colour is translucent (${c.vmm})`);
      if (!(contrast(c.background, vmm.luminance) >= 3)) throw new Error(`the VMM layer's colour ${c.vmm}: contrast ${contrast(c.background, vmm.luminance).toFixed(2)} on the light background`);
      facts.push(`VMM layer ${c.vmm}, contrast ${contrast(c.background, vmm.luminance).toFixed(1)}:1`);
      const worst = Math.min(...c.labels.map(([, l]) => contrast(c.background, l)));
      facts.push(`light theme: lane labels' lowest contrast ${worst.toFixed(1)}:1 (${c.labels.length} labels), chain label ${contrast(c.background, c.chain).toFixed(1)}:1`);
    });
    await settle(p);
    await shot('interrupt-timeline-light');
    await step(log, 'a click on the interrupt-taken hop runs back to its cycle: "now" redrawn there, the chain in service again', async () => {
      if (!frame) throw new Error('no timeline frame');
      const hop = frame.locator('section.picture.main g.hop[data-kind="interrupt-taken"]').first();
      const cycle = Number(await hop.getAttribute('data-cycle'));
      await hop.click();
      // The stop redraws the picture: "now" at the first instruction boundary at or after that cycle.
      const now = frame.locator('section.picture.main .now-marker').first();
      let at = NaN;
      for (let i = 0; i < 100 && !(at >= cycle && at < cycle + 200); i++) {
        await p.waitForTimeout(300);
        at = Number(await now.getAttribute('data-cycle').catch(() => null));
      }
      if (!(at >= cycle && at < cycle + 200)) throw new Error(`"now" is at cycle ${at}, not at the hop's cycle ${cycle}`);
      // Back at the handler's first instruction, the chain is in service again (no EOI yet).
      await paneRows(p, 'Interrupts').filter({ hasText: '#1 nic' }).filter({ hasText: 'in-service' }).first().waitFor();
      facts.push(`goto: hop at cycle ${cycle}, now at ${at}`);
    });
    return { name: 'end to end: Interrupts view and Interrupt timeline', ok: true, detail: `${facts.join('; ')}; screenshots ${shots.join(', ')}` };
  } catch (e) {
    await shot('timeline-failure').catch(() => undefined);
    throw new Error(`${e instanceof Error ? e.message : String(e)}\nscreenshots: ${shots.join(', ')}\ncode-server log:\n${tail(server.log)}`);
  } finally {
    fs.writeFileSync(path.join(root, 'browser-console.log'), consoleLines.join('\n'));
    await browser.close().catch(() => undefined);
    await server.stop();
  }
}

/** Runs a command from the palette (F1), as a user types it; first focuses the source editor unless told not to. */
async function runCommand(p: Page, title: string, focusEditor = true): Promise<void> {
  if (focusEditor) await clickInEditor(p);
  const input = p.locator('.quick-input-widget input');
  // F1 pressed while a webview or a closing quick pick holds the focus can leave the palette inert
  // or shut it again at once: open it afresh until its input takes the text.
  for (let attempt = 1; ; attempt++) {
    await p.keyboard.press('F1');
    try {
      await input.fill(`>${title}`, { timeout: 5_000 });
      break;
    } catch (e) {
      if (attempt >= 3) throw e;
      await p.keyboard.press('Escape');
      await p.waitForTimeout(300);
    }
  }
  await p.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first().waitFor();
  await p.keyboard.press('Enter');
}

/** The timeline's document: VS Code puts a webview in an iframe that holds the page in another. */
function webviewFrame(p: Page): FrameLocator {
  return p.frameLocator('iframe.webview').first().frameLocator('iframe#active-frame');
}

/** A computed CSS colour ("rgb(234, 92, 0)", "rgba(…, 0.33)", "color(srgb 0.92 0.36 0 / 0.33)"): its relative luminance and alpha. */
function parseColour(css: string): { luminance: number; alpha: number } | undefined {
  let rgb: number[] | undefined, alpha = 1;
  const legacy = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/.exec(css);
  const srgb = /color\(srgb ([\d.e-]+) ([\d.e-]+) ([\d.e-]+)(?: \/ ([\d.]+))?\)/.exec(css);
  if (legacy) {
    rgb = [legacy[1], legacy[2], legacy[3]].map((v) => Number(v) / 255);
    if (legacy[4] !== undefined) alpha = Number(legacy[4]);
  } else if (srgb) {
    rgb = [srgb[1], srgb[2], srgb[3]].map(Number);
    if (srgb[4] !== undefined) alpha = Number(srgb[4]);
  }
  if (!rgb) return undefined;
  const [r, g, b] = rgb.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return { luminance: 0.2126 * r + 0.7152 * g + 0.0722 * b, alpha };
}
