/**
 * `store migrate` between a directory and PostgreSQL, both ways: the copy verifies, the
 * same token and passphrase work on it, and a destination that is not empty is refused
 * before anything is written.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/in-process.js';
import { newPostgresStoreUrl } from '../helpers/temp-store.js';
import { skipWithoutPostgres } from '../helpers/postgres.js';

describe.skipIf(skipWithoutPostgres())('store migrate', () => {
  let source: TempStore;
  let token: string;
  let reader: string;
  beforeEach(async () => {
    source = new TempStore({ backend: 'directory' });
    await source.init();
    token = await source.provision('bot');
    reader = await source.provision('reader');
    expect((await source.agent(token, ['credential', 'set', 'API_KEY=-'], { input: 'migrated-value' })).code).toBe(0);
    expect((await source.owner(['grant', 'API_KEY', '--to', 'reader', '--agent', 'bot'])).code).toBe(0);
    expect((await source.agent(token, ['proposal', 'create', '--credential', 'STRIPE_KEY=for billing'])).code).toBe(0);
    expect((await source.owner(['hook', 'add', '--event', 'proposal.created', '--exec', 'true'])).code).toBe(0);
  });

  /** The pending proposal and the hook came along. */
  async function proposalAndHookThere(env: NodeJS.ProcessEnv): Promise<void> {
    const proposals = await source.agent(token, ['proposal', 'list', '--json'], { env });
    expect(proposals.code, proposals.stderr).toBe(0);
    expect(JSON.parse(proposals.stdout)).toEqual([expect.objectContaining({ status: 'pending' })]);
    expect(JSON.parse((await source.owner(['hook', 'list', '--json'], { env })).stdout)).toHaveLength(1);
  }
  afterEach(() => source.cleanup());

  it('copies a directory store into PostgreSQL and back, the token, grant and passphrase working on each copy', async () => {
    const url = newPostgresStoreUrl();
    const there = await source.owner(['store', 'migrate', '--from', source.dir, '--to', url, '--json'], { env: { PGUSER: 'postgres' } });
    expect(there.code, there.stderr).toBe(0);
    expect(JSON.parse(there.stdout)).toMatchObject({ from: source.dir, to: expect.stringContaining('postgres://'), agents: ['bot', 'reader'] });
    const onPg = { env: { AGENT_VAULT_HOME: url, PGUSER: 'postgres' } };
    expect(await source.agent(token, ['credential', 'get', 'API_KEY'], onPg)).toMatchObject({ code: 0, stdout: 'migrated-value\n' });
    expect(await source.agent(reader, ['credential', 'get', 'API_KEY', '--agent', 'bot'], onPg)).toMatchObject({ code: 0, stdout: 'migrated-value\n' });
    expect((await source.owner(['credential', 'list', '-a', 'bot'], onPg)).code).toBe(0);
    await proposalAndHookThere(onPg.env);
    expect((await source.owner(['audit', 'verify'], onPg)).code).toBe(0);
    const audit = await source.owner(['audit', '--json', '--action', 'store.migrate'], onPg);
    expect(JSON.parse(audit.stdout)).toEqual([expect.objectContaining({ action: 'store.migrate', actor: 'owner', reason: `copied from ${source.dir}` })]);

    const back = `${source.root}/back`;
    const home = await source.owner(['store', 'migrate', '--from', url, '--to', back], { env: { PGUSER: 'postgres' } });
    expect(home.code, home.stderr).toBe(0);
    expect(home.stderr).toMatch(/^copied 2 vaults, \d+ objects and \d+ audit logs from postgres:\/\/.* to .*back, and verified the copy\n$/);
    expect(await source.agent(token, ['credential', 'get', 'API_KEY'], { env: { AGENT_VAULT_HOME: back } })).toMatchObject({ code: 0, stdout: 'migrated-value\n' });
    expect((await source.owner(['audit', 'verify'], { env: { AGENT_VAULT_HOME: back } })).code).toBe(0);
    await proposalAndHookThere({ AGENT_VAULT_HOME: back });
  });

  it('refuses a destination that is not empty (exit 2), writing nothing to it', async () => {
    const other = new TempStore({ backend: 'postgres' });
    try {
      await other.init();
      const before = await other.owner(['audit', '--json']);
      const refused = await source.owner(['store', 'migrate', '--from', source.dir, '--to', other.url!], { env: { PGUSER: 'postgres' } });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('is not empty, nothing was copied');
      expect((await other.owner(['audit', '--json'])).stdout).toBe(before.stdout);
      expect((await other.owner(['status', '--json'])).stdout.trim()).toBe('[]');
    } finally {
      other.cleanup();
    }
  });

  it('refuses a wrong passphrase (exit 4), a missing source (exit 3), the same store twice and a token (exit 2)', async () => {
    const url = newPostgresStoreUrl();
    const env = { PGUSER: 'postgres' };
    expect((await source.run(['store', 'migrate', '--from', source.dir, '--to', url], { env: { ...env, AGENT_VAULT_PASSPHRASE: 'wrong passphrase' } })).code).toBe(4);
    expect((await source.owner(['status'], { env: { ...env, AGENT_VAULT_HOME: url } })).stdout).toBe('');
    expect((await source.owner(['store', 'migrate', '--from', `${source.root}/none`, '--to', url], { env })).code).toBe(3);
    expect((await source.owner(['store', 'migrate', '--from', source.dir, '--to', source.dir])).code).toBe(2);
    expect((await source.agent(token, ['store', 'migrate', '--from', source.dir, '--to', url], { env })).code).toBe(2);
  });
});
