// `hyperstep dap`: the debug adapter on stdio (docs/contracts.md), for DAP clients that start a command.
import { runOnStdio } from '../debug/stdio-run';

export function dapCommand(): void {
  runOnStdio();
}
