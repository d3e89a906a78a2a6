// Text for the views: numbers as the datasheets and KVM print them. Pure (no vscode), so the node
// classes and their tests share it.

export function hex(n: number, digits = 0): string {
  return '0x' + (n >>> 0).toString(16).padStart(digits, '0');
}

export function hex8(n: number): string {
  return hex(n, 8);
}

/** A vector as the IOAPIC/LAPIC views print it: 0x31. */
export function vec(v: number): string {
  return hex(v & 0xff, 2);
}

/** A LAPIC vector register (IRR/ISR/TMR), given as the vectors set in it, e.g. "{0x31, 0xef}". */
export function vectorSet(vectors: readonly number[]): string {
  return vectors.length === 0 ? '{}' : `{${[...vectors].sort((a, b) => a - b).map(vec).join(', ')}}`;
}

/** A byte count in the largest unit that divides it: 64 MiB, 4 KiB, 12 B. */
export function size(bytes: number): string {
  for (const [unit, n] of [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const) {
    if (bytes >= n && bytes % n === 0) return `${bytes / n} ${unit}`;
  }
  return `${bytes} B`;
}

/** Half-open range [base, base + length) as the Memory view prints it. */
export function range(base: number, length: number): string {
  return `[${hex8(base)}, ${hex8(base + length)})`;
}

/**
 * Permission letters of a TLB entry's flags. The TLB keeps the Sv32 PTE bit positions
 * (RISC-V privileged spec §4.3.1: V0 R1 W2 X3 U4 G5 A6 D7; src/vm/mmu/tlb.ts TLB_R … TLB_D).
 */
export function tlbFlags(flags: number): string {
  const bit = (b: number, c: string): string => ((flags >>> b) & 1 ? c : '-');
  return bit(1, 'r') + bit(2, 'w') + bit(3, 'x') + bit(4, 'u') + bit(5, 'g') + bit(7, 'd');
}

/** Permission letters of an EPT leaf: bits 0–2 are read, write, execute (SDM Vol. 3C §29.3.2). */
export function eptFlags(flags: number): string {
  return (flags & 1 ? 'r' : '-') + (flags & 2 ? 'w' : '-') + (flags & 4 ? 'x' : '-');
}

/** An NPT leaf's bits as the state snapshot gives them: P, R/W, U/S in bits 2:0, NX as bit 3. */
export function nptLeafFlags(flags: number): string {
  return (flags & 1 ? 'p' : '-') + (flags & 2 ? 'w' : 'r') + (flags & 4 ? 'u' : 's') + (flags & 8 ? ' nx' : '');
}

/** The fields of an IOAPIC redirection entry's low dword (82093AA §3.2.4), for tooltips. */
export const RTE_LOW_FIELDS: readonly { name: string; shift: number; bits: number }[] = [
  { name: 'INTVEC (vector)', shift: 0, bits: 8 },
  { name: 'DELMOD (delivery mode)', shift: 8, bits: 3 },
  { name: 'DESTMOD (destination mode)', shift: 11, bits: 1 },
  { name: 'DELIVS (delivery status)', shift: 12, bits: 1 },
  { name: 'INTPOL (polarity)', shift: 13, bits: 1 },
  { name: 'Remote IRR', shift: 14, bits: 1 },
  { name: 'TRIGGER (trigger mode)', shift: 15, bits: 1 },
  { name: 'MASK', shift: 16, bits: 1 },
];

export function field(value: number, shift: number, bits: number): number {
  return (value >>> shift) & ((1 << bits) - 1);
}

/** Local vector table registers in snapshot order (0x320–0x370; SDM Vol. 3A §11.5.1), short for a 300 px row. */
export const LVT_NAMES = ['Timer', 'Thermal', 'PMC', 'LINT0', 'LINT1', 'Error'] as const;

/** An LVT entry in words, the vector first: "0xef · periodic", "ExtINT · level · masked". */
export function lvtText(index: number, raw: number): string {
  const masked = (raw >>> 16) & 1;
  const mode = (raw >>> 8) & 7;
  const modes = ['fixed', 'SMI', 'reserved', 'reserved', 'NMI', 'INIT', 'reserved', 'ExtINT'];
  const parts: string[] = [mode === 0 ? vec(raw) : modes[mode]];
  if (index === 0) parts.push(((raw >>> 17) & 3) === 1 ? 'periodic' : 'one-shot');
  if (index === 3 || index === 4) parts.push((raw >>> 15) & 1 ? 'level' : 'edge');
  if (masked) parts.push('masked');
  return parts.join(' · ');
}

/**
 * A PIRQ line named one way everywhere: "PIRQ D (3)" (0 = PIRQA … 3 = PIRQD). The views may not import
 * the machine, so this mirrors src/vm/vmm/pci/intx.ts pirqName; test/views/pirq-name.test.ts holds them equal.
 */
export function pirqName(pirq: number): string {
  return `PIRQ ${'ABCD'[pirq & 3]} (${pirq & 3})`;
}

/** 'INTA' → 0 … 'INTD' → 3: the pin number the swizzle adds. */
export function pinNumber(pin: string): number {
  return Math.max(0, 'ABCD'.indexOf(pin.slice(-1)));
}

/** A 64-bit register as two dwords, most significant first: "0x00000000_0000e031". */
export function hex64(high: number, low: number): string {
  return `0x${(high >>> 0).toString(16).padStart(8, '0')}_${(low >>> 0).toString(16).padStart(8, '0')}`;
}
