// The xAPIC MMIO register layout (SDM vol. 3 §11.4.1, Table 11-1) and the bit masks KVM applies on
// writes (arch/x86/kvm/lapic.c kvm_lapic_reg_write, apic_lvt_mask). Registers sit on 16-byte
// boundaries; each is 32 bits wide.

export const APIC_ID = 0x20;
export const APIC_LVR = 0x30;      // version
export const APIC_TPR = 0x80;
export const APIC_APR = 0x90;
export const APIC_PPR = 0xa0;
export const APIC_EOI = 0xb0;
const APIC_RRD = 0xc0;
export const APIC_LDR = 0xd0;
export const APIC_DFR = 0xe0;
export const APIC_SVR = 0xf0;
export const APIC_ISR = 0x100;     // 0x100–0x170
export const APIC_TMR = 0x180;     // 0x180–0x1F0
export const APIC_IRR = 0x200;     // 0x200–0x270
export const APIC_ESR = 0x280;
export const APIC_ICR_LOW = 0x300;
export const APIC_ICR_HIGH = 0x310;
export const APIC_LVT_TIMER = 0x320;
export const APIC_LVT_THERMAL = 0x330;
export const APIC_LVT_PERF = 0x340;
export const APIC_LVT_LINT0 = 0x350;
export const APIC_LVT_LINT1 = 0x360;
export const APIC_LVT_ERROR = 0x370;
export const APIC_TIMER_INITIAL = 0x380;
export const APIC_TIMER_CURRENT = 0x390;
export const APIC_TIMER_DIVIDE = 0x3e0;

/**
 * LVT registers in offset order, index = (offset - 0x320) >> 4: timer 0, thermal 1, performance
 * counters 2, LINT0 3, LINT1 4, error 5.
 */
export const LVT_COUNT = 6;
export const LVT_TIMER = 0, LVT_LINT0 = 3;

/**
 * Version register: version 0x14 (Pentium 4 / Xeon xAPIC, SDM §11.4.8) and "max LVT entry" 5 in
 * bits 23:16 — six LVTs, no CMCI — exactly what KVM reports (kvm_apic_set_version). Bit 24
 * (directed-EOI support) is clear: KVM sets it only for x2APIC guests with a userspace IOAPIC.
 */
export const APIC_VERSION_VALUE = 0x0005_0014;

const APIC_VECTOR_MASK = 0xff;
const APIC_MODE_MASK = 0x700;
const APIC_SEND_PENDING = 1 << 12;      // delivery status
const APIC_INPUT_POLARITY = 1 << 13;
const APIC_LVT_REMOTE_IRR = 1 << 14;
const APIC_LVT_LEVEL = 1 << 15;
export const APIC_LVT_MASKED = 1 << 16;
export const APIC_LVT_TIMER_PERIODIC = 1 << 17;

/** SVR: spurious vector 7:0, APIC software enable 8, focus processor checking 9 (SDM §11.9). */
export const SVR_ENABLE = 1 << 8;
export const SVR_WRITABLE = 0x3ff;
export const SVR_RESET = 0xff;

/** ICR low: vector, delivery mode, dest mode 11, delivery status 12, level 14, trigger 15, shorthand 19:18. */
export const ICR_BUSY = 1 << 12;
export const ICR_LEVEL_ASSERT = 1 << 14;
export const ICR_TRIGGER_LEVEL = 1 << 15;

/** Writable bits of each LVT, as KVM's apic_lvt_mask (the timer adds its mode bit 17). */
const LVT_BASE_MASK = APIC_LVT_MASKED | APIC_SEND_PENDING | APIC_VECTOR_MASK;
const LINT_MASK = LVT_BASE_MASK | APIC_MODE_MASK | APIC_INPUT_POLARITY | APIC_LVT_REMOTE_IRR | APIC_LVT_LEVEL;
export const LVT_WRITE_MASK: readonly number[] = [
  LVT_BASE_MASK | APIC_LVT_TIMER_PERIODIC,   // timer: one-shot or periodic (no TSC-deadline)
  LVT_BASE_MASK | APIC_MODE_MASK,            // thermal
  LVT_BASE_MASK | APIC_MODE_MASK,            // performance counters
  LINT_MASK,                                 // LINT0
  LINT_MASK,                                 // LINT1
  LVT_BASE_MASK,                             // error
];

/** Register names for traces, hovers and stop messages. */
export function lapicRegisterName(offset: number): string | undefined {
  const reg = offset & 0xff0;
  if (reg >= APIC_ISR && reg < APIC_TMR) return `ISR${(reg - APIC_ISR) >> 4}`;
  if (reg >= APIC_TMR && reg < APIC_IRR) return `TMR${(reg - APIC_TMR) >> 4}`;
  if (reg >= APIC_IRR && reg < APIC_ESR) return `IRR${(reg - APIC_IRR) >> 4}`;
  return NAMES.get(reg);
}

const NAMES = new Map<number, string>([
  [APIC_ID, 'ID'], [APIC_LVR, 'VERSION'], [APIC_TPR, 'TPR'], [APIC_APR, 'APR'], [APIC_PPR, 'PPR'],
  [APIC_EOI, 'EOI'], [APIC_RRD, 'RRD'], [APIC_LDR, 'LDR'], [APIC_DFR, 'DFR'], [APIC_SVR, 'SVR'],
  [APIC_ESR, 'ESR'], [APIC_ICR_LOW, 'ICR_LOW'], [APIC_ICR_HIGH, 'ICR_HIGH'],
  [APIC_LVT_TIMER, 'LVT_TIMER'], [APIC_LVT_THERMAL, 'LVT_THERMAL'], [APIC_LVT_PERF, 'LVT_PERF'],
  [APIC_LVT_LINT0, 'LVT_LINT0'], [APIC_LVT_LINT1, 'LVT_LINT1'], [APIC_LVT_ERROR, 'LVT_ERROR'],
  [APIC_TIMER_INITIAL, 'TIMER_INITIAL_COUNT'], [APIC_TIMER_CURRENT, 'TIMER_CURRENT_COUNT'],
  [APIC_TIMER_DIVIDE, 'TIMER_DIVIDE_CONFIG'],
]);
