/**
 * A write that fails for lack of space leaves the old vault intact and exits non-zero
 * with a clear message. Needs a small tmpfs (root); skipped where it cannot be mounted.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/cli.js';

/** Mounts a 1 MiB tmpfs, or returns undefined when this machine does not allow it. */
function mountSmallDisk(): string | undefined {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'agent-vault-full-'));
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'tmpfs', dir]).status === 0) return dir;
  rmSync(dir, { recursive: true, force: true });
  return undefined;
}

/** Fills the file system holding `dir` until a write fails with ENOSPC. */
function fill(dir: string): void {
  const fd = openSync(join(dir, 'filler'), 'w');
  const chunk = Buffer.alloc(4096, 0x61);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
}

const disk = mountSmallDisk();

describe.skipIf(disk === undefined)('a full disk', () => {
  let store: TempStore;
  beforeAll(async () => {
    store = new TempStore();
    // The store lives on the small disk; everything else stays in the temp directory.
    Object.assign(store.env, { AGENT_VAULT_HOME: join(disk!, 'store') });
    await store.init();
    await store.provision('bot');
    expect((await store.owner(['credential', 'set', 'OLD=-', '-a', 'bot'], { input: 'old-value' })).code).toBe(0);
  });
  afterAll(() => {
    store.cleanup();
    spawnSync('umount', [disk!]);
    rmSync(disk!, { recursive: true, force: true });
  });

  it('makes a write fail with a clear message and keeps the old vault', async () => {
    const vault = join(disk!, 'store', 'vaults', 'bot.vault');
    const before = readFileSync(vault);
    fill(disk!);
    const result = await store.owner(['credential', 'set', 'BIG=-', '-a', 'bot'], { input: 'x'.repeat(256 * 1024) });
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/ENOSPC|no space left/i);
    expect(result.stderr).not.toContain('    at ');
    expect(readFileSync(vault).equals(before)).toBe(true);
    expect(readdirSync(join(disk!, 'store', 'vaults')).filter((n) => /\.(tmp|lock)$/.test(n))).toEqual([]);
    rmSync(join(disk!, 'filler'));
    expect(await store.owner(['credential', 'get', 'OLD', '-a', 'bot'])).toMatchObject({ code: 0, stdout: 'old-value\n' });
    expect((await store.owner(['credential', 'get', 'BIG', '-a', 'bot'])).code).toBe(3);
  });
});
