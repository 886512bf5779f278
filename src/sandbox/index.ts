/**
 * The sandbox: simulated OpenAI, Anthropic and Gemini providers on one loopback port, with
 * per-model fault injection. Used by demos, users' chaos drills and Switchyard's own tests.
 */

/** Fault-tolerant raw HTTP helpers for tests and drills against the sandbox. */
export { chatCall, type RawResult, rawRequest, sseData, sseEvents } from './raw-client.js';
export { loadScenarioFile, parseScenarioFile, type ScenarioFile, type ScenarioModel } from './scenario-file.js';
export { BUILT_IN_SCENARIOS } from './scenarios.js';
export { type SandboxOptions, type SandboxServer, startSandbox } from './server.js';
export type { AttemptOutcome, SandboxAttempt, SandboxFormat } from './types.js';
