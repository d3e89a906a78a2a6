// Lists the exports of src/ modules that no other file uses (docs/style.md "Unused exports").
//
// One TypeScript Program covers every file tsconfig.json includes (src, test, bench) plus the
// scripts. Every identifier outside import/export declarations is resolved with the checker, and
// the alias chain it goes through (a local import, a re-export in an index.ts, an `import * as ns`
// property) marks each symbol on the way as used by that identifier's file. An export of a src/
// module is a finding when no file other than its own marks it:
//   unused       nothing names it, not even its own file: dead code, delete it
//   file-local   only its own file names it: drop the `export` keyword
// The public faces (PUBLIC below) count as users of everything they export, and their own exports
// are not findings: they are contracts for code outside this repository (docs/architecture.md).
//
// Usage: node scripts/unused-exports.mjs [--verbose] [--fix] [--root DIR]   exit status 1 when there are
// findings. DIR (default: this repository) holds the tsconfig.json; PUBLIC is relative to it.
// --fix drops the `export` keyword of every file-local finding declared with one; the others (dead
// code, entries of `export { … }` lists) are left to a person.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const verbose = process.argv.includes('--verbose');
const fix = process.argv.includes('--fix');

// Files whose exports are a public face, not internals: the DAP protocol types, the machine's public
// face, the extension's API for other extensions, and the bundles' entry points (esbuild.mjs).
const PUBLIC = new Set([
  'src/protocol/index.ts',
  'src/vm/index.ts',
  'src/extension/api.ts',
  'src/extension/main.ts',
  'src/debug/stdio.ts',
  'src/lsp/server/main.ts',
  'src/cli/main.ts',
  'src/views/timeline/webview.ts',
]);

function loadProgram(root) {
  const configPath = path.join(root, 'tsconfig.json');
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (!parsed) throw new Error(`${configPath}: cannot be read`);
  const scripts = ts.sys.readDirectory(path.join(root, 'scripts'), ['.ts', '.mjs', '.js'], undefined, undefined);
  return ts.createProgram({
    rootNames: [...parsed.fileNames, ...scripts],
    options: { ...parsed.options, allowJs: true, checkJs: false, noEmit: true },
  });
}


/** The symbol a declaration's export stands for (the export symbol of an exported local). */
function canonical(checker, symbol) {
  return symbol.flags & ts.SymbolFlags.ExportValue ? checker.getExportSymbolOfSymbol(symbol) : symbol;
}

function isInImportOrExportDeclaration(node) {
  for (let n = node.parent; n; n = n.parent) {
    if (ts.isImportDeclaration(n) || ts.isImportEqualsDeclaration(n) || ts.isExportDeclaration(n)) return true;
    if (ts.isStatement(n) || ts.isSourceFile(n)) return false;
  }
  return false;
}

// Whether an identifier is the name a declaration introduces (not a use of something else).
const DECLARATION_KINDS = new Set([
  ts.SyntaxKind.VariableDeclaration, ts.SyntaxKind.FunctionDeclaration, ts.SyntaxKind.ClassDeclaration,
  ts.SyntaxKind.InterfaceDeclaration, ts.SyntaxKind.TypeAliasDeclaration, ts.SyntaxKind.EnumDeclaration,
  ts.SyntaxKind.ModuleDeclaration, ts.SyntaxKind.EnumMember, ts.SyntaxKind.Parameter, ts.SyntaxKind.TypeParameter,
  ts.SyntaxKind.PropertyDeclaration, ts.SyntaxKind.PropertySignature, ts.SyntaxKind.MethodDeclaration,
  ts.SyntaxKind.MethodSignature, ts.SyntaxKind.GetAccessor, ts.SyntaxKind.SetAccessor, ts.SyntaxKind.PropertyAssignment,
  ts.SyntaxKind.FunctionExpression, ts.SyntaxKind.ClassExpression, ts.SyntaxKind.BindingElement,
]);

function isDeclarationName(node) {
  const parent = node.parent;
  return parent !== undefined && DECLARATION_KINDS.has(parent.kind) && parent.name === node;
}

/** The [start, end) of a declaration's `export` keyword, if it has one. */
function exportKeywords(node) {
  const modifiers = ts.canHaveModifiers(node) ? ts.getModifiers(node) ?? [] : [];
  return modifiers.filter((m) => m.kind === ts.SyntaxKind.ExportKeyword).map((m) => [m.getStart(), m.getEnd()]);
}

/**
 * The findings for the project at `root` (its tsconfig.json, plus its scripts/), sorted by file and
 * line: `{ file, line, name, kind: 'unused' | 'file-local', keywords }` (keywords: what --fix removes).
 */
export function findUnusedExports(root, publicFiles = PUBLIC) {
  const rel = (fileName) => path.relative(root, fileName).split(path.sep).join('/');
  const program = loadProgram(root);
  const checker = program.getTypeChecker();
  const own = program.getSourceFiles().filter((f) => !f.isDeclarationFile && !f.fileName.includes('/node_modules/'));
  /** @type {Map<ts.Symbol, Set<string>>} symbol → the files that name it */
  const users = new Map();
  const mark = (symbol, file) => {
    for (let s = symbol, hops = 0; s && hops < 16; hops++) {
      s = canonical(checker, s);
      let files = users.get(s);
      if (!files) users.set(s, (files = new Set()));
      files.add(file);
      if (!(s.flags & ts.SymbolFlags.Alias)) break;
      s = checker.getImmediateAliasedSymbol(s);
    }
  };

  for (const sf of own) {
    const file = rel(sf.fileName);
    const visit = (node) => {
      if (ts.isIdentifier(node) && !isDeclarationName(node) && !isInImportOrExportDeclaration(node)) {
        const symbol = ts.isShorthandPropertyAssignment(node.parent) && node.parent.name === node
          ? checker.getShorthandAssignmentValueSymbol(node.parent)
          : checker.getSymbolAtLocation(node);
        // A recursive function's call of itself is no use of it.
        const within = symbol?.declarations?.some((d) => d.getSourceFile() === sf && d.pos <= node.pos && node.end <= d.end);
        if (symbol && !within) mark(symbol, file);
      }
      // `const { a, b: c } = ns` names the properties a and b of what `ns` is.
      if (ts.isBindingElement(node) && ts.isObjectBindingPattern(node.parent) && !node.dotDotDotToken) {
        const key = node.propertyName ?? node.name;
        const property = ts.isIdentifier(key) ? checker.getTypeAtLocation(node.parent).getProperty(key.text) : undefined;
        if (property) mark(property, file);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }

  const modules = own.filter((sf) => rel(sf.fileName).startsWith('src/'));
  // A public face uses everything it exports, re-exports included.
  for (const sf of modules) {
    const file = rel(sf.fileName);
    const moduleSymbol = checker.getSymbolAtLocation(sf);
    if (!publicFiles.has(file) || !moduleSymbol) continue;
    for (const e of checker.getExportsOfModule(moduleSymbol)) mark(e, file);
  }

  const findings = [];
  for (const sf of modules) {
    const file = rel(sf.fileName);
    const moduleSymbol = checker.getSymbolAtLocation(sf);
    if (publicFiles.has(file) || !moduleSymbol) continue;
    for (const e of checker.getExportsOfModule(moduleSymbol)) {
      const decl = e.declarations?.[0];
      // `export *` brings in symbols declared elsewhere: they are checked in their own file.
      if (!decl || decl.getSourceFile() !== sf) continue;
      const by = users.get(canonical(checker, e)) ?? new Set();
      if ([...by].some((f) => f !== file)) continue;
      const { line } = sf.getLineAndCharacterOfPosition(decl.getStart());
      const kind = by.has(file) ? 'file-local' : 'unused';
      // The `export` keywords `--fix` removes: only on declarations (not `export { … }` lists).
      const keywords = (e.declarations ?? []).flatMap((d) => exportKeywords(ts.isVariableDeclaration(d) ? d.parent.parent : d));
      findings.push({ file, line: line + 1, name: e.name, kind, keywords, statement: ts.isVariableDeclaration(decl) ? decl.parent.parent : undefined });
    }
  }
  // `export const a = 1, b = 2` loses its keyword only when every name in it is file-local; a
  // file-local name beside one used elsewhere is no finding (a register table stays one table).
  const kindOf = new Map(findings.map((f) => [`${f.file}:${f.name}`, f.kind]));
  const kept = findings.filter((f) => {
    if (!f.statement) return true;
    const kinds = f.statement.declarationList.declarations.map((d) => kindOf.get(`${f.file}:${d.name.getText()}`));
    delete f.statement;
    if (kinds.every((k) => k === 'file-local')) return true;
    f.keywords = [];
    return f.kind === 'unused' || !kinds.includes(undefined);
  });
  return kept.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--root');
  const root = at > 0 ? path.resolve(process.argv[at + 1]) : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const started = Date.now();
  const findings = findUnusedExports(root);
  for (const f of findings) console.log(`${f.file}:${f.line}: ${f.name} (${f.kind})`);
  const unused = findings.filter((f) => f.kind === 'unused').length;
  const summary = findings.length === 0
    ? 'unused-exports: no findings'
    : `unused-exports: ${findings.length} findings (${unused} unused, ${findings.length - unused} file-local)`;
  console.log(verbose ? `${summary} in ${((Date.now() - started) / 1000).toFixed(1)} s` : summary);
  if (fix) {
    const byFile = new Map();
    for (const f of findings.filter((x) => x.kind === 'file-local' && x.keywords.length > 0)) {
      byFile.set(f.file, [...(byFile.get(f.file) ?? []), ...f.keywords]);
    }
    for (const [file, ranges] of byFile) {
      const full = path.join(root, file);
      let text = fs.readFileSync(full, 'utf8');
      const unique = [...new Map(ranges.map((r) => [r[0], r])).values()];
      for (const [start, end] of unique.sort((a, b) => b[0] - a[0])) {
        const after = /^\s*/.exec(text.slice(end))[0].length;
        text = text.slice(0, start) + text.slice(end + after);
      }
      fs.writeFileSync(full, text);
    }
    console.log(`unused-exports: --fix dropped \`export\` in ${byFile.size} files`);
  }
  process.exitCode = findings.length === 0 ? 0 : 1;
}
