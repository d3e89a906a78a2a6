/** Pseudo-instructions expand exactly as GNU as expands them (binutils riscv-opc.c, tc-riscv.c). */
import { strict as assert } from 'assert';
import { listing } from './helpers';

function expands(source: string, expected: string[]): void {
  it(`${source.split('\n').pop()} → ${expected.join('; ')}`, () => assert.deepEqual(listing(source), expected));
}

describe('pseudo-instructions', () => {
  describe('li (load_const: addi alone, lui alone, or lui + addi)', () => {
    expands('li a0, 0', ['addi a0,zero,0']);
    expands('li a0, -2048', ['addi a0,zero,-2048']);
    expands('li a0, 2047', ['addi a0,zero,2047']);
    expands('li a0, 2048', ['lui a0,0x1', 'addi a0,a0,-2048']);
    expands('li a0, 0x12345678', ['lui a0,0x12345', 'addi a0,a0,1656']);
    expands('li a0, 0x12345000', ['lui a0,0x12345']);
    expands('li a0, 0x80000000', ['lui a0,0x80000']);
    expands('li a0, 0xffffffff', ['addi a0,zero,-1']);
    expands('li a0, 0xfffff800', ['addi a0,zero,-2048']);
    expands('li a0, 0x7ffff800', ['lui a0,0x80000', 'addi a0,a0,-2048']);
    expands('li a0, -0x80000001', ['lui a0,0x80000', 'addi a0,a0,-1']);
    expands('.equ K, 0x1000\nli t0, K + 1', ['lui t0,0x1', 'addi t0,t0,1']);
  });

  describe('la, lla (pc-relative), or li for a constant', () => {
    expands('la a0, x\nx: nop', ['auipc a0,0x0', 'addi a0,a0,8', 'addi zero,zero,0']);
    expands('lla a1, x\nx: nop', ['auipc a1,0x0', 'addi a1,a1,8', 'addi zero,zero,0']);
    expands('la a0, 0x10000000', ['lui a0,0x10000']);
    expands('.equ UART, 0x10000005\nla a0, UART', ['lui a0,0x10000', 'addi a0,a0,5']);
  });

  describe('register and comparison aliases', () => {
    expands('mv a0, a1', ['addi a0,a1,0']);
    expands('not a0, a1', ['xori a0,a1,-1']);
    expands('neg a0, a1', ['sub a0,zero,a1']);
    expands('seqz a0, a1', ['sltiu a0,a1,1']);
    expands('snez a0, a1', ['sltu a0,zero,a1']);
    expands('sltz a0, a1', ['slt a0,a1,zero']);
    expands('sgtz a0, a1', ['slt a0,zero,a1']);
    expands('sgt a0, a1, a2', ['slt a0,a2,a1']);
    expands('zext.b a0, a1', ['andi a0,a1,255']);
    expands('nop', ['addi zero,zero,0']);
    expands('add a0, a1, 5', ['addi a0,a1,5']);
    expands('sll a0, a1, 3', ['slli a0,a1,0x3']);
  });

  describe('branches against zero and swapped comparisons', () => {
    expands('x: beqz a0, x', ['beq a0,zero,80000000']);
    expands('x: bnez a0, x', ['bne a0,zero,80000000']);
    expands('x: blez a0, x', ['bge zero,a0,80000000']);
    expands('x: bgez a0, x', ['bge a0,zero,80000000']);
    expands('x: bltz a0, x', ['blt a0,zero,80000000']);
    expands('x: bgtz a0, x', ['blt zero,a0,80000000']);
    expands('x: bgt a0, a1, x', ['blt a1,a0,80000000']);
    expands('x: ble a0, a1, x', ['bge a1,a0,80000000']);
    expands('x: bgtu a0, a1, x', ['bltu a1,a0,80000000']);
    expands('x: bleu a0, a1, x', ['bgeu a1,a0,80000000']);
  });

  describe('jumps, calls and returns', () => {
    expands('x: j x', ['jal zero,80000000']);
    expands('x: jal x', ['jal ra,80000000']);
    expands('jr a0', ['jalr zero,0(a0)']);
    expands('jr 8(a0)', ['jalr zero,8(a0)']);
    expands('jr a0, 8', ['jalr zero,8(a0)']);
    expands('jalr a0', ['jalr ra,0(a0)']);
    expands('jalr 8(a0)', ['jalr ra,8(a0)']);
    expands('jalr a0, 8', ['jalr ra,8(a0)']);
    expands('jalr t0, a0', ['jalr t0,0(a0)']);
    expands('jalr t0, a0, -8', ['jalr t0,-8(a0)']);
    expands('ret', ['jalr zero,0(ra)']);
    expands('call f\nf: ret', ['auipc ra,0x0', 'jalr ra,8(ra)', 'jalr zero,0(ra)']);
    expands('call t0, f\nf: ret', ['auipc t1,0x0', 'jalr t0,8(t1)', 'jalr zero,0(ra)']);
    expands('tail f\nf: ret', ['auipc t1,0x0', 'jalr zero,8(t1)', 'jalr zero,0(ra)']);
    expands('call f@plt\nf: ret', ['auipc ra,0x0', 'jalr ra,8(ra)', 'jalr zero,0(ra)']);
    expands('jump f, t2\nf: ret', ['auipc t2,0x0', 'jalr zero,8(t2)', 'jalr zero,0(ra)']);
  });

  describe('loads and stores to a symbol', () => {
    expands('lw a0, v\nv: .word 0', ['auipc a0,0x0', 'lw a0,8(a0)', 'c.unimp']); // the data word read as code: the all-zero halfword
    expands('sb a0, v, t0\nv: .word 0', ['auipc t0,0x0', 'sb a0,8(t0)', 'c.unimp']);
  });

  describe('CSR pseudo-instructions', () => {
    expands('csrr a0, mstatus', ['csrrs a0,mstatus,zero']);
    expands('csrw mtvec, a0', ['csrrw zero,mtvec,a0']);
    expands('csrs mie, a0', ['csrrs zero,mie,a0']);
    expands('csrc mie, a0', ['csrrc zero,mie,a0']);
    expands('csrw mie, 8', ['csrrwi zero,mie,8']);
    expands('csrwi mie, 8', ['csrrwi zero,mie,8']);
    expands('csrsi mstatus, 8', ['csrrsi zero,mstatus,8']);
    expands('csrci mstatus, 8', ['csrrci zero,mstatus,8']);
    expands('csrrw a0, mscratch, 3', ['csrrwi a0,mscratch,3']);
    expands('rdcycle a0', ['csrrs a0,cycle,zero']);
    expands('rdtime a0', ['csrrs a0,time,zero']);
    expands('rdinstret a0', ['csrrs a0,instret,zero']);
    expands('rdcycleh a0', ['csrrs a0,cycleh,zero']);
    expands('rdtimeh a0', ['csrrs a0,timeh,zero']);
    expands('rdinstreth a0', ['csrrs a0,instreth,zero']);
  });

  describe('fences', () => {
    expands('fence', ['fence iorw,iorw']);
    expands('fence r, rw', ['fence r,rw']);
    expands('sfence.vma', ['sfence.vma zero,zero']);
    expands('sfence.vma a0', ['sfence.vma a0,zero']);
    expands('sfence.vma a0, a1', ['sfence.vma a0,a1']);
  });
});
