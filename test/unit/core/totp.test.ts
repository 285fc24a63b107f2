import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import {
  decodeBase32,
  encodeBase32,
  encodeTotpUri,
  generateTotp,
  millisecondsLeft,
  normaliseTotpSecret,
  parseTotpSecret,
  type TotpAlgorithm,
} from '../../../src/core/totp.js';

interface Rfc6238 {
  seeds: Record<TotpAlgorithm, { ascii: string; base32: string }>;
  vectors: Array<{ time: number; algorithm: TotpAlgorithm; code: string }>;
}

const rfc = JSON.parse(readFileSync(new URL('../../vectors/rfc6238.json', import.meta.url), 'utf8')) as Rfc6238;
// A 160-bit key (the RFC's SHA1 seed), used where any valid key will do.
const KEY = rfc.seeds.SHA1.base32;

describe('RFC 6238 appendix B', () => {
  it.each(Object.entries(rfc.seeds))('the %s seed is the base32 of its ASCII text', (_algorithm, seed) => {
    expect(encodeBase32(new TextEncoder().encode(seed.ascii))).toBe(seed.base32);
    expect(Buffer.from(decodeBase32(seed.base32)).toString('ascii')).toBe(seed.ascii);
  });

  it.each(rfc.vectors)('at $time with $algorithm the code is $code', async ({ time, algorithm, code }) => {
    const params = parseTotpSecret(`otpauth://totp/rfc?secret=${rfc.seeds[algorithm].base32}&algorithm=${algorithm}&digits=8&period=30`);
    expect((await generateTotp(params, time * 1000)).code).toBe(code);
  });
});

describe('parseTotpSecret', () => {
  it('takes a bare base32 key as SHA1, 6 digits, 30 seconds', () => {
    expect(parseTotpSecret(KEY)).toEqual({ secret: KEY, algorithm: 'SHA1', digits: 6, period: 30, label: '', issuer: '' });
  });

  it('accepts lower case, spaces, hyphens and padding, as services print keys', () => {
    const grouped = KEY.toLowerCase().match(/.{1,4}/g)!.join(' ');
    expect(parseTotpSecret(` ${grouped}\n`).secret).toBe(KEY);
    expect(parseTotpSecret(KEY.match(/.{1,4}/g)!.join('-')).secret).toBe(KEY);
    // 10 bytes (16 characters, no padding needed) and 11 bytes (18 characters, padded to 24).
    expect(parseTotpSecret('JBSWY3DPEHPK3PXP').secret).toBe('JBSWY3DPEHPK3PXP');
    expect(parseTotpSecret('JBSWY3DPEHPK3PXPGE======').secret).toBe('JBSWY3DPEHPK3PXPGE');
  });

  it('reads every parameter of a key URI', () => {
    const params = parseTotpSecret(`otpauth://totp/ACME%20Co:john.doe@email.com?secret=${KEY.toLowerCase()}&issuer=ACME%20Co&algorithm=sha512&digits=8&period=60`);
    expect(params).toEqual({ secret: KEY, algorithm: 'SHA512', digits: 8, period: 60, label: 'ACME Co:john.doe@email.com', issuer: 'ACME Co' });
  });

  it('uses the defaults for parameters a key URI leaves out and ignores unknown ones', () => {
    expect(parseTotpSecret(`OTPAUTH://TOTP/x?secret=${KEY}&image=https%3A%2F%2Fexample.com%2Flogo.png`)).toMatchObject({ algorithm: 'SHA1', digits: 6, period: 30, label: 'x', issuer: '' });
  });

  const refused: Array<[string, string, RegExp]> = [
    ['an empty key', '   ', /empty/],
    ['a key that is not base32', 'JBSWY3DPEHPK3PX1', /not base32/],
    ['a key of a length no byte string has', `${KEY}A`, /whole byte/],
    ['a key shorter than 80 bits', 'JBSWY3DPEHPK3PX', /72 bits, at least 80/],
    ['a key longer than 512 bits', encodeBase32(new Uint8Array(65)), /at most 512/],
    ['another URI scheme', `https://example.com/?secret=${KEY}`, /scheme must be otpauth:, not https:/],
    ['a hotp URI without a counter', `otpauth://hotp/x?secret=${KEY}`, /hotp needs a counter/],
    ['a hotp URI with a counter', `otpauth://hotp/x?secret=${KEY}&counter=3`, /counter-based\) codes are not supported/],
    ['another otpauth type', `otpauth://steam/x?secret=${KEY}`, /otpauth:\/\/totp/],
    ['a URI without a secret', 'otpauth://totp/x?issuer=ACME', /no secret/],
    ['a URI with a bad secret', 'otpauth://totp/x?secret=11111111111111111111', /not base32/],
    ['an unknown algorithm', `otpauth://totp/x?secret=${KEY}&algorithm=MD5`, /unknown algorithm/],
    ['5 digits', `otpauth://totp/x?secret=${KEY}&digits=5`, /digits must be a whole number from 6 to 8/],
    ['9 digits', `otpauth://totp/x?secret=${KEY}&digits=9`, /digits must be/],
    ['non-numeric digits', `otpauth://totp/x?secret=${KEY}&digits=six`, /digits must be/],
    ['a zero period', `otpauth://totp/x?secret=${KEY}&period=0`, /period must be a whole number from 1 to 3600/],
    ['a fractional period', `otpauth://totp/x?secret=${KEY}&period=30.5`, /period must be/],
    ['a secret given twice', `otpauth://totp/x?secret=${KEY}&secret=${KEY}`, /more than once/],
  ];

  it.each(refused)('refuses %s with a usage error that does not quote the input', (_what, input, message) => {
    let caught: unknown;
    try {
      parseTotpSecret(input);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UsageError);
    const error = caught as UsageError;
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(message);
    expect(`${error.message}\n${error.hint}`).not.toContain(KEY);
    if (input.trim() !== '') expect(`${error.message}\n${error.hint}`.toUpperCase()).not.toContain(input.trim().toUpperCase());
  });
});

describe('the stored form', () => {
  it('is a complete key URI with canonical base32', () => {
    expect(normaliseTotpSecret(KEY.toLowerCase())).toBe(`otpauth://totp/?secret=${KEY}&algorithm=SHA1&digits=6&period=30`);
    expect(normaliseTotpSecret(`otpauth://totp/ACME:bob?issuer=ACME&secret=${KEY}&algorithm=SHA256&digits=8&period=60`)).toBe(
      `otpauth://totp/ACME%3Abob?secret=${KEY}&algorithm=SHA256&digits=8&period=60&issuer=ACME`,
    );
  });

  it('parses back to the same parameters, so normalising is idempotent', () => {
    const params = fc.record({
      key: fc.uint8Array({ minLength: 10, maxLength: 64 }),
      algorithm: fc.constantFrom('SHA1', 'SHA256', 'SHA512' as const),
      digits: fc.integer({ min: 6, max: 8 }),
      period: fc.integer({ min: 1, max: 3600 }),
      label: fc.string(),
      issuer: fc.string(),
    });
    fc.assert(
      fc.property(params, ({ key, ...rest }) => {
        const original = { ...rest, secret: encodeBase32(key) };
        const stored = encodeTotpUri(original);
        expect(parseTotpSecret(stored)).toEqual(original);
        expect(normaliseTotpSecret(stored)).toBe(stored);
      }),
    );
  });

  it('base32 round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 80 }), (bytes) => {
        expect(decodeBase32(encodeBase32(bytes))).toEqual(bytes);
      }),
    );
  });
});

describe('generateTotp', () => {
  const params = parseTotpSecret(`otpauth://totp/x?secret=${KEY}&period=30`);

  it('gives the same code through a window and a new one after it, with the seconds left', async () => {
    const start = 1_700_000_010_000; // a window boundary: 1700000010 is a multiple of 30
    const first = await generateTotp(params, start);
    expect(first).toMatchObject({ expiresIn: 30, period: 30, digits: 6 });
    expect(first.code).toMatch(/^\d{6}$/);
    expect(await generateTotp(params, start + 29_999)).toEqual({ ...first, expiresIn: 0 });
    expect((await generateTotp(params, start + 12_500)).expiresIn).toBe(17);
    expect((await generateTotp(params, start + 30_000)).code).not.toBe(first.code);
  });

  it('counts the milliseconds left in the window', () => {
    expect(millisecondsLeft({ period: 30 }, 1_700_000_010_000)).toBe(30_000);
    expect(millisecondsLeft({ period: 30 }, 1_700_000_010_001)).toBe(29_999);
    expect(millisecondsLeft({ period: 60 }, 1_700_000_039_000)).toBe(1_000);
  });
});

describe('labels that look like path segments', () => {
  it.each(['.', '..', 'a/../b', './x'])('keeps the label %j through the stored URI', (label) => {
    const original = { secret: 'AAAAAAAAAAAAAAAA', algorithm: 'SHA1' as const, digits: 6, period: 30, label, issuer: '' };
    expect(parseTotpSecret(encodeTotpUri(original))).toEqual(original);
  });
});
