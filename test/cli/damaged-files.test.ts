/**
 * A damaged or planted file fails only what needs it, and never after an irreversible
 * step: one bad vault does not stop another agent's token rotation or deprovisioning,
 * nor the owner's list of grants.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHEAP_KDF, TempStore } from '../helpers/in-process.js';

describe('a damaged vault of a bystander', () => {
  let store: TempStore;
  let reader: string;
  beforeEach(async () => {
    store = new TempStore();
    await store.init();
    reader = await store.provision('reader');
    await store.provision('granter');
    await store.provision('bystander');
    expect((await store.owner(['credential', 'set', 'API_KEY=-', '--agent', 'granter'], { input: 'granted-value' })).code).toBe(0);
    expect((await store.owner(['grant', 'API_KEY', '--to', 'reader', '--agent', 'granter'])).code).toBe(0);
    writeFileSync(join(store.dir, 'vaults', 'bystander.vault'), 'garbage');
  });
  afterEach(() => store.cleanup());

  it('does not stop token rotate of another agent: the new token is printed and its grants re-sealed', async () => {
    const rotated = await store.owner(['token', 'rotate', 'reader']);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/^avt_reader_/);
    expect(rotated.stderr).toMatch(/^warning: skipped agent bystander: .*bystander\.vault/m);
    expect((await store.agent(reader, ['credential', 'list'])).code).toBe(4);
    expect(await store.agent(rotated.stdout.trim(), ['credential', 'get', 'API_KEY', '--agent', 'granter'])).toMatchObject({ code: 0, stdout: 'granted-value\n' });
  });

  it('does not stop deprovisioning another agent, and the other grants to it still end', async () => {
    const result = await store.owner(['deprovision', 'reader', '--yes']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^warning: skipped agent bystander/m);
    const grants = await store.owner(['grant', 'list', '--json']);
    expect(grants.code).toBe(0);
    expect(JSON.parse(grants.stdout)).toEqual([]);
  });

  it("leaves the owner's grant list working, with a warning naming the damaged vault", async () => {
    const result = await store.owner(['grant', 'list', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([expect.objectContaining({ granter: 'granter', grantee: 'reader', key: 'API_KEY' })]);
    expect(result.stderr).toContain('bystander.vault');
  });
});

describe('init after a crash', () => {
  let store: TempStore;
  beforeEach(() => {
    store = new TempStore();
  });
  afterEach(() => store.cleanup());

  it('starts over when an earlier init died after its first log line but before the store file', async () => {
    mkdirSync(store.dir, { recursive: true });
    writeFileSync(join(store.dir, 'audit.jsonl'), '{"v":1,"seq":1,"torn');
    writeFileSync(join(store.dir, 'audit.head'), 'x');
    await store.init();
    expect(await store.owner(['audit', 'verify'])).toMatchObject({ code: 0 });
  });

  it('refuses to init over vaults whose store file is missing (exit 6)', async () => {
    mkdirSync(join(store.dir, 'vaults'), { recursive: true });
    writeFileSync(join(store.dir, 'vaults', 'bot.vault'), 'v');
    const result = await store.owner(['init', ...CHEAP_KDF]);
    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(/store file .* is missing, but vaults are there/);
  });
});
