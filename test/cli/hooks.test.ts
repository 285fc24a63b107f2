/**
 * Hooks: a local HTTP receiver on 127.0.0.1 gets each event once across runs, with a
 * signature that verifies; failures are retried with backoff, recorded, and delivered
 * at the next run; exec hooks get the JSON on stdin; no agent can see a hook.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/in-process.js';

const VALUE = 'hooked-secret-value-81c2';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A receiver that answers each request with the next status of `statuses` (then 204). */
class Receiver {
  readonly requests: Received[] = [];
  statuses: number[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.statusCode = this.statuses.shift() ?? 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The bodies of acknowledged (2xx) deliveries, parsed. */
  events(): Array<Record<string, unknown>> {
    return this.requests.map((r) => JSON.parse(r.body) as Record<string, unknown>);
  }
}

/** How a receiver verifies a delivery, as README shows it. */
function verifies(secret: string, r: Received): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(r.body).digest('hex')}`);
  const given = Buffer.from(String(r.headers['x-agent-vault-signature']));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe('hooks', () => {
  let store: TempStore;
  let receiver: Receiver;
  let bot: string;
  let intruder: string;
  const env = { AGENT_VAULT_HOOK_BACKOFF_MS: '1' };
  const hookRun = (...args: string[]) => store.owner(['hook', 'run', ...args], { env });
  const addUrlHook = async (events: string): Promise<{ id: string; secret: string }> => {
    const result = await store.owner(['hook', 'add', '--event', events, '--url', receiver.url, '--json']);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as { id: string; secret: string };
  };
  const deny = async (): Promise<void> => {
    expect((await store.agent(intruder, ['credential', 'get', 'DB', '--agent', 'bot'])).code).toBe(5);
  };

  beforeEach(async () => {
    store = new TempStore();
    await store.init();
    bot = await store.provision('bot');
    intruder = await store.provision('intruder');
    expect((await store.owner(['credential', 'set', 'DB=-', '--agent', 'bot'], { input: VALUE })).code).toBe(0);
    receiver = new Receiver();
    await receiver.start();
  });
  afterEach(async () => {
    await receiver.stop();
    store.cleanup();
  });

  it('prints the secret once, then delivers signed events, each once across two runs', async () => {
    const plain = await store.owner(['hook', 'add', '--event', 'access.denied,credential.rotated', '--url', receiver.url]);
    expect(plain.code).toBe(0);
    const secret = plain.stdout.trim();
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    await deny();
    expect((await store.owner(['credential', 'rotate', 'DB', '--agent', 'bot'])).code).toBe(0);
    const rotated = (await store.owner(['credential', 'get', 'DB', '--agent', 'bot'])).stdout.trim();

    const first = await hookRun('--json');
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ delivered: 2, failed: [] });
    expect(receiver.events().map((e) => [e.event, e.agent, e.key, e.actor])).toEqual([
      ['access.denied', 'bot', 'DB', 'agent:intruder'],
      ['credential.rotated', 'bot', 'DB', 'owner'],
    ]);
    for (const r of receiver.requests) {
      expect(verifies(secret, r)).toBe(true);
      expect(r.headers['x-agent-vault-event']).toBe(JSON.parse(r.body).event);
      expect(r.headers['content-type']).toBe('application/json');
    }
    // A body changed in transit no longer verifies.
    expect(verifies(secret, { ...receiver.requests[0]!, body: receiver.requests[0]!.body.replace('bot', 'bOt') })).toBe(false);
    // No value, token or passphrase in any event.
    const bodies = receiver.requests.map((r) => r.body).join('\n');
    for (const secretText of [VALUE, rotated, bot, intruder]) expect(bodies).not.toContain(secretText);

    const second = await hookRun('--json');
    expect(JSON.parse(second.stdout)).toEqual({ delivered: 0, failed: [] });
    expect(receiver.requests).toHaveLength(2);

    await deny();
    await hookRun();
    expect(receiver.events().map((e) => e.event)).toEqual(['access.denied', 'credential.rotated', 'access.denied']);
    expect(new Set(receiver.events().map((e) => e.id)).size).toBe(3);
  });

  it('keeps working after rekey, sealed under the new root key only', async () => {
    await addUrlHook('access.denied');
    await deny();
    expect((await hookRun()).code).toBe(0);
    const before = { hooks: readFileSync(join(store.dir, 'hooks')), cursor: readFileSync(join(store.dir, 'hook-cursor')) };
    expect((await store.owner(['rekey'])).code).toBe(0);
    expect(readFileSync(join(store.dir, 'hooks')).equals(before.hooks)).toBe(false);
    expect(readFileSync(join(store.dir, 'hook-cursor')).equals(before.cursor)).toBe(false);
    const listed = await store.owner(['hook', 'list', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toHaveLength(1);
    await deny();
    expect(JSON.parse((await hookRun('--json')).stdout)).toEqual({ delivered: 1, failed: [] });
    expect(receiver.events().map((e) => e.event)).toEqual(['access.denied', 'access.denied']);
  });

  it('sends only the events a hook asked for, from the time it was added', async () => {
    await deny();
    await addUrlHook('credential.rotated');
    await deny();
    expect((await store.owner(['credential', 'rotate', 'DB', '--agent', 'bot'])).code).toBe(0);
    await hookRun();
    expect(receiver.events().map((e) => e.event)).toEqual(['credential.rotated']);
  });

  it('retries a failed delivery with backoff, and acknowledges it once', async () => {
    const { secret } = await addUrlHook('access.denied');
    await deny();
    receiver.statuses = [500, 503];
    const result = await hookRun('--json');
    expect(result.code, result.stderr).toBe(0);
    expect(receiver.requests).toHaveLength(3);
    expect(new Set(receiver.events().map((e) => e.id)).size).toBe(1);
    expect(receiver.requests.every((r) => verifies(secret, r))).toBe(true);
    await hookRun();
    expect(receiver.requests).toHaveLength(3);
  });

  it('records a delivery that failed after every retry, exits 1, and delivers it at the next run', async () => {
    await addUrlHook('access.denied,auth.denied');
    await deny();
    const wrong = await store.run(['credential', 'get', 'DB'], { env: { AGENT_VAULT_TOKEN: `avt_bot_${'A'.repeat(43)}` } });
    expect(wrong.code).toBe(4);
    receiver.statuses = [500, 500, 500, 500];
    const failed = await hookRun();
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('HTTP 500');
    expect(receiver.requests).toHaveLength(4);
    const audit = JSON.parse((await store.owner(['audit', '--action', 'hook.delivery', '--json'])).stdout) as Array<{ result: string; reason: string }>;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ result: 'error' });
    expect(audit[0]!.reason).toContain('access.denied');
    expect(audit[0]!.reason).not.toContain(receiver.url);

    const again = await hookRun('--json');
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ delivered: 2, failed: [] });
    // In order: the failed event first, then the one after it that waited.
    expect(receiver.events().slice(4).map((e) => e.event)).toEqual(['access.denied', 'auth.denied']);
  });

  it('gives an exec hook the event JSON on stdin, without the passphrase or a token in its environment', async () => {
    const out = join(store.root, 'events.jsonl');
    const envFile = join(store.root, 'hook.env');
    const add = await store.owner(['hook', 'add', '--event', 'access.denied', '--exec', `cat >> ${out}; echo >> ${out}; env > ${envFile}`]);
    expect(add.code).toBe(0);
    await deny();
    expect((await hookRun()).code).toBe(0);
    const events = readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => [e.event, e.key])).toEqual([['access.denied', 'DB']]);
    const hookEnv = readFileSync(envFile, 'utf8');
    expect(hookEnv).toContain('AGENT_VAULT_EVENT=access.denied');
    expect(hookEnv).not.toContain('AGENT_VAULT_PASSPHRASE');
    expect(hookEnv).not.toContain(store.passphraseFile);
  });

  it('tests a hook, and lists and removes hooks without showing a secret', async () => {
    const { id, secret } = await addUrlHook('proposal.created');
    const tested = await store.owner(['hook', 'test', id], { env });
    expect(tested.code, tested.stderr).toBe(0);
    expect(receiver.events().map((e) => e.event)).toEqual(['hook.test']);
    expect(verifies(secret, receiver.requests[0]!)).toBe(true);
    const list = await store.owner(['hook', 'list', '--json']);
    expect(JSON.parse(list.stdout)).toEqual([{ id, events: ['proposal.created'], url: receiver.url, created: expect.any(String) }]);
    expect(list.stdout + (await store.owner(['hook', 'list'])).stdout).not.toContain(secret);
    expect((await store.owner(['hook', 'remove', id])).code).toBe(0);
    expect(JSON.parse((await store.owner(['hook', 'list', '--json'])).stdout)).toEqual([]);
    expect((await store.owner(['hook', 'remove', id])).code).toBe(3);
  });

  it('lets no agent list, add, test or run hooks, and keeps the URL and secret out of the store in plain text', async () => {
    const { id, secret } = await addUrlHook('access.denied');
    for (const args of [['hook', 'list'], ['hook', 'add', '--event', 'access.denied', '--url', receiver.url], ['hook', 'test', id], ['hook', 'run'], ['hook', 'remove', id]]) {
      const result = await store.agent(bot, args);
      expect(result.code, args.join(' ')).toBe(5);
      expect(result.stdout).toBe('');
    }
    const sealed = readFileSync(join(store.dir, 'hooks'), 'utf8');
    expect(sealed.startsWith('agent-vault-hooks/v1\n')).toBe(true);
    expect(sealed).not.toContain(secret);
    expect(sealed).not.toContain('127.0.0.1');
    expect(receiver.requests).toHaveLength(0);
  });

  it('keeps hooks and their cursor in a backup, so a restored store sends nothing twice', async () => {
    const { id } = await addUrlHook('access.denied');
    await deny();
    await hookRun();
    const passphraseFile = join(store.root, 'backup-passphrase');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(passphraseFile, 'backup passphrase for the test\n');
    const file = join(store.root, 'store.age');
    expect((await store.owner(['backup', file, '--backup-passphrase-file', passphraseFile])).code).toBe(0);
    const target = join(store.root, 'restored');
    expect((await store.owner(['restore', file, '--store', target, '--backup-passphrase-file', passphraseFile])).code).toBe(0);
    const list = await store.owner(['hook', 'list', '--json', '--store', target]);
    expect((JSON.parse(list.stdout) as Array<{ id: string }>).map((h) => h.id)).toEqual([id]);
    expect((await store.owner(['hook', 'run', '--store', target], { env })).code).toBe(0);
    expect(receiver.requests).toHaveLength(1);
  });

  it("turns no line into an event that the agent log's keys do not vouch for", async () => {
    await addUrlHook('access.denied');
    const log = join(store.dir, 'vaults', 'bot.audit.jsonl');
    const { appendFileSync } = await import('node:fs');
    const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    const last = JSON.parse(lines.at(-1)!) as { seq: number };
    // Canonical and well-formed, but unkeyed: anyone who can write the file could append it.
    const forged = { v: 1, seq: last.seq + 1, ts: new Date(Date.now() + 1000).toISOString(), actor: 'agent:intruder', agent: 'bot', action: 'access.denied', key: 'DB', result: 'denied', pid: 1, host: 'h', prev: 'A'.repeat(43) };
    appendFileSync(log, `${JSON.stringify(forged)}\n`);
    expect((await hookRun()).code).toBe(0);
    expect(receiver.requests).toHaveLength(0);
    await deny();
    await hookRun();
    expect(receiver.requests).toHaveLength(1);
  });

  it('refuses a hooks file that was altered (exit 6)', async () => {
    await addUrlHook('access.denied');
    const path = join(store.dir, 'hooks');
    const text = readFileSync(path, 'utf8');
    const flipped = text.slice(0, -3) + (text.at(-3) === 'A' ? 'B' : 'A') + text.slice(-2);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path, flipped);
    expect((await store.owner(['hook', 'list'])).code).toBe(6);
  });

  it('refuses bad input (exit 2) and unknown hooks (exit 3)', async () => {
    for (const args of [
      ['hook', 'add', '--event', 'nope', '--url', receiver.url],
      ['hook', 'add', '--event', 'access.denied'],
      ['hook', 'add', '--event', 'access.denied', '--url', receiver.url, '--exec', 'true'],
      ['hook', 'add', '--event', 'access.denied', '--url', 'ftp://example.com/'],
      ['hook', 'add', '--event', 'access.denied', '--url', 'https://user:pw@example.com/'],
      ['hook', 'add', '--event', 'access.denied', '--url', 'not a url'],
      ['hook', 'add', '--event', ',', '--url', receiver.url],
      ['hook', 'remove', '../x'],
      ['hook', 'test', 'XYZ'],
    ]) {
      expect((await store.owner(args)).code, args.join(' ')).toBe(2);
    }
    expect((await store.owner(['hook', 'test', '0123abcd'])).code).toBe(3);
    expect(JSON.parse((await store.owner(['hook', 'list', '--json'])).stdout)).toEqual([]);
  });
});
