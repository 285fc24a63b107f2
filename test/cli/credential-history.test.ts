/**
 * Credential history and restore: every change of a secret field keeps the old value
 * as a version inside the (encrypted) vault, shown masked unless revealed; restore makes
 * a new version; the newest 10 are kept; delete removes them; grants carry only the
 * current value.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/in-process.js';
import { storeText } from '../helpers/temp-store.js';

const value = (n: number): string => `secret-value-${n}-7f3a`;

interface VersionJson {
  version: number;
  actor: string;
  changed_fields: string[];
  current: boolean;
  restored_from?: number;
  values?: Record<string, string>;
}

describe('credential history and restore', () => {
  let store: TempStore;
  let bot: string;
  const set = async (n: number, as?: string): Promise<void> => {
    const args = ['credential', 'set', 'DB=-', '--agent', 'bot'];
    const result = as === undefined ? await store.owner(args, { input: value(n) }) : await store.agent(as, args, { input: value(n) });
    expect(result.code, result.stderr).toBe(0);
  };
  const history = async (...extra: string[]): Promise<VersionJson[]> => {
    const result = await store.owner(['credential', 'history', 'DB', '--agent', 'bot', '--json', ...extra]);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as VersionJson[];
  };
  const current = async (): Promise<string> => (await store.owner(['credential', 'get', 'DB', '--agent', 'bot'])).stdout;

  beforeEach(async () => {
    store = new TempStore();
    await store.init();
    bot = await store.provision('bot');
  });
  afterEach(() => store.cleanup());

  it('keeps every earlier value as a version, masked unless --reveal, naming who made each', async () => {
    await set(1);
    await set(2, bot);
    await set(3);
    const masked = await store.owner(['credential', 'history', 'DB', '--agent', 'bot']);
    expect(masked.code).toBe(0);
    for (const n of [1, 2, 3]) expect(masked.stdout).not.toContain(value(n));
    expect(masked.stdout.split('\n').filter(Boolean).map((l) => l.split('\t').slice(0, 1)[0])).toEqual(['3 (current)', '2', '1']);
    expect(masked.stdout).toContain('********');

    const versions = await history();
    expect(versions.map((v) => [v.version, v.actor, v.current, v.changed_fields])).toEqual([
      [3, 'owner', true, ['value']],
      [2, 'agent:bot', false, ['value']],
      [1, 'owner', false, ['value']],
    ]);
    expect(versions.every((v) => v.values === undefined)).toBe(true);
    expect((await history('--reveal')).map((v) => v.values)).toEqual([{ value: value(3) }, { value: value(2) }, { value: value(1) }]);
  });

  it('records a reveal of the history as credential.reveal and a listing as credential.history', async () => {
    await set(1);
    await history();
    await history('--reveal');
    const audit = JSON.parse((await store.owner(['audit', '--agent', 'bot', '--key', 'DB', '--json'])).stdout) as Array<{ action: string }>;
    expect(audit.map((e) => e.action)).toEqual(['credential.set', 'credential.history', 'credential.reveal']);
  });

  it('restores a version as a new version, never rewriting the history', async () => {
    await set(1);
    await set(2);
    const restored = await store.owner(['credential', 'restore', 'DB', '1', '--agent', 'bot', '--json']);
    expect(restored.code, restored.stderr).toBe(0);
    expect(JSON.parse(restored.stdout)).toEqual({ agent: 'bot', id: expect.any(String), key: 'DB', version: 1, restored: true });
    expect(await current()).toBe(`${value(1)}\n`);
    const versions = await history('--reveal');
    expect(versions.map((v) => [v.version, v.restored_from, v.values])).toEqual([
      [3, 1, { value: value(1) }],
      [2, undefined, { value: value(2) }],
      [1, undefined, { value: value(1) }],
    ]);
  });

  it('keeps the newest 10 versions besides the current one', async () => {
    for (let n = 1; n <= 13; n += 1) await set(n);
    const versions = await history('--reveal');
    expect(versions.map((v) => v.version)).toEqual([13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3]);
    expect(versions.at(-1)!.values).toEqual({ value: value(3) });
    const gone = await store.owner(['credential', 'restore', 'DB', '2', '--agent', 'bot']);
    expect(gone.code).toBe(3);
    expect(gone.stderr).toContain('has no version 2');
    // And a dropped value is gone from the store, not only from the listing.
    expect(storeText(store.dir)).not.toContain(value(1));
  });

  it('keeps no old value in plain text anywhere in the store', async () => {
    await set(1);
    await set(2);
    await set(3);
    const bytes = storeText(store.dir);
    for (const n of [1, 2, 3]) expect(bytes).not.toContain(value(n));
  });

  it('keeps history of every secret field of a typed credential, and none of its other fields', async () => {
    expect((await store.owner(['credential', 'add', 'SITE', '--type', 'login', '--username', 'u1', '--password-stdin', '--agent', 'bot'], { input: 'pw-1' })).code).toBe(0);
    expect((await store.owner(['credential', 'update', 'SITE', '--username', 'u2', '--agent', 'bot'])).code).toBe(0);
    expect((await store.owner(['credential', 'update', 'SITE', '--password-stdin', '--agent', 'bot'], { input: 'pw-2' })).code).toBe(0);
    const result = await store.owner(['credential', 'history', 'SITE', '--agent', 'bot', '--json', '--reveal']);
    const versions = JSON.parse(result.stdout) as VersionJson[];
    expect(versions.map((v) => [v.version, v.values])).toEqual([
      [2, { password: 'pw-2' }],
      [1, { password: 'pw-1' }],
    ]);
  });

  it('removes the history with the credential', async () => {
    await set(1);
    await set(2);
    expect((await store.owner(['credential', 'delete', 'DB', '--yes', '--agent', 'bot'])).code).toBe(0);
    await set(3);
    expect((await history('--reveal')).map((v) => v.values)).toEqual([{ value: value(3) }]);
    expect(storeText(store.dir)).not.toContain(value(1));
  });

  it('gives a grantee only the current value, and no history of it', async () => {
    const reader = await store.provision('reader');
    await set(1);
    expect((await store.owner(['grant', 'DB', '--to', 'reader', '--agent', 'bot'])).code).toBe(0);
    await set(2);
    const granted = await store.agent(reader, ['credential', 'get', 'DB', '--agent', 'bot', '--json']);
    expect(granted.code).toBe(0);
    expect(granted.stdout).toContain(value(2));
    expect(granted.stdout).not.toContain(value(1));
    const denied = await store.agent(reader, ['credential', 'history', 'DB', '--agent', 'bot']);
    expect(denied.code).toBe(5);
    expect(denied.stdout).toBe('');
  });

  it('refuses a version that is not a whole number (exit 2) and a missing credential (exit 3)', async () => {
    await set(1);
    for (const bad of ['0', 'x', '-1', '1.5']) {
      const result = await store.owner(['credential', 'restore', 'DB', bad, '--agent', 'bot']);
      expect(result.code, bad).toBe(2);
    }
    expect((await store.owner(['credential', 'restore', 'NOPE', '1', '--agent', 'bot'])).code).toBe(3);
    expect((await store.owner(['credential', 'history', 'NOPE', '--agent', 'bot'])).code).toBe(3);
  });
});
