/**
 * Completion, decided from the text before the cursor (the line is usually half-typed, so tokens
 * of a finished statement are no guide): the head of a statement gets mnemonics and directives;
 * operands get registers, symbols, local label references and device registers, CSR names in a
 * CSR operand, relocations after `%`; a few directives get their own words.
 */
import { CSRS } from '../../asm/csr-names';
import { DIRECTIVE_NAMES } from '../../asm/directives';
import { allMnemonics, instructionForms, pseudoForms, syntaxSlots } from '../../asm/isa';
import { allRegisterNames } from '../../asm/registers';
import { Analysis } from './analysis';
import { DEVICE_REGISTERS, hex, registerLabel } from './device-registers';
import { Span, csrOperandIndex, inComment, tokenAt } from './document-model';
import {
  COMPRESSED_MNEMONICS, DIRECTIVE_DOCS, OPTION_DOCS, RELOCATIONS, csrMarkdown, mnemonicMarkdown, mnemonicSyntax, optionMarkdown,
  registerMarkdown, registerSummary,
} from './isa-docs';

export type ItemKind = 'mnemonic' | 'directive' | 'register' | 'csr' | 'label' | 'function' | 'equate' | 'local-label' |
  'device-register' | 'relocation' | 'keyword' | 'section';

interface Item {
  readonly label: string;
  readonly kind: ItemKind;
  readonly detail?: string;
  readonly documentation?: string;
  /** Replaces the word before the cursor; the label when absent. */
  readonly insertText?: string;
  /** `insertText` is an LSP snippet. */
  readonly snippet?: boolean;
  readonly sortText?: string;
  readonly filterText?: string;
}

export interface CompletionResult {
  /** The word before the cursor that an item replaces. */
  readonly replace: Span;
  readonly items: readonly Item[];
}

interface CompletionOptions {
  readonly snippets: boolean;
}

const LABELS_AT_HEAD = /^\s*(?:(?:[A-Za-z_.$][A-Za-z0-9_.$]*|[0-9]+)\s*:\s*)*/;
const WORD_BEFORE = /%?[A-Za-z0-9_.$]*$/;
const SECTIONS = ['.text', '.data', '.bss', '.rodata', '.sdata', '.sbss', '.text.init'];
const TYPES = ['function', 'object', 'notype', 'progbits', 'nobits'];

export function completionAt(a: Analysis, offset: number, options: CompletionOptions): CompletionResult | undefined {
  const text = a.model.text;
  if (inComment(a.model, offset) || inString(a, offset)) return undefined;
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const lineEndAt = text.indexOf('\n', offset);
  const prefix = text.slice(lineStart, offset);
  const statement = prefix.slice(prefix.lastIndexOf(';') + 1);
  const afterLabels = statement.slice(LABELS_AT_HEAD.exec(statement)?.[0].length ?? 0);
  const word = WORD_BEFORE.exec(afterLabels)?.[0] ?? '';
  const replace = { start: offset - word.length, end: offset };
  const restOfLine = text.slice(offset, lineEndAt < 0 ? text.length : lineEndAt);
  if (afterLabels === word) {
    const bare = /^\s*(?:[#;]|\/\*|$)/.test(restOfLine);
    return { replace, items: word.startsWith('.') ? directiveItems() : [...mnemonicItems(options.snippets && bare), ...directiveItems()] };
  }
  const head = /^[A-Za-z_.$][A-Za-z0-9_.$]*/.exec(afterLabels)?.[0].toLowerCase() ?? '';
  const operands = afterLabels.slice(head.length);
  const index = topLevelCommas(operands);
  const before = afterLabels.slice(0, afterLabels.length - word.length);
  if (word.startsWith('%')) return { replace, items: relocationItems() };
  if (head.startsWith('.')) return { replace, items: directiveOperandItems(a, offset, head, index, before) };
  return { replace, items: instructionOperandItems(a, offset, head, index, before) };
}

function inString(a: Analysis, offset: number): boolean {
  const tok = tokenAt(a.model, offset) ?? tokenAt(a.model, offset - 1);
  if (!tok || tok.kind !== 'string' || offset <= tok.start) return false;
  return offset < tok.end || a.model.text[tok.end - 1] !== '"' || tok.end - tok.start < 2;
}

function topLevelCommas(s: string): number {
  let depth = 0, n = 0, inStr = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) n++;
  }
  return n;
}

function snippetOf(mnemonic: string, syntax: string): string {
  let i = 0;
  const operands = syntax.replace(/[A-Za-z_][A-Za-z0-9_]*/g, (slot) => `\${${++i}:${slot}}`);
  return operands ? `${mnemonic} ${operands}` : mnemonic;
}

function mnemonicItems(snippets: boolean): Item[] {
  return [...allMnemonics(), ...COMPRESSED_MNEMONICS].map((m) => {
    const s = mnemonicSyntax(m);
    const note = m.startsWith('c.') ? ' (RVC)' : instructionForms(m).length === 0 ? ' (pseudo)' : '';
    return {
      label: m, kind: 'mnemonic',
      detail: s ? `${m} ${s.syntax}`.trim() + note : undefined,
      documentation: mnemonicMarkdown(m),
      ...(snippets && s && s.syntax ? { insertText: snippetOf(m, s.syntax), snippet: true } : {}),
    };
  });
}

function directiveItems(): Item[] {
  return DIRECTIVE_NAMES.map((d) => ({ label: d, kind: 'directive', detail: DIRECTIVE_DOCS[d]?.replace(/`/g, '') }));
}

function relocationItems(): Item[] {
  return Object.entries(RELOCATIONS).map(([name, doc]) => ({
    label: `%${name}`, kind: 'relocation', detail: doc.replace(/`/g, ''), insertText: `%${name}(`,
  }));
}

function registerItems(rank: string): Item[] {
  return allRegisterNames().map((r) => ({
    label: r, kind: 'register', detail: registerSummary(r), documentation: registerMarkdown(r),
    sortText: `${rank}${/^x\d/.test(r) ? 'b' : 'a'}${r}`,
  }));
}

function csrItems(rank: string): Item[] {
  return CSRS.map((c) => ({
    label: c.name, kind: 'csr', detail: `0x${c.address.toString(16).padStart(3, '0')}${c.description ? ` — ${c.description}` : ''}`,
    documentation: csrMarkdown(c.name), sortText: `${rank}${c.description ? 'a' : 'b'}${c.name}`,
  }));
}

function deviceRegisterItems(rank: string): Item[] {
  return DEVICE_REGISTERS.map((r) => ({
    label: registerLabel(r), kind: 'device-register', detail: `${hex(r.gpa)} — ${r.summary}`,
    documentation: `**${registerLabel(r)}** at ${hex(r.gpa)}: ${r.summary}; ${r.width * 8}-bit, ${r.access}.${r.details ? ` ${r.details}` : ''}` +
      (r.device === 'NIC' ? ' (Assumes BAR0 at 0x4000_0000.)' : ''),
    insertText: `0x${r.gpa.toString(16)}`, filterText: registerLabel(r), sortText: `${rank}${registerLabel(r)}`,
  }));
}

function symbolItems(a: Analysis, offset: number, rank: string): Item[] {
  const items: Item[] = [];
  const locals = new Map<string, Item>();
  for (const [key, defs] of a.model.definitions) {
    const d = defs[0];
    if (d.kind === 'local-label') {
      // `1b` means the nearest `1:` before the cursor, `1f` the nearest after; defs are in source order.
      const before = defs.filter((x) => x.start < offset).pop();
      const after = defs.find((x) => x.start >= offset);
      if (before) locals.set(`${d.name}b`, localItem(a, `${d.name}b`, before.start, rank));
      if (after) locals.set(`${d.name}f`, localItem(a, `${d.name}f`, after.start, rank));
      continue;
    }
    const isFunction = a.model.types.get(key) === 'function' || (d.kind === 'label' && d.statement.section.startsWith('.text'));
    const value = d.kind === 'equate' ? a.evaluator.symbol(key, offset) : a.addresses.get(key);
    items.push({
      label: key, kind: d.kind === 'equate' ? 'equate' : isFunction ? 'function' : 'label',
      detail: `${d.kind === 'equate' ? 'constant' : 'label'}${value === undefined ? '' : ` = ${hex(value)}`}`,
      sortText: `${rank}${key}`,
    });
  }
  return [...items, ...locals.values()];
}

function localItem(a: Analysis, label: string, defStart: number, rank: string): Item {
  const line = a.model.text.slice(0, defStart).split('\n').length;
  return { label, kind: 'local-label', detail: `local label ${label.slice(0, -1)}: on line ${line}`, sortText: `${rank}~${label}` };
}

function instructionOperandItems(a: Analysis, offset: number, mnemonic: string, index: number, before: string): Item[] {
  if (index === csrOperandIndex(mnemonic)) return [...csrItems('0'), ...symbolItems(a, offset, '1')];
  const inParens = (before.match(/\(/g)?.length ?? 0) > (before.match(/\)/g)?.length ?? 0);
  if (inParens && !/%[a-z_]+\([^()]*$/.test(before)) return registerItems('0');
  const slot = slotAt(mnemonic, index);
  const registersFirst = slot === 'rd' || slot === 'rs1' || slot === 'rs2' || slot === '';
  const labelsFirst = slot === 'target' || slot === 'symbol';
  return [
    ...registerItems(registersFirst ? '0' : '3'),
    ...symbolItems(a, offset, labelsFirst ? '0' : '1'),
    ...deviceRegisterItems(labelsFirst || registersFirst ? '4' : '2'),
  ];
}

/** The operand slot at an index in the mnemonic's forms (`rd`, `target`, …), preferring real instructions. */
function slotAt(mnemonic: string, index: number): string {
  for (const f of [...instructionForms(mnemonic), ...pseudoForms(mnemonic)]) {
    const slot = syntaxSlots(f.syntax)[index];
    if (slot !== undefined) return slot;
  }
  return '';
}

function keywordItems(words: readonly string[], kind: ItemKind = 'keyword'): Item[] {
  return words.map((w) => ({ label: w, kind }));
}

function directiveOperandItems(a: Analysis, offset: number, directive: string, index: number, before: string): Item[] {
  if (before.endsWith('@') || before.endsWith('%')) return keywordItems(TYPES);
  if ((directive === '.section' || directive === '.pushsection') && index === 0) return keywordItems(SECTIONS, 'section');
  if (directive === '.option' && index === 0) {
    return Object.keys(OPTION_DOCS).map((w) => ({ label: w, kind: 'keyword', detail: OPTION_DOCS[w].replace(/`/g, ''), documentation: optionMarkdown(w) }));
  }
  if (directive === '.option' && index === 1 && /\barch\s*,/.test(before)) return keywordItems(['+c', '-c']);
  if (['.globl', '.global', '.weak', '.local', '.type', '.size'].includes(directive) && (index === 0 || directive.startsWith('.g') || directive === '.weak' || directive === '.local')) {
    return symbolItems(a, offset, '0').filter((i) => i.kind !== 'local-label');
  }
  if (['.equ', '.set', '.equiv'].includes(directive) && index === 0) return [];
  return [...symbolItems(a, offset, '0'), ...deviceRegisterItems('1')];
}
