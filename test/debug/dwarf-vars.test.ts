// DWARF variables, types, locations and call frame information (src/debug/dwarf/), read from the
// GCC-built C test program in DWARF 5 (-O0, -O2: .debug_loclists) and DWARF 4 (-O2: .debug_loc); and
// bad DWARF — truncated, corrupted, of an unknown version — degrades to "no variables" with a
// message, never an exception (fuzzed).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { readElf, ElfImage } from '../../src/asm/elf-reader';
import { DwarfInfo } from '../../src/debug/dwarf';
import { children, CAccess, show } from '../../src/debug/dwarf/cvalue';
import { FrameAccess } from '../../src/debug/dwarf/location';
import type { CfiRow } from '../../src/debug/dwarf/cfi';
import { typeName } from '../../src/debug/dwarf/types';
import { FIXTURES } from './helpers';

const file = (name: string): string => path.join(FIXTURES, 'c', name);

function load(name: string, patch?: (bytes: Uint8Array, elf: ElfImage) => void): { info?: DwarfInfo; warning?: string } {
  const bytes = new Uint8Array(fs.readFileSync(file(name)));
  if (patch) patch(bytes, readElf(bytes, name) as ElfImage);
  const elf = readElf(bytes, name);
  assert.ok(!(elf instanceof Error));
  return DwarfInfo.load(elf, name);
}

const section = (elf: ElfImage, name: string): { offset: number; size: number } => {
  const s = elf.sections.find((x) => x.name === name);
  assert.ok(s, name);
  return s;
};

/** A frame where every register and every byte of memory reads as `fill`. */
const nowhere = (fill = 0): FrameAccess & CAccess => ({
  reg: () => fill, cfa: () => 0x80010000, frameBase: () => 0x80010000, read: () => fill,
  readBytes: (_a, n) => new Uint8Array(n).fill(fill & 0xff), writeBytes: () => 0, setReg: () => false, symbolize: () => undefined,
});

/** Everything the debugger asks of the DWARF, for every function and global: must not throw. */
function exercise(info: DwarfInfo): number {
  let n = 0;
  const a = nowhere(0x41);
  for (const f of info.functions) {
    for (const pc of [f.ranges[0][0], f.ranges[0][0] + 8, f.ranges[0][1] - 4]) {
      const scope = info.scopeAt(pc);
      for (const v of scope?.vars ?? []) {
        const obj = { type: v.type, loc: info.locate(v, pc, a) };
        show(obj, a);
        for (const c of children(obj, a, v.name).slice(0, 4)) show(c.obj, a);
        n++;
      }
      info.cfi?.rowAt(pc);
    }
  }
  for (const g of info.globals) { show({ type: g.type, loc: info.locate(g, 0, a) }, a); n++; }
  return n;
}

describe('debug adapter: DWARF variables and frames', () => {
  for (const name of ['cvars-O0.elf', 'cvars-O2.elf', 'cvars-O2-dwarf4.elf']) {
    it(`reads functions, scopes, types and globals of ${name}`, () => {
      const { info, warning } = load(name);
      assert.strictEqual(warning, undefined);
      assert.ok(info);
      const walk = info.functions.find((f) => f.name === 'walk')!;
      assert.ok(walk, info.functions.map((f) => f.name).join(' '));
      const inLoop = info.scopeAt(walk.ranges[0][0] + 0x18)!;
      assert.deepStrictEqual(inLoop.vars.map((v) => `${v.kind} ${v.name}: ${typeName(v.type)}`),
        ['param p: struct node *', 'param limit: int', 'local i: int', 'local total: int']);
      const g = new Map(info.globals.map((x) => [x.name, typeName(x.type)]));
      assert.strictEqual(g.get('nodes'), 'struct node [3]');
      assert.strictEqual(g.get('ticks'), 'word_t');
      assert.strictEqual(g.get('w'), 'union word');
      assert.strictEqual(typeName(info.types.byName.get('uint32_t')!), 'uint32_t');
      assert.strictEqual(info.types.byName.get('struct node')?.kind, 'struct');
      assert.ok(info.cfi && info.cfi.size > 5);
    });
  }

  it('finds parameters in registers through location lists at -O2 (.debug_loclists and .debug_loc alike)', () => {
    for (const name of ['cvars-O2.elf', 'cvars-O2-dwarf4.elf']) {
      const info = load(name).info!;
      const walk = info.functions.find((f) => f.name === 'walk')!;
      const p = info.scopeAt(walk.ranges[0][0])!.vars.find((v) => v.name === 'p')!;
      assert.ok(!(p.die.attrs.get(0x02) instanceof Uint8Array), `${name}: p has a location list`);
      assert.deepStrictEqual(info.locate(p, walk.ranges[0][0], nowhere()), { kind: 'register', reg: 10 }, name);
    }
  });

  it('computes the CFA from .debug_frame: after the prologue of walk at -O0, sp + frame size', () => {
    const info = load('cvars-O0.elf').info!;
    const walk = info.functions.find((f) => f.name === 'walk')!;
    const entry = info.cfi!.rowAt(walk.ranges[0][0])!;
    assert.deepStrictEqual([entry.cfaReg, entry.cfaOffset], [2, 0]);
    const body = info.cfi!.rowAt(walk.ranges[0][0] + 0x20)!;
    assert.strictEqual(body.cfaReg, 8, 'the CFA moves to s0 once the frame pointer is set');
    assert.strictEqual(body.rules.get(8)?.kind, 'offset');
  });

  it('reads .eh_frame (-fasynchronous-unwind-tables) to the same rows as .debug_frame', () => {
    const eh = load('cvars-O2-eh.elf').info!, frame = load('cvars-O2.elf').info!;
    assert.ok(eh.cfi && eh.cfi.size === frame.cfi!.size && eh.cfi.errors.length === 0);
    let compared = 0;
    for (const f of frame.functions) {
      const g = eh.functions.find((x) => x.name === f.name)!;
      for (let off = 0; off < f.ranges[0][1] - f.ranges[0][0]; off += 4) {
        const a: CfiRow | undefined = frame.cfi!.rowAt(f.ranges[0][0] + off);
        const b: CfiRow | undefined = eh.cfi!.rowAt(g.ranges[0][0] + off);
        assert.deepStrictEqual(b && [b.cfaReg, b.cfaOffset, [...b.rules]], a && [a.cfaReg, a.cfaOffset, [...a.rules]], `${f.name}+${off}`);
        compared++;
      }
    }
    assert.ok(compared > 100);
  });

  it('refuses DWARF of an unknown version with a message naming it', () => {
    const r = load('cvars-O2.elf', (b, elf) => { const s = section(elf, '.debug_info'); b[s.offset + 4] = 9; b[s.offset + 5] = 0; });
    assert.strictEqual(r.info, undefined);
    assert.match(r.warning!, /cvars-O2\.elf: \.debug_info: unit at 0x0: DWARF version 9 is not supported \(2–5 are\); no C variables/);
  });

  it('reports truncated .debug_info instead of throwing', () => {
    const r = load('cvars-O0.elf', (b, elf) => { const s = section(elf, '.debug_info'); b.fill(0, s.offset + 40, s.offset + s.size); b[s.offset + 39] = 0x7f; });
    assert.strictEqual(r.info, undefined);
    assert.match(r.warning!, /^cvars-O0\.elf: \.debug_info: unit at 0x[0-9a-f]+: (truncated or malformed|runs past the section)|unit at 0x[0-9a-f]+ runs past the section/);
  });

  it('survives 300 seeded corruptions of every DWARF section (fuzz)', () => {
    let seed = 0x0dd_ba11;
    const rnd = (n: number): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed % n; };
    const names = ['.debug_info', '.debug_abbrev', '.debug_loclists', '.debug_rnglists', '.debug_frame', '.debug_str', '.debug_line'];
    let loaded = 0, refused = 0;
    for (let k = 0; k < 300; k++) {
      const r = load(k % 2 ? 'cvars-O2.elf' : 'cvars-O0.elf', (b, elf) => {
        const present = names.filter((n) => elf.sections.some((x) => x.name === n));
        const s = section(elf, present[rnd(present.length)]);
        for (let i = 0, n = 1 + rnd(8); i < n; i++) b[s.offset + rnd(s.size)] = rnd(256);
        if (rnd(4) === 0) b.fill(0xff, s.offset + rnd(s.size), s.offset + s.size); // a truncated tail
      });
      if (r.info) { exercise(r.info); loaded++; } else { assert.ok(r.warning, 'no DWARF and no message'); refused++; }
    }
    assert.ok(loaded > 50 && refused > 10, `${loaded} loaded, ${refused} refused`);
  });
});
