/**
 * Authenticator exports: `otpauth://` lines, and Google Authenticator's
 * `otpauth-migration://` payloads, built here with a small protobuf encoder written from
 * the MigrationPayload message. Every imported secret makes the codes the otpauth package
 * (an independent implementation) makes.
 */
import { readFileSync } from 'node:fs';
import * as OTPAuth from 'otpauth';
import { describe, expect, it } from 'vitest';
import { decodeMigrationPayload, decodeProtobuf, parseOtpauth } from '../../../../src/core/import/otpauth.js';
import { generateTotp, parseTotpSecret } from '../../../../src/core/totp.js';

const FIXTURE = readFileSync(new URL('../../../fixtures/import/otpauth.txt', import.meta.url), 'utf8');

/** Protobuf wire format: varints, and length-delimited fields. */
function varint(value: number | bigint): number[] {
  let v = BigInt(value);
  const out: number[] = [];
  do {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? byte | 0x80 : byte);
  } while (v > 0n);
  return out;
}
const field = (number: number, value: number | bigint): number[] => [...varint((number << 3) | 0), ...varint(value)];
const bytesField = (number: number, bytes: Uint8Array | number[]): number[] => [...varint((number << 3) | 2), ...varint(bytes.length), ...bytes];
const text = (s: string): number[] => [...Buffer.from(s, 'utf8')];

interface Account {
  secret: Buffer;
  name: string;
  issuer?: string;
  algorithm?: number;
  digits?: number;
  type?: number;
  counter?: number;
}

/** A MigrationPayload: repeated OtpParameters (1), version (2), batch size (3), index (4), id (5). */
function migrationPayload(accounts: Account[]): Buffer {
  const parameters = accounts.map((a) =>
    bytesField(1, [
      ...bytesField(1, a.secret),
      ...bytesField(2, text(a.name)),
      ...(a.issuer ? bytesField(3, text(a.issuer)) : []),
      ...field(4, a.algorithm ?? 1),
      ...field(5, a.digits ?? 1),
      ...field(6, a.type ?? 2),
      ...(a.counter === undefined ? [] : field(7, a.counter)),
    ]),
  );
  return Buffer.from([...parameters.flat(), ...field(2, 1), ...field(3, 1), ...field(4, 0), ...field(5, 123456789)]);
}

const migrationUri = (payload: Buffer): string => `otpauth-migration://offline?data=${encodeURIComponent(payload.toString('base64'))}`;

/** The code our generator makes for a stored URI, and the oracle's for the same secret bytes. */
async function codes(uri: string, secret: Buffer, algorithm: string, digits: number, period: number, seconds: number): Promise<[string, string]> {
  const ours = (await generateTotp(parseTotpSecret(uri), seconds * 1000)).code;
  const oracle = OTPAuth.TOTP.generate({ secret: new OTPAuth.Secret({ buffer: Uint8Array.from(secret).buffer }), algorithm, digits, period, timestamp: seconds * 1000 });
  return [ours, oracle];
}

describe('parseOtpauth, otpauth:// lines', () => {
  it('makes one login per account, titled by issuer, the account as username', () => {
    const { entries, warnings } = parseOtpauth(FIXTURE);
    expect(entries.map((e) => [e.source, e.name, e.type, e.fields.username])).toEqual([
      ['line 2', 'Example', 'login', 'alice@example.com'],
      ['line 4', 'ACME Co', 'login', 'john.doe@example.com'],
      ['line 5', 'GitLab', 'login', 'bob'],
      ['line 6', 'Legacy', 'login', 'carol'],
    ]);
    // Counter-based codes are not generated here: the URI is kept in the notes.
    expect(entries[3]).toMatchObject({ fields: { username: 'carol' }, notes: 'otp: otpauth://hotp/Legacy:carol?secret=JBSWY3DPEHPK3PXP&counter=7&issuer=Legacy' });
    expect(warnings).toEqual([{ source: 'line 6', message: expect.stringContaining('HOTP') }]);
  });

  it.each([
    ['a line that is no URI', 'otpauth://totp/A?secret=JBSWY3DPEHPK3PXP\nJBSWY3DPEHPK3PXP\n', 'otpauth: line 2: is neither an otpauth:// nor an otpauth-migration:// URI'],
    ['a label that is not percent-encoding', 'otpauth://totp/%E0%A4%A?secret=JBSWY3DPEHPK3PXP\n', 'otpauth: line 1: the URI label is not valid percent-encoding'],
  ])('refuses %s', (_what, input, message) => {
    expect(() => parseOtpauth(input)).toThrow(message);
  });
});

describe('Google Authenticator migration payloads', () => {
  const sha1 = Buffer.from('12345678901234567890');
  const sha256 = Buffer.from('12345678901234567890123456789012');
  const payload = migrationPayload([
    { secret: sha1, name: 'alice@example.com', issuer: 'Google' },
    { secret: sha256, name: 'Work:bob', issuer: 'Work', algorithm: 2, digits: 2 },
    { secret: sha1, name: 'counter-account', type: 1, counter: 42 },
  ]);

  it('decodes every account of the protobuf payload', () => {
    expect(decodeMigrationPayload(payload)).toEqual([
      { secret: new Uint8Array(sha1), name: 'alice@example.com', issuer: 'Google', algorithm: 1, digits: 1, type: 2, counter: 0n },
      { secret: new Uint8Array(sha256), name: 'Work:bob', issuer: 'Work', algorithm: 2, digits: 2, type: 2, counter: 0n },
      { secret: new Uint8Array(sha1), name: 'counter-account', issuer: '', algorithm: 1, digits: 1, type: 1, counter: 42n },
    ]);
  });

  it('imports each account with a secret whose codes match the oracle', async () => {
    const { entries, warnings } = parseOtpauth(`${migrationUri(payload)}\n`);
    expect(entries.map((e) => [e.source, e.name, e.fields.username])).toEqual([
      ['line 1, account 1', 'Google', 'alice@example.com'],
      ['line 1, account 2', 'Work', 'bob'],
      ['line 1, account 3', 'counter-account', 'counter-account'],
    ]);
    expect(warnings.map((w) => w.source)).toEqual(['line 1, account 3']);
    for (const seconds of [59, 1_111_111_109, 2_000_000_000]) {
      const [google, googleOracle] = await codes(entries[0]!.fields.totp!, sha1, 'SHA1', 6, 30, seconds);
      expect(google).toMatch(/^\d{6}$/);
      expect(google).toBe(googleOracle);
      const [work, workOracle] = await codes(entries[1]!.fields.totp!, sha256, 'SHA256', 8, 30, seconds);
      expect(work).toMatch(/^\d{8}$/);
      expect(work).toBe(workOracle);
    }
    expect(entries[2]!.notes).toBe('otp: otpauth://hotp/counter-account?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA1&digits=6&counter=42');
  });

  it('reads a payload whose base64 has a raw + (not percent-encoded) as a plus', () => {
    // Find a payload whose base64 holds a `+`, and leave it unencoded as some exporters do.
    const withPlus = [...Array(64).keys()].map((n) => migrationPayload([{ secret: Buffer.from(`${n}`.padEnd(10, '~')), name: `a${n}` }])).find((p) => p.toString('base64').includes('+'))!;
    const { entries } = parseOtpauth(`otpauth-migration://offline?data=${withPlus.toString('base64')}\n`);
    expect(entries).toHaveLength(1);
  });

  it.each([
    ['data that is not base64', 'otpauth-migration://offline?data=not*base64'],
    ['no data at all', 'otpauth-migration://offline?other=1'],
    ['a truncated payload', migrationUri(payload.subarray(0, payload.length - 20))],
    ['a name that is not UTF-8', migrationUri(Buffer.from(bytesField(1, bytesField(2, [0xff, 0xfe]))))],
    ['a varint where bytes belong', migrationUri(Buffer.from(bytesField(1, field(1, 5))))],
  ])('refuses %s, naming the line', (_what, line) => {
    expect(() => parseOtpauth(`# one export\n${line}\n`)).toThrow('otpauth: line 2: is not a valid Google Authenticator export');
  });

  it('never loops or crashes on random bytes', () => {
    for (let n = 0; n < 500; n += 1) {
      const bytes = Buffer.from(Array.from({ length: n % 40 }, (_, i) => (i * 7919 + n * 104729) % 256));
      try {
        decodeProtobuf(bytes);
      } catch (err) {
        expect((err as Error).constructor.name).toBe('ProtoError');
      }
    }
  });
});
