// `hyperstep --version` prints the package's version, from the command line's own entry point.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { version } from '../../package.json';
import { VERSION } from '../../src/cli/version';

describe('hyperstep --version', () => {
  it('prints "hyperstep <version>" and exits 0', () => {
    const repo = path.join(__dirname, '..', '..');
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(repo, 'src/cli/main.ts'), '--version'], { cwd: repo, encoding: 'utf8' });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.strictEqual(r.stdout, `hyperstep ${version}\n`);
    assert.match(version, /^\d+\.\d+\.\d+/);
    assert.strictEqual(VERSION, version, 'src/cli/version.ts follows package.json');
  });
});
