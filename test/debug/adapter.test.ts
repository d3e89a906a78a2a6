// The debug adapter as a DAP client sees it: lifecycle, threads, stack, scopes, variables, stepping,
// every breakpoint kind with conditions, hit counts and logpoints, event filters, memory,
// disassembly, the debug console and the custom requests (docs/debugging.md).
import * as assert from 'assert';
import * as path from 'path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { EVENT_FILTER_IDS } from '../../src/protocol';
import { ensureCorpusElf } from '../guest/corpus-build';
import {
  ensureAdapter, EXAMPLES, fixture, frames, launch, launchRunning, lineOf, pc, rejects, repl, request, startClient, stopAfter, topFrame, value,
  ROOT,
} from './helpers';

const CALLS = fixture('calls.s');
const SPIN = fixture('spin.s');
const TRAP = fixture('trap.s');
const PAGING = fixture('paging.s');
const HELLO = `${EXAMPLES}/hello.s`;
const C_ELF = path.join(ROOT, 'test', 'guest', 'build', 'printf.elf');
const C_SOURCE = path.join(ROOT, 'test', 'guest', 'programs', 'printf.c');

describe('debug adapter', function () {
  this.timeout(60_000);
  let dc: DebugClient;
  beforeEach(async () => { dc = await startClient(); });
  afterEach(async () => { await dc.stop(); });

  const outputs = (): string[] => {
    const out: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => out.push(e.body.output));
    return out;
  };

  describe('lifecycle', () => {
    it('announces its capabilities and exactly the event filters of docs/contracts.md', async () => {
      const r = await dc.initializeRequest({ adapterID: 'hyperstep', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true });
      const c = r.body!;
      assert.deepStrictEqual(c.exceptionBreakpointFilters!.map((f) => f.filter), [...EVENT_FILTER_IDS]);
      assert.deepStrictEqual([...EVENT_FILTER_IDS], ['vmexit', 'mmio', 'mmio-vmm', 'ept-violation', 'irq-assert', 'msi', 'lapic-deliver', 'interrupt-taken', 'eoi', 'guest-trap', 'triple-fault']);
      assert.ok(c.exceptionBreakpointFilters!.every((f) => f.supportsCondition));
      for (const k of ['supportsStepBack', 'supportsExceptionFilterOptions', 'supportsDataBreakpoints', 'supportsInstructionBreakpoints', 'supportsFunctionBreakpoints',
        'supportsConditionalBreakpoints', 'supportsHitConditionalBreakpoints', 'supportsLogPoints', 'supportsDisassembleRequest', 'supportsReadMemoryRequest',
        'supportsWriteMemoryRequest', 'supportsCompletionsRequest', 'supportsSetVariable', 'supportsSteppingGranularity'] as const) {
        assert.strictEqual(c[k], true, k);
      }
    });

    it('stops on entry, runs to the end and reports the exit code', async () => {
      const out = outputs();
      const s = await launch(dc, { program: HELLO });
      assert.strictEqual(s.reason, 'entry');
      assert.strictEqual((await topFrame(dc)).line, lineOf(HELLO, 'la      a0, message'));
      const exited = dc.waitForEvent('exited');
      const terminated = dc.waitForEvent('terminated');
      await dc.continueRequest({ threadId: 1 });
      assert.strictEqual((await exited).body.exitCode, 0);
      await terminated;
      assert.ok(out.join('').includes('Hello from a RISC-V guest under Hyperstep!'), out.join(''));
    });

    it('runs without stopping when stopOnEntry is false', async () => {
      const terminated = dc.waitForEvent('terminated');
      await Promise.all([dc.configurationSequence(), dc.launch({ program: HELLO, stopOnEntry: false })]);
      await terminated;
    });

    it('refuses a bad launch configuration with a message naming the field', async () => {
      const bad = async (args: Record<string, unknown>): Promise<string> => {
        const c = await startClient();
        try { return await rejects(c.launch(args)); } finally { await c.stop(); }
      };
      assert.match(await bad({ program: HELLO, irqchip: 'qemu' }), /launch configuration: irqchip must be one of kernel, split, userspace/);
      assert.match(await bad({ program: HELLO, vcpus: 0 }), /vcpus must be at least 1/);
      assert.match(await bad({ program: HELLO, memoryMiB: 'lots' }), /memoryMiB must be an integer/);
      assert.match(await bad({}), /program is required/);
      assert.match(await bad({ program: HELLO, costModel: { exitRoundTrip: -1 } }), /costModel\.exitRoundTrip must be at least 0/);
      assert.match(await bad({ program: HELLO, costModel: { warp: 1 } }), /costModel\.warp is not a known field/);
      assert.match(await bad({ program: HELLO, devices: { nic: { slot: 40 } } }), /devices\.nic\.slot must be at most 31/);
      assert.match(await bad({ program: HELLO, events: [{ atCycle: 5, level: 1 }] }), /events\[0\] must be exactly one of/);
      assert.match(await bad({ program: HELLO, mmmu: 'ept' }), /mmmu is not a known field/);
      assert.match(await bad({ program: '/no/such/file.s' }), /\/no\/such\/file\.s: cannot read/);
      assert.match(await bad({ program: fixture('bad.s') }), /bad\.s:3:\d+: error/);
    });

    it('answers a second launch and unknown requests with errors, and keeps serving', async () => {
      await launch(dc, { program: CALLS });
      assert.match(await rejects(dc.launchRequest({ program: CALLS } as DebugProtocol.LaunchRequestArguments)), /already launched/);
      assert.match(await rejects(dc.customRequest('hyperstep/nonsense')), /unknown request/);
      assert.strictEqual((await dc.threadsRequest()).body.threads.length, 1);
    });
  });

  describe('programs', () => {
    it('debugs a GCC-built ELF at C source level through its DWARF line table', async function () {
      this.timeout(120_000);
      ensureCorpusElf('printf.elf');
      const line = lineOf(C_SOURCE, 'printf("%%d width');
      await launch(dc, { program: C_ELF }, () => dc.setBreakpointsRequest({ source: { path: C_SOURCE }, breakpoints: [{ line }] }));
      const s = await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
      assert.strictEqual(s.reason, 'breakpoint');
      const top = await topFrame(dc);
      assert.strictEqual(top.source?.path, C_SOURCE);
      assert.strictEqual(top.line, line);
      assert.strictEqual(top.name, 'main');
      await stopAfter(dc, dc.nextRequest({ threadId: 1 }));
      assert.ok((await topFrame(dc)).line > line);
    });

    it('also runs as `hyperstep dap`', async () => {
      ensureAdapter();
      await dc.stop();
      dc = new DebugClient(process.execPath, fixture('hyperstep-dap.js'), 'hyperstep');
      dc.defaultTimeout = 20_000;
      await dc.start();
      const s = await launch(dc, { program: HELLO });
      assert.strictEqual(s.reason, 'entry');
      assert.strictEqual((await dc.threadsRequest()).body.threads[0].name, 'vCPU 0');
    });
  });

  describe('threads, stack, scopes and variables', () => {
    it('shows each vCPU as a thread', async () => {
      await launch(dc, { program: CALLS, vcpus: 3 });
      assert.deepStrictEqual((await dc.threadsRequest()).body.threads.map((t) => t.name), ['vCPU 0', 'vCPU 1', 'vCPU 2']);
      // every vCPU starts at the entry with a0 = mhartid
      for (const t of [1, 2, 3]) {
        const f = await topFrame(dc, t);
        assert.strictEqual(await value(dc, 'a0', f.id), t - 1);
        assert.strictEqual(await value(dc, 'mhartid', f.id), t - 1);
      }
    });

    it('unwinds through prologues to the callers, with symbols and lines', async () => {
      await launch(dc, { program: CALLS }, () => dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'leaf' }] }));
      const s = await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
      assert.strictEqual(s.reason, 'function breakpoint');
      const f = await frames(dc);
      assert.deepStrictEqual(f.map((x) => x.name), ['leaf', 'square', 'loop']);
      assert.deepStrictEqual(f.map((x) => x.instructionPointerReference), [await value(dc, 'leaf'), await value(dc, 'square') + 0x14, await value(dc, 'loop') + 0xc].map((a) => '0x' + a.toString(16).padStart(8, '0')));
      assert.deepStrictEqual(f.map((x) => x.line), [lineOf(CALLS, 'mul     a0'), lineOf(CALLS, 'call    leaf'), lineOf(CALLS, 'call    square')]);
    });

    it('has the scopes and readable, writable registers and CSRs', async () => {
      await launch(dc, { program: CALLS });
      const f = await topFrame(dc);
      const scopes = (await dc.scopesRequest({ frameId: f.id })).body.scopes;
      assert.deepStrictEqual(scopes.map((s) => s.name), ['Registers', 'CSRs', 'Last VM exit', 'Local APIC', 'Translation', 'Stack memory']);
      const regs = (await dc.variablesRequest({ variablesReference: scopes[0].variablesReference })).body.variables;
      assert.deepStrictEqual(regs.slice(0, 4).map((v) => v.name), ['pc', 'ra', 'sp', 'gp']);
      assert.strictEqual(regs[0].value, '0x80000000');
      assert.ok(regs.find((v) => v.name === 'a0'));
      const set = await dc.setVariableRequest({ variablesReference: scopes[0].variablesReference, name: 's1', value: '0x1234 + 1' });
      assert.strictEqual(set.body.value, '0x00001235');
      assert.strictEqual(await value(dc, 's1'), 0x1235);
      assert.match(await rejects(dc.setVariableRequest({ variablesReference: scopes[0].variablesReference, name: 'zero', value: '1' })), /hard-wired/);
      const csrs = (await dc.variablesRequest({ variablesReference: scopes[1].variablesReference })).body.variables;
      const misa = csrs.find((v) => v.name === 'misa')!;
      assert.strictEqual(misa.value, '0x40141105');
      await dc.setVariableRequest({ variablesReference: scopes[1].variablesReference, name: 'mscratch', value: '0xabc' });
      assert.strictEqual(await value(dc, 'mscratch'), 0xabc);
      const mstatus = csrs.find((v) => v.name === 'mstatus')!;
      const fields = (await dc.variablesRequest({ variablesReference: mstatus.variablesReference })).body.variables;
      assert.ok(fields.some((v) => v.name === 'MIE'));
      // memory: the words at sp
      await stopAfter(dc, dc.nextRequest({ threadId: 1 }));
      const stackRef = (await dc.scopesRequest({ frameId: (await topFrame(dc)).id })).body.scopes[5].variablesReference;
      const words = (await dc.variablesRequest({ variablesReference: stackRef })).body.variables;
      assert.strictEqual(words[0].name, '[sp+0x0]');
      assert.strictEqual(words[0].memoryReference, '0x' + (await value(dc, 'sp')).toString(16).padStart(8, '0'));
      const memory = dc.waitForEvent('memory');
      await dc.setVariableRequest({ variablesReference: stackRef, name: '[sp+0x4]', value: '0xfeedface' });
      await memory;
      assert.strictEqual(await value(dc, 'u32(sp + 4)'), 0xfeedface);
    });

    it('shows the last VM exit in words and the Local APIC', async () => {
      await launch(dc, { program: HELLO }, () => dc.setExceptionBreakpointsRequest({ filters: [], filterOptions: [{ filterId: 'mmio', condition: "device == 'uart' && write" }] }));
      await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
      // The stop is inside the store's exit (docs/debugging.md "Event breakpoints inside an exit"): on
      // the guest frame under it the Event scope comes first, then the machine's scopes.
      const guest = (await frames(dc)).find((f) => !/^(\[(KVM|VMM)\] |VM exit)/.test(f.name))!;
      const atEvent = (await dc.scopesRequest({ frameId: guest.id })).body.scopes;
      assert.deepStrictEqual(atEvent.slice(0, 5).map((s) => s.name), ['Event', 'Registers', 'CSRs', 'Last VM exit', 'Local APIC']);
      // Out of the exit, the store has completed: it is the last VM exit.
      await stopAfter(dc, dc.stepOutRequest({ threadId: 1 }));
      const scopes = (await dc.scopesRequest({ frameId: (await topFrame(dc)).id })).body.scopes;
      assert.deepStrictEqual(scopes.slice(0, 4).map((s) => s.name), ['Registers', 'CSRs', 'Last VM exit', 'Local APIC']);
      const exit = (await dc.variablesRequest({ variablesReference: scopes[2].variablesReference })).body.variables;
      const get = (n: string): string | undefined => exit.find((v) => v.name === n)?.value;
      assert.strictEqual(get('reason'), 'EPT_MISCONFIG');
      assert.strictEqual(get('GPA'), '0x10000000');
      assert.strictEqual(get('device'), 'uart');
      assert.strictEqual(get('register'), 'THR');
      assert.match(get('handled in')!, /VMM \(KVM_EXIT_MMIO\)/);
      assert.match(get('instruction')!, /^sb a1,0\(t0\)/);
      const lapic = (await dc.variablesRequest({ variablesReference: scopes[3].variablesReference })).body.variables;
      assert.strictEqual(lapic.find((v) => v.name === 'SVR')!.value.slice(0, 10), '0x000000ff');
      assert.strictEqual(lapic.find((v) => v.name === 'IRR')!.value, '(none)');
    });

    it('walks a translation level by level: GVA → GPA → HPA, with the TLB', async () => {
      const stopped = dc.waitForEvent('stopped');
      await launchRunning(dc, { program: PAGING });
      await stopped;
      assert.match((await stopped).body.description, /ebreak/);
      const scopes = (await dc.scopesRequest({ frameId: (await topFrame(dc)).id })).body.scopes;
      const tr = (await dc.variablesRequest({ variablesReference: scopes.find((s) => s.name === 'Translation')!.variablesReference })).body.variables;
      assert.match(tr.find((v) => v.name === 'satp')!.value, /Sv32, ASID 0/);
      const walk = tr.find((v) => v.name === 'last guest walk (TLB miss)')!;
      const levels = (await dc.variablesRequest({ variablesReference: walk.variablesReference })).body.variables;
      assert.deepStrictEqual(levels.map((v) => v.name).slice(0, 3), ['level 1 PTE', 'level 0 PTE', 'GPA']);
      const pcWalk = tr.find((v) => v.name.startsWith('pc '))!;
      assert.match(pcWalk.value, /→ GPA 0x8000[0-9a-f]{4} \(TLB hit\)/);
      const pcLevels = (await dc.variablesRequest({ variablesReference: pcWalk.variablesReference })).body.variables;
      assert.match(pcLevels.find((v) => v.name === 'level 1 PTE')!.value, /\[VRWXAD\]/);
      assert.ok(pcLevels.find((v) => v.name === 'EPT leaf')!.value.startsWith('0x'));
      // memory through the guest's page tables
      assert.strictEqual(await value(dc, 'u32(0x40000000)'), 0xcafef00d);
      assert.strictEqual(await value(dc, 'u32(0x40000004)'), 0xcafef00e);
      assert.match(await repl(dc, 'x/2x 0x40000000'), /40000000: 0xcafef00d 0xcafef00e/);
    });
  });

  describe('stepping', () => {
    it('steps by line and by instruction, in, over and out', async () => {
      await launch(dc, { program: CALLS });
      await stopAfter(dc, dc.nextRequest({ threadId: 1 }));
      // `la sp, stack_top` is two instructions on one line: a line step takes both
      assert.strictEqual((await topFrame(dc)).line, lineOf(CALLS, 'li      s0, 0'));
      await stopAfter(dc, dc.nextRequest({ threadId: 1, granularity: 'instruction' }));
      assert.strictEqual((await topFrame(dc)).line, lineOf(CALLS, 'li      s1, 5'));
      await stopAfter(dc, dc.nextRequest({ threadId: 1 }));
      await stopAfter(dc, dc.nextRequest({ threadId: 1 }));
      assert.strictEqual((await topFrame(dc)).line, lineOf(CALLS, 'call    square'));
      // over the call: square and leaf run, the stop is on the next line
      const s = await stopAfter(dc, dc.nextRequest({ threadId: 1 }));
      assert.strictEqual(s.reason, 'step');
      assert.strictEqual((await topFrame(dc)).line, lineOf(CALLS, 'la      t0, counter'));
      // back to the next call, then into it
      await dc.setBreakpointsRequest({ source: { path: CALLS }, breakpoints: [{ line: lineOf(CALLS, 'call    square') }] });
      await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
      await stopAfter(dc, dc.stepInRequest({ threadId: 1 }));
      assert.strictEqual((await topFrame(dc)).name, 'square');
      await stopAfter(dc, dc.stepInRequest({ threadId: 1 }));
      await stopAfter(dc, dc.stepInRequest({ threadId: 1 }));
      await stopAfter(dc, dc.stepInRequest({ threadId: 1 }));
      await stopAfter(dc, dc.stepInRequest({ threadId: 1 }));
      assert.strictEqual((await topFrame(dc)).name, 'leaf');
      await stopAfter(dc, dc.stepOutRequest({ threadId: 1 }));
      assert.strictEqual((await topFrame(dc)).line, lineOf(CALLS, 'lw      ra, 12(sp)'));
      await stopAfter(dc, dc.stepOutRequest({ threadId: 1 }));
      assert.strictEqual((await topFrame(dc)).line, lineOf(CALLS, 'la      t0, counter'));
      assert.strictEqual(await value(dc, 'a0'), 1);
    });

    it('pauses a guest in an infinite loop, and continues it', async () => {
      await launchRunning(dc, { program: SPIN });
      await new Promise((r) => setTimeout(r, 200));
      const s = await stopAfter(dc, dc.pauseRequest({ threadId: 1 }));
      assert.strictEqual(s.reason, 'pause');
      const ticks = await value(dc, 't1');
      assert.ok(ticks > 1000, `only ${ticks} iterations before the pause`);
      const continued = dc.continueRequest({ threadId: 1 });
      await continued;
      await new Promise((r) => setTimeout(r, 100));
      await stopAfter(dc, dc.pauseRequest({ threadId: 1 }));
      assert.ok(await value(dc, 't1') > ticks);
      assert.ok((await value(dc, 't1')) - (await value(dc, 'u32(ticks)')) <= 1); // paused between the add and the store, or after both
    });

    it('pauses `j .`', async () => {
      await launchRunning(dc, { program: fixture('jdot.s') });
      await new Promise((r) => setTimeout(r, 150));
      const s = await stopAfter(dc, dc.pauseRequest({ threadId: 1 }));
      assert.strictEqual(s.reason, 'pause');
      assert.strictEqual(await pc(dc), 0x80000000);
      assert.ok(await value(dc, '$steps') > 100_000);
    });

    it('stops at a compiled-in ebreak and continues past it', async () => {
      const stopped = dc.waitForEvent('stopped');
      await launchRunning(dc, { program: CALLS });
      const s = await stopped;
      assert.strictEqual(s.body.reason, 'breakpoint');
      assert.match(s.body.description, /ebreak/);
      assert.strictEqual(await value(dc, 'u32(counter)'), 30);
      const exited = dc.waitForEvent('exited');
      await dc.continueRequest({ threadId: 1 });
      assert.strictEqual((await exited).body.exitCode, 0);
    });

    it('an access to a GPA without RAM or device is a load access fault in the guest, as on QEMU', async () => {
      await launch(dc, { program: TRAP }, () => dc.setExceptionBreakpointsRequest({ filters: ['guest-trap'] }));
      const texts: string[] = [];
      for (let i = 0; i < 3; i++) texts.push((await stopAfter(dc, dc.continueRequest({ threadId: 1 }))).text ?? '');
      assert.match(texts[0], /cause 2/);
      assert.match(texts[1], /cause 11/);
      assert.match(texts[2], /\(cause 5\) at 0x[0-9a-f]+, tval 0x20000000/);
      assert.strictEqual(await value(dc, 'mtval'), 0x20000000);
    });

    it('with strictMmio, stops, rather than crashes, on an access to a GPA without RAM or device', async () => {
      await launch(dc, { program: TRAP, strictMmio: true });
      const s = await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
      assert.strictEqual(s.reason, 'exception');
      assert.match(s.text!, /no device at GPA 0x20000000/);
      const info = await dc.exceptionInfoRequest({ threadId: 1 });
      assert.match(info.body.details!.message!, /no device at GPA 0x20000000/);
      assert.strictEqual(await value(dc, 's0'), 2); // the two traps were handled on the way
    });
  });

  describe('breakpoints', () => {
    it('source breakpoints: moved to code, with conditions, hit counts and logpoints', async () => {
      const out = outputs();
      const add = lineOf(CALLS, 'add     t1, t1, a0');
      const r = await dc.initializeRequest();
      void r;
      await launch(dc, { program: CALLS }, async () => {
        const set = await dc.setBreakpointsRequest({
          source: { path: CALLS },
          breakpoints: [
            { line: lineOf(CALLS, '# i') - 0 },           // on code
            { line: 1 },                                   // a comment: moves to the first code line
            { line: add, condition: 'a0 == 9' },
            { line: add + 1, logMessage: 'i={s0,d} square={a0}' },
            { line: lineOf(CALLS, 'addi    s0, s0, 1'), hitCondition: '4' },
          ],
        });
        const bps = set.body.breakpoints;
        assert.ok(bps.every((b) => b.verified));
        assert.strictEqual(bps[1].line, lineOf(CALLS, 'la      sp, stack_top'));
        return set;
      });
      // first hit: li s0 (line of '# i')
      let s = await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
      assert.strictEqual(s.reason, 'breakpoint');
      assert.strictEqual((await topFrame(dc)).line, lineOf(CALLS, 'li      s0, 0'));
      s = await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
      assert.strictEqual((await topFrame(dc)).line, add);
      assert.strictEqual(await value(dc, 'a0'), 9);
      s = await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
      assert.strictEqual((await topFrame(dc)).line, lineOf(CALLS, 'addi    s0, s0, 1'));
      assert.strictEqual(await value(dc, 's0'), 3); // the 4th hit
      const logs = out.filter((l) => l.startsWith('i='));
      assert.deepStrictEqual(logs, ['i=0 square=0x0\n', 'i=1 square=0x1\n', 'i=2 square=0x4\n', 'i=3 square=0x9\n']);
      void s;
    });

    it('reports a condition that does not parse as an unverified breakpoint', async () => {
      await launch(dc, { program: CALLS });
      const set = await dc.setBreakpointsRequest({ source: { path: CALLS }, breakpoints: [{ line: lineOf(CALLS, 'loop:') + 1, condition: 'a0 ==' }, { line: 9999 }] });
      assert.strictEqual(set.body.breakpoints[0].verified, false);
      assert.match(set.body.breakpoints[0].message!, /condition/);
      assert.strictEqual(set.body.breakpoints[1].verified, false);
      const other = await dc.setBreakpointsRequest({ source: { path: '/elsewhere/x.s' }, breakpoints: [{ line: 3 }] });
      assert.match(other.body.breakpoints[0].message!, /not part of the program/);
    });

    it('function and instruction breakpoints', async () => {
      await launch(dc, { program: CALLS });
      const f = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'square', condition: 'a0 == 2' }, { name: 'nosuch' }] });
      assert.deepStrictEqual(f.body.breakpoints.map((b) => b.verified), [true, false]);
      let s = await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
      assert.strictEqual(s.reason, 'function breakpoint');
      assert.strictEqual(await value(dc, 'a0'), 2);
      await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
      const leafAt = await value(dc, 'leaf');
      const i = await request<{ breakpoints: DebugProtocol.Breakpoint[] }>(dc, 'setInstructionBreakpoints', { breakpoints: [{ instructionReference: '0x' + leafAt.toString(16), offset: 4 }] });
      assert.strictEqual(i.breakpoints[0].verified, true);
      s = await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
      assert.strictEqual(s.reason, 'instruction breakpoint');
      assert.strictEqual(await pc(dc), leafAt + 4);
      const bad = await request<{ breakpoints: DebugProtocol.Breakpoint[] }>(dc, 'setInstructionBreakpoints', { breakpoints: [{ instructionReference: 'zz' }, { instructionReference: '0x80000001' }] });
      assert.deepStrictEqual(bad.breakpoints.map((b) => b.verified), [false, false]);
    });

    it('data breakpoints on guest memory: write, read, conditions and logpoints', async () => {
      const out = outputs();
      await launch(dc, { program: CALLS });
      const info = await dc.dataBreakpointInfoRequest({ name: 'counter', bytes: 4 });
      assert.ok(info.body.dataId);
      assert.deepStrictEqual(info.body.accessTypes, ['read', 'write', 'readWrite']);
      await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write', condition: 'value > 4' }] });
      let s = await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
      assert.strictEqual(s.reason, 'data breakpoint');
      assert.match(s.description!, /write 0x5 to 0x8000[0-9a-f]{4}/);
      assert.strictEqual(await value(dc, 'u32(counter)'), 5);
      // the stop is after the store: pc is past it
      assert.strictEqual((await topFrame(dc)).line, lineOf(CALLS, 'addi    s0, s0, 1'));
      await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'read', condition: 'log: read {value,d}' }] });
      s = await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
      assert.match(s.description!, /ebreak/); // logpoints do not stop
      assert.deepStrictEqual(out.filter((l) => l.startsWith('read ')), ['read 5\n', 'read 14\n', 'read 30\n'].slice(0, out.filter((l) => l.startsWith('read ')).length));
      assert.ok(out.filter((l) => l.startsWith('read ')).length >= 2);
      const none = await dc.dataBreakpointInfoRequest({ name: '0x20000000' });
      assert.strictEqual(none.body.dataId, null);
    });

    it('data breakpoints on device registers (MMIO)', async () => {
      await launch(dc, { program: HELLO });
      const info = await dc.dataBreakpointInfoRequest({ name: '0x10000005', bytes: 1 });
      assert.match(info.body.dataId!, /^mmio:0x10000005:1$/);
      assert.match(info.body.description, /uart LSR/);
      await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'read', hitCondition: '3' }] });
      const s = await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
      assert.strictEqual(s.reason, 'data breakpoint');
      assert.match(s.description!, /read 0x60 from UART LSR \(GPA 0x10000005\)/);
      // a LAPIC register from the Local APIC scope
      const scopes = (await dc.scopesRequest({ frameId: (await topFrame(dc)).id })).body.scopes;
      const eoi = await dc.dataBreakpointInfoRequest({ name: 'EOI', variablesReference: scopes.find((x) => x.name === 'Local APIC')!.variablesReference });
      assert.strictEqual(eoi.body.dataId, 'mmio:0xfee000b0:4');
      const reg = await dc.dataBreakpointInfoRequest({ name: 'a0', variablesReference: scopes[0].variablesReference });
      assert.strictEqual(reg.body.dataId, null);
    });

    it('event breakpoints stop with a sentence, filtered by their conditions', async () => {
      await launch(dc, { program: HELLO }, () => dc.setExceptionBreakpointsRequest({
        filters: [], filterOptions: [{ filterId: 'vmexit', condition: "reason == 'EPT_VIOLATION' && gpa == 0x10000005" }],
      }));
      let s = await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
      // An event is not an exception (VS Code would draw its red exception widget): a breakpoint stop.
      assert.strictEqual(s.reason, 'breakpoint');
      assert.strictEqual(s.description, 'Paused on VM exit EPT_VIOLATION: read 0x60 from GPA 0x10000005 (UART LSR, to the VMM, KVM_EXIT_MMIO)');
      assert.strictEqual(s.text, 'VM exit EPT_VIOLATION: read 0x60 from GPA 0x10000005 (UART LSR, to the VMM, KVM_EXIT_MMIO)');
      const info = await dc.exceptionInfoRequest({ threadId: 1 });
      assert.strictEqual(info.body.exceptionId, 'vmexit');
      // the same access, seen from the VMM: continue goes to the next hop of the instruction first
      await dc.setExceptionBreakpointsRequest({ filters: ['ept-violation', 'mmio-vmm'], filterOptions: [{ filterId: 'mmio', condition: "device == 'finisher'" }] });
      s = await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
      assert.strictEqual(s.description, 'Paused on KVM_EXIT_MMIO: MMIO read 0x60 from UART LSR (GPA 0x10000005, 1 byte), handled in the VMM');
      await dc.setExceptionBreakpointsRequest({ filters: [], filterOptions: [{ filterId: 'mmio-vmm', condition: 'write' }] });
      s = await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
      assert.match(s.description!, /^Paused on KVM_EXIT_MMIO: MMIO write 0x48 to UART THR/);
      await dc.setExceptionBreakpointsRequest({ filters: [], filterOptions: [{ filterId: 'mmio', condition: "device == 'finisher'" }] });
      s = await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
      assert.match(s.description!, /MMIO write 0x5555 to finisher/);
      const bad = await dc.setExceptionBreakpointsRequest({ filters: ['nope'], filterOptions: [{ filterId: 'mmio', condition: '((' }] });
      assert.deepStrictEqual(bad.body!.breakpoints!.map((b) => b.verified), [false, false]);
    });

    it('logpoints and hit counts on event breakpoints', async () => {
      const out = outputs();
      await launch(dc, { program: HELLO }, () => dc.setExceptionBreakpointsRequest({
        filters: [], filterOptions: [
          { filterId: 'mmio-vmm', condition: "log: {device} {register} {write ? 'write' : 'read'} {value}" },
          { filterId: 'vmexit', hitCondition: '==5' } as DebugProtocol.ExceptionFilterOptions,
        ],
      }));
      const s = await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
      assert.match(s.description!, /^Paused on VM exit /);
      assert.strictEqual(await value(dc, '$steps') > 0, true);
      const logs = out.filter((l) => /^(uart|finisher) /.test(l));
      assert.ok(logs.length >= 1, out.join(''));
      assert.match(logs[0], /^uart LSR read 0x60\n$/);
    });

    it('takes breakpoints set while the guest runs', async () => {
      await launch(dc, { program: SPIN });
      await dc.continueRequest({ threadId: 1 });
      await new Promise((r) => setTimeout(r, 100));
      const stopped = dc.waitForEvent('stopped');
      await dc.setBreakpointsRequest({ source: { path: SPIN }, breakpoints: [{ line: lineOf(SPIN, 'sw      t1, 0(t0)') }] });
      assert.strictEqual((await stopped).body.reason, 'breakpoint');
      const info = await dc.dataBreakpointInfoRequest({ name: 'ticks' });
      await dc.setBreakpointsRequest({ source: { path: SPIN }, breakpoints: [] });
      await dc.continueRequest({ threadId: 1 });
      const again = dc.waitForEvent('stopped');
      await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }] });
      assert.strictEqual((await again).body.reason, 'data breakpoint');
    });

    it('steps one vCPU of several, the others running as scheduled', async () => {
      await launch(dc, { program: SPIN, vcpus: 2 });
      const before0 = await value(dc, 'pc', (await topFrame(dc, 1)).id);
      await stopAfter(dc, dc.nextRequest({ threadId: 2, granularity: 'instruction' }));
      const f2 = await topFrame(dc, 2);
      assert.strictEqual(await value(dc, 'pc', f2.id), before0 + 4);
      const s = await stopAfter(dc, dc.stepInRequest({ threadId: 2, granularity: 'instruction' }));
      assert.strictEqual(s.threadId, 2);
      assert.strictEqual(await value(dc, 'pc', (await topFrame(dc, 2)).id), before0 + 8);
      // vCPU 0 ran its quantum (10⁴ steps) before vCPU 1's first step
      assert.ok(await value(dc, 'u32(ticks)') > 1000);
      await stopAfter(dc, dc.stepBackRequest({ threadId: 2, granularity: 'instruction' }));
      assert.strictEqual(await value(dc, 'pc', (await topFrame(dc, 2)).id), before0 + 4);
      await stopAfter(dc, dc.stepBackRequest({ threadId: 2, granularity: 'instruction' }));
      assert.strictEqual(await value(dc, 'pc', (await topFrame(dc, 2)).id), before0);
    });

    it('guest exceptions as event breakpoints, entering the handler', async () => {
      await launch(dc, { program: TRAP }, () => dc.setExceptionBreakpointsRequest({ filters: ['guest-trap'] }));
      let s = await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
      assert.strictEqual(s.reason, 'exception', 'a guest exception is one');
      assert.match(s.description!, /Guest exception on vCPU 0: illegal instruction \(cause 2\)/);
      assert.strictEqual(await pc(dc), await value(dc, 'handler'));
      const f = await frames(dc);
      assert.match(f[1].name, /^exception: illegal instruction \(mcause 2/);
      s = await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
      assert.match(s.description!, /environment call from M-mode \(cause 11\)/);
    });
  });

  describe('memory, disassembly, console', () => {
    it('reads and writes guest memory with memory events', async () => {
      await launch(dc, { program: CALLS });
      const at = await value(dc, 'scratch');
      const ref = '0x' + at.toString(16);
      const r = await request<{ data: string }>(dc, 'readMemory', { memoryReference: ref, count: 8 });
      assert.deepStrictEqual([...Buffer.from(r.data, 'base64')], [0x44, 0x33, 0x22, 0x11, 0x88, 0x77, 0x66, 0x55]);
      const memory = dc.waitForEvent('memory');
      const w = await request<{ bytesWritten: number }>(dc, 'writeMemory', { memoryReference: ref, offset: 2, data: Buffer.from([0xaa, 0xbb]).toString('base64') });
      assert.strictEqual(w.bytesWritten, 2);
      await memory;
      assert.strictEqual(await value(dc, 'u32(scratch)'), 0xbbaa3344);
      const hole = await request<{ data: string; unreadableBytes: number }>(dc, 'readMemory', { memoryReference: '0x83fffffc', count: 8 });
      assert.strictEqual(Buffer.from(hole.data, 'base64').length, 4);
      assert.strictEqual(hole.unreadableBytes, 4);
      await request(dc, 'setExpression', { expression: 'u16(scratch + 4)', value: '0x1234' });
      assert.strictEqual(await value(dc, 'u32(scratch + 4)'), 0x55661234);
      await request(dc, 'setExpression', { expression: 't6', value: '77' });
      assert.strictEqual(await value(dc, 't6'), 77);
    });

    it('disassembles around a reference, with symbols and source lines', async () => {
      await launch(dc, { program: CALLS });
      const d = await dc.disassembleRequest({ memoryReference: '0x80000000', instructionOffset: -2, instructionCount: 8, resolveSymbols: true });
      const ins = d.body!.instructions;
      assert.strictEqual(ins.length, 8);
      assert.strictEqual(ins[0].address, '0x7ffffff8');
      assert.strictEqual(ins[0].presentationHint, 'invalid');
      assert.strictEqual(ins[2].symbol, '_start');
      assert.match(ins[2].instruction, /^auipc sp,0x\d+/);
      assert.strictEqual(ins[2].line, lineOf(CALLS, 'la      sp, stack_top'));
      assert.strictEqual(ins[2].location!.path, CALLS);
    });

    it('evaluates expressions over registers, CSRs, symbols and memory', async () => {
      await launch(dc, { program: CALLS });
      assert.strictEqual(await value(dc, 'pc'), 0x80000000);
      assert.strictEqual(await value(dc, '(misa >> 30) + 1'), 2);
      assert.strictEqual(await value(dc, 'counter == scratch - 4'), 1);
      assert.strictEqual(await value(dc, 'u8(scratch + 1)'), 0x33);
      assert.strictEqual(await value(dc, '*scratch'), 0x11223344);
      assert.strictEqual(await value(dc, 'p32(scratch)'), 0x11223344);
      assert.strictEqual(await value(dc, 'bits(misa, 25, 0)'), 0x141105);
      assert.strictEqual(await value(dc, "$priv == 'M' ? 7 : 8"), 7);
      assert.match(await rejects(dc.evaluateRequest({ expression: 'nosuchthing + 1' })), /unknown name 'nosuchthing'/);
      assert.match(await rejects(dc.evaluateRequest({ expression: 'u32(0x20000000)' })), /no RAM or device at GPA 0x20000000/);
    });

    it('answers the monitor commands', async () => {
      await launch(dc, { program: HELLO }, () => dc.setExceptionBreakpointsRequest({ filters: [], filterOptions: [{ filterId: 'mmio', condition: "device == 'uart' && write" }] }));
      await stopAfter(dc, dc.continueRequest({ threadId: 1 }));
      await stopAfter(dc, dc.stepOutRequest({ threadId: 1 })); // out of the store's exit: the store completes
      assert.match(await repl(dc, 'info registers'), /x10\/a0/);
      assert.match(await repl(dc, 'info lapic'), /LAPIC 0 \(in kernel\)/);
      assert.match(await repl(dc, 'info ioapic'), /^ioapic0: ver=0x11/);
      assert.match(await repl(dc, 'info pci'), /Ethernet controller: PCI device 4853:0001/);
      assert.match(await repl(dc, 'info mtree'), /uart/);
      assert.match(await repl(dc, 'info memslots'), /slot 0: GPA 0x80000000-0x83ffffff \(64 MiB\)/);
      assert.match(await repl(dc, 'info ept'), /GPA 0x10000000 -> MMIO SPTE/);
      assert.match(await repl(dc, 'info tlb'), /vCPU 0 TLB \(VPID 1/);
      assert.match(await repl(dc, 'info exits'), /EPT_MISCONFIG/);
      assert.match(await repl(dc, 'info irq'), /interrupts: \d+ asserted/);
      assert.match(await repl(dc, 'x/4xb message'), /^8000[0-9a-f]{4}: 0x48 0x65 0x6c 0x6c$/);
      assert.match(await repl(dc, 'x/2i _start'), /auipc a0/);
      assert.match(await repl(dc, 'xp/1dw 0x80000000'), /^80000000: \d+$/);
      assert.match(await repl(dc, 'x/3c message'), /'H' 'e' 'l'/);
      assert.match(await repl(dc, 'uart "h"'), /UART received 1 byte$/);
      assert.match(await repl(dc, 'irq 5 1'), /GSI 5 asserted/);
      assert.match(await repl(dc, 'info irq'), / {2}5 {2}high/);
      assert.match(await repl(dc, 'nic rx "ping"'), /NIC receive of 4 bytes: (queued|disabled)/);
      assert.match(await repl(dc, 'help'), /info registers/);
      assert.match(await rejects(dc.evaluateRequest({ expression: 'info nothing', context: 'repl' })), /expected one of registers/);
      assert.match(await rejects(dc.evaluateRequest({ expression: 'irq 99 1', context: 'repl' })), /GSI 99 is not 0–23|not 0/);
    });

    it('completes commands, info topics, registers and symbols', async () => {
      await launch(dc, { program: CALLS });
      const labels = async (text: string): Promise<string[]> => (await dc.completionsRequest({ text, column: text.length + 1 })).body.targets.map((t) => t.label);
      assert.ok((await labels('in')).includes('info'));
      assert.deepStrictEqual(await labels('info l'), ['lapic']);
      assert.ok((await labels('info ')).includes('registers'));
      assert.ok((await labels('mst')).includes('mstatus'));
      assert.ok((await labels('a0 + squ')).includes('square'));
      const t = (await dc.completionsRequest({ text: 'info me', column: 8 })).body.targets[0];
      assert.deepStrictEqual([t.label, t.start, t.length], ['memslots', 6, 2]);
    });
  });

  describe('custom requests', () => {
    it('hyperstep/state returns the machine in one snapshot; hyperstep/inject drives it', async () => {
      await launch(dc, { program: CALLS, vcpus: 2 });
      const state = (await dc.customRequest('hyperstep/state')).body;
      assert.strictEqual(state.mmu, 'ept');
      assert.strictEqual(state.irqchip, 'kernel');
      assert.strictEqual(state.ioapic.pins.length, 24);
      assert.strictEqual(state.ioapic.version, 0x11);
      assert.strictEqual(state.lapics.length, 2);
      assert.deepStrictEqual(state.routing.find((r: { device: string }) => r.device === 'nic'), {
        ...state.routing.find((r: { device: string }) => r.device === 'nic'), bdf: '00:03.0', pin: 'INTA', pirq: 3, gsi: 19,
      });
      assert.ok(state.exits.byReason.EPT_VIOLATION !== undefined);
      assert.deepStrictEqual(state.memory.memslots, [{ slot: 0, guestPhysAddr: 0x80000000, memorySize: 64 << 20, userspaceAddr: 0 }]);
      assert.strictEqual(state.tlb.length, 2);
      const only = (await dc.customRequest('hyperstep/state', { parts: ['vcpus'] })).body;
      assert.deepStrictEqual(Object.keys(only).filter((k) => !['steps', 'cycles', 'instructions', 'mmu', 'vpid', 'irqchip'].includes(k)), ['vcpus']);
      const changed = dc.waitForEvent('hyperstep/stateChanged');
      const r = (await dc.customRequest('hyperstep/inject', { kind: 'irq', gsi: 7, level: 1 })).body;
      assert.match(r.message, /GSI 7 asserted/);
      assert.strictEqual((await changed).body.reason, 'inject');
      const after = (await dc.customRequest('hyperstep/state', { parts: ['ioapic'] })).body;
      assert.strictEqual(after.ioapic.pins[7].line, true);
      assert.match((await dc.customRequest('hyperstep/inject', { kind: 'uart', text: 'x' })).body.message, /UART received 1 byte/);
      assert.match((await dc.customRequest('hyperstep/inject', { kind: 'nic', data: '0a0b', encoding: 'hex' })).body.message, /NIC receive of 2 bytes/);
      assert.match(await rejects(dc.customRequest('hyperstep/inject', { kind: 'tea' })), /kind must be irq, nic or uart/);
      assert.match(await rejects(dc.customRequest('hyperstep/inject', { kind: 'nic', data: 'xyz', encoding: 'hex' })), /pairs of hex digits/);
    });

    it('lists the loaded sources and the lines breakpoints can go on', async () => {
      await launch(dc, { program: CALLS });
      assert.deepStrictEqual((await request<{ sources: DebugProtocol.Source[] }>(dc, 'loadedSources', {})).sources.map((s) => s.path), [CALLS]);
      const loc = await dc.customRequest('breakpointLocations', { source: { path: CALLS }, line: 1, endLine: lineOf(CALLS, 'loop:') + 1 });
      assert.deepStrictEqual(loc.body.breakpoints.map((b: { line: number }) => b.line), [lineOf(CALLS, 'la      sp'), lineOf(CALLS, 'li      s0'), lineOf(CALLS, 'li      s1'), lineOf(CALLS, 'mv      a0, s0')]);
    });
  });
});
