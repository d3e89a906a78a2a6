// `hyperstep dap`: the debug adapter on stdio (SPEC §8), for DAP clients that start a command.
import { runOnStdio } from '../debug/stdio-run';

export function dapCommand(): void {
  runOnStdio();
}
