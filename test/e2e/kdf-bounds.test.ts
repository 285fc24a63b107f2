/**
 * Argon2id's cost comes from the store file, which nothing authenticates before Argon2
 * has run. A store file edited to a cost beyond the bounds (4 GiB, the old maximum) is
 * refused before the passphrase is even read: exit 6 in a fraction of a second, without
 * allocating the memory. Spawned, so the process's own peak memory can be measured.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHEAP_KDF, TempStore } from '../helpers/cli.js';

describe('Argon2id parameters from the store file', () => {
  let store: TempStore;
  let original: string;
  let preload: string;
  beforeAll(async () => {
    ({ store } = await TempStore.withAgent());
    // latin1: the store file ends in a sealed binary body, which must come back byte for byte.
    original = readFileSync(join(store.dir, 'store'), 'latin1');
    // Loaded into the CLI's process: at exit, its peak memory and how long it ran.
    preload = join(store.root, 'measure.cjs');
    writeFileSync(
      preload,
      "process.on('exit', () => require('node:fs').writeFileSync(process.env.MEASURE_FILE, JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, seconds: process.uptime() })));\n",
    );
  });
  afterAll(() => store.cleanup());

  /** Runs an owner command against the store file with its kdf costs replaced by `costs`. */
  async function withCosts(costs: string, args: string[]) {
    writeFileSync(join(store.dir, 'store'), Buffer.from(original.replace(/m=\d+,t=\d+,p=\d+/, costs), 'latin1'));
    const measure = join(store.root, 'measure.json');
    const result = await store.owner(args, { env: { NODE_OPTIONS: `--require ${preload}`, MEASURE_FILE: measure } });
    writeFileSync(join(store.dir, 'store'), Buffer.from(original, 'latin1'));
    return { ...result, ...(JSON.parse(readFileSync(measure, 'utf8')) as { maxRssKiB: number; seconds: number }) };
  }

  it.each([
    ['m=4194304,t=1,p=1', 'memory (KiB) 4194304 is outside 1024..1048576'],
    ['m=1048577,t=1,p=1', 'memory (KiB) 1048577 is outside 1024..1048576'],
    ['m=1024,t=16,p=1', 'passes 16 is outside 1..10'],
    ['m=1024,t=1,p=16', 'lanes 16 is outside 1..8'],
  ])('refuses %s as tampering, fast and without allocating it', async (costs, message) => {
    const result = await withCosts(costs, ['credential', 'list', '--agent', 'bot']);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(`error: the store file's kdf: argon2id ${message}, which agent-vault never writes`);
    expect(result.stderr).toContain('hint: the store file was altered');
    expect(result.seconds).toBeLessThan(1);
    expect(result.maxRssKiB).toBeLessThan(256 * 1024);
  });

  it('accepts the edited-back file as before', async () => {
    const result = await withCosts('m=1024,t=1,p=1', ['credential', 'list', '--agent', 'bot']);
    expect(result.code).toBe(0);
  });

  it('lets init choose a cost within the bounds only', async () => {
    const fresh = new TempStore();
    try {
      const refused = await fresh.owner(['init', '--kdf-memory', '2048', '--kdf-iterations', '1', '--kdf-parallelism', '1']);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('hint: memory 1..1024 MiB, iterations 1..10, parallelism 1..8');
      expect((await fresh.owner(['init', ...CHEAP_KDF.slice(0, 2), '--kdf-iterations', '11', '--kdf-parallelism', '1'])).code).toBe(2);
      expect((await fresh.owner(['init', ...CHEAP_KDF.slice(0, 4), '--kdf-parallelism', '9'])).code).toBe(2);
      expect((await fresh.owner(['init', ...CHEAP_KDF])).code).toBe(0);
    } finally {
      fresh.cleanup();
    }
  });
});
