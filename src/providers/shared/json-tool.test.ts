import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../api/chat.js';
import { finishAfterJsonTool, isJsonToolCall, jsonToolPlan, jsonToolText, jsonToolTextFromBuffer } from './json-tool.js';

const req = (over: Partial<ChatRequest>): ChatRequest => ({ model: 'm', messages: [{ role: 'user', content: 'hi' }], ...over });

describe('jsonToolPlan', () => {
  it('is undefined without a JSON response_format', () => {
    expect(jsonToolPlan(req({}))).toBeUndefined();
    expect(jsonToolPlan(req({ response_format: { type: 'text' } }))).toBeUndefined();
  });

  it('uses an object schema as it is and wraps any other root under value', () => {
    const object = { type: 'object', properties: { a: { type: 'string' } } };
    expect(jsonToolPlan(req({ response_format: { type: 'json_schema', json_schema: { name: 'x', schema: object } } }))).toMatchObject({
      toolName: 'json',
      schema: object,
      wrapped: false,
    });
    const array = { type: 'array', items: { type: 'number' } };
    expect(jsonToolPlan(req({ response_format: { type: 'json_schema', json_schema: { name: 'x', schema: array } } }))).toMatchObject({
      schema: { type: 'object', properties: { value: array }, required: ['value'] },
      wrapped: true,
    });
  });

  it('steps aside from a client tool named json', () => {
    const tools: ChatRequest['tools'] = [{ type: 'function', function: { name: 'json', parameters: {} } }];
    const plan = jsonToolPlan(req({ response_format: { type: 'json_object' }, tools }));
    expect(plan?.toolName).toBe('switchyard_json_response');
    expect(isJsonToolCall(plan, 'json')).toBe(false);
    expect(isJsonToolCall(plan, 'switchyard_json_response')).toBe(true);
  });
});

describe('answer text', () => {
  const wrapped = { toolName: 'json', description: '', schema: {}, wrapped: true };
  const plain = { ...wrapped, wrapped: false };

  it('unwraps value only for wrapped plans', () => {
    expect(jsonToolText(wrapped, { value: [1, 2] })).toBe('[1,2]');
    expect(jsonToolText(plain, { value: [1, 2] })).toBe('{"value":[1,2]}');
  });

  it('hands over a cut-short buffer as written', () => {
    expect(jsonToolTextFromBuffer(wrapped, '{"value":"a"}')).toBe('"a"');
    expect(jsonToolTextFromBuffer(wrapped, '{"value":"a')).toBe('{"value":"a');
  });
});

describe('finishAfterJsonTool', () => {
  it('turns a tool_calls finish into stop only when the JSON tool alone was called', () => {
    expect(finishAfterJsonTool('tool_calls', true, 0)).toBe('stop');
    expect(finishAfterJsonTool('tool_calls', true, 1)).toBe('tool_calls');
    expect(finishAfterJsonTool('tool_calls', false, 0)).toBe('tool_calls');
    expect(finishAfterJsonTool(null, true, 0)).toBeNull();
  });
});
