// `hyperstep asm FILE.s -o FILE.elf`.
import * as fs from 'fs';
import { assemble } from '../asm';
import { CliIo, EXIT_USAGE } from './run';

export function asmCommand(file: string, opts: { output: string; textBase: number }, io: CliIo): number {
  let source: string;
  try {
    source = fs.readFileSync(file, 'utf8');
  } catch (e) {
    io.stderr(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
    return EXIT_USAGE;
  }
  const r = assemble(source, file, { textBase: opts.textBase });
  for (const d of r.diagnostics) io.stderr(`${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}\n`);
  if (!r.ok || !r.elf) return 1;
  try {
    fs.writeFileSync(opts.output, r.elf);
  } catch (e) {
    io.stderr(`${opts.output}: cannot write: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
    return 1;
  }
  return 0;
}
