import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BusyError } from '../../../src/core/errors.js';
import { DEFAULT_LOCK_TIMEOUT_MS, lockTimeoutMs, withLock } from '../../../src/store/lock.js';

let dir: string;
let lock: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'agent-vault-lock-'));
  lock = join(dir, 'a.vault.lock');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The pid of a process that has exited (so no live process has it, barring reuse). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('withLock', () => {
  it('holds a 0600 lock file naming this process while fn runs, and removes it after', async () => {
    const seen = await withLock(lock, 1000, 'the test lock', () => ({ content: readFileSync(lock, 'utf8'), mode: statSync(lock).mode & 0o777 }));
    expect(seen).toEqual({ content: `${process.pid} ${hostname()}\n`, mode: 0o600 });
    expect(existsSync(lock)).toBe(false);
  });

  it('removes the lock when fn throws, and passes the error on', async () => {
    await expect(withLock(lock, 1000, 'the test lock', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(existsSync(lock)).toBe(false);
  });

  it('waits a bounded time for a live holder, then fails with BusyError (exit 7)', async () => {
    writeFileSync(lock, `${process.ppid} ${hostname()}\n`);
    let ran = false;
    const error = await withLock(lock, 200, 'the test lock', () => (ran = true)).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(BusyError);
    expect((error as BusyError).exitCode).toBe(7);
    expect(ran).toBe(false);
    expect(readFileSync(lock, 'utf8')).toBe(`${process.ppid} ${hostname()}\n`);
  });

  it("breaks a lock naming this process that this process does not hold: a release that failed", async () => {
    writeFileSync(lock, `${process.pid} ${hostname()}\n`);
    expect(await withLock(lock, 1000, 'the test lock', () => 'ran')).toBe('ran');
    expect(existsSync(lock)).toBe(false);
  });

  it('never leaves an empty lock file: the pid is written before the lock takes its name', async () => {
    await withLock(lock, 1000, 'the test lock', () => {
      expect(readFileSync(lock, 'utf8')).toBe(`${process.pid} ${hostname()}\n`);
      expect(readdirSync(dirname(lock)).filter((n) => n.includes('.tmp'))).toEqual([]);
    });
  });

  it('with a zero timeout tries once', async () => {
    writeFileSync(lock, `${process.ppid} ${hostname()}\n`);
    await expect(withLock(lock, 0, 'the test lock', () => 1)).rejects.toBeInstanceOf(BusyError);
  });

  it('breaks a stale lock left by a dead process on this host', async () => {
    writeFileSync(lock, `${deadPid()} ${hostname()}\n`);
    expect(await withLock(lock, 5000, 'the test lock', () => 'ran')).toBe('ran');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('never breaks a lock held on another host', async () => {
    writeFileSync(lock, `${deadPid()} some-other-host.example\n`);
    await expect(withLock(lock, 200, 'the test lock', () => 1)).rejects.toBeInstanceOf(BusyError);
    expect(existsSync(lock)).toBe(true);
  });

  it('breaks an empty lock only once it is older than the grace period', async () => {
    writeFileSync(lock, '');
    await expect(withLock(lock, 200, 'the test lock', () => 1)).rejects.toBeInstanceOf(BusyError);
    const past = new Date(Date.now() - 60_000);
    utimesSync(lock, past, past);
    expect(await withLock(lock, 5000, 'the test lock', () => 'ran')).toBe('ran');
  });

  it('gets the lock as soon as the holder lets go', async () => {
    const order: string[] = [];
    const first = withLock(lock, 10_000, 'the test lock', async () => {
      order.push('first in');
      await sleep(100);
      order.push('first out');
    });
    await sleep(10);
    await withLock(lock, 10_000, 'the test lock', () => order.push('second'));
    await first;
    expect(order).toEqual(['first in', 'first out', 'second']);
  });

  it('serialises concurrent callers: never two inside at once, none lost', async () => {
    let inside = 0;
    let most = 0;
    let counter = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        withLock(lock, 30_000, 'the test lock', async () => {
          inside += 1;
          most = Math.max(most, inside);
          const read = counter;
          await sleep(2);
          counter = read + 1;
          inside -= 1;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(counter).toBe(20);
    expect(existsSync(lock)).toBe(false);
  });
});

describe('lockTimeoutMs', () => {
  it.each([
    [undefined, DEFAULT_LOCK_TIMEOUT_MS],
    ['0.2', 200],
    ['0', 0],
    ['3', 3000],
    ['-1', DEFAULT_LOCK_TIMEOUT_MS],
    ['soon', DEFAULT_LOCK_TIMEOUT_MS],
  ])('AGENT_VAULT_LOCK_TIMEOUT=%j waits %d ms', (value, ms) => {
    expect(lockTimeoutMs(value === undefined ? {} : { AGENT_VAULT_LOCK_TIMEOUT: value })).toBe(ms);
  });
});
