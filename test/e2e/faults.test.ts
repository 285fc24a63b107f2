/**
 * The fault-injection bundle (dist/test/cli-faults.cjs) against a real store: a kill
 * at the N-th write point is a SIGKILL before that point runs, an injected error fails
 * it as the real one would, and the trace names the points a command passes. The
 * shipped bundle has none of it: its fault points are empty, and the package does not
 * carry the test bundle.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHEAP_KDF, runWithFault, TempStore } from '../helpers/cli.js';

const ROOT = resolve(import.meta.dirname, '../..');

describe('fault injection at write points', () => {
  let store: TempStore;
  beforeEach(() => {
    store = new TempStore();
  });
  afterEach(() => store.cleanup());

  const init = (fault: string, trace?: string) =>
    runWithFault(['init', ...CHEAP_KDF], fault, { baseEnv: store.env, env: { AGENT_VAULT_PASSPHRASE_FILE: store.passphraseFile }, ...(trace ? { trace } : {}) });

  /** The 1-based position of the write point renaming the store file into place, in init's trace. */
  async function storeRenamePoint(): Promise<{ labels: string[]; at: number }> {
    const trace = join(store.root, 'trace');
    expect((await init('trace', trace)).code).toBe(0);
    const labels = readFileSync(trace, 'utf8').split('\n').slice(0, -1);
    const at = labels.indexOf(`rename ${join(store.dir, 'store')}`) + 1;
    store.cleanup();
    store = new TempStore();
    return { labels, at };
  }

  it('traces every write point of a command, one label per line', async () => {
    const { labels, at } = await storeRenamePoint();
    expect(at).toBeGreaterThan(1);
    expect(labels.every((l) => /^(open|write|fsync|fchmod|rename|link|unlink|mkdir|rmdir) \//.test(l)), labels.join('\n')).toBe(true);
    // The store file is written through a temp file that is flushed before its rename.
    expect(labels.slice(at - 3, at).map((l) => l.split(' ')[0])).toEqual(['write', 'fsync', 'rename']);
  });

  it('kills the process at the N-th write point, before it runs', async () => {
    const { labels, at } = await storeRenamePoint();
    const trace = join(store.root, 'killed');
    const killed = await init(`kill:${at}`, trace);
    expect(killed.signal).toBe('SIGKILL');
    expect(readFileSync(trace, 'utf8').split('\n').slice(0, -1)).toHaveLength(at);
    expect(existsSync(join(store.dir, 'store'))).toBe(false);
    store.cleanup();
    store = new TempStore();
    // One point later, the rename has run: the store file is there.
    expect((await init(`kill:${at + 1}`)).signal).toBe('SIGKILL');
    expect(readFileSync(join(store.dir, 'store'), 'utf8')).toMatch(/^agent-vault-store\/v2\n/);
    expect(labels.length).toBeGreaterThan(at);
  });

  it('fails the N-th write point with the errno error asked for, as the system would', async () => {
    const { at } = await storeRenamePoint();
    const result = await init(`enospc:${at}`);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: ENOSPC: no space left on device, rename '${join(store.dir, 'store')}'`);
    expect(existsSync(join(store.dir, 'store'))).toBe(false);
    // The failed replacement removed its temp file.
    expect(readdirSync(store.dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    store.cleanup();
    store = new TempStore();
    const eio = await init('eio:1');
    expect(eio.code).toBe(1);
    expect(eio.stderr).toContain(`EIO: i/o error, mkdir '${store.root}'`);
    expect(existsSync(store.dir)).toBe(false);
  });
});

describe('the shipped bundle', () => {
  it('has no fault injection: the fault points are empty and the variable is never read', async () => {
    expect(readFileSync(resolve(ROOT, 'dist/cli.cjs'), 'utf8').match(/AGENT_VAULT_FAULT/g)).toBeNull();
    // The check can fail: the test bundle, made from the same sources, has it.
    expect(readFileSync(resolve(ROOT, 'dist/test/cli-faults.cjs'), 'utf8')).toContain('AGENT_VAULT_FAULT');
    const store = new TempStore();
    try {
      const result = await store.owner(['init', ...CHEAP_KDF], { env: { AGENT_VAULT_FAULT: 'kill:1' } });
      expect(result).toMatchObject({ code: 0, signal: null });
      expect(existsSync(join(store.dir, 'store'))).toBe(true);
    } finally {
      store.cleanup();
    }
  });

  it('is packed without the test bundle', () => {
    const result = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    const files = (JSON.parse(result.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
    expect(files).toContain('dist/cli.cjs');
    expect(files.filter((f) => f.startsWith('dist/test/'))).toEqual([]);
  });
});
