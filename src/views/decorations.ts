// The "changed since the last stop" mark. A tree item cannot colour its own label, but a file
// decoration can: every node carries a URI on a private scheme, and this provider colours (and
// badges) the ones whose URI says "changed" — as the Variables view highlights changed values.
import * as vscode from 'vscode';

export const CHANGE_MARK_SCHEME = 'hyperstep-view';

export function changeMarkUri(id: string, changed: boolean): vscode.Uri {
  return vscode.Uri.from({ scheme: CHANGE_MARK_SCHEME, path: '/' + id, query: changed ? 'changed' : '' });
}

export class ChangeMarkDecorations implements vscode.FileDecorationProvider {
  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== CHANGE_MARK_SCHEME || uri.query !== 'changed') return undefined;
    const d = new vscode.FileDecoration('●', 'Changed since the last stop', new vscode.ThemeColor('gitDecoration.modifiedResourceForeground'));
    d.propagate = false;
    return d;
  }
}
