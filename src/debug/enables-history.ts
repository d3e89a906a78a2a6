// Which instruction turned a hart's interrupts off (docs/interrupt-provenance.md "interrupts-off
// outside a handler"). CSR writes are not events, so the chain recorder cannot say who cleared
// mstatus.MIE with a csrc; the reverse-execution history can: re-execute from the oldest position
// the history re-executes exactly, listening to the vCPU's changes of its interrupt enables (the
// debug port's watchInterruptEnables), and keep the last one that cleared the bit. Determinism
// makes the re-execution exact and the machine ends where it was, as in last-write.ts.
import type { WriteHistory } from './last-write';

/** One interrupt-enable bit: a CSR (mstatus or mie) and its mask. */
interface EnableBit {
  csr: 'mstatus' | 'mie';
  mask: number;
}

export interface EnableClear {
  /** The boundary before the instruction (a trap entry: the entry's cycle), its pc (the handler's for a trap). */
  cycle: number;
  pc: number;
  vcpu: number;
  how: 'csr' | 'mret' | 'sret' | 'trap';
}

type EnableClearSearch =
  | { found: EnableClear }
  /** Not cleared in the history: `sinceReset` when the history starts at reset (the bit was never set). */
  | { found?: undefined; sinceReset: boolean; floorCycle: number };

/** The last change by vCPU `vcpu` that turned `bit` from 1 to 0, before the present. */
export function lastEnableClear(h: WriteHistory, vcpu: number, bit: EnableBit): EnableClearSearch {
  const m = h.machine, end = m.steps, floor = h.historyFloor;
  const cpu = m.vcpus[vcpu].cpu;
  const valueOf = (mstatus: number, mie: number): boolean => ((bit.csr === 'mstatus' ? mstatus : mie) & bit.mask) !== 0;
  let found: EnableClear | undefined;
  let floorCycle = cpu.cycles();
  if (end > floor) {
    const restoreCounters = h.port.saveFastPathCounters();
    try {
      h.history.seek(floor);
      floorCycle = cpu.cycles();
      h.port.watchInterruptEnables(vcpu, (how, pc, cycle, mstatusBefore, mieBefore) => {
        if (valueOf(mstatusBefore, mieBefore) && !valueOf(cpu.mstatus, cpu.mie)) found = { cycle, pc: pc >>> 0, vcpu, how };
      });
      h.history.seek(end);
    } finally {
      h.port.watchInterruptEnables(vcpu, undefined);
      restoreCounters();
    }
  }
  return found ? { found } : { sinceReset: floor === 0, floorCycle };
}
