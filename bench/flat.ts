// The CPU alone, for the bench's baseline (the CPU issue's figure): guest RAM mapped flat at
// 0x8000_0000, no second stage, no modeled TLB, the UART and finisher as the only devices. The
// product always runs with the hypervisor; this measures what the MMU model costs on top.
import { Cpu, StopReason } from '../src/vm/cpu/cpu';
import { Access, CpuPort, EVT_BREAK, XLATE_MMIO } from '../src/vm/cpu/port';
import { HostMemory } from '../src/vm/mem/host-memory';
import type { ProgramImage } from '../src/vm/vmm/machine';

const RAM = 0x8000_0000;

export function runFlat(image: ProgramImage, memoryMiB = 64): { instructions: number; output: string; code: number } {
  const mem = new HostMemory(memoryMiB << 20);
  let output = '';
  let code = -1;
  const port: CpuPort = {
    translate(va: number, _access: Access): number {
      const off = (va >>> 0) - RAM;
      if (off >= 0 && off < mem.size) return off & ~0xfff;
      cpu.xlateGpa = va >>> 0;
      return XLATE_MMIO;
    },
    mmioRead(gpa: number): number { return gpa === 0x1000_0005 ? 0x60 : 0; },
    mmioWrite(gpa: number, _size: number, value: number): void {
      if (gpa === 0x1000_0000) output += String.fromCharCode(value & 0xff);
      if (gpa === 0x0010_0000) { code = (value & 0xffff) === 0x5555 ? 0 : value >>> 16; cpu.stopReason = StopReason.Break; cpu.evt |= EVT_BREAK; }
    },
    satpWritten(): void {},
    sfenceVma(): void {},
    halt(): void {},
    hypercall(): void {},
    debugBreak(): boolean { return false; },
    acknowledgeInterrupt(): number { return 0; },
    trapTaken(): void { /* nothing observes the flat machine */ },
  };
  const cpu = new Cpu(mem, port, { hartId: 0, misalignedAccess: 'emulate', compiler: true });
  for (const s of image.segments) if (s.paddr >= RAM) mem.write(s.paddr - RAM, s.data.subarray(0, Math.min(s.data.length, s.memSize)));
  cpu.reset(image.entry);
  while (code < 0 && cpu.instret < 2e9) {
    cpu.run(1e6);
    if (cpu.stopReason === StopReason.Halted || cpu.stopReason === StopReason.TrapLoop) break;
  }
  return { instructions: cpu.instret, output, code };
}
