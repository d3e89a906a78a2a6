// The folder a test window opens: a copy of the examples, so nothing the tests do touches the clone.
import * as fs from 'fs';
import * as path from 'path';

export interface SuiteResult {
  name: string;
  ok: boolean;
  detail: string;
}

export function copyExamples(repo: string, to: string): string {
  fs.mkdirSync(path.join(to, 'examples'), { recursive: true });
  for (const f of fs.readdirSync(path.join(repo, 'examples'))) {
    if (/\.(s|asm)$/.test(f)) fs.copyFileSync(path.join(repo, 'examples', f), path.join(to, 'examples', f));
  }
  return to;
}
