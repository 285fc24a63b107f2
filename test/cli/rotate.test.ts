/**
 * credential rotate: a generated value (with remembered generator options) or one from
 * stdin; with -- CMD the command applies it first, seeing the values only in its
 * environment, and a failing command changes nothing and passes its exit code on.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/in-process.js';

const OLD = 'old-db-password-5a1e';

describe('credential rotate', () => {
  let store: TempStore;
  let bot: string;
  let reader: string;
  let script: string;
  const get = async (key = 'DB'): Promise<string> => (await store.owner(['credential', 'get', key, '--agent', 'bot'])).stdout.replace(/\n$/, '');

  beforeEach(async () => {
    store = new TempStore();
    await store.init();
    bot = await store.provision('bot');
    reader = await store.provision('reader');
    expect((await store.owner(['credential', 'set', 'DB=-', '--agent', 'bot'], { input: OLD })).code).toBe(0);
    expect((await store.owner(['grant', 'DB', '--to', 'reader', '--agent', 'bot'])).code).toBe(0);
    // A command that records what it was given, where, and exits with $CODE.
    script = join(store.root, 'apply.sh');
    writeFileSync(
      script,
      [
        '#!/bin/sh',
        'tr "\\0" " " < /proc/$$/cmdline > "$OUT/cmdline"',
        'printf %s "$AGENT_VAULT_OLD_VALUE" > "$OUT/old"',
        'printf %s "$AGENT_VAULT_NEW_VALUE" > "$OUT/new"',
        'env > "$OUT/env"',
        'printf "applied %s\\n" "$AGENT_VAULT_NEW_VALUE"',
        'exit "${CODE:-0}"',
        '',
      ].join('\n'),
    );
    chmodSync(script, 0o700);
  });
  afterEach(() => store.cleanup());

  it('generates a new value, keeps the old one as a version, and grants see the new one', async () => {
    const result = await store.owner(['credential', 'rotate', 'DB', '--agent', 'bot', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const fresh = await get();
    expect(fresh).not.toBe(OLD);
    expect(fresh).toHaveLength(24);
    expect(result.stdout).not.toContain(fresh);
    expect(JSON.parse(result.stdout)).toMatchObject({ agent: 'bot', key: 'DB', rotated: true });
    expect((await store.agent(reader, ['credential', 'get', 'DB', '--agent', 'bot'])).stdout).toBe(`${fresh}\n`);
    const history = JSON.parse((await store.owner(['credential', 'history', 'DB', '--agent', 'bot', '--json', '--reveal'])).stdout) as Array<{ values: Record<string, string> }>;
    expect(history.map((v) => v.values.value)).toEqual([fresh, OLD]);
    const audit = JSON.parse((await store.owner(['audit', '--action', 'credential.rotate', '--json'])).stdout) as Array<{ key: string; result: string }>;
    expect(audit.map((e) => [e.key, e.result])).toEqual([['DB', 'ok']]);
  });

  it('remembers the generator options given, and uses them at the next rotation', async () => {
    expect((await store.owner(['credential', 'rotate', 'DB', '-l', '12', '--no-symbols', '--agent', 'bot'])).code).toBe(0);
    expect(await get()).toMatch(/^[A-Za-z0-9]{12}$/);
    expect((await store.owner(['credential', 'rotate', 'DB', '--agent', 'bot'])).code).toBe(0);
    expect(await get()).toMatch(/^[A-Za-z0-9]{12}$/);
    expect((await store.owner(['credential', 'rotate', 'DB', '--words', '4', '--separator', '.', '--agent', 'bot'])).code).toBe(0);
    expect((await get()).split('.')).toHaveLength(4);
  });

  it('refuses what generate refuses, with the same messages, and rotates nothing', async () => {
    for (const [args, message] of [
      [['-l', '12', '--words', '4'], /--length applies to passwords, not passphrases/],
      [['--separator', '.'], /--separator applies to passphrases/],
      [['-l', '3'], /--length must be a whole number from 4 to 1024, not "3"/],
      [['--words', '2'], /--words must be a whole number from 3 to 64/],
    ] as const) {
      const result = await store.owner(['credential', 'rotate', 'DB', '--agent', 'bot', ...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    expect(await get()).toBe(OLD);
  });

  it('takes the new value from stdin, by the agent itself', async () => {
    const result = await store.agent(bot, ['credential', 'rotate', 'DB', '--value-stdin'], { input: 'from-stdin-value\n' });
    expect(result.code, result.stderr).toBe(0);
    expect(await get()).toBe('from-stdin-value');
  });

  it('runs CMD first with the values only in its environment, and keeps the new value when it exits 0', async () => {
    const result = await store.agent(bot, ['credential', 'rotate', 'DB', '--', 'sh', script], { env: { OUT: store.root } });
    expect(result.code, result.stderr).toBe(0);
    const fresh = await get();
    expect(fresh).not.toBe(OLD);
    expect(readFileSync(join(store.root, 'old'), 'utf8')).toBe(OLD);
    expect(readFileSync(join(store.root, 'new'), 'utf8')).toBe(fresh);
    const cmdline = readFileSync(join(store.root, 'cmdline'), 'utf8');
    expect(cmdline).toContain('apply.sh');
    expect(cmdline).not.toContain(fresh);
    expect(cmdline).not.toContain(OLD);
    const env = readFileSync(join(store.root, 'env'), 'utf8');
    expect(env).not.toContain(bot);
    expect(env).not.toMatch(/^AGENT_VAULT_TOKEN/m);
    // The command's own output shows neither value.
    expect(result.stdout).toContain('applied ****');
    expect(result.stdout).not.toContain(fresh);
  });

  it('changes nothing when CMD fails, and exits with its code', async () => {
    const result = await store.owner(['credential', 'rotate', 'DB', '--agent', 'bot', '--', 'sh', script], { env: { OUT: store.root, CODE: '42' } });
    expect(result.code).toBe(42);
    expect(result.stderr).toContain('DB was not rotated, nothing changed');
    expect(await get()).toBe(OLD);
    expect((await store.agent(reader, ['credential', 'get', 'DB', '--agent', 'bot'])).stdout).toBe(`${OLD}\n`);
    const history = JSON.parse((await store.owner(['credential', 'history', 'DB', '--agent', 'bot', '--json'])).stdout) as unknown[];
    expect(history).toHaveLength(1);
    const audit = JSON.parse((await store.owner(['audit', '--action', 'credential.rotate', '--json'])).stdout) as Array<{ result: string; reason: string }>;
    expect(audit.map((e) => [e.result, e.reason])).toEqual([['error', 'sh exited 42; nothing changed']]);
    expect(JSON.stringify(audit)).not.toContain(readFileSync(join(store.root, 'new'), 'utf8'));
  });

  it('changes nothing when CMD is not found (exit 127)', async () => {
    const result = await store.owner(['credential', 'rotate', 'DB', '--agent', 'bot', '--', join(store.root, 'no-such-command')]);
    expect(result.code).toBe(127);
    expect(await get()).toBe(OLD);
  });

  it('refuses bad input before anything runs', async () => {
    const marker = join(store.root, 'old');
    for (const [args, code] of [
      [['credential', 'rotate', 'NOPE', '--agent', 'bot', '--', 'sh', script], 3],
      [['credential', 'rotate', 'DB', '--value-stdin', '-l', '12', '--agent', 'bot'], 2],
      [['credential', 'rotate', 'DB', '-l', '12', '--words', '4', '--agent', 'bot'], 2],
      [['credential', 'rotate', 'DB', '-l', 'long', '--agent', 'bot'], 2],
      [['credential', 'rotate', 'DB', '--value-stdin', '--agent', 'bot'], 2],
    ] as const) {
      const result = await store.owner([...args], { env: { OUT: store.root } });
      expect(result.code, args.join(' ')).toBe(code);
    }
    expect(existsSync(marker)).toBe(false);
    expect(await get()).toBe(OLD);
  });

  it('lets no agent rotate another agent\'s credential (exit 5)', async () => {
    const result = await store.agent(reader, ['credential', 'rotate', 'DB', '--agent', 'bot']);
    expect(result.code).toBe(5);
    expect(await get()).toBe(OLD);
  });
});
