// The access a stopped vCPU is at (docs/translation.md "The Translation view"): what the Translation
// view explains when the user has not entered an address. A stop is an instruction boundary, so the
// instruction at pc is the one the vCPU is about to run (or retry, after a VM exit or a guest fault
// it took); its access is decoded from the instruction word and the registers as they are now, which
// costs the machine nothing while it runs (no per-access recording in the CPU's fast path).
import { disassemble } from '../asm';
import type { StoppedAccess } from '../protocol';
import { ExprError } from './expr';
import type { DebugRuntime } from './runtime';
import { readInstruction } from './stack';

/** The load, store or AMO an instruction word (32-bit form) makes: base register, offset, kind and size. */
export function dataAccessOf(word: number): { rs1: number; offset: number; access: 'read' | 'write'; size: number } | undefined {
  const opcode = word & 0x7f, funct3 = (word >>> 12) & 7, rs1 = (word >>> 15) & 31;
  switch (opcode) {
    case 0x03: { // LOAD (unprivileged spec §2.6): I-type offset
      const size = [1, 2, 4, 0, 1, 2, 0, 0][funct3];
      return size ? { rs1, offset: word >> 20, access: 'read', size } : undefined;
    }
    case 0x23: { // STORE: S-type offset, imm[11:5] in bits 31:25 and imm[4:0] in bits 11:7
      const size = [1, 2, 4][funct3];
      return size ? { rs1, offset: ((word >> 25) << 5) | ((word >>> 7) & 31), access: 'write', size } : undefined;
    }
    case 0x2f: { // AMO (A extension): the address is rs1; LR only reads, SC and the AMOs need write permission
      if (funct3 !== 2) return undefined;
      return { rs1, offset: 0, access: (word >>> 27) === 0b00010 ? 'read' : 'write', size: 4 };
    }
    default:
      return undefined;
  }
}

/** hyperstep/stoppedAccess: the access of the instruction at vCPU `args.vcpu`'s pc (default: the last stop's vCPU). */
export function stoppedAccess(rt: DebugRuntime, args: unknown): StoppedAccess {
  const a = (typeof args === 'object' && args !== null ? args : {}) as Record<string, unknown>;
  const id = a.vcpu ?? rt.lastStop?.vcpu ?? 0;
  const vcpu = typeof id === 'number' ? rt.vcpu(id) : undefined;
  if (!vcpu) throw new ExprError(`vcpu must be 0–${rt.vcpus.length - 1}, got ${JSON.stringify(a.vcpu)}`);
  const pc = rt.port.pc(vcpu.id);
  const insn = readInstruction(rt.inspector, vcpu, pc);
  if (!insn) return { vcpu: vcpu.id, pc, gva: pc, access: 'fetch' };
  const instruction = disassemble(insn.raw, pc);
  const data = dataAccessOf(insn.word);
  if (!data) return { vcpu: vcpu.id, pc, instruction, gva: pc, access: 'fetch' };
  const base = data.rs1 === 0 ? 0 : rt.port.reg(vcpu.id, data.rs1);
  return { vcpu: vcpu.id, pc, instruction, gva: (base + data.offset) >>> 0, access: data.access, size: data.size };
}
