// The C extension (unprivileged spec 20191213 ch. 16): each 16-bit instruction runs as its 32-bit
// expansion. The pairs below are GNU as output: `riscv64-unknown-elf-as -march=rv32imac` for the
// compressed form, the same operands under `.option norvc` for the expansion.
import * as assert from 'assert';
import { Csr } from '../../../src/vm/cpu/csr';
import { decode, Op } from '../../../src/vm/cpu/decode';
import { expandCompressed } from '../../../src/vm/cpu/rvc';
import { addi, auipc, bne, jal, jalr, li, lw, nop, sh, sw } from './encode';
import { BareRig, CODE, MachineRig, RAM } from './harness';

const GNU_PAIRS: readonly [compressed: number, expanded: number, objdump: string][] = [
  [0x1fe8, 0x3fc10513, 'c.addi4spn a0,sp,1020'],
  [0x5d6c, 0x07c52583, 'c.lw a1,124(a0)'],
  [0xc0ac, 0x04b4a023, 'c.sw a1,64(s1)'],
  [0x0001, 0x00000013, 'c.nop'],
  [0x1501, 0xfe050513, 'c.addi a0,-32'],
  [0x2ffd, 0x7fe000ef, 'c.jal .+2046'],
  [0x47fd, 0x01f00793, 'c.li a5,31'],
  [0x7101, 0xe0010113, 'c.addi16sp sp,-512'],
  [0x617d, 0x1f010113, 'c.addi16sp sp,496'],
  [0x7501, 0xfffe0537, 'c.lui a0,0xfffe0'],
  [0x637d, 0x0001f337, 'c.lui t1,0x1f'],
  [0x827d, 0x01f65613, 'c.srli a2,0x1f'],
  [0x8685, 0x4016d693, 'c.srai a3,0x1'],
  [0x9b7d, 0xfff77713, 'c.andi a4,-1'],
  [0x8c05, 0x40940433, 'c.sub s0,s1'],
  [0x8d3d, 0x00f54533, 'c.xor a0,a5'],
  [0x8dd9, 0x00e5e5b3, 'c.or a1,a4'],
  [0x8e75, 0x00d67633, 'c.and a2,a3'],
  [0xb001, 0x801ff06f, 'c.j .-2048'],
  [0xd101, 0xf00500e3, 'c.beqz a0,.-256'],
  [0xecfd, 0x0e049f63, 'c.bnez s1,.+254'],
  [0x02fe, 0x01f29293, 'c.slli t0,0x1f'],
  [0x50fe, 0x0fc12083, 'c.lwsp ra,252(sp)'],
  [0x8082, 0x00008067, 'c.jr ra'],
  [0x83ee, 0x01b003b3, 'c.mv t2,s11'],
  [0x9002, 0x00100073, 'c.ebreak'],
  [0x9282, 0x000280e7, 'c.jalr t0'],
  [0x957e, 0x01f50533, 'c.add a0,t6'],
  [0xdf86, 0x0e112e23, 'c.swsp ra,252(sp)'],
];

/** Reserved, RV64-only and floating-point encodings: illegal on RV32IMAC. */
const ILLEGAL: readonly [number, string][] = [
  [0x0000, 'the all-zero halfword (c.addi4spn with 0)'],
  [0x2000, 'c.fld'], [0x6000, 'c.flw'], [0xa000, 'c.fsd'], [0xe000, 'c.fsw'], [0x8000, 'reserved quadrant-0 funct3 4'],
  [0x6101, 'c.addi16sp with 0'], [0x6501, 'c.lui a0, 0'],
  [0x9005, 'c.srli with shamt[5]'], [0x9405, 'c.srai with shamt[5]'], [0x1002, 'c.slli with shamt[5]'],
  [0x9c01, 'c.subw (RV64)'], [0x9c21, 'c.addw (RV64)'],
  [0x4002, 'c.lwsp with rd = x0'], [0x8002, 'c.jr with rs1 = x0'],
  [0x2002, 'c.fldsp'], [0x6002, 'c.flwsp'], [0xa002, 'c.fsdsp'], [0xe002, 'c.fswsp'],
];

/** Two compressed instructions as one little-endian word: `first` at the lower address. */
const pair = (first: number, second: number): number => ((second << 16) | first) >>> 0;
const C_NOP = 0x0001, C_ADDI_A0_1 = 0x0505, C_ADDI_A0_2 = 0x0509, C_EBREAK = 0x9002;

describe('the C extension', () => {
  describe('expansion (GNU as pairs)', () => {
    for (const [c, expanded, text] of GNU_PAIRS) {
      it(`${text}: 0x${c.toString(16).padStart(4, '0')} → 0x${expanded.toString(16).padStart(8, '0')}`, () => {
        assert.strictEqual(expandCompressed(c), expanded);
        const d = decode(c);
        assert.strictEqual(d.length, 2);
        assert.notStrictEqual(d.op, Op.ILLEGAL);
      });
    }
    for (const [c, what] of ILLEGAL) {
      it(`${what} (0x${c.toString(16).padStart(4, '0')}) is illegal`, () => {
        assert.strictEqual(expandCompressed(c), 0);
        assert.strictEqual(decode(c).op, Op.ILLEGAL);
      });
    }
    it('a 32-bit instruction is 4 bytes long', () => assert.strictEqual(decode(addi(10, 10, 1)).length, 4));
  });

  describe('execution', () => {
    it('a mixed 16/32-bit stream: pc advances by each instruction\'s length, links are pc + 2 after c.jal', () => {
      // 0: c.addi a0,1 | c.addi a0,2   4: addi a0,a0,4   8: c.jal +4 (→ 12) | c.nop   12: c.nop | c.nop
      const r = new MachineRig([pair(C_ADDI_A0_1, C_ADDI_A0_2), addi(10, 10, 4), pair(0x2011, C_NOP), pair(C_NOP, C_NOP)]);
      r.step(3);
      assert.strictEqual(r.x(10), 7);
      assert.strictEqual(r.pc, CODE + 8);
      r.step(1);
      assert.strictEqual(r.pc, CODE + 12);
      assert.strictEqual(r.x(1), CODE + 10, 'c.jal links the address of the next halfword');
      assert.strictEqual(r.cpu.instret, 4);
    });

    it('c.lwsp / c.swsp / c.addi16sp / c.mv work on the stack as their expansions do', () => {
      const r = new MachineRig([
        li(2, RAM + 0x1100), li(1, 0x1234),
        pair(0xc006, 0x4502), // c.swsp ra,0(sp) | c.lwsp a0,0(sp)
        pair(0x1141, 0x838a), // c.addi16sp sp,-16 | c.mv t2,sp
      ]);
      r.step(8);
      assert.strictEqual(r.read32(RAM + 0x1100), 0x1234);
      assert.strictEqual(r.x(10), 0x1234);
      assert.strictEqual(r.x(2), RAM + 0x10f0);
      assert.strictEqual(r.x(7), RAM + 0x10f0);
    });

    it('an illegal compressed instruction traps with mtval = its 16 bits, mepc = its address', () => {
      const r = new MachineRig([pair(C_NOP, 0x4002)]);
      r.cpu.mtvec = CODE + 0x100;
      r.step(2);
      assert.strictEqual(r.csr(Csr.mcause), 2);
      assert.strictEqual(r.csr(Csr.mtval), 0x4002);
      assert.strictEqual(r.csr(Csr.mepc), CODE + 2);
    });

    it('c.ebreak under a debugger stops at it (the 2-byte compiled-in breakpoint)', () => {
      const r = new BareRig([pair(C_ADDI_A0_1, C_EBREAK), nop()]);
      r.port.debuggerAttached = true;
      r.step(5);
      assert.strictEqual(r.pc, CODE + 2);
      assert.strictEqual(r.x(10), 1);
    });

    it('c.ebreak without a debugger traps (cause 3), mepc = its address', () => {
      const r = new BareRig([pair(C_ADDI_A0_1, C_EBREAK), nop()]);
      r.cpu.mtvec = CODE + 0x100;
      r.step(2);
      assert.strictEqual(r.csr(Csr.mcause), 3);
      assert.strictEqual(r.csr(Csr.mepc), CODE + 2);
    });

    it('mret to an mepc with bit 1 set resumes at that halfword (as rv32mi-p-ma_fetch expects)', () => {
      // mepc = CODE + 0x42 (c.addi a0,1 in the upper half of the word at 0x40), then mret.
      const r = new MachineRig([li(5, CODE + 0x42), 0x34129073 /* csrw mepc, t0 */, 0x30200073 /* mret */]);
      r.place(CODE + 0x40, [pair(C_NOP, C_ADDI_A0_1), nop()]);
      r.cpu.mstatus |= 3 << 11; // MPP = M
      r.step(5);
      assert.strictEqual(r.x(10), 1);
      assert.strictEqual(r.pc, CODE + 0x44);
      assert.strictEqual(r.csr(Csr.mcause), 0, 'no exception');
    });
  });

  describe('the decode cache, per halfword', () => {
    it('sh over a compressed instruction that already ran: the new one runs', () => {
      // 0: auipc t0,0   4: c.addi a0,1 | c.nop (the victim)   8: bne t1,x0,+16 (→ 24)   12: sh t2,4(t0)
      // 16: addi t1,x0,1   20: jal x0,-16 (→ 4)   24: nop
      const program = [auipc(5, 0), pair(C_ADDI_A0_1, C_NOP), bne(6, 0, 16), sh(7, 5, 4), addi(6, 0, 1), jal(0, -16), nop()];
      const r = new MachineRig(program);
      r.cpu.x[7] = C_ADDI_A0_2;
      r.step(11);
      assert.strictEqual(r.pc, CODE + 28);
      assert.strictEqual(r.x(10), 3, 'c.addi a0,1 then, patched, c.addi a0,2');
    });

    it('a store to the upper half of a 32-bit instruction re-decodes it (the slot one halfword before)', () => {
      // The victim `addi a0, a0, 1` at +4; the patch rewrites only its upper halfword (imm = 5).
      const victim = addi(10, 10, 1), patched = addi(10, 10, 5);
      const program = [auipc(5, 0), victim, bne(6, 0, 16), sh(7, 5, 6), addi(6, 0, 1), jal(0, -16), nop()];
      const r = new MachineRig(program);
      r.cpu.x[7] = patched >>> 16;
      r.step(9);
      assert.strictEqual(r.pc, CODE + 28);
      assert.strictEqual(r.x(10), 6);
    });

    it('a jump into the middle of a 32-bit instruction decodes the halfword found there', () => {
      // The word at +4 is `lui x0, 0x05050` (a no-op as a whole) whose upper half is c.addi a0,1.
      const lui = ((C_ADDI_A0_1 << 16) | 0x037) >>> 0; // lui x0, 0x05050: a no-op as a whole
      const r = new MachineRig([jal(0, 6), lui, jal(0, -4), nop()]);
      r.step(1);
      assert.strictEqual(r.pc, CODE + 6);
      r.step(1); // c.addi a0,1 from the upper half
      assert.strictEqual(r.x(10), 1);
      assert.strictEqual(r.pc, CODE + 8);
      r.step(1); // jal -4 → CODE + 4: the whole lui now
      r.step(1);
      assert.strictEqual(r.x(10), 1, 'the lui to x0 did nothing');
      assert.strictEqual(r.pc, CODE + 8);
    });
  });

  describe('a 32-bit instruction across a page boundary', () => {
    const PAGE_END = RAM + 0x1ffe;

    it('runs, its halves fetched through each page (and not cached: a patch of the second half shows)', () => {
      const r = new BareRig([jal(0, 0x1ffe), nop()], { ramBytes: 3 * 4096 });
      const insn = addi(10, 10, 7);
      r.place(PAGE_END - 2, [(insn << 16) >>> 0, (insn >>> 16) | (jalr(0, 1, 0) << 16), jalr(0, 1, 0) >>> 16]);
      r.cpu.x[1] = CODE + 4;
      r.step(3); // jal, the straddling addi, then the jalr assembled from the halves at +2..+6
      assert.strictEqual(r.x(10), 7);
      // Patch the immediate in the upper half (on the second page) and run again.
      const patched = addi(10, 10, 9);
      r.mem.u16[(0x2000) >> 1] = patched >>> 16;
      r.cpu.pc = PAGE_END;
      r.step(1);
      assert.strictEqual(r.x(10), 16);
    });

    it('a fault on the second half: mepc = the instruction, mtval = the second page (privileged spec §3.1.16)', () => {
      const r = new BareRig([jal(0, 0x1ffe), nop()], { ramBytes: 2 * 4096 }); // the page after RAM is MMIO
      r.place(PAGE_END - 2, [(addi(10, 10, 7) << 16) >>> 0]);
      r.cpu.mtvec = CODE + 0x100;
      r.step(2);
      assert.strictEqual(r.csr(Csr.mcause), 1, 'instruction access fault');
      assert.strictEqual(r.csr(Csr.mepc), PAGE_END);
      assert.strictEqual(r.csr(Csr.mtval), RAM + 0x2000);
      assert.strictEqual(r.x(10), 0);
      assert.strictEqual(r.cpu.instret, 1, 'the straddling instruction did not retire');
    });

    it('a compressed instruction in the last halfword needs nothing from the next page', () => {
      const r = new BareRig([jal(0, 0x1ffe), nop()], { ramBytes: 2 * 4096 });
      r.place(PAGE_END - 2, [(C_ADDI_A0_1 << 16) >>> 0]);
      r.cpu.mtvec = CODE + 0x100;
      r.step(2);
      assert.strictEqual(r.x(10), 1);
      assert.strictEqual(r.csr(Csr.mcause), 0);
      r.step(1); // now the fetch at the next page faults, with mtval = pc
      assert.strictEqual(r.csr(Csr.mcause), 1);
      assert.strictEqual(r.csr(Csr.mtval), RAM + 0x2000);
      assert.strictEqual(r.csr(Csr.mepc), RAM + 0x2000);
    });
  });

  it('misa has C (bit 2)', () => {
    const r = new MachineRig([0x30102573 /* csrr a0, misa */]);
    r.step(1);
    assert.ok(r.x(10) & (1 << 2));
  });

  it('sw and lw are unaffected', () => {
    const r = new MachineRig([li(5, RAM + 0x1000), li(6, 0x5a5a), sw(6, 5, 0), lw(7, 5, 0)]);
    r.step(6);
    assert.strictEqual(r.x(7), 0x5a5a);
  });
});
