/**
 * `agent-vault mcp` as an MCP client sees it: the built server spawned, driven over
 * stdio by the SDK's client. A canary value seeded in the vault must appear in no tool
 * result, stderr line or audit line, but through credential_get of a key the user
 * allowed; stdout holds nothing but JSON-RPC, errors and refusals included.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/cli.js';
import { addBrokered, addEchoService, useEchoServer } from '../helpers/broker.js';
import { storeText } from '../helpers/temp-store.js';
import { TEST_CA_FILE } from '../helpers/echo-server.js';
import { spawnMcp, startMcp, type McpRun } from '../helpers/mcp-client.js';

const CANARY = 'sk-canary-mcp-7Hq2Lw9ZpX4vRt';
const BROKERED_CANARY = 'sk-brokered-canary-Vn3Jq8sKe1';
const REVEALED = 'postgres://app:revealed-Zk2Pq9@db/app';
const TOTP_SEED = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const TIMEOUT = 60_000;

type Result = { isError?: boolean; structuredContent?: Record<string, unknown>; content: Array<{ type: string; text?: string }> };

function expectJsonRpcOnly(lines: string[]): void {
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) expect((JSON.parse(line) as { jsonrpc?: string }).jsonrpc, line).toBe('2.0');
}

describe('agent-vault mcp', () => {
  let store: TempStore;
  let token: string;
  let tokenFile: string;
  const server = useEchoServer();
  let running: McpRun[] = [];

  const call = async (run: McpRun, name: string, args: Record<string, unknown> = {}): Promise<Result> => (await run.client.callTool({ name, arguments: args })) as Result;
  const start = async (args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<McpRun> => {
    const run = await startMcp(args, { ...store.env, AGENT_VAULT_TOKEN_FILE: tokenFile, ...env });
    running.push(run);
    return run;
  };
  const auditLines = async (): Promise<Array<Record<string, unknown>>> => {
    const result = await store.owner(['audit', '--json', '--agent', 'bot']);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as Array<Record<string, unknown>>;
  };

  beforeEach(async () => {
    ({ store, token } = await TempStore.withAgent());
    tokenFile = join(store.root, 'bot.token');
    writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
    const add = async (args: string[], input?: string): Promise<void> => {
      const result = await store.owner(['credential', 'add', ...args, '--agent', 'bot'], input === undefined ? {} : { input });
      expect(result.code, result.stderr).toBe(0);
    };
    await add(['OPENAI_KEY', '--value-stdin', '--tag', 'ai'], CANARY);
    await add(['DB_URL', '--value-stdin'], REVEALED);
    await addBrokered(store, 'bot', 'ECHO_KEY', BROKERED_CANARY);
    await add(['GITHUB', '--type', 'login', '--username', 'bot-user', '--totp-stdin'], TOTP_SEED);
  }, TIMEOUT);

  afterEach(async () => {
    for (const run of running) {
      run.child.kill('SIGKILL');
      for (const text of [run.stderr(), ...run.stdoutLines]) {
        expect(text).not.toContain(CANARY);
        expect(text).not.toContain(BROKERED_CANARY);
        expect(text).not.toContain(TOTP_SEED);
      }
    }
    running = [];
    const text = storeText(store.dir);
    expect(text).not.toContain(CANARY);
    expect(text).not.toContain(token);
    store.cleanup();
  });

  it('lists its tools with their schemas and annotations (snapshot), credential_get and http_request only when they apply', async () => {
    const plain = await start();
    const names = (await plain.client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(['vault_status', 'credential_list', 'credential_search', 'totp_code', 'password_generate', 'credential_request', 'proposal_status']);

    await addEchoService(store, server, { agent: 'bot', credential: 'ECHO_KEY' });
    const full = await start(['--allow-reveal', 'DB_URL,ECHO_KEY,MISSING']);
    const { tools } = await full.client.listTools();
    expect(tools.map((t) => ({ name: t.name, inputSchema: t.inputSchema, annotations: t.annotations }))).toMatchSnapshot();
    // The brokered key is never offered; each refusal is said on stderr.
    const get = tools.find((t) => t.name === 'credential_get')!;
    expect(JSON.stringify(get.inputSchema)).toContain('DB_URL');
    expect(JSON.stringify(get.inputSchema)).not.toContain('ECHO_KEY');
    expect(full.stderr()).toContain('ECHO_KEY: a brokered credential is never revealed');
    expect(full.stderr()).toContain('MISSING: no such credential');

    const readOnly = await start(['--read-only', '--allow-reveal', 'DB_URL']);
    const ro = (await readOnly.client.listTools()).tools;
    expect(ro.map((t) => t.name)).not.toContain('credential_request');
    expect(JSON.stringify(ro.find((t) => t.name === 'password_generate')!.inputSchema)).not.toContain('save_as');
    for (const tool of ro) expect(tool.annotations?.readOnlyHint, tool.name).toBe(true);
    for (const run of [plain, full, readOnly]) expectJsonRpcOnly(run.stdoutLines);
  }, TIMEOUT);

  it('hands out metadata, TOTP codes and allowed values only, each call an audit event marked via mcp with the client', async () => {
    const run = await start(['--allow-reveal', 'DB_URL']);
    const status = await call(run, 'vault_status');
    expect(status.structuredContent).toMatchObject({ agent: 'bot', credentials: 4, revealable: ['DB_URL'] });

    const list = await call(run, 'credential_list');
    const keys = (list.structuredContent!.credentials as Array<{ key: string; fields: Record<string, string> }>).map((c) => c.key).sort();
    expect(keys).toEqual(['DB_URL', 'ECHO_KEY', 'GITHUB', 'OPENAI_KEY']);
    expect(JSON.stringify(list)).toContain('bot-user');
    expect(JSON.stringify(list)).not.toContain(REVEALED);
    // Read from the vault's listing, which holds no value: which credential has a TOTP secret is still known.
    const hasTotp = (list.structuredContent!.credentials as Array<{ key: string; has_totp: boolean }>).filter((c) => c.has_totp).map((c) => c.key);
    expect(hasTotp).toEqual(['GITHUB']);

    const search = await call(run, 'credential_search', { query: 'openai' });
    expect((search.structuredContent!.credentials as Array<{ key: string }>).map((c) => c.key)).toEqual(['OPENAI_KEY']);

    const totp = await call(run, 'totp_code', { key: 'GITHUB' });
    expect(totp.isError).toBeFalsy();
    expect(totp.structuredContent!.code).toMatch(/^\d{6}$/);
    expect(JSON.parse(totp.content[0]!.text!)).toEqual(totp.structuredContent);

    const revealed = await call(run, 'credential_get', { key: 'DB_URL' });
    expect(revealed.structuredContent).toEqual({ key: 'DB_URL', field: null, value: REVEALED });
    // A key outside the list is refused by the schema, before any vault read.
    const other = await call(run, 'credential_get', { key: 'OPENAI_KEY' }).catch((err: Error) => ({ isError: true, content: [{ type: 'text', text: err.message }] }) as Result);
    expect(other.isError).toBe(true);

    const lines = await auditLines();
    const mcp = lines.filter((l) => l.via === 'mcp');
    expect(mcp.map((l) => `${String(l.action)} ${String(l.key ?? '')}`)).toEqual(['vault.status ', 'credential.list ', 'credential.search ', 'totp.generate GITHUB', 'credential.get DB_URL']);
    for (const line of mcp) expect(line).toMatchObject({ actor: 'agent:bot', client: 'vitest-mcp-client', result: 'ok' });
    expect(JSON.stringify(lines)).not.toContain(CANARY);
    expect(JSON.stringify(lines)).not.toContain(REVEALED);
    const verify = await store.owner(['audit', 'verify']);
    expect(verify.code, verify.stderr).toBe(0);
    expectJsonRpcOnly(run.stdoutLines);
  }, TIMEOUT);

  it('never reveals a brokered credential, even when named in --allow-reveal, and refuses its TOTP-less reads with a code', async () => {
    const run = await start(['--allow-reveal', 'ECHO_KEY,DB_URL']);
    expect((await run.client.listTools()).tools.find((t) => t.name === 'credential_get')!.inputSchema).not.toMatchObject({ properties: { key: { enum: expect.arrayContaining(['ECHO_KEY']) } } });
    const refused = await call(run, 'totp_code', { key: 'ECHO_KEY' });
    expect(refused.isError).toBe(true);
    expect((refused.structuredContent!.error as { code: string }).code).toBe('access_denied');
    const missing = await call(run, 'totp_code', { key: 'NOPE' });
    expect((missing.structuredContent!.error as { code: string }).code).toBe('not_found');
    const noTotp = await call(run, 'totp_code', { key: 'OPENAI_KEY' });
    expect(noTotp.isError).toBe(true);
    expect(JSON.stringify(noTotp)).not.toContain(CANARY);
    expectJsonRpcOnly(run.stdoutLines);
  }, TIMEOUT);

  it('totp_code reads a credential granted by another agent through the grant, and nothing once it is revoked', async () => {
    await store.provision('other');
    expect((await store.owner(['credential', 'add', 'SHARED', '--type', 'login', '--username', 'o', '--totp-stdin', '--agent', 'other'], { input: TOTP_SEED })).code).toBe(0);
    expect((await store.owner(['grant', 'SHARED', '--to', 'bot', '--agent', 'other'])).code).toBe(0);
    const run = await start();
    const listed = (await call(run, 'credential_list')).structuredContent!.credentials as Array<{ key: string; granted_by?: string }>;
    expect(listed.find((c) => c.key === 'SHARED')).toMatchObject({ granted_by: 'other', has_totp: true });
    expect((await call(run, 'totp_code', { key: 'SHARED', granted_by: 'other' })).structuredContent!.code).toMatch(/^\d{6}$/);
    // By its key alone too, as `totp SHARED` reads the one live grant of it.
    expect((await call(run, 'totp_code', { key: 'SHARED' })).structuredContent!.code).toMatch(/^\d{6}$/);
    expect((await store.owner(['grant', 'revoke', 'SHARED', '--to', 'bot', '--agent', 'other'])).code).toBe(0);
    const revoked = await call(run, 'totp_code', { key: 'SHARED', granted_by: 'other' });
    expect((revoked.structuredContent!.error as { code: string }).code).toBe('access_denied');
    expect(((await call(run, 'totp_code', { key: 'SHARED' })).structuredContent!.error as { code: string }).code).toBe('not_found');
    expectJsonRpcOnly(run.stdoutLines);
  }, TIMEOUT);

  it('reads the vault afresh on each call: a credential added shows, a rotated token serves nothing more; it exits 0 when the client closes', async () => {
    const run = await start();
    expect((await store.owner(['credential', 'set', 'LATER=-', '--agent', 'bot'], { input: 'later-value' })).code).toBe(0);
    const keys = ((await call(run, 'credential_list')).structuredContent!.credentials as Array<{ key: string }>).map((c) => c.key);
    expect(keys).toContain('LATER');
    expect((await store.owner(['token', 'rotate', 'bot'])).code).toBe(0);
    const after = await call(run, 'credential_list');
    expect(after.isError).toBe(true);
    expect((after.structuredContent!.error as { code: string }).code).toBe('access_denied');
    expect(JSON.stringify(after)).not.toContain('LATER');
    expectJsonRpcOnly(run.stdoutLines);
    expect(await run.stop()).toBe(0);
  }, TIMEOUT);

  it('password_generate with save_as stores a value and returns none; without it returns one', async () => {
    const run = await start();
    const shown = await call(run, 'password_generate', { length: 32 });
    expect((shown.structuredContent!.password as string).length).toBe(32);
    const saved = await call(run, 'password_generate', { length: 40, save_as: 'NEW_SECRET' });
    expect(saved.isError).toBeFalsy();
    expect(saved.structuredContent).toMatchObject({ key: 'NEW_SECRET', saved: true, created: true });
    expect(saved.structuredContent).not.toHaveProperty('password');
    const stored = await store.owner(['credential', 'get', 'NEW_SECRET', '--agent', 'bot']);
    expect(stored.code, stored.stderr).toBe(0);
    const value = stored.stdout.trim();
    expect(value).toHaveLength(40);
    expect(JSON.stringify(saved)).not.toContain(value);
    expect(run.stdoutLines.join('\n')).not.toContain(value);
    const bad = await call(run, 'password_generate', { save_as: 'not a key!' });
    expect(bad.isError).toBe(true);
    expect((bad.structuredContent!.error as { code: string }).code).toBe('invalid_argument');
    const set = (await auditLines()).filter((l) => l.action === 'credential.set');
    expect(set).toEqual([expect.objectContaining({ key: 'NEW_SECRET', via: 'mcp', actor: 'agent:bot' })]);
    expectJsonRpcOnly(run.stdoutLines);
  }, TIMEOUT);

  it("password_generate has generate's bounds and rules: what one refuses the other refuses, and each setting gives the same strength", async () => {
    const run = await start();
    const cases: Array<[Record<string, unknown>, string[], boolean]> = [
      [{ length: 3 }, ['--length', '3'], false],
      [{ length: 4 }, ['--length', '4'], true],
      [{ length: 1024 }, ['--length', '1024'], true],
      [{ length: 1025 }, ['--length', '1025'], false],
      [{ length: 2000 }, ['--length', '2000'], false],
      [{ length: 20, symbols: false, exclude_ambiguous: true }, ['--length', '20', '--no-symbols', '--exclude-ambiguous'], true],
      [{ words: 2 }, ['--words', '2'], false],
      [{ words: 3 }, ['--words', '3'], true],
      [{ passphrase: true }, ['--passphrase'], true],
      [{ words: 64 }, ['--words', '64'], true],
      [{ words: 65 }, ['--words', '65'], false],
    ];
    for (const [args, flags, accepted] of cases) {
      const cli = await store.run(['generate', ...flags, '--json']);
      expect(cli.code, `generate ${flags.join(' ')}: ${cli.stderr}`).toBe(accepted ? 0 : 2);
      const tool = await call(run, 'password_generate', args);
      expect(tool.isError === true, JSON.stringify(tool)).toBe(!accepted);
      if (!accepted) continue;
      const made = JSON.parse(cli.stdout) as { password: string; entropy_bits: number };
      expect(tool.structuredContent!.entropy_bits, JSON.stringify(args)).toBe(made.entropy_bits);
      if (args.length !== undefined) expect(tool.structuredContent!.password as string).toHaveLength(args.length as number);
    }
    // A password setting with a passphrase: the command's refusal, naming the argument.
    const mixed = await call(run, 'password_generate', { passphrase: true, length: 10 });
    expect(mixed.structuredContent!.error).toEqual({ code: 'invalid_argument', message: 'length applies to passwords, not passphrases' });
    expect((await store.run(['generate', '--passphrase', '--length', '10'])).stderr).toContain('--length applies to passwords, not passphrases');
    expectJsonRpcOnly(run.stdoutLines);
  }, TIMEOUT);

  it('credential_request creates a proposal the owner sees, and proposal_status follows it', async () => {
    const run = await start();
    const made = await call(run, 'credential_request', { credentials: [{ key: 'STRIPE_KEY', description: 'test-mode key for the billing tests' }], message: 'for billing' });
    expect(made.isError, JSON.stringify(made)).toBeFalsy();
    const id = made.structuredContent!.id as string;
    const listed = await store.owner(['proposal', 'list', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ id, agent: 'bot', status: 'pending', message: 'for billing' })]);
    expect((await call(run, 'proposal_status', { id })).structuredContent).toMatchObject({ id, status: 'pending' });
    // A read of the key asked for, before the owner decides: `pending`.
    expect(((await call(run, 'totp_code', { key: 'STRIPE_KEY' })).structuredContent!.error as { code: string }).code).toBe('pending');
    const rejected = await store.owner(['proposal', 'reject', id, '--agent', 'bot', '--reason', 'not now']);
    expect(rejected.code, rejected.stderr).toBe(0);
    expect((await call(run, 'proposal_status', { id })).structuredContent).toMatchObject({ id, status: 'rejected' });
    const unknown = await call(run, 'proposal_status', { id: 'aaaaaaaaaaaa' });
    expect((unknown.structuredContent!.error as { code: string }).code).toBe('not_found');
    expect((await auditLines()).filter((l) => l.action === 'proposal.create')).toEqual([expect.objectContaining({ proposal: id, via: 'mcp' })]);
    const statusLines = (await auditLines()).filter((l) => l.action === 'proposal.status');
    expect(statusLines.map((l) => [l.proposal, l.result, l.via])).toEqual([
      [id, 'ok', 'mcp'],
      [id, 'ok', 'mcp'],
      ['aaaaaaaaaaaa', 'not_found', 'mcp'],
    ]);
    expectJsonRpcOnly(run.stdoutLines);
  }, TIMEOUT);

  it('http_request goes through the broker: the upstream gets the credential, the model a scrubbed response; other hosts are host_not_allowed', async () => {
    await addEchoService(store, server, { agent: 'bot', credential: 'ECHO_KEY', extra: ['--methods', 'GET'] });
    const run = await start(['--upstream-ca', TEST_CA_FILE]);
    const sent = await call(run, 'http_request', { url: `https://127.0.0.1:${server.port}/header-echo` });
    expect(sent.isError, JSON.stringify(sent)).toBeFalsy();
    expect(server.seen.at(-1)!.headers.authorization).toBe(`Bearer ${BROKERED_CANARY}`);
    expect(sent.structuredContent).toMatchObject({ status: 200, service: 'echo', credentialed: true });
    expect(JSON.stringify(sent)).not.toContain(BROKERED_CANARY);
    expect(JSON.stringify(sent)).toContain('[redacted by agent-vault]');
    const elsewhere = await call(run, 'http_request', { url: 'https://example.invalid/' });
    expect((elsewhere.structuredContent!.error as { code: string }).code).toBe('host_not_allowed');
    const post = await call(run, 'http_request', { method: 'POST', url: `https://127.0.0.1:${server.port}/x`, body: 'hi' });
    expect((post.structuredContent!.error as { code: string }).code).toBe('access_denied');
    const requests = (await auditLines()).filter((l) => l.action === 'broker.request');
    expect(requests.length).toBeGreaterThanOrEqual(2);
    for (const line of requests) expect(line).toMatchObject({ via: 'mcp', client: 'vitest-mcp-client' });
    expect(JSON.stringify(requests)).not.toContain(BROKERED_CANARY);
    expectJsonRpcOnly(run.stdoutLines);
  }, TIMEOUT);

  describe('refuses to start, writing nothing to stdout', () => {
    const refused = async (args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string[]; stderr: string }> => {
      const { child, stdoutLines, stderr, exited } = spawnMcp(args, { ...store.env, ...env });
      const raw: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => raw.push(c));
      child.stdin.end();
      const code = await exited;
      stdoutLines.push(...Buffer.concat(raw).toString('utf8').split('\n').filter(Boolean));
      return { code, stdout: stdoutLines, stderr: stderr() };
    };

    it('without a token (exit 4)', async () => {
      const result = await refused([], {});
      expect(result).toMatchObject({ code: 4, stdout: [] });
      expect(result.stderr).toContain('needs an agent token');
    }, TIMEOUT);

    it('with a forged token (exit 4)', async () => {
      const forged = token.slice(0, -6) + (token.endsWith('AAAAAA') ? 'BBBBBB' : 'AAAAAA');
      const result = await refused([], { AGENT_VAULT_TOKEN: forged });
      expect(result.code).toBe(4);
      expect(result.stdout).toEqual([]);
      expect(result.stderr).not.toContain(forged);
    }, TIMEOUT);

    it('as the owner, or with a passphrase or session beside a token (exit 2)', async () => {
      for (const env of [
        { AGENT_VAULT_PASSPHRASE_FILE: store.passphraseFile },
        { AGENT_VAULT_PASSPHRASE: 'correct horse battery staple', AGENT_VAULT_TOKEN_FILE: tokenFile },
        { AGENT_VAULT_SESSION: 'avs1.whatever', AGENT_VAULT_TOKEN_FILE: tokenFile },
      ]) {
        const result = await refused([], env);
        expect(result.code, JSON.stringify(env)).toBe(2);
        expect(result.stdout).toEqual([]);
        expect(result.stderr).toContain('serves an agent, never the owner');
      }
    }, TIMEOUT);

    it('with --json, the refusal as a JSON error on stderr', async () => {
      const result = await refused(['--json'], {});
      expect(result).toMatchObject({ code: 4, stdout: [] });
      expect(JSON.parse(result.stderr)).toMatchObject({ error: { code: 'auth_failed', exit: 4 } });
    }, TIMEOUT);

    it('with the token on the command line (exit 2)', async () => {
      const result = await refused(['--token-file', tokenFile], {});
      expect(result).toMatchObject({ code: 2, stdout: [] });
      expect(result.stderr).toContain('only from the environment');
    }, TIMEOUT);
  });
});
