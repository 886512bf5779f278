import type Anthropic from '@anthropic-ai/sdk';
import type { Content, FunctionDeclaration, Part } from '@google/genai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../helpers/stack.js';

/**
 * What reaches the provider, read from the sandbox's record of each attempt's request body: an
 * OpenAI SDK client's text, image parts (inline and by URL) and tools arrive in each wire format's
 * own shape. The expected shapes are typed with the official SDKs' request types, so a shape the
 * SDK does not accept does not compile.
 */

/** A 1×1 PNG. */
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const IMAGE_URL = 'https://example.com/cat.png';
const QUESTION = 'What is in these pictures?';
const PARAMETERS = { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] };

const messages: OpenAI.ChatCompletionMessageParam[] = [
  { role: 'system', content: 'Answer briefly.' },
  {
    role: 'user',
    content: [
      { type: 'text', text: QUESTION },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
      { type: 'image_url', image_url: { url: IMAGE_URL } },
    ],
  },
];
const tools: OpenAI.ChatCompletionTool[] = [{ type: 'function', function: { name: 'lookup', description: 'Looks a thing up.', parameters: PARAMETERS } }];

let stack: Stack;
let client: OpenAI;

beforeAll(async () => {
  stack = await startStack();
  client = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: 'k', maxRetries: 0 });
});
afterAll(() => stack.close());

/** Sends the request through the gateway to one sandbox target; returns the body that target received. */
async function received(target: string, stream: boolean): Promise<Record<string, unknown>> {
  const model = `${target}@${stream ? 'stream' : 'json'}-${Math.random().toString(36).slice(2)}`;
  if (stream) {
    const s = await client.chat.completions.create({ model, messages, tools, tool_choice: 'none', stream: true });
    for await (const _ of s) {
      // drain
    }
  } else {
    await client.chat.completions.create({ model, messages, tools, tool_choice: 'none' });
  }
  const modelId = model.slice(model.indexOf('/') + 1);
  const attempts = stack.sandbox.attempts().filter((a) => a.model === modelId);
  expect(attempts).toHaveLength(1);
  return attempts[0]!.request as Record<string, unknown>;
}

describe.each([false, true])('an OpenAI SDK request with text, images and tools (stream: %s)', (stream) => {
  it('reaches an OpenAI-format provider with its parts unchanged', async () => {
    const body = await received('sb-openai/ok', stream);
    const expected: OpenAI.ChatCompletionMessageParam[] = messages;
    expect(body.messages).toEqual(expected);
    expect(body.tools).toEqual(tools);
  });

  it("reaches an Anthropic-format provider as Anthropic's image and text blocks and tools", async () => {
    const body = await received('sb-anthropic/ok', stream);
    const system: Anthropic.MessageCreateParams['system'] = 'Answer briefly.';
    const content: Anthropic.ContentBlockParam[] = [
      { type: 'text', text: QUESTION },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
      { type: 'image', source: { type: 'url', url: IMAGE_URL } },
    ];
    const tool: Anthropic.Tool = { name: 'lookup', description: 'Looks a thing up.', input_schema: PARAMETERS as Anthropic.Tool.InputSchema };
    expect([body.system].flat().map((s) => (typeof s === 'string' ? s : (s as Anthropic.TextBlockParam).text))).toEqual([system]);
    expect(body.messages).toEqual([{ role: 'user', content }] satisfies Anthropic.MessageParam[]);
    expect(body.tools).toEqual([tool]);
  });

  it("reaches a Gemini-format provider as Gemini's inlineData, fileData and text parts and function declarations", async () => {
    const body = await received('sb-gemini/ok', stream);
    const parts: Part[] = [
      { text: QUESTION },
      { inlineData: { mimeType: 'image/png', data: PNG } },
      { fileData: { mimeType: 'image/png', fileUri: IMAGE_URL } },
    ];
    expect(body.contents).toEqual([{ role: 'user', parts }] satisfies Content[]);
    const declarations = (body.tools as { functionDeclarations?: FunctionDeclaration[] }[]).flatMap((t) => t.functionDeclarations ?? []);
    expect(declarations).toHaveLength(1);
    expect(declarations[0]).toMatchObject({ name: 'lookup', description: 'Looks a thing up.' } satisfies FunctionDeclaration);
    // The schema travels as parameters (OpenAPI subset) or parametersJsonSchema, whichever the adapter uses.
    const schema = declarations[0]!.parameters ?? declarations[0]!.parametersJsonSchema;
    expect(schema).toMatchObject({ properties: { q: { type: expect.stringMatching(/^string$/i) } }, required: ['q'] });
    expect(JSON.stringify(body.systemInstruction)).toContain('Answer briefly.');
  });
});
