/**
 * Standard base64 (RFC 4648, with '=' padding) of bytes, for files embedded in JSON (session files). Strict on
 * decoding: a character outside the alphabet, a bad length or misplaced padding is an error naming the position.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUES = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i;

export function encodeBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  const CHUNK = 3 * 4096;
  for (let start = 0; start < bytes.length; start += CHUNK) {
    const end = Math.min(bytes.length, start + CHUNK);
    let text = '';
    for (let i = start; i < end; i += 3) {
      const a = bytes[i]!;
      const b = i + 1 < end ? bytes[i + 1]! : 0;
      const c = i + 2 < end ? bytes[i + 2]! : 0;
      const n = (a << 16) | (b << 8) | c;
      text += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]!;
      text += i + 1 < end ? ALPHABET[(n >> 6) & 63]! : '=';
      text += i + 2 < end ? ALPHABET[n & 63]! : '=';
    }
    parts.push(text);
  }
  return parts.join('');
}

export class Base64Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Base64Error';
  }
}

export function decodeBase64(text: string): Uint8Array {
  if (text.length % 4 !== 0) throw new Base64Error(`length ${text.length} is not a multiple of 4`);
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let k = 0; k < 4; k++) {
      const at = i + k;
      const code = text.charCodeAt(at);
      const isPad = code === 61 && at >= text.length - padding;
      const v = isPad ? 0 : code < 128 ? VALUES[code]! : -1;
      if (v < 0) throw new Base64Error(`bad character ${JSON.stringify(text[at])} at position ${at}`);
      n = (n << 6) | v;
    }
    out[o++] = (n >> 16) & 255;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}
