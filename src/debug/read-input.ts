// Reads a program file (assembly source or ELF) without trusting its size: `run /dev/zero`, a FIFO
// that never ends or a multi-gigabyte file is refused with a message instead of growing the process
// until it dies. Regular files are checked with fstat before reading, devices are refused, and
// anything else (a pipe) is read in chunks up to the limit.
import * as fs from 'fs';
import { isAssemblySource } from './program';

/** Guest RAM is at most 2 GiB and images at most 256 MiB; ELFs with debug information are larger than their images. */
const MAX_ELF_BYTES = 256 * 2 ** 20;
/** Assembly sources: the assembler needs several times a source's size while it works (docs/assembler.md). */
export const MAX_SOURCE_BYTES = 64 * 2 ** 20;

class InputError extends Error {}

const mib = (n: number): string => `${Math.round(n / 2 ** 20)} MiB`;

/** The file's bytes, or an InputError naming the file and what is wrong with it. */
export function readInputFile(file: string, limit: number): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    throw new InputError(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) throw new InputError(`${file}: is a directory`);
    // A program is not read from a device (`/dev/zero` never ends, a terminal waits for typing).
    if (st.isCharacterDevice() || st.isBlockDevice()) throw new InputError(`${file}: is a ${st.isCharacterDevice() ? 'character' : 'block'} device, not a program file`);
    if (st.isFile() && st.size > limit) throw new InputError(`${file}: ${mib(st.size)} is larger than the ${mib(limit)} a program file may be`);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, limit + 1 - total));
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      if (total > limit) {
        const kind = st.isFIFO() ? 'a pipe that' : 'a file that';
        throw new InputError(`${file}: ${kind} gives more than the ${mib(limit)} a program file may be`);
      }
    }
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  } finally {
    fs.closeSync(fd);
  }
}

/** The limit for a program file by its name: sources are assembled, anything else is an ELF. */
export function inputLimit(file: string): number {
  return isAssemblySource(file) ? MAX_SOURCE_BYTES : MAX_ELF_BYTES;
}
