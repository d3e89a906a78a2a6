// The DebugHost of a Node process: the stdio adapter, `hyperstep dap`, and the extension host.
import * as path from 'path';
import type { DebugHost } from './host';
import { inputLimit, readInputFile } from './read-input';

export const nodeHost: DebugHost = {
  async readFile(file: string): Promise<Uint8Array> {
    return readInputFile(file, inputLimit(file));
  },
  resolvePath(file: string, base?: string): string {
    return path.resolve(base ?? process.cwd(), file);
  },
  now(): number {
    return performance.now();
  },
};
