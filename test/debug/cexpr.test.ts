// C semantics of the expression language (src/debug/dwarf/cexpr.ts): typed variables, member access,
// indexing, casts, & and *, and C's promotions and usual arithmetic conversions — over a hand-made
// memory and type table, no DWARF or machine needed.
import * as assert from 'assert';
import { EvalContext, evaluate, ExprError, formatValue, parseExpression, toNumber, Value } from '../../src/debug/expr';
import { CEnv, CVal } from '../../src/debug/dwarf/cexpr';
import { assign, CAccess, CObject } from '../../src/debug/dwarf/cvalue';
import { CType, INT, UINT } from '../../src/debug/dwarf/types';

const u16: CType = { kind: 'base', name: 'unsigned short', size: 2, signed: false, char: false, bool: false, float: false };
const s8: CType = { kind: 'base', name: 'signed char', size: 1, signed: true, char: true, bool: false, float: false };
const node: CType = { kind: 'struct', name: 'node', size: 8, members: [] };
const nodePtr: CType = { kind: 'pointer', size: 4, target: node };
(node as { members: unknown[] }).members.push({ name: 'next', offset: 0, type: nodePtr }, { name: 'len', offset: 4, type: u16 },
  { name: 'flags', offset: 6, type: UINT, bitSize: 3, bitOffset: 0 });
const color: CType = { kind: 'enum', name: 'color', size: 4, signed: false, values: new Map([[0, 'RED'], [5, 'GREEN']]) };

const mem = new Uint8Array(0x100);
const BASE = 0x1000;
const dv = new DataView(mem.buffer);
// node a at 0x1000 -> node b at 0x1008 -> null; int arr[4] at 0x1020; int neg at 0x1030; s8 at 0x1034; enum at 0x1038
dv.setUint32(0x00, 0x1008, true); dv.setUint16(0x04, 7, true); dv.setUint16(0x06, 0x1d, true);
dv.setUint32(0x08, 0, true); dv.setUint16(0x0c, 42, true);
for (let i = 0; i < 4; i++) dv.setInt32(0x20 + 4 * i, i * 10, true);
dv.setInt32(0x30, -7, true);
mem[0x34] = 0xfe;
dv.setUint32(0x38, 5, true);

const access: CAccess = {
  readBytes(address, size) {
    if (address < BASE || address + size > BASE + mem.length) throw new ExprError(`no memory at 0x${address.toString(16)}`);
    return mem.slice(address - BASE, address - BASE + size);
  },
  writeBytes(address, bytes) { mem.set(bytes, address - BASE); return bytes.length; },
  reg: () => undefined, setReg: () => false, symbolize: () => undefined,
};
const vars: Record<string, CObject> = {
  p: { type: nodePtr, loc: { kind: 'value', value: 0x1000 } },
  a: { type: node, loc: { kind: 'memory', address: 0x1000 } },
  arr: { type: { kind: 'array', elem: INT, count: 4 }, loc: { kind: 'memory', address: 0x1020 } },
  neg: { type: INT, loc: { kind: 'memory', address: 0x1030 } },
  sc: { type: s8, loc: { kind: 'memory', address: 0x1034 } },
  col: { type: color, loc: { kind: 'memory', address: 0x1038 } },
};
const env: CEnv = { access, variable: (n) => vars[n], type: (n) => (n === 'struct node' ? node : undefined) };
const ctx: EvalContext = {
  lookup: (n) => (n === 'a0' ? 0xfffffff9 : vars[n] ? new CVal(vars[n].type, access, vars[n]) : undefined),
  read: (a, size) => { const b = access.readBytes(a, size); let v = 0; for (let i = 0; i < size; i++) v |= b[i] << (8 * i); return v >>> 0; },
  c: env,
};
const ev = (text: string): Value => evaluate(parseExpression(text), ctx);
const show = (text: string): string => formatValue(ev(text));

describe('debug adapter: C expressions', () => {
  it('follows members, arrows, indexes and pointers', () => {
    assert.strictEqual(show('p->len'), '7');
    assert.strictEqual(show('p->next->len'), '42');
    assert.strictEqual(show('a.next->len'), '42');
    assert.strictEqual(show('(*p).len'), '7');
    assert.strictEqual(show('arr[2]'), '20');
    assert.strictEqual(show('*(arr + 3)'), '30');
    assert.strictEqual(show('p[1].len'), '42');
    assert.strictEqual(show('p->flags'), '5');
    assert.strictEqual(show('col'), 'GREEN');
    assert.strictEqual(show('&arr[1]'), '0x00001024');
    assert.strictEqual(show('&arr[3] - &arr[1]'), '2');
  });

  it('applies the integer promotions and the usual arithmetic conversions', () => {
    assert.strictEqual(ev('neg < 0'), true);
    assert.strictEqual(ev('(unsigned)neg < 0'), false);
    assert.strictEqual(ev('neg < 1'), true);
    assert.strictEqual(show('neg / 2'), '-3');
    assert.strictEqual(show('neg % 4'), '-3');
    assert.strictEqual(show('neg >> 1'), '-4');
    assert.strictEqual(show('(unsigned)neg >> 28'), '15');
    assert.strictEqual(show('sc + 1'), '-1');
    assert.strictEqual(show('(unsigned char)sc'), "254 '\\376'");
    assert.strictEqual(ev('neg == -7'), true);
    assert.strictEqual(ev('neg == 0xfffffff9'), true, 'int converted to unsigned int against an unsigned literal');
    assert.strictEqual(ev('neg < 0xfffffff9'), false);
    assert.strictEqual(ev('a0 == -7'), true, 'registers stay unsigned 32-bit words');
    assert.strictEqual(show('(short)0x12345'), '9029');
    assert.strictEqual(show('(struct node *)0x1008'), '0x00001008');
    assert.strictEqual(show('((struct node *)0x1008)->len'), '42');
    assert.strictEqual(show('*(uint16_t *)0x1004'), '7');
  });

  it('names what is wrong', () => {
    assert.throws(() => ev('p.len'), /is not a struct or union \(use ->\)/);
    assert.throws(() => ev('a->len'), /cannot dereference struct node/);
    assert.throws(() => ev('p->nope'), /struct node has no member 'nope' \(members: next, len, flags\)/);
    assert.throws(() => ev('(struct nope *)0'), /unknown type 'struct nope'/);
    assert.throws(() => ev('&p'), /cannot take the address of a value not in memory/);
    assert.throws(() => ev('&p->flags'), /bit-field/);
    assert.throws(() => toNumber(ev('p->next->next->len')), /no memory at 0x4/, 'a condition over unreadable memory is an error');
    assert.strictEqual(show('p->next->next->len'), '<error: no memory at 0x4>', 'a watch shows it as the value');
    assert.throws(() => ev('5[1]'), /indexing needs a C value/);
  });

  it('writes C lvalues converted to their type, bit-fields merged into their storage', () => {
    const len = ev('p->next->len') as CVal;
    assign(len.obj!, 0x10063, access);
    assert.strictEqual(show('p->next->len'), '99');
    const flags = ev('p->flags') as CVal;
    assign(flags.obj!, 2, access);
    assert.strictEqual(show('p->flags'), '2');
    assert.strictEqual(dv.getUint16(0x06, true), 0x1a, 'the other bits of the storage unit are kept');
    assert.throws(() => assign((ev('p') as CVal).obj!, 1, access), /no storage here/);
  });
});
