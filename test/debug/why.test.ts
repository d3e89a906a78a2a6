// "Why didn't IRQ N arrive?" (hyperstep/why, `why irq GSI`, `why vector V`): one small guest per
// keyword produces exactly that situation, under each irqchip mode, and stops on an ebreak. The
// answer names the keyword first, the register and bit, and the write that set it: running to
// that cycle lands on that instruction (docs/interrupt-provenance.md).
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { WhyKeyword, WhyResult } from '../../src/protocol';
import { WHY_KEYWORDS } from '../../src/protocol';
import { launch, pc, repl, request, startClient, stopAfter, value } from './helpers';

const LEVEL = 1 << 15, MASK = 1 << 16;
const hex = (v: number): string => '0x' + (v >>> 0).toString(16);

/** IOAPIC entry `gsi` (destination first, low dword last; `label` marks the low write). */
const entry = (gsi: number, low: number, high = 0, label = ''): string => `
        li t0, ${0x11 + 2 * gsi}
        sw t0, 0(s2)
        li t1, ${hex(high)}
        sw t1, 0x10(s2)
        li t0, ${0x10 + 2 * gsi}
        sw t0, 0(s2)
        li t1, ${hex(low)}
${label ? `${label}:` : ''}
        sw t1, 0x10(s2)`;
const LAPIC_ON = `
        li t0, 0x1ff
        sw t0, 0xf0(s3)`;
const INTS_ON = `
        li t0, 0x800
        csrs mie, t0
        csrsi mstatus, 8`;
const raise = (gsi: number): string => `
        li t0, ${hex((0x80000000 | gsi) >>> 0)}
        sw t0, 0(s4)`;
const lower = (gsi: number): string => `
        li t0, ${gsi}
        sw t0, 0(s4)`;

function guest(main: string, handler = 'ebreak'): string {
  return `        .equ IOAPIC, 0xfec00000
        .equ LAPIC, 0xfee00000
        .equ TESTDEV, 0x00101000
        .text
        .globl _start
_start:
        la sp, stack_top
        la t0, trap
        csrw mtvec, t0
        li s2, IOAPIC
        li s3, LAPIC
        li s4, TESTDEV
        li s5, 0
${main}
idle:   wfi
        j idle
trap:
${handler}
        mret
        .bss
        .align 4
        .space 1024
stack_top:
`;
}

/**
 * The NIC in slot 3 (ECAM bus 0 device 3) with its MSI programmed: Message Address `address`, Data
 * 0x41, then `then` (mask, enable, disable: labelled); then the NIC is made to interrupt (IMR.RX,
 * ISR_SET) so the function really has a message to send.
 */
const nicMsi = (address: number, then: string): string => `
        li s0, 0x30018000
        li t0, 0x40000000
        sw t0, 0x10(s0)
        li t0, 6
        sh t0, 4(s0)
        li t0, ${hex(address)}
msi_address:
        sw t0, 0x44(s0)
        li t0, 0x41
        sh t0, 0x48(s0)${then}
        li s1, 0x40000000
        li t0, 1
        sw t0, 0x14(s1)
        sw t0, 0x18(s1)`;
const MSI_ON = `
        li t0, 1
        sh t0, 0x42(s0)`;

/** Interrupts on, then off again by a csrci: the instruction `setAt` names (from the history). */
const MIE_CLEARED = guest(`${LAPIC_ON}${INTS_ON}${entry(10, 0x41)}
        nop
mie_off:
        csrci mstatus, 8${raise(10)}
        ebreak`);

interface Case {
  keyword: WhyKeyword;
  name: string;
  source: string;
  ask: { gsi: number } | { vector: number };
  console: string;
  register: RegExp;
  /** The label of the instruction `setAt` names (a guest write, or the handler's entry). */
  setAt?: string;
  /** What the answer says beyond its first line. */
  detail?: RegExp;
  /** The NIC with an MSI capability in slot 3 (else no NIC). */
  nic?: boolean;
}

const CASES: Case[] = [
  {
    keyword: 'no-source', name: 'an open entry for a GSI nothing is wired to',
    source: guest(`${LAPIC_ON}${entry(10, 0x41)}\n        ebreak`), ask: { gsi: 10 }, console: 'why irq 10', register: /GSI 10/,
  },
  {
    keyword: 'line-low', name: "the UART's GSI 4 while the UART does not interrupt",
    source: guest(`${LAPIC_ON}${entry(4, 0x24)}\n        ebreak`), ask: { gsi: 4 }, console: 'why irq 4', register: /GSI 4 line level/,
  },
  {
    keyword: 'masked', name: 'a level line asserted while the guest has masked its entry',
    source: guest(`${LAPIC_ON}${INTS_ON}${entry(10, 0x41 | LEVEL)}
        li t1, ${hex(0x41 | LEVEL | MASK)}
mask_it:
        sw t1, 0x10(s2)${raise(10)}
        ebreak`), ask: { gsi: 10 }, console: 'why irq 10', register: /redirection entry 10, bit 16 \(mask\)/, setAt: 'mask_it',
  },
  {
    keyword: 'edge-lost', name: 'an edge that rose while masked, the entry unmasked since',
    source: guest(`${LAPIC_ON}${INTS_ON}${entry(10, 0x41)}
        li t1, ${hex(0x41 | MASK)}
mask_it:
        sw t1, 0x10(s2)${raise(10)}
        li t1, 0x41
        sw t1, 0x10(s2)
        ebreak`), ask: { gsi: 10 }, console: 'why irq 10', register: /redirection entry 10, bit 16 \(mask\) when the edge rose/, setAt: 'mask_it',
  },
  {
    keyword: 'masked', name: "an MSI masked in the NIC's MSI capability (per-vector mask bit)",
    source: guest(`${LAPIC_ON}${INTS_ON}${nicMsi(0xfee00000, `
        li t0, 1
mask_it:
        sw t0, 0x4c(s0)${MSI_ON}`)}
        ebreak`), ask: { vector: 0x41 }, console: 'why vector 0x41', register: /nic 00:03\.0 MSI capability, Mask Bits \(config 0x4c\), bit 0/,
    setAt: 'mask_it', detail: /holds the message pending \(Pending Bits bit 0\)/, nic: true,
  },
  {
    keyword: 'no-source', name: "an MSI the guest disabled again (Message Control's MSI Enable clear)",
    source: guest(`${LAPIC_ON}${INTS_ON}${nicMsi(0xfee00000, `${MSI_ON}
disable_it:
        sh zero, 0x42(s0)`)}
        ebreak`), ask: { vector: 0x41 }, console: 'why vector 0x41', register: /nic 00:03\.0 MSI capability, Message Control \(config 0x42\), bit 0 \(MSI Enable\)/,
    setAt: 'disable_it', detail: /through its INTx pin/, nic: true,
  },
  {
    keyword: 'no-destination', name: 'an MSI addressed to LAPIC 5 on a one-vCPU machine',
    source: guest(`${LAPIC_ON}${INTS_ON}${nicMsi(0xfee05000, MSI_ON)}
        ebreak`), ask: { vector: 0x41 }, console: 'why vector 0x41', register: /Message Address \(config 0x44\), bits 19:12 \(destination ID\)/,
    setAt: 'msi_address', detail: /physical destination 0x5 \(Message Address 0xfee05000\)/, nic: true,
  },
  {
    keyword: 'no-destination', name: 'an MSI whose address is outside the LAPIC window',
    source: guest(`${LAPIC_ON}${INTS_ON}${nicMsi(0xfed00000, MSI_ON)}
        ebreak`), ask: { vector: 0x41 }, console: 'why vector 0x41', register: /Message Address \(config 0x44\), bits 31:20/,
    setAt: 'msi_address', detail: /outside the LAPIC window/, nic: true,
  },
  {
    keyword: 'remote-irr', name: 'a level interrupt whose handler never wrote EOI, raised again',
    source: guest(`${LAPIC_ON}${INTS_ON}${entry(10, 0x41 | LEVEL)}${raise(10)}
1:      beqz s5, 1b${raise(10)}
        ebreak`, `${lower(10)}
        li s5, 1`), ask: { gsi: 10 }, console: 'why irq 10', register: /redirection entry 10, bit 14 \(remote IRR\)/,
  },
  {
    keyword: 'no-destination', name: 'an entry addressed to LAPIC 5 on a one-vCPU machine',
    source: guest(`${LAPIC_ON}${INTS_ON}${entry(10, 0x41, 5 << 24, 'program_it')}${raise(10)}
        ebreak`), ask: { gsi: 10 }, console: 'why irq 10', register: /bits 63:56 \(destination 0x5\)/, setAt: 'program_it',
  },
  {
    keyword: 'apic-disabled', name: 'a LAPIC the guest software-disabled again',
    source: guest(`${LAPIC_ON}${INTS_ON}${entry(10, 0x41)}
        li t0, 0xff
svr_off:
        sw t0, 0xf0(s3)${raise(10)}
        ebreak`), ask: { gsi: 10 }, console: 'why irq 10', register: /LAPIC 0 SVR, bit 8/, setAt: 'svr_off',
  },
  {
    keyword: 'in-service', name: 'the same vector raised again inside its own handler',
    source: guest(`${LAPIC_ON}${INTS_ON}${entry(10, 0x41)}${raise(10)}`, `${lower(10)}${raise(10)}
        ebreak`), ask: { vector: 0x41 }, console: 'why vector 0x41', register: /LAPIC 0 ISR, bit 0x41/, setAt: 'trap',
  },
  {
    keyword: 'priority', name: 'a lower-class vector raised while 0x41 is in service',
    source: guest(`${LAPIC_ON}${INTS_ON}${entry(10, 0x41)}${entry(11, 0x35)}${raise(10)}`, `${raise(11)}
        ebreak`), ask: { vector: 0x35 }, console: 'why vector 0x35 cpu 0', register: /LAPIC 0 PPR \(ISR bit 0x41\)/, setAt: 'trap',
  },
  {
    keyword: 'tpr', name: 'TPR raised to class 5 above a class-4 vector',
    source: guest(`${LAPIC_ON}${INTS_ON}
        li t0, 0x50
tpr_it:
        sw t0, 0x80(s3)${entry(10, 0x41)}${raise(10)}
        ebreak`), ask: { gsi: 10 }, console: 'why irq 10', register: /LAPIC 0 TPR/, setAt: 'tpr_it',
  },
  {
    keyword: 'interrupts-off', name: 'mie.MEIE set but mstatus.MIE never set',
    source: guest(`${LAPIC_ON}
        li t0, 0x800
        csrs mie, t0${entry(10, 0x41)}${raise(10)}
        ebreak`), ask: { gsi: 10 }, console: 'why irq 10', register: /mstatus\.MIE \(bit 3\)/,
    detail: /clear since reset: no instruction in the recorded history \(which starts at reset\) has set it/,
  },
  {
    keyword: 'interrupts-off', name: 'mstatus.MIE set, then cleared by a csrci outside any handler',
    source: MIE_CLEARED, ask: { gsi: 10 }, console: 'why irq 10', register: /mstatus\.MIE \(bit 3\)/, setAt: 'mie_off',
    detail: /cleared by the CSR instruction at that cycle \(a write to mstatus\)/,
  },
  {
    keyword: 'interrupts-off', name: 'mie.MEIE cleared by a csrc mie',
    source: guest(`${LAPIC_ON}${INTS_ON}${entry(10, 0x41)}
        li t0, 0x800
meie_off:
        csrc mie, t0${raise(10)}
        ebreak`), ask: { gsi: 10 }, console: 'why irq 10', register: /mie, bit 11 \(MEIE\)/, setAt: 'meie_off',
  },
  {
    keyword: 'interrupts-off', name: 'a higher vector raised inside a handler (the trap entry cleared MIE)',
    source: guest(`${LAPIC_ON}${INTS_ON}${entry(10, 0x41)}${entry(11, 0x61)}${raise(10)}`, `${raise(11)}
        ebreak`), ask: { vector: 0x61 }, console: 'why vector 0x61', register: /mstatus\.MIE \(bit 3\)/, setAt: 'trap',
  },
];

describe('debug adapter: why did it not arrive? (hyperstep/why, why irq, why vector)', function () {
  this.timeout(120_000);
  let dc: DebugClient;
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hyperstep-why-')); });
  after(() => { fs.rmSync(dir, { recursive: true, force: true }); });
  beforeEach(async () => { dc = await startClient(); });
  afterEach(async () => { await dc.stop(); });

  it('has a case for every keyword', () => {
    assert.deepStrictEqual([...new Set(CASES.map((c) => c.keyword))].sort(), [...WHY_KEYWORDS].sort());
  });

  CASES.forEach((c, i) => {
    for (const irqchip of ['kernel', 'split', 'userspace'] as const) {
      it(`${c.keyword}: ${c.name} (${irqchip} irqchip)`, async () => {
        const file = path.join(dir, `why-${i}.s`);
        fs.writeFileSync(file, c.source);
        await launch(dc, { program: file, irqchip, devices: { nic: c.nic ? { slot: 3, msi: true } : false } });
        const s = await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
        assert.match(s.description!, /^ebreak at/, 'the guest reaches its ebreak');

        const why = await request<WhyResult>(dc, 'hyperstep/why', c.ask);
        assert.strictEqual(why.blocker, c.keyword, why.detail);
        assert.ok(why.detail.startsWith(`${c.keyword}: `), why.detail);
        assert.match(why.register ?? '', c.register);
        if (c.detail) assert.match(why.detail, c.detail);
        const text = await repl(dc, c.console);
        assert.ok(text.startsWith(`${c.keyword}: `), text);

        if (!c.setAt) {
          if (c.keyword !== 'remote-irr') assert.strictEqual(why.setAt, undefined);
          else assert.ok(why.setAt && why.setAt.vcpu === 0 && why.setAt.cycle < (await value(dc, '$cycles')));
          return;
        }
        assert.ok(why.setAt, `${c.keyword} names the write that set its bit`);
        assert.strictEqual(why.setAt.pc, await value(dc, c.setAt), why.detail);
        assert.strictEqual(why.setAt.vcpu, 0);
        // Running back to setAt lands on that instruction.
        const back = dc.waitForEvent('stopped');
        await request(dc, 'hyperstep/runToCycle', { cycle: why.setAt.cycle });
        assert.strictEqual(((await back).body as { reason: string }).reason, 'goto');
        assert.strictEqual(await pc(dc), why.setAt.pc);
      });
    }
  });

  it('interrupts-off: says so when the history does not reach back to the instruction that cleared MIE', async () => {
    // The guest clears MIE, stops; the debugger changes the machine there (KVM_IRQ_LINE from the
    // console), which starts a new history: the csrci before it cannot be re-executed.
    const file = path.join(dir, 'why-mie-floor.s');
    fs.writeFileSync(file, guest(`${LAPIC_ON}${INTS_ON}${entry(10, 0x41)}
        csrci mstatus, 8
        ebreak${raise(10)}
        ebreak`));
    await launch(dc, { program: file, devices: { nic: false } });
    await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
    await repl(dc, 'irq 5 0');
    await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
    const why = await request<WhyResult>(dc, 'hyperstep/why', { gsi: 10 });
    assert.strictEqual(why.blocker, 'interrupts-off');
    assert.strictEqual(why.setAt, undefined);
    assert.match(why.detail, /history does not reach back to the instruction that cleared it: it was already clear at cycle \d+/);
  });
});
