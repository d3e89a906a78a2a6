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
  const names = files.map((f) => new TextEncoder().encode(f));
  const stringsSize = names.reduce((n, b) => n + b.length + 1, 0);
  const tableStart = HEADER_SIZE + 4 * files.length;
  const stringsStart = tableStart + ENTRY_SIZE * sorted.length;
  const out = new Uint8Array(stringsStart + stringsSize);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  [VERSION, files.length, sorted.length, stringsSize].forEach((v, i) => view.setUint32(4 + 4 * i, v, true));
  let at = 0;
  names.forEach((bytes, i) => {
    view.setUint32(HEADER_SIZE + 4 * i, at, true);
    out.set(bytes, stringsStart + at);
    at += bytes.length + 1;
  });
  sorted.forEach((e, i) => {
    const p = tableStart + ENTRY_SIZE * i;
    view.setUint32(p, e.address >>> 0, true);
    view.setUint32(p + 4, files.indexOf(e.file), true);
    view.setUint32(p + 8, e.line, true);
  });
  return out;
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
