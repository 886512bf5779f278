/**
 * Chaos scoreboard: every fault the sandbox can inject, each sent through a real gateway to real
 * sandbox providers on loopback, one row per scenario. Each row shows what the client got, which
 * provider answered, the attempts (the gateway's count, and the sandbox's own attempt log), the wall
 * time, and a verdict against what the gateway is expected to do today (the behaviour pinned by
 * test/e2e/resilience, failover and timeouts). Behaviour the gateway does not have yet is shown as
 * "not built", not FAIL.
 *
 *   npm run chaos            # node --import tsx bench/chaos.ts
 *
 * Exit code 0 unless a row FAILs. The outage row waits out a real breaker cooldown (configured to
 * 5 s ±20 % here; the default is 30 s) while the other rows run.
 */
import { parseScenarioFile, type SandboxAttempt } from '../src/sandbox/index.js';
import { type ChatResult, chat, describeResult, gatewayAttempts, type Message } from './lib/client.js';
import { type BenchStack, startBenchStack } from './lib/stack.js';
import { seconds, sleep, table } from './lib/table.js';

type Verdict = 'PASS' | 'FAIL' | 'not built';

interface RowResult {
  scenario: string;
  client: string;
  provider: string;
  attempts: string;
  ms: number;
  verdict: Verdict;
  /** What today's gateway is expected to do. */
  expect: string;
  /** What was seen beyond the columns, and every expectation that did not hold. */
  notes: string[];
}

/** Hard stop: whatever happens, the run ends by itself. */
const WATCHDOG_MS = 120_000;
/** The outage row gives the breaker this long to open, cool down and close again. */
const OUTAGE_BUDGET_MS = 45_000;
const OUTAGE_MAX_REQUESTS = 120;
const OUTAGE_POLL_MS = 500;
const OUTAGE_DURATION_MS = 3_000;

const PREFILL: Message[] = [
  { role: 'user', content: 'Write one line about rivers.' },
  { role: 'assistant', content: 'Rivers' },
];

const gem = (tag: string): string => `sb-gemini/gemini-2.5-flash@${tag}`;

const PROVIDERS = {
  'sb-openai': {
    sandbox: true,
    format: 'openai',
    models: { 'context-length@c13': { context_window: 8_192 } },
  },
  'sb-anthropic': {
    sandbox: true,
    format: 'anthropic',
    models: {
      'claude-large@c13': { context_window: 200_000 },
      // Declares that it can continue a cut answer from a prefill.
      'claude-cont@c9': { capabilities: ['chat', 'streaming', 'prefill'] },
    },
  },
  'sb-gemini': {
    sandbox: true,
    format: 'gemini',
    models: { 'gemini-small@c13': { context_window: 4_096 } },
  },
  // Same sandbox, shorter timeouts, so the timeout rows finish in about a second.
  'sb-fb': { sandbox: true, format: 'openai', timeouts: { first_byte_ms: 500 } },
  'sb-idle-openai': { sandbox: true, format: 'openai', timeouts: { idle_ms: 500 } },
  'sb-idle-anthropic': { sandbox: true, format: 'anthropic', timeouts: { idle_ms: 500 } },
};

const MODELS = {
  'c-rl-once': { targets: ['sb-openai/rate-limit-once@c1', gem('c1')] },
  'c-rl-always': { targets: ['sb-anthropic/rate-limit@c2', gem('c2')] },
  'c-500-once': { targets: ['sb-openai/error-500-once@c3', gem('c3')] },
  'c-503': { targets: ['sb-openai/error-503@c4', 'sb-anthropic/claude-haiku-4-5@c4'] },
  'c-reset': { targets: ['sb-openai/reset@c5', gem('c5')] },
  'c-no-response': { targets: ['sb-fb/no-response@c6', gem('c6')] },
  'c-slow-first': { targets: ['sb-idle-anthropic/slow-first-token@c7', gem('c7')] },
  'c-cut': { targets: ['sb-openai/cut-after-5@c8', gem('c8')] },
  'c-cut-cont': { targets: ['sb-openai/cut-after-5@c9', 'sb-anthropic/claude-cont@c9'] },
  'c-stall': { targets: ['sb-idle-openai/stall@c10', gem('c10')] },
  'c-malformed': { targets: ['sb-openai/malformed-chunk@c11'] },
  'c-no-done': { targets: ['sb-openai/no-done@c12'] },
  'c-context': { targets: ['sb-openai/context-length@c13', 'sb-gemini/gemini-small@c13', 'sb-anthropic/claude-large@c13'] },
  'c-filter': { targets: ['sb-openai/content-filter@c14', gem('c14')] },
  'c-prefill-anthropic': { targets: ['sb-openai/error-503@c15', 'sb-anthropic/reject-prefill@c15', gem('c15')] },
  'c-prefill-openai': { targets: ['sb-openai/error-503@c16', 'sb-openai/reject-prefill@c16', gem('c16')] },
  'c-outage': { targets: ['sb-openai/short-outage@c17', gem('c17')] },
};

/** A 3 s outage instead of the built-in 60 s one: the breaker's cooldown, not the outage, sets the pace. */
const SCENARIOS = parseScenarioFile({ models: { 'short-outage': { outage: { start_after_ms: 0, duration_ms: OUTAGE_DURATION_MS } } } }, 'bench/chaos.ts');

// ---------------------------------------------------------------------------------------------

type Check = readonly [label: string, ok: boolean];

function verdictOf(checks: readonly Check[]): { verdict: Verdict; failed: string[] } {
  const failed = checks.filter(([, ok]) => !ok).map(([label]) => `expected ${label}`);
  return { verdict: failed.length === 0 ? 'PASS' : 'FAIL', failed };
}

const SHORT: Record<string, string> = { openai: 'oai', anthropic: 'ant', gemini: 'gem' };

function sandboxAttempts(s: BenchStack, tag: string): SandboxAttempt[] {
  return s.sandbox.attempts().filter((a) => a.model?.endsWith(`@${tag}`) === true);
}

function sbCount(list: readonly SandboxAttempt[], scenario?: string): number {
  return scenario === undefined ? list.length : list.filter((a) => a.model?.startsWith(`${scenario}@`) === true).length;
}

function attemptsCell(r: ChatResult, sb: readonly SandboxAttempt[]): string {
  const gw = gatewayAttempts(r);
  const byFormat = new Map<string, number>();
  for (const a of sb) byFormat.set(a.format, (byFormat.get(a.format) ?? 0) + 1);
  const parts = [...byFormat].map(([f, n]) => `${SHORT[f] ?? f} ${n}`).join(' ');
  return `gw ${gw ?? '?'} / sb ${sb.length}${parts ? ` (${parts})` : ''}`;
}

function fallbackNote(r: ChatResult): string[] {
  const fb = r.headers['x-switchyard-fallback'];
  const notes: string[] = [];
  if (fb) notes.push(`x-switchyard-fallback: ${fb}`);
  const err = r.stream?.error ?? r.error;
  if (err) notes.push(`error: ${err.code}: ${err.message.slice(0, 140)}`);
  if (r.clientError) notes.push(`client: ${r.clientError}`);
  return notes;
}

function row(scenario: string, expect: string, r: ChatResult, sb: readonly SandboxAttempt[], checks: readonly Check[], extraNotes: string[] = []): RowResult {
  const { verdict, failed } = verdictOf(checks);
  return {
    scenario,
    client: describeResult(r),
    provider: r.headers['x-switchyard-provider'] ?? '-',
    attempts: attemptsCell(r, sb),
    ms: r.ms,
    verdict,
    expect,
    notes: [...extraNotes, ...fallbackNote(r), ...failed],
  };
}

const provider = (r: ChatResult): string | undefined => r.headers['x-switchyard-provider'];

// --- the rows ---------------------------------------------------------------------------------

async function rateLimitOnce(s: BenchStack): Promise<RowResult[]> {
  const r = await chat(s.url, 'c-rl-once');
  const sb = sandboxAttempts(s, 'c1');
  return [
    row('429 + Retry-After, once', 'waits the 1 s asked, same target answers (2 attempts)', r, sb, [
      ['status 200', r.status === 200],
      ['provider sb-openai', provider(r) === 'sb-openai'],
      ['2 attempts', gatewayAttempts(r) === 2],
      ['wall >= 950 ms (Retry-After honoured)', r.ms >= 950],
      ['sandbox: 2 on the primary, 0 on the fallback', sbCount(sb, 'rate-limit-once') === 2 && sbCount(sb, 'gemini-2.5-flash') === 0],
    ]),
  ];
}

async function rateLimitAlways(s: BenchStack): Promise<RowResult[]> {
  const r = await chat(s.url, 'c-rl-always');
  const sb = sandboxAttempts(s, 'c2');
  return [
    row('429 persistent, no Retry-After', 'backs off >= 200 ms twice, then fails over (4 attempts)', r, sb, [
      ['status 200', r.status === 200],
      ['provider sb-gemini', provider(r) === 'sb-gemini'],
      ['4 attempts', gatewayAttempts(r) === 4],
      ['wall >= 400 ms (two backoffs, never 0 ms)', r.ms >= 400],
      ['sandbox: 3 on the primary', sbCount(sb, 'rate-limit') === 3],
    ]),
  ];
}

async function error500Once(s: BenchStack): Promise<RowResult[]> {
  const r = await chat(s.url, 'c-500-once');
  const sb = sandboxAttempts(s, 'c3');
  return [
    row('500 once, then healthy', 'retried on the same target, which answers (2 attempts)', r, sb, [
      ['status 200', r.status === 200],
      ['provider sb-openai', provider(r) === 'sb-openai'],
      ['2 attempts', gatewayAttempts(r) === 2],
      ['sandbox: 2 on the primary, none on the fallback', sbCount(sb, 'error-500-once') === 2 && sbCount(sb, 'gemini-2.5-flash') === 0],
    ]),
  ];
}

async function error503(s: BenchStack): Promise<RowResult[]> {
  const r = await chat(s.url, 'c-503');
  const sb = sandboxAttempts(s, 'c4');
  return [
    row('503 persistent', 'first try + 2 retries with backoff, then the fallback (4 attempts)', r, sb, [
      ['status 200', r.status === 200],
      ['provider sb-anthropic', provider(r) === 'sb-anthropic'],
      ['4 attempts', gatewayAttempts(r) === 4],
      ['sandbox: 3 on the primary', sbCount(sb, 'error-503') === 3],
    ]),
  ];
}

async function resetBeforeHeaders(s: BenchStack): Promise<RowResult[]> {
  const r = await chat(s.url, 'c-reset');
  const sb = sandboxAttempts(s, 'c5');
  const fb = r.headers['x-switchyard-fallback'] ?? '';
  return [
    row('reset before headers', 'retried on the same target (3 resets), then the fallback answers', r, sb, [
      ['status 200', r.status === 200],
      ['provider sb-gemini', provider(r) === 'sb-gemini'],
      ['3 connection failures on the primary', (fb.match(/reset@c5:connection/g) ?? []).length === 3],
      ['sandbox: 3 resets logged', sb.filter((a) => a.outcome === 'reset').length === 3],
    ]),
  ];
}

async function noResponse(s: BenchStack): Promise<RowResult[]> {
  const r = await chat(s.url, 'c-no-response');
  const sb = sandboxAttempts(s, 'c6');
  return [
    row('no response (first_byte_ms 500)', 'cut off at the 500 ms first-byte timeout, not retried there; fallback answers', r, sb, [
      ['status 200', r.status === 200],
      ['provider sb-gemini', provider(r) === 'sb-gemini'],
      ['2 attempts (a timeout is not retried on the same target)', gatewayAttempts(r) === 2],
      ['fallback header names the timeout', (r.headers['x-switchyard-fallback'] ?? '').includes('no-response@c6:timeout')],
      ['wall between 480 ms and 2.5 s', r.ms >= 480 && r.ms < 2_500],
      ['sandbox: the abandoned attempt was closed by the gateway', sb.some((a) => a.outcome === 'no_response' && a.clientClosed)],
    ]),
  ];
}

async function slowFirstToken(s: BenchStack): Promise<RowResult[]> {
  const r = await chat(s.url, 'c-slow-first', { stream: true });
  const sb = sandboxAttempts(s, 'c7');
  return [
    row('slow first token, stream (idle 500)', 'idle timeout before any content: fails over invisibly, complete stream', r, sb, [
      ['status 200', r.status === 200],
      ['provider sb-gemini', provider(r) === 'sb-gemini'],
      ['complete stream with [DONE]', r.stream?.done === true && r.stream.error === null],
      ['wall < 2.5 s (did not wait for the 3 s token)', r.ms < 2_500],
    ]),
  ];
}

async function streamCut(s: BenchStack): Promise<RowResult[]> {
  const r = await chat(s.url, 'c-cut', { stream: true, messages: [{ role: 'user', content: 'tell me a story' }] });
  const sb = sandboxAttempts(s, 'c8');
  const st = r.stream;
  const today = row('stream cut mid-answer', 'content, then an in-band stream_interrupted; no finish_reason, no [DONE]', r, sb, [
    ['status 200', r.status === 200],
    ['provider sb-openai', provider(r) === 'sb-openai'],
    ['content before the cut', st?.content === true],
    ['in-band stream_interrupted', st?.error?.code === 'stream_interrupted'],
    ['no [DONE]', st?.done === false],
    ['no stop/length finish_reason', st?.finishReason !== 'stop' && st?.finishReason !== 'length'],
  ]);
  // With a fallback that declares prefill support, the cut answer goes on there: one complete stream.
  const rc = await chat(s.url, 'c-cut-cont', { stream: true, messages: [{ role: 'user', content: 'tell me a story' }] });
  const sbc = sandboxAttempts(s, 'c9');
  const sc = rc.stream;
  const cont = row('  ↳ continue on fallback (prefill)', 'the cut answer goes on on a prefill-capable fallback: one complete stream', rc, sbc, [
    ['complete stream, [DONE]', sc?.done === true && sc.error === null],
    [
      'the cut text and the continuation both reached the client',
      (sc?.text.includes('Sandbox (openai/cut-after-5@c9)') ?? false) && (sc?.text.includes('Sandbox (anthropic/claude-cont@c9)') ?? false),
    ],
    ['the fallback was asked once', sbCount(sbc, 'claude-cont') === 1],
  ]);
  return [today, cont];
}

async function streamStall(s: BenchStack): Promise<RowResult[]> {
  const r = await chat(s.url, 'c-stall', { stream: true });
  const sb = sandboxAttempts(s, 'c10');
  const st = r.stream;
  return [
    row('stream stall (idle 500)', 'ends at the idle timeout with an in-band stream_interrupted, no [DONE]', r, sb, [
      ['status 200', r.status === 200],
      ['provider sb-idle-openai', provider(r) === 'sb-idle-openai'],
      ['content before the stall', st?.content === true],
      ['in-band stream_interrupted naming 500 ms of silence', st?.error?.code === 'stream_interrupted' && /silent for 500 ms/.test(st.error.message)],
      ['no [DONE]', st?.done === false],
      ['wall < 2.5 s', r.ms < 2_500],
      ['sandbox: the stalled attempt was closed by the gateway', sb.some((a) => a.outcome === 'stall' && a.clientClosed)],
    ]),
  ];
}

async function malformedChunk(s: BenchStack): Promise<RowResult[]> {
  const r = await chat(s.url, 'c-malformed', { stream: true });
  const sb = sandboxAttempts(s, 'c11');
  const id = r.headers['x-switchyard-request-id'];
  const logged = s.logs.some((l) => l.event === 'stream_malformed_chunk_skipped' && l.fields.request_id === id);
  return [
    row('malformed chunk', 'the bad chunk is skipped and logged; the answer completes', r, sb, [
      ['status 200', r.status === 200],
      ['complete stream with finish_reason stop and [DONE]', r.stream?.done === true && r.stream.finishReason === 'stop' && r.stream.error === null],
      ['no unparseable data line reaches the client', r.stream?.unparseable === 0],
      ['stream_malformed_chunk_skipped logged for this request', logged],
    ]),
  ];
}

async function missingDone(s: BenchStack): Promise<RowResult[]> {
  const r = await chat(s.url, 'c-no-done', { stream: true, extra: { stream_options: { include_usage: true } } });
  const sb = sandboxAttempts(s, 'c12');
  const st = r.stream;
  return [
    row(
      'missing [DONE]',
      'a finished stream without [DONE] is finalised: finish_reason stop, usage, no error',
      r,
      sb,
      [
        ['status 200', r.status === 200],
        ['finish_reason stop', st?.finishReason === 'stop'],
        ['usage chunk', st?.usage === true],
        ['no in-band error', st?.error === null],
      ],
      [`sandbox outcome: ${sb.map((a) => a.outcome).join(',')}; the gateway ${st?.done ? 'adds' : 'does not add'} [DONE]`],
    ),
  ];
}

async function contextLength(s: BenchStack): Promise<RowResult[]> {
  const r = await chat(s.url, 'c-context', { messages: [{ role: 'user', content: 'a long document '.repeat(200) }] });
  const sb = sandboxAttempts(s, 'c13');
  return [
    row('context length exceeded', 'falls over only to a larger window: the 4k target is skipped, the 200k one answers', r, sb, [
      ['status 200', r.status === 200],
      ['provider sb-anthropic (200k window)', provider(r) === 'sb-anthropic'],
      ['2 attempts', gatewayAttempts(r) === 2],
      ['sandbox: the smaller-window target was never asked', sbCount(sb, 'gemini-small') === 0],
    ]),
  ];
}

async function contentFilter(s: BenchStack): Promise<RowResult[]> {
  const r = await chat(s.url, 'c-filter');
  const sb = sandboxAttempts(s, 'c14');
  return [
    row('content filter', 'final: 400 content_filtered, no other target tried', r, sb, [
      ['status 400', r.status === 400],
      ['code content_filtered', r.error?.code === 'content_filtered'],
      ['1 attempt', gatewayAttempts(r) === 1],
      ['sandbox: the fallback was never asked', sbCount(sb, 'gemini-2.5-flash') === 0],
    ]),
  ];
}

async function prefillAnthropic(s: BenchStack): Promise<RowResult[]> {
  const r = await chat(s.url, 'c-prefill-anthropic', { messages: PREFILL });
  const sb = sandboxAttempts(s, 'c15');
  return [
    row('fallback rejects prefill (Anthropic)', 'primary 503 x3; 2nd target refuses the prefill: counted against the target, 3rd answers', r, sb, [
      ['status 200', r.status === 200],
      ['provider sb-gemini', provider(r) === 'sb-gemini'],
      ['5 attempts', gatewayAttempts(r) === 5],
      ['sandbox: the prefill target refused once', sb.filter((a) => a.model === 'reject-prefill@c15' && a.outcome === 'rejected').length === 1],
    ]),
  ];
}

async function prefillOpenai(s: BenchStack): Promise<RowResult[]> {
  const r = await chat(s.url, 'c-prefill-openai', { messages: PREFILL });
  const sb = sandboxAttempts(s, 'c16');
  return [
    row('fallback rejects prefill (OpenAI)', 'the same refusal in OpenAI wire format moves on to the 3rd target', r, sb, [
      ['status 200', r.status === 200],
      ['provider sb-gemini', provider(r) === 'sb-gemini'],
    ]),
  ];
}

interface OutageRequest {
  start: number;
  end: number;
  provider: string;
  attempts: number | undefined;
  status: number;
}

/** A breaker move on the outage's primary; `request` is the 1-based number of the client request in flight then. */
interface Transition {
  to: string;
  at: number;
  epoch: number;
  request: number;
}

/** What the outage row saw: times in ms since its start. */
interface OutageRun {
  transitions: Transition[];
  seen: OutageRequest[];
  /** When the primary answered again after the breaker closed. */
  back: number | undefined;
  ms: number;
}

/**
 * Outage: the primary returns 503 for 3 s. Two requests' failures open its breaker; requests then
 * go straight to the fallback until the cooldown passes, when the next request is the probe that
 * finds the primary healthy, closes the breaker and is answered by the primary.
 */
async function outage(s: BenchStack): Promise<RowResult[]> {
  const run = await watchOutage(s);
  const sb = sandboxAttempts(s, 'c17');
  const primary = sb.filter((a) => a.model === 'short-outage@c17');
  return [outageRow(run, sb, primary), activeProbesRow(run, primary)];
}

/** Sends a request every OUTAGE_POLL_MS, recording the breaker's moves, until the primary answers again (or the budget is spent). */
async function watchOutage(s: BenchStack): Promise<OutageRun> {
  const key = 'sb-openai/short-outage@c17';
  const t0 = performance.now();
  const transitions: Transition[] = [];
  const seen: OutageRequest[] = [];
  const off = s.gateway.events.on('breaker', (e) => {
    if (e.target === key) transitions.push({ to: e.to, at: performance.now() - t0, epoch: Date.now(), request: seen.length + 1 });
  });
  let back: number | undefined;
  try {
    while (performance.now() - t0 < OUTAGE_BUDGET_MS && seen.length < OUTAGE_MAX_REQUESTS) {
      const start = performance.now() - t0;
      const r = await chat(s.url, 'c-outage', { timeoutMs: 10_000 });
      seen.push({ start, end: performance.now() - t0, provider: provider(r) ?? '-', attempts: gatewayAttempts(r), status: r.status });
      if (transitions.some((t) => t.to === 'closed') && provider(r) === 'sb-openai') {
        back = performance.now() - t0;
        break;
      }
      await sleep(OUTAGE_POLL_MS);
    }
  } finally {
    off();
  }
  return { transitions, seen, back, ms: performance.now() - t0 };
}

const transition = (run: OutageRun, to: string): Transition | undefined => run.transitions.find((t) => t.to === to);
const atText = (t: { at: number } | undefined): string => (t ? `t=${(t.at / 1000).toFixed(1)} s` : 'never');

/** The outage row itself: the breaker opens, the fallback serves, the primary comes back. */
function outageRow(run: OutageRun, sb: readonly SandboxAttempt[], primary: readonly SandboxAttempt[]): RowResult {
  const { seen, back } = run;
  const opened = transition(run, 'open');
  const halfOpen = transition(run, 'half_open');
  const closed = transition(run, 'closed');
  // Requests sent and answered entirely inside the open period (not the one that opened it, nor the probe).
  const whileOpen = opened ? seen.filter((x) => x.start > opened.at && x.end < (halfOpen?.at ?? Number.POSITIVE_INFINITY)) : [];
  const fallback = sb.length - primary.length;
  const okCount = seen.filter((x) => x.status === 200).length;
  const path: string[] = [];
  for (const x of seen) if (path.at(-1) !== x.provider) path.push(x.provider);
  const { verdict, failed } = verdictOf([
    ['the breaker to open', opened !== undefined],
    ['every request answered (200)', okCount === seen.length],
    [
      'requests while open go straight to the fallback (1 attempt)',
      whileOpen.length > 0 && whileOpen.every((x) => x.provider === 'sb-gemini' && x.attempts === 1),
    ],
    ['the breaker to close again within the time budget', closed !== undefined],
    ['the primary to answer again after the cooldown', back !== undefined],
  ]);
  return {
    scenario: `primary down ${OUTAGE_DURATION_MS / 1000} s, then healthy`,
    client: `${okCount}/${seen.length} x 200`,
    provider: path.join(' → '),
    attempts: `gw ${seen.reduce((a, x) => a + (x.attempts ?? 0), 0)} / sb ${sb.length} (oai ${primary.length} gem ${fallback})`,
    ms: run.ms,
    verdict,
    expect: 'breaker opens after 5 failures, fallback serves with 1 attempt, primary back once a health probe finds it answering',
    notes: [
      `breaker: open ${atText(opened)} (during request ${opened?.request ?? '-'}), half_open ${atText(halfOpen)}, closed ${atText(closed)} (request ${closed?.request ?? '-'}, the probe); primary answered again at ${back !== undefined ? `t=${(back / 1000).toFixed(1)} s` : 'never'}`,
      `${whileOpen.length} requests served by the fallback while open. The outage ended at t=${OUTAGE_DURATION_MS / 1000} s; the breaker's cooldown (resilience.breaker.cooldown_ms, 5 s ±20 % here) sets when the primary is tried again`,
      ...failed,
    ],
  };
}

/** Active health checks would reach the primary while its breaker is open, with no client request. */
function activeProbesRow(run: OutageRun, primary: readonly SandboxAttempt[]): RowResult {
  const opened = transition(run, 'open');
  const halfOpen = transition(run, 'half_open');
  const probes = opened && halfOpen ? primary.filter((a) => Date.parse(a.time) > opened.epoch && Date.parse(a.time) < halfOpen.epoch).length : 0;
  return {
    scenario: '  ↳ active health probes',
    client: '-',
    provider: '-',
    attempts: `sb ${probes} on the primary while open`,
    ms: run.ms,
    verdict: probes > 0 ? 'PASS' : 'FAIL',
    expect: 'probe the open target in the background and close the breaker as soon as it recovers',
    notes: [
      probes > 0
        ? `${probes} probes while open`
        : `recovery is found only by the first client request after the cooldown (${atText(halfOpen)}), ${halfOpen ? ((halfOpen.at - OUTAGE_DURATION_MS) / 1000).toFixed(1) : '?'} s after the outage ended`,
    ],
  };
}

// ---------------------------------------------------------------------------------------------

/** The rows that run one after another while the outage row waits out its cooldown. */
const SEQUENTIAL = [
  rateLimitOnce,
  rateLimitAlways,
  error500Once,
  error503,
  resetBeforeHeaders,
  noResponse,
  slowFirstToken,
  streamCut,
  streamStall,
  malformedChunk,
  missingDone,
  contextLength,
  contentFilter,
  prefillAnthropic,
  prefillOpenai,
];

async function main(): Promise<void> {
  const watchdog = startWatchdog();
  const started = performance.now();
  // A 5 s breaker cooldown (the default is 30 s) and 0.5 s health probes (default 15 s) keep the
  // outage row short; every row has its own targets.
  const stack = await startBenchStack(
    { providers: PROVIDERS, models: MODELS, resilience: { breaker: { cooldown_ms: 5000, max_cooldown_ms: 20_000 }, health: { interval_ms: 500 } } },
    SCENARIOS,
  );
  let results: RowResult[];
  try {
    results = await runRows(stack, started);
  } finally {
    await stack.close();
  }
  printScoreboard(results, started);
  clearTimeout(watchdog);
  process.exitCode = results.some((r) => r.verdict === 'FAIL') ? 1 : 0;
}

/** Hard stop: the process exits by itself after WATCHDOG_MS, whatever is still running. */
function startWatchdog(): NodeJS.Timeout {
  const watchdog = setTimeout(() => {
    console.error(`chaos: still running after ${WATCHDOG_MS / 1000} s; giving up`);
    process.exit(2);
  }, WATCHDOG_MS);
  watchdog.unref();
  return watchdog;
}

/**
 * The outage row waits out a real breaker cooldown; everything else runs meanwhile, one row at a
 * time so each wall time is its own. Every row uses its own @tag, so state never leaks.
 */
async function runRows(stack: BenchStack, started: number): Promise<RowResult[]> {
  const results: RowResult[] = [];
  const outageRows = outage(stack);
  for (const fn of SEQUENTIAL) {
    try {
      results.push(...(await fn(stack)));
    } catch (err) {
      results.push({ scenario: fn.name, client: 'bench error', provider: '-', attempts: '-', ms: 0, verdict: 'FAIL', expect: '', notes: [String(err)] });
    }
  }
  process.stdout.write(`(${results.length} rows done in ${seconds(performance.now() - started)}; waiting for the breaker's cooldown in the outage row ...)\n`);
  results.push(...(await outageRows));
  return results;
}

function printScoreboard(results: readonly RowResult[], started: number): void {
  console.log(`\nSwitchyard chaos scoreboard (gateway + sandbox on 127.0.0.1, Node ${process.version})\n`);
  console.log(
    table(
      ['#', 'scenario', 'client got', 'provider', 'attempts (gateway / sandbox log)', 'wall', 'verdict'],
      results.map((r, i) => [String(i + 1), r.scenario, r.client, r.provider, r.attempts, seconds(r.ms), r.verdict]),
    ),
  );
  console.log('\nexpected today, and what else was seen:');
  results.forEach((r, i) => {
    console.log(`${String(i + 1).padStart(2)}. ${r.scenario.trim()}: ${r.expect}`);
    for (const n of r.notes) console.log(`      ${n}`);
  });
  const count = (v: Verdict): number => results.filter((r) => r.verdict === v).length;
  console.log(`\n${count('PASS')} PASS, ${count('FAIL')} FAIL, ${count('not built')} not built; total ${seconds(performance.now() - started)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
