/**
 * Control and status register names (RISC-V privileged spec 1.12, chapter 2.2
 * "CSR Listing"), exactly the set GNU binutils 2.40 knows with
 * `-mpriv-spec=1.12`: objdump prints these names, GNU as accepts them in any
 * CSR operand. A few older spellings are accepted by the assembler only
 * (`CSR_ASSEMBLY_ALIASES`), as GNU as does.
 */
interface CsrInfo {
  readonly name: string;
  readonly address: number;
  /** One line for hover; empty when the CSR is outside what Hyperstep models. */
  readonly description: string;
}

type Entry = readonly [name: string, address: number, description?: string];

const NAMED: readonly Entry[] = [
  ['fflags', 0x001], ['frm', 0x002], ['fcsr', 0x003],
  ['vstart', 0x008], ['vxsat', 0x009], ['vxrm', 0x00a], ['vcsr', 0x00f], ['seed', 0x015],
  ['sstatus', 0x100, 'Supervisor status (restricted view of mstatus)'],
  ['sie', 0x104, 'Supervisor interrupt enable'],
  ['stvec', 0x105, 'Supervisor trap-handler base address'],
  ['scounteren', 0x106, 'Supervisor counter enable'],
  ['senvcfg', 0x10a, 'Supervisor environment configuration'],
  ['sstateen0', 0x10c], ['sstateen1', 0x10d], ['sstateen2', 0x10e], ['sstateen3', 0x10f],
  ['sieh', 0x114],
  ['sscratch', 0x140, 'Scratch register for supervisor trap handlers'],
  ['sepc', 0x141, 'Supervisor exception program counter'],
  ['scause', 0x142, 'Supervisor trap cause'],
  ['stval', 0x143, 'Supervisor bad address or instruction'],
  ['sip', 0x144, 'Supervisor interrupt pending'],
  ['stimecmp', 0x14d], ['siselect', 0x150], ['sireg', 0x151], ['siph', 0x154],
  ['stopei', 0x15c], ['stimecmph', 0x15d],
  ['satp', 0x180, 'Supervisor address translation and protection (Sv32 root, ASID, MODE)'],
  ['vsstatus', 0x200], ['vsie', 0x204], ['vstvec', 0x205], ['vsieh', 0x214],
  ['vsscratch', 0x240], ['vsepc', 0x241], ['vscause', 0x242], ['vstval', 0x243], ['vsip', 0x244],
  ['vstimecmp', 0x24d], ['vsiselect', 0x250], ['vsireg', 0x251], ['vsiph', 0x254],
  ['vstopei', 0x25c], ['vstimecmph', 0x25d], ['vsatp', 0x280],
  ['mstatus', 0x300, 'Machine status (MIE, SIE, MPIE, SPIE, MPP, SPP, MPRV, SUM, MXR, TVM, TW, TSR)'],
  ['misa', 0x301, 'ISA and extensions (MXL=1, I M A S U)'],
  ['medeleg', 0x302, 'Machine exception delegation to S-mode'],
  ['mideleg', 0x303, 'Machine interrupt delegation to S-mode'],
  ['mie', 0x304, 'Machine interrupt enable'],
  ['mtvec', 0x305, 'Machine trap-handler base address'],
  ['mcounteren', 0x306, 'Machine counter enable'],
  ['mvien', 0x308], ['mvip', 0x309],
  ['menvcfg', 0x30a, 'Machine environment configuration'],
  ['mstateen0', 0x30c], ['mstateen1', 0x30d], ['mstateen2', 0x30e], ['mstateen3', 0x30f],
  ['mstatush', 0x310, 'Upper half of mstatus (RV32)'],
  ['midelegh', 0x313], ['mieh', 0x314], ['mvienh', 0x318], ['mviph', 0x319],
  ['menvcfgh', 0x31a, 'Upper half of menvcfg (RV32)'],
  ['mstateen0h', 0x31c], ['mstateen1h', 0x31d], ['mstateen2h', 0x31e], ['mstateen3h', 0x31f],
  ['mcountinhibit', 0x320, 'Machine counter-inhibit'],
  ['mscratch', 0x340, 'Scratch register for machine trap handlers'],
  ['mepc', 0x341, 'Machine exception program counter'],
  ['mcause', 0x342, 'Machine trap cause'],
  ['mtval', 0x343, 'Machine bad address or instruction (the LAPIC vector on external interrupts)'],
  ['mip', 0x344, 'Machine interrupt pending'],
  ['mtinst', 0x34a], ['mtval2', 0x34b],
  ['miselect', 0x350], ['mireg', 0x351], ['miph', 0x354], ['mtopei', 0x35c],
  ['scontext', 0x5a8],
  ['hstatus', 0x600], ['hedeleg', 0x602], ['hideleg', 0x603], ['hie', 0x604],
  ['htimedelta', 0x605], ['hcounteren', 0x606], ['hgeie', 0x607], ['hvien', 0x608],
  ['hvictl', 0x609], ['henvcfg', 0x60a],
  ['hstateen0', 0x60c], ['hstateen1', 0x60d], ['hstateen2', 0x60e], ['hstateen3', 0x60f],
  ['hidelegh', 0x613], ['htimedeltah', 0x615], ['hvienh', 0x618], ['henvcfgh', 0x61a],
  ['hstateen0h', 0x61c], ['hstateen1h', 0x61d], ['hstateen2h', 0x61e], ['hstateen3h', 0x61f],
  ['htval', 0x643], ['hip', 0x644], ['hvip', 0x645], ['hviprio1', 0x646], ['hviprio2', 0x647],
  ['htinst', 0x64a], ['hviph', 0x655], ['hviprio1h', 0x656], ['hviprio2h', 0x657],
  ['hgatp', 0x680], ['hcontext', 0x6a8],
  ['mseccfg', 0x747], ['mseccfgh', 0x757],
  ['tselect', 0x7a0], ['tdata1', 0x7a1], ['tdata2', 0x7a2], ['tdata3', 0x7a3],
  ['tinfo', 0x7a4], ['tcontrol', 0x7a5], ['mcontext', 0x7a8], ['mscontext', 0x7aa],
  ['dcsr', 0x7b0], ['dpc', 0x7b1], ['dscratch0', 0x7b2], ['dscratch1', 0x7b3],
  ['mcycle', 0xb00, 'Machine cycle counter'],
  ['minstret', 0xb02, 'Machine instructions-retired counter'],
  ['mcycleh', 0xb80, 'Upper half of mcycle'],
  ['minstreth', 0xb82, 'Upper half of minstret'],
  ['cycle', 0xc00, 'Cycle counter (read-only shadow of mcycle)'],
  ['time', 0xc01, 'Timer (virtual time, one tick per cycle)'],
  ['instret', 0xc02, 'Instructions-retired counter'],
  ['vl', 0xc20], ['vtype', 0xc21], ['vlenb', 0xc22],
  ['cycleh', 0xc80, 'Upper half of cycle'],
  ['timeh', 0xc81, 'Upper half of time'],
  ['instreth', 0xc82, 'Upper half of instret'],
  ['scountovf', 0xda0], ['stopi', 0xdb0], ['hgeip', 0xe12], ['vstopi', 0xeb0],
  ['mvendorid', 0xf11, 'Vendor ID'],
  ['marchid', 0xf12, 'Architecture ID'],
  ['mimpid', 0xf13, 'Implementation ID'],
  ['mhartid', 0xf14, 'Hart ID (= vCPU index = LAPIC ID)'],
  ['mconfigptr', 0xf15, 'Pointer to configuration data structure'],
  ['mtopi', 0xfb0],
];

/** `name<i>` at `base + i - first` for i in [first, last]. */
function family(name: string, base: number, first: number, last: number, description = ''): Entry[] {
  const out: Entry[] = [];
  for (let i = first; i <= last; i++) out.push([`${name}${i}`, base + i - first, description]);
  return out;
}

/** Counter families: the hpm counters and events of the privileged spec, chapter 3.1.10. */
const FAMILIES: readonly Entry[] = [
  ...family('pmpcfg', 0x3a0, 0, 15, 'PMP configuration'),
  ...family('pmpaddr', 0x3b0, 0, 63, 'PMP address'),
  ...family('mhpmevent', 0x323, 3, 31),
  ...family('mhpmcounter', 0xb03, 3, 31),
  ...family('hpmcounter', 0xc03, 3, 31),
];

const HIGH_HALVES: readonly Entry[] = [
  ...family('mhpmevent', 0x723, 3, 31).map(([n, a]) => [`${n}h`, a] as const),
  ...family('mhpmcounter', 0xb83, 3, 31).map(([n, a]) => [`${n}h`, a] as const),
  ...family('hpmcounter', 0xc83, 3, 31).map(([n, a]) => [`${n}h`, a] as const),
];

/** Older names GNU as still accepts; objdump never prints them. */
const CSR_ASSEMBLY_ALIASES: readonly Entry[] = [
  ['ustatus', 0x000], ['uie', 0x004], ['utvec', 0x005], ['uscratch', 0x040],
  ['uepc', 0x041], ['ucause', 0x042], ['utval', 0x043], ['ubadaddr', 0x043], ['uip', 0x044],
  ['sedeleg', 0x102], ['sideleg', 0x103], ['sbadaddr', 0x143], ['sptbr', 0x180],
  ['mbadaddr', 0x343], ['mcontrol', 0x7a1], ['dscratch', 0x7b2],
];

function toInfo([name, address, description = '']: Entry): CsrInfo {
  return { name, address, description };
}

/** Every CSR with its canonical (objdump) name, sorted by address. */
export const CSRS: readonly CsrInfo[] = [...NAMED, ...FAMILIES, ...HIGH_HALVES]
  .map(toInfo)
  .sort((a, b) => a.address - b.address);

const BY_NAME: ReadonlyMap<string, CsrInfo> = new Map(
  [...CSRS, ...CSR_ASSEMBLY_ALIASES.map(toInfo)].map((c) => [c.name, c]),
);
const BY_ADDRESS: ReadonlyMap<number, CsrInfo> = new Map(CSRS.map((c) => [c.address, c]));

/** The CSR a name denotes (canonical names and assembly aliases), or undefined. */
export function csrByName(name: string): CsrInfo | undefined {
  return BY_NAME.get(name);
}

/** The canonical CSR at an address, or undefined when objdump prints it as a number. */
export function csrByAddress(address: number): CsrInfo | undefined {
  return BY_ADDRESS.get(address);
}
