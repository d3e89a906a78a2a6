// "Why didn't IRQ N arrive?" (docs/interrupt-provenance.md): walks an interrupt's path in order —
// source, line, IOAPIC entry (mask, remote IRR), destination, LAPIC (SVR, ISR, PPR, TPR), the hart
// (mstatus/mie) — over the machine's present state, and answers with the first thing that stops
// it, the register and bit, and the recorded write that set that bit. When nothing stops it, the
// recorded chains say when it was taken.
import { Priv, MSTATUS_MIE, MSTATUS_SIE } from '../cpu/csr';
import type { Machine } from '../vmm/machine';
import type { Lapic } from '../irq/lapic';
import { highestVector, testVector } from '../irq/vector-bitmap';
import { LVT_TIMER } from '../irq/lapic-regs';
import { UART_GSI } from '../vmm/machine';
import { msiToMessage } from '../irq/msi';
import { PCI_MSI_ADDRESS_LO, PCI_MSI_FLAGS, PCI_MSI_MASK_32 } from '../vmm/pci';
import type { ChainRecorder } from './recorder';
import { O_HANDLED, O_IN_SERVICE } from './chain-store';
import {
  B_APIC_DISABLED, B_EDGE_LOST, B_INTERRUPTS_OFF, B_IN_SERVICE, B_LINE_LOW, B_MASKED, B_NO_DESTINATION, B_NO_SOURCE,
  B_PRIORITY, B_REMOTE_IRR, B_TPR, type InstructionAt, type RecordedChain, type WhyFinding,
} from './types';

const hx = (v: number): string => '0x' + (v >>> 0).toString(16);
/** mie/mip bit of the machine external interrupt (MEIP, what the LAPIC drives). */
const MEI = 1 << 11;

function blocked(blocker: number, first: string, register: string, setAt: InstructionAt | undefined, more: string[] = []): WhyFinding {
  const a: WhyFinding = { blocker, first, register, more };
  if (setAt) a.setAt = setAt;
  return a;
}

function delivered(c: RecordedChain, what: string): WhyFinding {
  const end = c.outcome === O_HANDLED ? 'its handler has written EOI' : c.outcome === O_IN_SERVICE ? 'it is in service now (no EOI yet)' : 'it was taken';
  return {
    blocker: null,
    first: `delivered at cycle ${c.takenAt}: ${what} (chain #${c.id}, ${c.source}) was taken by vCPU ${c.apic}` +
      `${c.latencyCycles !== undefined ? ` after ${c.latencyCycles} cycles` : ''}; ${end}`,
    delivered: { cycle: c.takenAt ?? 0, vcpu: c.apic },
  };
}

/** `why irq GSI`: the caller has checked 0 ≤ gsi < 24. */
export function whyIrq(m: Machine, rec: ChainRecorder, gsi: number): WhyFinding {
  const io = m.ioapic;
  const e = io.entry(gsi);
  const line = io.lineLevel(gsi);
  const last = rec.query({ gsi, last: 1 })[0];
  if (last?.takenAt !== undefined) return delivered(last, `GSI ${gsi}`);
  if (!line) {
    const wired = gsi === UART_GSI ? 'the UART' : m.pci.routes().find((r) => r.gsi === gsi)?.device;
    if (!wired && !last) {
      return blocked(B_NO_SOURCE, `nothing drives GSI ${gsi}: no device is wired to it and nothing (IRQ test device, debugger) has raised it`,
        `GSI ${gsi} input of the IOAPIC (no source)`, undefined);
    }
    const drop = last?.hops.filter((h) => h.kind === 'irq-line' || h.kind === 'pci-intx').pop();
    return blocked(B_LINE_LOW, `GSI ${gsi} is low: ${wired ?? last?.source ?? 'its source'} does not assert it${drop && last ? ` (last change at cycle ${drop.cycle})` : ''}`,
      `GSI ${gsi} line level (device side) = 0`, undefined);
  }
  const entry = `IOAPIC redirection entry ${gsi}`;
  if (e.mask) {
    const w = rec.maskWrite(gsi);
    return blocked(B_MASKED, `${entry} is masked: bit 16 is set${w ? '' : ' (since reset: the guest never unmasked it)'}`,
      `${entry}, bit 16 (mask)`, w, [`the line is asserted; ${e.trigMode ? 'a level interrupt is delivered as soon as the entry is unmasked' : 'an edge that rises while masked is lost'}`]);
  }
  if (!e.trigMode && last?.lostWhileMasked) {
    const rose = last.hops.find((h) => h.kind === 'irq-line');
    return blocked(B_EDGE_LOST, `the edge of GSI ${gsi} rose at cycle ${rose?.cycle} while ${entry} was masked: it was lost, and unmasking does not bring it back`,
      `${entry}, bit 16 (mask) when the edge rose`, last.lostBy, ['the line is still high: only a new rising edge is delivered']);
  }
  if (e.trigMode && e.remoteIrr) {
    const w = rec.remoteIrrSet(gsi);
    return blocked(B_REMOTE_IRR, `${entry} has remote IRR set (level-triggered): vector ${hx(e.vector)} was accepted and no EOI has reached the IOAPIC since`,
      `${entry}, bit 14 (remote IRR)`, w, ['the guest must write its LAPIC EOI register for that vector (or the IOAPIC EOI register, version 0x20)']);
  }
  const targets = m.router.targets({
    vector: e.vector, deliveryMode: e.deliveryMode, destMode: e.destMode, destination: e.destination,
    trigMode: e.trigMode, level: true, shorthand: 0, sourceApic: -1, source: `ioapic pin ${gsi}`, gsi,
  });
  if (targets.length === 0) {
    return blocked(B_NO_DESTINATION, `no LAPIC matches ${entry}'s ${e.destMode ? 'logical' : 'physical'} destination ${hx(e.destination)}`,
      `${entry}, bits 63:56 (destination ${hx(e.destination)}) and bit 11 (destination mode)`, rec.entryWrite(gsi));
  }
  for (const l of targets) {
    const a = lapicStage(m, rec, l, e.vector);
    if (a) return a;
  }
  const pend = targets.find((l) => testVector(l.irr, e.vector));
  return {
    blocker: null,
    first: pend
      ? `pending: nothing blocks vector ${hx(e.vector)} in LAPIC ${pend.index}'s IRR; the hart takes it at its next instruction boundary`
      : `nothing blocks GSI ${gsi} now: the line is asserted and the entry is open (vector ${hx(e.vector)})`,
  };
}

/** `why vector V [cpu N]`: the caller has checked 0 ≤ vector < 256 and the vCPU. */
export function whyVector(m: Machine, rec: ChainRecorder, vector: number, vcpu: number): WhyFinding {
  const lapic = m.lapics[vcpu];
  const last = rec.query({ vector, apic: vcpu, last: 1 })[0];
  if (testVector(lapic.irr, vector)) {
    return lapicStage(m, rec, lapic, vector)
      ?? { blocker: null, first: `pending: nothing blocks vector ${hx(vector)} in LAPIC ${vcpu}'s IRR; the hart takes it at its next instruction boundary` };
  }
  if (last?.takenAt !== undefined) return delivered(last, `vector ${hx(vector)}`);
  if (!lapic.softwareEnabled) return apicDisabled(rec, lapic, vector);
  // Not pending anywhere: look upstream, at what is routed to this vector.
  const pins: number[] = [];
  for (let gsi = 0; gsi < 24; gsi++) if (m.ioapic.entry(gsi).vector === vector) pins.push(gsi);
  pins.sort((a, b) => Number(m.ioapic.entry(a).mask) - Number(m.ioapic.entry(b).mask));
  if (last?.gsi !== undefined && pins.includes(last.gsi)) pins.unshift(last.gsi);
  for (const gsi of pins) {
    const a = whyIrq(m, rec, gsi);
    if (a.blocker !== null) return { ...a, more: [...a.more ?? [], `(vector ${hx(vector)} comes from GSI ${gsi})`] };
  }
  const msi = msiStage(m, rec, vector, vcpu);
  if (msi) return msi;
  const timer = lapic.lvt[LVT_TIMER];
  if ((timer & 0xff) === vector && (timer & (1 << 16))) {
    return blocked(B_MASKED, `LAPIC ${vcpu}'s timer LVT carries vector ${hx(vector)} and is masked`, `LAPIC ${vcpu} LVT timer, bit 16 (mask)`, undefined);
  }
  if (pins.length === 0) {
    return blocked(B_NO_SOURCE, `nothing is routed to vector ${hx(vector)} on vCPU ${vcpu}: no IOAPIC entry, timer LVT or recorded MSI/IPI uses it`,
      `IOAPIC redirection table, LAPIC ${vcpu} LVTs (no entry with vector ${hx(vector)})`, undefined);
  }
  return { blocker: null, first: `nothing blocks vector ${hx(vector)} on vCPU ${vcpu} now (it is not pending)` };
}

/**
 * The MSIs programmed with `vector` (PCI 3.0 §6.8.1): a function whose capability has MSI Enable
 * clear does not send it (it uses INTx), one whose per-vector mask bit is set holds it pending, and
 * a message whose address is outside the LAPIC window or names no LAPIC reaches nobody.
 */
function msiStage(m: Machine, rec: ChainRecorder, vector: number, vcpu: number): WhyFinding | undefined {
  for (const d of m.pci.devices()) {
    const cap = d.msi;
    if (!cap) continue;
    const { address, data } = cap.message;
    if ((data & 0xff) !== vector) continue;
    const msg = msiToMessage(address, data);
    const targets = msg ? m.router.targets(msg) : [];
    if (targets.length > 0 && !targets.some((l) => l.index === vcpu)) continue; // another LAPIC's
    const fn = `${d.name} ${d.bdf}`, o = cap.offset, what = `data ${hx(data)} to ${hx(address)}`;
    if (!cap.enabled) {
      return blocked(B_NO_SOURCE, `nothing signals vector ${hx(vector)}: ${fn}'s MSI capability has MSI Enable clear (Message Control bit 0), so the function does not send its MSI (${what})`,
        `${fn} MSI capability, Message Control (config ${hx(o + PCI_MSI_FLAGS)}), bit 0 (MSI Enable)`, rec.msiDisableWrite(d.bdf),
        [d.info.intxPin !== undefined ? 'with MSI disabled the function interrupts through its INTx pin' : 'the function has no INTx pin: it cannot interrupt']);
    }
    if (cap.masked) {
      return blocked(B_MASKED, `${fn}'s MSI is masked: Mask Bits bit 0 is set in its MSI capability${cap.pending ? ', and the function holds the message pending (Pending Bits bit 0)' : ''}`,
        `${fn} MSI capability, Mask Bits (config ${hx(o + PCI_MSI_MASK_32)}), bit 0`, rec.msiMaskWrite(d.bdf),
        ['the function sends a pending message as soon as the guest clears the mask bit']);
    }
    if (!msg) {
      return blocked(B_NO_DESTINATION, `${fn}'s MSI address ${hx(address)} is outside the LAPIC window 0xfee00000–0xfeefffff: the write reaches no LAPIC`,
        `${fn} MSI capability, Message Address (config ${hx(o + PCI_MSI_ADDRESS_LO)}), bits 31:20`, rec.msiAddressWrite(d.bdf));
    }
    if (targets.length === 0) {
      return blocked(B_NO_DESTINATION, `no LAPIC matches ${fn}'s MSI ${msg.destMode ? 'logical' : 'physical'} destination ${hx(msg.destination)} (Message Address ${hx(address)})`,
        `${fn} MSI capability, Message Address (config ${hx(o + PCI_MSI_ADDRESS_LO)}), bits 19:12 (destination ID) and bit 2 (destination mode)`, rec.msiAddressWrite(d.bdf));
    }
  }
  return undefined;
}

function apicDisabled(rec: ChainRecorder, l: Lapic, vector: number): WhyFinding {
  return blocked(B_APIC_DISABLED, `LAPIC ${l.index} is software-disabled: SVR bit 8 is clear (SVR ${hx(l.svr)}), so it drops vector ${hx(vector)}`,
    `LAPIC ${l.index} SVR, bit 8 (APIC software enable)`, rec.svrCleared(l.index), rec.svrCleared(l.index) ? [] : ['SVR is 0xff from reset: the guest never enabled its LAPIC']);
}

/** The LAPIC and hart checks, in path order; undefined when none blocks (or the vector is not pending and nothing there would block it). */
function lapicStage(m: Machine, rec: ChainRecorder, l: Lapic, vector: number): WhyFinding | undefined {
  if (!l.softwareEnabled) return apicDisabled(rec, l, vector);
  const pending = testVector(l.irr, vector);
  const cls = vector & 0xf0;
  if (pending && testVector(l.isr, vector)) {
    const c = rec.inServiceChain(l.index, vector);
    return blocked(B_IN_SERVICE, `vector ${hx(vector)} is already in service on LAPIC ${l.index} (ISR): the new one waits for that handler's EOI`,
      `LAPIC ${l.index} ISR, bit ${hx(vector)}`, ackOf(c));
  }
  const isrv = highestVector(l.isr);
  if (isrv >= 0 && (isrv & 0xf0) >= cls) {
    const c = rec.inServiceChain(l.index, isrv);
    return blocked(B_PRIORITY, `vector ${hx(isrv)} (class ${isrv >> 4}) is in service on LAPIC ${l.index}: PPR ${hx(l.ppr())} holds back class ${cls >> 4}`,
      `LAPIC ${l.index} PPR (ISR bit ${hx(isrv)})`, ackOf(c));
  }
  if ((l.tpr & 0xf0) >= cls) {
    return blocked(B_TPR, `LAPIC ${l.index}'s TPR ${hx(l.tpr)} (class ${(l.tpr & 0xf0) >> 4}) is at or above vector ${hx(vector)}'s class ${cls >> 4}`,
      `LAPIC ${l.index} TPR, bits 7:4 (task-priority class)`, rec.tprWrite(l.index));
  }
  if (!pending) return undefined;
  const cpu = m.vcpus[l.index].cpu;
  const delegated = (cpu.mideleg & MEI) !== 0;
  if (!(cpu.mie & MEI)) {
    return {
      ...blocked(B_INTERRUPTS_OFF, `vCPU ${l.index}'s mie.MEIE (bit 11) is clear: the hart does not take external interrupts`,
        `vCPU ${l.index} mie, bit 11 (MEIE)`, undefined, ['0 since reset, or cleared by a CSR write (csrc/csrw mie)']),
      enable: { vcpu: l.index, csr: 'mie', mask: MEI },
    };
  }
  const globallyOff = delegated
    ? cpu.priv === Priv.S && !(cpu.mstatus & MSTATUS_SIE) || cpu.priv === Priv.M
    : cpu.priv === Priv.M && !(cpu.mstatus & MSTATUS_MIE);
  if (globallyOff) {
    const bit = delegated ? 'sstatus.SIE (bit 1)' : 'mstatus.MIE (bit 3)';
    const trap = rec.trapEntry(l.index);
    const inHandler = trap !== undefined && (cpu.mstatus & (1 << 7)) !== 0;
    const a = blocked(B_INTERRUPTS_OFF, `vCPU ${l.index}'s ${bit} is clear: interrupts are off${inHandler ? ' (inside a trap handler)' : ''}`,
      `vCPU ${l.index} ${bit}`, inHandler ? trap : undefined, inHandler ? ['cleared by the trap entry at that cycle (the handler\'s first instruction); mret restores it from MPIE'] : ['0 since reset, or cleared by a CSR write (csrc/csrw mstatus)']);
    // Outside a handler the bit was cleared by an instruction (CSR writes are not events): the
    // debugger finds which one in its history (src/debug/enables-history.ts).
    const sBit = cpu.priv === Priv.S && delegated;
    if (!inHandler && (sBit || !delegated)) a.enable = { vcpu: l.index, csr: 'mstatus', mask: sBit ? MSTATUS_SIE : MSTATUS_MIE };
    return a;
  }
  return undefined;
}

/** The INTA that put a chain's vector in service, as a "set at": where its handler began. */
function ackOf(c: RecordedChain | undefined): InstructionAt | undefined {
  if (!c || c.takenAt === undefined) return undefined;
  return { cycle: c.takenAt, pc: c.handlerPc ?? 0, vcpu: c.apic };
}
