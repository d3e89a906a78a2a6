// The scopes of a stopped vCPU (docs/debugging.md): Registers (ABI names, hex), CSRs (decoded fields for the
// ones with fields), Last VM exit, Local APIC, Translation (a walk level by level, GVA → GPA → HPA,
// TLB hit or miss). Everything is read without side effects; registers, CSRs and memory are writable.
import type { DebugProtocol } from '@vscode/debugprotocol';
import { GPR_ABI_NAMES, registerNumber } from '../asm/registers';
import { csrByName } from '../asm/csr-names';
import { disassemble } from '../asm';
import { CSR_NAMES, CAUSE_NAMES, NestedPaging, ShadowPaging, BARE_ROOT, ASID_BARE, TLB_G, NPT_FORMAT, NPT_RSVD_HI, npfExitInfoText, nptFlags } from '../vm';
import type { Vcpu } from '../vm';
import type { DebugPort } from '../vm/debug-port';
import type { DebugRuntime } from './runtime';
import { readInstruction } from './stack';
import { hex, hex32, privName } from './format';
import { formatDataId } from './breakpoints';
import { LAPIC_GPA } from './inspect';
import type { CObject } from './dwarf/cvalue';
import { cScopes, cVariables } from './c-variables';
import { eventScopeVariables } from './event-stop';

export type Container =
  | { kind: 'registers'; vcpu: number }
  | { kind: 'csrs'; vcpu: number }
  | { kind: 'csr-fields'; vcpu: number; csr: number }
  | { kind: 'exit'; vcpu: number }
  | { kind: 'lapic'; vcpu: number }
  | { kind: 'translation'; vcpu: number }
  | { kind: 'stack'; vcpu: number; sp: number }
  | { kind: 'static'; vars: DebugProtocol.Variable[] }
  | { kind: 'c-locals'; vcpu: number; frame: number }
  | { kind: 'c-globals'; vcpu: number }
  | { kind: 'c-object'; vcpu: number; frame: number; obj: CObject; expr: string };

export type MakeRef = (c: Container) => number;

const PMP_CSRS: [number, string][] = [
  ...[0, 1, 2, 3].map((i): [number, string] => [0x3a0 + i, `pmpcfg${i}`]),
  ...Array.from({ length: 16 }, (_, i): [number, string] => [0x3b0 + i, `pmpaddr${i}`]),
];

/** Bit fields shown under CSRs: [name, lsb, width]. */
const CSR_FIELDS: Record<string, [string, number, number][]> = {
  mstatus: [['SIE', 1, 1], ['MIE', 3, 1], ['SPIE', 5, 1], ['MPIE', 7, 1], ['SPP', 8, 1], ['MPP', 11, 2], ['MPRV', 17, 1], ['SUM', 18, 1], ['MXR', 19, 1], ['TVM', 20, 1], ['TW', 21, 1], ['TSR', 22, 1]],
  sstatus: [['SIE', 1, 1], ['SPIE', 5, 1], ['SPP', 8, 1], ['SUM', 18, 1], ['MXR', 19, 1]],
  mie: [['SSIE', 1, 1], ['MSIE', 3, 1], ['STIE', 5, 1], ['MTIE', 7, 1], ['SEIE', 9, 1], ['MEIE', 11, 1]],
  mip: [['SSIP', 1, 1], ['MSIP', 3, 1], ['STIP', 5, 1], ['MTIP', 7, 1], ['SEIP', 9, 1], ['MEIP', 11, 1]],
  satp: [['MODE', 31, 1], ['ASID', 22, 9], ['PPN', 0, 22]],
  mtvec: [['MODE', 0, 2], ['BASE', 2, 30]],
  stvec: [['MODE', 0, 2], ['BASE', 2, 30]],
  mcause: [['Interrupt', 31, 1], ['Code', 0, 31]],
  scause: [['Interrupt', 31, 1], ['Code', 0, 31]],
};

const LAPIC_REGISTERS: [string, number][] = [
  ['ID', 0x20], ['TPR', 0x80], ['PPR', 0xa0], ['EOI', 0xb0], ['LDR', 0xd0], ['DFR', 0xe0], ['SVR', 0xf0],
  ['ICR low', 0x300], ['ICR high', 0x310], ['LVT Timer', 0x320], ['LVT Thermal', 0x330], ['LVT Perf', 0x340],
  ['LVT LINT0', 0x350], ['LVT LINT1', 0x360], ['LVT Error', 0x370], ['Timer initial count', 0x380],
  ['Timer current count', 0x390], ['Timer divide', 0x3e0],
];

/** The GPA of a device register shown in a scope, for data breakpoints on it. */
export function deviceRegisterAddress(c: Container, name: string): number | undefined {
  if (c.kind !== 'lapic') return undefined;
  const r = LAPIC_REGISTERS.find(([n]) => n === name);
  return r ? LAPIC_GPA + r[1] : undefined;
}

function v(name: string, value: string, extra: Partial<DebugProtocol.Variable> = {}): DebugProtocol.Variable {
  return { name, value, variablesReference: 0, ...extra };
}

export function scopes(rt: DebugRuntime, vcpu: number, ref: MakeRef, frame = 0): DebugProtocol.Scope[] {
  const out: DebugProtocol.Scope[] = [];
  // The event the machine stopped on, first (VS Code expands the first scope), on the stopped thread's top frame.
  const stop = rt.lastStop;
  if (stop?.event && stop.vcpu === vcpu && frame === 0) {
    const vars = eventScopeVariables(stop.event);
    out.push({ name: 'Event', variablesReference: ref({ kind: 'static', vars }), namedVariables: vars.length, expensive: false });
  }
  out.push(
    ...cScopes(rt, vcpu, frame, ref),
    { name: 'Registers', presentationHint: 'registers', variablesReference: ref({ kind: 'registers', vcpu }), expensive: false, namedVariables: 34 },
    { name: 'CSRs', presentationHint: 'registers', variablesReference: ref({ kind: 'csrs', vcpu }), expensive: false },
    { name: 'Last VM exit', variablesReference: ref({ kind: 'exit', vcpu }), expensive: false },
  );
  if (rt.view.lapics?.[vcpu]) out.push({ name: 'Local APIC', variablesReference: ref({ kind: 'lapic', vcpu }), expensive: false });
  out.push({ name: 'Translation', variablesReference: ref({ kind: 'translation', vcpu }), expensive: false });
  const vc = rt.vcpu(vcpu);
  if (vc) out.push({ name: 'Stack memory', presentationHint: 'locals', variablesReference: ref({ kind: 'stack', vcpu, sp: vc.cpu.x[2] >>> 0 }), expensive: false });
  return out;
}

/** A memory reference for a value that points at readable guest memory (as this vCPU sees it). */
function pointer(rt: DebugRuntime, vc: Vcpu, value: number): string | undefined {
  const t = rt.inspector.translate(vc, value);
  return t.gpa !== undefined && rt.inspector.hostOf(t.gpa) >= 0 ? hex32(value) : undefined;
}

export function variables(rt: DebugRuntime, c: Container, ref: MakeRef): DebugProtocol.Variable[] {
  if (c.kind === 'static') return c.vars;
  if (c.kind === 'c-locals' || c.kind === 'c-globals' || c.kind === 'c-object') return cVariables(rt, c, ref);
  const vc = rt.vcpu(c.vcpu);
  if (!vc) return [];
  switch (c.kind) {
    case 'registers': return registers(rt, vc);
    case 'csrs': return csrs(vc, ref);
    case 'csr-fields': return csrFields(vc, c.csr);
    case 'exit': return lastExit(rt, vc);
    case 'lapic': return lapic(rt, vc, ref);
    case 'translation': return translation(rt, vc, ref);
    case 'stack': return stackWords(rt, vc, c.sp);
  }
}

/** Words of guest memory at and above sp (as this vCPU translates them), writable. */
const STACK_WORDS = 16;

function stackWords(rt: DebugRuntime, vc: Vcpu, sp: number): DebugProtocol.Variable[] {
  const out: DebugProtocol.Variable[] = [];
  for (let k = 0; k < STACK_WORDS; k++) {
    const a = (sp + 4 * k) >>> 0;
    let shown: string;
    try { shown = hex32(rt.inspector.readVirt(vc, a, 4)); } catch { shown = '(not mapped)'; }
    const sym = shown.startsWith('0x') ? rt.program.describe(parseInt(shown, 16)) : undefined;
    out.push(v(`[sp+0x${(4 * k).toString(16)}]`, shown, { evaluateName: `u32(${hex(a)})`, memoryReference: hex32(a), type: sym ? `<${sym}>` : `u32 at ${hex32(a)}` }));
  }
  return out;
}

/** The address a variable of the Stack memory scope stands for, or undefined. */
export function stackWordAddress(c: Container, name: string): number | undefined {
  if (c.kind !== 'stack') return undefined;
  const m = /^\[sp\+0x([0-9a-f]+)\]$/.exec(name);
  return m ? (c.sp + parseInt(m[1], 16)) >>> 0 : undefined;
}

function registers(rt: DebugRuntime, vc: Vcpu): DebugProtocol.Variable[] {
  const cpu = vc.cpu;
  const pc = cpu.pc >>> 0;
  const out = [v('pc', hex32(pc), { evaluateName: 'pc', memoryReference: hex32(pc), type: rt.program.describe(pc) ?? 'u32' })];
  for (let i = 1; i < 32; i++) {
    const value = cpu.x[i] >>> 0;
    const name = GPR_ABI_NAMES[i];
    out.push(v(name, hex32(value), { evaluateName: name, type: `x${i}`, memoryReference: pointer(rt, vc, value) }));
  }
  out.push(v('priv', privName(cpu.priv), { presentationHint: { attributes: ['readOnly'] } }));
  return out;
}

function csrList(): [number, string][] {
  return [...CSR_NAMES.entries(), ...PMP_CSRS];
}

function csrs(vc: Vcpu, ref: MakeRef): DebugProtocol.Variable[] {
  const out: DebugProtocol.Variable[] = [];
  for (const [addr, name] of csrList()) {
    const value = vc.cpu.csrRead(addr);
    if (value === undefined) continue;
    const fields = CSR_FIELDS[name];
    let shown = hex32(value);
    if (name === 'mcause' || name === 'scause') shown += causeText(value);
    out.push(v(name, shown, { evaluateName: name, type: `csr ${hex(addr)}`, variablesReference: fields ? ref({ kind: 'csr-fields', vcpu: vc.id, csr: addr }) : 0 }));
  }
  return out;
}

function causeText(cause: number): string {
  if (cause === 0) return '';
  const code = cause & 0x7fffffff;
  if (cause < 0) return ` (interrupt ${code})`;
  return CAUSE_NAMES[code] ? ` (${CAUSE_NAMES[code]})` : '';
}

function csrFields(vc: Vcpu, csr: number): DebugProtocol.Variable[] {
  const name = CSR_NAMES.get(csr) ?? '';
  const value = vc.cpu.csrRead(csr) ?? 0;
  return (CSR_FIELDS[name] ?? []).map(([f, lsb, width]) => {
    const x = width >= 31 ? (value >>> lsb) & 0x7fffffff : (value >>> lsb) & ((1 << width) - 1);
    return v(f, width === 1 ? String(x) : hex(x), { presentationHint: { attributes: ['readOnly'] } });
  });
}

function lastExit(rt: DebugRuntime, vc: Vcpu): DebugProtocol.Variable[] {
  const e = vc.lastExit;
  const vm = rt.machine.vm;
  if (!e) return [v('reason', '(no VM exit yet)')];
  const out = [v('reason', e.reason), v('handled in', e.handledIn === 'kernel' ? 'kernel (KVM)' : `VMM${e.vmmExit ? ` (${e.vmmExit})` : ''}`), v('cycle', String(e.cycle)),
    v('pc', `${hex32(e.pc)}${rt.program.describe(e.pc >>> 0) ? ` <${rt.program.describe(e.pc >>> 0)}>` : ''}`, { memoryReference: hex32(e.pc) })];
  const insn = readInstruction(rt.inspector, vc, e.pc);
  if (insn) out.push(v('instruction', disassemble(insn.raw, e.pc >>> 0).replace('\t', ' ')));
  if (e.access) out.push(v('access', e.access));
  if (e.gva !== undefined) out.push(v('GVA', hex32(e.gva)));
  if (e.gpa !== undefined) out.push(v('GPA', hex32(e.gpa), { type: rt.inspector.describeGpa(e.gpa, vc.id) ?? 'no RAM, no device' }));
  if (e.qualification !== undefined) out.push(v(e.reason === 'VMEXIT_NPF' ? 'EXITINFO1' : 'qualification', `${hex(e.qualification)}${qualificationText(e.qualification, e.reason)}`));
  if (e.device !== undefined) out.push(v('device', e.device));
  if (e.register !== undefined) out.push(v('register', e.register));
  if (e.size !== undefined) out.push(v('size', String(e.size)));
  if (e.value !== undefined) out.push(v('value', hex32(e.value)));
  out.push(v('exits (this VM)', String(vm.stats.exits)));
  return out;
}

const MMU_LABELS = { ept: 'EPT (two-dimensional paging)', npt: 'NPT (AMD nested paging, two-dimensional)', shadow: 'shadow page tables' } as const;

/** EPT violation exit qualification (SDM vol. 3 table 28-7), or an NPF's EXITINFO1 (APM vol. 2 §15.25.6). */
function qualificationText(q: number, reason: string): string {
  if (reason === 'VMEXIT_NPF') return ` (${npfExitInfoText(q)})`;
  if (reason !== 'EPT_VIOLATION') return '';
  const bits: string[] = [];
  if (q & 1) bits.push('read');
  if (q & 2) bits.push('write');
  if (q & 4) bits.push('fetch');
  bits.push(`entry R${q & 8 ? 1 : 0}W${q & 16 ? 1 : 0}X${q & 32 ? 1 : 0}`);
  if (q & 128) bits.push('GVA valid');
  if (q & 256) bits.push('translated access');
  return ` (${bits.join(', ')})`;
}

function vectors(list: number[]): string {
  return list.length ? list.map((x) => hex(x)).join(' ') : '(none)';
}

function lapic(rt: DebugRuntime, vc: Vcpu, ref: MakeRef): DebugProtocol.Variable[] {
  const l = rt.view.lapics?.[vc.id];
  if (!l) return [];
  const s = l.state();
  const reg = (name: string, value: number): DebugProtocol.Variable => v(name, hex32(value));
  const out = [
    reg('ID', (s.id << 24) >>> 0), reg('TPR', s.tpr), reg('PPR', s.ppr), v('EOI', '(write-only)'), reg('LDR', s.ldr), reg('DFR', s.dfr),
    v('SVR', `${hex32(s.svr)} (${s.softwareEnabled ? 'enabled' : 'software-disabled'}, spurious ${hex(s.svr & 0xff)})`),
    v('IRR', vectors(s.irr)), v('ISR', vectors(s.isr)), v('TMR', vectors(s.tmr)),
    reg('ICR low', s.icrLow), reg('ICR high', s.icrHigh),
  ];
  ['LVT Timer', 'LVT Thermal', 'LVT Perf', 'LVT LINT0', 'LVT LINT1', 'LVT Error'].forEach((n, i) => out.push(v(n, `${hex32(s.lvt[i] ?? 0)}${(s.lvt[i] ?? 0) & 0x10000 ? ' (masked)' : ''}`)));
  out.push(reg('Timer initial count', s.timer.initialCount), reg('Timer current count', s.timer.currentCount), reg('Timer divide', s.timer.divideConfig));
  out.push(v('timer', s.timer.initialCount === 0 ? 'stopped' : `${s.timer.periodic ? 'periodic' : 'one-shot'}, divisor ${s.timer.divisor}${s.timer.nextDeadline !== undefined ? `, fires at cycle ${s.timer.nextDeadline}` : ''}`));
  const next = s.highestDeliverable;
  out.push(v('next vector', next >= 0 ? hex(next) : '(none deliverable)'));
  const why = s.irr.filter((x) => x !== next).map((x) => `${hex(x)}: ${l.blockedBy(x) ?? 'deliverable'}`);
  if (why.length) out.push(v('pending, not delivered', why.join(', '), { variablesReference: ref({ kind: 'static', vars: s.irr.map((x) => v(hex(x), l.blockedBy(x) ?? 'deliverable')) }) }));
  for (const x of out) {
    const gpa = deviceRegisterAddress({ kind: 'lapic', vcpu: vc.id }, x.name);
    if (gpa !== undefined) x.type = `MMIO ${hex(gpa)} (${formatDataId({ space: 'mmio', address: gpa, size: 4 })})`;
  }
  return out;
}

/** Is `gva` in this vCPU's TLB now? (A scan of its arrays, which changes no TLB state.) */
function tlbProbe(vc: Vcpu, gva: number): { hit: boolean; index?: number; hpa?: number; gpa?: number } {
  const cpu = vc.cpu, tlb = vc.tlb;
  const paging = (cpu.satp >>> 31) !== 0 && cpu.priv !== 3;
  const asid = paging ? (cpu.satp >>> 22) & 0x1ff : ASID_BARE;
  const vpn = gva >>> 12;
  for (let i = 0; i < tlb.size; i++) {
    if (!tlb.valid[i] || tlb.vpn[i] !== vpn || tlb.vpid[i] !== vc.vpid) continue;
    if (tlb.asid[i] === asid || (tlb.flags[i] & TLB_G && asid !== ASID_BARE && tlb.asid[i] !== ASID_BARE)) {
      return { hit: true, index: i, hpa: tlb.hostPage[i] + (gva & 0xfff), gpa: tlb.gpaPage[i] + (gva & 0xfff) };
    }
  }
  return { hit: false };
}

function walkOf(rt: DebugRuntime, vc: Vcpu, gva: number, ref: MakeRef): DebugProtocol.Variable {
  const t = rt.inspector.translate(vc, gva);
  const vars: DebugProtocol.Variable[] = [v('GVA', hex32(gva))];
  if (!t.paging) vars.push(v('stage 1', 'paging off (M-mode or satp Bare): GPA = GVA'));
  for (const l of t.levels) vars.push(v(`level ${l.level} PTE`, `${hex32(l.pte)} at GPA ${hex32(l.pteGpa)}${pteText(l.pte)}`));
  if (t.gpa === undefined) {
    vars.push(v('result', t.error ?? 'no translation'));
  } else {
    vars.push(v('GPA', hex32(t.gpa), { memoryReference: hex32(gva) }));
    const host = rt.inspector.hostOf(t.gpa);
    vars.push(v('HPA (host offset)', host >= 0 ? hex32(host) : `(${rt.inspector.describeGpa(t.gpa, vc.id) ?? 'nothing'} — not RAM)`));
    const paging = rt.machine.vm.paging;
    if (paging instanceof NestedPaging) {
      const e = paging.tables.leafEntry(t.gpa);
      const npt = paging.mode === 'npt';
      vars.push(v(npt ? 'NPT leaf' : 'EPT leaf', e === undefined ? `not present (next access: ${npt ? 'VMEXIT_NPF' : 'EPT violation'})`
        : `0x${e.toString(16).padStart(16, '0')}${npt ? nptText(e) : eptText(Number(e & 0xffffffffn))}`));
    } else if (paging instanceof ShadowPaging) {
      const root = t.paging ? (vc.cpu.satp & 0x3fffff) * 4096 : BARE_ROOT;
      const e = paging.tables.lookup(root, gva >>> 12);
      vars.push(v('shadow entry', e === undefined ? 'none (next access: #PF exit, EXCEPTION_NMI)'
        : `GPA page ${hex32(e.gpaPage)} → ${e.hostPage < 0 ? 'MMIO (every access exits)' : `host ${hex32(e.hostPage)}`}${flagText(e.flags | 1)}${e.ptes.length ? `, from guest PTEs at ${e.ptes.map((p) => hex(p)).join(', ')}` : ' (identity map)'}`));
    }
  }
  const probe = tlbProbe(vc, gva);
  vars.push(v('TLB', probe.hit ? `hit (entry ${probe.index}, VPID ${vc.vpid})` : 'miss (the next access walks)'));
  const summary = t.gpa === undefined ? `${hex32(gva)} → ${t.error}` : `${hex32(gva)} → GPA ${hex32(t.gpa)}${probe.hit ? ' (TLB hit)' : ' (TLB miss)'}`;
  return v(`pc ${hex(gva)}`, summary, { variablesReference: ref({ kind: 'static', vars }) });
}

function flagText(pte: number): string {
  const f = ['V', 'R', 'W', 'X', 'U', 'G', 'A', 'D'].filter((_, i) => pte & (1 << i));
  return ` [${f.join('') || 'invalid'}]`;
}

function pteText(pte: number): string {
  return `${flagText(pte)} PPN ${hex(pte >>> 10)}`;
}

function eptText(lo: number): string {
  if ((lo & 7) === 6) return ' (MMIO SPTE: misconfigured on purpose)';
  return ` (${lo & 1 ? 'R' : '-'}${lo & 2 ? 'W' : '-'}${lo & 4 ? 'X' : '-'}, memtype ${(lo >>> 3) & 7})`;
}

function nptText(e: bigint): string {
  if (e & (BigInt(NPT_RSVD_HI) << 32n)) return ' (MMIO SPTE: reserved bits set on purpose)';
  return ` (${nptFlags(NPT_FORMAT.flags(Number(e & 0xffffffffn), Number(e >> 32n)))})`;
}

function translation(rt: DebugRuntime, vc: Vcpu, ref: MakeRef): DebugProtocol.Variable[] {
  const cpu = vc.cpu, vm = rt.machine.vm;
  const satp = cpu.satp >>> 0;
  const out = [
    v('MMU', MMU_LABELS[vm.paging.mode]),
    v(vm.paging.mode === 'npt' ? 'ASID' : 'VPID', vm.config.vpid ? String(vc.vpid) : 'off (TLB flushed on every VM exit and entry)'),
    v('satp', `${hex32(satp)} (${satp >>> 31 ? `Sv32, ASID ${(satp >>> 22) & 0x1ff}, root GPA ${hex32((satp & 0x3fffff) * 4096)}` : 'Bare'})`),
    walkOf(rt, vc, cpu.pc >>> 0, ref),
  ];
  const w = vc.walker;
  if (w.walks > 0 && vm.paging.mode !== 'shadow') {
    const vars: DebugProtocol.Variable[] = [];
    for (let i = 0; i < w.steps; i++) {
      vars.push(v(`level ${1 - i} PTE`, `${hex32(w.stepPte[i] >>> 0)} at GPA ${hex32(w.stepPteGpa[i])}${pteText(w.stepPte[i] >>> 0)}`));
    }
    vars.push(v('GPA', hex32(w.gpa)), v('leaf', `${w.leafLevel === 1 ? '4 MiB megapage' : '4 KiB page'}${flagText(w.leafFlags | 1)}`));
    const host = rt.inspector.hostOf(w.gpa);
    vars.push(v('HPA (host offset)', host >= 0 ? hex32(host) : '(not RAM)'));
    out.push(v('last guest walk (TLB miss)', `${w.steps} level${w.steps === 1 ? '' : 's'} → GPA ${hex32(w.gpa)}`, { variablesReference: ref({ kind: 'static', vars }) }));
  }
  const s = vc.tlb.stats;
  out.push(v('TLB', `${s.hits + cpu.fastHits} hits, ${s.misses} misses, ${s.flushes} flushes, ${s.walks} walks (${s.walkRefs} memory references); ` +
    `guest-physical cache ${s.gpaHits} hits, ${s.gpaMisses} misses; INVEPT ${s.invept}, INVVPID ${s.invvpid}`, {
    variablesReference: ref({ kind: 'static', vars: vc.tlb.entries().map((e) => v(`[${e.index}]`, `GVA ${hex32(e.gva)} → GPA ${hex32(e.gpa)} → HPA ${hex32(e.hpa)}  VPID ${e.vpid} ASID ${e.asid === ASID_BARE ? 'bare' : e.asid}`)) }),
  }));
  return out;
}

// ---- writes -------------------------------------------------------------------------------------------

/** Sets a register (by ABI or x name, or pc) or a CSR through the debug port (KVM_SET_REGS); returns the new shown value or an error. */
export function setRegisterOrCsr(port: DebugPort, vcpu: number, name: string, value: number): { value: string } | { error: string } {
  if (name === 'pc') { port.setPc(vcpu, value); return { value: hex32(value) }; }
  const r = registerNumber(name);
  if (r !== undefined) {
    if (r === 0) return { error: 'zero (x0) is hard-wired to 0' };
    port.setReg(vcpu, r, value);
    return { value: hex32(value) };
  }
  const csr = csrByName(name) ?? (PMP_CSRS.find(([, n]) => n === name) ? { address: PMP_CSRS.find(([, n]) => n === name)![0] } : undefined);
  if (csr) {
    if (!port.setCsr(vcpu, csr.address, value)) return { error: `${name} is not a CSR of this hart` };
    return { value: hex32(port.csr(vcpu, csr.address) ?? value) };
  }
  return { error: `'${name}' is not a register or CSR` };
}
