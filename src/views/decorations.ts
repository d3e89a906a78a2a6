// The "changed since the last stop" mark, the same in every view (docs/extension.md, "Change
// marks"). VS Code's Variables view highlights a changed value itself; a tree item can highlight
// ranges of its label only (TreeItemLabel.highlights), not of its description. So a node whose
// description changed is drawn with its description moved into the label, the changed parts
// highlighted ("IRR {0x31}" → "{0x31}" highlighted); a node that is new, or whose label changed, has
// its label highlighted. Every marked node also carries a file decoration on a private URI scheme:
// a coloured ● badge for "this value changed" and a plain ◦ for "something inside changed" (what a
// folded parent shows).
import * as vscode from 'vscode';
import type { ChangeMark } from './changes';

const CHANGE_MARK_SCHEME = 'hyperstep-view';

/** The TreeItem's label, description, URI and screen-reader text for a node's change state. */
export function markChanges(item: vscode.TreeItem, id: string, label: string, description: string | undefined, mark: ChangeMark | undefined, inner: boolean): void {
  let highlights: [number, number][] = [];
  let text = label;
  if (mark) {
    if (mark.label) highlights.push([0, label.length]);
    if (mark.description.length && description) {
      // The description joins the label, so that its changed parts can be highlighted.
      const offset = label.length + 1;
      text = `${label} ${description}`;
      highlights = [...highlights, ...mark.description.map(([s, e]): [number, number] => [offset + s, offset + e])];
      item.description = undefined;
    }
    item.label = { label: text, highlights };
  }
  const state = mark ? 'changed' : inner ? 'inner' : '';
  item.resourceUri = vscode.Uri.from({ scheme: CHANGE_MARK_SCHEME, path: '/' + id, query: state });
  const shown = description ? `${label}: ${description}` : label;
  const changed = mark ? highlights.map(([s, e]) => text.slice(s, e)).join(', ') : '';
  item.accessibilityInformation = {
    label: mark ? `${shown} (changed since the last stop: ${changed})` : inner ? `${shown} (something inside changed since the last stop)` : shown,
  };
}

/** The whole text a tree item shows, label and description, whether or not a change mark joined them. */
export function itemText(item: vscode.TreeItem): string {
  const label = typeof item.label === 'string' ? item.label : item.label?.label ?? '';
  return typeof item.description === 'string' && item.description ? `${label} ${item.description}` : label;
}

/** The parts of a tree item's text that its change mark highlights (for tests and screen readers). */
export function highlightedText(item: vscode.TreeItem): string[] {
  if (typeof item.label !== 'object' || !item.label) return [];
  const l = item.label.label;
  return (item.label.highlights ?? []).map(([s, e]) => l.slice(s, e));
}

export class ChangeMarkDecorations implements vscode.FileDecorationProvider {
  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== CHANGE_MARK_SCHEME) return undefined;
    let d: vscode.FileDecoration;
    if (uri.query === 'changed') {
      d = new vscode.FileDecoration('●', 'Changed since the last stop (highlighted)', new vscode.ThemeColor('gitDecoration.modifiedResourceForeground'));
    } else if (uri.query === 'inner') {
      d = new vscode.FileDecoration('◦', 'Something inside changed since the last stop');
    } else {
      return undefined;
    }
    d.propagate = false;
    return d;
  }
}
