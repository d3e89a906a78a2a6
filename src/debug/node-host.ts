// The DebugHost of a Node process: the stdio adapter, `hyperstep dap`, and the extension host.
import * as fs from 'fs';
import * as path from 'path';
import type { DebugHost } from './host';

export const nodeHost: DebugHost = {
  async readFile(file: string): Promise<Uint8Array> {
    try {
      return await fs.promises.readFile(file);
    } catch (e) {
      throw new Error(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  },
  resolvePath(file: string, base?: string): string {
    return path.resolve(base ?? process.cwd(), file);
  },
  now(): number {
    return performance.now();
  },
};
