/**
 * `credential copy OLD NEW [--to-agent X] [--force]`: every part of the credential is
 * copied, an existing NEW is refused unless --force, the owner copies across vaults and
 * an agent only within its own, and each copy is audited.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/in-process.js';

const TOTP = 'JBSWY3DPEHPK3PXP';
const PASSWORD = 'copy-password-93d1';
const NOTES = 'line one\nline two';

type Shown = Record<string, unknown> & { id: string; key: string; created: string; updated: string; fields: Record<string, string> };

describe('credential copy', () => {
  let store: TempStore;
  let bot: string;
  let other: string;
  const show = async (key: string, agent = 'bot'): Promise<Shown> => {
    const result = await store.owner(['credential', 'get', key, '--agent', agent, '--json', '--reveal']);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as Shown;
  };
  const sameContents = (a: Shown, b: Shown): void => {
    const strip = ({ id: _i, key: _k, created: _c, updated: _u, agent: _a, ...rest }: Shown) => rest;
    expect(strip(b)).toEqual(strip(a));
  };

  beforeEach(async () => {
    store = new TempStore();
    await store.init();
    bot = await store.provision('bot');
    other = await store.provision('other');
    const added = await store.agent(
      bot,
      ['credential', 'add', 'GITHUB', '--type', 'login', '--name', 'GitHub', '--username', 'octo', '--uri', 'https://github.com', '--tag', 'scm', '--totp', TOTP, '--password-stdin', '--rotate-every', '30d', '--expires', '2099-01-01'],
      { input: PASSWORD },
    );
    expect(added.code, added.stderr).toBe(0);
    expect((await store.agent(bot, ['credential', 'add', 'RECOVERY', '--type', 'secure_note', '--notes-stdin'], { input: NOTES })).code).toBe(0);
  });
  afterEach(() => store.cleanup());

  it('copies every field, the TOTP secret, notes, URIs, tags and policies under a new id', async () => {
    const result = await store.agent(bot, ['credential', 'copy', 'GITHUB', 'GITHUB_BACKUP']);
    expect(result).toMatchObject({ code: 0, stdout: '' });
    expect(result.stderr).toContain('copied GITHUB of agent bot to GITHUB_BACKUP');
    const [a, b] = [await show('GITHUB'), await show('GITHUB_BACKUP')];
    expect(b.fields).toMatchObject({ password: PASSWORD, username: 'octo', totp: expect.stringContaining(TOTP) });
    expect(b).toMatchObject({ name: 'GitHub', uris: ['https://github.com'], tags: ['scm'], rotate_every: '30d', expires: expect.stringMatching(/^2099-01-01/) });
    sameContents(a, b);
    expect(b.id).not.toBe(a.id);
    expect(await store.agent(bot, ['totp', 'GITHUB_BACKUP'])).toMatchObject({ code: 0, stdout: (await store.agent(bot, ['totp', 'GITHUB'])).stdout });
    // No history is copied: the source's past values stay with it.
    const history = JSON.parse((await store.owner(['credential', 'history', 'GITHUB_BACKUP', '--agent', 'bot', '--json'])).stdout) as unknown[];
    expect(history.length).toBeLessThanOrEqual(1);
  });

  it('copies a secure note with its lines', async () => {
    expect((await store.agent(bot, ['credential', 'cp', 'RECOVERY', 'RECOVERY_COPY'])).code).toBe(0);
    const copy = await show('RECOVERY_COPY');
    expect(copy).toMatchObject({ type: 'secure_note', fields: { notes: NOTES } });
    sameContents(await show('RECOVERY'), copy);
  });

  it('prints the copy as JSON', async () => {
    const result = await store.agent(bot, ['credential', 'copy', 'GITHUB', 'GITHUB_BACKUP', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ agent: 'bot', from_agent: 'bot', from: 'GITHUB', key: 'GITHUB_BACKUP', id: expect.stringMatching(/^[0-9a-f]{16}$/), replaced: false });
    expect(result.stdout).not.toContain(PASSWORD);
  });

  it('refuses an existing NEW (exit 2) unless --force, which keeps its id and its history', async () => {
    expect((await store.agent(bot, ['credential', 'set', 'OLD_TOKEN=-'], { input: 'old-token-value' })).code).toBe(0);
    const before = await show('OLD_TOKEN');
    const refused = await store.agent(bot, ['credential', 'copy', 'GITHUB', 'OLD_TOKEN']);
    expect(refused).toMatchObject({ code: 2, stdout: '' });
    expect(refused.stderr).toContain('already exists');
    expect(refused.stderr).toContain('--force');
    expect((await show('OLD_TOKEN')).fields).toEqual(before.fields);

    const forced = await store.agent(bot, ['credential', 'copy', 'GITHUB', 'OLD_TOKEN', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    const after = await show('OLD_TOKEN');
    expect(after.id).toBe(before.id);
    expect(after.type).toBe('login');
    sameContents(await show('GITHUB'), after);
    const history = await store.owner(['credential', 'history', 'OLD_TOKEN', '--agent', 'bot', '--json']);
    expect(history.code).toBe(0);
    expect(history.stdout).not.toContain('old-token-value');
    expect(JSON.parse(history.stdout)).not.toEqual([]);
  });

  it('lets the owner copy into another vault, and a grantee of the overwritten key reads the copy', async () => {
    expect((await store.owner(['credential', 'set', 'SHARED=-', '--agent', 'other'], { input: 'shared-old' })).code).toBe(0);
    expect((await store.owner(['grant', 'SHARED', '--to', 'bot', '--agent', 'other'])).code).toBe(0);
    const result = await store.owner(['credential', 'copy', 'GITHUB', 'SHARED', '--agent', 'bot', '--to-agent', 'other', '--force']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('overwrote GITHUB of agent bot to SHARED of agent other');
    expect(await store.agent(bot, ['credential', 'get', 'SHARED', '--agent', 'other'])).toMatchObject({ code: 0, stdout: `${PASSWORD}\n` });
    expect((await store.owner(['credential', 'copy', 'GITHUB', 'GITHUB', '--agent', 'bot', '--to-agent', 'other'])).code).toBe(0);
    sameContents(await show('GITHUB'), await show('GITHUB', 'other'));
  });

  it('records the copy in the log of each vault', async () => {
    await store.agent(bot, ['credential', 'copy', 'GITHUB', 'GITHUB_BACKUP']);
    await store.owner(['credential', 'copy', 'GITHUB', 'FROM_BOT', '--agent', 'bot', '--to-agent', 'other']);
    const events = JSON.parse((await store.owner(['audit', '--json', '--action', 'credential.copy'])).stdout) as Array<Record<string, unknown>>;
    expect(events.map((e) => [e.actor, e.agent, e.key, e.to, e.result])).toEqual([
      ['agent:bot', 'bot', 'GITHUB', undefined, 'ok'],
      ['agent:bot', 'bot', 'GITHUB_BACKUP', undefined, 'ok'],
      // The target is written (and recorded) first; the source's line says it was done.
      ['owner', 'other', 'FROM_BOT', undefined, 'ok'],
      ['owner', 'bot', 'GITHUB', 'other', 'ok'],
    ]);
    expect(JSON.stringify(events)).not.toContain(PASSWORD);
  });

  it('keeps an agent to its own vault', async () => {
    const across = await store.agent(bot, ['credential', 'copy', 'GITHUB', 'GITHUB', '--to-agent', 'other']);
    expect(across.code).toBe(5);
    expect(across.stderr).toContain('owner');
    expect((await store.agent(other, ['credential', 'copy', 'GITHUB', 'STOLEN', '--agent', 'bot'])).code).toBe(5);
    expect((await store.owner(['credential', 'list', '--agent', 'other', '--json'])).stdout).toBe('[]\n');
  });

  it('does not copy a grant received (it would outlive its revocation)', async () => {
    expect((await store.agent(bot, ['grant', 'GITHUB', '--to', 'other'])).code).toBe(0);
    expect((await store.agent(other, ['credential', 'get', 'GITHUB'])).code).toBe(0);
    const result = await store.agent(other, ['credential', 'copy', 'GITHUB', 'MINE']);
    expect(result).toMatchObject({ code: 3, stdout: '' });
    expect((await store.agent(other, ['credential', 'get', 'MINE'])).code).toBe(3);
  });

  it.each([
    [['credential', 'copy', 'GITHB', 'X_COPY'], 3, 'did you mean GITHUB?'],
    [['credential', 'copy', 'GITHUB', 'not-a-key'], 2, 'UPPER_SNAKE_CASE'],
    [['credential', 'copy', 'GITHUB', 'GITHUB'], 2, 'onto itself'],
    [['credential', 'copy', 'GITHUB'], 2, "missing required argument 'NEW'"],
  ])('%j is exit %i', async (args, code, text) => {
    const result = await store.agent(bot, args);
    expect(result).toMatchObject({ code, stdout: '' });
    expect(result.stderr).toContain(text);
  });

  it('refuses --to-agent of an agent that is not provisioned (exit 3), and the source log does not call it done', async () => {
    expect((await store.owner(['credential', 'copy', 'GITHUB', 'GITHUB', '--agent', 'bot', '--to-agent', 'nobody'])).code).toBe(3);
    const copies = JSON.parse((await store.owner(['audit', '--json', '--action', 'credential.copy', '-a', 'bot'])).stdout) as Array<{ to?: string; result: string }>;
    expect(copies.filter((line) => line.to === 'nobody').map((line) => line.result)).toEqual(['not_found']);
  });

  it('an existing target without --force leaves an error, not ok, in the source log', async () => {
    expect((await store.owner(['credential', 'copy', 'GITHUB', 'TAKEN_THERE', '--agent', 'bot', '--to-agent', 'other'])).code).toBe(0);
    expect((await store.owner(['credential', 'copy', 'GITHUB', 'TAKEN_THERE', '--agent', 'bot', '--to-agent', 'other'])).code).toBe(2);
    const copies = JSON.parse((await store.owner(['audit', '--json', '--action', 'credential.copy', '-a', 'bot'])).stdout) as Array<{ key: string; to?: string; result: string }>;
    expect(copies.filter((line) => line.to === 'other').map((line) => line.result).slice(-2)).toEqual(['ok', 'error']);
  });
});
