/**
 * Starts the language client for `hyperstep-asm` documents. The server is the bundled
 * `dist/languageServer.js`, run as a Node child of the extension host over IPC; activate() (in
 * src/extension) calls this once. The client is added to `context.subscriptions`, so it stops with
 * the extension; call `client.stop()` only to stop it earlier.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';

const LANGUAGE_ID = 'hyperstep-asm';
const SERVER_SCRIPT = path.join('dist', 'languageServer.js');
const CLIENT_ID = 'hyperstep-asm';
const CLIENT_NAME = 'Hyperstep Assembly';

export async function startLanguageClient(context: vscode.ExtensionContext): Promise<LanguageClient> {
  const module = context.asAbsolutePath(SERVER_SCRIPT);
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: LANGUAGE_ID }],
    diagnosticCollectionName: LANGUAGE_ID,
    outputChannelName: CLIENT_NAME,
  };
  const client = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
  context.subscriptions.push(client);
  await client.start();
  return client;
}
