// Loads syntaxes/hyperstep-asm.tmLanguage.json with vscode-textmate and the Oniguruma WASM build,
// as VS Code does, and tokenizes text into (text, scopes) pairs.
import * as fs from 'fs';
import * as path from 'path';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';
import { SCOPE_NAME } from '../../src/lsp/grammar/grammar';

export const GRAMMAR_FILE = path.join(__dirname, '..', '..', 'syntaxes', 'hyperstep-asm.tmLanguage.json');

export interface Token {
  readonly line: number;
  readonly text: string;
  readonly scopes: readonly string[];
}

let onig: Promise<vsctm.IOnigLib> | undefined;

function onigLib(): Promise<vsctm.IOnigLib> {
  onig ??= (async () => {
    const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    return {
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    };
  })();
  return onig;
}

export async function loadGrammar(): Promise<vsctm.IGrammar> {
  const registry = new vsctm.Registry({
    onigLib: onigLib(),
    loadGrammar: async (scope) => scope === SCOPE_NAME ? vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR_FILE, 'utf8'), GRAMMAR_FILE) : null,
  });
  const grammar = await registry.loadGrammar(SCOPE_NAME);
  if (!grammar) throw new Error('grammar did not load');
  return grammar;
}

export function tokenize(grammar: vsctm.IGrammar, text: string): Token[] {
  const out: Token[] = [];
  let state = vsctm.INITIAL;
  text.split(/\r?\n/).forEach((line, i) => {
    const r = grammar.tokenizeLine(line, state);
    for (const t of r.tokens) out.push({ line: i, text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes });
    state = r.ruleStack;
  });
  return out;
}
