// Test harness: assemble a guest with our assembler, boot it on a Machine, record its exits.
import * as assert from 'assert';
import { assemble } from '../../../src/asm';
import { readElf, ElfError } from '../../../src/asm/elf-reader';
import { Machine, MachineConfig, RunOutcome } from '../../../src/vm/vmm/machine';
import { ExitEvent, VmEvent } from '../../../src/vm/events';

export interface Booted {
  machine: Machine;
  exits: ExitEvent[];
  events: VmEvent[];
  output: () => string;
  run: (maxInstructions?: number) => RunOutcome;
}

export function boot(source: string, config: Partial<MachineConfig> = {}): Booted {
  const r = assemble(source, 'guest.s');
  assert.ok(r.ok && r.elf, r.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join('\n'));
  const elf = readElf(r.elf!, 'guest.s');
  assert.ok(!(elf instanceof ElfError), String(elf));
  if (elf instanceof ElfError) throw elf;
  let out = '';
  const machine = new Machine(config, { consoleOutput: (b) => { out += String.fromCharCode(b); } });
  const loaded = machine.load({ entry: elf.entry, segments: elf.segments });
  assert.strictEqual(loaded.error, undefined);
  const exits: ExitEvent[] = [];
  const events: VmEvent[] = [];
  machine.events.subscribe((e) => { events.push(e); if (e.kind === 'exit') exits.push(e); });
  return { machine, exits, events, output: () => out, run: (n = 10_000_000) => machine.run(n) };
}

/** The exits as compact strings: "REASON access gpa handled[/KVM_EXIT]". */
export function exitTrace(exits: ExitEvent[]): string[] {
  return exits.map((e) => [e.reason, e.access ?? '-', e.gpa === undefined ? '-' : '0x' + e.gpa.toString(16),
    e.handledIn + (e.vmmExit ? '/' + e.vmmExit : '')].join(' '));
}

/** Common guest tail: power off with status 0. */
export const POWER_OFF = `
        li      t0, 0x100000
        li      t1, 0x5555
        sw      t1, 0(t0)
99:     j       99b
`;
