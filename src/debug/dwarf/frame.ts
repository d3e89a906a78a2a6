// The glue between a stopped vCPU and the C view of one of its stack frames: guest access through
// the side-effect-free inspector, the frame's registers (unwound by CFI in src/debug/stack.ts), its
// frame base and CFA, its visible variables, and the C environment of expressions.
import type { Vcpu } from '../../vm';
import type { Inspector } from '../inspect';
import { ExprError } from '../expr';
import type { CEnv } from './cexpr';
import { CAccess, CError, CObject } from './cvalue';
import type { CFunction, CVariable, DwarfInfo } from './index';
import type { FrameAccess } from './location';

/** One frame's machine state as the unwinder recovered it. */
export interface FrameState {
  /** The frame's pc (for a caller, the return address). */
  pc: number;
  /** x0–x31 in this frame; undefined where the unwinder could not recover a register. */
  regs: (number | undefined)[];
  /** The innermost frame: its registers are the vCPU's and can be written. */
  top: boolean;
  /** A caller frame's pc is a return address: scopes are looked up at pc - 1 (inside the call). */
  caller: boolean;
  /** With calls inlined at the pc, which of their frames (DwarfInfo.scopeAt's level); default the innermost. */
  inlineLevel?: number;
}

export function cAccess(inspector: Inspector, vcpu: Vcpu, frame: FrameState, symbolize: (a: number) => string | undefined,
  writeReg: (r: number, value: number) => void): CAccess {
  return {
    readBytes(address, size) {
      if (size === 1 || size === 2 || size === 4) {
        let v: number;
        try { v = inspector.readVirt(vcpu, address >>> 0, size); } catch (e) { throw new CError(e instanceof ExprError ? `<cannot read ${hex(address)}: ${e.message}>` : String(e)); }
        return Uint8Array.from({ length: size }, (_, k) => (v >>> (8 * k)) & 0xff);
      }
      const r = inspector.readBytes(vcpu, address >>> 0, size);
      if (r.unreadable) throw new CError(`<cannot read ${hex(address + r.bytes.length)}: not RAM>`);
      return r.bytes;
    },
    writeBytes: (address, bytes) => inspector.writeBytes(vcpu, address >>> 0, bytes),
    reg: (n) => (n === 0 ? 0 : frame.regs[n]),
    setReg(n, value) {
      if (!frame.top || n <= 0 || n >= 32) return false;
      writeReg(n, value >>> 0);
      frame.regs[n] = value >>> 0;
      return true;
    },
    symbolize,
  };
}

const hex = (v: number): string => '0x' + (v >>> 0).toString(16);

/** The pc scopes and location lists are looked up at. */
export function lookupPc(frame: FrameState): number {
  return frame.caller ? (frame.pc - 1) >>> 0 : frame.pc;
}

export function frameAccess(info: DwarfInfo, fn: CFunction | undefined, frame: FrameState, access: CAccess): FrameAccess {
  const pc = lookupPc(frame);
  let cfa: number | undefined | null = null;
  let base: number | undefined | null = null;
  const f: FrameAccess = {
    reg: (n) => access.reg(n),
    cfa: () => {
      if (cfa === null) {
        const row = info.cfi?.rowAt(pc);
        const b = row?.cfaKnown ? frame.regs[row.cfaReg] : undefined;
        cfa = row && b !== undefined ? (b + row.cfaOffset) >>> 0 : undefined;
      }
      return cfa;
    },
    frameBase: () => {
      if (base === null) base = fn ? info.frameBase(fn, pc, f) : undefined;
      return base;
    },
    read: (address, size) => {
      const b = access.readBytes(address, size);
      let v = 0;
      for (let i = 0; i < Math.min(4, b.length); i++) v |= b[i] << (8 * i);
      return v >>> 0;
    },
  };
  return f;
}

/** A variable as a C object in this frame. */
export function objectOf(info: DwarfInfo, v: CVariable, frame: FrameState, f: FrameAccess): CObject {
  if (v.address !== undefined) return { type: v.type, loc: { kind: 'memory', address: v.address } };
  return { type: v.type, loc: info.locate(v, lookupPc(frame), f) };
}

/** The C environment of expressions evaluated in this frame. */
export function cEnv(info: DwarfInfo | undefined, access: CAccess, frame: FrameState | undefined): CEnv {
  let scope: ReturnType<DwarfInfo['scopeAt']> | null = null;
  let fa: FrameAccess | undefined;
  return {
    access,
    variable(name) {
      if (!info) return undefined;
      if (frame) {
        if (scope === null) scope = info.scopeAt(lookupPc(frame), frame.inlineLevel);
        const local = scope?.vars.find((v) => v.name === name);
        if (local && scope) {
          fa ??= frameAccess(info, scope.fn, frame, access);
          return objectOf(info, local, frame, fa);
        }
      }
      const g = info.global(name);
      if (!g) return undefined;
      if (g.address !== undefined) return { type: g.type, loc: { kind: 'memory', address: g.address } };
      const f = frame ?? { pc: 0, regs: [], top: false, caller: false };
      return { type: g.type, loc: info.locate(g, f.pc, frameAccess(info, undefined, f, access)) };
    },
    type: (name) => info?.types.byName.get(name),
  };
}
