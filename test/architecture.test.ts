// The layers import only downward (docs/architecture.md "Layers").
// This test reads every source file's imports and fails on any that points the wrong way.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const SRC = path.join(__dirname, '..', 'src');
const NODE_BUILTINS = new Set(['fs', 'path', 'child_process', 'os', 'net', 'http', 'https', 'worker_threads', 'readline', 'process', 'events', 'util', 'stream', 'crypto']);

/**
 * Order of the machine's own layers: a file may import its own layer or one listed before it. Every
 * file under src/vm belongs to one. The debug port and the public face sit on top of the machine.
 */
const VM_LAYERS = ['mem', 'snapshot.ts', 'events.ts', 'cpu', 'mmu', 'irq', 'hv', 'vmm', 'provenance', 'debug-port.ts', 'index.ts'];

/** What a front end may name of the machine: its public face and its debug port (docs/architecture.md). */
const MACHINE_FACE = ['vm/index', 'vm/debug-port'];

interface Rule {
  /** Folder under src/ the rule applies to. */
  dir: string;
  /** Folders under src/ (or files) it may import from, anything inside them included. */
  mayImport: string[];
  /** Modules (paths under src/ without the extension; a folder means its index) it may import exactly. */
  mayImportExactly?: string[];
  /** Packages it may import. */
  packages: (name: string) => boolean;
}

const pure = (name: string): boolean => !name.startsWith('vscode') && !name.startsWith('@vscode/') && !NODE_BUILTINS.has(name.replace(/^node:/, ''));

const RULES: Rule[] = [
  { dir: 'vm', mayImport: ['vm'], packages: pure },
  { dir: 'asm', mayImport: ['asm'], packages: pure },
  { dir: 'protocol', mayImport: ['protocol'], packages: () => false },
  // the debug adapter validates launch configurations against the schema package.json contributes
  { dir: 'debug', mayImport: ['debug', 'asm', 'protocol', '../package.json'], mayImportExactly: MACHINE_FACE, packages: (n) => n !== 'vscode' },
  { dir: 'lsp/server', mayImport: ['lsp/server', 'asm'], packages: (n) => n !== 'vscode' },
  { dir: 'lsp/client', mayImport: ['lsp/client'], packages: (n) => n === 'vscode' || n === 'vscode-languageclient' || n === 'path' },
  // the extension runs the debug adapter inline: through its entry point (src/debug/index.ts) only
  { dir: 'extension', mayImport: ['extension', 'views', 'protocol', 'lsp/client'], mayImportExactly: ['debug'], packages: () => true },
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

/** The layer of a path under src/vm (a folder, or a file at the top), or -1. */
function vmLayer(p: string): number {
  return VM_LAYERS.findIndex((l) => (l.endsWith('.ts') ? p === l || p === l.slice(0, -3) : p === l || p.startsWith(l + '/')));
}

/** Checks one file against the rules; returns the violations as text. */
export function violations(file: string): string[] {
  const rel = path.relative(SRC, file).split(path.sep).join('/');
  const rule = RULES.find((r) => rel.startsWith(r.dir + '/'));
  if (!rule) return [];
  const out: string[] = [];
  if (rule.dir === 'vm' && vmLayer(rel.slice(3)) < 0) out.push(`${rel} is in no layer of src/vm (VM_LAYERS)`);
  for (const spec of importsOf(file)) {
    if (spec.startsWith('.')) {
      const target = path.relative(SRC, path.resolve(path.dirname(file), spec)).split(path.sep).join('/');
      const exact = (rule.mayImportExactly ?? []).some((m) => target === m || (m.endsWith('/index') && target === m.slice(0, -'/index'.length)));
      if (!exact && !rule.mayImport.some((d) => target === d || target.startsWith(d + '/'))) out.push(`${rel} imports ${spec} (${target})`);
      if (rule.dir === 'vm') {
        const from = vmLayer(rel.slice(3)), to = vmLayer(target.slice(3));
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

  it('the check catches the debugger reaching into the machine past its debug port and public face', () => {
    const dir = fs.mkdtempSync(path.join(SRC, 'debug', '.arch-test-'));
    try {
      const bad = path.join(dir, 'bad.ts');
      fs.writeFileSync(bad, [
        "import { Cpu } from '../../vm/cpu/cpu';",
        "import type { Vcpu } from '../../vm/hv/vcpu';",
        "import { Machine } from '../../vm/vmm/machine';",
        "import { Machine as M2 } from '../../vm';",
        "import { DebugPort } from '../../vm/debug-port';",
        "import { x } from '../session';",
      ].join('\n') + '\n');
      const v = violations(bad);
      assert.deepStrictEqual(v.map((s) => s.replace(/^.* imports (\S+).*$/, '$1')), ['../../vm/cpu/cpu', '../../vm/hv/vcpu', '../../vm/vmm/machine'], v.join('\n'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the extension, the language client and the machine\'s top-level files are checked too', () => {
    const made: string[] = [];
    try {
      const write = (dir: string, text: string): string => {
        const d = fs.mkdtempSync(path.join(SRC, dir, '.arch-test-'));
        made.push(d);
        const f = path.join(d, 'bad.ts');
        fs.writeFileSync(f, text);
        return f;
      };
      assert.match(violations(write('extension', "import { DebugRuntime } from '../../debug/runtime';\n")).join('\n'), /debug\/runtime/);
      assert.deepStrictEqual(violations(write('extension', "import { HyperstepSession } from '../../debug';\n")), []);
      assert.match(violations(write('lsp/client', "import { Machine } from '../../../vm';\n")).join('\n'), /imports .*vm/);
      const snap = path.join(SRC, 'vm', 'snapshot.ts');
      assert.deepStrictEqual(violations(snap), []);
      assert.match(violations(write('vm', "import { x } from '../../vm/hv/vm';\n")).join('\n'), /is in no layer of src\/vm/);
    } finally {
      for (const d of made) fs.rmSync(d, { recursive: true, force: true });
    }
  });

  it('the check catches a machine file that imports vscode or DAP code', () => {
    const dir = fs.mkdtempSync(path.join(SRC, 'vm', 'hv', '.arch-test-'));
    try {
      const bad = path.join(dir, 'bad.ts');
      fs.writeFileSync(bad, "import * as vscode from 'vscode';\nimport { DebugSession } from '@vscode/debugadapter';\nimport { x } from '../../../debug/session';\n");
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
