import { describe, expect, it } from 'vitest';
import type { ChatMessage, ChatRequest, FunctionTool } from '../api/chat.js';
import {
  type Classification,
  type Complexity,
  classify,
  LONG_MAX_CHARS,
  MEDIUM_MAX_CHARS,
  SCAN_HEAD_CHARS,
  SCAN_TAIL_CHARS,
  SHORT_MAX_CHARS,
  type TaskDomain,
} from './classify.js';

const req = (messages: ChatMessage[], extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: 'gpt-4o-mini', messages, ...extra });
const ask = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => req([{ role: 'user', content }], extra);

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

And this is what I see in the terminal when the user does not exist:

\`\`\`
TypeError: Cannot read properties of null (reading 'id')
    at /app/src/server.ts:10:67
    at processTicksAndRejections (node:internal/process/task_queues:95:5)
\`\`\`

Why does this happen, and what is the idiomatic way to return a 404 instead of crashing?`;

const ARTICLE = `The city council voted on Tuesday to approve a new plan for public transport in the downtown area.
The plan will add three new bus lines, extend the hours of the tram service until midnight, and introduce
a single ticket valid on buses, trams and regional trains for ninety minutes. Supporters argue that it will
reduce congestion in the centre; opponents point to the cost of twelve million euros per year, funded
partly by higher parking fees. Shop owners worry that higher fees will keep customers away, while cycling
groups welcomed the plan but criticised the lack of new bike lanes. A review is planned after eighteen months.`;

function tool(name: string): FunctionTool {
  return { type: 'function', function: { name, description: `Calls ${name}`, parameters: { type: 'object', properties: {} } } };
}

interface Example {
  name: string;
  request: ChatRequest;
  task: TaskDomain;
  complexity: Complexity;
}

/** Realistic prompts with the labels they must get. */
const EXAMPLES: Example[] = [
  // chat
  { name: 'greeting', request: ask('Hi! How are you today?'), task: 'chat', complexity: 'simple' },
  { name: 'trivia', request: ask("What's the capital of Australia?"), task: 'chat', complexity: 'simple' },
  { name: 'advice', request: ask('Can you help me write an email to my landlord about a broken heater?'), task: 'chat', complexity: 'simple' },
  {
    name: 'a date is not arithmetic',
    request: ask('My appointment is on 03/14/2024 at 10:30, can you remind me what to bring?'),
    task: 'chat',
    complexity: 'simple',
  },
  { name: 'a language mention is not a translation', request: ask('Respond in French please, my English is not great.'), task: 'chat', complexity: 'simple' },
  {
    name: 'explanation that asks for depth',
    request: ask('Explain step by step how the TCP three-way handshake works and why each step is needed.'),
    task: 'chat',
    complexity: 'medium',
  },
  // code
  { name: 'small function', request: ask('Write a Python function that checks whether a string is a palindrome.'), task: 'code', complexity: 'simple' },
  { name: 'language question', request: ask('How do I reverse a list in JavaScript without mutating it?'), task: 'code', complexity: 'simple' },
  { name: 'debugging with a stack trace', request: ask(CODE_QUESTION), task: 'code', complexity: 'medium' },
  {
    name: 'port between languages is code, not translation',
    request: ask('Translate this Python function into Rust:\n```python\ndef add(a, b):\n    return a + b\n```'),
    task: 'code',
    complexity: 'simple',
  },
  {
    name: 'words inside a code block describe the code',
    request: ask('Why does this crash?\n```python\ndef summarize(text):\n    return text.summary()\n```'),
    task: 'code',
    complexity: 'simple',
  },
  {
    name: 'a script that summarises is code',
    request: ask('Write a Python script that summarizes a CSV file of sales by region.'),
    task: 'code',
    complexity: 'simple',
  },
  {
    name: 'system design',
    request: ask(
      'Design the architecture for a distributed rate limiter used by 200 API servers backed by Redis. Compare the token bucket and sliding window approaches, discuss the trade-offs in consistency and latency, and explain the failure modes step by step.',
    ),
    task: 'code',
    complexity: 'complex',
  },
  {
    name: 'unfenced code',
    request: ask('const total = items.reduce((sum, item) => sum + item.price, 0);\nthis returns NaN, what am I doing wrong?'),
    task: 'code',
    complexity: 'simple',
  },
  // math
  { name: 'linear equation', request: ask('Solve for x: 3x + 7 = 22'), task: 'math', complexity: 'simple' },
  { name: 'arithmetic', request: ask('what is 15% of 80'), task: 'math', complexity: 'simple' },
  { name: 'derivative', request: ask('What is the derivative of f(x) = x^3 + 2x^2 - 5x?'), task: 'math', complexity: 'simple' },
  { name: 'compound interest', request: ask('Calculate the compound interest on $5,000 at 4% annually for 3 years.'), task: 'math', complexity: 'simple' },
  { name: 'proof', request: ask('Prove that √2 is irrational.'), task: 'math', complexity: 'medium' },
  {
    name: 'hard proof',
    request: ask(
      'Prove by induction that the sum of the first n odd numbers is n². Then derive a closed form for the sum of the first n squares, justify every step rigorously, and analyze where the induction argument could fail.',
    ),
    task: 'math',
    complexity: 'complex',
  },
  // summarization
  {
    name: 'summarise an article',
    request: ask(`Summarize the following news article in three bullet points.\n\n${ARTICLE}`),
    task: 'summarization',
    complexity: 'simple',
  },
  { name: 'tl;dr', request: ask(`TL;DR please:\n\n${ARTICLE}`), task: 'summarization', complexity: 'simple' },
  { name: 'British spelling', request: ask(`Could you summarise this for my manager?\n\n${ARTICLE}`), task: 'summarization', complexity: 'simple' },
  // translation
  { name: 'translate into', request: ask("Translate the following into French: 'Where is the train station?'"), task: 'translation', complexity: 'simple' },
  { name: 'how do you say', request: ask("How do you say 'thank you very much' in Japanese?"), task: 'translation', complexity: 'simple' },
  { name: 'German request', request: ask('Übersetze bitte ins Englische: Ich habe morgen leider keine Zeit.'), task: 'translation', complexity: 'simple' },
  { name: 'Chinese request', request: ask('请把这句话翻译成英文：我今天很忙。'), task: 'translation', complexity: 'simple' },
  // extraction
  {
    name: 'extract entities as JSON',
    request: ask('Extract all person names and dates from the text below and return them as JSON.\n\nOn 3 May 2021, Alice Smith met Bob Jones in Berlin.'),
    task: 'extraction',
    complexity: 'simple',
  },
  {
    name: 'sentiment with a schema',
    request: ask('Classify the sentiment of this review: "The battery died after two days."', {
      response_format: { type: 'json_schema', json_schema: { name: 'sentiment', schema: { type: 'object' } } },
    }),
    task: 'extraction',
    complexity: 'simple',
  },
  {
    name: 'json_object response format',
    request: ask('Here is an order confirmation: 2 x blue mugs, shipped to 12 High Street, total 18.40 GBP.', { response_format: { type: 'json_object' } }),
    task: 'extraction',
    complexity: 'simple',
  },
  // creative
  {
    name: 'short story',
    request: ask('Write a short story about a lighthouse keeper who finds a message in a bottle.'),
    task: 'creative',
    complexity: 'simple',
  },
  { name: 'sonnet', request: ask('Write a sonnet about autumn in the style of Shakespeare.'), task: 'creative', complexity: 'simple' },
  { name: 'lyrics', request: ask('Can you write song lyrics for a breakup ballad?'), task: 'creative', complexity: 'simple' },
  { name: 'haiku without a verb', request: ask('A haiku about rain, please.'), task: 'creative', complexity: 'simple' },
  {
    name: 'long story with requirements',
    request: ask(
      "Write a story for a children's magazine. Requirements:\n1. It must be under 800 words.\n2. The protagonist is a shy robot.\n3. It should end with a question to the reader.\n4. Do not use any violence.",
      { max_tokens: 6000 },
    ),
    task: 'creative',
    complexity: 'medium',
  },
];

describe('classify: realistic prompts', () => {
  it.each(EXAMPLES)('$name -> $task / $complexity', ({ request, task, complexity }) => {
    const c = classify(request);
    expect(c.task).toBe(task);
    expect(c.complexity).toBe(complexity);
  });

  it('covers every domain and every complexity level', () => {
    expect(new Set(EXAMPLES.map((e) => e.task))).toEqual(new Set(['code', 'math', 'creative', 'summarization', 'translation', 'extraction', 'chat']));
    expect(new Set(EXAMPLES.map((e) => e.complexity))).toEqual(new Set(['simple', 'medium', 'complex']));
  });
});

describe('classify: features', () => {
  it('counts the code question the way the docs describe', () => {
    const c = classify(ask(CODE_QUESTION));
    expect(c.features.codeFences).toBe(2);
    expect(c.features.codeChars).toBeGreaterThan(CODE_QUESTION.length / 2);
    expect(c.features.stackTraces).toBeGreaterThanOrEqual(2);
    expect(c.features.codeHints).toBeGreaterThan(5);
    expect(c.features.questions).toBe(1);
    expect(c.features.chars).toBe(CODE_QUESTION.length);
    expect(c.features.lastUserChars).toBe(CODE_QUESTION.length);
    expect(c.features.scannedChars).toBe(CODE_QUESTION.length);
  });

  it('counts reasoning words, constraints and list items', () => {
    const c = classify(EXAMPLES.find((e) => e.name === 'system design')!.request);
    expect(c.features.reasoningHints).toBeGreaterThanOrEqual(5);
    const story = classify(EXAMPLES.find((e) => e.name === 'long story with requirements')!.request);
    expect(story.features.listItems).toBe(4);
    expect(story.features.constraints).toBeGreaterThanOrEqual(4);
    expect(story.features.maxTokens).toBe(6000);
  });

  it('holds only numbers and booleans, so explain output can print it', () => {
    for (const { request } of EXAMPLES) {
      for (const [key, value] of Object.entries(classify(request).features)) {
        expect(['number', 'boolean'], key).toContain(typeof value);
      }
    }
  });

  it('prefers max_completion_tokens to max_tokens and leaves maxTokens out when neither is set', () => {
    expect(classify(ask('hi', { max_tokens: 100, max_completion_tokens: 900 })).features.maxTokens).toBe(900);
    expect(classify(ask('hi', { max_tokens: 100 })).features.maxTokens).toBe(100);
    expect('maxTokens' in classify(ask('hi')).features).toBe(false);
  });

  it('counts an unclosed fence as one block of code', () => {
    const c = classify(ask('fix this please\n```js\nfunction f() {\n  return 1\n'));
    expect(c.features.codeFences).toBe(1);
    expect(c.features.codeChars).toBe('js\nfunction f() {\n  return 1\n'.length);
    expect(c.task).toBe('code');
  });
});

describe('classify: edge cases', () => {
  it('empty content is a short simple chat', () => {
    const c = classify(ask(''));
    expect(c).toMatchObject({ task: 'chat', complexity: 'simple', length: 'short', latencySensitive: true });
    expect(c.features.chars).toBe(0);
    expect(c.features.userTurns).toBe(1);
  });

  it('no messages at all', () => {
    const c = classify(req([]));
    expect(c).toMatchObject({ task: 'chat', complexity: 'simple', length: 'short' });
    expect(c.features.messages).toBe(0);
    expect(c.features.lastUserChars).toBe(0);
  });

  it('content parts: text is read and counted, images are noted and not counted', () => {
    const c = classify(
      req([
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Extract the total amount and the date from this receipt' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'text', text: 'and return them as JSON.' },
          ],
        },
      ]),
    );
    expect(c.task).toBe('extraction');
    expect(c.features.hasImages).toBe(true);
    expect(c.features.chars).toBe('Extract the total amount and the date from this receipt'.length + 'and return them as JSON.'.length);
    expect(c.features.complexityScore).toBeGreaterThanOrEqual(1);
  });

  it('an image question is a chat with the image counted toward complexity', () => {
    const c = classify(
      req([
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
            { type: 'text', text: "What's in this picture?" },
          ],
        },
      ]),
    );
    expect(c.task).toBe('chat');
    expect(c.features.hasImages).toBe(true);
    expect(c.features.lastUserChars).toBe("What's in this picture?".length);
  });

  it('tool turns: arguments and results count toward length, the last user message sets the task', () => {
    const args = JSON.stringify({ city: 'Paris', unit: 'celsius' });
    const result = '{"temp": 14, "rain_probability": 0.8}';
    const c = classify(
      req(
        [
          { role: 'system', content: 'You are a helpful assistant with access to weather tools.' },
          { role: 'user', content: 'What is the weather in Paris tomorrow, and should I bring an umbrella?' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: args } }] },
          { role: 'tool', tool_call_id: 'call_1', content: [{ type: 'text', text: result }] },
        ],
        { tools: [tool('get_weather'), tool('get_forecast')] },
      ),
    );
    expect(c.task).toBe('chat');
    expect(c.features.hasTools).toBe(true);
    expect(c.features.tools).toBe(2);
    expect(c.features.messages).toBe(4);
    expect(c.features.userTurns).toBe(1);
    const system = 'You are a helpful assistant with access to weather tools.'.length;
    const user = 'What is the weather in Paris tomorrow, and should I bring an umbrella?'.length;
    expect(c.features.chars).toBe(system + user + args.length + result.length);
    expect(c.features.lastUserChars).toBe(user);
    expect(c.latencySensitive).toBe(false); // tools in play: an agent loop, not a typed chat
  });

  it('an agent with many tools deep in a conversation is complex', () => {
    const turns: ChatMessage[] = [];
    for (let i = 0; i < 12; i++) {
      turns.push({ role: 'user', content: `Step ${i}: check the next invoice in the queue and update the ledger.` });
      turns.push({ role: 'assistant', content: `Done with step ${i}.` });
    }
    turns.push({ role: 'user', content: 'Now reconcile everything and analyze the discrepancies.' });
    const c = classify(req(turns, { tools: Array.from({ length: 10 }, (_, i) => tool(`tool_${i}`)) }));
    expect(c.features.userTurns).toBe(13);
    expect(c.complexity).toBe('complex');
  });

  it('system-only requests: a plain persona is a chat', () => {
    const c = classify(req([{ role: 'system', content: 'You are a helpful assistant.' }]));
    expect(c).toMatchObject({ task: 'chat', complexity: 'simple' });
    expect(c.features.lastUserChars).toBe(0);
    expect(c.features.scannedChars).toBe(0);
    expect(c.features.systemChars).toBe('You are a helpful assistant.'.length);
  });

  it('system-only requests: an instruction there still counts, at half weight', () => {
    const c = classify(req([{ role: 'developer', content: `Summarize the following meeting notes.\n\n${ARTICLE}` }]));
    expect(c.task).toBe('summarization');
    expect(c.features.systemPoints).toBe(2.5);
    expect(c.features.summaryHints).toBe(0); // feature counters describe the user message only
  });

  it('a system prompt sets the context for a vague user message', () => {
    const c = classify(
      req([
        { role: 'system', content: 'You are an expert Python programmer. Answer with working code.' },
        { role: 'user', content: 'How do I read a file line by line?' },
      ]),
    );
    expect(c.task).toBe('code');
    expect(c.features.systemPoints).toBeGreaterThanOrEqual(2);
  });

  it('a system prompt does not override what the user asks for', () => {
    const c = classify(
      req([
        { role: 'system', content: 'You are a coding assistant for a Python codebase. Prefer TypeScript examples.' },
        { role: 'user', content: 'Write a poem about the sea.' },
      ]),
    );
    expect(c.task).toBe('creative');
  });

  it('very long prompts: counted exactly, scanned at both ends only', () => {
    const filler = `${ARTICLE}\n\n`.repeat(Math.ceil(200_000 / (ARTICLE.length + 2)));
    const content = `Summarize the following report for the board.\n\n${filler}`;
    const c = classify(ask(content));
    expect(c.task).toBe('summarization');
    expect(c.length).toBe('very_long');
    expect(c.features.chars).toBe(content.length);
    expect(c.features.scannedChars).toBe(SCAN_HEAD_CHARS + SCAN_TAIL_CHARS);
    expect(c.complexity).toBe('medium'); // long context
  });

  it('very long prompts: an instruction at the end is found', () => {
    const filler = `${ARTICLE}\n\n`.repeat(40);
    const c = classify(ask(`${filler}Translate the text above into Spanish.`));
    expect(c.task).toBe('translation');
    expect(c.length).toBe('long');
  });

  it('very long prompts: the middle is not read', () => {
    const half = 'lorem ipsum dolor sit amet '.repeat(2_000);
    const c = classify(ask(`${half}\nPlease summarize this.\n${half}`));
    expect(c.task).toBe('chat');
  });

  it('very long content parts are windowed across parts', () => {
    const big = 'lorem ipsum dolor sit amet '.repeat(1_000);
    const c = classify(
      req([
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Translate everything below into German.' },
            { type: 'text', text: big },
            { type: 'text', text: big },
          ],
        },
      ]),
    );
    expect(c.task).toBe('translation');
    expect(c.features.scannedChars).toBe(SCAN_HEAD_CHARS + SCAN_TAIL_CHARS);
    expect(c.features.chars).toBe('Translate everything below into German.'.length + 2 * big.length);
  });

  it('length classes switch exactly at the thresholds', () => {
    const of = (n: number): Classification['length'] => classify(ask('x'.repeat(n))).length;
    expect(of(SHORT_MAX_CHARS - 1)).toBe('short');
    expect(of(SHORT_MAX_CHARS)).toBe('medium');
    expect(of(MEDIUM_MAX_CHARS - 1)).toBe('medium');
    expect(of(MEDIUM_MAX_CHARS)).toBe('long');
    expect(of(LONG_MAX_CHARS - 1)).toBe('long');
    expect(of(LONG_MAX_CHARS)).toBe('very_long');
    // All messages count, not only the last one.
    const split = classify(
      req([
        { role: 'system', content: 'x'.repeat(1_000) },
        { role: 'user', content: 'y'.repeat(1_000) },
      ]),
    );
    expect(split.length).toBe('medium');
  });
});

describe('classify: latency sensitivity', () => {
  it('streaming is interactive whatever the task', () => {
    expect(classify(ask(`Summarize this:\n\n${ARTICLE}`, { stream: true })).latencySensitive).toBe(true);
  });

  it('a small max_tokens is interactive', () => {
    const c = classify(ask(`Summarize this:\n\n${ARTICLE}`, { max_tokens: 120 }));
    expect(c.latencySensitive).toBe(true);
  });

  it('a short chat turn is interactive, a batch extraction is not', () => {
    expect(classify(ask('thanks, that helps!')).latencySensitive).toBe(true);
    const batch = classify(
      ask('Extract every company name from these filings.', { max_tokens: 2000, response_format: { type: 'json_schema', json_schema: { name: 'companies' } } }),
    );
    expect(batch.task).toBe('extraction');
    expect(batch.latencySensitive).toBe(false);
  });

  it('a long non-streaming request is not', () => {
    expect(classify(ask(`${'Some background on our project. '.repeat(20)}What do you think?`)).latencySensitive).toBe(false);
  });
});

describe('classify: purity', () => {
  it('is deterministic: the same request gives the same classification', () => {
    for (const { request } of EXAMPLES) expect(classify(request)).toEqual(classify(request));
  });

  it('does not depend on what was classified before', () => {
    const forward = EXAMPLES.map((e) => classify(e.request));
    const backward = [...EXAMPLES]
      .reverse()
      .map((e) => classify(e.request))
      .reverse();
    expect(backward).toEqual(forward);
  });

  it('does not modify the request', () => {
    const deepFreeze = <T>(o: T): T => {
      if (typeof o === 'object' && o !== null) {
        Object.freeze(o);
        for (const v of Object.values(o)) deepFreeze(v);
      }
      return o;
    };
    for (const { request } of EXAMPLES) {
      const before = JSON.stringify(request);
      const frozen = deepFreeze(structuredClone(request));
      expect(() => classify(frozen)).not.toThrow();
      expect(JSON.stringify(frozen)).toBe(before);
    }
  });
});
