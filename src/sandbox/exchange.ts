import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Decision } from './engine.js';
import type { ChatFormat } from './formats/format.js';
import type { Behaviour } from './scenarios.js';
import type { AttemptLog, ModelStates } from './state.js';
import type { ErrorSpec, SandboxAttempt } from './types.js';
import { sendReply } from './writer.js';

/** The sandbox-wide parts every handler shares. */
export interface Runtime {
  behaviourFor(model: string): Behaviour;
  states: ModelStates;
  attempts: AttemptLog;
}

/** One request in flight: its sockets, its abort signal, and its entry in the attempts log. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  /** Aborted when the client goes away or the sandbox closes; every timer listens to it. */
  signal: AbortSignal;
  attempt: SandboxAttempt;
}

export function sendError(ex: Exchange, format: ChatFormat, spec: ErrorSpec, outcome: SandboxAttempt['outcome']): void {
  const reply = format.error(spec);
  ex.attempt.outcome = outcome;
  ex.attempt.status = reply.status;
  sendReply(ex.res, reply);
}

/** Reset the TCP connection: the client gets ECONNRESET, not an HTTP answer. */
function resetConnection(ex: Exchange): void {
  const socket = ex.req.socket;
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

/**
 * Carries out every decision except 'answer'. Returns true when the request is dealt with.
 * A no-response request is left open on purpose: the server's close() or the client ends it.
 */
export function applyFault(ex: Exchange, format: ChatFormat, decision: Decision): boolean {
  switch (decision.action) {
    case 'reset':
      ex.attempt.outcome = 'reset';
      resetConnection(ex);
      return true;
    case 'no_response':
      ex.attempt.outcome = 'no_response';
      return true;
    case 'error':
      sendError(ex, format, decision.spec, decision.outcome);
      return true;
    case 'answer':
      return false;
  }
}
