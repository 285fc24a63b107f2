/**
 * No data loss: concurrent writers are serialised, a writer killed mid-write leaves a
 * vault holding every acknowledged write and no lock that blocks the next one, and a
 * lock held by a live process is exit 7 after the wait.
 */
import { spawn } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/cli.js';

let store: TempStore;
beforeEach(async () => {
  ({ store } = await TempStore.withAgent());
});
afterEach(() => store.cleanup());

async function listKeys(): Promise<Map<string, string>> {
  const result = await store.owner(['credential', 'list', '--reveal', '-a', 'bot']);
  expect(result.code, result.stderr).toBe(0);
  return new Map(result.stdout.split('\n').filter(Boolean).map((line) => {
    const cells = line.split('\t');
    return [cells[0]!, cells[4]!];
  }));
}

/** Starts `credential set KEY=-` as the owner; `kill` after `killAfterMs`, if given. */
async function startSet(key: string, value: string, killAfterMs?: number): Promise<{ key: string; code: number | null; signal: NodeJS.Signals | null }> {
  const writing = store.start(['credential', 'set', `${key}=-`, '-a', 'bot'], { input: value, env: { AGENT_VAULT_PASSPHRASE_FILE: store.passphraseFile, AGENT_VAULT_LOCK_TIMEOUT: '60' } });
  if (killAfterMs !== undefined) setTimeout(() => writing.child.kill('SIGKILL'), killAfterMs);
  const { code, signal } = await writing.done;
  return { key, code, signal };
}

describe('concurrent writers', () => {
  it('16 concurrent credential set processes on one vault lose nothing', async () => {
    const keys = Array.from({ length: 16 }, (_, i) => `KEY_${i}`);
    const results = await Promise.all(keys.map((key) => startSet(key, `value-${key}`)));
    expect(results.map((r) => r.code)).toEqual(keys.map(() => 0));
    const stored = await listKeys();
    for (const key of keys) expect(stored.get(key), key).toBe(`value-${key}`);
    expect(readdirSync(join(store.dir, 'vaults')).filter((n) => /\.(tmp|lock|stale)$/.test(n))).toEqual([]);
  });

  it('a writer killed with SIGKILL mid-stream leaves every acknowledged write and no blocking lock', async () => {
    const outcomes: Array<{ key: string; code: number | null; signal: NodeJS.Signals | null }> = [];
    // Pairs of writers run at once; one of each pair is killed at a varying moment, so
    // some die waiting for the lock, some while holding it, some after finishing.
    for (let round = 0; round < 8; round++) {
      outcomes.push(...(await Promise.all([startSet(`SAFE_${round}`, `safe-${round}`), startSet(`KILLED_${round}`, `killed-${round}`, 40 + round * 40)])));
    }
    const acknowledged = outcomes.filter((o) => o.code === 0);
    expect(outcomes.filter((o) => o.key.startsWith('SAFE_')).every((o) => o.code === 0)).toBe(true);
    expect(outcomes.some((o) => o.signal === 'SIGKILL')).toBe(true);
    const stored = await listKeys();
    for (const { key } of acknowledged) expect(stored.get(key), key).toBe(key.startsWith('SAFE_') ? `safe-${key.slice(5)}` : `killed-${key.slice(7)}`);
    // Whatever a killed writer left behind, the next write goes through at once.
    const next = await store.owner(['credential', 'set', 'AFTER=-', '-a', 'bot'], { input: 'after', env: { AGENT_VAULT_LOCK_TIMEOUT: '5' } });
    expect(next.code, next.stderr).toBe(0);
    expect((await listKeys()).get('AFTER')).toBe('after');
  });

  it('a stale lock of a dead process does not block the next write', async () => {
    const dead = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ['-e', '0']);
      child.on('close', () => resolve(child.pid!));
    });
    writeFileSync(join(store.dir, 'vaults', 'bot.vault.lock'), `${dead} ${hostname()}\n`);
    const result = await store.owner(['credential', 'set', 'K=v', '-a', 'bot'], { env: { AGENT_VAULT_LOCK_TIMEOUT: '5' } });
    expect(result.code, result.stderr).toBe(0);
  });

  it('a lock held by a live process is exit 7 after AGENT_VAULT_LOCK_TIMEOUT, and nothing is written', async () => {
    const lock = join(store.dir, 'vaults', 'bot.vault.lock');
    writeFileSync(lock, `${process.pid} ${hostname()}\n`);
    const started = Date.now();
    const result = await store.owner(['credential', 'set', 'K=v', '-a', 'bot'], { env: { AGENT_VAULT_LOCK_TIMEOUT: '0.2' } });
    expect(result.code).toBe(7);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/locked/);
    expect(result.stderr).not.toContain('    at ');
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    rmSync(lock);
    expect((await listKeys()).has('K')).toBe(false);
    expect((await store.owner(['credential', 'set', 'K=v', '-a', 'bot'])).code).toBe(0);
  });
});
