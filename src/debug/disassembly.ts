// Walking a mixed 16/32-bit instruction stream (the C extension) for the Disassembly view and the
// `x/i` command: each instruction's length comes from its first halfword (unprivileged spec
// §1.5: low bits 11 = 32-bit, anything else = 16-bit). Going backwards is ambiguous, so a backward
// walk decodes forward from a point known to start an instruction (the enclosing function's
// symbol, or far enough back that the stream has synchronized) and keeps the instructions that
// end exactly at the reference address.
import { instructionLength } from '../asm';

interface FetchedInstruction {
  address: number;
  /** The instruction (16 bits for a compressed one), or undefined where memory cannot be read (then length 4). */
  word: number | undefined;
  length: 2 | 4;
}

/** Reads the halfword at a guest address, or undefined. */
type ReadHalf = (address: number) => number | undefined;

function fetchAt(read: ReadHalf, address: number): FetchedInstruction {
  const lo = read(address);
  if (lo === undefined) return { address, word: undefined, length: 4 }; // unreadable: shown in 4-byte steps
  if (instructionLength(lo) === 2) return { address, word: lo, length: 2 };
  const hi = read((address + 2) >>> 0);
  return { address, word: hi === undefined ? undefined : (lo | (hi << 16)) >>> 0, length: 4 };
}

/** `count` instructions from `from` on. */
export function walkForward(read: ReadHalf, from: number, count: number): FetchedInstruction[] {
  const out: FetchedInstruction[] = [];
  let a = from >>> 0;
  for (let k = 0; k < count; k++) {
    const f = fetchAt(read, a);
    out.push(f);
    a = (a + f.length) >>> 0;
  }
  return out;
}

/**
 * Up to `count` instructions that end at `ref`, found by decoding forward from `sync` (a known
 * instruction start at or before ref: a function's address) or, without one, from 4 × count
 * bytes back (the first candidate whose stream lands exactly on ref wins).
 */
export function walkBack(read: ReadHalf, ref: number, count: number, sync?: number): FetchedInstruction[] {
  ref >>>= 0;
  const reach = 4 * count;
  const starts = sync !== undefined && sync <= ref && ref - sync <= 16 * reach ? [sync >>> 0] : [];
  for (let back = reach; back >= 2 && starts.length < 4; back -= 2) if (ref >= back) starts.push(ref - back);
  for (const start of starts) {
    const run: FetchedInstruction[] = [];
    let a = start;
    while (a < ref) {
      const f = fetchAt(read, a);
      run.push(f);
      a += f.length;
    }
    if (a === ref) return run.slice(-count);
  }
  return [];
}
