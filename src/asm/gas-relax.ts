/**
 * Sizes of branches and jumps, decided as GNU as decides them with -mno-relax
 * (gas/write.c relax_segment, gas/config/tc-riscv.c relaxed_branch_length).
 *
 * gas cuts each section into frags: a fixed part, then a variable part (a
 * branch or jump whose size is open, an alignment, a `.space`). A label sits
 * at an offset in one frag's fixed part. gas first estimates every variable
 * part in order, when frags further on have no address yet (so a label ahead
 * counts as its offset in its own frag, as if that frag started at 0), then
 * recomputes all of them, pass after pass, until no size changes. Near the
 * range limits two sizes can both be consistent; starting from the same
 * estimate, this module arrives where gas arrives.
 *
 * Sizes (relaxed_branch_length): a jump is 4 bytes, or 2 when compressed and
 * the target is within ±2 KiB; a conditional branch is 8 (inverted branch
 * over a jump), 4 within ±4 KiB, and when compressed 2 within ±256 B and 6
 * (inverted c.beqz/c.bnez over a jump) beyond ±4 KiB. A target that is not a
 * label of the same section (a number, another section, undefined, weak)
 * keeps the default: 8 for a branch, 4 for a jump.
 */
import { Expr } from './expr';

/**
 * A branch or jump whose size relaxation decides. Its target is nearly always `label ± n` or
 * `. ± n`: that is kept as `name` (undefined for `.`) and `addend`, without the expression (a large
 * file has hundreds of thousands of branches; docs/assembler.md, "Memory"); `target` holds any other.
 */
interface BranchPart {
  readonly kind: 'branch';
  readonly index: number;
  readonly rvc: boolean;
  readonly jump: boolean;
  /** The target when it is not `name + addend`. */
  readonly target: Expr | undefined;
  readonly name: string | undefined;
  readonly addend: number;
}

/** The variable part of a branch or jump to `target`. */
export function branchPart(index: number, rvc: boolean, jump: boolean, target: Expr): BranchPart {
  const [head, addend] = target.kind === 'binary' && (target.op === '+' || target.op === '-') && target.right.kind === 'num'
    ? [target.left, target.op === '+' ? target.right.value : -target.right.value]
    : [target, 0n];
  if ((head.kind === 'dot' || head.kind === 'sym') && Number.isSafeInteger(Number(addend))) {
    return { kind: 'branch', index, rvc, jump, target: undefined, name: head.kind === 'sym' ? head.name : undefined, addend: Number(addend) };
  }
  return { kind: 'branch', index, rvc, jump, target, name: undefined, addend: 0 };
}

/** The variable part that ends a frag. */
export type VarPart =
  | BranchPart
  | { readonly kind: 'align'; readonly bytes: number; readonly max?: number }
  | { readonly kind: 'space'; readonly size: number }
  | { readonly kind: 'org'; readonly target: number }
  /** gas closes the frag after a lui/auipc (append_insn's frag_wane), with nothing variable. */
  | { readonly kind: 'none' };

/** The variable part of a frag that has none; one object for all of them. */
export const NO_VARIABLE: VarPart = { kind: 'none' };

/**
 * A section's frags as two parallel lists (a large file has hundreds of thousands of frags: no
 * object each): frag i is `fixed[i]` bytes, then the variable part `variable[i]`.
 */
export interface FragList {
  readonly fixed: readonly number[];
  readonly variable: readonly VarPart[];
}

/** Where a label is: its frag and its offset in that frag. */
interface FragLabel {
  readonly section: string;
  readonly frag: number;
  readonly delta: number;
}

/**
 * The value of a branch target with labels at the given section offsets: the offset from the start
 * of `section`, or undefined when the target is not a defined, non-weak label expression of that section.
 */
export type TargetOffset = (branch: BranchPart, section: string, dot: number, labelOffset: (name: string) => number | undefined) => number | undefined;

const RVC_JUMP_REACH = 4096;
const RVC_BRANCH_REACH = 512;
const BRANCH_REACH = 8192;

const within = (val: number, reach: number): boolean => val >= -reach / 2 && val < reach / 2;

function branchLength(jump: boolean, rvc: boolean, val: number | undefined): number {
  if (val === undefined) return jump ? 4 : 8;
  if (rvc && within(val, jump ? RVC_JUMP_REACH : RVC_BRANCH_REACH)) return 2;
  if (within(val, BRANCH_REACH)) return 4;
  return !jump && rvc ? 6 : jump ? 4 : 8;
}

const MAX_PASSES = 100;

/** The size of every branch and jump, by index (one byte each: a large file has hundreds of thousands), as gas settles them. */
export function relaxSections(
  frags: ReadonlyMap<string, FragList>,
  labels: ReadonlyMap<string, FragLabel>,
  targetOffset: TargetOffset,
): Uint8Array {
  const addresses = new Map<string, Float64Array>();
  for (const [name, list] of frags) addresses.set(name, new Float64Array(list.fixed.length));
  const labelOffset = (name: string): number | undefined => {
    const l = labels.get(name);
    const addr = l && addresses.get(l.section)?.[l.frag];
    return l && addr !== undefined ? addr + l.delta : undefined;
  };
  let branches = 0;
  for (const list of frags.values()) for (const v of list.variable) if (v.kind === 'branch') branches = Math.max(branches, v.index + 1);
  const lengths = new Uint8Array(branches);
  for (const [section, list] of frags) {
    const addr = addresses.get(section)!;
    const count = list.fixed.length;
    const sizes = new Float64Array(count);
    const sizeOf = (v: VarPart, at: number, estimate: boolean): number => {
      switch (v.kind) {
        case 'branch': {
          const target = targetOffset(v, section, at, labelOffset);
          return branchLength(v.jump, v.rvc, target === undefined ? undefined : target - at);
        }
        case 'align': {
          const pad = (v.bytes - (at % v.bytes)) % v.bytes;
          return v.max !== undefined && pad > v.max ? 0 : pad;
        }
        case 'space': return v.size;
        case 'org': return estimate ? 0 : Math.max(0, v.target - at);
        case 'none': return 0;
      }
    };
    for (let pass = 0; pass <= MAX_PASSES; pass++) {
      let address = 0;
      let changed = false;
      for (let i = 0; i < count; i++) {
        addr[i] = address;
        address += list.fixed[i];
        const size = sizeOf(list.variable[i], address, pass === 0);
        if (size !== sizes[i]) changed = true;
        sizes[i] = size;
        address += size;
      }
      if (pass > 0 && !changed) break;
    }
    list.variable.forEach((v, i) => {
      if (v.kind === 'branch') lengths[v.index] = sizes[i];
    });
  }
  return lengths;
}
