/**
 * Reading a PostgreSQL store's audit log in pages (PostgresBackend.audit.stream): the
 * verdicts of the whole read for a log of several pages, an edited line in the second
 * page, a missing log, and `audit verify` through the CLI.
 */
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditReader } from '../../src/app/audit-follow.js';
import { openSession } from '../../src/app/open-session.js';
import { checkAuditLog, checkAuditStream } from '../../src/format/audit-chain.js';
import { agentLog, type StorageBackend } from '../../src/store/backend.js';
import { closeOpenStores } from '../../src/store/closing.js';
import { openStore } from '../../src/store/open.js';
import { TempStore } from '../helpers/in-process.js';
import { TEST_DATABASE, psql, runCluster, schemaOf, skipWithoutPostgres, type Cluster } from '../helpers/postgres.js';
import { buildLog, join as joinLines, newKeyring } from '../unit/format/audit-log-builder.js';

async function collect(chunks: AsyncIterable<string>): Promise<string[]> {
  const all: string[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return all;
}

const keyring = newKeyring();
const LOG = agentLog('big');
/** More than two pages of STREAM_LINES (5000). */
const log = buildLog(12_345, keyring);

describe.skipIf(skipWithoutPostgres())('the audit log of a PostgreSQL store, read in pages', () => {
  let cluster: Cluster;
  let store: TempStore;
  let backend: StorageBackend;
  const sql = (text: string): string => psql(cluster, TEST_DATABASE, text);
  const verdict = async () => {
    const { text, head } = await backend.audit.read(LOG);
    const streamed = await backend.audit.stream(LOG);
    expect(streamed.head).toBe(head);
    const chunks: string[] = [];
    const result = await checkAuditStream(
      streamed.chunks &&
        (async function* counted() {
          for await (const chunk of streamed.chunks!) yield (chunks.push(chunk), chunk);
        })(),
      streamed.head,
      { keyring, requireKeyed: true },
    );
    expect(result).toEqual(checkAuditLog(text, head, { keyring, requireKeyed: true }));
    return { result, chunks };
  };

  beforeAll(async () => {
    cluster = (await runCluster())!;
  });
  beforeEach(async () => {
    store = new TempStore({ backend: 'postgres' });
    await store.init();
    backend = openStore(store.url!, store.env);
    await backend.audit.restore(LOG, log.text, log.head);
  });
  afterEach(async () => {
    await closeOpenStores();
    store.cleanup();
  });

  it('reads a log of three pages in chunks of 100 lines and finds it intact', async () => {
    const { result, chunks } = await verdict();
    expect(chunks).toHaveLength(124);
    expect(chunks.join('')).toBe(log.text);
    expect(result.problems).toEqual([]);
    expect(result.lines).toBe(12_345);
  });

  it('reports an edited line of the second page by its number', async () => {
    sql(`UPDATE ${schemaOf(store.url!)}.audit_lines SET line = replace(line, '"API_KEY"', '"API_KEX"') WHERE log = '${LOG.name}' AND seq = 7777`);
    const { result } = await verdict();
    expect(result.problems.map((p) => p.line)).toEqual([7777, 7778]);
  });

  it('gives no chunks for a log that has neither lines nor a head', async () => {
    const streamed = await backend.audit.stream(agentLog('nobody'));
    expect(streamed).toEqual({ head: undefined, chunks: undefined });
  });

  it('reads from a position: the rows after its line, which must still be there (exit 6 once cut back)', async () => {
    const streamed = await backend.audit.stream(LOG, { lines: 12_000, bytes: 0 });
    expect((await collect(streamed.chunks!)).join('')).toBe(joinLines(log.lines.slice(12_000)));
    sql(`DELETE FROM ${schemaOf(store.url!)}.audit_lines WHERE log = '${LOG.name}' AND seq > 11000`);
    await expect(collect((await backend.audit.stream(LOG, { lines: 12_000, bytes: 0 })).chunks!)).rejects.toMatchObject({ exitCode: 6, message: expect.stringMatching(/cut back/) });
  });

  it('reads no line until the chunks are asked for, so asking whether a log exists reads none', async () => {
    const streamed = await backend.audit.stream(LOG);
    expect(streamed.chunks).toBeDefined();
    // Lines removed after the stream was opened and before it was read are not among its chunks.
    sql(`DELETE FROM ${schemaOf(store.url!)}.audit_lines WHERE log = '${LOG.name}' AND seq > 100`);
    expect((await collect(streamed.chunks!)).join('')).toBe(joinLines(log.lines.slice(0, 100)));
    // A log of lines without a head row exists too.
    sql(`DELETE FROM ${schemaOf(store.url!)}.audit_heads WHERE log = '${LOG.name}'`);
    expect((await backend.audit.stream(LOG)).chunks).toBeDefined();
  });

  it('appends the lines of one operation as consecutive rows, and a follower reads on from its position', async () => {
    const token = await store.provision('bot');
    const session = await openSession({ store: store.url!, token, env: store.env });
    const reader = new AuditReader(session);
    await reader.next({ skipExisting: true });
    expect((await store.agent(token, ['credential', 'set', 'K1=a', 'K2=b', 'K3=c'])).code).toBe(0);
    expect((await reader.next()).logs.flat().map((e) => [e.action, e.key])).toEqual([
      ['credential.set', 'K1'],
      ['credential.set', 'K2'],
      ['credential.set', 'K3'],
    ]);
    expect(sql(`SELECT seq FROM ${schemaOf(store.url!)}.audit_lines WHERE log = 'vaults/bot.audit.jsonl' ORDER BY seq`).split('\n').map(Number)).toEqual([1, 2, 3, 4]);
    expect((await store.agent(token, ['audit', 'verify'])).code).toBe(0);
    // The last line the follower showed is cut: its next pass is exit 6.
    sql(`DELETE FROM ${schemaOf(store.url!)}.audit_lines WHERE log = 'vaults/bot.audit.jsonl' AND seq = 4`);
    await expect(reader.next()).rejects.toMatchObject({ exitCode: 6 });
  });

  it('audit verify notices a log cut back by its head, without the rollback cache', async () => {
    const token = await store.provision('bot');
    for (let i = 0; i < 3; i += 1) expect((await store.agent(token, ['credential', 'set', `K${i}=v`])).code).toBe(0);
    // The lines alone are deleted: the head row is untouched, so only the head's text can tell.
    sql(`DELETE FROM ${schemaOf(store.url!)}.audit_lines WHERE log = 'vaults/bot.audit.jsonl' AND seq > 2`);
    const result = await store.agent(token, ['audit', 'verify'], { env: { XDG_CACHE_HOME: join(store.root, 'fresh-cache') } });
    expect(result.code).toBe(6);
    expect(result.stdout).toMatch(/bot\.audit\.jsonl\): the log ends at seq 2 but its head records seq 4: lines were cut off the end/);
  });

  it('audit verify reads through the pages and exits 6 naming an edited line', async () => {
    const token = await store.provision('bot');
    for (let i = 0; i < 3; i += 1) expect((await store.agent(token, ['credential', 'set', `K${i}=v`])).code).toBe(0);
    expect((await store.agent(token, ['audit', 'verify'])).code).toBe(0);
    sql(`UPDATE ${schemaOf(store.url!)}.audit_lines SET line = replace(line, '"K1"', '"K9"') WHERE log = 'vaults/bot.audit.jsonl'`);
    const result = await store.agent(token, ['audit', 'verify']);
    expect(result.code).toBe(6);
    expect(result.stdout).toMatch(/bot\.audit\.jsonl\):\d+: its MAC does not verify/);
  });
});
