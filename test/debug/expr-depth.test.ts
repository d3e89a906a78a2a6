// Debugger expressions are bounded in depth (docs/debugging.md "Expressions"): a watch, the debug
// console, a hover or a breakpoint condition thousands of levels deep is refused with "expression too
// deep" instead of overflowing the stack, and the session goes on serving.
import * as assert from 'assert';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { EvalContext, evaluate, MAX_EXPR_DEPTH, parseExpression } from '../../src/debug/expr';
import { fixture, launch, lineOf, startClient, stopAfter, topFrame, value } from './helpers';

const ctx: EvalContext = { lookup: (n) => (n === 'a0' ? 5 : undefined), read: () => 0x11223344 };
const DEEP: readonly (readonly [string, string])[] = [
  ['5000 nested parentheses', '('.repeat(5000) + '1' + ')'.repeat(5000)],
  ['a 5000-term chain', Array(5000).fill('1').join(' + ')],
  ['5000 unary operators', '-'.repeat(5000) + '1'],
  ['5000 nested calls', 'u8('.repeat(5000) + '0' + ')'.repeat(5000)],
  ['5000 nested conditionals', '1 ? '.repeat(5000) + '1' + ' : 0'.repeat(5000)],
  ['5000 indexings', 'a0' + '[0]'.repeat(5000)],
  ['a cast to a type 5000 pointers deep', '(int ' + '*'.repeat(5000) + ')a0'],
];

describe('debug adapter: expression depth', () => {
  for (const [what, text] of DEEP) {
    it(`${what}: "expression too deep", not a stack overflow`, () => {
      assert.throws(() => parseExpression(text), (e: Error) => e.constructor.name === 'ExprError' && /^expression too deep/.test(e.message));
    });
  }

  it('an expression just within the limit still evaluates', () => {
    const nested = '('.repeat(MAX_EXPR_DEPTH - 2) + 'a0' + ')'.repeat(MAX_EXPR_DEPTH - 2);
    assert.strictEqual(evaluate(parseExpression(nested), ctx), 5);
    const chain = Array(MAX_EXPR_DEPTH - 1).fill('1').join('+');
    assert.strictEqual(evaluate(parseExpression(chain), ctx), MAX_EXPR_DEPTH - 1);
    assert.strictEqual(evaluate(parseExpression('-'.repeat(MAX_EXPR_DEPTH - 2) + '7'), ctx), 7);
  });

  it('the depth is counted, not the length: a long expression of shallow terms evaluates', () => {
    const wide = Array(200).fill('u8((a0 + 1) * 2 + 3)').join(' | ');
    assert.ok(wide.length > 4096);
    assert.strictEqual(evaluate(parseExpression(wide), ctx), 0x11223344);
  });

  describe('through DAP', function () {
    this.timeout(60_000);
    let dc: DebugClient;
    const CALLS = fixture('calls.s');
    beforeEach(async () => { dc = await startClient(); });
    afterEach(async () => { await dc.stop(); });

    it('evaluate (repl, watch, hover) answers "expression too deep" and the session goes on', async () => {
      await launch(dc, { program: CALLS });
      for (const [, text] of DEEP) {
        for (const context of ['repl', 'watch', 'hover']) {
          await assert.rejects(dc.evaluateRequest({ expression: text, context }), (e: Error) => /expression too deep/.test(e.message) && !/internal error/.test(e.message));
        }
      }
      const threads = await dc.threadsRequest();
      assert.ok(threads.body.threads.length >= 1);
      assert.strictEqual(await value(dc, 's1 + 1'), 1);
    });

    it('a breakpoint condition too deep is an unverified breakpoint, and the others still stop', async () => {
      const add = lineOf(CALLS, 'add     t1, t1, a0');
      await launch(dc, { program: CALLS }, async () => {
        const set = await dc.setBreakpointsRequest({
          source: { path: CALLS },
          breakpoints: [{ line: add - 1, condition: DEEP[0][1] }, { line: add, condition: DEEP[1][1] }, { line: add + 1, condition: 'a0 == 4' }],
        });
        const [paren, chain, good] = set.body.breakpoints;
        for (const bad of [paren, chain]) {
          assert.strictEqual(bad.verified, false);
          assert.match(bad.message!, /condition: expression too deep/);
        }
        assert.strictEqual(good.verified, true);
        const f = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'square', condition: DEEP[2][1] }] });
        assert.strictEqual(f.body.breakpoints[0].verified, false);
        assert.match(f.body.breakpoints[0].message!, /expression too deep/);
        return set;
      });
      // The bad breakpoints are not armed: the run stops only where the good condition holds.
      const s = await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
      assert.strictEqual(s.reason, 'breakpoint');
      assert.strictEqual((await topFrame(dc)).line, add + 1);
      assert.strictEqual(await value(dc, 'a0'), 4);
      assert.ok((await dc.threadsRequest()).body.threads.length >= 1);
    });
  });
});
