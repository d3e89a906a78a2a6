// The extension's entry point: builds the context that owns everything, then the debugger, the
// views, the commands and the language client. Activation time is measured and logged.
import * as vscode from 'vscode';
import { startLanguageClient } from '../lsp/client';
import type { HyperstepApi } from './api';
import { commandId, registerCommands } from './commands';
import { Ctx } from './ctx';
import { registerDebugger } from './debug';
import { trackSessions } from './sessions';

export function activate(context: vscode.ExtensionContext): HyperstepApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Hyperstep', { log: true });
  context.subscriptions.push(log);
  const ctx = new Ctx(context);

  registerDebugger(ctx);
  registerCommands(ctx);
  trackSessions(ctx);

  // The language client starts in the background: activation does not wait for the server.
  const languageClientReady = ctx.config.languageServerEnabled
    ? startLanguageClient(context).then(() => true, (e: unknown) => {
      log.error(`language server failed to start: ${e instanceof Error ? e.message : String(e)}`);
      return false;
    })
    : Promise.resolve(false);

  const activationMs = performance.now() - started;
  log.info(`activated in ${activationMs.toFixed(1)} ms`);
  console.log(`[hyperstep] activated in ${activationMs.toFixed(1)} ms`);
  return { activationMs, views: ctx.views, provenance: ctx.provenance, translation: ctx.translation, feed: ctx.feed, commandId, languageClientReady };
}

export function deactivate(): void {
  // Everything is in the extension context's subscriptions, disposed by VS Code.
}
