import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as OTPAuth from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBase32 } from '../../src/core/totp.js';
import { TempStore, type RunResult } from '../helpers/cli.js';
import { storeText } from '../helpers/temp-store.js';
import { skipWithout } from '../helpers/tools.js';

/** A reference TOTP implementation: the code for a base32 key at `seconds`. */
type Reference = (key: string, algorithm: string, digits: number, period: number, seconds: number) => string;

/** The otpauth package's code (an RFC 6238 implementation independent of otplib, which the CLI uses). */
const otpauthPackage: Reference = (key, algorithm, digits, period, seconds) =>
  OTPAuth.TOTP.generate({ secret: OTPAuth.Secret.fromBase32(key), algorithm, digits, period, timestamp: seconds * 1000 });

/** oathtool's code; the key goes on stdin, never argv. */
const oathtool: Reference = (key, algorithm, digits, period, seconds) => {
  const result = spawnSync('oathtool', [`--totp=${algorithm}`, '--base32', `--digits=${digits}`, `--time-step-size=${period}s`, `--now=@${seconds}`, '-'], { input: key, encoding: 'utf8' });
  if (result.error) throw new Error('oathtool is needed for this test: apt-get install oathtool (Debian) or brew install oath-toolkit');
  if (result.status !== 0) throw new Error(`oathtool failed: ${result.stderr}`);
  return result.stdout.trim();
};

describe('totp', () => {
  let store: TempStore;
  let token: string;
  /** Every TOTP key this suite stores, to prove none of them leaks anywhere. */
  const keys: string[] = [];
  /** Everything the CLI printed, on either stream. */
  const printed: string[] = [];

  const owner = async (args: string[], input?: string): Promise<RunResult> => {
    const result = await store.owner(args, input === undefined ? {} : { input });
    printed.push(result.stdout, result.stderr);
    return result;
  };
  const agent = async (args: string[], input?: string): Promise<RunResult> => {
    const result = await store.agent(token, args, input === undefined ? {} : { input });
    printed.push(result.stdout, result.stderr);
    return result;
  };
  const newKey = (bytes = 20): string => {
    const key = encodeBase32(randomBytes(bytes));
    keys.push(key);
    return key;
  };

  /** The CLI's code compared with the reference's at the same moment; measured again if a window boundary fell between. */
  async function expectSameCode(credential: string, key: string, algorithm: string, digits: number, period: number, reference: Reference = otpauthPackage): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const before = Date.now();
      const result = await agent(['totp', credential, '--json']);
      const after = Date.now();
      expect(result).toMatchObject({ code: 0, stderr: '' });
      const json = JSON.parse(result.stdout) as { code: string; expires_in: number; period: number; digits: number };
      if (Math.floor(before / 1000 / period) !== Math.floor(after / 1000 / period) && attempt === 0) continue;
      expect(json).toMatchObject({ period, digits });
      expect(json.code).toMatch(new RegExp(`^\\d{${digits}}$`));
      expect(json.expires_in).toBeGreaterThanOrEqual(0);
      expect(json.expires_in).toBeLessThanOrEqual(period);
      expect(json.code).toBe(reference(key, algorithm, digits, period, Math.floor(before / 1000)));
      return;
    }
  }

  beforeAll(async () => {
    ({ store, token } = await TempStore.withAgent());
  });
  afterAll(() => store.cleanup());

  const combinations = ['SHA1', 'SHA256', 'SHA512'].flatMap((algorithm) => [6, 8].flatMap((digits) => [30, 60].map((period) => ({ algorithm, digits, period }))));

  /** Adds a login whose TOTP secret is a fresh key of the size the algorithm's hash suits, as a key URI. */
  async function addKeyUri(credential: string, algorithm: string, digits: number, period: number): Promise<string> {
    const key = newKey(algorithm === 'SHA512' ? 64 : algorithm === 'SHA256' ? 32 : 20);
    const uri = `otpauth://totp/Example:bot?secret=${key}&issuer=Example&algorithm=${algorithm}&digits=${digits}&period=${period}`;
    expect((await owner(['credential', 'add', credential, '--type', 'login', '--username', 'bot', '--totp-stdin', '--agent', 'bot'], uri)).code).toBe(0);
    return key;
  }

  it.each(combinations)('gives the code the otpauth package gives for $algorithm, $digits digits, $period s', async ({ algorithm, digits, period }) => {
    const credential = `OTP_${algorithm}_${digits}_${period}`;
    await expectSameCode(credential, await addKeyUri(credential, algorithm, digits, period), algorithm, digits, period);
  });

  describe.skipIf(skipWithout('oathtool'))('against oathtool', () => {
    it.each(combinations)('gives the code oathtool gives for $algorithm, $digits digits, $period s', async ({ algorithm, digits, period }) => {
      const credential = `OATH_${algorithm}_${digits}_${period}`;
      await expectSameCode(credential, await addKeyUri(credential, algorithm, digits, period), algorithm, digits, period, oathtool);
    });
  });

  it('prints the code and a newline only, for the owner and for the agent', async () => {
    const key = newKey(10);
    // Lower case, in groups, unpadded: as services print keys.
    const spaced = key.toLowerCase().match(/.{1,4}/g)!.join(' ');
    expect((await owner(['credential', 'add', 'SITE', '--type', 'login', '--totp-stdin', '-a', 'bot'], `${spaced}\n`)).code).toBe(0);
    for (const result of [await agent(['totp', 'SITE']), await owner(['totp', 'SITE', '--agent', 'bot'])]) {
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(/^\d{6}\n$/);
    }
    await expectSameCode('SITE', key, 'SHA1', 6, 30);
  });

  it('sets and replaces the secret with credential update, and removes it with an empty value given --allow-empty', async () => {
    expect((await owner(['credential', 'add', 'LATER', '--type', 'login', '--username', 'u', '-a', 'bot'])).code).toBe(0);
    const first = newKey();
    expect((await agent(['credential', 'update', 'LATER', '--totp-stdin'], first)).code).toBe(0);
    await expectSameCode('LATER', first, 'SHA1', 6, 30);
    const second = newKey();
    expect((await agent(['credential', 'update', 'LATER', '--totp-stdin'], `otpauth://totp/x?secret=${second}&algorithm=SHA256&digits=8`)).code).toBe(0);
    await expectSameCode('LATER', second, 'SHA256', 8, 30);
    // An empty value is refused unless asked for, and then removes the secret.
    expect((await agent(['credential', 'update', 'LATER', '--totp-stdin'], '')).code).toBe(2);
    await expectSameCode('LATER', second, 'SHA256', 8, 30);
    expect((await agent(['credential', 'update', 'LATER', '--totp-stdin', '--allow-empty'], '')).code).toBe(0);
    expect((await agent(['totp', 'LATER'])).code).toBe(3);
  });

  it('accepts a TOTP secret in --json-stdin and validates it the same way', async () => {
    const key = newKey();
    const good = JSON.stringify({ type: 'login', fields: { username: 'j', totp: key.toLowerCase() } });
    expect((await agent(['credential', 'add', 'FROM_JSON', '--json-stdin'], good)).code).toBe(0);
    await expectSameCode('FROM_JSON', key, 'SHA1', 6, 30);
    const badKey = `${newKey()}1`;
    const bad = await agent(['credential', 'add', 'BAD_JSON', '--json-stdin'], JSON.stringify({ type: 'login', fields: { totp: badKey } }));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/invalid TOTP secret: the key is not base32/);
  });

  const refused: Array<[string, (key: string) => string, RegExp]> = [
    ['a key that is not base32', (key) => `${key.slice(0, -1)}0`, /not base32/],
    ['another URI scheme', (key) => `https://example.com/totp?secret=${key}`, /scheme must be otpauth:/],
    ['hotp without a counter', (key) => `otpauth://hotp/x?secret=${key}`, /hotp needs a counter/],
    ['an unknown algorithm', (key) => `otpauth://totp/x?secret=${key}&algorithm=MD5`, /unknown algorithm, use one of SHA1, SHA256, SHA512/],
    ['4 digits', (key) => `otpauth://totp/x?secret=${key}&digits=4`, /digits must be a whole number from 6 to 8/],
    ['10 digits', (key) => `otpauth://totp/x?secret=${key}&digits=10`, /digits must be/],
  ];

  it.each(refused)('refuses %s with exit 2, naming the problem and not the secret', async (_what, input, message) => {
    const key = newKey();
    const added = await owner(['credential', 'add', 'REFUSED', '--type', 'login', '--totp-stdin', '-a', 'bot'], input(key));
    expect(added.code).toBe(2);
    expect(added.stderr).toMatch(message);
    const updated = await agent(['credential', 'update', 'SITE', '--totp-stdin', '--json'], input(key));
    expect(updated.code).toBe(2);
    expect((JSON.parse(updated.stderr) as { error: { message: string } }).error.message).toMatch(message);
    expect((await agent(['credential', 'get', 'REFUSED'])).code).toBe(3);
  });

  it('says when a credential has no TOTP secret (exit 3), with nothing on stdout', async () => {
    expect((await owner(['credential', 'add', 'NO_OTP', '--type', 'login', '--username', 'x', '-a', 'bot'])).code).toBe(0);
    const result = await agent(['totp', 'NO_OTP']);
    expect(result).toMatchObject({ code: 3, stdout: '' });
    expect(result.stderr).toContain('credential NO_OTP has no TOTP secret');
    expect(await agent(['totp', 'MISSING'])).toMatchObject({ code: 3, stdout: '' });
    const json = await agent(['totp', 'NO_OTP', '--json']);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: 'not_found', exit: 3 } });
  });

  it('refuses a bad --fresh', async () => {
    for (const fresh of ['-1', 'soon', '3601']) expect((await agent(['totp', 'SITE', '--fresh', fresh])).code).toBe(2);
    const tooLong = await agent(['totp', 'SITE', '--fresh', '31']);
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toContain("longer than the code's period of 30 seconds");
    expect((await agent(['totp', 'SITE', '--fresh', '0'])).stdout).toMatch(/^\d{6}\n$/);
  });

  it('records every code in the audit log', async () => {
    const log = (): Array<{ action: string; key?: string; result: string }> =>
      readFileSync(join(store.dir, 'vaults', 'bot.audit.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { action: string; key?: string; result: string });
    const before = log().filter((e) => e.action === 'totp.generate').length;
    await agent(['totp', 'SITE']);
    await owner(['totp', 'SITE', '-a', 'bot', '--json']);
    await agent(['totp', 'NO_OTP']);
    const events = log().filter((e) => e.action === 'totp.generate').slice(before);
    expect(events).toEqual([
      expect.objectContaining({ key: 'SITE', result: 'ok' }),
      expect.objectContaining({ key: 'SITE', result: 'ok' }),
      expect.objectContaining({ key: 'NO_OTP', result: 'not_found' }),
    ]);
  });

  it('shows the secret only in credential get --json --reveal, in its stored form', async () => {
    const hidden = JSON.parse((await agent(['credential', 'get', 'OTP_SHA256_8_60', '--json'])).stdout) as { fields: Record<string, string> };
    expect(hidden.fields).toEqual({ username: 'bot' });
    // Not through owner(): this output is meant to hold the secret, so it stays out of `printed`.
    const shown = JSON.parse((await store.owner(['credential', 'get', 'OTP_SHA256_8_60', '-a', 'bot', '--json', '--reveal'])).stdout) as { fields: Record<string, string> };
    expect(shown.fields.totp).toMatch(/^otpauth:\/\/totp\/Example%3Abot\?secret=[A-Z2-7]{52}&algorithm=SHA256&digits=8&period=60&issuer=Example$/);
    // The stored form can be given back as it is.
    const copy = await owner(['credential', 'add', 'COPY', '--type', 'login', '--totp-stdin', '-a', 'bot'], shown.fields.totp);
    expect(copy.code).toBe(0);
    expect(JSON.parse((await agent(['totp', 'COPY', '--json'])).stdout)).toMatchObject({ period: 60, digits: 8 });
  });

  it('prints the secret with credential get --field totp only with --reveal', async () => {
    const refused = await agent(['credential', 'get', 'OTP_SHA256_8_60', '--field', 'totp']);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('--reveal');
    const shown = await store.agent(token, ['credential', 'get', 'OTP_SHA256_8_60', '--field', 'totp', '--reveal']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^otpauth:\/\/totp\/.*secret=[A-Z2-7]+.*\n$/);
  });

  it('never lets a TOTP secret appear in plain text: store, list, search, errors, audit log', async () => {
    for (const args of [
      ['credential', 'list'],
      ['credential', 'list', '--reveal'],
      ['credential', 'list', '--json', '--reveal'],
      ['credential', 'search', 'o'],
      ['credential', 'search', 'otp', '--reveal', '--json'],
      ['credential', 'get', 'SITE', '--json'],
    ]) {
      expect((await agent(args)).code).toBe(0);
    }
    expect(keys.length).toBeGreaterThan(15);
    const haystacks = [...printed, storeText(store.dir)];
    for (const key of keys) {
      for (const text of haystacks) {
        expect(text.toUpperCase()).not.toContain(key.slice(0, 16));
      }
    }
  });
});
