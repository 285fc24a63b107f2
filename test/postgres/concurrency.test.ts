/**
 * Concurrency and crashes against a real PostgreSQL server, with spawned CLI processes:
 * 16 writers of one vault lose nothing, 16 appenders of one log leave a chain that
 * verifies, and a write cut off mid-way (its backend terminated, or the whole server
 * killed with `pg_ctl stop -m immediate`) leaves the last acknowledged state, no half of
 * a change, and one clear error.
 *
 * To cut a write at a known point, the test holds a row lock on the vault's row from
 * psql: the writer then waits inside its transaction, after its read and before its
 * write, which pg_stat_activity shows; that is when the connection or server goes.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/cli.js';
import { TEST_DATABASE, psql, removeCluster, runCluster, schemaOf, skipWithoutPostgres, startCluster, startServer, stopServer, type Cluster } from '../helpers/postgres.js';

/** A psql session holding `FOR UPDATE` on one object's row until `release()`. */
function holdRow(cluster: Cluster, schema: string, id: string): { ready: Promise<void>; release: () => Promise<void> } {
  const args = ['-X', '-q', '-A', '-t', '-h', cluster.socketDir, '-U', 'postgres', '-d', TEST_DATABASE];
  const bin = join(cluster.binDir, 'psql');
  const child: ChildProcessWithoutNullStreams = cluster.asPostgres ? spawn('runuser', ['-u', 'postgres', '--', bin, ...args], { cwd: '/' }) : spawn(bin, args);
  let out = '';
  const ready = new Promise<void>((resolve) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('held')) resolve();
    });
  });
  child.stdin.write(`BEGIN; SELECT 1 FROM ${schema}.objects WHERE id = '${id}' FOR UPDATE; SELECT 'held';\n`);
  return {
    ready,
    release: () =>
      new Promise((resolve) => {
        child.on('close', () => resolve());
        child.stdin.end('COMMIT;\n');
      }),
  };
}

/** Waits until an agent-vault backend waits for a lock (the writer is inside its transaction). */
async function waitForBlockedWriter(cluster: Cluster): Promise<void> {
  for (let i = 0; i < 3000; i += 1) {
    const waiting = psql(cluster, TEST_DATABASE, `SELECT count(*) FROM pg_stat_activity WHERE application_name = 'agent-vault' AND wait_event_type = 'Lock'`);
    if (Number(waiting) > 0) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('no agent-vault writer ever waited for the held row');
}

describe.skipIf(skipWithoutPostgres())('many writers on one PostgreSQL store', () => {
  let store: TempStore;
  let token: string;
  beforeEach(async () => {
    store = new TempStore({ backend: 'postgres' });
    await store.init();
    token = await store.provision('bot');
  });
  afterEach(() => store.cleanup());

  it('16 processes writing one vault at once lose nothing', async () => {
    const keys = Array.from({ length: 16 }, (_, i) => `KEY_${i}`);
    const results = await Promise.all(keys.map((key) => store.run(['credential', 'set', `${key}=-`], { env: { AGENT_VAULT_TOKEN: token, AGENT_VAULT_LOCK_TIMEOUT: '120' }, input: `value-${key}` })));
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const listed = await store.owner(['credential', 'list', '--reveal', '-a', 'bot']);
    const stored = new Map(listed.stdout.split('\n').filter(Boolean).map((line) => [line.split('\t')[0]!, line.split('\t')[4]!]));
    for (const key of keys) expect(stored.get(key), key).toBe(`value-${key}`);
    expect((await store.owner(['audit', 'verify'])).code).toBe(0);
  });

  it('16 processes appending to one audit log leave a chain that verifies, one line each', async () => {
    expect((await store.agent(token, ['credential', 'set', 'K=-'], { input: 'v' })).code).toBe(0);
    const results = await Promise.all(Array.from({ length: 16 }, () => store.agent(token, ['credential', 'get', 'K'])));
    for (const result of results) expect(result).toMatchObject({ code: 0, stdout: 'v\n' });
    const verify = await store.owner(['audit', 'verify', '--json']);
    expect(verify.code, verify.stdout).toBe(0);
    const audit = await store.owner(['audit', '--json', '--action', 'credential.get']);
    const records = JSON.parse(audit.stdout) as Array<{ seq: number; log: string }>;
    expect(records.filter((r) => r.log.includes('bot'))).toHaveLength(16);
  });
});

describe.skipIf(skipWithoutPostgres())('a PostgreSQL write cut off mid-way', () => {
  let shared: Cluster;
  beforeAll(async () => {
    shared = (await runCluster())!;
  });

  it('a terminated backend (pg_terminate_backend) fails the write in one line, exit 7, and leaves the last acknowledged state', async () => {
    const store = new TempStore({ backend: 'postgres' });
    try {
      await store.init();
      const token = await store.provision('bot');
      expect((await store.agent(token, ['credential', 'set', 'K=-'], { input: 'acknowledged' })).code).toBe(0);
      const hold = holdRow(shared, schemaOf(store.url!), 'vaults/bot');
      await hold.ready;
      const writing = store.run(['credential', 'set', 'K=-'], { env: { AGENT_VAULT_TOKEN: token, AGENT_VAULT_LOCK_TIMEOUT: '120' }, input: 'never-acknowledged' });
      await waitForBlockedWriter(shared);
      psql(shared, TEST_DATABASE, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'agent-vault' AND wait_event_type = 'Lock'`);
      const cut = await writing;
      await hold.release();
      expect(cut.code).toBe(7);
      expect(cut.stderr).toMatch(/^error: the connection to the PostgreSQL server of postgres:\/\/\S+ was lost mid-command; nothing of this command was committed\nhint: /);
      expect(await store.agent(token, ['credential', 'get', 'K'])).toMatchObject({ code: 0, stdout: 'acknowledged\n' });
      expect((await store.owner(['audit', 'verify'])).code).toBe(0);
    } finally {
      store.cleanup();
    }
  });

  it('a server killed mid-write (pg_ctl stop -m immediate) comes back with the last acknowledged state', async () => {
    // A cluster of its own: this one is killed.
    const cluster = startCluster();
    const store = new TempStore({ backend: 'directory' });
    const url = `postgres:///${TEST_DATABASE}?host=${cluster.socketDir}`;
    const env = { AGENT_VAULT_HOME: url, PGUSER: 'postgres' };
    try {
      expect((await store.owner(['init', '--kdf-memory', '1', '--kdf-iterations', '1', '--kdf-parallelism', '1'], { env })).code).toBe(0);
      const token = (await store.owner(['provision', 'bot'], { env })).stdout.trim();
      expect((await store.agent(token, ['credential', 'set', 'K=-'], { input: 'acknowledged', env })).code).toBe(0);
      const hold = holdRow(cluster, 'agent_vault', 'vaults/bot');
      await hold.ready;
      const writing = store.run(['credential', 'set', 'K=-'], { env: { ...env, AGENT_VAULT_TOKEN: token, AGENT_VAULT_LOCK_TIMEOUT: '120' }, input: 'never-acknowledged' });
      await waitForBlockedWriter(cluster);
      stopServer(cluster, 'immediate');
      const cut = await writing;
      await hold.release();
      expect(cut.code).toBe(7);
      expect(cut.stderr.trim().split('\n')).toHaveLength(2);
      const down = await store.agent(token, ['credential', 'get', 'K'], { env });
      expect(down.code).toBe(7);
      expect(down.stderr).toContain('cannot be reached');
      startServer(cluster);
      expect(await store.agent(token, ['credential', 'get', 'K'], { env })).toMatchObject({ code: 0, stdout: 'acknowledged\n' });
      expect((await store.owner(['audit', 'verify'], { env })).code).toBe(0);
    } finally {
      store.cleanup();
      removeCluster(cluster);
    }
  });
});
