/**
 * The store in PostgreSQL: the same encrypted bytes the directory backend writes, in
 * tables of a schema the URL names (`?schema=`, default `agent_vault`), several stores
 * per schema told apart by a `store` column (`?store=`, default `default`):
 *
 * ```
 * meta        (name, value)                          schema_version = 1
 * objects     (store, id, generation, bytes, previous)          PRIMARY KEY (store, id)
 * audit_lines (store, log, seq, line)                            PRIMARY KEY (store, log, seq)
 * audit_heads (store, log, generation, seq, head)                PRIMARY KEY (store, log)
 * generations a sequence: every write takes the next number
 * ```
 *
 * Ids are stored as `objectIds` builds them, whatever their folder, so a new kind of
 * object needs no new table. Generations come from one sequence, so they only grow,
 * even across a remove and a new create: that is what lets the rollback cache
 * (rollback-cache.ts) call any smaller number a going-back.
 *
 * Writes are compare-and-swap (`UPDATE … WHERE generation = $expected`), `exclusive`
 * is a transaction holding a transaction-scoped advisory lock, so the read, the
 * write and the audit line of one change commit together or not at all, and a killed
 * client leaves nothing half-written. An audit append takes the log's next sequence
 * number under the primary key and compare-and-swaps the head row's length, in one
 * transaction (a savepoint inside an `exclusive` one); on a conflict it re-plans the
 * line with the new tail, so the chain never forks.
 */
import { hostname } from 'node:os';
import { BusyError, IntegrityError, UsageError, VaultError } from '../core/errors.js';
import { isAgentId, isCredentialKey } from '../core/ids.js';
import { planAuditAppend } from '../format/audit-append.js';
import { isProposalId } from '../format/proposal-file.js';
import {
  agentLog,
  STORE_LOG,
  WriteConflictError,
  type AuditLogPosition,
  type AuditLogRef,
  type AuditLogStream,
  type AuditStorage,
  type AuditTail,
  type AuditWrite,
  type Generation,
  type ObjectId,
  type ObjectPrefix,
  type StorageBackend,
  type OpenedObject,
  type StoredObject,
} from './backend.js';
import { PgConnection, UNDEFINED_TABLE } from './postgres-client.js';
import type { PostgresLocation } from './postgres-url.js';
import { RollbackCache, type GoingBack } from './rollback-cache.js';

/** The layout version `init` writes into `meta`; a newer one is refused. */
export const SCHEMA_VERSION = 1;

/** How many of a log's newest lines an append sees. */
const TAIL_LINES = 256;

/** How many lines `stream` fetches per statement. */
const STREAM_LINES = 5000;

/** How many times an append re-plans after losing the log's next sequence number, then exit 7. */
const MAX_APPEND_ATTEMPTS = 64;

/** The statements of schema version 1, run by `init` (idempotent). */
function schemaStatements(s: string): string[] {
  return [
    `CREATE SCHEMA IF NOT EXISTS ${s}`,
    `CREATE TABLE IF NOT EXISTS ${s}.meta (name text PRIMARY KEY, value text NOT NULL)`,
    `CREATE SEQUENCE IF NOT EXISTS ${s}.generations`,
    `CREATE TABLE IF NOT EXISTS ${s}.objects (store text NOT NULL, id text NOT NULL, generation bigint NOT NULL, bytes bytea NOT NULL, previous bytea, PRIMARY KEY (store, id))`,
    `CREATE TABLE IF NOT EXISTS ${s}.audit_lines (store text NOT NULL, log text NOT NULL, seq bigint NOT NULL CHECK (seq > 0), line text NOT NULL, PRIMARY KEY (store, log, seq))`,
    `CREATE TABLE IF NOT EXISTS ${s}.audit_heads (store text NOT NULL, log text NOT NULL, generation bigint NOT NULL, seq bigint NOT NULL, head text, PRIMARY KEY (store, log))`,
    `INSERT INTO ${s}.meta (name, value) VALUES ('schema_version', '${SCHEMA_VERSION}') ON CONFLICT (name) DO NOTHING`,
  ];
}

/** Whether `rest` (an id without its prefix) is a name `objectIds` could have built under `prefix`. */
function validUnder(prefix: string, rest: string): boolean {
  if (prefix === 'grants/') {
    const [grantee, name, ...more] = rest.split('/');
    return more.length === 0 && isAgentId(grantee ?? '') && validUnder(`grants/${grantee}/`, name ?? '');
  }
  if (prefix.startsWith('grants/')) {
    const match = /^([^.]+)\.([^.]+)$/.exec(rest);
    return match !== null && isAgentId(match[1]!) && isCredentialKey(match[2]!);
  }
  if (prefix === 'proposals/') {
    const [agent, id, ...more] = rest.split('/');
    return more.length === 0 && isAgentId(agent ?? '') && validUnder(`proposals/${agent}/`, id ?? '');
  }
  if (prefix.startsWith('proposals/')) return isProposalId(rest);
  if (prefix === 'vaults/' || prefix === 'keys/' || prefix === 'journals/') return isAgentId(rest);
  // A folder another version added: one level of the characters ids are made of.
  return /^[A-Za-z0-9_.-]{1,200}$/.test(rest);
}

/** A store in a PostgreSQL schema. */
export class PostgresBackend implements StorageBackend {
  readonly location: string;
  readonly audit: AuditStorage;
  readonly db: PgConnection;
  readonly cache: RollbackCache;
  /** `schema.` quoted for SQL: checked to be a plain lowercase name by postgres-url.ts. */
  readonly s: string;

  constructor(
    readonly where: PostgresLocation,
    private readonly env: NodeJS.ProcessEnv,
    private readonly lockTimeoutMs: number,
  ) {
    this.location = where.display;
    this.s = `"${where.schema}"`;
    this.db = new PgConnection(where, env);
    this.cache = new RollbackCache(where.display, env);
    this.audit = new PostgresAuditLogs(this);
  }

  /** When the cache may note what a statement saw: after the commit of the transaction it ran in. */
  readonly later = (save: () => void): void => this.db.afterCommit(save);

  get store(): string {
    return this.where.store;
  }

  describe(id: ObjectId): string {
    return `${this.location} (object ${id})`;
  }

  describeLog(log: AuditLogRef): string {
    return `${this.location} (audit log ${log.name})`;
  }

  /**
   * Reports a going-back the cache found: a `store.rollback` line in the store's log
   * (unkeyed: the backend holds no key, and the line must be written whoever runs
   * this), then exit 6. The cache keeps the newer number, so every later command fails
   * the same way until the operator has looked.
   */
  async goingBack(found: GoingBack): Promise<never> {
    const message = `the PostgreSQL store ${this.location} went back in time: ${found.what} is at ${found.found}, but this client saw ${found.seen}`;
    const event = { actor: 'unknown', agent: '', action: 'store.rollback' as const, result: 'error' as const, reason: message };
    // A connection of its own: the command's transaction is about to roll back, and the line must stay.
    const reporter = new PostgresBackend(this.where, this.env, this.lockTimeoutMs);
    try {
      await (reporter.audit as PostgresAuditLogs).append(
        STORE_LOG,
        async (tail) => {
          const plan = await planAuditAppend(tail, event, { now: new Date(), pid: process.pid, host: hostname() });
          return plan === 'superseded' ? undefined : { lines: [plan.line], ...(plan.head === undefined ? {} : { head: plan.head }) };
        },
        { trusted: true },
      );
    } catch {
      // The error below is the report that matters; a store that cannot take the line still fails the command.
    } finally {
      await reporter.db.close();
    }
    throw new IntegrityError(message, `the database was restored from an old copy or a row was put back; if that was done on purpose, remove ${this.cache.file}`);
  }

  /** Runs a query whose failure because the tables are missing means "no store here". */
  private async ifTables<T>(fn: () => Promise<T>, missing: T): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (UNDEFINED_TABLE.has((err as { sqlstate?: string }).sqlstate ?? '')) return missing;
      throw err;
    }
  }

  async isInitialised(): Promise<boolean> {
    return this.ifTables(() => this.exists('store'), false);
  }

  async prepare(): Promise<void> {
    const version = await this.ifTables(async () => (await this.db.query<{ value: string }>(`SELECT value FROM ${this.s}.meta WHERE name = 'schema_version'`)).rows[0]?.value, undefined);
    if (version === undefined) {
      // Concurrent inits of one database would race on the catalogue: one at a time.
      await this.db.transaction(async () => {
        await this.db.query(`SELECT pg_advisory_xact_lock(hashtext('agent-vault schema'), hashtext($1))`, [this.where.schema]);
        for (const statement of schemaStatements(this.s)) await this.db.query(statement);
      });
      return;
    }
    if (Number(version) > SCHEMA_VERSION) {
      throw new UsageError(`the tables of ${this.location} are of schema version ${version}, newer than this agent-vault knows (${SCHEMA_VERSION})`, 'upgrade agent-vault');
    }
  }

  async read(id: ObjectId): Promise<StoredObject | undefined> {
    const row = (await this.db.query<{ generation: string; bytes: Buffer }>(`SELECT generation, bytes FROM ${this.s}.objects WHERE store = $1 AND id = $2`, [this.store, id])).rows[0];
    if (!row) return undefined;
    const found = this.cache.object(id, Number(row.generation), this.later);
    if (found) await this.goingBack(found);
    return { bytes: row.bytes, generation: row.generation };
  }

  /** A row is fetched whole: its parts are the bytes fetched. */
  readInParts(id: ObjectId): Promise<OpenedObject | undefined> {
    return this.read(id);
  }

  async exists(id: ObjectId): Promise<boolean> {
    return (await this.db.query(`SELECT 1 FROM ${this.s}.objects WHERE store = $1 AND id = $2`, [this.store, id])).rowCount === 1;
  }

  async list(prefix: ObjectPrefix): Promise<ObjectId[]> {
    const rows = await this.ifTables(
      async () => (await this.db.query<{ id: string }>(`SELECT id FROM ${this.s}.objects WHERE store = $1 AND left(id, $3) = $2 ORDER BY id COLLATE "C"`, [this.store, prefix, prefix.length])).rows,
      [],
    );
    return rows.map((r) => r.id).filter((id) => validUnder(prefix, id.slice(prefix.length)));
  }

  /** Notes a generation this client wrote itself, so that the cache knows it. */
  private wrote(id: ObjectId, generation: string): Generation {
    this.cache.object(id, Number(generation), this.later);
    return generation;
  }

  async create(id: ObjectId, bytes: Uint8Array): Promise<Generation> {
    const row = (
      await this.db.query<{ generation: string }>(
        `INSERT INTO ${this.s}.objects (store, id, generation, bytes) VALUES ($1, $2, nextval('${this.s}.generations'), $3) ON CONFLICT (store, id) DO NOTHING RETURNING generation`,
        [this.store, id, Buffer.from(bytes)],
      )
    ).rows[0];
    if (!row) throw new WriteConflictError(id);
    return this.wrote(id, row.generation);
  }

  async replace(id: ObjectId, bytes: Uint8Array, expected: Generation, options: { keepPrevious?: boolean } = {}): Promise<Generation> {
    if (!/^\d+$/.test(expected)) throw new WriteConflictError(id);
    const row = (
      await this.db.query<{ generation: string }>(
        `UPDATE ${this.s}.objects SET bytes = $3, previous = CASE WHEN $5 THEN bytes END, generation = nextval('${this.s}.generations')
         WHERE store = $1 AND id = $2 AND generation = $4 RETURNING generation`,
        [this.store, id, Buffer.from(bytes), expected, options.keepPrevious === true],
      )
    ).rows[0];
    if (!row) throw new WriteConflictError(id);
    return this.wrote(id, row.generation);
  }

  async restorePrevious(id: ObjectId, expected: Generation): Promise<void> {
    // Inside a transaction whose connection broke, nothing was committed: the rollback already put it back.
    if (this.db.brokenTransaction) return;
    const row = (
      await this.db.query<{ generation: string }>(
        `UPDATE ${this.s}.objects SET bytes = previous, previous = NULL, generation = nextval('${this.s}.generations')
         WHERE store = $1 AND id = $2 AND generation = $3 AND previous IS NOT NULL RETURNING generation`,
        [this.store, id, /^\d+$/.test(expected) ? expected : '-1'],
      )
    ).rows[0];
    if (!row) throw new WriteConflictError(id);
    this.wrote(id, row.generation);
  }

  async put(id: ObjectId, bytes: Uint8Array): Promise<void> {
    const row = (
      await this.db.query<{ generation: string }>(
        `INSERT INTO ${this.s}.objects (store, id, generation, bytes) VALUES ($1, $2, nextval('${this.s}.generations'), $3)
         ON CONFLICT (store, id) DO UPDATE SET bytes = excluded.bytes, generation = excluded.generation, previous = NULL RETURNING generation`,
        [this.store, id, Buffer.from(bytes)],
      )
    ).rows[0]!;
    this.wrote(id, row.generation);
  }

  async remove(id: ObjectId): Promise<boolean> {
    return ((await this.db.query(`DELETE FROM ${this.s}.objects WHERE store = $1 AND id = $2`, [this.store, id])).rowCount ?? 0) > 0;
  }

  async removeAll(prefix: ObjectPrefix): Promise<void> {
    await this.db.query(`DELETE FROM ${this.s}.objects WHERE store = $1 AND left(id, $3) = $2`, [this.store, prefix, prefix.length]);
  }

  async forgetPrevious(id: ObjectId): Promise<void> {
    await this.db.query(`UPDATE ${this.s}.objects SET previous = NULL WHERE store = $1 AND id = $2 AND previous IS NOT NULL`, [this.store, id]);
  }

  /**
   * Runs `fn` in one transaction holding an advisory lock on the object (database-wide,
   * released at the commit), waiting at most the lock timeout (then exit 7). Nested
   * sections are savepoints of the same transaction.
   */
  async exclusive<T>(id: ObjectId, fn: () => Promise<T>): Promise<T> {
    return this.db.transaction(async () => {
      await this.db.query(`SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))`, [`${this.where.schema}/${this.store}`, id]);
      return fn();
    }, `SET LOCAL lock_timeout = ${Math.max(1, Math.round(this.lockTimeoutMs))}`);
  }
}

/** One row of `audit_heads` and the newest lines, read in one statement (one snapshot). */
interface TailRow {
  generation: string | null;
  seq: string | null;
  head: string | null;
  lines: string[] | null;
}

/** The audit logs of a PostgreSQL store. */
class PostgresAuditLogs implements AuditStorage {
  constructor(private readonly b: PostgresBackend) {}

  private get s(): string {
    return this.b.s;
  }

  private async tailRow(log: AuditLogRef, trusted: boolean): Promise<{ row: TailRow; tail: AuditTail }> {
    const { s } = this;
    const row = (
      await this.b.db.query<TailRow>(
        // The lines as one json value, which the driver reads with JSON.parse: as a
        // text[] they went through its array parser, a character at a time (about
        // 3 ms of every append of 256 lines).
        `SELECT h.generation, h.seq, h.head,
           (SELECT json_agg(line ORDER BY seq) FROM (SELECT seq, line FROM ${s}.audit_lines WHERE store = $1 AND log = $2 ORDER BY seq DESC LIMIT ${TAIL_LINES}) t) AS lines
         FROM (SELECT 1) one LEFT JOIN ${s}.audit_heads h ON h.store = $1 AND h.log = $2`,
        [this.b.store, log.name],
      )
    ).rows[0]!;
    if (!trusted && row.generation !== null) {
      const found = this.b.cache.log(log.name, { generation: Number(row.generation), seq: Number(row.seq) }, this.b.later);
      if (found) await this.b.goingBack(found);
    }
    const lines = row.lines ?? [];
    const allLines = async (): Promise<string[]> =>
      (await this.b.db.query<{ line: string }>(`SELECT line FROM ${s}.audit_lines WHERE store = $1 AND log = $2 ORDER BY seq`, [this.b.store, log.name])).rows.map((r) => r.line);
    return { row, tail: { head: row.head ?? undefined, lines, empty: lines.length === 0, torn: false, allLines } };
  }

  /**
   * Claims the log's next line: the head row's length goes from what the tail saw to one
   * more (or the row is created), else another appender won and this one re-plans.
   */
  private async claim(log: AuditLogRef, row: TailRow, head: string | undefined, lines: number): Promise<{ generation: string; seq: number } | undefined> {
    const { s } = this;
    if (row.generation === null) {
      const made = (
        await this.b.db.query<{ generation: string }>(
          `INSERT INTO ${s}.audit_heads (store, log, generation, seq, head) VALUES ($1, $2, nextval('${s}.generations'), $3, $4) ON CONFLICT (store, log) DO NOTHING RETURNING generation`,
          [this.b.store, log.name, lines, head ?? null],
        )
      ).rows[0];
      return made ? { generation: made.generation, seq: lines } : undefined;
    }
    const updated = await this.b.db.query(
      `UPDATE ${s}.audit_heads SET seq = seq + $5, head = COALESCE($4, head) WHERE store = $1 AND log = $2 AND generation = $3 AND seq = $6`,
      [this.b.store, log.name, row.generation, head ?? null, lines, row.seq],
    );
    return updated.rowCount === 1 ? { generation: row.generation, seq: Number(row.seq) + lines } : undefined;
  }

  async append(log: AuditLogRef, plan: (tail: AuditTail) => AuditWrite | undefined | Promise<AuditWrite | undefined>, options: { trusted?: boolean } = {}): Promise<boolean> {
    for (let attempt = 1; attempt <= MAX_APPEND_ATTEMPTS; attempt += 1) {
      const { row, tail } = await this.tailRow(log, options.trusted === true);
      const write = await plan(tail);
      if (!write || write.lines.length === 0) return false;
      const claimed = await this.b.db.transaction(async () => {
        const next = await this.claim(log, row, write.head, write.lines.length);
        if (!next) return undefined;
        // One statement for all the lines: the first takes the seq after the tail's, the last the claimed one.
        const inserted = await this.b.db.query(
          `INSERT INTO ${this.s}.audit_lines (store, log, seq, line) SELECT $1, $2, $3::bigint + n, line FROM unnest($4::text[]) WITH ORDINALITY AS t(line, n) ON CONFLICT DO NOTHING`,
          [this.b.store, log.name, String(next.seq - write.lines.length), write.lines],
        );
        if (inserted.rowCount !== write.lines.length) throw new AppendLost();
        return next;
      }).catch((err: unknown) => {
        if (err instanceof AppendLost) return undefined;
        throw err;
      });
      if (claimed) {
        this.b.cache.log(log.name, { generation: Number(claimed.generation), seq: claimed.seq }, this.b.later);
        return true;
      }
    }
    throw new BusyError(`the audit log ${log.name} of ${this.b.location} kept growing while a line was appended`, 'try again');
  }

  async rewriteHead(log: AuditLogRef, change: (tail: AuditTail) => string | undefined | Promise<string | undefined>): Promise<void> {
    for (let attempt = 1; attempt <= MAX_APPEND_ATTEMPTS; attempt += 1) {
      const { row, tail } = await this.tailRow(log, false);
      const head = await change(tail);
      if (head === undefined) return;
      if (await this.claim(log, row, head, 0)) return;
    }
    throw new BusyError(`the audit log ${log.name} of ${this.b.location} kept growing while its head was rewritten`, 'try again');
  }

  /**
   * The log's head row, with the columns `more` adds (subqueries of the same
   * statement, so of the same snapshot), checked against the rollback cache.
   */
  private async headRow<T extends object = object>(log: AuditLogRef, more = ''): Promise<{ generation: string | null; seq: string | null; head: string | null } & T> {
    const row = (
      await this.b.db.query<{ generation: string | null; seq: string | null; head: string | null } & T>(
        `SELECT h.generation, h.seq, h.head${more} FROM (SELECT 1) one LEFT JOIN ${this.s}.audit_heads h ON h.store = $1 AND h.log = $2`,
        [this.b.store, log.name],
      )
    ).rows[0]!;
    if (row.generation !== null) {
      const found = this.b.cache.log(log.name, { generation: Number(row.generation), seq: Number(row.seq) }, this.b.later);
      if (found) await this.b.goingBack(found);
    }
    return row;
  }

  async read(log: AuditLogRef): Promise<{ text: string | undefined; head: string | undefined }> {
    const row = await this.headRow<{ text: string | null }>(
      log,
      `, (SELECT string_agg(line || E'\\n', '' ORDER BY seq) FROM ${this.s}.audit_lines WHERE store = $1 AND log = $2) AS text`,
    );
    return { text: row.text ?? (row.generation === null ? undefined : ''), head: row.head ?? undefined };
  }

  /**
   * The head row first (checked against the rollback cache as `read` does, and whether
   * any line exists), then, from the first chunk asked for on, the lines in pages of
   * {@link STREAM_LINES} by key, as chunks of 100 lines; from `from`, the lines after its
   * first `from.lines`, whose last must still be there (else the log was cut back:
   * exit 6, from the first chunk). The pages are separate statements: a line appended
   * meanwhile may be in the last page, which `audit verify` allows (the head names no
   * line after it).
   */
  async stream(log: AuditLogRef, from?: AuditLogPosition): Promise<AuditLogStream> {
    const { s } = this;
    const where = this.b.describeLog(log);
    // As in read: the log exists when its head row or any line does; asking that reads no line.
    const row = await this.headRow<{ has_lines: boolean }>(log, `, EXISTS (SELECT 1 FROM ${s}.audit_lines WHERE store = $1 AND log = $2) AS has_lines`);
    const head = row.head ?? undefined;
    if (row.generation === null && !row.has_lines) return { head, chunks: undefined };
    const page = async (after: number): Promise<{ seq: string; line: string }[]> =>
      (
        await this.b.db.query<{ seq: string; line: string }>(
          `SELECT seq, line FROM ${s}.audit_lines WHERE store = $1 AND log = $2 AND seq > $3 ORDER BY seq LIMIT ${STREAM_LINES}`,
          [this.b.store, log.name, String(after)],
        )
      ).rows;
    const skip = from?.lines ?? 0;
    async function* chunks(): AsyncGenerator<string> {
      // Fetched at the first chunk asked for, as the directory backend opens its file then.
      // From a position: the page starts at the last line before it, which must still be there.
      const first = await page(Math.max(0, skip - 1));
      if (skip > 0 && first[0]?.seq !== String(skip)) {
        throw new IntegrityError(`the audit log ${where} was cut back while it was being followed: its line ${skip} is gone`, 'run agent-vault audit verify, and compare the log with a backup');
      }
      let rows = skip > 0 ? first.slice(1) : first;
      let full = first.length === STREAM_LINES;
      for (;;) {
        // Chunks of 100 lines stay small strings, which the young generation collects; a page joined would not.
        for (let i = 0; i < rows.length; i += 100) yield rows.slice(i, i + 100).map((r) => `${r.line}\n`).join('');
        const last = rows.at(-1);
        if (!full || last === undefined) return;
        rows = await page(Number(last.seq));
        full = rows.length === STREAM_LINES;
      }
    }
    return { head, chunks: chunks() };
  }

  async list(): Promise<AuditLogRef[]> {
    const names = await this.b
      .list('vaults/')
      .then(async (vaults) => ({
        vaults,
        logs: (await this.b.db.query<{ log: string }>(`SELECT log FROM ${this.s}.audit_heads WHERE store = $1 ORDER BY log COLLATE "C"`, [this.b.store])).rows.map((r) => r.log),
      }))
      .catch((err: unknown) => {
        if (err instanceof VaultError && err.exitCode === 3) return { vaults: [] as string[], logs: [] as string[] };
        throw err;
      });
    const logs: AuditLogRef[] = [];
    if ((await this.b.isInitialised()) || names.logs.includes(STORE_LOG.name)) logs.push(STORE_LOG);
    const agents = new Set(names.vaults.map((id) => id.slice('vaults/'.length)));
    for (const name of names.logs) {
      const agent = /^vaults\/(.+)\.audit\.jsonl$/.exec(name)?.[1];
      if (agent !== undefined && isAgentId(agent)) agents.add(agent);
    }
    for (const agent of [...agents].sort()) logs.push(agentLog(agent));
    for (const name of names.logs) {
      const agent = /^retired\/([a-z0-9_-]{1,64})\..+\.audit\.jsonl$/.exec(name)?.[1];
      if (agent !== undefined && isAgentId(agent)) logs.push({ kind: 'retired', name, agent });
    }
    return logs;
  }

  async discard(log: AuditLogRef): Promise<void> {
    await this.b.db.transaction(async () => {
      await this.b.db.query(`DELETE FROM ${this.s}.audit_lines WHERE store = $1 AND log = $2`, [this.b.store, log.name]);
      await this.b.db.query(`DELETE FROM ${this.s}.audit_heads WHERE store = $1 AND log = $2`, [this.b.store, log.name]);
    }).catch((err: unknown) => {
      // Nothing to discard in a schema init has not made yet.
      if (UNDEFINED_TABLE.has((err as { sqlstate?: string }).sqlstate ?? '')) return;
      throw err;
    });
  }

  async retire(agent: string, at: string): Promise<void> {
    const from = agentLog(agent).name;
    const to = `retired/${agent}.${at.replaceAll(':', '-')}.audit.jsonl`;
    await this.b.db.transaction(async () => {
      await this.b.db.query(`UPDATE ${this.s}.audit_lines SET log = $3 WHERE store = $1 AND log = $2`, [this.b.store, from, to]);
      await this.b.db.query(`UPDATE ${this.s}.audit_heads SET log = $3 WHERE store = $1 AND log = $2`, [this.b.store, from, to]);
    });
  }

  async restore(log: AuditLogRef, text: string | undefined, head: string | undefined): Promise<void> {
    const { s } = this;
    await this.b.db.transaction(async () => {
      const present = await this.b.db.query(
        `SELECT 1 FROM ${s}.audit_heads WHERE store = $1 AND log = $2 UNION ALL SELECT 1 FROM ${s}.audit_lines WHERE store = $1 AND log = $2 LIMIT 1`,
        [this.b.store, log.name],
      );
      if (present.rowCount !== 0) throw new WriteConflictError(log.name);
      const lines = text === undefined || text === '' ? [] : text.replace(/\n$/, '').split('\n');
      await this.b.db.query(
        `INSERT INTO ${s}.audit_lines (store, log, seq, line) SELECT $1, $2, n, line FROM unnest($3::text[]) WITH ORDINALITY AS t(line, n)`,
        [this.b.store, log.name, lines],
      );
      await this.b.db.query(`INSERT INTO ${s}.audit_heads (store, log, generation, seq, head) VALUES ($1, $2, nextval('${s}.generations'), $3, $4)`, [
        this.b.store,
        log.name,
        String(lines.length),
        head ?? null,
      ]);
    });
  }
}

/** The line's sequence number was taken after the head row was claimed (a row written by hand): re-plan. */
class AppendLost extends Error {}
