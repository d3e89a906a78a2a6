/**
 * The address → source line map, kept in the ELF as the non-allocated section
 * `.hyperstep.lines` so an executable we produce can be debugged at source
 * level. Little-endian layout (documented in docs/assembler.md):
 *
 *   0  u8[4]  magic "HSL1"
 *   4  u32    version (1)
 *   8  u32    file count F
 *  12  u32    entry count N
 *  16  u32    string table size S
 *  20  u32[F] offset of each file name in the string table
 *      N × { u32 address; u32 file index; u32 line (1-based) }, sorted by address
 *      u8[S]  string table: NUL-terminated UTF-8 file names
 *
 * An entry covers one 4-byte instruction at `address`.
 */
export interface LineEntry {
  address: number;
  file: string;
  /** 1-based. */
  line: number;
}

export const LINE_SECTION_NAME = '.hyperstep.lines';

const MAGIC = [0x48, 0x53, 0x4c, 0x31];
const VERSION = 1;
const HEADER_SIZE = 20;
const ENTRY_SIZE = 12;

export function encodeLineTable(entries: readonly LineEntry[]): Uint8Array {
  const sorted = [...entries].sort((a, b) => a.address - b.address || a.line - b.line);
  const files = [...new Set(sorted.map((e) => e.file))];
  const index = new Map(files.map((f, i) => [f, i]));
  return encodeRows(files, sorted.length, (i) => [sorted[i].address, index.get(sorted[i].file)!, sorted[i].line]);
}

/** The section's bytes for `count` rows, already sorted; `row(i)` is [address, file index, line]. */
function encodeRows(files: readonly string[], count: number, row: (i: number) => readonly [number, number, number]): Uint8Array {
  const names = files.map((f) => new TextEncoder().encode(f));
  const stringsSize = names.reduce((n, b) => n + b.length + 1, 0);
  const tableStart = HEADER_SIZE + 4 * files.length;
  const stringsStart = tableStart + ENTRY_SIZE * count;
  const out = new Uint8Array(stringsStart + stringsSize);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  [VERSION, files.length, count, stringsSize].forEach((v, i) => view.setUint32(4 + 4 * i, v, true));
  let at = 0;
  names.forEach((bytes, i) => {
    view.setUint32(HEADER_SIZE + 4 * i, at, true);
    out.set(bytes, stringsStart + at);
    at += bytes.length + 1;
  });
  for (let i = 0; i < count; i++) {
    const [address, file, line] = row(i);
    const p = tableStart + ENTRY_SIZE * i;
    view.setUint32(p, address >>> 0, true);
    view.setUint32(p + 4, file, true);
    view.setUint32(p + 8, line, true);
  }
  return out;
}

/**
 * The line entries of one file as the encoder produces them: two growing arrays of 32-bit numbers
 * instead of an object per instruction (a million instructions were about 60 MB of objects;
 * docs/assembler.md, "Memory"). Objects are made only when a caller asks for `entries`.
 */
export class LineRecorder {
  private addresses = new Uint32Array(1024);
  private lines = new Uint32Array(1024);
  private count = 0;

  constructor(readonly file: string) {}

  get length(): number {
    return this.count;
  }

  add(address: number, line: number): void {
    if (this.count === this.addresses.length) {
      this.addresses = grown(this.addresses);
      this.lines = grown(this.lines);
    }
    this.addresses[this.count] = address;
    this.lines[this.count] = line;
    this.count++;
  }

  /** Row indices by address, then line (then order of recording); undefined when already in that order (usually). */
  private order(): Uint32Array | undefined {
    let sorted = true;
    for (let i = 1; i < this.count && sorted; i++) if (this.compare(i - 1, i) > 0) sorted = false;
    if (sorted) return undefined;
    const order = new Uint32Array(this.count);
    for (let i = 0; i < this.count; i++) order[i] = i;
    return order.sort((a, b) => this.compare(a, b) || a - b);
  }

  private compare(a: number, b: number): number {
    return this.addresses[a] - this.addresses[b] || this.lines[a] - this.lines[b];
  }

  /** The `.hyperstep.lines` section: the same bytes as encodeLineTable of the entries recorded. */
  encode(): Uint8Array {
    const order = this.order();
    const row = order ? (i: number): number => order[i] : (i: number): number => i;
    return encodeRows(this.count > 0 ? [this.file] : [], this.count, (i) => [this.addresses[row(i)], 0, this.lines[row(i)]]);
  }
}

function grown(a: Uint32Array): Uint32Array<ArrayBuffer> {
  const b = new Uint32Array(a.length * 2);
  b.set(a);
  return b;
}

/** The entries of a `.hyperstep.lines` section, or undefined if it is malformed. */
export function decodeLineTable(bytes: Uint8Array): LineEntry[] | undefined {
  if (bytes.length < HEADER_SIZE || MAGIC.some((m, i) => bytes[i] !== m)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [version, fileCount, entryCount, stringsSize] = [4, 8, 12, 16].map((o) => view.getUint32(o, true));
  const tableStart = HEADER_SIZE + 4 * fileCount;
  const stringsStart = tableStart + ENTRY_SIZE * entryCount;
  if (version !== VERSION || stringsStart + stringsSize > bytes.length) return undefined;
  const files: string[] = [];
  for (let i = 0; i < fileCount; i++) {
    const name = readString(bytes, stringsStart + view.getUint32(HEADER_SIZE + 4 * i, true), stringsStart + stringsSize);
    if (name === undefined) return undefined;
    files.push(name);
  }
  const entries: LineEntry[] = [];
  for (let i = 0; i < entryCount; i++) {
    const p = tableStart + ENTRY_SIZE * i;
    const file = files[view.getUint32(p + 4, true)];
    if (file === undefined) return undefined;
    entries.push({ address: view.getUint32(p, true), file, line: view.getUint32(p + 8, true) });
  }
  return entries;
}

function readString(bytes: Uint8Array, start: number, limit: number): string | undefined {
  const end = bytes.indexOf(0, start);
  if (start >= limit || end < 0 || end >= limit) return undefined;
  return new TextDecoder().decode(bytes.subarray(start, end));
}
