// Language server entry point (`dist/languageServer.js`): `--stdio`, `--node-ipc` or
// `--socket=N`, as vscode-languageserver reads them from the command line. The same script,
// started with ASSEMBLER_CHILD_FLAG, is the process that runs the assembler (assembler-runner.ts).
import { ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import { ASSEMBLER_CHILD_FLAG, ChildProcessAssembler, runAssemblerChild } from './assembler-runner';
import { startServer } from './server';

function main(): void {
  if (process.argv.includes(ASSEMBLER_CHILD_FLAG)) {
    runAssemblerChild();
    return;
  }
  const connection = createConnection(ProposedFeatures.all);
  const log = (what: string) => (e: unknown): void => {
    // stderr, never stdout: with --stdio, stdout is the protocol.
    process.stderr.write(`hyperstep-asm: ${what}: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  };
  // A bug must cost one answer, not the server (docs/contracts.md).
  process.on('uncaughtException', log('uncaught exception'));
  process.on('unhandledRejection', log('unhandled rejection'));
  const runner = new ChildProcessAssembler({ script: __filename, log: (m) => connection.console.warn(m) });
  startServer(connection, runner);
}

main();
