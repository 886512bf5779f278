/**
 * Cost of the routing classifier: classify() on typical prompts, timed in batches of BATCH calls
 * (one hrtime pair per batch keeps the timer's own cost out of the figures; each sample is batch
 * time / BATCH, so p99 is of batch averages). Prints per-call p50 and p99 per prompt and whether
 * the p50 target holds on the typical prompts; exits 1 when it does not. Pure CPU, no network
 * needed; it runs the built code, so it builds first. Each prompt runs CLASSIFY_CALLS calls or
 * CLASSIFY_MAX_MS, whichever ends first.
 *
 *   npm run bench:classify
 *   CLASSIFY_CALLS=500000 npm run bench:classify
 */
import type { ChatMessage, ChatRequest } from '../src/api/chat.js';
import { table } from './lib/table.js';

// The compiled module (what the gateway runs), not tsx's on-the-fly transform: build first.
const dist = new URL('../dist/', import.meta.url).href;
const { classify } = (await import(`${dist}routing/classify.js`)) as typeof import('../src/routing/classify.js');

const CALLS = Number(process.env.CLASSIFY_CALLS ?? 200_000); // per prompt
const MAX_MS = Number(process.env.CLASSIFY_MAX_MS ?? 5_000); // per prompt
const BATCH = 100;
const WARMUP_CALLS = 20_000;
const TARGET_P50_US = 50;

const CODE_QUESTION = `I'm getting an error in my Express app when I call the /users endpoint. Here is the handler:

\`\`\`typescript
import express from 'express';
import { db } from './db.js';

const app = express();

app.get('/users/:id', async (req, res) => {
  const id = Number(req.params.id);
  const user = await db.users.findOne({ where: { id } });
  const orders = await db.orders.findMany({ where: { userId: user.id } });
  const total = orders.reduce((sum, o) => sum + o.amount, 0);
  res.json({ ...user, orders, total });
});

app.listen(3000, () => console.log('listening on 3000'));
\`\`\`

The db module is a thin wrapper around our ORM client:

\`\`\`typescript
export const db = {
  users: { findOne: (q: Query) => client.user.findFirst(q) },
  orders: { findMany: (q: Query) => client.order.findMany(q) },
};
\`\`\`

And this is what I see in the terminal when the user does not exist:

\`\`\`
TypeError: Cannot read properties of null (reading 'id')
    at /app/src/server.ts:10:67
    at processTicksAndRejections (node:internal/process/task_queues:95:5)
\`\`\`

Why does this happen, and what is the idiomatic way to return a 404 instead of crashing? Should I
wrap every handler in try/catch or is there a middleware pattern for async errors? We are on Express 4.18
and Node 20, and the same pattern appears in about thirty other handlers, so I would rather fix it once.`;

const ARTICLE = `The city council voted on Tuesday to approve a new plan for public transport in the downtown area.
The plan, which has been under discussion for almost two years, will add three new bus lines, extend
the hours of the existing tram service until midnight, and introduce a single ticket that is valid
on buses, trams and the regional trains for ninety minutes. Supporters of the plan argue that it will
reduce traffic in the centre, where congestion has grown steadily since the closure of the old ring
road, and that the single ticket will make it easier for visitors to use public transport. Opponents
point to the cost: the council estimates that the plan will require an additional twelve million euros
per year, to be funded partly by higher parking fees and partly by the regional government. Several
shop owners have expressed concern that higher parking fees will keep customers away, while cycling
groups have welcomed the plan but criticised the lack of new bike lanes. The first of the new bus lines
is expected to start running in the spring, and the council has promised to publish monthly figures on
ridership so that residents can judge whether the plan is working. A review of the whole scheme is
planned after eighteen months, at which point the council will decide whether to make the changes
permanent or to return to the previous timetable.`;

/** Requests as the gateway sees them: parsed from a JSON body (flat strings, not concatenations). */
const parsed = (req: ChatRequest): ChatRequest => JSON.parse(JSON.stringify(req)) as ChatRequest;

/** `typical: false` rows are shown for scale and not held to the target. */
const PROMPTS: { name: string; req: ChatRequest; typical?: boolean }[] = [
  {
    name: 'short chat',
    req: { model: 'm', messages: [{ role: 'user', content: 'Hey! Any tips for staying focused when working from home?' }] },
  },
  {
    name: 'code question',
    req: {
      model: 'm',
      messages: [
        { role: 'system', content: 'You are a senior backend engineer. Answer precisely and show code where useful.' },
        { role: 'user', content: CODE_QUESTION },
      ],
    },
  },
  {
    name: 'summarisation',
    req: {
      model: 'm',
      messages: [
        { role: 'user', content: `Summarize the following news article in three bullet points for a busy reader.\n\n${ARTICLE}\n\n${ARTICLE.slice(0, 500)}` },
      ],
    },
  },
  {
    name: '6-message chat',
    req: {
      model: 'm',
      stream: true,
      messages: conversation(),
    },
  },
  {
    name: '200 KB document',
    typical: false,
    req: {
      model: 'm',
      messages: [{ role: 'user', content: `Summarize this report for the board.\n\n${`${ARTICLE}\n\n`.repeat(Math.ceil(200_000 / (ARTICLE.length + 2)))}` }],
    },
  },
];

function conversation(): ChatMessage[] {
  return [
    { role: 'system', content: 'You are a friendly travel assistant.' },
    { role: 'user', content: "I'm planning a week in Portugal in October. Lisbon and Porto, maybe the Algarve?" },
    {
      role: 'assistant',
      content:
        'October is a lovely time to visit: warm days, fewer crowds. Lisbon and Porto are easy to combine by train (about 3 hours). The Algarve is still warm enough for the beach early in the month.',
    },
    { role: 'user', content: 'How many days would you spend in each place?' },
    {
      role: 'assistant',
      content: 'For seven days: three in Lisbon (with a day trip to Sintra), two in Porto, and two in the Algarve, travelling south by train or bus.',
    },
    { role: 'user', content: 'Nice. Any food I should not miss in Porto?' },
  ];
}

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

let sink = 0; // keeps the results alive so the calls cannot be optimised away
const rows: string[][] = [];
let allMeet = true;
for (const prompt of PROMPTS) {
  const { name } = prompt;
  const req = parsed(prompt.req);
  for (let i = 0; i < WARMUP_CALLS; i++) sink += classify(req).features.chars;
  const batches = Math.ceil(CALLS / BATCH);
  const perCall = new Float64Array(batches);
  const deadline = process.hrtime.bigint() + BigInt(MAX_MS) * 1_000_000n;
  let n = 0;
  for (; n < batches; n++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < BATCH; i++) sink += classify(req).features.chars;
    const t1 = process.hrtime.bigint();
    perCall[n] = Number(t1 - t0) / 1000 / BATCH; // µs per call
    if (t1 > deadline) {
      n++;
      break;
    }
  }
  const sorted = perCall.subarray(0, n).sort();
  const c = classify(req);
  const p50 = quantile(sorted, 0.5);
  const p99 = quantile(sorted, 0.99);
  if (prompt.typical !== false && p50 > TARGET_P50_US) allMeet = false;
  rows.push([
    prompt.typical === false ? `${name} *` : name,
    String(c.features.chars),
    String(req.messages.length),
    `${c.task}/${c.complexity}/${c.length}`,
    String(n * BATCH),
    p50.toFixed(2),
    p99.toFixed(2),
  ]);
}

console.log(`classify(): per-call time, batches of ${BATCH} calls, node ${process.version}\n`);
console.log(table(['prompt', 'chars', 'msgs', 'task/complexity/length', 'calls', 'p50 µs', 'p99 µs'], rows));
console.log(`\n* not a typical prompt: shown for scale (the keyword scan reads at most 6 KB of it), not held to the target`);
console.log(`target p50 <= ${TARGET_P50_US} µs on typical prompts: ${allMeet ? 'met' : 'NOT met'} (checksum ${sink})`);
process.exitCode = allMeet ? 0 : 1;
