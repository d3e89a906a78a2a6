// The `hyperstep` command line (docs/contracts.md).
import { Command, InvalidArgumentError } from 'commander';
import * as fs from 'fs';
import { runCommand, EXIT_USAGE } from './run';
import { asmCommand } from './asm';
import { compareCommand } from './compare';
import { dapCommand } from './dap';
import { whyCliCommand } from './why';
import { VERSION } from './version';

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || !/^(0x[0-9a-f]+|\d+(e\d+)?)$/i.test(value)) throw new InvalidArgumentError(`expected a number, got '${value}'`);
  return n;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Every form `--event` takes (src/vm/vmm/schedule.ts parses them), shown by `run --help`. */
export const EVENT_FORMS = `
Events (--event, repeatable; CYCLE is the machine's cycle count, decimal or 0x hex):
  CYCLE:nic:rx:TEXT     a packet with TEXT arrives at the PCI NIC (held by the VMM until the
                        driver can receive); escapes \\n \\r \\t \\0 \\\\ \\xHH
                        e.g. --event 20000:nic:rx:hello
  CYCLE:irq:GSI:LEVEL   the IRQ test device drives GSI 0..23 to LEVEL 0 or 1
                        e.g. --event 50000:irq:10:1 --event 60000:irq:10:0
  CYCLE:uart:TEXT       TEXT is typed on the guest's console (UART receive), same escapes
                        e.g. --event 1000:uart:ls\\n
`;

/** Writes to a file descriptor; a reader that went away (EPIPE, e.g. `| head`) ends the process quietly. */
function writeFd(fd: number, b: Uint8Array | string): void {
  let bytes = typeof b === 'string' ? Buffer.from(b) : b;
  while (bytes.length > 0) {
    try {
      bytes = bytes.subarray(fs.writeSync(fd, bytes));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') process.exit(process.exitCode ?? 0);
      if (code !== 'EAGAIN') throw e;
    }
  }
}

const io = {
  stdout: (b: Uint8Array | string): void => writeFd(1, b),
  stderr: (t: string): void => writeFd(2, t),
};

const program = new Command('hyperstep')
  .description('Run and inspect a simulated RISC-V virtual machine: guest, hypervisor (KVM-like) and VMM (QEMU-like).')
  .version(`hyperstep ${VERSION}`, '-V, --version', 'print the version')
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE));

program.command('run')
  .description("run a program (ELF32 RISC-V executable or .s/.asm source); the guest's UART goes to stdout")
  .argument('<program>', 'ELF file or assembly source')
  .option('--mmu <mode>', 'second-stage MMU: ept | npt | shadow', 'ept')
  .option('--irqchip <mode>', 'interrupt controllers: kernel | split | userspace', 'kernel')
  .option('--vcpus <n>', 'number of vCPUs', integer, 1)
  .option('--memory <MiB>', 'guest RAM in MiB', integer, 64)
  .option('--no-vpid', 'flush the TLB on every VM entry and exit')
  .option('--no-compiler', 'interpret every instruction (no block compiler; docs/block-compiler.md)')
  .option('--max-insns <n>', 'stop (exit 124) after this many instructions', integer)
  .option('--strict-mmio', 'stop (exit 125) at an access to a GPA no device claims, instead of an access fault in the guest')
  .option('--event <spec>', 'inject CYCLE:nic:rx:TEXT, CYCLE:irq:GSI:LEVEL or CYCLE:uart:TEXT (repeatable)', collect, [])
  .option('--trace <kinds>', 'trace exits,irq,mmio to stderr')
  .option('--trace-file <file>', 'write the --trace lines to this file instead of stderr')
  .option('--stats <file>', 'write statistics as JSON')
  .option('--tlb <entries:ways>', 'TLB geometry per vCPU (default 64:4)')
  .option('--gpa-cache <entries:ways>', 'guest-physical mappings cache geometry per vCPU, EPT/NPT (default 16:4)')
  .addHelpText('after', EVENT_FORMS)
  .action((file: string, opts) => { process.exitCode = runCommand(file, opts, io); });

program.command('compare')
  .description('run a program under every mmu × irqchip combination and print exits, cycles and interrupt latency')
  .argument('<program>', 'ELF file or assembly source')
  .option('--vcpus <n>', 'number of vCPUs', integer, 1)
  .option('--memory <MiB>', 'guest RAM in MiB', integer, 64)
  .option('--no-compiler', 'interpret every instruction (no block compiler; docs/block-compiler.md)')
  .option('--max-insns <n>', 'stop each run after this many instructions', integer)
  .option('--event <spec>', 'inject CYCLE:nic:rx:TEXT, CYCLE:irq:GSI:LEVEL or CYCLE:uart:TEXT (repeatable)', collect, [])
  .option('--format <format>', 'text (fits 100 columns) | json | csv', 'text')
  .option('--tlb <entries:ways>', 'TLB geometry per vCPU (default 64:4)')
  .option('--gpa-cache <entries:ways>', 'guest-physical mappings cache geometry per vCPU, EPT/NPT (default 16:4)')
  .addHelpText('after', EVENT_FORMS)
  .action((file: string, opts) => { process.exitCode = compareCommand(file, opts, io); });

program.command('why')
  .description("why didn't an interrupt arrive? run a program to a cycle and answer as the debug console's `why` does")
  .argument('<program>', 'ELF file or assembly source')
  .requiredOption('--at <cycle>', 'the cycle (of the vCPU\'s clock) to ask at', integer)
  .option('--irq <gsi>', 'the GSI (0–23) whose interrupt did not arrive', integer)
  .option('--vector <v>', 'the vector (0–255) that did not arrive', integer)
  .option('--cpu <n>', 'the vCPU (with --vector)', integer, 0)
  .option('--mmu <mode>', 'second-stage MMU: ept | npt | shadow', 'ept')
  .option('--irqchip <mode>', 'interrupt controllers: kernel | split | userspace', 'kernel')
  .option('--vcpus <n>', 'number of vCPUs', integer, 1)
  .option('--memory <MiB>', 'guest RAM in MiB', integer, 64)
  .option('--no-vpid', 'flush the TLB on every VM entry and exit')
  .option('--no-compiler', 'interpret every instruction (no block compiler; docs/block-compiler.md)')
  .option('--event <spec>', 'inject CYCLE:nic:rx:TEXT, CYCLE:irq:GSI:LEVEL or CYCLE:uart:TEXT (repeatable)', collect, [])
  .action(async (file: string, opts) => { process.exitCode = await whyCliCommand(file, opts, io); });

program.command('asm')
  .description('assemble a source file into an ELF32 RISC-V executable')
  .argument('<source>', 'assembly source (.s/.asm)')
  .requiredOption('-o, --output <file>', 'output ELF file')
  .option('--text-base <addr>', 'address of .text', integer, 0x8000_0000)
  .action((file: string, opts) => { process.exitCode = asmCommand(file, opts, io); });

program.command('dap')
  .description('run the debug adapter (Debug Adapter Protocol) on stdin/stdout')
  .action(() => dapCommand());

void program.parseAsync(process.argv);
