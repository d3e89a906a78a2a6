/**
 * The words of the language as hover and completion explain them: mnemonics (from the
 * assembler's instruction table, so hover and the assembler never disagree), registers, CSRs,
 * directives and relocation operators. Markdown out.
 */
import { EXPLICIT, compressedFormsOf, explicitSyntax } from '../../asm/compress';
import { csrByName } from '../../asm/csr-names';
import { InstructionDef, PseudoDef, describeEncoding, instructionForms, pseudoForms } from '../../asm/isa';
import { COMPRESSED } from '../../asm/rvc';
import { GPR_ABI_NAMES, registerNumber } from '../../asm/registers';

const FORMAT_NAMES: Readonly<Record<InstructionDef['format'], string>> = {
  R: 'R-type', I: 'I-type', S: 'S-type', B: 'B-type', U: 'U-type', J: 'J-type',
  shift: 'I-type (shift)', csr: 'I-type (CSR)', 'csr-imm': 'I-type (CSR, immediate)',
  fence: 'I-type (fence)', atomic: 'R-type (atomic)', system: 'I-type (system)',
};

function code(s: string): string {
  return `\`${s.replace(/`/g, "'")}\``;
}

function hex(n: number, digits: number): string {
  return `0x${(n >>> 0).toString(16).padStart(digits, '0')}`;
}

function instructionMarkdown(d: InstructionDef): string {
  return [
    `**${d.mnemonic}**${d.syntax ? ` ${code(`${d.mnemonic} ${d.syntax}`)}` : ''} — ${d.extension}, ${FORMAT_NAMES[d.format]}`,
    '',
    code(d.semantics),
    '',
    `Encoding: ${code(describeEncoding(d))} (match ${hex(d.match, 8)}, mask ${hex(d.mask, 8)})`,
  ].join('\n');
}

function pseudoMarkdown(p: PseudoDef): string {
  const form = p.syntax ? `${p.mnemonic} ${p.syntax}` : p.mnemonic;
  return `pseudo-instruction ${code(form)} → ${code(p.expansion)} — ${p.description}`;
}

const C_NOP = { match: 0x0001, mask: 0xef83, semantics: 'addi zero, zero, 0 (with a non-zero immediate: a HINT, no operation)' };

/** What a `c.*` mnemonic expands to, and its match/mask (rvc.ts; c.nop is c.addi zero, 0). */
function compressedDef(m: string): { match: number; mask: number; semantics: string } | undefined {
  return m === 'c.nop' ? C_NOP : COMPRESSED.find((d) => d.mnemonic === m);
}

function compressedMarkdown(m: string): string | undefined {
  const def = compressedDef(m);
  if (!def || !EXPLICIT.has(m)) return undefined;
  const forms = explicitSyntax(m).map((syntax) => code(`${m} ${syntax}`.trim())).join(' or ');
  return [
    `**${m}** ${forms} — C (RV32C), 16-bit`,
    '',
    code(def.semantics),
    '',
    `Encoding: match ${hex(def.match, 4)}, mask ${hex(def.mask, 4)}. \`rd'\`/\`rs2'\` are x8–x15 (s0, s1, a0–a5).`,
    '',
    'Needs `.option rvc` (or `.option arch, +c`) before it, as with GNU as.',
  ].join('\n');
}

/** Everything known about a mnemonic, or undefined when the assembler does not know it. */
export function mnemonicMarkdown(mnemonic: string): string | undefined {
  const m = mnemonic.toLowerCase();
  if (m.startsWith('c.')) return compressedMarkdown(m);
  const real = instructionForms(m);
  const pseudo = pseudoForms(m);
  if (real.length === 0 && pseudo.length === 0) return undefined;
  const parts = real.map(instructionMarkdown);
  if (pseudo.length > 0) parts.push(pseudo.map((p) => `- ${pseudoMarkdown(p)}`).join('\n'));
  const compressed = compressedFormsOf(m);
  if (compressed.length > 0) {
    parts.push(`Under \`.option rvc\`: written as ${compressed.map(code).join(' or ')} when the operands fit, as GNU as does.`);
  }
  return parts.join('\n\n---\n\n');
}

/** The compressed mnemonics, for completion. */
export const COMPRESSED_MNEMONICS: readonly string[] = [...EXPLICIT.keys()].sort();

/** The operand syntax completion shows for a mnemonic: the real instruction's, else the first pseudo form's. */
export function mnemonicSyntax(mnemonic: string): { syntax: string; summary: string } | undefined {
  const compressed = compressedDef(mnemonic);
  if (compressed && EXPLICIT.has(mnemonic)) return { syntax: explicitSyntax(mnemonic).at(-1) ?? '', summary: compressed.semantics };
  const real = instructionForms(mnemonic)[0];
  if (real) return { syntax: real.syntax, summary: real.semantics };
  const pseudo = pseudoForms(mnemonic)[0];
  return pseudo && { syntax: pseudo.syntax, summary: `${pseudo.description} (→ ${pseudo.expansion})` };
}

const ROLES: readonly string[] = [
  'hard-wired zero', 'return address', 'stack pointer', 'global pointer', 'thread pointer',
  'temporary / alternate link register', 'temporary', 'temporary', 'saved register / frame pointer', 'saved register',
  'function argument / return value', 'function argument / return value',
  'function argument', 'function argument', 'function argument', 'function argument', 'function argument', 'function argument',
  ...Array.from({ length: 10 }, () => 'saved register'),
  'temporary', 'temporary', 'temporary', 'temporary',
];

const CALLEE_SAVED = new Set([2, 8, 9, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27]);

/** Hyperstep's use of the argument registers by `vmcall` (docs/machine.md). */
function hypercallRole(n: number): string {
  if (n === 17) return ' `vmcall`: the hypercall number.';
  if (n === 10) return ' `vmcall`: first argument, and the result.';
  if (n >= 11 && n <= 13) return ` \`vmcall\`: argument ${n - 10}.`;
  return '';
}

export function registerSummary(name: string): string | undefined {
  const n = registerNumber(name);
  if (n === undefined) return undefined;
  return `x${n} (${GPR_ABI_NAMES[n]}${n === 8 ? '/fp' : ''}) — ${ROLES[n]}`;
}

export function registerMarkdown(name: string): string | undefined {
  const n = registerNumber(name);
  if (n === undefined) return undefined;
  const names = [`x${n}`, GPR_ABI_NAMES[n], ...(n === 8 ? ['fp'] : [])];
  const saver = n === 0 ? '' : CALLEE_SAVED.has(n) ? ' Callee-saved.' : ' Caller-saved.';
  return `**${name}** — register ${names.map(code).join(' = ')}: ${ROLES[n]}.${saver}${hypercallRole(n)}`;
}

const PRIVILEGE = ['U', 'S', 'H (hypervisor)', 'M'];

export function csrMarkdown(name: string): string | undefined {
  const c = csrByName(name);
  if (!c) return undefined;
  // Privileged spec 2.1: bits 11:10 = 11 read-only, bits 9:8 the lowest privilege that may access it.
  const readOnly = (c.address >>> 10) === 3;
  const level = PRIVILEGE[(c.address >>> 8) & 3];
  const what = c.description || 'not modelled by Hyperstep: accessing it traps as illegal';
  return `**${c.name}** — CSR ${hex(c.address, 3)}: ${what}.\n\n${level}-mode, ${readOnly ? 'read-only' : 'read/write'}.`;
}

export const RELOCATIONS: Readonly<Record<string, string>> = {
  hi: 'upper 20 bits of an absolute address, rounded for a following `%lo` (for `lui`)',
  lo: 'lower 12 bits of an absolute address, signed (for `addi`, loads, stores)',
  pcrel_hi: 'upper 20 bits of the distance from this `auipc` to the symbol',
  pcrel_lo: 'lower 12 bits of the `%pcrel_hi` at the given label (usually `1b`)',
};

export function relocationMarkdown(name: string): string | undefined {
  const d = RELOCATIONS[name];
  return d && `**%${name}(…)** — ${d}.`;
}

/** One line per directive (GNU as manual, "Assembler Directives", and its RISC-V chapter). */
export const DIRECTIVE_DOCS: Readonly<Record<string, string>> = {
  '.text': 'switch to the code section', '.data': 'switch to the initialised data section',
  '.bss': 'switch to the zero-initialised data section', '.rodata': 'switch to the read-only data section',
  '.section': '`.section name[, "flags"[, @type]]`: switch to a named section',
  '.pushsection': 'like `.section`, remembering the current section for `.popsection`',
  '.popsection': 'go back to the section before the last `.pushsection`',
  '.previous': 'go back to the section before the last switch',
  '.globl': 'make symbols visible to the linker (global binding)', '.global': 'same as `.globl`',
  '.local': 'give symbols local binding', '.weak': 'give symbols weak binding',
  '.type': '`.type name, @function|@object`: the ELF symbol type', '.size': '`.size name, expr`: the ELF symbol size',
  '.hidden': 'accepted and ignored', '.protected': 'accepted and ignored', '.internal': 'accepted and ignored',
  '.byte': '8-bit values', '.half': '16-bit values', '.short': '16-bit values', '.2byte': '16-bit values',
  '.word': '32-bit values', '.long': '32-bit values', '.int': '32-bit values', '.4byte': '32-bit values',
  '.quad': '64-bit values', '.dword': '64-bit values', '.8byte': '64-bit values',
  '.ascii': 'strings, without a terminating zero', '.asciz': 'zero-terminated strings', '.string': 'zero-terminated strings',
  '.space': '`.space size[, fill]`: reserve bytes', '.skip': 'same as `.space`', '.zero': '`.zero size`: reserve zeroed bytes',
  '.fill': '`.fill repeat[, size[, value]]`: repeated values',
  '.align': '`.align n`: align to 2^n bytes (RISC-V: a power of two exponent)', '.p2align': '`.p2align n`: align to 2^n bytes',
  '.balign': '`.balign bytes`: align to a byte count', '.org': '`.org offset`: move the location counter forward',
  '.equ': '`.equ name, expr`: define a constant symbol', '.set': '`.set name, expr`: define or redefine a symbol',
  '.equiv': '`.equiv name, expr`: define a symbol that must not be defined already',
  '.option': '`.option rvc|norvc|push|pop|arch, ±c|relax|norelax|…`: RISC-V assembler options (`rvc`: compressed code)',
  '.end': 'stop reading the file', '.file': 'accepted and ignored', '.ident': 'accepted and ignored',
  '.attribute': 'accepted and ignored', '.loc': 'accepted and ignored', '.loc_mark_labels': 'accepted and ignored',
  '.addrsig': 'accepted and ignored', '.addrsig_sym': 'accepted and ignored', '.variant_cc': 'accepted and ignored',
};

/** The `.option` words (GNU as manual, "RISC-V Directives"). */
export const OPTION_DOCS: Readonly<Record<string, string>> = {
  push: 'save the current options (`rvc` among them) for `.option pop`',
  pop: 'restore the options saved by the last `.option push`',
  rvc: 'allow compressed `c.*` instructions and write the 16-bit form of ordinary ones whose operands fit, as GNU as does; code then needs only 2-byte alignment',
  norvc: 'no compressed instructions from here on',
  arch: '`.option arch, +c` / `-c` switch compression like `rvc` / `norvc`; other extensions are fixed (rv32ima_zicsr_zifencei)',
  relax: 'accepted (branch sizes are always chosen as by GNU as with -mno-relax)',
  norelax: 'accepted (the assembler never relaxes at link time)',
  pic: 'refused: position-independent code is not supported',
  nopic: 'accepted (the default: `la` is pc-relative)',
  'csr-check': 'accepted and ignored', 'no-csr-check': 'accepted and ignored',
};

export function optionMarkdown(name: string): string | undefined {
  const d = OPTION_DOCS[name.toLowerCase()];
  return d && `**.option ${name}** — ${d}.`;
}

export function directiveMarkdown(name: string): string | undefined {
  const d = DIRECTIVE_DOCS[name.toLowerCase()];
  return d && `**${name}** — ${d}.`;
}
