/** %hi, %lo, %pcrel_hi, %pcrel_lo and numeric local labels. */
import { strict as assert } from 'assert';
import { listing, ok } from './helpers';

describe('relocation operators', () => {
  it('%hi/%lo split an absolute value so that lui + addi rebuild it', () => {
    assert.deepEqual(listing('lui a0, %hi(0x12345fff)\naddi a0, a0, %lo(0x12345fff)'), ['lui a0,0x12346', 'addi a0,a0,-1']);
    assert.deepEqual(listing('lui a0, %hi(-1)\naddi a0, a0, %lo(-1)'), ['lui a0,0x0', 'addi a0,a0,-1']);
  });

  it('%hi/%lo of a label use its final address, in loads and stores too', () => {
    assert.deepEqual(listing('lui a0, %hi(v)\nlw a1, %lo(v)(a0)\nsw a1, %lo(v+4)(a0)\n.data\nv: .word 1, 2'), [
      'lui a0,0x80001', 'lw a1,12(a0)', 'sw a1,16(a0)', // .data at 0x8000100c: the next page, same offset
    ]);
  });

  it('%pcrel_lo names the label of the auipc holding the %pcrel_hi', () => {
    assert.deepEqual(listing('nop\n1: auipc t0, %pcrel_hi(v)\naddi t0, t0, %pcrel_lo(1b)\nlw t1, %pcrel_lo(1b)(t0)\nv: .word 7'), [
      'addi zero,zero,0', 'auipc t0,0x0', 'addi t0,t0,12', 'lw t1,12(t0)', '.4byte 0x7',
    ]);
  });

  it('%pcrel_lo may refer forward to its auipc', () => {
    const r = ok('j 2f\n1: addi t0, t0, %pcrel_lo(2f)\n2: auipc t0, %pcrel_hi(v)\nv: nop');
    assert.ok(r.ok);
  });

  it('rounds %pcrel_hi so the signed low part reaches targets 2 KiB or more away', () => {
    assert.deepEqual(listing('1: auipc a0, %pcrel_hi(far)\naddi a0, a0, %pcrel_lo(1b)\n.skip 2040\nfar: nop').slice(0, 2), [
      'auipc a0,0x1', 'addi a0,a0,-2048',
    ]);
  });
});

describe('numeric local labels', () => {
  it('1b is the latest 1: before, 1f the next one after', () => {
    assert.deepEqual(listing('1: nop\n1: j 1b\nj 1f\n1: j 1b'), [
      'addi zero,zero,0', 'jal zero,80000004', 'jal zero,8000000c', 'jal zero,8000000c',
    ]);
  });

  it('keeps instances of different numbers apart and allows multi-digit numbers', () => {
    assert.deepEqual(listing('10: nop\n2: j 10b\n10: j 2b'), ['addi zero,zero,0', 'jal zero,80000000', 'jal zero,80000004']);
  });

  it('works in data directives and with a label on the same line', () => {
    const r = ok('.data\n1: .word 1b, 2f\n2:');
    assert.equal(r.sections[0].size, 8);
  });
});
