// Outside events at a virtual time, written two ways: the CLI's `--event CYCLE:nic:rx:TEXT` /
// `CYCLE:irq:GSI:LEVEL` / `CYCLE:uart:TEXT`, and the launch configuration's
// `{ "atCycle": 20000, "nic": "rx", "data": "hello" }` (docs/contracts.md). Both parse to one type.
import type { ScheduledEvent } from './machine';

/** Text with C-style escapes (\n \r \t \\ \xHH) to bytes (UTF-8 for everything else). */
export function decodeText(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length) {
      const n = text[++i];
      if (n === 'n') out.push(10);
      else if (n === 'r') out.push(13);
      else if (n === 't') out.push(9);
      else if (n === '0') out.push(0);
      else if (n === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) { out.push(parseInt(text.slice(i + 1, i + 3), 16)); i += 2; } else out.push(...new TextEncoder().encode(n));
    } else {
      out.push(...new TextEncoder().encode(c));
    }
  }
  return Uint8Array.from(out);
}

const CYCLE = /^(0x[0-9a-f]+|\d+)$/i;

/** Parses one `--event` value; the error names the problem. */
export function parseEventSpec(spec: string): ScheduledEvent | { error: string } {
  const parts = spec.split(':');
  const bad = (why: string): { error: string } => ({ error: `--event ${spec}: ${why} (expected CYCLE:nic:rx:TEXT, CYCLE:irq:GSI:LEVEL or CYCLE:uart:TEXT)` });
  if (parts.length < 3 || !CYCLE.test(parts[0])) return bad('the first field must be a cycle number');
  const atCycle = Number(parts[0]);
  switch (parts[1]) {
    case 'nic':
      if (parts[2] !== 'rx' || parts.length < 4) return bad("a NIC event is 'nic:rx:TEXT'");
      return { atCycle, kind: 'nic-rx', data: decodeText(parts.slice(3).join(':')) };
    case 'uart':
      return { atCycle, kind: 'uart-rx', data: decodeText(parts.slice(2).join(':')) };
    case 'irq': {
      if (parts.length !== 4) return bad("an IRQ event is 'irq:GSI:LEVEL'");
      const gsi = Number(parts[2]);
      if (!/^\d+$/.test(parts[2]) || gsi > 23) return bad(`GSI must be 0..23, got '${parts[2]}'`);
      if (parts[3] !== '0' && parts[3] !== '1') return bad(`LEVEL must be 0 or 1, got '${parts[3]}'`);
      return { atCycle, kind: 'irq', gsi, level: parts[3] === '1' };
    }
    default:
      return bad(`unknown event kind '${parts[1]}'`);
  }
}
