// `hyperstep run` and an access no device claims (README, docs/exits.md): by default an access fault
// in the guest, counted under `unclaimedMmio` in --stats; --strict-mmio stops with exit 125 and names
// the GPA. The flag is spelled as the issue and README spell it, through the real entry point.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const repo = path.join(__dirname, '..', '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hyperstep-unclaimed-'));

// A store where nothing is; the handler exits with mcause + (mtval & 0xf0) via the finisher.
const GUEST = `
        .text
        .globl _start
_start: la      t0, handler
        csrw    mtvec, t0
        li      t1, 0x20000040
        sw      zero, 0(t1)
1:      j       1b
handler:
        csrr    a0, mcause
        csrr    a1, mtval
        andi    a1, a1, 0xf0
        add     a0, a0, a1
        slli    a0, a0, 16
        li      t0, 0x3333
        or      a0, a0, t0
        li      t0, 0x100000
        sw      a0, 0(t0)
2:      j       2b
`;

function hyperstep(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(repo, 'src/cli/main.ts'), ...args], { cwd: repo, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('hyperstep run: an access no device claims', function () {
  this.timeout(60_000);
  const program = path.join(dir, 'store.s');
  before(() => fs.writeFileSync(program, GUEST));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is a store access fault in the guest (cause 7, mtval = the address), counted in --stats', () => {
    const stats = path.join(dir, 'stats.json');
    const r = hyperstep('run', program, '--stats', stats);
    assert.strictEqual(r.status, 7 + 0x40, r.stderr); // the finisher's code: mcause 7, mtval 0x…40
    const s = JSON.parse(fs.readFileSync(stats, 'utf8')) as { unclaimedMmio: { reads: number; writes: number; fetches: number; first: { gpa: string; access: string }[] } };
    assert.deepStrictEqual([s.unclaimedMmio.reads, s.unclaimedMmio.writes, s.unclaimedMmio.fetches], [0, 1, 0]);
    assert.deepStrictEqual(s.unclaimedMmio.first.map((u) => [u.access, u.gpa]), [['write', '0x20000040']]);
  });

  it('--strict-mmio stops there: exit 125, the GPA named on stderr', () => {
    const r = hyperstep('run', program, '--strict-mmio');
    assert.strictEqual(r.status, 125);
    assert.match(r.stderr, /no device at GPA 0x20000040: write of 0x0 \(4 bytes\)/);
  });
});
