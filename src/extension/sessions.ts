// Follows Hyperstep debug sessions for the views: a DebugAdapterTracker sees the adapter's
// `stopped` events and the requests that resume the machine; `hyperstep/stateChanged` reports
// changes made while stopped (an injected IRQ, a register written). Each of them invalidates the
// state feed of the session the views follow — the active one.
import * as vscode from 'vscode';
import { DEBUG_TYPE, stateChangedEvent, type StateChangedBody } from '../protocol';
import type { Ctx, SessionScope } from './ctx';

/** DAP requests after which the machine runs until the next `stopped` event. */
const RESUMING = new Set(['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue']);

interface DapMessage {
  type?: string;
  event?: string;
  command?: string;
}

export function trackSessions(ctx: Ctx): void {
  const followed = (s: SessionScope): boolean => ctx.feed.sessionId === s.id;
  ctx.push(
    vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, {
      createDebugAdapterTracker(session) {
        const s = ctx.sessionOf(session);
        if (!s) return undefined;
        return {
          onWillReceiveMessage(m: DapMessage) {
            if (m.type === 'request' && m.command && RESUMING.has(m.command)) {
              s.running = true;
              if (followed(s)) ctx.feed.invalidate('continue');
            }
          },
          onDidSendMessage(m: DapMessage) {
            if (m.type !== 'event') return;
            if (m.event === 'stopped') {
              s.running = false;
              if (followed(s)) ctx.feed.invalidate('stop');
            } else if (m.event === 'continued') {
              s.running = true;
              if (followed(s)) ctx.feed.invalidate('continue');
            }
          },
        };
      },
    }),
    vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
      if (e.event !== stateChangedEvent.event) return;
      const s = ctx.sessionOf(e.session);
      if (!s || !followed(s)) return;
      const body = e.body as StateChangedBody | undefined;
      ctx.feed.invalidate(body?.reason === 'stopped' ? 'stop' : 'change');
    }),
    vscode.debug.onDidStartDebugSession((session) => {
      if (ctx.sessionOf(session)) ctx.followActive();
    }),
    vscode.debug.onDidChangeActiveDebugSession(() => ctx.followActive()),
    vscode.debug.onDidTerminateDebugSession((session) => ctx.endSession(session)),
  );
  ctx.followActive();
}
