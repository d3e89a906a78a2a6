// Shared steps of the DAP tests that stop inside VM exits (exit-phases, exit-phases-npt,
// event-in-exit): run to a line of a fixture, read a scope, walk an exit's phases with stepIn.
import * as assert from 'assert';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { lineOf, stopAfter, topFrame } from './helpers';

/** A guest frame: not a [KVM]/[VMM] phase and not the "VM exit" separator. */
export const isGuest = (name: string): boolean => !/^\[(KVM|VMM)\] /.test(name) && !name.startsWith('VM exit');

export function exitSteps(dc: () => DebugClient, file: string) {
  const stepIn = (): Promise<unknown> => stopAfter(dc(), dc().stepInRequest({ threadId: 1 }));

  /** Runs to the line containing `text` (a breakpoint there), then clears the breakpoint. */
  async function runTo(text: string): Promise<void> {
    await dc().setBreakpointsRequest({ source: { path: file }, breakpoints: [{ line: lineOf(file, text) }] });
    await stopAfter(dc(), dc().continueRequest({ threadId: 1 }));
    await dc().setBreakpointsRequest({ source: { path: file }, breakpoints: [] });
  }

  /** The variables of scope `name` of `frame`, by name. */
  async function scope(frame: DebugProtocol.StackFrame, name: string): Promise<Record<string, string>> {
    const sc = (await dc().scopesRequest({ frameId: frame.id })).body.scopes.find((s) => s.name === name);
    assert.ok(sc, `no scope ${name} on ${frame.name}`);
    const vars = (await dc().variablesRequest({ variablesReference: sc.variablesReference })).body.variables;
    return Object.fromEntries(vars.map((v) => [v.name, v.value]));
  }

  /** Steps in from where it stands through every phase; returns the phase names, top frame each time. */
  async function walk(): Promise<string[]> {
    const names: string[] = [];
    for (let i = 0; i < 30; i++) {
      await stepIn();
      const top = await topFrame(dc());
      if (isGuest(top.name)) return names;
      names.push(top.name);
    }
    assert.fail(`still inside the exit after 30 steps: ${names.join(' → ')}`);
  }

  return { stepIn, runTo, scope, walk };
}
