/**
 * Rotation policies and expiry: set on add and update, shown by get --json and list,
 * listed by credential due (with --within, per caller), counted by status, and an
 * expired credential still reads with a warning.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/in-process.js';

const DAY = 86_400_000;

interface DueRow {
  agent: string;
  key: string;
  reason: string;
  due: string;
}

describe('rotation policies, expiry and credential due', () => {
  let store: TempStore;
  let bot: string;
  const due = async (...args: string[]): Promise<DueRow[]> => {
    const result = await store.owner(['credential', 'due', '--json', ...args]);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as DueRow[];
  };

  beforeEach(async () => {
    store = new TempStore();
    store.clock.set('2030-01-01T00:00:00.000Z');
    await store.init();
    bot = await store.provision('bot');
    await store.provision('other');
    expect((await store.owner(['credential', 'add', 'DB', '--value-stdin', '--rotate-every', '30d', '--agent', 'bot'], { input: 'db-pw' })).code).toBe(0);
    expect((await store.owner(['credential', 'add', 'CERT', '--value-stdin', '--expires', '2030-03-01', '--agent', 'bot'], { input: 'cert' })).code).toBe(0);
    expect((await store.owner(['credential', 'add', 'OTHER_KEY', '--value-stdin', '--rotate-every', '7d', '--agent', 'other'], { input: 'o' })).code).toBe(0);
    expect((await store.owner(['credential', 'set', 'PLAIN=-', '--agent', 'bot'], { input: 'plain' })).code).toBe(0);
  });
  afterEach(() => store.cleanup());

  it('shows the policy in get --json and list', async () => {
    const got = JSON.parse((await store.owner(['credential', 'get', 'DB', '--agent', 'bot', '--json'])).stdout) as Record<string, unknown>;
    expect(got).toMatchObject({ key: 'DB', rotate_every: '30d' });
    expect(got.expired).toBeUndefined();
    const listed = JSON.parse((await store.owner(['credential', 'list', '--agent', 'bot', '--json'])).stdout) as Array<Record<string, unknown>>;
    expect(listed.find((c) => c.key === 'CERT')).toMatchObject({ expires: '2030-03-01T00:00:00.000Z' });
    expect(listed.find((c) => c.key === 'PLAIN')).not.toHaveProperty('rotate_every');
    const plain = await store.owner(['credential', 'list', '--agent', 'bot']);
    expect(plain.stdout).toContain('rotate every 30d');
    expect(plain.stdout).toContain('expires 2030-03-01T00:00:00.000Z');
  });

  it('lists what is due, and with --within what falls due soon, across every vault for the owner', async () => {
    expect(await due()).toEqual([]);
    expect((await due('--within', '8d')).map((r) => [r.agent, r.key, r.reason])).toEqual([['other', 'OTHER_KEY', 'rotation']]);
    store.clock.advance(31 * DAY);
    expect((await due()).map((r) => [r.agent, r.key, r.reason])).toEqual([
      ['other', 'OTHER_KEY', 'rotation'],
      ['bot', 'DB', 'rotation'],
    ]);
    expect((await due('--within', '30d')).map((r) => r.key)).toEqual(['OTHER_KEY', 'DB', 'CERT']);
  });

  it("limits an agent's due list to its own vault", async () => {
    store.clock.advance(31 * DAY);
    const result = await store.agent(bot, ['credential', 'due', '--json', '--within', '60d']);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as DueRow[]).map((r) => [r.agent, r.key])).toEqual([
      ['bot', 'DB'],
      ['bot', 'CERT'],
    ]);
  });

  it('resets the rotation date when the main secret changes, not when another field does', async () => {
    store.clock.advance(31 * DAY);
    expect((await store.owner(['credential', 'update', 'DB', '--name', 'renamed', '--agent', 'bot'])).code).toBe(0);
    expect((await due()).map((r) => r.key)).toContain('DB');
    expect((await store.owner(['credential', 'set', 'DB=-', '--agent', 'bot'], { input: 'new-pw' })).code).toBe(0);
    expect((await due()).map((r) => r.key)).not.toContain('DB');
  });

  it('still reads an expired credential, warning on stderr and saying "expired": true', async () => {
    store.clock.set('2030-03-02T00:00:00.000Z');
    const plain = await store.owner(['credential', 'get', 'CERT', '--agent', 'bot']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toBe('cert\n');
    expect(plain.stderr).toContain('warning: credential CERT expired at 2030-03-01T00:00:00.000Z');
    const json = await store.agent(bot, ['credential', 'get', 'CERT', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ key: 'CERT', expired: true });
    expect(JSON.parse(json.stderr.trim())).toHaveProperty('warning');
  });

  it('removes a policy with never', async () => {
    expect((await store.owner(['credential', 'update', 'CERT', '--expires', 'never', '--agent', 'bot'])).code).toBe(0);
    const got = JSON.parse((await store.owner(['credential', 'get', 'CERT', '--agent', 'bot', '--json'])).stdout) as Record<string, unknown>;
    expect(got).not.toHaveProperty('expires');
    store.clock.advance(365 * DAY);
    expect((await due()).map((r) => r.key)).not.toContain('CERT');
  });

  it('counts what is due in status', async () => {
    store.clock.advance(31 * DAY);
    const rows = JSON.parse((await store.owner(['status', '--json'])).stdout) as Array<{ agent: string; credentials_due?: number }>;
    expect(rows.map((r) => [r.agent, r.credentials_due])).toEqual([
      ['bot', 1],
      ['other', 1],
    ]);
  });

  it('records credential.due events with --notify, naming no value', async () => {
    store.clock.advance(31 * DAY);
    expect((await store.owner(['credential', 'due', '--notify', '--quiet'])).code).toBe(0);
    const events = JSON.parse((await store.owner(['audit', '--action', 'credential.due', '--json'])).stdout) as Array<{ agent: string; key: string; reason: string; log: string }>;
    expect(events.map((e) => [e.agent, e.key, e.log])).toEqual([
      ['other', 'OTHER_KEY', 'vaults/other.audit.jsonl'],
      ['bot', 'DB', 'vaults/bot.audit.jsonl'],
    ]);
    expect(JSON.stringify(events)).not.toContain('db-pw');
  });

  it('refuses a bad duration or date (exit 2), changing nothing', async () => {
    for (const args of [
      ['credential', 'update', 'DB', '--rotate-every', '30', '--agent', 'bot'],
      ['credential', 'update', 'DB', '--rotate-every', 'monthly', '--agent', 'bot'],
      ['credential', 'update', 'DB', '--expires', 'soon', '--agent', 'bot'],
      ['credential', 'add', 'NEW', '--value-stdin', '--expires', '31/12/2030', '--agent', 'bot'],
      ['credential', 'due', '--within', 'a-week'],
      ['audit', 'verify', '--follow'],
    ]) {
      const result = await store.owner(args, { input: 'x' });
      expect(result.code, args.join(' ')).toBe(2);
    }
    expect(JSON.parse((await store.owner(['credential', 'get', 'DB', '--agent', 'bot', '--json'])).stdout)).toMatchObject({ rotate_every: '30d' });
    expect((await store.owner(['credential', 'get', 'NEW', '--agent', 'bot'])).code).toBe(3);
  });
});
