// The extension's settings, read through typed getters (docs/style.md habit 4, after rust-analyzer's
// config.ts). The section name is written here only; package.json `contributes.configuration`
// declares the same keys with their schema.
import * as vscode from 'vscode';
import type { Detail } from '../views';

const SECTION = 'hyperstep';

type AdapterRunMode = 'inline' | 'process';

export class Config {
  private get cfg(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(SECTION);
  }

  /** `hyperstep.views.detail`: compact hides idle entries. */
  get viewDetail(): Detail {
    return this.cfg.get<string>('views.detail') === 'full' ? 'full' : 'compact';
  }

  setViewDetail(detail: Detail): Thenable<void> {
    return this.cfg.update('views.detail', detail, vscode.ConfigurationTarget.Global);
  }

  /** `hyperstep.views.recentExits`: how many recent VM exits the VM Exits view lists. */
  get recentExits(): number {
    const n = this.cfg.get<number>('views.recentExits') ?? 32;
    return Number.isInteger(n) && n > 0 ? Math.min(n, 1000) : 32;
  }

  /** `hyperstep.languageServer.enabled`. */
  get languageServerEnabled(): boolean {
    return this.cfg.get<boolean>('languageServer.enabled') ?? true;
  }

  /** `hyperstep.debugAdapter.runMode`: in the extension host, or as a separate Node process. */
  get adapterRunMode(): AdapterRunMode {
    return this.cfg.get<string>('debugAdapter.runMode') === 'process' ? 'process' : 'inline';
  }

  /** Fires when a setting under `hyperstep.<prefix>` changes. */
  onDidChange(prefix: string, listener: () => void): vscode.Disposable {
    return vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${SECTION}.${prefix}`)) listener();
    });
  }
}
