/**
 * `credential search Q`: the owner without --agent searches every vault and names the
 * agent of each hit; with --agent, and for an agent's token, one vault as before.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/in-process.js';

const SECRET = 'github-value-in-a-value-51ad';

describe('credential search across vaults', () => {
  let store: TempStore;
  let bot: string;

  beforeEach(async () => {
    ({ store } = await TempStore.withAgent('researcher'));
    bot = await store.provision('bot');
    await store.provision('empty');
    expect((await store.owner(['credential', 'add', 'GITHUB', '--type', 'login', '--username', 'octo', '--password-stdin', '--agent', 'researcher'], { input: 'pw' })).code).toBe(0);
    expect((await store.owner(['credential', 'set', 'GITHUB_TOKEN=-', '--agent', 'bot'], { input: 'tok' })).code).toBe(0);
    // Matches the query only by its value: never a hit.
    expect((await store.owner(['credential', 'set', 'OTHER=-', '--agent', 'bot'], { input: SECRET })).code).toBe(0);
    expect((await store.owner(['grant', 'GITHUB', '--to', 'bot', '--agent', 'researcher'])).code).toBe(0);
  });
  afterEach(() => store.cleanup());

  it('searches every vault for the owner, with an agent on each hit', async () => {
    const json = await store.owner(['credential', 'search', 'github', '--json']);
    expect(json.code).toBe(0);
    const hits = JSON.parse(json.stdout) as Array<{ agent: string; key: string; granted_by?: string }>;
    // The grant bot received is found once, in its granter's vault.
    expect(hits.map((h) => [h.agent, h.key, h.granted_by])).toEqual([
      ['bot', 'GITHUB_TOKEN', undefined],
      ['researcher', 'GITHUB', undefined],
    ]);
    expect(json.stdout).not.toContain(SECRET);
    const table = await store.owner(['credential', 'search', 'github']);
    expect(table.code).toBe(0);
    expect(table.stdout.trim().split('\n').map((line) => line.split('\t').slice(0, 2))).toEqual([
      ['bot', 'GITHUB_TOKEN'],
      ['researcher', 'GITHUB'],
    ]);
  });

  it('does not open the grants a vault received: a damaged one is no warning, as it is when that vault is listed', async () => {
    writeFileSync(join(store.dir, 'grants', 'bot', 'researcher.GITHUB.grant'), 'not a grant file\n');
    const every = await store.owner(['credential', 'search', 'github', '--json']);
    expect(every).toMatchObject({ code: 0, stderr: '' });
    expect((JSON.parse(every.stdout) as Array<{ key: string }>).map((h) => h.key)).toEqual(['GITHUB_TOKEN', 'GITHUB']);
    const one = await store.owner(['credential', 'search', 'github', '--agent', 'bot']);
    expect(one.code).toBe(0);
    expect(one.stderr).toContain('left out the grant of GITHUB from agent researcher');
  });

  it('records one credential.search in each vault searched', async () => {
    await store.owner(['credential', 'search', 'github']);
    const events = JSON.parse((await store.owner(['audit', '--json', '--action', 'credential.search'])).stdout) as Array<{ agent: string; actor: string }>;
    expect(events.map((e) => [e.actor, e.agent]).sort()).toEqual([
      ['owner', 'bot'],
      ['owner', 'empty'],
      ['owner', 'researcher'],
    ]);
  });

  it('keeps --agent (and AGENT_VAULT_AGENT) to one vault, and an agent to its own and its grants', async () => {
    const one = JSON.parse((await store.owner(['credential', 'search', 'github', '--agent', 'researcher', '--json'])).stdout) as Array<{ agent: string; key: string }>;
    expect(one.map((h) => [h.agent, h.key])).toEqual([['researcher', 'GITHUB']]);
    const env = JSON.parse((await store.owner(['credential', 'search', 'github', '--json'], { env: { AGENT_VAULT_AGENT: 'bot' } })).stdout) as Array<{ key: string; granted_by?: string }>;
    expect(env.map((h) => [h.key, h.granted_by])).toEqual([['GITHUB', 'researcher'], ['GITHUB_TOKEN', undefined]]);
    const asBot = JSON.parse((await store.agent(bot, ['credential', 'search', 'github', '--json'])).stdout) as Array<{ agent: string; key: string }>;
    expect(asBot.map((h) => [h.agent, h.key])).toEqual([['bot', 'GITHUB'], ['bot', 'GITHUB_TOKEN']]);
    expect((await store.owner(['credential', 'search', 'nothing-like-it', '--json'])).stdout).toBe('[]\n');
  });

  it('still needs the passphrase: a wrong one is exit 4 and lists nothing', async () => {
    const wrong = await store.run(['credential', 'search', 'github'], { env: { AGENT_VAULT_PASSPHRASE: 'wrong passphrase' } });
    expect(wrong).toMatchObject({ code: 4, stdout: '' });
  });
});
