/**
 * What pass 1 (layout) hands to pass 2 (encoding): every item has a fixed
 * size and offset in its input section. The sizes of branches and jumps are
 * decided before the last layout run (gas-relax.ts), so they are fixed too.
 */
import { SourcePos } from './diagnostics';
import { Expr } from './expr';
import { InstructionDef } from './isa';
import { Operand } from './parser';

interface ItemBase {
  /** Input section name. */
  readonly section: string;
  readonly offset: number;
  readonly pos: SourcePos;
}

/** One real instruction; `operands` line up with `def.syntax`. */
export interface InsnItem extends ItemBase {
  readonly kind: 'insn';
  readonly def: InstructionDef;
  readonly operands: readonly Operand[];
  /** The mnemonic the user wrote (for messages when it was a pseudo-instruction). */
  readonly written: string;
}

/** One compressed instruction: every field but a branch or jump target is in `half` (compress.ts). */
export interface CInsnItem extends ItemBase {
  readonly kind: 'cinsn';
  readonly half: number;
  readonly target?: { readonly expr: Expr; readonly slot: 'cj' | 'cb' };
  /** The mnemonic the user wrote (for messages). */
  readonly written: string;
}

/** `.word`, `.half`, `.byte`: little-endian values of `width` bytes. */
export interface DataItem extends ItemBase {
  readonly kind: 'data';
  readonly width: 1 | 2 | 4 | 8;
  readonly values: readonly Expr[];
}

/** Literal bytes (strings). */
interface BytesItem extends ItemBase {
  readonly kind: 'bytes';
  readonly bytes: readonly number[];
}

/**
 * Padding or reserved space: a repeated byte, a repeated pattern (`.fill`'s value in its width),
 * or no-ops in code (alignment). One item however large, so its cost is its bytes in the image.
 */
export interface FillItem extends ItemBase {
  readonly kind: 'fill';
  readonly size: number;
  readonly fill: number | 'nop' | readonly number[];
}

/** A symbol (re)definition (`.set`, `=`), replayed in order in pass 2. */
interface SetItem extends ItemBase {
  readonly kind: 'set';
  readonly name: string;
  readonly expr: Expr;
}

export type Item = InsnItem | CInsnItem | DataItem | BytesItem | FillItem | SetItem;

export function itemSize(item: Item): number {
  switch (item.kind) {
    case 'insn': return 4;
    case 'cinsn': return 2;
    case 'data': return item.width * item.values.length;
    case 'bytes': return item.bytes.length;
    case 'fill': return item.size;
    case 'set': return 0;
  }
}
