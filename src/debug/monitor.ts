// The debug console's QEMU-monitor commands (docs/debugging.md): `info registers|lapic|ioapic|pci|mtree|
// memslots|ept|npt|tlb|exits|irq`, `x/Nfu ADDR` (guest-virtual), `xp/Nfu ADDR` (guest-physical),
// `irq GSI 0|1`, `nic rx "bytes"`, `uart "text"`, and their completions. Output follows QEMU's
// monitor where QEMU has the command, so its users can read it.
import { disassemble } from '../asm';
import { walkForward } from './disassembly';
import { allRegisterNames, GPR_ABI_NAMES } from '../asm/registers';
import { CSRS } from '../asm/csr-names';
import { CSR_NAMES, collectStatistics } from '../vm';
import { evaluate, ExprError, FUNCTION_NAMES, parseExpression, toNumber } from './expr';
import { hex, hex32, privName, unquote } from './format';
import type { DebugRuntime } from './runtime';
import { ioapicSnapshot, lapicSnapshots, pagingSnapshot, routing } from './state';
import { encodeData } from './launch';
import { EVENT_FILTERS } from './event-filters';
import { infoInterrupts, whyCommand } from './provenance';
import { eptRwx, NestedPaging, nptFlags, pirqName } from '../vm';
import { translateCommand } from './translate';
import { infoTlb } from './caches';

const INFO_TOPICS = ['registers', 'lapic', 'ioapic', 'pci', 'mtree', 'memslots', 'ept', 'npt', 'tlb', 'exits', 'irq', 'interrupts'] as const;
const COMMANDS = ['info', 'x', 'xp', 'irq', 'nic', 'uart', 'why', 'goto', 'translate', 'reverse-to-write', 'help'] as const;

interface MonitorResult {
  output: string;
  /** The command changed the machine (an injection): views should refresh. */
  changed?: boolean;
}

/** Does `text` look like a monitor command (rather than an expression)? */
export function isMonitorCommand(text: string): boolean {
  return /^\s*(info(\s|$)|xp?\/|xp?\s|irq\s|nic\s|uart\s|why(\s|$)|goto(\s|$)|translate(\s|$)|help\s*$)/.test(text);
}

const HELP = `Monitor commands (QEMU style):
  info registers [N]   vCPU registers and CSRs
  info lapic [N]       a Local APIC (IRR/ISR/TMR, TPR/PPR, LVTs, timer)
  info ioapic          the IOAPIC redirection table
  info pci             PCI functions, BARs, INTx route (pin → PIRQ → GSI), MSI
  info mtree           the memory-region tree
  info memslots        KVM memslots
  info ept | npt       stage-2 leaves: EPT, or AMD's NPT (or shadow page-table roots)
  info tlb             each vCPU's TLB
  info exits           VM exits by reason, exits to the VMM, the recent exit log
  info irq             GSI lines, their sources and routing, interrupt statistics
  info interrupts [N]  the last N interrupt chains, hop by hop (most recent last)
  why irq GSI          the first thing that stops GSI's interrupt, the bit, who set it
  why vector V [cpu N] the same for a vector on a vCPU
  goto cycle N         run forwards or backwards to cycle N of the stopped vCPU's clock
  x/Nfu ADDR           N units at guest-virtual ADDR; f = x d u o c i, u = b h w g
  xp/Nfu ADDR          the same at a guest-physical address
  irq GSI 0|1          drive a GSI line (KVM_IRQ_LINE)
  nic rx "bytes"       a packet arrives at the NIC (or hex:0011…)
  uart "text"          type into the guest console
  translate GVA [cpu N] [r|w|x]   the two-stage walk of GVA, side-effect free (docs/translation.md)
  reverse-to-write GPA run back to the store that last wrote the word at GPA
Anything else is an expression: registers, CSRs, symbols, u8/u16/u32(gva), p32(gpa), *gva, + - * / % << >> & | ^ ~ ! == != < > && || ?:`;

export function runMonitor(rt: DebugRuntime, text: string, vcpu: number): MonitorResult {
  const t = text.trim();
  const m = /^(\w+)(.*)$/s.exec(t);
  const word = m?.[1] ?? '';
  const rest = (m?.[2] ?? '').trim();
  if (/^xp?\//.test(t) || /^xp?\s/.test(t)) return { output: examine(rt, t, vcpu) };
  switch (word) {
    case 'help': return { output: HELP };
    case 'info': return { output: info(rt, rest, vcpu) };
    case 'why': return { output: whyCommand(rt.machine, rest, vcpu, rt.running ? undefined : rt) };
    case 'translate': return { output: translateCommand(rt, rest, vcpu) };
    case 'irq': {
      const a = /^(\S+)\s+(\S+)$/.exec(rest);
      if (!a) throw new ExprError('usage: irq GSI 0|1');
      const gsi = toNumber(evaluate(parseExpression(a[1]), rt.context(vcpu)));
      if (a[2] !== '0' && a[2] !== '1') throw new ExprError('usage: irq GSI 0|1');
      return { output: rt.injectIrq(gsi, a[2] === '1'), changed: true };
    }
    case 'nic': {
      const a = /^rx\s+(.+)$/s.exec(rest);
      if (!a) throw new ExprError('usage: nic rx "bytes"  (or nic rx hex:0011…)');
      const bytes = a[1].startsWith('hex:') ? encodeData(a[1].slice(4), 'hex') : unquote(a[1]);
      if (bytes === undefined || typeof bytes === 'string') throw new ExprError(`nic rx: expected a quoted string or hex:…, got ${a[1]}`);
      return { output: rt.injectNic(bytes), changed: true };
    }
    case 'uart': {
      const bytes = unquote(rest);
      if (!bytes) throw new ExprError('usage: uart "text"');
      return { output: rt.injectUart(bytes), changed: true };
    }
  }
  throw new ExprError(`unknown command '${word}' (try help)`);
}

function vcpuArg(rt: DebugRuntime, rest: string, fallback: number): number {
  if (!rest) return fallback;
  const n = Number(rest);
  if (!Number.isInteger(n) || !rt.vcpu(n)) throw new ExprError(`no vCPU ${rest} (this machine has ${rt.vcpus.length})`);
  return n;
}

function info(rt: DebugRuntime, args: string, vcpu: number): string {
  const [topic = '', ...more] = args.split(/\s+/);
  const rest = more.join(' ');
  switch (topic) {
    case 'registers': return infoRegisters(rt, vcpuArg(rt, rest, vcpu));
    case 'lapic': return infoLapic(rt, rest ? vcpuArg(rt, rest, vcpu) : undefined);
    case 'ioapic': return infoIoapic(rt);
    case 'pci': return rt.view.pci?.formatInfo() ?? 'this machine has no PCI bus yet';
    case 'mtree': return infoMtree(rt);
    case 'memslots': return rt.machine.vm.memslots.map((s) =>
      `slot ${s.slot}: GPA ${hex32(s.guestPhysAddr)}-${hex32(s.guestPhysAddr + s.memorySize - 1)} (${s.memorySize >>> 20} MiB) -> host offset ${hex32(s.userspaceAddr)}`).join('\n');
    case 'ept': case 'npt': return infoStage2(rt, topic);
    case 'tlb': return infoTlb(rt);
    case 'exits': return infoExits(rt);
    case 'irq': return infoIrq(rt);
    case 'interrupts': return infoInterrupts(rt.machine, rest);
    default: throw new ExprError(`info ${topic}: expected one of ${INFO_TOPICS.join(', ')}`);
  }
}

function infoRegisters(rt: DebugRuntime, id: number): string {
  const cpu = rt.vcpus[id].cpu;
  const lines = [`vCPU ${id} (priv ${privName(cpu.priv)}${cpu.halted ? ', halted in wfi' : ''})`, ` pc       ${hex32(cpu.pc).slice(2)}${rt.program.describe(cpu.pc >>> 0) ? `  <${rt.program.describe(cpu.pc >>> 0)}>` : ''}`];
  for (const [addr, name] of CSR_NAMES) {
    if (addr >= 0xc00 || addr >= 0xb00 && addr < 0xc00) continue;
    const v = cpu.csrRead(addr);
    if (v !== undefined) lines.push(` ${name.padEnd(8)} ${hex32(v).slice(2)}`);
  }
  for (let i = 0; i < 32; i += 4) {
    lines.push(Array.from({ length: 4 }, (_, k) => ` ${`x${i + k}/${GPR_ABI_NAMES[i + k]}`.padEnd(8)} ${hex32(cpu.x[i + k]).slice(2)}`).join(''));
  }
  lines.push(` cycles ${cpu.cycles()}  instret ${cpu.instret}`);
  return lines.join('\n');
}

const vecs = (l: number[]): string => (l.length ? l.map((x) => hex(x)).join(' ') : '(none)');

function infoLapic(rt: DebugRuntime, only: number | undefined): string {
  const all = lapicSnapshots(rt);
  if (all.length === 0) return 'this machine has no Local APICs yet';
  return all.filter((l) => only === undefined || l.vcpu === only).map((l) => [
    `LAPIC ${l.vcpu} (in ${l.placement === 'kernel' ? 'kernel' : 'the VMM'}): ID ${hex(l.id)}  SVR ${hex32(l.svr)} (${l.softwareEnabled ? 'enabled' : 'software-disabled'})`,
    `  TPR ${hex(l.tpr)}  PPR ${hex(l.ppr)}  LDR ${hex32(l.ldr)}  DFR ${hex32(l.dfr)}`,
    `  IRR ${vecs(l.irr)}   ISR ${vecs(l.isr)}   TMR ${vecs(l.tmr)}`,
    `  ICR ${hex32(l.icrHigh)}:${hex32(l.icrLow).slice(2)}`,
    `  LVT timer ${hex32(l.lvt[0] ?? 0)} thermal ${hex32(l.lvt[1] ?? 0)} perf ${hex32(l.lvt[2] ?? 0)} LINT0 ${hex32(l.lvt[3] ?? 0)} LINT1 ${hex32(l.lvt[4] ?? 0)} error ${hex32(l.lvt[5] ?? 0)}`,
    `  timer: initial ${l.timer.initialCount} current ${l.timer.currentCount} divide ${hex(l.timer.divideConfig)} ${l.timer.periodic ? 'periodic' : 'one-shot'}`,
    `  next deliverable vector: ${l.highestDeliverable >= 0 ? hex(l.highestDeliverable) : '(none)'}`,
  ].join('\n')).join('\n');
}

function infoIoapic(rt: DebugRuntime): string {
  const s = ioapicSnapshot(rt);
  if (!s) return 'this machine has no IOAPIC yet';
  const sel = s.ioRegSel >= 0x10 ? ` (redir[${(s.ioRegSel - 0x10) >> 1}])` : '';
  const lines = [`ioapic0: ver=${hex(s.version)} id=0x${s.id.toString(16).padStart(2, '0')} sel=0x${s.ioRegSel.toString(16).padStart(2, '0')}${sel} (in ${s.placement === 'kernel' ? 'kernel' : 'the VMM'})`];
  for (const p of s.pins) {
    const e = p.entry;
    const raw = (BigInt(e.high) << 32n | BigInt(e.low)).toString(16).padStart(16, '0');
    lines.push(`  pin ${String(p.gsi).padEnd(2)} 0x${raw} dest=${e.destination.toString(16)} vec=${String(e.vector).padEnd(3)} ` +
      `${e.polarity === 'high' ? 'active-hi' : 'active-lo'} ${e.trigMode.padEnd(5)} ${e.masked ? 'masked' : '      '} ${e.deliveryMode.padEnd(6)} ${e.destMode}` +
      `${e.remoteIrr ? ' remote-irr' : ''}${p.line ? ' line-high' : ''}${p.blockedBy ? ` (held: ${p.blockedBy})` : ''}`);
  }
  return lines.join('\n');
}

function infoMtree(rt: DebugRuntime): string {
  let text = rt.machine.mtree.format();
  if (rt.view.irqchip !== 'userspace' && rt.view.lapics?.length) {
    text += '\nkernel I/O bus (KVM, no VMM region):\n    00000000fee00000-00000000fee00fff (in-kernel): lapic';
    if (rt.view.irqchip === 'kernel' || rt.view.irqchip === undefined) text += '\n    00000000fec00000-00000000fec00fff (in-kernel): ioapic';
  }
  return text;
}

/** `info ept` (Intel) or `info npt` (AMD): the stage-2 leaves of the VM's own mode. */
function infoStage2(rt: DebugRuntime, topic: 'ept' | 'npt'): string {
  const p = pagingSnapshot(rt, 256);
  if (p.mode !== 'shadow' && p.mode !== topic) return `info ${topic}: this VM uses ${p.mode.toUpperCase()} (mmu: "${p.mode}"): see info ${p.mode}`;
  if (p.mode === 'shadow') {
    const roots = p.shadowRoots ?? [];
    return roots.length ? ['shadow page tables:', ...roots.map((r) => `  root ${r.root < 0 ? 'identity (paging off)' : hex32(r.root)}: ${r.entries} entries`)].join('\n') : 'shadow page tables: empty';
  }
  const npt = p.mode === 'npt';
  const lines = [`${npt ? `NPT (nCR3 ${hex32(rt.machine.vm.paging instanceof NestedPaging ? rt.machine.vm.paging.tables.tableBase : 0)})` : 'EPT'}: ${p.eptLeafCount} leaves (RAM pages mapped and MMIO SPTEs)`];
  const mmio = npt ? 'MMIO SPTE (reserved bits 51:48 set: accesses take VMEXIT_NPF with RSVD)' : 'MMIO SPTE (misconfigured: accesses exit as EPT_MISCONFIG)';
  for (const l of p.eptLeaves ?? []) {
    lines.push(`  GPA ${hex32(l.gpa)} -> ${l.mmio ? mmio : `HPA ${hex32(l.hpa)} ${npt ? nptFlags(l.flags) : eptRwx(l.flags)}`}`);
  }
  if (p.truncated) lines.push(`  … (${(p.eptLeafCount ?? 0) - (p.eptLeaves?.length ?? 0)} more)`);
  return lines.join('\n');
}

function infoExits(rt: DebugRuntime): string {
  const s = collectStatistics(rt.machine);
  const vm = rt.machine.vm;
  const counts = Object.entries(s.exits).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  const vmm = Object.entries(s.vmmExits).filter(([, n]) => n > 0);
  const lines = [`VM exits: ${vm.stats.exits} (cycles ${s.cycles}, instructions ${s.instructions})`];
  for (const [r, n] of counts) lines.push(`  ${r.padEnd(20)} ${String(n).padStart(10)}`);
  lines.push(`exits to the VMM:`);
  for (const [r, n] of vmm) lines.push(`  ${r.padEnd(24)} ${String(n).padStart(6)}`);
  if (vmm.length === 0) lines.push('  (none)');
  lines.push('MMIO by device:');
  for (const d of s.mmio.filter((x) => x.reads + x.writes > 0)) lines.push(`  ${d.device.padEnd(10)} ${d.handledIn.padEnd(6)} ${d.reads} reads, ${d.writes} writes`);
  lines.push('recent exits:');
  for (const e of vm.exitLog.slice(-16)) {
    lines.push(`  ${String(e.cycle).padStart(10)} ${e.reason.padEnd(16)} pc ${hex32(e.pc)}${e.gpa !== undefined ? ` gpa ${hex32(e.gpa)}` : ''}${e.access ? ` ${e.access}` : ''}` +
      `${e.device ? ` ${e.device}${e.register ? '.' + e.register : ''}${e.value !== undefined ? `=${hex(e.value)}` : ''}` : ''} ${e.handledIn}${e.vmmExit ? ' ' + e.vmmExit : ''}`);
  }
  return lines.join('\n');
}

function infoIrq(rt: DebugRuntime): string {
  const io = rt.view.ioapic;
  if (!io) return 'this machine has no interrupt controllers yet';
  const routes = routing(rt);
  const lines = ['GSI  line  entry                                   source            route'];
  for (let gsi = 0; gsi < 24; gsi++) {
    const e = io.entry(gsi);
    const rs = routes.filter((r) => r.gsi === gsi);
    const line = io.lineLevel(gsi);
    if (!line && e.mask && rs.length === 0) continue;
    const entry = `vec ${hex(e.vector).padEnd(5)} ${e.trigMode ? 'level' : 'edge '} ${e.mask ? 'masked' : 'unmasked'} dest ${e.destination}${e.remoteIrr ? ' remote-irr' : ''}`;
    const src = rs.map((r) => `${r.device}${r.pin ? ` ${r.bdf} ${r.pin} → ${pirqName(r.pirq ?? 0)}` : ''}`).join(', ') || '-';
    const dest = rs[0]?.destinations.length ? `→ LAPIC ${rs[0].destinations.join(',')}` : '';
    const blocked = rs.find((r) => r.blockedBy)?.blockedBy;
    lines.push(`${String(gsi).padStart(3)}  ${line ? 'high' : 'low '}  ${entry.padEnd(38)} ${src.padEnd(17)} ${dest}${blocked ? `  (${blocked})` : ''}`);
  }
  const st = rt.view.interruptStatistics?.() ?? collectStatistics(rt.machine).interrupts;
  lines.push(`interrupts: ${st.asserted} asserted, ${st.delivered} delivered, ${st.taken} taken; latency mean ${st.latencyCycles.mean.toFixed(0)} max ${st.latencyCycles.max} cycles`);
  return lines.join('\n');
}

// ---- x / xp -------------------------------------------------------------------------------------------

function examine(rt: DebugRuntime, text: string, vcpu: number): string {
  const m = /^(xp?)(?:\/(\d*)([xduoci]?)([bhwg]?))?\s+(.+)$/.exec(text);
  if (!m) throw new ExprError('usage: x/Nfu ADDR  (N count, f one of x d u o c i, u one of b h w g)');
  const physical = m[1] === 'xp';
  const count = m[2] ? Number(m[2]) : 1;
  const format = m[3] || 'x';
  const unit = format === 'i' ? 4 : format === 'c' ? 1 : ({ b: 1, h: 2, w: 4, g: 8 } as Record<string, number>)[m[4] || 'w'];
  if (count < 1 || count > 4096) throw new ExprError('count must be 1–4096');
  const address = toNumber(evaluate(parseExpression(m[5]), rt.context(vcpu))) >>> 0;
  const v = rt.vcpus[vcpu];
  const read = (a: number, size: 1 | 2 | 4): number => (physical ? rt.inspector.readPhys(a, size, vcpu) : rt.inspector.readVirt(v, a, size));
  const lines: string[] = [];
  if (format === 'i') {
    // 2- and 4-byte instructions (the C extension): the stream is walked, not stepped by 4.
    read(address, 2); // an unreadable start is an error, as for the other formats
    const half = (a: number): number | undefined => { try { return read(a, 2); } catch { return undefined; } };
    for (const f of walkForward(half, address, count)) {
      const sym = rt.program.describe(f.address);
      const text = f.word === undefined ? '??' : disassemble(f.word, f.address).replace('\t', ' ');
      lines.push(`${hex32(f.address).slice(2)}: ${text}${sym && !sym.includes('+') ? `   <${sym}>` : ''}`);
    }
    return lines.join('\n');
  }
  const perLine = format === 'c' ? 16 : Math.max(1, 16 / unit);
  let line = '';
  for (let k = 0; k < count; k++) {
    const a = (address + unit * k) >>> 0;
    if (k % perLine === 0) { if (line) lines.push(line); line = `${hex32(a).slice(2)}:`; }
    if (unit === 8) {
      const lo = read(a, 4), hi = read(a + 4, 4);
      line += ' ' + formatUnit(Number((BigInt(hi) << 32n) | BigInt(lo)), BigInt(hi) << 32n | BigInt(lo), 8, format);
    } else {
      const x = read(a, unit as 1 | 2 | 4);
      line += ' ' + formatUnit(x, BigInt(x), unit, format);
    }
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

function formatUnit(x: number, big: bigint, unit: number, format: string): string {
  const bits = unit * 8;
  switch (format) {
    case 'd': return BigInt.asIntN(bits, big).toString();
    case 'u': return BigInt.asUintN(bits, big).toString();
    case 'o': return '0' + BigInt.asUintN(bits, big).toString(8);
    case 'c': return x >= 32 && x < 127 ? `'${String.fromCharCode(x)}'` : `'\\x${x.toString(16).padStart(2, '0')}'`;
    default: return '0x' + BigInt.asUintN(bits, big).toString(16).padStart(unit * 2, '0');
  }
}

// ---- completion ---------------------------------------------------------------------------------------

interface Completion { label: string; type: 'keyword' | 'variable' | 'function' | 'property' | 'reference' }

/** Candidates for the word before `column` (1-based, as DAP columns by default). */
export function complete(rt: DebugRuntime, text: string, column: number): { items: Completion[]; start: number } {
  const before = text.slice(0, Math.max(0, column - 1));
  const wordMatch = /[\w.$]*$/.exec(before)!;
  const word = wordMatch[0];
  const start = before.length - word.length;
  const head = before.slice(0, start);
  let items: Completion[];
  if (/^\s*info\s+$/.test(head)) items = INFO_TOPICS.map((t) => ({ label: t, type: 'property' }));
  else if (/^\s*nic\s+$/.test(head)) items = [{ label: 'rx', type: 'keyword' }];
  else if (/^\s*$/.test(head)) {
    items = [
      ...COMMANDS.map((c): Completion => ({ label: c, type: 'keyword' })),
      ...expressionNames(rt),
    ];
  } else {
    items = expressionNames(rt);
  }
  return { items: items.filter((i) => i.label.startsWith(word)).slice(0, 500), start };
}

function expressionNames(rt: DebugRuntime): Completion[] {
  return [
    ...['pc', ...allRegisterNames()].map((r): Completion => ({ label: r, type: 'variable' })),
    ...CSRS.filter((c) => c.description).map((c): Completion => ({ label: c.name, type: 'variable' })),
    ...FUNCTION_NAMES.map((f): Completion => ({ label: f, type: 'function' })),
    ...['$vcpu', '$steps', '$cycles', '$instret', '$priv'].map((f): Completion => ({ label: f, type: 'variable' })),
    ...rt.program.symbols.map((s): Completion => ({ label: s.name, type: 'reference' })),
    ...EVENT_FILTERS.flatMap((f) => f.fields).filter((f, i, a) => a.indexOf(f) === i && !/^(pc|vcpu)$/.test(f)).map((f): Completion => ({ label: f, type: 'property' })),
  ];
}
