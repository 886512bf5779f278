import { describe, expect, it } from 'vitest';
import { dataUrlBase64, parseDataUrl } from './data-url.js';

describe('parseDataUrl', () => {
  it('splits media type, base64 flag and payload at the first comma', () => {
    expect(parseDataUrl('data:image/png;base64,iVBO,RR')).toEqual({ mediaType: 'image/png', base64: true, payload: 'iVBO,RR' });
    expect(parseDataUrl('data:image/svg+xml;charset=utf-8,%3Csvg%3E')).toEqual({ mediaType: 'image/svg+xml', base64: false, payload: '%3Csvg%3E' });
    expect(parseDataUrl('data:;BASE64,AAAA')).toEqual({ mediaType: '', base64: true, payload: 'AAAA' });
  });

  it('is undefined for other URLs and for data: URLs without a payload', () => {
    expect(parseDataUrl('https://example.com/a.png')).toBeUndefined();
    expect(parseDataUrl('data:image/png;base64')).toBeUndefined();
  });
});

describe('dataUrlBase64', () => {
  it('keeps base64 payloads, without line breaks', () => {
    expect(dataUrlBase64({ mediaType: 'image/png', base64: true, payload: 'iVBO\nRw0K' })).toBe('iVBORw0K');
  });

  it('encodes percent-encoded payloads and rejects broken percent-encoding', () => {
    expect(dataUrlBase64({ mediaType: 'text/plain', base64: false, payload: 'a%20b' })).toBe(Buffer.from('a b').toString('base64'));
    expect(dataUrlBase64({ mediaType: 'text/plain', base64: false, payload: '%E0%A4%A' })).toBeUndefined();
  });
});
