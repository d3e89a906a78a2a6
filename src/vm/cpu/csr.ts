// CSR addresses and field masks (RISC-V privileged spec 1.12, chapters 2, 3 and 4).

export const enum Csr {
  // Unprivileged counters (§2.2 table 2.2)
  cycle = 0xc00, time = 0xc01, instret = 0xc02, hpmcounter3 = 0xc03, hpmcounter31 = 0xc1f,
  cycleh = 0xc80, timeh = 0xc81, instreth = 0xc82, hpmcounter3h = 0xc83, hpmcounter31h = 0xc9f,
  // Supervisor
  sstatus = 0x100, sie = 0x104, stvec = 0x105, scounteren = 0x106, senvcfg = 0x10a,
  sscratch = 0x140, sepc = 0x141, scause = 0x142, stval = 0x143, sip = 0x144, satp = 0x180,
  // Machine information
  mvendorid = 0xf11, marchid = 0xf12, mimpid = 0xf13, mhartid = 0xf14, mconfigptr = 0xf15,
  // Machine trap setup and handling
  mstatus = 0x300, misa = 0x301, medeleg = 0x302, mideleg = 0x303, mie = 0x304, mtvec = 0x305,
  mcounteren = 0x306, menvcfg = 0x30a, mstatush = 0x310, menvcfgh = 0x31a, mcountinhibit = 0x320,
  mhpmevent3 = 0x323, mhpmevent31 = 0x33f,
  mscratch = 0x340, mepc = 0x341, mcause = 0x342, mtval = 0x343, mip = 0x344,
  mtinst = 0x34a, mtval2 = 0x34b,
  // Memory protection (WARL, not enforced)
  pmpcfg0 = 0x3a0, pmpcfg3 = 0x3a3, pmpaddr0 = 0x3b0, pmpaddr15 = 0x3bf,
  mseccfg = 0x747,
  // Machine counters
  mcycle = 0xb00, minstret = 0xb02, mhpmcounter3 = 0xb03, mhpmcounter31 = 0xb1f,
  mcycleh = 0xb80, minstreth = 0xb82, mhpmcounter3h = 0xb83, mhpmcounter31h = 0xb9f,
}

/** mstatus bits (§3.1.6). */
export const MSTATUS_SIE = 1 << 1;
export const MSTATUS_MIE = 1 << 3;
export const MSTATUS_SPIE = 1 << 5;
export const MSTATUS_MPIE = 1 << 7;
export const MSTATUS_SPP = 1 << 8;
export const MSTATUS_MPP_SHIFT = 11;
export const MSTATUS_MPP = 3 << MSTATUS_MPP_SHIFT;
export const MSTATUS_MPRV = 1 << 17;
export const MSTATUS_SUM = 1 << 18;
export const MSTATUS_MXR = 1 << 19;
export const MSTATUS_TVM = 1 << 20;
export const MSTATUS_TW = 1 << 21;
export const MSTATUS_TSR = 1 << 22;

/** The bits of mstatus a write may change; FS, VS, XS stay 0 (no F, no V), UBE stays 0 (little-endian). */
export const MSTATUS_WRITABLE = MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | MSTATUS_SPP |
  MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR;
/** sstatus is a restricted view of mstatus (§4.1.1). */
export const SSTATUS_MASK = MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR;

/** Interrupt numbers (§3.1.9, mip/mie). MEI is driven by the vCPU's Local APIC (see docs/machine.md). */
export const IRQ_SSI = 1, IRQ_MSI = 3, IRQ_STI = 5, IRQ_MTI = 7, IRQ_SEI = 9, IRQ_MEI = 11;
export const MIP_SSIP = 1 << IRQ_SSI;
const MIP_MSIP = 1 << IRQ_MSI;
export const MIP_STIP = 1 << IRQ_STI;
const MIP_MTIP = 1 << IRQ_MTI;
export const MIP_SEIP = 1 << IRQ_SEI;
export const MIP_MEIP = 1 << IRQ_MEI;
/** Bits of mie that exist. */
export const MIE_MASK = MIP_SSIP | MIP_MSIP | MIP_STIP | MIP_MTIP | MIP_SEIP | MIP_MEIP;
/** Bits of mip software may write from M-mode (MEIP and MTIP are driven by devices). */
export const MIP_WRITABLE = MIP_SSIP | MIP_STIP | MIP_SEIP;
/** Supervisor-level interrupts, the ones sip/sie can show. */
const S_INTERRUPTS = MIP_SSIP | MIP_STIP | MIP_SEIP;
/**
 * Interrupts mideleg may delegate. Besides the three supervisor interrupts, MEI (the LAPIC line)
 * is delegable here so an S-mode kernel can take device interrupts directly: a documented
 * deviation from the privileged spec, where M-level bits of mideleg are read-only zero.
 */
export const MIDELEG_WRITABLE = S_INTERRUPTS | MIP_MEIP;
/** Exceptions medeleg may delegate: all but ecall from M-mode (11) and the reserved codes 10 and 14. */
export const MEDELEG_WRITABLE = 0xb3ff;

/** misa: MXL=1 (RV32), extensions A C I M S U. */
export const MISA_VALUE = (1 << 30) | (1 << 0) | (1 << 2) | (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20);

/** Exception causes (§3.1.15 table 3.6). */
export const enum Cause {
  InsnMisaligned = 0, InsnAccessFault = 1, IllegalInsn = 2, Breakpoint = 3,
  LoadMisaligned = 4, LoadAccessFault = 5, StoreMisaligned = 6, StoreAccessFault = 7,
  EcallU = 8, EcallS = 9, EcallM = 11,
  InsnPageFault = 12, LoadPageFault = 13, StorePageFault = 15,
}

export const enum Priv { U = 0, S = 1, M = 3 }

export const CAUSE_NAMES: Record<number, string> = {
  0: 'instruction address misaligned', 1: 'instruction access fault', 2: 'illegal instruction',
  3: 'breakpoint', 4: 'load address misaligned', 5: 'load access fault',
  6: 'store/AMO address misaligned', 7: 'store/AMO access fault', 8: 'environment call from U-mode',
  9: 'environment call from S-mode', 11: 'environment call from M-mode', 12: 'instruction page fault',
  13: 'load page fault', 15: 'store/AMO page fault',
};

const CSR_NAME_LIST: [number, string][] = [
  [0xc00, 'cycle'], [0xc01, 'time'], [0xc02, 'instret'], [0xc80, 'cycleh'], [0xc81, 'timeh'], [0xc82, 'instreth'],
  [0x100, 'sstatus'], [0x104, 'sie'], [0x105, 'stvec'], [0x106, 'scounteren'], [0x10a, 'senvcfg'],
  [0x140, 'sscratch'], [0x141, 'sepc'], [0x142, 'scause'], [0x143, 'stval'], [0x144, 'sip'], [0x180, 'satp'],
  [0xf11, 'mvendorid'], [0xf12, 'marchid'], [0xf13, 'mimpid'], [0xf14, 'mhartid'], [0xf15, 'mconfigptr'],
  [0x300, 'mstatus'], [0x301, 'misa'], [0x302, 'medeleg'], [0x303, 'mideleg'], [0x304, 'mie'], [0x305, 'mtvec'],
  [0x306, 'mcounteren'], [0x30a, 'menvcfg'], [0x310, 'mstatush'], [0x31a, 'menvcfgh'], [0x320, 'mcountinhibit'],
  [0x340, 'mscratch'], [0x341, 'mepc'], [0x342, 'mcause'], [0x343, 'mtval'], [0x344, 'mip'],
  [0x34a, 'mtinst'], [0x34b, 'mtval2'], [0x747, 'mseccfg'],
  [0xb00, 'mcycle'], [0xb02, 'minstret'], [0xb80, 'mcycleh'], [0xb82, 'minstreth'],
];

/** The CSRs the debugger shows, by name, in address order of the table above. */
export const CSR_NAMES: ReadonlyMap<number, string> = new Map(CSR_NAME_LIST);
