// The layers import only downward (STYLE.md "The shape of the house"; docs/architecture.md).
// This test reads every source file's imports and fails on any that points the wrong way.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const SRC = path.join(__dirname, '..', 'src');
const NODE_BUILTINS = new Set(['fs', 'path', 'child_process', 'os', 'net', 'http', 'https', 'worker_threads', 'readline', 'process', 'events', 'util', 'stream', 'crypto']);

/** Order of the machine's own layers: a file may import its own layer or one listed before it. */
const VM_LAYERS = ['mem', 'events.ts', 'cpu', 'mmu', 'irq', 'hv', 'vmm', 'provenance'];

interface Rule {
  /** Folder under src/ the rule applies to. */
  dir: string;
  /** Folders under src/ (or files) it may import from. */
  mayImport: string[];
  /** Packages it may import. */
  packages: (name: string) => boolean;
}

const pure = (name: string): boolean => !name.startsWith('vscode') && !name.startsWith('@vscode/') && !NODE_BUILTINS.has(name.replace(/^node:/, ''));

const RULES: Rule[] = [
  { dir: 'vm', mayImport: ['vm'], packages: pure },
  { dir: 'asm', mayImport: ['asm'], packages: pure },
  { dir: 'protocol', mayImport: ['protocol'], packages: () => false },
  // the debug adapter validates launch configurations against the schema package.json contributes
  { dir: 'debug', mayImport: ['debug', 'vm', 'asm', 'protocol', '../package.json'], packages: (n) => n !== 'vscode' },
  { dir: 'lsp/server', mayImport: ['lsp/server', 'asm'], packages: (n) => n !== 'vscode' },
  { dir: 'cli', mayImport: ['cli', 'vm', 'asm', 'debug', 'protocol'], packages: (n) => n !== 'vscode' },
  { dir: 'views', mayImport: ['views', 'protocol'], packages: (n) => n === 'vscode' || pure(n) },
];

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : /\.ts$/.test(e.name) ? [p] : [];
  });
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/g)) specs.push(m[1]);
  for (const m of text.matchAll(/(?:require|import)\(\s*['"]([^'"]+)['"]\s*\)/g)) specs.push(m[1]);
  return specs;
}

/** Checks one file against the rules; returns the violations as text. */
export function violations(file: string): string[] {
  const rel = path.relative(SRC, file).split(path.sep).join('/');
  const rule = RULES.find((r) => rel.startsWith(r.dir + '/'));
  if (!rule) return [];
  const out: string[] = [];
  for (const spec of importsOf(file)) {
    if (spec.startsWith('.')) {
      const target = path.relative(SRC, path.resolve(path.dirname(file), spec)).split(path.sep).join('/');
      if (!rule.mayImport.some((d) => target === d || target.startsWith(d + '/'))) out.push(`${rel} imports ${spec} (${target})`);
      if (rule.dir === 'vm') {
        const from = VM_LAYERS.findIndex((l) => rel.slice(3).startsWith(l.replace(/\.ts$/, '')));
        const to = VM_LAYERS.findIndex((l) => target.slice(3).startsWith(l.replace(/\.ts$/, '')));
        if (from >= 0 && to > from) out.push(`${rel} imports ${spec}: vm/${VM_LAYERS[from]} may not depend on vm/${VM_LAYERS[to]}`);
      }
    } else {
      const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      if (!rule.packages(pkg)) out.push(`${rel} imports package ${spec}`);
    }
  }
  return out;
}

describe('architecture: imports point downward', () => {
  it('every source file respects its layer', () => {
    const all = sourceFiles(SRC).flatMap(violations);
    assert.deepStrictEqual(all, []);
  });

  it('the check catches a machine file that imports vscode or DAP code', () => {
    const dir = fs.mkdtempSync(path.join(SRC, 'vm', '.arch-test-'));
    try {
      const bad = path.join(dir, 'bad.ts');
      fs.writeFileSync(bad, "import * as vscode from 'vscode';\nimport { DebugSession } from '@vscode/debugadapter';\nimport { x } from '../../debug/session';\n");
      const v = violations(bad);
      assert.strictEqual(v.length, 3, v.join('\n'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the check catches the CPU importing the hypervisor', () => {
    const dir = fs.mkdtempSync(path.join(SRC, 'vm', 'cpu', '.arch-test-'));
    try {
      const bad = path.join(dir, 'bad.ts');
      fs.writeFileSync(bad, "import { Vm } from '../../hv/vm';\n");
      assert.match(violations(bad).join('\n'), /vm\/cpu may not depend on vm\/hv/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
