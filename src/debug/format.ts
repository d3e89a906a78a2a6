// Number formatting shared by the session's views, messages and monitor output.

/** 0x0000abcd: 32-bit values in registers and memory. */
export function hex32(v: number): string {
  return '0x' + (v >>> 0).toString(16).padStart(8, '0');
}

/** 0xabcd: addresses and values in sentences. */
export function hex(v: number): string {
  return v < 0 && v >= -0x80000000 ? '0x' + (v >>> 0).toString(16) : '0x' + Math.trunc(v).toString(16);
}

/** Privilege level names. */
export function privName(p: number): 'M' | 'S' | 'U' {
  return p === 3 ? 'M' : p === 1 ? 'S' : 'U';
}

/** Bytes as printable text with escapes, for messages ("hello\n"). */
export function quoteBytes(bytes: Uint8Array, max = 64): string {
  let s = '';
  for (const b of bytes.subarray(0, max)) {
    s += b === 10 ? '\\n' : b === 13 ? '\\r' : b === 9 ? '\\t' : b === 34 ? '\\"' : b === 92 ? '\\\\'
      : b >= 32 && b < 127 ? String.fromCharCode(b) : '\\x' + b.toString(16).padStart(2, '0');
  }
  return `"${s}${bytes.length > max ? '…' : ''}"`;
}

/** Parses a string literal of the debug console ("a\nb", 'x', \xNN escapes) into bytes. */
export function unquote(text: string): Uint8Array | undefined {
  const t = text.trim();
  if (t.length < 2 || (t[0] !== '"' && t[0] !== "'") || t[t.length - 1] !== t[0]) return undefined;
  const out: number[] = [];
  const body = t.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') { for (const b of new TextEncoder().encode(c)) out.push(b); continue; }
    const n = body[++i];
    if (n === undefined) return undefined;
    if (n === 'n') out.push(10);
    else if (n === 'r') out.push(13);
    else if (n === 't') out.push(9);
    else if (n === '0') out.push(0);
    else if (n === 'x' && /^[0-9a-fA-F]{2}$/.test(body.slice(i + 1, i + 3))) { out.push(parseInt(body.slice(i + 1, i + 3), 16)); i += 2; } else out.push(n.charCodeAt(0) & 0xff);
  }
  return Uint8Array.from(out);
}
