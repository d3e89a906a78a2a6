/**
 * Integer register names (RISC-V unprivileged spec, chapter 25 "RISC-V Assembly
 * Programmer's Handbook", table 25.1). GNU as accepts the numeric names x0–x31,
 * the ABI names, and `fp` as a second name for s0. Register names are
 * case-sensitive in GNU as (`A0` is not a register), and so here.
 */
export const GPR_ABI_NAMES: readonly string[] = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2',
  's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7',
  's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
];

const REGISTER_NUMBERS: ReadonlyMap<string, number> = buildRegisterMap();

function buildRegisterMap(): Map<string, number> {
  const map = new Map<string, number>();
  GPR_ABI_NAMES.forEach((name, i) => {
    map.set(name, i);
    map.set(`x${i}`, i);
  });
  map.set('fp', 8);
  return map;
}

/** The register number for a name (`a0`, `x10`, `fp`), or undefined. */
export function registerNumber(name: string): number | undefined {
  return REGISTER_NUMBERS.get(name);
}

/** Every accepted register spelling, for completion. */
export function allRegisterNames(): string[] {
  return [...REGISTER_NUMBERS.keys()];
}

/** The ABI name objdump prints for a register number. */
export function registerName(n: number): string {
  return GPR_ABI_NAMES[n & 31];
}
