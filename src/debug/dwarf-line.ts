// A reader for DWARF `.debug_line` (DWARF 2–5, 32- and 64-bit formats; DWARF 5 §6.2), enough to map
// addresses of a GCC- or `as -g`-built RISC-V ELF to source lines. Pure and defensive: every read is
// bounds-checked, and a malformed section is an error string, never an exception (docs/contracts.md).

interface DwarfRow {
  address: number;
  end: number;
  file: string;
  line: number;
  /** false: not a statement boundary (is_stmt clear) — where the pc may be, not where to break or stop a line step. */
  stmt?: boolean;
}

export class Truncated {
  constructor(readonly what: string) {}
}

export class Reader {
  pos: number;
  constructor(readonly b: Uint8Array, start = 0, readonly limit = b.length) { this.pos = start; }
  need(n: number, what: string): void { if (this.pos + n > this.limit) throw new Truncated(what); }
  u8(what = 'byte'): number { this.need(1, what); return this.b[this.pos++]; }
  u16(): number { this.need(2, 'u16'); const v = this.b[this.pos] | (this.b[this.pos + 1] << 8); this.pos += 2; return v; }
  u32(): number { this.need(4, 'u32'); const p = this.pos; this.pos += 4; return (this.b[p] | (this.b[p + 1] << 8) | (this.b[p + 2] << 16) | (this.b[p + 3] << 24)) >>> 0; }
  u64(): number { const lo = this.u32(), hi = this.u32(); return hi * 2 ** 32 + lo; }
  uleb(): number {
    let result = 0, shift = 0;
    for (;;) {
      const byte = this.u8('LEB128');
      if (shift < 53) result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if (!(byte & 0x80)) return result;
    }
  }
  sleb(): number {
    let result = 0, shift = 0, byte: number;
    do {
      byte = this.u8('LEB128');
      if (shift < 53) result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    if (shift < 53 && (byte & 0x40)) result -= 2 ** shift;
    return result;
  }
  cstr(): string {
    const end = this.b.indexOf(0, this.pos);
    if (end < 0 || end >= this.limit) throw new Truncated('string');
    const s = new TextDecoder().decode(this.b.subarray(this.pos, end));
    this.pos = end + 1;
    return s;
  }
  skip(n: number): void { this.need(n, 'data'); this.pos += n; }
}

export function strAt(section: Uint8Array | undefined, offset: number): string {
  if (!section || offset >= section.length) throw new Truncated('string offset');
  return new Reader(section, offset).cstr();
}

const DW_LNCT_path = 1, DW_LNCT_directory_index = 2;

/** Reads one DWARF 5 entry-format list (directories or files). */
function readEntries(r: Reader, offset64: boolean, lineStr: Uint8Array | undefined, str: Uint8Array | undefined): { path?: string; dir?: number }[] {
  const formatCount = r.u8();
  const formats: [number, number][] = [];
  for (let i = 0; i < formatCount; i++) formats.push([r.uleb(), r.uleb()]);
  const count = r.uleb();
  const out: { path?: string; dir?: number }[] = [];
  for (let i = 0; i < count; i++) {
    const e: { path?: string; dir?: number } = {};
    for (const [content, form] of formats) {
      let value: string | number;
      switch (form) {
        case 0x08: value = r.cstr(); break; // DW_FORM_string
        case 0x1f: value = strAt(lineStr, offset64 ? r.u64() : r.u32()); break; // DW_FORM_line_strp
        case 0x0e: value = strAt(str, offset64 ? r.u64() : r.u32()); break; // DW_FORM_strp
        case 0x0b: value = r.u8(); break; // data1
        case 0x05: value = r.u16(); break; // data2
        case 0x06: value = r.u32(); break; // data4
        case 0x07: value = r.u64(); break; // data8
        case 0x0f: value = r.uleb(); break; // udata
        case 0x1e: r.skip(16); value = 0; break; // data16 (MD5)
        case 0x09: r.skip(r.uleb()); value = 0; break; // block
        default: throw new Truncated(`unsupported form 0x${form.toString(16)}`);
      }
      if (content === DW_LNCT_path && typeof value === 'string') e.path = value;
      if (content === DW_LNCT_directory_index && typeof value === 'number') e.dir = value;
    }
    out.push(e);
  }
  return out;
}

const join = (dir: string | undefined, name: string): string =>
  !dir || name.startsWith('/') || /^[A-Za-z]:[\\/]/.test(name) ? name : `${dir.replace(/\/$/, '')}/${name}`;

/** Rows of every line-number program in the section, merged per source line; or an error. */
export function readDebugLine(section: Uint8Array, lineStr?: Uint8Array, str?: Uint8Array): { rows: DwarfRow[] } | { error: string } {
  const rows: DwarfRow[] = [];
  try {
    let unitStart = 0;
    while (unitStart + 4 <= section.length) {
      const hdr = new Reader(section, unitStart);
      let unitLength = hdr.u32();
      let offset64 = false;
      if (unitLength === 0xffffffff) { unitLength = hdr.u64(); offset64 = true; }
      const unitEnd = hdr.pos + unitLength;
      if (unitEnd > section.length) return { error: `unit at 0x${unitStart.toString(16)} runs past the section` };
      readUnit(new Reader(section, hdr.pos, unitEnd), offset64, lineStr, str, rows);
      unitStart = unitEnd;
    }
  } catch (e) {
    if (e instanceof Truncated) return { error: `truncated or malformed (${e.what})` };
    return { error: String(e) };
  }
  return { rows };
}

interface LineHeader {
  addressSize: number;
  programStart: number;
  minInst: number;
  defaultIsStmt: boolean;
  lineBase: number;
  lineRange: number;
  opcodeBase: number;
  opLengths: number[];
  /** File names by the unit's file number (DW_AT_decl_file / DW_AT_call_file use the same numbers). */
  files: string[];
}

function readHeader(r: Reader, offset64: boolean, lineStr: Uint8Array | undefined, str: Uint8Array | undefined): LineHeader {
  const version = r.u16();
  if (version < 2 || version > 5) throw new Truncated(`DWARF version ${version}`);
  let addressSize = 4;
  if (version >= 5) { addressSize = r.u8(); r.u8(); } // segment_selector_size after
  const headerLength = offset64 ? r.u64() : r.u32();
  const programStart = r.pos + headerLength;
  const minInst = r.u8();
  if (version >= 4) r.u8(); // maximum_operations_per_instruction (VLIW only)
  const defaultIsStmt = r.u8() !== 0;
  const lineBase = (r.u8() << 24) >> 24;
  const lineRange = r.u8();
  const opcodeBase = r.u8();
  if (lineRange === 0) throw new Truncated('line_range 0');
  const opLengths: number[] = [0];
  for (let i = 1; i < opcodeBase; i++) opLengths.push(r.u8());
  const files: string[] = [];
  if (version >= 5) {
    const dirs = readEntries(r, offset64, lineStr, str).map((d) => d.path ?? '');
    for (const f of readEntries(r, offset64, lineStr, str)) files.push(join(dirs[f.dir ?? 0], f.path ?? '?'));
  } else {
    const dirs: string[] = [''];
    for (let d = r.cstr(); d !== ''; d = r.cstr()) dirs.push(d);
    files.push(''); // file numbers start at 1 before DWARF 5
    for (let f = r.cstr(); f !== ''; f = r.cstr()) {
      const dir = r.uleb(); r.uleb(); r.uleb();
      files.push(join(dirs[dir], f));
    }
  }
  return { addressSize, programStart, minInst, defaultIsStmt, lineBase, lineRange, opcodeBase, opLengths, files };
}

/**
 * The file names of the line program at `offset` (a unit's DW_AT_stmt_list), by file number, named as
 * the rows of readDebugLine name them; undefined when the header cannot be read.
 */
export function lineFileNames(section: Uint8Array, offset: number, lineStr?: Uint8Array, str?: Uint8Array): string[] | undefined {
  try {
    const hdr = new Reader(section, offset);
    let unitLength = hdr.u32();
    let offset64 = false;
    if (unitLength === 0xffffffff) { unitLength = hdr.u64(); offset64 = true; }
    const end = hdr.pos + unitLength;
    if (end > section.length) return undefined;
    return readHeader(new Reader(section, hdr.pos, end), offset64, lineStr, str).files;
  } catch {
    return undefined;
  }
}

function readUnit(r: Reader, offset64: boolean, lineStr: Uint8Array | undefined, str: Uint8Array | undefined, out: DwarfRow[]): void {
  const { addressSize, programStart, minInst, defaultIsStmt, lineBase, lineRange, opcodeBase, opLengths, files } = readHeader(r, offset64, lineStr, str);
  r.pos = programStart;
  let address = 0, file = 1, line = 1, isStmt = defaultIsStmt;
  let seq: { address: number; file: number; line: number; stmt: boolean }[] = [];
  const emit = (): void => { seq.push({ address, file, line, stmt: isStmt }); };
  const endSequence = (): void => {
    for (let i = 0; i < seq.length; i++) {
      const row = seq[i];
      if (i > 0 && seq[i - 1].address === row.address) continue; // handled with the first row at this address
      // Several rows at one address (GCC's location views): the last statement row there wins (else the
      // last row), and it covers up to the next address.
      let j = i;
      let pick = row;
      for (; j < seq.length && seq[j].address === row.address; j++) if (seq[j].stmt || !pick.stmt) pick = seq[j];
      const end = j < seq.length ? seq[j].address : address;
      if (end <= row.address) continue;
      const name = files[pick.file] ?? `file${pick.file}`;
      const prev = out[out.length - 1];
      // A non-statement row continuing the same line extends it; a statement row starts a breakpoint location.
      if (prev && prev.end === row.address && prev.file === name && prev.line === pick.line && !pick.stmt) prev.end = end;
      else out.push({ address: row.address >>> 0, end: end >>> 0, file: name, line: pick.line, ...(pick.stmt ? {} : { stmt: false }) });
    }
    seq = [];
    address = 0; file = 1; line = 1; isStmt = defaultIsStmt;
  };
  while (r.pos < r.limit) {
    const op = r.u8();
    if (op >= opcodeBase) {
      const adj = op - opcodeBase;
      address += Math.floor(adj / lineRange) * minInst;
      line += lineBase + (adj % lineRange);
      emit();
      continue;
    }
    switch (op) {
      case 0: {
        const len = r.uleb();
        const end = r.pos + len;
        if (len === 0) break;
        const sub = r.u8();
        if (sub === 1) { emit(); endSequence(); } else if (sub === 2) {
          address = addressSize === 8 ? r.u64() : addressSize === 4 ? r.u32() : r.u16();
        } else if (sub === 3) { files.push(r.cstr()); }
        r.pos = end;
        break;
      }
      case 1: emit(); break;
      case 2: address += r.uleb() * minInst; break;
      case 3: line += r.sleb(); break;
      case 4: file = r.uleb(); break;
      case 5: r.uleb(); break;
      case 6: isStmt = !isStmt; break;
      case 7: break;
      case 8: address += Math.floor((255 - opcodeBase) / lineRange) * minInst; break;
      case 9: address += r.u16(); break;
      case 10: case 11: break;
      case 12: r.uleb(); break;
      default: for (let i = 0; i < (opLengths[op] ?? 0); i++) r.uleb();
    }
  }
}
