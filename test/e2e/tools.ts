// The programs the browser tests drive, as scripts/vscode/ensure-tools.sh installed them; its
// caller (scripts/vscode/test.mjs) passes their paths in the environment. Missing means failing.
import * as fs from 'fs';

export interface Tools {
  /** Node 24, which code-server requires. */
  node24: string;
  /** code-server's entry script (run with node24). */
  codeServer: string;
  chromium: string;
}

export function toolsFromEnv(): Tools {
  const need = (name: string): string => {
    const v = process.env[name];
    if (!v || !fs.existsSync(v)) throw new Error(`${name} is ${v ? `${v}, which does not exist` : 'not set'}: run scripts/vscode/test.mjs, which installs the tools (scripts/vscode/ensure-tools.sh)`);
    return v;
  };
  return { node24: need('HYPERSTEP_NODE24'), codeServer: fs.realpathSync(need('HYPERSTEP_CODE_SERVER')), chromium: need('HYPERSTEP_CHROMIUM') };
}
