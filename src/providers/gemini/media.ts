import type { ImagePart } from '../../api/chat.js';
import { GatewayError } from '../../core/errors.js';
import { dataUrlBase64, parseDataUrl } from '../shared/data-url.js';
import type { GeminiPart } from './wire.js';

const MIME_BY_EXTENSION: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
  pdf: 'application/pdf',
};

/** Gemini needs a MIME type even for URLs; JPEG is the most common image type when the path does not say. */
export function guessMimeType(url: string): string {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // Not a parseable URL (e.g. a gs:// path with odd characters): fall back to the raw string.
  }
  const ext = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase();
  return (ext && MIME_BY_EXTENSION[ext]) || 'image/jpeg';
}

/** An OpenAI image_url part → an inlineData part (data: URL) or a fileData part (any other URI). */
export function imagePart(part: ImagePart, param: string): GeminiPart {
  const url = part.image_url.url;
  if (url.startsWith('data:')) return { inlineData: inlineData(url, param) };
  return { fileData: { mimeType: guessMimeType(url), fileUri: url } };
}

function inlineData(url: string, param: string): { mimeType: string; data: string } {
  const dataUrl = parseDataUrl(url);
  if (!dataUrl) throw new GatewayError('invalid_request', 'Image data URL has no data.', { param });
  // Gemini takes only base64 bytes, so a percent-encoded data URL is re-encoded.
  const data = dataUrlBase64(dataUrl);
  if (data === undefined) throw new GatewayError('invalid_request', 'Image data URL is not valid percent-encoding.', { param });
  return { mimeType: dataUrl.mediaType || 'image/jpeg', data };
}
