// The bundled examples (examples/*.s in the extension): pick one, open it, and debug it with the
// machine its header describes (example-header.ts).
import * as path from 'path';
import * as vscode from 'vscode';
import type { Ctx } from './ctx';
import { launchConfigFor } from './debug';

interface Example {
  name: string;
  uri: vscode.Uri;
  /** The header's first line, after "name.s — ". */
  summary: string;
}

async function listExamples(ctx: Ctx): Promise<Example[]> {
  const dir = vscode.Uri.joinPath(ctx.extension.extensionUri, 'examples');
  const entries = await vscode.workspace.fs.readDirectory(dir);
  const names = entries.filter(([n, t]) => t === vscode.FileType.File && /\.(s|asm)$/.test(n)).map(([n]) => n).sort();
  return Promise.all(names.map(async (file) => {
    const uri = vscode.Uri.joinPath(dir, file);
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    const first = text.split('\n', 1)[0].replace(/^#\s*/, '');
    return { name: path.basename(file, path.extname(file)), uri, summary: first.replace(/^\S+\s+[—-]\s+/, '') };
  }));
}

/** Opens an example (asked for when `name` is not given); debugs it when `debug` is set, or when the user says so. */
export async function openExample(ctx: Ctx, name?: string, options: { debug?: boolean } = {}): Promise<vscode.Uri | undefined> {
  const examples = await listExamples(ctx);
  let example = examples.find((e) => e.name === name || `${e.name}.s` === name);
  if (!example) {
    if (name) void vscode.window.showWarningMessage(`Hyperstep: no example named "${name}".`);
    const pick = await vscode.window.showQuickPick(examples.map((e) => ({ label: `${e.name}.s`, detail: e.summary, example: e })),
      { title: 'Hyperstep: open an example', placeHolder: 'A guest program to read and debug', matchOnDetail: true });
    example = pick?.example;
  }
  if (!example) return undefined;
  const editor = await vscode.window.showTextDocument(example.uri, { preview: false });
  const start = (): Thenable<boolean> => vscode.debug.startDebugging(vscode.workspace.workspaceFolders?.[0], launchConfigFor(example.uri.fsPath, editor.document.getText()));
  if (options.debug) {
    await start();
  } else {
    void vscode.window.showInformationMessage(`${example.name}.s: ${example.summary}`, 'Start Debugging').then((choice) => {
      if (choice) void start();
    });
  }
  return example.uri;
}
