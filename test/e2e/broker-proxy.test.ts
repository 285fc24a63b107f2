/**
 * `proxy` as a process: it prints the environment a program started elsewhere needs,
 * that program (curl) reaches a service through it with only a placeholder, and SIGTERM
 * or SIGINT ends it cleanly, its CA file removed.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/cli.js';
import { addBrokered, addEchoService, useEchoServer } from '../helpers/broker.js';
import { TEST_CA_FILE } from '../helpers/echo-server.js';
import { skipWithout } from '../helpers/tools.js';

const CANARY = 'sk-canary-proxy-Wm3s9Kd2';

function runShell(script: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', script], { env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe.skipIf(skipWithout('curl', 'sh'))('proxy', () => {
  const server = useEchoServer();
  let store: TempStore;
  let bot: string;

  beforeEach(async () => {
    store = new TempStore();
    await store.init();
    bot = await store.provision('bot');
    await addBrokered(store, 'bot', 'API_KEY', CANARY);
    await addEchoService(store, server, { agent: 'bot', credential: 'API_KEY' });
  });
  afterEach(() => store.cleanup());

  /** Starts `proxy`; `ready` resolves with its export lines once the broker listens, `ended` with its exit code. */
  function startProxy(extra: string[] = []) {
    const proxy = store.start(['proxy', '--upstream-ca', TEST_CA_FILE, ...extra], { env: { AGENT_VAULT_TOKEN: bot } });
    const ready = proxy.waitFor('listens on', { stream: 'stderr' }).then(() => proxy.stdout());
    return { child: proxy.child, ready, ended: proxy.done.then((result) => result.code) };
  }

  it.each(['SIGTERM', 'SIGINT'] as const)('prints export lines a program uses, and ends cleanly on %s', async (signal) => {
    const proxy = startProxy();
    const exports = await proxy.ready;
    expect(exports).toMatch(/^export HTTPS_PROXY='http:\/\/agent-vault:[^']+@127\.0\.0\.1:\d+'$/m);
    expect(exports).toMatch(/^export API_KEY='avp_[A-Za-z0-9_-]+'$/m);
    expect(exports).toMatch(/^export AGENT_VAULT_URL_ECHO='http:\/\/127\.0\.0\.1:\d+\/echo'$/m);
    expect(exports).toMatch(/^unset NO_PROXY no_proxy$/m);
    expect(exports).not.toContain(CANARY);
    const caFile = /^export SSL_CERT_FILE='([^']+)'$/m.exec(exports)![1]!;
    expect(existsSync(caFile)).toBe(true);
    const script = `${exports}\ncurl -sS --max-time 20 -H "Authorization: Bearer $API_KEY" https://127.0.0.1:${server.port}/header-echo`;
    // Not spawnSync: the echo server answers from this process's event loop.
    const curl = await runShell(script);
    expect(curl.status, curl.stderr).toBe(0);
    expect(server.seen.at(-1)!.headers.authorization).toBe(`Bearer ${CANARY}`);
    expect(curl.stdout).not.toContain(CANARY);
    proxy.child.kill(signal);
    expect(await proxy.ended).toBe(0);
    expect(existsSync(caFile)).toBe(false);
  });

  it('gives the same environment as one JSON object, and refuses a bad port', async () => {
    const proxy = startProxy(['--json']);
    const json = JSON.parse(await proxy.ready) as { agent: string; port: number; env: Record<string, string>; unset: string[] };
    expect(json).toMatchObject({ agent: 'bot', unset: ['NO_PROXY', 'no_proxy'] });
    expect(json.env.HTTPS_PROXY).toContain(`127.0.0.1:${json.port}`);
    proxy.child.kill('SIGTERM');
    expect(await proxy.ended).toBe(0);
    expect((await store.agent(bot, ['proxy', '--port', '99999'])).code).toBe(2);
  });
});
