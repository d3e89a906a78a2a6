// Headless Debian chromium driven by playwright-core (VSCODE-TESTING.md: the flags that keep it
// offline and quiet in a container).
import { type Browser, chromium } from 'playwright-core';
import type { Tools } from './tools';

export function launchBrowser(tools: Tools): Promise<Browser> {
  return chromium.launch({
    executablePath: tools.chromium,
    headless: true,
    timeout: 60_000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}
