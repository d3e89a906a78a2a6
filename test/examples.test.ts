// The example guests in examples/: each one runs in-process (as `hyperstep run` does) under every
// mmu × irqchip combination, exits 0, prints exactly the text below in every configuration, and
// shows the one thing it exists to show in the event stream or the statistics (docs/examples.md).
import * as assert from 'assert';
import * as path from 'path';
import { loadProgram, LoadedProgram } from '../src/cli/program';
import { formatTraceLine, TRACE_KINDS } from '../src/cli/trace';
import { Machine, RunOutcome } from '../src/vm/vmm/machine';
import { parseEventSpec } from '../src/vm/vmm/schedule';
import { collectStatistics, MachineStatistics } from '../src/vm/vmm/statistics';
import type { VmEvent } from '../src/vm/events';

const EXAMPLES = path.join(__dirname, '..', 'examples');
const MMUS = ['ept', 'npt', 'shadow'] as const;
const IRQCHIPS = ['kernel', 'split', 'userspace'] as const;
type Mmu = typeof MMUS[number];
type Irqchip = typeof IRQCHIPS[number];
/** Far more than any example needs: a guest that loops is a failure, not a hang. */
const MAX_INSNS = 5_000_000;

interface RunOptions {
  mmu: Mmu;
  irqchip: Irqchip;
  vcpus?: number;
  /** `--event` specs. */
  events?: string[];
}

interface RunResult {
  outcome: RunOutcome;
  output: string;
  events: VmEvent[];
  stats: MachineStatistics;
}

const programs = new Map<string, LoadedProgram>();

function program(name: string): LoadedProgram {
  let p = programs.get(name);
  if (!p) {
    const loaded = loadProgram(path.join(EXAMPLES, name));
    if ('error' in loaded) throw new Error(loaded.error);
    p = loaded;
    programs.set(name, p);
  }
  return p;
}

/** One run, as `hyperstep run` does it, with every event of the stream captured. */
function run(name: string, o: RunOptions): RunResult {
  let output = '';
  const m = new Machine({ mmu: o.mmu, irqchip: o.irqchip, vcpus: o.vcpus ?? 1 }, {
    consoleOutput: (b) => { output += String.fromCharCode(b); },
  });
  for (const spec of o.events ?? []) {
    const e = parseEventSpec(spec);
    if ('error' in e) throw new Error(e.error);
    m.scheduleEvent(e);
  }
  const loaded = m.load(program(name).image);
  assert.strictEqual(loaded.error, undefined);
  const events: VmEvent[] = [];
  m.events.subscribe((e) => events.push(e));
  const outcome = m.run(MAX_INSNS);
  return { outcome, output, events, stats: collectStatistics(m) };
}

/** Runs `name` under all nine configurations once (memoized for the tests below). */
const matrices = new Map<string, Map<string, RunResult>>();
function matrix(name: string, o: { vcpus?: number; events?: string[] } = {}): Map<string, RunResult> {
  const key = `${name} ${JSON.stringify(o)}`;
  let runs = matrices.get(key);
  if (!runs) {
    runs = new Map();
    for (const mmu of MMUS) for (const irqchip of IRQCHIPS) runs.set(`${mmu}/${irqchip}`, run(name, { mmu, irqchip, ...o }));
    matrices.set(key, runs);
  }
  return runs;
}

const configOf = (key: string): { mmu: Mmu; irqchip: Irqchip } => {
  const [mmu, irqchip] = key.split('/');
  return { mmu: mmu as Mmu, irqchip: irqchip as Irqchip };
};

/** Exit 0, and exactly `expected` on the UART in every configuration. */
function assertRunsEverywhere(runs: Map<string, RunResult>, expected: string): void {
  for (const [config, r] of runs) {
    assert.deepStrictEqual(r.outcome, { kind: 'poweroff', code: 0 }, `${config}: ${JSON.stringify(r.outcome)}\n${r.output}`);
    assert.strictEqual(r.output, expected, `${config}: UART output`);
  }
  assert.strictEqual(new Set([...runs.values()].map((r) => r.output)).size, 1);
}

function ofKind<K extends VmEvent['kind']>(events: VmEvent[], kind: K): Extract<VmEvent, { kind: K }>[] {
  return events.filter((e): e is Extract<VmEvent, { kind: K }> => e.kind === kind);
}

/**
 * The index of each predicate's first match, each searched after the previous one's: asserts that
 * the hops happen in this order in the stream.
 */
function assertSequence(events: VmEvent[], hops: [string, (e: VmEvent) => boolean][], where: string): number[] {
  const at: number[] = [];
  let from = 0;
  for (const [what, match] of hops) {
    const i = events.findIndex((e, k) => k >= from && match(e));
    assert.ok(i >= 0, `${where}: no ${what} after ${at.length ? hops[at.length - 1][0] : 'the start'}`);
    at.push(i);
    from = i + 1;
  }
  return at;
}

const ALL_TRACE_KINDS = new Set(TRACE_KINDS);
/** The stream as `--trace exits,mmio,irq` prints it. */
function traceText(events: VmEvent[]): string {
  return events.map((e) => formatTraceLine(e, ALL_TRACE_KINDS)).filter((l) => l !== undefined).join('\n');
}

// ---- expected output -----------------------------------------------------------------------------

const HELLO = 'Hello from a RISC-V guest under Hyperstep!\n';

const NIC_IRQ = [
  'nic-irq: driver starting',
  'nic-irq: NIC in slot 3, INTA -> GSI 19',
  'nic-irq: interrupt, vector 0x00000031, NIC ISR 0x00000001',
  'nic-irq: received 5 bytes: "hello"',
  'nic-irq: EOI written, done',
  '',
].join('\n');

const TIMER = [
  'timer: LAPIC SVR 0x1ff, divide configuration 0x3 (by 16), LVT timer 0x20040 (periodic, vector 0x40), initial count 25000',
  'tick 1',
  'tick 2',
  'tick 3',
  'tick 4',
  'tick 5',
  'timer: LVT timer masked (0x30040) after 5 ticks; the current count read in the handler was always in (0, 25000]',
  'timer: one-shot, initial count 1000',
  'timer: one-shot fired, vector 0x40, current count now 0',
  'timer: done',
  '',
].join('\n');

const SMP_IPI = [
  'smp-ipi: vCPU 0 up, waiting for vCPU 1',
  'smp-ipi: vCPU 1 up, LAPIC ID register 0x1000000, LAPIC enabled, waiting in wfi',
  'smp-ipi: vCPU 0 sends IPI vector 0x50 to APIC 1 (ICR high 0x1000000, ICR low 0x4050)',
  'smp-ipi: vCPU 1 took vector 0x50 (the IPI from vCPU 0), EOI',
  'smp-ipi: vCPU 0 routes IOAPIC pin 10 (edge, active-high) to vector 0x51 on APIC 1 and raises GSI 10',
  'smp-ipi: vCPU 1 took vector 0x51 (IOAPIC pin 10, from the test device), EOI',
  'smp-ipi: done',
  '',
].join('\n');

const SMP_IPI_ONE_VCPU = [
  'smp-ipi: vCPU 0 up, waiting for vCPU 1',
  'smp-ipi: vCPU 1 did not come up: run with --vcpus 2',
  '',
].join('\n');

const MSI_HEAD = [
  'msi: driver starting',
  'msi: MSI capability (ID 0x05) at config offset 0x40, message control 0x100',
  'msi: MSI enabled: address 0xfee00000 (LAPIC 0, physical), data 0x41 (vector 0x41, fixed, edge), message control 0x101',
];
const MSI_HANDLER = [
  'msi: interrupt, vector 0x41, NIC ISR 0x1',
  'msi: ISR_SET again while ISR.RX is set: LAPIC IRR bit 0x41 = 0 (no second MSI)',
];
const MSI_RAISE = 'msi: ISR_SET = 0x1 (ISR.RX, IMR.RX enabled): the NIC signals its MSI';
const MSI_NO_PACKET = 'msi: no packet in the RX ring (raised by ISR_SET)';
const MSI = [
  ...MSI_HEAD,
  MSI_RAISE,
  ...MSI_HANDLER,
  MSI_NO_PACKET,
  'msi: 1 interrupt(s), all by MSI; NIC ISR now 0x0',
  '',
].join('\n');
const MSI_WITH_PACKET = [
  ...MSI_HEAD,
  ...MSI_HANDLER,
  'msi: received 2 bytes: "hi"',
  MSI_RAISE,
  ...MSI_HANDLER,
  MSI_NO_PACKET,
  'msi: 2 interrupt(s), all by MSI; NIC ISR now 0x0',
  '',
].join('\n');

const PAGING = [
  'paging: M-mode builds the Sv32 tables (kernel superpage, UART, finisher, task)',
  'paging: M-mode: satp = 0x80480100 (Sv32, ASID 1), medeleg = ecall-from-U | page faults, mret to S',
  'kernel: S-mode, paging on, satp 0x80480100; starting the user task at 0x00400000',
  'user: hello from U-mode at 0x00400000',
  'user: data page 0x00401000 holds 0x0000002a',
  'kernel: store page fault at 0x402000: mapped a zeroed frame at 0x80202000',
  'user: stored to 0x00402000 (was unmapped), read back 0x1234abcd',
  'kernel: load page fault at 0x403000: mapped a zeroed frame at 0x80203000',
  'user: loaded from 0x00403000 (was unmapped): 0x00000000',
  'user: 10 + 9 + ... + 1 on the stack = 0x00000037',
  'user: exiting',
  'kernel: the task exited with status 0 after 51 syscalls and 2 page faults',
  'kernel: PTE for 0x402000 = 0x200808d7 (VRW-U-AD)',
  'kernel: PTE for 0x403000 = 0x20080c57 (VRW-U-A-)',
  'kernel: PTE for 0x40f000 = 0x200804d7 (VRW-U-AD)',
  '',
].join('\n');

// ---- the examples -------------------------------------------------------------------------------

describe('examples', function () {
  this.timeout(60_000);

  describe('hello.s', () => {
    it('prints its line and exits 0 in all nine configurations', () => {
      assertRunsEverywhere(matrix('hello.s'), HELLO);
    });

    it('EPT: the first UART access is an EPT violation, the later ones EPT misconfigurations; NPT: all VMEXIT_NPF; shadow: neither', () => {
      for (const [config, r] of matrix('hello.s')) {
        const uart = ofKind(r.events, 'exit').filter((e) => e.gpa !== undefined && e.gpa >= 0x1000_0000 && e.gpa < 0x1000_0100);
        assert.ok(uart.length > 1, config);
        assert.ok(uart.every((e) => e.vmmExit === 'KVM_EXIT_MMIO'), config);
        if (configOf(config).mmu === 'ept') {
          assert.strictEqual(uart[0].reason, 'EPT_VIOLATION', config);
          assert.ok(uart.slice(1).every((e) => e.reason === 'EPT_MISCONFIG'), config);
        } else if (configOf(config).mmu === 'npt') {
          assert.ok(uart.every((e) => e.reason === 'VMEXIT_NPF'), config);
          assert.strictEqual(r.stats.exits.EPT_VIOLATION, undefined, `${config}: SVM names only`);
        } else {
          assert.strictEqual(r.stats.exits.EPT_VIOLATION + r.stats.exits.EPT_MISCONFIG, 0, config);
        }
      }
    });
  });

  describe('nic-irq.s (--event 20000:nic:rx:hello)', () => {
    const runs = (): Map<string, RunResult> => matrix('nic-irq.s', { events: ['20000:nic:rx:hello'] });

    it('receives the packet and exits 0 in all nine configurations', () => {
      assertRunsEverywhere(runs(), NIC_IRQ);
    });

    it('the interrupt travels irq-line GSI 19 -> ioapic-deliver -> lapic-accept -> lapic-ack -> interrupt-taken -> lapic-eoi -> eoi-broadcast', () => {
      for (const [config, r] of runs()) {
        assertSequence(r.events, [
          ['irq-line GSI 19 rising', (e) => e.kind === 'irq-line' && e.gsi === 19 && e.edge === 'rising' && e.device === 'nic'],
          ['ioapic-deliver', (e) => e.kind === 'ioapic-deliver' && e.gsi === 19 && e.vector === 0x31 && e.trigMode === 'level'],
          ['lapic-accept', (e) => e.kind === 'lapic-accept' && e.apic === 0 && e.vector === 0x31 && e.accepted],
          ['lapic-ack', (e) => e.kind === 'lapic-ack' && e.apic === 0 && e.vector === 0x31 && !e.spurious],
          ['interrupt-taken', (e) => e.kind === 'interrupt-taken' && e.vcpu === 0 && e.vector === 0x31],
          ['lapic-eoi', (e) => e.kind === 'lapic-eoi' && e.vector === 0x31 && e.level],
          ['eoi-broadcast', (e) => e.kind === 'eoi-broadcast' && e.vector === 0x31 && e.gsis.includes(19)],
        ], config);
      }
    });

    const device = (r: RunResult, name: string): MachineStatistics['mmio'][number] => r.stats.mmio.find((d) => d.device === name)!;
    const vmmMmioAt = (r: RunResult, base: number): VmEvent[] =>
      ofKind(r.events, 'exit').filter((e) => e.vmmExit === 'KVM_EXIT_MMIO' && e.gpa !== undefined && e.gpa >= base && e.gpa < base + 0x1000);

    it('kernel irqchip: IOAPIC and LAPIC accesses never exit to the VMM', () => {
      for (const mmu of MMUS) {
        const r = runs().get(`${mmu}/kernel`)!;
        for (const [name, base] of [['ioapic', 0xfec0_0000], ['lapic', 0xfee0_0000]] as const) {
          assert.strictEqual(device(r, name).handledIn, 'kernel', `${mmu} ${name}`);
          assert.ok(device(r, name).writes > 0, `${mmu} ${name}`);
          assert.deepStrictEqual(vmmMmioAt(r, base), [], `${mmu} ${name}`);
        }
        assert.strictEqual(r.stats.vmmExits.KVM_EXIT_IOAPIC_EOI, 0);
      }
    });

    it('split irqchip: IOAPIC accesses exit to the VMM, LAPIC accesses do not, the level EOI is one KVM_EXIT_IOAPIC_EOI', () => {
      for (const mmu of MMUS) {
        const r = runs().get(`${mmu}/split`)!;
        assert.strictEqual(device(r, 'ioapic').handledIn, 'vmm');
        assert.strictEqual(vmmMmioAt(r, 0xfec0_0000).length, device(r, 'ioapic').reads + device(r, 'ioapic').writes);
        assert.ok(vmmMmioAt(r, 0xfec0_0000).length > 0);
        assert.strictEqual(device(r, 'lapic').handledIn, 'kernel');
        assert.deepStrictEqual(vmmMmioAt(r, 0xfee0_0000), []);
        assert.strictEqual(r.stats.vmmExits.KVM_EXIT_IOAPIC_EOI, 1, mmu);
      }
    });

    it('userspace irqchip: every LAPIC access, the EOI too, is a KVM_EXIT_MMIO', () => {
      for (const mmu of MMUS) {
        const r = runs().get(`${mmu}/userspace`)!;
        assert.strictEqual(device(r, 'lapic').handledIn, 'vmm');
        assert.strictEqual(device(r, 'ioapic').handledIn, 'vmm');
        assert.strictEqual(vmmMmioAt(r, 0xfee0_0000).length, device(r, 'lapic').reads + device(r, 'lapic').writes);
        const eoi = vmmMmioAt(r, 0xfee0_0000).filter((e) => e.kind === 'exit' && e.gpa === 0xfee0_00b0);
        assert.strictEqual(eoi.length, 1, mmu);
        const eoiMmio = ofKind(r.events, 'mmio').filter((e) => e.device === 'lapic' && e.register === 'EOI');
        assert.strictEqual(eoiMmio.length, 1);
        assert.strictEqual(eoiMmio[0].handledIn, 'vmm');
        assert.strictEqual(r.stats.vmmExits.KVM_EXIT_IOAPIC_EOI, 0);
      }
    });
  });

  describe('timer.s', () => {
    const COUNT = 25000, DIVISOR = 16;

    it('prints five ticks and the one-shot, exits 0 in all nine configurations', () => {
      assertRunsEverywhere(matrix('timer.s'), TIMER);
    });

    it('five periodic timer-fire events one period apart, then one one-shot', () => {
      for (const [config, r] of matrix('timer.s')) {
        const fires = ofKind(r.events, 'timer-fire');
        const periodic = fires.filter((e) => e.periodic);
        assert.strictEqual(periodic.length, 5, config);
        assert.ok(periodic.every((e) => e.apic === 0 && e.vector === 0x40 && !e.masked && e.missed === 0), config);
        for (let i = 1; i < periodic.length; i++) assert.strictEqual(periodic[i].deadline - periodic[i - 1].deadline, COUNT * DIVISOR, config);
        const oneShot = fires.filter((e) => !e.periodic);
        assert.strictEqual(oneShot.length, 1, config);
        assert.strictEqual(fires.length, 6, config);
        const taken = ofKind(r.events, 'interrupt-taken');
        assert.deepStrictEqual(taken.map((e) => e.vector), [0x40, 0x40, 0x40, 0x40, 0x40, 0x40], config);
        assert.ok(ofKind(r.events, 'lapic-eoi').every((e) => !e.level), `${config}: edge vector, no EOI broadcast`);
        assert.deepStrictEqual(ofKind(r.events, 'eoi-broadcast'), [], config);
      }
    });
  });

  describe('smp-ipi.s (--vcpus 2)', () => {
    const runs = (): Map<string, RunResult> => matrix('smp-ipi.s', { vcpus: 2 });

    it('exits 0 with the same lines in all nine configurations', () => {
      assertRunsEverywhere(runs(), SMP_IPI);
    });

    it('an IPI from apic 0 and an IOAPIC delivery reach apic 1; vCPU 1 takes both', () => {
      for (const [config, r] of runs()) {
        assertSequence(r.events, [
          ['ipi', (e) => e.kind === 'ipi' && e.apic === 0 && e.vector === 0x50 && e.destination === 1 && e.destMode === 'physical' && e.deliveryMode === 'fixed'],
          ['lapic-accept of the IPI on apic 1', (e) => e.kind === 'lapic-accept' && e.apic === 1 && e.vector === 0x50 && e.accepted],
          ['interrupt-taken 0x50 on vcpu 1', (e) => e.kind === 'interrupt-taken' && e.vcpu === 1 && e.vector === 0x50],
          ['lapic-eoi 0x50 on apic 1', (e) => e.kind === 'lapic-eoi' && e.apic === 1 && e.vector === 0x50 && !e.level],
          ['irq-line GSI 10', (e) => e.kind === 'irq-line' && e.gsi === 10 && e.edge === 'rising' && e.device === 'testdev'],
          ['ioapic-deliver GSI 10 to apic 1', (e) => e.kind === 'ioapic-deliver' && e.gsi === 10 && e.vector === 0x51 && e.destination === 1 && e.trigMode === 'edge'],
          ['lapic-accept 0x51 on apic 1', (e) => e.kind === 'lapic-accept' && e.apic === 1 && e.vector === 0x51 && e.accepted],
          ['interrupt-taken 0x51 on vcpu 1', (e) => e.kind === 'interrupt-taken' && e.vcpu === 1 && e.vector === 0x51],
          ['lapic-eoi 0x51 on apic 1', (e) => e.kind === 'lapic-eoi' && e.apic === 1 && e.vector === 0x51 && !e.level],
        ], config);
        assert.deepStrictEqual(ofKind(r.events, 'interrupt-taken').map((e) => [e.vcpu, e.vector]), [[1, 0x50], [1, 0x51]], config);
        assert.deepStrictEqual(ofKind(r.events, 'eoi-broadcast'), [], `${config}: edge, nothing broadcast`);
      }
    });

    it('is deterministic: two runs give the same trace byte for byte', () => {
      for (const irqchip of IRQCHIPS) {
        const a = run('smp-ipi.s', { mmu: 'ept', irqchip, vcpus: 2 });
        const b = run('smp-ipi.s', { mmu: 'ept', irqchip, vcpus: 2 });
        assert.ok(a.events.length > 100);
        assert.strictEqual(traceText(a.events), traceText(b.events), irqchip);
        assert.strictEqual(JSON.stringify(a.events), JSON.stringify(b.events), irqchip);
        assert.strictEqual(JSON.stringify(a.events), JSON.stringify(runs().get(`ept/${irqchip}`)!.events), irqchip);
      }
    });

    it('with one vCPU it says so and exits with status 1', () => {
      for (const irqchip of IRQCHIPS) {
        const r = run('smp-ipi.s', { mmu: 'ept', irqchip, vcpus: 1 });
        assert.deepStrictEqual(r.outcome, { kind: 'poweroff', code: 1 });
        assert.strictEqual(r.output, SMP_IPI_ONE_VCPU);
        assert.deepStrictEqual(ofKind(r.events, 'ipi'), []);
      }
    });
  });

  describe('msi.s', () => {
    it('takes one MSI and exits 0 in all nine configurations', () => {
      assertRunsEverywhere(matrix('msi.s'), MSI);
    });

    it('the MSI goes from the NIC straight to LAPIC 0: no IOAPIC, no INTx line, no EOI broadcast', () => {
      for (const [config, r] of matrix('msi.s')) {
        const sent = ofKind(r.events, 'pci-msi');
        assert.strictEqual(sent.length, 1, `${config}: one message per rising edge`);
        assert.deepStrictEqual([sent[0].device, sent[0].address, sent[0].data, sent[0].delivered], ['nic', 0xfee0_0000, 0x41, true], config);
        // Should a device MSI also be reported as an 'msi' event (the APIC bus's view), it must agree.
        for (const m of ofKind(r.events, 'msi')) assert.deepStrictEqual([m.vector, m.destination, m.valid], [0x41, 0, true], config);
        assertSequence(r.events, [
          ['pci-msi', (e) => e.kind === 'pci-msi'],
          ['lapic-accept', (e) => e.kind === 'lapic-accept' && e.apic === 0 && e.vector === 0x41 && e.trigMode === 'edge' && e.source === 'nic' && e.accepted],
          ['interrupt-taken', (e) => e.kind === 'interrupt-taken' && e.vector === 0x41],
          ['lapic-eoi', (e) => e.kind === 'lapic-eoi' && e.vector === 0x41 && !e.level],
        ], config);
        assert.deepStrictEqual(ofKind(r.events, 'ioapic-deliver'), [], config);
        assert.deepStrictEqual(ofKind(r.events, 'irq-line'), [], config);
        assert.deepStrictEqual(ofKind(r.events, 'eoi-broadcast'), [], config);
        assert.ok(ofKind(r.events, 'pci-intx').every((e) => !e.level), `${config}: INTx never asserted`);
        assert.strictEqual(r.stats.vmmExits.KVM_EXIT_IOAPIC_EOI, 0, config);
        assert.strictEqual(r.stats.interrupts.taken, 1, config);
      }
    });

    it('also takes a packet injected with --event 20000:nic:rx:hi', () => {
      const runs = matrix('msi.s', { events: ['20000:nic:rx:hi'] });
      assertRunsEverywhere(runs, MSI_WITH_PACKET);
      for (const [config, r] of runs) {
        assert.strictEqual(ofKind(r.events, 'pci-msi').length, 2, config);
        assert.deepStrictEqual(ofKind(r.events, 'ioapic-deliver'), [], config);
      }
    });
  });

  describe('paging.s', () => {
    it('runs the user task and exits 0 in all nine configurations', () => {
      assertRunsEverywhere(matrix('paging.s'), PAGING);
    });

    it('shadow paging exits on satp, sfence.vma, page faults and PTE writes; EPT and NPT on none of them', () => {
      for (const [config, r] of matrix('paging.s')) {
        const { exits, kvm } = r.stats;
        if (configOf(config).mmu === 'shadow') {
          assert.strictEqual(exits.CR_ACCESS, 1, `${config}: the satp write`);
          assert.strictEqual(exits.INVLPG, 2, `${config}: one sfence.vma per demand-mapped page`);
          assert.ok(exits.EXCEPTION_NMI > 0, config);
          assert.strictEqual(kvm.pf_guest, 2, `${config}: the task's two faults, re-injected`);
          assert.strictEqual(kvm.mmu_pte_write, 2, `${config}: the kernel's two PTE writes`);
          assert.ok(kvm.pf_fixed > 0, config);
          assert.strictEqual(exits.EPT_VIOLATION + exits.EPT_MISCONFIG, 0, config);
          const reinjected = ofKind(r.events, 'exit').filter((e) => e.reason === 'EXCEPTION_NMI' && (e.gva === 0x0040_2000 || e.gva === 0x0040_3000));
          assert.ok(reinjected.length >= 4, `${config}: each fault is intercepted twice (re-injected, then fixed)`);
        } else {
          // Under NPT the VM runs under SVM: only its exit names exist (no CR3-write, INVLPG or #PF intercepts).
          const npt = configOf(config).mmu === 'npt';
          const fault = npt ? 'VMEXIT_NPF' : 'EPT_VIOLATION';
          assert.deepStrictEqual(Object.keys(exits).filter((k) => ['CR_ACCESS', 'INVLPG', 'EXCEPTION_NMI'].includes(k) && exits[k] !== 0), [], config);
          if (npt) assert.deepStrictEqual(Object.keys(exits).filter((k) => !k.startsWith('VMEXIT_')), [], config);
          assert.strictEqual(kvm.pf_guest, 0, config);
          assert.strictEqual(kvm.mmu_pte_write, 0, config);
          assert.ok(exits[fault] > 0, config);
          const ram = ofKind(r.events, 'exit').filter((e) => e.gpa !== undefined && e.gpa >= 0x8000_0000);
          assert.ok(ram.every((e) => e.reason === fault && e.handledIn === 'kernel'), config);
          const pages = ram.map((e) => Math.floor(e.gpa! / 4096));
          assert.strictEqual(new Set(pages).size, pages.length, `${config}: one EPT violation per page, on first touch`);
        }
        // The task's faults are delegated to S: they show as guest traps from U to S, never to M.
        const faults = ofKind(r.events, 'guest-trap').filter((e) => !e.interrupt && [12, 13, 15].includes(e.cause));
        assert.deepStrictEqual(faults.map((e) => [e.cause, e.tval, e.fromPriv, e.toPriv]), [[15, 0x0040_2000, 0, 1], [13, 0x0040_3000, 0, 1]], config);
      }
    });
  });
});
