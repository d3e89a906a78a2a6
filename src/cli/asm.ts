// `hyperstep asm FILE.s -o FILE.elf`.
import * as fs from 'fs';
import { assemble } from '../asm';
import { CliIo, EXIT_USAGE } from './run';
import { MAX_SOURCE_BYTES, readInputFile } from '../debug/read-input';

export function asmCommand(file: string, opts: { output: string; textBase: number }, io: CliIo): number {
  let source: string;
  try {
    source = readInputFile(file, MAX_SOURCE_BYTES).toString('utf8');
  } catch (e) {
    io.stderr(`${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT_USAGE;
  }
  const r = assemble(source, file, { textBase: opts.textBase });
  for (const d of r.diagnostics) io.stderr(`${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}\n`);
  // Errors in the source are bad input: exit 2, like every refused input (docs/assembler.md).
  if (!r.ok || !r.elf) return EXIT_USAGE;
  try {
    fs.writeFileSync(opts.output, r.elf);
  } catch (e) {
    io.stderr(`${opts.output}: cannot write: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
    return 1;
  }
  return 0;
}
