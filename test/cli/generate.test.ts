import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLASS_NAMES, passwordEntropyBits } from '../../src/core/generator.js';
import { TempStore } from '../helpers/in-process.js';

const words = new Set(readFileSync(new URL('../../data/eff-large-wordlist.txt', import.meta.url), 'utf8').trim().split('\n'));

describe('generate', () => {
  let store: TempStore;
  let token: string;

  beforeAll(async () => {
    ({ store, token } = await TempStore.withAgent());
  });
  afterAll(() => store.cleanup());

  it('prints a 24-character password with every class, a newline and nothing else, without a store', async () => {
    const result = await store.run(['generate'], { env: { AGENT_VAULT_HOME: join(store.root, 'nowhere') } });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^\S{24}\n$/);
    const password = result.stdout.slice(0, -1);
    for (const re of [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/]) expect(password).toMatch(re);
  });

  it('gives the password and its exact entropy with --json', async () => {
    const result = await store.run(['generate', '-l', '12', '--json']);
    const json = JSON.parse(result.stdout) as { password: string; entropy_bits: number };
    expect(json.password).toHaveLength(12);
    expect(json.entropy_bits).toBeCloseTo(passwordEntropyBits({ length: 12, classes: CLASS_NAMES, excludeAmbiguous: false }), 2);
    expect(json.entropy_bits).toBe(78.14);
  });

  it('holds --no-symbols and --exclude-ambiguous over thousands of characters', async () => {
    const runs = await Promise.all([1, 2, 3].map(() => store.run(['generate', '--length', '1024', '--no-symbols', '--exclude-ambiguous'])));
    const text = runs.map((r) => r.stdout.trim()).join('');
    expect(text).toHaveLength(3072);
    expect(text).toMatch(/^[A-Za-z0-9]+$/);
    expect(text).not.toMatch(/[Il1O0o|]/);
  });

  it('turns classes off', async () => {
    const result = await store.run(['generate', '--no-upper', '--no-lower', '--no-symbols', '--json']);
    const json = JSON.parse(result.stdout) as { password: string; entropy_bits: number };
    expect(json.password).toMatch(/^[0-9]{24}$/);
    expect(json.entropy_bits).toBe(Math.round(24 * Math.log2(10) * 100) / 100);
  });

  it('makes a passphrase of EFF words', async () => {
    const result = await store.run(['generate', '--words', '7', '--separator', ' ', '--json']);
    const json = JSON.parse(result.stdout) as { password: string; entropy_bits: number };
    const parts = json.password.split(' ');
    expect(parts).toHaveLength(7);
    for (const part of parts) expect(words.has(part)).toBe(true);
    expect(json.entropy_bits).toBe(90.47);
    const plain = await store.run(['generate', '--passphrase', '--capitalize', '--number']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^[A-Z][a-z-]*[0-9]?(-[A-Z][a-z-]*[0-9]?)+\n$/);
    expect(plain.stdout.match(/[0-9]/g)).toHaveLength(1);
  });

  const refused: Array<[string[], RegExp]> = [
    [['-l', '3'], /--length must be a whole number from 4 to 1024, not "3"/],
    [['-l', '3', '--no-upper', '--no-lower', '--no-symbols'], /--length must be a whole number from 4 to 1024/],
    [['-l', '1025'], /--length must be a whole number from 4 to 1024/],
    [['-l', 'twelve'], /--length must be a whole number/],
    [['--no-upper', '--no-lower', '--no-digits', '--no-symbols'], /every character class is turned off/],
    [['--words', '2'], /--words must be a whole number from 3 to 64/],
    [['--words', '6', '--length', '20'], /--length applies to passwords, not passphrases/],
    [['--passphrase', '--no-symbols'], /--no-symbols applies to passwords/],
    [['--number'], /--number applies to passphrases/],
    [['--separator', '_'], /--separator applies to passphrases/],
    [['--field', 'password'], /--field needs --save KEY/],
    [['--save', 'lower_case'], /KEY|key/],
    [['--save', 'X', '--field', 'totp'], /choices|allowed/i],
  ];

  it.each(refused)('refuses generate %j with exit 2', async (args, message) => {
    const result = await store.run(['generate', ...args]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });

  it.each(['generate', 'credential rotate'])('%s takes exactly the --length range its help states', async (words) => {
    const command = words.split(' ');
    const help = await store.run([...command, '--help']);
    const [, min, max] = /password length, (\d+) to (\d+)/.exec(help.stdout) ?? [];
    expect(min).toBeDefined();
    const target = words === 'generate' ? [] : ['DB', '--agent', 'bot'];
    if (words !== 'generate') expect((await store.owner(['credential', 'set', 'DB=old-value', '--agent', 'bot'])).code).toBe(0);
    for (const length of [Number(min), Number(max)]) expect((await store.owner([...command, ...target, '-l', String(length)])).code, String(length)).toBe(0);
    for (const length of [Number(min) - 1, Number(max) + 1]) {
      const result = await store.owner([...command, ...target, '-l', String(length)]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`--length must be a whole number from ${min} to ${max}, not "${length}"`);
    }
  });

  it('makes 30 different passwords', async () => {
    const results = await Promise.all(Array.from({ length: 30 }, () => store.run(['generate'])));
    expect(new Set(results.map((r) => r.stdout)).size).toBe(30);
  });

  describe('--save', () => {
    it('stores a new api_key without printing it, for the owner and the agent', async () => {
      const saved = await store.owner(['generate', '--save', 'DB_PASSWORD', '--agent', 'bot']);
      expect(saved.code).toBe(0);
      expect(saved.stdout).toBe('');
      expect(saved.stderr).toMatch(/^generated a password \([\d.]+ bits\) and saved it as DB_PASSWORD in the vault of bot\n$/);
      const read = await store.agent(token, ['credential', 'get', 'DB_PASSWORD', '--json']);
      const credential = JSON.parse(read.stdout) as { type: string; fields: { value: string } };
      expect(credential.type).toBe('api_key');
      expect(credential.fields.value).toMatch(/^\S{24}$/);
      expect(saved.stderr).not.toContain(credential.fields.value);

      const again = await store.agent(token, ['generate', '--words', '5', '--save', 'DB_PASSWORD', '--json']);
      expect(JSON.parse(again.stdout)).toEqual({ agent: 'bot', id: expect.any(String), key: 'DB_PASSWORD', entropy_bits: 64.62 });
      const replaced = (await store.agent(token, ['credential', 'get', 'DB_PASSWORD'])).stdout.trim();
      expect(replaced.split('-').length).toBeGreaterThanOrEqual(5);
      expect(again.stdout).not.toContain(replaced);
    });

    it("sets a login's password with --field password, keeping the rest", async () => {
      expect((await store.agent(token, ['credential', 'add', 'GITHUB', '--type', 'login', '--username', 'bot', '--password-stdin'], { input: 'old-password' })).code).toBe(0);
      const saved = await store.agent(token, ['generate', '-l', '32', '--save', 'GITHUB', '--field', 'password', '-q']);
      expect(saved).toMatchObject({ code: 0, stdout: '', stderr: '' });
      const login = JSON.parse((await store.agent(token, ['credential', 'get', 'GITHUB', '--json'])).stdout) as { type: string; fields: Record<string, string> };
      expect(login.type).toBe('login');
      expect(login.fields.username).toBe('bot');
      expect(login.fields.password).toHaveLength(32);
      const log = readFileSync(join(store.dir, 'vaults', 'bot.audit.jsonl'), 'utf8');
      expect(log).toContain('"action":"credential.update","key":"GITHUB"');
      expect(log).not.toContain(login.fields.password);
    });

    it("stamps what it saves with the clock's time, keeping created when it replaces", async () => {
      const local = new TempStore();
      try {
        await local.init();
        local.clock.set('2031-05-01T00:00:00.000Z');
        const bot = await local.provision('bot');
        expect((await local.agent(bot, ['generate', '--save', 'DB_PASSWORD', '-q'])).code).toBe(0);
        const saved = JSON.parse((await local.agent(bot, ['credential', 'get', 'DB_PASSWORD', '--json'])).stdout) as { created: string; updated: string };
        expect(saved.created).toMatch(/^2031-05-01T00:0/);
        local.clock.advance(24 * 3_600_000);
        expect((await local.agent(bot, ['generate', '--save', 'DB_PASSWORD', '-q'])).code).toBe(0);
        const replaced = JSON.parse((await local.agent(bot, ['credential', 'get', 'DB_PASSWORD', '--json'])).stdout) as { created: string; updated: string };
        expect(replaced).toMatchObject({ created: saved.created, updated: expect.stringMatching(/^2031-05-02T00:0/) });
      } finally {
        local.cleanup();
      }
    });

    it('refuses a field the credential does not have, or a credential that does not exist', async () => {
      expect((await store.agent(token, ['generate', '--save', 'DB_PASSWORD', '--field', 'password'])).code).toBe(2);
      expect((await store.agent(token, ['generate', '--save', 'NOT_THERE', '--field', 'password'])).code).toBe(3);
    });
  });
});
