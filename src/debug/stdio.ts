// The stand-alone debug adapter on stdio (`dist/debugAdapter.js`, and `hyperstep dap`): any DAP
// client (VS Code, nvim-dap, Emacs dap-mode, …) can start it as a process.
import { runOnStdio } from './stdio-run';

runOnStdio();
