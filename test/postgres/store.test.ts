/**
 * A PostgreSQL store against a real server (the run's private cluster): what the
 * database holds, what a tampered or rolled-back row does, the errors of a server that
 * is not there, a missing database and a wrong password, and the grants man 5 tells an
 * operator to give an agents' role. Every command's behaviour is the shared suite's
 * (projects unit-pg and e2e-pg); this file is about the backend itself.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { PASSPHRASE, TempStore } from '../helpers/in-process.js';
import { PASSWORD_ROLE, TEST_DATABASE, psql, runCluster, schemaOf, skipWithoutPostgres, type Cluster } from '../helpers/postgres.js';

const VALUE = 'pg-secret-value-5d1f0c';

describe.skipIf(skipWithoutPostgres())('a PostgreSQL store', () => {
  let cluster: Cluster;
  let store: TempStore;
  let token: string;
  let schema: string;
  const sql = (text: string): string => psql(cluster, TEST_DATABASE, text);

  beforeAll(async () => {
    cluster = (await runCluster())!;
  });
  beforeEach(async () => {
    store = new TempStore({ backend: 'postgres' });
    schema = schemaOf(store.url!);
    await store.init();
    token = await store.provision('bot');
    expect((await store.agent(token, ['credential', 'set', 'API_KEY=-'], { input: VALUE })).code).toBe(0);
  });
  afterEach(() => store.cleanup());

  it('creates its tables in the schema the URL names, and init is refused on an initialised store', async () => {
    expect(sql(`SELECT value FROM ${schema}.meta WHERE name = 'schema_version'`)).toBe('1');
    expect(sql(`SELECT id FROM ${schema}.objects ORDER BY id`).split('\n')).toEqual(['keys/bot', 'store', 'vaults/bot']);
    const again = await store.owner(['init']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('a store already exists at postgres://');
  });

  it('holds only ciphertext: no value, token or passphrase in any row', async () => {
    const secretPart = token.slice(-43);
    const rows = [
      sql(`SELECT encode(bytes, 'escape') || coalesce(encode(previous, 'escape'), '') FROM ${schema}.objects`),
      sql(`SELECT line FROM ${schema}.audit_lines`),
      sql(`SELECT coalesce(head, '') FROM ${schema}.audit_heads`),
    ].join('\n');
    expect(rows).toContain('credential.set');
    for (const secret of [VALUE, secretPart, PASSPHRASE]) expect(rows).not.toContain(secret);
  });

  it('reports a byte flipped in a stored vault as exit 6, and an edited audit line in audit verify', async () => {
    sql(`UPDATE ${schema}.objects SET bytes = set_byte(bytes, length(bytes) - 5, get_byte(bytes, length(bytes) - 5) # 1) WHERE id = 'vaults/bot'`);
    const read = await store.agent(token, ['credential', 'get', 'API_KEY']);
    expect(read.code).toBe(6);
    expect(read.stdout).toBe('');
    sql(`UPDATE ${schema}.audit_lines SET line = replace(line, 'credential.set', 'credential.get') WHERE log = 'vaults/bot.audit.jsonl'`);
    expect((await store.owner(['audit', 'verify'])).code).toBe(6);
  });

  it('detects a row restored to an older generation: exit 6, and a store.rollback line in the store log', async () => {
    const [generation, bytes] = sql(`SELECT generation || ' ' || encode(bytes, 'hex') FROM ${schema}.objects WHERE id = 'vaults/bot'`).split(' ');
    expect((await store.agent(token, ['credential', 'set', 'API_KEY=-'], { input: 'newer-value' })).code).toBe(0);
    // The old row, exactly as it was: it decrypts and its MACs hold; only its age gives it away.
    sql(`UPDATE ${schema}.objects SET generation = ${generation}, bytes = decode('${bytes}', 'hex') WHERE id = 'vaults/bot'`);
    const read = await store.agent(token, ['credential', 'get', 'API_KEY']);
    expect(read.code).toBe(6);
    expect(read.stdout).toBe('');
    expect(read.stderr).toMatch(/went back in time: vaults\/bot is at generation \d+, but this client saw generation \d+/);
    expect(sql(`SELECT line FROM ${schema}.audit_lines WHERE log = 'audit.jsonl'`)).toMatch(/"action":"store\.rollback".*went back in time/);
    // Every later command fails the same way until someone has looked.
    expect((await store.agent(token, ['credential', 'get', 'API_KEY'])).code).toBe(6);
  });

  it('skips a row under proposals/ that is no proposal id, as the directory store skips such a file', async () => {
    sql(`INSERT INTO ${schema}.objects (store, id, generation, bytes) SELECT store, 'proposals/bot/X', 1, '\\x00' FROM ${schema}.objects WHERE id = 'vaults/bot'`);
    const listed = await store.owner(['proposal', 'list', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([]);
  });

  it('detects an audit log cut back to fewer lines', async () => {
    expect((await store.agent(token, ['credential', 'get', 'API_KEY'])).code).toBe(0);
    sql(`DELETE FROM ${schema}.audit_lines WHERE log = 'vaults/bot.audit.jsonl' AND seq = (SELECT max(seq) FROM ${schema}.audit_lines WHERE log = 'vaults/bot.audit.jsonl')`);
    sql(`UPDATE ${schema}.audit_heads SET seq = seq - 1 WHERE log = 'vaults/bot.audit.jsonl'`);
    const read = await store.agent(token, ['credential', 'get', 'API_KEY']);
    expect(read.code).toBe(6);
    expect(read.stderr).toContain('the audit log vaults/bot.audit.jsonl');
  });

  it('remembers what it saw in a 0600 cache file under XDG_CACHE_HOME, holding no secret', () => {
    const dir = join(store.env.XDG_CACHE_HOME!, 'agent-vault', 'rollback');
    const [name] = readdirSync(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, name!)).mode & 0o777).toBe(0o600);
    const text = readFileSync(join(dir, name!), 'utf8');
    expect(JSON.parse(text)).toMatchObject({ location: expect.stringContaining(`schema=${schema}`), objects: { 'vaults/bot': expect.any(Number) } });
    for (const secret of [VALUE, token, PASSPHRASE]) expect(text).not.toContain(secret);
  });

  it('changes the passphrase and the root key, and replaces every token, with no row left readable under the old keys', async () => {
    const reader = await store.provision('reader');
    expect((await store.owner(['grant', 'API_KEY', '--to', 'reader', '--agent', 'bot'])).code).toBe(0);
    const newPassphrase = 'walnut harbour lantern quiet 93 meadow';
    expect((await store.owner(['passwd', '--new-passphrase-stdin'], { input: newPassphrase })).code).toBe(0);
    const asNew = { env: { AGENT_VAULT_PASSPHRASE: newPassphrase } };
    expect((await store.owner(['credential', 'list', '-a', 'bot'])).code).toBe(4);
    const rekeyed = await store.run(['rekey'], asNew);
    expect(rekeyed.code, rekeyed.stderr).toBe(0);
    expect(await store.agent(reader, ['credential', 'get', 'API_KEY', '--agent', 'bot'])).toMatchObject({ code: 0, stdout: `${VALUE}\n` });
    const rotated = await store.run(['rekey', '--tokens', '--json'], asNew);
    expect(rotated.code, rotated.stderr).toBe(0);
    const tokens = (JSON.parse(rotated.stdout) as { tokens: Record<string, string> }).tokens;
    expect((await store.agent(token, ['credential', 'get', 'API_KEY'])).code).toBe(4);
    expect(await store.agent(tokens.bot!, ['credential', 'get', 'API_KEY'])).toMatchObject({ code: 0, stdout: `${VALUE}\n` });
    expect(await store.agent(tokens.reader!, ['credential', 'get', 'API_KEY', '--agent', 'bot'])).toMatchObject({ code: 0, stdout: `${VALUE}\n` });
    expect((await store.run(['audit', 'verify'], asNew)).code).toBe(0);
    expect(sql(`SELECT count(*) FROM ${schema}.objects WHERE id LIKE 'journals/%'`)).toBe('0');
  });
});

describe.skipIf(skipWithoutPostgres())('reaching a PostgreSQL store', () => {
  let cluster: Cluster;
  let store: TempStore;
  beforeAll(async () => {
    cluster = (await runCluster())!;
  });
  beforeEach(() => {
    store = new TempStore({ backend: 'directory' });
  });
  afterEach(() => store.cleanup());
  const expectOneError = (stderr: string): void => {
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^error: /);
    expect(lines[1]).toMatch(/^hint: /);
  };

  it('a server that is not there is exit 7, one line and a hint', async () => {
    const result = await store.owner(['--store', `postgres:///${TEST_DATABASE}?host=${join(store.root, 'no-socket-here')}`, 'status']);
    expect(result.code).toBe(7);
    expect(result.stderr).toContain('cannot be reached');
    expectOneError(result.stderr);
  });

  it('a missing database is exit 3, naming it, with createdb as the hint', async () => {
    const result = await store.owner(['--store', `postgres:///no_such_db?host=${cluster.socketDir}`, 'init'], { env: { PGUSER: 'postgres' } });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('the database no_such_db does not exist');
    expect(result.stderr).toContain('createdb no_such_db');
    expectOneError(result.stderr);
  });

  it('a wrong password is exit 4 and never shown; the right one from a 0600 PGPASSFILE works', async () => {
    psql(cluster, TEST_DATABASE, `GRANT CREATE ON DATABASE ${TEST_DATABASE} TO ${PASSWORD_ROLE.user}`);
    const url = `postgres://${PASSWORD_ROLE.user}@/${TEST_DATABASE}?host=${cluster.socketDir}&schema=pw_${Date.now().toString(36)}`;
    const wrong = await store.owner(['--store', url, 'init'], { env: { PGPASSWORD: 'not-the-password' } });
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toContain(`PostgreSQL refused the login of role ${PASSWORD_ROLE.user}`);
    expect(wrong.stderr).not.toContain('not-the-password');
    expectOneError(wrong.stderr);
    const passfile = join(store.root, 'pgpass');
    writeFileSync(passfile, `*:*:${TEST_DATABASE}:${PASSWORD_ROLE.user}:${PASSWORD_ROLE.password}\n`, { mode: 0o600 });
    const right = await store.owner(['--store', url, 'init', '--kdf-memory', '1', '--kdf-iterations', '1', '--kdf-parallelism', '1'], { env: { PGPASSFILE: passfile } });
    expect(right.code, right.stderr).toBe(0);
  });

  it('refuses a password in the URL and an unknown parameter with exit 2, echoing neither', async () => {
    const withPassword = await store.owner(['--store', `postgres://u:hunter2-secret@/db?host=${cluster.socketDir}`, 'status']);
    expect(withPassword.code).toBe(2);
    expect(withPassword.stderr).toContain('must not hold a password');
    expect(withPassword.stderr).not.toContain('hunter2-secret');
    const unknown = await store.owner(['--store', `postgres:///db?host=${cluster.socketDir}&sslcert=x`, 'status']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown parameter "sslcert"');
  });

  it('an uninitialised schema is "no store", exit 3, with init as the hint', async () => {
    const result = await store.owner(['--store', `postgres:///${TEST_DATABASE}?host=${cluster.socketDir}&schema=never_made`, 'credential', 'list', '-a', 'bot'], { env: { PGUSER: 'postgres' } });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('no agent-vault store at postgres://');
  });
});

describe.skipIf(skipWithoutPostgres())("the agents' role of agent-vault(5)", () => {
  it('lets agents read, write and append, but not change or delete an audit line', async () => {
    const cluster = (await runCluster())!;
    const store = new TempStore({ backend: 'postgres' });
    try {
      const schema = schemaOf(store.url!);
      await store.init();
      const token = await store.provision('bot');
      const role = `agents_${schema}`;
      // The statements of man 5, POSTGRESQL, for this store's schema.
      psql(cluster, TEST_DATABASE, `CREATE ROLE ${role} LOGIN`);
      for (const grant of [
        `GRANT USAGE ON SCHEMA ${schema} TO ${role}`,
        `GRANT SELECT ON ${schema}.meta TO ${role}`,
        `GRANT SELECT, INSERT, UPDATE, DELETE ON ${schema}.objects TO ${role}`,
        `GRANT SELECT, INSERT, UPDATE ON ${schema}.audit_heads TO ${role}`,
        `GRANT SELECT, INSERT ON ${schema}.audit_lines TO ${role}`,
        `GRANT USAGE ON SEQUENCE ${schema}.generations TO ${role}`,
      ]) psql(cluster, TEST_DATABASE, grant);
      const asAgent = { env: { PGUSER: role } };
      expect((await store.agent(token, ['credential', 'set', 'K=-'], { ...asAgent, input: 'v' })).code).toBe(0);
      expect(await store.agent(token, ['credential', 'get', 'K'], asAgent)).toMatchObject({ code: 0, stdout: 'v\n' });
      expect((await store.owner(['audit', 'verify'])).code).toBe(0);
      for (const statement of [`UPDATE ${schema}.audit_lines SET line = 'x'`, `DELETE FROM ${schema}.audit_lines`]) {
        expect(() => psql(cluster, TEST_DATABASE, statement, role)).toThrow(/permission denied for table audit_lines/);
      }
      // A role without the grants is exit 5, naming what was denied.
      psql(cluster, TEST_DATABASE, `CREATE ROLE none_${schema} LOGIN`);
      const denied = await store.agent(token, ['credential', 'get', 'K'], { env: { PGUSER: `none_${schema}` } });
      expect(denied.code).toBe(5);
      expect(denied.stderr).toContain('permission denied for schema');
    } finally {
      store.cleanup();
    }
  });
});
