/**
 * KeePass databases, made here with kdbxweb itself (keepassxc-cli is not installed on
 * every machine): KDBX 4 with Argon2id and with AES-KDF, and KDBX 3.1; every TOTP
 * attribute style KeePass and KeePassXC write; a wrong password; corrupt files; and
 * key-derivation costs beyond the limits, refused before any derivation runs.
 */
import kdbxweb from 'kdbxweb';
import * as OTPAuth from 'otpauth';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { parseImport } from '../../../../src/app/import.js';
import { AuthError, UsageError } from '../../../../src/core/errors.js';
import { ImportInputError } from '../../../../src/core/import/entry.js';
import { checkKdbxKdf, KDBX_KDF_LIMITS, parseKdbx, type Argon2Fn } from '../../../../src/core/import/kdbx.js';
import { generateTotp, parseTotpSecret } from '../../../../src/core/totp.js';
import { KDBX_PASSWORD as PASSWORD, makeDatabase } from '../../../helpers/kdbx.js';

async function oracleMatches(uri: string, secret: string, algorithm: string, digits: number, period: number): Promise<void> {
  for (const seconds of [59, 1_111_111_109, 2_000_000_000]) {
    const ours = (await generateTotp(parseTotpSecret(uri), seconds * 1000)).code;
    expect(ours).toMatch(new RegExp(`^\\d{${digits}}$`));
    expect(ours).toBe(OTPAuth.TOTP.generate({ secret: OTPAuth.Secret.fromBase32(secret), algorithm, digits, period, timestamp: seconds * 1000 }));
  }
}

let argon2Database: Uint8Array;
let aesDatabase: Uint8Array;

beforeAll(async () => {
  argon2Database = await makeDatabase(kdbxweb.Consts.KdfId.Argon2id);
  aesDatabase = await makeDatabase(kdbxweb.Consts.KdfId.Aes);
});

describe('parseKdbx', () => {
  it.each([
    ['KDBX 4, Argon2id', () => argon2Database],
    ['KDBX 4, AES-KDF', () => aesDatabase],
  ])('reads every entry of a %s database but the recycle bin', async (_kind, bytes) => {
    const { entries, warnings } = await parseImport({ format: 'kdbx', bytes: bytes(), password: PASSWORD });
    expect(entries.map((e) => [e.source, e.name, e.type, e.tags])).toEqual([
      ['entry 1 (Router)', 'Router', 'login', []],
      ['entry 2 (Old site)', 'Old site', 'login', []],
      ['entry 3 (Wi-Fi)', 'Wi-Fi', 'secure_note', []],
      ['entry 4 (Work/GitHub)', 'GitHub', 'login', ['Work', 'dev']],
      ['entry 5 (Work/Servers/db)', 'db', 'login', ['Work/Servers']],
    ]);
    expect(entries[3]).toMatchObject({
      fields: { username: 'octo-bot', password: 'gh-kdbx-secret', totp: 'otpauth://totp/GitHub:octo-bot?secret=JBSWY3DPEHPK3PXP&period=30&digits=6&issuer=GitHub' },
      uris: ['https://github.com', 'https://api.github.com'],
      notes: 'org owner\n\nPAT scope: repo',
    });
    expect(entries[2]!.fields).toEqual({ notes: 'guest: 1234-5678' });
    expect(warnings).toEqual([
      { source: 'entry 4 (Work/GitHub)', message: 'its 1 attachment(s) are not imported' },
      { source: 'the recycle bin', message: 'its 1 entries are left out' },
    ]);
  });

  it('turns each TOTP attribute style into a secret whose codes match the oracle', async () => {
    const { entries } = await parseImport({ format: 'kdbx', bytes: argon2Database, password: PASSWORD });
    const totp = (name: string): string => entries.find((e) => e.name === name)!.fields.totp!;
    await oracleMatches(totp('GitHub'), 'JBSWY3DPEHPK3PXP', 'SHA1', 6, 30);
    await oracleMatches(totp('db'), 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 'SHA256', 8, 60);
    await oracleMatches(totp('Old site'), 'JBSWY3DPEHPK3PXP', 'SHA1', 6, 30);
  });

  it('reads a KDBX 3.1 database', async () => {
    const { entries } = await parseImport({ format: 'kdbx', bytes: await makeDatabase(kdbxweb.Consts.KdfId.Aes, 3), password: PASSWORD });
    expect(entries.map((e) => e.name)).toEqual(['Router', 'Old site', 'Wi-Fi', 'GitHub', 'db']);
  });

  it('is an authentication failure (exit 4) with the wrong password', async () => {
    const error = await parseImport({ format: 'kdbx', bytes: argon2Database, password: 'wrong' }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).exitCode).toBe(4);
  });

  it.each([
    ['a file that is no database', () => new Uint8Array(Buffer.from('just some text, not a database at all')), 'kdbx: the file: is not a KeePass database'],
    ['a truncated database', () => argon2Database.subarray(0, argon2Database.length - 100), 'kdbx: the file:'],
    ['a changed byte in the body', () => flip(argon2Database, argon2Database.length - 50), 'kdbx: the file:'],
  ])('refuses %s (exit 2)', async (_what, bytes, message) => {
    const error = await parseImport({ format: 'kdbx', bytes: bytes(), password: PASSWORD }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain(message);
  });
});

function flip(bytes: Uint8Array, at: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[at] ^= 0x01;
  return copy;
}

/** Overwrites the 64-bit value of a KDF parameter in a KDBX 4 header's VarDictionary (the header's HMAC is then wrong, but the cost is read first). */
function setKdfParameter(bytes: Uint8Array, name: 'M' | 'I' | 'R', value: number): Uint8Array {
  const copy = Buffer.from(bytes);
  const item = Buffer.from([0x05, 0x01, 0x00, 0x00, 0x00, name.charCodeAt(0), 0x08, 0x00, 0x00, 0x00]);
  const at = copy.indexOf(item);
  expect(at).toBeGreaterThan(0);
  copy.writeBigUInt64LE(BigInt(value), at + item.length);
  return new Uint8Array(copy);
}

describe('the key-derivation cost of an imported database', () => {
  it.each([
    ['2 GiB of Argon2 memory', () => setKdfParameter(argon2Database, 'M', 2 * 1024 ** 3), /2048 MiB of Argon2 memory/],
    ['Argon2 passes beyond reason', () => setKdfParameter(argon2Database, 'I', 1_000_000), /1000000 Argon2 passes/],
    ['2^40 AES-KDF rounds', () => setKdfParameter(aesDatabase, 'R', 2 ** 40), /1099511627776 AES-KDF rounds/],
  ])('is refused before any derivation runs: %s', async (_what, bytes, message) => {
    const derive = vi.fn<Argon2Fn>();
    const error = await parseKdbx(bytes(), PASSWORD, derive).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ImportInputError);
    expect((error as ImportInputError).kind).toBe('malformed');
    expect((error as Error).message).toMatch(message);
    expect(derive).not.toHaveBeenCalled();
  });

  it('allows the limits themselves and refuses one more', () => {
    const argon = { kind: 'argon2id' as const, memoryKiB: KDBX_KDF_LIMITS.argon2MemoryKiB, iterations: 64, parallelism: KDBX_KDF_LIMITS.argon2Parallelism };
    expect(() => checkKdbxKdf(argon)).not.toThrow();
    expect(() => checkKdbxKdf({ ...argon, memoryKiB: argon.memoryKiB + 1024, iterations: 1 })).toThrow(ImportInputError);
    expect(() => checkKdbxKdf({ ...argon, iterations: 65 })).toThrow(ImportInputError);
    expect(() => checkKdbxKdf({ ...argon, parallelism: 65 })).toThrow(ImportInputError);
    expect(() => checkKdbxKdf({ kind: 'aes', rounds: KDBX_KDF_LIMITS.aesRounds })).not.toThrow();
    expect(() => checkKdbxKdf({ kind: 'aes', rounds: KDBX_KDF_LIMITS.aesRounds + 1 })).toThrow(ImportInputError);
    expect(() => checkKdbxKdf({ kind: 'aes', rounds: Number.NaN })).toThrow(ImportInputError);
    expect(() => checkKdbxKdf({ kind: 'unknown' })).toThrow(ImportInputError);
  });
});
