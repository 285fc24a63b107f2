/**
 * Brokered use in process: services, the `brokered` reveal policy on every path an agent
 * could read a value by, and `http` against a local HTTPS echo server with its own CA.
 * The canary value must reach the upstream and never the agent: not its output, not an
 * error, not an audit line.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/in-process.js';
import { addBrokered, useEchoServer } from '../helpers/broker.js';
import { TEST_CA_FILE, type SeenRequest } from '../helpers/echo-server.js';

const CANARY = 'sk-canary-7Hq2vX9pLm4ZtR8w';
const CANARY_B64 = Buffer.from(CANARY).toString('base64');

/** Every audit line of the store: the log files of a directory store, or (PostgreSQL) every line as the owner's `audit --json` prints it. */
async function auditText(store: TempStore): Promise<string> {
  if (store.url !== undefined) return (await store.owner(['audit', '--json'])).stdout;
  const files = readdirSync(store.dir, { recursive: true, encoding: 'utf8' }).map((n) => join(store.dir, n));
  return files.filter((p) => p.endsWith('.jsonl') && statSync(p).isFile()).map((p) => readFileSync(p, 'utf8')).join('');
}

describe('brokered use', () => {
  const server = useEchoServer();
  let store: TempStore;
  let bot: string;
  let base: string;
  const http = (args: string[], token = bot) => store.agent(token, ['http', ...args, '--upstream-ca', TEST_CA_FILE]);
  const addService = (name: string, args: string[]) => store.owner(['service', 'add', name, '--agent', 'bot', ...args]);
  const lastSeen = (): SeenRequest => server.seen.at(-1)!;

  beforeEach(async () => {
    store = new TempStore();
    await store.init();
    bot = await store.provision('bot');
    await store.provision('other');
    base = `https://127.0.0.1:${server.port}`;
    await addBrokered(store, 'bot', 'API_KEY', CANARY);
  });
  afterEach(async () => {
    expect(await auditText(store)).not.toContain(CANARY);
    store.cleanup();
  });

  describe('services', () => {
    it('are added, listed and removed by the owner, and listed by the agent, never with a value', async () => {
      const added = await addService('echo', ['--host', `127.0.0.1:${server.port}`, '--host', '*.Example.com', '--credential', 'API_KEY', '--auth', 'header:X-Api-Key', '--methods', 'get,post', '--path', '/v1/**', '--allow-private', '--json']);
      expect(added.code, added.stderr).toBe(0);
      expect(JSON.parse(added.stdout)).toMatchObject({ name: 'echo', hosts: [`127.0.0.1:${server.port}`, '*.example.com'], methods: ['GET', 'POST'], paths: ['/v1/**'], allow_private: true });
      const listed = await store.agent(bot, ['service', 'list']);
      expect(listed.stdout.trim().split('\t')).toEqual(['echo', `127.0.0.1:${server.port},*.example.com`, 'API_KEY', 'header:X-Api-Key', 'GET,POST', '/v1/**']);
      expect(listed.stdout + added.stdout).not.toContain(CANARY);
      expect((await store.owner(['service', 'remove', 'echo', '--agent', 'bot'])).code).toBe(0);
      expect((await store.owner(['service', 'list', '--agent', 'bot', '--json'])).stdout.trim()).toBe('[]');
      expect((await store.owner(['service', 'remove', 'echo', '--agent', 'bot'])).code).toBe(3);
      const audit = await store.owner(['audit', '--agent', 'bot', '--json']);
      expect(audit.stdout).toContain('"action": "service.add"');
      expect(audit.stdout).toContain('"action": "service.remove"');
    });

    it('cannot be changed with an agent token', async () => {
      const byAgent = await store.agent(bot, ['service', 'add', 'evil', '--host', 'evil.example', '--credential', 'API_KEY', '--auth', 'bearer']);
      expect(byAgent.code).toBe(5);
      expect((await store.agent(bot, ['service', 'remove', 'evil'])).code).toBe(5);
    });

    it.each([
      [['--host', 'https://api.x.com/', '--credential', 'API_KEY', '--auth', 'bearer'], 2, 'invalid --host'],
      [['--host', 'api.x.com.', '--credential', 'API_KEY', '--auth', 'bearer'], 2, 'trailing dot'],
      [['--host', 'user@api.x.com', '--credential', 'API_KEY', '--auth', 'bearer'], 2, 'invalid --host'],
      [['--host', 'äpi.x.com', '--credential', 'API_KEY', '--auth', 'bearer'], 2, 'xn--'],
      [['--host', '*.com', '--credential', 'API_KEY', '--auth', 'bearer'], 2, 'two labels'],
      [['--host', 'api.x.com', '--credential', 'API_KEY', '--auth', 'cookie'], 2, 'invalid --auth'],
      [['--host', 'api.x.com', '--credential', 'API_KEY', '--auth', 'header:Host'], 2, 'invalid --auth'],
      [['--host', 'api.x.com', '--credential', 'API_KEY', '--auth', 'bearer', '--path', 'v1/*'], 2, 'invalid --path'],
      [['--host', 'api.x.com', '--credential', 'API_KEY', '--auth', 'bearer', '--substitute', 'cookie'], 2, 'invalid --substitute'],
      [['--host', 'api.x.com', '--credential', 'API_KEY', '--auth', 'bearer', '--methods', 'GET;DROP'], 2, 'invalid --methods'],
      [['--host', 'api.x.com', '--credential', 'MISSING', '--auth', 'bearer'], 3, 'no credential "MISSING"'],
      [['--host', 'api.x.com', '--credential', 'API_KEY/nope', '--auth', 'bearer'], 2, 'no field'],
      [['--credential', 'API_KEY', '--auth', 'bearer'], 2, 'no host given'],
    ])('refuses %j', async (args, code, message) => {
      const result = await addService('svc', args);
      expect(result.code, result.stderr).toBe(code);
      expect(result.stderr).toContain(message);
    });

    it('refuses an invalid service name', async () => {
      expect((await addService('Bad.Name', ['--host', 'api.x.com', '--credential', 'API_KEY', '--auth', 'bearer'])).code).toBe(2);
    });
  });

  describe('the brokered reveal policy', () => {
    it('refuses the value to an agent on every path, with exit 5 naming the policy, and still shows it to the owner', async () => {
      await store.owner(['credential', 'set', 'PLAIN=-', '--agent', 'bot'], { input: 'plain-value' });
      const refused = [
        await store.agent(bot, ['credential', 'get', 'API_KEY']),
        await store.agent(bot, ['credential', 'get', 'API_KEY', '--json']),
        await store.agent(bot, ['credential', 'list', '--reveal']),
        await store.agent(bot, ['exec', '--', 'true']),
        await store.agent(bot, ['exec', '--only', 'API_KEY', '--', 'true']),
        await store.agent(bot, ['totp', 'API_KEY']),
        await store.agent(bot, ['credential', 'history', 'API_KEY', '--reveal']),
        await store.agent(bot, ['credential', 'rotate', 'API_KEY', '--', 'sh', '-c', 'printf %s "$AGENT_VAULT_OLD_VALUE" > leaked']),
      ];
      for (const result of refused) {
        expect(result.code, result.stderr).toBe(5);
        expect(result.stderr).toContain('reveal policy brokered');
        expect(result.stdout + result.stderr).not.toContain(CANARY);
      }
      const listed = await store.agent(bot, ['credential', 'list', '--json']);
      expect(listed.code).toBe(0);
      expect(listed.stdout).not.toContain(CANARY);
      expect(JSON.parse(listed.stdout)).toContainEqual(expect.objectContaining({ key: 'API_KEY', reveal_policy: 'brokered' }));
      // On a terminal the table masks a value the agent may read, and shows none, not even masked, for a brokered one.
      const table = (await store.agent(bot, ['credential', 'list'], { tty: true })).stdout.split('\n');
      expect(table.find((l) => l.includes('PLAIN'))).toContain('********');
      expect(table.find((l) => l.includes('API_KEY'))).not.toContain('********');
      expect((await store.agent(bot, ['exec', '--only', 'PLAIN', '--', 'true'])).code).toBe(0);
      expect(await store.owner(['credential', 'get', 'API_KEY', '--agent', 'bot'])).toMatchObject({ code: 0, stdout: `${CANARY}\n` });
      const audit = await store.owner(['audit', '--agent', 'bot', '--action', 'access.denied', '--json']);
      expect(audit.stdout).toContain('reveal policy brokered');
    });

    it('refuses a grant of a brokered credential, and ends a grant made before the policy was set', async () => {
      const other = await store.provision('reader');
      expect((await store.owner(['grant', 'API_KEY', '--to', 'reader', '--agent', 'bot'])).code).toBe(5);
      expect((await store.agent(bot, ['grant', 'API_KEY', '--to', 'reader'])).code).toBe(5);
      await store.owner(['credential', 'set', 'LATER=-', '--agent', 'bot'], { input: 'later-value' });
      expect((await store.owner(['grant', 'LATER', '--to', 'reader', '--agent', 'bot'])).code).toBe(0);
      expect((await store.agent(other, ['credential', 'get', 'LATER', '--agent', 'bot'])).stdout).toBe('later-value\n');
      expect((await store.owner(['credential', 'update', 'LATER', '--reveal-policy', 'brokered', '--agent', 'bot'])).code).toBe(0);
      const read = await store.agent(other, ['credential', 'get', 'LATER', '--agent', 'bot']);
      expect(read.code).toBe(5);
      expect(read.stdout).not.toContain('later-value');
      expect(read.stderr).toContain('has no grant for LATER');
      if (store.url === undefined) expect(existsSync(join(store.dir, 'grants', 'reader', 'bot.LATER.grant'))).toBe(false);
      // The grant is gone, not hidden: lifting the policy does not bring the value back to the grantee.
      expect((await store.owner(['credential', 'update', 'LATER', '--reveal-policy', 'any', '--agent', 'bot'])).code).toBe(0);
      expect((await store.agent(other, ['credential', 'get', 'LATER', '--agent', 'bot'])).code).toBe(5);
    });

    it('refuses an unknown policy', async () => {
      expect((await store.owner(['credential', 'update', 'API_KEY', '--reveal-policy', 'never', '--agent', 'bot'])).code).toBe(2);
    });
  });

  describe('http', () => {
    beforeEach(async () => {
      const added = await addService('echo', ['--host', `127.0.0.1:${server.port}`, '--credential', 'API_KEY', '--auth', 'bearer', '--allow-private']);
      expect(added.code, added.stderr).toBe(0);
    });

    it('attaches the credential for the upstream and scrubs it from the response the agent sees', async () => {
      const result = await http([`${base}/header-echo?q=1`, '--include', '-H', 'Authorization: Bearer forged']);
      expect(result.code, result.stderr).toBe(0);
      expect(lastSeen().headers.authorization).toBe(`Bearer ${CANARY}`);
      expect(result.stdout).toMatch(/^HTTP 200\r\n/);
      expect(result.stdout).toContain('x-echo-authorization: [redacted by agent-vault]');
      expect(result.stdout).not.toContain(CANARY);
      const audit = JSON.parse((await store.owner(['audit', '--agent', 'bot', '--action', 'broker.request', '--json'])).stdout) as Array<Record<string, unknown>>;
      expect(audit.at(-1)).toMatchObject({ service: 'echo', key: 'API_KEY', result: 'ok', request: { method: 'GET', host: `127.0.0.1:${server.port}`, path: '/header-echo', status: 200 } });
      expect(JSON.stringify(audit)).not.toContain('q=1');
    });

    it('scrubs base64 and URL-encoded forms of the value, and a Basic pair', async () => {
      await addService('echo', ['--host', `127.0.0.1:${server.port}`, '--credential', 'API_KEY', '--auth', 'basic', '--substitute', 'body', '--allow-private']);
      const body = JSON.stringify({ raw: '{{av:echo}}' });
      const result = await http(['POST', `${base}/x`, '--data', body, '--json']);
      expect(result.code, result.stderr).toBe(0);
      expect(lastSeen().body).toBe(JSON.stringify({ raw: CANARY }));
      expect(lastSeen().headers.authorization).toBe(`Basic ${Buffer.from(`${CANARY}:`).toString('base64')}`);
      const echoed = JSON.parse(JSON.parse(result.stdout).body as string) as SeenRequest;
      expect(echoed.headers.authorization).toBe('[redacted by agent-vault]');
      expect(result.stdout).not.toContain(CANARY);
      expect(result.stdout).not.toContain(CANARY_B64.slice(0, 20));
    });

    it('decodes a compressed response before scrubbing it', async () => {
      const result = await http([`${base}/gzip-echo`]);
      expect(result.code, result.stderr).toBe(0);
      expect(lastSeen().headers.authorization).toBe(`Bearer ${CANARY}`);
      expect(JSON.parse(result.stdout)).toMatchObject({ headers: { authorization: '[redacted by agent-vault]' } });
    });

    it('leaves placeholders alone unless --substitute allows the place', async () => {
      const result = await http(['POST', `${base}/x?k={{av:echo}}`, '-H', 'X-Key: {{av:echo}}', '--data', 'key={{av:echo}}']);
      expect(result.code, result.stderr).toBe(0);
      expect(lastSeen().body).toBe('key={{av:echo}}');
      expect(lastSeen().headers['x-key']).toBe('{{av:echo}}');
      expect(decodeURIComponent(lastSeen().url)).toContain('k={{av:echo}}');
      await addService('echo', ['--host', `127.0.0.1:${server.port}`, '--credential', 'API_KEY', '--auth', 'bearer', '--substitute', 'header,query', '--allow-private']);
      const substituted = await http(['POST', `${base}/x?k={{av:echo}}`, '-H', 'X-Key: {{av:echo}}', '--data', 'key={{av:echo}}']);
      expect(substituted.code).toBe(0);
      expect(lastSeen().headers['x-key']).toBe(CANARY);
      expect(new URL(lastSeen().url, base).searchParams.get('k')).toBe(CANARY);
      expect(lastSeen().body).toBe('key={{av:echo}}');
      expect(substituted.stdout).not.toContain(CANARY);
    });

    it('sends a header or query credential where the service says, replacing what the client sent', async () => {
      await addService('echo', ['--host', `127.0.0.1:${server.port}`, '--credential', 'API_KEY', '--auth', 'query:api_key', '--allow-private']);
      expect((await http([`${base}/q?api_key=mine&x=1`])).code).toBe(0);
      expect(new URL(lastSeen().url, base).searchParams.getAll('api_key')).toEqual([CANARY]);
      await addService('echo', ['--host', `127.0.0.1:${server.port}`, '--credential', 'API_KEY', '--auth', 'header:X-Api-Key:Token ', '--allow-private']);
      expect((await http([`${base}/h`, '-H', 'x-api-key: mine'])).code).toBe(0);
      expect(lastSeen().headers['x-api-key']).toBe(`Token ${CANARY}`);
    });

    it('refuses a method the service does not allow (403, exit 5) and sends a path outside its globs without the credential', async () => {
      await addService('echo', ['--host', `127.0.0.1:${server.port}`, '--credential', 'API_KEY', '--auth', 'bearer', '--methods', 'GET', '--path', '/v1/*', '--allow-private']);
      const before = server.seen.length;
      const post = await http(['POST', `${base}/v1/x`, '--data', 'x']);
      expect(post.code).toBe(5);
      expect(post.stderr).toContain('does not allow POST (403)');
      expect(server.seen.length).toBe(before);
      expect((await http([`${base}/v1/models`])).code).toBe(0);
      expect(lastSeen().headers.authorization).toBe(`Bearer ${CANARY}`);
      for (const path of ['/v2/models', '/v1/a/b', '/v1/..%2fadmin', '/v1/%2e%2e']) {
        const outside = await http([`${base}${path}`, '--json']);
        expect(outside.code, path).toBe(0);
        expect(JSON.parse(outside.stdout).credentialed, path).toBe(false);
        expect(lastSeen().headers.authorization, path).toBeUndefined();
      }
    });

    it('is exit 5 for a URL no service covers, and exit 2 for a URL that could mean two hosts', async () => {
      const unmatched = await http([`https://localhost:${server.port}/x`]);
      expect(unmatched.code).toBe(5);
      expect(unmatched.stderr).toContain('no service of agent bot covers');
      expect((await http([`http://127.0.0.1:${server.port}/x`])).code).toBe(5);
      for (const url of [`https://127.0.0.1:${server.port}@evil.example/`, `https://evil.example\\@127.0.0.1:${server.port}/`, `https://127.0.0.1.:${server.port}/`, 'not a url']) {
        const result = await http([url]);
        expect(result.code, url).toBe(2);
      }
    });

    it('never carries the credential across a redirect to another origin', async () => {
      const target = `https://localhost:${server.port}/landed`;
      const result = await http([`${base}/redirect?to=${encodeURIComponent(target)}`, '-L']);
      expect(result.code, result.stderr).toBe(0);
      const [redirect, landed] = server.seen.slice(-2);
      expect(redirect!.headers.authorization).toBe(`Bearer ${CANARY}`);
      expect(landed!.url).toBe('/landed');
      expect(landed!.headers.authorization).toBeUndefined();
      const sameOrigin = await http([`${base}/redirect?to=${encodeURIComponent(`${base}/again`)}`, '-L']);
      expect(sameOrigin.code).toBe(0);
      expect(lastSeen()).toMatchObject({ url: '/again', headers: { authorization: `Bearer ${CANARY}` } });
    });

    it('refuses a service host that resolves to loopback without --allow-private', async () => {
      await addService('local', ['--host', `localhost:${server.port}`, '--credential', 'API_KEY', '--auth', 'bearer']);
      await addService('echo', ['--host', `127.0.0.1:${server.port}`, '--credential', 'API_KEY', '--auth', 'bearer']);
      const before = server.seen.length;
      for (const url of [`https://localhost:${server.port}/x`, `${base}/x`]) {
        const result = await http([url]);
        expect(result.code, url).toBe(5);
        expect(result.stderr).toContain('--allow-private');
      }
      expect(server.seen.length).toBe(before);
    });

    it('refuses broker options without --broker, and an upstream CA file that cannot be read', async () => {
      for (const args of [['exec', '--deny-unmatched', '--', 'true'], ['exec', '--upstream-ca', TEST_CA_FILE, '--', 'true']]) {
        const result = await store.agent(bot, args);
        expect(result.code, args.join(' ')).toBe(2);
        expect(result.stderr).toContain('go with --broker');
      }
      const before = server.seen.length;
      const missing = await store.agent(bot, ['http', `${base}/x`, '--upstream-ca', join(store.root, 'missing.pem')]);
      expect(missing.code).toBe(2);
      expect(server.seen.length).toBe(before);
    });

    it('is refused to an agent without a token of its own vault, and reads the request body from a file or stdin', async () => {
      const otherToken = await store.provision('third');
      expect((await http([`${base}/x`], otherToken)).code).toBe(5);
      const viaStdin = await store.agent(bot, ['http', 'PUT', `${base}/x`, '--data', '-', '--upstream-ca', TEST_CA_FILE], { input: 'from stdin' });
      expect(viaStdin.code).toBe(0);
      expect(lastSeen()).toMatchObject({ method: 'PUT', body: 'from stdin' });
      expect((await http(['POST', `${base}/x`, '--data', `@${TEST_CA_FILE}`])).code).toBe(0);
      expect(lastSeen().body).toContain('BEGIN CERTIFICATE');
      expect((await http([`${base}/x`, '-H', 'no colon'])).code).toBe(2);
      expect((await http(['GE T', `${base}/x`])).code).toBe(2);
    });
  });
});
