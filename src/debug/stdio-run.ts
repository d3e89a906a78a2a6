// Runs one debug session over this process's stdin/stdout. stdout carries only DAP messages.
import { HyperstepSession } from './session';
import { nodeHost } from './node-host';

export function runOnStdio(): void {
  const session = new HyperstepSession(nodeHost);
  session.setRunAsServer(false);
  process.on('uncaughtException', (e) => {
    // A bug must not take the client's session down silently: say it on stderr and keep serving.
    process.stderr.write(`hyperstep dap: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  });
  process.stdin.on('end', () => process.exit(0));
  session.start(process.stdin, process.stdout);
}
