// Extension entry point. The debugger, views and language client arrive with their issues; until
// then the extension only registers what exists.
import type * as vscode from 'vscode';

export function activate(_context: vscode.ExtensionContext): void {
  // Nothing to register yet.
}

export function deactivate(): void {
  // Nothing to dispose yet.
}
