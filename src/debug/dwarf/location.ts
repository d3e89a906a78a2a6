// DWARF location descriptions (DWARF 5 §2.5, §2.6): the stack machine of DWARF expressions, simple and
// composite (DW_OP_piece) locations, and location lists — `.debug_loclists` (DWARF 5) and `.debug_loc`
// (DWARF 4) — looked up by pc. What cannot be known at this pc (no list entry covers it,
// DW_OP_entry_value, an implicit pointer) is "optimized out", never a guess.
import { Reader, Truncated } from '../dwarf-line';

export type Location =
  | { kind: 'memory'; address: number }
  | { kind: 'register'; reg: number }
  | { kind: 'value'; value: number }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'pieces'; pieces: { loc: Location; size: number }[] }
  | { kind: 'optimized'; why: string };

/** What a location expression may ask about the frame it is evaluated in. */
export interface FrameAccess {
  /** The register's value in this frame (DWARF numbering: 0–31 = x0–x31), or undefined when unknown. */
  reg(n: number): number | undefined;
  /** The canonical frame address (from CFI), or undefined. */
  cfa(): number | undefined;
  /** The frame base (DW_AT_frame_base evaluated), or undefined. */
  frameBase(): number | undefined;
  /** Reads a little-endian value of `size` bytes of guest memory; throws when unmapped. */
  read(address: number, size: number): number;
}

class Unavailable {
  constructor(readonly why: string) {}
}

const u32 = (x: number): number => x >>> 0;

/** Evaluates a DWARF expression as a location (DW_AT_location, DW_AT_frame_base). */
export function evalLocation(expr: Uint8Array, f: FrameAccess): Location {
  if (expr.length === 0) return { kind: 'optimized', why: 'no location' };
  try {
    return run(expr, f);
  } catch (e) {
    if (e instanceof Unavailable) return { kind: 'optimized', why: e.why };
    if (e instanceof Truncated) return { kind: 'optimized', why: `malformed location expression (${e.what})` };
    return { kind: 'optimized', why: e instanceof Error ? e.message : String(e) };
  }
}

function run(expr: Uint8Array, f: FrameAccess): Location {
  const r = new Reader(expr);
  const stack: number[] = [];
  const pieces: { loc: Location; size: number }[] = [];
  let current: Location | undefined; // a register or value location waiting for its piece
  const pop = (): number => {
    if (!stack.length) throw new Unavailable('malformed location expression (stack underflow)');
    return stack.pop()!;
  };
  const reg = (n: number): number => {
    const v = f.reg(n);
    if (v === undefined) throw new Unavailable(`register x${n} is not known in this frame`);
    return v;
  };
  let steps = 0;
  while (r.pos < expr.length) {
    if (++steps > 10_000) throw new Unavailable('location expression does not terminate');
    const op = r.u8();
    if (op >= 0x30 && op <= 0x4f) { stack.push(op - 0x30); continue; } // lit0..31
    if (op >= 0x50 && op <= 0x6f) { current = { kind: 'register', reg: op - 0x50 }; continue; } // reg0..31
    if (op >= 0x70 && op <= 0x8f) { stack.push(u32(reg(op - 0x70) + r.sleb())); continue; } // breg0..31
    switch (op) {
      case 0x03: stack.push(r.u32()); break; // addr
      case 0x06: stack.push(f.read(pop(), 4)); break; // deref
      case 0x08: stack.push(r.u8()); break;
      case 0x09: stack.push(u32((r.u8() << 24) >> 24)); break;
      case 0x0a: stack.push(r.u16()); break;
      case 0x0b: stack.push(u32((r.u16() << 16) >> 16)); break;
      case 0x0c: stack.push(r.u32()); break;
      case 0x0d: stack.push(r.u32()); break;
      case 0x0e: case 0x0f: stack.push(u32(r.u64())); break;
      case 0x10: stack.push(u32(r.uleb())); break;
      case 0x11: stack.push(u32(r.sleb())); break;
      case 0x12: stack.push(stack[stack.length - 1] ?? pop()); break; // dup
      case 0x13: pop(); break; // drop
      case 0x14: stack.push(stack[stack.length - 2] ?? pop()); break; // over
      case 0x15: { const i = r.u8(); if (i >= stack.length) throw new Unavailable('malformed location expression (pick)'); stack.push(stack[stack.length - 1 - i]); break; }
      case 0x16: { const a = pop(), b = pop(); stack.push(a, b); break; } // swap
      case 0x17: { const a = pop(), b = pop(), c = pop(); stack.push(a, c, b); break; } // rot
      case 0x19: stack.push(u32(Math.abs(pop() | 0))); break;
      case 0x1a: { const b = pop(), a = pop(); stack.push(u32(a & b)); break; }
      case 0x1b: { const b = pop() | 0, a = pop() | 0; if (b === 0) throw new Unavailable('division by zero'); stack.push(u32(Math.trunc(a / b))); break; }
      case 0x1c: { const b = pop(), a = pop(); stack.push(u32(a - b)); break; }
      case 0x1d: { const b = pop(), a = pop(); if (b === 0) throw new Unavailable('division by zero'); stack.push(u32(a % b)); break; }
      case 0x1e: { const b = pop(), a = pop(); stack.push(u32(Math.imul(a, b))); break; }
      case 0x1f: stack.push(u32(-pop())); break;
      case 0x20: stack.push(u32(~pop())); break;
      case 0x21: { const b = pop(), a = pop(); stack.push(u32(a | b)); break; }
      case 0x22: { const b = pop(), a = pop(); stack.push(u32(a + b)); break; }
      case 0x23: stack.push(u32(pop() + r.uleb())); break; // plus_uconst
      case 0x24: { const b = pop(), a = pop(); stack.push(b >= 32 ? 0 : u32(a << b)); break; }
      case 0x25: { const b = pop(), a = pop(); stack.push(b >= 32 ? 0 : a >>> b); break; }
      case 0x26: { const b = pop(), a = pop(); stack.push(u32((a | 0) >> Math.min(b, 31))); break; }
      case 0x27: { const b = pop(), a = pop(); stack.push(u32(a ^ b)); break; }
      case 0x28: { const off = (r.u16() << 16) >> 16; if (pop() !== 0) r.pos += off; if (r.pos < 0 || r.pos > expr.length) throw new Truncated('branch'); break; }
      case 0x29: case 0x2a: case 0x2b: case 0x2c: case 0x2d: case 0x2e: {
        const b = pop() | 0, a = pop() | 0;
        const res = [a === b, a >= b, a > b, a <= b, a < b, a !== b][op - 0x29];
        stack.push(res ? 1 : 0);
        break;
      }
      case 0x2f: { const off = (r.u16() << 16) >> 16; r.pos += off; if (r.pos < 0 || r.pos > expr.length) throw new Truncated('skip'); break; }
      case 0x90: current = { kind: 'register', reg: r.uleb() }; break; // regx
      case 0x91: { // fbreg
        const base = f.frameBase();
        if (base === undefined) throw new Unavailable('the frame base is not known here');
        stack.push(u32(base + r.sleb()));
        break;
      }
      case 0x92: { const n = r.uleb(); stack.push(u32(reg(n) + r.sleb())); break; } // bregx
      case 0x93: { // piece
        const size = r.uleb();
        const loc: Location = current ?? (stack.length ? { kind: 'memory', address: pop() } : { kind: 'optimized', why: 'optimized out' });
        pieces.push({ loc, size });
        current = undefined;
        break;
      }
      case 0x94: { const size = r.u8(); stack.push(f.read(pop(), Math.min(size, 4))); break; } // deref_size
      case 0x96: break; // nop
      case 0x9c: { // call_frame_cfa
        const cfa = f.cfa();
        if (cfa === undefined) throw new Unavailable('no call frame information for this pc');
        stack.push(cfa);
        break;
      }
      case 0x9e: { const n = r.uleb(); current = { kind: 'bytes', bytes: expr.slice(r.pos, r.pos + n) }; r.skip(n); break; } // implicit_value
      case 0x9f: current = { kind: 'value', value: pop() }; break; // stack_value
      case 0xa3: case 0xf3: throw new Unavailable('optimized out (known only as the value at function entry)'); // entry_value
      case 0xa0: case 0xf2: throw new Unavailable('optimized out (implicit pointer)');
      case 0xfa: throw new Unavailable('optimized out (parameter of the caller)');
      default: throw new Unavailable(`unsupported DWARF operation 0x${op.toString(16)}`);
    }
  }
  if (pieces.length) return { kind: 'pieces', pieces };
  if (current) return current;
  if (!stack.length) return { kind: 'optimized', why: 'optimized out' };
  return { kind: 'memory', address: stack[stack.length - 1] };
}

/** The expression of a location list that covers `pc`, or undefined (the variable is not available there). */
export function locationListAt(data: Uint8Array, offset: number, version: number, base: number, pc: number,
  addrx?: (index: number) => number): Uint8Array | undefined {
  const r = new Reader(data, offset);
  if (version < 5) {
    // .debug_loc: (begin, end) pairs relative to the unit's base address; (0, 0) ends; begin = ~0 selects a base.
    for (let n = 0; n < 100_000; n++) {
      const begin = r.u32(), end = r.u32();
      if (begin === 0 && end === 0) return undefined;
      if (begin === 0xffffffff) { base = end; continue; }
      const len = r.u16();
      const expr = data.subarray(r.pos, r.pos + len);
      r.skip(len);
      if (pc >= u32(base + begin) && pc < u32(base + end)) return expr;
    }
    return undefined;
  }
  const counted = (): Uint8Array => { const len = r.uleb(); const e = data.subarray(r.pos, r.pos + len); r.skip(len); return e; };
  const ax = (i: number): number => { if (!addrx) throw new Truncated('DW_LLE_*x without .debug_addr'); return addrx(i); };
  for (let n = 0; n < 100_000; n++) {
    const kind = r.u8();
    let lo: number, hi: number;
    switch (kind) {
      case 0: return undefined; // end_of_list
      case 1: base = ax(r.uleb()); continue; // base_addressx
      case 2: lo = ax(r.uleb()); hi = ax(r.uleb()); break; // startx_endx
      case 3: lo = ax(r.uleb()); hi = lo + r.uleb(); break; // startx_length
      case 4: lo = base + r.uleb(); hi = base + r.uleb(); break; // offset_pair
      case 5: return counted(); // default_location
      case 6: base = r.u32(); continue; // base_address
      case 7: lo = r.u32(); hi = r.u32(); break; // start_end
      case 8: lo = r.u32(); hi = lo + r.uleb(); break; // start_length
      default: throw new Truncated(`DW_LLE 0x${kind.toString(16)}`);
    }
    const e = counted();
    if (pc >= u32(lo) && pc < u32(hi)) return e;
  }
  return undefined;
}

/** Address ranges of a DW_AT_ranges list: `.debug_rnglists` (DWARF 5) or `.debug_ranges` (DWARF 4). */
export function rangeList(data: Uint8Array, offset: number, version: number, base: number, addrx?: (index: number) => number): [number, number][] {
  const r = new Reader(data, offset);
  const out: [number, number][] = [];
  if (version < 5) {
    for (let n = 0; n < 100_000; n++) {
      const begin = r.u32(), end = r.u32();
      if (begin === 0 && end === 0) return out;
      if (begin === 0xffffffff) { base = end; continue; }
      out.push([u32(base + begin), u32(base + end)]);
    }
    return out;
  }
  const ax = (i: number): number => { if (!addrx) throw new Truncated('DW_RLE_*x without .debug_addr'); return addrx(i); };
  for (let n = 0; n < 100_000; n++) {
    const kind = r.u8();
    switch (kind) {
      case 0: return out;
      case 1: base = ax(r.uleb()); break;
      case 2: out.push([ax(r.uleb()), ax(r.uleb())]); break;
      case 3: { const lo = ax(r.uleb()); out.push([lo, u32(lo + r.uleb())]); break; }
      case 4: { const lo = r.uleb(), hi = r.uleb(); out.push([u32(base + lo), u32(base + hi)]); break; }
      case 5: base = r.u32(); break;
      case 6: out.push([r.u32(), r.u32()]); break;
      case 7: { const lo = r.u32(); out.push([lo, u32(lo + r.uleb())]); break; }
      default: throw new Truncated(`DW_RLE 0x${kind.toString(16)}`);
    }
  }
  return out;
}
