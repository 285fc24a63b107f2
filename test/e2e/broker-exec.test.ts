/**
 * `exec --broker` as a process, against a local HTTPS echo server with its own CA: curl
 * through the forward proxy, Node's fetch through the base-URL route, and what the child
 * can and cannot get: the upstream receives the credential, while the child's
 * environment, command lines and output never hold it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/cli.js';
import { addBrokered, addEchoService, useEchoServer } from '../helpers/broker.js';
import { storeText } from '../helpers/temp-store.js';
import { TEST_CA_FILE } from '../helpers/echo-server.js';
import { skipWithout } from '../helpers/tools.js';

const CANARY = 'sk-canary-Qx81vNa0Lr5YzT3k';

describe.skipIf(skipWithout('curl'))('exec --broker', () => {
  const server = useEchoServer();
  let store: TempStore;
  let bot: string;
  let scratch: string;
  let base: string;
  const brokered = (script: string, extra: string[] = []) =>
    store.agent(bot, ['exec', '--broker', '--upstream-ca', TEST_CA_FILE, ...extra, '--', 'sh', '-c', script], { env: { SCRATCH: scratch, NO_PROXY: '*', no_proxy: '*' }, timeout: 60_000 });
  const curl = (url: string, more = ''): string => `curl -sS --max-time 20 -H "Authorization: Bearer $API_KEY" ${more} '${url}'`;

  beforeEach(async () => {
    store = new TempStore();
    scratch = mkdtempSync(join(tmpdir(), 'agent-vault-broker-test-'));
    await store.init();
    bot = await store.provision('bot');
    base = `https://127.0.0.1:${server.port}`;
    await addBrokered(store, 'bot', 'API_KEY', CANARY);
    await addEchoService(store, server, { agent: 'bot', credential: 'API_KEY', extra: ['--methods', 'GET'] });
  });
  afterEach(() => {
    expect(storeText(store.dir)).not.toContain(CANARY);
    expect(storeText(store.dir)).not.toContain('PRIVATE KEY');
    store.cleanup();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('gives the upstream the credential and the child only a placeholder, in its environment, command lines and output', async () => {
    const script = [
      'env > "$SCRATCH/env"',
      'cat /proc/$$/cmdline /proc/$PPID/cmdline /proc/$PPID/environ > "$SCRATCH/procs"',
      'ls -A "$(dirname "$SSL_CERT_FILE")" > "$SCRATCH/ca-dir"; grep -c "PRIVATE KEY" "$SSL_CERT_FILE" > "$SCRATCH/keys"; echo "$SSL_CERT_FILE" > "$SCRATCH/ca-file"',
      curl(`${base}/header-echo`, '-i'),
    ].join('; ');
    const result = await brokered(script);
    expect(result.code, result.stderr).toBe(0);
    expect(server.seen.at(-1)!.headers.authorization).toBe(`Bearer ${CANARY}`);
    expect(result.stdout).toContain('HTTP/1.1 200');
    expect(result.stdout).toContain('[redacted by agent-vault]');
    for (const text of [result.stdout, result.stderr, readFileSync(join(scratch, 'env'), 'utf8'), readFileSync(join(scratch, 'procs'), 'latin1')]) expect(text).not.toContain(CANARY);
    const env = Object.fromEntries(readFileSync(join(scratch, 'env'), 'utf8').split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    expect(env.API_KEY).toMatch(/^avp_[A-Za-z0-9_-]{32}$/);
    expect(env.HTTPS_PROXY).toMatch(/^http:\/\/agent-vault:[A-Za-z0-9_-]+@127\.0\.0\.1:\d+$/);
    expect(env.https_proxy).toBe(env.HTTPS_PROXY);
    expect(env.NODE_USE_ENV_PROXY).toBe('1');
    expect(env.NO_PROXY).toBeUndefined();
    expect(env.no_proxy).toBeUndefined();
    for (const name of ['NODE_EXTRA_CA_CERTS', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'GIT_SSL_CAINFO']) expect(env[name], name).toBe(env.SSL_CERT_FILE);
    expect(env.AGENT_VAULT_URL_ECHO).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/echo$/);
    expect(env.AGENT_VAULT_TOKEN).toBeUndefined();
    // Only the certificate bundle was ever on disk, and it is gone with the run.
    expect(readFileSync(join(scratch, 'ca-dir'), 'utf8').trim()).toBe('ca.pem');
    expect(readFileSync(join(scratch, 'keys'), 'utf8').trim()).toBe('0');
    expect(existsSync(readFileSync(join(scratch, 'ca-file'), 'utf8').trim())).toBe(false);
    const audit = JSON.parse((await store.owner(['audit', '--agent', 'bot', '--action', 'broker.request', '--json'])).stdout) as Array<Record<string, unknown>>;
    expect(audit.at(-1)).toMatchObject({ service: 'echo', request: { method: 'GET', path: '/header-echo', status: 200 } });
  });

  it('passes other hosts through untouched with only the placeholder, or refuses them with --deny-unmatched', async () => {
    const other = `https://localhost:${server.port}/elsewhere`;
    const passed = await brokered(curl(other));
    expect(passed.code, passed.stderr).toBe(0);
    const seen = server.seen.at(-1)!;
    expect(seen.url).toBe('/elsewhere');
    expect(seen.headers.authorization).toMatch(/^Bearer avp_/);
    const denied = await brokered(`${curl(other)}; echo "curl=$?"`, ['--deny-unmatched']);
    expect(denied.stdout).toContain('curl=56');
    expect(denied.stderr).toContain('403');
  });

  it('refuses a disallowed method with 403, and a client without the proxy password with 407', async () => {
    const before = server.seen.length;
    const post = await brokered(`${curl(`${base}/x`, '-X POST -o /dev/null -w "%{http_code}"')}; echo`);
    expect(post.stdout.trim()).toBe('403');
    const noPassword = await brokered(`curl -sS --max-time 20 --proxy "http://127.0.0.1:\${HTTPS_PROXY##*:}" '${base}/x'; echo "curl=$?"`);
    expect(noPassword.stdout).toContain('curl=56');
    expect(noPassword.stderr).toContain('407');
    expect(server.seen.length).toBe(before);
  });

  it("serves the base-URL route to Node's fetch with the placeholder, and refuses it without one or with an Origin", async () => {
    const fetchScript = (headers: string): string =>
      `node -e 'fetch(process.env.AGENT_VAULT_URL_ECHO + "/v1/models?x=1", { headers: ${headers} }).then(async (r) => console.log(r.status, await r.text()))'`;
    const ok = await brokered(fetchScript('{ authorization: "Bearer " + process.env.API_KEY }'));
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^200 /);
    expect(server.seen.at(-1)).toMatchObject({ url: '/v1/models?x=1', headers: { authorization: `Bearer ${CANARY}` } });
    expect(ok.stdout).not.toContain(CANARY);
    const before = server.seen.length;
    const without = await brokered(fetchScript('{ authorization: "Bearer guess" }'));
    expect(without.stdout).toMatch(/^401 /);
    const browser = await brokered(fetchScript('{ authorization: "Bearer " + process.env.API_KEY, origin: "https://evil.example" }'));
    expect(browser.stdout).toMatch(/^403 /);
    expect(server.seen.length).toBe(before);
  });

  it('removes the CA file when agent-vault is stopped with SIGTERM', async () => {
    const running = store.start(['exec', '--broker', '--upstream-ca', TEST_CA_FILE, '--', 'sh', '-c', 'echo "$SSL_CERT_FILE"; exec sleep 60'], { env: { AGENT_VAULT_TOKEN: bot } });
    const caFile = (await running.waitFor('\n', { stream: 'stdout' })).trim();
    expect(existsSync(caFile)).toBe(true);
    running.child.kill('SIGTERM');
    expect((await running.done).code).toBe(143);
    expect(existsSync(caFile)).toBe(false);
  });

  it('is a usage error for an agent without services, and refuses the brokered value to a plain exec', async () => {
    expect((await store.owner(['service', 'remove', 'echo', '--agent', 'bot'])).code).toBe(0);
    const none = await brokered('true');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no services');
    const plain = await store.agent(bot, ['exec', '--', 'sh', '-c', 'echo "$API_KEY"']);
    expect(plain.code).toBe(5);
    expect(plain.stdout).not.toContain(CANARY);
  });
});
