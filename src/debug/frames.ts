// DAP's base protocol on a byte stream: `Content-Length: N\r\n\r\n` then N bytes of JSON. This
// reader replaces @vscode/debugadapter's ProtocolServer framing for streams (session.ts `start`),
// because that one goes deaf on a bad header: a `Content-Length: abc` or a missing length turns
// into NaN and every later header is swallowed as part of a body, and a huge length buffers the
// rest of the stream forever. Here every bad frame is reported and the reader resynchronises on
// the next `Content-Length:` header. See docs/debugging.md ("A stream that cannot be broken").
//
// Resynchronising is exact for well-formed JSON bodies: JSON cannot contain the text
// `Content-Length: 12\r\n\r\n` (a bare word outside a string, or raw CR/LF inside one), so seeing
// it inside a pending body proves the declared length was wrong.

const HEADER_NAME = Buffer.from('Content-Length:');
const CRLF2 = Buffer.from('\r\n\r\n');
/** A header block longer than this is not one. */
const MAX_HEADER = 1024;
/** The largest body accepted (requests carry at most a 1 MiB writeMemory, base64-encoded). */
export const MAX_BODY = 16 << 20;

interface FrameSink {
  /** A complete body, decoded as UTF-8 (not yet parsed). */
  message(text: string): void;
  /**
   * A frame that could not be read, in words; the reader has already resynchronised. `dropped` is
   * the body it gave up on when that may still name the request to answer.
   */
  error(text: string, dropped?: string): void;
}

/** `Content-Length: N` followed by the blank line, anywhere in a body that should not hold it. */
const EMBEDDED_HEADER = /Content-Length: *\d+\r\n(?:[^\r\n]*\r\n)*?\r\n/;

/** How many bytes at the end of `s` are the beginning of a header (`C`, `Cont`, …, `Content-Length: 4\r\n\r`). */
function headerStartAtEnd(s: string): number {
  for (let i = Math.max(0, s.length - 40); i < s.length; i++) {
    if (s[i] !== 'C') continue;
    const t = s.slice(i);
    if ('Content-Length:'.startsWith(t) || /^Content-Length:[ \d]*(?:\r(?:\n\r?)?)?$/.test(t)) return s.length - i;
  }
  return 0;
}

export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);
  /** The declared length of the body being collected, or -1 while looking for a header. */
  private length = -1;
  /** How far into a pending body the embedded-header check has looked. */
  private scanned = 0;

  constructor(private readonly sink: FrameSink) {}

  push(data: Buffer): void {
    this.buf = this.buf.length === 0 ? data : Buffer.concat([this.buf, data]);
    for (;;) {
      if (this.length >= 0 ? !this.body() : !this.header()) return;
    }
  }

  /** Looks for a header; true if it consumed one (or skipped garbage) and should go on. */
  private header(): boolean {
    const at = this.buf.indexOf(HEADER_NAME);
    if (at < 0) {
      // Keep a tail that may be the start of a header cut by the chunking; drop the rest.
      const keep = Math.min(this.buf.length, HEADER_NAME.length - 1);
      this.discard(this.buf.length - keep);
      return false;
    }
    if (at > 0) this.discard(at);
    const end = this.buf.indexOf(CRLF2);
    const next = this.buf.indexOf(HEADER_NAME, 1);
    if ((end < 0 && this.buf.length > MAX_HEADER) || end > MAX_HEADER || (next > 0 && next < end)) {
      this.sink.error(`a DAP header without the blank line that ends it`);
      this.buf = this.buf.subarray(1);   // past this "Content-Length:", on to the next one
      return true;
    }
    if (end < 0) return false;
    const lines = this.buf.toString('latin1', 0, end).split('\r\n');
    this.buf = this.buf.subarray(end + CRLF2.length);
    const value = lines[0].slice(HEADER_NAME.length).trim();
    const n = /^\d+$/.test(value) ? Number(value) : NaN;
    if (Number.isNaN(n)) {
      this.sink.error(`bad DAP header: Content-Length '${value.slice(0, 40)}' is not a byte count; skipped to the next header`);
    } else if (n > MAX_BODY) {
      this.sink.error(`bad DAP header: Content-Length ${value.slice(0, 40)} is over the ${MAX_BODY}-byte limit; skipped to the next header`);
    } else if (n === 0) {
      this.sink.error('an empty DAP message (Content-Length: 0)');
    } else {
      this.length = n;
      this.scanned = 0;
    }
    return true;
  }

  /** Collects a body; true once it is complete (or abandoned) and the reader should go on. */
  private body(): boolean {
    // A header inside the pending bytes means the declared length overran the message.
    const from = Math.max(0, this.scanned - 64);
    const upTo = Math.min(this.buf.length, this.length);
    if (upTo > from) {
      const m = EMBEDDED_HEADER.exec(this.buf.toString('latin1', from, upTo));
      if (m) {
        const cut = from + m.index;
        const dropped = this.buf.toString('utf8', 0, cut);
        this.buf = this.buf.subarray(cut);
        this.length = -1;
        this.sink.error(`bad DAP frame: Content-Length runs past the message (${cut} bytes before the next header)`, dropped);
        return true;
      }
      this.scanned = upTo;
    }
    if (this.buf.length < this.length) return false;
    // A body cut short by a wrong length may end in the first bytes of the next header (valid
    // JSON never ends so): those go back to be read as a header.
    const end = this.length - headerStartAtEnd(this.buf.toString('latin1', Math.max(0, this.length - 40), this.length));
    const text = this.buf.toString('utf8', 0, end);
    this.buf = this.buf.subarray(end);
    this.length = -1;
    this.sink.message(text);
    return true;
  }

  /** Drops n bytes that are not a header, saying so unless they are only line breaks or spaces. */
  private discard(n: number): void {
    if (n <= 0) return;
    const dropped = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    if (/[^\s]/.test(dropped.toString('latin1'))) this.sink.error(`skipped ${n} bytes that are not a DAP header`);
  }
}

/** What to do with one parsed (or unparsable) message from the client. */
export type Incoming =
  | { kind: 'message'; message: { type: string } & Record<string, unknown> }
  | { kind: 'reject'; seq: number; command: string; why: string }   // an error response
  | { kind: 'note'; why: string };                                  // an output event (no seq to answer)

function isRecord(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

function seqOf(x: unknown): number | undefined {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0 ? x : undefined;
}

/** A body's text: parsed and checked as a DAP message far enough to dispatch or answer it. */
export function readBody(text: string): Incoming {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return unreadable(text, `a DAP message that is not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  return checkMessage(parsed);
}

/** A body that cannot be served: answer the request it was meant to be, if its seq can still be read. */
export function unreadable(text: string, why: string): Incoming {
  const seq = /"seq"\s*:\s*(\d{1,15})\b/.exec(text);
  const command = /"command"\s*:\s*"([^"\\]{1,100})"/.exec(text);
  return seq ? { kind: 'reject', seq: Number(seq[1]), command: command?.[1] ?? '', why } : { kind: 'note', why };
}

/** A parsed message, from the stream or handed over in-process (DebugAdapterInlineImplementation). */
export function checkMessage(m: unknown): Incoming {
  if (!isRecord(m)) {
    const what = Array.isArray(m) ? 'a JSON array' : m === null ? 'null' : `a JSON ${typeof m}`;
    return Array.isArray(m) ? { kind: 'reject', seq: 0, command: '', why: `a DAP message must be an object, not ${what}` } : { kind: 'note', why: `a DAP message must be an object, not ${what}` };
  }
  const seq = seqOf(m.seq);
  const command = typeof m.command === 'string' ? m.command : '';
  if (m.type === 'request' || (m.type === undefined && 'command' in m)) {
    if (seq === undefined) return { kind: 'reject', seq: 0, command, why: `a request needs a non-negative integer 'seq' (got ${JSON.stringify(m.seq) ?? 'none'})` };
    if (typeof m.command !== 'string' || m.command === '') return { kind: 'reject', seq, command, why: `a request needs a 'command' string (got ${JSON.stringify(m.command) ?? 'none'})` };
    if (m.type === undefined) return { kind: 'reject', seq, command, why: "a request needs 'type': 'request'" };
    return { kind: 'message', message: m as { type: string } & Record<string, unknown> };
  }
  if (m.type === 'response' && seqOf(m.request_seq) !== undefined) return { kind: 'message', message: m as { type: string } & Record<string, unknown> };
  const kind = typeof m.type === 'string' ? `'${m.type.slice(0, 40)}'` : 'no type';
  return seq !== undefined && m.type !== 'event' && m.type !== 'response'
    ? { kind: 'reject', seq, command, why: `a DAP message of ${kind}: only requests are served` }
    : { kind: 'note', why: `ignored a DAP message of ${kind}` };
}
