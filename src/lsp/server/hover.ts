/**
 * Hover: what the word under the cursor means to the assembler and to the machine. Mnemonics,
 * registers, CSRs, directives and relocations from the assembler's tables; symbols from the
 * document; numbers, equates and `off(base)` operands through the machine's address map.
 */
import { csrByName } from '../../asm/csr-names';
import { registerNumber } from '../../asm/registers';
import { Analysis } from './analysis';
import { AddressInfo, describeAddress, hex } from './device-registers';
import { Span, Statement, SymbolDefinition, Tok, csrOperandIndex, inComment, statementAt, tokenAt } from './document-model';
import { csrMarkdown, directiveMarkdown, mnemonicMarkdown, optionMarkdown, registerMarkdown, relocationMarkdown } from './isa-docs';
import { valueSetBy } from './register-values';

interface HoverResult extends Span {
  readonly markdown: string;
}

export function hoverAt(a: Analysis, offset: number): HoverResult | undefined {
  const model = a.model;
  if (inComment(model, offset)) return undefined;
  const tok = tokenAt(model, offset);
  if (!tok) return undefined;
  const stmt = statementAt(model, tok.start);
  const at = (markdown: string | undefined, span: Span = tok): HoverResult | undefined => markdown ? { ...span, markdown } : undefined;

  const hint = a.memoryHintAt(tok);
  if (hint && tok.kind !== 'ident') {
    const base = `${hint.base.register} = ${hex(hint.base.value)} (set on line ${lineOf(a, hint.base.setter.start)})`;
    return at(addressMarkdown(hint.address, `${base}, offset ${hint.offset}`), hint);
  }
  if (stmt?.head === tok && stmt.kind === 'instruction') return at(instructionHover(a, stmt));
  if (stmt?.head === tok && stmt.kind === 'directive') return at(directiveMarkdown(tok.text));
  if (tok.kind === 'reloc') return at(relocationMarkdown(tok.text));
  if (stmt?.kind === 'directive' && stmt.name === '.option' && stmt.operands[0]?.includes(tok)) return at(optionMarkdown(tok.text));

  const key = a.symbolKeyAt(offset);
  if (key !== undefined && a.definitionsOf(key).length > 0) {
    const reached = hint && addressMarkdown(hint.address, `${hint.base.register} = ${hex(hint.base.value)} + ${hint.offset}`);
    return at(symbolHover(a, key, offset) + (reached ? `\n\n---\n\nHere: ${reached}` : ''));
  }
  if (tok.kind === 'localref') return at(`**${tok.text}** — no \`${tok.text.slice(0, -1)}:\` ${tok.text.endsWith('b') ? 'before' : 'after'} this line.`);
  if (tok.kind === 'number') return at(numberHover(tok));
  if (tok.kind === 'ident' && registerNumber(tok.text) !== undefined) return at(registerHover(a, tok, stmt));
  if (tok.kind === 'ident' && csrByName(tok.text) && (!stmt || isCsrOperand(stmt, tok))) return at(csrMarkdown(tok.text));
  return undefined;
}

function isCsrOperand(stmt: Statement, tok: Tok): boolean {
  const i = csrOperandIndex(stmt.name);
  return i >= 0 && stmt.operands[i]?.includes(tok) === true;
}

function lineOf(a: Analysis, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < a.model.text.length; i++) if (a.model.text.charCodeAt(i) === 10) line++;
  return line;
}

function lineText(a: Analysis, offset: number): string {
  const text = a.model.text;
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const end = text.indexOf('\n', offset);
  return text.slice(start, end < 0 ? text.length : end).trim().slice(0, 200);
}

/** The device register an address names, as markdown; undefined when nothing is mapped there. */
function addressMarkdown(address: number, context?: string): string | undefined {
  const info = describeAddress(address);
  return info && formatAddress(info, context);
}

function formatAddress(info: AddressInfo, context?: string): string {
  const lines = [`**${info.headline}** — GPA ${hex(info.gpa)}${context ? ` (${context})` : ''}`, ''];
  for (const r of info.registers) {
    lines.push(`- **${r.name}**: ${r.summary}; ${r.width * 8}-bit, ${r.access}.${r.details ? ` ${r.details}` : ''}`);
  }
  for (const n of info.notes) lines.push(`- ${n}`);
  lines.push('', `${info.region.title} at ${hex(info.region.base)}: ${info.region.note} Modelled in \`${info.region.source}\`.`);
  return lines.join('\n');
}

function numberHover(tok: Tok): string | undefined {
  if (tok.value === undefined) return undefined;
  const v = tok.value;
  const u32 = Number(BigInt.asUintN(32, v));
  const parts = [`\`${tok.text}\` = ${v.toString()} = 0x${BigInt.asUintN(64, v).toString(16)}`];
  if (v >= 0n && v <= 0xffffffffn) {
    const device = addressMarkdown(u32);
    if (device) parts.push('', 'As a guest-physical address:', '', device);
  }
  return parts.join('\n');
}

function instructionHover(a: Analysis, stmt: Statement): string | undefined {
  const doc = mnemonicMarkdown(stmt.name);
  if (!doc) return undefined;
  if (!['li', 'lui'].includes(stmt.name)) return doc;
  const value = valueSetBy(stmt, a.evaluator);
  const reg = stmt.operands[0]?.[0]?.text;
  if (value === undefined || reg === undefined) return doc;
  const device = describeAddress(value);
  return `${doc}\n\n---\n\nHere: \`${reg}\` = ${hex(value)}${device ? ` — **${device.headline}**` : ''}`;
}

function registerHover(a: Analysis, tok: Tok, stmt: Statement | undefined): string | undefined {
  const doc = registerMarkdown(tok.text);
  if (!doc || !stmt) return doc;
  const hint = a.memoryHintAt(tok);
  if (!hint) return doc;
  return `${doc}\n\n---\n\nHere: ${addressMarkdown(hint.address, `${hint.base.register} = ${hex(hint.base.value)} + ${hint.offset}`) ?? ''}`;
}

function symbolHover(a: Analysis, key: string, offset: number): string {
  const defs = a.definitionsOf(key);
  const first = defs[0];
  const parts = defs.slice(0, 5).map((d) => definitionLine(a, d, offset));
  if (defs.length > 5) parts.push(`… and ${defs.length - 5} more definitions`);
  if (first.kind === 'label' && a.model.globals.has(first.name)) parts.push('', 'Global (`.globl`).');
  return parts.join('\n\n');
}

function definitionLine(a: Analysis, d: SymbolDefinition, offset: number): string {
  const line = lineOf(a, d.start);
  const source = `\n\`\`\`hyperstep-asm\n${lineText(a, d.start)}\n\`\`\``;
  if (d.kind === 'local-label') {
    return `**${d.name}:** — numeric local label, line ${line} (section \`${d.statement.section}\`)${source}`;
  }
  if (d.kind === 'label') {
    const address = a.addresses.get(d.name);
    const where = address === undefined ? '' : `, address ${hex(address)}`;
    const type = a.model.types.get(d.name);
    return `**${d.name}** — ${type === 'function' ? 'function ' : type === 'object' ? 'object ' : ''}label, line ${line} (section \`${d.statement.section}\`${where})${source}`;
  }
  const value = a.evaluator.symbol(d.name, offset);
  const shown = value === undefined ? '' : ` = ${hex(value)} (${value})`;
  const device = value === undefined ? undefined : addressMarkdown(value);
  return `**${d.name}**${shown} — ${d.statement.kind === 'assign' ? '`=`' : `\`${d.statement.name}\``}, line ${line}${source}` +
    (device ? `\n\nAs a guest-physical address:\n\n${device}` : '');
}
