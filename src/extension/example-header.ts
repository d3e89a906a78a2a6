// A launch configuration from an example's header comment. Each example names the command line it
// is meant to run with ("#   hyperstep run examples/nic-irq.s --event 20000:nic:rx:hello"); the
// debugger runs it with the same machine and the same scheduled events, so F5 on an example
// reproduces what its header describes. Pure: no vscode, unit-tested under plain mocha.
import type { IrqchipMode, LaunchArguments, LaunchEvent, MmuMode } from '../protocol';

type LaunchOptions = Pick<LaunchArguments, 'vcpus' | 'memoryMiB' | 'mmu' | 'vpid' | 'compiler' | 'irqchip' | 'events'>;

/** The machine options of the first `hyperstep run` line in the leading comment block, or {}. */
export function launchOptionsFromHeader(text: string): LaunchOptions {
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (!trimmed.startsWith('#')) break;
    const m = /hyperstep\s+run\s+\S+((?:\s+[^\s)]+)*)/.exec(trimmed);
    if (m) return parseRunOptions(m[1].trim().split(/\s+/).filter(Boolean));
  }
  return {};
}

/** `hyperstep run` options (src/cli/main.ts) as launch-configuration fields; others are ignored. */
export function parseRunOptions(args: string[]): LaunchOptions {
  const out: LaunchOptions = {};
  const events: LaunchEvent[] = [];
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split(/=(.*)/s, 2);
    const value = (): string | undefined => inline ?? args[++i];
    switch (flag) {
      case '--event': {
        const e = parseEvent(value() ?? '');
        if (e) events.push(e);
        break;
      }
      case '--vcpus': {
        const n = positive(value());
        if (n !== undefined) out.vcpus = n;
        break;
      }
      case '--memory': {
        const n = positive(value());
        if (n !== undefined) out.memoryMiB = n;
        break;
      }
      case '--mmu': {
        const v = value();
        if (v === 'ept' || v === 'npt' || v === 'shadow') out.mmu = v satisfies MmuMode;
        break;
      }
      case '--irqchip': {
        const v = value();
        if (v === 'kernel' || v === 'split' || v === 'userspace') out.irqchip = v satisfies IrqchipMode;
        break;
      }
      case '--no-vpid': out.vpid = false; break;
      case '--no-compiler': out.compiler = false; break;
      default: break;
    }
  }
  if (events.length) out.events = events;
  return out;
}

/** CYCLE:nic:rx:TEXT, CYCLE:irq:GSI:LEVEL or CYCLE:uart:TEXT (the CLI's --event). */
export function parseEvent(spec: string): LaunchEvent | undefined {
  const [cycle, kind, ...rest] = spec.split(':');
  if (!/^\d+$/.test(cycle ?? '')) return undefined;
  const atCycle = Number(cycle);
  if (kind === 'nic' && rest[0] === 'rx' && rest.length >= 2) return { atCycle, nic: 'rx', data: rest.slice(1).join(':') };
  if (kind === 'uart' && rest.length >= 1) return { atCycle, uart: rest.join(':') };
  if (kind === 'irq' && rest.length === 2 && /^\d+$/.test(rest[0]) && Number(rest[0]) <= 23 && (rest[1] === '0' || rest[1] === '1')) {
    return { atCycle, irq: Number(rest[0]), level: rest[1] === '1' ? 1 : 0 };
  }
  return undefined;
}

function positive(s: string | undefined): number | undefined {
  return s !== undefined && /^\d+$/.test(s) && Number(s) > 0 ? Number(s) : undefined;
}
