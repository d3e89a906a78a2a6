// scripts/unused-exports.mjs (npm run lint:exports, docs/style.md habit 15) on a small project of
// its own (test/fixtures/unused-exports): which exports it reports, and what --fix changes.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';

interface Finding { file: string; line: number; name: string; kind: 'unused' | 'file-local' }
type Script = { findUnusedExports(root: string, publicFiles?: Set<string>): Finding[] };

const SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'unused-exports.mjs');
const FIXTURE = path.join(__dirname, '..', 'fixtures', 'unused-exports');
const FACE = new Set(['src/face.ts']);
const brief = (found: Finding[]): string[] => found.map((f) => `${f.file} ${f.name} ${f.kind}`);

describe('npm run lint:exports (scripts/unused-exports.mjs)', function () {
  this.timeout(120_000);
  let script: Script;
  before(async () => {
    script = await import(pathToFileURL(SCRIPT).href) as Script;
  });

  it('reports the exports no other file uses: dead ones, file-local ones, and a re-export nobody imports through', () => {
    assert.deepStrictEqual(brief(script.findUnusedExports(FIXTURE, FACE)), [
      // imported from more.ts directly by the one user, so index.ts's re-export of it is unused
      'src/index.ts notThroughIndex unused',
      // sum() uses it: no other file does
      'src/regs.ts LONE file-local',
      'src/regs.ts DEAD unused',
      // its only use is its call of itself
      'src/regs.ts recurse unused',
      // not reported: REG_A (imported), REG_B (file-local, beside REG_A in one table), sum and
      // viaIndexOnly (through index.ts), byNamespace (more.byNamespace), byDestructuring
      // (const { … } = more), OnlyAType (import('…') type), faceOnly (re-exported by the face)
    ]);
  });

  it('counts nothing for a public face: without one, its exports and what only it re-exports are findings', () => {
    const names = brief(script.findUnusedExports(FIXTURE, new Set()));
    assert.ok(names.includes('src/face.ts FACE_CONSTANT unused'), names.join('\n'));
    assert.ok(names.includes('src/more.ts faceOnly unused'), names.join('\n'));
  });

  it('--fix drops the export keyword of file-local names only, and the check exits 1 while anything is left', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unused-exports-'));
    try {
      fs.cpSync(FIXTURE, dir, { recursive: true });
      const run = spawnSync(process.execPath, [SCRIPT, '--root', dir, '--fix'], { encoding: 'utf8' });
      assert.strictEqual(run.status, 1, run.stderr);
      assert.match(run.stdout, /src\/regs\.ts:3: LONE \(file-local\)/);
      const regs = fs.readFileSync(path.join(dir, 'src', 'regs.ts'), 'utf8');
      assert.match(regs, /^const LONE = 1;$/m);
      assert.match(regs, /^export const REG_A = 0, REG_B = 4;$/m);
      assert.match(regs, /^export const DEAD = 2;$/m);
      assert.deepStrictEqual(brief(script.findUnusedExports(dir, FACE)), [
        'src/index.ts notThroughIndex unused', 'src/regs.ts DEAD unused', 'src/regs.ts recurse unused',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
