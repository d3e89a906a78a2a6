// The `hyperstep` debugger: where the adapter runs, and launch configurations without a launch.json.
import * as path from 'path';
import * as vscode from 'vscode';
import { HyperstepSession, nodeHost } from '../debug';
import { DEBUG_TYPE, type LaunchArguments } from '../protocol';
import type { Ctx } from './ctx';
import { launchOptionsFromHeader } from './example-header';

const LANGUAGE_ID = 'hyperstep-asm';
const ADAPTER_SCRIPT = path.join('dist', 'debugAdapter.js');

export function registerDebugger(ctx: Ctx): void {
  ctx.push(
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new AdapterFactory(ctx)),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new ConfigurationProvider()),
  );
}

/**
 * The adapter runs inline, in the extension host (no process to start, no serialisation), unless
 * `hyperstep.debugAdapter.runMode` is "process": then dist/debugAdapter.js (the stdio adapter other
 * DAP clients use) runs as a Node process. `process.execPath` is Electron in desktop VS Code and
 * Node in code-server; ELECTRON_RUN_AS_NODE makes the former behave as the latter.
 */
class AdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(private readonly ctx: Ctx) {}

  createDebugAdapterDescriptor(): vscode.DebugAdapterDescriptor {
    if (this.ctx.config.adapterRunMode === 'inline') return new vscode.DebugAdapterInlineImplementation(new HyperstepSession(nodeHost));
    const script = this.ctx.extension.asAbsolutePath(ADAPTER_SCRIPT);
    return new vscode.DebugAdapterExecutable(process.execPath, [script], { env: { ELECTRON_RUN_AS_NODE: '1' } });
  }
}

/** A launch configuration for a guest program: the document's header options (example-header.ts). */
export function launchConfigFor(programPath: string, text: string): vscode.DebugConfiguration & LaunchArguments {
  return {
    type: DEBUG_TYPE,
    request: 'launch',
    name: `Hyperstep: ${path.basename(programPath)}`,
    program: programPath,
    stopOnEntry: true,
    ...launchOptionsFromHeader(text),
  };
}

class ConfigurationProvider implements vscode.DebugConfigurationProvider {
  provideDebugConfigurations(): vscode.DebugConfiguration[] {
    return [{ type: DEBUG_TYPE, request: 'launch', name: 'Hyperstep: debug ${fileBasename}', program: '${file}', stopOnEntry: true }];
  }

  /**
   * F5 without a launch.json passes an empty configuration (or one with only the type VS Code
   * guessed from the editor's language): debug the active assembly file, with its header's machine.
   */
  resolveDebugConfiguration(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration | undefined {
    if (config.program) return config;
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc || doc.languageId !== LANGUAGE_ID) {
      void vscode.window.showErrorMessage('Hyperstep: open a guest program (.s or .asm) to debug, or add a launch configuration with a "program".');
      return undefined;
    }
    const given = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== '' && v !== undefined && v !== null));
    return { ...launchConfigFor(doc.uri.fsPath, doc.getText()), ...given };
  }
}
