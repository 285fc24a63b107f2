/**
 * Passphrase strength as init and passwd apply it (zxcvbn): a weak init passphrase
 * given off a terminal is still accepted but warned about on stderr; passwd refuses a
 * weak one unless --force, and accepts words that the old pool count also accepted.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHEAP_KDF, TempStore } from '../helpers/in-process.js';

let store: TempStore;
beforeEach(() => {
  store = new TempStore();
});
afterEach(() => store.cleanup());

const init = (passphrase: string, extra: string[] = []) => store.run(['init', ...CHEAP_KDF, ...extra], { env: { AGENT_VAULT_PASSPHRASE: passphrase } });

describe('init off a terminal', () => {
  it('creates the store with a weak passphrase but warns on stderr, even with --quiet', async () => {
    const result = await init('Password1!', ['--quiet']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^warning: the owner passphrase is weak \(about \d+ bits: .*commonly used password.*\); change it with agent-vault passwd/m);
    expect(result.stderr).not.toContain('Password1!');
    expect((await store.run(['provision', 'bot'], { env: { AGENT_VAULT_PASSPHRASE: 'Password1!' } })).code).toBe(0);
  });

  it('gives the warning as a JSON object with --json, leaving stdout the result', async () => {
    const result = await init('qwertyuiop', ['--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stderr)).toEqual({ warning: expect.stringMatching(/^the owner passphrase is weak/) });
    expect(JSON.parse(result.stdout)).toHaveProperty('store');
  });

  it('says nothing of a strong passphrase', async () => {
    const result = await init('cable-smirk-unvoiced-ardently-reclaim-sulfide');
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/weak|warning/);
  });
});

describe('passwd', () => {
  beforeEach(() => store.init());

  it('refuses a password that fills every character class but is a common pattern (exit 2), naming --force', async () => {
    const result = await store.owner(['passwd', '--new-passphrase-stdin'], { input: 'P@ssw0rd2024!' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/the new passphrase is weak .*nothing was changed/);
    expect(result.stderr).toContain('--force');
    expect(result.stderr).not.toContain('P@ssw0rd');
  });

  it('accepts five random words', async () => {
    const result = await store.owner(['passwd', '--new-passphrase-stdin'], { input: 'tomato kiwi raven ocean violin 77' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/strength: strong/);
  });
});
