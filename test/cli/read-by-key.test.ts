/**
 * A granted credential reads by its key alone (get, totp, exec --only) when exactly one
 * live grant has it; several grants are a choice (exit 2); a key that matches nothing is
 * exit 3 with "did you mean" over the keys the caller may read, never over values.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/in-process.js';

const VALUE = 'granted-value-77c1';
const TOTP = 'JBSWY3DPEHPK3PXP';

interface Event {
  actor: string;
  agent: string;
  action: string;
  key?: string;
  result: string;
  log: string;
}

describe('reading a granted credential by its key', () => {
  let store: TempStore;
  let researcher: string;
  let writer: string;
  let bot: string;
  const events = async (): Promise<Event[]> => JSON.parse((await store.owner(['audit', '--json'])).stdout) as Event[];

  beforeEach(async () => {
    store = new TempStore();
    await store.init();
    researcher = await store.provision('researcher');
    writer = await store.provision('writer');
    bot = await store.provision('bot');
    expect((await store.agent(researcher, ['credential', 'set', 'GITHUB_TOKEN=-'], { input: VALUE })).code).toBe(0);
    expect((await store.agent(researcher, ['credential', 'add', 'GITHUB', '--type', 'login', '--username', 'octo', '--totp-stdin'], { input: TOTP })).code).toBe(0);
    expect((await store.agent(researcher, ['grant', 'GITHUB_TOKEN', '--to', 'bot'])).code).toBe(0);
    expect((await store.agent(researcher, ['grant', 'GITHUB', '--to', 'bot'])).code).toBe(0);
  });
  afterEach(() => store.cleanup());

  it('reads the one live grant of a key, says where from on stderr, and records it in the grant read’s place', async () => {
    const got = await store.agent(bot, ['credential', 'get', 'GITHUB_TOKEN']);
    expect(got).toMatchObject({ code: 0, stdout: `${VALUE}\n` });
    expect(got.stderr).toContain('read GITHUB_TOKEN from the grant of agent researcher');
    expect(got.stderr).not.toContain(VALUE);
    const quiet = await store.agent(bot, ['credential', 'get', 'GITHUB_TOKEN', '--quiet']);
    expect(quiet).toMatchObject({ code: 0, stdout: `${VALUE}\n`, stderr: '' });
    const json = JSON.parse((await store.agent(bot, ['credential', 'get', 'GITHUB_TOKEN', '--json'])).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ key: 'GITHUB_TOKEN', fields: { value: VALUE }, granted_by: 'researcher' });
    // The line is the one an explicit `--agent researcher` read leaves: about researcher's vault, in bot's log.
    const reads = (await events()).filter((e) => e.action === 'credential.get' && e.key === 'GITHUB_TOKEN');
    expect(reads).toHaveLength(3);
    for (const e of reads) expect(e).toMatchObject({ actor: 'agent:bot', agent: 'researcher', result: 'ok', log: 'vaults/bot.audit.jsonl' });
  });

  it('makes TOTP codes and exec --only read the same way', async () => {
    const code = await store.agent(bot, ['totp', 'GITHUB']);
    expect(code.code).toBe(0);
    expect(code.stdout).toMatch(/^\d{6}\n$/);
    expect(code.stderr).toContain('read GITHUB from the grant of agent researcher');
    const totpEvents = (await events()).filter((e) => e.action === 'totp.generate');
    expect(totpEvents).toEqual([expect.objectContaining({ actor: 'agent:bot', agent: 'researcher', key: 'GITHUB', result: 'ok' })]);

    // With --mask the child's output is captured: the injected value shows as its mask.
    const run = await store.agent(bot, ['exec', '--mask', '--only', 'GITHUB_TOKEN', '--', 'sh', '-c', 'echo "token=$GITHUB_TOKEN"']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('token=****\n');
    expect(run.stderr).toContain('read GITHUB_TOKEN from the grant of agent researcher');
    // One line per vault the run read from: bot's own (looked in) and researcher's grant.
    expect((await events()).filter((e) => e.action === 'exec.run').map((e) => [e.actor, e.agent, e.result])).toEqual([
      ['agent:bot', 'bot', 'ok'],
      ['agent:bot', 'researcher', 'ok'],
    ]);
  });

  it('keeps the vault’s own credential first', async () => {
    expect((await store.agent(bot, ['credential', 'set', 'GITHUB_TOKEN=-'], { input: 'own-value' })).code).toBe(0);
    expect(await store.agent(bot, ['credential', 'get', 'GITHUB_TOKEN'])).toMatchObject({ code: 0, stdout: 'own-value\n', stderr: '' });
  });

  it('asks which agent when two agents granted the key (exit 2 naming the --agent choices)', async () => {
    expect((await store.agent(writer, ['credential', 'set', 'GITHUB_TOKEN=-'], { input: 'writer-value' })).code).toBe(0);
    expect((await store.agent(writer, ['grant', 'GITHUB_TOKEN', '--to', 'bot'])).code).toBe(0);
    for (const args of [['credential', 'get', 'GITHUB_TOKEN'], ['exec', '--only', 'GITHUB_TOKEN', '--', 'true']]) {
      const both = await store.agent(bot, args);
      expect(both.code).toBe(2);
      expect(both.stdout).toBe('');
      expect(both.stderr).toContain('by 2 agents (researcher, writer)');
      expect(both.stderr).toContain('--agent researcher or --agent writer');
      expect(both.stderr).not.toContain('writer-value');
    }
    expect(await store.agent(bot, ['credential', 'get', 'GITHUB_TOKEN', '--agent', 'writer'])).toMatchObject({ code: 0, stdout: 'writer-value\n' });
    const json = await store.agent(bot, ['credential', 'get', 'GITHUB_TOKEN', '--json']);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: 'usage', exit: 2, hint: '--agent researcher or --agent writer' } });
  });

  it('reads nothing once the grant is revoked, expired, or its granter deprovisioned (exit 3)', async () => {
    expect((await store.agent(researcher, ['grant', 'revoke', 'GITHUB_TOKEN', '--to', 'bot'])).code).toBe(0);
    const revoked = await store.agent(bot, ['credential', 'get', 'GITHUB_TOKEN']);
    expect(revoked.code).toBe(3);
    expect(revoked.stdout).toBe('');

    expect((await store.agent(researcher, ['grant', 'GITHUB_TOKEN', '--to', 'bot', '--expires', '2s'])).code).toBe(0);
    expect((await store.agent(bot, ['credential', 'get', 'GITHUB_TOKEN'])).code).toBe(0);
    store.clock.advance(3_000);
    const expired = await store.agent(bot, ['credential', 'get', 'GITHUB_TOKEN']);
    expect(expired).toMatchObject({ code: 3, stdout: '' });
    expect((await store.agent(bot, ['totp', 'GITHUB'])).code).toBe(0);

    expect((await store.owner(['deprovision', 'researcher', '--yes'])).code).toBe(0);
    for (const args of [['credential', 'get', 'GITHUB'], ['totp', 'GITHUB'], ['exec', '--only', 'GITHUB', '--', 'true']]) {
      const gone = await store.agent(bot, args);
      expect(gone.code).toBe(3);
      expect(gone.stderr).not.toContain('did you mean');
    }
  });

  it('lets the owner read an agent’s granted key by that key too', async () => {
    const got = await store.owner(['credential', 'get', 'GITHUB_TOKEN', '--agent', 'bot']);
    expect(got).toMatchObject({ code: 0, stdout: `${VALUE}\n` });
    expect(got.stderr).toContain('from the grant of agent researcher');
  });
});

describe('did you mean', () => {
  let store: TempStore;
  let bot: string;

  beforeEach(async () => {
    store = new TempStore();
    await store.init();
    bot = await store.provision('bot');
    const other = await store.provision('other');
    for (const [key, value] of [['GITHUB', 'a'], ['GITHUB_TOKEN', 'b'], ['OPENAI_API_KEY', 'c']]) {
      expect((await store.agent(bot, ['credential', 'set', `${key}=-`], { input: value })).code).toBe(0);
    }
    // A value and a note that spell the query: never a reason to suggest their key.
    expect((await store.agent(bot, ['credential', 'set', 'UNRELATED=-'], { input: 'STRIPE_KEY\n' })).code).toBe(0);
    expect((await store.agent(bot, ['credential', 'add', 'NOTE', '--type', 'secure_note', '--notes-stdin'], { input: 'STRIPE_KEY lives here' })).code).toBe(0);
    expect((await store.agent(other, ['credential', 'set', 'SLACK_TOKEN=-'], { input: 'x' })).code).toBe(0);
    expect((await store.agent(other, ['credential', 'set', 'PRIVATE_THING=-'], { input: 'y' })).code).toBe(0);
    expect((await store.agent(other, ['credential', 'set', 'GITHUB=-'], { input: 'z' })).code).toBe(0);
    expect((await store.agent(other, ['grant', 'SLACK_TOKEN', '--to', 'bot'])).code).toBe(0);
    expect((await store.agent(other, ['grant', 'GITHUB', '--to', 'bot'])).code).toBe(0);
  });
  afterEach(() => store.cleanup());

  const miss = async (key: string, json = false) => {
    const result = await store.agent(bot, ['credential', 'get', key, ...(json ? ['--json'] : [])]);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    return result.stderr;
  };

  it('suggests a near key, or the same key in another case', async () => {
    expect(await miss('GITHU')).toContain('hint: did you mean GITHUB or GITHUB_TOKEN?');
    expect(await miss('openai_api_key')).toContain('hint: did you mean OPENAI_API_KEY?');
    expect(await miss('OPENAI_APIKEY')).toContain('did you mean OPENAI_API_KEY?');
  });

  it('names the key that matches in another case first, once though two vaults hold it, then longer keys it starts', async () => {
    expect(await miss('github')).toContain('hint: did you mean GITHUB or GITHUB_TOKEN?\n');
  });

  it('suggests granted keys, but not the granter’s others, and never on values or notes', async () => {
    expect(await miss('SLACK_TOKN')).toContain('did you mean SLACK_TOKEN?');
    expect(await miss('PRIVATE_THNG')).not.toContain('PRIVATE_THING');
    const stripe = await miss('STRIPE_KEY');
    expect(stripe).not.toContain('did you mean');
    expect(stripe).not.toContain('UNRELATED');
    expect(stripe).not.toContain('NOTE');
    expect(stripe).toContain('list them with: agent-vault credential list');
  });

  it('carries the suggestion in the --json error, and in totp and exec --only', async () => {
    expect(JSON.parse(await miss('GITHU', true))).toEqual({
      error: { code: 'not_found', exit: 3, message: 'no credential "GITHU" in the vault of agent bot', hint: 'did you mean GITHUB or GITHUB_TOKEN?' },
    });
    const totp = await store.agent(bot, ['totp', 'openai_api_key']);
    expect(totp.code).toBe(3);
    expect(totp.stderr).toContain('did you mean OPENAI_API_KEY?');
    const run = await store.agent(bot, ['exec', '--only', 'GITHU', '--', 'true']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('did you mean GITHUB or GITHUB_TOKEN?');
  });

  it('records the miss as not_found in the caller’s log', async () => {
    await miss('GITHU');
    const lines = JSON.parse((await store.owner(['audit', '--json', '--key', 'GITHU'])).stdout) as Event[];
    expect(lines).toEqual([expect.objectContaining({ action: 'credential.get', agent: 'bot', result: 'not_found' })]);
  });

  it('shows a credential with `credential show`, the alias of get', async () => {
    expect(await store.agent(bot, ['credential', 'show', 'GITHUB'])).toMatchObject({ code: 0, stdout: 'a\n' });
  });
});
