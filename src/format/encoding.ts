/**
 * Canonical encodings used by the file formats. Parsing is strict: a value that does
 * not re-encode to exactly the same text is rejected, so every file has one spelling.
 */
import { FormatError } from './format-error.js';

const BASE64 = /^[A-Za-z0-9+/]*$/;

/** Standard base64 (RFC 4648 section 4) without padding, as age writes it. */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64').replace(/=+$/, '');
}

/** Decodes unpadded standard base64, rejecting any non-canonical spelling. */
export function decodeBase64(text: string, what: string, expectedLength?: number): Buffer {
  if (!BASE64.test(text) || text.length % 4 === 1) throw new FormatError(`${what} is not canonical base64`);
  const bytes = Buffer.from(text, 'base64');
  if (encodeBase64(bytes) !== text) throw new FormatError(`${what} is not canonical base64`);
  if (expectedLength !== undefined && bytes.length !== expectedLength) {
    throw new FormatError(`${what} has ${bytes.length} bytes, expected ${expectedLength}`);
  }
  return bytes;
}
