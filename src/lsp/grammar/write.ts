// Rewrites syntaxes/hyperstep-asm.tmLanguage.json from grammar.ts:
//   node --import tsx src/lsp/grammar/write.ts
import * as fs from 'fs';
import * as path from 'path';
import { buildGrammar } from './grammar';

const GRAMMAR_PATH = path.join(__dirname, '..', '..', '..', 'syntaxes', 'hyperstep-asm.tmLanguage.json');

export function grammarText(): string {
  return `${JSON.stringify(buildGrammar(), null, 2)}\n`;
}

if (require.main === module) {
  fs.writeFileSync(GRAMMAR_PATH, grammarText());
  process.stdout.write(`wrote ${path.relative(process.cwd(), GRAMMAR_PATH)}\n`);
}
