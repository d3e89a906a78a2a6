/** Shared helpers for the assembler unit tests. */
import { strict as assert } from 'assert';
import { AssembleResult, assemble, disassemble, formatDiagnostic } from '../../src/asm';
import { readElf } from './elf-file';

export const BASE = 0x80000000;

/** Assembles and requires success without warnings. */
export function ok(source: string, options: { textBase?: number } = {}): AssembleResult {
  const r = assemble(source, 'test.s', options);
  assert.ok(r.ok && r.elf, `expected success:\n${r.diagnostics.map(formatDiagnostic).join('\n')}`);
  return r;
}

/** The bytes of an output section of a successful assembly. */
export function sectionBytes(r: AssembleResult, name: string): Uint8Array {
  const s = readElf(r.elf!).sections.find((x) => x.name === name);
  assert.ok(s, `no section ${name}`);
  return s.data;
}

/** The .text of a source as 32-bit words. */
export function words(source: string): number[] {
  const bytes = sectionBytes(ok(source), '.text');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: bytes.length >> 2 }, (_, i) => view.getUint32(4 * i, true));
}

/** The words of one line of code, as hex strings for readable failures. */
export function hexWords(source: string): string[] {
  return words(source).map((w) => w.toString(16).padStart(8, '0'));
}

/** The bytes of .data (or another section) as a list of numbers. */
export function dataBytes(source: string, section = '.data'): number[] {
  return [...sectionBytes(ok(source), section)];
}

/** The formatted diagnostics of a source that must fail. */
export function errors(source: string): string[] {
  const r = assemble(source, 'test.s');
  assert.equal(r.ok, false, 'expected the assembly to fail');
  assert.equal(r.elf, undefined);
  return r.diagnostics.map(formatDiagnostic);
}

/** Exactly one diagnostic, `test.s:line:column: message`. */
export function expectOneError(source: string, expected: string): void {
  assert.deepEqual(errors(source), [expected]);
}

/** Warnings of a source that assembles. */
export function warnings(source: string): string[] {
  const r = assemble(source, 'test.s');
  assert.ok(r.ok, r.diagnostics.map(formatDiagnostic).join('\n'));
  return r.diagnostics.map(formatDiagnostic);
}

/** .text disassembled (objdump -M no-aliases text, tabs shown as spaces). */
export function listing(source: string): string[] {
  return words(source).map((w, i) => disassemble(w, BASE + 4 * i).replace('\t', ' '));
}
