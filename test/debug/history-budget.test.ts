// historyMiB bounds reverse execution over the whole process (src/debug/history-budget.ts): two
// sessions run inline in one process, as VS Code's default inline adapter runs them, share one pool
// whose budget is the larger historyMiB; a session that disconnects leaves it.
import * as assert from 'assert';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { HyperstepSession, nodeHost } from '../../src/debug';
import { processHistory } from '../../src/debug/history-budget';
import { fixture } from './helpers';

/** A session driven in-process through handleMessage, as the extension's inline adapter drives it. */
class InlineSession {
  private readonly session = new HyperstepSession(nodeHost);
  private seq = 1;
  private readonly waiting = new Map<number, (r: DebugProtocol.Response) => void>();
  private readonly stops: (() => void)[] = [];

  constructor() {
    this.session.onDidSendMessage((m) => {
      const msg = m as DebugProtocol.ProtocolMessage;
      if (msg.type === 'response') this.waiting.get((msg as DebugProtocol.Response).request_seq)?.(msg as DebugProtocol.Response);
      if (msg.type === 'event' && (msg as DebugProtocol.Event).event === 'stopped') for (const s of this.stops.splice(0)) s();
    });
  }

  request(command: string, args: object): Promise<DebugProtocol.Response> {
    const seq = this.seq++;
    const answered = new Promise<DebugProtocol.Response>((resolve) => this.waiting.set(seq, resolve));
    this.session.handleMessage({ seq, type: 'request', command, arguments: args } as DebugProtocol.Request);
    return answered;
  }

  async launch(historyMiB: number): Promise<void> {
    await this.request('initialize', { adapterID: 'hyperstep' });
    const stopped = new Promise<void>((resolve) => this.stops.push(resolve));
    const launched = await this.request('launch', { program: fixture('calls.s'), stopOnEntry: true, historyMiB });
    assert.ok(launched.success, launched.message);
    await this.request('configurationDone', {});
    await stopped;
  }
}

describe('debug adapter: one history budget for the process', function () {
  this.timeout(60_000);

  it('inline sessions join one pool, its budget the larger historyMiB; disconnecting leaves it', async () => {
    const others = processHistory.live(); // sessions of other tests in this process, if any are alive
    const before = others.length;
    const largest = (mib: number): number => Math.max(mib * 2 ** 20, ...others.map((h) => h.budgetBytes));
    const a = new InlineSession(), b = new InlineSession();
    await a.launch(64);
    await b.launch(256);
    assert.strictEqual(processHistory.live().length, before + 2);
    assert.strictEqual(processHistory.budgetBytes, largest(256));
    const next = await a.request('next', { threadId: 1 });
    assert.ok(next.success);
    await b.request('disconnect', {});
    assert.strictEqual(processHistory.live().length, before + 1);
    assert.strictEqual(processHistory.budgetBytes, largest(64));
    await a.request('disconnect', {});
    assert.strictEqual(processHistory.live().length, before);
  });
});
