// A CliIo that keeps what a command writes to stdout and stderr, for the CLI tests.
export function capture(): { io: { stdout(b: Uint8Array | string): void; stderr(t: string): void }; out: () => string; err: () => string } {
  let out = '', err = '';
  return {
    io: { stdout: (b) => { out += typeof b === 'string' ? b : Buffer.from(b).toString('latin1'); }, stderr: (t) => { err += t; } },
    out: () => out, err: () => err,
  };
}
