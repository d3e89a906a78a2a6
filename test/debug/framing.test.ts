// The adapter survives any byte stream (docs/debugging.md, "A stream that cannot be broken"):
// malformed FRAMES — bad or missing Content-Length, bodies that are not JSON or not requests,
// split at any byte — written raw to dist/debugAdapter.js's stdin; after each one the adapter
// still answers a valid `threads` request. The FrameReader is also driven directly.
import * as assert from 'assert';
import { ChildProcessWithoutNullStreams, spawn } from 'child_process';
import { FrameReader, MAX_BODY, readBody } from '../../src/debug/frames';
import { ADAPTER, ensureAdapter, fixture } from './helpers';

const frame = (text: string): string => `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`;

interface Message { type: string; seq: number; request_seq?: number; command?: string; success?: boolean; event?: string; body?: { threads?: unknown[]; output?: string; reason?: string } }

/** A DAP client that writes raw bytes to the adapter's stdin and parses what comes back. */
class RawClient {
  private readonly child: ChildProcessWithoutNullStreams;
  private out = Buffer.alloc(0);
  readonly messages: Message[] = [];
  private waiters: (() => void)[] = [];
  exited = false;

  constructor() {
    ensureAdapter();
    this.child = spawn(process.execPath, [ADAPTER], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.on('exit', () => { this.exited = true; this.wake(); });
    this.child.stdout.on('data', (d: Buffer) => {
      this.out = Buffer.concat([this.out, d]);
      for (;;) {
        const m = /^Content-Length: (\d+)\r\n\r\n/.exec(this.out.toString('latin1', 0, 64));
        if (!m || this.out.length < m[0].length + Number(m[1])) break;
        this.messages.push(JSON.parse(this.out.toString('utf8', m[0].length, m[0].length + Number(m[1]))) as Message);
        this.out = this.out.subarray(m[0].length + Number(m[1]));
      }
      this.wake();
    });
  }

  private wake(): void { const w = this.waiters; this.waiters = []; for (const f of w) f(); }

  raw(bytes: string | Buffer): void { this.child.stdin.write(bytes); }

  send(seq: number, command: string, args: object = {}): void { this.raw(frame(JSON.stringify({ type: 'request', seq, command, arguments: args }))); }

  async until<T>(find: () => T | undefined, what: string): Promise<T> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const v = find();
      if (v !== undefined) return v;
      if (this.exited) assert.fail(`the adapter exited while waiting for ${what}`);
      if (Date.now() > deadline) assert.fail(`no ${what}`);
      await new Promise<void>((r) => { this.waiters.push(r); setTimeout(r, 200); });
    }
  }

  response(seq: number): Promise<Message> {
    return this.until(() => this.messages.find((m) => m.type === 'response' && m.request_seq === seq), `response to request ${seq}`);
  }

  /** The client goes away: its end of the adapter's stdin closes. */
  closeInput(): void { this.child.stdin.end(); }

  kill(): void { this.child.kill(); }
}

/** Malformed frames, each followed (by the test) by a valid request. */
const BAD_FRAMES: [string, string | Buffer][] = [
  ['a body that is not JSON', frame('{ not json')],
  ['null', frame('null')],
  ['a JSON array', frame('[1, 2, 3]')],
  ['a JSON string', frame('"threads"')],
  ['a request without seq', frame('{"type":"request","command":"threads"}')],
  ['a request without command', frame('{"type":"request","seq":7}')],
  ['command: 42', frame('{"type":"request","seq":8,"command":42}')],
  ['an unknown type', frame('{"type":"banana","seq":9}')],
  ['Content-Length: abc', 'Content-Length: abc\r\n\r\n{"type":"request","seq":10,"command":"threads"}'],
  ['a negative Content-Length', 'Content-Length: -5\r\n\r\n{}'],
  ['no Content-Length at all', 'Content-Type: application/json\r\n\r\n{"type":"request","seq":11,"command":"threads"}'],
  ['a blank header', '\r\n\r\n{}'],
  ['a huge Content-Length', 'Content-Length: 99999999999999\r\n\r\n{}'],
  ['a Content-Length over the limit', `Content-Length: ${MAX_BODY + 1}\r\n\r\n{}`],
  ['a Content-Length longer than the body', 'Content-Length: 5000\r\n\r\n{"type":"request","seq":12,"command":"threads"}'],
  ['a Content-Length shorter than the body', 'Content-Length: 10\r\n\r\n{"type":"request","seq":13,"command":"threads"}'],
  ['Content-Length: 0', 'Content-Length: 0\r\n\r\n'],
  ['raw garbage', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['binary noise', Buffer.from([0, 255, 13, 10, 13, 10, 0xc3, 0x28, 1, 2, 3])],
  ['invalid UTF-8 in a body', Buffer.concat([Buffer.from('Content-Length: 4\r\n\r\n'), Buffer.from([0xff, 0xfe, 0x7b, 0x7d])])],
  ['a header without its blank line, then a long run of text', `Content-Length: 12\r\n${'x'.repeat(3000)}`],
  ['deeply nested JSON', frame('['.repeat(100_000) + ']'.repeat(100_000))],
];

describe('debug adapter: malformed frames on stdio', function () {
  this.timeout(120_000);

  it('answers a valid threads request after every malformed frame', async () => {
    const c = new RawClient();
    try {
      c.send(1, 'initialize', { adapterID: 'hyperstep', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true });
      assert.strictEqual((await c.response(1)).success, true);
      c.send(2, 'launch', { program: fixture('forever.s'), vcpus: 2, stopOnEntry: true });
      assert.strictEqual((await c.response(2)).success, true);
      c.send(3, 'configurationDone');
      await c.response(3);
      let seq = 100;
      for (const [what, bytes] of BAD_FRAMES) {
        const before = c.messages.length;
        c.raw(bytes);
        const s = ++seq;
        c.send(s, 'threads');
        const r = await c.response(s);
        assert.strictEqual(r.success, true, `after ${what}`);
        assert.strictEqual(r.body?.threads?.length, 2, `after ${what}`);
        // The bad frame was answered or reported, never met with silence.
        const said = c.messages.slice(before).filter((m) => m.request_seq !== s);
        assert.ok(said.some((m) => (m.type === 'response' && m.success === false) || (m.type === 'event' && m.event === 'output')), `nothing said about ${what}`);
      }
    } finally {
      c.kill();
    }
  });

  // An adapter whose client is gone must not live on as an orphan running the guest (and growing
  // its history): it exits when stdin closes, even in the middle of a continue or a reverse search.
  // Two paths end it (src/debug/stdio-run.ts's 'end' handler, and the debugadapter library's
  // 'close' → shutdown); either needs the run loops to yield to the event loop between slices.
  for (const during of ['continue', 'reverseContinue'] as const) {
    it(`exits when its client closes stdin during a ${during}`, async () => {
      const c = new RawClient();
      try {
        c.send(1, 'initialize', { adapterID: 'hyperstep', pathFormat: 'path', supportsStepBack: true });
        await c.response(1);
        c.send(2, 'launch', { program: fixture('forever.s'), stopOnEntry: true });
        assert.strictEqual((await c.response(2)).success, true);
        c.send(3, 'configurationDone');
        await c.response(3);
        c.send(4, 'continue', { threadId: 1 });
        assert.strictEqual((await c.response(4)).success, true);
        if (during === 'reverseContinue') {
          await new Promise((r) => setTimeout(r, 500));           // some history to search back through
          c.send(5, 'pause', { threadId: 1 });
          await c.until(() => c.messages.find((m) => m.event === 'stopped' && m.body?.reason === 'pause'), 'the pause stop');
          c.send(6, 'reverseContinue', { threadId: 1 });
          assert.strictEqual((await c.response(6)).success, true);
        }
        c.closeInput();
        assert.strictEqual(await c.until(() => (c.exited ? true : undefined), 'the adapter to exit'), true);
      } finally {
        c.kill();
      }
    });
  }

  it('answers with an error response where the bad message has a seq', async () => {
    const c = new RawClient();
    try {
      c.raw(frame('{"type":"request","seq":5,"command":42}'));
      c.raw(frame('{"type":"request","seq":6}'));
      c.raw(frame('{"seq":7,"command":"threads"'));                 // truncated JSON, seq still readable
      c.raw(frame('[1, 2]'));
      c.raw('Content-Length: 900\r\n\r\n{"type":"request","seq":8,"command":"threads"}');
      c.send(9, 'threads');
      for (const seq of [5, 6, 7, 8]) assert.strictEqual((await c.response(seq)).success, false, `request ${seq}`);
      assert.ok(c.messages.some((m) => m.type === 'response' && m.request_seq === 0 && m.success === false), 'the array is answered');
      assert.strictEqual((await c.response(9)).success, true);
    } finally {
      c.kill();
    }
  });

  it('survives seeded random corruption of a valid stream', async () => {
    // Valid frames with one byte in the header flipped, cut short, doubled or spliced together.
    let a = 0x0bad_f00d;
    const r = (n: number): number => { a = (Math.imul(a, 1103515245) + 12345) >>> 0; return a % n; };
    const c = new RawClient();
    try {
      c.send(1, 'initialize', { adapterID: 'hyperstep', pathFormat: 'path' });
      await c.response(1);
      for (let i = 0; i < 200; i++) {
        const good = Buffer.from(frame(JSON.stringify({ type: 'request', seq: 5000 + i, command: 'threads' })));
        const bad = Buffer.from(good);
        switch (r(4)) {
          case 0: bad[r(20)] = r(256); break;
          case 1: c.raw(bad.subarray(0, r(bad.length))); continue;
          case 2: bad.write(String(r(10_000)).padStart(2, '0'), 16, 'latin1'); break;
          default: c.raw(Buffer.concat([bad.subarray(0, r(bad.length)), good])); continue;
        }
        c.raw(bad);
      }
      c.send(9999, 'threads');
      assert.strictEqual((await c.response(9999)).success, true);
    } finally {
      c.kill();
    }
  });
});

describe('FrameReader', () => {
  const read = (chunks: (string | Buffer)[]): { messages: string[]; errors: string[] } => {
    const messages: string[] = [];
    const errors: string[] = [];
    const r = new FrameReader({ message: (t) => messages.push(t), error: (t) => errors.push(t) });
    for (const c of chunks) r.push(typeof c === 'string' ? Buffer.from(c) : c);
    return { messages, errors };
  };

  it('reads frames split at every byte', () => {
    const text = frame('{"a":"é"}') + frame('{"b":2}');
    const { messages, errors } = read([...Buffer.from(text)].map((b) => Buffer.from([b])));
    assert.deepStrictEqual(messages, ['{"a":"é"}', '{"b":2}']);
    assert.deepStrictEqual(errors, []);
  });

  it('resynchronises on the next header after a bad length, in one chunk or byte by byte', () => {
    const text = 'Content-Length: abc\r\n\r\n{"x":1}' + frame('{"ok":1}');
    for (const chunks of [[text], [...text]]) {
      const { messages, errors } = read(chunks);
      assert.deepStrictEqual(messages, ['{"ok":1}']);
      assert.match(errors[0], /Content-Length 'abc'/);
    }
  });

  it('gives up on a length that runs past the message and keeps the next one', () => {
    const { messages, errors } = read(['Content-Length: 100\r\n\r\n{"seq":3}', frame('{"ok":1}')]);
    assert.deepStrictEqual(messages, ['{"ok":1}']);
    assert.match(errors[0], /runs past the message/);
  });

  it('does not buffer without bound while looking for a header', () => {
    const r = new FrameReader({ message: () => undefined, error: () => undefined });
    for (let i = 0; i < 100; i++) r.push(Buffer.alloc(1 << 20, 0x41));
    // Only the few bytes that may start a header are kept.
    assert.ok((r as unknown as { buf: Buffer }).buf.length < 64);
  });

  it('classifies bodies: requests pass, the rest is answered or reported', () => {
    assert.strictEqual(readBody('{"type":"request","seq":1,"command":"threads"}').kind, 'message');
    assert.deepStrictEqual(readBody('{"type":"request","seq":4,"command":42}'), { kind: 'reject', seq: 4, command: '', why: "a request needs a 'command' string (got 42)" });
    assert.strictEqual(readBody('null').kind, 'note');
    assert.strictEqual(readBody('{oops').kind, 'note');
    assert.strictEqual(readBody('[]').kind, 'reject');
    assert.strictEqual(readBody('{"type":"event","event":"x","seq":3}').kind, 'note');
  });
});
