import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventStreamCodec } from '@smithy/eventstream-codec';

/**
 * A hostile upstream for secret-leak tests: every answer is an error in the provider's real shape
 * whose message quotes back every header the gateway sent (keys, signatures, session tokens), as a
 * careless or compromised upstream might. On 127.0.0.1, port 0.
 *
 * The first two path segments choose the answer; the rest is the provider's own path:
 *   /<mode>/<format>/...   mode: 401 | 403 | 429 | 500       HTTP error with that status
 *                                early                          200 stream, in-band error before any content
 *                                late                           200 stream, one content delta, then the in-band error
 *   format: openai | azure | anthropic | gemini | bedrock
 */

export const FORMATS = ['openai', 'azure', 'anthropic', 'gemini', 'bedrock'] as const;
export type Format = (typeof FORMATS)[number];
export const STATUSES = [401, 403, 429, 500] as const;
export type Mode = (typeof STATUSES)[number] | 'early' | 'late';

export interface EchoUpstream {
  url: string;
  /** Headers of every request received, in order. */
  seen: { path: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

export async function startEchoUpstream(): Promise<EchoUpstream> {
  const seen: EchoUpstream['seen'] = [];
  const server = createServer((req, res) => {
    void readAll(req).then(() => {
      seen.push({ path: req.url ?? '', headers: req.headers });
      const [, mode = '', format = ''] = (req.url ?? '').split('/');
      const echo = `received ${JSON.stringify({ url: req.url, headers: req.headers })}; credentials ${bare(req.headers)}`;
      if (mode === 'early' || mode === 'late') streamError(res, format as Format, mode === 'late', echo);
      else httpError(res, format as Format, Number(mode), echo);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Credential header values unlabelled, the scheme dropped ("key abc123 is invalid"): only the configured-secret list can find these. */
function bare(headers: IncomingHttpHeaders): string {
  return Object.entries(headers)
    .filter(([name]) => /authorization|key|token/.test(name))
    .map(([, v]) => String(v).split(' ').pop())
    .join(' ');
}

function readAll(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    req.on('data', () => {});
    req.on('end', resolve);
    req.on('error', () => resolve());
  });
}

const OPENAI_CODE: Record<number, [type: string, code: string, text: string]> = {
  401: ['invalid_request_error', 'invalid_api_key', 'Incorrect API key provided'],
  403: ['request_forbidden', 'unsupported_country_region_territory', 'Country, region, or territory not supported'],
  429: ['requests', 'rate_limit_exceeded', 'Rate limit reached'],
  500: ['server_error', 'server_error', 'The server had an error while processing your request'],
};
const ANTHROPIC_TYPE: Record<number, string> = { 401: 'authentication_error', 403: 'permission_error', 429: 'rate_limit_error', 500: 'api_error' };
const GEMINI_STATUS: Record<number, string> = { 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL' };
const BEDROCK_TYPE: Record<number, string> = {
  401: 'UnrecognizedClientException',
  403: 'AccessDeniedException',
  429: 'ThrottlingException',
  500: 'InternalServerException',
};

/** The provider's error body for `status`, its message quoting `echo`. */
function errorBody(format: Format, status: number, echo: string): unknown {
  switch (format) {
    case 'openai': {
      const [type, code, text] = OPENAI_CODE[status]!;
      return { error: { message: `${text}: ${echo}`, type, param: null, code } };
    }
    case 'azure':
      return { error: { code: String(status), message: `Access denied or failed (${status}): ${echo}` } };
    case 'anthropic':
      return { type: 'error', error: { type: ANTHROPIC_TYPE[status], message: `invalid request: ${echo}` }, request_id: 'req_echo' };
    case 'gemini':
      return { error: { code: status, message: `API key not valid or request failed: ${echo}`, status: GEMINI_STATUS[status] } };
    case 'bedrock':
      return { message: `The security token included in the request is invalid: ${echo}` };
  }
}

function httpError(res: ServerResponse, format: Format, status: number, echo: string): void {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-echo': 'true' };
  if (format === 'bedrock') headers['x-amzn-errortype'] = `${BEDROCK_TYPE[status]}:http://internal.amazon.com/coral/com.amazon.bedrock/`;
  res.writeHead(status, headers);
  res.end(JSON.stringify(errorBody(format, status, echo)));
}

const sse = (data: unknown, event?: string): string => `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;

/** A 200 stream that reports an error in-band, in the provider's stream format; after one content delta when `late`. */
function streamError(res: ServerResponse, format: Format, late: boolean, echo: string): void {
  if (format === 'bedrock') {
    bedrockStreamError(res, late, echo);
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  switch (format) {
    case 'openai':
    case 'azure':
      if (late)
        res.write(
          sse({
            id: 'c1',
            object: 'chat.completion.chunk',
            created: 1,
            model: 'm',
            choices: [{ index: 0, delta: { role: 'assistant', content: 'Hello' }, finish_reason: null }],
          }),
        );
      res.end(sse({ error: { message: `The server had an error: ${echo}`, type: 'server_error', param: null, code: null } }));
      return;
    case 'anthropic':
      res.write(
        sse(
          {
            type: 'message_start',
            message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'm', content: [], usage: { input_tokens: 1, output_tokens: 0 } },
          },
          'message_start',
        ),
      );
      if (late) {
        res.write(sse({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, 'content_block_start'));
        res.write(sse({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello' } }, 'content_block_delta'));
      }
      res.end(sse({ type: 'error', error: { type: 'overloaded_error', message: `Overloaded: ${echo}` } }, 'error'));
      return;
    case 'gemini':
      if (late) res.write(sse({ candidates: [{ content: { role: 'model', parts: [{ text: 'Hello' }] }, index: 0 }] }));
      res.end(sse({ error: { code: 500, message: `Internal error: ${echo}`, status: 'INTERNAL' } }));
      return;
  }
}

const codec = new EventStreamCodec(
  (b) => new TextDecoder().decode(b),
  (s) => new TextEncoder().encode(s),
);

function frame(messageType: 'event' | 'exception', name: string, payload: object): Uint8Array {
  const typeHeader = messageType === 'event' ? ':event-type' : ':exception-type';
  return codec.encode({
    headers: {
      ':message-type': { type: 'string', value: messageType },
      [typeHeader]: { type: 'string', value: name },
      ':content-type': { type: 'string', value: 'application/json' },
    },
    body: new TextEncoder().encode(JSON.stringify(payload)),
  });
}

function bedrockStreamError(res: ServerResponse, late: boolean, echo: string): void {
  res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
  res.write(frame('event', 'messageStart', { role: 'assistant' }));
  if (late) res.write(frame('event', 'contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hello' } }));
  res.end(frame('exception', 'modelStreamErrorException', { message: `Model stream error: ${echo}` }));
}
