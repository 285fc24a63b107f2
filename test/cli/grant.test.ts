import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/in-process.js';

const VALUE = 'granted-value-6f1c';
const NEW_VALUE = 'updated-value-93ab';
const OTHER = 'ungranted-value-4d2e';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile());
}

function auditText(store: TempStore): string {
  return filesUnder(store.dir)
    .filter((p) => p.endsWith('.jsonl'))
    .map((p) => readFileSync(p, 'utf8'))
    .join('');
}

describe('grants between agents', () => {
  let store: TempStore;
  let bot1: string;
  let bot2: string;
  let bot3: string;
  const grantFile = (to: string, key = 'API_KEY'): string => join(store.dir, 'grants', to, `bot1.${key}.grant`);
  const readAs = (token: string, key = 'API_KEY') => store.agent(token, ['credential', 'get', key, '--agent', 'bot1']);

  beforeEach(async () => {
    store = new TempStore();
    await store.init();
    bot1 = await store.provision('bot1');
    bot2 = await store.provision('bot2');
    bot3 = await store.provision('bot3');
    expect((await store.owner(['credential', 'set', 'API_KEY=-', '--agent', 'bot1'], { input: VALUE })).code).toBe(0);
    expect((await store.owner(['credential', 'set', 'OTHER=-', '--agent', 'bot1'], { input: OTHER })).code).toBe(0);
  });
  afterEach(() => store.cleanup());

  it('lets the grantee read exactly the granted credential, and follows updates', async () => {
    expect((await readAs(bot2)).code).toBe(5);
    const granted = await store.owner(['grant', 'API_KEY', '--to', 'bot2', '--agent', 'bot1']);
    expect(granted).toMatchObject({ code: 0, stdout: '' });
    expect(granted.stderr).toContain('granted API_KEY of agent bot1 to agent bot2');
    expect(await readAs(bot2)).toMatchObject({ code: 0, stdout: `${VALUE}\n` });
    const ungranted = await readAs(bot2, 'OTHER');
    expect(ungranted.code).toBe(5);
    expect(ungranted.stderr).toContain('has no grant for OTHER');
    expect((await readAs(bot3)).code).toBe(5);
    expect((await store.agent(bot2, ['credential', 'list', '--agent', 'bot1', '--json'])).stdout).not.toContain(OTHER);

    expect((await store.owner(['credential', 'set', 'API_KEY=-', '--agent', 'bot1'], { input: NEW_VALUE })).code).toBe(0);
    expect(await readAs(bot2)).toMatchObject({ code: 0, stdout: `${NEW_VALUE}\n` });

    const list = await store.agent(bot2, ['credential', 'list', '--json']);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ key: 'API_KEY', granted_by: 'bot1' })]);
    const table = await store.agent(bot2, ['credential', 'list']);
    expect(table.stdout.trim().split('\t')).toEqual(['API_KEY', '', 'api_key', expect.any(String), 'bot1']);

    for (const path of filesUnder(store.dir)) {
      const bytes = readFileSync(path);
      for (const secret of [VALUE, NEW_VALUE, OTHER]) expect(bytes.includes(Buffer.from(secret)), `${secret} in ${path}`).toBe(false);
    }
    expect(statSync(grantFile('bot2')).mode & 0o777).toBe(0o600);
    expect(statSync(join(store.dir, 'grants', 'bot2')).mode & 0o777).toBe(0o700);
  });

  it('lets the vault agent grant its own credentials, but not another agent', async () => {
    expect((await store.agent(bot1, ['grant', 'API_KEY', '--to', 'bot2'])).code).toBe(0);
    expect(await readAs(bot2)).toMatchObject({ code: 0, stdout: `${VALUE}\n` });
    expect((await store.agent(bot2, ['grant', 'OTHER', '--to', 'bot3', '--agent', 'bot1'])).code).toBe(5);
    expect((await readAs(bot3, 'OTHER')).code).toBe(5);
  });

  it('rejects bad grants with clear exit codes', async () => {
    expect((await store.owner(['grant', 'API_KEY', '--agent', 'bot1'])).code).toBe(2);
    expect((await store.owner(['grant', 'API_KEY', '--to', 'bot1', '--agent', 'bot1'])).code).toBe(2);
    expect((await store.owner(['grant', 'API_KEY', '--to', 'Bad!', '--agent', 'bot1'])).code).toBe(2);
    expect((await store.owner(['grant', 'API_KEY', '--to', 'bot2', '--agent', 'bot1', '--expires', '7'])).code).toBe(2);
    expect((await store.owner(['grant', 'API_KEY', '--to', 'nobody', '--agent', 'bot1'])).code).toBe(3);
    expect((await store.owner(['grant', 'MISSING', '--to', 'bot2', '--agent', 'bot1'])).code).toBe(3);
    expect((await store.owner(['grant', 'revoke', 'API_KEY', '--to', 'bot2', '--agent', 'bot1'])).code).toBe(3);
  });

  it('lists grants for the owner and for each side, as tables and JSON', async () => {
    await store.owner(['grant', 'API_KEY', '--to', 'bot2', '--agent', 'bot1', '--expires', '7d']);
    await store.owner(['grant', 'OTHER', '--to', 'bot3', '--agent', 'bot1']);
    const all = JSON.parse((await store.owner(['grant', 'list', '--json'])).stdout) as Array<Record<string, unknown>>;
    expect(all).toEqual([
      { granter: 'bot1', grantee: 'bot2', key: 'API_KEY', created: expect.any(String), expires: expect.any(String) },
      { granter: 'bot1', grantee: 'bot3', key: 'OTHER', created: expect.any(String), expires: null },
    ]);
    expect(JSON.parse((await store.owner(['grant', 'list', '--json', '--agent', 'bot3'])).stdout)).toHaveLength(1);
    const received = JSON.parse((await store.agent(bot2, ['grant', 'list', '--json'])).stdout);
    expect(received).toEqual([all[0]]);
    const given = await store.agent(bot1, ['grant', 'list']);
    expect(given.stdout.split('\n').filter(Boolean).map((l) => l.split('\t').slice(0, 3))).toEqual([
      ['bot1', 'bot2', 'API_KEY'],
      ['bot1', 'bot3', 'OTHER'],
    ]);
  });

  it('ends access on revoke, and records each step in the audit log', async () => {
    await store.owner(['grant', 'API_KEY', '--to', 'bot2', '--agent', 'bot1']);
    expect((await store.owner(['grant', 'revoke', 'API_KEY', '--to', 'bot2', '--agent', 'bot1'])).code).toBe(0);
    expect(existsSync(grantFile('bot2'))).toBe(false);
    expect((await readAs(bot2)).code).toBe(5);
    const log = auditText(store);
    const events = log.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events).toContainEqual(expect.objectContaining({ action: 'grant.create', agent: 'bot1', key: 'API_KEY', to: 'bot2', result: 'ok' }));
    expect(events).toContainEqual(expect.objectContaining({ action: 'grant.revoke', agent: 'bot1', key: 'API_KEY', result: 'ok' }));
    expect(events).toContainEqual(expect.objectContaining({ actor: 'agent:bot2', agent: 'bot1', action: 'access.denied', key: 'API_KEY', result: 'denied' }));
    expect(log).not.toContain(VALUE);
  });

  it('ends access when the grant expires, and sweeps the expired copy; granting again refreshes it', async () => {
    expect((await store.owner(['grant', 'API_KEY', '--to', 'bot2', '--agent', 'bot1', '--expires', '2s'])).code).toBe(0);
    expect((await readAs(bot2)).code).toBe(0);
    store.clock.advance(3_000);
    const expired = await readAs(bot2);
    expect(expired.code).toBe(5);
    expect(expired.stderr).toContain('has expired');
    expect(existsSync(grantFile('bot2'))).toBe(false);
    expect(JSON.parse((await store.owner(['grant', 'list', '--json'])).stdout)).toEqual([]);
    expect((await store.owner(['grant', 'API_KEY', '--to', 'bot2', '--agent', 'bot1', '--expires', '1h'])).code).toBe(0);
    expect((await store.owner(['grant', 'API_KEY', '--to', 'bot2', '--agent', 'bot1'])).code).toBe(0);
    expect(JSON.parse((await store.owner(['grant', 'list', '--json'])).stdout)).toEqual([expect.objectContaining({ grantee: 'bot2', expires: null })]);
    expect((await readAs(bot2)).code).toBe(0);
  });

  it('ends access when the credential is deleted, and follows a rename', async () => {
    await store.owner(['grant', 'API_KEY', '--to', 'bot2', '--agent', 'bot1']);
    expect((await store.owner(['credential', 'update', 'API_KEY', '--rename', 'RENAMED', '--agent', 'bot1'])).code).toBe(0);
    expect(existsSync(grantFile('bot2'))).toBe(false);
    expect(await readAs(bot2, 'RENAMED')).toMatchObject({ code: 0, stdout: `${VALUE}\n` });
    expect((await store.owner(['credential', 'delete', 'RENAMED', '--agent', 'bot1', '--yes'])).code).toBe(0);
    expect(existsSync(grantFile('bot2', 'RENAMED'))).toBe(false);
    expect((await readAs(bot2, 'RENAMED')).code).toBe(5);
  });

  it('ends every grant to and from a deprovisioned agent; a new agent of that name inherits none', async () => {
    await store.owner(['grant', 'API_KEY', '--to', 'bot2', '--agent', 'bot1']);
    await store.owner(['credential', 'set', 'MINE=-', '--agent', 'bot2'], { input: 'bot2-value' });
    await store.owner(['grant', 'MINE', '--to', 'bot3', '--agent', 'bot2']);
    expect((await store.owner(['deprovision', 'bot2', '--yes'])).code).toBe(0);
    expect(existsSync(join(store.dir, 'grants', 'bot2'))).toBe(false);
    expect((await store.agent(bot3, ['credential', 'get', 'MINE', '--agent', 'bot2'])).code).toBe(5);
    const again = await store.provision('bot2');
    expect((await readAs(again)).code).toBe(5);
    await store.owner(['credential', 'set', 'API_KEY=-', '--agent', 'bot1'], { input: NEW_VALUE });
    expect((await readAs(again)).code).toBe(5);
    expect(JSON.parse((await store.owner(['grant', 'list', '--json'])).stdout)).toEqual([]);
  });

  it('ends access when the granter is deprovisioned', async () => {
    await store.owner(['grant', 'API_KEY', '--to', 'bot2', '--agent', 'bot1']);
    expect((await store.owner(['deprovision', 'bot1', '--yes'])).code).toBe(0);
    expect(existsSync(grantFile('bot2'))).toBe(false);
    expect((await readAs(bot2)).code).toBe(5);
  });

  it("re-seals received grants to the grantee's new key on token rotation, and ends the grants the rotated agent gave", async () => {
    await store.owner(['grant', 'API_KEY', '--to', 'bot2', '--agent', 'bot1']);
    const before = readFileSync(grantFile('bot2'));
    const rotated = (await store.owner(['token', 'rotate', 'bot2'])).stdout.trim();
    expect((await readAs(bot2)).code).toBe(4);
    expect(await readAs(rotated)).toMatchObject({ code: 0, stdout: `${VALUE}\n` });
    expect(readFileSync(grantFile('bot2')).equals(before)).toBe(false);

    await store.owner(['token', 'rotate', 'bot1']);
    expect(existsSync(grantFile('bot2'))).toBe(false);
    expect((await readAs(rotated)).code).toBe(5);
  });
});
