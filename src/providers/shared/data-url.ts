/** A parsed RFC 2397 `data:` URL: data:[<media type>][;<param>]*[;base64],<payload> */
export interface DataUrl {
  /** As written; '' when the URL names none. */
  mediaType: string;
  /** The `;base64` flag (case-insensitive). */
  base64: boolean;
  /** Everything after the first comma, as written. */
  payload: string;
}

/** undefined when `url` is not a data: URL with a payload. */
export function parseDataUrl(url: string): DataUrl | undefined {
  if (!/^data:/i.test(url)) return undefined;
  const comma = url.indexOf(',');
  if (comma < 0) return undefined;
  const [mediaType = '', ...params] = url.slice('data:'.length, comma).split(';');
  return { mediaType, base64: params.some((p) => p.toLowerCase() === 'base64'), payload: url.slice(comma + 1) };
}

/**
 * The payload as base64 bytes, which is how providers take inline media: a base64 payload with
 * the line breaks some clients insert removed, a percent-encoded one decoded and encoded.
 * undefined when the percent-encoding is invalid.
 */
export function dataUrlBase64(d: DataUrl): string | undefined {
  if (d.base64) return d.payload.replace(/\s+/g, '');
  try {
    return Buffer.from(decodeURIComponent(d.payload), 'utf8').toString('base64');
  } catch {
    return undefined;
  }
}
