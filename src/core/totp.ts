/**
 * TOTP (RFC 6238): parsing what services hand out (a base32 key, or a Google
 * Authenticator `otpauth://totp/…` key URI), the normalised form stored in a
 * credential's `totp` field, and code generation with an injected clock.
 *
 * Error messages here never quote the input: it is (or contains) the secret.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { UsageError } from './errors.js';

export const TOTP_ALGORITHMS = ['SHA1', 'SHA256', 'SHA512'] as const;
export type TotpAlgorithm = (typeof TOTP_ALGORITHMS)[number];

/** Shortest key accepted: 80 bits, the size of the 16-character keys many services still issue. */
export const MIN_SECRET_BYTES = 10;
/** Longest key accepted: one SHA-512 block, as the RFC 6238 SHA-512 vectors use. */
export const MAX_SECRET_BYTES = 64;
export const MIN_DIGITS = 6;
export const MAX_DIGITS = 8;
export const MIN_PERIOD = 1;
export const MAX_PERIOD = 3600;

/** A parsed TOTP secret with its parameters; `secret` is canonical base32 (upper case, unpadded). */
export interface TotpParams {
  secret: string;
  algorithm: TotpAlgorithm;
  digits: number;
  period: number;
  /** The key URI's label (often `Issuer:account`), or '' */
  label: string;
  /** The key URI's `issuer` parameter, or '' */
  issuer: string;
}

/** A code and how long it stays valid. */
export interface TotpCode {
  code: string;
  /** Whole seconds until this code's window ends. */
  expiresIn: number;
  period: number;
  digits: number;
}

// Base32 and the key URI are parsed here, not by otplib 13's @otplib/plugin-base32-scure
// and @otplib/uri, because those refuse or misread keys that services hand out and
// authenticator apps accept:
// - @scure/base refuses a last character with unused bits set (a key of random
//   characters, e.g. 26 of them), which oathtool ignores; and spaces, hyphens, extra `=`.
// - @otplib/uri takes only a lower-case `otpauth://totp/`, silently keeps the first of a
//   repeated parameter, reads `+` as a plus (so our stored `issuer=ACME+Co` would come
//   back as "ACME+Co"), and its errors quote the whole URI, secret included.
const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** Unpadded base32 lengths that end on a whole byte (RFC 4648 §6). */
const VALID_TAIL_LENGTHS = new Set([0, 2, 4, 5, 7]);

function invalid(problem: string): UsageError {
  return new UsageError(`invalid TOTP secret: ${problem}`, 'give a base32 key or an otpauth://totp/… URI, e.g. with --totp-stdin');
}

/**
 * Decodes base32 as services print it: any case, spaces or hyphens between groups, with
 * or without `=` padding.
 */
export function decodeBase32(text: string): Uint8Array {
  const cleaned = text.replace(/[\s-]/g, '').toUpperCase().replace(/=+$/, '');
  if (cleaned === '') throw invalid('the key is empty');
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of cleaned) {
    const index = BASE32_ALPHABET.indexOf(char);
    if (index < 0) throw invalid('the key is not base32 (letters A-Z and digits 2-7)');
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >>> bits) & 0xff);
    }
  }
  if (!VALID_TAIL_LENGTHS.has(cleaned.length % 8)) throw invalid('the key has a base32 length that does not end on a whole byte');
  return Uint8Array.from(out);
}

/** Canonical base32: upper case, no padding. */
export function encodeBase32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32_ALPHABET[(value >>> bits) & 31];
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

function checkKey(bytes: Uint8Array): void {
  if (bytes.length < MIN_SECRET_BYTES) throw invalid(`the key is ${bytes.length * 8} bits, at least ${MIN_SECRET_BYTES * 8} are needed`);
  if (bytes.length > MAX_SECRET_BYTES) throw invalid(`the key is ${bytes.length * 8} bits, at most ${MAX_SECRET_BYTES * 8} are allowed`);
}

function parseIntegerParam(value: string, name: string, min: number, max: number): number {
  if (!/^\d{1,6}$/.test(value) || Number(value) < min || Number(value) > max) throw invalid(`${name} must be a whole number from ${min} to ${max}`);
  return Number(value);
}

/** The still-encoded label of `otpauth://totp/<label>?…`: what lies between the host and the query. */
function rawLabel(text: string): string {
  const rest = text.slice(text.indexOf('//') + 2);
  const slash = rest.search(/[/?#]/);
  return slash < 0 || rest[slash] !== '/' ? '' : rest.slice(slash + 1).split(/[?#]/, 1)[0]!;
}

function parseKeyUri(text: string): TotpParams {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid('not a valid otpauth:// URI');
  }
  if (url.protocol !== 'otpauth:') throw invalid(`the URI scheme must be otpauth:, not ${url.protocol}`);
  const kind = url.host.toLowerCase();
  if (kind === 'hotp') {
    if (!url.searchParams.has('counter')) throw invalid('otpauth://hotp needs a counter, and counter-based codes are not supported: use a totp key');
    throw invalid('otpauth://hotp (counter-based) codes are not supported: use a totp key');
  }
  if (kind !== 'totp') throw invalid('the URI must be otpauth://totp/…');
  const params = url.searchParams;
  for (const name of ['secret', 'algorithm', 'digits', 'period', 'issuer']) {
    if (params.getAll(name).length > 1) throw invalid(`the URI gives ${name} more than once`);
  }
  const secret = params.get('secret');
  if (secret === null || secret === '') throw invalid('the URI has no secret parameter');
  const bytes = decodeBase32(secret);
  checkKey(bytes);
  const algorithmText = (params.get('algorithm') ?? 'SHA1').toUpperCase();
  if (!(TOTP_ALGORITHMS as readonly string[]).includes(algorithmText)) throw invalid(`unknown algorithm, use one of ${TOTP_ALGORITHMS.join(', ')}`);
  let label: string;
  try {
    // The label is read from the text itself: URL parsing would resolve a label of "."
    // or ".." as a path segment and lose it.
    label = decodeURIComponent(rawLabel(text));
  } catch {
    throw invalid('the URI label is not valid percent-encoding');
  }
  return {
    secret: encodeBase32(bytes),
    algorithm: algorithmText as TotpAlgorithm,
    digits: params.has('digits') ? parseIntegerParam(params.get('digits')!, 'digits', MIN_DIGITS, MAX_DIGITS) : 6,
    period: params.has('period') ? parseIntegerParam(params.get('period')!, 'period', MIN_PERIOD, MAX_PERIOD) : 30,
    label,
    issuer: params.get('issuer') ?? '',
  };
}

/**
 * Parses a TOTP secret as a user gives it: an `otpauth://` key URI, or a bare base32
 * key (SHA1, 6 digits, 30 seconds). Bad input is a usage error that names the problem
 * without quoting the input.
 */
export function parseTotpSecret(text: string): TotpParams {
  const trimmed = text.trim();
  if (/^[a-z][a-z0-9+.-]*:/i.test(trimmed)) return parseKeyUri(trimmed);
  const bytes = decodeBase32(trimmed);
  checkKey(bytes);
  return { secret: encodeBase32(bytes), algorithm: 'SHA1', digits: 6, period: 30, label: '', issuer: '' };
}

/**
 * The stored form: always a complete key URI,
 * `otpauth://totp/<label>?secret=<BASE32>&algorithm=<A>&digits=<D>&period=<P>[&issuer=<I>]`,
 * so the value is self-describing, importable into any authenticator app, and parses
 * back to the same parameters.
 */
export function encodeTotpUri(params: TotpParams): string {
  const query = new URLSearchParams({ secret: params.secret, algorithm: params.algorithm, digits: String(params.digits), period: String(params.period) });
  if (params.issuer !== '') query.set('issuer', params.issuer);
  return `otpauth://totp/${encodeURIComponent(params.label)}?${query.toString()}`;
}

/** Parses user input and returns the stored form (see {@link encodeTotpUri}). */
export function normaliseTotpSecret(text: string): string {
  return encodeTotpUri(parseTotpSecret(text));
}

/** Milliseconds left in the window that contains `nowMs`. */
export function millisecondsLeft(params: Pick<TotpParams, 'period'>, nowMs: number): number {
  const periodMs = params.period * 1000;
  return periodMs - (nowMs % periodMs);
}

/**
 * The code at `now` (ms since the epoch). The HOTP/TOTP algorithm is otplib's, loaded
 * here on first use so commands that make no code do not pay for importing it.
 */
export async function generateTotp(params: TotpParams, nowMs: number): Promise<TotpCode> {
  const [{ generateSync }, { createCryptoPlugin, createGuardrails }] = await Promise.all([import('@otplib/totp'), import('@otplib/core')]);
  // node:crypto does the HMAC: otplib's own plugins pull in pure-JS hash code that
  // costs start-up time for nothing.
  const crypto = createCryptoPlugin({
    name: 'node',
    hmac: (algorithm, key, data) => new Uint8Array(createHmac(algorithm, key).update(data).digest()),
    randomBytes: (length) => new Uint8Array(randomBytes(length)),
  });
  const code = generateSync({
    secret: decodeBase32(params.secret),
    algorithm: params.algorithm.toLowerCase() as 'sha1' | 'sha256' | 'sha512',
    digits: params.digits,
    period: params.period,
    epoch: Math.floor(nowMs / 1000),
    crypto,
    guardrails: createGuardrails({ MIN_SECRET_BYTES, MAX_SECRET_BYTES }),
  });
  return { code, expiresIn: Math.floor(millisecondsLeft(params, nowMs) / 1000), period: params.period, digits: params.digits };
}
