// The two-stage translation explorer, the debugger's side (docs/translation.md): hyperstep/translate
// and the console's `translate GVA [cpu N] [r|w|x]`. The machine explains the translation through
// its debug port (src/vm/hv/explain.ts, side-effect free); this file checks the arguments, adds each
// guest PTE's last write from the reverse-execution history (last-write.ts) and formats the answer.
import type { AccessKind, Stage2Walk, TranslateResult } from '../protocol';
import { hex32 } from './format';
import { evaluate, ExprError, parseExpression, toNumber } from './expr';
import { findLastWrites } from './last-write';
import type { DebugRuntime } from './runtime';

// ---- the debugger's side: arguments, history, the console ----------------------------------------

/** hyperstep/translate: checks the arguments (naming the bad field), explains, adds lastWrite from history. */
export function answerTranslate(rt: DebugRuntime, args: unknown): TranslateResult {
  const a = (typeof args === 'object' && args !== null ? args : {}) as Record<string, unknown>;
  if (typeof a.gva !== 'number' || !Number.isInteger(a.gva) || a.gva < -(2 ** 31) || a.gva >= 2 ** 32) {
    throw new ExprError(`gva must be a 32-bit address, got ${JSON.stringify(a.gva)}`);
  }
  const id = a.vcpu ?? 0;
  const vcpu = typeof id === 'number' ? rt.vcpu(id) : undefined;
  if (!vcpu) throw new ExprError(`vcpu must be 0–${rt.vcpus.length - 1}, got ${JSON.stringify(a.vcpu)}`);
  const access = a.access ?? 'read';
  if (access !== 'read' && access !== 'write' && access !== 'fetch') throw new ExprError(`access must be read, write or fetch, got ${JSON.stringify(a.access)}`);
  const r: TranslateResult = rt.port.explain(vcpu.id, a.gva, access);
  // The history can be searched only while the machine stands still (requests also come mid-run).
  if (r.levels.length && !rt.running) {
    const writes = findLastWrites(rt, r.levels.map((l) => l.pteGpa));
    for (const l of r.levels) {
      const w = writes.get(l.pteGpa);
      if (w) l.lastWrite = w;
    }
  }
  return r;
}

/** Console: `translate GVA [cpu N] [r|w|x]`. */
export function translateCommand(rt: DebugRuntime, rest: string, vcpu: number): string {
  const words = rest.trim().split(/\s+/).filter(Boolean);
  let access: AccessKind = 'read', cpuId = vcpu;
  const exprParts: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === 'cpu' && i + 1 < words.length) { cpuId = Number(words[++i]); continue; }
    if (w === 'r' || w === 'w' || w === 'x') { access = w === 'r' ? 'read' : w === 'w' ? 'write' : 'fetch'; continue; }
    exprParts.push(w);
  }
  if (exprParts.length === 0) throw new ExprError('usage: translate GVA [cpu N] [r|w|x]');
  const gva = toNumber(evaluate(parseExpression(exprParts.join(' ')), rt.context(vcpu)));
  return formatTranslation(answerTranslate(rt, { gva: gva >>> 0, vcpu: cpuId, access }));
}

/** The answer as the console prints it: one line per level, stage-2 walks indented inside. */
function formatTranslation(r: TranslateResult): string {
  const out = [`GVA ${hex32(r.gva)} ${r.access} on vCPU ${r.vcpu} (${r.mmu.toUpperCase()}; satp ${hex32(r.satp)}${r.paging ? '' : ', paging off: GPA = GVA'})`];
  const stage2 = (w: Stage2Walk, indent: string): void => {
    out.push(`${indent}${w.mmu.toUpperCase()} walk of GPA ${hex32(w.gpa)} from ${w.mmu === 'npt' ? 'nCR3' : 'EPTP'} ${hex32(w.root)}: ${w.outcome}${w.hpa !== undefined ? ` → HPA ${hex32(w.hpa)}` : ''}` +
      `${w.cached ? ' (a cached guest-physical mapping: not walked, no references)' : ''}`);
    for (const l of w.levels) {
      out.push(`${indent}  ${l.name.padEnd(4)} table ${hex32(l.table)}[${String(l.index).padStart(3)}] = ${l.entry} ${l.present ? l.flags : 'not present'}` +
        `${l.memoryType !== undefined ? ` memtype ${l.memoryType}` : ''}${l.mmio ? ' (MMIO entry)' : ''}`);
    }
  };
  for (const l of r.levels) {
    const lw = l.lastWrite ? `; last written at cycle ${l.lastWrite.cycle} by pc ${hex32(l.lastWrite.pc)} (vCPU ${l.lastWrite.vcpu}, ${hex32(l.lastWrite.value)})` : '';
    out.push(`  level ${l.level} PTE at GPA ${hex32(l.pteGpa)} = ${hex32(l.pte)} ${l.flags} (${l.kind})${l.writeProtected ? ' write-protected' : ''}${lw}`);
    if (l.stage2) stage2(l.stage2, '    ');
  }
  if (r.fault) out.push(`  guest fault: ${r.fault}`);
  if (r.gpa !== undefined) out.push(`  GPA ${hex32(r.gpa)}`);
  if (r.final) stage2(r.final, '  ');
  if (r.shadow) {
    const s = r.shadow;
    out.push(`  shadow root ${s.root < 0 ? 'identity (paging off)' : hex32(s.root)}: ${s.entry ? `GPA page ${hex32(s.entry.gpaPage)} → ${s.entry.hostPage < 0 ? 'MMIO' : `HPA ${hex32(s.entry.hostPage)}`} ${s.entry.flags}` : 'no entry'}` +
      `${s.guestLeaf ? `; guest leaf at ${hex32(s.guestLeaf.pteGpa)} ${s.guestLeaf.flags}` : ''} — ${s.note}`);
  }
  if (r.hpa !== undefined) out.push(`  HPA ${hex32(r.hpa)}`);
  const t = r.tlb;
  out.push(`  TLB: ${t.hit ? 'hit' : 'miss'} (${t.tagName} ${t.tag}, ASID ${t.guestAsid}, set ${t.set}, way ${t.way}${t.hit ? '' : ' would be filled'})`);
  out.push(`  memory references: ${r.memoryReferences}`);
  out.push(...(r.exits.length ? r.exits.map((e) => `  exit: ${e}`) : ['  exits: none']));
  return out.join('\n');
}
